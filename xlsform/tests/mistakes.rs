//! Table tests of mistakes in a workbook (names, labels, lists, parameters, groups, the
//! settings, what the form engine finds) each at its exact sheet, row and column, and all
//! of an upload's errors returned at once. The probe's layout is described in
//! tests/refused.rs.

mod common;

use xlsform::ErrorCode;

use common::{
    assert_has, errors, probe, settings, sheet_rows, workbook, At, Row, CHOICES_HEADERS, DAY, SURVEY_HEADERS,
};

const SURVEY: &str = "survey";
const Q: (&str, &str) = ("label", "Câu|Question");

#[test]
fn mistakes_of_names_labels_lists_and_parameters() {
    let colours: Vec<Row> = vec![&[("list_name", "colours"), ("name", "red"), ("label", "Đỏ|Red")]];
    let cases: Vec<(&str, Vec<Row>, Vec<Row>, At)> = vec![
        (
            "label in one language",
            vec![&[("type", "text"), ("name", "a"), ("label::Tiếng Việt (vi)", "Câu")]],
            vec![],
            (SURVEY, Some(4), Some("C"), ErrorCode::MissingTranslation, "English"),
        ),
        (
            "no label",
            vec![&[("type", "text"), ("name", "a")]],
            vec![],
            (SURVEY, Some(4), Some("C"), ErrorCode::MissingValue, "label"),
        ),
        (
            "two Vietnamese labels",
            vec![&[("type", "text"), ("name", "a"), Q, ("label", "Câu khác")]],
            vec![],
            (SURVEY, Some(4), Some("T"), ErrorCode::DuplicateColumn, "Vietnamese"),
        ),
        (
            "a name sotay cannot use",
            vec![&[("type", "text"), ("name", "Tên"), Q]],
            vec![],
            (SURVEY, Some(4), Some("B"), ErrorCode::InvalidValue, "Tên"),
        ),
        (
            "a keyword",
            vec![&[("type", "text"), ("name", "null"), Q]],
            vec![],
            (SURVEY, Some(4), Some("B"), ErrorCode::InvalidValue, "null"),
        ),
        (
            "a name twice",
            vec![&[("type", "text"), ("name", "day"), Q]],
            vec![],
            (SURVEY, Some(4), Some("B"), ErrorCode::DuplicateName, "day"),
        ),
        (
            "an unknown list",
            vec![&[("type", "select_one sizes"), ("name", "a"), Q]],
            vec![],
            (SURVEY, Some(4), Some("A"), ErrorCode::UnknownList, "sizes"),
        ),
        (
            "yes_no as a list",
            vec![&[("type", "select_one yes_no"), ("name", "a"), Q]],
            vec![],
            (SURVEY, Some(4), Some("A"), ErrorCode::UnknownList, "type yes_no"),
        ),
        ("an unused list", vec![], colours.clone(), ("choices", Some(2), None, ErrorCode::UnusedList, "colours")),
        (
            "a list named like a reference list",
            vec![&[("type", "select_one agencies"), ("name", "a"), Q]],
            vec![&[("list_name", "agencies"), ("name", "x"), ("label", "X|X")]],
            ("choices", Some(2), Some("A"), ErrorCode::ReservedListName, "agencies"),
        ),
        (
            "a choice twice",
            vec![&[("type", "select_one colours"), ("name", "a"), Q]],
            vec![colours[0], colours[0]],
            ("choices", Some(3), Some("B"), ErrorCode::DuplicateChoice, "red"),
        ),
        (
            "a choice without label",
            vec![&[("type", "select_one colours"), ("name", "a"), Q]],
            vec![&[("list_name", "colours"), ("name", "red")]],
            ("choices", Some(2), Some("C"), ErrorCode::MissingValue, "label"),
        ),
        (
            "a choice without name",
            vec![&[("type", "select_one colours"), ("name", "a"), Q]],
            vec![colours[0], &[("list_name", "colours"), ("label", "Xanh|Blue")]],
            ("choices", Some(3), Some("B"), ErrorCode::MissingValue, "no name"),
        ),
        (
            "an unknown parameter",
            vec![&[("type", "integer"), ("name", "a"), Q, ("parameters", "min=1 step=2")]],
            vec![],
            (SURVEY, Some(4), Some("N"), ErrorCode::InvalidParameter, "step"),
        ),
        (
            "min above max",
            vec![&[("type", "integer"), ("name", "a"), Q, ("parameters", "min=5 max=1")]],
            vec![],
            (SURVEY, Some(4), Some("N"), ErrorCode::InvalidParameter, "above"),
        ),
        (
            "a fractional integer bound",
            vec![&[("type", "integer"), ("name", "a"), Q, ("parameters", "max=1.5")]],
            vec![],
            (SURVEY, Some(4), Some("N"), ErrorCode::InvalidParameter, "whole number"),
        ),
        (
            "no photos",
            vec![&[("type", "image"), ("name", "a"), Q, ("parameters", "max_photos=0")]],
            vec![],
            (
                SURVEY,
                Some(4),
                Some("N"),
                ErrorCode::InvalidParameter,
                "max_photos=0: needs a whole number from 1 to 10",
            ),
        ),
        (
            "more photos than a field takes",
            vec![&[("type", "image"), ("name", "a"), Q, ("parameters", "max_photos=11")]],
            vec![],
            (
                SURVEY,
                Some(4),
                Some("N"),
                ErrorCode::InvalidParameter,
                "max_photos=11: needs a whole number from 1 to 10",
            ),
        ),
        (
            "photos not a number",
            vec![&[("type", "image"), ("name", "a"), Q, ("parameters", "max_photos=three")]],
            vec![],
            (SURVEY, Some(4), Some("N"), ErrorCode::InvalidParameter, "max_photos=three"),
        ),
        (
            "max_photos twice",
            vec![&[("type", "image"), ("name", "a"), Q, ("parameters", "max_photos=2 max_photos=3")]],
            vec![],
            (SURVEY, Some(4), Some("N"), ErrorCode::InvalidParameter, "twice"),
        ),
        (
            "max_photos on a text",
            vec![&[("type", "text"), ("name", "a"), Q, ("parameters", "max_photos=3")]],
            vec![],
            (SURVEY, Some(4), Some("N"), ErrorCode::InvalidParameter, "“max_photos” does not apply to type text"),
        ),
        (
            "max_length on a photo",
            vec![&[("type", "image"), ("name", "a"), Q, ("parameters", "max_length=3")]],
            vec![],
            (
                SURVEY,
                Some(4),
                Some("N"),
                ErrorCode::InvalidParameter,
                "“max_length” does not apply to type image (it takes: max_photos)",
            ),
        ),
        (
            "a grid without shortlist",
            vec![&[("type", "count_grid"), ("name", "a"), Q]],
            vec![],
            (SURVEY, Some(4), Some("N"), ErrorCode::InvalidParameter, "shortlist"),
        ),
        (
            "an unknown shortlist",
            vec![&[("type", "count_grid"), ("name", "a"), Q, ("parameters", "shortlist=hanoi")]],
            vec![],
            (SURVEY, Some(4), Some("N"), ErrorCode::InvalidParameter, "hanoi"),
        ),
        (
            "an unknown group list",
            vec![&[
                ("type", "count_grid"),
                ("name", "a"),
                Q,
                ("parameters", "shortlist=quang_ngai group=ages"),
                ("group_label", "Tuổi|Age"),
            ]],
            vec![],
            (SURVEY, Some(4), Some("N"), ErrorCode::UnknownList, "ages"),
        ),
        (
            "a group without label",
            vec![&[("type", "count_grid"), ("name", "a"), Q, ("parameters", "shortlist=quang_ngai group=colours")]],
            colours.clone(),
            (SURVEY, Some(4), Some("O"), ErrorCode::MissingValue, "label"),
        ),
        (
            "a constraint without message",
            vec![&[("type", "integer"), ("name", "a"), Q, ("constraint", ". > 1")]],
            vec![],
            (SURVEY, Some(4), Some("J"), ErrorCode::MissingValue, "constraint_message"),
        ),
        (
            "a calculate without calculation",
            vec![&[("type", "calculate"), ("name", "a"), Q]],
            vec![],
            (SURVEY, Some(4), Some("L"), ErrorCode::MissingValue, "calculation"),
        ),
    ];
    for (what, rows, choices, at) in cases {
        assert_has(&errors(&probe(&rows, &[], &choices)), at, what);
    }
}

#[test]
fn groups_must_pair_and_hold_every_question() {
    let cases: Vec<(&str, Vec<Row>, Vec<Row>, At)> = vec![
        (
            "a group in a group",
            vec![&[("type", "begin group"), ("name", "inner"), ("label", "Trong|Inner")], &[("type", "end group")]],
            vec![],
            (SURVEY, Some(4), Some("A"), ErrorCode::Group, "inside a group"),
        ),
        (
            "end without begin",
            vec![],
            vec![&[("type", "end group")]],
            (SURVEY, Some(5), Some("A"), ErrorCode::Group, "without"),
        ),
        (
            "never closed",
            vec![],
            vec![
                &[("type", "begin group"), ("name", "open"), ("label", "Mở|Open")],
                &[("type", "yes_no"), ("name", "x"), Q],
            ],
            (SURVEY, Some(5), Some("A"), ErrorCode::Group, "no “end group”"),
        ),
        (
            "a question outside",
            vec![],
            vec![&[("type", "yes_no"), ("name", "x"), Q]],
            (SURVEY, Some(5), Some("A"), ErrorCode::OutsideGroup, "outside"),
        ),
        (
            "end group naming another",
            vec![&[("type", "yes_no"), ("name", "x"), Q]],
            vec![],
            (SURVEY, Some(5), Some("B"), ErrorCode::Group, "closes"),
        ),
    ];
    for (what, inside, after, at) in cases {
        let bytes = if what == "end group naming another" {
            // The probe's own `end group` (row 5) names the wrong group.
            let survey: Vec<Row> = vec![
                &[("type", "begin group"), ("name", "main"), ("label", "Chính|Main")],
                DAY,
                inside[0],
                &[("type", "end group"), ("name", "other")],
            ];
            workbook(&[("survey", sheet_rows(&SURVEY_HEADERS, &survey)), ("settings", settings(&[]))])
        } else {
            probe(&inside, &after, &[])
        };
        assert_has(&errors(&bytes), at, what);
    }
}

/// What only the form engine knows (names, types, the date field) is placed back on the row
/// and column it came from, with the character in the XLSForm expression.
#[test]
fn the_form_engines_findings_are_placed_on_their_cells() {
    let cases: Vec<(&str, Vec<Row>, Vec<Row>, At)> = vec![
        (
            "an unknown question",
            vec![&[("type", "text"), ("name", "a"), Q, ("relevant", "filled(${day}) and ${nothing} > 1")]],
            vec![],
            (SURVEY, Some(4), Some("H"), ErrorCode::Expression, "Character 20: unknown field 'nothing'"),
        ),
        (
            "XLSForm's test for an answer",
            vec![&[("type", "text"), ("name", "a"), Q, ("relevant", "${day} != ''")]],
            vec![],
            (SURVEY, Some(4), Some("H"), ErrorCode::Expression, "write filled(${x}) or empty(${x})"),
        ),
        (
            "a question asked later",
            vec![
                &[("type", "text"), ("name", "a"), Q, ("relevant", "${b} > 1")],
                &[("type", "integer"), ("name", "b"), Q],
            ],
            vec![],
            (SURVEY, Some(4), Some("H"), ErrorCode::Expression, "unknown field 'b'"),
        ),
        (
            "types mixed",
            vec![&[("type", "calculate"), ("name", "a"), Q, ("calculation", "${day} + 1")]],
            vec![],
            (SURVEY, Some(4), Some("L"), ErrorCode::Expression, "Character 8"),
        ),
        (
            "a section's skip logic",
            vec![],
            vec![
                &[("type", "begin group"), ("name", "more"), ("label", "Thêm|More"), ("relevant", "${nope}")],
                &[("type", "yes_no"), ("name", "x"), Q],
                &[("type", "end group")],
            ],
            (SURVEY, Some(5), Some("H"), ErrorCode::Expression, "unknown field 'nope'"),
        ),
    ];
    for (what, inside, after, at) in cases {
        assert_has(&errors(&probe(&inside, &after, &[])), at, what);
    }
    let bytes = probe(
        &[
            &[("type", "select_one colours"), ("name", "c"), Q],
            &[("type", "text"), ("name", "a"), Q, ("relevant", "selected(${c}, 'blue')")],
        ],
        &[],
        &[&[("list_name", "colours"), ("name", "red"), ("label", "Đỏ|Red")]],
    );
    let at = (SURVEY, Some(5), Some("H"), ErrorCode::Expression, "'blue' is not an option");
    assert_has(&errors(&bytes), at, "not an option");
    // The date field must be a required date always asked: said on the settings' cell.
    let survey: Vec<Row> = vec![
        &[("type", "begin group"), ("name", "main"), ("label", "Chính|Main")],
        &[("type", "date"), ("name", "day"), ("label", "Ngày|Day")],
        &[("type", "end group")],
    ];
    let bytes = workbook(&[("survey", sheet_rows(&SURVEY_HEADERS, &survey)), ("settings", settings(&[]))]);
    assert_has(
        &errors(&bytes),
        ("settings", Some(2), Some("F"), ErrorCode::Definition, "date_field 'day'"),
        "date field not required",
    );
}

#[test]
fn settings_and_sheets() {
    let cases: Vec<(&str, Row, At)> = vec![
        (
            "an unknown plan area",
            &[("plan_area", "health")],
            ("settings", Some(2), Some("E"), ErrorCode::InvalidValue, "health"),
        ),
        (
            "a version that is not a whole number",
            &[("version", "1.5")],
            ("settings", Some(2), Some("B"), ErrorCode::InvalidValue, "1.5"),
        ),
        ("a version 0", &[("version", "0")], ("settings", Some(2), Some("B"), ErrorCode::InvalidValue, "whole number")),
        (
            "a form id sotay cannot use",
            &[("form_id", "My form")],
            ("settings", Some(2), Some("A"), ErrorCode::InvalidValue, "My form"),
        ),
        ("no form id", &[("form_id", "")], ("settings", Some(2), Some("A"), ErrorCode::MissingValue, "form_id")),
        (
            "withdrawn neither yes nor no",
            &[("withdrawn", "maybe")],
            ("settings", Some(2), Some("G"), ErrorCode::InvalidValue, "maybe"),
        ),
        (
            "a third default language",
            &[("default_language", "Français (fr)")],
            ("settings", Some(2), Some("G"), ErrorCode::UnsupportedLanguage, "Français"),
        ),
        (
            "a setting sotay lacks",
            &[("submission_url", "https://example.org")],
            ("settings", Some(2), Some("G"), ErrorCode::UnsupportedColumn, "submission_url"),
        ),
    ];
    let survey: Vec<Row> =
        vec![&[("type", "begin group"), ("name", "main"), ("label", "Chính|Main")], DAY, &[("type", "end group")]];
    for (what, extra, at) in cases {
        let bytes = workbook(&[("survey", sheet_rows(&SURVEY_HEADERS, &survey)), ("settings", settings(extra))]);
        assert_has(&errors(&bytes), at, what);
    }
    let survey_sheet = || sheet_rows(&SURVEY_HEADERS, &survey);
    let none = errors(&workbook(&[("settings", settings(&[]))]));
    assert_has(&none, (SURVEY, None, None, ErrorCode::MissingSheet, "survey"), "no survey");
    let none = errors(&workbook(&[("survey", survey_sheet())]));
    assert_has(&none, ("settings", None, None, ErrorCode::MissingSheet, "settings"), "no settings");
    let external =
        errors(&workbook(&[("survey", survey_sheet()), ("settings", settings(&[])), ("external_choices", vec![])]));
    assert_has(
        &external,
        ("external_choices", None, None, ErrorCode::UnsupportedSheet, "external_choices"),
        "external choices",
    );
    let garbage = errors(b"PK\x03\x04 not really a zip");
    assert_has(&garbage, ("", None, None, ErrorCode::Unreadable, "not an .xlsx"), "not a workbook");
    let choices_without_columns = errors(&workbook(&[
        ("survey", survey_sheet()),
        ("choices", sheet_rows(&["list", "value"], &[&[("list", "a"), ("value", "b")]])),
        ("settings", settings(&[])),
    ]));
    assert_has(
        &choices_without_columns,
        ("choices", Some(2), Some("A"), ErrorCode::UnsupportedColumn, "list"),
        "unknown choices column",
    );
    assert_has(
        &choices_without_columns,
        ("choices", Some(1), None, ErrorCode::MissingColumn, "list_name"),
        "no list_name",
    );
}

/// One upload with mistakes on every sheet and in the form engine's domain: all of them
/// come back at once, in the order a person fixes them.
#[test]
fn every_error_of_an_upload_is_returned_at_once() {
    let survey: Vec<Row> = vec![
        &[("type", "begin group"), ("name", "main"), ("label", "Chính|Main")],
        DAY,
        &[("type", "geotrace"), ("name", "route"), Q],
        &[("type", "text"), ("name", "a"), Q, ("default", "x")],
        &[("type", "select_one sizes"), ("name", "b"), Q],
        &[("type", "end group")],
        &[("type", "integer"), ("name", "c"), Q],
    ];
    let choices: Vec<Row> = vec![&[("list_name", "colours"), ("name", "red"), ("label::Tiếng Việt (vi)", "Đỏ")]];
    let bytes = workbook(&[
        ("survey", sheet_rows(&SURVEY_HEADERS, &survey)),
        ("choices", sheet_rows(&CHOICES_HEADERS, &choices)),
        ("settings", settings(&[("plan_area", "health")])),
    ]);
    let found = errors(&bytes);
    let wanted: [At; 6] = [
        ("settings", Some(2), Some("E"), ErrorCode::InvalidValue, "health"),
        (SURVEY, Some(4), Some("A"), ErrorCode::UnsupportedType, "geotrace"),
        (SURVEY, Some(5), Some("S"), ErrorCode::UnsupportedValue, "default"),
        (SURVEY, Some(6), Some("A"), ErrorCode::UnknownList, "sizes"),
        (SURVEY, Some(8), Some("A"), ErrorCode::OutsideGroup, "outside"),
        ("choices", Some(2), Some("C"), ErrorCode::MissingTranslation, "English"),
    ];
    for at in wanted {
        assert_has(&found, at, "all at once");
    }
    assert_eq!(found.len(), wanted.len(), "nothing else: {found:#?}");
    let order: Vec<&str> = found.iter().map(|e| e.sheet.as_str()).collect();
    assert_eq!(order, ["settings", SURVEY, SURVEY, SURVEY, SURVEY, "choices"]);

    // The form engine's findings, several at once: each faulty expression set aside in turn.
    let bytes = probe(
        &[
            &[("type", "integer"), ("name", "a"), Q, ("relevant", "${x1} > 0")],
            &[("type", "integer"), ("name", "b"), Q, ("constraint", ". > 'text'"), ("constraint_message", "Sai|Wrong")],
            &[("type", "calculate"), ("name", "c"), Q, ("calculation", "${day} * 2")],
            &[("type", "integer"), ("name", "d"), Q, ("relevant", "${c} > 1")],
        ],
        &[],
        &[],
    );
    let found = errors(&bytes);
    for at in [
        (SURVEY, Some(4), Some("H"), ErrorCode::Expression, "x1"),
        (SURVEY, Some(5), Some("I"), ErrorCode::Expression, "compare"),
        (SURVEY, Some(6), Some("L"), ErrorCode::Expression, "Character 8"),
    ] {
        assert_has(&found, at, "the engine's findings at once");
    }
    // `d` names `c`, which was set aside: not a mistake of its own.
    assert_eq!(found.len(), 3, "{found:#?}");

    // Mistakes in the settings do not hold back the engine's findings in the questions.
    let survey: Vec<Row> = vec![
        &[("type", "begin group"), ("name", "main"), ("label", "Chính|Main")],
        DAY,
        &[("type", "integer"), ("name", "a"), Q, ("relevant", "${x1} > 0")],
        &[("type", "end group")],
    ];
    let extra: Row = &[("plan_area", "health"), ("version", "v2"), ("date_field", "")];
    let found = errors(&workbook(&[("survey", sheet_rows(&SURVEY_HEADERS, &survey)), ("settings", settings(extra))]));
    let wanted: [At; 4] = [
        ("settings", Some(2), Some("B"), ErrorCode::InvalidValue, "v2"),
        ("settings", Some(2), Some("E"), ErrorCode::InvalidValue, "health"),
        ("settings", Some(2), Some("F"), ErrorCode::MissingValue, "date_field"),
        (SURVEY, Some(4), Some("H"), ErrorCode::Expression, "unknown field 'x1'"),
    ];
    for at in wanted {
        assert_has(&found, at, "settings and the engine at once");
    }
    assert_eq!(found.len(), wanted.len(), "the missing date field is said once: {found:#?}");
}

/// A date typed into a cell Excel turned into a date: refused at its cell, as text is what
/// every XLSForm column holds.
#[test]
fn excel_dates_and_error_values_are_refused_at_their_cells() {
    use rust_xlsxwriter::{ExcelDateTime, Format};
    let survey: Vec<Row> = vec![
        &[("type", "begin group"), ("name", "main"), ("label", "Chính|Main")],
        DAY,
        &[("type", "text"), ("name", "a"), ("label::English (en)", "When")],
        &[("type", "geoshape"), ("name", "b"), ("label", "Vùng|Area")],
        &[("type", "end group")],
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, table) in [("survey", sheet_rows(&SURVEY_HEADERS, &survey)), ("settings", settings(&[]))] {
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        for (r, row) in table.iter().enumerate() {
            for (c, value) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
                sheet.write_string(r as u32, c as u16, value).unwrap();
            }
        }
        if name == "survey" {
            let date = ExcelDateTime::from_ymd(2025, 11, 15).unwrap();
            sheet.write_datetime_with_format(3, 2, &date, &Format::new().set_num_format("dd/mm/yyyy")).unwrap();
        }
    }
    let found = errors(&book.save_to_buffer().unwrap());
    assert_has(&found, (SURVEY, Some(4), Some("C"), ErrorCode::InvalidValue, "Excel date"), "a date cell");
    // The date cell is not read, so the label lacks its Vietnamese: said too, with the rest.
    assert_has(&found, (SURVEY, Some(4), Some("D"), ErrorCode::MissingTranslation, "Vietnamese"), "and so");
    assert_has(&found, (SURVEY, Some(5), Some("A"), ErrorCode::UnsupportedType, "geoshape"), "and the rest");
    assert_eq!(found[0].to_string(), "survey!C4: This cell holds an Excel date; enter it as text.");
    let garbage = errors(b"not a workbook");
    assert!(garbage[0].to_string().starts_with("workbook: "), "{}", garbage[0]);
}
