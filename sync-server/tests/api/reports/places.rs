//! Every form has its place in the reports: one record of each, pushed on its own, is counted
//! under its form and plan area in the summary, and in its plan area's table of the annual
//! report — the commune's row, the form named under the title, its figures — and in no other.

use std::collections::BTreeSet;
use std::io::Cursor;

use calamine::{Reader, Xlsx};
use forms::Mode;

use super::files::{columns, text_of};
use super::*;

/// Each form of the catalog, the plan area the summary names, and its table (worksheet) in
/// the annual report, numbered as the overview numbers the areas.
const PLACES: [(&str, &str, usize, &str); 10] = [
    ("outreach_event", "communication", 1, "1. Truyền thông"),
    ("training_session", "training", 2, "2. Tập huấn"),
    ("model_check", "models", 3, "3. Mô hình"),
    ("action_month_event", "action_month", 4, "4. Tháng hành động"),
    ("school_session", "schools", 5, "5. Trường học"),
    ("project8_activity", "project8", 6, "6. Dự án 8"),
    ("gender_equality_inspection", "inspections", 7, "7. Thanh tra, kiểm tra"),
    ("gender_equality_award", "awards", 8, "8. Khen thưởng"),
    ("gbv_support_service", "gbv_services", 9, "9. Dịch vụ hỗ trợ"),
    ("women_committee_activity", "advancement_of_women", 10, "10. Ban vì sự tiến bộ phụ nữ"),
];

/// A record as the reports should count it: its answers as the form keeps them.
struct Placed {
    form_id: &'static str,
    area: &'static str,
    number: usize,
    sheet: &'static str,
    year: i32,
    answers: serde_json::Map<String, Value>,
}

impl Placed {
    /// What the record adds to a report figure: 1 for yes, an integer's value, 0 unanswered.
    fn figure(&self, field: &str) -> i64 {
        match self.answers.get(field) {
            Some(Value::Bool(b)) => i64::from(*b),
            Some(Value::Number(n)) => n.as_i64().unwrap(),
            _ => 0,
        }
    }

    /// Participants in its count grid, if the form has one.
    fn participants(&self, catalog: &Catalog) -> Option<u64> {
        let form = catalog.latest(self.form_id).unwrap();
        let grid = form.definition.sections.iter().flat_map(|s| &s.fields).find(|f| f.grid.is_some())?;
        let cells = self.answers.get(&grid.name).and_then(Value::as_array).cloned().unwrap_or_default();
        Some(cells.iter().map(|c| c["count"].as_u64().unwrap()).sum())
    }
}

both!(a_record_of_each_form_is_counted_in_its_place);
async fn a_record_of_each_form_is_counted_in_its_place(app: TestApp) {
    let ids: BTreeSet<&str> = app.catalog.forms().map(|f| f.id()).collect();
    assert_eq!(ids, PLACES.iter().map(|p| p.0).collect(), "every form has a place in the table, and only those");
    let admin = app.admin("admin").await;

    // The newest version's first valid example of each form, in commune A, dated as written.
    let mut placed = Vec::new();
    for (form_id, area, number, sheet) in PLACES {
        let form = app.catalog.latest(form_id).unwrap();
        let record = record_of(form_id, form.version(), commune(A));
        let answers = form.validate(&Value::Object(record.values.clone()), Mode::Final).unwrap().values();
        let date = answers[&form.definition.date_field].as_str().unwrap().to_owned();
        let year = date[..4].parse().unwrap();
        let result = app.push_one(&admin, &new_change(&record)).await;
        assert_eq!(result["outcome"], "applied", "{form_id}: {result}");
        placed.push(Placed { form_id, area, number, sheet, year, answers });
    }

    let years: BTreeSet<i32> = placed.iter().map(|p| p.year).collect();
    for year in years {
        let s = summary(&app, &admin, &format!("year={year}")).await;
        let r = app.get(&format!("/api/v1/reports/annual?year={year}&format=xlsx"), Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(r.body.to_vec())).expect("xlsx");
        let sheet_text = |workbook: &mut Xlsx<_>, name: &str| -> Vec<Vec<String>> {
            let range = workbook.worksheet_range(name).unwrap_or_else(|e| panic!("sheet {name}: {e}"));
            range.rows().map(|r| r.iter().map(text_of).collect()).collect()
        };
        let number = |cell: &str| -> f64 { cell.parse().unwrap_or_else(|_| panic!("not a number: {cell:?}")) };

        // The overview: one activity in the area of each form dated this year, none elsewhere.
        let overview = sheet_text(&mut workbook, "Tổng hợp");
        let top = overview.iter().position(|r| r[0] == "STT").unwrap();
        let activities = columns(&overview, top)[&("Số hoạt động".to_owned(), String::new())];
        for area in 1..=PLACES.len() {
            let want = placed.iter().filter(|p| p.year == year && p.number == area).count();
            let row = &overview[top + 1 + area];
            assert_eq!(number(&row[0]), area as f64);
            assert_eq!(number(&row[activities]), want as f64, "{year}: overview, area {area}");
        }

        for p in placed.iter().filter(|p| p.year == year) {
            let what = format!("{} ({year})", p.form_id);
            let form = app.catalog.latest(p.form_id).unwrap();
            let title = &form.definition.title;

            // The summary: the form under its plan area, its one activity and its figures.
            let entry = s["forms"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["form_id"] == p.form_id)
                .unwrap_or_else(|| panic!("{what}: not in the summary"));
            assert_eq!(entry["plan_area"], p.area, "{what}: plan area");
            assert_eq!(entry["title"]["vi"], title.vi.as_str(), "{what}");
            assert_eq!(entry["activities"], 1, "{what}: activities in the summary");
            let figures = app.catalog.figures(p.form_id).map(|f| f.figures.clone()).unwrap_or_default();
            for (figure, got) in figures.iter().zip(entry["figures"].as_array().unwrap()) {
                assert_eq!(got["field"], figure.field.as_str(), "{what}: figures in their file's order");
                assert_eq!(got["value"], p.figure(&figure.field), "{what}: {} in the summary", figure.field);
            }
            assert_eq!(entry["figures"].as_array().unwrap().len(), figures.len(), "{what}: every figure");
            if let Some(people) = p.participants(&app.catalog) {
                assert_eq!(entry["participants"]["total"], people, "{what}: participants in the summary");
            }

            // The annual report: the area's table names the form, commune A has the activity.
            let rows = sheet_text(&mut workbook, p.sheet);
            assert!(rows[0][0].starts_with(&format!("Biểu {}.", p.number)), "{what}: {}", rows[0][0]);
            assert!(
                rows.iter().any(|r| r[0].starts_with("Mẫu phiếu:") && r[0].contains(title.vi.as_str())),
                "{what}: the table names its form: {rows:?}"
            );
            let top = rows.iter().position(|r| r[0] == "STT").expect("a heading row");
            let cols = columns(&rows, top);
            let col = |group: &str, sub: &str| {
                *cols.get(&(group.to_owned(), sub.to_owned())).unwrap_or_else(|| panic!("{what}: no column {group}"))
            };
            let row = rows.iter().find(|r| r[1] == A).unwrap_or_else(|| panic!("{what}: no row of commune {A}"));
            assert_eq!(number(&row[col("Số hoạt động", "")]), 1.0, "{what}: activities of commune {A}");
            for figure in &figures {
                let got = number(&row[col(&figure.label.vi, "")]);
                assert_eq!(got, p.figure(&figure.field) as f64, "{what}: {} in the annual report", figure.field);
            }
            match p.participants(&app.catalog) {
                Some(people) => {
                    let got = number(&row[col("Số lượt người tham gia", "Tổng số")]);
                    assert_eq!(got, people as f64, "{what}: participants in the annual report");
                }
                None => assert!(
                    !cols.keys().any(|(group, _)| group == "Số lượt người tham gia"),
                    "{what}: a form without a count grid has no participants' columns"
                ),
            }
        }
    }
}
