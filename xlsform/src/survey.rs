//! The `survey` sheet: one row per question, `begin group` … `end group` around each
//! section. Every cell is either used or refused: a column that does not apply to a row's
//! type, a `default`, an `appearance` other than `multiline`, is an error at its cell.

use std::collections::{HashMap, HashSet};

use forms::definition::{Field, FieldType, Section};
use forms::figures::Figure;
use forms::reference::ReferenceData;
use forms::{Lang, Localized};

use crate::choices::{is_reference, Lists};
use crate::error::{ErrorCode, ImportError, Place};
use crate::expr::{self, Translated};
use crate::params::{self, GroupSource};
use crate::read::{Sheet, SURVEY};
use crate::table::{is_identifier, yes_no, Known, Table, KEYWORDS};
use crate::types::{self, Kind, TypeError};

pub const KNOWN: Known = Known {
    plain: &[
        "type",
        "name",
        "required",
        "relevant",
        "constraint",
        "calculation",
        "appearance",
        "parameters",
        "default",
    ],
    localized: &["label", "hint", "constraint_message", "group_label", "sotay_figure"],
};

/// Where a section or field came from, to place what the form engine finds later.
#[derive(Debug, Clone)]
pub struct RowPlaces {
    pub row: Place,
    /// By sotay attribute: `relevant`, `constraint`, `calculate`, `parameters`, `sotay_figure`.
    pub cells: HashMap<&'static str, Place>,
    /// The expressions as translated, to find a character of the XLSForm text again.
    pub exprs: HashMap<&'static str, Translated>,
}

#[derive(Debug, Default)]
pub struct Places {
    pub fields: HashMap<String, RowPlaces>,
    pub sections: Vec<RowPlaces>,
}

#[derive(Debug, Default)]
pub struct Survey {
    pub sections: Vec<Section>,
    /// Report figures, in the order of their rows.
    pub figures: Vec<Figure>,
    pub places: Places,
}

const BASIC: [&str; 8] = ["type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message"];

/// The columns a row of this kind may fill besides [`BASIC`] (or instead, for groups,
/// calculations and notes).
fn allowed(kind: &Kind, base: &str) -> bool {
    let t = match kind {
        Kind::BeginGroup => return ["type", "name", "label", "hint", "relevant"].contains(&base),
        Kind::EndGroup => return ["type", "name"].contains(&base),
        Kind::Field(t, _) => *t,
    };
    let extra: &[&str] = match t {
        FieldType::Calculate => return ["type", "name", "label", "hint", "relevant", "calculation"].contains(&base),
        FieldType::Note => return ["type", "name", "label", "hint", "relevant"].contains(&base),
        // The engine checks photos and positions itself: no constraint.
        FieldType::Photo => {
            return ["type", "name", "label", "hint", "required", "relevant", "parameters"].contains(&base)
        }
        FieldType::Geopoint => return ["type", "name", "label", "hint", "required", "relevant"].contains(&base),
        FieldType::Text => &["appearance", "parameters"],
        FieldType::Integer => &["parameters", "sotay_figure"],
        FieldType::Decimal => &["parameters"],
        FieldType::YesNo => &["sotay_figure"],
        FieldType::CountGrid => &["parameters", "group_label"],
        _ => &[],
    };
    BASIC.contains(&base) || extra.contains(&base)
}

fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::BeginGroup => "begin group",
        Kind::EndGroup => "end group",
        Kind::Field(t, _) => types::type_text(*t),
    }
}

struct Reader<'t, 'a> {
    table: &'t Table<'a>,
    reference: &'t ReferenceData,
    errors: Vec<ImportError>,
}

pub fn read(
    sheet: Option<&Sheet>,
    lang: Lang,
    lists: &mut Lists,
    reference: &ReferenceData,
) -> (Survey, Vec<ImportError>) {
    let mut survey = Survey::default();
    let mut errors = Vec::new();
    let Some(sheet) = sheet else {
        errors.push(Place::sheet(SURVEY).error(
            ErrorCode::MissingSheet,
            "Thiếu trang “survey” (các câu hỏi).",
            "The “survey” sheet (the questions) is missing.",
        ));
        return (survey, errors);
    };
    let table = Table::new(sheet, &KNOWN, lang, &mut errors);
    for base in ["type", "name"] {
        if table.column(base).is_none() {
            errors.push(Place::row(&sheet.name, 0).error(
                ErrorCode::MissingColumn,
                format!("Trang “{}” thiếu cột “{base}”.", sheet.name),
                format!("The “{}” sheet has no “{base}” column.", sheet.name),
            ));
        }
    }
    if table.column("type").is_none() {
        return (survey, errors);
    }
    let mut r = Reader { table: &table, reference, errors };
    let mut open: Option<(Section, RowPlaces, u32)> = None;
    let mut nested = 0u32;
    let mut outside = false;
    let (mut field_names, mut section_ids) = (HashSet::new(), HashSet::new());
    for row in table.rows() {
        let Some(type_text) = table.get(row, "type") else {
            if table.cells(row).iter().any(|(_, t)| !t.trim().is_empty()) {
                r.errors.push(table.place_of(row, "type").error(
                    ErrorCode::MissingValue,
                    "Dòng có nội dung nhưng không có type.",
                    "A row with content but no type.",
                ));
            }
            continue;
        };
        let kind = match types::parse(type_text) {
            Ok(kind) => kind,
            Err(e) => {
                let type_text = type_text.trim();
                let (code, vi, en) = match e {
                    TypeError::Unsupported { vi, en } => (
                        ErrorCode::UnsupportedType,
                        format!("sotay không hỗ trợ “{type_text}”: {vi}."),
                        format!("sotay does not support “{type_text}”: {en}."),
                    ),
                    TypeError::Unknown => (
                        ErrorCode::UnknownType,
                        format!("Không có loại câu hỏi “{type_text}”."),
                        format!("There is no question type “{type_text}”."),
                    ),
                };
                r.errors.push(table.place_of(row, "type").error(code, vi, en));
                continue;
            }
        };
        r.applicable(row, &kind);
        match kind {
            Kind::BeginGroup => {
                outside = false;
                if open.is_some() || nested > 0 {
                    nested += 1;
                    r.errors.push(table.place_of(row, "type").error(
                        ErrorCode::Group,
                        "Nhóm nằm trong nhóm: các phần của biểu mẫu sotay không lồng nhau.",
                        "A group inside a group: sotay's sections do not nest.",
                    ));
                    continue;
                }
                let name = r.name(row, &mut section_ids, false);
                let title = r.required_text(row, "label");
                let help = r.text(row, "hint");
                let mut places = r.places(row);
                let relevant = r.expression(row, "relevant", "relevant", &mut places);
                let section = Section {
                    id: name.unwrap_or_default(),
                    title: title.unwrap_or_default(),
                    help,
                    relevant,
                    fields: Vec::new(),
                };
                open = Some((section, places, row));
            }
            Kind::EndGroup => {
                if nested > 0 {
                    nested -= 1;
                } else if let Some((section, places, _)) = open.take() {
                    if let Some(name) = table.get(row, "name").map(str::trim) {
                        if name != section.id {
                            r.errors.push(table.place_of(row, "name").error(
                                ErrorCode::Group,
                                format!("“end group {name}” đóng nhóm “{}”.", section.id),
                                format!("“end group {name}” closes the group “{}”.", section.id),
                            ));
                        }
                    }
                    survey.sections.push(section);
                    survey.places.sections.push(places);
                } else {
                    r.errors.push(table.place_of(row, "type").error(
                        ErrorCode::Group,
                        "“end group” không có “begin group” tương ứng.",
                        "“end group” without a “begin group”.",
                    ));
                }
            }
            Kind::Field(t, list) => {
                let field = r.field(row, t, list, lists, &mut field_names);
                match (&mut open, field) {
                    (Some((section, _, _)), Some((field, places, figure))) => {
                        survey.figures.extend(figure);
                        survey.places.fields.insert(field.name.clone(), places);
                        section.fields.push(field);
                    }
                    (Some(_), None) => {}
                    (None, _) if !outside => {
                        outside = true;
                        r.errors.push(table.place_of(row, "type").error(
                            ErrorCode::OutsideGroup,
                            "Câu hỏi này (và các câu sau nó đến “begin group” tiếp theo) không thuộc nhóm nào: mỗi câu hỏi của sotay thuộc một phần, giữa “begin group” và “end group”.",
                            "This question (and those after it up to the next “begin group”) is outside any group: every sotay question belongs to a section, between “begin group” and “end group”.",
                        ));
                    }
                    (None, _) => {}
                }
            }
        }
    }
    if let Some((section, _, row)) = open {
        r.errors.push(table.place_of(row, "type").error(
            ErrorCode::Group,
            format!("Nhóm “{}” không có “end group”.", section.id),
            format!("The group “{}” has no “end group”.", section.id),
        ));
    }
    (survey, r.errors)
}

impl Reader<'_, '_> {
    /// Every filled cell of the row must mean something for its kind.
    fn applicable(&mut self, row: u32, kind: &Kind) {
        for (column, text) in self.table.cells(row) {
            let at = self.table.place(row, column);
            let header = &column.header;
            if column.base == "default" {
                self.errors.push(at.error(
                    ErrorCode::UnsupportedValue,
                    "sotay không có câu trả lời mặc định (default); hãy xoá ô này.",
                    "sotay has no default answers; empty this cell.",
                ));
            } else if !allowed(kind, &column.base) {
                let k = kind_name(kind);
                let evidence = matches!(kind, Kind::Field(FieldType::Photo | FieldType::Geopoint, _));
                let (vi, en) = if evidence && column.base.starts_with("constraint") {
                    (
                        " sotay tự kiểm tra ảnh (số ảnh: tham số max_photos của câu image) và vị trí GPS.",
                        " sotay checks photos (how many: an image question's parameter max_photos) and GPS positions itself.",
                    )
                } else {
                    ("", "")
                };
                self.errors.push(at.error(
                    ErrorCode::NotApplicable,
                    format!("Cột “{header}” không dùng cho dòng loại {k}.{vi}"),
                    format!("The column “{header}” does not apply to a row of type {k}.{en}"),
                ));
            } else if column.base == "appearance" && text.trim() != "multiline" {
                self.errors.push(at.error(
                    ErrorCode::UnsupportedValue,
                    format!("appearance “{}”: sotay chỉ có “multiline” (câu trả lời dài) cho câu text.", text.trim()),
                    format!(
                        "appearance “{}”: sotay has only “multiline” (a long answer) on a text question.",
                        text.trim()
                    ),
                ));
            }
        }
    }

    fn places(&self, row: u32) -> RowPlaces {
        let mut cells = HashMap::new();
        for (attr, base) in [
            ("type", "type"),
            ("relevant", "relevant"),
            ("constraint", "constraint"),
            ("calculate", "calculation"),
            ("parameters", "parameters"),
        ] {
            cells.insert(attr, self.table.place_of(row, base));
        }
        let figure = self.localized_place(row, "sotay_figure");
        cells.insert("sotay_figure", figure);
        RowPlaces { row: Place::row(self.table.name(), row), cells, exprs: HashMap::new() }
    }

    fn localized_place(&self, row: u32, base: &str) -> Place {
        self.table.localized_place(row, base)
    }

    /// The row's `name`: a sotay identifier, not used before in `seen`.
    /// A question's `name` must be an identifier expressions can name; a section's id need
    /// only be there and unique, as the form engine asks no more of it.
    fn name(&mut self, row: u32, seen: &mut HashSet<String>, question: bool) -> Option<String> {
        let at = self.table.place_of(row, "name");
        let Some(name) = self.table.get(row, "name").map(str::trim) else {
            self.errors.push(at.error(ErrorCode::MissingValue, "Thiếu name.", "The name is missing."));
            return None;
        };
        if question && (!is_identifier(name) || KEYWORDS.contains(&name)) {
            self.errors.push(at.error(
                ErrorCode::InvalidValue,
                format!("name “{name}”: chỉ gồm chữ thường không dấu, số và _, bắt đầu bằng chữ, và không phải and, or, not, true, false, null."),
                format!("name “{name}”: lower-case letters, digits and _, starting with a letter, and not and, or, not, true, false, null."),
            ));
            return None;
        }
        if !seen.insert(name.to_owned()) {
            self.errors.push(at.error(
                ErrorCode::DuplicateName,
                format!("name “{name}” đã dùng ở dòng trên."),
                format!("The name “{name}” is used above already."),
            ));
            return None;
        }
        Some(name.to_owned())
    }

    /// A text in both languages, if written; labels show no answers (`${…}`).
    fn text(&mut self, row: u32, base: &str) -> Option<Localized> {
        match self.table.localized(row, base) {
            Ok(Some(text)) if text.vi.contains("${") || text.en.contains("${") => {
                self.errors.push(self.localized_place(row, base).error(
                    ErrorCode::UnsupportedInterpolation,
                    "Nội dung của sotay là văn bản thuần, không hiện câu trả lời (${…}).",
                    "sotay's texts are plain text; they cannot show answers (${…}).",
                ));
                None
            }
            Ok(text) => text,
            Err(e) => {
                self.errors.push(*e);
                None
            }
        }
    }

    fn required_text(&mut self, row: u32, base: &str) -> Option<Localized> {
        let before = self.errors.len();
        let text = self.text(row, base);
        if text.is_none() && self.errors.len() == before {
            self.errors.push(self.localized_place(row, base).error(
                ErrorCode::MissingValue,
                format!("Thiếu {base} (tiếng Việt và tiếng Anh)."),
                format!("The {base} is missing (Vietnamese and English)."),
            ));
        }
        text
    }

    /// An expression column, translated to sotay's syntax and parsed.
    fn expression(&mut self, row: u32, base: &str, attr: &'static str, places: &mut RowPlaces) -> Option<String> {
        let text = self.table.get(row, base)?;
        let at = self.table.place_of(row, base);
        let translated = match expr::from_xlsform(text) {
            Ok(t) => t,
            Err(f) => {
                let (vi, en) = (format!("Ký tự {}: {}", f.at, f.vi), format!("Character {}: {}", f.at, f.en));
                self.errors.push(at.error(f.code, vi, en));
                return None;
            }
        };
        if let Err(e) = forms::expr::parse(&translated.sotay) {
            let c = translated.xlsform_char(e.pos);
            self.errors.push(at.error(
                ErrorCode::Expression,
                format!("Ký tự {c}: {}", crate::messages::vietnamese(&e.message)),
                format!("Character {c}: {}", e.message),
            ));
            return None;
        }
        let sotay = translated.sotay.clone();
        places.exprs.insert(attr, translated);
        Some(sotay)
    }

    fn field(
        &mut self,
        row: u32,
        t: FieldType,
        list: Option<String>,
        lists: &mut Lists,
        names: &mut HashSet<String>,
    ) -> Option<(Field, RowPlaces, Option<Figure>)> {
        let start = self.errors.len();
        let table = self.table;
        let mut places = self.places(row);
        let name = self.name(row, names, true);
        let label = self.required_text(row, "label");
        let hint = self.text(row, "hint");
        let t = match (t, table.get(row, "appearance").map(str::trim)) {
            (FieldType::Text, Some("multiline")) => FieldType::LongText,
            (t, _) => t,
        };
        let required = match table.get(row, "required") {
            None => false,
            Some(text) => yes_no(text).unwrap_or_else(|| {
                let at = table.place_of(row, "required");
                self.errors.push(at.error(
                    ErrorCode::UnsupportedValue,
                    format!(
                        "required “{}”: ghi yes hoặc no; sotay không có điều kiện bắt buộc (hãy dùng relevant).",
                        text.trim()
                    ),
                    format!(
                        "required “{}”: write yes or no; sotay has no conditional required (use relevant).",
                        text.trim()
                    ),
                ));
                false
            }),
        };
        let relevant = self.expression(row, "relevant", "relevant", &mut places);
        let constraint = self.expression(row, "constraint", "constraint", &mut places);
        let constraint_message = self.text(row, "constraint_message");
        if table.get(row, "constraint").is_some() != constraint_message.is_some() && self.errors.len() == start {
            let (at, vi, en) = if constraint_message.is_some() {
                (
                    table.place_of(row, "constraint"),
                    "constraint_message cần constraint.",
                    "constraint_message needs a constraint.",
                )
            } else {
                (
                    self.localized_place(row, "constraint_message"),
                    "constraint cần constraint_message (tiếng Việt và tiếng Anh).",
                    "A constraint needs a constraint_message (Vietnamese and English).",
                )
            };
            self.errors.push(at.error(ErrorCode::MissingValue, vi, en));
        }
        let calculate = self.expression(row, "calculation", "calculate", &mut places);
        if t == FieldType::Calculate && table.get(row, "calculation").is_none() {
            self.errors.push(table.place_of(row, "calculation").error(
                ErrorCode::MissingValue,
                "Câu calculate cần cột calculation.",
                "A calculate row needs a calculation.",
            ));
        }
        let (options, list) = match list {
            None => (None, None),
            Some(l) => match lists.take(&l) {
                Some(options) => (Some(options), None),
                None if is_reference(self.reference, &l) => (None, Some(l)),
                None => {
                    let hint_vi = if l == "yes_no" { " Câu có/không dùng loại yes_no." } else { "" };
                    let hint_en = if l == "yes_no" { " A yes/no question is of type yes_no." } else { "" };
                    self.errors.push(table.place_of(row, "type").error(
                        ErrorCode::UnknownList,
                        format!("Không có danh sách “{l}” trong trang choices, cũng không có danh mục dùng chung tên này.{hint_vi}"),
                        format!("There is no list “{l}” in the choices sheet, nor a reference list of that name.{hint_en}"),
                    ));
                    (None, None)
                }
            },
        };
        let group_label = self.text(row, "group_label");
        let label_at = self.localized_place(row, "group_label");
        let mut take = |list: &str| lists.take(list);
        let group = GroupSource { options: &mut take, label: group_label, label_at };
        let params_at = table.place_of(row, "parameters");
        let applied =
            params::apply(t, table.get(row, "parameters"), &params_at, self.reference, group, &mut self.errors);
        let figure = self.text(row, "sotay_figure");
        let name = name?;
        if self.errors.len() > start {
            return None;
        }
        let figure = figure.map(|label| Figure { field: name.clone(), label });
        let field = Field {
            name,
            field_type: t,
            label: label?,
            hint,
            required,
            relevant,
            constraint,
            constraint_message,
            calculate,
            min: applied.min,
            max: applied.max,
            max_length: applied.max_length,
            options,
            list,
            personal_data_warning: applied.personal_data_warning,
            grid: applied.grid,
            max_photos: applied.max_photos,
        };
        Some((field, places, figure))
    }
}
