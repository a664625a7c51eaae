//! What is wrong with an upload, and exactly where: the sheet, the row as Excel numbers it,
//! the column (its letter and its header) and a message in Vietnamese and English. Every
//! error of an upload is collected; none stops the others being found.

use serde::Serialize;

/// What kind of mistake an [`ImportError`] is, for programs (the console groups by it); people
/// read the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not an .xlsx workbook, damaged, or larger than an upload may be.
    Unreadable,
    /// `survey`, `choices` or `settings` is missing (or there twice).
    MissingSheet,
    /// An XLSForm sheet sotay does not support (`external_choices`, `entities`, `osm`).
    UnsupportedSheet,
    /// A column every row or the settings need is not there.
    MissingColumn,
    /// Two columns say the same thing (the same header twice, or a plain `label` and
    /// `label::Tiếng Việt (vi)` both filled in on one row).
    DuplicateColumn,
    /// A column sotay has no use for, with something written in it.
    UnsupportedColumn,
    /// A column in a language other than Vietnamese and English.
    UnsupportedLanguage,
    /// A question type sotay does not support (`begin repeat`, `geoshape`, `image`…).
    UnsupportedType,
    /// A type that is not XLSForm's nor sotay's.
    UnknownType,
    /// A column that does not apply to this row's type (`calculation` on a text question…).
    NotApplicable,
    /// A value sotay cannot take: an `appearance` other than `multiline`, a `default`, a
    /// `required` condition…
    UnsupportedValue,
    /// A value that is malformed: `required` neither yes nor no, a version that is not a
    /// whole number, an unknown `plan_area`…
    InvalidValue,
    /// A value that must be given is empty (a question's name, a label).
    MissingValue,
    /// A text given in one working language but not the other.
    MissingTranslation,
    /// Text showing an answer (`${field}` in a label): sotay's labels are plain text.
    UnsupportedInterpolation,
    /// `select_one x` where `x` is neither a list of the `choices` sheet nor a reference list.
    UnknownList,
    /// A `choices` list no question uses.
    UnusedList,
    /// A `choices` list named like a reference list (`agencies`…): which one is meant?
    ReservedListName,
    /// A name used twice (questions, groups).
    DuplicateName,
    /// A choice name used twice in one list.
    DuplicateChoice,
    /// `begin group` / `end group` do not match, or a group sits inside a group.
    Group,
    /// A question outside any group: sotay's questions belong to sections.
    OutsideGroup,
    /// A `parameters` entry that is unknown, repeated or malformed.
    InvalidParameter,
    /// An XLSForm function sotay's expressions lack (`regex`, `concat`, `today`…).
    UnsupportedFunction,
    /// XPath sotay's expressions lack (paths, `mod`, predicates…).
    UnsupportedExpression,
    /// An expression that does not parse, or names an unknown field, or mixes types.
    Expression,
    /// Anything else the form engine finds wrong with the definition.
    Definition,
    /// A report figure that cannot be one.
    Figure,
}

/// One mistake in an uploaded workbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}: {message_en}", self.place())]
pub struct ImportError {
    /// The sheet's name as the workbook spells it (`survey`, `choices`, `settings`); empty
    /// for the file as a whole (not a workbook, damaged, too large).
    pub sheet: String,
    /// 1-based, as Excel and LibreOffice number rows; `None` for the whole sheet.
    pub row: Option<u32>,
    /// The column's letter (`A`, `AB`), where the mistake is in one cell or column.
    pub column: Option<String>,
    /// The column's header (`constraint`, `label::English (en)`), where it has one.
    pub header: Option<String>,
    pub code: ErrorCode,
    pub message_vi: String,
    pub message_en: String,
}

impl ImportError {
    /// "survey!D12 (constraint)", "settings", "choices!7", "workbook".
    pub fn place(&self) -> String {
        let mut s = if self.sheet.is_empty() { "workbook".to_owned() } else { self.sheet.clone() };
        match (&self.column, self.row) {
            (Some(c), Some(r)) => s += &format!("!{c}{r}"),
            (Some(c), None) => s += &format!("!{c}"),
            (None, Some(r)) => s += &format!("!{r}"),
            (None, None) => {}
        }
        if let Some(h) = &self.header {
            s += &format!(" ({h})");
        }
        s
    }
}

/// Where something is: a sheet, maybe a row (0-based as stored), maybe a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    pub sheet: String,
    pub row: Option<u32>,
    pub column: Option<(u32, String)>,
}

impl Place {
    pub fn sheet(sheet: &str) -> Place {
        Place { sheet: sheet.to_owned(), row: None, column: None }
    }

    pub fn row(sheet: &str, row: u32) -> Place {
        Place { sheet: sheet.to_owned(), row: Some(row), column: None }
    }

    pub fn cell(sheet: &str, row: u32, column: u32, header: &str) -> Place {
        Place { sheet: sheet.to_owned(), row: Some(row), column: Some((column, header.to_owned())) }
    }

    pub fn error(&self, code: ErrorCode, vi: impl Into<String>, en: impl Into<String>) -> ImportError {
        let (column, header) = match &self.column {
            Some((c, h)) => (Some(column_letter(*c)), (!h.is_empty()).then(|| h.clone())),
            None => (None, None),
        };
        ImportError {
            sheet: self.sheet.clone(),
            row: self.row.map(|r| r + 1),
            column,
            header,
            code,
            message_vi: vi.into(),
            message_en: en.into(),
        }
    }
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`: the letters Excel shows above a column.
pub fn column_letter(index: u32) -> String {
    let mut n = u64::from(index) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A definition that cannot be written as a workbook.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

#[cfg(test)]
mod tests {
    #[test]
    fn column_letters_are_excels() {
        let letters: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702].into_iter().map(super::column_letter).collect();
        assert_eq!(letters, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }
}
