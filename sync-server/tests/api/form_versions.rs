//! Forms on a running server (`/api/v1/admin/forms`, issue 15): an admin publishes a new
//! version as sotay TOML or as an XLSForm workbook; it is the next version whatever the
//! upload says, the catalog phones download changes with it, records of both versions are
//! accepted, and a published version never changes. A definition that does not compile is
//! refused with every mistake and its position, and stores nothing.

use axum::body::Body;
use axum::http::{header, Method, Request};

use super::*;
use crate::common::Response;

const OUTREACH_V1: &str = include_str!("../../../forms/definitions/outreach_event/v1.toml");
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn upload(app: &TestApp, token: &str, media: &str, body: Vec<u8>) -> Response {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/admin/forms")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, media)
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

/// Outreach events with one more question, and a new title.
fn outreach_changed() -> String {
    let text = OUTREACH_V1.replace(
        "title = { vi = \"Hoạt động truyền thông\", en = \"Outreach event\" }",
        "title = { vi = \"Hoạt động truyền thông (2026)\", en = \"Outreach event (2026)\" }",
    );
    format!(
        "{text}\n[[sections.fields]]\nname = \"venue_type\"\ntype = \"text\"\nlabel = {{ vi = \"Địa điểm\", en = \"Venue\" }}\n"
    )
}

async fn catalog_etag(app: &TestApp, token: &str) -> (String, Value) {
    let r = app.get("/api/v1/forms", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    (r.header("etag").unwrap().to_owned(), r.json())
}

fn versions_of(bundle: &Value, form: &str) -> Vec<u64> {
    bundle["forms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == form)
        .map(|f| f["version"].as_u64().unwrap())
        .collect()
}

both!(an_admin_publishes_the_next_version_as_toml_and_phones_get_it);
async fn an_admin_publishes_the_next_version_as_toml_and_phones_get_it(app: TestApp) {
    let admin = app.admin("admin").await;
    let officer = app.collector("officer", &[A]).await;
    let (etag_before, bundle) = catalog_etag(&app, &officer).await;
    assert_eq!(versions_of(&bundle, "outreach_event"), [1]);

    // The upload still says version 1: publishing makes it version 2.
    let r = upload(&app, &admin, "application/toml", outreach_changed().into_bytes()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!((r.json()["form_id"].as_str(), r.json()["version"].as_u64()), (Some("outreach_event"), Some(2)));
    let (etag_after, bundle) = catalog_etag(&app, &officer).await;
    assert_ne!(etag_before, etag_after, "the catalog's version moves, so phones download it");
    assert_eq!(versions_of(&bundle, "outreach_event"), [1, 2]);
    let v1 = bundle["forms"].as_array().unwrap().iter().find(|f| f["id"] == "outreach_event" && f["version"] == 1);
    assert_eq!(v1.unwrap()["title"]["vi"], "Hoạt động truyền thông", "the published version 1 is unchanged");

    // Records of both versions are accepted; the new question belongs to version 2 only.
    let old = record_in(A);
    let mut new = with_value(&record_in(A), "venue_type", json!("Nhà văn hóa thôn"));
    new.form_version = 2;
    for r in [&old, &new] {
        assert_applied(&app.push_one(&officer, &new_change(r)).await, r, 1);
    }
    let unknown = with_value(&record_in(A), "venue_type", json!("x"));
    let result = app.push_one(&officer, &new_change(&unknown)).await;
    assert_eq!(result["outcome"], "rejected", "version 1 has no such question: {result}");

    // Again: version 3. Every publication is in the audit log.
    let r = upload(&app, &admin, "text/plain; charset=utf-8", outreach_changed().into_bytes()).await;
    assert_eq!(r.json()["version"], 3, "{}", r.text());
    let audit = app.get("/api/v1/admin/audit?action=form_published", Some(&admin)).await.json();
    let targets: Vec<&str> =
        audit["items"].as_array().unwrap().iter().map(|r| r["target_id"].as_str().unwrap()).collect();
    assert_eq!(targets.len(), 2, "{audit}");
    assert!(targets.contains(&"outreach_event:v2") && targets.contains(&"outreach_event:v3"), "{targets:?}");
    let list = app.get("/api/v1/admin/forms", Some(&admin)).await.json();
    let outreach: Vec<u64> = list["forms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["form_id"] == "outreach_event")
        .map(|f| f["version"].as_u64().unwrap())
        .collect();
    assert_eq!(outreach, [1, 2, 3]);
}

both!(an_xlsform_workbook_is_published_and_its_mistakes_are_placed);
async fn an_xlsform_workbook_is_published_and_its_mistakes_are_placed(app: TestApp) {
    let admin = app.admin("admin").await;
    let catalog = app.catalog.clone();
    let form = catalog.form("training_session", 2).expect("training v2 ships");
    let workbook = xlsform::export(&form.definition, catalog.figures("training_session"), catalog.reference())
        .expect("every shipped version exports");
    let r = upload(&app, &admin, XLSX, workbook).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["version"], 3);

    // Not a workbook at all, then a definition that does not compile: 400, nothing stored.
    let before = app.get("/api/v1/admin/forms", Some(&admin)).await.json();
    let r = upload(&app, &admin, XLSX, b"not a workbook".to_vec()).await;
    r.assert_error(StatusCode::BAD_REQUEST, "definition_invalid");
    assert!(!r.json()["errors"].as_array().unwrap().is_empty(), "{}", r.text());
    let broken = outreach_changed()
        .replace("name = \"venue_type\"", "name = \"venue_type\"\nrelevant = \"no_such_question = 1\"");
    let r = upload(&app, &admin, "application/toml", broken.into_bytes()).await;
    r.assert_error(StatusCode::BAD_REQUEST, "definition_invalid");
    assert_eq!(r.json()["errors"][0]["field"], "venue_type", "{}", r.text());
    let r = upload(&app, &admin, "application/toml", b"id = \"x\"\nversion = [".to_vec()).await;
    r.assert_error(StatusCode::BAD_REQUEST, "definition_invalid");
    assert_eq!(r.json()["errors"][0]["line"], 2, "{}", r.text());
    let r = upload(&app, &admin, "application/pdf", b"%PDF".to_vec()).await;
    r.assert_error(StatusCode::BAD_REQUEST, "unsupported_form_file");
    assert_eq!(app.get("/api/v1/admin/forms", Some(&admin)).await.json(), before, "nothing was stored");
}

both!(only_admins_publish);
async fn only_admins_publish(app: TestApp) {
    let supervisor = app.province_supervisor("supervisor").await;
    let officer = app.collector("officer", &[A]).await;
    for token in [&supervisor, &officer] {
        upload(&app, token, "application/toml", outreach_changed().into_bytes())
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
        app.get("/api/v1/admin/forms", Some(token)).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
}

both!(an_exported_version_uploads_again_as_the_next_version);
async fn an_exported_version_uploads_again_as_the_next_version(app: TestApp) {
    let admin = app.admin("admin").await;
    let toml = app.get("/api/v1/admin/forms/school_session/1/toml", Some(&admin)).await;
    assert_eq!(toml.status, StatusCode::OK, "{}", toml.text());
    assert!(toml.header("content-disposition").is_some_and(|d| d.contains("school_session-v1.toml")));
    let r = upload(&app, &admin, "application/toml", toml.body.to_vec()).await;
    assert_eq!((r.status, r.json()["version"].as_u64()), (StatusCode::CREATED, Some(2)), "{}", r.text());
    let xlsx = app.get("/api/v1/admin/forms/school_session/2/xlsform", Some(&admin)).await;
    assert_eq!((xlsx.status, xlsx.header("content-type")), (StatusCode::OK, Some(XLSX)));
    let r = upload(&app, &admin, XLSX, xlsx.body.to_vec()).await;
    assert_eq!((r.status, r.json()["version"].as_u64()), (StatusCode::CREATED, Some(3)), "{}", r.text());
    // The three versions compile to the same questions.
    let catalog = app.state.catalogs.current();
    let fields =
        |v: u32| serde_json::to_value(&catalog.form("school_session", v).unwrap().definition.sections).unwrap();
    assert_eq!(fields(1), fields(2));
    assert_eq!(fields(1), fields(3));
    for path in ["/api/v1/admin/forms/school_session/9/toml", "/api/v1/admin/forms/nothing/1/xlsform"] {
        app.get(path, Some(&admin)).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    }
}
