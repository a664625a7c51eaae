//! The figures of the report screens, pure so they are tested natively: an officer's own
//! work from the records on the phone (counted as the server counts them), the periods a
//! supervisor picks, the women's share and the chart rows.

use chrono::{Datelike, NaiveDate};
use device::{LocalRecord, ReportEthnicity, ReportFigure, ReportForm, ReportSummary};
use forms::grid::BySex;
use forms::{Catalog, FieldType, FieldValue, Localized, Mode, RecordStatus, Sex};

/// The count of `sex` in a (male, female) pair.
fn of<'a>(sex: Sex, male: &'a mut u64, female: &'a mut u64) -> &'a mut u64 {
    match sex {
        Sex::Male => male,
        Sex::Female => female,
    }
}

/// `author`'s finished activities dated `from..=to`, as the server's summary counts them:
/// final, not deleted records, placed in the period by their form's date field, with the
/// participants of the form's participant grid (its first count grid) and the form's report
/// figures ([`forms::figures`]), every one listed from 0. Records of a form
/// version this phone does not have are left out. Forms and groups in order of appearance.
pub fn my_work(
    catalog: &Catalog,
    records: &[LocalRecord],
    author: &str,
    (from, to): (NaiveDate, NaiveDate),
) -> ReportSummary {
    let mut s = ReportSummary::default();
    for r in records.iter().map(|local| &local.record) {
        if r.deleted || r.status != RecordStatus::Final || r.author != author {
            continue;
        }
        let Some(form) = catalog.form(&r.form_id, r.form_version) else { continue };
        // Draft mode reads the answers (and drops those skip logic hides) without judging
        // completeness: the record was complete when it was finished.
        let Ok(valid) = form.validate_answers(&r.values, Mode::Draft) else { continue };
        let grid_field = form.fields.iter().find(|f| f.field_type == FieldType::CountGrid).map(|f| f.name.as_str());
        let (mut date, mut grid) = (None, None);
        for (name, value) in valid.answers() {
            match value {
                FieldValue::Date(d) if name == form.definition.date_field => date = Some(*d),
                FieldValue::Grid(g) if Some(name) == grid_field => grid = Some(g),
                _ => {}
            }
        }
        if !date.is_some_and(|d| from <= d && d <= to) {
            continue;
        }
        let i = match s.forms.iter().position(|f| f.form_id == r.form_id) {
            Some(i) => i,
            None => {
                let title = catalog.latest(&r.form_id).unwrap_or(form).definition.title.clone();
                let figures = catalog.figures(&r.form_id).map_or(&[][..], |f| &f.figures[..]);
                let figures = figures
                    .iter()
                    .map(|f| ReportFigure { field: f.field.clone(), label: f.label.clone(), value: 0 })
                    .collect();
                s.forms.push(ReportForm { form_id: r.form_id.clone(), title, figures, ..ReportForm::default() });
                s.forms.len() - 1
            }
        };
        s.forms[i].activities += 1;
        for (field, value) in catalog.figure_values(form, &valid.values()) {
            if let Some(f) = s.forms[i].figures.iter_mut().find(|f| f.field == field) {
                f.value += value;
            }
        }
        for cell in grid.map_or(&[][..], |g| &g.cells[..]) {
            let n = u64::from(cell.count);
            let p = &mut s.forms[i].participants;
            *of(cell.sex, &mut p.male, &mut p.female) += n;
            let j = match s.ethnicities.iter().position(|e| e.code == cell.ethnicity) {
                Some(j) => j,
                None => {
                    let groups = catalog.reference().ethnic_groups();
                    let name = groups.get(&cell.ethnicity).map(|e| e.label.clone());
                    let name = name.unwrap_or_else(|| Localized::new(&cell.ethnicity, &cell.ethnicity));
                    s.ethnicities.push(ReportEthnicity { code: cell.ethnicity.clone(), name, ..Default::default() });
                    s.ethnicities.len() - 1
                }
            };
            let e = &mut s.ethnicities[j];
            *of(cell.sex, &mut e.male, &mut e.female) += n;
        }
    }
    s
}

/// Activities and participants of every form together.
pub fn totals(s: &ReportSummary) -> (u64, BySex) {
    s.forms.iter().fold((0, BySex::default()), |(n, p), f| {
        (n + f.activities, BySex { male: p.male + f.participants.male, female: p.female + f.participants.female })
    })
}

/// A reporting period, as of a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month,
    Quarter,
    Year,
    /// The Action Month for gender equality (15/11–15/12): this year's once it has begun,
    /// last year's before.
    ActionMonth,
    /// From, to; both included.
    Range(NaiveDate, NaiveDate),
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The last day of month `m` (1–12) of `y`.
fn month_end(y: i32, m: u32) -> NaiveDate {
    let next = if m == 12 { ymd(y + 1, 1, 1) } else { ymd(y, m + 1, 1) };
    next.pred_opt().unwrap_or(next)
}

impl Period {
    fn action_year(today: NaiveDate) -> i32 {
        let y = today.year();
        if today >= ymd(y, 11, 15) {
            y
        } else {
            y - 1
        }
    }

    /// The days it covers as of `today`, both included.
    pub fn dates(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let (y, m) = (today.year(), today.month());
        match self {
            Period::Month => (ymd(y, m, 1), month_end(y, m)),
            Period::Quarter => {
                let first = (m - 1) / 3 * 3 + 1;
                (ymd(y, first, 1), month_end(y, first + 2))
            }
            Period::Year => (ymd(y, 1, 1), ymd(y, 12, 31)),
            Period::ActionMonth => {
                let y = Period::action_year(today);
                (ymd(y, 11, 15), ymd(y, 12, 15))
            }
            Period::Range(from, to) => (from, to),
        }
    }
}

/// Women and girls among the participants, with one decimal: `58,3%`; `–` without any.
pub fn female_share(people: BySex, decimal_mark: char) -> String {
    let total = people.total();
    if total == 0 {
        return "–".into();
    }
    let tenths = (people.female * 1000 + total / 2) / total;
    format!("{}{decimal_mark}{}%", tenths / 10, tenths % 10)
}

/// The `n` rows with the most people (ties keep their order), and the others summed, if any.
pub fn top<T>(mut rows: Vec<(T, BySex)>, n: usize) -> (Vec<(T, BySex)>, Option<BySex>) {
    // A few passes of "take the largest" rather than a sort: less code on every phone.
    let mut out = Vec::new();
    while out.len() < n && !rows.is_empty() {
        let most = rows.iter().map(|(_, p)| p.total()).max().unwrap_or(0);
        let i = rows.iter().position(|(_, p)| p.total() == most).unwrap_or(0);
        out.push(rows.remove(i));
    }
    let rest = (!rows.is_empty()).then(|| {
        rows.into_iter()
            .fold(BySex::default(), |s, (_, p)| BySex { male: s.male + p.male, female: s.female + p.female })
    });
    (out, rest)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use forms::{Location, Record};
    use serde_json::{json, Value as Json};
    use uuid::Uuid;

    use super::*;

    fn day(text: &str) -> NaiveDate {
        forms::dates::parse_iso_date(text).unwrap()
    }

    fn cell(ethnicity: &str, sex: &str, count: u32, group: Option<&str>) -> Json {
        match group {
            Some(g) => json!({ "ethnicity": ethnicity, "sex": sex, "group": g, "count": count }),
            None => json!({ "ethnicity": ethnicity, "sex": sex, "count": count }),
        }
    }

    fn record(
        form: &str,
        version: u32,
        author: &str,
        status: RecordStatus,
        deleted: bool,
        values: Json,
    ) -> LocalRecord {
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 3, 0, 0).unwrap();
        let Json::Object(values) = values else { panic!("values must be an object") };
        LocalRecord::new(Record {
            id: Uuid::new_v4(),
            form_id: form.into(),
            form_version: version,
            location: Location { unit_list: "units_2025".into(), unit_code: "21001".into() },
            author: author.into(),
            device_id: "tab-07".into(),
            created_at: at,
            updated_at: at,
            status,
            deleted,
            revision: 0,
            values,
        })
    }

    fn outreach(date: &str, format: &str, male: u32, female: u32) -> Json {
        json!({ "event_date": date, "format": format, "participants": [
            cell("01", "male", male, Some("adult")), cell("30", "female", female, Some("adult")), cell("30", "female", 0, Some("child")),
        ] })
    }

    fn training(date: &str, male: u32, female: u32) -> Json {
        json!({ "start_date": date, "participants": [cell("01", "male", male, None), cell("19", "female", female, None)] })
    }

    /// (form id, activities, men, women) of each form, and (code, men, women) of each group.
    type Figures = (Vec<(&'static str, u64, u64, u64)>, Vec<(&'static str, u64, u64)>);

    fn figures(s: &ReportSummary) -> Figures {
        let forms = s.forms.iter().map(|f| {
            let id: &'static str = Box::leak(f.form_id.clone().into_boxed_str());
            (id, f.activities, f.participants.male, f.participants.female)
        });
        let groups = s.ethnicities.iter().map(|e| {
            let code: &'static str = Box::leak(e.code.clone().into_boxed_str());
            (code, e.male, e.female)
        });
        (forms.collect(), groups.collect())
    }

    #[test]
    fn my_work_adds_up_each_forms_report_figures() {
        use RecordStatus::Final;
        let catalog = Catalog::bundled().unwrap();
        let check = |date: &str, active: bool, supported: u32, female: u32| {
            json!({ "model_type": "trusted_address", "model_name": "Địa chỉ tin cậy thôn 3", "check_date": date,
                    "model_active": active, "people_supported": supported, "people_supported_female": female,
                    "people_referred": 1 })
        };
        let mut outreach = outreach("2026-11-20", "meeting", 1, 1);
        outreach["materials_distributed"] = json!(40);
        let records = [
            record("model_check", 1, "lan", Final, false, check("2026-11-20", true, 5, 3)),
            record("model_check", 1, "lan", Final, false, check("2026-11-21", true, 2, 2)),
            // Not active: the support section is not asked, so its numbers do not count.
            record("model_check", 1, "lan", Final, false, check("2026-11-22", false, 9, 9)),
            // Another month.
            record("model_check", 1, "lan", Final, false, check("2026-10-22", true, 100, 100)),
            record("outreach_event", 1, "lan", Final, false, outreach),
        ];
        let s = my_work(&catalog, &records, "lan", (day("2026-11-01"), day("2026-11-30")));
        let of = |id: &str| -> Vec<(String, i64)> {
            let form = s.forms.iter().find(|f| f.form_id == id).unwrap();
            form.figures.iter().map(|f| (f.field.clone(), f.value)).collect()
        };
        let want = |pairs: &[(&str, i64)]| pairs.iter().map(|(f, n)| ((*f).to_owned(), *n)).collect::<Vec<_>>();
        assert_eq!(
            of("model_check"),
            want(&[
                ("model_active", 2),
                ("people_supported", 7),
                ("people_supported_female", 5),
                ("people_referred", 2)
            ])
        );
        assert_eq!(of("outreach_event"), want(&[("broadcasts_count", 0), ("materials_distributed", 40)]));
        let labels: Vec<&str> = s.forms[0].figures.iter().map(|f| f.label.vi.as_str()).collect();
        assert_eq!(labels[0], "Lượt kiểm tra mô hình đang hoạt động", "labels come from the figures file");
    }

    #[test]
    fn my_work_counts_finished_activities_by_period_form_sex_and_ethnicity() {
        use RecordStatus::{Draft, Final};
        let catalog = Catalog::bundled().unwrap();
        let records = [
            // Counted.
            record("outreach_event", 1, "lan", Final, false, outreach("2026-11-20", "meeting", 12, 30)),
            record("training_session", 1, "lan", Final, false, training("2026-03-02", 4, 6)),
            record("outreach_event", 1, "lan", Final, false, outreach("2026-11-01", "contest", 5, 7)),
            record("training_session", 2, "lan", Final, false, training("2026-12-10", 1, 2)),
            // A broadcast has no audience section: an activity without participants.
            record("outreach_event", 1, "lan", Final, false, outreach("2026-11-30", "loudspeaker", 50, 50)),
            // A model check has no count grid.
            record("model_check", 1, "lan", Final, false, json!({ "check_date": "2026-12-01" })),
            // Last year's Action Month.
            record("outreach_event", 1, "lan", Final, false, outreach("2025-11-15", "meeting", 2, 3)),
            // Not counted: a draft, a deleted record, someone else's, an unknown form version.
            record("outreach_event", 1, "lan", Draft, false, outreach("2026-11-20", "meeting", 100, 100)),
            record("outreach_event", 1, "lan", Final, true, outreach("2026-11-20", "meeting", 100, 100)),
            record("outreach_event", 1, "minh", Final, false, outreach("2026-11-20", "meeting", 100, 100)),
            record("outreach_event", 9, "lan", Final, false, outreach("2026-11-20", "meeting", 100, 100)),
        ];
        let today = day("2026-11-29");
        // Outreach: Kinh men, Hrê (30) women; training: Kinh men, Co (19) women.
        let table: [(Period, u64, BySex, Figures); 5] = [
            (
                Period::Month,
                3,
                BySex { male: 17, female: 37 },
                (vec![("outreach_event", 3, 17, 37)], vec![("01", 17, 0), ("30", 0, 37)]),
            ),
            (
                Period::Quarter,
                5,
                BySex { male: 18, female: 39 },
                (
                    vec![("outreach_event", 3, 17, 37), ("training_session", 1, 1, 2), ("model_check", 1, 0, 0)],
                    vec![("01", 18, 0), ("30", 0, 37), ("19", 0, 2)],
                ),
            ),
            (
                Period::Year,
                6,
                BySex { male: 22, female: 45 },
                (
                    vec![("outreach_event", 3, 17, 37), ("training_session", 2, 5, 8), ("model_check", 1, 0, 0)],
                    vec![("01", 22, 0), ("30", 0, 37), ("19", 0, 8)],
                ),
            ),
            (
                Period::ActionMonth,
                4,
                BySex { male: 13, female: 32 },
                (
                    vec![("outreach_event", 2, 12, 30), ("training_session", 1, 1, 2), ("model_check", 1, 0, 0)],
                    vec![("01", 13, 0), ("30", 0, 30), ("19", 0, 2)],
                ),
            ),
            (
                Period::Range(day("2025-01-01"), day("2026-03-02")),
                2,
                BySex { male: 6, female: 9 },
                (
                    vec![("training_session", 1, 4, 6), ("outreach_event", 1, 2, 3)],
                    vec![("01", 6, 0), ("19", 0, 6), ("30", 0, 3)],
                ),
            ),
        ];
        for (period, activities, people, expected) in table {
            let s = my_work(&catalog, &records, "lan", period.dates(today));
            assert_eq!(totals(&s), (activities, people), "{period:?}");
            assert_eq!(figures(&s), expected, "{period:?}");
        }
        // Forms and groups are named from the catalog.
        let s = my_work(&catalog, &records, "lan", Period::Month.dates(today));
        assert_eq!(s.forms[0].title.vi, "Hoạt động truyền thông");
        assert_eq!(s.ethnicities[0].name.vi, "Kinh");
        // Before 15 November the Action Month is last year's.
        let s = my_work(&catalog, &records, "lan", Period::ActionMonth.dates(day("2026-11-14")));
        assert_eq!(figures(&s), (vec![("outreach_event", 1, 2, 3)], vec![("01", 2, 0), ("30", 0, 3)]));
        assert_eq!(totals(&my_work(&catalog, &records, "nobody", Period::Year.dates(today))), (0, BySex::default()));
    }

    #[test]
    fn periods_cover_their_days() {
        for (today, period, from, to) in [
            ("2026-11-29", Period::Month, "2026-11-01", "2026-11-30"),
            ("2028-02-10", Period::Month, "2028-02-01", "2028-02-29"),
            ("2026-12-31", Period::Month, "2026-12-01", "2026-12-31"),
            ("2026-01-01", Period::Quarter, "2026-01-01", "2026-03-31"),
            ("2026-06-30", Period::Quarter, "2026-04-01", "2026-06-30"),
            ("2026-11-29", Period::Quarter, "2026-10-01", "2026-12-31"),
            ("2026-11-29", Period::Year, "2026-01-01", "2026-12-31"),
            ("2026-11-15", Period::ActionMonth, "2026-11-15", "2026-12-15"),
            ("2026-12-31", Period::ActionMonth, "2026-11-15", "2026-12-15"),
            ("2026-11-14", Period::ActionMonth, "2025-11-15", "2025-12-15"),
            ("2026-11-29", Period::Range(day("2026-01-05"), day("2026-02-01")), "2026-01-05", "2026-02-01"),
        ] {
            let today = day(today);
            assert_eq!(period.dates(today), (day(from), day(to)), "{period:?} {today}");
        }
    }

    #[test]
    fn female_share_has_one_decimal() {
        let share = |male, female, mark| female_share(BySex { male, female }, mark);
        assert_eq!(share(0, 0, ','), "–");
        assert_eq!(share(5, 7, ','), "58,3%");
        assert_eq!(share(5, 7, '.'), "58.3%");
        assert_eq!(share(0, 3, ','), "100,0%");
        assert_eq!(share(2, 0, ','), "0,0%");
        assert_eq!(share(1, 2, ','), "66,7%");
        assert_eq!(share(1999, 1, ','), "0,1%");
    }

    #[test]
    fn top_rows_and_the_rest() {
        let p = |male, female| BySex { male, female };
        let rows = vec![("a", p(1, 1)), ("b", p(5, 5)), ("c", p(0, 3)), ("d", p(3, 0)), ("e", p(1, 0))];
        let (top3, rest) = top(rows.clone(), 3);
        // Ties keep their order.
        assert_eq!(top3, vec![("b", p(5, 5)), ("c", p(0, 3)), ("d", p(3, 0))]);
        assert_eq!(rest, Some(p(2, 1)));
        let (top2, rest) = top(rows.clone(), 2);
        assert_eq!(top2, vec![("b", p(5, 5)), ("c", p(0, 3))]);
        assert_eq!(rest, Some(p(5, 1)));
        assert_eq!(top(rows.clone(), 5).1, None);
        assert_eq!(top(rows, 9).0.len(), 5);
    }
}
