//! The PWA's browser tests: `wasm_bindgen_test` suites of `sotay-device` and
//! `sotay-frontend` in headless Chromium, with a real sync server running for the tests
//! that sync. The server's address and a collector's credentials reach the tests at
//! compile time (`option_env!`): SOTAY_TEST_SERVER, SOTAY_TEST_USER, SOTAY_TEST_PASSWORD.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::util::{self, cmd, cmd_args, run};

pub const TEST_USER: &str = "browser.tests";
pub const TEST_PASSWORD: &str = "browser-tests-password";

/// A sync server started for the browser tests; stopped when dropped.
pub struct TestServer {
    child: Child,
    pub url: String,
    _data: PathBuf,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Builds the server (debug, shared with the test build), makes a collector and serves an
/// empty SQLite database that answers any origin (the test page comes from another port).
pub fn start_test_server() -> Result<TestServer> {
    // The whole workspace's bins, as the test step just built them: building the server
    // alone would resolve other features and rebuild half the dependency tree.
    run(cmd_args("cargo", ["build", "--workspace", "--bins"]))?;
    let bin = util::target_dir().join("debug").join("sotay-sync-server");
    let data = util::target_dir().join("browser-test-server");
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    let mut add = cmd(&bin);
    add.arg("--data-dir").arg(&data);
    add.args(["user", "add", TEST_USER, "--role", "collector", "--name", "Browser tests", "--commune", "21025"]);
    add.env("SOTAY_PASSWORD", TEST_PASSWORD);
    run(add)?;
    let port = free_port()?;
    let url = format!("http://127.0.0.1:{port}");
    let log = std::fs::File::create(data.join("server.log"))?;
    let mut serve = Command::new(&bin);
    serve.arg("--data-dir").arg(&data).args([
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--dev-allow-any-origin",
    ]);
    let child = serve.stdout(Stdio::null()).stderr(log).spawn().context("starting the test server")?;
    let server = TestServer { child, url, _data: data };
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("the test server did not start listening within 30 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(server)
}

/// The command that runs the browser suites against `server`.
pub fn browser_test_command(server: &TestServer, packages: &[&str]) -> Command {
    let mut c = cmd_args("cargo", ["test", "--target", "wasm32-unknown-unknown"]);
    for package in packages {
        c.args(["-p", package]);
    }
    c.env("SOTAY_TEST_SERVER", &server.url)
        .env("SOTAY_TEST_USER", TEST_USER)
        .env("SOTAY_TEST_PASSWORD", TEST_PASSWORD)
        // Headless Chromium as root needs no flags with chromedriver; a generous timeout
        // because a cold 2-core machine compiles and loads slowly.
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    c
}
