//! The phone and the server must never disagree about what a valid record is. Every case of
//! `forms/tests/cases` is validated locally with `forms` (as the PWA does) and pushed through
//! the real server router: valid records are applied, invalid ones rejected with exactly the
//! same fields and codes, and what the server stores is what local normalization produced.

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use chrono::Utc;
use forms::sync::{Change, Outcome, PullResponse, PushRequest, PushResponse};
use forms::{Catalog, Location, Record, RecordStatus};
use http_body_util::BodyExt;
use serde_json::{Map, Value};
use sync_server::store::users::{NewUser, Role};
use sync_server::{app, AppState, Db, Settings};
use tower::ServiceExt;
use uuid::Uuid;

struct Case {
    file: String,
    form: String,
    version: u32,
    values: Map<String, Value>,
    why: String,
}

/// Every valid case, and every invalid case as the valid record with its patch applied.
fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms/tests/cases");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let (form, version) = (doc["form"].as_str().unwrap().to_owned(), doc["version"].as_u64().unwrap() as u32);
        let valid: Vec<Map<String, Value>> =
            doc["valid"].as_array().unwrap().iter().map(|c| c["values"].as_object().unwrap().clone()).collect();
        for (c, values) in doc["valid"].as_array().unwrap().iter().zip(&valid) {
            let why = c["why"].as_str().unwrap().to_owned();
            out.push(Case { file: file.clone(), form: form.clone(), version, values: values.clone(), why });
        }
        for c in doc["invalid"].as_array().unwrap() {
            let mut values = valid[c["base"].as_u64().unwrap_or(0) as usize].clone();
            for (k, v) in c["patch"].as_object().unwrap() {
                match v {
                    Value::Null => values.remove(k),
                    v => values.insert(k.clone(), v.clone()),
                };
            }
            let why = c["why"].as_str().unwrap().to_owned();
            out.push(Case { file: file.clone(), form: form.clone(), version, values, why });
        }
    }
    out
}

fn record(case: &Case) -> Record {
    Record {
        id: Uuid::new_v4(),
        form_id: case.form.clone(),
        form_version: case.version,
        location: Location { unit_list: "units_2025".into(), unit_code: "21025".into() },
        author: "agreement".into(),
        device_id: "agreement-device".into(),
        created_at: Utc::now(),
        updated_at: Utc::now(),
        status: RecordStatus::Final,
        deleted: false,
        revision: 0,
        values: case.values.clone(),
    }
}

async fn call(router: &axum::Router, request: Request<Body>) -> Value {
    let response = router.clone().oneshot(request).await.unwrap();
    assert!(response.status().is_success(), "status {}", response.status());
    serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap()
}

#[tokio::test]
async fn the_server_and_the_form_engine_agree_on_every_case() {
    let catalog = Arc::new(Catalog::bundled().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&Db::sqlite_url(dir.path())).await.unwrap();
    let communes = [Location { unit_list: "units_2025".into(), unit_code: "21025".into() }];
    let new = NewUser {
        username: "agreement",
        display_name: "Agreement",
        role: Role::Collector,
        password: None,
        whole_province: false,
        communes: &communes,
    };
    let user = db.create_user(&new, catalog.reference()).await.unwrap();
    let token = db.issue_token(user.id, "agreement-device").await.unwrap();
    let settings =
        Settings { public_url: "http://localhost".into(), trust_proxy: false, pwa_dir: None, allow_any_origin: false };
    // No photo is sent here; the router still needs a store.
    let photo_dir = tempfile::tempdir().unwrap();
    let photos = sync_server::photos::PhotoStore::in_folder(photo_dir.path()).unwrap();
    let router = app(AppState::new(db, sync_server::catalog::Catalogs::fixed(catalog.clone()), settings, photos));

    let cases = cases();
    assert!(cases.len() > 150, "the case files hold {} cases", cases.len());
    let records: Vec<Record> = cases.iter().map(record).collect();
    let changes: Vec<Change> =
        records.iter().map(|r| Change { change_id: Uuid::new_v4(), base_revision: 0, record: r.clone() }).collect();
    let body = serde_json::to_vec(&PushRequest { device_id: "agreement-device".into(), changes }).unwrap();
    let request = Request::post("/api/v1/sync/push")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let response: PushResponse = serde_json::from_value(call(&router, request).await).unwrap();
    let request = Request::get("/api/v1/sync/pull?since=0&limit=1000")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let pulled: PullResponse = serde_json::from_value(call(&router, request).await).unwrap();

    let mut disagreements = Vec::new();
    for ((case, record), result) in cases.iter().zip(&records).zip(&response.results) {
        let local = catalog.validate_record(record);
        match (&local, &result.outcome) {
            (Ok(validated), Outcome::Applied { record_id, .. }) => {
                let stored = pulled.records.iter().find(|p| p.record.id == *record_id).map(|p| &p.record.values);
                if stored != Some(&validated.values()) {
                    disagreements
                        .push(format!("{} '{}': stored answers differ from local normalization", case.file, case.why));
                }
            }
            (Err(local), Outcome::Rejected { errors }) => {
                let key = |e: &forms::FieldError| (e.field.clone(), e.code, e.cell);
                let (mut a, mut b): (Vec<_>, Vec<_>) =
                    (local.iter().map(key).collect(), errors.iter().map(key).collect());
                a.sort_by_key(|k| format!("{k:?}"));
                b.sort_by_key(|k| format!("{k:?}"));
                if a != b {
                    disagreements.push(format!("{} '{}': phone says {a:?}, server says {b:?}", case.file, case.why));
                }
            }
            (local, server) => disagreements.push(format!(
                "{} '{}': phone says {}, server says {server:?}",
                case.file,
                case.why,
                if local.is_ok() { "valid" } else { "invalid" }
            )),
        }
    }
    assert!(disagreements.is_empty(), "{} disagreement(s):\n{}", disagreements.len(), disagreements.join("\n"));
}
