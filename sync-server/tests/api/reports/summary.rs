//! The JSON summary: figures by form, commune, ethnicity and group, for a period, a form
//! and a commune; scope; roles; parameters.

use super::*;

// ---- the summary ---------------------------------------------------------------------------

both!(the_summary_matches_sums_over_the_pushed_records);
async fn the_summary_matches_sums_over_the_pushed_records(app: TestApp) {
    let gens = seed(&app, 2026, 150).await;
    let supervisor = app.province_supervisor("supervisor").await;
    let in_2026 = |g: &Gen| g.date.year() == 2026;
    assert_ne!(want(&gens, in_2026), want(&gens, |_| true), "the period leaves records out");

    let s = summary(&app, &supervisor, "year=2026").await;
    assert_eq!((s["period"]["from"].as_str(), s["period"]["to"].as_str()), (Some("2026-01-01"), Some("2026-12-31")));
    assert_eq!(s["scope"]["whole_province"], true);
    let ids: Vec<&str> = s["forms"].as_array().unwrap().iter().map(|f| f["form_id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "outreach_event",
            "training_session",
            "model_check",
            "action_month_event",
            "school_session",
            "project8_activity",
            "gender_equality_inspection",
            "gender_equality_award",
            "gbv_support_service",
            "women_committee_activity"
        ],
        "every form, once, in the annual report's order (training versions 1 and 2 together)"
    );
    check_summary(&s, &gens, in_2026, "year 2026");
    let groups: Vec<&str> =
        s["forms"][0]["by_group"].as_array().unwrap().iter().map(|g| g["group"].as_str().unwrap()).collect();
    assert_eq!(groups, ["child", "adult"], "groups in the form's order");
    assert_eq!(s["forms"][0]["group_dimension"]["name"], "age_group");

    let q4 = |g: &Gen| g.date >= day("2026-10-01") && g.date <= day("2026-12-31");
    check_summary(&summary(&app, &supervisor, "quarter=2026-Q4").await, &gens, q4, "Q4 2026");
    let am = |g: &Gen| g.date >= day("2025-11-15") && g.date <= day("2025-12-15");
    check_summary(&summary(&app, &supervisor, "action_month=2025").await, &gens, am, "Action Month 2025");
    let nov = |g: &Gen| g.date.year() == 2025 && g.date.month() == 11;
    check_summary(&summary(&app, &supervisor, "month=2025-11").await, &gens, nov, "November 2025");
    let range = |g: &Gen| g.date >= day("2025-12-03") && g.date <= day("2026-02-17");
    check_summary(&summary(&app, &supervisor, "from=2025-12-03&to=2026-02-17").await, &gens, range, "a range");
    // Read as the year less what follows (store::buckets::signed_buckets): December's records
    // (the edges put some on 31/12) must come out again.
    let due = |g: &Gen| g.date >= day("2026-01-01") && g.date <= day("2026-11-30");
    check_summary(&summary(&app, &supervisor, "reporting_year=2026").await, &gens, due, "reporting year 2026");
    let most = |g: &Gen| g.date >= day("2025-12-31") && g.date <= day("2026-12-14");
    check_summary(
        &summary(&app, &supervisor, "from=2025-12-31&to=2026-12-14").await,
        &gens,
        most,
        "a year less a half-month",
    );

    let school = |g: &Gen| in_2026(g) && g.form() == "school_session";
    let s = summary(&app, &supervisor, "year=2026&form=school_session").await;
    assert_eq!(s["forms"].as_array().unwrap().len(), 1);
    assert_eq!(s["filter"]["form"], "school_session");
    check_summary(&s, &gens, school, "schools 2026");

    // One commune: its 2025 records and the pre-2025 units merged into it.
    let in_a = |g: &Gen| in_2026(g) && g.unit.1 == A;
    assert!(gens.iter().any(|g| g.counted && in_a(g) && g.record.location.unit_list == "units_pre2025"));
    let s = summary(&app, &supervisor, &format!("year=2026&commune={A}")).await;
    assert_eq!(s["scope"]["communes"], json!([{ "unit_list": "units_2025", "unit_code": A }]));
    check_summary(&s, &gens, in_a, "commune A");
}

both!(a_supervisor_of_some_communes_sees_only_them);
async fn a_supervisor_of_some_communes_sees_only_them(app: TestApp) {
    let gens = seed(&app, 7, 140).await;
    let supervisor_a = app.user_with_token("supervisor.a", Role::Supervisor, &[A], false).await;
    let in_scope = |g: &Gen| g.unit.1 == A;
    let s = summary(&app, &supervisor_a, "from=2025-01-01&to=2026-12-31").await;
    assert_eq!(s["scope"]["whole_province"], false);
    check_summary(&s, &gens, in_scope, "supervisor of A");
    let communes: Vec<&str> =
        s["communes"].as_array().unwrap().iter().map(|c| c["unit_code"].as_str().unwrap()).collect();
    assert_eq!(communes, [A], "B, C and the split commune are out of scope");
    assert!(want(&gens, |g| g.unit.1 != A).activities > 0, "there were records elsewhere");

    for other in [B, C] {
        app.get(&format!("/api/v1/reports/summary?year=2026&commune={other}"), Some(&supervisor_a))
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    let csv = app.get("/api/v1/reports/annual?year=2026&format=csv", Some(&supervisor_a)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    assert!(text.contains(&format!(",{A},")), "A has its rows");
    for other in [B, C, SPLIT_OLD] {
        assert!(!text.contains(&format!(",{other}")), "no row of {other} in {text}");
    }
    let raw = app.get("/api/v1/reports/raw?form=outreach_event", Some(&supervisor_a)).await;
    let rows = parse_csv(&raw.text()[3..]);
    let want_rows = gens.iter().filter(|g| g.counted && in_scope(g) && g.form() == "outreach_event").count();
    assert_eq!(rows.len() - 1, want_rows, "raw rows of A only");
}

both!(collectors_may_not_read_reports);
async fn collectors_may_not_read_reports(app: TestApp) {
    let collector = app.collector("collector.a", &[A]).await;
    for path in [
        "/api/v1/reports/summary?year=2026",
        "/api/v1/reports/annual?year=2026&format=xlsx",
        "/api/v1/reports/raw?form=outreach_event&format=csv",
    ] {
        app.get(path, Some(&collector)).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
        app.get(path, None).await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    }
    let supervisor = app.user_with_token("supervisor.a", Role::Supervisor, &[A], false).await;
    assert_eq!(app.get("/api/v1/reports/summary?year=2026", Some(&supervisor)).await.status, StatusCode::OK);
}

both!(report_parameters_are_checked);
async fn report_parameters_are_checked(app: TestApp) {
    let admin = app.admin("admin").await;
    let cases = [
        ("summary", "invalid_period"),
        ("summary?from=2026-01-01", "invalid_period"),
        ("summary?from=2026-02-01&to=2026-01-31", "invalid_period"),
        ("summary?from=2026-02-30&to=2026-03-01", "invalid_period"),
        ("summary?month=2026-13", "invalid_period"),
        ("summary?year=2026&month=2026-01", "invalid_period"),
        ("summary?quarter=2026-Q5", "invalid_period"),
        ("summary?year=26", "invalid_period"),
        ("summary?year=2026&form=no_such_form", "unknown_form"),
        ("summary?year=2026&commune=99999", "invalid_commune"),
        ("summary?year=2026&commune=51", "invalid_commune"),
        ("summary?year=2026&colour=red", "invalid_json"),
        ("annual", "invalid_period"),
        ("annual?year=twenty", "invalid_period"),
        ("annual?year=2026&format=pdf", "invalid_json"),
        ("raw", "unknown_form"),
        ("raw?form=no_such_form", "unknown_form"),
        ("raw?form=outreach_event&month=2026-00", "invalid_period"),
        ("raw?form=outreach_event&colour=red", "invalid_json"),
        ("raw?form=outreach_event&format=pdf", "invalid_json"),
        ("summary?year=2026&year=2025", "invalid_json"),
    ];
    for (query, code) in cases {
        app.get(&format!("/api/v1/reports/{query}"), Some(&admin)).await.assert_error(StatusCode::BAD_REQUEST, code);
    }
}
