//! `start` (build the PWA and the sync server, then run the server) and `bench`.

use std::path::PathBuf;

use anyhow::Result;

use crate::tools::{self, Purpose};
use crate::util::{self, cmd, cmd_args, root, run, target_dir};
use crate::{EXIT_OK, EXIT_STEP_FAILED};

pub const SERVER_PACKAGE: &str = "sotay-sync-server";
pub const LISTEN: &str = "127.0.0.1:8080";

/// `frontend/dist`, where [`build_pwa`] puts the PWA.
pub fn pwa_dir() -> PathBuf {
    root().join("frontend").join("dist")
}

/// `target/release/sotay-sync-server`.
pub fn server_bin() -> PathBuf {
    target_dir().join("release").join(format!("{SERVER_PACKAGE}{}", std::env::consts::EXE_SUFFIX))
}

/// `frontend/dist/console`, where [`build_pwa`] puts the province console (served at
/// `/console/` from the PWA's folder).
pub fn console_dir() -> PathBuf {
    pwa_dir().join("console")
}

/// `trunk build --release` in `frontend/` into `frontend/dist`, then the console in
/// `frontend/console/` into `frontend/dist/console` (after the PWA: trunk empties its own
/// dist, so the PWA's build would remove a console built first). Runs `cargo fetch` first:
/// a Trunk.toml with `offline = true` builds with `cargo build --offline`. The brotli and
/// gzip copies are written beside the files of both.
pub fn build_pwa() -> Result<()> {
    util::header("build the PWA (trunk)");
    run(cmd_args("cargo", ["fetch"]))?;
    let mut trunk = cmd_args("trunk", ["build", "--release", "--dist"]);
    trunk.arg(pwa_dir()).current_dir(root().join("frontend"));
    run(trunk)?;
    util::header("build the province console (trunk)");
    let mut trunk = cmd_args("trunk", ["build", "--release", "--dist"]);
    trunk.arg(console_dir()).current_dir(root().join("frontend").join("console"));
    run(trunk)?;
    crate::precompress::precompress(&pwa_dir())
}

/// `cargo build --release -p sotay-sync-server` (incremental on a second run).
pub fn build_server() -> Result<()> {
    util::header("build the sync server");
    run(cmd_args("cargo", ["build", "--release", "-p", SERVER_PACKAGE]))
}

pub fn start() -> Result<u8> {
    tools::ensure(Purpose::Start).map_err(tools::install_failed)?;
    if let Err(e) = build_pwa() {
        eprintln!("error: {e:#}");
        return Ok(EXIT_STEP_FAILED);
    }
    if let Err(e) = build_server() {
        eprintln!("error: {e:#}");
        return Ok(EXIT_STEP_FAILED);
    }
    let mut server = cmd(server_bin());
    server.args(["serve", "--listen", LISTEN, "--data-dir", "./data"]);
    if pwa_dir().is_dir() {
        server.arg("--pwa-dir").arg("frontend/dist");
    }
    util::header(&format!("start the sync server on http://{LISTEN}"));
    println!("$ {}", util::show(&server));
    exec(server)
}

/// Replace this process with the server on Unix (signals such as Ctrl-C go
/// straight to it and its exit code is ours); spawn and forward elsewhere.
#[cfg(unix)]
fn exec(mut c: std::process::Command) -> Result<u8> {
    use std::os::unix::process::CommandExt;
    let err = c.exec();
    Err(anyhow::anyhow!("could not start {}: {err}", server_bin().display()))
}

#[cfg(not(unix))]
fn exec(mut c: std::process::Command) -> Result<u8> {
    let status = c.status()?;
    Ok(status.code().map_or(EXIT_STEP_FAILED, |c| c.clamp(0, 255) as u8))
}

/// Every benchmark, each printing its figures and its ratio to a baseline measured in the
/// same run. The ingest and reports benchmarks also measure PostgreSQL on the throwaway test
/// server.
pub fn bench() -> Result<u8> {
    let mut failed = false;
    util::header("benchmark: sotay-forms validation");
    if let Err(e) = run(cmd_args("cargo", ["bench", "-p", "sotay-forms", "--bench", "validation"])) {
        eprintln!("error: {e:#}");
        failed = true;
    }
    util::header("benchmark: sync-server ingest (SQLite and PostgreSQL)");
    // Without PostgreSQL the server benchmarks still run on SQLite (and the run fails).
    let pg = crate::postgres::ensure_postgres().unwrap_or_else(|e| {
        eprintln!("error: {e:#}\nPostgreSQL is unavailable: the server benchmarks run on SQLite only");
        failed = true;
        None
    });
    let server_bench = |name: &str| {
        let mut c = cmd_args("cargo", ["bench", "-p", SERVER_PACKAGE, "--bench", name]);
        if let Some(pg) = &pg {
            for (_, url) in pg.env() {
                c.env("SOTAY_BENCH_DATABASE_URL", url);
            }
        }
        c
    };
    if let Err(e) = run(server_bench("ingest")) {
        eprintln!("error: {e:#}");
        failed = true;
    }
    util::header("benchmark: push latency during a burst of sign-ins");
    if let Err(e) = run(server_bench("signin_burst")) {
        eprintln!("error: {e:#}");
        failed = true;
    }
    // SQLite only; ~15 s, most of it waiting for the catalog's polls.
    util::header("benchmark: the form catalog's download size and publish → second process");
    if let Err(e) = run(server_bench("form_catalog")) {
        eprintln!("error: {e:#}");
        failed = true;
    }
    // 1,000,000 generated records, kept under target/bench-reports (SQLite) and in the
    // database sotay_bench_reports_1000000 (PostgreSQL) for the next run.
    util::header("benchmark: sync-server reports on 1,000,000 records (SQLite and PostgreSQL)");
    if let Err(e) = run(server_bench("reports")) {
        eprintln!("error: {e:#}");
        failed = true;
    }
    util::header("benchmark: device storage in headless Chromium (IndexedDB)");
    if let Err(e) = run(device_bench_command()) {
        eprintln!("error: {e:#}");
        failed = true;
    }
    match size() {
        Ok(EXIT_OK) => {}
        Ok(_) => failed = true,
        Err(e) => {
            eprintln!("error: {e:#}");
            failed = true;
        }
    }
    Ok(if failed { EXIT_STEP_FAILED } else { EXIT_OK })
}

/// Builds the PWA and the console and prints their first-load transfers (figures, not gates).
pub fn size() -> Result<u8> {
    tools::ensure(Purpose::Start).map_err(tools::install_failed)?;
    build_pwa()?;
    util::header("benchmark: PWA and console first-load transfer");
    crate::budget::report(&pwa_dir())?;
    Ok(EXIT_OK)
}

/// `frontend/device/tests/bench.rs` in headless Chromium (runner and chromedriver from
/// `tools::tool_env`). It runs only when compiled with `SOTAY_DEVICE_BENCH`, so the normal
/// browser-test run skips it; `--nocapture` makes the runner print its table.
fn device_bench_command() -> std::process::Command {
    let mut c = cmd_args(
        "cargo",
        ["test", "-p", "sotay-device", "--target", "wasm32-unknown-unknown", "--test", "bench", "--", "--nocapture"],
    );
    // Filling 10,000 records takes a while on a busy 2-core machine.
    c.env("SOTAY_DEVICE_BENCH", "1").env("WASM_BINDGEN_TEST_TIMEOUT", "300");
    c
}
