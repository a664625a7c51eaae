//! Reference lists that do not hold together are refused, each problem named with its file
//! and line: a table of the shipped lists broken one way at a time. The shipped lists, and a
//! small fixture province's, have none.

use std::collections::BTreeMap;
use std::path::Path;

use forms::reference::{ListMeta, ReferenceData, ReferenceSources};

/// The files of a folder laid out as `forms/reference/` is.
fn files_of(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv" || x == "toml"))
        .map(|p| (p.file_name().unwrap().to_str().unwrap().to_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

fn shipped() -> BTreeMap<String, String> {
    files_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("reference"))
}

/// Every problem of these files: the one `from_sources` stops at, or all of them.
fn problems(files: &BTreeMap<String, String>) -> Vec<(String, usize, String)> {
    let manifest: BTreeMap<String, ListMeta> = toml::from_str(&files["lists.toml"]).unwrap();
    let borrowed = files.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let sources = ReferenceSources { manifest, files: borrowed };
    match ReferenceData::from_sources(&sources) {
        Ok(data) => data.problems().into_iter().map(|e| (e.file, e.line, e.message)).collect(),
        Err(e) => vec![(e.file, e.line, e.message)],
    }
}

/// `file` with its line `line` (1 = the header) replaced, or removed for `None`.
fn with_line(
    files: &BTreeMap<String, String>,
    file: &str,
    line: usize,
    text: Option<&str>,
) -> BTreeMap<String, String> {
    let mut files = files.clone();
    let mut lines: Vec<String> = files[file].lines().map(str::to_owned).collect();
    match text {
        Some(t) => lines[line - 1] = t.to_owned(),
        None => {
            lines.remove(line - 1);
        }
    }
    files.insert(file.to_owned(), lines.join("\n") + "\n");
    files
}

fn with_appended(files: &BTreeMap<String, String>, file: &str, text: &str) -> BTreeMap<String, String> {
    let mut files = files.clone();
    let body = files[file].trim_end().to_owned() + "\n" + text + "\n";
    files.insert(file.to_owned(), body);
    files
}

#[test]
fn the_shipped_lists_hold_together() {
    assert_eq!(problems(&shipped()), []);
}

#[test]
fn every_broken_list_is_named_with_its_place() {
    let files = shipped();
    let units = "quang_ngai_units_2025.csv";
    let old = "quang_ngai_units_pre2025.csv";
    let mapping = "quang_ngai_old_to_new_2025.csv";
    let first_mapping = files[mapping].lines().nth(1).unwrap().to_owned();
    let unmapped_old_commune = first_mapping.split(',').nth(2).unwrap().to_owned();
    let unmapped = format!("old commune '{unmapped_old_commune}'");
    let cases: Vec<(&str, BTreeMap<String, String>, (&str, &str))> = vec![
        (
            "a repeated commune code",
            with_appended(&files, units, "21025,Phường Trùng,Phường,2,51"),
            ("units_2025", "code '21025' is empty or repeated"),
        ),
        (
            "a parent that is not in the list",
            with_appended(&files, units, "99001,Xã Mới,Xã,2,77"),
            ("units_2025", "parent '77' of '99001' is not in the list"),
        ),
        (
            "an unknown unit type",
            with_appended(&files, units, "99002,Làng Mới,Làng,2,51"),
            ("units_2025", "type 'Làng' is not one of"),
        ),
        (
            "a unit with no name",
            with_appended(&files, units, "99003,,Xã,2,51"),
            ("units_2025", "unit '99003' has no name"),
        ),
        (
            "a repeated code in the old list",
            with_appended(&files, old, "21019,Phường Trùng,Phường,3,522"),
            ("units_pre2025", "code '21019' is empty or repeated"),
        ),
        ("an old commune mapped nowhere", with_line(&files, mapping, 2, None), ("units_pre2025", unmapped.as_str())),
        (
            "a mapping into a unit the new list lacks",
            with_appended(&files, mapping, "99999,Xã Ma,21019,Phường Nghĩa Chánh,522,partial"),
            ("quang_ngai_old_to_new_2025.csv", "'99999' is not a commune of units_2025"),
        ),
        (
            "a mapping from a unit the old list lacks",
            with_appended(&files, mapping, "21025,Phường Cẩm Thành,88888,Xã Ma,522,full"),
            ("quang_ngai_old_to_new_2025.csv", "'88888' is not a unit of units_pre2025"),
        ),
        (
            "a unit gone wholly into two",
            with_appended(&files, mapping, &first_mapping.replacen("21025", "21028", 1)),
            ("quang_ngai_old_to_new_2025.csv", "went wholly ('full') into one unit, but is mapped to 2"),
        ),
        (
            "a merge type of neither kind",
            with_line(&files, mapping, 2, Some(&first_mapping.replace(",full", ",whole"))),
            ("quang_ngai_old_to_new_2025.csv", "merge_type 'whole' is neither full nor partial"),
        ),
        (
            "a shortlist naming no ethnic group",
            with_appended(&files, "ethnicity_shortlists.csv", "quang_ngai,99"),
            ("ethnicity_shortlists.csv", "'99' is not an ethnic group code"),
        ),
        (
            "a shortlist naming one twice",
            with_appended(&files, "ethnicity_shortlists.csv", "quang_ngai,01"),
            ("ethnicity_shortlists.csv", "lists '01' twice"),
        ),
        (
            "the ethnic groups' code system not stated",
            {
                let mut f = files.clone();
                let manifest = f["lists.toml"].replace("code_system = \"121-TCTK\"\n", "");
                assert_ne!(manifest, f["lists.toml"]);
                f.insert("lists.toml".into(), manifest);
                f
            },
            ("lists.toml", "ethnic_groups must state its code_system"),
        ),
        (
            "an agency without an English name",
            with_appended(&files, "agencies.csv", "so_moi,Sở Mới,,province"),
            ("agencies", "'so_moi' needs a Vietnamese and an English name"),
        ),
    ];
    for (what, files, (file, message)) in cases {
        let found = problems(&files);
        assert!(
            found.iter().any(|(f, _, m)| f == file && m.contains(message)),
            "{what}: expected {file}: …{message}…, got {found:?}"
        );
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let files = shipped();
    let files = with_appended(&files, "quang_ngai_units_2025.csv", "21025,Phường Trùng,Phường,2,51");
    let files = with_appended(&files, "quang_ngai_units_2025.csv", "99002,Làng Mới,Làng,2,51");
    let files = with_appended(&files, "agencies.csv", "so_moi,Sở Mới,,province");
    let borrowed = files.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let all = forms::catalog::reference_from_files(&borrowed).unwrap_err();
    let places: Vec<(&str, usize)> = all.iter().map(|e| (e.file.as_str(), e.line)).collect();
    let units = files["quang_ngai_units_2025.csv"].lines().count();
    assert_eq!(places, [("units_2025", units - 1), ("units_2025", units), ("agencies", 25)], "{all:?}");
    // A file that cannot be read is the one problem.
    let broken = with_line(&shipped(), "lists.toml", 1, Some("[ethnic_groups"));
    let borrowed = broken.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let all = forms::catalog::reference_from_files(&borrowed).unwrap_err();
    assert_eq!((all.len(), all[0].file.as_str()), (1, "lists.toml"), "{all:?}");
}

/// A made-up province's own lists (tests/fixtures/province_demo): three communes, its own
/// mapping, agencies and shortlist.
fn demo_province() -> ReferenceData {
    let files = files_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/province_demo"));
    assert_eq!(problems(&files), [], "the demo province's lists hold together");
    let manifest: BTreeMap<String, ListMeta> = toml::from_str(&files["lists.toml"]).unwrap();
    let borrowed = files.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    ReferenceData::from_sources(&ReferenceSources { manifest, files: borrowed }).unwrap()
}

#[test]
fn another_province_runs_every_shipped_form_on_its_own_lists() {
    let reference = demo_province();
    let shipped = forms::Catalog::bundled().unwrap();
    let definitions = shipped.forms().map(|f| (format!("{}/v{}", f.id(), f.version()), f.definition.clone())).collect();
    let figures = shipped.all_figures().map(|f| (format!("{}/figures", f.form), f.clone())).collect();
    let catalog = forms::Catalog::new(definitions, reference).unwrap().with_figures(figures).unwrap();
    assert_eq!(catalog.forms().count(), shipped.forms().count());

    // A record in one of its communes, organised by one of its agencies, is valid; one in a
    // Quảng Ngãi commune is not (that list is not this province's).
    let cases: serde_json::Value = serde_json::from_str(include_str!("cases/outreach_event_v1.json")).unwrap();
    let mut values = cases["valid"][0]["values"].as_object().unwrap().clone();
    values.insert("organiser".into(), serde_json::json!("hoi_phu_nu"));
    use chrono::TimeZone;
    let now = chrono::Utc.with_ymd_and_hms(2025, 11, 22, 9, 0, 0).unwrap();
    let mut record = forms::Record {
        id: uuid::Uuid::from_u128(0x5eed),
        form_id: "outreach_event".into(),
        form_version: 1,
        location: forms::Location { unit_list: "units_2025".into(), unit_code: "90002".into() },
        author: "demo".into(),
        device_id: "demo-phone".into(),
        created_at: now,
        updated_at: now,
        status: forms::RecordStatus::Final,
        deleted: false,
        revision: 0,
        values,
    };
    assert!(catalog.validate_record(&record).is_ok(), "{:?}", catalog.validate_record(&record).err());
    record.location.unit_code = "21025".into();
    let errors = catalog.validate_record(&record).unwrap_err();
    assert_eq!(errors[0].field, "location", "{errors:?}");
}
