//! A sheet read as a table: its first row names the columns, XLSForm style — `name`,
//! `label`, `label::Tiếng Việt (vi)`, `label::English (en)`. Texts come in sotay's two
//! working languages; a plain column (`label`) is in the form's default language.

use std::collections::BTreeMap;

use forms::{Lang, Localized};

use crate::error::{ErrorCode, ImportError, Place};
use crate::read::Sheet;

/// A column's meaning, from its header.
#[derive(Debug, Clone)]
pub struct Column {
    pub index: u32,
    pub header: String,
    /// Lower case, spaces as `_`: `label`, `list_name`, `constraint_message`.
    pub base: String,
    /// `None` for a plain column; `Some(Err(text))` for a language sotay does not have.
    pub lang: Option<Result<Lang, String>>,
}

/// What a sheet's columns may be: plain ones, and the ones given per language.
pub struct Known {
    pub plain: &'static [&'static str],
    pub localized: &'static [&'static str],
}

pub struct Table<'a> {
    pub sheet: &'a Sheet,
    pub columns: Vec<Column>,
    /// The language of plain text columns (`settings`' `default_language`, else Vietnamese).
    pub default_lang: Lang,
}

/// `Tiếng Việt (vi)`, `English (en)`, `vi`, `English`: which working language, if either.
pub fn language(text: &str) -> Option<Lang> {
    let text = text.trim();
    let code = match (text.rfind('('), text.strip_suffix(')')) {
        (Some(open), Some(inner)) => inner[open + 1..].trim().to_lowercase(),
        _ => text.to_lowercase(),
    };
    match code.as_str() {
        "vi" | "vie" | "vietnamese" | "tiếng việt" => Some(Lang::Vi),
        "en" | "eng" | "english" => Some(Lang::En),
        _ => None,
    }
}

/// The header a language column has when sotay writes it.
pub fn header(base: &str, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!("{base}::Tiếng Việt (vi)"),
        Lang::En => format!("{base}::English (en)"),
    }
}

pub fn lang_name(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Vi => ("tiếng Việt", "Vietnamese"),
        Lang::En => ("tiếng Anh", "English"),
    }
}

impl<'a> Table<'a> {
    /// Reads the header row; reports headers repeated, languages sotay lacks and columns it
    /// does not know — the last two only where a cell below says something, as an empty
    /// column loses nothing.
    pub fn new(sheet: &'a Sheet, known: &Known, default_lang: Lang, errors: &mut Vec<ImportError>) -> Table<'a> {
        let mut columns: Vec<Column> = Vec::new();
        let header_row = sheet.rows.get(&0).cloned().unwrap_or_default();
        for (&index, text) in &header_row {
            let header = text.trim().to_owned();
            let (base, lang) = match header.split_once("::") {
                Some((base, lang)) => (base, Some(language(lang).ok_or_else(|| lang.trim().to_owned()))),
                None => (header.as_str(), None),
            };
            let base = base.trim().to_lowercase().replace(' ', "_");
            let column = Column { index, header: header.clone(), base, lang };
            let same = |c: &Column| c.base == column.base && same_lang(&c.lang, &column.lang);
            if columns.iter().any(same) {
                errors.push(Place::cell(&sheet.name, 0, index, &header).error(
                    ErrorCode::DuplicateColumn,
                    format!("Cột “{header}” có hai lần."),
                    format!("The column “{header}” appears twice."),
                ));
                continue;
            }
            let is_known = match &column.lang {
                None => known.plain.contains(&column.base.as_str()) || known.localized.contains(&column.base.as_str()),
                Some(_) => known.localized.contains(&column.base.as_str()),
            };
            if let Some(row) = first_value(sheet, index) {
                let at = Place::cell(&sheet.name, row, index, &header);
                if !is_known {
                    errors.push(at.error(
                        ErrorCode::UnsupportedColumn,
                        format!("sotay không hỗ trợ cột “{header}”; hãy xoá nội dung cột này."),
                        format!("sotay does not support the column “{header}”; empty it."),
                    ));
                } else if let Some(Err(lang)) = &column.lang {
                    errors.push(at.error(
                        ErrorCode::UnsupportedLanguage,
                        format!("Ngôn ngữ “{lang}”: biểu mẫu sotay chỉ có tiếng Việt (vi) và tiếng Anh (en)."),
                        format!("Language “{lang}”: sotay forms are in Vietnamese (vi) and English (en) only."),
                    ));
                }
            }
            if is_known {
                columns.push(column);
            }
        }
        Table { sheet, columns, default_lang }
    }

    pub fn name(&self) -> &str {
        &self.sheet.name
    }

    /// The data rows (every row after the header) that have any content.
    pub fn rows(&self) -> impl Iterator<Item = u32> + '_ {
        self.sheet.rows.keys().copied().filter(|&r| r > 0)
    }

    pub fn column(&self, base: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.base == base && c.lang.is_none())
    }

    pub fn place(&self, row: u32, column: &Column) -> Place {
        Place::cell(&self.sheet.name, row, column.index, &column.header)
    }

    /// Where a column's value would be: the cell when the column exists, else the row.
    pub fn place_of(&self, row: u32, base: &str) -> Place {
        match self.column(base) {
            Some(c) => self.place(row, c),
            None => Place::row(&self.sheet.name, row),
        }
    }

    /// Where a text given per language would be: its first column, else the row.
    pub fn localized_place(&self, row: u32, base: &str) -> Place {
        match self.columns.iter().find(|c| c.base == base) {
            Some(c) => self.place(row, c),
            None => Place::row(&self.sheet.name, row),
        }
    }

    /// A plain column's value in a row, if not blank.
    pub fn get(&self, row: u32, base: &str) -> Option<&'a str> {
        let column = self.column(base)?;
        self.sheet.cell(row, column.index).filter(|t| !t.trim().is_empty())
    }

    /// Cells of the row in columns this table knows, with their columns.
    pub fn cells(&self, row: u32) -> Vec<(&Column, &'a str)> {
        self.columns
            .iter()
            .filter(|c| !matches!(c.lang, Some(Err(_))))
            .filter_map(|c| Some((c, self.sheet.cell(row, c.index)?)))
            .collect()
    }

    /// A text in both languages: from `base::… (vi)` and `base::… (en)`, the plain `base`
    /// standing for the default language. `Ok(None)` when nothing is written; an error when
    /// one language is missing, or written twice.
    pub fn localized(&self, row: u32, base: &str) -> Result<Option<Localized>, Box<ImportError>> {
        let mut found: BTreeMap<u8, (String, &Column)> = BTreeMap::new();
        for column in self.columns.iter().filter(|c| c.base == base) {
            let lang = match &column.lang {
                None => self.default_lang,
                Some(Ok(lang)) => *lang,
                Some(Err(_)) => continue,
            };
            let Some(text) = self.sheet.cell(row, column.index).filter(|t| !t.trim().is_empty()) else {
                continue;
            };
            let key = lang as u8;
            if let Some((_, other)) = found.get(&key) {
                let (vi, en) = lang_name(lang);
                return Err(Box::new(self.place(row, column).error(
                    ErrorCode::DuplicateColumn,
                    format!("Hai cột (“{}” và “{}”) cùng ghi nội dung {vi}; chỉ giữ một.", other.header, column.header),
                    format!(
                        "Two columns (“{}” and “{}”) both give the {en} text; keep one.",
                        other.header, column.header
                    ),
                )));
            }
            found.insert(key, (text.to_owned(), column));
        }
        let vi = found.remove(&(Lang::Vi as u8));
        let en = found.remove(&(Lang::En as u8));
        match (vi, en) {
            (None, None) => Ok(None),
            (Some((vi, _)), Some((en, _))) => Ok(Some(Localized::new(vi, en))),
            (Some((_, c)), None) => Err(Box::new(self.untranslated(row, base, c, Lang::En))),
            (None, Some((_, c))) => Err(Box::new(self.untranslated(row, base, c, Lang::Vi))),
        }
    }

    fn untranslated(&self, row: u32, base: &str, given: &Column, missing: Lang) -> ImportError {
        let (vi, en) = lang_name(missing);
        let header = header(base, missing);
        self.place(row, given).error(
            ErrorCode::MissingTranslation,
            format!("Thiếu nội dung {vi} (cột “{header}”): mọi nội dung cần cả tiếng Việt và tiếng Anh."),
            format!("The {en} text is missing (column “{header}”): every text needs Vietnamese and English."),
        )
    }
}

fn same_lang(a: &Option<Result<Lang, String>>, b: &Option<Result<Lang, String>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(Ok(a)), Some(Ok(b))) => a == b,
        (Some(Err(a)), Some(Err(b))) => a == b,
        _ => false,
    }
}

/// The first data row with something in this column.
fn first_value(sheet: &Sheet, column: u32) -> Option<u32> {
    sheet
        .rows
        .iter()
        .filter(|(&r, _)| r > 0)
        .find(|(_, cells)| cells.get(&column).is_some_and(|t| !t.trim().is_empty()))
        .map(|(&r, _)| r)
}

/// `yes`/`no` as XLSForm writes it (`true`, `true()`, `TRUE`, `1`…); `None` for anything else.
pub fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "yes" | "true" | "true()" | "1" | "có" => Some(true),
        "no" | "false" | "false()" | "0" | "không" => Some(false),
        _ => None,
    }
}

/// A sotay name: snake_case ASCII, starting with a letter (what the form engine accepts).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Words the expression language reserves, so no field may be called that.
pub const KEYWORDS: [&str; 6] = ["and", "or", "not", "true", "false", "null"];
