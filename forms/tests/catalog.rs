//! Whole-record validation, versioning, reference data and the JSON bundle the PWA loads.

use chrono::{TimeZone, Utc};
use forms::sync::{ChangeResult, Outcome, PushResponse};
use forms::{Bundle, Catalog, ErrorCode, Location, Record, RecordStatus};
use serde_json::{json, Value};
use uuid::Uuid;

fn record(form_id: &str, version: u32, values: Value) -> Record {
    let Value::Object(values) = values else { panic!("values are an object") };
    Record {
        id: Uuid::from_u128(1),
        form_id: form_id.into(),
        form_version: version,
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

fn training_v1_values() -> Value {
    json!({
        "topic": "gbv_prevention", "organiser": "so_noi_vu",
        "start_date": "2025-11-20", "end_date": "2025-11-21", "duration_days": 2,
        "participant_category": ["commune_officials"],
        "participants": [{ "ethnicity": "19", "sex": "female", "count": 8 }]
    })
}

fn codes(errors: &[forms::FieldError]) -> Vec<(String, ErrorCode)> {
    errors.iter().map(|e| (e.field.clone(), e.code)).collect()
}

#[test]
fn records_made_with_an_older_version_stay_valid_against_it() {
    let catalog = Catalog::bundled().unwrap();
    let v1 = catalog.form("training_session", 1).expect("v1 is kept");
    let v2 = catalog.form("training_session", 2).expect("v2 exists");
    assert!(catalog.latest("training_session").unwrap().version() >= 2);
    // The v1 record is valid as the v1 record it declares itself to be...
    assert!(catalog.validate_record(&record("training_session", 1, training_v1_values())).is_ok());
    // ...even though v2 asks for something v1 did not.
    let v2_only: Vec<&str> =
        v2.fields.iter().filter(|f| v1.field(&f.name).is_none() && f.required).map(|f| f.name.as_str()).collect();
    assert!(!v2_only.is_empty(), "v2 should add a required field for this test to mean something");
    let errors = catalog.validate_record(&record("training_session", 2, training_v1_values())).unwrap_err();
    for name in v2_only {
        assert!(codes(&errors).contains(&(name.to_owned(), ErrorCode::Required)), "{errors:?}");
    }
}

#[test]
fn record_level_checks_name_the_attribute_at_fault() {
    let catalog = Catalog::bundled().unwrap();
    let cases: Vec<(&str, Box<dyn Fn(&mut Record)>, (&str, ErrorCode))> = vec![
        ("unknown form", Box::new(|r| r.form_id = "nosuch".into()), ("form_id", ErrorCode::UnknownForm)),
        ("unknown version", Box::new(|r| r.form_version = 99), ("form_id", ErrorCode::UnknownForm)),
        (
            "unknown unit list",
            Box::new(|r| r.location.unit_list = "units_1999".into()),
            ("location", ErrorCode::UnknownUnitList),
        ),
        ("unknown unit", Box::new(|r| r.location.unit_code = "99999".into()), ("location", ErrorCode::UnknownUnit)),
        (
            "the province is not a commune",
            Box::new(|r| r.location.unit_code = "51".into()),
            ("location", ErrorCode::NotACommune),
        ),
        (
            "a district of the old list is not a commune",
            Box::new(|r| {
                r.location = Location { unit_list: "units_pre2025".into(), unit_code: "522".into() };
            }),
            ("location", ErrorCode::NotACommune),
        ),
    ];
    for (why, change, (field, code)) in cases {
        let mut r = record("training_session", 1, training_v1_values());
        change(&mut r);
        let errors = catalog.validate_record(&r).expect_err(why);
        assert_eq!(codes(&errors), vec![(field.to_owned(), code)], "{why}");
    }
}

#[test]
fn drafts_may_be_incomplete_but_not_malformed_and_tombstones_skip_values() {
    let catalog = Catalog::bundled().unwrap();
    let mut draft = record("training_session", 1, json!({ "topic": "gbv_prevention", "end_date": "2020-01-01" }));
    draft.status = RecordStatus::Draft;
    assert!(catalog.validate_record(&draft).is_ok(), "missing answers and unmet constraints are fine in a draft");
    draft.values.insert("duration_days".into(), json!("two"));
    assert_eq!(
        codes(&catalog.validate_record(&draft).unwrap_err()),
        vec![("duration_days".to_owned(), ErrorCode::WrongType)]
    );
    let mut tombstone = record("training_session", 1, json!({}));
    tombstone.deleted = true;
    assert!(catalog.validate_record(&tombstone).is_ok());
}

#[test]
fn an_old_unit_list_location_is_accepted_when_it_names_a_commune() {
    let catalog = Catalog::bundled().unwrap();
    let old = catalog.reference().unit_lists.get("units_pre2025").unwrap();
    let commune = old.communes().next().unwrap();
    let mut r = record("training_session", 1, training_v1_values());
    r.location = Location { unit_list: "units_pre2025".into(), unit_code: commune.code.clone() };
    assert!(catalog.validate_record(&r).is_ok());
}

#[test]
fn reference_data_matches_the_domain_sources() {
    let catalog = Catalog::bundled().unwrap();
    let reference = catalog.reference();
    let ethnic = reference.ethnic_groups();
    assert_eq!(ethnic.entries.len(), 54);
    assert_eq!(ethnic.code_system.as_deref(), Some("121-TCTK"));
    assert_eq!(ethnic.get("19").unwrap().label.vi, "Hrê");
    assert!(
        ethnic.get("14").unwrap().aliases.iter().any(|a| a.contains("Ca Dong")),
        "Ca Dong is searchable under Xơ-đăng"
    );
    let units = &reference.unit_lists["units_2025"];
    assert_eq!(units.communes().count(), 96, "Quảng Ngãi has 96 commune-level units from 1/7/2025");
    assert!(units.communes().all(|u| u.parent_code.as_deref() == Some("51")));
    let old = &reference.unit_lists["units_pre2025"];
    for m in &reference.unit_mapping {
        assert!(units.get(&m.new_code).is_some(), "mapping names unknown new unit {}", m.new_code);
        assert!(old.get(&m.old_code).is_some(), "mapping names unknown old unit {}", m.old_code);
    }
    let shortlist = &reference.ethnicity_shortlists["quang_ngai"];
    assert_eq!(shortlist.first().map(String::as_str), Some("01"));
    for list in ["agencies", "model_types"] {
        assert!(!reference.lists[list].entries.is_empty(), "{list} is empty");
    }
    assert!(reference.lists["model_types"].get("trusted_address").is_some());
}

#[test]
fn the_json_bundle_round_trips_and_validates_identically() {
    let catalog = Catalog::bundled().unwrap();
    let json = serde_json::to_string(&catalog.bundle()).unwrap();
    let bundle: Bundle = serde_json::from_str(&json).unwrap();
    let again = Catalog::from_bundle(bundle).unwrap();
    assert_eq!(again.version(), catalog.version());
    let good = record("training_session", 1, training_v1_values());
    let mut bad = good.clone();
    bad.values.insert("duration_days".into(), json!(40));
    for r in [&good, &bad] {
        assert_eq!(catalog.validate_record(r), again.validate_record(r));
    }
}

#[test]
fn the_catalog_version_changes_with_any_definition() {
    let catalog = Catalog::bundled().unwrap();
    let mut bundle = catalog.bundle();
    bundle.forms[0].title.vi.push('!');
    assert_ne!(Catalog::from_bundle(bundle).unwrap().version(), catalog.version());
}

#[test]
fn wire_types_round_trip_with_the_documented_shape() {
    let r = record("training_session", 1, training_v1_values());
    let text = serde_json::to_string(&r).unwrap();
    assert_eq!(serde_json::from_str::<Record>(&text).unwrap(), r);
    let response = PushResponse {
        results: vec![
            ChangeResult {
                change_id: Uuid::from_u128(7),
                duplicate: true,
                outcome: Outcome::Applied { record_id: r.id, revision: 3 },
            },
            ChangeResult {
                change_id: Uuid::from_u128(8),
                duplicate: false,
                outcome: Outcome::Conflict {
                    record_id: r.id,
                    conflict_id: Uuid::from_u128(9),
                    current: Box::new(r.clone()),
                },
            },
        ],
    };
    let value = serde_json::to_value(&response).unwrap();
    assert_eq!(value["results"][0]["outcome"], "applied");
    assert_eq!(value["results"][0]["duplicate"], true);
    assert_eq!(value["results"][0]["revision"], 3);
    assert_eq!(value["results"][1]["outcome"], "conflict");
    assert_eq!(value["results"][1]["current"]["form_id"], "training_session");
    assert_eq!(serde_json::from_value::<PushResponse>(value).unwrap(), response);
    assert!(response.results.iter().all(|r| r.outcome.settles_change()));

    let rejected = json!({ "change_id": Uuid::from_u128(1), "outcome": "rejected", "errors": [] });
    let read: ChangeResult = serde_json::from_value(rejected).unwrap();
    assert_eq!((read.duplicate, read.outcome), (false, Outcome::Rejected { errors: vec![] }));
    for incomplete in [
        json!({ "change_id": Uuid::from_u128(1), "outcome": "applied", "revision": 2 }),
        json!({ "change_id": Uuid::from_u128(1), "outcome": "conflict", "record_id": r.id, "conflict_id": r.id }),
        json!({ "change_id": Uuid::from_u128(1), "outcome": "rejected" }),
        json!({ "change_id": Uuid::from_u128(1), "outcome": "merged", "errors": [] }),
    ] {
        assert!(serde_json::from_value::<ChangeResult>(incomplete.clone()).is_err(), "{incomplete}");
    }
}

#[test]
fn dates_and_instants_are_shown_the_vietnamese_way() {
    use forms::record::{format_date, format_instant, parse_date_vi};
    let at = Utc.with_ymd_and_hms(2025, 11, 30, 18, 30, 0).unwrap();
    assert_eq!(format_instant(at), "01/12/2025 01:30", "UTC+7 crosses midnight");
    let d = chrono::NaiveDate::from_ymd_opt(2025, 3, 5).unwrap();
    assert_eq!(format_date(d), "05/03/2025");
    assert_eq!(parse_date_vi("5/3/2025"), Some(d));
    assert_eq!(parse_date_vi("05/03/2025"), Some(d));
    for bad in ["2025-03-05", "31/02/2025", "05/03/25", "1/2/3/2025", ""] {
        assert_eq!(parse_date_vi(bad), None, "{bad}");
    }
}

#[test]
fn official_names_with_commas_are_read_whole() {
    let catalog = Catalog::bundled().unwrap();
    let models = &catalog.reference().lists["model_types"];
    assert_eq!(models.get("trusted_address").unwrap().label.vi, "Địa chỉ tin cậy, nhà tạm lánh tại cộng đồng");
    let agencies = &catalog.reference().lists["agencies"];
    assert_eq!(agencies.get("so_van_hoa_the_thao_du_lich").unwrap().label.vi, "Sở Văn hóa, Thể thao và Du lịch");
}

#[test]
fn normalized_grid_cells_read_back_as_the_same_grid() {
    let catalog = Catalog::bundled().unwrap();
    let form = catalog.form("outreach_event", 1).unwrap();
    let grid = json!([
        { "ethnicity": "19", "sex": "female", "group": "child", "count": 4 },
        { "ethnicity": "01", "sex": "male", "group": "adult", "count": 2 }
    ]);
    let values = json!({
        "format": "community_session", "topics": ["gbv_prevention"], "organiser": "hoi_lhpn_xa",
        "place": "Thôn 1", "event_date": "2025-11-25", "part_of_action_month": true, "language": "vietnamese",
        "participants": grid, "materials_distributed": 0
    });
    let stored = form.validate(&values, forms::Mode::Final).unwrap().values();
    assert_eq!(stored["participants"], grid);
    let typed: forms::Grid = serde_json::from_value(stored["participants"].clone()).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), grid);
}

#[test]
fn the_photos_a_record_names_are_listed_once_in_field_order() {
    let catalog = Catalog::bundled().unwrap();
    let form = catalog.form("training_session", 3).expect("v3 takes photos");
    let (a, b) = ("a".repeat(64), "b".repeat(64));
    let answers: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "sign_in_sheet": [{"sha256": b, "bytes": 20}, {"sha256": a, "bytes": 10}],
        "title": "Tập huấn",
        "notes": [{"sha256": a, "bytes": 10}]
    }))
    .unwrap();
    let named = forms::evidence::photos_named(form, &answers);
    assert_eq!(named.iter().map(|p| p.bytes).collect::<Vec<_>>(), vec![20, 10], "only photo fields, in order");
    assert!(forms::evidence::photos_named(catalog.form("training_session", 2).unwrap(), &answers).is_empty());
}
