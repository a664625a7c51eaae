//! Evidence photos (issue 16): the record syncs first and names its photos by SHA-256; each
//! photo follows on its own (`POST /sync/photos`, `PUT`/`GET /records/{id}/photos/{sha256}`).
//! Every test runs on both databases and, for each, on both stores: the data folder and an
//! S3-compatible bucket (moto, which `cargo xtask test` starts: `SOTAY_TEST_S3_URL`).

use std::sync::Arc;

use sha2::{Digest, Sha256};
use sync_server::photos::object_store::aws::AmazonS3Builder;
use sync_server::photos::PhotoStore;

use super::*;

const S3_URL_VAR: &str = "SOTAY_TEST_S3_URL";

/// The stores to run a test on: the folder `app` was built with, and a bucket prefix of its
/// own on the S3 server when there is one (in CI there must be).
async fn stores() -> Vec<(&'static str, Option<PhotoStore>)> {
    let mut stores = vec![("folder", None)];
    match std::env::var(S3_URL_VAR) {
        Ok(endpoint) => stores.push(("s3", Some(s3_store(&endpoint).await))),
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("{S3_URL_VAR} is not set in CI"),
        Err(_) => eprintln!("{S3_URL_VAR} not set: the S3 half of the photo tests is skipped"),
    }
    stores
}

async fn s3_store(endpoint: &str) -> PhotoStore {
    let bucket = "sotay-test";
    // moto takes an unsigned bucket creation; a second one answers that it exists.
    let created =
        reqwest::Client::new().put(format!("{endpoint}/{bucket}")).send().await.expect("the S3 server answers");
    assert!(created.status().is_success() || created.status().as_u16() == 409, "bucket: {}", created.status());
    let store = AmazonS3Builder::new()
        .with_endpoint(endpoint)
        .with_bucket_name(bucket)
        .with_region("us-east-1")
        .with_access_key_id("testing")
        .with_secret_access_key("testing")
        .with_allow_http(true)
        .build()
        .expect("an S3 client");
    PhotoStore::remote(Arc::new(store), &format!("run-{}", Uuid::new_v4()), format!("moto {endpoint}"))
}

/// Runs `$body` (an `async fn(&TestApp, &str)`) once per store on `app`'s database.
macro_rules! on_every_store {
    ($app:expr, $body:ident) => {{
        let mut app: TestApp = $app;
        for (name, store) in stores().await {
            if let Some(store) = store {
                app = app.with_photos(store);
            }
            $body(&app, name).await;
        }
    }};
}

/// Bytes a JPEG decoder would start on (SOI, APP0), then `seed`'s content, then EOI.
fn jpeg(seed: &str, len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    while bytes.len() < len - 2 {
        bytes.extend_from_slice(seed.as_bytes());
    }
    bytes.truncate(len - 2);
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A training record (v3 takes up to three photos of the sign-in sheet) naming `photos`.
fn training_with(photos: &[&[u8]], code: &str) -> Record {
    let refs: Vec<Value> = photos.iter().map(|p| json!({"sha256": sha(p), "bytes": p.len()})).collect();
    let mut record = record_of("training_session", 3, commune(code));
    record.values.insert("sign_in_sheet".into(), Value::Array(refs));
    record
}

async fn put_photo(app: &TestApp, token: &str, record: Uuid, hash: &str, bytes: &[u8]) -> common::Response {
    let auth = format!("Bearer {token}");
    let path = format!("/api/v1/records/{record}/photos/{hash}");
    app.raw(Method::PUT, &path, &[("authorization", &auth), ("content-type", "image/jpeg")], bytes.to_vec()).await
}

async fn status(app: &TestApp, token: &str, pairs: &[(Uuid, &str)]) -> Vec<String> {
    let photos: Vec<Value> = pairs.iter().map(|(r, h)| json!({"record_id": r, "sha256": h})).collect();
    let response = app.post("/api/v1/sync/photos", Some(token), &json!({ "photos": photos })).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()["photos"].as_array().unwrap().iter().map(|p| p["state"].as_str().unwrap().to_owned()).collect()
}

both!(a_photo_follows_its_record_and_is_stored_once);
async fn a_photo_follows_its_record_and_is_stored_once(app: TestApp) {
    on_every_store!(app, stored_once);
}

async fn stored_once(app: &TestApp, store: &str) {
    let officer = app.collector(&format!("officer.{store}"), &[A]).await;
    let (page1, page2) = (jpeg(&format!("trang 1 {store}"), 180_000), jpeg(&format!("trang 2 {store}"), 90_000));
    let (h1, h2) = (sha(&page1), sha(&page2));
    let record = training_with(&[&page1, &page2], A);
    assert_applied(&app.push_one(&officer, &new_change(&record)).await, &record, 1);
    let (photos_before, bytes_before) = app.db.photo_counts().await.unwrap();

    assert_eq!(status(app, &officer, &[(record.id, &h1), (record.id, &h2)]).await, ["missing", "missing"]);
    let first = put_photo(app, &officer, record.id, &h1, &page1).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    assert_eq!(first.json()["duplicate"], false);
    // The reply was lost and the phone sends it again: stored once.
    let again = put_photo(app, &officer, record.id, &h1, &page1).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(again.json()["duplicate"], true);
    // Back from a cut connection, the phone asks first and sends only the second page.
    assert_eq!(status(app, &officer, &[(record.id, &h1), (record.id, &h2)]).await, ["stored", "missing"]);
    assert_eq!(put_photo(app, &officer, record.id, &h2, &page2).await.status, StatusCode::CREATED);
    assert_eq!(status(app, &officer, &[(record.id, &h1), (record.id, &h2)]).await, ["stored", "stored"]);
    let (photos, bytes) = app.db.photo_counts().await.unwrap();
    assert_eq!((photos - photos_before, bytes - bytes_before), (2, 270_000), "two photos, each once");
    assert!(app.state.photos.exists(&h1).await.unwrap() && app.state.photos.exists(&h2).await.unwrap());

    let got = app.get(&format!("/api/v1/records/{}/photos/{h1}", record.id), Some(&officer)).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body.as_ref(), page1.as_slice(), "the very bytes sent");
    assert_eq!(got.header("content-type"), Some("image/jpeg"));
    assert!(got.header("cache-control").is_some_and(|c| c.contains("no-store")), "{:?}", got.headers);
}

both!(photos_are_checked_and_kept_within_the_record_scope);
async fn photos_are_checked_and_kept_within_the_record_scope(app: TestApp) {
    on_every_store!(app, checked_and_scoped);
}

async fn checked_and_scoped(app: &TestApp, store: &str) {
    let officer = app.collector(&format!("officer.{store}"), &[A]).await;
    let elsewhere = app.collector(&format!("elsewhere.{store}"), &[B]).await;
    let supervisor = app.province_supervisor(&format!("province.{store}")).await;
    let photo = jpeg(&format!("ký tên {store}"), 50_000);
    let hash = sha(&photo);
    let record = training_with(&[&photo], A);
    assert_applied(&app.push_one(&officer, &new_change(&record)).await, &record, 1);
    let unnamed = jpeg(&format!("ảnh khác {store}"), 1000);
    let too_large = jpeg("x", forms::evidence::MAX_PHOTO_BYTES as usize + 1);
    let (id, other_id) = (record.id, Uuid::new_v4());
    let auth = format!("Bearer {officer}");

    // (who, record, hash in the path, content type, body) → status, error code
    let cases: Vec<(&str, Uuid, String, &str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "a PNG",
            id,
            hash.clone(),
            "image/png",
            photo.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        ("no type", id, hash.clone(), "", photo.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        (
            "not a JPEG",
            id,
            sha(b"GIF89a...."),
            "image/jpeg",
            b"GIF89a....".to_vec(),
            StatusCode::BAD_REQUEST,
            "not_a_jpeg",
        ),
        (
            "damaged",
            id,
            hash.clone(),
            "image/jpeg",
            jpeg("hỏng", 50_000),
            StatusCode::BAD_REQUEST,
            "photo_hash_mismatch",
        ),
        (
            "over 1 MB",
            id,
            sha(&too_large),
            "image/jpeg",
            too_large.clone(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        ("not named", id, sha(&unnamed), "image/jpeg", unnamed.clone(), StatusCode::CONFLICT, "photo_not_named"),
        ("no such record", other_id, hash.clone(), "image/jpeg", photo.clone(), StatusCode::NOT_FOUND, "not_found"),
        ("not a hash", id, "photo.jpg".into(), "image/jpeg", photo.clone(), StatusCode::NOT_FOUND, "not_found"),
    ];
    for (why, record_id, path_hash, content_type, body, status, code) in cases {
        let mut headers = vec![("authorization", auth.as_str())];
        if !content_type.is_empty() {
            headers.push(("content-type", content_type));
        }
        let path = format!("/api/v1/records/{record_id}/photos/{path_hash}");
        let response = app.raw(Method::PUT, &path, &headers, body).await;
        assert_eq!(response.status, status, "{why}: {}", response.text());
        assert_eq!(response.error_code(), code, "{why}");
    }
    assert!(!app.state.photos.exists(&sha(&unnamed)).await.unwrap(), "nothing refused is stored");
    assert!(!app.state.photos.exists(&sha(&too_large)).await.unwrap());

    // An officer of another commune can neither send nor see it: 404, as if absent.
    put_photo(app, &elsewhere, id, &hash, &photo).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(status(app, &elsewhere, &[(id, &hash)]).await, ["not_named"]);
    assert_eq!(put_photo(app, &officer, id, &hash, &photo).await.status, StatusCode::CREATED);
    let path = format!("/api/v1/records/{id}/photos/{hash}");
    app.get(&path, Some(&elsewhere)).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    app.get(&path, None).await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(app.get(&path, Some(&supervisor)).await.status, StatusCode::OK, "the province sees it");
    // A photo the record does not hold is not served through it, even if stored.
    let second = training_with(&[&unnamed], A);
    assert_applied(&app.push_one(&officer, &new_change(&second)).await, &second, 1);
    assert_eq!(put_photo(app, &officer, second.id, &sha(&unnamed), &unnamed).await.status, StatusCode::CREATED);
    let crossed = format!("/api/v1/records/{id}/photos/{}", sha(&unnamed));
    app.get(&crossed, Some(&officer)).await.assert_error(StatusCode::NOT_FOUND, "not_found");
}

both!(a_deleted_record_takes_its_photos_with_it);
async fn a_deleted_record_takes_its_photos_with_it(app: TestApp) {
    on_every_store!(app, deleted_with_record);
}

async fn deleted_with_record(app: &TestApp, store: &str) {
    let officer = app.collector(&format!("officer.{store}"), &[A]).await;
    let (own, shared) = (jpeg(&format!("riêng {store}"), 20_000), jpeg(&format!("chung {store}"), 30_000));
    let first = training_with(&[&own, &shared], A);
    let second = training_with(&[&shared], A);
    for record in [&first, &second] {
        assert_applied(&app.push_one(&officer, &new_change(record)).await, record, 1);
    }
    for (record, photo) in [(&first, &own), (&first, &shared), (&second, &shared)] {
        assert!(put_photo(app, &officer, record.id, &sha(photo), photo).await.status.is_success());
    }
    let mut tombstone = first.clone();
    tombstone.deleted = true;
    assert_applied(&app.push_one(&officer, &change(&tombstone, 1)).await, &tombstone, 2);
    assert!(!app.state.photos.exists(&sha(&own)).await.unwrap(), "its own photo went with it");
    assert!(app.state.photos.exists(&sha(&shared)).await.unwrap(), "another record still holds this one");
    assert_eq!(
        app.get(&format!("/api/v1/records/{}/photos/{}", second.id, sha(&shared)), Some(&officer)).await.status,
        StatusCode::OK
    );
    // The phone that had not sent it yet is told the record no longer wants it.
    assert_eq!(status(app, &officer, &[(first.id, &sha(&own))]).await, ["not_named"]);
    let mut gone = second.clone();
    gone.deleted = true;
    assert_applied(&app.push_one(&officer, &change(&gone, 1)).await, &gone, 2);
    assert!(!app.state.photos.exists(&sha(&shared)).await.unwrap(), "the last holder deleted");
}

both!(raw_exports_link_each_photo_and_split_a_position_into_columns);
async fn raw_exports_link_each_photo_and_split_a_position_into_columns(app: TestApp) {
    let officer = app.collector("officer", &[A]).await;
    let admin = app.admin("admin").await;
    let (p1, p2) = (jpeg("một", 2000), jpeg("hai", 3000));
    let training = training_with(&[&p1, &p2], A);
    let mut check = record_of("model_check", 2, commune(A));
    check.values.insert("gps_position".into(), json!({"lat": 15.12141, "lon": 108.80442, "accuracy": 12}));
    for record in [&training, &check] {
        assert_applied(&app.push_one(&officer, &new_change(record)).await, record, 1);
    }
    let csv = |form: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let r = app.get(&format!("/api/v1/reports/raw?form={form}&format=csv"), Some(&admin)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            super::reports::parse_csv(std::str::from_utf8(&r.body[3..]).unwrap())
        }
    };
    let rows = csv("training_session").await;
    let row = rows.iter().find(|r| r[0] == training.id.to_string()).expect("the training's row");
    let cell = |rows: &[Vec<String>], row: &[String], key: &str| -> String {
        let at = rows[0]
            .iter()
            .position(|h| h.ends_with(&format!("({key})")))
            .unwrap_or_else(|| panic!("no {key} in {:?}", rows[0]));
        row[at].clone()
    };
    let link = |bytes: &[u8]| format!("https://sotay.test/api/v1/records/{}/photos/{}", training.id, sha(bytes));
    // (column, value): a link per photo, up to the three pages the question takes.
    let expected = [("sign_in_sheet.1", link(&p1)), ("sign_in_sheet.2", link(&p2)), ("sign_in_sheet.3", String::new())];
    for (key, value) in expected {
        assert_eq!(cell(&rows, row, key), value, "{key}");
    }
    let rows = csv("model_check").await;
    let row = rows.iter().find(|r| r[0] == check.id.to_string()).expect("the check's row");
    for (key, value) in
        [("gps_position.lat", "15.12141"), ("gps_position.lon", "108.80442"), ("gps_position.accuracy", "12")]
    {
        assert_eq!(cell(&rows, row, key), value, "{key}");
    }
}
