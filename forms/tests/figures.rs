//! Report figures (`definitions/<form>/figures.toml`): which files load, what a record's
//! answers add to each figure, and what the bundle and the fingerprints carry.

use forms::figures::{parse_figures, FormFigures};
use forms::{Catalog, Form};
use serde_json::{json, Map, Value};

fn catalog_without_figures() -> Catalog {
    let bundled = Catalog::bundled().unwrap();
    let mut bundle = bundled.bundle();
    bundle.figures.clear();
    Catalog::from_bundle(bundle).unwrap()
}

fn figures_file(form: &str, figures: &[(&str, &str)]) -> String {
    let mut text = format!("form = \"{form}\"\n");
    for (field, extra) in figures {
        text += &format!("[[figures]]\nfield = \"{field}\"\nlabel = {{ vi = \"Số\", en = \"Count\" }}\n{extra}\n");
    }
    text
}

#[test]
fn bad_figure_files_fail_with_the_file_and_field() {
    #[rustfmt::skip]
    let cases: Vec<(&str, &str, String, Option<&str>, &str)> = vec![
        ("unknown form", "nosuch/figures.toml", figures_file("nosuch", &[("x", "")]), None, "no form 'nosuch'"),
        ("no figures", "model_check/figures.toml", "form = \"model_check\"\nfigures = []\n".into(), None, "at least one figure"),
        ("unknown field", "model_check/figures.toml", figures_file("model_check", &[("nosuch", "")]), Some("nosuch"), "no version of 'model_check' has this field"),
        ("a text field", "model_check/figures.toml", figures_file("model_check", &[("model_name", "")]), Some("model_name"), "yes_no or integer field, not text"),
        ("a choice field", "model_check/figures.toml", figures_file("model_check", &[("model_type", "")]), Some("model_type"), "not select_one"),
        ("a date field", "model_check/figures.toml", figures_file("model_check", &[("check_date", "")]), Some("check_date"), "not date"),
        ("listed twice", "model_check/figures.toml", figures_file("model_check", &[("model_active", ""), ("model_active", "")]), Some("model_active"), "listed twice"),
        ("an empty label", "model_check/figures.toml", "form = \"model_check\"\n[[figures]]\nfield = \"model_active\"\nlabel = { vi = \"\", en = \"Active\" }\n".into(), Some("model_active"), "both 'vi' and 'en'"),
        ("an unknown attribute", "model_check/figures.toml", figures_file("model_check", &[("model_active", "count = \"yes\"")]), None, "unknown field `count`"),
        ("the wrong folder", "outreach_event/figures.toml", figures_file("model_check", &[("model_active", "")]), None, "belong in model_check/figures.toml"),
        ("a folder that only ends with the id", "old_model_check/figures.toml", figures_file("model_check", &[("model_active", "")]), None, "belong in model_check/figures.toml"),
    ];
    let mut failures = Vec::new();
    for (what, file, text, field, message) in &cases {
        let result = parse_figures(file, text).and_then(|f| catalog_without_figures().with_figures(vec![f]));
        match result {
            Ok(_) => failures.push(format!("{what}: loads, should fail with '{message}'")),
            Err(e) => {
                if e.file != *file || e.field.as_deref() != *field || !e.message.contains(message) {
                    failures.push(format!("{what}: got {e:?}, want file {file}, field {field:?}, '{message}'"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} case(s) failing:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn a_field_whose_type_differs_between_versions_is_refused() {
    // training_session: duration_days is an integer in both versions; a version that makes
    // it a yes/no would give one figure two meanings.
    let mut bundle = catalog_without_figures().bundle();
    let v2 = bundle.forms.iter_mut().find(|d| d.id == "training_session" && d.version == 2).unwrap();
    let field = v2.sections.iter_mut().flat_map(|s| &mut s.fields).find(|f| f.name == "duration_days").unwrap();
    field.field_type = forms::FieldType::YesNo;
    field.min = None;
    field.max = None;
    field.constraint = None;
    field.constraint_message = None;
    let catalog = Catalog::from_bundle(bundle).unwrap();
    let figures =
        parse_figures("training_session/figures.toml", &figures_file("training_session", &[("duration_days", "")]))
            .unwrap();
    let err = catalog.with_figures(vec![figures]).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("duration_days"));
    assert!(err.message.contains("is yes_no in version 2 but integer elsewhere"), "{err:?}");
}

fn answers(value: Value) -> Map<String, Value> {
    let Value::Object(map) = value else { panic!("an object") };
    map
}

/// Validates and normalizes answers the way the server stores them.
fn stored(form: &Form, value: Value) -> Map<String, Value> {
    let validated = form.validate_answers(&answers(value), forms::Mode::Final).expect("valid answers");
    validated.values()
}

#[test]
fn each_record_adds_its_answers_to_the_figures_its_version_has() {
    let catalog = Catalog::bundled().unwrap();
    let form = catalog.form("model_check", 1).unwrap();
    let base = json!({ "model_name": "Địa chỉ tin cậy thôn 3", "check_date": "2026-11-20" });
    let with = |extra: Value| {
        let mut v = base.clone();
        v.as_object_mut().unwrap().extend(answers(extra));
        v
    };
    let checklist = json!({ "has_decision": true, "has_assigned_members": true, "meets_monthly": false,
                            "contact_displayed": true, "referral_links": true });
    let active = |model_type: &str, support: Value| {
        let mut v = with(json!({ "model_type": model_type, "model_active": true }));
        v.as_object_mut().unwrap().extend(answers(checklist.clone()));
        v.as_object_mut().unwrap().extend(answers(support));
        v
    };
    #[rustfmt::skip]
    let cases: Vec<(&str, Value, Vec<(&str, i64)>)> = vec![
        ("inactive: counts 0 active, asks nothing else",
         with(json!({ "model_type": "trusted_address", "model_active": false })),
         vec![("model_active", 0)]),
        ("active trusted address: every figure",
         active("trusted_address", json!({ "people_supported": 7, "people_supported_female": 5, "people_referred": 2 })),
         vec![("model_active", 1), ("people_supported", 7), ("people_supported_female", 5), ("people_referred", 2)]),
        ("active model of another type: no support section",
         active("gbv_prevention", json!({})),
         vec![("model_active", 1)]),
    ];
    for (what, values, want) in cases {
        let stored = stored(form, values);
        assert_eq!(catalog.figure_values(form, &stored), want, "{what}");
    }
    // A form without figures adds none; a figure the version lacks is skipped.
    let project8 = catalog.form("project8_activity", 1).unwrap();
    assert!(catalog.figures("project8_activity").is_none());
    assert!(catalog.figure_values(project8, &Map::new()).is_empty());
    let figures: FormFigures = catalog.figures("model_check").unwrap().clone();
    let mut wider = figures.clone();
    wider.figures.push(forms::figures::Figure { field: "not_in_v1".into(), label: figures.figures[0].label.clone() });
    let stored = stored(
        form,
        active("trusted_address", json!({ "people_supported": 1, "people_supported_female": 0, "people_referred": 0 })),
    );
    assert_eq!(wider.values(form, &stored).len(), figures.values(form, &stored).len());
}

#[test]
fn the_bundle_carries_the_figures_and_the_fingerprints_follow_them() {
    let catalog = Catalog::bundled().unwrap();
    let model = catalog.figures("model_check").expect("model checks have figures");
    let fields: Vec<&str> = model.figures.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["model_active", "people_supported", "people_supported_female", "people_referred"]);

    let again = Catalog::from_bundle(catalog.bundle()).unwrap();
    assert_eq!(again.bundle(), catalog.bundle(), "a bundle round-trips with its figures");
    assert_eq!(again.version(), catalog.version());
    assert_eq!(again.figures_fingerprint(), catalog.figures_fingerprint());

    // A new label: a new catalog version for the phones, but no stored value changes.
    let mut relabelled = catalog.bundle();
    relabelled.figures[0].figures[0].label.vi += " (sửa)";
    let relabelled = Catalog::from_bundle(relabelled).unwrap();
    assert_ne!(relabelled.version(), catalog.version());
    assert_eq!(relabelled.figures_fingerprint(), catalog.figures_fingerprint());

    // A figure taken away changes both.
    let mut fewer = catalog.bundle();
    let model = fewer.figures.iter_mut().find(|f| f.form == "model_check").unwrap();
    model.figures.pop();
    let fewer = Catalog::from_bundle(fewer).unwrap();
    assert_ne!(fewer.version(), catalog.version());
    assert_ne!(fewer.figures_fingerprint(), catalog.figures_fingerprint());
    assert_ne!(catalog_without_figures().figures_fingerprint(), catalog.figures_fingerprint());
    assert_ne!(catalog_without_figures().figures_fingerprint(), 0, "0 means 'never worked out' on the server");
}
