//! A definition written as an XLSForm workbook: the inverse of the importer, so that
//! exporting a form and importing the file gives the same definition back.
//!
//! Inline options become `choices` lists named after their question (or, for a count grid's
//! third dimension, after the dimension); a name a reference list already has, or one
//! taken, gets a suffix.

use std::collections::BTreeSet;

use forms::definition::{ChoiceOption, Field, FieldType, FormDefinition};
use forms::figures::FormFigures;
use forms::reference::ReferenceData;
use forms::{Lang, Localized};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::error::ExportError;
use crate::expr::to_xlsform;
use crate::settings::plan_area_name;
use crate::table::header;
use crate::types::type_text;

/// The survey sheet's columns, in order; a `::` marks a column written once per language.
const SURVEY_COLUMNS: [&str; 13] = [
    "type",
    "name",
    "label::",
    "hint::",
    "required",
    "relevant",
    "constraint",
    "constraint_message::",
    "calculation",
    "appearance",
    "parameters",
    "group_label::",
    "sotay_figure::",
];

const SETTINGS_COLUMNS: [&str; 8] =
    ["form_id", "version", "form_title::", "form_help::", "plan_area", "date_field", "withdrawn", "default_language"];

/// One row of a sheet: a value per column name (language columns as `label::vi`…).
type Row = Vec<(String, String)>;

fn headers(columns: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in columns {
        match c.strip_suffix("::") {
            Some(base) => {
                out.push((format!("{base}::vi"), header(base, Lang::Vi)));
                out.push((format!("{base}::en"), header(base, Lang::En)));
            }
            None => out.push(((*c).to_owned(), (*c).to_owned())),
        }
    }
    out
}

fn put(row: &mut Row, key: &str, value: impl Into<String>) {
    let value = value.into();
    if !value.is_empty() {
        row.push((key.to_owned(), value));
    }
}

fn put_text(row: &mut Row, base: &str, text: Option<&Localized>) {
    if let Some(t) = text {
        put(row, &format!("{base}::vi"), t.vi.clone());
        put(row, &format!("{base}::en"), t.en.clone());
    }
}

/// Names the `choices` lists: unique, and never a reference list's name.
struct ListNames {
    reserved: BTreeSet<String>,
    lists: Vec<(String, Vec<ChoiceOption>)>,
}

impl ListNames {
    /// The list for `options`, wanted under `name`: an identical list already named so is
    /// shared.
    fn add(&mut self, name: &str, options: &[ChoiceOption]) -> String {
        if self.lists.iter().any(|(n, o)| n == name && o == options) {
            return name.to_owned();
        }
        let taken = |n: &str| self.reserved.contains(n) || self.lists.iter().any(|(l, _)| l == n);
        let mut candidate = name.to_owned();
        let mut i = 1;
        while taken(&candidate) {
            i += 1;
            candidate = format!("{name}_{i}");
        }
        self.lists.push((candidate.clone(), options.to_vec()));
        candidate
    }
}

fn number(n: f64) -> String {
    format!("{n}")
}

fn parameters(f: &Field, names: &mut ListNames) -> String {
    let mut p: Vec<String> = Vec::new();
    if let Some(n) = f.max_length {
        p.push(format!("max_length={n}"));
    }
    if let Some(b) = f.personal_data_warning {
        p.push(format!("personal_data_warning={}", if b { "yes" } else { "no" }));
    }
    if let Some(n) = f.min {
        p.push(format!("min={}", number(n)));
    }
    if let Some(n) = f.max {
        p.push(format!("max={}", number(n)));
    }
    // Written whenever the definition has it (`max_photos=1` too), so the import gives the
    // same definition back.
    if let Some(n) = f.max_photos {
        p.push(format!("max_photos={n}"));
    }
    if let Some(g) = &f.grid {
        p.push(format!("shortlist={}", g.shortlist));
        p.push(format!("max_cell={}", g.max_cell));
        if g.ethnicity_list != "ethnic_groups" {
            p.push(format!("ethnicity_list={}", g.ethnicity_list));
        }
        if let Some(group) = &g.group {
            let list = names.add(&group.name, &group.options);
            p.push(format!("group={list}"));
            if list != group.name {
                p.push(format!("group_name={}", group.name));
            }
        }
    }
    p.join(" ")
}

fn field_row(f: &Field, names: &mut ListNames, figures: Option<&FormFigures>) -> Row {
    let mut row = Row::new();
    let t = match (&f.options, &f.list) {
        (Some(options), _) => format!("{} {}", type_text(f.field_type), names.add(&f.name, options)),
        (None, Some(list)) => format!("{} {list}", type_text(f.field_type)),
        (None, None) => type_text(f.field_type).to_owned(),
    };
    put(&mut row, "type", t);
    put(&mut row, "name", f.name.clone());
    put_text(&mut row, "label", Some(&f.label));
    put_text(&mut row, "hint", f.hint.as_ref());
    if f.required {
        put(&mut row, "required", "yes");
    }
    put(&mut row, "relevant", f.relevant.as_deref().map(to_xlsform).unwrap_or_default());
    put(&mut row, "constraint", f.constraint.as_deref().map(to_xlsform).unwrap_or_default());
    put_text(&mut row, "constraint_message", f.constraint_message.as_ref());
    put(&mut row, "calculation", f.calculate.as_deref().map(to_xlsform).unwrap_or_default());
    if f.field_type == FieldType::LongText {
        put(&mut row, "appearance", "multiline");
    }
    put(&mut row, "parameters", parameters(f, names));
    put_text(&mut row, "group_label", f.grid.as_ref().and_then(|g| g.group.as_ref()).map(|g| &g.label));
    let figure = figures.and_then(|fs| fs.figures.iter().find(|fig| fig.field == f.name));
    put_text(&mut row, "sotay_figure", figure.map(|fig| &fig.label));
    row
}

/// The survey's rows, and the choices lists they name.
fn survey(def: &FormDefinition, figures: Option<&FormFigures>, reference: &ReferenceData) -> (Vec<Row>, ListNames) {
    let reserved = reference.lists.keys().chain(reference.unit_lists.keys()).cloned().collect();
    let mut names = ListNames { reserved, lists: Vec::new() };
    let mut rows = Vec::new();
    for section in &def.sections {
        let mut begin = Row::new();
        put(&mut begin, "type", "begin group");
        put(&mut begin, "name", section.id.clone());
        put_text(&mut begin, "label", Some(&section.title));
        put_text(&mut begin, "hint", section.help.as_ref());
        put(&mut begin, "relevant", section.relevant.as_deref().map(to_xlsform).unwrap_or_default());
        rows.push(begin);
        for field in &section.fields {
            rows.push(field_row(field, &mut names, figures));
        }
        let mut end = Row::new();
        put(&mut end, "type", "end group");
        rows.push(end);
    }
    (rows, names)
}

fn write_sheet(
    sheet: &mut Worksheet,
    name: &str,
    columns: &[(String, String)],
    rows: &[Row],
) -> Result<(), ExportError> {
    let bold = Format::new().set_bold();
    // Text format on every column: an option `01` typed in Excel stays `01`.
    let text = Format::new().set_num_format("@");
    sheet.set_name(name)?;
    for (c, (key, title)) in columns.iter().enumerate() {
        let c = c as u16;
        sheet.set_column_format(c, &text)?;
        let wide = key.starts_with("label") || key.starts_with("hint") || key.starts_with("constraint_message");
        sheet.set_column_width(c, if wide { 40 } else { 18 })?;
        sheet.write_string_with_format(0, c, title, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (key, value) in row {
            if let Some(c) = columns.iter().position(|(k, _)| k == key) {
                sheet.write_string(r as u32 + 1, c as u16, value)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The XLSForm workbook of a definition (one that compiles) and its form's report figures
/// (those of its fields this version has).
pub fn export(
    definition: &FormDefinition,
    figures: Option<&FormFigures>,
    reference: &ReferenceData,
) -> Result<Vec<u8>, ExportError> {
    let (survey_rows, names) = survey(definition, figures, reference);
    let mut choice_rows = Vec::new();
    for (list, options) in &names.lists {
        for o in options {
            let mut row = Row::new();
            put(&mut row, "list_name", list.clone());
            put(&mut row, "name", o.value.clone());
            put_text(&mut row, "label", Some(&o.label));
            choice_rows.push(row);
        }
    }
    let mut settings = Row::new();
    put(&mut settings, "form_id", definition.id.clone());
    put(&mut settings, "version", definition.version.to_string());
    put_text(&mut settings, "form_title", Some(&definition.title));
    put_text(&mut settings, "form_help", definition.help.as_ref());
    put(&mut settings, "plan_area", plan_area_name(definition.plan_area));
    put(&mut settings, "date_field", definition.date_field.clone());
    if definition.withdrawn {
        put(&mut settings, "withdrawn", "yes");
    }
    put(&mut settings, "default_language", "Tiếng Việt (vi)");

    let mut book = Workbook::new();
    write_sheet(book.add_worksheet(), "survey", &headers(&SURVEY_COLUMNS), &survey_rows)?;
    write_sheet(book.add_worksheet(), "choices", &headers(&["list_name", "name", "label::"]), &choice_rows)?;
    write_sheet(book.add_worksheet(), "settings", &headers(&SETTINGS_COLUMNS), &[settings])?;
    Ok(book.save_to_buffer()?)
}
