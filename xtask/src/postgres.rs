//! A throwaway PostgreSQL server for the sync-server tests: 127.0.0.1:55432,
//! data under `target/pg`, trust auth, superuser `postgres`, database
//! `sotay_test`. Started fresh (data dir wiped) whenever it is not running.

use std::fs;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::tools::{apt_install, installing, ok, skip};
use crate::util::{self, capture, exists, is_root, run, shell_quote, succeeds, target_dir, which};

pub const PORT: u16 = 55432;
pub const DATABASE: &str = "sotay_test";
pub const URL_VAR: &str = "SOTAY_TEST_DATABASE_URL";
pub const URL: &str = "postgres://postgres@127.0.0.1:55432/sotay_test";
const OS_USER: &str = "postgres";

/// A server this process may have started. Dropping it stops the server
/// only if this process started it; [`Pg::detach`] leaves it running.
pub struct Pg {
    bin: PathBuf,
    started_here: bool,
}

impl Pg {
    /// The variables test steps need to reach the database.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![(URL_VAR.to_string(), URL.to_string())]
    }

    /// Keep the server running after this process exits.
    pub fn detach(mut self) {
        self.started_here = false;
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        if self.started_here {
            util::header("stop PostgreSQL");
            if let Err(e) = stop(&self.bin) {
                eprintln!("warning: could not stop PostgreSQL: {e:#}");
            }
        }
    }
}

/// Only when `sync-server/` exists: the database its tests need.
pub fn ensure_postgres() -> Result<Option<Pg>> {
    if !exists("sync-server") {
        util::header("PostgreSQL");
        skip("postgresql", "sync-server/ does not exist, no test needs it");
        return Ok(None);
    }
    up().map(Some)
}

fn pg_dir() -> PathBuf {
    target_dir().join("pg")
}

fn data_dir() -> PathBuf {
    pg_dir().join("data")
}

fn data() -> String {
    text(&data_dir())
}

fn text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Start the server (if not running) and create the database (if missing).
pub fn up() -> Result<Pg> {
    util::header(&format!("PostgreSQL on 127.0.0.1:{PORT}"));
    let bin = find_or_install()?;
    ok("postgresql", &format!("binaries in {}", bin.display()));
    let mut pg = Pg { bin: bin.clone(), started_here: false };
    if running(&bin) {
        ok("server", &format!("already running from {}", data_dir().display()));
    } else {
        if port_open() {
            // Another checkout's throwaway server (`cargo xtask pg-up` there): the same
            // trust settings, so use it and leave it running; anything else is an error.
            if create_database(&bin).is_ok() {
                ok("server", &format!("another checkout's test server answers on 127.0.0.1:{PORT}; using it"));
                println!("  {URL_VAR}={URL}");
                return Ok(pg);
            }
            bail!("127.0.0.1:{PORT} is in use by a process that is not our server ({})", data_dir().display());
        }
        init_fresh(&bin)?;
        let log = pg_dir().join("postgres.log");
        let args = ["-D", &data(), "-l", &text(&log), "-w", "-t", "60", "start"];
        run(as_pg(&bin.join("pg_ctl"), &args)).with_context(|| format!("see {}", log.display()))?;
        pg.started_here = true;
    }
    create_database(&bin)?;
    println!("  {URL_VAR}={URL}");
    Ok(pg)
}

/// Stop the server if it runs from our data dir.
pub fn down() -> Result<()> {
    util::header("stop PostgreSQL");
    let bin = find_bin().context("no PostgreSQL binaries found")?;
    stop(&bin)
}

fn stop(bin: &Path) -> Result<()> {
    if !running(bin) {
        ok("server", "not running");
        return Ok(());
    }
    let args = ["-D", &data(), "-m", "fast", "-w", "stop"];
    run(as_pg(&bin.join("pg_ctl"), &args))
}

fn running(bin: &Path) -> bool {
    if !data_dir().join("PG_VERSION").is_file() {
        return false;
    }
    succeeds(as_pg(&bin.join("pg_ctl"), &["-D", &data(), "status"]))
}

fn port_open() -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], PORT));
    TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

/// Wipe `target/pg`, run initdb, write our settings.
fn init_fresh(bin: &Path) -> Result<()> {
    let dir = pg_dir();
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    if is_root() {
        let mut chown = util::cmd_args("chown", ["-R", &format!("{OS_USER}:{OS_USER}")]);
        chown.arg(&dir);
        run(chown)?;
        if !succeeds(as_pg(Path::new("test"), &["-w", &text(&dir)])) {
            bail!("user `{OS_USER}` cannot write {}: a parent directory is not traversable", dir.display());
        }
    }
    let args = ["-D", &data(), "-U", "postgres", "-A", "trust", "-E", "UTF8"];
    run(as_pg(&bin.join("initdb"), &[&args[..], &["--no-locale", "--no-sync"]].concat()))?;
    let conf = data_dir().join("postgresql.conf");
    let mut text = fs::read_to_string(&conf).with_context(|| format!("reading {}", conf.display()))?;
    text.push_str(&format!(
        "\n# written by cargo xtask (throwaway test server)\n\
         listen_addresses = '127.0.0.1'\nport = {PORT}\nunix_socket_directories = ''\n\
         fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
    ));
    // Writing in place keeps the file's owner.
    fs::write(&conf, text).with_context(|| format!("writing {}", conf.display()))
}

fn create_database(bin: &Path) -> Result<()> {
    let psql = |sql: &str| {
        let mut c = util::cmd(bin.join("psql"));
        c.args(["-h", "127.0.0.1", "-p", &PORT.to_string(), "-U", "postgres", "-d", "postgres"])
            .args(["-X", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .env("PGCONNECT_TIMEOUT", "10");
        c
    };
    let probe = format!("SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'");
    match capture(psql(&probe)).as_deref() {
        Some("1") => {
            ok("database", &format!("{DATABASE} exists"));
            Ok(())
        }
        Some(_) => run(psql(&format!("CREATE DATABASE {DATABASE}"))),
        None => bail!("cannot query the server on 127.0.0.1:{PORT} with psql"),
    }
}

/// `program args` run as the `postgres` OS user when we are root (PostgreSQL
/// refuses to run as root), else as ourselves; from `/`, which that user can read.
fn as_pg(program: &Path, args: &[&str]) -> Command {
    let mut c = if !is_root() {
        util::cmd(program)
    } else if let Some(runuser) = which("runuser") {
        let mut c = util::cmd(runuser);
        c.args(["-u", OS_USER, "--"]).arg(program);
        c
    } else {
        let line: Vec<String> =
            std::iter::once(program.to_string_lossy().as_ref()).chain(args.iter().copied()).map(shell_quote).collect();
        let mut c = util::cmd("su");
        c.args([OS_USER, "-s", "/bin/sh", "-c", &line.join(" ")]);
        c.current_dir("/");
        return c;
    };
    c.args(args).current_dir("/");
    c
}

/// Binaries dir holding initdb and pg_ctl: PATH first (symlinks resolved,
/// so psql and friends are found beside them), then /usr/lib/postgresql/*/bin.
fn find_bin() -> Option<PathBuf> {
    let complete = |dir: &Path| ["initdb", "pg_ctl", "postgres", "psql"].iter().all(|b| dir.join(b).is_file());
    if let Some(pg_ctl) = which("pg_ctl") {
        if let Some(dir) = fs::canonicalize(&pg_ctl).ok().and_then(|p| p.parent().map(Path::to_path_buf)) {
            if complete(&dir) {
                return Some(dir);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| complete(bin))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn find_or_install() -> Result<PathBuf> {
    let user_ok = !is_root() || succeeds(util::cmd_args("id", [OS_USER]));
    if let (Some(bin), true) = (find_bin(), user_ok) {
        return Ok(bin);
    }
    installing("postgresql", "initdb/pg_ctl or the postgres user missing");
    apt_install(&["postgresql"])?;
    find_bin().context("PostgreSQL installed but initdb/pg_ctl not found under /usr/lib/postgresql/*/bin")
}
