//! Small helpers shared by every subcommand: repository paths, running child
//! processes with the tool environment, and printing headers.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::tools::tool_env;

/// The workspace root (the parent of `xtask/`). `cargo run` tells the running binary which
/// checkout it runs for; the path compiled in names the checkout that built it, another one
/// when checkouts share a target directory (`CARGO_TARGET_DIR`) and cargo finds the binary
/// fresh. Trusting that path once ran one checkout's tests on another's code.
pub fn root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let manifest_dir = manifest_dir.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir.parent().expect("xtask lives inside the workspace").to_path_buf()
}

/// Cargo's target directory (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        }
        _ => root().join("target"),
    }
}

/// `<root>/<rel>` exists (file or directory).
pub fn exists(rel: &str) -> bool {
    root().join(rel).exists()
}

/// A command for `program`, run from the workspace root with [`tool_env`].
pub fn cmd(program: impl AsRef<OsStr>) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).envs(tool_env());
    c
}

/// `cmd(program).args(args)`.
pub fn cmd_args<P, I, S>(program: P, args: I) -> Command
where
    P: AsRef<OsStr>,
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut c = cmd(program);
    c.args(args);
    c
}

/// The command line, for printing.
pub fn show(c: &Command) -> String {
    let mut parts = vec![c.get_program().to_string_lossy().into_owned()];
    parts.extend(c.get_args().map(|a| shell_quote(&a.to_string_lossy())));
    parts.join(" ")
}

/// Quote `s` for `/bin/sh` when needed.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_./=:@,+%".contains(ch));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Print the command, run it with inherited stdio, and fail on a non-zero exit.
pub fn run(mut c: Command) -> Result<()> {
    let line = show(&c);
    println!("$ {line}");
    let status = c.status().with_context(|| format!("could not start `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

/// Run quietly; `Some(stdout)` when the command started and exited 0.
pub fn capture(mut c: Command) -> Option<String> {
    let out = c.stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Run quietly; true when the command started and exited 0.
pub fn succeeds(c: Command) -> bool {
    capture(c).is_some()
}

/// Find an executable on the tool PATH (see [`tool_env`]).
pub fn which(program: &str) -> Option<PathBuf> {
    let path = tool_env().into_iter().find(|(k, _)| k == "PATH").map(|(_, v)| v).unwrap_or_default();
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file())
}

/// True when this process runs as uid 0.
pub fn is_root() -> bool {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(line) = status.lines().find(|l| l.starts_with("Uid:")) {
            return line.split_whitespace().nth(2) == Some("0");
        }
    }
    capture(cmd_args("id", ["-u"])).as_deref() == Some("0")
}

/// A section header.
pub fn header(title: &str) {
    println!("\n==> {title}");
}

/// `12.3s` or `2m05s`.
pub fn fmt_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60)
    }
}
