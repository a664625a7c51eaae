//! The form definition file format, as an official edits it (TOML) and as the PWA receives
//! it (JSON). These types are plain data; `crate::form::Form::compile` checks them and turns
//! expressions into evaluable trees. The format is documented in `forms/definitions/README.md`.

use serde::{Deserialize, Serialize};

use crate::localized::Localized;

/// One version of one form, exactly as written in its definition file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    /// Stable identifier, `snake_case`; the same across versions.
    pub id: String,
    /// Increases by one with every published change. Records name the version they used.
    pub version: u32,
    /// Which area of the plan (section V report tables) this form reports on.
    pub plan_area: PlanArea,
    pub title: Localized,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Localized>,
    /// The date field that places a record in a reporting period.
    pub date_field: String,
    /// A withdrawn version stays valid for records made with it, but takes no new ones.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    /// Set by the server on a draft it serves to testers ("Bản thử"): records made with it
    /// are test records, never counted. Never part of a definition file or upload.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    pub sections: Vec<Section>,
}

/// The areas of the provincial plan that its annual report (section V) is organised by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanArea {
    Communication,
    Training,
    Models,
    ActionMonth,
    Schools,
    Project8,
    /// Inspections of the gender-equality law (sections II.3, IV.1.c).
    Inspections,
    /// Awards and commendations for gender-equality work (II.3, IV.1.đ, IV.2.c).
    Awards,
    /// Support services for people subjected to gender-based violence (II.5).
    GbvServices,
    /// The Committees for the Advancement of Women (II.7).
    AdvancementOfWomen,
}

impl PlanArea {
    /// Every area, in the order of the annual report's tables.
    pub const ALL: [PlanArea; 10] = [
        PlanArea::Communication,
        PlanArea::Training,
        PlanArea::Models,
        PlanArea::ActionMonth,
        PlanArea::Schools,
        PlanArea::Project8,
        PlanArea::Inspections,
        PlanArea::Awards,
        PlanArea::GbvServices,
        PlanArea::AdvancementOfWomen,
    ];
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: Localized,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Localized>,
    /// Skip logic for the whole section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    pub fields: Vec<Field>,
}

/// One question. Which attributes apply depends on `type`; the loader rejects the others,
/// so a misplaced attribute is an error at load rather than silently ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    pub label: Localized,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Localized>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Skip logic: the field is asked (and kept) only where this is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// Must hold for a filled-in value; `.` is the field's own value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint_message: Option<Localized>,
    /// For `calculate` fields: the value, computed from other fields, never typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculate: Option<String>,
    /// Bounds for `integer` and `decimal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// For `text` and `long_text`, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Inline choices for `select_one` / `select_multiple`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<ChoiceOption>>,
    /// Or a reference list id (`ethnic_groups`, `agencies`, `model_types`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// For `long_text`: show the warning against personal data (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_data_warning: Option<bool>,
    /// For `count_grid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<GridSpec>,
    /// For `photo`: how many photos the field takes (default 1, at most
    /// [`crate::evidence::MAX_PHOTOS_PER_FIELD`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_photos: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    LongText,
    Integer,
    Decimal,
    Date,
    Time,
    SelectOne,
    SelectMultiple,
    YesNo,
    /// Participants counted by sex × ethnicity (× an optional further dimension).
    CountGrid,
    /// A value computed from other fields.
    Calculate,
    /// Text shown to the user; holds no value.
    Note,
    /// Photos taken with the camera or picked from the phone, named by their SHA-256; the
    /// pictures travel apart from the record ([`crate::evidence`]).
    Photo,
    /// A GPS position with its accuracy.
    Geopoint,
}

impl FieldType {
    pub fn holds_value(self) -> bool {
        self != FieldType::Note
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::LongText => "long_text",
            FieldType::Integer => "integer",
            FieldType::Decimal => "decimal",
            FieldType::Date => "date",
            FieldType::Time => "time",
            FieldType::SelectOne => "select_one",
            FieldType::SelectMultiple => "select_multiple",
            FieldType::YesNo => "yes_no",
            FieldType::CountGrid => "count_grid",
            FieldType::Calculate => "calculate",
            FieldType::Note => "note",
            FieldType::Photo => "photo",
            FieldType::Geopoint => "geopoint",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    pub value: String,
    pub label: Localized,
}

/// A disaggregated count grid. Rows are ethnic groups (a provincial shortlist first, then
/// any of the 54 under "other"), columns are sex, optionally split by one more dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridSpec {
    /// Reference list the ethnicity codes come from (`ethnic_groups`, code system 121-TCTK).
    #[serde(default = "default_ethnicity_list")]
    pub ethnicity_list: String,
    /// Id of the shortlist shown as ready-made rows (`quang_ngai`).
    pub shortlist: String,
    /// An optional further dimension, such as age group or role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GridGroup>,
    /// Largest count a single cell accepts; guards against typing slips.
    #[serde(default = "default_max_cell")]
    pub max_cell: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridGroup {
    pub name: String,
    pub label: Localized,
    pub options: Vec<ChoiceOption>,
}

fn default_ethnicity_list() -> String {
    "ethnic_groups".to_owned()
}

fn default_max_cell() -> u32 {
    100_000
}
