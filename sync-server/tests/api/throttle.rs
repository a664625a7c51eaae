//! Sign-in throttling under attack (issue 12): bounded checks under concurrency, nothing
//! stored for impossible usernames, no lockout of the right password from elsewhere.

use futures_util::future::join_all;

use super::*;

fn peer(ip: &str) -> axum::extract::ConnectInfo<std::net::SocketAddr> {
    axum::extract::ConnectInfo(std::net::SocketAddr::new(ip.parse().unwrap(), 40000))
}

async fn sign_in_from(app: &TestApp, from: &str, username: &str, password: &str) -> common::Response {
    let body = json!({ "username": username, "password": password, "device_id": "phone-1" });
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/sign-in")
        .header("content-type", "application/json")
        .extension(peer(from))
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    app.send(request).await
}

async fn stored_attempts(app: &TestApp) -> Vec<String> {
    use sqlx::Row;
    sqlx::query("SELECT key FROM sign_in_attempts")
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("key"))
        .collect()
}

both!(concurrent_wrong_passwords_are_checked_no_more_than_the_limit);
async fn concurrent_wrong_passwords_are_checked_no_more_than_the_limit(app: TestApp) {
    app.create_user("collector.a", Role::Collector, &[A], false, Some("mật khẩu đúng")).await;
    let attempts =
        (0..40).map(|i| sign_in_from(&app, "198.51.100.7", "collector.a", if i % 2 == 0 { "x1" } else { "x2" }));
    let answers = join_all(attempts).await;
    let checked = answers.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count();
    let refused = answers.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(checked + refused, 40, "every answer is 401 or 429");
    assert!(checked <= 5, "{checked} of 40 parallel wrong passwords were checked against the hash; the limit is 5");
    // Refused attempts leave no rows behind: the table holds the checked ones only. (When
    // all 40 insert before any counts, all are refused: the limit holds either way.)
    let pair_rows = stored_attempts(&app).await.iter().filter(|k| k.starts_with("pair:")).count();
    assert_eq!(pair_rows, checked);
    // One at a time afterwards, exactly what is left of the limit is checked.
    let mut later = Vec::new();
    for _ in 0..8 {
        later.push(sign_in_from(&app, "198.51.100.7", "collector.a", "x3").await.status);
    }
    let later_checked = later.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert_eq!(checked + later_checked, 5, "burst {checked}, then {later:?}");
    assert!(later[later_checked..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{later:?}");
}

both!(many_officers_behind_one_connection_sign_in_at_once);
async fn many_officers_behind_one_connection_sign_in_at_once(app: TestApp) {
    // A commune meeting: 25 phones on the hall's Wi-Fi, one public address, all at once.
    for i in 0..25 {
        app.create_user(&format!("officer{i}"), Role::Collector, &[A], false, Some("mật khẩu đúng")).await;
    }
    let answers = join_all((0..25).map(|i| {
        let app = &app;
        async move { sign_in_from(app, "203.0.113.50", &format!("officer{i}"), "mật khẩu đúng").await }
    }))
    .await;
    let statuses: Vec<_> = answers.iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
    assert!(stored_attempts(&app).await.is_empty(), "successful sign-ins leave no throttle rows");
}

both!(a_username_that_cannot_exist_is_refused_before_anything_is_stored);
async fn a_username_that_cannot_exist_is_refused_before_anything_is_stored(app: TestApp) {
    let huge = "a".repeat(7_000_000);
    for username in [huge.as_str(), "ab", "Nguyễn Lan", "lan\nnguyen", "lan;drop", ""] {
        let r = sign_in_from(&app, "198.51.100.7", username, "whatever").await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_username");
    }
    let long_password = "p".repeat(2000);
    sign_in_from(&app, "198.51.100.7", "lan.nguyen", &long_password)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_password");
    assert_eq!(stored_attempts(&app).await.len(), 0, "nothing was written for impossible credentials");

    // A real failure stores keys of a fixed length, whatever the username's length.
    let longest = "u".repeat(64);
    sign_in_from(&app, "198.51.100.7", &longest, "wrong")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    let keys = stored_attempts(&app).await;
    assert!(!keys.is_empty());
    assert!(keys.iter().all(|k| k.len() <= 70 && !k.contains(&longest)), "{keys:?}");
    // Upper case is the same username (phone keyboards capitalise the first letter).
    app.create_user("lan.nguyen", Role::Collector, &[A], false, Some("mật khẩu đúng")).await;
    assert_eq!(sign_in_from(&app, "198.51.100.9", " Lan.Nguyen", "mật khẩu đúng").await.status, StatusCode::OK);
}

both!(wrong_passwords_from_elsewhere_never_lock_out_the_right_one);
async fn wrong_passwords_from_elsewhere_never_lock_out_the_right_one(app: TestApp) {
    app.create_user("admin2", Role::Admin, &[], true, Some("mật khẩu đúng")).await;
    // Someone guesses from one address until refused there...
    for _ in 0..5 {
        let r = sign_in_from(&app, "203.0.113.5", "admin2", "guess").await;
        r.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    sign_in_from(&app, "203.0.113.5", "admin2", "guess")
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    sign_in_from(&app, "203.0.113.5", "admin2", "mật khẩu đúng")
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    // ...and from a few more, past the user-wide slow-down.
    for ip in ["203.0.113.6", "203.0.113.7"] {
        for _ in 0..4 {
            sign_in_from(&app, ip, "admin2", "guess").await.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
        }
    }
    // The real admin, at the office, still signs in (slowed down, not locked out).
    let r = sign_in_from(&app, "192.0.2.10", "admin2", "mật khẩu đúng").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

both!(device_ids_that_could_forge_a_log_line_are_refused);
async fn device_ids_that_could_forge_a_log_line_are_refused(app: TestApp) {
    app.create_user("collector.a", Role::Collector, &[A], false, Some("mật khẩu đúng")).await;
    let forged = "phone\n2026-12-02T00:00:00Z  INFO signed in user=admin\x1b[2K";
    let long = "d".repeat(101);
    for device_id in [forged, "", long.as_str(), "điện thoại", "a b"] {
        let body = json!({ "username": "collector.a", "password": "mật khẩu đúng", "device_id": device_id });
        let r = app.post("/api/v1/auth/sign-in", None, &body).await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_device_id");
        let r = app.post("/api/v1/auth/enroll", None, &json!({ "code": "x", "device_id": device_id })).await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_device_id");
    }
    for device_id in ["3f1c2a9e-7b4d-4c1e-9a2f-0d5e6b7c8a91", "phone-1", "pwa:ab_12.x"] {
        let body = json!({ "username": "collector.a", "password": "mật khẩu đúng", "device_id": device_id });
        assert_eq!(app.post("/api/v1/auth/sign-in", None, &body).await.status, StatusCode::OK, "{device_id}");
    }
}
