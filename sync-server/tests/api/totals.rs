//! Report sums kept at write time (`store::totals`) against the same sums rebuilt from the
//! records: after every round of pushes — new records, corrections that move a record to
//! another day, month or commune, change its counts, turn it into a draft and back, and
//! deletions, several changes of one record in one push among them — both tables must hold
//! exactly what summing the stored records from scratch gives. Report figures are summed
//! with them, and worked out again for stored records when the figures change. So are the
//! approved records' own sums, through approvals, reopenings, returns and rewrites.

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;
use sync_server::Db;

use super::*;
use forms::RecordStatus;

const COMMUNES: [(&str, bool); 4] = [(A, true), (B, true), (OLD_IN_A, false), (OLD_IN_B, false)];
const ETHNICITIES: [&str; 4] = ["01", "19", "30", "14"];

fn random_record(rng: &mut StdRng, record: &mut Record) {
    let (code, current) = COMMUNES[rng.gen_range(0..COMMUNES.len())];
    record.location = if current { commune(code) } else { old_commune(code) };
    let day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Duration::days(rng.gen_range(0..690));
    record.values.insert("event_date".into(), json!(day.to_string()));
    record.values.insert("part_of_action_month".into(), json!(false));
    // The organising agency: a correction may move a record to another agency's sums.
    let agency = ["hoi_lhpn_xa", "ubnd_xa", "so_y_te"][rng.gen_range(0..3)];
    record.values.insert("organiser".into(), json!(agency));
    // A report figure; 0 stores no row, so a correction to 0 takes one away.
    record.values.insert("materials_distributed".into(), json!(rng.gen_range(0..4) * 25));
    let mut cells = Vec::new();
    for ethnicity in ETHNICITIES {
        for group in ["adult", "child"] {
            for sex in ["female", "male"] {
                if rng.gen_bool(0.4) {
                    cells.push(
                        json!({"ethnicity": ethnicity, "sex": sex, "group": group, "count": rng.gen_range(0..30)}),
                    );
                }
            }
        }
    }
    if cells.is_empty() {
        cells.push(json!({"ethnicity": "19", "sex": "female", "group": "adult", "count": 4}));
    }
    record.values.insert("participants".into(), Value::Array(cells));
    record.status = if rng.gen_bool(0.15) { RecordStatus::Draft } else { RecordStatus::Final };
}

/// Every non-empty sum of every grain, in key order: the grid's sums, then the agencies'.
async fn sums(db: &Db) -> Vec<String> {
    let tables: [(&str, &[&str]); 2] = [
        (
            "report_totals",
            &["grain", "period", "form_id", "unit_list", "unit_code", "field", "ethnicity", "grp", "sex"],
        ),
        (
            "report_agency_totals",
            &["grain", "period", "agency", "form_id", "unit_list", "unit_code", "field", "sex", "ethnic"],
        ),
    ];
    let mut out = Vec::new();
    for (table, key) in tables {
        let sql = format!("SELECT {0}, entries, total FROM {table} ORDER BY {0}", key.join(", "));
        for row in sqlx::query(&sql).fetch_all(&db.pool).await.unwrap() {
            let entries: i64 = row.get("entries");
            let total: i64 = row.get("total");
            // Keys whose records all went elsewhere keep a row of zeros; a rebuild has none.
            assert!(entries >= 0 && (entries > 0 || total == 0), "{table}: entries {entries}, total {total}");
            if entries == 0 {
                continue;
            }
            let key: Vec<String> = key.iter().map(|c| row.get::<String, _>(*c)).collect();
            let prefix = if table == "report_totals" { "" } else { "agency " };
            out.push(format!("{prefix}{} = {entries}/{total}", key.join("|")));
        }
    }
    out
}

async fn sums_kept_at_write_time_equal_sums_rebuilt_from_the_records(app: TestApp) {
    let mut rng = StdRng::seed_from_u64(11);
    let admin = app.admin("totals").await;
    let mut records: Vec<Record> = (0..80)
        .map(|_| {
            let mut r = record_in(A);
            random_record(&mut rng, &mut r);
            r
        })
        .collect();
    for (result, record) in
        app.push(&admin, &records.iter().map(new_change).collect::<Vec<_>>()).await.iter().zip(&mut records)
    {
        assert_eq!(result["outcome"], "applied", "{result}");
        record.revision = 1;
    }
    let kept = sums(&app.db).await;
    for grain in ["y|", "m|", "h|", "d|", "agency y|", "agency d|"] {
        assert!(kept.iter().filter(|s| s.starts_with(grain)).count() > 20, "the records are summed by {grain}");
    }

    for round in 0..4 {
        let mut changes = Vec::new();
        for record in records.iter_mut() {
            if record.deleted || !rng.gen_bool(0.5) {
                continue;
            }
            if rng.gen_bool(0.15) {
                record.deleted = true;
            } else {
                random_record(&mut rng, record);
            }
            changes.push(change(record, record.revision));
            // Now and then a second change of the same record in the same push.
            if !record.deleted && rng.gen_bool(0.2) {
                record.revision += 1;
                random_record(&mut rng, record);
                changes.push(change(record, record.revision));
            }
            record.revision += 1;
        }
        for result in app.push(&admin, &changes).await {
            assert_eq!(result["outcome"], "applied", "round {round}: {result}");
        }
        // Reviews move records into and out of the approved records' sums: approve some
        // finished records, reopen or return others (a rewrite above took some out).
        for record in records.iter().filter(|r| !r.deleted && r.status == RecordStatus::Final) {
            let action = match rng.gen_range(0..4) {
                0 | 1 => "approve",
                2 => "reopen",
                _ => "return",
            };
            let body =
                json!({ "change_id": Uuid::new_v4(), "action": action, "revision": record.revision, "comment": "x" });
            let r = app.post(&format!("/api/v1/records/{}/review", record.id), Some(&admin), &body).await;
            // Refused where the state does not allow it (approving an approved record…).
            assert!(r.status == StatusCode::OK || r.status == StatusCode::CONFLICT, "{}", r.text());
        }
        let kept = sums(&app.db).await;
        for grain in ["Y|", "agency Y|"] {
            let approved = kept.iter().filter(|s| s.starts_with(grain)).count();
            assert!(round == 0 || approved > 0, "round {round}: approved records are summed ({grain})");
        }
        let kept = sums(&app.db).await;
        app.db.rebuild_report_totals().await.unwrap();
        let rebuilt = sums(&app.db).await;
        let differing: Vec<_> =
            kept.iter().filter(|s| !rebuilt.contains(s)).chain(rebuilt.iter().filter(|s| !kept.contains(s))).collect();
        assert!(differing.is_empty(), "round {round}: kept and rebuilt sums differ: {differing:#?}");
    }
    assert!(records.iter().any(|r| r.deleted), "deletions are covered");
}

both!(sums_kept_at_write_time_equal_sums_rebuilt_from_the_records);

/// The figure rows of `record_cells`: record, field, value, in order.
async fn figure_cells(db: &Db) -> Vec<(String, String, i64)> {
    let sql =
        "SELECT c.record_id, r.form_id, c.field, c.count FROM record_cells c JOIN records r ON r.id = c.record_id \
               WHERE c.sex = '' ORDER BY c.record_id, c.field";
    let rows = sqlx::query(sql).fetch_all(&db.pool).await.unwrap();
    rows.iter()
        .map(|r| {
            (
                r.get::<String, _>("record_id"),
                format!("{}.{}", r.get::<String, _>("form_id"), r.get::<String, _>("field")),
                r.get("count"),
            )
        })
        .collect()
}

/// An upgrade from a server without figures, or a figures file that changed: at start the
/// server works out the figures of the records it holds, once, and they are exactly what
/// pushes store; figures taken away leave no rows or sums behind.
async fn figures_of_stored_records_are_worked_out_again_when_the_figures_change(app: TestApp) {
    let catalog = Catalog::bundled().unwrap();
    let mut rng = StdRng::seed_from_u64(7);
    let admin = app.admin("figures").await;
    let mut records: Vec<Record> = (0..30)
        .map(|_| {
            let mut r = record_in(A);
            random_record(&mut rng, &mut r);
            r
        })
        .collect();
    for i in 0..12 {
        let mut r = record_of("model_check", 1, commune(B));
        r.values.insert("people_supported".into(), json!(10 + i));
        r.values.insert("people_supported_female".into(), json!(i));
        records.push(r);
    }
    for result in app.push(&admin, &records.iter().map(new_change).collect::<Vec<_>>()).await {
        assert_eq!(result["outcome"], "applied", "{result}");
    }
    let deleted = Record { deleted: true, revision: 1, ..records[0].clone() };
    assert_eq!(app.push_one(&admin, &change(&deleted, 1)).await["outcome"], "applied");
    let pushed = figure_cells(&app.db).await;
    let kept = sums(&app.db).await;
    assert!(pushed.iter().any(|(_, f, _)| f == "model_check.people_supported"), "{pushed:?}");
    assert!(pushed.iter().any(|(_, f, _)| f == "outreach_event.materials_distributed"), "{pushed:?}");
    assert!(kept.iter().any(|s| s.contains("|people_supported|")), "figures are summed: {kept:?}");
    assert_eq!(app.db.ensure_report_figures(&catalog).await.unwrap(), 0, "worked out already: nothing to do");

    // The database of a server from before the figures.
    for sql in
        ["DELETE FROM record_cells WHERE sex = ''", "UPDATE counters SET value = 0 WHERE name = 'report_figures'"]
    {
        sqlx::query(sql).execute(&app.db.pool).await.unwrap();
    }
    app.db.rebuild_report_totals().await.unwrap();
    assert_ne!(sums(&app.db).await, kept, "without figure rows the sums lack the figures");
    let worked_out = app.db.ensure_report_figures(&catalog).await.unwrap();
    assert_eq!(worked_out, records.len() as u64 - 1, "every stored record but the deleted one");
    assert_eq!(figure_cells(&app.db).await, pushed, "the figures pushes store");
    assert_eq!(sums(&app.db).await, kept, "and the sums of them");
    assert_eq!(app.db.ensure_report_figures(&catalog).await.unwrap(), 0, "once");

    // Model checks' figures taken out of the catalog.
    let mut bundle = catalog.bundle();
    bundle.figures.retain(|f| f.form != "model_check");
    let fewer = Catalog::from_bundle(bundle).unwrap();
    assert_eq!(app.db.ensure_report_figures(&fewer).await.unwrap(), 29, "the outreach events' figures again");
    let left: Vec<_> = pushed.iter().filter(|(_, f, _)| !f.starts_with("model_check.")).cloned().collect();
    assert_eq!(figure_cells(&app.db).await, left);
    let sums_left = sums(&app.db).await;
    assert!(!sums_left.iter().any(|s| s.contains("model_check|") && s.contains("|people_")), "{sums_left:?}");
    assert!(sums_left.iter().any(|s| s.contains("|materials_distributed|")));
}

both!(figures_of_stored_records_are_worked_out_again_when_the_figures_change);
