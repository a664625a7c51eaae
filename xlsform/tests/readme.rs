//! The README's worked example is true: its three tables, written as a workbook, import to
//! the definition its TOML block shows — which is exactly what `definition_toml` writes —
//! with the report figure its `sotay_figure` column marks.

mod common;

use forms::catalog::parse_definition;
use forms::figures::{Figure, FormFigures};
use forms::Localized;

const README: &str = include_str!("../README.md");

/// The markdown table under `#### <name>`: its header row, then its rows.
fn table(name: &str) -> Vec<Vec<String>> {
    let start = README.find(&format!("#### {name}\n")).unwrap_or_else(|| panic!("no table {name}"));
    README[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter(|l| !l.starts_with("|---"))
        .map(|l| l.trim().trim_matches('|').split('|').map(|c| c.trim().to_owned()).collect())
        .collect()
}

fn toml_block() -> &'static str {
    let start = README.find("```toml\n").unwrap() + "```toml\n".len();
    let end = start + README[start..].find("```").unwrap();
    &README[start..end]
}

#[test]
fn the_worked_example_imports_to_its_toml() {
    let bytes = common::workbook(&[
        ("survey", table("survey")),
        ("choices", table("choices")),
        ("settings", table("settings")),
    ]);
    let imported = xlsform::import(&bytes, &common::reference()).unwrap_or_else(|e| panic!("{e:#?}"));
    let (_, expected) = parse_definition("example_training/v1.toml", toml_block()).unwrap();
    assert_eq!(imported.definition, expected);
    assert_eq!(
        xlsform::definition_toml(&imported.definition),
        toml_block(),
        "the README shows definition_toml's output"
    );
    let figure =
        Figure { field: "duration_days".into(), label: Localized::new("Số ngày tập huấn", "Training days") };
    assert_eq!(imported.figures, Some(FormFigures { form: "example_training".into(), figures: vec![figure] }));
}

/// The README's example error is what the importer sends, as JSON.
#[test]
fn the_example_error_is_the_json_sent() {
    let start = README.find("```json\n").unwrap() + "```json\n".len();
    let end = start + README[start..].find("```").unwrap();
    let shown: serde_json::Value = serde_json::from_str(&README[start..end]).unwrap();
    let row: common::Row =
        &[("type", "text"), ("name", "a"), ("label", "Câu|Question"), ("relevant", "${day} < today()")];
    let errors = xlsform::import(&common::probe(&[row], &[], &[]), &common::reference()).unwrap_err();
    assert_eq!(serde_json::to_value(&errors).unwrap(), serde_json::json!([shown]));
}
