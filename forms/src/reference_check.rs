//! Whether reference lists hold together, every problem at once: what a province's own lists
//! (a commune list, a mapping of old units, an ethnicity shortlist) must satisfy before any
//! form or record may lean on them. [`ReferenceData::from_sources`] refuses lists with a
//! problem; an upload of lists reports them all ([`ReferenceData::problems`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::reference::{ReferenceData, ReferenceError, ReferenceSources, UnitList};

/// The unit types a unit list may name (`type` column).
pub const UNIT_TYPES: [&str; 8] = ["Tỉnh", "Thành phố", "Huyện", "Thị xã", "Xã", "Phường", "Thị trấn", "Đặc khu"];

/// The mapping file, from units before 1 July 2025 to the units after.
pub const MAPPING_FILE: &str = "quang_ngai_old_to_new_2025.csv";
pub const SHORTLISTS_FILE: &str = "ethnicity_shortlists.csv";

fn problem(file: &str, line: usize, message: String) -> ReferenceError {
    ReferenceError { file: file.to_owned(), line, message }
}

/// The line of a list's `i`th row: the header is line 1.
fn line_of(i: usize) -> usize {
    i + 2
}

fn unit_list_problems(list: &UnitList, out: &mut Vec<ReferenceError>) {
    let file = list.id.as_str();
    let codes: BTreeSet<&str> = list.units.iter().map(|u| u.code.as_str()).collect();
    let mut seen = BTreeSet::new();
    for (i, unit) in list.units.iter().enumerate() {
        let line = line_of(i);
        if unit.code.is_empty() || !seen.insert(unit.code.as_str()) {
            out.push(problem(file, line, format!("code '{}' is empty or repeated", unit.code)));
        }
        if unit.name.trim().is_empty() {
            out.push(problem(file, line, format!("unit '{}' has no name", unit.code)));
        }
        if !UNIT_TYPES.contains(&unit.unit_type.as_str()) {
            let known = UNIT_TYPES.join(", ");
            out.push(problem(file, line, format!("type '{}' is not one of {known}", unit.unit_type)));
        }
        match unit.parent_code.as_deref() {
            Some(parent) if parent == unit.code => {
                out.push(problem(file, line, format!("unit '{}' is its own parent", unit.code)));
            }
            Some(parent) if !codes.contains(parent) => {
                out.push(problem(file, line, format!("parent '{parent}' of '{}' is not in the list", unit.code)));
            }
            _ => {}
        }
    }
    if list.communes().next().is_none() {
        out.push(problem(file, 1, "the list has no commune, ward or special zone".to_owned()));
    }
}

impl ReferenceData {
    /// Every way these lists do not hold together: unit codes unique with known types and
    /// parents in the list; the mapping of old units total (every old commune mapped, each
    /// to communes of the new list, `full` to exactly one); the ethnic groups' code system
    /// stated; shortlists of known, unrepeated ethnic groups; code lists of unique codes
    /// with both names. Empty when they do.
    pub fn problems(&self) -> Vec<ReferenceError> {
        let mut out = Vec::new();
        for list in self.unit_lists.values() {
            unit_list_problems(list, &mut out);
        }
        for list in self.lists.values() {
            let mut seen = BTreeSet::new();
            for (i, entry) in list.entries.iter().enumerate() {
                if entry.code.is_empty() || !seen.insert(entry.code.as_str()) {
                    out.push(problem(&list.id, line_of(i), format!("code '{}' is empty or repeated", entry.code)));
                }
                if entry.label.vi.trim().is_empty() || entry.label.en.trim().is_empty() {
                    let msg = format!("'{}' needs a Vietnamese and an English name", entry.code);
                    out.push(problem(&list.id, line_of(i), msg));
                }
            }
        }
        match self.lists.get("ethnic_groups") {
            Some(ethnic) if ethnic.code_system.as_deref().is_none_or(|s| s.trim().is_empty()) => out.push(problem(
                "lists.toml",
                0,
                "ethnic_groups must state its code_system (the codes of 121-TCTK/PPCĐ, or another named system)"
                    .to_owned(),
            )),
            _ => {}
        }
        self.mapping_problems(&mut out);
        self.shortlist_problems(&mut out);
        out
    }

    fn mapping_problems(&self, out: &mut Vec<ReferenceError>) {
        let new = self.unit_lists.get("units_2025");
        let old = self.unit_lists.get("units_pre2025");
        let mut targets: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
        for (i, m) in self.unit_mapping.iter().enumerate() {
            let line = line_of(i);
            if !matches!(m.merge_type.as_str(), "full" | "partial") {
                let msg = format!("merge_type '{}' is neither full nor partial", m.merge_type);
                out.push(problem(MAPPING_FILE, line, msg));
            }
            if !new.and_then(|l| l.get(&m.new_code)).is_some_and(|u| u.is_commune_level()) {
                let msg = format!("'{}' is not a commune of units_2025", m.new_code);
                out.push(problem(MAPPING_FILE, line, msg));
            }
            if let Some(old) = old {
                if old.get(&m.old_code).is_none() {
                    out.push(problem(MAPPING_FILE, line, format!("'{}' is not a unit of units_pre2025", m.old_code)));
                }
            }
            targets.entry(m.old_code.as_str()).or_default().push((m.new_code.as_str(), m.merge_type.as_str()));
        }
        for (code, to) in &targets {
            if to.iter().any(|(_, kind)| *kind == "full") && to.len() > 1 {
                let msg = format!("'{code}' went wholly ('full') into one unit, but is mapped to {}", to.len());
                out.push(problem(MAPPING_FILE, 0, msg));
            }
        }
        // Total: a record filed at any old commune must have somewhere to count.
        for (i, unit) in old.iter().flat_map(|l| l.units.iter().enumerate()) {
            if unit.is_commune_level() && !targets.contains_key(unit.code.as_str()) {
                let msg = format!("old commune '{}' ({}) is not mapped to a 2025 unit", unit.code, unit.name);
                out.push(problem("units_pre2025", line_of(i), msg));
            }
        }
    }

    fn shortlist_problems(&self, out: &mut Vec<ReferenceError>) {
        let ethnic = self.lists.get("ethnic_groups");
        for (name, codes) in &self.ethnicity_shortlists {
            let mut seen = BTreeSet::new();
            for code in codes {
                if ethnic.is_some_and(|l| l.get(code).is_none()) {
                    let msg = format!("shortlist '{name}': '{code}' is not an ethnic group code");
                    out.push(problem(SHORTLISTS_FILE, 0, msg));
                }
                if !seen.insert(code) {
                    out.push(problem(SHORTLISTS_FILE, 0, format!("shortlist '{name}' lists '{code}' twice")));
                }
            }
        }
    }
}

/// Every problem of lists that parse; the parse error alone where they do not.
pub fn problems_of_sources(src: &ReferenceSources) -> Vec<ReferenceError> {
    match ReferenceData::parse_sources(src) {
        Ok(data) => data.problems(),
        Err(e) => vec![e],
    }
}
