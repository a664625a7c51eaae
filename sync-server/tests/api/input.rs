//! Bad input, compression and unknown routes: precise 4xx in JSON, nothing written.

use super::*;

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
        ("sign-in, NUL in the username", Who::Nobody, Method::POST, "/api/v1/auth/sign-in", vec![json_ct], br#"{"username": "lan\u0000", "password": "b", "device_id": "c"}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid_username")),
        ("sign-in, a control character in the username", Who::Nobody, Method::POST, "/api/v1/auth/sign-in", vec![json_ct], br#"{"username": "l\u001ban", "password": "b", "device_id": "c"}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid_username")),
        ("sign-in, NUL in the device id", Who::Nobody, Method::POST, "/api/v1/auth/sign-in", vec![json_ct], br#"{"username": "lan", "password": "b", "device_id": "tab\u000007"}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid_device_id")),
        ("enrol, a newline in the device id", Who::Nobody, Method::POST, "/api/v1/auth/enroll", vec![json_ct], br#"{"code": "x", "device_id": "tab\n07"}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid_device_id")),
        ("enrol, no content type", Who::Nobody, Method::POST, "/api/v1/auth/enroll", vec![], br#"{"code": "x", "device_id": "c"}"#.to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type")),
        ("new user, bad username", Who::Admin, Method::POST, "/api/v1/admin/users", vec![json_ct], br#"{"username": "Has Spaces", "display_name": "x", "role": "collector"}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid")),
        ("new user, short password", Who::Admin, Method::POST, "/api/v1/admin/users", vec![json_ct], br#"{"username": "short.pw", "display_name": "x", "role": "collector", "password": "1234"}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid")),
        ("new user, NUL in the username", Who::Admin, Method::POST, "/api/v1/admin/users", vec![json_ct], br#"{"username": "new\u0000user", "display_name": "x", "role": "collector"}"#.to_vec(), StatusCode::BAD_REQUEST, Some("invalid")),
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

both!(the_pwa_is_sent_precompressed_as_the_browser_takes_it);
async fn the_pwa_is_sent_precompressed_as_the_browser_takes_it(app: TestApp) {
    let pwa = tempfile::tempdir().unwrap();
    let wasm = vec![7u8; 4096];
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&wasm).unwrap();
    let gz = gz.finish().unwrap();
    // Served as it is, never decoded: any bytes stand for the brotli file.
    let br = b"brotli bytes as built".to_vec();
    std::fs::write(pwa.path().join("index.html"), "<!doctype html><title>sotay</title>").unwrap();
    std::fs::write(pwa.path().join("app_bg.wasm"), &wasm).unwrap();
    std::fs::write(pwa.path().join("app_bg.wasm.gz"), &gz).unwrap();
    std::fs::write(pwa.path().join("app_bg.wasm.br"), &br).unwrap();
    let app =
        app.with_settings(sync_server::Settings { pwa_dir: Some(pwa.path().to_owned()), ..common::test_settings() });

    // The compressed file beside the built one goes out byte for byte, not compressed a
    // second time: brotli where the browser takes it (every browser over HTTPS), gzip where
    // it takes only gzip, and the file itself to a client that takes neither.
    type Case<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>, &'a [u8]);
    let cases: [Case; 4] = [
        (&[("accept-encoding", "gzip, deflate, br, zstd")], Some("br"), &br),
        (&[("accept-encoding", "br")], Some("br"), &br),
        (&[("accept-encoding", "gzip, deflate")], Some("gzip"), &gz),
        (&[], None, &wasm),
    ];
    for (headers, encoding, body) in cases {
        let r = app.raw(Method::GET, "/app_bg.wasm", headers, "").await;
        assert_eq!((r.status, r.header("content-encoding")), (StatusCode::OK, encoding), "{headers:?}");
        assert_eq!(r.body.as_ref(), body, "{headers:?}: the file as built");
        assert_eq!(r.header("content-type"), Some("application/wasm"));
    }
    let r = app.raw(Method::GET, "/app_bg.wasm", &[], "").await;
    // Assets go without the document-only headers; the page keeps them.
    assert_eq!((r.header("content-security-policy"), r.header("x-frame-options")), (None, None));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    let page = app.get("/", None).await;
    assert!(page.header("content-security-policy").is_some_and(|c| c.contains("frame-ancestors 'none'")));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
}

// ---- control characters ----------------------------------------------------------------------

both!(control_characters_are_refused_per_change_and_never_fail_the_batch);
async fn control_characters_are_refused_per_change_and_never_fail_the_batch(app: TestApp) {
    // PostgreSQL cannot store U+0000 in `text` (nor `jsonb`): one such record used to fail
    // the whole push with 500 on every retry, blocking the phone's outbox for good, while
    // SQLite stored it. Now a control character is refused as a field error of its change
    // (forms::validate, the same offline), the rest of the batch is applied, and what is
    // stored is the same on both databases.
    let token = app.collector("collector.a", &[A]).await;
    let base = record_in(A);
    let mut nul_device = base.clone();
    nul_device.device_id = "tab\u{0}07".into();
    #[rustfmt::skip]
    let refused: Vec<(&str, Record, &str, &str)> = vec![
        ("NUL in a text answer", with_value(&base, "place", json!("Nhà văn hoá\u{0}")), "place", "control_character"),
        ("NUL in a long text", with_value(&base, "notes", json!("dòng 1\n\u{0}dòng 2")), "notes", "control_character"),
        ("a NUL alone", with_value(&base, "place", json!("\u{0}")), "place", "control_character"),
        ("U+0001", with_value(&base, "place", json!("a\u{1}b")), "place", "control_character"),
        ("ESC", with_value(&base, "notes", json!("\u{1b}[31mđỏ")), "notes", "control_character"),
        ("a vertical tab", with_value(&base, "notes", json!("a\u{b}b")), "notes", "control_character"),
        ("DEL", with_value(&base, "place", json!("a\u{7f}")), "place", "control_character"),
        ("a C1 control (NEL)", with_value(&base, "place", json!("a\u{85}b")), "place", "control_character"),
        ("NUL in a choice", with_value(&base, "format", json!("meeting\u{0}")), "format", "not_an_option"),
        ("NUL in a list of choices", with_value(&base, "topics", json!(["domestic_violence\u{0}"])), "topics", "not_an_option"),
        ("NUL in a field name", with_value(&base, "place\u{0}", json!("x")), "place\u{0}", "unknown_field"),
        ("NUL in the record's device id", nul_device, "device_id", "control_character"),
    ];
    let mut good_texts = with_value(&base, "notes", json!("Dòng một\nDòng hai\r\n\tthụt lề"));
    good_texts.id = Uuid::new_v4();
    let mut changes = vec![new_change(&good_texts)];
    for (_, record, _, _) in &refused {
        let mut record = record.clone();
        record.id = Uuid::new_v4();
        changes.push(new_change(&record));
    }
    // A NUL in what the server does not keep as sent (the author is who sends it) is harmless.
    let mut nul_author = base.clone();
    nul_author.id = Uuid::new_v4();
    nul_author.author = "lan\u{0}".into();
    changes.push(new_change(&nul_author));

    for attempt in ["first push", "a retry of it"] {
        let r = app.push_raw(&token, &changes).await;
        assert_eq!(r.status, StatusCode::OK, "{attempt}: {}", r.text());
        let results = r.json()["results"].as_array().unwrap().clone();
        assert_eq!(results[0]["outcome"], "applied", "{attempt}: tab and newlines are text: {}", results[0]);
        for ((what, _, field, code), result) in refused.iter().zip(&results[1..]) {
            assert_eq!(result["outcome"], "rejected", "{attempt}, {what}: {result}");
            let errors = errors_of(result);
            assert!(errors.contains(&(field.to_string(), code.to_string())), "{what}: {field}/{code} in {errors:?}");
        }
        assert_eq!(results.last().unwrap()["outcome"], "applied", "{attempt}: {}", results.last().unwrap());
        assert_eq!(app.counts().await, (2, 0), "{attempt}");
    }
    let stored = app.db.record(good_texts.id).await.unwrap().unwrap();
    assert_eq!(stored.values["notes"], "Dòng một\nDòng hai\r\n\tthụt lề", "kept as typed (trimmed at the ends)");
    assert_eq!(app.db.record(nul_author.id).await.unwrap().unwrap().author, "collector.a");

    // A conflict keeps the incoming version as sent: a NUL in what the server ignores is
    // stored (escaped, as JSON) without failing the batch.
    let mut stale = nul_author.clone();
    stale.author = "\u{0}".into();
    let results =
        app.push(&token, &[forms::sync::Change { change_id: Uuid::new_v4(), base_revision: 0, record: stale }]).await;
    assert_eq!(results[0]["outcome"], "conflict", "{}", results[0]);
    assert_eq!(app.counts().await, (2, 1));
}

both!(a_control_character_in_a_display_name_is_a_400);
async fn a_control_character_in_a_display_name_is_a_400(app: TestApp) {
    let admin = app.admin("admin").await;
    for name in ["Lan\u{0}", "Lan\u{1b}[31m"] {
        let body = json!({ "username": "new.user", "display_name": name, "role": "collector" });
        let r = app.post("/api/v1/admin/users", Some(&admin), &body).await;
        assert!(!r.status.is_server_error(), "{name:?}: {} {}", r.status, r.text());
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name:?}: {}", r.text());
    }
}
