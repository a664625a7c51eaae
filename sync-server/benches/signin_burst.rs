//! Push latency while a burst of sign-ins runs (issue 12, item 5): password hashing is
//! deliberately slow (argon2id, ~20–50 ms of one core), and if it runs on the async workers a
//! burst of sign-ins stalls every other request. This measures one-record pushes on a real
//! socket, first alone (the baseline, same run), then with `BURST` clients signing in in a loop.
//!
//! It also times a wrong password for a known username against one for an unknown username
//! (issue 12, item 4: the two must not be told apart by the time they take).
//!
//! `cargo bench -p sotay-sync-server --bench signin_burst` (SQLite in a temporary directory).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use forms::sync::{Change, PushRequest};
use forms::{Catalog, Location, Record, RecordStatus};
use serde_json::json;
use sync_server::store::users::{NewUser, Role};
use sync_server::{app, AppState, Db, Settings};
use uuid::Uuid;

const PASSWORD: &str = "benchmark-password";
/// Pushes measured in each phase.
const PUSHES: usize = 300;
/// Clients signing in at once during the burst.
const BURST: usize = 32;

fn record() -> Record {
    let serde_json::Value::Object(values) = json!({
        "topic": "gbv_prevention", "organiser": "so_noi_vu",
        "start_date": "2025-11-20", "end_date": "2025-11-21", "duration_days": 2,
        "trainers": "Báo cáo viên Sở Nội vụ",
        "participant_category": ["commune_officials"],
        "participants": [{ "ethnicity": "01", "sex": "female", "count": 12 }, { "ethnicity": "19", "sex": "male", "count": 7 }],
    }) else {
        unreachable!()
    };
    Record {
        id: Uuid::new_v4(),
        form_id: "training_session".into(),
        form_version: 1,
        location: Location { unit_list: "units_2025".into(), unit_code: "21025".into() },
        author: "bench".into(),
        device_id: "bench-device".into(),
        created_at: Utc::now(),
        updated_at: Utc::now(),
        status: RecordStatus::Final,
        deleted: false,
        revision: 0,
        values,
    }
}

/// Latencies of `PUSHES` one-record pushes, one after another, sorted.
async fn push_latencies(client: &reqwest::Client, base: &str, token: &str) -> Vec<Duration> {
    let mut took = Vec::with_capacity(PUSHES);
    for _ in 0..PUSHES {
        let request = PushRequest {
            device_id: "bench-device".into(),
            changes: vec![Change { change_id: Uuid::new_v4(), base_revision: 0, record: record() }],
        };
        let start = Instant::now();
        let response =
            client.post(format!("{base}/api/v1/sync/push")).bearer_auth(token).json(&request).send().await.unwrap();
        assert!(response.status().is_success(), "push failed: {}", response.status());
        response.bytes().await.unwrap();
        took.push(start.elapsed());
    }
    took.sort();
    took
}

/// Distinct usernames probed for the timing comparison.
const PROBES: usize = 15;

/// Times of one wrong-password sign-in for each of `<prefix>0..PROBES`, sorted.
async fn wrong_password_times(client: &reqwest::Client, base: &str, prefix: &str) -> Vec<Duration> {
    let mut took = Vec::with_capacity(PROBES);
    for i in 0..PROBES {
        let start = Instant::now();
        let r = client
            .post(format!("{base}/api/v1/auth/sign-in"))
            .header("x-forwarded-for", format!("198.51.100.{}", i + if prefix == "known" { 0 } else { 100 }))
            .json(&json!({ "username": format!("{prefix}{i}"), "password": "wrong-password", "device_id": "probe" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::UNAUTHORIZED, "a probe was not simply refused");
        r.bytes().await.unwrap();
        took.push(start.elapsed());
    }
    took.sort();
    took
}

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn sign_in(client: &reqwest::Client, base: &str, device: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/v1/auth/sign-in"))
        .json(&json!({ "username": "bench", "password": PASSWORD, "device_id": device }))
        .send()
        .await
        .unwrap()
}

/// One of the burst's officers signing in (each their own account, as at a commune meeting).
async fn sign_in_as(client: &reqwest::Client, base: &str, username: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/v1/auth/sign-in"))
        .json(&json!({ "username": username, "password": PASSWORD, "device_id": "burst-phone" }))
        .send()
        .await
        .unwrap()
}

async fn run() {
    let dir = std::env::temp_dir().join(format!("sotay-bench-signin-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let catalog = Arc::new(Catalog::bundled().unwrap());
    let db = Db::connect(&Db::sqlite_url(&dir)).await.expect("database");
    let new = NewUser {
        username: "bench",
        display_name: "Bench",
        role: Role::Collector,
        password: Some(PASSWORD),
        whole_province: false,
        communes: &[Location { unit_list: "units_2025".into(), unit_code: "21025".into() }],
    };
    db.create_user(&new, catalog.reference()).await.unwrap();
    for i in 0..BURST {
        let name = format!("officer{i}");
        db.create_user(&NewUser { username: &name, ..new }, catalog.reference()).await.unwrap();
    }
    for i in 0..PROBES {
        let name = format!("known{i}");
        db.create_user(&NewUser { username: &name, ..new }, catalog.reference()).await.unwrap();
    }
    // Each probe comes from its own address (X-Forwarded-For), so no throttle is reached.
    let settings =
        Settings { public_url: "http://127.0.0.1".into(), trust_proxy: true, pwa_dir: None, allow_any_origin: false };
    let state = AppState::new(db, sync_server::catalog::Catalogs::fixed(catalog), settings, bench_photos());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app(state).into_make_service_with_connect_info::<std::net::SocketAddr>()).await
    });
    let client = reqwest::Client::new();
    let session: serde_json::Value = sign_in(&client, &base, "bench-device").await.json().await.unwrap();
    let token = session["token"].as_str().expect("signed in").to_owned();

    let known = wrong_password_times(&client, &base, "known").await;
    let unknown = wrong_password_times(&client, &base, "nobody").await;

    let alone = push_latencies(&client, &base, &token).await;

    let stop = Arc::new(AtomicBool::new(false));
    let signed_in = Arc::new(AtomicUsize::new(0));
    let burst: Vec<_> = (0..BURST)
        .map(|i| {
            let (client, base, stop, signed_in) = (client.clone(), base.clone(), stop.clone(), signed_in.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let r = sign_in_as(&client, &base, &format!("officer{i}")).await;
                    assert!(r.status().is_success(), "sign-in in the burst: {}", r.status());
                    signed_in.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let during = push_latencies(&client, &base, &token).await;
    let burst_secs = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for task in burst {
        task.await.unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);

    println!("push latency, {PUSHES} one-record pushes, SQLite, 2 async workers");
    println!(
        "  alone:                  p50 {:>7.1} ms   p99 {:>7.1} ms",
        quantile(&alone, 0.5),
        quantile(&alone, 0.99)
    );
    println!(
        "  {BURST} clients signing in: p50 {:>7.1} ms   p99 {:>7.1} ms   ({:.0} sign-ins/s meanwhile)",
        quantile(&during, 0.5),
        quantile(&during, 0.99),
        signed_in.load(Ordering::Relaxed) as f64 / burst_secs
    );
    println!("  p99 during the burst / alone: {:.1}×", quantile(&during, 0.99) / quantile(&alone, 0.99));
    println!("wrong password, {PROBES} sign-ins each (median): known username {:.1} ms, unknown username {:.1} ms, ratio {:.2}",
        quantile(&known, 0.5), quantile(&unknown, 0.5), quantile(&unknown, 0.5) / quantile(&known, 0.5));
}

fn main() {
    // The machine this runs on has two cores: two workers, as `serve` gets there.
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(run());
}

/// A photo store for the router; this benchmark stores no photo.
fn bench_photos() -> sync_server::photos::PhotoStore {
    sync_server::photos::PhotoStore::in_folder(&std::env::temp_dir().join("sotay-bench-photos")).expect("a temp folder")
}
