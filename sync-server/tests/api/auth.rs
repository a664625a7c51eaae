//! Sign-in, tokens, enrolment and rate limiting.

use super::*;

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
    for (method, path, body) in &routes {
        let r = app.request(method.clone(), path, Some(&collector), body.as_ref()).await;
        r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    // A supervisor manages collectors (tests/api/console.rs), never admins.
    let r = app.post("/api/v1/admin/users", Some(&supervisor), &new_user).await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert!(app.db.user_by_name("intruder").await.unwrap().is_none());
    assert!(!app.db.user_by_name("collector.a").await.unwrap().unwrap().disabled);
    assert_eq!(app.get("/api/v1/me", Some(&collector)).await.status, StatusCode::OK);

    // The admin may.
    let users = app.get("/api/v1/admin/users", Some(&admin)).await;
    assert_eq!(users.status, StatusCode::OK);
    assert_eq!(users.json()["items"].as_array().unwrap().len(), 3);
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

// ---- the last admin ------------------------------------------------------------------------

both!(the_last_active_admin_cannot_be_disabled);
async fn the_last_active_admin_cannot_be_disabled(app: TestApp) {
    let admin = app.admin("admin").await;
    let r = app.post("/api/v1/admin/users/admin/disable", Some(&admin), &json!({})).await;
    r.assert_error(StatusCode::CONFLICT, "last_admin");
    assert!(!app.db.user_by_name("admin").await.unwrap().unwrap().disabled);
    assert_eq!(app.get("/api/v1/me", Some(&admin)).await.status, StatusCode::OK, "still signed in");

    // With a second admin, one may go; then the other is the last.
    app.create_user("admin2", Role::Admin, &[], true, Some("mật khẩu đúng")).await;
    let r = app.post("/api/v1/admin/users/admin2/disable", Some(&admin), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.post("/api/v1/admin/users/admin/disable", Some(&admin), &json!({})).await;
    r.assert_error(StatusCode::CONFLICT, "last_admin");
    // A disabled admin does not count: enabling it again makes the first one free to go.
    assert_eq!(app.post("/api/v1/admin/users/admin2/enable", Some(&admin), &json!({})).await.status, StatusCode::OK);
    assert_eq!(app.post("/api/v1/admin/users/admin/disable", Some(&admin), &json!({})).await.status, StatusCode::OK);
}

// ---- caching -------------------------------------------------------------------------------

both!(answers_with_personal_data_are_never_cached);
async fn answers_with_personal_data_are_never_cached(app: TestApp) {
    let supervisor = app.province_supervisor("supervisor").await;
    let collector = app.collector("collector.a", &[A]).await;
    let record = record_in(A);
    assert_applied(&app.push_one(&collector, &new_change(&record)).await, &record, 1);
    let paths = [
        "/api/v1/me".to_owned(),
        "/api/v1/sync/pull?since=0".to_owned(),
        "/api/v1/reports/summary?year=2025".to_owned(),
        "/api/v1/reports/trend?year=2025".to_owned(),
        "/api/v1/reports/annual?year=2025&format=html".to_owned(),
        "/api/v1/reports/raw?form=training_session&format=csv".to_owned(),
        "/api/v1/no-such-thing".to_owned(),
    ];
    for path in &paths {
        let r = app.get(path, Some(&supervisor)).await;
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}: {}", r.status);
    }
    let push = app.push_raw(&collector, &[new_change(&record_in(A))]).await;
    assert_eq!(push.header("cache-control"), Some("no-store"));
    let failed = app.sign_in("collector.a", "wrong").await;
    assert_eq!(failed.header("cache-control"), Some("no-store"));
    // The catalog is meant to be revalidated with its ETag, not stored blindly.
    assert_eq!(app.get("/api/v1/forms", Some(&collector)).await.header("cache-control"), Some("no-cache"));
}
