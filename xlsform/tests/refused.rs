//! Table tests of what the importer refuses: every XLSForm feature sotay does not support —
//! types, columns, values, expression functions and syntax — each by name at its exact
//! sheet, row (as Excel numbers it) and column, never dropped. Mistakes are tests/mistakes.rs.
//!
//! The probe (tests/common) is: survey row 2 `begin group main`, row 3 the date `day`, the
//! case's rows from row 4, then `end group`, then the case's rows after the group; choices
//! from row 2; settings values on row 2. Survey columns: A type, B name, C/D label,
//! E/F hint, G required, H relevant, I constraint, J/K constraint_message, L calculation,
//! M appearance, N parameters, O/P group_label, Q/R sotay_figure, S default, then any
//! other header a case uses (T…).

mod common;

use xlsform::ErrorCode;

use common::{assert_has, errors, probe, At, Row};

const SURVEY: &str = "survey";
const Q: (&str, &str) = ("label", "Câu|Question");

#[test]
fn unsupported_types_are_refused_by_name_at_their_type_cell() {
    let types = [
        ("begin repeat", "repeat"),
        ("begin_repeat", "repeat"),
        ("end repeat", "repeat"),
        ("geotrace", "map"),
        ("geoshape", "use a geopoint question"),
        ("start-geopoint", "background"),
        ("audio", "audio"),
        ("video", "video"),
        ("file", "file"),
        ("barcode", "barcodes"),
        ("range", "ranges"),
        ("rank", "rankings"),
        ("acknowledge", "yes_no"),
        ("datetime", "date and a time"),
        ("start", "metadata"),
        ("deviceid", "metadata"),
        ("today", "metadata"),
        ("username", "metadata"),
        ("audit", "metadata"),
        ("hidden", "external"),
        ("select_one_from_file places.csv", "external"),
        ("select_one colours or_other", "or_other"),
        ("select_one", "list name"),
    ];
    for (t, word) in types {
        let bytes = probe(&[&[("type", t), ("name", "a"), Q]], &[], &[]);
        let word_in_type = t.split(' ').next().unwrap();
        let errors = errors(&bytes);
        assert_has(&errors, (SURVEY, Some(4), Some("A"), ErrorCode::UnsupportedType, word), t);
        assert_has(&errors, (SURVEY, Some(4), Some("A"), ErrorCode::UnsupportedType, word_in_type), t);
    }
    let bytes = probe(&[&[("type", "long_text"), ("name", "a"), Q]], &[], &[]);
    assert_has(&errors(&bytes), (SURVEY, Some(4), Some("A"), ErrorCode::UnknownType, "long_text"), "unknown type");
}

#[test]
fn every_cell_is_used_or_refused() {
    let cases: Vec<(&str, Vec<Row>, At)> = vec![
        (
            "default",
            vec![&[("type", "text"), ("name", "a"), Q, ("default", "x")]],
            (SURVEY, Some(4), Some("S"), ErrorCode::UnsupportedValue, "default"),
        ),
        (
            "appearance",
            vec![&[("type", "text"), ("name", "a"), Q, ("appearance", "minimal")]],
            (SURVEY, Some(4), Some("M"), ErrorCode::UnsupportedValue, "minimal"),
        ),
        (
            "appearance off text",
            vec![&[("type", "integer"), ("name", "a"), Q, ("appearance", "multiline")]],
            (SURVEY, Some(4), Some("M"), ErrorCode::NotApplicable, "integer"),
        ),
        (
            "calculation on text",
            vec![&[("type", "text"), ("name", "a"), Q, ("calculation", "1")]],
            (SURVEY, Some(4), Some("L"), ErrorCode::NotApplicable, "calculation"),
        ),
        (
            "parameters on a date",
            vec![&[("type", "date"), ("name", "a"), Q, ("parameters", "min=1")]],
            (SURVEY, Some(4), Some("N"), ErrorCode::NotApplicable, "parameters"),
        ),
        (
            "figure on text",
            vec![&[("type", "text"), ("name", "a"), Q, ("sotay_figure", "Số|Count")]],
            (SURVEY, Some(4), Some("Q"), ErrorCode::NotApplicable, "sotay_figure"),
        ),
        (
            "constraint on a photo",
            vec![&[
                ("type", "image"),
                ("name", "a"),
                Q,
                ("constraint", ". > 1"),
                ("constraint_message", "Hai ảnh|Two photos"),
            ]],
            (SURVEY, Some(4), Some("I"), ErrorCode::NotApplicable, "type image. sotay checks photos"),
        ),
        (
            "constraint message on a geopoint",
            vec![&[("type", "geopoint"), ("name", "a"), Q, ("constraint_message", "Gần|Near")]],
            (SURVEY, Some(4), Some("J"), ErrorCode::NotApplicable, "type geopoint. sotay checks"),
        ),
        (
            "parameters on a geopoint",
            vec![&[("type", "geopoint"), ("name", "a"), Q, ("parameters", "max_photos=2")]],
            (
                SURVEY,
                Some(4),
                Some("N"),
                ErrorCode::NotApplicable,
                "“parameters” does not apply to a row of type geopoint",
            ),
        ),
        (
            "appearance on a photo",
            vec![&[("type", "image"), ("name", "a"), Q, ("appearance", "annotate")]],
            (SURVEY, Some(4), Some("M"), ErrorCode::NotApplicable, "type image"),
        ),
        (
            "figure on a photo",
            vec![&[("type", "image"), ("name", "a"), Q, ("sotay_figure", "Ảnh|Photos")]],
            (SURVEY, Some(4), Some("Q"), ErrorCode::NotApplicable, "sotay_figure"),
        ),
        (
            "required on a note",
            vec![&[("type", "note"), ("name", "a"), Q, ("required", "yes")]],
            (SURVEY, Some(4), Some("G"), ErrorCode::NotApplicable, "note"),
        ),
        (
            "group_label off a grid",
            vec![&[("type", "integer"), ("name", "a"), Q, ("group_label", "Nhóm|Group")]],
            (SURVEY, Some(4), Some("O"), ErrorCode::NotApplicable, "group_label"),
        ),
        (
            "required condition",
            vec![&[("type", "text"), ("name", "a"), Q, ("required", "${day} != ''")]],
            (SURVEY, Some(4), Some("G"), ErrorCode::UnsupportedValue, "conditional"),
        ),
        (
            "a column sotay lacks",
            vec![&[("type", "text"), ("name", "a"), Q, ("choice_filter", "x")]],
            (SURVEY, Some(4), Some("T"), ErrorCode::UnsupportedColumn, "choice_filter"),
        ),
        (
            "media",
            vec![&[("type", "text"), ("name", "a"), Q, ("media::image", "a.png")]],
            (SURVEY, Some(4), Some("T"), ErrorCode::UnsupportedColumn, "media::image"),
        ),
        (
            "a third language",
            vec![&[("type", "text"), ("name", "a"), Q, ("label::Français (fr)", "Question")]],
            (SURVEY, Some(4), Some("T"), ErrorCode::UnsupportedLanguage, "Français"),
        ),
        (
            "a row without a type",
            vec![&[("name", "a"), Q]],
            (SURVEY, Some(4), Some("A"), ErrorCode::MissingValue, "no type"),
        ),
    ];
    for (what, rows, at) in cases {
        assert_has(&errors(&probe(&rows, &[], &[])), at, what);
    }
}

#[test]
fn expressions_sotay_lacks_are_refused_where_they_are() {
    let cases: Vec<(&str, Vec<Row>, At)> = vec![
        (
            "regex",
            vec![&[
                ("type", "text"),
                ("name", "a"),
                Q,
                ("constraint", "regex(., '^[0-9]+$')"),
                ("constraint_message", "Số|Digits"),
            ]],
            (
                SURVEY,
                Some(4),
                Some("I"),
                ErrorCode::UnsupportedFunction,
                "Character 1: sotay's expressions have no function regex()",
            ),
        ),
        (
            "concat",
            vec![&[("type", "calculate"), ("name", "a"), Q, ("calculation", "concat(${day}, 'x')")]],
            (SURVEY, Some(4), Some("L"), ErrorCode::UnsupportedFunction, "concat"),
        ),
        (
            "today()",
            vec![&[("type", "text"), ("name", "a"), Q, ("relevant", "${day} < today()")]],
            (SURVEY, Some(4), Some("H"), ErrorCode::UnsupportedFunction, "Character 10"),
        ),
        (
            "an XPath path",
            vec![&[("type", "text"), ("name", "a"), Q, ("relevant", "/data/day != ''")]],
            (SURVEY, Some(4), Some("H"), ErrorCode::UnsupportedExpression, "paths"),
        ),
        (
            "mod",
            vec![&[
                ("type", "integer"),
                ("name", "a"),
                Q,
                ("constraint", ". mod 2 = 0"),
                ("constraint_message", "Chẵn|Even"),
            ]],
            (SURVEY, Some(4), Some("I"), ErrorCode::UnsupportedExpression, "Character 3"),
        ),
        (
            "a bare name",
            vec![&[("type", "text"), ("name", "a"), Q, ("relevant", "day != ''")]],
            (SURVEY, Some(4), Some("H"), ErrorCode::UnsupportedExpression, "${day}"),
        ),
        (
            "syntax",
            vec![&[("type", "text"), ("name", "a"), Q, ("relevant", "(${day} != ''")]],
            (SURVEY, Some(4), Some("H"), ErrorCode::Expression, "Character 14"),
        ),
        (
            "answers in a label",
            vec![&[("type", "text"), ("name", "a"), ("label", "Ngày ${day}|Day ${day}")]],
            (SURVEY, Some(4), Some("C"), ErrorCode::UnsupportedInterpolation, "plain text"),
        ),
    ];
    for (what, rows, at) in cases {
        assert_has(&errors(&probe(&rows, &[], &[])), at, what);
    }
}
