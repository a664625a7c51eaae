//! `cargo xtask`: the project's build, run and test entry point. On a fresh
//! machine `cargo xtask start` and `cargo xtask test` install what they need.

mod browser;
mod budget;
mod postgres;
mod precompress;
mod s3;
mod start;
mod test;
mod tools;
mod util;
mod web;

use std::process::ExitCode;

use anyhow::Result;

pub const EXIT_OK: u8 = 0;
pub const EXIT_STEP_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_TOOLS: u8 = 4;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  a build, test or benchmark step failed
  2  usage error
  4  tool installation failed";

const MAIN_HELP: &str = "\
cargo xtask: build, run and test sotay

Usage: cargo xtask <COMMAND> [--help]

Commands:
  start    install missing tools, build the PWA and the sync server, run the server
  test     the whole test suite (what CI runs via .ci/run)
  bench    run the benchmarks
  size     build the PWA and print its first-load transfer against the budget
  setup    only install missing tools
  pg-up    start the throwaway test PostgreSQL (127.0.0.1:55432) and leave it running
  pg-down  stop it
  s3-up    start a throwaway S3 server (moto) on a free port and leave it running
  s3-down  stop it
  help     print this help, or `help <COMMAND>` for one command

Environment:
  CI=true            print tool versions first
  SOTAY_TEST_S3_URL  `test` uses this S3 server (e.g. s3-up's) instead of starting moto";

struct Sub {
    name: &'static str,
    help: &'static str,
    run: fn() -> Result<u8>,
}

const SUBS: &[Sub] = &[
    Sub {
        name: "start",
        run: start::start,
        help: "\
cargo xtask start: install, build and start sotay on this machine

Usage: cargo xtask start

Steps:
  1. ensure tools: the wasm32-unknown-unknown target, wasm-bindgen-cli (the
     version in Cargo.lock), trunk 0.21.14 and wasm-opt (npm binaryen@132 in
     .tools/node). Present tools are not reinstalled.
  2. `trunk build --release` into frontend/dist
  3. `cargo build --release -p sotay-sync-server`, then run
     `target/release/sotay-sync-server serve --listen 127.0.0.1:8080
     --data-dir ./data --pwa-dir frontend/dist` in the foreground; its exit
     code is this command's.",
    },
    Sub {
        name: "test",
        run: test::test,
        help: "\
cargo xtask test: run the whole test suite (CI runs this through .ci/run)

Usage: cargo xtask test

Ensures the tools (as `setup`); once sync-server/ exists, starts the throwaway
PostgreSQL (SOTAY_TEST_DATABASE_URL is set for every step) and an S3 server,
moto_server from .tools/venv on a free 127.0.0.1 port (SOTAY_TEST_S3_URL=
http://127.0.0.1:<port> for every step; an S3 URL already in the environment is
used instead and nothing is started); then runs every step even after a failure
and prints a summary with durations:
  fmt      cargo fmt --all --check
  unit     cargo nextest run --workspace --no-fail-fast   (cargo test if nextest is unavailable)
  doc      cargo test --workspace --doc
  wasm     cargo build -p sotay-forms --target wasm32-unknown-unknown --no-default-features
  pwa      the PWA's release build, with its first-load transfer printed
  browser  the device and frontend wasm tests in headless Chromium, against a real server
  e2e      once tests/e2e exists: the end-to-end tests (Playwright, real Chromium)
SOTAY_TEST_ONLY=browser,e2e runs only the steps named (while working on them).
A PostgreSQL or S3 server started by this command is stopped at the end, also after
a failure.",
    },
    Sub {
        name: "bench",
        run: start::bench,
        help: "\
cargo xtask bench: run the benchmarks

Usage: cargo xtask bench

Runs every benchmark; each prints its figures and its ratio to a baseline measured in the
same run (see BENCHMARKS.md):
  1. `cargo bench -p sotay-forms --bench validation`
  2. `cargo bench -p sotay-sync-server --bench ingest` (SQLite, and PostgreSQL on the
     throwaway test server)
  3. `cargo bench -p sotay-sync-server --bench reports`: report latency and a raw export
     on 1,000,000 generated records (SQLite, and PostgreSQL on the throwaway test server).
     The first run generates them (a few minutes); later runs reuse them, from
     target/bench-reports/ and the database sotay_bench_reports_1000000
  4. the device storage benchmark in headless Chromium (10,000 records)
  5. the PWA's first-load transfer (`cargo xtask size`)
The sign-in burst (`--bench signin_burst`) and the form catalog (`--bench form_catalog`:
download size with 10 and 20 forms, publish → a second process serving it) run between
2 and 3.",
    },
    Sub {
        name: "size",
        run: start::size,
        help: "\
cargo xtask size: the PWA's first-load transfer against its 300 KB budget

Usage: cargo xtask size

Builds the PWA as `start` does (trunk, then brotli `.br` and zopfli `.gz` files) and prints,
per file, the bytes the server sends a phone on its first visit (brotli over HTTPS; gzip
beside it), and the total.",
    },
    Sub {
        name: "setup",
        run: setup,
        help: "\
cargo xtask setup: install missing tools and nothing else

Usage: cargo xtask setup

Checks, and installs when missing or at the wrong version: the
wasm32-unknown-unknown target, rustfmt, cargo-nextest, wasm-bindgen-cli, trunk,
wasm-opt, Debian chromium + chromium-driver, playwright-core and schemathesis,
for the print test LibreOffice (libreoffice-calc-nogui) and poppler-utils, and for
the photo store's tests moto[server] 5.2.5 (moto_server, an S3-compatible server).
Tools go to ~/.cargo/bin, .tools/node and the Python venv .tools/venv.",
    },
    Sub {
        name: "pg-up",
        run: pg_up,
        help: "\
cargo xtask pg-up: start the test PostgreSQL and leave it running

Usage: cargo xtask pg-up

Server on 127.0.0.1:55432, throwaway data in target/pg (wiped whenever the
server is not running), trust auth, database sotay_test:
  SOTAY_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:55432/sotay_test
Installs Debian's postgresql if no initdb/pg_ctl is found. As root the server
runs as the postgres user.",
    },
    Sub {
        name: "pg-down",
        run: pg_down,
        help: "\
cargo xtask pg-down: stop the test PostgreSQL started by pg-up

Usage: cargo xtask pg-down",
    },
    Sub {
        name: "s3-up",
        run: s3_up,
        help: "\
cargo xtask s3-up: start a throwaway S3 server and leave it running

Usage: cargo xtask s3-up

Installs moto[server] into .tools/venv when missing, starts
`moto_server -H 127.0.0.1 -p <port>` on a free port (log in target/s3/up.log) and
prints the line that points the tests at it:
  export SOTAY_TEST_S3_URL=http://127.0.0.1:<port>
Run again while it runs, it prints the same line. Buckets live in its memory only;
tests create their own (an unsigned PUT) and sign with the key testing/testing.
`cargo xtask test` uses it only when that variable is exported.",
    },
    Sub {
        name: "s3-down",
        run: s3_down,
        help: "\
cargo xtask s3-down: stop the S3 server started by s3-up

Usage: cargo xtask s3-down",
    },
];

fn setup() -> Result<u8> {
    tools::ensure(tools::Purpose::Test).map_err(tools::install_failed)?;
    println!("\ntools are ready");
    Ok(EXIT_OK)
}

fn pg_up() -> Result<u8> {
    postgres::up().map_err(tools::install_failed)?.detach();
    Ok(EXIT_OK)
}

fn pg_down() -> Result<u8> {
    postgres::down()?;
    Ok(EXIT_OK)
}

fn s3_up() -> Result<u8> {
    s3::up().map_err(tools::install_failed)?;
    Ok(EXIT_OK)
}

fn s3_down() -> Result<u8> {
    s3::down()?;
    Ok(EXIT_OK)
}

fn print_help(text: &str) -> u8 {
    println!("{text}\n\n{EXIT_CODES}");
    EXIT_OK
}

fn usage_error(msg: &str) -> u8 {
    eprintln!("error: {msg}\n\n{MAIN_HELP}\n\n{EXIT_CODES}");
    EXIT_USAGE
}

fn find(name: &str) -> Option<&'static Sub> {
    SUBS.iter().find(|s| s.name == name)
}

fn dispatch(args: &[String]) -> Result<u8> {
    let is_help = |a: &str| a == "-h" || a == "--help";
    let Some(first) = args.first().map(String::as_str) else {
        return Ok(usage_error("no command given"));
    };
    if is_help(first) || first == "help" {
        return Ok(match args.get(1) {
            None => print_help(MAIN_HELP),
            Some(name) => match find(name) {
                Some(sub) => print_help(sub.help),
                None => usage_error(&format!("unknown command `{name}`")),
            },
        });
    }
    let Some(sub) = find(first) else {
        return Ok(usage_error(&format!("unknown command `{first}`")));
    };
    let rest = &args[1..];
    if rest.iter().any(|a| is_help(a)) {
        return Ok(print_help(sub.help));
    }
    if let Some(extra) = rest.first() {
        return Ok(usage_error(&format!("`{}` takes no arguments, got `{extra}`", sub.name)));
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        tools::print_versions();
    }
    (sub.run)()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match dispatch(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("\nerror: {e:#}");
            if e.chain().any(|c| c.is::<tools::ToolError>()) {
                EXIT_TOOLS
            } else {
                EXIT_STEP_FAILED
            }
        }
    };
    ExitCode::from(code)
}
