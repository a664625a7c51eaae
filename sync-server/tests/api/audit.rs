//! The audit log (issue 14): every administrative action through the API writes exactly one
//! row — who, from which address, what, on whom, before and after — and a refused one
//! none; no password, token or code is ever in it; admins alone read it, filtered, paged
//! and exported; nothing in the API (or the database) changes it.

use axum::body::Body;
use axum::http::Request;

use super::*;

const PASSWORD: &str = "mật khẩu dài";
/// Where the admin's browser is.
const FROM: &str = "203.0.113.9";
/// Where the phone that enrols is.
const PHONE_AT: &str = "198.51.100.20";

/// A request from a socket peer at `from`, with an optional token and JSON body.
async fn call(
    app: &TestApp,
    from: &str,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> common::Response {
    let peer = std::net::SocketAddr::new(from.parse().unwrap(), 40000);
    let mut builder = Request::builder().method(method).uri(path).extension(axum::extract::ConnectInfo(peer));
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    let body = match body {
        Some(json) => {
            builder = builder.header("content-type", "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    app.send(builder.body(body).unwrap()).await
}

/// The log as the admin reads it, newest first.
async fn log(app: &TestApp, admin: &str, query: &str) -> Value {
    let r = app.get(&format!("/api/v1/admin/audit{query}"), Some(admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn total(app: &TestApp, admin: &str) -> u64 {
    log(app, admin, "?per_page=1").await["total"].as_u64().unwrap()
}

/// Asserts that `object` has every key of `expected` with the same value.
fn has(object: &Value, expected: &Value, what: &str) {
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&object[key], value, "{what}: {key} in {object}");
    }
}

struct Expected<'a> {
    action: &'a str,
    actor: &'a str,
    address: &'a str,
    target: &'a str,
    before: Option<Value>,
    after: Option<Value>,
}

/// Exactly one row more than `seen`, the newest, as expected; the new total.
async fn one_more_row(app: &TestApp, admin: &str, seen: u64, what: &str, expected: &Expected<'_>) -> u64 {
    let page = log(app, admin, "").await;
    assert_eq!(page["total"].as_u64().unwrap(), seen + 1, "{what}: one row per action: {page}");
    let row = &page["items"][0];
    assert_eq!(row["action"], expected.action, "{what}: {row}");
    assert_eq!(row["actor_username"], expected.actor, "{what}: {row}");
    assert_eq!(row["address"], expected.address, "{what}: {row}");
    assert_eq!(row["target_kind"], "user", "{what}: {row}");
    assert_eq!(row["target_id"], expected.target, "{what}: {row}");
    match &expected.before {
        Some(before) => has(&row["before"], before, what),
        None => assert!(row["before"].is_null(), "{what}: nothing before: {row}"),
    }
    match &expected.after {
        Some(after) => has(&row["after"], after, what),
        None => assert!(row["after"].is_null(), "{what}: nothing after: {row}"),
    }
    assert!(row["at"].as_i64().unwrap() > 1_700_000_000_000, "{what}: a time in ms: {row}");
    seen + 1
}

both!(every_admin_action_writes_one_row);
async fn every_admin_action_writes_one_row(app: TestApp) {
    let admin = app.admin("admin").await;
    app.collector("col.a", &[A]).await;
    let mut seen = total(&app, &admin).await;
    let communes_a = json!([{ "unit_list": "units_2025", "unit_code": A }]);
    let communes_b = json!([{ "unit_list": "units_2025", "unit_code": B }]);
    let expect = |action, target, before: Option<Value>, after: Option<Value>| Expected {
        action,
        actor: "admin",
        address: FROM,
        target,
        before,
        after,
    };
    // (what, method, path, body, what the row says).
    let cases: Vec<(&str, Method, &str, Option<Value>, Expected)> = vec![
        (
            "create a collector",
            Method::POST,
            "/api/v1/admin/users",
            Some(json!({ "username": "lan", "display_name": "Chị Lan", "role": "collector", "password": PASSWORD,
                         "communes": communes_a })),
            expect(
                "user_created",
                "lan",
                None,
                Some(
                    json!({ "role": "collector", "display_name": "Chị Lan", "disabled": false, "communes": communes_a }),
                ),
            ),
        ),
        (
            "make her a supervisor",
            Method::PATCH,
            "/api/v1/admin/users/lan",
            Some(json!({ "role": "supervisor" })),
            expect("user_changed", "lan", Some(json!({ "role": "collector" })), Some(json!({ "role": "supervisor" }))),
        ),
        (
            "put her in charge of an agency",
            Method::PATCH,
            "/api/v1/admin/users/lan",
            Some(json!({ "agency": "so_noi_vu" })),
            expect("user_changed", "lan", Some(json!({ "agency": null })), Some(json!({ "agency": "so_noi_vu" }))),
        ),
        (
            "move and rename her",
            Method::PATCH,
            "/api/v1/admin/users/lan",
            Some(json!({ "display_name": "Chị Lan B", "communes": communes_b })),
            expect(
                "user_changed",
                "lan",
                Some(json!({ "display_name": "Chị Lan", "communes": communes_a })),
                Some(json!({ "display_name": "Chị Lan B", "communes": communes_b })),
            ),
        ),
        (
            "disable her",
            Method::POST,
            "/api/v1/admin/users/lan/disable",
            None,
            expect("user_disabled", "lan", Some(json!({ "disabled": false })), Some(json!({ "disabled": true }))),
        ),
        (
            "enable her",
            Method::POST,
            "/api/v1/admin/users/lan/enable",
            None,
            expect("user_enabled", "lan", Some(json!({ "disabled": true })), Some(json!({ "disabled": false }))),
        ),
        (
            "a new password",
            Method::POST,
            "/api/v1/admin/users/lan/password",
            None,
            expect("password_reset", "lan", None, Some(json!({ "sessions_ended": 0 }))),
        ),
    ];
    let mut secrets: Vec<String> = vec![PASSWORD.to_owned()];
    for (what, method, path, body, expected) in cases {
        let r = call(&app, FROM, method, path, Some(&admin), body.as_ref()).await;
        assert_eq!(r.status, StatusCode::OK, "{what}: {}", r.text());
        secrets.extend(r.json()["password"].as_str().map(str::to_owned));
        seen = one_more_row(&app, &admin, seen, what, &expected).await;
    }

    // Refused actions write nothing: the last admin demoted (409), someone absent (404).
    let refused = [
        (Method::PATCH, "/api/v1/admin/users/admin", Some(json!({ "role": "supervisor" })), StatusCode::CONFLICT),
        (Method::POST, "/api/v1/admin/users/nobody/disable", None, StatusCode::NOT_FOUND),
        (
            Method::POST,
            "/api/v1/admin/users",
            Some(json!({ "username": "lan", "display_name": "x", "role": "collector",
            "communes": communes_a })),
            StatusCode::CONFLICT,
        ),
    ];
    for (method, path, body, status) in refused {
        let r = call(&app, FROM, method.clone(), path, Some(&admin), body.as_ref()).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.text());
        assert_eq!(total(&app, &admin).await, seen, "{method} {path}: refused, so no row");
    }

    // Enrolment: issued for a user, revoked; issued for a commune (its one collector), used
    // from a phone (the row is the enrolled user's, from the phone's address), the phone
    // signed out.
    let issued = call(&app, FROM, Method::POST, "/api/v1/admin/users/col.a/enrollments", Some(&admin), None).await;
    let first = issued.json()["id"].as_str().unwrap().to_owned();
    secrets.push(issued.json()["code"].as_str().unwrap().to_owned());
    let after = json!({ "enrollment": first });
    seen = one_more_row(&app, &admin, seen, "a link", &expect("enrolment_issued", "col.a", None, Some(after))).await;
    let r = call(&app, FROM, Method::DELETE, &format!("/api/v1/admin/enrollments/{first}"), Some(&admin), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let before = json!({ "enrollment": first });
    seen = one_more_row(&app, &admin, seen, "revoked", &expect("enrolment_revoked", "col.a", Some(before), None)).await;
    let again =
        call(&app, FROM, Method::DELETE, &format!("/api/v1/admin/enrollments/{first}"), Some(&admin), None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(total(&app, &admin).await, seen, "revoking twice: one row");

    let body = json!({ "unit_code": A });
    let sheet = call(&app, FROM, Method::POST, "/api/v1/admin/enrollments", Some(&admin), Some(&body)).await;
    let items = sheet.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "col.a is the one collector of A: {items:?}");
    let (id, code) = (items[0]["id"].as_str().unwrap(), items[0]["code"].as_str().unwrap().to_owned());
    secrets.push(code.clone());
    let after = json!({ "enrollment": id });
    seen = one_more_row(&app, &admin, seen, "a sheet", &expect("enrolment_issued", "col.a", None, Some(after))).await;

    let enrol = json!({ "code": code, "device_id": "phone-1" });
    let session = call(&app, PHONE_AT, Method::POST, "/api/v1/auth/enroll", None, Some(&enrol)).await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.text());
    secrets.push(session.json()["token"].as_str().unwrap().to_owned());
    let used = Expected {
        action: "enrolment_used",
        actor: "col.a",
        address: PHONE_AT,
        target: "col.a",
        before: None,
        after: Some(json!({ "enrollment": id, "device_id": "phone-1" })),
    };
    seen = one_more_row(&app, &admin, seen, "enrolled", &used).await;
    let spent = call(&app, PHONE_AT, Method::POST, "/api/v1/auth/enroll", None, Some(&enrol)).await;
    assert_eq!(spent.status, StatusCode::UNAUTHORIZED, "{}", spent.text());
    assert_eq!(total(&app, &admin).await, seen, "a spent code: no row");

    let body = json!({ "username": "col.a", "device_id": "phone-1" });
    let r = call(&app, FROM, Method::POST, "/api/v1/admin/devices/sign-out", Some(&admin), Some(&body)).await;
    assert_eq!(r.json()["signed_out"], 1, "{}", r.text());
    let after = json!({ "device_id": "phone-1", "sessions_ended": 1 });
    one_more_row(&app, &admin, seen, "signed out", &expect("device_signed_out", "col.a", None, Some(after))).await;

    // No password, token or code anywhere in the log or its exports.
    let everything = [
        log(&app, &admin, "?per_page=200").await.to_string(),
        app.get("/api/v1/admin/audit.csv", Some(&admin)).await.text(),
    ];
    for secret in &secrets {
        for text in &everything {
            assert!(!text.contains(secret.as_str()), "a secret in the log: {secret}");
        }
    }
}

both!(admins_alone_read_it_filtered_and_exported);
async fn admins_alone_read_it_filtered_and_exported(app: TestApp) {
    let admin = app.admin("admin").await;
    let supervisor = app.province_supervisor("sup.all").await;
    let collector = app.collector("col.a", &[A]).await;
    for name in ["lan", "mai"] {
        let body = json!({ "username": name, "display_name": "Chị", "role": "collector", "communes": [
            { "unit_list": "units_2025", "unit_code": A }] });
        assert_eq!(call(&app, FROM, Method::POST, "/api/v1/admin/users", Some(&admin), Some(&body)).await.status, 200);
    }
    call(&app, FROM, Method::POST, "/api/v1/admin/users/lan/disable", Some(&admin), None).await;

    // A supervisor and a collector.
    for token in [&supervisor, &collector] {
        for path in ["/api/v1/admin/audit", "/api/v1/admin/audit.csv", "/api/v1/admin/audit.xlsx"] {
            app.get(path, Some(token)).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
        }
    }
    app.get("/api/v1/admin/audit", None).await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");

    let today = chrono::Utc::now().with_timezone(&forms::dates::vietnam_offset()).date_naive();
    let yesterday = today.pred_opt().unwrap();
    let targets = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|r| r["target_id"].as_str().unwrap().to_owned()).collect()
    };
    let actions = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap().to_owned()).collect()
    };
    // Setup rows (the three users made directly) are the command line's.
    let by_cli = log(&app, &admin, "?actor=(cli)").await;
    assert_eq!(by_cli["total"], 3, "{by_cli}");
    assert!(by_cli["items"][0]["actor_id"].is_null());
    let by_admin = log(&app, &admin, "?actor=admin").await;
    assert_eq!(actions(&by_admin), ["user_disabled", "user_created", "user_created"], "newest first");
    assert_eq!(targets(&by_admin), ["lan", "mai", "lan"]);
    assert_eq!(targets(&log(&app, &admin, "?action=user_disabled").await), ["lan"]);
    assert_eq!(actions(&log(&app, &admin, "?target=lan").await), ["user_disabled", "user_created"]);
    assert_eq!(log(&app, &admin, &format!("?from={today}&to={today}")).await["total"], 6);
    assert_eq!(log(&app, &admin, &format!("?to={yesterday}")).await["total"], 0);
    assert_eq!(log(&app, &admin, "?action=&actor=&from=").await["total"], 6, "empty parameters filter nothing");
    let paged = log(&app, &admin, "?actor=admin&per_page=2&page=2").await;
    assert_eq!((paged["total"].as_u64(), targets(&paged)), (Some(3), vec!["lan".to_owned()]));
    for (query, code) in [
        ("?action=user_deleted", "invalid_action"),
        ("?from=12/05/2026", "invalid_date"),
        (&format!("?from={today}&to={yesterday}"), "invalid_date"),
        ("?per_page=500", "invalid_paging"),
        ("?colour=red", "invalid_json"),
    ] {
        app.get(&format!("/api/v1/admin/audit{query}"), Some(&admin)).await.assert_error(StatusCode::BAD_REQUEST, code);
    }

    // The exports hold the filtered rows, in Vietnamese, newest first.
    let csv = app.get("/api/v1/admin/audit.csv?actor=admin", Some(&admin)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.header("content-disposition").unwrap().contains(".csv"));
    assert!(csv.body.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = csv.text();
    // Before and after are cells of several lines: a row is what starts with a time.
    let rows: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert!(rows[0].starts_with("Thời gian,Người thực hiện,Địa chỉ,Thao tác,Đối tượng,Trước,Sau"), "{text}");
    let by_admin: Vec<&&str> = rows.iter().filter(|r| r.contains(&format!(",admin,{FROM},"))).collect();
    assert_eq!(by_admin.len(), 3, "three rows: {text}");
    assert!(by_admin[0].contains(",Khóa tài khoản,lan,disabled: false,"), "newest first: {text}");

    let x = app.get("/api/v1/admin/audit.xlsx?action=user_created", Some(&admin)).await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.header("content-disposition").unwrap().contains(".xlsx"));
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(x.body.to_vec())).unwrap();
    use calamine::Reader;
    let sheet = workbook.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|row| row.iter().map(|c| c.to_string()).collect()).collect();
    let created: Vec<&str> =
        rows.iter().filter(|r| r.get(3).is_some_and(|c| c == "Tạo người dùng")).map(|r| r[4].as_str()).collect();
    assert_eq!(created, ["mai", "lan", "col.a", "sup.all", "admin"], "{rows:?}");
    assert!(rows.iter().any(|r| r.get(1).is_some_and(|c| c == "Dòng lệnh máy chủ")), "the command line named");
}

both!(nothing_changes_it);
async fn nothing_changes_it(app: TestApp) {
    let admin = app.admin("admin").await;
    let rows = total(&app, &admin).await;
    let first = log(&app, &admin, "").await["items"][0]["id"].as_i64().unwrap();
    let body = json!({ "action": "user_enabled", "before": null });
    for path in [
        "/api/v1/admin/audit".to_owned(),
        "/api/v1/admin/audit.csv".to_owned(),
        "/api/v1/admin/audit.xlsx".to_owned(),
        format!("/api/v1/admin/audit/{first}"),
    ] {
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let r = call(&app, FROM, method.clone(), &path, Some(&admin), Some(&body)).await;
            assert!(
                [StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&r.status),
                "{method} {path}: {}",
                r.status
            );
        }
    }
    assert_eq!(total(&app, &admin).await, rows);
    // Nor can SQL typed at the database (migration 0011's triggers).
    for sql in ["UPDATE audit_log SET action = 'user_enabled'", "DELETE FROM audit_log"] {
        assert!(sqlx::query(sql).execute(&app.db.pool).await.is_err(), "{sql} is refused");
    }
    assert_eq!(log(&app, &admin, "").await["items"][0]["action"], "user_created");
    assert_eq!(total(&app, &admin).await, rows);
}
