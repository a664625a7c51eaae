//! Reports: records with known counts are generated, pushed through the real sync API
//! (created, some corrected, some deleted, some left as drafts), and every figure the server
//! reports (summed in SQL) is checked against sums computed here over the generated data.
//! The XLSX is read back with calamine; the CSV and the HTML page parsed by hand; the
//! monthly trend checked month by month.

mod agencies;
mod figures;
mod files;
mod html;
mod places;
mod print;
mod summary;
mod trend;

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use forms::{RecordStatus, Sex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;
use agencies::{check_agencies, random_agency};
use figures::{figures_by, figures_in, random_figures, FIGURES};

/// A third commune (Xã An Phú), and a pre-2025 commune split between two 2025 communes.
const C: &str = "21034";
const SPLIT_OLD: &str = "21142";

struct FormSpec {
    id: &'static str,
    version: u32,
    date_fields: &'static [&'static str],
    grid: Option<&'static str>,
    groups: &'static [&'static str],
    action_month_only: bool,
}

const FORMS: [FormSpec; 11] = [
    FormSpec {
        id: "outreach_event",
        version: 1,
        date_fields: &["event_date"],
        grid: Some("participants"),
        groups: &["child", "adult"],
        action_month_only: false,
    },
    FormSpec {
        id: "training_session",
        version: 1,
        date_fields: &["start_date", "end_date"],
        grid: Some("participants"),
        groups: &[],
        action_month_only: false,
    },
    FormSpec {
        id: "training_session",
        version: 2,
        date_fields: &["start_date", "end_date"],
        grid: Some("participants"),
        groups: &[],
        action_month_only: false,
    },
    FormSpec {
        id: "model_check",
        version: 1,
        date_fields: &["check_date"],
        grid: None,
        groups: &[],
        action_month_only: false,
    },
    FormSpec {
        id: "action_month_event",
        version: 1,
        date_fields: &["event_date"],
        grid: Some("participants"),
        groups: &["child", "adult"],
        action_month_only: true,
    },
    FormSpec {
        id: "school_session",
        version: 1,
        date_fields: &["session_date"],
        grid: Some("students"),
        groups: &["under_11", "age_11_14", "age_15_up"],
        action_month_only: false,
    },
    FormSpec {
        id: "project8_activity",
        version: 1,
        date_fields: &["activity_date"],
        grid: Some("participants"),
        groups: &["team_member", "elder_village_head", "respected_dignitary", "official", "resident", "pupil_child"],
        action_month_only: false,
    },
    FormSpec {
        id: "gender_equality_inspection",
        version: 1,
        date_fields: &["start_date", "end_date"],
        grid: None,
        groups: &[],
        action_month_only: false,
    },
    FormSpec {
        id: "gender_equality_award",
        version: 1,
        date_fields: &["decision_date"],
        grid: None,
        groups: &[],
        action_month_only: false,
    },
    FormSpec {
        id: "gbv_support_service",
        version: 1,
        date_fields: &["period_start", "period_end"],
        grid: None,
        groups: &[],
        action_month_only: false,
    },
    FormSpec {
        id: "women_committee_activity",
        version: 1,
        date_fields: &["activity_date"],
        grid: Some("participants"),
        groups: &[],
        action_month_only: false,
    },
];

/// The plan area of each form, as the annual report's tables number them.
fn area_of(form: &str) -> usize {
    match form {
        "outreach_event" => 1,
        "training_session" => 2,
        "model_check" => 3,
        "action_month_event" => 4,
        "school_session" => 5,
        "project8_activity" => 6,
        "gender_equality_inspection" => 7,
        "gender_equality_award" => 8,
        "gbv_support_service" => 9,
        "women_committee_activity" => 10,
        other => panic!("no area for {other}"),
    }
}

/// How many plan areas (tables of the annual report) there are.
const AREA_COUNT: usize = 10;

/// Whether the forms of an area count participants (a count grid), or only activities and
/// their report figures.
fn counts_participants(area: usize) -> bool {
    FORMS.iter().any(|f| area_of(f.id) == area && f.grid.is_some())
}

#[derive(Clone, Debug)]
struct Cell {
    ethnicity: String,
    sex: Sex,
    group: String,
    count: u64,
}

/// One generated record, as a report should count it.
#[derive(Clone, Debug)]
struct Gen {
    record: Record,
    /// The commune it counts in: pre-2025 units merged wholly into one count there.
    unit: (String, String),
    date: NaiveDate,
    /// Final and not deleted: what reports count.
    counted: bool,
    /// Dated on the edge of a period: always counted.
    pinned: bool,
    cells: Vec<Cell>,
}

impl Gen {
    fn form(&self) -> &str {
        &self.record.form_id
    }
}

const ETHNICITIES: [&str; 6] = ["01", "19", "30", "14", "13", "04"];

fn random_cells(rng: &mut StdRng, spec: &FormSpec) -> Vec<Cell> {
    if spec.grid.is_none() {
        return Vec::new();
    }
    let mut cells = Vec::new();
    let groups: Vec<&str> = if spec.groups.is_empty() { vec![""] } else { spec.groups.to_vec() };
    for ethnicity in ETHNICITIES {
        if !rng.gen_bool(0.45) {
            continue;
        }
        for group in &groups {
            for sex in Sex::BOTH {
                if rng.gen_bool(0.7) {
                    cells.push(Cell {
                        ethnicity: ethnicity.into(),
                        sex,
                        group: (*group).into(),
                        count: rng.gen_range(1..=40),
                    });
                }
            }
        }
    }
    if cells.is_empty() {
        cells.push(Cell { ethnicity: "19".into(), sex: Sex::Female, group: groups[0].into(), count: 3 });
    }
    cells
}

fn grid_json(cells: &[Cell]) -> Value {
    Value::Array(
        cells
            .iter()
            .map(|c| {
                let mut cell = json!({
                    "ethnicity": c.ethnicity,
                    "sex": if c.sex == Sex::Male { "male" } else { "female" },
                    "count": c.count,
                });
                if !c.group.is_empty() {
                    cell["group"] = json!(c.group);
                }
                cell
            })
            .collect(),
    )
}

fn with_cells(gen: &mut Gen, cells: Vec<Cell>) {
    let spec = FORMS.iter().find(|f| f.id == gen.record.form_id && f.version == gen.record.form_version).unwrap();
    if let Some(grid) = spec.grid {
        gen.record.values.insert(grid.into(), grid_json(&cells));
    }
    gen.cells = cells;
}

/// Dates at the edges of the periods the tests ask for, given to outreach events (one record
/// in `FORMS.len()`); Action Month events get the Month's first and last days.
const EDGES: [&str; 12] = [
    "2026-01-01",
    "2026-12-31",
    "2025-12-31",
    "2025-11-14",
    "2025-11-15",
    "2025-12-15",
    "2025-12-16",
    "2025-12-03",
    "2026-02-17",
    "2026-02-18",
    "2026-10-01",
    "2026-09-30",
];
const ACTION_MONTH_EDGES: [&str; 3] = ["2025-11-15", "2025-12-15", "2026-12-15"];

fn set_date(gen: &mut Gen, date: NaiveDate) {
    let spec = FORMS.iter().find(|f| f.id == gen.record.form_id && f.version == gen.record.form_version).unwrap();
    for field in spec.date_fields {
        gen.record.values.insert((*field).into(), json!(date.to_string()));
    }
    gen.date = date;
}

fn generate(rng: &mut StdRng, n: usize) -> Vec<Gen> {
    let start = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
    (0..n)
        .map(|i| {
            let spec = &FORMS[i % FORMS.len()];
            let (location, unit) = match rng.gen_range(0..10) {
                0..=2 => (commune(A), A),
                3..=4 => (commune(B), B),
                5..=6 => (commune(C), C),
                7..=8 => (old_commune(OLD_IN_A), A),
                _ => (old_commune(SPLIT_OLD), SPLIT_OLD),
            };
            let unit_list = if unit == SPLIT_OLD { "units_pre2025" } else { "units_2025" };
            let date = if spec.action_month_only {
                let year = if rng.gen_bool(0.5) { 2025 } else { 2026 };
                NaiveDate::from_ymd_opt(year, 11, 15).unwrap() + Duration::days(rng.gen_range(0..=30))
            } else {
                start + Duration::days(rng.gen_range(0..457))
            };
            let mut record = record_of(spec.id, spec.version, location);
            match spec.id {
                "outreach_event" => {
                    record.values.insert("part_of_action_month".into(), json!(false));
                }
                "training_session" => {
                    record.values.insert("duration_days".into(), json!(1));
                }
                _ => {}
            }
            random_figures(rng, &mut record);
            random_agency(rng, &mut record);
            let pinned = match spec.id {
                "outreach_event" => EDGES.get(i / FORMS.len()),
                "action_month_event" => ACTION_MONTH_EDGES.get(i / FORMS.len()),
                _ => None,
            };
            let draft = pinned.is_none() && rng.gen_bool(0.1);
            if draft {
                record.status = RecordStatus::Draft;
            }
            let mut gen = Gen {
                record,
                unit: (unit_list.into(), unit.into()),
                date,
                counted: !draft,
                pinned: pinned.is_some(),
                cells: Vec::new(),
            };
            set_date(&mut gen, pinned.map_or(date, |d| day(d)));
            let cells = random_cells(rng, spec);
            with_cells(&mut gen, cells);
            gen
        })
        .collect()
}

/// Generates `n` records and syncs them as an admin would: all created, some corrected (new
/// counts), some deleted. Returns them as they stand on the server.
async fn seed(app: &TestApp, seed: u64, n: usize) -> Vec<Gen> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut gens = generate(&mut rng, n);
    let admin = app.admin("seeder").await;
    for batch in gens.chunks(100) {
        let changes: Vec<_> = batch.iter().map(|g| new_change(&g.record)).collect();
        for (result, gen) in app.push(&admin, &changes).await.iter().zip(batch) {
            assert_applied(result, &gen.record, 1);
        }
    }
    let mut changes = Vec::new();
    for gen in gens.iter_mut() {
        let spec = FORMS.iter().find(|f| f.id == gen.record.form_id && f.version == gen.record.form_version).unwrap();
        match rng.gen_range(0..100) {
            0..=14 => {
                let cells = random_cells(&mut rng, spec);
                with_cells(gen, cells);
                random_figures(&mut rng, &mut gen.record);
                random_agency(&mut rng, &mut gen.record);
                changes.push(change(&gen.record, 1));
            }
            15..=22 if !gen.pinned => {
                gen.record.deleted = true;
                gen.counted = false;
                changes.push(change(&gen.record, 1));
            }
            _ => {}
        }
    }
    for result in app.push(&admin, &changes).await {
        assert_eq!(result["outcome"], "applied", "{result}");
    }
    assert!(gens.iter().any(|g| g.record.status == RecordStatus::Draft && !g.record.deleted), "drafts are covered");
    assert!(gens.iter().any(|g| g.record.deleted), "deletions are covered");
    assert!(gens.iter().any(|g| g.counted && g.unit.1 == SPLIT_OLD), "a split pre-2025 commune is covered");
    assert!(n >= FORMS.len() * EDGES.len(), "every edge date is covered");
    gens
}

// ---- expected figures, computed over the generated records ------------------------------------

#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Want {
    activities: u64,
    male: u64,
    female: u64,
    kinh: (u64, u64),
    minority: (u64, u64),
}

fn add(w: &mut Want, g: &Gen) {
    w.activities += 1;
    for c in &g.cells {
        let (all, split) = match c.sex {
            Sex::Male => (&mut w.male, 0),
            Sex::Female => (&mut w.female, 1),
        };
        *all += c.count;
        let pair = if c.ethnicity == "01" { &mut w.kinh } else { &mut w.minority };
        if split == 0 {
            pair.0 += c.count;
        } else {
            pair.1 += c.count;
        }
    }
}

fn want(gens: &[Gen], keep: impl Fn(&Gen) -> bool) -> Want {
    let mut w = Want::default();
    gens.iter().filter(|g| g.counted && keep(g)).for_each(|g| add(&mut w, g));
    w
}

fn want_by<K: Ord>(gens: &[Gen], keep: impl Fn(&Gen) -> bool, key: impl Fn(&Gen) -> K) -> BTreeMap<K, Want> {
    let mut out: BTreeMap<K, Want> = BTreeMap::new();
    gens.iter().filter(|g| g.counted && keep(g)).for_each(|g| add(out.entry(key(g)).or_default(), g));
    out
}

/// People by a key of each cell: (male, female).
fn cells_by<K: Ord>(
    gens: &[Gen],
    keep: impl Fn(&Gen) -> bool,
    key: impl Fn(&Gen, &Cell) -> K,
) -> BTreeMap<K, (u64, u64)> {
    let mut out: BTreeMap<K, (u64, u64)> = BTreeMap::new();
    for g in gens.iter().filter(|g| g.counted && keep(g)) {
        for c in &g.cells {
            let e = out.entry(key(g, c)).or_default();
            match c.sex {
                Sex::Male => e.0 += c.count,
                Sex::Female => e.1 += c.count,
            }
        }
    }
    out
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

fn assert_figures(got: &Value, want: &Want, what: &str) {
    assert_eq!(n(&got["activities"]), want.activities, "{what}: activities in {got}");
    let p = &got["participants"];
    assert_eq!(
        (n(&p["male"]), n(&p["female"]), n(&p["total"])),
        (want.male, want.female, want.male + want.female),
        "{what}: participants"
    );
    assert_eq!((n(&got["kinh"]["male"]), n(&got["kinh"]["female"])), want.kinh, "{what}: Kinh");
    assert_eq!((n(&got["minority"]["male"]), n(&got["minority"]["female"])), want.minority, "{what}: minority");
    let total = want.male + want.female;
    if total == 0 {
        assert!(got["female_share"].is_null(), "{what}: no share without participants");
    } else {
        let share = got["female_share"].as_f64().unwrap();
        assert!((share - want.female as f64 / total as f64).abs() < 0.00006, "{what}: share {share}");
    }
}

async fn summary(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app.get(&format!("/api/v1/reports/summary?{query}"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text());
    r.json()
}

/// Checks a whole summary against the records `keep` selects.
fn check_summary(s: &Value, gens: &[Gen], keep: impl Fn(&Gen) -> bool + Copy, what: &str) {
    assert_figures(&s["totals"], &want(gens, keep), &format!("{what} totals"));
    check_agencies(s, gens, keep, what);
    for form in s["forms"].as_array().unwrap() {
        let id = form["form_id"].as_str().unwrap();
        let of_form = |g: &Gen| keep(g) && g.form() == id;
        assert_figures(form, &want(gens, of_form), &format!("{what} form {id}"));
        let by_eth: BTreeMap<String, (u64, u64)> = form["by_ethnicity"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["code"].as_str().unwrap().to_owned(), (n(&e["male"]), n(&e["female"]))))
            .collect();
        assert_eq!(by_eth, cells_by(gens, of_form, |_, c| c.ethnicity.clone()), "{what} form {id} by ethnicity");
        let by_group: BTreeMap<String, (u64, u64)> = form["by_group"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["group"].as_str().unwrap().to_owned(), (n(&e["male"]), n(&e["female"]))))
            .collect();
        let mut want_groups = cells_by(gens, of_form, |_, c| c.group.clone());
        want_groups.remove("");
        assert_eq!(by_group, want_groups, "{what} form {id} by group");
        assert_eq!(form["collects_participants"], FORMS.iter().any(|f| f.id == id && f.grid.is_some()), "{what} {id}");
        let want_figures: BTreeMap<String, i64> = FIGURES
            .iter()
            .filter(|(f, _, _)| *f == id)
            .map(|(_, field, _)| {
                let sum = figures_by(gens, of_form, |_| ()).get(&((), (*field).to_owned())).copied().unwrap_or(0);
                ((*field).to_owned(), sum)
            })
            .collect();
        assert_eq!(figures_in(form), want_figures, "{what} form {id}: report figures");
    }
    let communes = want_by(gens, keep, |g| g.unit.clone());
    let got: Vec<_> = s["communes"].as_array().unwrap().iter().filter(|c| n(&c["activities"]) > 0).collect();
    assert_eq!(got.len(), communes.len(), "{what}: communes with activities");
    for c in got {
        let key = (c["unit_list"].as_str().unwrap().to_owned(), c["unit_code"].as_str().unwrap().to_owned());
        assert_figures(c, &communes[&key], &format!("{what} commune {key:?}"));
    }
    let by_form_commune = want_by(gens, keep, |g| (g.form().to_owned(), g.unit.1.clone()));
    let got = s["forms_by_commune"].as_array().unwrap();
    assert_eq!(got.len(), by_form_commune.len(), "{what}: form × commune rows");
    let figures = figures_by(gens, keep, |g| (g.form().to_owned(), g.unit.1.clone()));
    for fc in got {
        let key = (fc["form_id"].as_str().unwrap().to_owned(), fc["unit_code"].as_str().unwrap().to_owned());
        assert_figures(fc, &by_form_commune[&key], &format!("{what} {key:?}"));
        let want: BTreeMap<String, i64> =
            figures.iter().filter(|((k, _), _)| *k == key).map(|((_, field), n)| (field.clone(), *n)).collect();
        assert_eq!(figures_in(fc), want, "{what} {key:?}: report figures");
    }
    assert!(
        s["forms"].as_array().unwrap().iter().any(|f| figures_in(f).values().any(|n| *n > 0))
            || want(gens, keep).activities == 0,
        "{what}: some figure counts something"
    );
    let ethnicities: BTreeMap<String, (u64, u64)> = s["ethnicities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["minority"], e["code"] != "01", "Kinh is 01, every other group a minority");
            (e["code"].as_str().unwrap().to_owned(), (n(&e["male"]), n(&e["female"])))
        })
        .collect();
    assert_eq!(ethnicities, cells_by(gens, keep, |_, c| c.ethnicity.clone()), "{what}: ethnicities");
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF.
pub(crate) fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field, mut quoted) = (Vec::new(), Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}
