//! "Who has reported" (`GET /api/v1/admin/reporting`): every commune in scope for a period,
//! communes with nothing first, figures equal to sums worked out here from what was sent.

use super::*;
use forms::RecordStatus;

/// A third 2025 commune (Xã An Phú).
const C: &str = "21034";

/// An outreach event in `location` on `date`, final unless `draft`.
fn event(location: forms::Location, date: &str, draft: bool) -> Record {
    let mut record = record_of("outreach_event", 1, location);
    record.values.insert("event_date".into(), json!(date));
    record.values.insert("part_of_action_month".into(), json!(false));
    if draft {
        record.status = RecordStatus::Draft;
    }
    record
}

/// (participants, female) of a record's grid, summed here from its answers.
fn people(record: &Record) -> (u64, u64) {
    record.values["participants"].as_array().unwrap().iter().fold((0, 0), |(all, female), cell| {
        let n = cell["count"].as_u64().unwrap();
        (all + n, female + if cell["sex"] == "female" { n } else { 0 })
    })
}

both!(communes_with_nothing_come_first_and_figures_match_what_was_sent);
async fn communes_with_nothing_come_first_and_figures_match_what_was_sent(app: TestApp) {
    let admin = app.admin("admin").await;
    let sup = app.user_with_token("sup.abc", Role::Supervisor, &[A, B, C], false).await;
    let sup_b = app.user_with_token("sup.b", Role::Supervisor, &[B], false).await;
    let collector = app.collector("col.a", &[A]).await;
    let in_a = event(commune(A), "2026-03-10", false);
    let old_in_a = event(old_commune(OLD_IN_A), "2026-06-01", false);
    let draft_in_a = event(commune(A), "2026-06-02", true);
    let c_last_year = event(commune(C), "2025-12-20", false);
    let c_after_deadline = event(commune(C), "2026-12-01", false);
    for r in [&in_a, &old_in_a, &draft_in_a, &c_last_year, &c_after_deadline] {
        let result = app.push_one(&admin, &new_change(r)).await;
        assert_eq!(result["outcome"], "applied", "{result}");
    }

    let r = app.get("/api/v1/admin/reporting?reporting_year=2026", Some(&sup)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let report = r.json();
    assert_eq!(
        (report["period"]["from"].clone(), report["period"]["to"].clone()),
        (json!("2026-01-01"), json!("2026-11-30"))
    );
    let rows = report["communes"].as_array().unwrap();
    let codes: Vec<&str> = rows.iter().map(|c| c["unit_code"].as_str().unwrap()).collect();
    // B and C have nothing in the period (C's records are outside it): first, by name.
    assert_eq!(codes, [B, C, A]);
    assert_eq!(report["silent"], 2);
    let a = &rows[2];
    let (p1, f1) = people(&in_a);
    let (p2, f2) = people(&old_in_a);
    assert_eq!(a["activities"], 2, "the draft is not counted; the pre-2025 ward counts in A");
    assert_eq!((a["participants"].as_u64(), a["female"].as_u64()), (Some(p1 + p2), Some(f1 + f2)));
    assert_eq!(a["by_form"][0]["form_id"], "outreach_event");
    assert_eq!(a["last_activity_date"], "2026-06-01");
    assert_eq!(a["users"], 1);
    let c = &rows[1];
    assert_eq!(c["last_activity_date"], "2025-12-20", "the last record up to the period's end");
    assert_eq!(c["activities"], 0);
    assert!(rows[0]["last_activity_date"].is_null() && rows[0]["users"] == 0);

    // The last record up to the period's end, whichever month it is in.
    let last_in_a = |query: &'static str| {
        let (app, sup) = (&app, sup.clone());
        async move {
            let report = app.get(&format!("/api/v1/admin/reporting?{query}"), Some(&sup)).await.json();
            let a = report["communes"].as_array().unwrap().iter().find(|c| c["unit_code"] == A).cloned().unwrap();
            a["last_activity_date"].clone()
        }
    };
    assert_eq!(last_in_a("from=2026-03-01&to=2026-03-09").await, Value::Null, "A's March record is after the 9th");
    assert_eq!(last_in_a("from=2026-03-01&to=2026-03-10").await, json!("2026-03-10"));
    assert_eq!(last_in_a("from=2026-05-01&to=2026-05-31").await, json!("2026-03-10"), "from an earlier month");
    assert_eq!(last_in_a("from=2026-06-01&to=2026-06-01").await, json!("2026-06-01"), "the pre-2025 ward's, in A");

    // A phone that synced shows in its commune.
    app.get("/api/v1/sync/pull", Some(&collector)).await;
    sqlx::query(
        "INSERT INTO devices (user_id, device_id, first_seen_at, last_pull_at) \
                 SELECT id, 'phone-a', 1, 1700000000000 FROM users WHERE username = 'col.a'",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let a = app.get("/api/v1/admin/reporting?reporting_year=2026", Some(&sup)).await.json()["communes"][2].clone();
    assert!(a["last_sync_at"].as_i64().unwrap() > 1_700_000_000_000, "the collector's own pull is the latest: {a}");

    // Scope: the supervisor of B sees B only; the admin every commune of the province.
    let b_only = app.get("/api/v1/admin/reporting?year=2026", Some(&sup_b)).await.json();
    let b_codes: Vec<&str> =
        b_only["communes"].as_array().unwrap().iter().map(|c| c["unit_code"].as_str().unwrap()).collect();
    assert_eq!(b_codes, [B]);
    let province = app.get("/api/v1/admin/reporting?year=2026", Some(&admin)).await.json();
    assert_eq!(province["communes"].as_array().unwrap().len(), 96);
    assert_eq!(province["silent"], 94, "the calendar year holds C's December record too");
    app.get("/api/v1/admin/reporting?year=2026", Some(&collector))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    app.get("/api/v1/admin/reporting", Some(&sup)).await.assert_error(StatusCode::BAD_REQUEST, "invalid_period");
    app.get("/api/v1/admin/reporting?year=2026&extra=1", Some(&sup))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_json");

    // The workbook: one row per commune in the same order, the totals in the last row.
    let r = app.get("/api/v1/admin/reporting?reporting_year=2026&format=xlsx", Some(&sup)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-disposition").unwrap().contains(".xlsx"));
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(r.body.to_vec())).unwrap();
    use calamine::Reader;
    let sheet = workbook.worksheet_range_at(0).unwrap().unwrap();
    let text: Vec<Vec<String>> = sheet.rows().map(|row| row.iter().map(|c| c.to_string()).collect()).collect();
    let names: Vec<&str> = text
        .iter()
        .filter_map(|row| row.get(2).map(String::as_str))
        .filter(|n| n.starts_with("Phường ") || n.starts_with("Xã "))
        .collect();
    assert_eq!(names, ["Phường Nghĩa Lộ", "Xã An Phú", "Phường Cẩm Thành"]);
    let total = text.iter().find(|row| row.get(2).is_some_and(|c| c == "Cộng")).expect("a total row");
    assert_eq!(total[3], "2");
    assert_eq!(total[4], (p1 + p2).to_string());
}
