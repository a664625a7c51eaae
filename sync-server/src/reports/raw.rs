//! Raw export: one row per final record of a form, one column per field (over every version
//! of the form: the newest version's fields first, then fields only older versions had), and
//! each count grid flattened into one column per cell that some exported record holds.
//!
//! The columns are fixed before the first row ([`RawPlan`]), so rows can be written page by
//! page as they are read, in bounded memory.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use forms::dates::{format_instant, parse_iso_date};
use forms::definition::Field;
use forms::{Catalog, FieldType, Record, Sex};
use serde_json::Value as Json;

use super::{known_form, ReportError};
use crate::store::reports::CellKey;

/// A value of a raw export cell.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

#[derive(Debug, Clone)]
enum Kind {
    Id,
    Version,
    UnitList,
    UnitCode,
    UnitName,
    Author,
    ActivityDate,
    CreatedAt,
    UpdatedAt,
    Revision,
    Field {
        name: String,
        field_type: FieldType,
    },
    /// The `index`th photo of a photo question, as a link to it.
    Photo {
        field: String,
        index: usize,
    },
    /// Latitude, longitude or accuracy of a GPS question.
    Position {
        field: String,
        part: &'static str,
    },
    Cell {
        field: String,
        ethnicity: String,
        sex: Sex,
        group: String,
    },
}

/// One column: the heading over its group (merged over a grid's cells), its own heading,
/// and its key.
#[derive(Debug, Clone)]
pub struct Column {
    /// Columns with the same group id sit under one heading.
    pub group_id: usize,
    pub group: String,
    pub label: String,
    pub key: String,
    kind: Kind,
}

impl Column {
    /// The one-line heading of a CSV file: clear to a reader, and unique.
    pub fn csv_heading(&self) -> String {
        match &self.kind {
            Kind::Field { .. } | Kind::Photo { .. } | Kind::Position { .. } => format!("{} ({})", self.group, self.key),
            Kind::Cell { .. } => format!("{}: {} ({})", self.group, self.label, self.key),
            _ => self.label.clone(),
        }
    }
}

/// The columns of one form's raw export and what it needs to fill them.
#[derive(Debug, Clone)]
pub struct RawPlan {
    pub form_id: String,
    pub title: String,
    pub columns: Vec<Column>,
    /// Where photo links point: the server's public address (`/api/v1/…` follows).
    link_base: String,
    /// Choice labels by field, then value.
    choices: HashMap<String, HashMap<String, String>>,
    /// Each version's date field.
    date_fields: HashMap<u32, String>,
    units: HashMap<(String, String), String>,
}

const SEX_VI: [(Sex, &str, &str); 2] = [(Sex::Male, "Nam", "male"), (Sex::Female, "Nữ", "female")];

impl RawPlan {
    /// The columns for `form_id`, with a column for each of `cells`.
    pub fn new(catalog: &Catalog, form_id: &str, mut cells: Vec<CellKey>) -> Result<RawPlan, ReportError> {
        known_form(catalog, form_id)?;
        let reference = catalog.reference();
        let mut versions: Vec<_> = catalog.forms().filter(|f| f.id() == form_id).collect();
        versions.sort_by_key(|f| std::cmp::Reverse(f.version()));
        let title = versions[0].definition.title.vi.clone();

        let meta = [
            (Kind::Id, "Mã phiếu", "id"),
            (Kind::Version, "Phiên bản mẫu phiếu", "form_version"),
            (Kind::UnitList, "Danh mục đơn vị", "unit_list"),
            (Kind::UnitCode, "Mã đơn vị", "unit_code"),
            (Kind::UnitName, "Tên đơn vị", "unit_name"),
            (Kind::ActivityDate, "Ngày hoạt động", "activity_date"),
            (Kind::Author, "Người nhập", "author"),
            (Kind::CreatedAt, "Tạo lúc", "created_at"),
            (Kind::UpdatedAt, "Cập nhật lúc", "updated_at"),
            (Kind::Revision, "Lần sửa", "revision"),
        ];
        let mut columns: Vec<Column> = meta
            .into_iter()
            .map(|(kind, label, key)| Column {
                group_id: 0,
                group: "Thông tin phiếu".into(),
                label: label.into(),
                key: key.into(),
                kind,
            })
            .collect();

        let mut seen = HashSet::new();
        let mut fields: Vec<&Field> = Vec::new();
        let mut choices: HashMap<String, HashMap<String, String>> = HashMap::new();
        for form in &versions {
            for field in form.definition.sections.iter().flat_map(|s| &s.fields) {
                if !field.field_type.holds_value() {
                    continue;
                }
                let labels = choices.entry(field.name.clone()).or_default();
                for o in field.options.iter().flatten() {
                    labels.entry(o.value.clone()).or_insert_with(|| o.label.vi.clone());
                }
                if let Some(list) = &field.list {
                    if let Some(l) = reference.lists.get(list) {
                        for e in &l.entries {
                            labels.entry(e.code.clone()).or_insert_with(|| e.label.vi.clone());
                        }
                    } else if let Some(units) = reference.unit_lists.get(list) {
                        for u in &units.units {
                            labels.entry(u.code.clone()).or_insert_with(|| u.name.clone());
                        }
                    }
                }
                if seen.insert(field.name.clone()) {
                    fields.push(field);
                }
            }
        }

        // Grid cells in a reader's order: ethnic group (list order), group option, Nam, Nữ.
        let position = |field: &str| fields.iter().position(|f| f.name == field).unwrap_or(usize::MAX);
        let group_rank = |field: &str, value: &str| {
            fields
                .iter()
                .find(|f| f.name == field)
                .and_then(|f| f.grid.as_ref()?.group.as_ref()?.options.iter().position(|o| o.value == value))
                .unwrap_or(usize::MAX)
        };
        cells.sort_by(|a, b| {
            (position(&a.field), &a.ethnicity, group_rank(&a.field, &a.group), a.group.as_str(), a.sex).cmp(&(
                position(&b.field),
                &b.ethnicity,
                group_rank(&b.field, &b.group),
                b.group.as_str(),
                b.sex,
            ))
        });
        let ethnic = reference.ethnic_groups();
        for (i, field) in fields.iter().enumerate() {
            let group_id = i + 1;
            let column = |label: String, key: String, kind: Kind| Column {
                group_id,
                group: field.label.vi.clone(),
                label,
                key,
                kind,
            };
            if field.field_type == FieldType::Photo {
                // A link per photo: as many columns as any version takes photos.
                let most = versions
                    .iter()
                    .flat_map(|f| f.fields.iter())
                    .filter(|f| f.name == field.name)
                    .map(|f| f.max_photos)
                    .max()
                    .unwrap_or(1) as usize;
                for index in 0..most {
                    let kind = Kind::Photo { field: field.name.clone(), index };
                    columns.push(column(format!("Ảnh {}", index + 1), format!("{}.{}", field.name, index + 1), kind));
                }
                continue;
            }
            if field.field_type == FieldType::Geopoint {
                for (part, label) in [("lat", "Vĩ độ"), ("lon", "Kinh độ"), ("accuracy", "Sai số (m)")] {
                    let kind = Kind::Position { field: field.name.clone(), part };
                    columns.push(column(label.into(), format!("{}.{part}", field.name), kind));
                }
                continue;
            }
            if field.field_type != FieldType::CountGrid {
                columns.push(Column {
                    group_id,
                    group: field.label.vi.clone(),
                    label: field.name.clone(),
                    key: field.name.clone(),
                    kind: Kind::Field { name: field.name.clone(), field_type: field.field_type },
                });
                continue;
            }
            let group_labels = field.grid.as_ref().and_then(|g| g.group.as_ref());
            for cell in cells.iter().filter(|c| c.field == field.name) {
                let mut parts =
                    vec![ethnic.get(&cell.ethnicity).map_or_else(|| cell.ethnicity.clone(), |e| e.label.vi.clone())];
                let (_, sex_vi, sex_key) = SEX_VI.iter().find(|(s, _, _)| *s == cell.sex).copied().unwrap_or(SEX_VI[0]);
                parts.push(sex_vi.to_owned());
                let mut key = format!("{}.{}.{sex_key}", field.name, cell.ethnicity);
                if !cell.group.is_empty() {
                    let label = group_labels
                        .and_then(|g| g.options.iter().find(|o| o.value == cell.group))
                        .map_or_else(|| cell.group.clone(), |o| o.label.vi.clone());
                    parts.push(label);
                    key = format!("{key}.{}", cell.group);
                }
                columns.push(Column {
                    group_id,
                    group: field.label.vi.clone(),
                    label: parts.join(" · "),
                    key,
                    kind: Kind::Cell {
                        field: field.name.clone(),
                        ethnicity: cell.ethnicity.clone(),
                        sex: cell.sex,
                        group: cell.group.clone(),
                    },
                });
            }
        }
        let date_fields = versions.iter().map(|f| (f.version(), f.definition.date_field.clone())).collect();
        let units = reference
            .unit_lists
            .values()
            .flat_map(|l| l.units.iter().map(move |u| ((l.id.clone(), u.code.clone()), u.name.clone())))
            .collect();
        Ok(RawPlan {
            form_id: form_id.to_owned(),
            title,
            columns,
            link_base: String::new(),
            choices,
            date_fields,
            units,
        })
    }

    /// Photo links start with `base` (the server's public address); without it they are
    /// paths on the server.
    pub fn with_links(mut self, base: &str) -> RawPlan {
        self.link_base = base.trim_end_matches('/').to_owned();
        self
    }

    /// One record's row, a value per column.
    pub fn row(&self, record: &Record) -> Vec<RawValue> {
        let text = |s: &str| RawValue::Text(s.to_owned());
        self.columns
            .iter()
            .map(|c| match &c.kind {
                Kind::Id => RawValue::Text(record.id.to_string()),
                Kind::Version => RawValue::Number(f64::from(record.form_version)),
                Kind::UnitList => text(&record.location.unit_list),
                Kind::UnitCode => text(&record.location.unit_code),
                Kind::UnitName => RawValue::Text(
                    self.units
                        .get(&(record.location.unit_list.clone(), record.location.unit_code.clone()))
                        .cloned()
                        .unwrap_or_else(|| record.location.unit_code.clone()),
                ),
                Kind::Author => text(&record.author),
                Kind::ActivityDate => self
                    .date_fields
                    .get(&record.form_version)
                    .and_then(|f| record.values.get(f)?.as_str())
                    .and_then(parse_iso_date)
                    .map_or(RawValue::Empty, RawValue::Date),
                Kind::CreatedAt => instant(record.created_at),
                Kind::UpdatedAt => instant(record.updated_at),
                Kind::Revision => RawValue::Number(record.revision as f64),
                Kind::Field { name, field_type } => self.value(name, *field_type, record.values.get(name)),
                Kind::Photo { field, index } => record
                    .values
                    .get(field)
                    .and_then(|v| v.as_array()?.get(*index)?.get("sha256")?.as_str())
                    .map_or(RawValue::Empty, |sha256| {
                        RawValue::Text(format!("{}/api/v1/records/{}/photos/{sha256}", self.link_base, record.id))
                    }),
                Kind::Position { field, part } => record
                    .values
                    .get(field)
                    .and_then(|v| v.get(*part)?.as_f64())
                    .map_or(RawValue::Empty, RawValue::Number),
                Kind::Cell { field, ethnicity, sex, group } => match record.values.get(field) {
                    Some(Json::Array(cells)) => {
                        let sex = if *sex == Sex::Male { "male" } else { "female" };
                        let count = cells
                            .iter()
                            .filter(|cell| {
                                cell["ethnicity"] == ethnicity.as_str()
                                    && cell["sex"] == sex
                                    && cell.get("group").and_then(Json::as_str).unwrap_or("") == group
                            })
                            .filter_map(|cell| cell["count"].as_u64())
                            .sum::<u64>();
                        RawValue::Number(count as f64)
                    }
                    _ => RawValue::Empty,
                },
            })
            .collect()
    }

    fn value(&self, name: &str, field_type: FieldType, value: Option<&Json>) -> RawValue {
        let label = |v: &str| self.choices.get(name).and_then(|c| c.get(v)).cloned().unwrap_or_else(|| v.to_owned());
        match (field_type, value) {
            (_, None | Some(Json::Null)) => RawValue::Empty,
            (FieldType::Date, Some(Json::String(s))) => {
                parse_iso_date(s).map_or_else(|| RawValue::Text(s.clone()), RawValue::Date)
            }
            (FieldType::SelectOne, Some(Json::String(s))) => RawValue::Text(label(s)),
            (_, Some(Json::String(s))) => RawValue::Text(s.clone()),
            (_, Some(Json::Number(n))) => n.as_f64().map_or(RawValue::Empty, RawValue::Number),
            (_, Some(Json::Bool(b))) => RawValue::Text(if *b { "Có" } else { "Không" }.into()),
            (_, Some(Json::Array(items))) => {
                RawValue::Text(items.iter().filter_map(Json::as_str).map(label).collect::<Vec<_>>().join("; "))
            }
            (_, Some(other)) => RawValue::Text(other.to_string()),
        }
    }
}

fn instant(at: DateTime<Utc>) -> RawValue {
    RawValue::Text(format_instant(at))
}
