//! An upload is untrusted: whatever the bytes, the importer answers with a definition or a
//! list of errors — never a panic, never unbounded memory. Property tests over random bytes,
//! damaged exports and random workbooks (sheets of XLSForm-like cells written with
//! rust_xlsxwriter); and the two attacks on size: a cell far away, and a zip bomb.

mod common;

use std::io::Write;

use forms::reference::ReferenceData;
use forms::Form;
use proptest::prelude::*;
use rust_xlsxwriter::Workbook;
use xlsform::{ErrorCode, ImportError};

use common::{reference, shipped};

fn reference_once() -> &'static ReferenceData {
    static REFERENCE: std::sync::OnceLock<ReferenceData> = std::sync::OnceLock::new();
    REFERENCE.get_or_init(reference)
}

/// Imports, and checks what comes back is well formed either way.
fn import_checked(bytes: &[u8]) -> Result<xlsform::Imported, Vec<ImportError>> {
    let reference = reference_once();
    let result = xlsform::import(bytes, reference);
    match &result {
        Ok(imported) => {
            let def = imported.definition.clone();
            assert!(Form::compile(def, reference, "probe").is_ok(), "an imported definition compiles");
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "a refusal says why");
            for e in errors {
                assert!(e.row.is_none_or(|r| r >= 1), "rows are 1-based: {e:?}");
                assert!(!e.message_vi.is_empty() && !e.message_en.is_empty(), "{e:?}");
            }
        }
    }
    result
}

/// The cells a workbook of this property test is made of: XLSForm words, sotay words,
/// expression pieces, and noise.
const WORDS: &[&str] = &[
    "type",
    "name",
    "label",
    "label::Tiếng Việt (vi)",
    "label::English (en)",
    "label::fr",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "appearance",
    "parameters",
    "default",
    "group_label::vi",
    "group_label::en",
    "sotay_figure::vi",
    "sotay_figure::en",
    "list_name",
    "list name",
    "form_id",
    "version",
    "form_title",
    "plan_area",
    "date_field",
    "withdrawn",
    "default_language",
    "begin group",
    "end group",
    "begin repeat",
    "end_group",
    "text",
    "integer",
    "decimal",
    "date",
    "time",
    "note",
    "calculate",
    "yes_no",
    "count_grid",
    "select_one",
    "select_one c",
    "select_multiple agencies",
    "select_one ages",
    "geopoint",
    "image",
    "a",
    "b",
    "c",
    "day",
    "ages",
    "main",
    "child",
    "adult",
    "01",
    "yes",
    "no",
    "TRUE",
    "multiline",
    "minimal",
    "training",
    "action_month",
    "health",
    "1",
    "2",
    "0",
    "-1",
    "1.5",
    "Tiếng Việt (vi)",
    "English (en)",
    "shortlist=quang_ngai",
    "max_cell=10",
    "group=ages",
    "max_photos=2",
    "min=1 max=0",
    "max_length=3",
    "personal_data_warning=no",
    "${a}",
    "${day}",
    "${",
    "}",
    ".",
    "..",
    "(",
    ")",
    ",",
    "+",
    "-",
    "*",
    "div",
    "mod",
    "=",
    "!=",
    "<",
    ">=",
    "and",
    "or",
    "not",
    "true()",
    "false()",
    "null",
    "'x'",
    "\"",
    "'",
    "selected(",
    "count-selected(",
    "string-length(",
    "total(",
    "date('2025-11-15')",
    "today()",
    "regex(",
    "/data/a",
    "|",
    "[",
    "@",
    "Độ tuổi",
    "",
];

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(WORDS).prop_map(str::to_owned),
        2 => prop::collection::vec(prop::sample::select(WORDS), 1..6).prop_map(|w| w.join(" ")),
        1 => any::<String>(),
    ]
}

/// A sheet: its name, and cells by (row, column) with a value.
type RandomSheet = (String, Vec<(u32, u16, Cell)>);

/// A random sheet; a few of its cells numbers and booleans.
fn sheet() -> impl Strategy<Value = RandomSheet> {
    let name = prop_oneof![
        3 => prop::sample::select(&["survey", "choices", "settings", "Survey", "external_choices", "notes"][..])
            .prop_map(str::to_owned),
        1 => "[a-zA-Z ]{1,12}",
    ];
    let cell = prop_oneof![
        8 => cell().prop_map(Cell::Text),
        1 => any::<f64>().prop_map(Cell::Number),
        1 => any::<bool>().prop_map(Cell::Bool),
    ];
    (name, prop::collection::vec((0u32..14, 0u16..10, cell), 0..80))
}

#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
}

fn workbook(sheets: &[RandomSheet]) -> Option<Vec<u8>> {
    let mut book = Workbook::new();
    let mut names = std::collections::HashSet::new();
    for (name, cells) in sheets {
        if !names.insert(name.to_lowercase()) {
            continue; // Excel refuses two sheets of one name, whatever the case.
        }
        let sheet = book.add_worksheet();
        sheet.set_name(name).ok()?;
        for (row, col, value) in cells {
            let _ = match value {
                Cell::Text(t) => sheet.write_string(*row, *col, t).map(|_| ()),
                Cell::Number(n) => sheet.write_number(*row, *col, *n).map(|_| ()),
                Cell::Bool(b) => sheet.write_boolean(*row, *col, *b).map(|_| ()),
            };
        }
    }
    book.save_to_buffer().ok()
}

const TYPES: &[&str] = &[
    "text",
    "integer",
    "decimal",
    "date",
    "time",
    "note",
    "calculate",
    "yes_no",
    "count_grid",
    "select_one c",
    "select_multiple c",
    "select_one agencies",
    "select_one nope",
    "begin group",
    "end group",
    "begin repeat",
    "geoshape",
    "image",
    "geopoint",
    "",
];
const NAMES: &[&str] = &["a", "b", "c", "d", "day", "main", "x1", "Tên", "null", ""];
const EXPRESSIONS: &[&str] = &[
    "${a}",
    "${b}",
    "${c}",
    "${day}",
    ".",
    "+",
    "-",
    "*",
    "div",
    "=",
    "!=",
    ">",
    "<=",
    "and",
    "or",
    "not(",
    "(",
    ")",
    ",",
    "1",
    "2.5",
    "'x'",
    "''",
    "true()",
    "selected(${c}, 'x')",
    "count-selected(",
    "total(.)",
    "filled(",
    "date('2025-11-15')",
    "days_between(${day}, ${day})",
    "today()",
    "mod",
    "/",
];

fn expression() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(EXPRESSIONS), 1..7).prop_map(|w| w.join(" "))
}

/// The value of a cell under `header`, from the words that column takes.
fn value(header: &'static str) -> BoxedStrategy<String> {
    let pick = |words: &'static [&'static str]| prop::sample::select(words).prop_map(str::to_owned).boxed();
    match header {
        "type" => pick(TYPES),
        "name" => pick(NAMES),
        "relevant" | "constraint" | "calculation" => expression().boxed(),
        "required" => pick(&["yes", "no", "TRUE", "maybe", ""]),
        "parameters" => {
            let words = &[
                "shortlist=quang_ngai",
                "shortlist=quang_ngai group=c",
                "min=1 max=9",
                "max_length=9",
                "max_photos=3",
                "max_photos=0",
                "x",
                "",
            ];
            pick(words)
        }
        "list_name" => pick(&["c", "ages", "agencies", ""]),
        _ => prop_oneof![3 => pick(&["Câu", "Question", "Đỏ", "x", "${a}", ""]), 1 => cell()].boxed(),
    }
}

const SURVEY_HEADERS: [&str; 13] = [
    "type",
    "name",
    "label::vi",
    "label::en",
    "hint::vi",
    "required",
    "relevant",
    "constraint",
    "constraint_message::vi",
    "constraint_message::en",
    "calculation",
    "parameters",
    "group_label::vi",
];

fn rows(headers: &'static [&'static str], n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Vec<String>>> {
    let row: Vec<BoxedStrategy<String>> = headers.iter().map(|h| value(h)).collect();
    prop::collection::vec(row, n)
}

/// A valid probe's frame (settings, a group with the date question) around random survey
/// and choices rows: deep enough to reach the survey's, the lists' and the form engine's
/// checks, and sometimes to import.
fn xlsform_like() -> impl Strategy<Value = Vec<u8>> {
    (rows(&SURVEY_HEADERS, 0..12), rows(&["list_name", "name", "label::vi", "label::en"], 0..6)).prop_map(
        |(survey, choices)| {
            let mut s: Vec<Vec<String>> = vec![SURVEY_HEADERS.iter().map(|h| h.to_string()).collect()];
            let frame = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
            s.push(frame(&["begin group", "main", "Chính", "Main"]));
            s.push(frame(&["date", "day", "Ngày", "Day", "", "yes"]));
            s.extend(survey);
            s.push(frame(&["end group"]));
            let mut c = vec![frame(&["list_name", "name", "label::vi", "label::en"])];
            c.extend(choices);
            common::workbook(&[("survey", s), ("choices", c), ("settings", common::settings(&[]))])
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        prop_assert!(import_checked(&bytes).is_err());
    }

    #[test]
    fn random_workbooks_never_panic(sheets in prop::collection::vec(sheet(), 0..4)) {
        if let Some(bytes) = workbook(&sheets) {
            let _ = import_checked(&bytes);
        }
    }

    #[test]
    fn xlsform_like_workbooks_never_panic(bytes in xlsform_like()) {
        let _ = import_checked(&bytes);
    }

    /// A real export with bytes overwritten or cut short: damaged in transit or by hand.
    #[test]
    fn damaged_exports_never_panic(
        form in 0usize..7,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let (_, def, figures) = shipped().swap_remove(form);
        let mut bytes = xlsform::export(&def, figures.as_ref(), reference_once()).unwrap();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        let _ = import_checked(&bytes);
    }
}

/// A stray cell at the far corner of a sheet (XFD1048576) costs nothing: it is refused
/// where it is, not read into a dense range of 17 billion cells.
#[test]
fn a_far_cell_is_refused_without_reading_a_range_to_it() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("survey").unwrap();
    sheet.write_string(0, 0, "type").unwrap();
    sheet.write_string(1_048_575, 16_383, "text").unwrap();
    let errors = import_checked(&book.save_to_buffer().unwrap()).unwrap_err();
    let far = errors.iter().find(|e| e.code == ErrorCode::Unreadable).expect("the far cell is refused");
    assert_eq!((far.sheet.as_str(), far.row, far.column.as_deref()), ("survey", Some(1_048_576), Some("XFD")));
}

/// A small file that unpacks to gigabytes is refused after unpacking its first 64 MB.
#[test]
fn a_zip_bomb_is_refused_before_calamine_reads_it() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/sharedStrings.xml", options).unwrap();
    let zeros = vec![b'a'; 1 << 20];
    for _ in 0..80 {
        zip.write_all(&zeros).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    assert!(bytes.len() < 1 << 20, "the bomb is small: {} bytes", bytes.len());
    let errors = import_checked(&bytes).unwrap_err();
    assert_eq!(errors[0].code, ErrorCode::Unreadable);
    assert!(errors[0].message_en.contains("unpacks to more than"), "{errors:?}");
}

#[test]
fn a_file_over_the_upload_limit_is_refused_unread() {
    let errors = import_checked(&vec![0u8; xlsform::MAX_BYTES + 1]).unwrap_err();
    assert!(errors[0].message_en.contains("too large"), "{errors:?}");
}
