//! A record's history (`GET /api/v1/records/{id}/history`): every revision the server
//! accepted, as it was sent, with who sent it, from which device and under which change
//! id; what each changed; the conflict copies linked to the revision they lost to; in scope.

use super::*;

/// `GET /api/v1/records/{id}/history`: the body; panics unless 200.
pub(crate) async fn history(app: &TestApp, token: &str, id: Uuid) -> Value {
    let response = app.get(&format!("/api/v1/records/{id}/history"), Some(token)).await;
    assert_eq!(response.status, StatusCode::OK, "history of {id}: {}", response.text());
    response.json()
}

fn participants(female_adults: u32) -> Value {
    json!([
        {"ethnicity": "19", "sex": "female", "group": "adult", "count": female_adults},
        {"ethnicity": "19", "sex": "male", "group": "adult", "count": 17}
    ])
}

both!(history_keeps_every_revision_as_sent);
async fn history_keeps_every_revision_as_sent(app: TestApp) {
    let officer = app.collector("officer.a", &[A]).await;
    let colleague = app.collector("colleague.a", &[A]).await;
    let first = with_value(&with_value(&record_in(A), "participants", participants(28)), "notes", json!("Lần đầu"));
    let c1 = new_change(&first);
    assert_applied(&app.push_one(&officer, &c1).await, &first, 1);
    // Edited twice in one batch: both revisions are kept, not only the last.
    let second = with_value(&first, "participants", participants(30));
    let third = with_value(&with_value(&second, "notes", json!("Đã sửa số người")), "materials_distributed", json!(95));
    let (c2, c3) = (change(&second, 1), change(&third, 2));
    let results = app.push(&colleague, &[c2.clone(), c3.clone()]).await;
    assert_eq!(results[1]["revision"], 3, "{results:?}");
    // A stale edit from the first officer loses, and is kept linked to revision 3.
    let stale = with_value(&first, "notes", json!("Bản cũ"));
    let c4 = change(&stale, 1);
    assert_eq!(app.push_one(&officer, &c4).await["outcome"], "conflict");
    // Deleted: a tombstone revision.
    let mut gone = third.clone();
    gone.deleted = true;
    let c5 = change(&gone, 3);
    assert_applied(&app.push_one(&officer, &c5).await, &gone, 4);
    // A retry adds no revision.
    assert_eq!(app.push_one(&officer, &c5).await["duplicate"], true);

    let body = history(&app, &officer, first.id).await;
    let revisions = body["revisions"].as_array().unwrap();
    let summary: Vec<(u64, String, String, bool)> = revisions
        .iter()
        .map(|r| {
            (
                r["revision"].as_u64().unwrap(),
                r["change_id"].as_str().unwrap().to_owned(),
                r["sent_by"]["username"].as_str().unwrap().to_owned(),
                r["deleted"].as_bool().unwrap(),
            )
        })
        .collect();
    let want: Vec<(u64, String, String, bool)> = vec![
        (1, c1.change_id.to_string(), "officer.a".into(), false),
        (2, c2.change_id.to_string(), "colleague.a".into(), false),
        (3, c3.change_id.to_string(), "colleague.a".into(), false),
        (4, c5.change_id.to_string(), "officer.a".into(), true),
    ];
    assert_eq!(summary, want);
    // Each revision's answers are what was sent, with the form's calculations beside them.
    for (revision, sent) in revisions.iter().zip([&first, &second, &third]) {
        for (field, value) in &sent.values {
            assert_eq!(&revision["values"][field], value, "revision {} field {field}", revision["revision"]);
        }
    }
    // The device is the one the sender signed in on, not what the record says.
    let devices: Vec<&str> = revisions.iter().map(|r| r["device_id"].as_str().unwrap()).collect();
    assert_eq!(devices, ["officer.a-device", "colleague.a-device", "colleague.a-device", "officer.a-device"]);
    assert_eq!(revisions[1]["values"]["participants_female"], 30);
    assert_eq!(revisions[3]["values"], json!({}), "a tombstone keeps no answers");

    // What changed: the grid cell by group × sex; then, in the form's order, two answers.
    assert_eq!(
        revisions[1]["changes"],
        json!([{"field": "participants", "label": revisions[1]["changes"][0]["label"], "kind": "grid",
                "cells": [{"ethnicity": "19", "group": "adult", "sex": "female", "before": 28, "after": 30}]}])
    );
    assert_eq!(revisions[1]["changes"][0]["label"]["vi"].as_str().map(|l| !l.is_empty()), Some(true));
    let fields: Vec<&str> =
        revisions[2]["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["materials_distributed", "notes"]);
    assert_eq!((&revisions[2]["changes"][0]["before"], &revisions[2]["changes"][0]["after"]), (&json!(80), &json!(95)));
    assert_eq!(revisions[2]["changes"][1]["before"], "Lần đầu");
    assert_eq!(revisions[2]["changes"][1]["after"], "Đã sửa số người");
    let first_changes: Vec<&str> =
        revisions[0]["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    let mut sent: Vec<&str> = first.values.keys().map(String::as_str).collect();
    let mut set = first_changes.clone();
    sent.sort();
    set.sort();
    assert_eq!(set, sent, "the first revision sets every answer sent");

    let conflicts = body["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0]["change_id"], c4.change_id.to_string());
    assert_eq!(conflicts[0]["base_revision"], 1);
    assert_eq!(conflicts[0]["lost_to_revision"], 3);
    assert_eq!(conflicts[0]["sent_by"]["username"], "officer.a");
    assert_eq!(conflicts[0]["record"]["values"]["notes"], "Bản cũ");
}

both!(history_is_read_in_scope);
async fn history_is_read_in_scope(app: TestApp) {
    let officer_a = app.collector("officer.a", &[A]).await;
    let officer_b = app.collector("officer.b", &[B]).await;
    let supervisor = app.province_supervisor("province").await;
    let record = record_in(A);
    assert_applied(&app.push_one(&officer_a, &new_change(&record)).await, &record, 1);
    let path = format!("/api/v1/records/{}/history", record.id);
    let cases: Vec<(&str, Option<&str>, StatusCode)> = vec![
        ("its officer", Some(&officer_a), StatusCode::OK),
        ("a province supervisor", Some(&supervisor), StatusCode::OK),
        ("an officer of another commune sees nothing", Some(&officer_b), StatusCode::NOT_FOUND),
        ("signed out", None, StatusCode::UNAUTHORIZED),
    ];
    for (who, token, status) in cases {
        assert_eq!(app.get(&path, token).await.status, status, "{who}");
    }
    let unknown = format!("/api/v1/records/{}/history", Uuid::new_v4());
    app.get(&unknown, Some(&supervisor)).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/records/not-an-id/history", Some(&supervisor))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}
