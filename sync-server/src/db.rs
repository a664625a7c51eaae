//! The database: SQLite by default (a file under the data directory, WAL, fsync on commit)
//! or PostgreSQL, behind one `sqlx::AnyPool`. Queries are written once, with `$n`
//! placeholders both drivers accept; the few places the dialects differ ask [`Backend`].

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    #[default]
    Sqlite,
    Postgres,
}

impl Backend {
    /// Placeholders for `rows` tuples of `width` values: `(?, ?), (?, ?)` on SQLite, whose
    /// lookup of named (`$n`) parameters is linear per parameter, so quadratic over a large
    /// multi-row statement; `($1, $2), ($3, $4)` on PostgreSQL, which knows only those.
    pub fn tuples(self, rows: usize, width: usize) -> String {
        let mut out = String::with_capacity(rows * width * 5);
        for r in 0..rows {
            out.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..width {
                if c > 0 {
                    out.push_str(", ");
                }
                match self {
                    Backend::Sqlite => out.push('?'),
                    Backend::Postgres => {
                        out.push('$');
                        out.push_str(&(r * width + c + 1).to_string());
                    }
                }
            }
            out.push(')');
        }
        out
    }

    /// Placeholders for a list of `n` values: `?, ?, ?` or `$1, $2, $3`.
    pub fn list(self, n: usize) -> String {
        let tuple = self.tuples(1, n);
        tuple[1..tuple.len() - 1].to_owned()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL '{0}': use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("could not sum the stored records for reports: {0}")]
    Totals(#[from] crate::store::StoreError),
}

#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

impl Db {
    /// Connects and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(DbError::UnsupportedUrl(url.to_owned()));
        };
        let options = AnyConnectOptions::from_str(url)?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(4)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL lets readers run beside the writer; FULL makes a commit
                            // durable before it returns, so an acknowledgement is a promise.
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?
            }
        };
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&pool).await?;
        let db = Db { pool, backend };
        db.ensure_report_totals().await?;
        Ok(db)
    }

    /// The SQLite URL for a file under `data_dir`, created when missing.
    pub fn sqlite_url(data_dir: &std::path::Path) -> String {
        format!("sqlite://{}?mode=rwc", data_dir.join("sotay.db").display())
    }

    /// A consistent copy of the SQLite database at `path` (`VACUUM INTO`), taken while the
    /// server runs. PostgreSQL has `pg_dump` for this.
    pub async fn backup_sqlite(&self, path: &std::path::Path) -> Result<(), sqlx::Error> {
        sqlx::query("VACUUM INTO $1").bind(path.display().to_string()).execute(&self.pool).await.map(|_| ())
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }
}

/// Milliseconds since the Unix epoch: how instants are stored (portable and sortable).
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Whether an error is a unique-key violation (a concurrent insert of the same key).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.is_unique_violation() || db.code().is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
        }
        _ => false,
    }
}
