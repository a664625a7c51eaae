//! Making sure the tools a subcommand needs are installed. Every check is
//! cheap and every install is skipped when the tool is already present at the
//! right version, so a second run costs a few process spawns.
//!
//! The frontend tools live in [`crate::web`]; they are only needed once
//! `frontend/` exists.

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{bail, Result};

use crate::util::{self, capture, cmd, cmd_args, exists, is_root, run, which};
use crate::web;

/// A tool could not be installed: maps to exit code 4.
#[derive(Debug)]
pub struct ToolError(pub String);

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tool installation failed: {}", self.0)
    }
}

impl std::error::Error for ToolError {}

/// Wrap any error from tool ensuring so `main` reports exit code 4.
pub fn install_failed(e: anyhow::Error) -> anyhow::Error {
    ToolError(format!("{e:#}")).into()
}

/// What the tools are needed for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Purpose {
    /// `start`: what building the PWA and the server needs.
    Start,
    /// `test` and `setup`: everything, browser and e2e tools included.
    Test,
}

/// What `ensure` found, for steps with a fallback.
pub struct Tools {
    pub nextest: bool,
}

/// Prefixed to PATH of every child: where `cargo install` and our npm installs put binaries.
pub fn cargo_bin() -> PathBuf {
    match std::env::var_os("CARGO_HOME") {
        Some(home) if !home.is_empty() => PathBuf::from(home).join("bin"),
        _ => home_dir().join(".cargo").join("bin"),
    }
}

fn home_dir() -> PathBuf {
    std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/root"))
}

/// `<repo>/.tools`: tools installed for this checkout only.
pub fn tools_dir() -> PathBuf {
    util::root().join(".tools")
}

/// `<repo>/.tools/venv`: the Python virtual environment for schemathesis and moto (PyPI).
pub fn venv_dir() -> PathBuf {
    tools_dir().join("venv")
}

/// Create `.tools/venv` when it has no pip yet (installing Debian's python3-venv if
/// `python3 -m venv` fails); returns its path.
pub fn ensure_venv() -> Result<PathBuf> {
    let venv = venv_dir();
    if !venv.join("bin/pip").is_file() {
        let mut c = cmd_args("python3", ["-m", "venv"]);
        c.arg(&venv);
        if run(c).is_err() {
            apt_install(&["python3-venv"])?;
            let mut c = cmd_args("python3", ["-m", "venv"]);
            c.arg(&venv);
            run(c)?;
        }
    }
    Ok(venv)
}

/// `<repo>/.tools/node`: npm prefix for wasm-opt (binaryen), terser and playwright-core.
pub fn node_prefix() -> PathBuf {
    tools_dir().join("node")
}

/// Environment for every child process: PATH with `~/.cargo/bin` and
/// `.tools/node/node_modules/.bin` in front, the chromedriver location and the
/// wasm test runner. Values already set by the user win for the last two.
pub fn tool_env() -> Vec<(String, String)> {
    let mut dirs = vec![cargo_bin(), node_prefix().join("node_modules").join(".bin")];
    if let Some(path) = std::env::var_os("PATH") {
        let front = dirs.clone();
        dirs.extend(std::env::split_paths(&path).filter(|d| !front.contains(d)));
    }
    let path = std::env::join_paths(dirs)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| std::env::var("PATH").unwrap_or_default());
    let keep = |key: &str, default: &str| {
        let value = std::env::var(key).unwrap_or_else(|_| default.to_string());
        (key.to_string(), value)
    };
    vec![
        ("PATH".to_string(), path),
        keep("CHROMEDRIVER", "/usr/bin/chromedriver"),
        keep("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner"),
    ]
}

/// Make sure everything `purpose` needs is installed.
pub fn ensure(purpose: Purpose) -> Result<Tools> {
    util::header("ensure tools");
    ensure_wasm_target()?;
    let mut tools = Tools { nextest: false };
    if purpose == Purpose::Test {
        ensure_rustfmt()?;
        tools.nextest = ensure_nextest();
        ensure_print()?;
        if exists("sync-server") {
            crate::s3::ensure_moto()?;
        } else {
            skip("moto[server]", "sync-server/ does not exist");
        }
    }
    if exists("frontend") {
        web::ensure_wasm_bindgen()?;
        web::ensure_trunk()?;
        web::ensure_wasm_opt()?;
        web::ensure_terser()?;
        if purpose == Purpose::Test {
            web::ensure_chromium()?;
            if exists("tests/e2e") {
                web::ensure_playwright()?;
                web::ensure_schemathesis()?;
            } else {
                skip("playwright-core, schemathesis", "tests/e2e/ does not exist");
            }
        }
    } else {
        skip("wasm-bindgen-cli, trunk, wasm-opt, chromium, playwright-core", "frontend/ does not exist");
    }
    Ok(tools)
}

/// Print that a check passed and nothing is installed.
pub fn ok(tool: &str, detail: &str) {
    println!("  [ok]      {tool}: {detail}");
}

/// Print that a tool is not needed now.
pub fn skip(tool: &str, why: &str) {
    println!("  [skip]    {tool}: {why}");
}

/// Print that a tool is about to be installed.
pub fn installing(tool: &str, why: &str) {
    println!("  [install] {tool}: {why}");
}

pub fn ensure_wasm_target() -> Result<()> {
    const T: &str = "wasm32-unknown-unknown";
    let out = cmd_args("rustup", ["target", "list", "--installed"]).stdin(std::process::Stdio::null()).output();
    let list = match out {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        Ok(out) => bail!(
            "`rustup target list --installed` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => bail!("rustup is needed to add the {T} target: {e}"),
    };
    if list.lines().any(|l| l.trim() == T) {
        ok("rust target", &format!("{T} installed"));
        return Ok(());
    }
    installing("rust target", &format!("{T} missing"));
    run(cmd_args("rustup", ["target", "add", T]))
}

pub fn ensure_rustfmt() -> Result<()> {
    if let Some(v) = capture(cmd_args("cargo", ["fmt", "--version"])) {
        ok("rustfmt", &v);
        return Ok(());
    }
    installing("rustfmt", "`cargo fmt --version` failed");
    run(cmd_args("rustup", ["component", "add", "rustfmt"]))
}

/// Returns false (with a warning) when cargo-nextest is missing and cannot be
/// installed: `test` then falls back to `cargo test`.
pub fn ensure_nextest() -> bool {
    if let Some(v) = nextest_version() {
        ok("cargo-nextest", &v);
        return true;
    }
    installing("cargo-nextest", "`cargo nextest --version` failed");
    match run(cmd_args("cargo", ["install", "--locked", "cargo-nextest"])) {
        Ok(()) if nextest_version().is_some() => true,
        Ok(()) => {
            eprintln!("  [warn]    cargo-nextest installed but not runnable; falling back to `cargo test`");
            false
        }
        Err(e) => {
            eprintln!("  [warn]    {e:#}; falling back to `cargo test`");
            false
        }
    }
}

fn nextest_version() -> Option<String> {
    let out = capture(cmd_args("cargo", ["nextest", "--version"]))?;
    out.lines().next().map(str::to_string)
}

/// What the annual report's print test (`sync-server/tests/api/reports/print.rs`) needs:
/// LibreOffice to turn the workbook into a PDF, poppler-utils to read and render it, and the
/// fonts that print it as Excel would (Liberation Serif for its Times New Roman, Carlito for
/// Calibri, whose digit sets the column widths). One `apt-get install` of what is missing.
pub fn ensure_print() -> Result<()> {
    let wanted: [(&str, &str, bool); 4] = [
        ("libreoffice-calc-nogui", "soffice", which("soffice").is_some()),
        (
            "poppler-utils",
            "pdfinfo, pdftotext, pdftoppm",
            ["pdfinfo", "pdftotext", "pdftoppm"].iter().all(|t| which(t).is_some()),
        ),
        ("fonts-liberation2", "Liberation Serif", std::path::Path::new(LIBERATION_SERIF).is_file()),
        ("fonts-crosextra-carlito", "Carlito", std::path::Path::new(CARLITO).is_file()),
    ];
    let missing: Vec<&str> = wanted.iter().filter(|(_, _, have)| !have).map(|(package, _, _)| *package).collect();
    if missing.is_empty() {
        let what: Vec<&str> = wanted.iter().map(|(_, tool, _)| *tool).collect();
        ok("print test", &what.join(", "));
        return Ok(());
    }
    installing(&missing.join(", "), "needed by the annual report's print test");
    apt_install(&missing)
}

const LIBERATION_SERIF: &str = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf";
const CARLITO: &str = "/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf";

static APT_UPDATED: AtomicBool = AtomicBool::new(false);

/// `apt-get install -y <packages>` (after one `apt-get update` per run), as
/// root directly or through sudo.
pub fn apt_install(packages: &[&str]) -> Result<()> {
    let apt = |args: &[&str]| {
        let mut c = if is_root() {
            cmd("apt-get")
        } else if which("sudo").is_some() {
            let mut c = cmd("sudo");
            c.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            c
        } else {
            bail!("installing {packages:?} needs root or sudo; neither is available");
        };
        c.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        Ok(c)
    };
    if !APT_UPDATED.swap(true, Ordering::SeqCst) {
        run(apt(&["update"])?)?;
    }
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend_from_slice(packages);
    run(apt(&args)?)
}

/// With `CI=true`: one line per tool version, so CI logs say what ran.
pub fn print_versions() {
    util::header("tool versions (CI=true)");
    let wasm_opt = node_prefix().join("node_modules/.bin/wasm-opt");
    let probes: Vec<(&str, Vec<&str>)> = vec![
        ("rustc", vec!["--version"]),
        ("cargo", vec!["--version"]),
        ("cargo", vec!["nextest", "--version"]),
        ("cargo", vec!["fmt", "--version"]),
        ("rustup", vec!["--version"]),
        ("node", vec!["--version"]),
        ("npm", vec!["--version"]),
        ("trunk", vec!["--version"]),
        ("wasm-bindgen", vec!["--version"]),
        (wasm_opt.to_str().unwrap_or("wasm-opt"), vec!["--version"]),
        ("chromium", vec!["--version"]),
        ("chromedriver", vec!["--version"]),
        ("pg_ctl", vec!["--version"]),
        ("soffice", vec!["--version"]),
    ];
    for (program, args) in probes {
        let name = format!("{} {}", program.rsplit('/').next().unwrap_or(program), args.join(" "));
        let v = capture(cmd_args(program, &args))
            .and_then(|o| o.lines().find(|l| !l.trim().is_empty()).map(str::to_string))
            .unwrap_or_else(|| "not found".to_string());
        println!("  {name:<28} {v}");
    }
}
