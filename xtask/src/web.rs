//! Tools for the Yew PWA: the versions that build together on these machines (trunk
//! 0.21.14 runs on rustc 1.95; wasm-bindgen-cli matches the crate in Cargo.lock; npm
//! `binaryen@132`, since older wasm-opt builds fail on current wasm-bindgen output).

use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::tools::{apt_install, installing, node_prefix, ok};
use crate::util::{self, capture, cmd, cmd_args, run};

/// trunk 0.22 needs rustc >= 1.96.1.
pub const TRUNK_VERSION: &str = "0.21.14";
/// Debian's binaryen and the `wasm-opt` crate fail on current wasm-bindgen output.
pub const BINARYEN_NPM: &str = "binaryen@132";
pub const BINARYEN_VERSION: &str = "132";
pub const PLAYWRIGHT_CORE_VERSION: &str = "1.64.1";
/// Generated-input runs against the API (tests/e2e/api-fuzz.test.mjs), from PyPI.
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";
/// Minifies wasm-bindgen's JS glue (trunk's own minifier fails on it).
pub const TERSER_VERSION: &str = "5.51.4";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The version of package `name` in the workspace `Cargo.lock`, if locked.
/// With several versions locked, the first one listed is returned.
pub fn lock_version(name: &str) -> Result<Option<String>> {
    let path = util::root().join("Cargo.lock");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(parse_lock_version(&text, name))
}

fn parse_lock_version(lock: &str, name: &str) -> Option<String> {
    let field = |block: &str, key: &str| {
        block.lines().find_map(|l| {
            let value = l.trim().strip_prefix(key)?.trim_start().strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_string())
        })
    };
    lock.split("[[package]]")
        .skip(1)
        .find(|block| field(block, "name").as_deref() == Some(name))
        .and_then(|block| field(block, "version"))
}

/// wasm-bindgen-cli at exactly the version of the `wasm-bindgen` crate in
/// Cargo.lock (the CLI refuses other versions' output). Installed without
/// `--locked`: its lockfile wants a crate the registry here lacks.
pub fn ensure_wasm_bindgen() -> Result<()> {
    let want = lock_version("wasm-bindgen")?
        .context("frontend/ exists but Cargo.lock has no `wasm-bindgen` package; run `cargo fetch` first")?;
    let have =
        capture(cmd_args("wasm-bindgen", ["--version"])).and_then(|v| v.split_whitespace().nth(1).map(str::to_string));
    let runner = capture(cmd_args("wasm-bindgen-test-runner", ["--version"])).is_some();
    if have.as_deref() == Some(want.as_str()) && runner {
        ok("wasm-bindgen-cli", &format!("{want} (matches Cargo.lock)"));
        return Ok(());
    }
    let why = match have {
        Some(v) => format!("have {v}, Cargo.lock wants {want}"),
        None => format!("missing, Cargo.lock wants {want}"),
    };
    installing("wasm-bindgen-cli", &why);
    run(cmd_args("cargo", ["install", "wasm-bindgen-cli", "--version", want.as_str()]))
}

pub fn ensure_trunk() -> Result<()> {
    let have = capture(cmd_args("trunk", ["--version"]));
    if let Some(v) = have.as_deref().filter(|v| version_is(v, TRUNK_VERSION)) {
        ok("trunk", v);
        return Ok(());
    }
    installing("trunk", &format!("have {}, want {TRUNK_VERSION}", have.as_deref().unwrap_or("none")));
    run(cmd_args("cargo", ["install", "--locked", "trunk", "--version", TRUNK_VERSION]))
}

/// wasm-opt from npm into `.tools/node`; its `node_modules/.bin` is on the
/// PATH of every child (see `tools::tool_env`), which is where trunk looks.
pub fn ensure_wasm_opt() -> Result<()> {
    let bin = node_prefix().join("node_modules/.bin/wasm-opt");
    let have = capture(cmd_args(&bin, ["--version"]));
    if let Some(v) = have.as_deref().filter(|v| v.contains(&format!("version {BINARYEN_VERSION}"))) {
        ok("wasm-opt", v);
        return Ok(());
    }
    installing("wasm-opt", &format!("{} is {}", bin.display(), have.as_deref().unwrap_or("missing")));
    npm_install(BINARYEN_NPM)
}

/// terser from npm into `.tools/node`; `frontend/post-build.sh` finds it on the PATH.
pub fn ensure_terser() -> Result<()> {
    let bin = node_prefix().join("node_modules/.bin/terser");
    let have = capture(cmd_args(&bin, ["--version"]));
    if let Some(v) = have.as_deref().filter(|v| version_is(v, TERSER_VERSION)) {
        ok("terser", v);
        return Ok(());
    }
    installing("terser", &format!("{} is {}", bin.display(), have.as_deref().unwrap_or("missing")));
    npm_install(&format!("terser@{TERSER_VERSION}"))
}

/// schemathesis in the Python virtual environment `.tools/venv` (PyPI only, no browser).
pub fn ensure_schemathesis() -> Result<()> {
    let st = crate::tools::venv_dir().join("bin/st");
    let have = capture(cmd_args(&st, ["--version"]));
    if let Some(v) = have.as_deref().filter(|v| v.contains(SCHEMATHESIS_VERSION)) {
        ok("schemathesis", v);
        return Ok(());
    }
    installing("schemathesis", &format!("{} is {}", st.display(), have.as_deref().unwrap_or("missing")));
    let venv = crate::tools::ensure_venv()?;
    let mut pip = cmd(venv.join("bin/pip"));
    pip.args(["install", "--quiet", &format!("schemathesis=={SCHEMATHESIS_VERSION}")]);
    run(pip)
}

/// Debian's chromium and chromium-driver (headless browser tests).
pub fn ensure_chromium() -> Result<()> {
    if Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file() {
        ok("chromium", &format!("{CHROMIUM} and {CHROMEDRIVER} present"));
        return Ok(());
    }
    installing("chromium", &format!("{CHROMIUM} or {CHROMEDRIVER} missing"));
    apt_install(&["chromium", "chromium-driver"])
}

/// playwright-core (driver only, never its browser download) into `.tools/node`.
pub fn ensure_playwright() -> Result<()> {
    let manifest = node_prefix().join("node_modules/playwright-core/package.json");
    let have = fs::read_to_string(&manifest).ok().and_then(|text| {
        let at = text.find("\"version\"")?;
        let rest = &text[at + 9..];
        let rest = &rest[rest.find('"')? + 1..];
        Some(rest[..rest.find('"')?].to_string())
    });
    if have.as_deref() == Some(PLAYWRIGHT_CORE_VERSION) {
        ok("playwright-core", PLAYWRIGHT_CORE_VERSION);
        return Ok(());
    }
    installing(
        "playwright-core",
        &format!("have {}, want {PLAYWRIGHT_CORE_VERSION}", have.as_deref().unwrap_or("none")),
    );
    npm_install(&format!("playwright-core@{PLAYWRIGHT_CORE_VERSION}"))
}

fn npm_install(spec: &str) -> Result<()> {
    let prefix = node_prefix();
    fs::create_dir_all(&prefix).with_context(|| format!("creating {}", prefix.display()))?;
    if util::which("npm").is_none() {
        bail!("npm is not installed (needed for {spec}); install Node.js 20 and npm");
    }
    let mut c = cmd("npm");
    c.args(["install", "--no-audit", "--no-fund", "--prefix"]).arg(&prefix).arg(spec);
    run(c)
}

/// `trunk 0.21.14` -> compare the second word exactly.
fn version_is(output: &str, want: &str) -> bool {
    output.split_whitespace().nth(1) == Some(want)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_locked_version() {
        let lock = "version = 4\n\n[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"9.9.9\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\nsource = \"registry\"\n";
        assert_eq!(parse_lock_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(parse_lock_version(lock, "trunk"), None);
    }

    #[test]
    fn exact_version_match() {
        assert!(version_is("trunk 0.21.14", "0.21.14"));
        assert!(!version_is("trunk 0.21.1", "0.21.14"));
    }
}
