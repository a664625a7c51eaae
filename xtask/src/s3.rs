//! A throwaway S3-compatible server for the sync-server's photo-store tests: moto in
//! server mode (PyPI `moto[server]`, in the `.tools/venv` that also holds schemathesis)
//! on a free loopback port. The tests reach it through `SOTAY_TEST_S3_URL`, create
//! their own buckets (an unsigned PUT) and sign with the key `testing`/`testing`.
//! Everything lives in its memory: stopping it forgets every bucket.

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::tools::{ensure_venv, installing, ok, skip, venv_dir};
use crate::util::{self, capture, cmd, cmd_args, exists, run, target_dir};

pub const URL_VAR: &str = "SOTAY_TEST_S3_URL";
/// `pip install "moto[server]==…"`; 5.2.5 installs beside schemathesis 4.32.5 (`pip check` clean).
pub const MOTO_VERSION: &str = "5.2.5";
/// Python 3.11 on a cold 2-core machine imports moto and Flask in about a second.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A server this process may have started. Dropping it stops the server only if this
/// process started it; [`S3::detach`] leaves it running.
pub struct S3 {
    child: Option<Child>,
    url: String,
}

impl S3 {
    /// The variables test steps need to reach the server.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![(URL_VAR.to_string(), self.url.clone())]
    }

    /// Keep the server running after this process exits.
    pub fn detach(mut self) {
        self.child = None;
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            util::header("stop the S3 server (moto)");
            let _ = child.kill();
            let _ = child.wait();
            ok("server", &format!("{} stopped", self.url));
        }
    }
}

fn moto_server() -> PathBuf {
    venv_dir().join("bin/moto_server")
}

/// The installed moto's version, when moto and its server extras (Flask, flask-cors) are there.
fn moto_version() -> Option<String> {
    if !moto_server().is_file() {
        return None;
    }
    let probe = "import importlib.metadata as m; m.version('flask'); m.version('flask-cors'); print(m.version('moto'))";
    capture(cmd_args(venv_dir().join("bin/python"), ["-c", probe]))
}

/// `moto[server]` at [`MOTO_VERSION`] in `.tools/venv` (PyPI only).
pub fn ensure_moto() -> Result<()> {
    let have = moto_version();
    if have.as_deref() == Some(MOTO_VERSION) {
        ok("moto[server]", &format!("{MOTO_VERSION} ({})", moto_server().display()));
        return Ok(());
    }
    let why = match have {
        Some(v) => format!("have {v}, want {MOTO_VERSION}"),
        None => format!("{} missing, want {MOTO_VERSION}", moto_server().display()),
    };
    installing("moto[server]", &why);
    let venv = ensure_venv()?;
    let mut pip = cmd(venv.join("bin/pip"));
    pip.args(["install", "--quiet", &format!("moto[server]=={MOTO_VERSION}")]);
    run(pip)
}

/// Only when `sync-server/` exists: the S3 server its photo-store tests need. A
/// `SOTAY_TEST_S3_URL` already set is used as it is and nothing is started.
pub fn ensure_s3() -> Result<Option<S3>> {
    util::header("S3 server (moto)");
    if !exists("sync-server") {
        skip("moto", "sync-server/ does not exist, no test needs it");
        return Ok(None);
    }
    if let Some(url) = std::env::var(URL_VAR).ok().filter(|u| !u.is_empty()) {
        ok("server", &format!("{URL_VAR}={url} is set; starting none"));
        if port_of(&url).is_some_and(|port| !answers(port)) {
            eprintln!("  [warn]    nothing answers HTTP at {url}");
        }
        return Ok(Some(S3 { child: None, url }));
    }
    let log = state_dir()?.join("test.log");
    start(&log, false).map(Some)
}

/// `s3-up`: start a server that outlives this process (or find the one started before)
/// and print the line that points the tests at it.
pub fn up() -> Result<()> {
    util::header("S3 server (moto)");
    ensure_moto()?;
    let url = match running() {
        Some((pid, url)) => {
            ok("server", &format!("already running (pid {pid}) at {url}"));
            url
        }
        None => {
            let s3 = start(&state_dir()?.join("up.log"), true)?;
            let pid = s3.child.as_ref().map(Child::id).context("no child")?;
            let url = s3.url.clone();
            fs::write(state_file()?, format!("{pid} {url}\n")).context("writing the s3-up state")?;
            s3.detach();
            url
        }
    };
    println!("\nexport {URL_VAR}={url}");
    println!("# stop it with: cargo xtask s3-down");
    Ok(())
}

/// `s3-down`: stop the server `s3-up` started.
pub fn down() -> Result<()> {
    util::header("stop the S3 server (moto)");
    let state = state_file()?;
    let Some((pid, url)) = running() else {
        ok("server", "not running");
        let _ = fs::remove_file(&state);
        return Ok(());
    };
    run(cmd_args("kill", ["-TERM", &pid.to_string()]))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while is_moto(pid) {
        if Instant::now() > deadline {
            bail!("moto_server (pid {pid}) did not stop within 10 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = fs::remove_file(&state);
    ok("server", &format!("{url} stopped"));
    Ok(())
}

/// `target/s3`: logs and the pid and URL of the `s3-up` server.
fn state_dir() -> Result<PathBuf> {
    let dir = target_dir().join("s3");
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn state_file() -> Result<PathBuf> {
    Ok(state_dir()?.join("up.pid"))
}

/// The `s3-up` server, when its process is still moto and it answers.
fn running() -> Option<(u32, String)> {
    let text = fs::read_to_string(state_file().ok()?).ok()?;
    let (pid, url) = text.trim().split_once(' ')?;
    let pid: u32 = pid.parse().ok()?;
    (is_moto(pid) && answers(port_of(url)?)).then(|| (pid, url.to_string()))
}

/// Process `pid` exists, is not a zombie and runs moto_server.
fn is_moto(pid: u32) -> bool {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let zombie = status.lines().any(|l| l.starts_with("State:") && l.contains('Z'));
    let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    !zombie && String::from_utf8_lossy(&cmdline).contains("moto_server")
}

fn port_of(url: &str) -> Option<u16> {
    let rest = url.strip_prefix("http://")?;
    let host_port = rest.split('/').next()?;
    host_port.rsplit_once(':')?.1.parse().ok()
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// moto_server on a free loopback port, waited for until it answers HTTP. A port taken
/// between choosing and binding it is retried with another.
fn start(log_path: &Path, detached: bool) -> Result<S3> {
    let bin = moto_server();
    if !bin.is_file() {
        bail!("{} is missing; run `cargo xtask setup`", bin.display());
    }
    let mut last_error = None;
    for _ in 0..3 {
        let port = free_port()?;
        let url = format!("http://127.0.0.1:{port}");
        let log = fs::File::create(log_path).with_context(|| format!("creating {}", log_path.display()))?;
        let mut c = Command::new(&bin);
        c.args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .current_dir(util::root())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        if detached {
            // Its own process group: a Ctrl-C in the shell that ran s3-up does not reach it.
            c.process_group(0);
        }
        println!("$ {} -H 127.0.0.1 -p {port}  (log: {})", bin.display(), log_path.display());
        let child = c.spawn().with_context(|| format!("starting {}", bin.display()))?;
        let mut s3 = S3 { child: Some(child), url };
        match wait_until_answers(&mut s3, port) {
            Ok(()) => {
                ok("server", &format!("moto {MOTO_VERSION} answers at {}", s3.url));
                println!("  {URL_VAR}={}", s3.url);
                return Ok(s3);
            }
            Err(e) => {
                // Dropping `s3` stops what is left of it.
                let log = fs::read_to_string(log_path).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(5).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                last_error = Some(e.context(format!("moto log ({}):\n{}", log_path.display(), tail.join("\n"))));
            }
        }
    }
    Err(last_error.unwrap_or_else(|| anyhow::anyhow!("moto_server did not start")))
}

fn wait_until_answers(s3: &mut S3, port: u16) -> Result<()> {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if answers(port) {
            return Ok(());
        }
        if let Some(child) = &mut s3.child {
            if let Some(status) = child.try_wait()? {
                s3.child = None;
                bail!("moto_server exited ({status}) before answering on 127.0.0.1:{port}");
            }
        }
        if Instant::now() > deadline {
            bail!("moto_server did not answer on 127.0.0.1:{port} within {} s", START_TIMEOUT.as_secs());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `GET /` on 127.0.0.1:`port` gets an HTTP response.
fn answers(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET / HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 8];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_from_url() {
        assert_eq!(port_of("http://127.0.0.1:41234"), Some(41234));
        assert_eq!(port_of("http://127.0.0.1:41234/"), Some(41234));
        assert_eq!(port_of("https://s3.example"), None);
    }
}
