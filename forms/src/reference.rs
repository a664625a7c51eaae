//! Reference lists (ethnic groups, administrative units, agencies, model types) as data.
//!
//! The lists live as CSV files under `forms/reference/`, described by `lists.toml`; this
//! module only parses text handed to it, so it does no IO and runs in the browser too.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::localized::Localized;

/// Every reference list, as the server bundles it for the PWA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceData {
    /// Code lists a `select_*` field can name with `list = "..."`.
    pub lists: BTreeMap<String, RefList>,
    /// Administrative unit lists, by id (`units_2025`, `units_pre2025`).
    pub unit_lists: BTreeMap<String, UnitList>,
    /// Pre-2025 unit → 2025 unit.
    pub unit_mapping: Vec<UnitMapping>,
    /// Ethnicity rows shown ready-made in a count grid, by shortlist id.
    pub ethnicity_shortlists: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefList {
    pub id: String,
    pub version: String,
    pub title: Localized,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_system: Option<String>,
    pub entries: Vec<RefEntry>,
}

impl RefList {
    pub fn get(&self, code: &str) -> Option<&RefEntry> {
        self.entries.iter().find(|e| e.code == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefEntry {
    pub code: String,
    pub label: Localized,
    /// Other names an officer may search by (ethnic groups' local names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitList {
    pub id: String,
    pub version: String,
    pub title: Localized,
    pub units: Vec<Unit>,
}

impl UnitList {
    pub fn get(&self, code: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.code == code)
    }

    /// Communes, wards and special zones: the units records are made in.
    pub fn communes(&self) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(|u| u.is_commune_level())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
    /// Tỉnh, Huyện, Xã, Phường, Thị trấn, Đặc khu…
    pub unit_type: String,
    pub parent_code: Option<String>,
}

impl Unit {
    pub fn is_commune_level(&self) -> bool {
        matches!(self.unit_type.as_str(), "Xã" | "Phường" | "Thị trấn" | "Đặc khu")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitMapping {
    pub old_code: String,
    pub new_code: String,
    /// `full` (the old unit went wholly into the new one) or `partial`.
    pub merge_type: String,
}

/// A reference file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}: {message}")]
pub struct ReferenceError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// One CSV file's text, read with its header. Fields may be quoted (`"Sở Văn hóa, Thể thao…"`)
/// with `""` for a quote inside; a record stays on one line.
pub(crate) struct Csv<'a> {
    file: &'a str,
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

impl<'a> Csv<'a> {
    pub(crate) fn parse(file: &'a str, text: &'a str) -> Result<Self, ReferenceError> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines.next().ok_or_else(|| err(file, 1, "file is empty"))?;
        let header =
            split_line(header.trim_start_matches('\u{feff}')).ok_or_else(|| err(file, 1, "a quote is not closed"))?;
        let mut rows = Vec::new();
        for (i, line) in lines {
            let cells = split_line(line).ok_or_else(|| err(file, i + 1, "a quote is not closed"))?;
            if cells.len() != header.len() {
                let msg = format!("{} columns where the header has {}", cells.len(), header.len());
                return Err(err(file, i + 1, &msg));
            }
            rows.push((i + 1, cells));
        }
        Ok(Self { file, header, rows })
    }

    fn column(&self, name: &str) -> Result<usize, ReferenceError> {
        self.header.iter().position(|h| h == name).ok_or_else(|| err(self.file, 1, &format!("no column '{name}'")))
    }

    /// Rows as maps from the named columns to their cells.
    pub(crate) fn records<const N: usize>(&self, names: [&str; N]) -> Result<Vec<(usize, [&str; N])>, ReferenceError> {
        let mut idx = [0; N];
        for (slot, name) in idx.iter_mut().zip(names) {
            *slot = self.column(name)?;
        }
        Ok(self.rows.iter().map(|(line, cells)| (*line, idx.map(|i| cells[i].as_str()))).collect())
    }
}

/// Splits one CSV line into trimmed fields; `None` when a quote is left open.
fn split_line(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (',', false) => fields.push(std::mem::take(&mut field).trim().to_owned()),
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(field.trim().to_owned());
    Some(fields)
}

fn err(file: &str, line: usize, message: &str) -> ReferenceError {
    ReferenceError { file: file.to_owned(), line, message: message.to_owned() }
}

/// Metadata of one list, from `lists.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListMeta {
    pub version: String,
    pub file: String,
    #[serde(default)]
    pub code_system: Option<String>,
    pub title: Localized,
}

/// The files that make up the reference data, as text.
pub struct ReferenceSources<'a> {
    pub manifest: BTreeMap<String, ListMeta>,
    /// File name → content.
    pub files: BTreeMap<&'a str, &'a str>,
}

impl ReferenceData {
    pub fn from_sources(src: &ReferenceSources) -> Result<Self, ReferenceError> {
        let data = Self::parse_sources(src)?;
        // Lists that do not hold together are refused: the first problem says where.
        match data.problems().into_iter().next() {
            Some(first) => Err(first),
            None => Ok(data),
        }
    }

    /// The lists as written, whether or not they hold together.
    pub(crate) fn parse_sources(src: &ReferenceSources) -> Result<Self, ReferenceError> {
        let file = |name: &str| -> Result<(&str, &str), ReferenceError> {
            src.files.get_key_value(name).map(|(k, v)| (*k, *v)).ok_or_else(|| err(name, 0, "file is missing"))
        };
        let meta = |id: &str| -> Result<&ListMeta, ReferenceError> {
            src.manifest.get(id).ok_or_else(|| err("lists.toml", 0, &format!("no list '{id}'")))
        };

        let mut lists = BTreeMap::new();
        let mut unit_lists = BTreeMap::new();
        for (id, m) in &src.manifest {
            let (name, text) = file(&m.file)?;
            let csv = Csv::parse(name, text)?;
            if id.starts_with("units_") {
                let units = csv
                    .records(["code", "name", "type", "parent_code"])?
                    .into_iter()
                    .map(|(_, [code, name, unit_type, parent])| Unit {
                        code: code.to_owned(),
                        name: name.to_owned(),
                        unit_type: unit_type.to_owned(),
                        parent_code: (!parent.is_empty()).then(|| parent.to_owned()),
                    })
                    .collect();
                let list = UnitList { id: id.clone(), version: m.version.clone(), title: m.title.clone(), units };
                unit_lists.insert(id.clone(), list);
            } else {
                let entries = ref_entries(id, &csv)?;
                let list = RefList {
                    id: id.clone(),
                    version: m.version.clone(),
                    title: m.title.clone(),
                    code_system: m.code_system.clone(),
                    entries,
                };
                lists.insert(id.clone(), list);
            }
        }
        meta("ethnic_groups")?;
        meta("units_2025")?;

        let (name, text) = file(crate::reference_check::MAPPING_FILE)?;
        let unit_mapping = Csv::parse(name, text)?
            .records(["old_code", "new_code", "merge_type"])?
            .into_iter()
            .map(|(_, [old_code, new_code, merge_type])| UnitMapping {
                old_code: old_code.to_owned(),
                new_code: new_code.to_owned(),
                merge_type: merge_type.to_owned(),
            })
            .collect();

        let (name, text) = file(crate::reference_check::SHORTLISTS_FILE)?;
        let mut ethnicity_shortlists: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let ethnic = &lists["ethnic_groups"];
        for (line, [list, code]) in Csv::parse(name, text)?.records(["shortlist", "code"])? {
            if ethnic.get(code).is_none() {
                return Err(err(name, line, &format!("'{code}' is not an ethnic group code")));
            }
            ethnicity_shortlists.entry(list.to_owned()).or_default().push(code.to_owned());
        }
        Ok(Self { lists, unit_lists, unit_mapping, ethnicity_shortlists })
    }

    pub fn ethnic_groups(&self) -> &RefList {
        &self.lists["ethnic_groups"]
    }
}

/// Code lists share the columns `code` and `name_vi`; English names are `name_en` (or the
/// ethnic list's `name_en_or_ascii`), and `alt_names` are `;`-separated aliases.
fn ref_entries(id: &str, csv: &Csv) -> Result<Vec<RefEntry>, ReferenceError> {
    let en_column = if csv.column("name_en").is_ok() { "name_en" } else { "name_en_or_ascii" };
    let aliases: Vec<Vec<String>> = match csv.records(["alt_names"]) {
        Ok(rows) => rows
            .into_iter()
            .map(|(_, [alt])| alt.split(';').map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).collect())
            .collect(),
        Err(_) => Vec::new(),
    };
    let mut entries = Vec::new();
    for (i, (line, [code, vi, en])) in csv.records(["code", "name_vi", en_column])?.into_iter().enumerate() {
        if code.is_empty() || entries.iter().any(|e: &RefEntry| e.code == code) {
            return Err(err(id, line, &format!("code '{code}' is empty or repeated")));
        }
        entries.push(RefEntry {
            code: code.to_owned(),
            label: Localized::new(vi, en),
            aliases: aliases.get(i).cloned().unwrap_or_default(),
        });
    }
    Ok(entries)
}
