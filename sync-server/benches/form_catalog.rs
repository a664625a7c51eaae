//! The form catalog on a running server (issue 15), figures rather than a test:
//!
//! 1. What a phone downloads from `GET /api/v1/forms`: the catalog bundle's JSON
//!    (`Catalog::bundle()` serialized, as the handler sends it) for the shipped catalog and
//!    for one of 20 forms (the shipped ones and a copy of each under `<id>_copy`, compiled as
//!    `StoredCatalog::compile` does), raw and compressed as tower-http's `CompressionLayer`
//!    does at its default level: gzip at flate2's default, level 6 (the server's feature
//!    set has gzip only), and brotli at quality 4, window 22 (what the layer would send with
//!    tower-http's `compression-br`; tower-http lowers brotli's default 11 to 4 for speed).
//!    Brotli at quality 11 beside it, for what a body compressed once per ETag would weigh.
//! 2. How long after a publish another process serves the new version: two processes'
//!    catalogs ([`Catalogs`]) over one SQLite file in one process, each with its own pool;
//!    a version is published through the database and the second's watch loop (polling
//!    every [`POLL`]) is waited for. The publishes are spread evenly over the poll's phase,
//!    as publishes from the console fall: the median is what to expect, the longest the
//!    bound (one poll and one compile). Then what one refresh costs (read and compile).
//!
//! `cargo bench -p sotay-sync-server --bench form_catalog` (SQLite in a temporary directory;
//! about 15 s, most of it waiting for polls).

use std::io::Write;
use std::time::{Duration, Instant};

use forms::{Catalog, FormDefinition};
use sync_server::catalog::{Catalogs, POLL};
use sync_server::store::audit::Actor;
use sync_server::store::catalog::StoredCatalog;
use sync_server::Db;

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The shipped definitions and figures, and a copy of each form under `<id>_copy`.
fn twenty_forms(shipped: &Catalog) -> StoredCatalog {
    let mut definitions: Vec<FormDefinition> = shipped.forms().map(|f| f.definition.clone()).collect();
    let mut figures: Vec<_> = shipped.all_figures().cloned().collect();
    definitions.extend(shipped.forms().map(|f| {
        let mut copy = f.definition.clone();
        copy.id = format!("{}_copy", copy.id);
        copy
    }));
    figures.extend(shipped.all_figures().map(|f| {
        let mut copy = f.clone();
        copy.form = format!("{}_copy", copy.form);
        copy
    }));
    StoredCatalog { generation: 0, definitions, figures, withdrawn: Default::default() }
}

fn gzip(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

fn brotli(bytes: &[u8], quality: i32) -> usize {
    let params = brotli::enc::BrotliEncoderParams { quality, lgwin: 22, ..Default::default() };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).unwrap();
    out.len()
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB ({bytes} B)", bytes as f64 / 1000.0)
}

fn sizes(shipped: &Catalog, rounds: usize) {
    let twenty = twenty_forms(shipped);
    let compiled = twenty.compile(shipped.reference().clone()).expect("the copies compile");
    let form_ids = |c: &Catalog| c.forms().map(|f| f.id()).collect::<std::collections::BTreeSet<_>>().len();
    assert_eq!(form_ids(&compiled), 2 * form_ids(shipped));
    println!("catalog download (GET /api/v1/forms), what a phone receives:");
    println!("| catalog | versions | JSON | gzip -6 (sent) | brotli q4 | brotli q11 | compile |");
    println!("|---|---|---|---|---|---|---|");
    let shipped_stored = StoredCatalog {
        generation: 0,
        definitions: shipped.forms().map(|f| f.definition.clone()).collect(),
        figures: shipped.all_figures().cloned().collect(),
        withdrawn: Default::default(),
    };
    for (stored, catalog) in [(&shipped_stored, shipped), (&twenty, &compiled)] {
        let json = serde_json::to_vec(&catalog.bundle()).unwrap();
        let compile = median(
            (0..rounds)
                .map(|_| {
                    let started = Instant::now();
                    std::hint::black_box(stored.compile(shipped.reference().clone()).unwrap());
                    started.elapsed()
                })
                .collect(),
        );
        println!(
            "| {} forms | {} | {} | **{}** | {} | {} | {} |",
            form_ids(catalog),
            catalog.forms().count(),
            kb(json.len()),
            kb(gzip(&json)),
            kb(brotli(&json, 4)),
            kb(brotli(&json, 11)),
            ms(compile),
        );
    }
    // The reference lists (units, ethnic groups, agencies) go with every catalog.
    let reference = serde_json::to_vec(shipped.reference()).unwrap();
    println!(
        "of which the reference data: {} JSON, {} gzip -6, {} brotli q4",
        kb(reference.len()),
        kb(gzip(&reference)),
        kb(brotli(&reference, 4))
    );
    // The copies sit next to their originals (`<id>_copy` sorts after `<id>`), inside
    // gzip's 32 KB window, so they cost little: ten forms as different as the shipped ones
    // would add about what the shipped forms alone weigh.
    let bundle = shipped.bundle();
    let forms_alone = serde_json::to_vec(&serde_json::json!({ "forms": bundle.forms, "figures": bundle.figures }));
    let forms_alone = forms_alone.unwrap();
    let whole = serde_json::to_vec(&bundle).unwrap();
    println!(
        "the shipped forms and figures alone: {} JSON, {} gzip -6, {} brotli q4; \
         20 forms all different: about {} JSON, {} gzip -6, {} brotli q4",
        kb(forms_alone.len()),
        kb(gzip(&forms_alone)),
        kb(brotli(&forms_alone, 4)),
        kb(whole.len() + forms_alone.len()),
        kb(gzip(&whole) + gzip(&forms_alone)),
        kb(brotli(&whole, 4) + brotli(&forms_alone, 4)),
    );
}

async fn second_replica(shipped: &Catalog, runs: usize) {
    let dir = tempfile::tempdir().unwrap();
    let url = Db::sqlite_url(dir.path());
    let (db_a, db_b) = (Db::connect(&url).await.unwrap(), Db::connect(&url).await.unwrap());
    let _a = Catalogs::load(&db_a, shipped).await.unwrap();
    let b = Catalogs::load(&db_b, shipped).await.unwrap();
    let watch = b.watch(db_b.clone());
    // A third process's catalogs, refreshed by hand: what one refresh costs.
    let c = Catalogs::load(&db_a, shipped).await.unwrap();
    let admin = Actor { user_id: None, username: "(bench)".into(), address: None };
    let outreach = shipped.form("outreach_event", 1).expect("outreach_event v1 ships").definition.clone();
    // The first publish only lines up with b's poll (b has just ticked when it sees it);
    // publish `run` (1 ≤ run < runs) goes out (run − ½) / (runs − 1) of a poll later.
    let mut waits = Vec::with_capacity(runs);
    let mut refreshes = Vec::with_capacity(runs);
    let mut seen = tokio::time::Instant::now();
    for run in 0..runs {
        let version = 2 + run as u32;
        let mut definition = outreach.clone();
        definition.version = version;
        if run > 0 {
            tokio::time::sleep_until(seen + POLL.mul_f64((run as f64 - 0.5) / (runs - 1) as f64)).await;
        }
        db_a.publish_form(&admin, &definition, None).await.unwrap();
        let published = Instant::now();
        while b.current().form("outreach_event", version).is_none() {
            assert!(published.elapsed() < POLL * 10, "the second process never served version {version}");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let waited = published.elapsed();
        seen = tokio::time::Instant::now();
        if run > 0 {
            waits.push(waited);
        }
        let started = Instant::now();
        assert!(c.refresh(&db_a).await.unwrap(), "the counter moved");
        refreshes.push(started.elapsed());
    }
    watch.abort();
    let longest = *waits.iter().max().unwrap();
    println!(
        "publish → the second process serving it (poll every {} s, {} publishes spread over the poll): \
         median {}, longest {}",
        POLL.as_secs(),
        waits.len(),
        ms(median(waits.clone())),
        ms(longest)
    );
    let each: Vec<String> = waits.iter().map(|w| ms(*w)).collect();
    println!("  each: {}", each.join(", "));
    println!("one refresh (generation, read the stored catalog, compile): median {}", ms(median(refreshes)));
}

fn main() {
    tracing_subscriber::fmt().with_env_filter("error").with_writer(std::io::stderr).init();
    // `cargo test --benches` runs this without `--bench`: a quick pass.
    let quick = !std::env::args().any(|a| a == "--bench");
    let shipped = Catalog::bundled().expect("the shipped catalog compiles");
    sizes(&shipped, if quick { 1 } else { 9 });
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(second_replica(&shipped, if quick { 3 } else { 8 }));
}
