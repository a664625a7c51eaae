//! Drafts of form versions (`/api/v1/admin/form-drafts`, issue 15): a draft is served to
//! admins and the testers they name, marked `draft`; what testers record with it is kept
//! apart and never reaches records or reports, even after the draft is published; a retry
//! is a duplicate; publishing serves it to everyone under the version it was drafted as;
//! discarding deletes its test records. Every step on both databases.

use axum::body::Body;
use axum::http::{header, Request};

use super::*;
use crate::common::Response;

const OUTREACH_V1: &str = include_str!("../../../forms/definitions/outreach_event/v1.toml");

/// Outreach events with one more question: the draft of the next version ([`next_version`]).
fn outreach_draft() -> String {
    format!(
        "{OUTREACH_V1}\n[[sections.fields]]\nname = \"venue_type\"\ntype = \"text\"\nlabel = {{ vi = \"Địa điểm\", en = \"Venue\" }}\n"
    )
}

async fn upload(app: &TestApp, path: &str, token: &str, text: &str) -> Response {
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/toml")
        .body(Body::from(text.to_owned()))
        .unwrap();
    app.send(request).await
}

async fn upload_draft(app: &TestApp, admin: &str) -> Value {
    let r = upload(app, "/api/v1/admin/form-drafts", admin, &outreach_draft()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

/// The catalog `token`'s phone downloads: its ETag and the outreach versions, with whether
/// each is a draft.
async fn phone_catalog(app: &TestApp, token: &str) -> (String, Vec<(u64, bool)>) {
    let r = app.get("/api/v1/forms", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let versions = r.json()["forms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "outreach_event")
        .map(|f| (f["version"].as_u64().unwrap(), f["draft"] == true))
        .collect();
    (r.header("etag").unwrap().to_owned(), versions)
}

async fn summary(app: &TestApp, token: &str) -> Value {
    let r = app.get("/api/v1/reports/summary?year=2025", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// The outreach versions shipped, none a draft, then `more`.
fn shipped_and(more: &[(u32, bool)]) -> Vec<(u64, bool)> {
    let shipped = shipped_versions("outreach_event").into_iter().map(|v| (v, false));
    shipped.chain(more.iter().map(|&(v, draft)| (u64::from(v), draft))).collect()
}

/// A record of the draft (the next version), with its new question answered.
fn draft_record() -> Record {
    let mut record = record_in(A);
    record.form_version = next_version("outreach_event");
    record.values.insert("venue_type".into(), json!("Nhà văn hóa thôn"));
    record
}

async fn name_tester(app: &TestApp, admin: &str, username: &str) {
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/admin/users/{username}"),
            Some(admin),
            Some(&json!({ "tester": true })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["tester"], true);
}

both!(a_draft_reaches_testers_only_and_its_records_never_count);
async fn a_draft_reaches_testers_only_and_its_records_never_count(app: TestApp) {
    let admin = app.admin("admin").await;
    let officer = app.collector("officer", &[A]).await;
    let tester = app.collector("tester", &[A]).await;
    name_tester(&app, &admin, "tester").await;
    let supervisor = app.province_supervisor("sup").await;
    let (etag_before, _) = phone_catalog(&app, &officer).await;

    let next = next_version("outreach_event");
    let drafted = upload_draft(&app, &admin).await;
    assert_eq!(
        (drafted["form_id"].as_str(), drafted["version"].as_u64()),
        (Some("outreach_event"), Some(u64::from(next)))
    );
    let (officer_etag, officer_versions) = phone_catalog(&app, &officer).await;
    assert_eq!((officer_etag.as_str(), officer_versions), (etag_before.as_str(), shipped_and(&[])), "not for officers");
    let (tester_etag, tester_versions) = phone_catalog(&app, &tester).await;
    assert_eq!(tester_versions, shipped_and(&[(next, true)]), "testers get the draft, marked");
    assert_ne!(tester_etag, officer_etag);
    assert_eq!(phone_catalog(&app, &admin).await.1, shipped_and(&[(next, true)]), "admins test too");
    let pulled = app.pull(&tester, 0).await;
    assert_eq!(format!("\"{}\"", pulled.catalog_version), tester_etag, "a tester's pull points at its catalog");

    // A test record: applied once (a retry is a duplicate), kept apart from records.
    let counts = app.counts().await;
    let before = summary(&app, &supervisor).await;
    let test = draft_record();
    let first = new_change(&test);
    let result = app.push_one(&tester, &first).await;
    assert_eq!((result["outcome"].as_str(), result["revision"].as_u64()), (Some("applied"), Some(1)), "{result}");
    let retry = app.push_one(&tester, &first).await;
    assert_eq!((retry["outcome"].as_str(), retry["duplicate"].as_bool()), (Some("applied"), Some(true)), "{retry}");
    assert_eq!(app.counts().await, counts, "a test record is not a record");
    assert_eq!(summary(&app, &supervisor).await, before, "nor counted");
    assert!(!app.pulled_ids(&supervisor).await.contains(&test.id));
    let listed = app.get("/api/v1/admin/form-drafts/outreach_event/test-records", Some(&admin)).await.json();
    assert_eq!(listed["records"].as_array().unwrap().len(), 1, "{listed}");
    let drafts = app.get("/api/v1/admin/form-drafts", Some(&admin)).await.json();
    assert_eq!(drafts["drafts"][0]["test_records"], 1, "{drafts}");

    // An officer has no such version.
    let result = app.push_one(&officer, &new_change(&draft_record())).await;
    assert_eq!(errors_of(&result), [("form_id".to_owned(), "unknown_form".to_owned())]);

    // Published: everyone gets the new version, no longer a draft; testers and officers agree.
    let r = app.post("/api/v1/admin/form-drafts/outreach_event/publish", Some(&admin), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["catalog_version"], r.json()["testing_catalog_version"]);
    let (officer_etag, officer_versions) = phone_catalog(&app, &officer).await;
    assert_eq!(officer_versions, shipped_and(&[(next, false)]));
    assert_eq!(phone_catalog(&app, &tester).await.0, officer_etag);

    // The test record stays a test record when edited; a record of the new version counts.
    let mut edited = test.clone();
    edited.values.insert("venue_type".into(), json!("Trường học"));
    let result = app.push_one(&tester, &change(&edited, 1)).await;
    assert_eq!((result["outcome"].as_str(), result["revision"].as_u64()), (Some("applied"), Some(2)), "{result}");
    assert_eq!(app.counts().await, counts);
    assert_eq!(summary(&app, &supervisor).await, before);
    let real = draft_record();
    let result = app.push_one(&officer, &new_change(&real)).await;
    assert_eq!(result["outcome"], "applied", "{result}");
    assert_eq!(app.counts().await.0, counts.0 + 1);
    assert_ne!(summary(&app, &supervisor).await, before, "a published version's record counts");
}

both!(discarding_a_draft_deletes_its_test_records);
async fn discarding_a_draft_deletes_its_test_records(app: TestApp) {
    let admin = app.admin("admin").await;
    let officer = app.collector("officer", &[A]).await;
    let next = next_version("outreach_event");
    upload_draft(&app, &admin).await;
    let result = app.push_one(&admin, &new_change(&draft_record())).await;
    assert_eq!(result["outcome"], "applied", "{result}");

    // A test record never takes a record's id (every later change of it would go astray).
    let real = record_in(A);
    assert_eq!(app.push_one(&officer, &new_change(&real)).await["outcome"], "applied");
    let impostor = Record { id: real.id, ..draft_record() };
    let result = app.push_one(&admin, &new_change(&impostor)).await;
    assert_eq!(errors_of(&result), [("id".to_owned(), "invalid_record".to_owned())], "{result}");

    // A second upload replaces the draft and the test records made with the first.
    let again = upload_draft(&app, &admin).await;
    assert_eq!((again["version"].as_u64(), again["test_records_deleted"].as_u64()), (Some(u64::from(next)), Some(1)));
    let result = app.push_one(&admin, &new_change(&draft_record())).await;
    assert_eq!(result["outcome"], "applied", "{result}");

    // Publishing straight over a draft would take its version: refused.
    let r = upload(&app, "/api/v1/admin/forms", &admin, &outreach_draft()).await;
    r.assert_error(StatusCode::CONFLICT, "draft_exists");

    let r = app.request(Method::DELETE, "/api/v1/admin/form-drafts/outreach_event", Some(&admin), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["test_records_deleted"], 1);
    assert_eq!(phone_catalog(&app, &admin).await.1, shipped_and(&[]), "the draft is gone from testers' phones");
    let r = app.request(Method::DELETE, "/api/v1/admin/form-drafts/outreach_event", Some(&admin), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/api/v1/admin/form-drafts/outreach_event/test-records", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let result = app.push_one(&admin, &new_change(&draft_record())).await;
    assert_eq!(result["outcome"], "rejected", "no version {next} any more: {result}");

    // Every step in the audit log; the form can be published as that version now.
    for (action, rows) in [("form_draft_uploaded", 2), ("form_draft_discarded", 1)] {
        let audit = app.get(&format!("/api/v1/admin/audit?action={action}"), Some(&admin)).await.json();
        assert_eq!(audit["items"].as_array().unwrap().len(), rows, "{action}: {audit}");
        assert_eq!(audit["items"][0]["target_id"], format!("outreach_event:v{next}"));
    }
    let r = upload(&app, "/api/v1/admin/forms", &admin, &outreach_draft()).await;
    assert_eq!((r.status, r.json()["version"].as_u64()), (StatusCode::CREATED, Some(u64::from(next))), "{}", r.text());
    assert_eq!(phone_catalog(&app, &officer).await.1, shipped_and(&[(next, false)]));
}

both!(only_admins_draft_and_name_testers);
async fn only_admins_draft_and_name_testers(app: TestApp) {
    let admin = app.admin("admin").await;
    let supervisor = app.province_supervisor("sup").await;
    app.collector("officer", &[A]).await;
    let r = upload(&app, "/api/v1/admin/form-drafts", &supervisor, &outreach_draft()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for (method, path) in [
        (Method::GET, "/api/v1/admin/form-drafts"),
        (Method::POST, "/api/v1/admin/form-drafts/outreach_event/publish"),
        (Method::DELETE, "/api/v1/admin/form-drafts/outreach_event"),
    ] {
        let r = app.request(method.clone(), path, Some(&supervisor), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    // Supervisors manage officers, but do not choose who tests forms.
    let r = app
        .request(Method::PATCH, "/api/v1/admin/users/officer", Some(&supervisor), Some(&json!({ "tester": true })))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    // A draft that does not compile is refused with its mistakes and stores nothing.
    let broken = outreach_draft().replace("date_field = \"event_date\"", "date_field = \"no_such_field\"");
    assert_ne!(broken, outreach_draft());
    let r = upload(&app, "/api/v1/admin/form-drafts", &admin, &broken).await;
    r.assert_error(StatusCode::BAD_REQUEST, "definition_invalid");
    let drafts = app.get("/api/v1/admin/form-drafts", Some(&admin)).await.json();
    assert_eq!(drafts["drafts"], json!([]));
}
