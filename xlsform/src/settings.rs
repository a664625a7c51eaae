//! The `settings` sheet: one row of values under its headers. XLSForm's `form_id`,
//! `version`, `form_title` and `default_language`, and sotay's own columns for what XLSForm
//! has no word for: `form_help`, `plan_area`, `date_field`, `withdrawn`.

use forms::{Lang, Localized, PlanArea};
use serde::de::IntoDeserializer;
use serde::Deserialize;

use crate::error::{ErrorCode, ImportError, Place};
use crate::read::{Sheet, SETTINGS};
use crate::table::{is_identifier, language, yes_no, Known, Table};

pub const KNOWN: Known = Known {
    plain: &["form_id", "version", "plan_area", "date_field", "withdrawn", "default_language"],
    localized: &["form_title", "form_help"],
};

/// The form-level attributes, each `None` where missing or wrong (and reported).
#[derive(Debug)]
pub struct Settings {
    pub id: Option<String>,
    pub version: Option<u32>,
    pub plan_area: Option<PlanArea>,
    pub title: Option<Localized>,
    pub help: Option<Localized>,
    pub date_field: Option<String>,
    pub withdrawn: bool,
    /// The language of plain `label`, `hint`… columns everywhere.
    pub lang: Lang,
    /// The values' row, for errors of the form as a whole.
    pub place: Place,
    /// The `date_field` cell.
    pub date_field_place: Place,
}

pub fn read(sheet: Option<&Sheet>, errors: &mut Vec<ImportError>) -> Settings {
    let mut settings = Settings {
        id: None,
        version: None,
        plan_area: None,
        title: None,
        help: None,
        date_field: None,
        withdrawn: false,
        lang: Lang::Vi,
        place: Place::sheet(SETTINGS),
        date_field_place: Place::sheet(SETTINGS),
    };
    let Some(sheet) = sheet else {
        errors.push(Place::sheet(SETTINGS).error(
            ErrorCode::MissingSheet,
            "Thiếu trang “settings” (form_id, version, form_title, plan_area, date_field).",
            "The “settings” sheet is missing (form_id, version, form_title, plan_area, date_field).",
        ));
        return settings;
    };
    // The default language decides what the plain text columns are, so it is read first.
    let lang = {
        let mut ignored = Vec::new();
        let table = Table::new(sheet, &KNOWN, Lang::Vi, &mut ignored);
        let row = table.rows().next().unwrap_or(1);
        match table.get(row, "default_language") {
            None => Lang::Vi,
            Some(text) => language(text).unwrap_or_else(|| {
                errors.push(table.place_of(row, "default_language").error(
                    ErrorCode::UnsupportedLanguage,
                    format!("Ngôn ngữ “{text}”: biểu mẫu sotay chỉ có tiếng Việt (vi) và tiếng Anh (en)."),
                    format!("Language “{text}”: sotay forms are in Vietnamese (vi) and English (en) only."),
                ));
                Lang::Vi
            }),
        }
    };
    let table = Table::new(sheet, &KNOWN, lang, errors);
    settings.lang = lang;
    let mut rows = table.rows();
    let row = rows.next().unwrap_or(1);
    for extra in rows {
        errors.push(Place::row(&sheet.name, extra).error(
            ErrorCode::UnsupportedValue,
            "Trang settings chỉ có một dòng giá trị (dòng 2).",
            "The settings sheet has one row of values (row 2).",
        ));
    }
    settings.place = Place::row(&sheet.name, row);
    settings.date_field_place = table.place_of(row, "date_field");
    let missing = |base: &str| {
        let at = match table.column(base) {
            Some(c) => table.place(row, c),
            None => Place::row(&sheet.name, 0),
        };
        at.error(
            ErrorCode::MissingValue,
            format!("Trang settings cần “{base}”."),
            format!("The settings sheet needs “{base}”."),
        )
    };
    let invalid = |base: &str, vi: String, en: String| table.place_of(row, base).error(ErrorCode::InvalidValue, vi, en);

    match table.get(row, "form_id").map(str::trim) {
        None => errors.push(missing("form_id")),
        Some(id) if is_identifier(id) => settings.id = Some(id.to_owned()),
        Some(id) => errors.push(invalid(
            "form_id",
            format!("form_id “{id}”: chỉ gồm chữ thường không dấu, số và _, bắt đầu bằng chữ."),
            format!("form_id “{id}”: lower-case letters, digits and _, starting with a letter."),
        )),
    }
    match table.get(row, "version").map(str::trim) {
        None => errors.push(missing("version")),
        Some(v) => match v.parse::<u32>() {
            Ok(n) if n >= 1 => settings.version = Some(n),
            _ => errors.push(invalid(
                "version",
                format!("version “{v}”: phiên bản là số nguyên từ 1 (1, 2, 3…)."),
                format!("version “{v}”: a version is a whole number from 1 (1, 2, 3…)."),
            )),
        },
    }
    match table.localized(row, "form_title") {
        Ok(Some(title)) => settings.title = Some(title),
        Ok(None) => errors.push(missing("form_title")),
        Err(e) => errors.push(*e),
    }
    match table.localized(row, "form_help") {
        Ok(help) => settings.help = help,
        Err(e) => errors.push(*e),
    }
    match table.get(row, "plan_area").map(str::trim) {
        None => errors.push(missing("plan_area")),
        Some(area) => match plan_area(area) {
            Some(area) => settings.plan_area = Some(area),
            None => {
                let known = PlanArea::ALL.map(plan_area_name).join(", ");
                errors.push(invalid(
                    "plan_area",
                    format!("plan_area “{area}”: một trong {known}."),
                    format!("plan_area “{area}”: one of {known}."),
                ))
            }
        },
    }
    match table.get(row, "date_field").map(str::trim) {
        None => errors.push(missing("date_field")),
        Some(name) => settings.date_field = Some(name.to_owned()),
    }
    if let Some(text) = table.get(row, "withdrawn") {
        match yes_no(text) {
            Some(w) => settings.withdrawn = w,
            None => errors.push(invalid(
                "withdrawn",
                format!("withdrawn “{text}”: ghi yes hoặc no."),
                format!("withdrawn “{text}”: write yes or no."),
            )),
        }
    }
    settings
}

/// A plan area by its name, as the definition files write it.
fn plan_area(name: &str) -> Option<PlanArea> {
    let parsed: Result<PlanArea, serde::de::value::Error> = PlanArea::deserialize(name.into_deserializer());
    parsed.ok()
}

/// A plan area as the settings sheet writes it.
pub fn plan_area_name(area: PlanArea) -> String {
    serde_json::to_value(area).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}
