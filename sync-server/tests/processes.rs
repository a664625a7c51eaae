//! The server as it runs in production: real `sotay-sync-server` processes, real TCP, real
//! databases (SQLite files, PostgreSQL), real SIGKILLs. These tests check the promises of
//! the sync protocol that only hold across processes:
//!
//! - a record survives a restart (and a graceful stop exits 0);
//! - any number of replicas can serve one PostgreSQL database: a retry landing on another
//!   replica is recognised, and a device paging through pulls while pushes run skips nothing;
//! - an acknowledged push survives SIGKILL, and re-sending everything after the crash
//!   neither loses nor duplicates a record.
//!
//! PostgreSQL tests need `SOTAY_TEST_DATABASE_URL` (`cargo xtask pg-up`); each makes a
//! database of its own. Without the variable they fail in CI and are skipped elsewhere.

mod support;

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use forms::sync::{Change, ChangeResult, Outcome, PullResponse, PulledRecord, PushRequest, PushResponse};
use rand::Rng;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};
use support::{by_id, new_change, postgres_url, Api, Database, PgDatabase, Server};
use uuid::Uuid;

fn applied_revision(result: &ChangeResult) -> Option<(Uuid, u64)> {
    match &result.outcome {
        Outcome::Applied { record_id, revision } => Some((*record_id, *revision)),
        _ => None,
    }
}

/// A first push of a new record: applied, revision 1, not a duplicate.
fn assert_first_apply(result: &ChangeResult, change: &Change, context: &str) {
    assert!(!result.duplicate, "{context}: a fresh change {} answered as a duplicate", change.change_id);
    assert_eq!(
        applied_revision(result),
        Some((change.record.id, 1)),
        "{context}: change {} not applied as revision 1: {result:?}",
        change.change_id
    );
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("a valid gzip body");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_round_trip_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let database = Database::Sqlite(dir.path().to_owned());
    let mut server = Server::start(&database, "round-trip").await;
    let password = server.admin_password.clone().unwrap_or_else(|| {
        panic!("first start printed no administrator password; stdout: {:?}", server.stdout_lines())
    });
    let api = server.admin(&password, "device-rt").await;

    // Push three records over TCP.
    let changes: Vec<Change> = (0..3).map(|i| new_change("device-rt", &format!("round trip {i}"))).collect();
    let pushed = api.push(&changes).await.expect("push");
    for (result, change) in pushed.results.iter().zip(&changes) {
        assert_first_apply(result, change, "push over TCP");
    }

    // Pull them back, in push order, with their answers.
    let pulled = api.pull_all().await;
    let pulled_ids: Vec<Uuid> = pulled.iter().map(|r| r.record.id).collect();
    let sent_ids: Vec<Uuid> = changes.iter().map(|c| c.record.id).collect();
    assert_eq!(pulled_ids, sent_ids, "pull did not return the pushed records in order");
    for (p, c) in pulled.iter().zip(&changes) {
        assert_eq!(p.record.revision, 1);
        assert_eq!(p.record.author, "admin");
        assert_eq!(p.record.location, c.record.location);
        assert_eq!(p.record.values.get("notes"), c.record.values.get("notes"));
        assert_eq!(p.record.values.get("topic"), c.record.values.get("topic"));
    }

    // A gzip-compressed pull response.
    let response = api
        .http
        .get(format!("{}/api/v1/sync/pull?since=0&limit=100", api.base))
        .bearer_auth(&api.token)
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers().get(CONTENT_ENCODING).and_then(|v| v.to_str().ok()),
        Some("gzip"),
        "pull answered without gzip to Accept-Encoding: gzip; headers {:?}",
        response.headers()
    );
    let compressed = response.bytes().await.unwrap();
    let page: PullResponse = serde_json::from_slice(&gunzip(&compressed)).expect("gzip body is a pull response");
    assert_eq!(page.records, pulled, "the gzip pull differs from the plain one");

    // A gzip-compressed push request.
    let fourth = new_change("device-rt", "sent gzip-compressed");
    let body =
        serde_json::to_vec(&PushRequest { device_id: "device-rt".into(), changes: vec![fourth.clone()] }).unwrap();
    let response = api
        .http
        .post(format!("{}/api/v1/sync/push", api.base))
        .bearer_auth(&api.token)
        .header(CONTENT_TYPE, "application/json")
        .header(CONTENT_ENCODING, "gzip")
        .body(gzip(&body))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "gzip push: {}", response.text().await.unwrap_or_default());
    let result: PushResponse = response.json().await.unwrap();
    assert_first_apply(&result.results[0], &fourth, "gzip push");
    let before_restart = api.pull_all().await;
    assert_eq!(before_restart.len(), 4);

    // A graceful stop, then a new process on the same data folder.
    let status = server.terminate();
    assert!(status.success(), "SIGTERM should stop the server cleanly, got {status:?}; log:\n{}", server.log_tail());
    let restarted = Server::start(&database, "round-trip-restarted").await;
    assert!(
        restarted.admin_password.is_none(),
        "the restart created another administrator: {:?}",
        restarted.stdout_lines()
    );
    // The token issued before the restart still works, and the records are all there.
    let after = api.on(&restarted.base).pull_all().await;
    assert_eq!(after, before_restart, "records changed across the restart");
    // The password still signs in, and the earlier changes are recognised as retries.
    let again = restarted.admin(&password, "device-rt-2").await;
    let retried = again.push(&changes).await.expect("retry after restart");
    for (result, change) in retried.results.iter().zip(&changes) {
        assert!(result.duplicate, "a change applied before the restart was not recognised: {result:?}");
        assert_eq!(applied_revision(result), Some((change.record.id, 1)));
    }
    assert_eq!(again.pull_all().await.len(), 4, "a retry after the restart made a new record");
}

/// How a batch travels in the two-replica test.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Route {
    /// Through its home replica only.
    Home,
    /// Through its home replica, then, after the acknowledgement, again through the other.
    RetryOnOther,
    /// Through both replicas at the same moment (a retry racing the original).
    Race,
}

/// A device paging through pulls, alternating replicas, checking every page.
struct Puller {
    apis: [Api; 2],
    since: u64,
    pages: usize,
    records: Vec<PulledRecord>,
}

impl Puller {
    /// Pulls one page of `limit`; whether more follow.
    async fn page(&mut self, limit: usize) -> bool {
        let api = &self.apis[self.pages % 2];
        self.pages += 1;
        let page = api.pull_page(self.since, limit).await.unwrap_or_else(|e| panic!("pull from {}: {e:#}", api.base));
        assert!(page.records.len() <= limit, "a page of {} records for limit {limit}", page.records.len());
        let mut last = self.since;
        for r in &page.records {
            assert!(
                r.cursor > last,
                "cursor not strictly increasing: {} after {last} (page since {})",
                r.cursor,
                self.since
            );
            last = r.cursor;
        }
        assert_eq!(page.next_cursor, last, "next_cursor is not the last cursor of the page");
        self.since = page.next_cursor;
        self.records.extend(page.records);
        page.has_more
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_postgres() {
    let Some(admin_url) = postgres_url("two_replicas_on_one_postgres") else { return };
    let pg = PgDatabase::create(&admin_url).await;
    let database = Database::Postgres(pg.url.clone());
    let a = Server::start(&database, "replica-a").await;
    let password = a.admin_password.clone().expect("the first replica creates the administrator");
    let b = Server::start(&database, "replica-b").await;
    assert!(
        b.admin_password.is_none(),
        "the second replica created another administrator although one exists: {:?}",
        b.stdout_lines()
    );
    let replicas = [a.admin(&password, "device-a").await, b.admin(&password, "device-b").await];

    // 200 records in 20 batches of 10; batch i's home is replica i % 2.
    let batches: Vec<(usize, Route, Vec<Change>)> = (0..20)
        .map(|i| {
            let route = match i % 5 {
                0 => Route::RetryOnOther,
                2 => Route::Race,
                _ => Route::Home,
            };
            let device = if i % 2 == 0 { "device-a" } else { "device-b" };
            (i, route, (0..10).map(|j| new_change(device, &format!("batch {i} record {j}"))).collect())
        })
        .collect();
    let all_records: HashSet<Uuid> = batches.iter().flat_map(|(_, _, c)| c.iter().map(|c| c.record.id)).collect();
    assert_eq!(all_records.len(), 200);

    let started = Instant::now();
    let pushing_done = Arc::new(AtomicBool::new(false));
    let puller = {
        let done = pushing_done.clone();
        let apis = replicas.clone();
        tokio::spawn(async move {
            let mut puller = Puller { apis, since: 0, pages: 0, records: Vec::new() };
            while !done.load(Ordering::SeqCst) {
                if !puller.page(17).await {
                    tokio::time::sleep(Duration::from_millis(3)).await;
                }
            }
            let live_pages = puller.pages;
            // Catch up: every push has been acknowledged by now.
            while puller.page(17).await {}
            (puller, live_pages)
        })
    };

    // Four workers take batches from a queue, so pushes to both replicas overlap.
    let queue = Arc::new(Mutex::new(batches.into_iter().collect::<VecDeque<_>>()));
    type Outcomes = Vec<(usize, Route, Vec<Change>, Vec<PushResponse>)>;
    let mut workers = Vec::new();
    for _ in 0..4 {
        let queue = queue.clone();
        let replicas = replicas.clone();
        workers.push(tokio::spawn(async move {
            let mut outcomes: Outcomes = Vec::new();
            loop {
                let Some((i, route, changes)) = queue.lock().unwrap().pop_front() else { break };
                let (home, other) = (&replicas[i % 2], &replicas[(i + 1) % 2]);
                let push = |api: &Api, what: &'static str| {
                    let (api, changes) = (api.clone(), changes.clone());
                    async move {
                        api.push(&changes).await.unwrap_or_else(|e| panic!("batch {i} {what} via {}: {e:#}", api.base))
                    }
                };
                let responses = match route {
                    Route::Home => vec![push(home, "push").await],
                    Route::RetryOnOther => {
                        let first = push(home, "push").await;
                        let retry = push(other, "retry").await;
                        vec![first, retry]
                    }
                    Route::Race => {
                        let (x, y) = tokio::join!(push(home, "racing push"), push(other, "racing retry"));
                        vec![x, y]
                    }
                };
                outcomes.push((i, route, changes, responses));
            }
            outcomes
        }));
    }
    let mut outcomes = Vec::new();
    for w in workers {
        outcomes.extend(w.await.expect("a push worker panicked"));
    }
    let push_time = started.elapsed();
    pushing_done.store(true, Ordering::SeqCst);
    let (puller, live_pages) = puller.await.expect("the puller panicked");

    // Every push answered exactly once per change.
    assert_eq!(outcomes.len(), 20);
    for (i, route, changes, responses) in &outcomes {
        match route {
            Route::Home => {
                for (r, c) in responses[0].results.iter().zip(changes) {
                    assert_first_apply(r, c, &format!("batch {i}"));
                }
            }
            Route::RetryOnOther => {
                for ((first, retry), c) in responses[0].results.iter().zip(&responses[1].results).zip(changes) {
                    assert_first_apply(first, c, &format!("batch {i}"));
                    assert!(retry.duplicate, "batch {i}: a retry on the other replica was not recognised: {retry:?}");
                    assert_eq!(
                        retry.outcome, first.outcome,
                        "batch {i}: a retry got another outcome than the original"
                    );
                }
            }
            Route::Race => {
                for ((x, y), c) in responses[0].results.iter().zip(&responses[1].results).zip(changes) {
                    let fresh = [x, y].iter().filter(|r| !r.duplicate).count();
                    assert_eq!(fresh, 1, "batch {i}: change {} applied {fresh} times by racing replicas", c.change_id);
                    assert_eq!(applied_revision(x), Some((c.record.id, 1)), "batch {i}: {x:?}");
                    assert_eq!(x.outcome, y.outcome, "batch {i}: racing pushes got different outcomes");
                }
            }
        }
    }

    // Both replicas serve the same 200 records, each once, cursors strictly increasing.
    let through_a = replicas[0].pull_all().await;
    let through_b = replicas[1].pull_all().await;
    assert_eq!(through_a, through_b, "the replicas disagree on the records");
    let server_set = by_id(&through_a, "full pull");
    assert_eq!(through_a.len(), 200, "the server holds {} records, not 200", through_a.len());
    assert_eq!(server_set.keys().copied().collect::<HashSet<_>>(), all_records);
    assert!(through_a.iter().all(|r| r.record.revision == 1), "a record has a revision other than 1");

    // The device that paged while pushes ran has each record exactly once: no cursor skipped.
    let device_set = by_id(&puller.records, "paging device");
    let missing: Vec<_> = server_set.keys().filter(|id| !device_set.contains_key(id)).collect();
    assert!(
        missing.is_empty(),
        "cursor skip: the paging device never received {} records, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert_eq!(device_set.len(), server_set.len());
    for (id, r) in &device_set {
        assert_eq!(r.cursor, server_set[id].cursor, "record {id} pulled with another cursor");
    }
    eprintln!(
        "two replicas: 200 records pushed in {push_time:?}; the device pulled {} pages ({live_pages} during pushes)",
        puller.pages
    );
    drop((a, b));
    drop(pg);
}

/// Streams batches of new records, kills the server with SIGKILL mid-stream, restarts it
/// on the same database, and checks that nothing acknowledged was lost and that re-sending
/// every change duplicates nothing.
async fn sigkill_during_pushes(database: Database, name: &str) {
    const STREAMS: usize = 3;
    let mut server = Server::start(&database, name).await;
    let password = server.admin_password.clone().expect("first start prints the administrator's password");
    let api = server.admin(&password, "device-k").await;

    let sent: Arc<Mutex<Vec<Change>>> = Arc::default();
    let acked: Arc<Mutex<HashMap<Uuid, Uuid>>> = Arc::default(); // change id → record id
    let killed = Arc::new(AtomicBool::new(false));
    let mut streams = Vec::new();
    for s in 0..STREAMS {
        let (api, sent, acked, killed) = (api.clone(), sent.clone(), acked.clone(), killed.clone());
        streams.push(tokio::spawn(async move {
            for n in 0.. {
                let size = rand::thread_rng().gen_range(20..=50);
                let batch: Vec<Change> =
                    (0..size).map(|j| new_change("device-k", &format!("stream {s} batch {n} #{j}"))).collect();
                sent.lock().unwrap().extend(batch.iter().cloned());
                match api.push(&batch).await {
                    Ok(response) => {
                        let mut acked = acked.lock().unwrap();
                        for (r, c) in response.results.iter().zip(&batch) {
                            assert_first_apply(r, c, &format!("stream {s} batch {n}"));
                            acked.insert(c.change_id, c.record.id);
                        }
                    }
                    Err(e) if killed.load(Ordering::SeqCst) => return format!("{e:#}"),
                    Err(e) => panic!("stream {s}: push failed before the kill: {e:#}"),
                }
            }
            unreachable!()
        }));
    }

    // Let acknowledgements come in for a second, then SIGKILL the server mid-stream.
    let started = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let n = acked.lock().unwrap().len();
        if started.elapsed() >= Duration::from_secs(1) && n > 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no push acknowledged within 30 s; log:\n{}",
            server.log_tail()
        );
    }
    killed.store(true, Ordering::SeqCst);
    server.kill();
    let mut errors = Vec::new();
    for s in streams {
        errors.push(s.await.expect("a push stream panicked"));
    }
    let sent = sent.lock().unwrap().clone();
    let acked = acked.lock().unwrap().clone();
    eprintln!(
        "{name}: killed after {:?}: {} changes sent, {} acknowledged; the streams then saw: {errors:?}",
        started.elapsed(),
        sent.len(),
        acked.len()
    );

    // Restart on the same database; the token issued before the crash still works.
    let restarted = Server::start(&database, &format!("{name}-restarted")).await;
    assert!(restarted.admin_password.is_none(), "the restart created another administrator");
    let api = api.on(&restarted.base);

    // Every acknowledged record is there, once, at revision 1.
    let pulled = api.pull_all().await;
    let held = by_id(&pulled, "after the crash");
    for (change_id, record_id) in &acked {
        let record = held
            .get(record_id)
            .unwrap_or_else(|| panic!("acknowledged record lost: record {record_id} (change {change_id})"));
        assert_eq!(
            record.record.revision, 1,
            "acknowledged record {record_id} has revision {}",
            record.record.revision
        );
    }

    // Re-send every change ever sent, acknowledged or not: each is applied now or recognised.
    let mut recognised = 0;
    for chunk in sent.chunks(forms::sync::MAX_PUSH_CHANGES) {
        let response = api.push(chunk).await.unwrap_or_else(|e| panic!("re-push after restart: {e:#}"));
        for (r, c) in response.results.iter().zip(chunk) {
            match (&r.outcome, r.duplicate) {
                (Outcome::Applied { record_id, revision: 1 }, _) if *record_id == c.record.id => {}
                _ => panic!("re-sent change {} neither applied nor recognised: {r:?}", c.change_id),
            }
            if acked.contains_key(&c.change_id) {
                assert!(r.duplicate, "record duplicated: acknowledged change {} applied a second time", c.change_id);
            }
            recognised += usize::from(r.duplicate);
        }
    }

    // Now the server holds exactly the records sent, each once.
    let pulled = api.pull_all().await;
    let held = by_id(&pulled, "after re-sending everything");
    let sent_records: HashSet<Uuid> = sent.iter().map(|c| c.record.id).collect();
    let held_ids: HashSet<Uuid> = held.keys().copied().collect();
    let lost: Vec<_> = sent_records.difference(&held_ids).collect();
    assert!(
        lost.is_empty(),
        "record lost after re-sending everything: {} missing, e.g. {:?}",
        lost.len(),
        lost.first()
    );
    let extra: Vec<_> = held_ids.difference(&sent_records).collect();
    assert!(extra.is_empty(), "the server holds {} records nobody sent", extra.len());
    assert_eq!(
        pulled.len(),
        sent_records.len(),
        "record duplicated: {} records for {} sent",
        pulled.len(),
        sent_records.len()
    );
    assert!(pulled.iter().all(|r| r.record.revision == 1), "a record has a revision other than 1 after retries");
    eprintln!(
        "{name}: {} records after re-sending all {} changes ({} recognised as already applied, {} committed unacknowledged)",
        pulled.len(),
        sent.len(),
        recognised,
        recognised - acked.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_pushes_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    sigkill_during_pushes(Database::Sqlite(dir.path().to_owned()), "sigkill-sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_pushes_loses_nothing_acknowledged_postgres() {
    let Some(admin_url) = postgres_url("sigkill_during_pushes_loses_nothing_acknowledged_postgres") else { return };
    let pg = PgDatabase::create(&admin_url).await;
    sigkill_during_pushes(Database::Postgres(pg.url.clone()), "sigkill-postgres").await;
    drop(pg);
}

/// A form version published through one replica is served by the other within seconds
/// (it polls the catalog's generation: `sync_server::catalog::POLL`), and a record of it
/// pushed to the other is accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_published_on_one_replica_is_served_by_the_other() {
    let Some(admin_url) = postgres_url("a_version_published_on_one_replica_is_served_by_the_other") else { return };
    let pg = PgDatabase::create(&admin_url).await;
    let database = Database::Postgres(pg.url.clone());
    let a = Server::start(&database, "replica-a").await;
    let password = a.admin_password.clone().expect("the first replica creates the administrator");
    let b = Server::start(&database, "replica-b").await;
    let (on_a, on_b) = (a.admin(&password, "device-a").await, b.admin(&password, "device-b").await);
    let etag = |api: Api| async move {
        let r = api.http.get(format!("{}/api/v1/forms", api.base)).bearer_auth(&api.token).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.headers()["etag"].to_str().unwrap().to_owned()
    };
    let before = etag(on_b.clone()).await;
    assert_eq!(before, etag(on_a.clone()).await, "both replicas serve the same catalog");

    // Training sessions as in version 1, retitled: published as the version after the newest
    // shipped, whatever the upload says.
    let next = forms::Catalog::bundled().unwrap().latest("training_session").expect("training ships").version() + 1;
    let shipped = include_str!("../../forms/definitions/training_session/v1.toml");
    let toml = shipped.replace("en = \"Training session\" }", "en = \"Training session, 2027\" }");
    assert_ne!(toml, shipped);
    let r = on_a
        .http
        .post(format!("{}/api/v1/admin/forms", on_a.base))
        .bearer_auth(&on_a.token)
        .header(CONTENT_TYPE, "application/toml")
        .body(toml)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    let version = serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|body| body["version"].as_u64());
    assert_eq!((status.as_u16(), version), (201, Some(u64::from(next))), "{text}");
    let published = Instant::now();
    let after = etag(on_a.clone()).await;
    assert_ne!(before, after, "the publishing replica serves the new version at once");
    loop {
        if etag(on_b.clone()).await == after {
            break;
        }
        assert!(published.elapsed() < Duration::from_secs(20), "replica b still serves the old catalog after 20 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("replica b served the new version {} ms after it was published", published.elapsed().as_millis());
    let mut change = new_change("device-b", &format!("a record of version {next}"));
    change.record.form_version = next;
    let response = on_b.push(std::slice::from_ref(&change)).await.unwrap();
    assert_first_apply(&response.results[0], &change, &format!("version {next} on replica b"));
}
