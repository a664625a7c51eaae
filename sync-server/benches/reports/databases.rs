//! The bench databases: where they live, made or reused, and filled with the generated
//! province once; the `main` every benchmark on them shares ([`run_on_both`]) and how they
//! measure. Shared by the reports, record search and console health benchmarks.

use super::*;

pub(crate) fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub(crate) fn thousands(n: impl Into<u64>) -> String {
    let digits = n.into().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Runs `bench(label, url, total, rounds, fill)` on SQLite, then on PostgreSQL when
/// `SOTAY_BENCH_DATABASE_URL` (or `SOTAY_TEST_DATABASE_URL`) names a server. With `--bench`
/// (as `cargo bench` runs it) on the kept databases of `SOTAY_BENCH_REPORT_RECORDS` records
/// (1,000,000), `SOTAY_BENCH_ROUNDS` rounds (`rounds`); without, one round on 20,000
/// throwaway records (`name` names the throwaway PostgreSQL database). `SOTAY_BENCH_ONLY`:
/// `sqlite` or `postgres`.
pub(crate) fn run_on_both<F, Fut>(name: &str, rounds: usize, bench: F)
where
    F: Fn(&'static str, String, usize, usize, Fill) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    tracing_subscriber::fmt().with_env_filter("error").with_writer(std::io::stderr).init();
    let quick = !std::env::args().any(|a| a == "--bench");
    let total: usize = match std::env::var("SOTAY_BENCH_REPORT_RECORDS") {
        Ok(n) => n.replace(['_', ','], "").parse().expect("SOTAY_BENCH_REPORT_RECORDS is a number"),
        Err(_) if quick => 20_000,
        Err(_) => 1_000_000,
    };
    let rounds = match std::env::var("SOTAY_BENCH_ROUNDS") {
        Ok(n) => n.parse().expect("SOTAY_BENCH_ROUNDS is a number"),
        Err(_) if quick => 1,
        Err(_) => rounds,
    };
    let only = std::env::var("SOTAY_BENCH_ONLY").unwrap_or_default();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let temp = tempfile::tempdir().unwrap();
        let dir = if quick { temp.path().to_owned() } else { bench_dir().join(format!("sqlite-{total}")) };
        if only != "postgres" {
            let url = sqlite_database(&dir, total).await;
            bench("SQLite (WAL)", url, total, rounds, Fill::Sqlite).await;
        }
        if only == "sqlite" {
            return;
        }
        match std::env::var("SOTAY_BENCH_DATABASE_URL").or_else(|_| std::env::var("SOTAY_TEST_DATABASE_URL")) {
            Ok(admin_url) => {
                let db_name = if quick {
                    format!("sotay_bench_{name}_{}", Uuid::new_v4().simple())
                } else {
                    format!("sotay_bench_reports_{total}")
                };
                let url = postgres_database(&admin_url, &db_name, total, quick).await;
                bench("PostgreSQL", url, total, rounds, Fill::Postgres).await;
                if quick {
                    drop_postgres(&admin_url, &db_name).await;
                }
            }
            Err(_) => println!("PostgreSQL: skipped (set SOTAY_BENCH_DATABASE_URL)"),
        }
    });
}

/// How the generated records are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    Sqlite,
    Postgres,
}

pub(crate) fn bench_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"), PathBuf::from);
    target.join("bench-reports")
}

/// `url` with its database name replaced by `name`.
pub(crate) fn with_database(url: &str, name: &str) -> String {
    let base = url.split('?').next().unwrap_or(url);
    format!("{}/{name}", base.rsplit_once('/').map_or(base, |(b, _)| b))
}

/// The PostgreSQL database `name`, created when missing; emptied first when `fresh`, or when
/// it holds an incomplete or other generation.
pub(crate) async fn postgres_database(admin_url: &str, name: &str, total: usize, fresh: bool) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let url = with_database(admin_url, name);
    let mut admin = sqlx::AnyConnection::connect(admin_url).await.expect("PostgreSQL reachable");
    let exists = sqlx::query("SELECT 1 AS one FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut admin)
        .await
        .unwrap()
        .is_some();
    let keep = exists && !fresh && {
        let db = Db::connect(&url).await.expect("the bench database opens");
        let ok = generated(&db, total).await;
        db.pool.close().await;
        ok
    };
    if !keep {
        if exists {
            sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).await.unwrap();
        }
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    }
    url
}

pub(crate) async fn drop_postgres(admin_url: &str, name: &str) {
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::AnyConnection::connect(admin_url).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
    }
}

/// The SQLite file for `total` records, removed first when it holds an incomplete or other
/// generation.
pub(crate) async fn sqlite_database(dir: &Path, total: usize) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let url = Db::sqlite_url(dir);
    if dir.join("sotay.db").exists() {
        let db = Db::connect(&url).await.expect("the bench database opens");
        let ok = generated(&db, total).await;
        db.pool.close().await;
        if !ok {
            for file in ["sotay.db", "sotay.db-wal", "sotay.db-shm"] {
                let _ = std::fs::remove_file(dir.join(file));
            }
        }
    }
    url
}

/// The bench database at `url`, with `total` generated records (generated now when it has
/// none), its report figures and sums as the server has them at start.
pub(crate) async fn open_generated(label: &str, url: &str, total: usize, fill: Fill, catalog: &Arc<Catalog>) -> Db {
    let connecting = Instant::now();
    // On data generated before the sums existed, this sums it (once; migration 0003).
    let mut db = Db::connect(url).await.expect("database");
    let connected = connecting.elapsed();
    if connected > Duration::from_secs(2) {
        println!("{label}: connect and migrate, summing the stored records once: {:.0} s", connected.as_secs_f64());
    }
    if generated(&db, total).await {
        println!("{label}: {} records (reused)", thousands(total as u64));
    } else {
        let count: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM records").fetch_one(&db.pool).await.unwrap().get::<i64, _>("n");
        assert_eq!(count, 0, "{label}: the bench database holds other records; remove it");
        let started = Instant::now();
        let (records, cells) = match fill {
            Fill::Sqlite => fill_sqlite(url, catalog.clone(), total).await,
            Fill::Postgres => fill_postgres(url, catalog.clone(), total).await,
        };
        // Written around the push path: summed for reports as a migration from before the
        // sums would be, from scratch.
        let summing = Instant::now();
        db.rebuild_report_totals().await.unwrap();
        println!("{label}: report sums built from the stored records in {:.0} s", summing.elapsed().as_secs_f64());
        if fill == Fill::Postgres {
            // What autovacuum does to a table after a bulk load: done now, so it does not
            // run during the measurements.
            for table in ["records", "record_cells", "report_totals", "report_agency_totals"] {
                sqlx::query(&format!("VACUUM ANALYZE {table}")).execute(&db.pool).await.unwrap();
            }
        }
        mark_generated(&db, total).await;
        println!(
            "{label}: generated {} records, {} grid cells in {:.0} s",
            thousands(records as u64),
            thousands(cells as u64),
            started.elapsed().as_secs_f64()
        );
        // The server's pool, fresh, as after a restart.
        db.pool.close().await;
        db = Db::connect(url).await.unwrap();
    }
    // As the server does at start: on a database whose figure rows were worked out with
    // other figures (a new one, or none before: an upgrade), all of them again, and the sums.
    let figuring = Instant::now();
    let refigured = db.ensure_report_figures(catalog).await.unwrap();
    if refigured > 0 {
        println!(
            "{label}: report figures of {} stored records worked out again and the sums rebuilt in {:.0} s",
            thousands(refigured),
            figuring.elapsed().as_secs_f64()
        );
        if fill == Fill::Postgres {
            // Every sum and figure row was rewritten: as after the bulk load, what autovacuum
            // would do (without it the year measured 198 ms, with it 130; BENCHMARKS.md).
            for table in ["record_cells", "report_totals", "report_agency_totals"] {
                sqlx::query(&format!("VACUUM ANALYZE {table}")).execute(&db.pool).await.unwrap();
            }
        }
    }
    db
}
