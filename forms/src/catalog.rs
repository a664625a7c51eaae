//! Every form version and the reference data, checked together: what the server serves and
//! validates against, and what the PWA loads from the server's JSON bundle.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::definition::FormDefinition;
use crate::figures::FormFigures;
use crate::form::{DefinitionError, Form};
use crate::messages::{ErrorCode, FieldError};
use crate::record::{Location, Record, RecordStatus};
use crate::reference::{ReferenceData, ReferenceError};
use crate::validate::{Mode, Validated};
use crate::Localized;

/// The form definitions and reference data, as the server sends them to the PWA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    pub version: String,
    pub forms: Vec<FormDefinition>,
    pub reference: ReferenceData,
    /// Report figures by form ([`crate::figures`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<FormFigures>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Definition(#[from] DefinitionError),
    #[error(transparent)]
    Reference(#[from] ReferenceError),
}

#[derive(Debug, Clone)]
pub struct Catalog {
    forms: BTreeMap<(String, u32), Form>,
    reference: ReferenceData,
    /// Report figures by form id.
    figures: BTreeMap<String, FormFigures>,
    /// Worked out when first asked (the server's ETag): a phone never asks, so it never
    /// serializes the definitions (the code would be in every download, and the work in
    /// every start).
    version: OnceLock<String>,
}

impl Catalog {
    /// Checks definitions (each with the file it came from) against the reference data.
    pub fn new(definitions: Vec<(String, FormDefinition)>, reference: ReferenceData) -> Result<Self, DefinitionError> {
        let mut forms = BTreeMap::new();
        for (file, def) in definitions {
            let key = (def.id.clone(), def.version);
            let form = Form::compile(def, &reference, &file)?;
            if forms.insert(key.clone(), form).is_some() {
                return Err(DefinitionError::in_file(
                    &file,
                    None,
                    format!("{} version {} is defined twice", key.0, key.1),
                ));
            }
        }
        Ok(Self { forms, reference, figures: BTreeMap::new(), version: OnceLock::new() })
    }

    /// Adds report figures (each with the file it came from), checked against every
    /// version of their form.
    pub fn with_figures(mut self, figures: Vec<(String, FormFigures)>) -> Result<Self, DefinitionError> {
        for (file, figs) in figures {
            let versions: Vec<&Form> = self.forms.values().filter(|f| f.id() == figs.form).collect();
            figs.check(&versions, &file)?;
            if self.figures.contains_key(&figs.form) {
                return Err(DefinitionError::in_file(
                    &file,
                    None,
                    format!("the figures of {} are defined twice", figs.form),
                ));
            }
            self.figures.insert(figs.form.clone(), figs);
        }
        self.version = OnceLock::new();
        Ok(self)
    }

    /// Rebuilds a catalog from a bundle, checking it again: a device trusts no definition it
    /// has not checked itself.
    pub fn from_bundle(bundle: Bundle) -> Result<Self, DefinitionError> {
        let defs = bundle.forms.into_iter().map(|d| (format!("{}/v{}", d.id, d.version), d)).collect();
        let figures = bundle.figures.into_iter().map(|f| (format!("{}/figures", f.form), f)).collect();
        Self::new(defs, bundle.reference)?.with_figures(figures)
    }

    pub fn bundle(&self) -> Bundle {
        Bundle {
            version: self.version().to_owned(),
            forms: self.forms.values().map(|f| f.definition.clone()).collect(),
            reference: self.reference.clone(),
            figures: self.figures.values().cloned().collect(),
        }
    }

    /// Changes whenever any definition or list changes.
    pub fn version(&self) -> &str {
        self.version.get_or_init(|| fingerprint(&self.forms, &self.reference, &self.figures))
    }

    pub fn reference(&self) -> &ReferenceData {
        &self.reference
    }

    /// The report figures of a form, if it has any.
    pub fn figures(&self, form_id: &str) -> Option<&FormFigures> {
        self.figures.get(form_id)
    }

    /// Every form's report figures, by form id.
    pub fn all_figures(&self) -> impl Iterator<Item = &FormFigures> {
        self.figures.values()
    }

    /// What a record of `form` with these stored answers adds to its form's figures.
    pub fn figure_values(&self, form: &Form, answers: &serde_json::Map<String, serde_json::Value>) -> Vec<(&str, i64)> {
        self.figures(form.id()).map(|f| f.values(form, answers)).unwrap_or_default()
    }

    /// Changes whenever a figure is added to or taken from a form: what the server's stored
    /// figure values depend on (labels aside). Never 0.
    pub fn figures_fingerprint(&self) -> i64 {
        let fields: Vec<(&str, &str)> = self
            .figures
            .values()
            .flat_map(|f| f.figures.iter().map(move |g| (f.form.as_str(), g.field.as_str())))
            .collect();
        let hash = fnv1a(&serde_json::to_vec(&fields).unwrap_or_default()) as i64;
        if hash == 0 {
            1
        } else {
            hash
        }
    }

    pub fn form(&self, id: &str, version: u32) -> Option<&Form> {
        self.forms.get(&(id.to_owned(), version))
    }

    /// The newest published version of a form that still takes new records.
    pub fn latest(&self, id: &str) -> Option<&Form> {
        self.forms
            .values()
            .filter(|f| f.id() == id && !f.definition.withdrawn && !f.definition.draft)
            .max_by_key(|f| f.version())
    }

    /// The draft of a form a tester's catalog holds ("Bản thử"), if any.
    pub fn draft(&self, id: &str) -> Option<&Form> {
        self.forms.values().filter(|f| f.id() == id && f.definition.draft).max_by_key(|f| f.version())
    }

    /// Every form version, by id then version.
    pub fn forms(&self) -> impl Iterator<Item = &Form> {
        self.forms.values()
    }

    /// Checks a record as a whole: its form version exists, its location is a commune of a
    /// known unit list, and (unless it is a tombstone) its values are valid for its status.
    pub fn validate_record(&self, record: &Record) -> Result<Validated, Vec<FieldError>> {
        let form = self.form(&record.form_id, record.form_version).ok_or_else(|| {
            vec![FieldError::new(
                "form_id",
                ErrorCode::UnknownForm,
                Localized::new(
                    format!("Không có mẫu phiếu “{}” phiên bản {}.", record.form_id, record.form_version),
                    format!("There is no form “{}” version {}.", record.form_id, record.form_version),
                ),
            )]
        })?;
        let location_error = self.check_location(&record.location).err();
        // Stored as sent (a column of its own), so held to what an identifier may contain.
        let device_error = crate::validate::control_character(&record.device_id, false).map(|c| {
            FieldError::new(
                "device_id",
                ErrorCode::ControlCharacter,
                crate::messages::control_character_in_device_id(c),
            )
        });
        let mode = match record.status {
            RecordStatus::Draft => Mode::Draft,
            RecordStatus::Final => Mode::Final,
        };
        let result = if record.deleted { Ok(Validated::empty()) } else { form.validate_answers(&record.values, mode) };
        let record_errors: Vec<FieldError> = location_error.into_iter().chain(device_error).collect();
        match (record_errors.is_empty(), result) {
            (true, result) => result,
            (false, Ok(_)) => Err(record_errors),
            (false, Err(errors)) => Err(record_errors.into_iter().chain(errors).collect()),
        }
    }

    pub fn check_location(&self, location: &Location) -> Result<(), FieldError> {
        let err = |code, vi: String, en: String| Err(FieldError::new("location", code, Localized::new(vi, en)));
        let Some(list) = self.reference.unit_lists.get(&location.unit_list) else {
            return err(
                ErrorCode::UnknownUnitList,
                format!("Không có danh mục đơn vị hành chính “{}”.", location.unit_list),
                format!("There is no unit list “{}”.", location.unit_list),
            );
        };
        match list.get(&location.unit_code) {
            None => err(
                ErrorCode::UnknownUnit,
                format!("Mã đơn vị “{}” không có trong danh mục.", location.unit_code),
                format!("Unit code “{}” is not in the list.", location.unit_code),
            ),
            Some(unit) if !unit.is_commune_level() => err(
                ErrorCode::NotACommune,
                format!("“{}” không phải đơn vị cấp xã.", unit.name),
                format!("“{}” is not a commune-level unit.", unit.name),
            ),
            Some(_) => Ok(()),
        }
    }
}

/// FNV-1a over the bundle's canonical JSON: stable across platforms and builds.
fn fingerprint(
    forms: &BTreeMap<(String, u32), Form>,
    reference: &ReferenceData,
    figures: &BTreeMap<String, FormFigures>,
) -> String {
    let defs: Vec<&FormDefinition> = forms.values().map(|f| &f.definition).collect();
    let figures: Vec<&FormFigures> = figures.values().collect();
    let json = serde_json::to_vec(&(defs, reference, figures)).unwrap_or_default();
    format!("{:016x}", fnv1a(&json))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(feature = "toml")]
mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

#[cfg(feature = "toml")]
impl Catalog {
    /// The definitions and reference data shipped in this repository.
    pub fn bundled() -> Result<Self, CatalogError> {
        let reference = bundled_reference()?;
        let (mut defs, mut figures) = (Vec::new(), Vec::new());
        for (file, text) in bundled::DEFINITIONS {
            if file.ends_with("/figures.toml") {
                figures.push(crate::figures::parse_figures(file, text)?);
            } else {
                defs.push(parse_definition(file, text)?);
            }
        }
        Ok(Self::new(defs, reference)?.with_figures(figures)?)
    }
}

/// Parses one definition file; its path (`<form id>/v<version>.toml`) must match its content.
#[cfg(feature = "toml")]
pub fn parse_definition(file: &str, text: &str) -> Result<(String, FormDefinition), DefinitionError> {
    let err = |message: String| DefinitionError::in_file(file, None, message);
    let def: FormDefinition = toml::from_str(text).map_err(|e| err(e.to_string()))?;
    let expected = format!("{}/v{}.toml", def.id, def.version);
    if file != expected && !file.ends_with(&format!("/{expected}")) {
        return Err(err(format!("a definition of {} version {} belongs in {expected}", def.id, def.version)));
    }
    Ok((file.to_owned(), def))
}

#[cfg(feature = "toml")]
fn bundled_reference() -> Result<ReferenceData, ReferenceError> {
    let files: BTreeMap<&str, &str> = bundled::REFERENCE.iter().copied().collect();
    reference_from_files(&files).map_err(|mut problems| problems.remove(0))
}

/// The reference files shipped in this repository (`forms/reference/`): name and text,
/// `lists.toml` among them.
#[cfg(feature = "toml")]
pub fn bundled_reference_files() -> &'static [(&'static str, &'static str)] {
    bundled::REFERENCE
}

/// Reference data from its files (`lists.toml` and the files it names), or every problem
/// found: where a file cannot be read, that one; else all of [`ReferenceData::problems`].
/// Never empty on `Err`.
#[cfg(feature = "toml")]
pub fn reference_from_files(files: &BTreeMap<&str, &str>) -> Result<ReferenceData, Vec<ReferenceError>> {
    let manifest_text = files.get("lists.toml").copied().unwrap_or_default();
    let manifest = toml::from_str(manifest_text).map_err(|e| {
        let line =
            e.span().map_or(0, |span| manifest_text[..span.start.min(manifest_text.len())].matches('\n').count() + 1);
        vec![ReferenceError { file: "lists.toml".into(), line, message: e.message().to_owned() }]
    })?;
    let sources = crate::reference::ReferenceSources { manifest, files: files.clone() };
    match ReferenceData::from_sources(&sources) {
        Ok(data) => Ok(data),
        Err(first) => {
            // A problem of lists that parse: report every one, not the first.
            let mut all = crate::reference_check::problems_of_sources(&sources);
            if all.is_empty() {
                all.push(first);
            }
            Err(all)
        }
    }
}
