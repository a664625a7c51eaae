//! The console's users, enrolment and phones (docs/console-api.md): who sees and manages
//! whom, which supervisor is in charge of which agency, links for a commune, and the sync
//! health the phones report.

use axum::body::Body;
use axum::http::Request;

use super::*;

const PASSWORD: &str = "mật khẩu dài";

/// Signs `username` in on `device_id`, as a phone or as the console.
async fn sign_in_on(app: &TestApp, username: &str, device_id: &str, client: Option<&str>) -> String {
    let mut body = json!({ "username": username, "password": PASSWORD, "device_id": device_id });
    if let Some(client) = client {
        body["client"] = json!(client);
    }
    let r = app.post("/api/v1/auth/sign-in", None, &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["token"].as_str().unwrap().to_owned()
}

/// A push or pull carrying the device-state headers.
async fn sync_reporting(app: &TestApp, token: &str, pull: bool, headers: &[(&str, &str)]) -> StatusCode {
    let (method, uri, body) = if pull {
        (Method::GET, "/api/v1/sync/pull?since=0", Body::empty())
    } else {
        (Method::POST, "/api/v1/sync/push", Body::from(json!({ "device_id": "x", "changes": [] }).to_string()))
    };
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.send(request.body(body).unwrap()).await.status
}

fn usernames(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_owned()).collect()
}

fn commune_of(code: &str) -> Value {
    json!([{ "unit_list": "units_2025", "unit_code": code }])
}

/// Admin, supervisors of A, of B and of the province, and collectors of A, B, A+B.
async fn people(app: &TestApp) -> [String; 4] {
    let admin = app.admin("admin").await;
    let sup_a = app.user_with_token("sup.a", Role::Supervisor, &[A], false).await;
    let sup_b = app.user_with_token("sup.b", Role::Supervisor, &[B], false).await;
    app.province_supervisor("sup.all").await;
    let col_a = app.collector("col.a", &[A]).await;
    app.collector("col.b", &[B]).await;
    app.collector("col.ab", &[A, B]).await;
    [admin, sup_a, sup_b, col_a]
}

both!(the_users_list_shows_whom_the_caller_manages);
async fn the_users_list_shows_whom_the_caller_manages(app: TestApp) {
    let [admin, sup_a, sup_b, col_a] = people(&app).await;
    let everyone = ["admin", "col.a", "col.ab", "col.b", "sup.a", "sup.all", "sup.b"];
    let by_b = format!("?commune={B}");
    let cases: Vec<(&str, &str, String, Vec<&str>)> = vec![
        ("admin, everyone", "", admin.clone(), everyone.to_vec()),
        ("supervisor of A: collectors wholly in A", "", sup_a.clone(), vec!["col.a"]),
        ("supervisor of B", "", sup_b.clone(), vec!["col.b"]),
        ("admin, collectors", "?role=collector", admin.clone(), vec!["col.a", "col.ab", "col.b"]),
        ("admin, in commune B", &by_b, admin.clone(), vec!["col.ab", "col.b", "sup.b"]),
        ("admin, by name", "?q=SUP.", admin.clone(), vec!["sup.a", "sup.all", "sup.b"]),
        ("admin, paged", "?per_page=2&page=2", admin.clone(), vec!["col.ab", "col.b"]),
        ("admin, disabled", "?status=disabled", admin.clone(), vec![]),
    ];
    for (what, query, token, expected) in cases {
        let r = app.get(&format!("/api/v1/admin/users{query}"), Some(&token)).await;
        assert_eq!(r.status, StatusCode::OK, "{what}: {}", r.text());
        assert_eq!(usernames(&r.json()), expected, "{what}");
    }
    let all = app.get("/api/v1/admin/users", Some(&admin)).await.json();
    assert_eq!(all["total"], 7);
    assert_eq!(all["items"][1]["communes"][0]["name"].as_str().map(|n| !n.is_empty()), Some(true));
    app.get("/api/v1/admin/users", Some(&col_a)).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    app.get("/api/v1/admin/users?per_page=500", Some(&admin))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_paging");
    app.get("/api/v1/admin/users?colour=red", Some(&admin)).await.assert_error(StatusCode::BAD_REQUEST, "invalid_json");
}

both!(who_may_create_and_edit_whom);
async fn who_may_create_and_edit_whom(app: TestApp) {
    let [admin, sup_a, _sup_b, col_a] = people(&app).await;
    let new = |name: &str, role: &str, communes: Value| json!({ "username": name, "display_name": "Chị Mới", "role": role, "password": PASSWORD, "communes": communes });
    let creations: Vec<(&str, &String, Value, StatusCode)> = vec![
        ("supervisor: a collector in A", &sup_a, new("new.a", "collector", commune_of(A)), StatusCode::OK),
        ("supervisor: a collector in B", &sup_a, new("new.b", "collector", commune_of(B)), StatusCode::FORBIDDEN),
        ("supervisor: a collector nowhere", &sup_a, new("new.none", "collector", json!([])), StatusCode::FORBIDDEN),
        ("supervisor: a supervisor", &sup_a, new("new.sup", "supervisor", commune_of(A)), StatusCode::FORBIDDEN),
        ("supervisor: an admin", &sup_a, new("new.admin", "admin", json!([])), StatusCode::FORBIDDEN),
        ("collector: anyone", &col_a, new("new.c", "collector", commune_of(A)), StatusCode::FORBIDDEN),
        ("admin: a supervisor", &admin, new("new.sup2", "supervisor", commune_of(B)), StatusCode::OK),
        (
            "admin: the province",
            &admin,
            new("new.p", "collector", json!([{ "unit_list": "units_2025", "unit_code": PROVINCE }])),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (what, token, body, status) in creations {
        let r = app.post("/api/v1/admin/users", Some(token), &body).await;
        assert_eq!(r.status, status, "{what}: {}", r.text());
        let created = app.db.user_by_name(body["username"].as_str().unwrap()).await.unwrap();
        assert_eq!(created.is_some(), status == StatusCode::OK, "{what}: stored only when allowed");
    }

    let patch = |token: &String, who: &str, body: Value| {
        let (token, path) = (token.clone(), format!("/api/v1/admin/users/{who}"));
        let app = &app;
        async move { app.request(Method::PATCH, &path, Some(&token), Some(&body)).await }
    };
    let edits: Vec<(&str, &String, &str, Value, StatusCode)> = vec![
        ("supervisor renames a collector of A", &sup_a, "col.a", json!({ "display_name": "Chị A" }), StatusCode::OK),
        (
            "supervisor moves them out of A",
            &sup_a,
            "col.a",
            json!({ "communes": commune_of(B) }),
            StatusCode::FORBIDDEN,
        ),
        ("supervisor promotes them", &sup_a, "col.a", json!({ "role": "supervisor" }), StatusCode::FORBIDDEN),
        ("supervisor edits a collector of B", &sup_a, "col.b", json!({ "display_name": "x" }), StatusCode::NOT_FOUND),
        (
            "admin moves a collector to A and B",
            &admin,
            "col.a",
            json!({ "communes": [
            { "unit_list": "units_2025", "unit_code": A }, { "unit_list": "units_2025", "unit_code": B }] }),
            StatusCode::OK,
        ),
        ("admin demotes the last admin", &admin, "admin", json!({ "role": "supervisor" }), StatusCode::CONFLICT),
        (
            "a control character in a name",
            &admin,
            "col.b",
            json!({ "display_name": "a\u{0}b" }),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (what, token, who, body, status) in edits {
        let r = patch(token, who, body).await;
        assert_eq!(r.status, status, "{what}: {}", r.text());
    }
    let col_a_now = app.db.user_by_name("col.a").await.unwrap().unwrap();
    assert_eq!(col_a_now.display_name, "Chị A");
    assert_eq!(col_a_now.communes.len(), 2, "the admin's move, not the supervisor's");
    assert_eq!(app.db.user_by_name("admin").await.unwrap().unwrap().role, Role::Admin);
    // Now in A and B, col.a is no longer wholly the supervisor of A's.
    patch(&sup_a, "col.a", json!({ "display_name": "y" })).await.assert_error(StatusCode::NOT_FOUND, "not_found");

    // Disable and enable within scope only.
    let r = app.post("/api/v1/admin/users/new.a/disable", Some(&sup_a), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(app.db.user_by_name("new.a").await.unwrap().unwrap().disabled);
    let r = app.post("/api/v1/admin/users/col.b/disable", Some(&sup_a), &json!({})).await;
    r.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(!app.db.user_by_name("col.b").await.unwrap().unwrap().disabled);
}

both!(only_a_supervisor_is_put_in_charge_of_a_known_agency);
async fn only_a_supervisor_is_put_in_charge_of_a_known_agency(app: TestApp) {
    let [admin, sup_a, _sup_b, _col_a] = people(&app).await;
    let new = |name: &str, role: &str, agency: Value| json!({ "username": name, "display_name": "Anh Mới", "role": role, "communes": commune_of(A), "agency": agency });
    let (bad, needs) = (StatusCode::BAD_REQUEST, "agency_needs_supervisor");
    let creations: Vec<(&str, &String, Value, StatusCode, &str)> = vec![
        ("a supervisor in charge", &admin, new("new.sup", "supervisor", json!("so_noi_vu")), StatusCode::OK, ""),
        ("an unknown agency", &admin, new("new.x", "supervisor", json!("so_khong_co")), bad, "unknown_agency"),
        ("an empty code", &admin, new("new.e", "supervisor", json!("")), bad, "unknown_agency"),
        ("a collector", &admin, new("new.c", "collector", json!("so_noi_vu")), bad, needs),
        ("an admin", &admin, new("new.adm", "admin", json!("so_noi_vu")), bad, needs),
        ("a supervisor's collector", &sup_a, new("new.c2", "collector", json!("so_noi_vu")), bad, needs),
        ("none", &admin, new("new.none", "collector", Value::Null), StatusCode::OK, ""),
    ];
    for (what, token, body, status, code) in creations {
        let r = app.post("/api/v1/admin/users", Some(token), &body).await;
        assert_eq!(r.status, status, "{what}: {}", r.text());
        let stored = app.db.user_by_name(body["username"].as_str().unwrap()).await.unwrap();
        if status == StatusCode::OK {
            assert_eq!(r.json()["agency"], body["agency"], "{what}");
            assert_eq!(stored.unwrap().agency.as_deref(), body["agency"].as_str(), "{what}");
        } else {
            assert_eq!(r.error_code(), code, "{what}");
            assert!(stored.is_none(), "{what}: refused, so not stored");
            for lang in ["vi", "en"] {
                assert!(r.json()["message"][lang].as_str().is_some_and(|m| !m.is_empty()), "{what}: {lang}");
            }
        }
    }

    let patch = |who: &str, body: Value| {
        let (path, app, admin) = (format!("/api/v1/admin/users/{who}"), &app, admin.clone());
        async move { app.request(Method::PATCH, &path, Some(&admin), Some(&body)).await }
    };
    let ethnic = "so_dan_toc_ton_giao";
    /// What, who, body, status, error code, their agency afterwards.
    type Edit<'a> = (&'a str, &'a str, Value, StatusCode, &'a str, Option<&'a str>);
    let edits: Vec<Edit> = vec![
        ("put in charge", "sup.a", json!({ "agency": ethnic }), StatusCode::OK, "", Some(ethnic)),
        ("renamed, still in charge", "sup.a", json!({ "display_name": "Anh A" }), StatusCode::OK, "", Some(ethnic)),
        ("an unknown code", "sup.a", json!({ "agency": "nobody" }), bad, "unknown_agency", Some(ethnic)),
        ("a collector", "col.a", json!({ "agency": ethnic }), bad, needs, None),
        ("demoted, keeping it", "sup.a", json!({ "role": "collector" }), bad, needs, Some(ethnic)),
        ("made admin, keeping it", "sup.a", json!({ "role": "admin" }), bad, needs, Some(ethnic)),
        (
            "demoted and taken out of charge",
            "sup.a",
            json!({ "role": "collector", "agency": null }),
            StatusCode::OK,
            "",
            None,
        ),
    ];
    for (what, who, body, status, code, agency) in edits {
        let r = patch(who, body).await;
        assert_eq!(r.status, status, "{what}: {}", r.text());
        if !code.is_empty() {
            assert_eq!(r.error_code(), code, "{what}");
        }
        assert_eq!(app.db.user_by_name(who).await.unwrap().unwrap().agency.as_deref(), agency, "{what}");
    }
    assert_eq!(app.db.user_by_name("sup.a").await.unwrap().unwrap().role, Role::Collector);
    // Each accepted change is one audit row with the agency before and after, exactly as a
    // role change is; the refused ones wrote none.
    let log = app.get("/api/v1/admin/audit?target=sup.a&action=user_changed", Some(&admin)).await.json();
    let rows: Vec<(&Value, &Value)> =
        log["items"].as_array().unwrap().iter().map(|e| (&e["before"], &e["after"])).collect();
    assert_eq!(
        rows,
        [
            (&json!({ "role": "supervisor", "agency": ethnic }), &json!({ "role": "collector", "agency": null })),
            (&json!({ "display_name": "Test sup.a" }), &json!({ "display_name": "Anh A" })),
            (&json!({ "agency": null }), &json!({ "agency": ethnic })),
        ]
    );

    // The users list says who is in charge of what.
    let list = app.get("/api/v1/admin/users?q=new.", Some(&admin)).await.json();
    let agencies: Vec<(&str, &Value)> =
        list["items"].as_array().unwrap().iter().map(|u| (u["username"].as_str().unwrap(), &u["agency"])).collect();
    assert_eq!(agencies, [("new.none", &Value::Null), ("new.sup", &json!("so_noi_vu"))]);
}

both!(a_password_reset_is_shown_once_and_ends_every_session);
async fn a_password_reset_is_shown_once_and_ends_every_session(app: TestApp) {
    let admin = app.admin("admin").await;
    app.create_user("col.a", Role::Collector, &[A], false, Some(PASSWORD)).await;
    let phone = sign_in_on(&app, "col.a", "phone-1", None).await;
    let r = app.post("/api/v1/admin/users/col.a/password", Some(&admin), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let password = r.json()["password"].as_str().unwrap().to_owned();
    assert_eq!(password.len(), 12);
    app.get("/api/v1/me", Some(&phone)).await.assert_error(StatusCode::UNAUTHORIZED, "token_invalid");
    app.sign_in("col.a", PASSWORD).await.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    app.sign_in_ok("col.a", &password).await;
    // Listing users never shows a password or its hash.
    let listed = app.get("/api/v1/admin/users", Some(&admin)).await.text();
    assert!(!listed.contains(&password) && !listed.contains("argon2"), "{listed}");
}

both!(links_for_a_commune_reach_its_active_collectors_and_can_be_revoked);
async fn links_for_a_commune_reach_its_active_collectors_and_can_be_revoked(app: TestApp) {
    let [admin, sup_a, sup_b, col_a] = people(&app).await;
    app.collector("col.a2", &[A]).await;
    app.collector("col.gone", &[A]).await;
    app.db.set_disabled("col.gone", true).await.unwrap();
    let body = json!({ "unit_code": A, "ttl_minutes": 60 });
    let r = app.post("/api/v1/admin/enrollments", Some(&sup_a), &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let issued = r.json()["items"].as_array().unwrap().clone();
    let names: Vec<&str> = issued.iter().map(|e| e["username"].as_str().unwrap()).collect();
    // col.ab works in B too: not the supervisor of A's alone, so not on their sheet.
    assert_eq!(names, ["col.a", "col.a2"]);
    for e in &issued {
        assert!(e["link"].as_str().unwrap().contains(&format!("#/enroll/{}", e["code"].as_str().unwrap())));
        assert!(e["qr"]["size"].as_u64().unwrap() >= 21, "{e}");
        assert!(e["qr"]["path"].as_str().unwrap().starts_with('M'), "{e}");
        assert_eq!(e["communes"][0]["unit_code"], A);
    }
    app.post("/api/v1/admin/enrollments", Some(&sup_b), &body).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    app.post("/api/v1/admin/enrollments", Some(&col_a), &body).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let nowhere = json!({ "unit_code": PROVINCE });
    app.post("/api/v1/admin/enrollments", Some(&admin), &nowhere)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "unknown_commune");

    let open = |token: &String| {
        let (app, token) = (&app, token.clone());
        async move {
            let page = app.get("/api/v1/admin/enrollments", Some(&token)).await.json();
            page["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(open(&sup_a).await.len(), 2);
    assert!(open(&sup_b).await.is_empty(), "B's supervisor sees none of A's codes");
    let listed = app.get("/api/v1/admin/enrollments", Some(&admin)).await.text();
    assert!(!listed.contains(issued[0]["code"].as_str().unwrap()), "a code is never listed again");

    let (first, second) = (&issued[0], &issued[1]);
    let revoke = |token: &String, id: &str| {
        let (app, token, path) = (&app, token.clone(), format!("/api/v1/admin/enrollments/{id}"));
        async move { app.request(Method::DELETE, &path, Some(&token), None).await }
    };
    revoke(&sup_b, first["id"].as_str().unwrap()).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(revoke(&sup_a, first["id"].as_str().unwrap()).await.status, StatusCode::NO_CONTENT);
    revoke(&sup_a, first["id"].as_str().unwrap()).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let enroll = |code: &str| json!({ "code": code, "device_id": "phone-new" });
    let r = app.post("/api/v1/auth/enroll", None, &enroll(first["code"].as_str().unwrap())).await;
    r.assert_error(StatusCode::UNAUTHORIZED, "enrollment_invalid");
    let r = app.post("/api/v1/auth/enroll", None, &enroll(second["code"].as_str().unwrap())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(open(&sup_a).await.is_empty(), "used and revoked codes are not open");
    // An enrolled phone is a device of its user.
    let devices = app.get("/api/v1/admin/devices", Some(&sup_a)).await.json();
    assert!(devices["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["device_id"] == "phone-new" && d["username"] == "col.a2"));
}

both!(phones_report_what_they_hold_with_each_push_and_pull);
async fn phones_report_what_they_hold_with_each_push_and_pull(app: TestApp) {
    let admin = app.admin("admin").await;
    app.create_user("col.a", Role::Collector, &[A], false, Some(PASSWORD)).await;
    let phone = sign_in_on(&app, "col.a", "phone-1", None).await;
    sign_in_on(&app, "col.a", "console-1", Some("console")).await;
    let device = |page: &Value| {
        let items = page["items"].as_array().unwrap();
        items.iter().find(|d| d["username"] == "col.a").cloned().unwrap_or(Value::Null)
    };
    let page = app.get("/api/v1/admin/devices", Some(&admin)).await.json();
    let listed: Vec<&str> =
        page["items"].as_array().unwrap().iter().map(|d| d["device_id"].as_str().unwrap()).collect();
    assert_eq!(listed, ["phone-1"], "console sessions are not phones");
    let d = device(&page);
    assert!(d["last_push_at"].is_null() && d["first_sync_at"].is_null() && d["pending"].is_null(), "{d}");
    assert_eq!(d["signed_in"], true);

    let report = [("sotay-app-version", "0.3.1"), ("sotay-pending", "3"), ("sotay-refused", "1")];
    assert_eq!(sync_reporting(&app, &phone, false, &report).await, StatusCode::OK);
    let d = device(&app.get("/api/v1/admin/devices", Some(&admin)).await.json());
    assert_eq!(
        (d["pending"].clone(), d["refused"].clone(), d["app_version"].clone()),
        (json!(3), json!(1), json!("0.3.1"))
    );
    assert!(d["last_push_at"].is_i64() && d["last_pull_at"].is_null(), "{d}");
    assert_eq!(d["first_sync_at"], d["last_push_at"], "the first sync is the first push");
    let first_sync = d["first_sync_at"].clone();

    let after = [("sotay-app-version", "0.3.1"), ("sotay-pending", "0"), ("sotay-refused", "1")];
    assert_eq!(sync_reporting(&app, &phone, true, &after).await, StatusCode::OK);
    let d = device(&app.get("/api/v1/admin/devices", Some(&admin)).await.json());
    assert_eq!(d["pending"], 0);
    assert!(d["last_pull_at"].is_i64() && d["last_sync_at"] == d["last_pull_at"], "{d}");
    assert_eq!(d["first_sync_at"], first_sync, "the first sync stays");

    // An old app reports nothing, a broken header is ignored: the sync goes through and the
    // last report stays.
    assert_eq!(sync_reporting(&app, &phone, true, &[]).await, StatusCode::OK);
    let junk = [("sotay-pending", "-4"), ("sotay-app-version", "<script>")];
    assert_eq!(sync_reporting(&app, &phone, false, &junk).await, StatusCode::OK);
    let d = device(&app.get("/api/v1/admin/devices", Some(&admin)).await.json());
    assert_eq!((d["pending"].clone(), d["app_version"].clone()), (json!(0), json!("0.3.1")), "{d}");
}

both!(silent_phones_are_flagged_and_one_can_be_signed_out);
async fn silent_phones_are_flagged_and_one_can_be_signed_out(app: TestApp) {
    let [admin, sup_a, sup_b, col_a] = people(&app).await;
    app.create_user("col.x", Role::Collector, &[A], false, Some(PASSWORD)).await;
    let old = sign_in_on(&app, "col.x", "phone-old", None).await;
    let lost = sign_in_on(&app, "col.x", "phone-lost", None).await;
    for token in [&old, &lost] {
        assert_eq!(sync_reporting(&app, token, true, &[("sotay-pending", "0")]).await, StatusCode::OK);
    }
    // phone-old last synced eight days ago.
    let eight_days_ago = chrono::Utc::now().timestamp_millis() - 8 * 24 * 3600 * 1000;
    sqlx::query("UPDATE devices SET last_pull_at = $1, first_seen_at = $1 WHERE device_id = 'phone-old'")
        .bind(eight_days_ago)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let page = app.get("/api/v1/admin/devices?q=col.x", Some(&sup_a)).await.json();
    let rows: Vec<(String, bool, i64)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["device_id"].as_str().unwrap().to_owned(),
                d["stale"].as_bool().unwrap(),
                d["silent_days"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, [("phone-old".to_owned(), true, 8), ("phone-lost".to_owned(), false, 0)], "stalest first");
    assert_eq!(page["stale_total"], 1);
    let lenient = app.get("/api/v1/admin/devices?q=col.x&stale_days=10", Some(&sup_a)).await.json();
    assert_eq!(lenient["stale_total"], 0);
    app.get("/api/v1/admin/devices?stale_days=0", Some(&sup_a))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_stale_days");
    let b_sees = app.get("/api/v1/admin/devices?q=col.x", Some(&sup_b)).await.json();
    assert_eq!(b_sees["total"], 0, "a supervisor of B sees no phone of A");
    app.get("/api/v1/admin/devices", Some(&col_a)).await.assert_error(StatusCode::FORBIDDEN, "forbidden");

    // The lost phone is signed out; the other keeps syncing.
    let body = json!({ "username": "col.x", "device_id": "phone-lost" });
    app.post("/api/v1/admin/devices/sign-out", Some(&sup_b), &body)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let r = app.post("/api/v1/admin/devices/sign-out", Some(&admin), &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["signed_out"], 1);
    app.get("/api/v1/sync/pull", Some(&lost)).await.assert_error(StatusCode::UNAUTHORIZED, "token_invalid");
    assert_eq!(app.get("/api/v1/sync/pull", Some(&old)).await.status, StatusCode::OK);
    let page = app.get("/api/v1/admin/devices?q=col.x", Some(&admin)).await.json();
    let mut signed_in: Vec<(&str, bool)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["device_id"].as_str().unwrap(), d["signed_in"].as_bool().unwrap()))
        .collect();
    signed_in.sort();
    assert_eq!(signed_in, [("phone-lost", false), ("phone-old", true)]);
}
