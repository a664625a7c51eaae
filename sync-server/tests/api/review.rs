//! Review of finished records (`POST /api/v1/records/{id}/review`): who may do what, the
//! transitions allowed and refused, a retried action is a duplicate, the return reaches
//! the officer's phone on its next pull, a resubmission goes back to "submitted", an
//! approved record is read-only for collectors, and each action is one audit row.

use super::*;

async fn act(app: &TestApp, token: &str, record: Uuid, body: &Value) -> common::Response {
    app.post(&format!("/api/v1/records/{record}/review"), Some(token), body).await
}

fn action(what: &str, revision: u64, comment: Option<&str>, fields: &[&str]) -> Value {
    json!({ "change_id": Uuid::new_v4(), "action": what, "revision": revision, "comment": comment, "fields": fields })
}

/// The review the officer's phone pulls with the record.
async fn pulled_review(app: &TestApp, token: &str, id: Uuid) -> Option<Value> {
    let pulled = app.pull(token, 0).await;
    let record = pulled.records.iter().find(|p| p.record.id == id).expect("the record is pulled");
    record.review.as_ref().map(|r| serde_json::to_value(r).unwrap())
}

async fn audit_actions(app: &TestApp, admin: &str) -> Vec<String> {
    let r = app.get("/api/v1/admin/audit?per_page=200", Some(admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let mut actions: Vec<String> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target_kind"] == "record")
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    actions.reverse();
    actions
}

both!(the_review_cycle);
async fn the_review_cycle(app: TestApp) {
    let officer = app.collector("officer.a", &[A]).await;
    let supervisor_a = app.user_with_token("supervisor.a", Role::Supervisor, &[A], false).await;
    let supervisor_b = app.user_with_token("supervisor.b", Role::Supervisor, &[B], false).await;
    let admin = app.admin("admin").await;
    let record = record_in(A);
    assert_applied(&app.push_one(&officer, &new_change(&record)).await, &record, 1);
    assert_eq!(pulled_review(&app, &officer, record.id).await, None, "nobody reviewed it yet");

    // Who may act, and what a return needs.
    let cases: Vec<(&str, &str, Value, StatusCode, &str)> = vec![
        ("a collector", &officer, action("approve", 1, None, &[]), StatusCode::FORBIDDEN, "forbidden"),
        (
            "a supervisor of another commune",
            &supervisor_b,
            action("approve", 1, None, &[]),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "a return without a comment",
            &supervisor_a,
            action("return", 1, Some("  "), &[]),
            StatusCode::BAD_REQUEST,
            "comment_required",
        ),
        (
            "a field the form lacks",
            &supervisor_a,
            action("return", 1, Some("Sửa"), &["no_such"]),
            StatusCode::BAD_REQUEST,
            "unknown_field",
        ),
        (
            "fields on an approval",
            &supervisor_a,
            action("approve", 1, None, &["notes"]),
            StatusCode::BAD_REQUEST,
            "fields_not_allowed",
        ),
        (
            "reopening what is not approved",
            &supervisor_a,
            action("reopen", 1, None, &[]),
            StatusCode::CONFLICT,
            "not_approved",
        ),
        (
            "a revision the record no longer has",
            &supervisor_a,
            action("approve", 7, None, &[]),
            StatusCode::CONFLICT,
            "stale_revision",
        ),
    ];
    for (what, token, body, status, code) in cases {
        let r = act(&app, token, record.id, &body).await;
        assert_eq!((r.status, r.error_code()), (status, code.to_owned()), "{what}: {}", r.text());
    }

    // Returned with a comment naming a field: the officer's next pull carries it.
    let returned = action("return", 1, Some("Số người tham gia chưa khớp danh sách."), &["participants"]);
    let r = act(&app, &supervisor_a, record.id, &returned).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["review"]["state"], "needs_changes");
    let review = pulled_review(&app, &officer, record.id).await.expect("the return reaches the phone");
    assert_eq!(review["state"], "needs_changes");
    assert_eq!(review["comment"], "Số người tham gia chưa khớp danh sách.");
    assert_eq!(review["fields"], json!(["participants"]));
    assert_eq!(review["by"], "Test supervisor.a");
    assert_eq!(review["revision"], 1);
    // A retry is a duplicate: the same answer, nothing applied twice.
    let again = act(&app, &supervisor_a, record.id, &returned).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(
        (again.json()["duplicate"].clone(), again.json()["review"]["state"].clone()),
        (json!(true), json!("needs_changes"))
    );
    // The same change id for something else is refused.
    let mut reused = returned.clone();
    reused["comment"] = json!("Khác");
    act(&app, &supervisor_a, record.id, &reused).await.assert_error(StatusCode::CONFLICT, "change_id_reused");
    act(&app, &supervisor_a, record.id, &action("approve", 1, None, &[]))
        .await
        .assert_error(StatusCode::CONFLICT, "awaiting_officer");

    // The officer fixes it: the new revision is submitted again.
    let fixed = with_value(&record, "notes", json!("Đã sửa theo danh sách ký tên."));
    assert_applied(&app.push_one(&officer, &change(&fixed, 1)).await, &fixed, 2);
    assert_eq!(pulled_review(&app, &officer, record.id).await.unwrap()["state"], "submitted");

    // Approved (of the revision the supervisor saw): read-only for the officer.
    act(&app, &supervisor_a, record.id, &action("approve", 1, None, &[]))
        .await
        .assert_error(StatusCode::CONFLICT, "stale_revision");
    let approve = action("approve", 2, None, &[]);
    assert_eq!(act(&app, &supervisor_a, record.id, &approve).await.json()["review"]["state"], "approved");
    assert_eq!(act(&app, &supervisor_a, record.id, &approve).await.json()["duplicate"], true);
    let late = with_value(&fixed, "notes", json!("Sửa sau khi duyệt"));
    let refused = app.push_one(&officer, &change(&late, 2)).await;
    assert_eq!(errors_of(&refused), vec![("review".to_owned(), "record_approved".to_owned())]);
    assert_eq!(app.db.record(record.id).await.unwrap().unwrap().revision, 2, "nothing changed");
    act(&app, &supervisor_a, record.id, &action("return", 2, Some("x"), &[]))
        .await
        .assert_error(StatusCode::CONFLICT, "already_approved");

    // Reopened by the admin: the officer may edit again.
    let reopened = act(&app, &admin, record.id, &action("reopen", 2, Some("Sai ngày"), &[])).await;
    assert_eq!(reopened.json()["review"]["state"], "submitted", "{}", reopened.text());
    assert_applied(&app.push_one(&officer, &change(&late, 2)).await, &late, 3);

    // One audit row per action applied: not for refusals, nor for the retries.
    assert_eq!(audit_actions(&app, &admin).await, ["record_returned", "record_approved", "record_reopened"]);
}

both!(only_finished_records_are_reviewed);
async fn only_finished_records_are_reviewed(app: TestApp) {
    let officer = app.collector("officer.a", &[A]).await;
    let supervisor = app.province_supervisor("province").await;
    let mut draft = record_in(A);
    draft.status = forms::RecordStatus::Draft;
    app.push_one(&officer, &new_change(&draft)).await;
    let mut gone = record_in(A);
    app.push_one(&officer, &new_change(&gone)).await;
    gone.deleted = true;
    assert_applied(&app.push_one(&officer, &change(&gone, 1)).await, &gone, 2);
    for (id, revision) in [(draft.id, 1), (gone.id, 2)] {
        act(&app, &supervisor, id, &action("approve", revision, None, &[]))
            .await
            .assert_error(StatusCode::CONFLICT, "not_submitted");
    }
    act(&app, &supervisor, Uuid::new_v4(), &action("approve", 1, None, &[]))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}

both!(reports_of_approved_records_count_only_those);
async fn reports_of_approved_records_count_only_those(app: TestApp) {
    let officer = app.collector("officer.a", &[A]).await;
    let admin = app.admin("admin").await;
    // Four records of 10, 20, 40 and 80 women: approved, approved then reopened, returned,
    // approved then corrected by the admin (a new revision is approved no longer).
    let records: Vec<Record> = [10, 20, 40, 80]
        .iter()
        .map(|n| {
            let cells = json!([{"ethnicity": "19", "sex": "female", "group": "adult", "count": n}]);
            with_value(&record_in(A), "participants", cells)
        })
        .collect();
    for r in &records {
        assert_applied(&app.push_one(&officer, &new_change(r)).await, r, 1);
    }
    let summary = |approved: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let r = app.get(&format!("/api/v1/reports/summary?year=2025&approved={approved}"), Some(&admin)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            let totals = r.json()["totals"].clone();
            (totals["activities"].as_u64().unwrap(), totals["participants"]["female"].as_u64().unwrap())
        }
    };
    assert_eq!(summary("true").await, (0, 0), "nothing approved yet");
    let ok = |r: common::Response| assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    for r in [&records[0], &records[1], &records[3]] {
        ok(act(&app, &admin, r.id, &action("approve", 1, None, &[])).await);
    }
    assert_eq!(summary("true").await, (3, 110));
    ok(act(&app, &admin, records[1].id, &action("reopen", 1, Some("Sai"), &[])).await);
    ok(act(&app, &admin, records[2].id, &action("return", 1, Some("Sai"), &[])).await);
    let corrected = with_value(&records[3], "notes", json!("Sửa sau khi duyệt"));
    assert_applied(&app.push_one(&admin, &change(&corrected, 1)).await, &corrected, 2);
    assert_eq!(summary("true").await, (1, 10), "only the first is still approved");
    assert_eq!(summary("false").await, (4, 150), "every finished record otherwise");
    let r = app.get("/api/v1/reports/summary?year=2025&approved=maybe", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let annual = app.get("/api/v1/reports/annual?year=2025&format=html&approved=true", Some(&admin)).await;
    assert!(annual.text().contains("Số liệu từ các phiếu đã được duyệt"), "the annual report says what it counts");
}
