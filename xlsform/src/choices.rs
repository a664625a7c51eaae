//! The `choices` sheet: named lists of options (`list_name`, `name`, `label`). A list becomes
//! the inline `options` of the questions (or the count grid dimension) naming it; reference
//! lists (`agencies`, `ethnic_groups`…) are not written here but named by the question.

use std::collections::{BTreeMap, HashSet};

use forms::definition::ChoiceOption;
use forms::reference::ReferenceData;
use forms::Lang;

use crate::error::{ErrorCode, ImportError, Place};
use crate::read::Sheet;
use crate::table::{Known, Table};

pub const KNOWN: Known = Known { plain: &["list_name", "name"], localized: &["label"] };

/// One list, in the order its rows come.
#[derive(Debug, Default)]
pub struct List {
    /// Its first row (0-based), where "unused" is reported.
    pub row: u32,
    pub options: Vec<ChoiceOption>,
    /// Whether a question or grid named it.
    pub used: bool,
}

#[derive(Debug, Default)]
pub struct Lists {
    pub sheet: String,
    pub lists: BTreeMap<String, List>,
}

/// Every id a `select_one <list>` may name without a `choices` list: the reference lists and
/// unit lists of the catalog.
pub fn is_reference(reference: &ReferenceData, name: &str) -> bool {
    reference.lists.contains_key(name) || reference.unit_lists.contains_key(name)
}

pub fn read(sheet: Option<&Sheet>, lang: Lang, reference: &ReferenceData, errors: &mut Vec<ImportError>) -> Lists {
    let Some(sheet) = sheet else {
        return Lists { sheet: crate::read::CHOICES.to_owned(), lists: BTreeMap::new() };
    };
    let table = Table::new(sheet, &KNOWN, lang, errors);
    let mut lists = Lists { sheet: sheet.name.clone(), lists: BTreeMap::new() };
    let has_rows = table.rows().next().is_some();
    for base in ["list_name", "name"] {
        if has_rows && table.column(base).is_none() {
            errors.push(Place::row(&sheet.name, 0).error(
                ErrorCode::MissingColumn,
                format!("Trang “{}” thiếu cột “{base}”.", sheet.name),
                format!("The “{}” sheet has no “{base}” column.", sheet.name),
            ));
        }
    }
    if errors.iter().any(|e| e.code == ErrorCode::MissingColumn && e.sheet == sheet.name) {
        return lists;
    }
    let mut names: HashSet<(String, String)> = HashSet::new();
    for row in table.rows() {
        let cells = table.cells(row);
        if cells.iter().all(|(_, text)| text.trim().is_empty()) {
            continue;
        }
        let Some(list) = table.get(row, "list_name").map(str::trim) else {
            errors.push(table.place_of(row, "list_name").error(
                ErrorCode::MissingValue,
                "Dòng có lựa chọn nhưng không có list_name.",
                "A row with a choice but no list_name.",
            ));
            continue;
        };
        let Some(name) = table.get(row, "name").map(str::trim) else {
            errors.push(table.place_of(row, "name").error(
                ErrorCode::MissingValue,
                format!("Lựa chọn của danh sách “{list}” không có name (giá trị lưu trong phiếu)."),
                format!("A choice of the list “{list}” has no name (the value records hold)."),
            ));
            continue;
        };
        // The list exists from its first row on, even when a choice of it is wrong: its
        // questions then say nothing more than the choice's own error.
        let entry = lists.lists.entry(list.to_owned()).or_insert_with(|| {
            if is_reference(reference, list) {
                errors.push(table.place_of(row, "list_name").error(
                    ErrorCode::ReservedListName,
                    format!("“{list}” là tên một danh mục dùng chung của sotay; hãy đặt tên khác cho danh sách này."),
                    format!("“{list}” is the name of one of sotay's reference lists; give this list another name."),
                ));
            }
            List { row, options: Vec::new(), used: false }
        });
        let label = match table.localized(row, "label") {
            Ok(Some(label)) => label,
            Ok(None) => {
                errors.push(table.localized_place(row, "label").error(
                    ErrorCode::MissingValue,
                    format!("Lựa chọn “{name}” của danh sách “{list}” không có nhãn."),
                    format!("The choice “{name}” of the list “{list}” has no label."),
                ));
                continue;
            }
            Err(e) => {
                errors.push(*e);
                continue;
            }
        };
        if !names.insert((list.to_owned(), name.to_owned())) {
            errors.push(table.place_of(row, "name").error(
                ErrorCode::DuplicateChoice,
                format!("Danh sách “{list}” có hai lựa chọn “{name}”."),
                format!("The list “{list}” has the choice “{name}” twice."),
            ));
            continue;
        }
        entry.options.push(ChoiceOption { value: name.to_owned(), label });
    }
    lists
}

impl Lists {
    /// A list's options, marking it used.
    pub fn take(&mut self, name: &str) -> Option<Vec<ChoiceOption>> {
        let list = self.lists.get_mut(name)?;
        list.used = true;
        Some(list.options.clone())
    }

    /// Lists no question named: never dropped silently.
    pub fn unused(&self, errors: &mut Vec<ImportError>) {
        for (name, list) in self.lists.iter().filter(|(_, l)| !l.used) {
            errors.push(Place::row(&self.sheet, list.row).error(
                ErrorCode::UnusedList,
                format!("Không câu hỏi nào dùng danh sách “{name}”; hãy xoá hoặc dùng nó."),
                format!("No question uses the list “{name}”; remove it or use it."),
            ));
        }
    }
}
