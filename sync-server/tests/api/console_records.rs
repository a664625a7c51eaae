//! The console's records (docs/console-api.md, "Records"): search, one record with its
//! conflicts, the open conflicts and their resolution; and supervisors' and admins' phones,
//! which pull only their own records.

use std::collections::HashSet;

use super::*;

/// `GET /api/v1/admin/records?<query>`: the body; panics unless 200.
pub(crate) async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app.get(&format!("/api/v1/admin/records?{query}"), Some(token)).await;
    assert_eq!(response.status, StatusCode::OK, "search {query}: {}", response.text());
    response.json()
}

/// The ids of every record a search finds, page after page, sorted.
pub(crate) async fn search_ids(app: &TestApp, token: &str, query: &str) -> Vec<Uuid> {
    let mut ids = Vec::new();
    let mut after = String::new();
    loop {
        let page = search(app, token, &format!("{query}&limit=200{after}")).await;
        ids.extend(
            page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().parse::<Uuid>().unwrap()),
        );
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    ids.sort();
    ids
}

/// `value` for a query string: everything but unreserved ASCII percent-encoded.
fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn sorted(records: &[&Record]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

/// An outreach event in `location` on `date` (YYYY-MM-DD), outside the Action Month.
fn event(location: forms::Location, date: &str) -> Record {
    let record = with_value(&record_of("outreach_event", 1, location), "event_date", json!(date));
    with_value(&record, "part_of_action_month", json!(false))
}

both!(console_records_are_scoped);
async fn console_records_are_scoped(app: TestApp) {
    let collector_a = app.collector("collector.a", &[A]).await;
    let collector_b = app.collector("collector.b", &[B]).await;
    let supervisor_a = app.user_with_token("supervisor.a", Role::Supervisor, &[A], false).await;
    let admin = app.admin("admin").await;
    let (in_a, old_in_a, in_b) =
        (event(commune(A), "2026-03-01"), event(old_commune(OLD_IN_A), "2026-03-02"), event(commune(B), "2026-03-03"));
    assert_applied(&app.push_one(&collector_a, &new_change(&in_a)).await, &in_a, 1);
    assert_applied(&app.push_one(&collector_a, &new_change(&old_in_a)).await, &old_in_a, 1);
    assert_applied(&app.push_one(&collector_b, &new_change(&in_b)).await, &in_b, 1);
    // A conflict in B: an edit on a stale base.
    assert_applied(&app.push_one(&collector_b, &change(&with_value(&in_b, "place", json!("Một")), 1)).await, &in_b, 2);
    let stale = app.push_one(&collector_b, &change(&with_value(&in_b, "place", json!("Hai")), 1)).await;
    assert_eq!(stale["outcome"], "conflict", "{stale}");
    let conflict_b = stale["conflict_id"].as_str().unwrap().to_owned();

    assert_eq!(search_ids(&app, &supervisor_a, "").await, sorted(&[&in_a, &old_in_a]), "A and the old ward in A");
    assert_eq!(search_ids(&app, &supervisor_a, &format!("commune={B}")).await, Vec::<Uuid>::new(), "nothing of B");
    let page = search(&app, &supervisor_a, &format!("commune={B}")).await;
    assert_eq!(page["total"], 0, "not even a count: {page}");
    assert_eq!(search_ids(&app, &admin, "").await, sorted(&[&in_a, &old_in_a, &in_b]), "an admin reads everything");
    let item = &search(&app, &supervisor_a, &format!("q=&form=&commune={A}&sort=date_asc")).await["items"][0];
    assert_eq!(item["id"], in_a.id.to_string());
    assert_eq!(item["location"], json!({ "unit_list": "units_2025", "unit_code": A }));
    assert_eq!(item["commune_name"], "Phường Cẩm Thành");
    assert_eq!((item["author"].as_str(), item["status"].as_str()), (Some("collector.a"), Some("final")));
    assert_eq!((item["deleted"].as_bool(), item["revision"].as_u64()), (Some(false), Some(1)));
    assert_eq!(item["activity_date"], "2026-03-01");
    assert!(item["updated_at"].as_i64().is_some_and(|ms| ms > 1_700_000_000_000), "milliseconds: {item}");

    // One record, and the conflicts: B's are not found for A (existence is not revealed).
    let response = app.get(&format!("/api/v1/admin/records/{}", in_b.id), Some(&supervisor_a)).await;
    response.assert_error(StatusCode::NOT_FOUND, "not_found");
    let response = app.get(&format!("/api/v1/admin/records/{}", in_a.id), Some(&supervisor_a)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json()["record"]["id"], in_a.id.to_string());
    assert_eq!(response.json()["conflicts"], json!([]));
    let conflicts = app.get("/api/v1/admin/conflicts", Some(&supervisor_a)).await.json();
    assert_eq!((conflicts["items"].clone(), conflicts["total"].clone()), (json!([]), json!(0)), "{conflicts}");
    let admin_conflicts = app.get("/api/v1/admin/conflicts", Some(&admin)).await.json();
    assert_eq!(admin_conflicts["total"], 1, "{admin_conflicts}");
    let body = json!({ "keep": "current", "change_id": Uuid::new_v4() });
    let response = app.post(&format!("/api/v1/admin/conflicts/{conflict_b}/resolve"), Some(&supervisor_a), &body).await;
    response.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(app.db.record(in_b.id).await.unwrap().unwrap().revision, 2, "nothing written");

    // Collectors have no console; no one without a token.
    let resolve = format!("/api/v1/admin/conflicts/{conflict_b}/resolve");
    let record_path = format!("/api/v1/admin/records/{}", in_a.id);
    for (method, path) in [
        (Method::GET, "/api/v1/admin/records"),
        (Method::GET, record_path.as_str()),
        (Method::GET, "/api/v1/admin/conflicts"),
        (Method::POST, resolve.as_str()),
    ] {
        let body = (method == Method::POST).then_some(&body);
        app.request(method.clone(), path, Some(&collector_b), body)
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
        app.request(method.clone(), path, None, body).await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    }
}

both!(every_filter_selects_its_records);
async fn every_filter_selects_its_records(app: TestApp) {
    let collector_a = app.collector("collector.a", &[A]).await;
    let collector_b = app.collector("collector.b", &[B]).await;
    let admin = app.admin("admin").await;
    let r1 = event(commune(A), "2026-03-10");
    let r2 = event(old_commune(OLD_IN_A), "2026-04-01");
    let mut r3 = record_of("training_session", 2, commune(A));
    r3.values.insert("start_date".into(), json!("2026-05-05"));
    r3.values.insert("end_date".into(), json!("2026-05-06"));
    r3.status = forms::RecordStatus::Draft;
    let r4 = event(commune(B), "2026-03-15");
    let r5 = event(commune(A), "2026-02-01");
    for r in [&r1, &r2, &r3, &r5] {
        assert_applied(&app.push_one(&collector_a, &new_change(r)).await, r, 1);
    }
    assert_applied(&app.push_one(&collector_b, &new_change(&r4)).await, &r4, 1);
    let mut gone = r5.clone();
    gone.deleted = true;
    assert_applied(&app.push_one(&collector_a, &change(&gone, 1)).await, &r5, 2);

    let table: Vec<(&str, String, Vec<&Record>)> = vec![
        ("no filter", String::new(), vec![&r1, &r2, &r3, &r4, &r5]),
        ("a form (a tombstone keeps its form)", "form=outreach_event".into(), vec![&r1, &r2, &r4, &r5]),
        ("another form", "form=training_session".into(), vec![&r3]),
        ("a commune: its 2025 code and the old wards in it", format!("commune={A}"), vec![&r1, &r2, &r3, &r5]),
        ("the other commune", format!("commune={B}"), vec![&r4]),
        ("from a day (undated tombstones left out)", "from=2026-04-01".into(), vec![&r2, &r3]),
        ("up to a day", "to=2026-03-31".into(), vec![&r1, &r4]),
        ("a range, both ends counted", "from=2026-03-15&to=2026-04-01".into(), vec![&r2, &r4]),
        ("drafts", "status=draft".into(), vec![&r3]),
        ("finished, not deleted", "status=final".into(), vec![&r1, &r2, &r4]),
        ("deleted", "status=deleted".into(), vec![&r5]),
        ("an author", "author=collector.b".into(), vec![&r4]),
        ("an author with nothing", "author=nobody".into(), vec![]),
        ("form and commune", format!("form=outreach_event&commune={A}"), vec![&r1, &r2, &r5]),
        ("form, commune and status", format!("form=outreach_event&commune={A}&status=final"), vec![&r1, &r2]),
        ("a word of an answer", format!("q={}", enc("Gò Khôn")), vec![&r1, &r2, &r4]),
        ("a word of another form's answer", format!("q={}", enc("Trường Chính trị")), vec![&r3]),
    ];
    for (what, query, expected) in table {
        assert_eq!(search_ids(&app, &admin, &query).await, sorted(&expected), "{what}: {query}");
        let page = search(&app, &admin, &query).await;
        assert_eq!(page["total"], expected.len(), "{what}: the count, {query}");
    }
    // Newest first by default; oldest first asked; the undated tombstone sorts as ''.
    let order = |page: Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
    };
    let ids = |records: &[&Record]| -> Vec<String> { records.iter().map(|r| r.id.to_string()).collect() };
    assert_eq!(order(search(&app, &admin, "").await), ids(&[&r3, &r2, &r4, &r1, &r5]));
    assert_eq!(order(search(&app, &admin, "sort=date_asc").await), ids(&[&r5, &r1, &r4, &r2, &r3]));
}

both!(text_search_escapes_wildcards_and_ignores_ascii_case);
async fn text_search_escapes_wildcards_and_ignores_ascii_case(app: TestApp) {
    let collector = app.collector("collector.a", &[A]).await;
    let admin = app.admin("admin").await;
    let t1 = with_value(&record_in(A), "place", json!("Hội trường 100% thôn_Một"));
    let t2 = with_value(&record_in(A), "place", json!("Hội trường 1000 thôn Một"));
    let t3 = with_value(&record_in(A), "notes", json!("Chị Lan (Plan International) nói \"bình đẳng\" 50\\50"));
    for r in [&t1, &t2, &t3] {
        assert_applied(&app.push_one(&collector, &new_change(r)).await, r, 1);
    }
    let table: Vec<(&str, &str, Vec<&Record>)> = vec![
        ("a percent sign is no wildcard", "100%", vec![&t1]),
        ("an underscore is no wildcard", "thôn_", vec![&t1]),
        ("Vietnamese, as written", "Hội trường", vec![&t1, &t2]),
        ("ASCII letters in any case", "pLAN iNTERNATIONAL", vec![&t3]),
        ("quotes, as typed (stored escaped in JSON)", "\"bình đẳng\"", vec![&t3]),
        ("a backslash", "50\\50", vec![&t3]),
        ("the escape character itself", "!", vec![]),
        ("no such word", "không có", vec![]),
    ];
    for (what, q, expected) in table {
        assert_eq!(search_ids(&app, &admin, &format!("q={}", enc(q))).await, sorted(&expected), "{what}: q={q}");
    }
}

both!(keyset_pages_are_stable_while_records_arrive);
async fn keyset_pages_are_stable_while_records_arrive(app: TestApp) {
    let collector = app.collector("collector.a", &[A]).await;
    let admin = app.admin("admin").await;
    // 23 records on 5 days: several share a day, so the id decides between them.
    let days = ["2026-01-05", "2026-02-10", "2026-03-15", "2026-04-20", "2026-05-25"];
    let before: Vec<Record> = (0..23).map(|i| event(commune(A), days[i % days.len()])).collect();
    let changes: Vec<_> = before.iter().map(new_change).collect();
    assert!(app.push(&collector, &changes).await.iter().all(|r| r["outcome"] == "applied"));

    for sort in ["date_desc", "date_asc"] {
        let mut seen: Vec<(String, String)> = Vec::new();
        let mut after = String::new();
        let mut pages = 0;
        loop {
            let page = search(&app, &admin, &format!("commune={A}&sort={sort}&limit=5{after}")).await;
            seen.extend(
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| (i["activity_date"].as_str().unwrap().to_owned(), i["id"].as_str().unwrap().to_owned())),
            );
            // Between pages, records arrive: on the first and last days and on the cursor's,
            // before and after it.
            pages += 1;
            assert!(pages < 60, "{sort}: the pages never end");
            let at = seen.last().map_or(days[0], |(day, _)| day.as_str());
            let arriving: Vec<_> =
                [days[0], days[4], at, at].iter().map(|d| new_change(&event(commune(A), d))).collect();
            assert!(app.push(&collector, &arriving).await.iter().all(|r| r["outcome"] == "applied"));
            match page["next"].as_str() {
                Some(next) => after = format!("&after={next}"),
                None => break,
            }
        }
        assert!(pages >= 5, "{sort}: {pages} pages");
        let mut in_order = seen.clone();
        in_order.sort();
        if sort == "date_desc" {
            in_order.reverse();
        }
        assert_eq!(seen, in_order, "{sort}: one order across pages");
        let distinct: HashSet<&String> = seen.iter().map(|(_, id)| id).collect();
        assert_eq!(distinct.len(), seen.len(), "{sort}: no record twice");
        for r in &before {
            assert!(distinct.contains(&r.id.to_string()), "{sort}: {} skipped", r.id);
        }
    }
}

both!(conflicts_are_listed_and_resolved_exactly_once);
async fn conflicts_are_listed_and_resolved_exactly_once(app: TestApp) {
    let collector = app.collector("collector.a", &[A]).await;
    let supervisor = app.user_with_token("supervisor.a", Role::Supervisor, &[A], false).await;
    let record = record_in(A);
    assert_applied(&app.push_one(&collector, &new_change(&record)).await, &record, 1);
    let server = with_value(&record, "place", json!("Bản của máy chủ"));
    assert_applied(&app.push_one(&collector, &change(&server, 1)).await, &record, 2);
    let mine = with_value(&record, "place", json!("Bản của tôi"));
    let conflict = app.push_one(&collector, &change(&mine, 1)).await;
    let conflict_id = conflict["conflict_id"].as_str().unwrap().to_owned();

    let list = app.get("/api/v1/admin/conflicts?page=1&per_page=10", Some(&supervisor)).await.json();
    assert_eq!(
        (list["total"].as_i64(), list["page"].as_i64(), list["per_page"].as_i64()),
        (Some(1), Some(1), Some(10))
    );
    let item = &list["items"][0];
    assert_eq!(item["id"], conflict_id);
    assert_eq!(item["record_id"], record.id.to_string());
    assert_eq!((item["sender"].as_str(), item["base_revision"].as_u64()), (Some("collector.a"), Some(1)));
    assert_eq!(item["server_revision"], 2);
    assert_eq!(item["incoming"]["values"]["place"], "Bản của tôi");
    assert_eq!(
        (item["current"]["values"]["place"].as_str(), item["current"]["revision"].as_u64()),
        (Some("Bản của máy chủ"), Some(2))
    );
    assert!(item["created_at"].as_i64().is_some_and(|ms| ms > 1_700_000_000_000));
    let shown = app.get(&format!("/api/v1/admin/records/{}", record.id), Some(&supervisor)).await.json();
    assert_eq!(shown["conflicts"][0]["id"], conflict_id, "{shown}");

    // Keep the incoming version: the next revision; a retry is the same answer, nothing more.
    let resolve = format!("/api/v1/admin/conflicts/{conflict_id}/resolve");
    let body = json!({ "keep": "incoming", "change_id": Uuid::new_v4() });
    let first = app.post(&resolve, Some(&supervisor), &body).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let first = first.json();
    assert_eq!((first["result"]["outcome"].as_str(), first["result"]["revision"].as_u64()), (Some("applied"), Some(3)));
    assert_eq!(
        (first["result"]["duplicate"].as_bool(), first["conflict_id"].as_str()),
        (Some(false), Some(conflict_id.as_str()))
    );
    assert!(first["resolved_at"].as_i64().is_some(), "{first}");
    let retry = app.post(&resolve, Some(&supervisor), &body).await.json();
    assert_eq!(retry["result"]["duplicate"], true, "{retry}");
    assert_eq!(
        (retry["result"]["revision"].clone(), retry["resolved_at"].clone()),
        (json!(3), first["resolved_at"].clone())
    );
    let stored = app.db.record(record.id).await.unwrap().unwrap();
    assert_eq!((stored.revision, stored.values["place"].as_str()), (3, Some("Bản của tôi")));
    assert_eq!(stored.author, "collector.a", "a resolution keeps the author");
    assert_eq!(app.pull(&collector, 0).await.records[0].record.revision, 3, "the phone pulls the resolution");
    let list = app.get("/api/v1/admin/conflicts", Some(&supervisor)).await.json();
    assert_eq!(list["total"], 0, "resolved: {list}");
    let shown = app.get(&format!("/api/v1/admin/records/{}", record.id), Some(&supervisor)).await.json();
    assert_eq!(shown["conflicts"], json!([]));
    // Resolved already: another change id is refused.
    let again = json!({ "keep": "current", "change_id": Uuid::new_v4() });
    app.post(&resolve, Some(&supervisor), &again).await.assert_error(StatusCode::BAD_REQUEST, "already_resolved");

    // A second conflict, resolved by keeping the server's version: a new revision, same content.
    let late = app.push_one(&collector, &change(&with_value(&record, "place", json!("Muộn")), 2)).await;
    let second = format!("/api/v1/admin/conflicts/{}/resolve", late["conflict_id"].as_str().unwrap());
    // The first resolution's change id cannot resolve it.
    let reused = app.post(&second, Some(&supervisor), &body).await.json();
    assert_eq!(reused["result"]["outcome"], "rejected", "{reused}");
    assert_eq!(reused["result"]["errors"][0]["code"], "change_id_reused");
    assert_eq!(reused["resolved_at"], Value::Null);
    let keep = json!({ "keep": "current", "change_id": Uuid::new_v4() });
    let kept = app.post(&second, Some(&supervisor), &keep).await.json();
    assert_eq!(
        (kept["result"]["outcome"].as_str(), kept["result"]["revision"].as_u64()),
        (Some("applied"), Some(4)),
        "{kept}"
    );
    let stored = app.db.record(record.id).await.unwrap().unwrap();
    assert_eq!((stored.revision, stored.values["place"].as_str()), (4, Some("Bản của tôi")));
    assert_eq!(app.post(&second, Some(&supervisor), &keep).await.json()["result"]["revision"], 4, "retried");
    assert_eq!(app.db.record(record.id).await.unwrap().unwrap().revision, 4);

    // What names no conflict, or asks for something else, is said precisely.
    let nowhere = format!("/api/v1/admin/conflicts/{}/resolve", Uuid::new_v4());
    app.post(&nowhere, Some(&supervisor), &keep).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let bad = app.post("/api/v1/admin/conflicts/not-a-uuid/resolve", Some(&supervisor), &keep).await;
    bad.assert_error(StatusCode::NOT_FOUND, "not_found");
    let mine = json!({ "keep": "mine", "change_id": Uuid::new_v4() });
    app.post(&second, Some(&supervisor), &mine).await.assert_error(StatusCode::BAD_REQUEST, "invalid_json");
}

both!(bad_search_parameters_are_refused_precisely);
async fn bad_search_parameters_are_refused_precisely(app: TestApp) {
    let admin = app.admin("admin").await;
    let after_desc = search(&app, &admin, "").await;
    assert_eq!(after_desc["next"], Value::Null, "an empty search has no next page");
    let table = [
        ("form=no_such_form", "unknown_form"),
        ("commune=99999", "invalid_commune"),
        ("commune=51", "invalid_commune"),
        ("from=2026-13-01", "invalid_date"),
        ("to=01/02/2026", "invalid_date"),
        ("from=2026-05-01&to=2026-04-01", "invalid_date"),
        ("status=gone", "invalid_status"),
        ("author=A%20B", "invalid_author"),
        ("q=a%00b", "invalid_q"),
        ("sort=random", "invalid_sort"),
        ("after=nonsense", "invalid_cursor"),
        ("limit=0", "invalid_limit"),
        ("limit=201", "invalid_limit"),
        ("limit=many", "invalid_json"),
        ("page=2", "invalid_json"),
    ];
    for (query, code) in table {
        let response = app.get(&format!("/api/v1/admin/records?{query}"), Some(&admin)).await;
        response.assert_error(StatusCode::BAD_REQUEST, code);
    }
    // A cursor of one order is refused for the other: it would skip or repeat records.
    let collector = app.collector("collector.a", &[A]).await;
    let changes: Vec<_> = (0..3).map(|_| new_change(&record_in(A))).collect();
    app.push(&collector, &changes).await;
    let next = search(&app, &admin, "limit=1").await["next"].as_str().unwrap().to_owned();
    let response = app.get(&format!("/api/v1/admin/records?sort=date_asc&after={next}"), Some(&admin)).await;
    response.assert_error(StatusCode::BAD_REQUEST, "invalid_cursor");
    for query in ["page=0", "per_page=0", "per_page=201"] {
        let response = app.get(&format!("/api/v1/admin/conflicts?{query}"), Some(&admin)).await;
        response.assert_error(StatusCode::BAD_REQUEST, "invalid_paging");
    }
    let response = app.get("/api/v1/admin/conflicts?sort=new", Some(&admin)).await;
    response.assert_error(StatusCode::BAD_REQUEST, "invalid_json");
}

both!(supervisors_and_admins_pull_only_their_own_records);
async fn supervisors_and_admins_pull_only_their_own_records(app: TestApp) {
    let collector = app.collector("collector.a", &[A]).await;
    let supervisor = app.user_with_token("supervisor.a", Role::Supervisor, &[A], false).await;
    let province = app.province_supervisor("province").await;
    let admin = app.admin("admin").await;
    let (by_collector, by_supervisor, by_province, by_admin) = (record_in(A), record_in(A), record_in(B), record_in(A));
    for (token, r) in
        [(&collector, &by_collector), (&supervisor, &by_supervisor), (&province, &by_province), (&admin, &by_admin)]
    {
        assert_applied(&app.push_one(token, &new_change(r)).await, r, 1);
    }
    let mut ids = app.pulled_ids(&collector).await;
    ids.sort();
    assert_eq!(ids, sorted(&[&by_collector, &by_supervisor, &by_admin]), "a collector: everything in their communes");
    assert_eq!(app.pulled_ids(&supervisor).await, vec![by_supervisor.id], "a supervisor: their own");
    assert_eq!(app.pulled_ids(&province).await, vec![by_province.id], "a province supervisor: their own");
    assert_eq!(app.pulled_ids(&admin).await, vec![by_admin.id], "an admin: their own");
    // A correction by someone else leaves the record its author's: still on their phone only.
    let corrected = with_value(&by_collector, "place", json!("Sửa bởi giám sát"));
    assert_applied(&app.push_one(&supervisor, &change(&corrected, 1)).await, &by_collector, 2);
    assert_eq!(app.pulled_ids(&supervisor).await, vec![by_supervisor.id]);
    // The rest they read in the console.
    assert_eq!(search_ids(&app, &supervisor, "").await, sorted(&[&by_collector, &by_supervisor, &by_admin]));
}
