//! Sign-off of a period (`/api/v1/admin/sign-offs`): who may sign off and reopen what, a
//! push into a signed-off period is refused per change (`period_closed`) and changes
//! nothing, reopening lets it through, the screen's standing and counts, the audit rows; an
//! agency's officer in charge signs off and reopens that agency alone.

use super::*;

/// An outreach event in `code` on `date`, organised by `organiser`.
fn event(code: &str, date: &str, organiser: &str) -> Record {
    let in_action_month = ("2025-11-15"..="2025-12-15").contains(&date);
    let record = with_value(&record_in(code), "event_date", json!(date));
    with_value(&with_value(&record, "organiser", json!(organiser)), "part_of_action_month", json!(in_action_month))
}

/// `record` on another date (outside the Action Month).
fn event_moved(record: &Record, date: &str) -> Record {
    with_value(&with_value(record, "event_date", json!(date)), "part_of_action_month", json!(false))
}

fn body(kind: &str, target: &str, period: &str) -> Value {
    json!({ "kind": kind, "target": target, "period": period, "year": 2025 })
}

async fn screen(app: &TestApp, token: &str, period: &str) -> Value {
    let r = app.get(&format!("/api/v1/admin/sign-offs?period={period}&year=2025"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn row<'a>(screen: &'a Value, list: &str, target: &str) -> &'a Value {
    screen[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["target"] == target)
        .unwrap_or_else(|| panic!("{target} in {list}"))
}

both!(who_may_sign_off_what);
async fn who_may_sign_off_what(app: TestApp) {
    let officer = app.collector("officer.a", &[A]).await;
    let supervisor_a = app.user_with_token("supervisor.a", Role::Supervisor, &[A], false).await;
    let supervisor_b = app.user_with_token("supervisor.b", Role::Supervisor, &[B], false).await;
    let province = app.province_supervisor("province").await;
    let admin = app.admin("admin").await;
    let path = "/api/v1/admin/sign-offs";
    let cases: Vec<(&str, &str, Value, StatusCode, &str)> = vec![
        ("a collector", &officer, body("commune", A, "reporting_year"), StatusCode::FORBIDDEN, "forbidden"),
        (
            "another commune's supervisor",
            &supervisor_b,
            body("commune", A, "reporting_year"),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "an agency, by a commune's supervisor",
            &supervisor_a,
            body("agency", "so_noi_vu", "reporting_year"),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "no such commune",
            &admin,
            body("commune", "99999", "reporting_year"),
            StatusCode::BAD_REQUEST,
            "unknown_target",
        ),
        (
            "no such agency",
            &admin,
            body("agency", "nobody", "reporting_year"),
            StatusCode::BAD_REQUEST,
            "unknown_target",
        ),
        ("the commune's supervisor", &supervisor_a, body("commune", A, "reporting_year"), StatusCode::CREATED, ""),
        ("again", &province, body("commune", A, "reporting_year"), StatusCode::CONFLICT, "already_exists"),
        (
            "the Action Month is a period of its own",
            &province,
            body("commune", A, "action_month"),
            StatusCode::CREATED,
            "",
        ),
        ("an agency, by an admin", &admin, body("agency", "so_noi_vu", "reporting_year"), StatusCode::CREATED, ""),
    ];
    for (what, token, body, status, code) in cases {
        let r = app.post(path, Some(token), &body).await;
        assert_eq!(r.status, status, "{what}: {}", r.text());
        if !code.is_empty() {
            assert_eq!(r.error_code(), code, "{what}");
        }
    }
    // The supervisor of A sees A alone and no agencies; the admin every commune and agency.
    let own = screen(&app, &supervisor_a, "reporting_year").await;
    assert_eq!(own["communes"].as_array().unwrap().len(), 1);
    assert_eq!(own["agencies"], json!([]));
    let all = screen(&app, &admin, "reporting_year").await;
    assert!(all["communes"].as_array().unwrap().len() >= 90, "every 2025 commune");
    assert_eq!(row(&all, "agencies", "so_noi_vu")["standing"], "signed_off");
    assert_eq!(row(&all, "communes", B)["standing"], "nothing");
    // Reopening: in scope, with a reason, once.
    let id = row(&all, "communes", A)["sign_off"]["id"].as_i64().unwrap();
    let reopen = format!("/api/v1/admin/sign-offs/{id}/reopen");
    app.post(&reopen, Some(&supervisor_b), &json!({"reason": "x"}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    app.post(&reopen, Some(&supervisor_a), &json!({"reason": " "}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "reason_required");
    let r = app.post(&reopen, Some(&supervisor_a), &json!({"reason": "Thiếu một lớp tập huấn"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["reopened_by"]["username"], "supervisor.a");
    app.post(&reopen, Some(&admin), &json!({"reason": "again"})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let after = screen(&app, &admin, "reporting_year").await;
    assert_eq!(row(&after, "communes", A)["standing"], "nothing");
    assert_eq!(after["reopened"][0]["reopen_reason"], "Thiếu một lớp tập huấn");

    let audit = app.get("/api/v1/admin/audit?per_page=200", Some(&admin)).await.json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target_kind"] == "period")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["period_reopened", "period_signed_off", "period_signed_off", "period_signed_off"]);
}

both!(a_signed_off_period_refuses_changes_dated_inside_it);
async fn a_signed_off_period_refuses_changes_dated_inside_it(app: TestApp) {
    let officer = app.collector("officer.a", &[A, B]).await;
    let supervisor = app.province_supervisor("province").await;
    let admin = app.admin("admin").await;
    let before = event(A, "2025-06-10", "hoi_lhpn_xa");
    let outside = event(A, "2025-12-20", "hoi_lhpn_xa");
    assert_applied(&app.push_one(&officer, &new_change(&before)).await, &before, 1);
    assert_applied(&app.push_one(&officer, &new_change(&outside)).await, &outside, 1);
    let r = app.post("/api/v1/admin/sign-offs", Some(&supervisor), &body("commune", A, "reporting_year")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let r = app.post("/api/v1/admin/sign-offs", Some(&admin), &body("agency", "so_noi_vu", "reporting_year")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let counts = app.counts().await;

    let late = event(A, "2025-11-28", "hoi_lhpn_xa");
    let cases: Vec<(&str, forms::sync::Change, bool)> = vec![
        ("a new record dated inside", new_change(&late), false),
        ("an edit of a record dated inside", change(&with_value(&before, "notes", json!("sửa muộn")), 1), false),
        ("a record moved into the period", change(&event_moved(&outside, "2025-11-01"), 1), false),
        ("an agency's activity elsewhere", new_change(&event(B, "2025-05-01", "so_noi_vu")), false),
        ("another commune, another organiser", new_change(&event(B, "2025-05-01", "hoi_lhpn_xa")), true),
        ("after the period", change(&with_value(&outside, "notes", json!("ok")), 1), true),
    ];
    for (what, c, applied) in &cases {
        let result = app.push_one(&officer, c).await;
        if *applied {
            assert_eq!(result["outcome"], "applied", "{what}: {result}");
        } else {
            assert_eq!(errors_of(&result), vec![("period".to_owned(), "period_closed".to_owned())], "{what}");
        }
    }
    assert_eq!(app.counts().await.0, counts.0 + 1, "only the record outside every sign-off was added");
    assert_eq!(app.db.record(before.id).await.unwrap().unwrap().revision, 1, "the record dated inside is unchanged");

    // Reopened: the same change goes through.
    let r = app
        .post(&format!("/api/v1/admin/sign-offs/{id}/reopen"), Some(&supervisor), &json!({"reason": "Bổ sung"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let retry = app.push_one(&officer, &cases[1].1).await;
    assert_eq!(retry["outcome"], "applied", "{retry}");
}

both!(an_agencys_officer_in_charge_signs_off_that_agency);
async fn an_agencys_officer_in_charge_signs_off_that_agency(app: TestApp) {
    let admin = app.admin("admin").await;
    let officer = app.user_with_token("officer.x", Role::Supervisor, &[A], false).await;
    let (mine, other) = ("so_noi_vu", "so_dan_toc_ton_giao");
    // Put in charge of an agency through the console's user endpoint, as an admin does.
    let in_charge = |agency: Value| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let body = json!({ "agency": agency });
            let r = app.request(Method::PATCH, "/api/v1/admin/users/officer.x", Some(&admin), Some(&body)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            assert_eq!(r.json()["agency"], agency);
        }
    };
    in_charge(json!(mine)).await;
    let r = app.post("/api/v1/admin/sign-offs", Some(&admin), &body("agency", other, "reporting_year")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let others_id = r.json()["id"].as_i64().unwrap();

    let path = "/api/v1/admin/sign-offs";
    let cases: Vec<(&str, Value, StatusCode)> = vec![
        ("their agency, the reporting year", body("agency", mine, "reporting_year"), StatusCode::CREATED),
        ("their agency, the Action Month", body("agency", mine, "action_month"), StatusCode::CREATED),
        ("another agency", body("agency", other, "action_month"), StatusCode::FORBIDDEN),
        ("their commune, as before", body("commune", A, "reporting_year"), StatusCode::CREATED),
        ("another commune", body("commune", B, "reporting_year"), StatusCode::FORBIDDEN),
    ];
    for (what, body, status) in cases {
        let r = app.post(path, Some(&officer), &body).await;
        assert_eq!(r.status, status, "{what}: {}", r.text());
    }

    // The screen lists their agency alone, theirs to act on, signed off.
    let own = screen(&app, &officer, "reporting_year").await;
    let agencies: Vec<&str> =
        own["agencies"].as_array().unwrap().iter().map(|r| r["target"].as_str().unwrap()).collect();
    assert_eq!(agencies, [mine]);
    assert_eq!(row(&own, "agencies", mine)["may_act"], true);
    assert_eq!(row(&own, "agencies", mine)["standing"], "signed_off");
    assert_eq!(own["communes"].as_array().unwrap().len(), 1, "their commune, as before");

    // Reopening: their agency's sign-off, not another's (answered as if absent).
    let id = row(&own, "agencies", mine)["sign_off"]["id"].as_i64().unwrap();
    let reason = json!({ "reason": "Bổ sung hoạt động của Sở" });
    app.post(&format!("{path}/{others_id}/reopen"), Some(&officer), &reason)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let r = app.post(&format!("{path}/{id}/reopen"), Some(&officer), &reason).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["reopened_by"]["username"], "officer.x");

    // Taken out of charge: the agency is no longer theirs to sign off or to see.
    in_charge(Value::Null).await;
    let r = app.post(path, Some(&officer), &body("agency", mine, "reporting_year")).await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(screen(&app, &officer, "reporting_year").await["agencies"], json!([]));
}

both!(the_screen_counts_each_agencys_records_and_their_review);
async fn the_screen_counts_each_agencys_records_and_their_review(app: TestApp) {
    let officer = app.collector("officer.ab", &[A, B]).await;
    let admin = app.admin("admin").await;
    // The Women's Union's activities in two communes, one returned and one approved; the
    // health department's in one; one after the reporting year, which does not count.
    let records = [
        event(A, "2025-03-02", "hoi_lhpn_xa"),
        event(B, "2025-04-12", "hoi_lhpn_xa"),
        event(B, "2025-07-20", "hoi_lhpn_xa"),
        event(A, "2025-05-05", "so_y_te"),
        event(A, "2025-12-20", "so_y_te"),
    ];
    for r in &records {
        assert_applied(&app.push_one(&officer, &new_change(r)).await, r, 1);
    }
    for (record, action) in [(&records[0], "return"), (&records[1], "approve")] {
        let body = json!({ "change_id": Uuid::new_v4(), "action": action, "revision": 1, "comment": "Kiểm tra lại" });
        let r = app.post(&format!("/api/v1/records/{}/review", record.id), Some(&admin), &body).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.text());
    }
    let s = screen(&app, &admin, "reporting_year").await;
    let cases = [
        (
            "agencies",
            "hoi_lhpn_xa",
            json!({"records": 3, "approved": 1, "needs_changes": 1, "submitted": 1}),
            "needs_changes",
        ),
        (
            "agencies",
            "so_y_te",
            json!({"records": 1, "approved": 0, "needs_changes": 0, "submitted": 1}),
            "in_progress",
        ),
        ("agencies", "so_noi_vu", json!({"records": 0, "approved": 0, "needs_changes": 0, "submitted": 0}), "nothing"),
        ("communes", A, json!({"records": 2, "approved": 0, "needs_changes": 1, "submitted": 1}), "needs_changes"),
        ("communes", B, json!({"records": 2, "approved": 1, "needs_changes": 0, "submitted": 1}), "in_progress"),
    ];
    for (list, target, counts, standing) in cases {
        let r = row(&s, list, target);
        assert_eq!(r["counts"], counts, "{list} {target}");
        assert_eq!(r["standing"], standing, "{list} {target}");
    }
}
