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
