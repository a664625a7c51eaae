//! The HTTP API, driven through `app()` without a socket, on SQLite and on PostgreSQL.
//!
//! Every test runs twice (`<test>::sqlite`, `<test>::postgres`) through [`both!`]. The
//! PostgreSQL variant needs `SOTAY_TEST_DATABASE_URL` (`cargo xtask pg-up`); it skips without
//! it, except in CI, where it fails.

#[macro_use]
mod common;

use std::io::{Read, Write};

use axum::http::{Method, StatusCode};
use common::{change, commune, new_change, old_commune, record_in, record_of, TestApp};
use forms::sync::PullResponse;
use forms::{Catalog, Record};
use serde_json::{json, Value};
use sync_server::store::users::Role;
use uuid::Uuid;

/// Two 2025 communes (wards of the former Quảng Ngãi city).
const A: &str = "21025";
const B: &str = "21028";
/// Pre-2025 wards merged into A (21019 Nghĩa Chánh) and into B (21010 Lê Hồng Phong).
const OLD_IN_A: &str = "21019";
const OLD_IN_B: &str = "21010";
/// The province: a unit, but not a commune.
const PROVINCE: &str = "51";

fn errors_of(result: &Value) -> Vec<(String, String)> {
    result["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {result}"))
        .iter()
        .map(|e| {
            for lang in ["vi", "en"] {
                assert!(e["message"][lang].as_str().is_some_and(|m| !m.is_empty()), "message.{lang} missing in {e}");
            }
            (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned())
        })
        .collect()
}

fn assert_applied(result: &Value, record: &Record, revision: u64) {
    assert_eq!(result["outcome"], "applied", "{result}");
    assert_eq!(result["record_id"], record.id.to_string(), "{result}");
    assert_eq!(result["revision"], revision, "{result}");
}

fn assert_rejected_with(result: &Value, field: &str, code: &str) {
    assert_eq!(result["outcome"], "rejected", "{result}");
    assert_eq!(result["duplicate"], false, "{result}");
    let errors = errors_of(result);
    assert!(errors.contains(&(field.to_owned(), code.to_owned())), "expected {field}/{code} in {errors:?}");
}

fn with_value(record: &Record, field: &str, value: Value) -> Record {
    let mut r = record.clone();
    r.values.insert(field.into(), value);
    r
}

// ---- push and pull -----------------------------------------------------------------------

both!(push_then_pull_returns_the_record);
async fn push_then_pull_returns_the_record(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let record = record_in(A);

    let result = app.push_one(&token, &new_change(&record)).await;
    assert_applied(&result, &record, 1);
    assert_eq!(result["duplicate"], false);
    assert_eq!(app.counts().await, (1, 0));

    let page = app.pull(&token, 0).await;
    assert_eq!(page.records.len(), 1, "{page:?}");
    let pulled = &page.records[0];
    assert!(pulled.cursor > 0);
    assert_eq!(page.next_cursor, pulled.cursor);
    assert!(!page.has_more);
    assert_eq!(page.catalog_version, app.catalog.version());
    assert_eq!(pulled.record.id, record.id);
    assert_eq!(pulled.record.revision, 1);
    assert_eq!(pulled.record.form_id, "outreach_event");
    assert_eq!(pulled.record.form_version, 1);
    assert_eq!(pulled.record.location, commune(A));
    assert_eq!(pulled.record.author, "collector.a", "the author is who sent it");
    assert_eq!(pulled.record.values["place"], record.values["place"]);
    assert_eq!(pulled.record.values["participants"], record.values["participants"]);

    let next = app.pull(&token, page.next_cursor).await;
    assert!(next.records.is_empty(), "{next:?}");
    assert_eq!(next.next_cursor, page.next_cursor, "the cursor never goes backwards");
    assert!(!next.has_more);
}

both!(pull_pages_through_changes_in_order);
async fn pull_pages_through_changes_in_order(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let records: Vec<Record> = (0..3).map(|_| record_in(A)).collect();
    let changes: Vec<_> = records.iter().map(new_change).collect();
    for result in app.push(&token, &changes).await {
        assert_eq!(result["outcome"], "applied", "{result}");
    }

    let page = |since: u64, limit: u32| {
        let app = &app;
        let token = &token;
        async move {
            let response = app.get(&format!("/api/v1/sync/pull?since={since}&limit={limit}"), Some(token)).await;
            assert_eq!(response.status, StatusCode::OK, "{}", response.text());
            response.parse::<PullResponse>()
        }
    };
    let first = page(0, 2).await;
    assert_eq!(first.records.len(), 2);
    assert!(first.has_more);
    assert!(first.records[0].cursor < first.records[1].cursor);
    assert_eq!(first.next_cursor, first.records[1].cursor);
    let second = page(first.next_cursor, 2).await;
    assert_eq!(second.records.len(), 1);
    assert!(!second.has_more, "exactly the last record: nothing more");
    let ids: Vec<Uuid> = first.records.iter().chain(&second.records).map(|r| r.record.id).collect();
    assert_eq!(ids, records.iter().map(|r| r.id).collect::<Vec<_>>(), "oldest change first");

    // An update moves the record to the end of the change order.
    let update = change(&with_value(&records[0], "place", json!("Hội trường xã")), 1);
    assert_applied(&app.push_one(&token, &update).await, &records[0], 2);
    let after = app.pull(&token, second.next_cursor).await;
    assert_eq!(after.records.len(), 1);
    assert_eq!(after.records[0].record.id, records[0].id);
    assert_eq!(after.records[0].record.revision, 2);
    assert_eq!(after.records[0].record.values["place"], "Hội trường xã");

    // A deletion is a tombstone that syncs like any other change.
    let mut tombstone = records[1].clone();
    tombstone.deleted = true;
    assert_applied(&app.push_one(&token, &change(&tombstone, 1)).await, &records[1], 2);
    let after = app.pull(&token, after.next_cursor).await;
    assert_eq!(after.records.len(), 1);
    assert!(after.records[0].record.deleted);
    assert_eq!(app.counts().await, (3, 0));
}

both!(a_retried_change_is_applied_once);
async fn a_retried_change_is_applied_once(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let record = record_in(A);
    let c = new_change(&record);

    let first = app.push_one(&token, &c).await;
    assert_applied(&first, &record, 1);
    let retry = app.push_one(&token, &c).await;
    assert_eq!(retry["duplicate"], true, "{retry}");
    assert_eq!(retry["outcome"], first["outcome"]);
    assert_eq!(retry["revision"], first["revision"]);
    assert_eq!(retry["record_id"], first["record_id"]);
    assert_eq!(app.counts().await, (1, 0));
    let page = app.pull(&token, 0).await;
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.records[0].record.revision, 1, "a retry does not make a new revision");

    // The same change twice in one batch: the second is the duplicate.
    let other = record_in(A);
    let c2 = new_change(&other);
    let results = app.push(&token, &[c2.clone(), c2.clone()]).await;
    assert_applied(&results[0], &other, 1);
    assert_eq!(results[0]["duplicate"], false);
    assert_applied(&results[1], &other, 1);
    assert_eq!(results[1]["duplicate"], true, "{}", results[1]);
    assert_eq!(app.counts().await, (2, 0));
    assert_eq!(app.db.record(other.id).await.unwrap().unwrap().revision, 1);
}

both!(a_stale_base_revision_is_kept_as_a_conflict);
async fn a_stale_base_revision_is_kept_as_a_conflict(app: TestApp) {
    let collector = app.collector("collector.a", &[A]).await;
    let supervisor = app.province_supervisor("supervisor").await;
    let record = record_in(A);
    assert_applied(&app.push_one(&collector, &new_change(&record)).await, &record, 1);

    // The collector corrects it, from revision 1.
    let corrected = with_value(&record, "place", json!("Nhà văn hoá thôn"));
    assert_applied(&app.push_one(&collector, &change(&corrected, 1)).await, &record, 2);

    // The supervisor's device still had revision 1.
    let stale = with_value(&record, "place", json!("Trụ sở UBND xã"));
    let stale_change = change(&stale, 1);
    let result = app.push_one(&supervisor, &stale_change).await;
    assert_eq!(result["outcome"], "conflict", "{result}");
    assert_eq!(result["duplicate"], false);
    assert_eq!(result["record_id"], record.id.to_string());
    let conflict_id: Uuid = result["conflict_id"].as_str().unwrap().parse().expect("conflict_id is a UUID");
    let current: Record = serde_json::from_value(result["current"].clone()).expect("current is a record");
    assert_eq!(current.id, record.id);
    assert_eq!(current.revision, 2);
    assert_eq!(current.values["place"], "Nhà văn hoá thôn");

    assert_eq!(app.counts().await, (1, 1), "the incoming version is kept as a conflict copy");
    let stored = app.db.record(record.id).await.unwrap().unwrap();
    assert_eq!(stored.revision, 2, "the server record is unchanged");
    assert_eq!(stored.values["place"], "Nhà văn hoá thôn");

    // A retry of the conflicting change gets the same answer and keeps no second copy.
    let retry = app.push_one(&supervisor, &stale_change).await;
    assert_eq!(retry["duplicate"], true, "{retry}");
    assert_eq!(retry["outcome"], "conflict");
    assert_eq!(retry["conflict_id"], conflict_id.to_string());
    assert_eq!(app.counts().await, (1, 1));

    // Resolving it: a change from the current revision applies.
    let resolved = with_value(&record, "place", json!("Trụ sở UBND xã"));
    assert_applied(&app.push_one(&supervisor, &change(&resolved, 2)).await, &record, 3);
}

both!(an_invalid_record_is_rejected_and_the_others_applied);
async fn an_invalid_record_is_rejected_and_the_others_applied(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let good1 = record_in(A);
    let good2 = record_in(A);
    let mut bad = with_value(&record_in(A), "topics", json!("domestic_violence"));
    bad.values.remove("format");
    let bad_change = new_change(&bad);

    let results = app.push(&token, &[new_change(&good1), bad_change.clone(), new_change(&good2)]).await;
    assert_applied(&results[0], &good1, 1);
    assert_rejected_with(&results[1], "topics", "wrong_type");
    assert_rejected_with(&results[1], "format", "required");
    assert_applied(&results[2], &good2, 1);
    assert_eq!(app.counts().await, (2, 0));

    // A rejected change is not recorded: sent again it is checked again, not a duplicate.
    let again = app.push_one(&token, &bad_change).await;
    assert_rejected_with(&again, "topics", "wrong_type");

    // Fixed and sent as a new change, it applies.
    let fixed = with_value(&with_value(&bad, "topics", json!(["domestic_violence"])), "format", json!("meeting"));
    assert_applied(&app.push_one(&token, &new_change(&fixed)).await, &fixed, 1);
    assert_eq!(app.counts().await, (3, 0));
}

both!(validation_errors_are_reported_per_field);
async fn validation_errors_are_reported_per_field(app: TestApp) {
    let token = app.admin("admin").await;
    // (what, record, field, code): one change each, in one batch.
    let base = record_in(A);
    let mut cases: Vec<(&str, Record, &str, &str)> = vec![
        ("a required answer missing", with_value(&base, "format", Value::Null), "format", "required"),
        ("not an option", with_value(&base, "format", json!("radio")), "format", "not_an_option"),
        ("a list sent as a string", with_value(&base, "topics", json!("domestic_violence")), "topics", "wrong_type"),
        ("an unknown field", with_value(&base, "no_such_field", json!(1)), "no_such_field", "unknown_field"),
    ];
    let mut unknown_form = base.clone();
    unknown_form.form_id = "no_such_form".into();
    cases.push(("an unknown form", unknown_form, "form_id", "unknown_form"));
    let mut unknown_version = base.clone();
    unknown_version.form_version = 99;
    cases.push(("an unknown form version", unknown_version, "form_id", "unknown_form"));
    let mut province = base.clone();
    province.location = commune(PROVINCE);
    cases.push(("the province, not a commune", province, "location", "not_a_commune"));
    let mut unknown_unit = base.clone();
    unknown_unit.location = commune("99999");
    cases.push(("an unknown unit code", unknown_unit, "location", "unknown_unit"));
    let mut unknown_list = base.clone();
    unknown_list.location.unit_list = "units_1990".into();
    cases.push(("an unknown unit list", unknown_list, "location", "unknown_unit_list"));

    let changes: Vec<_> = cases
        .iter_mut()
        .map(|(_, record, _, _)| {
            record.id = Uuid::new_v4();
            if record.values.get("format") == Some(&Value::Null) {
                record.values.remove("format");
            }
            new_change(record)
        })
        .collect();
    let results = app.push(&token, &changes).await;
    for ((what, _, field, code), result) in cases.iter().zip(&results) {
        assert_eq!(result["outcome"], "rejected", "{what}: {result}");
        let errors = errors_of(result);
        assert!(
            errors.contains(&(field.to_string(), code.to_string())),
            "{what}: expected {field}/{code} in {errors:?}"
        );
    }
    assert_eq!(app.counts().await, (0, 0));
}

// ---- scope ---------------------------------------------------------------------------------

both!(a_collector_cannot_push_outside_their_communes);
async fn a_collector_cannot_push_outside_their_communes(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let in_b = record_in(B);
    let result = app.push_one(&token, &new_change(&in_b)).await;
    assert_rejected_with(&result, "location", "out_of_scope");
    // Out of scope is said before any validation: nothing about the answers leaks.
    let mut in_b_invalid = with_value(&record_in(B), "format", json!("radio"));
    in_b_invalid.values.remove("topics");
    let result = app.push_one(&token, &new_change(&in_b_invalid)).await;
    assert_eq!(errors_of(&result), vec![("location".to_owned(), "out_of_scope".to_owned())]);
    assert_eq!(app.counts().await, (0, 0));

    // A collector of both communes may.
    let both = app.collector("collector.ab", &[A, B]).await;
    assert_applied(&app.push_one(&both, &new_change(&in_b)).await, &in_b, 1);
}

both!(pull_returns_only_records_in_the_callers_scope);
async fn pull_returns_only_records_in_the_callers_scope(app: TestApp) {
    let admin = app.admin("admin").await;
    let supervisor = app.province_supervisor("supervisor").await;
    let collector_a = app.collector("collector.a", &[A]).await;
    let supervisor_b = app.user_with_token("supervisor.b", Role::Supervisor, &[B], false).await;

    let (a1, b1, b2, a_old) =
        (record_in(A), record_in(B), record_in(B), record_of("outreach_event", 1, old_commune(OLD_IN_A)));
    assert_applied(&app.push_one(&admin, &new_change(&a1)).await, &a1, 1);
    assert_applied(&app.push_one(&admin, &new_change(&b1)).await, &b1, 1);
    assert_applied(&app.push_one(&supervisor, &new_change(&b2)).await, &b2, 1);
    assert_applied(&app.push_one(&supervisor, &new_change(&a_old)).await, &a_old, 1);

    let sorted = |mut v: Vec<Uuid>| {
        v.sort();
        v
    };
    let expect = |records: &[&Record]| sorted(records.iter().map(|r| r.id).collect());
    assert_eq!(sorted(app.pulled_ids(&collector_a).await), expect(&[&a1, &a_old]), "collector of A");
    assert_eq!(sorted(app.pulled_ids(&supervisor_b).await), expect(&[&b1, &b2]), "supervisor of B only");
    assert_eq!(sorted(app.pulled_ids(&supervisor).await), expect(&[&a1, &b1, &b2, &a_old]), "whole province");
    assert_eq!(sorted(app.pulled_ids(&admin).await), expect(&[&a1, &b1, &b2, &a_old]), "admin");

    // A collector with no commune sees nothing.
    let nowhere = app.collector("collector.none", &[]).await;
    assert!(app.pulled_ids(&nowhere).await.is_empty());
}

both!(a_collector_cannot_update_a_record_stored_outside_their_scope);
async fn a_collector_cannot_update_a_record_stored_outside_their_scope(app: TestApp) {
    let admin = app.admin("admin").await;
    let collector_a = app.collector("collector.a", &[A]).await;
    let in_b = record_in(B);
    assert_applied(&app.push_one(&admin, &new_change(&in_b)).await, &in_b, 1);

    // The same record id, "moved" into A by the collector's change.
    let mut hijack = with_value(&in_b, "place", json!("Ghi đè"));
    hijack.location = commune(A);
    let result = app.push_one(&collector_a, &change(&hijack, 1)).await;
    assert_rejected_with(&result, "location", "out_of_scope");
    // A stale base revision must not get a conflict copy (with the server version) either.
    let result = app.push_one(&collector_a, &change(&hijack, 0)).await;
    assert_rejected_with(&result, "location", "out_of_scope");
    assert_eq!(app.counts().await, (1, 0));

    let stored = app.db.record(in_b.id).await.unwrap().unwrap();
    assert_eq!(stored.location, commune(B));
    assert_eq!(stored.revision, 1);
    assert_eq!(stored.values["place"], in_b.values["place"]);
    assert!(app.pulled_ids(&collector_a).await.is_empty());
}

both!(a_pre2025_location_merged_into_the_collectors_commune_is_in_scope);
async fn a_pre2025_location_merged_into_the_collectors_commune_is_in_scope(app: TestApp) {
    let collector_a = app.collector("collector.a", &[A]).await;
    let collector_b = app.collector("collector.b", &[B]).await;

    let old_a = record_of("outreach_event", 1, old_commune(OLD_IN_A));
    assert_applied(&app.push_one(&collector_a, &new_change(&old_a)).await, &old_a, 1);
    let old_b = record_of("outreach_event", 1, old_commune(OLD_IN_B));
    assert_rejected_with(&app.push_one(&collector_a, &new_change(&old_b)).await, "location", "out_of_scope");
    // Codes are reused across lists: B's 2025 code on the pre-2025 list is not B.
    let old_code_a = record_of("outreach_event", 1, old_commune(A));
    assert_applied(&app.push_one(&collector_a, &new_change(&old_code_a)).await, &old_code_a, 1);
    assert_rejected_with(&app.push_one(&collector_b, &new_change(&old_code_a)).await, "location", "out_of_scope");

    assert_eq!(app.pulled_ids(&collector_a).await.len(), 2);
    assert!(app.pulled_ids(&collector_b).await.is_empty());
    assert_eq!(app.counts().await, (2, 0));
}

// ---- authentication ----------------------------------------------------------------------

both!(requests_without_a_valid_token_are_refused);
async fn requests_without_a_valid_token_are_refused(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let push_body = json!({ "device_id": "d", "changes": [] });
    for (method, path) in
        [(Method::GET, "/api/v1/me"), (Method::GET, "/api/v1/sync/pull?since=0"), (Method::POST, "/api/v1/sync/push")]
    {
        let body = (method == Method::POST).then_some(&push_body);
        let none = app.request(method.clone(), path, None, body).await;
        none.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
        let garbage = app.request(method.clone(), path, Some("not-a-token"), body).await;
        garbage.assert_error(StatusCode::UNAUTHORIZED, "token_invalid");
        let basic = app
            .raw(
                method.clone(),
                path,
                &[("authorization", "Basic dXNlcjpwYXNz"), ("content-type", "application/json")],
                "{}",
            )
            .await;
        basic.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
        let ok = app.request(method, path, Some(&token), body).await;
        assert_eq!(ok.status, StatusCode::OK, "{path}: {}", ok.text());
    }
    let me = app.get("/api/v1/me", Some(&token)).await.json();
    assert_eq!(me["username"], "collector.a");
    assert_eq!(me["role"], "collector");
    assert_eq!(me["communes"], json!([{ "unit_list": "units_2025", "unit_code": A }]));
}

both!(sign_in_and_sign_out);
async fn sign_in_and_sign_out(app: TestApp) {
    app.create_user("collector.a", Role::Collector, &[A], false, Some("mật khẩu đúng")).await;
    app.sign_in("collector.a", "wrong password").await.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    app.sign_in("nobody", "mật khẩu đúng").await.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");

    let response = app.sign_in("collector.a", "mật khẩu đúng").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let session = response.json();
    assert_eq!(session["user"]["username"], "collector.a");
    let token = session["token"].as_str().unwrap().to_owned();
    assert!(token.len() >= 32);
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, StatusCode::OK);

    // Two devices, two tokens: signing one out leaves the other.
    let other = app.sign_in_ok("collector.a", "mật khẩu đúng").await;
    assert_ne!(token, other);
    let out = app.post("/api/v1/auth/sign-out", Some(&token), &json!({})).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.text());
    app.get("/api/v1/me", Some(&token)).await.assert_error(StatusCode::UNAUTHORIZED, "token_invalid");
    app.post("/api/v1/auth/sign-out", Some(&token), &json!({}))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "token_invalid");
    assert_eq!(app.get("/api/v1/me", Some(&other)).await.status, StatusCode::OK);
}

both!(disabling_a_user_ends_their_sessions);
async fn disabling_a_user_ends_their_sessions(app: TestApp) {
    let admin = app.admin("admin").await;
    app.create_user("collector.a", Role::Collector, &[A], false, Some("mật khẩu đúng")).await;
    let token = app.sign_in_ok("collector.a", "mật khẩu đúng").await;

    let r = app.post("/api/v1/admin/users/collector.a/disable", Some(&admin), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.get("/api/v1/me", Some(&token)).await.assert_error(StatusCode::UNAUTHORIZED, "token_invalid");
    let push = app.push_raw(&token, &[new_change(&record_in(A))]).await;
    push.assert_error(StatusCode::UNAUTHORIZED, "token_invalid");
    app.sign_in("collector.a", "mật khẩu đúng").await.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    assert_eq!(app.counts().await, (0, 0));

    // Enabled again, they sign in anew; the old token stays revoked.
    let r = app.post("/api/v1/admin/users/collector.a/enable", Some(&admin), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.get("/api/v1/me", Some(&token)).await.assert_error(StatusCode::UNAUTHORIZED, "token_invalid");
    let fresh = app.sign_in_ok("collector.a", "mật khẩu đúng").await;
    assert_eq!(app.get("/api/v1/me", Some(&fresh)).await.status, StatusCode::OK);

    let r = app.post("/api/v1/admin/users/nobody/disable", Some(&admin), &json!({})).await;
    r.assert_error(StatusCode::NOT_FOUND, "not_found");
}

both!(a_password_reset_revokes_old_tokens);
async fn a_password_reset_revokes_old_tokens(app: TestApp) {
    app.create_user("collector.a", Role::Collector, &[A], false, Some("mật khẩu cũ")).await;
    let old = app.sign_in_ok("collector.a", "mật khẩu cũ").await;
    app.db.reset_password("collector.a", "mật khẩu mới").await.unwrap();

    app.get("/api/v1/me", Some(&old)).await.assert_error(StatusCode::UNAUTHORIZED, "token_invalid");
    app.sign_in("collector.a", "mật khẩu cũ").await.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    let new = app.sign_in_ok("collector.a", "mật khẩu mới").await;
    assert_eq!(app.get("/api/v1/me", Some(&new)).await.status, StatusCode::OK);
}

both!(admin_routes_are_forbidden_to_others);
async fn admin_routes_are_forbidden_to_others(app: TestApp) {
    let collector = app.collector("collector.a", &[A]).await;
    let supervisor = app.province_supervisor("supervisor").await;
    let admin = app.admin("admin").await;
    let new_user = json!({ "username": "intruder", "display_name": "X", "role": "admin", "password": "mật khẩu dài" });
    let routes: Vec<(Method, &str, Option<Value>)> = vec![
        (Method::GET, "/api/v1/admin/users", None),
        (Method::POST, "/api/v1/admin/users", Some(new_user.clone())),
        (Method::POST, "/api/v1/admin/users/collector.a/disable", Some(json!({}))),
        (Method::POST, "/api/v1/admin/users/collector.a/enable", Some(json!({}))),
        (Method::POST, "/api/v1/admin/users/collector.a/enrollments", None),
    ];
    for token in [&collector, &supervisor] {
        for (method, path, body) in &routes {
            let r = app.request(method.clone(), path, Some(token), body.as_ref()).await;
            r.assert_error(StatusCode::FORBIDDEN, "forbidden");
        }
    }
    assert!(app.db.user_by_name("intruder").await.unwrap().is_none());
    assert!(!app.db.user_by_name("collector.a").await.unwrap().unwrap().disabled);
    assert_eq!(app.get("/api/v1/me", Some(&collector)).await.status, StatusCode::OK);

    // The admin may.
    let users = app.get("/api/v1/admin/users", Some(&admin)).await;
    assert_eq!(users.status, StatusCode::OK);
    assert_eq!(users.json().as_array().unwrap().len(), 3);
    let created = app
        .post(
            "/api/v1/admin/users",
            Some(&admin),
            &json!({ "username": "collector.b", "display_name": "Chị B", "role": "collector",
                     "password": "mật khẩu dài", "communes": [{ "unit_list": "units_2025", "unit_code": B }] }),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text());
    assert_eq!(created.json()["communes"][0]["unit_code"], B);
    let again = app
        .post(
            "/api/v1/admin/users",
            Some(&admin),
            &json!({ "username": "collector.b", "display_name": "B", "role": "collector" }),
        )
        .await;
    again.assert_error(StatusCode::CONFLICT, "already_exists");
    let province = app
        .post(
            "/api/v1/admin/users",
            Some(&admin),
            &json!({ "username": "collector.c", "display_name": "C", "role": "collector",
                     "communes": [{ "unit_list": "units_2025", "unit_code": PROVINCE }] }),
        )
        .await;
    province.assert_error(StatusCode::BAD_REQUEST, "invalid");
}

// ---- enrolment -----------------------------------------------------------------------------

both!(enrolment_codes_are_single_use_and_expire);
async fn enrolment_codes_are_single_use_and_expire(app: TestApp) {
    let admin = app.admin("admin").await;
    app.create_user("collector.a", Role::Collector, &[A], false, None).await;

    let r = app.request(Method::POST, "/api/v1/admin/users/collector.a/enrollments", Some(&admin), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    let code = body["code"].as_str().unwrap().to_owned();
    assert_eq!(body["expires_in_minutes"], 7 * 24 * 60);
    assert_eq!(body["link"], format!("https://sotay.test/#/enroll/{code}"));

    let enroll = |code: String| {
        let app = &app;
        async move { app.post("/api/v1/auth/enroll", None, &json!({ "code": code, "device_id": "phone-1" })).await }
    };
    let r = enroll(code.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let session = r.json();
    assert_eq!(session["user"]["username"], "collector.a");
    let token = session["token"].as_str().unwrap().to_owned();
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "collector.a");
    let record = record_in(A);
    assert_applied(&app.push_one(&token, &new_change(&record)).await, &record, 1);

    enroll(code).await.assert_error(StatusCode::UNAUTHORIZED, "enrollment_invalid");
    enroll("not-a-code".into()).await.assert_error(StatusCode::UNAUTHORIZED, "enrollment_invalid");
    let expired = app.db.create_enrollment("collector.a", 0).await.unwrap();
    enroll(expired).await.assert_error(StatusCode::UNAUTHORIZED, "enrollment_invalid");

    // A code of a user disabled after it was made signs no one in.
    let pending = app.db.create_enrollment("collector.a", 60).await.unwrap();
    app.db.set_disabled("collector.a", true).await.unwrap();
    enroll(pending).await.assert_error(StatusCode::UNAUTHORIZED, "enrollment_invalid");

    // A lifetime can be asked for; unknown users are 404.
    app.create_user("collector.b", Role::Collector, &[B], false, None).await;
    let r = app.post("/api/v1/admin/users/collector.b/enrollments", Some(&admin), &json!({ "ttl_minutes": 60 })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["expires_in_minutes"], 60);
    let r = app.request(Method::POST, "/api/v1/admin/users/nobody/enrollments", Some(&admin), None).await;
    r.assert_error(StatusCode::NOT_FOUND, "not_found");
}

// ---- rate limiting -------------------------------------------------------------------------

both!(repeated_wrong_passwords_are_rate_limited);
async fn repeated_wrong_passwords_are_rate_limited(app: TestApp) {
    app.create_user("collector.a", Role::Collector, &[A], false, Some("mật khẩu đúng")).await;
    app.create_user("collector.b", Role::Collector, &[B], false, Some("mật khẩu đúng")).await;
    for attempt in 1..=5 {
        let r = app.sign_in("collector.a", &format!("wrong {attempt}")).await;
        r.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    let r = app.sign_in("collector.a", "mật khẩu đúng").await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    let retry_after: u64 = r.header("retry-after").expect("a Retry-After header").parse().expect("seconds");
    assert!(retry_after > 0);
    // Another user of the same address is not locked out by them.
    assert_eq!(app.sign_in("collector.b", "mật khẩu đúng").await.status, StatusCode::OK);
}

// ---- bad input -----------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Who {
    Nobody,
    Collector,
    Admin,
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("valid gzip");
    out
}

both!(bad_input_gets_a_precise_4xx_and_writes_nothing);
async fn bad_input_gets_a_precise_4xx_and_writes_nothing(app: TestApp) {
    let collector = app.collector("collector.a", &[A]).await;
    let admin = app.admin("admin").await;
    let json_ct = ("content-type", "application/json");
    let gz = ("content-encoding", "gzip");
    let push = "/api/v1/sync/push";

    let valid_push = serde_json::to_vec(&json!({ "device_id": "d", "changes": [new_change(&record_in(A))] })).unwrap();
    let mut too_big = br#"{"device_id": "d", "changes": [], "x": ""#.to_vec();
    too_big.extend(std::iter::repeat_n(b'a', 8 * 1024 * 1024 + 1));
    too_big.extend(br#""}"#);
    // Small on the wire, over the limit once decompressed.
    let mut bomb = br#"{"device_id": "d", "changes": []"#.to_vec();
    bomb.extend(std::iter::repeat_n(b' ', 9 * 1024 * 1024));
    bomb.push(b'}');
    let bomb = gzip(&bomb);
    assert!(bomb.len() < 100 * 1024);
    let record = record_in(A);
    let many: Vec<_> = (0..501).map(|_| new_change(&record)).collect();
    let too_many = serde_json::to_vec(&json!({ "device_id": "d", "changes": many })).unwrap();

    #[rustfmt::skip]
    let cases: Vec<(&str, Who, Method, &str, Vec<(&str, &str)>, Vec<u8>, StatusCode, Option<&str>)> = vec![
        ("malformed JSON", Who::Collector, Method::POST, push, vec![json_ct], br#"{"device_id": "d", "changes": ["#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid_json")),
        ("changes of the wrong type", Who::Collector, Method::POST, push, vec![json_ct], br#"{"device_id": "d", "changes": "x"}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid_json")),
        ("a change of the wrong shape", Who::Collector, Method::POST, push, vec![json_ct], br#"{"device_id": "d", "changes": [{"change_id": "nope"}]}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid_json")),
        ("changes missing", Who::Collector, Method::POST, push, vec![json_ct], br#"{"device_id": "d"}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid_json")),
        ("empty body", Who::Collector, Method::POST, push, vec![json_ct], Vec::new(), StatusCode::BAD_REQUEST, Some("invalid_json")),
        ("no content type", Who::Collector, Method::POST, push, vec![], valid_push.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type")),
        ("a text content type", Who::Collector, Method::POST, push, vec![("content-type", "text/plain")], valid_push.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type")),
        ("a body over 8 MiB", Who::Collector, Method::POST, push, vec![json_ct], too_big, StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")),
        ("a gzip body over 8 MiB decompressed", Who::Collector, Method::POST, push, vec![json_ct, gz], bomb, StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")),
        ("gzip announced, plain sent", Who::Collector, Method::POST, push, vec![json_ct, gz], valid_push.clone(), StatusCode::BAD_REQUEST, Some("invalid_json")),
        ("501 changes", Who::Collector, Method::POST, push, vec![json_ct], too_many, StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")),
        ("an unknown pull parameter", Who::Collector, Method::GET, "/api/v1/sync/pull?since=0&sort=desc", vec![], vec![], StatusCode::BAD_REQUEST, Some("invalid_json")),
        ("a negative cursor", Who::Collector, Method::GET, "/api/v1/sync/pull?since=-1", vec![], vec![], StatusCode::BAD_REQUEST, Some("invalid_json")),
        ("a cursor that is not a number", Who::Collector, Method::GET, "/api/v1/sync/pull?since=abc", vec![], vec![], StatusCode::BAD_REQUEST, Some("invalid_json")),
        ("a cursor beyond any sequence", Who::Collector, Method::GET, "/api/v1/sync/pull?since=18446744073709551615", vec![], vec![], StatusCode::BAD_REQUEST, Some("invalid_cursor")),
        ("a negative limit", Who::Collector, Method::GET, "/api/v1/sync/pull?since=0&limit=-5", vec![], vec![], StatusCode::BAD_REQUEST, Some("invalid_json")),
        ("sign-in, malformed", Who::Nobody, Method::POST, "/api/v1/auth/sign-in", vec![json_ct], b"{".to_vec(), StatusCode::BAD_REQUEST, Some("invalid_json")),
        ("sign-in, unknown field", Who::Nobody, Method::POST, "/api/v1/auth/sign-in", vec![json_ct], br#"{"username": "a", "password": "b", "device_id": "c", "admin": true}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid_json")),
        ("sign-in, empty device id", Who::Nobody, Method::POST, "/api/v1/auth/sign-in", vec![json_ct], br#"{"username": "a", "password": "b", "device_id": ""}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid_device_id")),
        ("enrol, no content type", Who::Nobody, Method::POST, "/api/v1/auth/enroll", vec![], br#"{"code": "x", "device_id": "c"}"#.to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type")),
        ("new user, bad username", Who::Admin, Method::POST, "/api/v1/admin/users", vec![json_ct], br#"{"username": "Has Spaces", "display_name": "x", "role": "collector"}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid")),
        ("new user, short password", Who::Admin, Method::POST, "/api/v1/admin/users", vec![json_ct], br#"{"username": "short.pw", "display_name": "x", "role": "collector", "password": "1234"}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid")),
        ("new user, unknown role", Who::Admin, Method::POST, "/api/v1/admin/users", vec![json_ct], br#"{"username": "new.user", "display_name": "x", "role": "root"}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid_json")),
        ("enrolment, malformed body", Who::Admin, Method::POST, "/api/v1/admin/users/collector.a/enrollments", vec![json_ct], b"{ttl".to_vec(), StatusCode::BAD_REQUEST, Some("invalid_json")),
        ("an unknown route", Who::Collector, Method::GET, "/api/v1/no-such-thing", vec![], vec![], StatusCode::NOT_FOUND, Some("not_found")),
        ("the wrong method", Who::Collector, Method::GET, push, vec![], vec![], StatusCode::METHOD_NOT_ALLOWED, None),
    ];

    let users_before = app.db.list_users().await.unwrap().len();
    for (what, who, method, path, mut headers, body, status, code) in cases {
        let bearer;
        match who {
            Who::Nobody => {}
            Who::Collector => {
                bearer = format!("Bearer {collector}");
                headers.push(("authorization", &bearer));
            }
            Who::Admin => {
                bearer = format!("Bearer {admin}");
                headers.push(("authorization", &bearer));
            }
        }
        let r = app.raw(method, path, &headers, body).await;
        assert!(!r.status.is_server_error(), "{what} ({who:?}): {} {}", r.status, r.text());
        match code {
            Some(code) => {
                assert_eq!(r.status, status, "{what}: {}", r.text());
                r.assert_error(status, code);
            }
            None => assert_eq!(r.status, status, "{what}: {}", r.text()),
        }
        assert_eq!(app.counts().await, (0, 0), "{what} wrote a record");
        assert_eq!(app.db.list_users().await.unwrap().len(), users_before, "{what} made a user");
    }

    // And the valid push the bad ones were made from goes through.
    let r =
        app.raw(Method::POST, push, &[json_ct, ("authorization", &format!("Bearer {collector}"))], valid_push).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["results"][0]["outcome"], "applied");
}

// ---- compression -----------------------------------------------------------------------------

both!(gzip_request_and_response_bodies);
async fn gzip_request_and_response_bodies(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let record = record_in(A);
    let body = serde_json::to_vec(&json!({ "device_id": "d", "changes": [new_change(&record)] })).unwrap();
    let compressed = gzip(&body);
    assert!(compressed.len() < body.len());
    let bearer = format!("Bearer {token}");
    let headers = [("content-type", "application/json"), ("content-encoding", "gzip"), ("authorization", &bearer)];
    let r = app.raw(Method::POST, "/api/v1/sync/push", &headers, compressed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_applied(&r.json()["results"][0], &record, 1);
    assert_eq!(app.counts().await, (1, 0));

    let plain = app.get("/api/v1/forms", None).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header("content-encoding"), None);
    let r = app.raw(Method::GET, "/api/v1/forms", &[("accept-encoding", "gzip")], Vec::new()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert!(r.body.len() * 3 < plain.body.len(), "{} compressed vs {} plain", r.body.len(), plain.body.len());
    let bundle: Value = serde_json::from_slice(&gunzip(&r.body)).expect("the gzip body is JSON");
    assert_eq!(bundle, plain.json());
    assert_eq!(bundle["version"], app.catalog.version());
    assert!(!bundle["forms"].as_array().unwrap().is_empty());
}

// ---- the form catalog ------------------------------------------------------------------------

both!(forms_bundle_has_an_etag_and_answers_304);
async fn forms_bundle_has_an_etag_and_answers_304(app: TestApp) {
    let r = app.get("/api/v1/forms", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let etag = r.header("etag").expect("an ETag").to_owned();
    assert_eq!(etag, format!("\"{}\"", app.catalog.version()));
    let bundle: forms::Bundle = r.parse();
    assert_eq!(bundle.version, app.catalog.version());
    assert_eq!(bundle.forms.len(), app.catalog.forms().count());
    assert!(bundle.reference.unit_lists.contains_key("units_2025"));
    // It is what the PWA rebuilds its catalog from: it must check out again.
    assert_eq!(Catalog::from_bundle(bundle).expect("the bundle is a valid catalog").version(), app.catalog.version());

    let r = app.raw(Method::GET, "/api/v1/forms", &[("if-none-match", &etag)], Vec::new()).await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.body.is_empty());
    assert_eq!(r.header("etag"), Some(etag.as_str()));
    let r = app.raw(Method::GET, "/api/v1/forms", &[("if-none-match", "\"0000000000000000\"")], Vec::new()).await;
    assert_eq!(r.status, StatusCode::OK);
}

both!(if_none_match_with_a_list_of_etags_answers_304);
async fn if_none_match_with_a_list_of_etags_answers_304(app: TestApp) {
    // RFC 9110 §13.1.2: If-None-Match is a list, and "*" matches any current representation.
    let etag = format!("\"{}\"", app.catalog.version());
    for value in [format!("\"old\", {etag}"), format!("W/{etag}"), "*".to_owned()] {
        let r = app.raw(Method::GET, "/api/v1/forms", &[("if-none-match", &value)], Vec::new()).await;
        assert_eq!(r.status, StatusCode::NOT_MODIFIED, "If-None-Match: {value}");
    }
}

both!(a_withdrawn_form_version_takes_no_new_records_but_keeps_its_old_ones);
async fn a_withdrawn_form_version_takes_no_new_records_but_keeps_its_old_ones(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let old = record_of("training_session", 1, commune(A));
    assert_applied(&app.push_one(&token, &new_change(&old)).await, &old, 1);

    let mut bundle = Catalog::bundled().unwrap().bundle();
    let i = bundle.forms.iter().position(|f| f.id == "training_session" && f.version == 1).unwrap();
    bundle.forms[i].withdrawn = true;
    let catalog = Catalog::from_bundle(bundle).unwrap();
    let app = app.with_catalog(catalog);

    let new = record_of("training_session", 1, commune(A));
    let result = app.push_one(&token, &new_change(&new)).await;
    assert_rejected_with(&result, "form_version", "form_withdrawn");
    assert_eq!(app.counts().await, (1, 0));

    let corrected = with_value(&old, "notes", json!("Đã sửa sau khi phiên bản 1 ngừng dùng."));
    assert_applied(&app.push_one(&token, &change(&corrected, 1)).await, &old, 2);
    let v2 = record_of("training_session", 2, commune(A));
    assert_applied(&app.push_one(&token, &new_change(&v2)).await, &v2, 1);
    assert_eq!(app.counts().await, (2, 0));

    let forms = app.get("/api/v1/forms", None).await.json();
    let v1 = forms["forms"].as_array().unwrap().iter().find(|f| f["id"] == "training_session" && f["version"] == 1);
    assert_eq!(v1.unwrap()["withdrawn"], true);
    assert_eq!(app.pull(&token, 0).await.catalog_version, app.catalog.version());
}

// ---- headers and service routes --------------------------------------------------------------

both!(responses_carry_security_headers_and_a_request_id);
async fn responses_carry_security_headers_and_a_request_id(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let ok = app.get("/api/v1/me", Some(&token)).await;
    let denied = app.get("/api/v1/me", None).await;
    for r in [&ok, &denied] {
        let csp = r.header("content-security-policy").expect("CSP");
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        let id = r.header("x-request-id").expect("x-request-id");
        id.parse::<Uuid>().expect("a generated request id is a UUID");
    }
    assert_ne!(ok.header("x-request-id"), denied.header("x-request-id"));
    let r = app.raw(Method::GET, "/healthz", &[("x-request-id", "proxy-42")], Vec::new()).await;
    assert_eq!(r.header("x-request-id"), Some("proxy-42"), "a request id from the proxy is kept");
}

both!(health_readiness_and_openapi);
async fn health_readiness_and_openapi(app: TestApp) {
    let r = app.get("/healthz", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["catalog_version"], app.catalog.version());
    let r = app.get("/api/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").is_some_and(|ct| ct.starts_with("application/json")));
    assert!(r.json()["paths"]["/api/v1/sync/push"].is_object());
    // Readiness follows the database.
    app.db.pool.close().await;
    let r = app.get("/readyz", None).await;
    r.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
}

// ---- batches and concurrency -----------------------------------------------------------------

both!(changes_of_one_record_in_one_batch_apply_in_order);
async fn changes_of_one_record_in_one_batch_apply_in_order(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let record = record_in(A);
    let edited = with_value(&record, "place", json!("Sân bóng thôn"));
    let results = app.push(&token, &[new_change(&record), change(&edited, 1)]).await;
    assert_applied(&results[0], &record, 1);
    assert_applied(&results[1], &record, 2);
    // Two changes from the same base: the second is a conflict (docs/sync-protocol.md).
    let a = with_value(&record, "place", json!("Một"));
    let b = with_value(&record, "place", json!("Hai"));
    let results = app.push(&token, &[change(&a, 2), change(&b, 2)]).await;
    assert_applied(&results[0], &record, 3);
    assert_eq!(results[1]["outcome"], "conflict", "{}", results[1]);
    assert_eq!(results[1]["current"]["revision"], 3);
    assert_eq!(results[1]["current"]["values"]["place"], "Một");
    assert_eq!(app.counts().await, (1, 1));
}

both!(a_full_batch_of_500_changes_is_applied);
async fn a_full_batch_of_500_changes_is_applied(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let changes: Vec<_> = (0..500).map(|_| new_change(&record_in(A))).collect();
    let results = app.push(&token, &changes).await;
    assert!(results.iter().all(|r| r["outcome"] == "applied" && r["revision"] == 1));
    assert_eq!(app.counts().await, (500, 0));
    // Retried as a whole (the response was lost): every change is a duplicate.
    let again = app.push(&token, &changes).await;
    assert!(again.iter().all(|r| r["duplicate"] == true && r["outcome"] == "applied"));
    assert_eq!(app.counts().await, (500, 0));
    let page = app.get("/api/v1/sync/pull?since=0&limit=1000", Some(&token)).await.parse::<PullResponse>();
    assert_eq!(page.records.len(), 500);
    assert!(!page.has_more);
}

both!(concurrent_pushes_apply_each_change_once);
async fn concurrent_pushes_apply_each_change_once(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let record = record_in(A);
    let c = new_change(&record);
    let (first, second) = tokio::join!(app.push_one(&token, &c), app.push_one(&token, &c));
    let mut duplicates = [first["duplicate"].as_bool().unwrap(), second["duplicate"].as_bool().unwrap()];
    duplicates.sort();
    assert_eq!(duplicates, [false, true], "{first} / {second}");
    assert_applied(&first, &record, 1);
    assert_applied(&second, &record, 1);
    assert_eq!(app.counts().await, (1, 0));

    // Many devices at once: every record lands, each change with a cursor of its own.
    let records: Vec<Record> = (0..8).map(|_| record_in(A)).collect();
    let pushes = records.iter().map(|r| {
        let change = new_change(r);
        let (app, token) = (&app, &token);
        async move { app.push_one(token, &change).await }
    });
    for result in futures_join_all(pushes).await {
        assert_eq!(result["outcome"], "applied", "{result}");
    }
    let page = app.pull(&token, 0).await;
    assert_eq!(page.records.len(), 9);
    let mut cursors: Vec<u64> = page.records.iter().map(|r| r.cursor).collect();
    let in_order = cursors.clone();
    cursors.sort();
    cursors.dedup();
    assert_eq!(cursors, in_order, "distinct cursors, ascending");
}

/// Runs futures concurrently on the test's runtime (no `futures` dependency needed).
async fn futures_join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *output = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(Option::unwrap).collect()
}

// ---- found by these tests and fixed: kept as regression tests -------------------------------------------

both!(a_withdrawn_version_takes_no_new_record_whatever_its_base_revision);
async fn a_withdrawn_version_takes_no_new_record_whatever_its_base_revision(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let v2_record = record_of("training_session", 2, commune(A));
    assert_applied(&app.push_one(&token, &new_change(&v2_record)).await, &v2_record, 1);

    let mut bundle = Catalog::bundled().unwrap().bundle();
    let i = bundle.forms.iter().position(|f| f.id == "training_session" && f.version == 1).unwrap();
    bundle.forms[i].withdrawn = true;
    let app = app.with_catalog(Catalog::from_bundle(bundle).unwrap());

    // A record the server never had, sent with a made-up base revision.
    let unknown = record_of("training_session", 1, commune(A));
    let sneaked = app.push_one(&token, &change(&unknown, 1)).await;
    // An existing v2 record switched to the withdrawn v1.
    let mut downgraded = record_of("training_session", 1, commune(A));
    downgraded.id = v2_record.id;
    let switched = app.push_one(&token, &change(&downgraded, 1)).await;

    let mut failures = Vec::new();
    for (what, result) in [("unknown record, base 1", &sneaked), ("v2 record switched to v1", &switched)] {
        let codes = result["errors"].as_array().map(|e| e.iter().map(|e| e["code"].clone()).collect::<Vec<_>>());
        if result["outcome"] != "rejected" || !codes.is_some_and(|c| c.contains(&json!("form_withdrawn"))) {
            failures.push(format!("{what}: {result}"));
        }
    }
    assert!(failures.is_empty(), "new records of a withdrawn version were taken:\n{}", failures.join("\n"));
    assert_eq!(app.counts().await, (1, 0));
}

fn peer(ip: &str) -> axum::extract::ConnectInfo<std::net::SocketAddr> {
    axum::extract::ConnectInfo(std::net::SocketAddr::new(ip.parse().unwrap(), 40000))
}

/// A sign-in from a socket peer, with extra headers.
async fn sign_in_from(
    app: &TestApp,
    from: &str,
    headers: &[(&str, &str)],
    username: &str,
    password: &str,
) -> common::Response {
    let body = json!({ "username": username, "password": password, "device_id": "d" });
    let mut builder = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/sign-in")
        .header("content-type", "application/json")
        .extension(peer(from));
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    app.send(builder.body(axum::body::Body::from(body.to_string())).unwrap()).await
}

both!(failed_sign_ins_are_limited_per_address);
async fn failed_sign_ins_are_limited_per_address(app: TestApp) {
    // Password spraying: one guess each for many user names, from one address.
    for i in 0..20 {
        let r = sign_in_from(&app, "198.51.100.7", &[], &format!("user{i}"), "Password1").await;
        r.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    let r = sign_in_from(&app, "198.51.100.7", &[], "user20", "Password1").await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert!(r.header("retry-after").is_some());
    // Not behind a trusted proxy, X-Forwarded-For is the client's word and is ignored.
    let r = sign_in_from(&app, "198.51.100.7", &[("x-forwarded-for", "192.0.2.1")], "user21", "Password1").await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    // Another address is not affected.
    let r = sign_in_from(&app, "198.51.100.8", &[], "user22", "Password1").await;
    r.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
}

both!(behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw);
async fn behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(app: TestApp) {
    let app = app.with_settings(sync_server::Settings { trust_proxy: true, ..common::test_settings() });
    // The proxy (10.0.0.2) appends the address it saw to whatever the client sent: only
    // the rightmost entry can be trusted. A client rotating a forged first entry must not
    // escape the per-address limit.
    for i in 0..20 {
        let forwarded = format!("203.0.113.{i}, 198.51.100.7");
        let r =
            sign_in_from(&app, "10.0.0.2", &[("x-forwarded-for", &forwarded)], &format!("user{i}"), "Password1").await;
        r.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    let r = sign_in_from(&app, "10.0.0.2", &[("x-forwarded-for", "203.0.113.99, 198.51.100.7")], "user20", "Password1")
        .await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
}

both!(an_unsupported_content_encoding_gets_the_json_415);
async fn an_unsupported_content_encoding_gets_the_json_415(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let body = serde_json::to_vec(&json!({ "device_id": "d", "changes": [new_change(&record_in(A))] })).unwrap();
    let bearer = format!("Bearer {token}");
    for encoding in ["br", "zstd"] {
        let headers =
            [("content-type", "application/json"), ("content-encoding", encoding), ("authorization", &bearer)];
        let r = app.raw(Method::POST, "/api/v1/sync/push", &headers, body.clone()).await;
        // docs/sync-protocol.md: "Other encodings are refused with 415" and "Every error
        // body is {"error": code, "message": {"vi", "en"}}".
        r.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    }
    assert_eq!(app.counts().await, (0, 0));
}

both!(unknown_api_routes_get_a_json_404);
async fn unknown_api_routes_get_a_json_404(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    for path in ["/api/v1/no-such-thing", "/api/v1/sync/pulls", "/api/v1/admin/users/x/y/z"] {
        app.get(path, Some(&token)).await.assert_error(StatusCode::NOT_FOUND, "not_found");
        app.get(path, None).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    }
}

both!(a_wrong_method_gets_a_json_405);
async fn a_wrong_method_gets_a_json_405(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    // docs/sync-protocol.md: "Every error body is {"error": code, "message": {"vi", "en"}}".
    for (method, path) in
        [(Method::GET, "/api/v1/sync/push"), (Method::DELETE, "/api/v1/me"), (Method::PUT, "/api/v1/forms")]
    {
        let r = app.request(method.clone(), path, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(r.header("allow").is_some(), "{method} {path}: an Allow header");
        assert!(r.json()["message"]["en"].is_string(), "{method} {path}: {}", r.text());
    }
}

both!(a_change_id_used_by_another_user_is_refused_without_revealing_its_outcome);
async fn a_change_id_used_by_another_user_is_refused_without_revealing_its_outcome(app: TestApp) {
    let collector_a = app.collector("collector.a", &[A]).await;
    let supervisor = app.province_supervisor("supervisor").await;
    let record = record_in(A);
    let original = new_change(&record);
    assert_applied(&app.push_one(&collector_a, &original).await, &record, 1);
    let edit = with_value(&record, "place", json!("Bí mật"));
    let stale = change(&edit, 0);
    assert_eq!(app.push_one(&collector_a, &stale).await["outcome"], "conflict");

    // Someone else sends changes under those ids (a replay, or a client bug).
    let other = record_in(A);
    for taken in [original.change_id, stale.change_id] {
        let replay = forms::sync::Change { change_id: taken, base_revision: 0, record: other.clone() };
        let result = app.push_one(&supervisor, &replay).await;
        assert_rejected_with(&result, "change_id", "invalid_record");
        assert!(result.get("current").is_none() && result.get("revision").is_none(), "{result}");
    }
    assert!(app.db.record(other.id).await.unwrap().is_none());
    assert_eq!(app.counts().await, (1, 1));
    // Its owner still gets the original outcome.
    let again = app.push_one(&collector_a, &original).await;
    assert_eq!(again["duplicate"], true);
    assert_applied(&again, &record, 1);
}

both!(with_the_pwa_served_unknown_api_routes_are_still_404);
async fn with_the_pwa_served_unknown_api_routes_are_still_404(app: TestApp) {
    let pwa = tempfile::tempdir().unwrap();
    std::fs::write(pwa.path().join("index.html"), "<!doctype html><title>sotay</title>").unwrap();
    let app =
        app.with_settings(sync_server::Settings { pwa_dir: Some(pwa.path().to_owned()), ..common::test_settings() });
    let token = app.collector("collector.a", &[A]).await;
    // The PWA's own routes fall back to index.html …
    let r = app.get("/records/123", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("sotay"));
    // … but an API client with a typo must not get a 200 HTML page.
    for path in ["/api/v1/no-such-thing", "/api/v1/sync/pulls", "/api/v2/sync/pull", "/api/openapi.yaml"] {
        let r = app.get(path, Some(&token)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {} {}", r.status, r.header("content-type").unwrap_or(""));
    }
}
