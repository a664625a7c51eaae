//! Every shipped form version, exported and imported again, is the same definition — and so
//! compiles to the same form: XLSForm (`export` → `import`) and TOML (`definition_toml` →
//! `forms`' own parser) alike. The shipped versions are found by listing
//! `forms/definitions`, so a new version is covered without touching this file.

mod common;

use forms::catalog::parse_definition;
use forms::figures::parse_figures;
use forms::Catalog;

use common::{figures_of, reference, shipped};

#[test]
fn every_shipped_version_comes_back_from_xlsform_unchanged() {
    let reference = reference();
    for (path, def, figures) in shipped() {
        let bytes = xlsform::export(&def, figures.as_ref(), &reference).unwrap();
        let imported = match xlsform::import(&bytes, &reference) {
            Ok(i) => i,
            Err(errors) => panic!("{path}: the exported workbook does not import:\n{errors:#?}"),
        };
        assert_eq!(imported.definition, def, "{path}: the definition changed on the way");
        assert_eq!(imported.figures, figures_of(&def, figures.as_ref()), "{path}: the figures changed");
    }
}

/// The strongest form of "the same compiled form": a catalog of the imported versions has
/// the bundled catalog's fingerprint (a hash of every definition, the reference data and
/// the figures).
#[test]
fn the_imported_versions_make_the_bundled_catalog() {
    let reference = reference();
    let mut defs = Vec::new();
    let mut figures = std::collections::BTreeMap::new();
    for (path, def, form_figures) in shipped() {
        let imported = xlsform::import(&xlsform::export(&def, form_figures.as_ref(), &reference).unwrap(), &reference)
            .unwrap_or_else(|e| panic!("{path}: {e:#?}"));
        if let Some(f) = imported.figures {
            figures.insert(f.form.clone(), (format!("{}/figures.toml", f.form), f));
        }
        defs.push((path, imported.definition));
    }
    let rebuilt = Catalog::new(defs, reference).unwrap().with_figures(figures.into_values().collect()).unwrap();
    let bundled = Catalog::bundled().unwrap();
    assert_eq!(rebuilt.version(), bundled.version(), "the catalog rebuilt from XLSForm differs from the bundled one");
    for form in bundled.forms() {
        let again = rebuilt.form(form.id(), form.version()).unwrap();
        assert_eq!(again.fields.len(), form.fields.len());
        for (a, b) in again.fields.iter().zip(&form.fields) {
            assert_eq!(
                (&a.name, a.field_type, a.required, &a.relevant, &a.constraint, &a.calculate),
                (&b.name, b.field_type, b.required, &b.relevant, &b.constraint, &b.calculate)
            );
            assert_eq!(
                (&a.choices, a.grid.as_ref().map(|g| (&g.group, g.max_cell))),
                (&b.choices, b.grid.as_ref().map(|g| (&g.group, g.max_cell)))
            );
        }
    }
}

#[test]
fn every_shipped_version_comes_back_from_toml_unchanged() {
    for (path, def, figures) in shipped() {
        let text = xlsform::definition_toml(&def);
        let (_, again) = parse_definition(&path, &text).unwrap_or_else(|e| panic!("{path}: {e}\n{text}"));
        assert_eq!(again, def, "{path}:\n{text}");
        if let Some(figures) = figures {
            let file = format!("{}/figures.toml", figures.form);
            let text = xlsform::figures_toml(&figures);
            assert_eq!(parse_figures(&file, &text).unwrap().1, figures, "{file}:\n{text}");
        }
    }
}

/// An imported version exported and imported again is the same again: nothing drifts with
/// each trip through a spreadsheet.
#[test]
fn an_import_exported_again_imports_the_same() {
    let reference = reference();
    for (path, def, figures) in shipped() {
        let a = xlsform::export(&def, figures.as_ref(), &reference).unwrap();
        let once = xlsform::import(&a, &reference).unwrap();
        let b = xlsform::export(&once.definition, once.figures.as_ref(), &reference).unwrap();
        let twice = xlsform::import(&b, &reference).unwrap();
        assert_eq!(once, twice, "{path}");
    }
}

/// What the shipped forms do not show: a question named like a reference list with its own
/// options, two grids whose third dimensions share a name but not their values, a
/// withdrawn version, an empty section, decimal bounds, division, the personal data
/// warning turned off, a section's help and skip logic.
#[test]
fn unusual_definitions_come_back_unchanged() {
    use forms::definition::{ChoiceOption, FieldType, GridGroup, GridSpec};
    use forms::figures::{Figure, FormFigures};
    let reference = reference();
    let (_, mut def, _) = shipped().into_iter().find(|(p, _, _)| p == "training_session/v2.toml").unwrap();
    def.withdrawn = true;
    def.version = 9;
    let text = |vi: &str, en: &str| forms::Localized::new(vi, en);
    let option =
        |v: &str| ChoiceOption { value: v.into(), label: text(&format!("Giá trị {v}"), &format!("Value {v}")) };
    let mut template = def.sections[0].fields[1].clone(); // topic_other: a text field
    template.relevant = None;
    template.max_length = None;
    template.required = false;
    let field = |name: &str, t: FieldType| {
        let mut f = template.clone();
        f.name = name.into();
        f.field_type = t;
        f
    };
    let mut agencies = field("agencies", FieldType::SelectOne);
    agencies.options = Some(vec![option("a"), option("b")]);
    let mut ratio = field("ratio", FieldType::Decimal);
    (ratio.min, ratio.max) = (Some(-0.25), Some(1e6));
    let mut share = field("share", FieldType::Calculate);
    share.calculate = Some("ratio / 2 + count_selected(participant_category) * len(topic_other)".into());
    let mut story = field("story", FieldType::LongText);
    story.personal_data_warning = Some(false);
    story.hint = Some(text("Không ghi tên \"người\" nào", "No names\\ at all\n please"));
    let grid = |name: &str, values: &[&str]| {
        let mut g = field(name, FieldType::CountGrid);
        g.grid = Some(GridSpec {
            ethnicity_list: "ethnic_groups".into(),
            shortlist: "quang_ngai".into(),
            group: Some(GridGroup {
                name: "age_group".into(),
                label: text("Độ tuổi", "Age group"),
                options: values.iter().map(|v| option(v)).collect(),
            }),
            max_cell: 100_000,
        });
        g
    };
    let extra = &mut def.sections[1];
    extra.help = Some(text("Phần thêm", "Extra part"));
    extra.relevant = Some("not selected(format, 'online')".into());
    extra.fields.extend([
        agencies,
        ratio,
        share,
        story,
        grid("kids", &["child", "adult"]),
        grid("olds", &["old", "young"]),
    ]);
    let mut empty = def.sections[2].clone();
    empty.id = "empty".into();
    empty.fields.clear();
    def.sections.push(empty);
    let figures = FormFigures {
        form: def.id.clone(),
        figures: vec![Figure { field: "duration_days".into(), label: text("Số ngày", "Days") }],
    };
    forms::Form::compile(def.clone(), &reference, "unusual").expect("the unusual definition compiles");

    let bytes = xlsform::export(&def, Some(&figures), &reference).unwrap();
    let imported = xlsform::import(&bytes, &reference).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(imported.definition, def);
    assert_eq!(imported.figures, Some(figures));
    let toml = xlsform::definition_toml(&def);
    assert_eq!(parse_definition("training_session/v9.toml", &toml).unwrap().1, def, "{toml}");
}

/// Photo (`image`) and geopoint questions, as a definition can hold them: `max_photos` given
/// as 1, as more, or not at all, required, with skip logic, named in other questions' skip
/// logic. Exported and imported again, and written as TOML and read again, each is the same
/// definition, and compiles to the same form.
#[test]
fn photo_and_geopoint_questions_come_back_unchanged() {
    use forms::definition::FieldType;
    let reference = reference();
    let (_, mut def, _) = shipped().into_iter().find(|(p, _, _)| p == "training_session/v2.toml").unwrap();
    def.version = 8;
    let text = |vi: &str, en: &str| forms::Localized::new(vi, en);
    let mut template = def.sections[0].fields[1].clone(); // topic_other: a text field
    (template.relevant, template.max_length, template.required) = (None, None, false);
    let field = |name: &str, t: FieldType, max_photos: Option<u32>| {
        let mut f = template.clone();
        (f.name, f.field_type, f.max_photos) = (name.into(), t, max_photos);
        f
    };
    let mut sheet = field("sheet_photos", FieldType::Photo, Some(3));
    sheet.required = true;
    sheet.hint = Some(text("Mỗi trang một ảnh", "One photo per page"));
    let mut venue = field("venue_photo", FieldType::Photo, None);
    venue.relevant = Some("sheet_photos < 3".into());
    let one = field("one_photo", FieldType::Photo, Some(1));
    let many = field("many_photos", FieldType::Photo, Some(10));
    let mut place = field("place", FieldType::Geopoint, None);
    (place.required, place.relevant) = (true, Some("not selected(format, 'online')".into()));
    let mut why = field("no_place_why", FieldType::Text, None);
    why.relevant = Some("empty(place) and count_selected(participant_category) > 0".into());
    def.sections[1].fields.extend([sheet, venue, one, many, place, why]);
    let form = forms::Form::compile(def.clone(), &reference, "evidence").expect("the definition compiles");

    let bytes = xlsform::export(&def, None, &reference).unwrap();
    let imported = xlsform::import(&bytes, &reference).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(imported.definition, def);
    let again = forms::Form::compile(imported.definition, &reference, "evidence").unwrap();
    let evidence = |f: &forms::Form| -> Vec<(String, FieldType, u32, bool)> {
        let kept = f.fields.iter().filter(|c| matches!(c.field_type, FieldType::Photo | FieldType::Geopoint));
        kept.map(|c| (c.name.clone(), c.field_type, c.max_photos, c.required)).collect()
    };
    assert_eq!(evidence(&again), evidence(&form));
    assert_eq!(
        evidence(&form).iter().map(|(n, _, m, _)| (n.as_str(), *m)).collect::<Vec<_>>(),
        [("sheet_photos", 3), ("venue_photo", 1), ("one_photo", 1), ("many_photos", 10), ("place", 1)]
    );

    let toml = xlsform::definition_toml(&def);
    assert!(
        toml.contains("type = \"photo\"") && toml.contains("max_photos = 3") && toml.contains("type = \"geopoint\"")
    );
    assert_eq!(parse_definition("training_session/v8.toml", &toml).unwrap().1, def, "{toml}");
}
