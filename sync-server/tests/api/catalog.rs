//! The form catalog, withdrawn versions, headers and service routes.

use super::*;

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
