//! Workbooks for the tests, written with rust_xlsxwriter as a person's spreadsheet would be:
//! rows given by header, so a case reads like the XLSForm it is.

#![allow(dead_code)]

use std::path::Path;

use forms::catalog::parse_definition;
use forms::definition::FormDefinition;
use forms::figures::{parse_figures, FormFigures};
use forms::reference::ReferenceData;
use forms::Catalog;
use rust_xlsxwriter::Workbook;
use xlsform::{ErrorCode, ImportError};

/// One row: values by header. `label`, `hint`, `constraint_message`, `group_label`,
/// `sotay_figure` and `form_title` written as `"vi|en"` fill both language columns.
pub type Row<'a> = &'a [(&'a str, &'a str)];

const LOCALIZED: [&str; 7] =
    ["label", "hint", "constraint_message", "group_label", "sotay_figure", "form_title", "form_help"];

/// The survey's columns, as sotay's export writes them: A type, B name, C/D label, E/F hint,
/// G required, H relevant, I constraint, J/K constraint_message, L calculation,
/// M appearance, N parameters, O/P group_label, Q/R sotay_figure, S default.
pub const SURVEY_HEADERS: [&str; 19] = [
    "type",
    "name",
    "label::Tiếng Việt (vi)",
    "label::English (en)",
    "hint::Tiếng Việt (vi)",
    "hint::English (en)",
    "required",
    "relevant",
    "constraint",
    "constraint_message::Tiếng Việt (vi)",
    "constraint_message::English (en)",
    "calculation",
    "appearance",
    "parameters",
    "group_label::Tiếng Việt (vi)",
    "group_label::English (en)",
    "sotay_figure::Tiếng Việt (vi)",
    "sotay_figure::English (en)",
    "default",
];

pub const CHOICES_HEADERS: [&str; 4] = ["list_name", "name", "label::Tiếng Việt (vi)", "label::English (en)"];

pub const SETTINGS_HEADERS: [&str; 6] =
    ["form_id", "version", "form_title::Tiếng Việt (vi)", "form_title::English (en)", "plan_area", "date_field"];

/// A sheet as headers and rows of (header, value); a header not in `headers` is added.
pub fn sheet_rows(headers: &[&str], rows: &[Row]) -> Vec<Vec<String>> {
    let mut headers: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    let mut out = Vec::new();
    for row in rows {
        let mut cells: Vec<(String, String)> = Vec::new();
        for (key, value) in row.iter() {
            match value.split_once('|').filter(|_| LOCALIZED.contains(key)) {
                Some((vi, en)) => {
                    cells.push((format!("{key}::Tiếng Việt (vi)"), vi.to_owned()));
                    cells.push((format!("{key}::English (en)"), en.to_owned()));
                }
                None => cells.push(((*key).to_owned(), (*value).to_owned())),
            }
        }
        for (key, _) in &cells {
            if !headers.contains(key) {
                headers.push(key.clone());
            }
        }
        out.push(
            headers
                .iter()
                .map(|h| cells.iter().find(|(k, _)| k == h).map(|(_, v)| v.clone()).unwrap_or_default())
                .collect(),
        );
    }
    let mut table = vec![headers];
    table.extend(out);
    table
}

/// A workbook of the given sheets (name, table of text).
pub fn workbook(sheets: &[(&str, Vec<Vec<String>>)]) -> Vec<u8> {
    let mut book = Workbook::new();
    for (name, table) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in table.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if !value.is_empty() {
                    sheet.write_string(r as u32, c as u16, value).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

pub const DAY: Row = &[("type", "date"), ("name", "day"), ("label", "Ngày|Day"), ("required", "yes")];

/// The smallest valid form — settings, a group `main` with the required date `day` (survey
/// rows 2–3) — with `inside` after `day` (from row 4), then `end group`, then `after`.
pub fn probe(inside: &[Row], after: &[Row], choices: &[Row]) -> Vec<u8> {
    let mut survey: Vec<Row> = vec![&[("type", "begin group"), ("name", "main"), ("label", "Chính|Main")], DAY];
    survey.extend_from_slice(inside);
    survey.push(&[("type", "end group")]);
    survey.extend_from_slice(after);
    workbook(&[
        ("survey", sheet_rows(&SURVEY_HEADERS, &survey)),
        ("choices", sheet_rows(&CHOICES_HEADERS, choices)),
        ("settings", settings(&[])),
    ])
}

/// The probe's settings, with `extra` columns added or replacing.
pub fn settings(extra: Row) -> Vec<Vec<String>> {
    let mut row: Vec<(&str, &str)> = vec![
        ("form_id", "probe"),
        ("version", "1"),
        ("form_title", "Thử|Probe"),
        ("plan_area", "training"),
        ("date_field", "day"),
    ];
    for (k, v) in extra {
        row.retain(|(key, _)| key != k);
        row.push((k, v));
    }
    sheet_rows(&SETTINGS_HEADERS, &[&row])
}

pub fn reference() -> ReferenceData {
    Catalog::bundled().expect("the bundled catalog loads").reference().clone()
}

/// Every shipped form version (`forms/definitions/<form>/v<N>.toml`), found by listing the
/// directory, with its form's figures.
pub fn shipped() -> Vec<(String, FormDefinition, Option<FormFigures>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms/definitions");
    let mut out = Vec::new();
    let mut forms: Vec<_> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    forms.sort();
    for dir in forms {
        let form = dir.file_name().unwrap().to_string_lossy().into_owned();
        let figures_path = dir.join("figures.toml");
        let figures = figures_path.is_file().then(|| {
            let text = std::fs::read_to_string(&figures_path).unwrap();
            parse_figures(&format!("{form}/figures.toml"), &text).unwrap().1
        });
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if !(name.starts_with('v') && name.ends_with(".toml")) {
                continue;
            }
            let path = format!("{form}/{name}");
            let (_, def) = parse_definition(&path, &std::fs::read_to_string(&file).unwrap()).unwrap();
            out.push((path, def, figures.clone()));
        }
    }
    assert!(out.len() >= 7, "the shipped forms were found ({} versions)", out.len());
    out
}

/// A form's figures as one version can hold them: those whose field it has, in order.
pub fn figures_of(def: &FormDefinition, figures: Option<&FormFigures>) -> Option<FormFigures> {
    let names: Vec<&str> = def.sections.iter().flat_map(|s| &s.fields).map(|f| f.name.as_str()).collect();
    let kept: Vec<_> = figures?.figures.iter().filter(|f| names.contains(&f.field.as_str())).cloned().collect();
    (!kept.is_empty()).then(|| FormFigures { form: def.id.clone(), figures: kept })
}

// ---------------------------------------------------------------------------------------------
// Refusals: where an error must be.
// ---------------------------------------------------------------------------------------------

pub fn errors(bytes: &[u8]) -> Vec<ImportError> {
    match xlsform::import(bytes, &reference()) {
        Ok(imported) => panic!("imported, though it should not: {imported:#?}"),
        Err(errors) => errors,
    }
}

/// Where an error must be: sheet, row, column letter, code, and a word of its English.
pub type At<'a> = (&'a str, Option<u32>, Option<&'a str>, ErrorCode, &'a str);

pub fn assert_has(errors: &[ImportError], (sheet, row, column, code, word): At, what: &str) {
    let found = errors.iter().any(|e| {
        e.sheet == sheet
            && e.row == row
            && e.column.as_deref() == column
            && e.code == code
            && e.message_en.contains(word)
    });
    assert!(
        found,
        "{what}: no {code:?} at {sheet}!{}{} mentioning “{word}” in\n{errors:#?}",
        column.unwrap_or(""),
        row.map_or(String::new(), |r| r.to_string())
    );
    for e in errors {
        assert!(!e.message_vi.is_empty() && !e.message_en.is_empty(), "{what}: both languages, always: {e:?}");
    }
}
