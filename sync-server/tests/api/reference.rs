//! Reference lists on a running server (`/api/v1/admin/reference`, issue 15): another
//! province deploys by uploading its own lists (the made-up province of
//! forms/tests/fixtures/province_demo), and a record in one of its communes, organised by
//! one of its agencies, reaches the report. Lists that do not hold together are refused with
//! every problem; lists that drop what records use are refused naming it; nothing is stored
//! either way. Both databases.

use std::collections::BTreeMap;
use std::path::Path;

use axum::body::Body;
use axum::http::{header, Request};

use super::*;

fn demo_province() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms/tests/fixtures/province_demo");
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_str().unwrap().to_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

async fn put_file(app: &TestApp, token: &str, name: &str, text: &str) -> crate::common::Response {
    let request = Request::builder()
        .method(Method::PUT)
        .uri(format!("/api/v1/admin/reference/{name}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(text.to_owned()))
        .unwrap();
    app.send(request).await
}

async fn stored_file(app: &TestApp, token: &str, name: &str) -> String {
    let r = app.get(&format!("/api/v1/admin/reference/{name}"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.text()
}

both!(another_province_deploys_with_its_own_lists);
async fn another_province_deploys_with_its_own_lists(app: TestApp) {
    let admin = app.admin("admin").await;
    let files = demo_province();
    let r = app.request(Method::PUT, "/api/v1/admin/reference", Some(&admin), Some(&json!({ "files": files }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // Phones get the province's communes and agencies with the catalog.
    let bundle = app.get("/api/v1/forms", None).await.json();
    let communes: Vec<&str> = bundle["reference"]["unit_lists"]["units_2025"]["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(communes, ["90", "90001", "90002", "90003"]);
    assert_eq!(stored_file(&app, &admin, "agencies.csv").await, files["agencies.csv"]);

    // An officer of one of its communes records an activity there; it reaches the report.
    let r = app
        .post(
            "/api/v1/admin/users",
            Some(&admin),
            &json!({ "username": "mai", "display_name": "Lò Thị Mai", "role": "collector", "password": "mat-khau-123",
                     "whole_province": false, "communes": [{ "unit_list": "units_2025", "unit_code": "90002" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let officer = app.sign_in_ok("mai", "mat-khau-123").await;
    let mut record = record_of("outreach_event", 1, commune("90002"));
    record.values.insert("organiser".into(), json!("hoi_phu_nu"));
    assert_applied(&app.push_one(&officer, &new_change(&record)).await, &record, 1);
    let in_quang_ngai = record_in(A);
    let result = app.push_one(&officer, &new_change(&in_quang_ngai)).await;
    assert_eq!(result["outcome"], "rejected", "that commune is not in this province's lists: {result}");

    let summary = app.get("/api/v1/reports/summary?year=2025", Some(&admin)).await.json();
    assert_eq!(summary["totals"]["activities"], 1, "{}", summary["totals"]);
    let agencies: Vec<&str> =
        summary["agencies"].as_array().unwrap().iter().map(|a| a["agency"].as_str().unwrap_or_default()).collect();
    assert!(agencies.contains(&"hoi_phu_nu"), "{}", summary["agencies"]);

    // Every upload is in the audit log.
    let audit = app.get("/api/v1/admin/audit?action=reference_uploaded&per_page=50", Some(&admin)).await.json();
    assert_eq!(audit["items"].as_array().unwrap().len(), files.len(), "{audit}");
}

both!(lists_that_do_not_hold_together_are_refused_with_every_problem);
async fn lists_that_do_not_hold_together_are_refused_with_every_problem(app: TestApp) {
    let admin = app.admin("admin").await;
    let before = stored_file(&app, &admin, "quang_ngai_units_2025.csv").await;
    let broken = format!("{}21025,Phường Trùng,Phường,2,51\n99002,Làng Mới,Làng,2,51\n", before);
    let r = put_file(&app, &admin, "quang_ngai_units_2025.csv", &broken).await;
    r.assert_error(StatusCode::BAD_REQUEST, "reference_invalid");
    let errors = r.json()["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 2, "{errors:?}");
    let lines = before.lines().count();
    assert_eq!((errors[0]["file"].as_str(), errors[0]["line"].as_u64()), (Some("units_2025"), Some(lines as u64 + 1)));
    assert!(errors[1]["message_en"].as_str().unwrap().contains("type 'Làng'"), "{errors:?}");
    assert!(errors.iter().all(|e| !e["message_vi"].as_str().unwrap().is_empty()));
    assert_eq!(stored_file(&app, &admin, "quang_ngai_units_2025.csv").await, before, "nothing was stored");

    // A list a form needs may not go: the forms name agencies.
    let r = put_file(
        &app,
        &admin,
        "lists.toml",
        &stored_file(&app, &admin, "lists.toml").await.replace("[agencies]", "[agencies_old]"),
    )
    .await;
    r.assert_error(StatusCode::BAD_REQUEST, "reference_invalid");
    // Names are files of the lists, nothing else.
    let r = put_file(&app, &admin, "..%2Fsecrets.csv", "x").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let r = put_file(&app, &admin, "notes.txt", "x").await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_reference_name");
}

both!(lists_keep_what_records_and_users_use);
async fn lists_keep_what_records_and_users_use(app: TestApp) {
    let admin = app.admin("admin").await;
    let officer = app.collector("officer", &[A]).await;
    let supervisor = app.province_supervisor("sup").await;
    let record = record_in(A);
    assert_applied(&app.push_one(&officer, &new_change(&record)).await, &record, 1);
    let used = record.values["organiser"].as_str().unwrap().to_owned();
    let agencies = stored_file(&app, &admin, "agencies.csv").await;
    let without: String =
        agencies.lines().filter(|l| !l.starts_with(&format!("{used},"))).map(|l| format!("{l}\n")).collect();
    assert_ne!(without, agencies);
    let r = put_file(&app, &admin, "agencies.csv", &without).await;
    r.assert_error(StatusCode::CONFLICT, "reference_in_use");
    assert!(r.text().contains(&used), "{}", r.text());
    assert_eq!(stored_file(&app, &admin, "agencies.csv").await, agencies);

    // Renaming an agency keeps its code: accepted, and phones get the new name.
    let renamed = agencies.replace("Sở Nội vụ", "Sở Nội vụ tỉnh Quảng Ngãi");
    assert_ne!(renamed, agencies);
    let before = app.get("/api/v1/forms", None).await.header("etag").unwrap().to_owned();
    let r = put_file(&app, &admin, "agencies.csv", &renamed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_ne!(app.get("/api/v1/forms", None).await.header("etag").unwrap(), before, "the catalog moves");
    let r = put_file(&app, &supervisor, "agencies.csv", &renamed).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let listing = app.get("/api/v1/admin/reference", Some(&admin)).await.json();
    let row = listing["files"].as_array().unwrap().iter().find(|f| f["name"] == "agencies.csv").unwrap().clone();
    assert_eq!(row["origin"], "upload", "{listing}");
}

both!(only_files_of_the_lists_and_only_text_are_taken);
async fn only_files_of_the_lists_and_only_text_are_taken(app: TestApp) {
    let admin = app.admin("admin").await;
    let r = put_file(&app, &admin, "notes.csv", "code,name_vi,name_en\nx,X,X\n").await;
    r.assert_error(StatusCode::BAD_REQUEST, "reference_invalid");
    assert!(r.text().contains("notes.csv"), "{}", r.text());
    let agencies = stored_file(&app, &admin, "agencies.csv").await;
    let r = put_file(&app, &admin, "agencies.csv", &format!("{agencies}bad,Sở\u{0}Lạ,Odd,province\n")).await;
    r.assert_error(StatusCode::BAD_REQUEST, "reference_invalid");
    let r = app
        .request(
            Method::PUT,
            "/api/v1/admin/reference",
            Some(&admin),
            Some(&json!({ "files": { "agencies.csv": "\u{0}" } })),
        )
        .await;
    r.assert_error(StatusCode::BAD_REQUEST, "reference_invalid");
    assert_eq!(stored_file(&app, &admin, "agencies.csv").await, agencies);
    let listing = app.get("/api/v1/admin/reference", Some(&admin)).await.json();
    assert!(!listing.to_string().contains("notes.csv"), "nothing stored: {listing}");
}
