//! `sotay-sync-server`: serve the API and the PWA, and administer users and forms from the
//! terminal.
//!
//! Exit codes: 0 success; 1 the command failed (message on stderr); 2 wrong usage.

mod cli;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use cli::report::{report, ReportCommand};
use forms::{Catalog, Location};
use sync_server::catalog::{form_file, Catalogs, FormFile};
use sync_server::db::Backend;
use sync_server::photos::PhotoStore;
use sync_server::store::users::{NewUser, Role};
use sync_server::{app, AppState, Db, Settings};

#[derive(Parser)]
#[command(name = "sotay-sync-server", version, about = "The sotay sync server: records from the field, exactly once.")]
struct Cli {
    /// Folder for the embedded SQLite database (and backups by default).
    #[arg(long, env = "SOTAY_DATA_DIR", default_value = "./data", global = true)]
    data_dir: PathBuf,
    /// Use this database instead of the embedded SQLite one (postgres://user@host/db).
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// The address devices use to reach the server (https://… in production), for links.
    #[arg(long, env = "SOTAY_PUBLIC_URL", global = true)]
    public_url: Option<String>,
    /// Where evidence photos are kept: a folder (default: <data-dir>/photos) or an
    /// S3-compatible bucket, s3://bucket[/prefix], with the AWS_* variables (README).
    #[arg(long, env = "SOTAY_PHOTO_STORE", global = true)]
    photo_store: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the PWA.
    Serve {
        #[arg(long, env = "SOTAY_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// The built PWA (frontend/dist).
        #[arg(long, env = "SOTAY_PWA_DIR")]
        pwa_dir: Option<PathBuf>,
        /// Trust X-Forwarded-For (only behind your own reverse proxy).
        #[arg(long, env = "SOTAY_TRUST_PROXY")]
        trust_proxy: bool,
        /// Answer cross-origin requests from any origin. For the PWA's browser tests, whose
        /// test page is served from another port; never in production.
        #[arg(long, hide = true)]
        dev_allow_any_origin: bool,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Print a single-use link and QR code that signs a device in for a user.
    Enroll {
        username: String,
        /// How long the link stays valid.
        #[arg(long, default_value_t = 7 * 24 * 60)]
        ttl_minutes: i64,
    },
    /// Write every record as one JSON object per line.
    Export {
        /// File to write (default: standard output).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Reports of the whole province (or one commune): annual report, summary, raw export.
    #[command(subcommand)]
    Report(ReportCommand),
    /// The published form versions: list them, write one as an XLSForm workbook or TOML.
    #[command(subcommand)]
    Forms(FormsCommand),
    /// Copy the SQLite database to a consistent backup file (PostgreSQL: use pg_dump).
    Backup {
        /// Backup file (default: <data-dir>/backup-<date>.db).
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum FormsCommand {
    /// Every published version: form, version, in_use or withdrawn, questions, title.
    List,
    /// Write a published version as the console downloads it, to edit and publish as the
    /// next version.
    Export {
        form_id: String,
        version: u32,
        #[arg(long, value_enum)]
        format: FormFile,
        /// File to write (default: standard output; a workbook needs --out on a terminal).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password is read from SOTAY_PASSWORD; without it, sign the user's
    /// device in with `enroll`.
    Add {
        username: String,
        #[arg(long, value_enum)]
        role: Role,
        /// Name shown in the app.
        #[arg(long)]
        name: String,
        /// Commune code (repeat for several), from the unit list given by --unit-list.
        #[arg(long = "commune")]
        communes: Vec<String>,
        #[arg(long, default_value = "units_2025")]
        unit_list: String,
        /// Supervisors: the whole province rather than a list of communes.
        #[arg(long)]
        whole_province: bool,
        /// Supervisors: the code (agencies list) of the agency they are the officer in
        /// charge of, whose activities they sign off.
        #[arg(long)]
        agency: Option<String>,
        #[arg(long, env = "SOTAY_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List users, their roles and communes.
    List,
    /// Disable a user and sign all their devices out.
    Disable { username: String },
    /// Enable a disabled user.
    Enable { username: String },
    /// Set a new password (from SOTAY_PASSWORD, or a generated one that is printed).
    ResetPassword {
        username: String,
        #[arg(long, env = "SOTAY_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    private_files();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(cli).await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// The database, its WAL, backups, exports and reports hold password hashes and people's
/// answers: whatever this process creates is for its own user only (0700 folders, 0600
/// files), whatever the umask of the shell or service manager that started it.
fn private_files() {
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Data folders and databases made by an earlier release, readable by every local user, are
/// closed up at start.
fn make_private(data_dir: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o700))?;
        for entry in std::fs::read_dir(data_dir)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    Ok(())
}

async fn run(cli: Cli) -> Result<()> {
    let shipped = Catalog::bundled().context("loading the form definitions")?;
    let url = match &cli.database_url {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(&cli.data_dir)
                .with_context(|| format!("creating the data folder {}", cli.data_dir.display()))?;
            make_private(&cli.data_dir).with_context(|| format!("protecting {}", cli.data_dir.display()))?;
            Db::sqlite_url(&cli.data_dir)
        }
    };
    let db = Db::connect(&url).await.context("opening the database")?;
    // The catalog as stored: the shipped files seed what the database lacks.
    let catalogs = Catalogs::load(&db, &shipped).await.context("loading the published forms")?;
    let catalog = catalogs.current();
    db.ensure_report_figures(&catalog).await.context("working out the report figures of stored records")?;
    match cli.command {
        Command::Serve { listen, pwa_dir, trust_proxy, dev_allow_any_origin } => {
            let public_url = cli.public_url.unwrap_or_else(|| format!("http://{listen}"));
            let settings = Settings { public_url, trust_proxy, pwa_dir, allow_any_origin: dev_allow_any_origin };
            let photos = PhotoStore::from_setting(cli.photo_store.as_deref(), &cli.data_dir)
                .context("opening the photo store")?;
            serve(db, catalogs, listen, settings, photos).await
        }
        Command::User(command) => user(&db, &catalog, command).await,
        Command::Enroll { username, ttl_minutes } => {
            let code = db.create_enrollment(&username, ttl_minutes).await?;
            let base = cli.public_url.unwrap_or_else(|| "http://127.0.0.1:8080".into());
            let link = sync_server::http::enrollment_link(&base, &code);
            let qr = qrcode::QrCode::new(link.as_bytes())?;
            println!("{}", qr.render::<qrcode::render::unicode::Dense1x2>().quiet_zone(true).build());
            println!("Liên kết kích hoạt / enrolment link for {username} (single use, {ttl_minutes} minutes):\n{link}");
            Ok(())
        }
        Command::Export { output } => export(&db, output).await,
        Command::Report(command) => report(&db, &catalog, cli.public_url.as_deref(), command).await,
        Command::Forms(command) => forms(&db, &catalogs, command).await,
        Command::Backup { output } => {
            if db.backend != Backend::Sqlite {
                bail!("backup copies the embedded SQLite database; for PostgreSQL use pg_dump");
            }
            let name = format!("backup-{}.db", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
            let output = output.unwrap_or_else(|| cli.data_dir.join(name));
            db.backup_sqlite(&output).await?;
            println!("{}", output.display());
            // The photos the database names, beside it: `<backup>.photos/`.
            let photos = PhotoStore::from_setting(cli.photo_store.as_deref(), &cli.data_dir)
                .context("opening the photo store")?;
            let mut folder = output.clone().into_os_string();
            folder.push(".photos");
            let folder = PathBuf::from(folder);
            let hashes = db.stored_photos().await?;
            photos.copy_to(&hashes, &folder).await.context("copying the photos")?;
            println!("{} ({} photos)", folder.display(), hashes.len());
            Ok(())
        }
    }
}

async fn serve(db: Db, catalogs: Catalogs, listen: SocketAddr, settings: Settings, photos: PhotoStore) -> Result<()> {
    if db.count_all_admins().await? == 0 {
        let password = sync_server::store::auth::new_secret()[..16].to_owned();
        let new = NewUser {
            username: "admin",
            display_name: "Quản trị viên",
            role: Role::Admin,
            password: Some(&password),
            whole_province: true,
            communes: &[],
        };
        db.create_user(&new, catalogs.current().reference()).await?;
        println!("Lần chạy đầu tiên / first start: administrator 'admin' created.");
        println!("  Password (shown once): {password}");
        println!("  Change it: sotay-sync-server user reset-password admin");
    } else if db.count_admins().await? == 0 {
        // Collectors keep syncing; only user management waits for an admin.
        let admins: Vec<String> =
            db.list_users().await?.into_iter().filter(|u| u.role == Role::Admin).map(|u| u.username).collect();
        eprintln!("Cảnh báo / warning: no administrator is active (disabled: {}).", admins.join(", "));
        eprintln!("  Enable one:        sotay-sync-server user enable <username>");
        eprintln!("  New password too:  sotay-sync-server user reset-password <username>");
    }
    let public_url = settings.public_url.clone();
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    println!("sotay đang chạy / running at {public_url} (listening on {listen})");
    // What another replica publishes is served here within a poll.
    let _watch = catalogs.watch(db.clone());
    let state = AppState::new(db, catalogs, settings, photos);
    // Photos of records deleted just before a crash, before their sweep ran.
    match sync_server::http::photos::sweep_orphans(&state, None).await {
        Ok(0) => {}
        Ok(n) => println!("{n} photos of deleted records removed"),
        Err(e) => eprintln!("Cảnh báo / warning: photos of deleted records not swept: {e}"),
    }
    axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

async fn user(db: &Db, catalog: &Catalog, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add { username, role, name, communes, unit_list, whole_province, agency, password } => {
            let communes: Vec<Location> =
                communes.into_iter().map(|unit_code| Location { unit_list: unit_list.clone(), unit_code }).collect();
            if role == Role::Collector && communes.is_empty() {
                bail!("a collector needs at least one --commune");
            }
            let new = NewUser {
                username: &username,
                display_name: &name,
                role,
                password: password.as_deref(),
                whole_province,
                communes: &communes,
            };
            let by = sync_server::store::audit::Actor::command_line();
            let user = db.create_user_by(&new, agency.as_deref(), catalog.reference(), &by).await?;
            println!("added {} ({})", user.username, user.role.as_str());
        }
        UserCommand::List => {
            for u in db.list_users().await? {
                let scope = if u.whole_province || u.role == Role::Admin {
                    "whole province".to_owned()
                } else {
                    u.communes.iter().map(|c| c.unit_code.as_str()).collect::<Vec<_>>().join(",")
                };
                let state = if u.disabled { "disabled" } else { "active" };
                println!("{}\t{}\t{}\t{}\t{}", u.username, u.role.as_str(), state, scope, u.display_name);
            }
        }
        UserCommand::Disable { username } => {
            db.set_disabled(&username, true).await?;
            println!("disabled {username}; its devices are signed out");
        }
        UserCommand::Enable { username } => {
            db.set_disabled(&username, false).await?;
            println!("enabled {username}");
        }
        UserCommand::ResetPassword { username, password } => {
            let generated = password.is_none();
            let password = password.unwrap_or_else(|| sync_server::store::auth::new_secret()[..16].to_owned());
            db.reset_password(&username, &password).await?;
            if generated {
                println!("new password for {username}: {password}");
            } else {
                println!("password of {username} changed; its devices are signed out");
            }
        }
    }
    Ok(())
}

async fn export(db: &Db, output: Option<PathBuf>) -> Result<()> {
    use std::io::Write;
    use sync_server::store::users::Scope;
    let mut out: Box<dyn Write> = match output {
        Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(&path)?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let reference = Catalog::bundled()?.reference().clone();
    let scope = Scope::whole_province();
    let mut since = 0;
    loop {
        // Page by cursor so memory stays bounded whatever the number of records.
        let (rows, more) = db.pull(&scope, "", &reference, since, 1000).await?;
        for (seq, record) in &rows {
            serde_json::to_writer(&mut out, record)?;
            writeln!(out)?;
            since = *seq;
        }
        if !more {
            break;
        }
    }
    out.flush()?;
    Ok(())
}

async fn forms(db: &Db, catalogs: &Catalogs, command: FormsCommand) -> Result<()> {
    use std::io::{IsTerminal, Write};
    match command {
        FormsCommand::List => {
            for form in catalogs.current().forms() {
                let def = &form.definition;
                let state = if def.withdrawn { "withdrawn" } else { "in_use" };
                let questions: usize = def.sections.iter().map(|s| s.fields.len()).sum();
                println!("{}\t{}\t{state}\t{questions}\t{}", def.id, def.version, def.title.vi);
            }
        }
        FormsCommand::Export { form_id, version, format, out } => {
            let stored = db.stored_catalog().await?;
            let Some(bytes) = form_file(&stored, catalogs.current().reference(), &form_id, version, format) else {
                let known: Vec<String> =
                    stored.definitions.iter().filter(|d| d.id == form_id).map(|d| d.version.to_string()).collect();
                if known.is_empty() {
                    bail!("no form '{form_id}' is published (see `forms list`)");
                }
                bail!("form '{form_id}' has no version {version}; its versions: {}", known.join(", "));
            };
            let bytes = bytes.with_context(|| format!("writing {form_id} v{version}"))?;
            match out {
                Some(path) => {
                    std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
                    println!("{}", path.display());
                }
                None if format == FormFile::Xlsform && std::io::stdout().is_terminal() => {
                    bail!(
                        "a workbook is not for the terminal: write it with --out {}",
                        format.file_name(&form_id, version)
                    )
                }
                None => {
                    let mut stdout = std::io::stdout().lock();
                    stdout.write_all(&bytes)?;
                    stdout.flush()?;
                }
            }
        }
    }
    Ok(())
}
