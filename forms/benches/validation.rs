//! Validation throughput on a realistic record with a full count grid, against parsing the
//! same record's JSON (the least any server must do with it), measured in the same run.
//!
//! `cargo bench -p sotay-forms --bench validation` (or `cargo xtask bench`). One core.

use std::hint::black_box;
use std::time::{Duration, Instant};

use forms::{Catalog, Mode};
use serde_json::{json, Value};

/// An Action-Month outreach session in a mountain commune: every shortlisted ethnic group
/// and three more, both sexes, children and adults: 48 grid cells.
fn record() -> Value {
    let mut cells = Vec::new();
    for ethnicity in ["01", "19", "30", "14", "13", "10", "27", "52", "54", "02", "06", "09"] {
        for sex in ["male", "female"] {
            for group in ["child", "adult"] {
                let count = 3 + ethnicity.len() * 2 + sex.len() + group.len();
                cells.push(json!({ "ethnicity": ethnicity, "sex": sex, "group": group, "count": count }));
            }
        }
    }
    json!({
        "format": "community_session",
        "topics": ["gbv_prevention", "gender_equality_law"],
        "organiser": "hoi_lhpn_xa",
        "place": "Nhà văn hóa thôn Làng Mạ",
        "event_date": "2025-11-25",
        "part_of_action_month": true,
        "language": "bilingual",
        "language_ethnic_group": "19",
        "participants": cells,
        "materials_distributed": 120,
        "materials_kind": ["leaflet", "poster"],
        "notes": "Buổi sinh hoạt có phiên dịch tiếng Hrê; nhiều nam giới tham gia thảo luận."
    })
}

/// Runs `f` repeatedly for about `window`, five times; returns the median rate per second.
fn rate(window: Duration, mut f: impl FnMut()) -> f64 {
    let mut rates = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < window {
            for _ in 0..100 {
                f();
            }
            n += 100;
        }
        rates.push(n as f64 / start.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    rates[2]
}

fn main() {
    // `cargo test --benches` runs this binary with `--bench` absent: keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let window = if quick { Duration::from_millis(20) } else { Duration::from_millis(800) };

    let catalog = Catalog::bundled().expect("bundled catalog loads");
    let form = catalog.form("outreach_event", 1).expect("outreach_event v1");
    let value = record();
    let text = serde_json::to_string(&value).unwrap();
    let validated = form.validate(&value, Mode::Final).expect("the benchmark record is valid");
    let cells = validated.values()["participants"].as_array().map_or(0, Vec::len);

    let parse = rate(window, || {
        black_box(serde_json::from_str::<Value>(black_box(&text)).unwrap());
    });
    let validate = rate(window, || {
        black_box(form.validate(black_box(&value), Mode::Final).is_ok());
    });
    let normalized = rate(window, || {
        black_box(form.validate(black_box(&value), Mode::Final).map(|v| v.values()).is_ok());
    });
    let both = rate(window, || {
        let v: Value = serde_json::from_str(black_box(&text)).unwrap();
        black_box(form.validate(&v, Mode::Final).is_ok());
    });

    println!("validation benchmark: outreach_event v1, {} bytes of JSON, {cells} grid cells, one core", text.len());
    println!("  baseline  parse JSON only         {parse:>10.0} records/s");
    println!("  validate  (already parsed)        {validate:>10.0} records/s");
    println!("  validate + normalized JSON        {normalized:>10.0} records/s");
    println!("  parse + validate                  {both:>10.0} records/s");
    println!("  validation costs {:.2}× a JSON parse of the same record", parse / validate);
    println!("  target ≥ 50000 records/s validated: {}", if validate >= 50_000.0 { "met" } else { "NOT MET" });
}
