//! The organising agency as a report dimension: the summary's `agencies` and the annual
//! report's "Theo cơ quan" sheet, against sums computed from the answers the records were
//! sent with. Records of forms without an `organiser` question count under no agency.

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use sync_server::store::users::Role;

use super::files::{columns, text_of};
use super::*;

/// Agencies the generated records are organised by, in the order of the agencies list.
const AGENCIES: [&str; 4] = ["so_y_te", "ubnd_xa", "hoi_lhpn_xa", "doan_thanh_nien_xa"];

/// A new organising agency, for a form that asks for one: a correction may move a record
/// from one agency's sums to another's.
pub(super) fn random_agency(rng: &mut StdRng, record: &mut Record) {
    if record.values.contains_key("organiser") {
        record.values.insert("organiser".into(), json!(AGENCIES[rng.gen_range(0..AGENCIES.len())]));
    }
}

/// The agency a generated record counts under, if its form asks for one.
fn agency_of(g: &Gen) -> Option<String> {
    g.record.values.get("organiser").and_then(Value::as_str).map(str::to_owned)
}

/// Checks the summary's agencies against the records `keep` selects.
pub(super) fn check_agencies(s: &Value, gens: &[Gen], keep: impl Fn(&Gen) -> bool + Copy, what: &str) {
    let want = want_by(gens, |g| keep(g) && agency_of(g).is_some(), |g| agency_of(g).unwrap_or_default());
    let got = s["agencies"].as_array().unwrap_or_else(|| panic!("{what}: agencies in {s}"));
    let codes: Vec<&str> = got.iter().map(|a| a["agency"].as_str().unwrap()).collect();
    let in_list_order: Vec<&str> = AGENCIES.iter().copied().filter(|a| want.contains_key(*a)).collect();
    assert_eq!(codes, in_list_order, "{what}: agencies with activities, in the list's order");
    for a in got {
        let code = a["agency"].as_str().unwrap();
        assert_figures(a, &want[code], &format!("{what} agency {code}"));
        assert!(a["name"]["vi"].as_str().is_some_and(|n| !n.is_empty() && n != code), "{what}: {code} named: {a}");
    }
}

both!(a_commune_supervisor_sees_the_agencies_of_their_communes);
async fn a_commune_supervisor_sees_the_agencies_of_their_communes(app: TestApp) {
    let gens = seed(&app, 7, 140).await;
    let supervisor = app.user_with_token("sv.a", Role::Supervisor, &[A], false).await;
    let in_a = |g: &Gen| g.unit.1 == A && g.date.year() == 2026;
    let s = summary(&app, &supervisor, "year=2026").await;
    check_agencies(&s, &gens, in_a, "commune A, 2026");
    let everywhere = want(&gens, |g| g.date.year() == 2026 && agency_of(g).is_some());
    let here = want(&gens, |g| in_a(g) && agency_of(g).is_some());
    assert_ne!(everywhere, here, "the scope leaves other communes' activities out");
    let training = |g: &Gen| in_a(g) && g.form() == "training_session";
    check_agencies(&summary(&app, &supervisor, "year=2026&form=training_session").await, &gens, training, "training");
    let schools = summary(&app, &supervisor, "year=2026&form=school_session").await;
    assert_eq!(schools["agencies"], json!([]), "school sessions name no organiser");
}

both!(the_annual_workbook_has_a_table_by_agency);
async fn the_annual_workbook_has_a_table_by_agency(app: TestApp) {
    let gens = seed(&app, 9, 140).await;
    let admin = app.admin("admin").await;
    let r = app.get("/api/v1/reports/annual?year=2026&format=xlsx", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(r.body.to_vec())).expect("an xlsx file");
    let range = workbook.worksheet_range("Theo cơ quan").expect("a sheet by agency");
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text_of).collect()).collect();
    let top = rows.iter().position(|r| r[0] == "STT").expect("a heading row");
    let cols = columns(&rows, top);
    let in_2026 = |g: &Gen| g.date.year() == 2026 && agency_of(g).is_some();
    let by_agency = want_by(&gens, in_2026, |g| agency_of(g).unwrap_or_default());
    let total = want(&gens, in_2026);
    let body: Vec<&Vec<String>> = rows[top + 2..].iter().take_while(|r| r[2] != "Tổng cộng").collect();
    assert_eq!(body.len(), by_agency.len(), "one row per agency with activities: {rows:?}");
    let number = |row: &[String], heading: &str, column: &str| -> u64 {
        row[cols[&(heading.to_owned(), column.to_owned())]].parse::<f64>().unwrap() as u64
    };
    let total_row = &rows[top + 2 + body.len()];
    for (row, w) in body.iter().map(|r| (r.as_slice(), &by_agency[&r[1]])).chain([(total_row.as_slice(), &total)]) {
        let what = format!("agency row {}", row[1]);
        assert_eq!(number(row, "Số hoạt động", ""), w.activities, "{what}");
        assert_eq!(number(row, "Số lượt người tham gia", "Nam"), w.male, "{what}");
        assert_eq!(number(row, "Số lượt người tham gia", "Nữ"), w.female, "{what}");
        assert_eq!(number(row, "Dân tộc thiểu số", "Nữ"), w.minority.1, "{what}");
    }
    assert!(body.iter().any(|r| r[2] == "Hội Liên hiệp Phụ nữ xã/phường"), "agencies are named from the list");
}
