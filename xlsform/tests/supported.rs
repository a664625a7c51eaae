//! Table tests of what the importer takes: every supported type and column, each row of a
//! small XLSForm and the definition piece it must become.

mod common;

use forms::definition::{ChoiceOption, Field, FieldType, GridGroup, GridSpec, Section};
use forms::figures::{Figure, FormFigures};
use forms::{Localized, PlanArea};

use common::{probe, reference, settings, sheet_rows, workbook, Row, DAY, SURVEY_HEADERS};

fn text(vi: &str, en: &str) -> Localized {
    Localized::new(vi, en)
}

fn field(name: &str, t: FieldType) -> Field {
    Field {
        name: name.into(),
        field_type: t,
        label: text("Câu", "Question"),
        hint: None,
        required: false,
        relevant: None,
        constraint: None,
        constraint_message: None,
        calculate: None,
        min: None,
        max: None,
        max_length: None,
        options: None,
        list: None,
        personal_data_warning: None,
        grid: None,
        max_photos: None,
    }
}

fn option(value: &str, vi: &str, en: &str) -> ChoiceOption {
    ChoiceOption { value: value.into(), label: text(vi, en) }
}

fn imported(bytes: &[u8]) -> xlsform::Imported {
    xlsform::import(bytes, &reference()).unwrap_or_else(|errors| panic!("{errors:#?}"))
}

/// The field called `name` of the probe with `rows` after its date question.
fn imported_field(rows: &[Row], choices: &[Row], name: &str) -> Field {
    let def = imported(&probe(rows, &[], choices)).definition;
    def.sections.iter().flat_map(|s| &s.fields).find(|f| f.name == name).cloned().expect("the field is there")
}

const Q: (&str, &str) = ("label", "Câu|Question");

#[test]
fn every_supported_type_and_column_becomes_its_definition_piece() {
    let cases: Vec<(&str, Vec<Row>, Vec<Row>, Field)> = vec![
        ("text", vec![&[("type", "text"), ("name", "a"), Q]], vec![], field("a", FieldType::Text)),
        ("text, max_length", vec![&[("type", "text"), ("name", "a"), Q, ("parameters", "max_length=200")]], vec![], {
            let mut f = field("a", FieldType::Text);
            f.max_length = Some(200);
            f
        }),
        (
            "multiline text is long_text",
            vec![&[
                ("type", "text"),
                ("name", "a"),
                Q,
                ("appearance", "multiline"),
                ("parameters", "max_length=3000 personal_data_warning=no"),
            ]],
            vec![],
            {
                let mut f = field("a", FieldType::LongText);
                f.max_length = Some(3000);
                f.personal_data_warning = Some(false);
                f
            },
        ),
        ("integer, bounds", vec![&[("type", "integer"), ("name", "a"), Q, ("parameters", "min=1 max=30")]], vec![], {
            let mut f = field("a", FieldType::Integer);
            (f.min, f.max) = (Some(1.0), Some(30.0));
            f
        }),
        (
            "decimal, bounds",
            vec![&[("type", "decimal"), ("name", "a"), Q, ("parameters", "min=0.5;max=2.25")]],
            vec![],
            {
                let mut f = field("a", FieldType::Decimal);
                (f.min, f.max) = (Some(0.5), Some(2.25));
                f
            },
        ),
        ("date", vec![&[("type", "date"), ("name", "a"), Q]], vec![], field("a", FieldType::Date)),
        ("time", vec![&[("type", "time"), ("name", "a"), Q]], vec![], field("a", FieldType::Time)),
        ("yes_no", vec![&[("type", "yes_no"), ("name", "a"), Q]], vec![], field("a", FieldType::YesNo)),
        ("note", vec![&[("type", "note"), ("name", "a"), Q, ("hint", "Gợi ý|Hint")]], vec![], {
            let mut f = field("a", FieldType::Note);
            f.hint = Some(text("Gợi ý", "Hint"));
            f
        }),
        (
            "select_one, a choices list",
            vec![&[("type", "select_one colours"), ("name", "a"), Q]],
            vec![
                &[("list_name", "colours"), ("name", "red"), ("label", "Đỏ|Red")],
                &[("list_name", "colours"), ("name", "01"), ("label", "Số 01|Number 01")],
            ],
            {
                let mut f = field("a", FieldType::SelectOne);
                f.options = Some(vec![option("red", "Đỏ", "Red"), option("01", "Số 01", "Number 01")]);
                f
            },
        ),
        (
            "select multiple, a reference list",
            vec![&[("type", "select multiple agencies"), ("name", "a"), Q]],
            vec![],
            {
                let mut f = field("a", FieldType::SelectMultiple);
                f.list = Some("agencies".into());
                f
            },
        ),
        ("a unit list", vec![&[("type", "select_one units_2025"), ("name", "a"), Q]], vec![], {
            let mut f = field("a", FieldType::SelectOne);
            f.list = Some("units_2025".into());
            f
        }),
        (
            "required, relevant, constraint and its message",
            vec![
                &[("type", "integer"), ("name", "n"), Q],
                &[
                    ("type", "integer"),
                    ("name", "a"),
                    Q,
                    ("required", "yes"),
                    ("relevant", "${n} > 0 and not(${n} = 3)"),
                    ("constraint", ". <= ${n} div 2"),
                    ("constraint_message", "Quá lớn|Too large"),
                ],
            ],
            vec![],
            {
                let mut f = field("a", FieldType::Integer);
                f.required = true;
                f.relevant = Some("n > 0 and not(n = 3)".into());
                f.constraint = Some(". <= n / 2".into());
                f.constraint_message = Some(text("Quá lớn", "Too large"));
                f
            },
        ),
        (
            "required written TRUE, relevant with true()",
            vec![&[("type", "text"), ("name", "a"), Q, ("required", "TRUE"), ("relevant", "true()")]],
            vec![],
            {
                let mut f = field("a", FieldType::Text);
                f.required = true;
                f.relevant = Some("true".into());
                f
            },
        ),
        (
            "calculate",
            vec![&[
                ("type", "calculate"),
                ("name", "a"),
                Q,
                ("calculation", "days_between(${day}, date('2025-12-15')) + 1"),
            ]],
            vec![],
            {
                let mut f = field("a", FieldType::Calculate);
                f.calculate = Some("days_between(day, date('2025-12-15')) + 1".into());
                f
            },
        ),
        (
            "count_grid with a third dimension",
            vec![&[
                ("type", "count_grid"),
                ("name", "people"),
                Q,
                ("required", "yes"),
                ("constraint", "total(.) > 0"),
                ("constraint_message", "Cần một người|Someone is needed"),
                ("parameters", "shortlist=quang_ngai max_cell=2000 group=ages group_name=age_group"),
                ("group_label", "Độ tuổi|Age group"),
            ]],
            vec![
                &[("list_name", "ages"), ("name", "child"), ("label", "Trẻ em|Children")],
                &[("list_name", "ages"), ("name", "adult"), ("label", "Người lớn|Adults")],
            ],
            {
                let mut f = field("people", FieldType::CountGrid);
                f.required = true;
                f.constraint = Some("total(.) > 0".into());
                f.constraint_message = Some(text("Cần một người", "Someone is needed"));
                f.grid = Some(GridSpec {
                    ethnicity_list: "ethnic_groups".into(),
                    shortlist: "quang_ngai".into(),
                    group: Some(GridGroup {
                        name: "age_group".into(),
                        label: text("Độ tuổi", "Age group"),
                        options: vec![option("child", "Trẻ em", "Children"), option("adult", "Người lớn", "Adults")],
                    }),
                    max_cell: 2000,
                });
                f
            },
        ),
        (
            "count_grid, defaults",
            vec![&[("type", "count_grid"), ("name", "people"), Q, ("parameters", "shortlist=quang_ngai")]],
            vec![],
            {
                let mut f = field("people", FieldType::CountGrid);
                f.grid = Some(GridSpec {
                    ethnicity_list: "ethnic_groups".into(),
                    shortlist: "quang_ngai".into(),
                    group: None,
                    max_cell: 100_000,
                });
                f
            },
        ),
        (
            "image is a photo question, with max_photos, required, relevant and a hint",
            vec![
                &[("type", "yes_no"), ("name", "held"), Q],
                &[
                    ("type", "image"),
                    ("name", "sheet"),
                    Q,
                    ("hint", "Mỗi trang một ảnh|One photo per page"),
                    ("required", "yes"),
                    ("relevant", "${held}"),
                    ("parameters", "max_photos=3"),
                ],
            ],
            vec![],
            {
                let mut f = field("sheet", FieldType::Photo);
                f.max_photos = Some(3);
                f.hint = Some(text("Mỗi trang một ảnh", "One photo per page"));
                f.required = true;
                f.relevant = Some("held".into());
                f
            },
        ),
        ("image, one photo", vec![&[("type", "image"), ("name", "a"), Q]], vec![], field("a", FieldType::Photo)),
        (
            "image, max_photos=10",
            vec![&[("type", "image"), ("name", "a"), Q, ("parameters", "max_photos=10")]],
            vec![],
            {
                let mut f = field("a", FieldType::Photo);
                f.max_photos = Some(10);
                f
            },
        ),
        (
            "geopoint, required and relevant",
            vec![
                &[("type", "yes_no"), ("name", "there"), Q],
                &[("type", "geopoint"), ("name", "where"), Q, ("required", "yes"), ("relevant", "${there}")],
            ],
            vec![],
            {
                let mut f = field("where", FieldType::Geopoint);
                f.required = true;
                f.relevant = Some("there".into());
                f
            },
        ),
        (
            "a photo question counts its photos in expressions; a geopoint is asked about with filled()",
            vec![
                &[("type", "image"), ("name", "pics"), Q, ("parameters", "max_photos=2")],
                &[("type", "geopoint"), ("name", "spot"), Q],
                &[("type", "text"), ("name", "why"), Q, ("relevant", "${pics} < 2 and not(filled(${spot}))")],
            ],
            vec![],
            {
                let mut f = field("why", FieldType::Text);
                f.relevant = Some("pics < 2 and not(filled(spot))".into());
                f
            },
        ),
    ];
    for (what, rows, choices, want) in cases {
        assert_eq!(imported_field(&rows, &choices, &want.name), want, "{what}");
    }
}

#[test]
fn groups_are_sections_and_settings_the_form() {
    let survey: Vec<Row> = vec![
        &[("type", "begin_group"), ("name", "main"), ("label", "Chính|Main"), ("hint", "Đầu tiên|First")],
        DAY,
        &[("type", "yes_no"), ("name", "more"), ("label", "Thêm?|More?")],
        &[("type", "end_group"), ("name", "main")],
        &[("type", "begin group"), ("name", "extra"), ("label", "Thêm|Extra"), ("relevant", "${more}")],
        &[
            ("type", "integer"),
            ("name", "banners"),
            ("label", "Băng rôn|Banners"),
            ("sotay_figure", "Số băng rôn|Banners put up"),
        ],
        &[("type", "end group")],
    ];
    let extra: Row = &[
        ("form_title", "Thử|Probe"),
        ("form_help", "Giúp|Help"),
        ("withdrawn", "yes"),
        ("plan_area", "action_month"),
        ("version", "3"),
    ];
    let bytes = workbook(&[("survey", sheet_rows(&SURVEY_HEADERS, &survey)), ("settings", settings(extra))]);
    let imported = imported(&bytes);
    let def = &imported.definition;
    assert_eq!((def.id.as_str(), def.version, def.plan_area, def.withdrawn), ("probe", 3, PlanArea::ActionMonth, true));
    assert_eq!((&def.title, &def.help), (&text("Thử", "Probe"), &Some(text("Giúp", "Help"))));
    assert_eq!(def.date_field, "day");
    let ids: Vec<(&str, Option<&str>, Option<&Localized>)> =
        def.sections.iter().map(|s: &Section| (s.id.as_str(), s.relevant.as_deref(), s.help.as_ref())).collect();
    assert_eq!(ids, [("main", None, Some(&text("Đầu tiên", "First"))), ("extra", Some("more"), None)]);
    let banners = Figure { field: "banners".into(), label: text("Số băng rôn", "Banners put up") };
    assert_eq!(imported.figures, Some(FormFigures { form: "probe".into(), figures: vec![banners] }));
}

/// A plain `label` column is in the default language (Vietnamese unless the settings say
/// otherwise); headers are read in any case, with spaces for `_`.
#[test]
fn plain_columns_are_in_the_default_language() {
    let headers = ["Type", "name", "label", "label::English (en)"];
    let rows: Vec<Row> = vec![
        &[("Type", "begin group"), ("name", "main"), ("label", "Chính"), ("label::English (en)", "Main")],
        &[("Type", "date"), ("name", "day"), ("label", "Ngày"), ("label::English (en)", "Day"), ("required", "yes")],
        &[("Type", "end group")],
    ];
    let survey = sheet_rows(&headers, &rows);
    let def = imported(&workbook(&[("survey", survey.clone()), ("settings", settings(&[]))])).definition;
    assert_eq!(def.sections[0].fields[0].label, text("Ngày", "Day"));

    // default_language English: the plain column is English, the Vietnamese named.
    let headers = ["type", "name", "label", "label::vi"];
    let rows: Vec<Row> = vec![
        &[("type", "begin group"), ("name", "main"), ("label", "Main"), ("label::vi", "Chính")],
        &[("type", "date"), ("name", "day"), ("label", "Day"), ("label::vi", "Ngày"), ("required", "yes")],
        &[("type", "end group")],
    ];
    let survey = sheet_rows(&headers, &rows);
    let choices = sheet_rows(&["list name", "name", "label"], &[]);
    let extra: Row = &[("default_language", "English (en)")];
    let def =
        imported(&workbook(&[("survey", survey), ("choices", choices), ("settings", settings(extra))])).definition;
    assert_eq!(def.sections[0].fields[0].label, text("Ngày", "Day"));
    assert_eq!(def.sections[0].title, text("Chính", "Main"));
}

/// Other sheets (notes for the people editing) are left alone, as pyxform leaves them; a
/// workbook without `choices` is fine when no question needs it.
#[test]
fn other_sheets_are_ignored_and_choices_may_be_absent() {
    let survey: Vec<Row> =
        vec![&[("type", "begin group"), ("name", "main"), ("label", "Chính|Main")], DAY, &[("type", "end group")]];
    let notes = vec![vec!["Ghi chú cho người soạn".to_owned()]];
    let bytes = workbook(&[
        ("Hướng dẫn", notes),
        ("survey", sheet_rows(&SURVEY_HEADERS, &survey)),
        ("settings", settings(&[])),
    ]);
    assert_eq!(imported(&bytes).definition.sections.len(), 1);
}
