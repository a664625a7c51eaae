//! Data-driven validation tests: for every form version, `cases/<form>_v<N>.json` holds
//! records that must be accepted (with the values the engine must compute) and changes to
//! them that must be rejected, each with the field and error code it must be rejected for.
//!
//! Case file shape:
//! ```json
//! { "form": "training_session", "version": 1,
//!   "valid": [ { "why": "...", "values": { ... }, "expect": { "participants_total": 25 } } ],
//!   "invalid": [ { "why": "...", "base": 0, "patch": { "end_date": "2020-01-01" },
//!                  "errors": [["end_date", "constraint"]] } ] }
//! ```
//! A patch is merged into valid record `base` (default 0); a `null` in a patch removes the key.
//! `"absent": ["field"]` in a valid case lists fields the engine must drop (not relevant).

use std::collections::BTreeSet;
use std::path::Path;

use forms::{Catalog, Mode};
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    form: String,
    version: u32,
    valid: Vec<ValidCase>,
    invalid: Vec<InvalidCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidCase {
    why: String,
    values: Map<String, Value>,
    #[serde(default)]
    expect: Map<String, Value>,
    #[serde(default)]
    absent: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InvalidCase {
    why: String,
    #[serde(default)]
    base: usize,
    patch: Map<String, Value>,
    errors: Vec<(String, String)>,
}

fn case_files() -> Vec<(String, CaseFile)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("tests/cases exists").map(|e| e.unwrap().path()).collect();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).unwrap();
            let case: CaseFile = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, case)
        })
        .collect()
}

#[test]
fn every_form_version_has_a_case_file() {
    let catalog = Catalog::bundled().unwrap();
    let covered: BTreeSet<(String, u32)> = case_files().into_iter().map(|(_, c)| (c.form, c.version)).collect();
    for form in catalog.forms() {
        assert!(
            covered.contains(&(form.id().to_owned(), form.version())),
            "no tests/cases file for {} v{}",
            form.id(),
            form.version()
        );
    }
}

#[test]
fn valid_records_are_accepted_and_invalid_ones_rejected_for_the_right_reason() {
    let catalog = Catalog::bundled().unwrap();
    let mut failures = Vec::new();
    for (file, case) in case_files() {
        let form = catalog
            .form(&case.form, case.version)
            .unwrap_or_else(|| panic!("{file}: no form {} v{}", case.form, case.version));
        for valid in &case.valid {
            match form.validate(&Value::Object(valid.values.clone()), Mode::Final) {
                Err(errors) => failures.push(format!("{file}: valid case '{}' was rejected: {errors:?}", valid.why)),
                Ok(out) => {
                    for (key, want) in &valid.expect {
                        if out.values().get(key) != Some(want) {
                            failures.push(format!(
                                "{file}: '{}': {key} should be {want}, is {:?}",
                                valid.why,
                                out.values().get(key)
                            ));
                        }
                    }
                    for key in &valid.absent {
                        if out.values().contains_key(key) {
                            failures.push(format!("{file}: '{}': {key} should have been dropped", valid.why));
                        }
                    }
                }
            }
        }
        for bad in &case.invalid {
            let mut values = case.valid[bad.base].values.clone();
            for (k, v) in &bad.patch {
                match v {
                    Value::Null => values.remove(k),
                    v => values.insert(k.clone(), v.clone()),
                };
            }
            let want: BTreeSet<(String, String)> = bad.errors.iter().cloned().collect();
            match form.validate(&Value::Object(values), Mode::Final) {
                Ok(_) => failures.push(format!("{file}: invalid case '{}' was accepted", bad.why)),
                Err(errors) => {
                    let got: BTreeSet<(String, String)> = errors
                        .iter()
                        .map(|e| (e.field.clone(), serde_json::to_value(e.code).unwrap().as_str().unwrap().to_owned()))
                        .collect();
                    if got != want {
                        failures.push(format!("{file}: '{}': expected errors {want:?}, got {got:?}", bad.why));
                    }
                    for e in &errors {
                        if e.message.vi.is_empty() || e.message.en.is_empty() {
                            failures.push(format!("{file}: '{}': an error lacks a message: {e:?}", bad.why));
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} failing case(s):\n{}", failures.len(), failures.join("\n"));
}
