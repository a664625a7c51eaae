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
    let shipped = shipped_versions("outreach_event");
    let (latest, next) = (latest_shipped("outreach_event"), next_version("outreach_event"));
    assert_eq!(versions_of(&bundle, "outreach_event"), shipped);

    // The upload still says version 1: publishing makes it the next version.
    let r = upload(&app, &admin, "application/toml", outreach_changed().into_bytes()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        (r.json()["form_id"].as_str(), r.json()["version"].as_u64()),
        (Some("outreach_event"), Some(u64::from(next)))
    );
    let (etag_after, bundle) = catalog_etag(&app, &officer).await;
    assert_ne!(etag_before, etag_after, "the catalog's version moves, so phones download it");
    assert_eq!(versions_of(&bundle, "outreach_event"), [shipped.clone(), vec![u64::from(next)]].concat());
    let v1 = bundle["forms"].as_array().unwrap().iter().find(|f| f["id"] == "outreach_event" && f["version"] == 1);
    assert_eq!(v1.unwrap()["title"]["vi"], "Hoạt động truyền thông", "the published version 1 is unchanged");

    // Records of every version are accepted; the new question belongs to the new version only.
    let old = record_in(A);
    let newest_shipped = record_of("outreach_event", latest, commune(A));
    let mut new = with_value(&record_in(A), "venue_type", json!("Nhà văn hóa thôn"));
    new.form_version = next;
    for r in [&old, &newest_shipped, &new] {
        assert_applied(&app.push_one(&officer, &new_change(r)).await, r, 1);
    }
    for version in [1, latest] {
        let unknown = with_value(&record_of("outreach_event", version, commune(A)), "venue_type", json!("x"));
        let result = app.push_one(&officer, &new_change(&unknown)).await;
        assert_eq!(result["outcome"], "rejected", "version {version} has no such question: {result}");
    }

    // Again: the version after. Every publication is in the audit log.
    let r = upload(&app, &admin, "text/plain; charset=utf-8", outreach_changed().into_bytes()).await;
    assert_eq!(r.json()["version"], next + 1, "{}", r.text());
    let audit = app.get("/api/v1/admin/audit?action=form_published", Some(&admin)).await.json();
    let targets: Vec<&str> =
        audit["items"].as_array().unwrap().iter().map(|r| r["target_id"].as_str().unwrap()).collect();
    assert_eq!(targets.len(), 2, "{audit}");
    let (first, second) = (format!("outreach_event:v{next}"), format!("outreach_event:v{}", next + 1));
    assert!(targets.contains(&first.as_str()) && targets.contains(&second.as_str()), "{targets:?}");
    let list = app.get("/api/v1/admin/forms", Some(&admin)).await.json();
    let outreach: Vec<u64> = list["forms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["form_id"] == "outreach_event")
        .map(|f| f["version"].as_u64().unwrap())
        .collect();
    assert_eq!(outreach, [shipped, vec![u64::from(next), u64::from(next) + 1]].concat());
}

both!(an_xlsform_workbook_is_published_and_its_mistakes_are_placed);
async fn an_xlsform_workbook_is_published_and_its_mistakes_are_placed(app: TestApp) {
    let admin = app.admin("admin").await;
    let catalog = app.catalog.clone();
    let form = catalog.latest("training_session").expect("training sessions ship");
    let workbook = xlsform::export(&form.definition, catalog.figures("training_session"), catalog.reference())
        .expect("every shipped version exports");
    let r = upload(&app, &admin, XLSX, workbook).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["version"], next_version("training_session"));

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
    let (latest, next) = (latest_shipped("school_session"), next_version("school_session"));
    let toml = app.get(&format!("/api/v1/admin/forms/school_session/{latest}/toml"), Some(&admin)).await;
    assert_eq!(toml.status, StatusCode::OK, "{}", toml.text());
    let file = format!("school_session-v{latest}.toml");
    assert!(toml.header("content-disposition").is_some_and(|d| d.contains(&file)));
    let r = upload(&app, &admin, "application/toml", toml.body.to_vec()).await;
    assert_eq!((r.status, r.json()["version"].as_u64()), (StatusCode::CREATED, Some(u64::from(next))), "{}", r.text());
    let xlsx = app.get(&format!("/api/v1/admin/forms/school_session/{next}/xlsform"), Some(&admin)).await;
    assert_eq!((xlsx.status, xlsx.header("content-type")), (StatusCode::OK, Some(XLSX)));
    let r = upload(&app, &admin, XLSX, xlsx.body.to_vec()).await;
    assert_eq!(
        (r.status, r.json()["version"].as_u64()),
        (StatusCode::CREATED, Some(u64::from(next) + 1)),
        "{}",
        r.text()
    );
    // The three versions compile to the same questions.
    let catalog = app.state.catalogs.current();
    let fields =
        |v: u32| serde_json::to_value(&catalog.form("school_session", v).unwrap().definition.sections).unwrap();
    assert_eq!(fields(latest), fields(next));
    assert_eq!(fields(latest), fields(next + 1));
    for path in ["/api/v1/admin/forms/school_session/9/toml", "/api/v1/admin/forms/nothing/1/xlsform"] {
        app.get(path, Some(&admin)).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    }
}

// ---- withdrawing and restoring a version ----------------------------------------------------

async fn set_state(app: &TestApp, token: &str, path: &str, what: &str) -> Response {
    app.post(&format!("/api/v1/admin/forms/{path}/{what}"), Some(token), &json!({})).await
}

/// Whether the catalog phones download says `form` `version` is withdrawn (the bundle
/// leaves `withdrawn` out when false).
fn withdrawn(bundle: &Value, form: &str, version: u64) -> bool {
    let served = bundle["forms"].as_array().unwrap().iter().find(|f| f["id"] == form && f["version"] == version);
    served.expect("the version is served")["withdrawn"].as_bool().unwrap_or(false)
}

both!(an_admin_withdraws_a_version_phones_stop_new_records_and_a_restore_brings_it_back);
async fn an_admin_withdraws_a_version_phones_stop_new_records_and_a_restore_brings_it_back(app: TestApp) {
    let admin = app.admin("admin").await;
    let officer = app.collector("officer", &[A]).await;
    let old = record_of("training_session", 1, commune(A));
    assert_applied(&app.push_one(&officer, &new_change(&old)).await, &old, 1);
    let (etag_before, _) = catalog_etag(&app, &officer).await;
    // Another process serving the same database.
    let replica = sync_server::catalog::Catalogs::load(&app.db, &app.catalog).await.unwrap();

    let r = set_state(&app, &admin, "training_session/1", "withdraw").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!((r.json()["form_id"].as_str(), r.json()["version"].as_u64()), (Some("training_session"), Some(1)));
    assert_eq!(r.json()["withdrawn"], true);
    let (etag, bundle) = catalog_etag(&app, &officer).await;
    assert_ne!(etag, etag_before, "the catalog's version moves, so phones download it");
    assert_eq!(etag, format!("\"{}\"", r.json()["catalog_version"].as_str().unwrap()));
    assert!(withdrawn(&bundle, "training_session", 1));
    let latest = latest_shipped("training_session");
    assert!(latest > 1, "a newer version than the one withdrawn ships");
    assert!(!withdrawn(&bundle, "training_session", u64::from(latest)));
    let list = app.get("/api/v1/admin/forms", Some(&admin)).await.json();
    let row =
        list["forms"].as_array().unwrap().iter().find(|f| f["form_id"] == "training_session" && f["version"] == 1);
    assert_eq!(row.unwrap()["withdrawn"], true, "{list}");
    assert!(replica.refresh(&app.db).await.unwrap(), "the other process follows the counter");
    assert!(replica.current().form("training_session", 1).unwrap().definition.withdrawn);

    // No new record of version 1; its records stay editable; the latest version takes new ones.
    let new = record_of("training_session", 1, commune(A));
    assert_rejected_with(&app.push_one(&officer, &new_change(&new)).await, "form_version", "form_withdrawn");
    let corrected = with_value(&old, "notes", json!("Sửa sau khi phiên bản 1 ngừng dùng."));
    assert_applied(&app.push_one(&officer, &change(&corrected, 1)).await, &old, 2);
    let newer = record_of("training_session", latest, commune(A));
    assert_applied(&app.push_one(&officer, &new_change(&newer)).await, &newer, 1);
    set_state(&app, &admin, "training_session/1", "withdraw")
        .await
        .assert_error(StatusCode::CONFLICT, "already_withdrawn");
    // A download is the version as published: uploaded again, it would be a version in use.
    let toml = app.get("/api/v1/admin/forms/training_session/1/toml", Some(&admin)).await;
    assert!(!toml.text().contains("withdrawn"), "{}", toml.text());

    let r = set_state(&app, &admin, "training_session/1", "restore").await;
    assert_eq!((r.status, &r.json()["withdrawn"]), (StatusCode::OK, &json!(false)), "{}", r.text());
    let (etag, bundle) = catalog_etag(&app, &officer).await;
    assert_eq!(etag, etag_before, "the catalog is the one before the withdrawal");
    assert!(!withdrawn(&bundle, "training_session", 1));
    assert_applied(&app.push_one(&officer, &new_change(&new)).await, &new, 1);
    set_state(&app, &admin, "training_session/1", "restore").await.assert_error(StatusCode::CONFLICT, "not_withdrawn");
    assert!(replica.refresh(&app.db).await.unwrap());
    assert!(!replica.current().form("training_session", 1).unwrap().definition.withdrawn);

    // Each is in the audit log, with who did it.
    for (action, before, after) in [("form_withdrawn", false, true), ("form_restored", true, false)] {
        let audit = app.get(&format!("/api/v1/admin/audit?action={action}"), Some(&admin)).await.json();
        let items = audit["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{audit}");
        assert_eq!(
            (items[0]["target_kind"].as_str(), items[0]["target_id"].as_str()),
            (Some("form"), Some("training_session:v1"))
        );
        assert_eq!(items[0]["actor_username"], "admin");
        assert_eq!(
            (&items[0]["before"]["withdrawn"], &items[0]["after"]["withdrawn"]),
            (&json!(before), &json!(after))
        );
    }
    for path in ["training_session/9", "nothing/1", "training_session/one"] {
        for what in ["withdraw", "restore"] {
            set_state(&app, &admin, path, what).await.assert_error(StatusCode::NOT_FOUND, "not_found");
        }
    }
}

both!(only_admins_withdraw_or_restore);
async fn only_admins_withdraw_or_restore(app: TestApp) {
    let admin = app.admin("admin").await;
    let supervisor = app.province_supervisor("supervisor").await;
    let officer = app.collector("officer", &[A]).await;
    assert_eq!(set_state(&app, &admin, "outreach_event/1", "withdraw").await.status, StatusCode::OK);
    let (etag, _) = catalog_etag(&app, &officer).await;
    for token in [&supervisor, &officer] {
        for what in ["withdraw", "restore"] {
            set_state(&app, token, "outreach_event/1", what).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
        }
    }
    assert_eq!(catalog_etag(&app, &officer).await.0, etag, "nothing changed");
    let audit = app.get("/api/v1/admin/audit?action=form_restored", Some(&admin)).await.json();
    assert_eq!(audit["total"], 0, "{audit}");
}

both!(a_version_published_withdrawn_stays_withdrawn);
async fn a_version_published_withdrawn_stays_withdrawn(app: TestApp) {
    let admin = app.admin("admin").await;
    let next = next_version("outreach_event");
    let text = outreach_changed().replacen("version = 1\n", "version = 1\nwithdrawn = true\n", 1);
    let r = upload(&app, &admin, "application/toml", text.into_bytes()).await;
    assert_eq!((r.status, r.json()["version"].as_u64()), (StatusCode::CREATED, Some(u64::from(next))), "{}", r.text());
    let (_, bundle) = catalog_etag(&app, &admin).await;
    assert!(withdrawn(&bundle, "outreach_event", u64::from(next)));
    let path = format!("outreach_event/{next}");
    set_state(&app, &admin, &path, "restore").await.assert_error(StatusCode::CONFLICT, "withdrawn_in_definition");
    set_state(&app, &admin, &path, "withdraw").await.assert_error(StatusCode::CONFLICT, "already_withdrawn");
    assert!(withdrawn(&catalog_etag(&app, &admin).await.1, "outreach_event", u64::from(next)));
}

// ---- a record begun under an older version ---------------------------------------------------

/// Activities of the reporting year 2025 (the example records' year) in the summary.
async fn activities_2025(app: &TestApp, token: &str) -> u64 {
    let r = app.get("/api/v1/reports/summary?year=2025", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["totals"]["activities"].as_u64().unwrap()
}

/// The stored record as the console shows it: (form version, status, revision).
async fn stored(app: &TestApp, admin: &str, record: &Record) -> (u64, String, u64) {
    let r = app.get(&format!("/api/v1/admin/records/{}", record.id), Some(admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let shown = &r.json()["record"];
    (
        shown["form_version"].as_u64().unwrap(),
        shown["status"].as_str().unwrap().to_owned(),
        shown["revision"].as_u64().unwrap(),
    )
}

both!(a_draft_begun_under_v1_is_finished_under_v1_after_v2_is_published_and_after_v1_is_withdrawn);
async fn a_draft_begun_under_v1_is_finished_under_v1_after_v2_is_published_and_after_v1_is_withdrawn(app: TestApp) {
    let admin = app.admin("admin").await;
    let officer = app.collector("officer", &[A]).await;
    let counted = activities_2025(&app, &admin).await;
    // Two phones' drafts of version 1, saved and pushed before anything is published.
    let drafts: Vec<Record> = (0..2)
        .map(|_| {
            let mut draft = record_in(A);
            draft.status = forms::RecordStatus::Draft;
            draft
        })
        .collect();
    for draft in &drafts {
        assert_applied(&app.push_one(&officer, &new_change(draft)).await, draft, 1);
    }
    assert_eq!(activities_2025(&app, &admin).await, counted, "drafts are not counted");

    // A new version is published (the next after those shipped).
    let next = next_version("outreach_event");
    let r = upload(&app, &admin, "application/toml", outreach_changed().into_bytes()).await;
    assert_eq!((r.status, r.json()["version"].as_u64()), (StatusCode::CREATED, Some(u64::from(next))), "{}", r.text());
    let (_, bundle) = catalog_etag(&app, &officer).await;
    assert_eq!(
        versions_of(&bundle, "outreach_event"),
        [shipped_versions("outreach_event"), vec![u64::from(next)]].concat()
    );

    // The first is finished under version 1, with the new version the latest.
    let finish = |draft: &Record| {
        let mut done = with_value(draft, "place", json!("Nhà văn hóa thôn An Phú"));
        done.status = forms::RecordStatus::Final;
        change(&done, 1)
    };
    assert_applied(&app.push_one(&officer, &finish(&drafts[0])).await, &drafts[0], 2);
    assert_eq!(stored(&app, &admin, &drafts[0]).await, (1, "final".to_owned(), 2));
    let pulled = app.pull(&officer, 0).await;
    let first = pulled.records.iter().find(|r| r.record.id == drafts[0].id).expect("pulled");
    assert_eq!(
        (first.record.form_version, first.record.status, first.record.revision),
        (1, forms::RecordStatus::Final, 2)
    );
    assert_eq!(activities_2025(&app, &admin).await, counted + 1, "the finished record is counted");

    // Version 1 withdrawn: no new record of it, but the other draft is still finished under it.
    assert_eq!(set_state(&app, &admin, "outreach_event/1", "withdraw").await.status, StatusCode::OK);
    let new = record_in(A);
    assert_rejected_with(&app.push_one(&officer, &new_change(&new)).await, "form_version", "form_withdrawn");
    assert_applied(&app.push_one(&officer, &finish(&drafts[1])).await, &drafts[1], 2);
    assert_eq!(stored(&app, &admin, &drafts[1]).await, (1, "final".to_owned(), 2));
    assert_eq!(activities_2025(&app, &admin).await, counted + 2);
    assert_eq!(app.counts().await.0, 2, "the two records, each once; not the refused one");
}

/// The outreach form's figures in the summary of 2025, by field.
async fn outreach_figures(app: &TestApp, token: &str) -> std::collections::BTreeMap<String, i64> {
    let summary = app.get("/api/v1/reports/summary?year=2025", Some(token)).await.json();
    let outreach = summary["forms"].as_array().unwrap().iter().find(|f| f["form_id"] == "outreach_event").unwrap();
    outreach["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap().to_owned(), f["value"].as_i64().unwrap()))
        .collect()
}

both!(a_workbook_changes_the_report_figures_and_stored_records_are_counted_again);
async fn a_workbook_changes_the_report_figures_and_stored_records_are_counted_again(app: TestApp) {
    let admin = app.admin("admin").await;
    let officer = app.collector("officer", &[A]).await;
    let supervisor = app.province_supervisor("sup").await;
    let old = with_value(&record_in(A), "materials_distributed", json!(40));
    assert_applied(&app.push_one(&officer, &new_change(&old)).await, &old, 1);
    let before = outreach_figures(&app, &supervisor).await;
    assert!(!before.contains_key("volunteers"));

    // The next version asks for volunteers and reports them; the shipped figures stay.
    let next = next_version("outreach_event");
    let catalog = Catalog::bundled().unwrap();
    let mut definition = catalog.form("outreach_event", 1).unwrap().definition.clone();
    let volunteers = json!({ "name": "volunteers", "type": "integer", "min": 0,
        "label": { "vi": "Số tình nguyện viên", "en": "Volunteers" } });
    definition.sections.last_mut().unwrap().fields.push(serde_json::from_value(volunteers).unwrap());
    let mut figures = catalog.figures("outreach_event").unwrap().clone();
    let figure = json!({ "field": "volunteers", "label": { "vi": "Tình nguyện viên", "en": "Volunteers" } });
    figures.figures.push(serde_json::from_value(figure).unwrap());
    let workbook = xlsform::export(&definition, Some(&figures), catalog.reference()).unwrap();
    let r = upload(&app, &admin, XLSX, workbook).await;
    assert_eq!((r.status, r.json()["version"].as_u64()), (StatusCode::CREATED, Some(u64::from(next))), "{}", r.text());
    let after = outreach_figures(&app, &supervisor).await;
    assert_eq!(after.get("volunteers"), Some(&0), "version 1 records have none: {after:?}");
    assert_eq!(after.get("materials_distributed"), before.get("materials_distributed"));
    let mut new = with_value(&record_in(A), "volunteers", json!(7));
    new.form_version = next;
    assert_applied(&app.push_one(&officer, &new_change(&new)).await, &new, 1);
    assert_eq!(outreach_figures(&app, &supervisor).await.get("volunteers"), Some(&7));

    // The version after stops reporting materials: the stored records' sums go with it.
    figures.figures.retain(|f| f.field != "materials_distributed");
    let workbook = xlsform::export(&definition, Some(&figures), catalog.reference()).unwrap();
    let r = upload(&app, &admin, XLSX, workbook).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let last = outreach_figures(&app, &supervisor).await;
    assert_eq!((last.get("materials_distributed"), last.get("volunteers")), (None, Some(&7)), "{last:?}");
    let audit = app.get("/api/v1/admin/audit?action=form_published", Some(&admin)).await.json();
    assert!(audit.to_string().contains("volunteers"), "the new figures are in the audit log: {audit}");

    // A draft cannot change figures: its records never count.
    figures.figures.retain(|f| f.field != "volunteers");
    let workbook = xlsform::export(&definition, Some(&figures), catalog.reference()).unwrap();
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/admin/form-drafts")
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .header(header::CONTENT_TYPE, XLSX)
        .body(Body::from(workbook))
        .unwrap();
    app.send(request).await.assert_error(StatusCode::CONFLICT, "figures_changed");
}
