//! `test`: the whole suite. Every step runs even when an earlier one failed;
//! the summary lists each step's outcome and duration.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::start::{build_pwa, pwa_dir};
use crate::tools::{self, node_prefix, Purpose};
use crate::util::{self, cmd_args, fmt_duration};
use crate::web::CHROMIUM;
use crate::{postgres, s3};
use crate::{EXIT_OK, EXIT_STEP_FAILED};

enum Outcome {
    Passed,
    Failed(String),
    Skipped(String),
}

struct Step {
    name: String,
    took: Duration,
    outcome: Outcome,
}

/// The steps run so far, plus environment every step's commands get.
struct Suite {
    env: Vec<(String, String)>,
    steps: Vec<Step>,
    /// The PWA step built `frontend/dist` in this run: the e2e step uses it as it is.
    pwa_built: bool,
}

impl Suite {
    /// Run `c` (with the suite environment) as step `name`.
    fn command(&mut self, name: &str, mut c: Command) -> bool {
        c.envs(self.env.iter().map(|(k, v)| (k, v)));
        self.closure(name, move || util::run(c))
    }

    /// Run `f` as step `name`; an `Err` marks the step failed.
    fn closure(&mut self, name: &str, f: impl FnOnce() -> Result<()>) -> bool {
        util::header(&format!("[step {}] {name}", self.steps.len() + 1));
        let t = Instant::now();
        let result = f();
        let took = t.elapsed();
        let passed = result.is_ok();
        let outcome = match result {
            Ok(()) => Outcome::Passed,
            Err(e) => {
                eprintln!("step failed: {e:#}");
                Outcome::Failed(format!("{e:#}"))
            }
        };
        println!("[step] {name}: {} in {}", if passed { "passed" } else { "FAILED" }, fmt_duration(took));
        self.steps.push(Step { name: name.to_string(), took, outcome });
        passed
    }

    /// Record that a step does not apply yet (shown as such in the summary).
    fn skip(&mut self, name: &str, why: &str) {
        let outcome = Outcome::Skipped(why.to_string());
        self.steps.push(Step { name: name.to_string(), took: Duration::ZERO, outcome });
    }

    /// Print the summary; true when no step failed.
    fn summary(&self, total: Duration) -> bool {
        util::header("summary");
        let width = self.steps.iter().map(|s| s.name.len()).max().unwrap_or(0);
        for s in &self.steps {
            let (mark, note) = match &s.outcome {
                Outcome::Passed => ("ok     ", String::new()),
                Outcome::Failed(e) => ("FAILED ", first_line(e)),
                Outcome::Skipped(why) => ("skipped", why.clone()),
            };
            let line = format!("  {mark}  {:<width$}  {:>7}  {note}", s.name, fmt_duration(s.took));
            println!("{}", line.trim_end());
        }
        let failed = self.steps.iter().filter(|s| matches!(s.outcome, Outcome::Failed(_))).count();
        let ran = self.steps.iter().filter(|s| !matches!(s.outcome, Outcome::Skipped(_))).count();
        if failed == 0 {
            println!("\nall {ran} steps passed in {}", fmt_duration(total));
        } else {
            println!("\n{failed} of {ran} steps FAILED (total {})", fmt_duration(total));
        }
        failed == 0
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().chars().take(100).collect()
}

pub fn test() -> Result<u8> {
    let t = Instant::now();
    let tools = tools::ensure(Purpose::Test).map_err(tools::install_failed)?;
    // Dropping `pg` at the end of this function stops the server if we started it.
    let pg = postgres::ensure_postgres().map_err(tools::install_failed)?;
    // Likewise `s3`: moto on a free port for the photo store's tests (none when
    // SOTAY_TEST_S3_URL is already set).
    let s3 = s3::ensure_s3().map_err(tools::install_failed)?;
    let mut env = pg.as_ref().map(|pg| pg.env()).unwrap_or_default();
    env.extend(s3.as_ref().map(|s3| s3.env()).unwrap_or_default());
    let mut suite = Suite { env, steps: Vec::new(), pwa_built: false };

    // `SOTAY_TEST_ONLY=browser,e2e` runs only those steps (while working on them).
    let only = std::env::var("SOTAY_TEST_ONLY").ok();
    let wanted = |key: &str| only.as_deref().is_none_or(|o| o.split(',').any(|k| k.trim() == key));
    let steps: [(&str, &dyn Fn(&mut Suite)); 7] = [
        ("fmt", &formatting),
        ("unit", &|s| unit_and_integration_tests(s, tools.nextest)),
        ("doc", &doc_tests),
        ("wasm", &forms_wasm_build),
        ("pwa", &pwa_build_and_budget),
        ("browser", &browser_tests),
        ("e2e", &e2e_tests),
    ];
    for (key, step) in steps {
        if wanted(key) {
            step(&mut suite);
        }
    }

    drop(s3);
    drop(pg);
    Ok(if suite.summary(t.elapsed()) { EXIT_OK } else { EXIT_STEP_FAILED })
}

fn formatting(s: &mut Suite) {
    s.command("cargo fmt --check", cmd_args("cargo", ["fmt", "--all", "--check"]));
}

/// Every crate's unit and integration tests (the sync-server's reach
/// PostgreSQL through `SOTAY_TEST_DATABASE_URL` and the S3 server through
/// `SOTAY_TEST_S3_URL`).
fn unit_and_integration_tests(s: &mut Suite, nextest: bool) {
    if nextest {
        let c = cmd_args("cargo", ["nextest", "run", "--workspace", "--no-fail-fast"]);
        s.command("cargo nextest run", c);
    } else {
        let c = cmd_args("cargo", ["test", "--workspace", "--no-fail-fast"]);
        s.command("cargo test (nextest unavailable)", c);
    }
}

/// nextest does not run doctests.
fn doc_tests(s: &mut Suite) {
    s.command("doctests", cmd_args("cargo", ["test", "--workspace", "--doc"]));
}

/// The shared crate must compile for the browser.
fn forms_wasm_build(s: &mut Suite) {
    let c = cmd_args(
        "cargo",
        ["build", "-p", "sotay-forms", "--target", "wasm32-unknown-unknown", "--no-default-features"],
    );
    s.command("sotay-forms builds for wasm32", c);
}

/// The PWA builds for release (trunk, wasm-opt); its first-load size is reported.
fn pwa_build_and_budget(s: &mut Suite) {
    const NAME: &str = "PWA release build (first-load size reported)";
    s.pwa_built = s.closure(NAME, || {
        build_pwa()?;
        crate::budget::report(&pwa_dir()).map(|_| ())
    });
}

/// `wasm_bindgen_test` tests of the device and frontend crates in headless Chromium
/// (runner and chromedriver come from `tools::tool_env`), with a real server for the
/// tests that sync.
fn browser_tests(s: &mut Suite) {
    const NAME: &str = "browser tests (wasm32, headless Chromium)";
    let packages = ["sotay-device", "sotay-frontend"];
    let mut server = None;
    if !s.closure("browser tests: start a sync server", || {
        server = Some(crate::browser::start_test_server()?);
        Ok(())
    }) {
        s.skip(NAME, "the test server did not start");
        return;
    }
    if let Some(server) = &server {
        s.command(NAME, crate::browser::browser_test_command(server, &packages));
    }
}

/// End-to-end tests: Node's test runner over `tests/e2e` (files named
/// `*.test.mjs`), with playwright-core resolvable through NODE_PATH. The tests
/// start servers themselves from these variables: SOTAY_SERVER_BIN (the debug
/// build the browser tests use: the same code, without a second, release build
/// of the dependency tree), SOTAY_PWA_DIR, SOTAY_CHROMIUM (and
/// SOTAY_TEST_DATABASE_URL).
fn e2e_tests(s: &mut Suite) {
    const NAME: &str = "end-to-end tests (tests/e2e)";
    let pwa_ready = s.pwa_built || s.closure("e2e: build the PWA", build_pwa);
    let server_built =
        s.closure("e2e: build the server", || util::run(cmd_args("cargo", ["build", "--workspace", "--bins"])));
    if !pwa_ready || !server_built {
        s.skip(NAME, "a build it needs failed");
        return;
    }
    let mut c = cmd_args("node", ["--test", "--test-concurrency=1", "tests/e2e/"]);
    c.env("NODE_PATH", node_prefix().join("node_modules"))
        .env("SOTAY_SERVER_BIN", util::target_dir().join("debug").join("sotay-sync-server"))
        .env("SOTAY_PWA_DIR", pwa_dir())
        .env("SOTAY_CHROMIUM", CHROMIUM)
        .env("SOTAY_SCHEMATHESIS", crate::tools::tools_dir().join("venv/bin/st"));
    s.command(NAME, c);
}
