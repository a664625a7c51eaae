//! Push and pull: outcomes, retries, conflicts, batches and concurrency.

use super::*;

// ---- push and pull -----------------------------------------------------------------------

both!(push_then_pull_returns_the_record);
async fn push_then_pull_returns_the_record(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let record = record_in(A);

    let result = app.push_one(&token, &new_change(&record)).await;
    assert_applied(&result, &record, 1);
    assert_eq!(result["duplicate"], false);
    assert_eq!(app.counts().await, (1, 0));

    let page = app.pull(&token, 0).await;
    assert_eq!(page.records.len(), 1, "{page:?}");
    let pulled = &page.records[0];
    assert!(pulled.cursor > 0);
    assert_eq!(page.next_cursor, pulled.cursor);
    assert!(!page.has_more);
    assert_eq!(page.catalog_version, app.catalog.version());
    assert_eq!(pulled.record.id, record.id);
    assert_eq!(pulled.record.revision, 1);
    assert_eq!(pulled.record.form_id, "outreach_event");
    assert_eq!(pulled.record.form_version, 1);
    assert_eq!(pulled.record.location, commune(A));
    assert_eq!(pulled.record.author, "collector.a", "the author is who sent it");
    assert_eq!(pulled.record.values["place"], record.values["place"]);
    assert_eq!(pulled.record.values["participants"], record.values["participants"]);

    let next = app.pull(&token, page.next_cursor).await;
    assert!(next.records.is_empty(), "{next:?}");
    assert_eq!(next.next_cursor, page.next_cursor, "the cursor never goes backwards");
    assert!(!next.has_more);
}

both!(pull_pages_through_changes_in_order);
async fn pull_pages_through_changes_in_order(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let records: Vec<Record> = (0..3).map(|_| record_in(A)).collect();
    let changes: Vec<_> = records.iter().map(new_change).collect();
    for result in app.push(&token, &changes).await {
        assert_eq!(result["outcome"], "applied", "{result}");
    }

    let page = |since: u64, limit: u32| {
        let app = &app;
        let token = &token;
        async move {
            let response = app.get(&format!("/api/v1/sync/pull?since={since}&limit={limit}"), Some(token)).await;
            assert_eq!(response.status, StatusCode::OK, "{}", response.text());
            response.parse::<PullResponse>()
        }
    };
    let first = page(0, 2).await;
    assert_eq!(first.records.len(), 2);
    assert!(first.has_more);
    assert!(first.records[0].cursor < first.records[1].cursor);
    assert_eq!(first.next_cursor, first.records[1].cursor);
    let second = page(first.next_cursor, 2).await;
    assert_eq!(second.records.len(), 1);
    assert!(!second.has_more, "exactly the last record: nothing more");
    let ids: Vec<Uuid> = first.records.iter().chain(&second.records).map(|r| r.record.id).collect();
    assert_eq!(ids, records.iter().map(|r| r.id).collect::<Vec<_>>(), "oldest change first");

    // An update moves the record to the end of the change order.
    let update = change(&with_value(&records[0], "place", json!("Hội trường xã")), 1);
    assert_applied(&app.push_one(&token, &update).await, &records[0], 2);
    let after = app.pull(&token, second.next_cursor).await;
    assert_eq!(after.records.len(), 1);
    assert_eq!(after.records[0].record.id, records[0].id);
    assert_eq!(after.records[0].record.revision, 2);
    assert_eq!(after.records[0].record.values["place"], "Hội trường xã");

    // A deletion is a tombstone that syncs like any other change.
    let mut tombstone = records[1].clone();
    tombstone.deleted = true;
    assert_applied(&app.push_one(&token, &change(&tombstone, 1)).await, &records[1], 2);
    let after = app.pull(&token, after.next_cursor).await;
    assert_eq!(after.records.len(), 1);
    assert!(after.records[0].record.deleted);
    assert_eq!(app.counts().await, (3, 0));
}

both!(a_retried_change_is_applied_once);
async fn a_retried_change_is_applied_once(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let record = record_in(A);
    let c = new_change(&record);

    let first = app.push_one(&token, &c).await;
    assert_applied(&first, &record, 1);
    let retry = app.push_one(&token, &c).await;
    assert_eq!(retry["duplicate"], true, "{retry}");
    assert_eq!(retry["outcome"], first["outcome"]);
    assert_eq!(retry["revision"], first["revision"]);
    assert_eq!(retry["record_id"], first["record_id"]);
    assert_eq!(app.counts().await, (1, 0));
    let page = app.pull(&token, 0).await;
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.records[0].record.revision, 1, "a retry does not make a new revision");

    // The same change twice in one batch: the second is the duplicate.
    let other = record_in(A);
    let c2 = new_change(&other);
    let results = app.push(&token, &[c2.clone(), c2.clone()]).await;
    assert_applied(&results[0], &other, 1);
    assert_eq!(results[0]["duplicate"], false);
    assert_applied(&results[1], &other, 1);
    assert_eq!(results[1]["duplicate"], true, "{}", results[1]);
    assert_eq!(app.counts().await, (2, 0));
    assert_eq!(app.db.record(other.id).await.unwrap().unwrap().revision, 1);
}

both!(a_stale_base_revision_is_kept_as_a_conflict);
async fn a_stale_base_revision_is_kept_as_a_conflict(app: TestApp) {
    let collector = app.collector("collector.a", &[A]).await;
    let supervisor = app.province_supervisor("supervisor").await;
    let record = record_in(A);
    assert_applied(&app.push_one(&collector, &new_change(&record)).await, &record, 1);

    // The collector corrects it, from revision 1.
    let corrected = with_value(&record, "place", json!("Nhà văn hoá thôn"));
    assert_applied(&app.push_one(&collector, &change(&corrected, 1)).await, &record, 2);

    // The supervisor's device still had revision 1.
    let stale = with_value(&record, "place", json!("Trụ sở UBND xã"));
    let stale_change = change(&stale, 1);
    let result = app.push_one(&supervisor, &stale_change).await;
    assert_eq!(result["outcome"], "conflict", "{result}");
    assert_eq!(result["duplicate"], false);
    assert_eq!(result["record_id"], record.id.to_string());
    let conflict_id: Uuid = result["conflict_id"].as_str().unwrap().parse().expect("conflict_id is a UUID");
    let current: Record = serde_json::from_value(result["current"].clone()).expect("current is a record");
    assert_eq!(current.id, record.id);
    assert_eq!(current.revision, 2);
    assert_eq!(current.values["place"], "Nhà văn hoá thôn");

    assert_eq!(app.counts().await, (1, 1), "the incoming version is kept as a conflict copy");
    let stored = app.db.record(record.id).await.unwrap().unwrap();
    assert_eq!(stored.revision, 2, "the server record is unchanged");
    assert_eq!(stored.values["place"], "Nhà văn hoá thôn");

    // A retry of the conflicting change gets the same answer and keeps no second copy.
    let retry = app.push_one(&supervisor, &stale_change).await;
    assert_eq!(retry["duplicate"], true, "{retry}");
    assert_eq!(retry["outcome"], "conflict");
    assert_eq!(retry["conflict_id"], conflict_id.to_string());
    assert_eq!(app.counts().await, (1, 1));

    // Resolving it: a change from the current revision applies.
    let resolved = with_value(&record, "place", json!("Trụ sở UBND xã"));
    assert_applied(&app.push_one(&supervisor, &change(&resolved, 2)).await, &record, 3);
}

both!(an_invalid_record_is_rejected_and_the_others_applied);
async fn an_invalid_record_is_rejected_and_the_others_applied(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let good1 = record_in(A);
    let good2 = record_in(A);
    let mut bad = with_value(&record_in(A), "topics", json!("domestic_violence"));
    bad.values.remove("format");
    let bad_change = new_change(&bad);

    let results = app.push(&token, &[new_change(&good1), bad_change.clone(), new_change(&good2)]).await;
    assert_applied(&results[0], &good1, 1);
    assert_rejected_with(&results[1], "topics", "wrong_type");
    assert_rejected_with(&results[1], "format", "required");
    assert_applied(&results[2], &good2, 1);
    assert_eq!(app.counts().await, (2, 0));

    // A rejected change is not recorded: sent again it is checked again, not a duplicate.
    let again = app.push_one(&token, &bad_change).await;
    assert_rejected_with(&again, "topics", "wrong_type");

    // Fixed and sent as a new change, it applies.
    let fixed = with_value(&with_value(&bad, "topics", json!(["domestic_violence"])), "format", json!("meeting"));
    assert_applied(&app.push_one(&token, &new_change(&fixed)).await, &fixed, 1);
    assert_eq!(app.counts().await, (3, 0));
}

both!(validation_errors_are_reported_per_field);
async fn validation_errors_are_reported_per_field(app: TestApp) {
    let token = app.admin("admin").await;
    // (what, record, field, code): one change each, in one batch.
    let base = record_in(A);
    let mut cases: Vec<(&str, Record, &str, &str)> = vec![
        ("a required answer missing", with_value(&base, "format", Value::Null), "format", "required"),
        ("not an option", with_value(&base, "format", json!("radio")), "format", "not_an_option"),
        ("a list sent as a string", with_value(&base, "topics", json!("domestic_violence")), "topics", "wrong_type"),
        ("an unknown field", with_value(&base, "no_such_field", json!(1)), "no_such_field", "unknown_field"),
    ];
    let mut unknown_form = base.clone();
    unknown_form.form_id = "no_such_form".into();
    cases.push(("an unknown form", unknown_form, "form_id", "unknown_form"));
    let mut unknown_version = base.clone();
    unknown_version.form_version = 99;
    cases.push(("an unknown form version", unknown_version, "form_id", "unknown_form"));
    let mut province = base.clone();
    province.location = commune(PROVINCE);
    cases.push(("the province, not a commune", province, "location", "not_a_commune"));
    let mut unknown_unit = base.clone();
    unknown_unit.location = commune("99999");
    cases.push(("an unknown unit code", unknown_unit, "location", "unknown_unit"));
    let mut unknown_list = base.clone();
    unknown_list.location.unit_list = "units_1990".into();
    cases.push(("an unknown unit list", unknown_list, "location", "unknown_unit_list"));

    let changes: Vec<_> = cases
        .iter_mut()
        .map(|(_, record, _, _)| {
            record.id = Uuid::new_v4();
            if record.values.get("format") == Some(&Value::Null) {
                record.values.remove("format");
            }
            new_change(record)
        })
        .collect();
    let results = app.push(&token, &changes).await;
    for ((what, _, field, code), result) in cases.iter().zip(&results) {
        assert_eq!(result["outcome"], "rejected", "{what}: {result}");
        let errors = errors_of(result);
        assert!(
            errors.contains(&(field.to_string(), code.to_string())),
            "{what}: expected {field}/{code} in {errors:?}"
        );
    }
    assert_eq!(app.counts().await, (0, 0));
}

// ---- batches and concurrency -----------------------------------------------------------------

both!(changes_of_one_record_in_one_batch_apply_in_order);
async fn changes_of_one_record_in_one_batch_apply_in_order(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let record = record_in(A);
    let edited = with_value(&record, "place", json!("Sân bóng thôn"));
    let results = app.push(&token, &[new_change(&record), change(&edited, 1)]).await;
    assert_applied(&results[0], &record, 1);
    assert_applied(&results[1], &record, 2);
    // Two changes from the same base: the second is a conflict (docs/sync-protocol.md).
    let a = with_value(&record, "place", json!("Một"));
    let b = with_value(&record, "place", json!("Hai"));
    let results = app.push(&token, &[change(&a, 2), change(&b, 2)]).await;
    assert_applied(&results[0], &record, 3);
    assert_eq!(results[1]["outcome"], "conflict", "{}", results[1]);
    assert_eq!(results[1]["current"]["revision"], 3);
    assert_eq!(results[1]["current"]["values"]["place"], "Một");
    assert_eq!(app.counts().await, (1, 1));
}

both!(a_full_batch_of_500_changes_is_applied);
async fn a_full_batch_of_500_changes_is_applied(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let changes: Vec<_> = (0..500).map(|_| new_change(&record_in(A))).collect();
    let results = app.push(&token, &changes).await;
    assert!(results.iter().all(|r| r["outcome"] == "applied" && r["revision"] == 1));
    assert_eq!(app.counts().await, (500, 0));
    // Retried as a whole (the response was lost): every change is a duplicate.
    let again = app.push(&token, &changes).await;
    assert!(again.iter().all(|r| r["duplicate"] == true && r["outcome"] == "applied"));
    assert_eq!(app.counts().await, (500, 0));
    let page = app.get("/api/v1/sync/pull?since=0&limit=1000", Some(&token)).await.parse::<PullResponse>();
    assert_eq!(page.records.len(), 500);
    assert!(!page.has_more);
}

both!(concurrent_pushes_apply_each_change_once);
async fn concurrent_pushes_apply_each_change_once(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let record = record_in(A);
    let c = new_change(&record);
    let (first, second) = tokio::join!(app.push_one(&token, &c), app.push_one(&token, &c));
    let mut duplicates = [first["duplicate"].as_bool().unwrap(), second["duplicate"].as_bool().unwrap()];
    duplicates.sort();
    assert_eq!(duplicates, [false, true], "{first} / {second}");
    assert_applied(&first, &record, 1);
    assert_applied(&second, &record, 1);
    assert_eq!(app.counts().await, (1, 0));

    // Many devices at once: every record lands, each change with a cursor of its own.
    let records: Vec<Record> = (0..8).map(|_| record_in(A)).collect();
    let pushes = records.iter().map(|r| {
        let change = new_change(r);
        let (app, token) = (&app, &token);
        async move { app.push_one(token, &change).await }
    });
    for result in futures_join_all(pushes).await {
        assert_eq!(result["outcome"], "applied", "{result}");
    }
    let page = app.pull(&token, 0).await;
    assert_eq!(page.records.len(), 9);
    let mut cursors: Vec<u64> = page.records.iter().map(|r| r.cursor).collect();
    let in_order = cursors.clone();
    cursors.sort();
    cursors.dedup();
    assert_eq!(cursors, in_order, "distinct cursors, ascending");
}

/// Runs futures concurrently on the test's runtime (no `futures` dependency needed).
async fn futures_join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *output = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(Option::unwrap).collect()
}

both!(a_change_id_used_by_another_user_is_refused_without_revealing_its_outcome);
async fn a_change_id_used_by_another_user_is_refused_without_revealing_its_outcome(app: TestApp) {
    let collector_a = app.collector("collector.a", &[A]).await;
    let supervisor = app.province_supervisor("supervisor").await;
    let record = record_in(A);
    let original = new_change(&record);
    assert_applied(&app.push_one(&collector_a, &original).await, &record, 1);
    let edit = with_value(&record, "place", json!("Bí mật"));
    let stale = change(&edit, 0);
    assert_eq!(app.push_one(&collector_a, &stale).await["outcome"], "conflict");

    // Someone else sends changes under those ids (a replay, or a client bug).
    let other = record_in(A);
    for taken in [original.change_id, stale.change_id] {
        let replay = forms::sync::Change { change_id: taken, base_revision: 0, record: other.clone() };
        let result = app.push_one(&supervisor, &replay).await;
        assert_rejected_with(&result, "change_id", "change_id_reused");
        assert!(result.get("current").is_none() && result.get("revision").is_none(), "{result}");
    }
    assert!(app.db.record(other.id).await.unwrap().is_none());
    assert_eq!(app.counts().await, (1, 1));
    // Its owner still gets the original outcome.
    let again = app.push_one(&collector_a, &original).await;
    assert_eq!(again["duplicate"], true);
    assert_applied(&again, &record, 1);
}

both!(a_change_id_reused_for_another_change_is_refused_never_answered_applied);
async fn a_change_id_reused_for_another_change_is_refused_never_answered_applied(app: TestApp) {
    // Issue 12: the same user sending one change id with another record (or other content)
    // got `applied, duplicate: true` for a change that was never stored; a device trusting
    // it drops the change from its outbox and the record is lost.
    let token = app.collector("collector.a", &[A]).await;
    let first = record_in(A);
    let original = new_change(&first);
    assert_applied(&app.push_one(&token, &original).await, &first, 1);
    let under_its_id = |base_revision, record: &Record| forms::sync::Change {
        change_id: original.change_id,
        base_revision,
        record: record.clone(),
    };

    // In a later batch (answered before the transaction): another record, the same record
    // with other answers, the same record on another base revision.
    let other = record_in(A);
    let edited = with_value(&first, "place", json!("Nhà văn hoá thôn Gò Khôn"));
    let reuses = [under_its_id(0, &other), under_its_id(0, &edited), under_its_id(1, &first)];
    for (what, reuse) in ["another record", "other content", "another base revision"].iter().zip(&reuses) {
        let result = app.push_one(&token, reuse).await;
        assert_rejected_with(&result, "change_id", "change_id_reused");
        assert!(result.get("revision").is_none(), "{what}: {result}");
    }
    assert!(app.db.record(other.id).await.unwrap().is_none(), "never stored");
    let stored = app.db.record(first.id).await.unwrap().unwrap();
    assert_eq!((stored.revision, &stored.values["place"]), (1, &first.values["place"]), "left as it was");

    // In one batch (answered under the transaction's lock): one new id on two records, and
    // on two versions of one record.
    let (x, y, z) = (record_in(A), record_in(A), record_in(A));
    let shared = Uuid::new_v4();
    let twice = Uuid::new_v4();
    let batch = [
        forms::sync::Change { change_id: shared, base_revision: 0, record: x.clone() },
        forms::sync::Change { change_id: shared, base_revision: 0, record: y.clone() },
        forms::sync::Change { change_id: twice, base_revision: 0, record: z.clone() },
        forms::sync::Change {
            change_id: twice, base_revision: 1, record: with_value(&z, "place", json!("Sân đình"))
        },
    ];
    for attempt in ["sent", "retried whole"] {
        let results = app.push(&token, &batch).await;
        assert_applied(&results[0], &x, 1);
        assert_rejected_with(&results[1], "change_id", "change_id_reused");
        assert_applied(&results[2], &z, 1);
        assert_rejected_with(&results[3], "change_id", "change_id_reused");
        let retry = attempt == "retried whole";
        assert_eq!((results[0]["duplicate"] == true, results[2]["duplicate"] == true), (retry, retry), "{attempt}");
    }
    assert!(app.db.record(y.id).await.unwrap().is_none());
    assert_eq!(app.db.record(z.id).await.unwrap().unwrap().values["place"], z.values["place"]);
    assert_eq!(app.counts().await, (3, 0));

    // A genuine retry, byte for byte, is still the duplicate it always was; so is a conflict's.
    let again = app.push_one(&token, &original).await;
    assert_eq!(again["duplicate"], true, "{again}");
    assert_applied(&again, &first, 1);
    let stale = change(&edited, 0);
    assert_eq!(app.push_one(&token, &stale).await["outcome"], "conflict");
    let retried = app.push_one(&token, &stale).await;
    assert_eq!((&retried["outcome"], &retried["duplicate"]), (&json!("conflict"), &json!(true)), "{retried}");
    let reworded = forms::sync::Change { record: with_value(&edited, "place", json!("Khác")), ..stale };
    assert_rejected_with(&app.push_one(&token, &reworded).await, "change_id", "change_id_reused");
    assert_eq!(app.counts().await, (3, 1));
}
