//! From the database's grouped sums to a [`Cube`]: activities and people by form and
//! commune, the people further by ethnicity and by the grid's group. Every report is a
//! roll-up of one cube.
//!
//! - **Participants** of a form are the cells of its participant grid: the first count grid
//!   of each version (today every form has one at most). Forms without a grid (model checks)
//!   count activities only.
//! - **Figures** of a form are the numbers its figures file names (models found active,
//!   people supported…), summed by form, commune and field ([`forms::figures`]).
//! - **Communes**: a record on the pre-2025 unit list counts in the 2025 commune its unit
//!   was merged into; a unit split between several communes stays under its own code.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use forms::grid::{BySex, KINH};
use forms::reference::ReferenceData;
use forms::{Catalog, FieldType, Sex};

use super::ReportError;
use crate::store::reports::RecordFilter;
use crate::Db;

/// A commune as reports count it: (unit list, unit code), after the 2025 mapping.
pub type UnitKey = (String, String);

/// Additive figures of a set of records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub activities: u64,
    pub people: BySex,
    pub kinh: BySex,
    pub minority: BySex,
}

impl Tally {
    /// Share of women and girls among the participants; `None` without participants.
    pub fn female_share(&self) -> Option<f64> {
        let total = self.people.total();
        (total > 0).then(|| self.people.female as f64 / total as f64)
    }

    pub fn add(&mut self, other: &Tally) {
        self.activities += other.activities;
        for (mine, theirs) in
            [(&mut self.people, other.people), (&mut self.kinh, other.kinh), (&mut self.minority, other.minority)]
        {
            mine.male += theirs.male;
            mine.female += theirs.female;
        }
    }
}

pub fn add_sex(counts: &mut BySex, sex: Sex, n: u64) {
    match sex {
        Sex::Male => counts.male += n,
        Sex::Female => counts.female += n,
    }
}

/// The grouped figures one report is built from.
#[derive(Debug, Clone, Default)]
pub struct Cube {
    /// Activities by (form, commune).
    pub activities: BTreeMap<(String, UnitKey), u64>,
    /// Participants by (form, commune, ethnicity code).
    pub ethnicity: BTreeMap<(String, UnitKey, String), BySex>,
    /// Participants by (form, commune, group value), for grids with a further dimension.
    pub groups: BTreeMap<(String, UnitKey, String), BySex>,
    /// Report figures by (form, commune, field).
    pub figures: BTreeMap<(String, UnitKey, String), i64>,
    /// Activities and participants by (organising agency, form), of the records that name
    /// an agency (`organiser`); every commune in scope added up.
    pub agencies: BTreeMap<(String, String), Tally>,
}

impl Cube {
    /// Gathers the sums kept for the records `filter` selects (one read at the finest grain,
    /// rolled up here by ethnicity and by group).
    pub async fn load(db: &Db, catalog: &Catalog, filter: &RecordFilter) -> Result<Cube, ReportError> {
        let reference = catalog.reference();
        let communes = CommuneMap::new(reference);
        let participants = participant_fields(catalog);
        let counts_people =
            |form: &str, field: &str| participants.get(form).is_none_or(|fields| fields.contains(field));
        // Gathered in hash maps (one hash per row, where a B-tree compares string keys a
        // dozen times), ordered once at the end: the rows outnumber the cube's entries.
        let mut activities: HashMap<(String, UnitKey), u64> = HashMap::new();
        let mut ethnicity: HashMap<(String, UnitKey, String), BySex> = HashMap::new();
        let mut groups: HashMap<(String, UnitKey, String), BySex> = HashMap::new();
        let mut figures: HashMap<(String, UnitKey, String), i64> = HashMap::new();
        let (rows, by_agency) = tokio::try_join!(db.report_totals(filter), db.agency_totals(filter))?;
        for row in rows {
            let unit = communes.key(&row.location.unit_list, &row.location.unit_code);
            let n = row.total.max(0) as u64;
            let Some(sex) = row.sex else {
                if row.field.is_empty() {
                    *activities.entry((row.form_id, unit)).or_default() += n;
                } else {
                    *figures.entry((row.form_id, unit, row.field)).or_default() += row.total;
                }
                continue;
            };
            if !counts_people(&row.form_id, &row.field) {
                continue;
            }
            if !row.group.is_empty() {
                add_sex(groups.entry((row.form_id.clone(), unit.clone(), row.group)).or_default(), sex, n);
            }
            add_sex(ethnicity.entry((row.form_id, unit, row.ethnicity)).or_default(), sex, n);
        }
        let mut agencies: BTreeMap<(String, String), Tally> = BTreeMap::new();
        for row in by_agency {
            let n = row.total.max(0) as u64;
            let tally = agencies.entry((row.agency, row.form_id.clone())).or_default();
            match row.sex {
                None if row.field.is_empty() => tally.activities += n,
                None => {}
                Some(sex) if counts_people(&row.form_id, &row.field) => {
                    add_sex(&mut tally.people, sex, n);
                    add_sex(if row.minority { &mut tally.minority } else { &mut tally.kinh }, sex, n);
                }
                Some(_) => {}
            }
        }
        Ok(Cube {
            agencies,
            activities: activities.into_iter().collect(),
            ethnicity: ethnicity.into_iter().collect(),
            groups: groups.into_iter().collect(),
            figures: figures.into_iter().collect(),
        })
    }

    /// Tallies by the key `key` gives each (form, commune); `None` leaves it out.
    pub fn tally_by<K: Ord>(&self, key: impl Fn(&str, &UnitKey) -> Option<K>) -> BTreeMap<K, Tally> {
        let mut out: BTreeMap<K, Tally> = BTreeMap::new();
        for ((form, unit), n) in &self.activities {
            if let Some(k) = key(form, unit) {
                out.entry(k).or_default().activities += n;
            }
        }
        for ((form, unit, ethnicity), counts) in &self.ethnicity {
            let Some(k) = key(form, unit) else { continue };
            let mut t = Tally { people: *counts, ..Tally::default() };
            if ethnicity == KINH {
                t.kinh = *counts;
            } else {
                t.minority = *counts;
            }
            out.entry(k).or_default().add(&t);
        }
        out
    }

    /// The whole cube's tally where `keep` holds.
    pub fn tally(&self, keep: impl Fn(&str, &UnitKey) -> bool) -> Tally {
        self.tally_by(|f, u| keep(f, u).then_some(())).remove(&()).unwrap_or_default()
    }

    /// Participants by (key, ethnicity code).
    pub fn ethnicity_by<K: Ord>(&self, key: impl Fn(&str, &UnitKey) -> Option<K>) -> BTreeMap<(K, String), BySex> {
        roll_up(&self.ethnicity, key)
    }

    /// Participants by (key, group value).
    pub fn groups_by<K: Ord>(&self, key: impl Fn(&str, &UnitKey) -> Option<K>) -> BTreeMap<(K, String), BySex> {
        roll_up(&self.groups, key)
    }

    /// Report figures by (key, field).
    pub fn figures_by<K: Ord>(&self, key: impl Fn(&str, &UnitKey) -> Option<K>) -> BTreeMap<(K, String), i64> {
        let mut out: BTreeMap<(K, String), i64> = BTreeMap::new();
        for ((form, unit, field), n) in &self.figures {
            if let Some(k) = key(form, unit) {
                *out.entry((k, field.clone())).or_default() += n;
            }
        }
        out
    }

    /// Every form with activities.
    pub fn forms(&self) -> BTreeSet<&str> {
        self.activities.keys().map(|(f, _)| f.as_str()).collect()
    }
}

fn roll_up<K: Ord>(
    map: &BTreeMap<(String, UnitKey, String), BySex>,
    key: impl Fn(&str, &UnitKey) -> Option<K>,
) -> BTreeMap<(K, String), BySex> {
    let mut out: BTreeMap<(K, String), BySex> = BTreeMap::new();
    for ((form, unit, inner), counts) in map {
        if let Some(k) = key(form, unit) {
            let sum = out.entry((k, inner.clone())).or_default();
            sum.male += counts.male;
            sum.female += counts.female;
        }
    }
    out
}

/// Each form's participant grid fields: the first count grid of each of its versions.
pub fn participant_fields(catalog: &Catalog) -> HashMap<&str, HashSet<&str>> {
    let mut out: HashMap<&str, HashSet<&str>> = HashMap::new();
    for form in catalog.forms() {
        let fields = out.entry(form.id()).or_default();
        if let Some(grid) = form.fields.iter().find(|f| f.field_type == FieldType::CountGrid) {
            fields.insert(grid.name.as_str());
        }
    }
    out
}

/// Pre-2025 units to the 2025 commune each went into, where it went into exactly one.
pub struct CommuneMap {
    merged_into: HashMap<String, Option<String>>,
}

impl CommuneMap {
    pub fn new(reference: &ReferenceData) -> CommuneMap {
        let mut merged_into: HashMap<String, Option<String>> = HashMap::new();
        for m in &reference.unit_mapping {
            merged_into
                .entry(m.old_code.clone())
                .and_modify(|new| {
                    if new.as_deref() != Some(m.new_code.as_str()) {
                        *new = None;
                    }
                })
                .or_insert_with(|| Some(m.new_code.clone()));
        }
        CommuneMap { merged_into }
    }

    /// The commune a location counts in.
    pub fn key(&self, unit_list: &str, unit_code: &str) -> UnitKey {
        if unit_list == "units_pre2025" {
            if let Some(Some(new)) = self.merged_into.get(unit_code) {
                return ("units_2025".to_owned(), new.clone());
            }
        }
        (unit_list.to_owned(), unit_code.to_owned())
    }
}
