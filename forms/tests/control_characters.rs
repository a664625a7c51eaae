//! Control characters in what a record stores: refused with a field error, the same on the
//! phone and on the server, never stripped (issue 12: PostgreSQL cannot store U+0000).

use chrono::{TimeZone, Utc};
use forms::validate::control_character;
use forms::{Catalog, ErrorCode, Location, Mode, Record, RecordStatus};
use serde_json::{json, Map, Value};
use uuid::Uuid;

fn outreach(values: Map<String, Value>) -> Record {
    Record {
        id: Uuid::from_u128(7),
        form_id: "outreach_event".into(),
        form_version: 1,
        location: Location { unit_list: "units_2025".into(), unit_code: "21025".into() },
        author: "canbo.xa".into(),
        device_id: "device-1".into(),
        created_at: Utc.with_ymd_and_hms(2025, 11, 20, 2, 0, 0).unwrap(),
        updated_at: Utc.with_ymd_and_hms(2025, 11, 20, 2, 5, 0).unwrap(),
        status: RecordStatus::Final,
        deleted: false,
        revision: 0,
        values,
    }
}

fn valid_values() -> Map<String, Value> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases/outreach_event_v1.json"))
        .expect("the case file");
    let cases: Value = serde_json::from_str(&text).expect("JSON");
    cases["valid"][0]["values"].as_object().expect("values").clone()
}

fn codes(record: &Record) -> Vec<(String, ErrorCode)> {
    let catalog = Catalog::bundled().unwrap();
    match catalog.validate_record(record) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(|e| (e.field.clone(), e.code)).collect(),
    }
}

#[test]
fn which_characters_are_controls() {
    for (text, whitespace, found) in [
        ("Nhà văn hoá thôn", true, None),
        ("dòng 1\ndòng 2\r\n\tthụt lề", true, None),
        ("a\tb", false, Some('\t')),
        ("a\nb", false, Some('\n')),
        ("\u{0}", true, Some('\u{0}')),
        ("ab\u{1}\u{0}", true, Some('\u{1}')),
        ("\u{b}", true, Some('\u{b}')),
        ("\u{c}", true, Some('\u{c}')),
        ("\u{1b}[0m", true, Some('\u{1b}')),
        ("\u{1f}", true, Some('\u{1f}')),
        ("\u{7f}", true, Some('\u{7f}')),
        ("\u{85}", true, Some('\u{85}')),
        ("\u{9f}", true, Some('\u{9f}')),
        // Not controls: printable Latin-1, format characters, private use, U+FFFD.
        (" ~\u{a0}\u{ff}", true, None),
        ("\u{200d}\u{200b}\u{202e}\u{feff}\u{e000}\u{fffd}", false, None),
    ] {
        assert_eq!(control_character(text, whitespace), found, "{text:?}");
    }
}

#[test]
fn a_control_character_in_a_text_answer_is_a_field_error_in_both_languages() {
    let catalog = Catalog::bundled().unwrap();
    let form = catalog.form("outreach_event", 1).unwrap();
    for (field, text) in
        [("place", "Nhà văn hoá\u{0}"), ("notes", "dòng 1\n\u{0}"), ("place", "\u{0}"), ("notes", "a\u{85}b")]
    {
        for mode in [Mode::Draft, Mode::Final] {
            let mut values = valid_values();
            values.insert(field.into(), json!(text));
            let errors = form.validate_answers(&values, mode).expect_err(text);
            assert_eq!(errors.len(), 1, "{errors:?}");
            let e = &errors[0];
            assert_eq!((e.field.as_str(), e.code), (field, ErrorCode::ControlCharacter), "{text:?} {mode:?}");
            let c = control_character(text, true).unwrap();
            let named = format!("U+{:04X}", u32::from(c));
            assert!(e.message.vi.contains(&named) && e.message.en.contains(&named), "{:?}", e.message);
            assert!(!e.message.vi.contains(c) && !e.message.en.contains(c), "the message names it, never holds it");
        }
    }
    // Tab and line breaks are text, kept as typed inside the answer.
    let mut values = valid_values();
    values.insert("notes".into(), json!(" Dòng một\r\nDòng hai\n\tthụt lề "));
    let stored = form.validate_answers(&values, Mode::Final).unwrap().values();
    assert_eq!(stored["notes"], "Dòng một\r\nDòng hai\n\tthụt lề");
}

#[test]
fn a_control_character_in_the_device_id_is_an_error_of_the_record() {
    let mut record = outreach(valid_values());
    assert_eq!(codes(&record), vec![]);
    for id in ["tab\u{0}07", "tab\t07", "tab\n"] {
        record.device_id = id.into();
        assert_eq!(codes(&record), vec![("device_id".to_owned(), ErrorCode::ControlCharacter)], "{id:?}");
    }
    // A tombstone keeps no answers but its device id is stored all the same.
    record.deleted = true;
    assert_eq!(codes(&record), vec![("device_id".to_owned(), ErrorCode::ControlCharacter)]);
    // Beside errors of the answers and the location, in that order.
    record.deleted = false;
    record.location.unit_code = "99999".into();
    record.values.insert("place".into(), json!("\u{7}"));
    assert_eq!(
        codes(&record),
        vec![
            ("location".to_owned(), ErrorCode::UnknownUnit),
            ("device_id".to_owned(), ErrorCode::ControlCharacter),
            ("place".to_owned(), ErrorCode::ControlCharacter),
        ]
    );
}

#[test]
fn the_new_codes_have_stable_names() {
    assert_eq!(serde_json::to_value(ErrorCode::ControlCharacter).unwrap(), "control_character");
    assert_eq!(serde_json::to_value(ErrorCode::ChangeIdReused).unwrap(), "change_id_reused");
}

#[test]
fn a_code_from_a_newer_server_is_read_not_refused() {
    let error: forms::FieldError = serde_json::from_value(json!({
        "field": "place", "code": "some_code_of_a_later_release", "message": { "vi": "…", "en": "…" }
    }))
    .expect("an unknown code reads");
    assert_eq!(error.code, ErrorCode::Other);
}
