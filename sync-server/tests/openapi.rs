//! The OpenAPI document and the router agree: every documented operation exists (answers
//! with something other than 404/405), and the document's own shape is sound.

#[macro_use]
mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::TestApp;
use serde_json::Value;
use sha2::Digest;

both!(every_documented_operation_is_served);

async fn every_documented_operation_is_served(app: TestApp) {
    let doc: Value = serde_json::from_str(&app.get("/api/openapi.json", None).await.text()).unwrap();
    assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with("3.")), Some(true));
    let token = app.admin("api.doc.admin").await;
    app.collector("someone", &["21025"]).await;
    // A record that names a photo, and the photo, so that its GET answers 200 (and its PUT,
    // with the JSON body sent below, 415: a route that exists).
    let photo: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0xFF, 0xD9];
    let photo_sha: String = sha2::Sha256::digest(photo).iter().map(|b| format!("{b:02x}")).collect();
    let mut record = common::record_of("training_session", 3, common::commune("21025"));
    record.values.insert("sign_in_sheet".into(), serde_json::json!([{"sha256": photo_sha, "bytes": photo.len()}]));
    app.push_one(&token, &common::new_change(&record)).await;
    let bearer = format!("Bearer {token}");
    let put = format!("/api/v1/records/{}/photos/{photo_sha}", record.id);
    let stored =
        app.raw(Method::PUT, &put, &[("authorization", &bearer), ("content-type", "image/jpeg")], photo.to_vec()).await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.text());
    let someone = app.db.user_by_name("someone").await.unwrap().unwrap();
    let enrollment = app.db.issue_enrollment(&someone, 60).await.unwrap();
    // A draft for each of a draft's operations, so discarding one leaves the others.
    let drafts = [
        ("DELETE", "outreach_event", include_str!("../../forms/definitions/outreach_event/v1.toml")),
        ("POST", "school_session", include_str!("../../forms/definitions/school_session/v1.toml")),
        ("GET", "model_check", include_str!("../../forms/definitions/model_check/v1.toml")),
    ];
    for (_, _, toml) in drafts {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/admin/form-drafts")
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/toml")
            .body(Body::from(toml))
            .unwrap();
        let r = app.send(request).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 14, "every route is documented");
    let mut missing = Vec::new();
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().unwrap() {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "delete" => Method::DELETE,
                "patch" => Method::PATCH,
                _ => continue,
            };
            assert!(operation["responses"].is_object(), "{method} {path} documents its responses");
            // A record's path names the record pushed above, an enrolment's the code issued
            // above; any other id will do for a resolution (its empty body is refused first).
            let uri = path
                .replace("{username}", "someone")
                .replace("/records/{id}", &format!("/records/{}", record.id))
                .replace("/enrollments/{id}", &format!("/enrollments/{}", enrollment.id))
                .replace("/sign-offs/{id}", "/sign-offs/1")
                .replace("/forms/{form_id}/{version}/", "/forms/outreach_event/1/")
                .replace("/reference/{name}", "/reference/lists.toml")
                .replace("{sha256}", &photo_sha)
                .replace("/form-drafts/{form_id}", &format!("/form-drafts/{}", drafted(&drafts, &method)))
                .replace("{id}", &uuid::Uuid::nil().to_string());
            let mut request = Request::builder().method(method.clone()).uri(&uri);
            if !path.contains("sign-out") {
                request = request.header("authorization", format!("Bearer {token}"));
            }
            let request = request.header("content-type", "application/json").body(Body::from("{}")).unwrap();
            let status = app.send(request).await.status;
            if status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED {
                missing.push(format!("{method} {path} → {status}"));
            }
        }
    }
    assert!(missing.is_empty(), "documented but not served:\n{}", missing.join("\n"));
}

/// The form whose draft a `method` operation on a draft acts on.
fn drafted(drafts: &[(&str, &'static str, &str)], method: &Method) -> &'static str {
    drafts.iter().find(|(m, _, _)| *m == method.as_str()).map_or("outreach_event", |(_, form, _)| *form)
}
