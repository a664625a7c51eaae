//! The raw export, in a process of its own so that its peak memory is the export's.

use super::*;

/// Runs each raw export in a fresh process of this benchmark, so that its peak resident
/// memory (VmHWM) is the export's and not the generator's.
pub(crate) async fn raw_exports(url: &str, token: &str, db: &Db) {
    let records: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM records r WHERE r.deleted = 0 AND r.status = 'final' AND r.form_id = $1",
    )
    .bind(RAW_FORM)
    .fetch_one(&db.pool)
    .await
    .unwrap()
    .get("n");
    println!("  raw export (CSV) of every final {RAW_FORM} record: {}", thousands(records as u64));
    let mut figures = HashMap::new();
    for mode in ["baseline", "http"] {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([CHILD_FLAG, mode, url, token])
            .stderr(std::process::Stdio::inherit())
            .output()
            .expect("the export process runs");
        assert!(output.status.success(), "raw export ({mode}) failed");
        let line = output.stdout.lines().map_while(Result::ok).find_map(|l| l.strip_prefix("RAW ").map(str::to_owned));
        let f: Value = serde_json::from_str(&line.expect("the export process reports")).unwrap();
        if mode == "http" {
            // One line per record after the header (no generated value holds a line break).
            assert_eq!(f["lines"].as_i64().unwrap(), records + 1, "every record exported once");
        }
        figures.insert(mode, f);
    }
    let base_ms = figures["baseline"]["ms"].as_f64().unwrap();
    for (mode, what) in [
        ("baseline", "baseline: stream the stored answers (one SELECT)"),
        ("http", "GET /api/v1/reports/raw?form&format=csv (router)"),
    ] {
        let f = &figures[mode];
        let kb = |k: &str| f[k].as_f64().unwrap() / 1024.0;
        println!(
            "    {what:<52} {:>8.1} s   {:>5.2}×   {:>6.0} MB written   peak RSS {:>5.1} MB (process before: {:.1} MB)",
            f["ms"].as_f64().unwrap() / 1000.0,
            f["ms"].as_f64().unwrap() / base_ms,
            f["bytes"].as_f64().unwrap() / 1_048_576.0,
            kb("hwm_kb"),
            kb("rss_before_kb"),
        );
    }
    let peak = figures["http"]["hwm_kb"].as_f64().unwrap() / 1024.0;
    println!(
        "  target: peak memory of the export under 100 MB: {} ({peak:.1} MB)",
        if peak < 100.0 { "met" } else { "NOT met" }
    );
}

/// `VmHWM` (peak resident) or `VmRSS` of this process, in KB.
fn status_kb(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.trim_start_matches(':').trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or(0)
}

pub(crate) fn raw_export_child(mode: &str, url: &str, token: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let catalog = Arc::new(Catalog::bundled().unwrap());
        let db = Db::connect(url).await.expect("database");
        let router = app(state(&db, &catalog));
        let rss_before = status_kb("VmRSS");
        let started = Instant::now();
        let (mut bytes, mut lines) = (0u64, 0u64);
        let mut count = |chunk: &[u8]| {
            bytes += chunk.len() as u64;
            lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        };
        match mode {
            "http" => {
                let request = Request::get(format!("/api/v1/reports/raw?form={RAW_FORM}&format=csv"))
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap();
                let response = router.oneshot(request).await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                let mut body = response.into_body();
                // Read as a client would, a frame at a time, keeping nothing.
                while let Some(frame) = body.frame().await {
                    if let Ok(data) = frame.expect("the export streams").into_data() {
                        count(&data);
                    }
                }
            }
            _ => {
                use futures_util::StreamExt;
                let sql = "SELECT r.answers FROM records r WHERE r.deleted = 0 AND r.status = 'final' \
                           AND r.form_id = $1 ORDER BY r.seq";
                let mut rows = sqlx::query(sql).bind(RAW_FORM).fetch(&db.pool);
                let mut out = Vec::with_capacity(1 << 16);
                while let Some(row) = rows.next().await {
                    let answers: String = row.unwrap().get("answers");
                    out.extend_from_slice(answers.as_bytes());
                    out.push(b'\n');
                    if out.len() >= 1 << 16 {
                        count(&out);
                        out.clear();
                    }
                }
                count(&out);
            }
        }
        let elapsed = started.elapsed();
        let figures = json!({
            "ms": ms(elapsed), "bytes": bytes, "lines": lines,
            "hwm_kb": status_kb("VmHWM"), "rss_before_kb": rss_before,
        });
        println!("RAW {figures}");
        std::io::stdout().flush().unwrap();
    });
}
