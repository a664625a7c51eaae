//! Scope: who may push and pull which communes.

use super::*;

// ---- scope ---------------------------------------------------------------------------------

both!(a_collector_cannot_push_outside_their_communes);
async fn a_collector_cannot_push_outside_their_communes(app: TestApp) {
    let token = app.collector("collector.a", &[A]).await;
    let in_b = record_in(B);
    let result = app.push_one(&token, &new_change(&in_b)).await;
    assert_rejected_with(&result, "location", "out_of_scope");
    // Out of scope is said before any validation: nothing about the answers leaks.
    let mut in_b_invalid = with_value(&record_in(B), "format", json!("radio"));
    in_b_invalid.values.remove("topics");
    let result = app.push_one(&token, &new_change(&in_b_invalid)).await;
    assert_eq!(errors_of(&result), vec![("location".to_owned(), "out_of_scope".to_owned())]);
    assert_eq!(app.counts().await, (0, 0));

    // A collector of both communes may.
    let both = app.collector("collector.ab", &[A, B]).await;
    assert_applied(&app.push_one(&both, &new_change(&in_b)).await, &in_b, 1);
}

both!(pull_returns_only_records_in_the_callers_scope);
async fn pull_returns_only_records_in_the_callers_scope(app: TestApp) {
    let admin = app.admin("admin").await;
    let supervisor = app.province_supervisor("supervisor").await;
    let collector_a = app.collector("collector.a", &[A]).await;
    let collector_b = app.collector("collector.b", &[B]).await;
    let supervisor_b = app.user_with_token("supervisor.b", Role::Supervisor, &[B], false).await;

    let (a1, b1, b2, a_old) =
        (record_in(A), record_in(B), record_in(B), record_of("outreach_event", 1, old_commune(OLD_IN_A)));
    let b3 = record_in(B);
    assert_applied(&app.push_one(&admin, &new_change(&a1)).await, &a1, 1);
    assert_applied(&app.push_one(&admin, &new_change(&b1)).await, &b1, 1);
    assert_applied(&app.push_one(&supervisor, &new_change(&b2)).await, &b2, 1);
    assert_applied(&app.push_one(&supervisor, &new_change(&a_old)).await, &a_old, 1);
    assert_applied(&app.push_one(&supervisor_b, &new_change(&b3)).await, &b3, 1);

    let sorted = |mut v: Vec<Uuid>| {
        v.sort();
        v
    };
    let expect = |records: &[&Record]| sorted(records.iter().map(|r| r.id).collect());
    // Collectors pull everything in their communes (the pre-2025 ward merged into A too)…
    assert_eq!(sorted(app.pulled_ids(&collector_a).await), expect(&[&a1, &a_old]), "collector of A");
    assert_eq!(sorted(app.pulled_ids(&collector_b).await), expect(&[&b1, &b2, &b3]), "collector of B");
    // …supervisors and admins only their own: the rest they read in the console.
    assert_eq!(sorted(app.pulled_ids(&supervisor_b).await), expect(&[&b3]), "supervisor of B: their own");
    assert_eq!(sorted(app.pulled_ids(&supervisor).await), expect(&[&b2, &a_old]), "whole province: their own");
    assert_eq!(sorted(app.pulled_ids(&admin).await), expect(&[&a1, &b1]), "admin: their own");
    let console = super::console_records::search_ids(&app, &supervisor_b, "").await;
    assert_eq!(console, expect(&[&b1, &b2, &b3]), "supervisor of B, in the console");

    // A collector with no commune sees nothing.
    let nowhere = app.collector("collector.none", &[]).await;
    assert!(app.pulled_ids(&nowhere).await.is_empty());
}

both!(a_collector_cannot_update_a_record_stored_outside_their_scope);
async fn a_collector_cannot_update_a_record_stored_outside_their_scope(app: TestApp) {
    let admin = app.admin("admin").await;
    let collector_a = app.collector("collector.a", &[A]).await;
    let in_b = record_in(B);
    assert_applied(&app.push_one(&admin, &new_change(&in_b)).await, &in_b, 1);

    // The same record id, "moved" into A by the collector's change.
    let mut hijack = with_value(&in_b, "place", json!("Ghi đè"));
    hijack.location = commune(A);
    let result = app.push_one(&collector_a, &change(&hijack, 1)).await;
    assert_rejected_with(&result, "location", "out_of_scope");
    // A stale base revision must not get a conflict copy (with the server version) either.
    let result = app.push_one(&collector_a, &change(&hijack, 0)).await;
    assert_rejected_with(&result, "location", "out_of_scope");
    assert_eq!(app.counts().await, (1, 0));

    let stored = app.db.record(in_b.id).await.unwrap().unwrap();
    assert_eq!(stored.location, commune(B));
    assert_eq!(stored.revision, 1);
    assert_eq!(stored.values["place"], in_b.values["place"]);
    assert!(app.pulled_ids(&collector_a).await.is_empty());
}

both!(a_pre2025_location_merged_into_the_collectors_commune_is_in_scope);
async fn a_pre2025_location_merged_into_the_collectors_commune_is_in_scope(app: TestApp) {
    let collector_a = app.collector("collector.a", &[A]).await;
    let collector_b = app.collector("collector.b", &[B]).await;

    let old_a = record_of("outreach_event", 1, old_commune(OLD_IN_A));
    assert_applied(&app.push_one(&collector_a, &new_change(&old_a)).await, &old_a, 1);
    let old_b = record_of("outreach_event", 1, old_commune(OLD_IN_B));
    assert_rejected_with(&app.push_one(&collector_a, &new_change(&old_b)).await, "location", "out_of_scope");
    // Codes are reused across lists: B's 2025 code on the pre-2025 list is not B.
    let old_code_a = record_of("outreach_event", 1, old_commune(A));
    assert_applied(&app.push_one(&collector_a, &new_change(&old_code_a)).await, &old_code_a, 1);
    assert_rejected_with(&app.push_one(&collector_b, &new_change(&old_code_a)).await, "location", "out_of_scope");

    assert_eq!(app.pulled_ids(&collector_a).await.len(), 2);
    assert!(app.pulled_ids(&collector_b).await.is_empty());
    assert_eq!(app.counts().await, (2, 0));
}

/// Pre-2025 Xã 21142 was split between 2025 communes 21136 and 21157 (the one split unit of
/// the province's list). Its records are its author's, and those covering both successors'.
const SPLIT: &str = "21142";
const SPLIT_INTO: [&str; 2] = ["21136", "21157"];

both!(a_unit_split_between_two_communes_belongs_to_neither_alone);
async fn a_unit_split_between_two_communes_belongs_to_neither_alone(app: TestApp) {
    let [left, right] = SPLIT_INTO;
    let collector_left = app.collector("collector.left", &[left]).await;
    let collector_right = app.collector("collector.right", &[right]).await;
    let supervisor_left = app.user_with_token("supervisor.left", Role::Supervisor, &[left], false).await;
    let supervisor_both = app.user_with_token("supervisor.both", Role::Supervisor, &[left, right], false).await;

    // Either side may record an activity held at the old unit: they become its author.
    let mine = record_of("outreach_event", 1, old_commune(SPLIT));
    assert_applied(&app.push_one(&collector_left, &new_change(&mine)).await, &mine, 1);
    let theirs = record_of("outreach_event", 1, old_commune(SPLIT));
    assert_applied(&app.push_one(&collector_right, &new_change(&theirs)).await, &theirs, 1);

    // Each collector pulls only their own there; supervisors pull only their own anywhere,
    // and in the console a supervisor of one side only reads neither, one of both reads both.
    assert_eq!(app.pulled_ids(&collector_left).await, vec![mine.id]);
    assert_eq!(app.pulled_ids(&collector_right).await, vec![theirs.id]);
    assert!(app.pulled_ids(&supervisor_left).await.is_empty(), "a supervisor of one successor only");
    assert!(app.pulled_ids(&supervisor_both).await.is_empty(), "a supervisor's phone: their own only");
    use super::console_records::search_ids;
    assert!(search_ids(&app, &supervisor_left, "").await.is_empty(), "a supervisor of one successor only");
    let mut expected = vec![mine.id, theirs.id];
    expected.sort();
    assert_eq!(search_ids(&app, &supervisor_both, "").await, expected, "a supervisor of both successors reads both");

    // The other side can neither correct nor delete it; its author and the supervisor of both can.
    let mut edit = mine.clone();
    edit.values.insert("notes".into(), json!("sửa bởi người khác"));
    let result = app.push_one(&collector_right, &change(&edit, 1)).await;
    assert_rejected_with(&result, "location", "out_of_scope");
    let mut gone = mine.clone();
    gone.deleted = true;
    let result = app.push_one(&supervisor_left, &change(&gone, 1)).await;
    assert_rejected_with(&result, "location", "out_of_scope");
    edit.values.insert("notes".into(), json!("tác giả sửa"));
    assert_applied(&app.push_one(&collector_left, &change(&edit, 1)).await, &edit, 2);
    edit.values.insert("notes".into(), json!("giám sát sửa"));
    assert_applied(&app.push_one(&supervisor_both, &change(&edit, 2)).await, &edit, 3);
    // A supervisor's correction leaves the author the author: still theirs to pull.
    assert_eq!(app.pulled_ids(&collector_left).await, vec![mine.id]);
}
