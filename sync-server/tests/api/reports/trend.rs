//! A year month by month (`/reports/trend`): each month's figures against sums over the
//! pushed records dated in that month, the year's totals, a form, a commune, a limited scope;
//! roles and parameters.

use super::*;

async fn trend(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app.get(&format!("/api/v1/reports/trend?{query}"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text());
    r.json()
}

/// Checks the twelve months of `year` and their total against the records `keep` selects.
fn check_trend(t: &Value, gens: &[Gen], year: i32, keep: impl Fn(&Gen) -> bool + Copy, what: &str) {
    assert_eq!(t["year"], year);
    let months = t["months"].as_array().unwrap();
    assert_eq!(months.len(), 12, "{what}: twelve months");
    for (i, m) in months.iter().enumerate() {
        let month = i as u32 + 1;
        assert_eq!(m["month"], month);
        let last = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        }
        .unwrap()
        .pred_opt()
        .unwrap();
        assert_eq!(m["period"]["from"], format!("{year}-{month:02}-01"), "{what}");
        assert_eq!(m["period"]["to"], last.to_string(), "{what}");
        assert_eq!(m["period"]["kind"], "month");
        let in_month = |g: &Gen| keep(g) && g.date.year() == year && g.date.month() == month;
        assert_figures(m, &want(gens, in_month), &format!("{what} month {month}"));
    }
    assert_figures(&t["totals"], &want(gens, |g| keep(g) && g.date.year() == year), &format!("{what} totals"));
}

both!(the_trend_matches_sums_over_the_pushed_records_month_by_month);
async fn the_trend_matches_sums_over_the_pushed_records_month_by_month(app: TestApp) {
    let gens = seed(&app, 612, 160).await;
    let supervisor = app.province_supervisor("supervisor").await;
    let months_with_records =
        (1..=12).filter(|m| gens.iter().any(|g| g.counted && g.date.year() == 2026 && g.date.month() == *m)).count();
    assert!(months_with_records >= 6, "most months have records ({months_with_records})");

    let t = trend(&app, &supervisor, "year=2026").await;
    assert_eq!((t["period"]["from"].as_str(), t["period"]["to"].as_str()), (Some("2026-01-01"), Some("2026-12-31")));
    assert_eq!(t["scope"]["whole_province"], true);
    check_trend(&t, &gens, 2026, |_| true, "2026");
    // The months are the summary of each month, the totals that of the year.
    let year = summary(&app, &supervisor, "year=2026").await;
    assert_eq!(t["totals"], year["totals"]);
    for m in [2, 11] {
        let s = summary(&app, &supervisor, &format!("month=2026-{m:02}")).await;
        assert_eq!(t["months"][m - 1]["participants"], s["totals"]["participants"], "month {m}");
        assert_eq!(t["months"][m - 1]["activities"], s["totals"]["activities"], "month {m}");
    }
    // December 2025 holds the Action Month's end and the year's last day.
    check_trend(&trend(&app, &supervisor, "year=2025").await, &gens, 2025, |_| true, "2025");

    let outreach = |g: &Gen| g.form() == "outreach_event";
    let t = trend(&app, &supervisor, "year=2026&form=outreach_event").await;
    assert_eq!(t["filter"]["form"], "outreach_event");
    check_trend(&t, &gens, 2026, outreach, "outreach 2026");

    // One commune: its 2025 records and the pre-2025 units merged into it.
    let in_a = |g: &Gen| g.unit.1 == A;
    let t = trend(&app, &supervisor, &format!("year=2026&commune={A}")).await;
    assert_eq!(t["scope"]["communes"], json!([{ "unit_list": "units_2025", "unit_code": A }]));
    check_trend(&t, &gens, 2026, in_a, "commune A");

    // A supervisor of A sees A only, and no other commune.
    let supervisor_a = app.user_with_token("supervisor.a", Role::Supervisor, &[A], false).await;
    let t = trend(&app, &supervisor_a, "year=2026").await;
    assert_eq!(t["scope"]["whole_province"], false);
    check_trend(&t, &gens, 2026, in_a, "supervisor of A");
    assert!(want(&gens, |g| g.date.year() == 2026 && !in_a(g)).activities > 0, "there were records elsewhere");
    app.get(&format!("/api/v1/reports/trend?year=2026&commune={B}"), Some(&supervisor_a))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
}

both!(an_empty_year_has_twelve_empty_months);
async fn an_empty_year_has_twelve_empty_months(app: TestApp) {
    let admin = app.admin("admin").await;
    let t = trend(&app, &admin, "year=2031").await;
    let months = t["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    for m in months.iter().chain([&t["totals"]]) {
        assert_figures(m, &Want::default(), "an empty month");
    }
}

both!(the_trend_is_for_readers_and_checks_its_parameters);
async fn the_trend_is_for_readers_and_checks_its_parameters(app: TestApp) {
    let collector = app.collector("collector.a", &[A]).await;
    app.get("/api/v1/reports/trend?year=2026", Some(&collector)).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    app.get("/api/v1/reports/trend?year=2026", None).await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    let admin = app.admin("admin").await;
    let cases = [
        ("", "invalid_period"),
        ("year=26", "invalid_period"),
        ("year=1999", "invalid_period"),
        ("year=2026-01", "invalid_period"),
        ("month=2026-01", "invalid_json"),
        ("year=2026&form=no_such_form", "unknown_form"),
        ("year=2026&commune=99999", "invalid_commune"),
        ("year=2026&colour=red", "invalid_json"),
    ];
    for (query, code) in cases {
        app.get(&format!("/api/v1/reports/trend?{query}"), Some(&admin))
            .await
            .assert_error(StatusCode::BAD_REQUEST, code);
    }
}
