//! A form definition checked and compiled: names resolved, expressions parsed and typed,
//! choice sets built. Everything that can be wrong with a definition is found here, once,
//! with the file, the field and the position in the message.

use std::collections::{HashMap, HashSet};

use crate::definition::{Field, FieldType, FormDefinition, GridSpec};
use crate::expr::{self, Compiled, ExprError, Scope, ScopeField, Type};
use crate::localized::Localized;
use crate::reference::ReferenceData;
use crate::value::number_text;

/// A definition that cannot be used, and exactly where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{message}", location(.field, .attribute, .column))]
pub struct DefinitionError {
    pub file: String,
    pub field: Option<String>,
    pub attribute: Option<&'static str>,
    /// 1-based column in the attribute's expression.
    pub column: Option<usize>,
    pub message: String,
}

impl DefinitionError {
    /// An error of a whole file, or of one field in it (no attribute or column).
    pub fn in_file(file: &str, field: Option<&str>, message: impl Into<String>) -> DefinitionError {
        DefinitionError {
            file: file.to_owned(),
            field: field.map(str::to_owned),
            attribute: None,
            column: None,
            message: message.into(),
        }
    }
}

fn location(field: &Option<String>, attribute: &Option<&'static str>, column: &Option<usize>) -> String {
    let mut s = String::new();
    if let Some(f) = field {
        s += &format!("field '{f}': ");
    }
    if let Some(a) = attribute {
        s += a;
        if let Some(c) = column {
            s += &format!(" at column {c}");
        }
        s += ": ";
    }
    s
}

/// One field, ready for validation.
#[derive(Debug, Clone)]
pub struct CompiledField {
    pub name: String,
    pub field_type: FieldType,
    pub label: Localized,
    pub section: usize,
    pub required: bool,
    pub relevant: Option<Compiled>,
    pub constraint: Option<Compiled>,
    pub constraint_message: Localized,
    pub calculate: Option<Compiled>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub max_length: Option<usize>,
    /// For `photo`: how many photos the field takes.
    pub max_photos: u32,
    /// Allowed values of a choice field.
    pub choices: Option<HashSet<String>>,
    pub grid: Option<CompiledGrid>,
}

#[derive(Debug, Clone)]
pub struct CompiledGrid {
    pub ethnicities: HashSet<String>,
    /// The further dimension's name, label and values, where the grid has one.
    pub group: Option<(String, Localized, HashSet<String>)>,
    pub max_cell: u32,
}

#[derive(Debug, Clone)]
pub struct CompiledSection {
    pub relevant: Option<Compiled>,
}

/// A checked form version: its definition plus everything validation needs.
#[derive(Debug, Clone)]
pub struct Form {
    pub definition: FormDefinition,
    /// Every field of every section, in order; a field's index is its value slot.
    pub fields: Vec<CompiledField>,
    pub sections: Vec<CompiledSection>,
    index: HashMap<String, usize>,
    /// Field names by slot, shared with every validation result.
    pub(crate) names: std::sync::Arc<[String]>,
}

impl Form {
    pub fn id(&self) -> &str {
        &self.definition.id
    }

    pub fn version(&self) -> u32 {
        self.definition.version
    }

    pub fn field(&self, name: &str) -> Option<&CompiledField> {
        self.index.get(name).map(|&i| &self.fields[i])
    }

    /// Checks `definition` against the reference data; `file` names it in errors.
    pub fn compile(definition: FormDefinition, reference: &ReferenceData, file: &str) -> Result<Form, DefinitionError> {
        Compiler { file, reference, scope: HashMap::new() }.form(definition)
    }
}

const KEYWORDS: [&str; 6] = ["and", "or", "not", "true", "false", "null"];
const DEFAULT_TEXT_LENGTH: usize = 500;
const DEFAULT_LONG_TEXT_LENGTH: usize = 5_000;

struct Compiler<'a> {
    file: &'a str,
    reference: &'a ReferenceData,
    /// Fields defined so far: an expression may name only these.
    scope: HashMap<String, ScopeField>,
}

impl<'a> Compiler<'a> {
    fn err(&self, field: Option<&str>, message: impl Into<String>) -> DefinitionError {
        DefinitionError::in_file(self.file, field, message)
    }

    fn form(mut self, def: FormDefinition) -> Result<Form, DefinitionError> {
        if !is_identifier(&def.id) {
            return Err(self.err(None, format!("form id '{}' must be snake_case letters, digits and _", def.id)));
        }
        if def.version == 0 {
            return Err(self.err(None, "version starts at 1"));
        }
        self.localized(None, "title", &def.title)?;
        if let Some(help) = &def.help {
            self.localized(None, "help", help)?;
        }
        let mut fields = Vec::new();
        let mut sections = Vec::new();
        let mut section_ids = HashSet::new();
        for (s, section) in def.sections.iter().enumerate() {
            if !section_ids.insert(section.id.as_str()) {
                return Err(self.err(None, format!("section id '{}' is used twice", section.id)));
            }
            self.localized(None, "section title", &section.title)?;
            if let Some(help) = &section.help {
                self.localized(None, "section help", help)?;
            }
            let relevant = self.expression(None, "relevant", section.relevant.as_deref(), None, Type::Bool)?;
            sections.push(CompiledSection { relevant });
            for field in &section.fields {
                let compiled = self.field(field, s, fields.len())?;
                fields.push(compiled);
            }
        }
        if fields.iter().all(|f| !f.field_type.holds_value()) {
            return Err(self.err(None, "a form needs at least one field"));
        }
        let date_ok = fields
            .iter()
            .any(|f| f.name == def.date_field && f.field_type == FieldType::Date && f.required && f.relevant.is_none());
        if !date_ok {
            return Err(self.err(
                None,
                format!("date_field '{}' must name a required date field that is always asked", def.date_field),
            ));
        }
        let sections_relevance_ok = sections
            .iter()
            .zip(&def.sections)
            .all(|(s, d)| s.relevant.is_none() || d.fields.iter().all(|f| f.name != def.date_field));
        if !sections_relevance_ok {
            return Err(self.err(None, "the date_field cannot sit in a section with skip logic"));
        }
        let index = fields.iter().enumerate().map(|(i, f)| (f.name.clone(), i)).collect();
        let names = fields.iter().map(|f| f.name.clone()).collect();
        Ok(Form { definition: def, fields, sections, index, names })
    }

    fn localized(&self, field: Option<&str>, what: &str, text: &Localized) -> Result<(), DefinitionError> {
        if text.is_complete() {
            Ok(())
        } else {
            Err(self.err(field, format!("{what} needs both vi and en text")))
        }
    }

    fn expression(
        &self,
        field: Option<&str>,
        attribute: &'static str,
        source: Option<&str>,
        current: Option<Type>,
        want: Type,
    ) -> Result<Option<Compiled>, DefinitionError> {
        let Some(source) = source else {
            return Ok(None);
        };
        let at = |e: ExprError| DefinitionError {
            file: self.file.to_owned(),
            field: field.map(str::to_owned),
            attribute: Some(attribute),
            column: Some(e.pos + 1),
            message: e.message,
        };
        let compiled = expr::compile(source, &Scope { fields: &self.scope, current }).map_err(at)?;
        let fits = match want {
            Type::Any => compiled.ty != Type::Any,
            want => compiled.ty == want || compiled.ty == Type::Any,
        };
        if !fits {
            let message = match want {
                Type::Any => "the result is always empty (null)".to_owned(),
                want => format!("must give a {}, not a {}", want.name(), compiled.ty.name()),
            };
            return Err(at(ExprError { pos: 0, message }));
        }
        Ok(Some(compiled))
    }

    fn field(&mut self, f: &Field, section: usize, slot: usize) -> Result<CompiledField, DefinitionError> {
        let name = Some(f.name.as_str());
        let bad = |msg: String| self.err(name, msg);
        if !is_identifier(&f.name) || KEYWORDS.contains(&f.name.as_str()) {
            return Err(bad(format!("'{}' is not a usable field name (snake_case, not a keyword)", f.name)));
        }
        if self.scope.contains_key(&f.name) {
            return Err(bad("the name is used twice".into()));
        }
        self.localized(name, "label", &f.label)?;
        for (what, text) in [("hint", &f.hint), ("constraint_message", &f.constraint_message)] {
            if let Some(text) = text {
                self.localized(name, what, text)?;
            }
        }
        let t = f.field_type;
        let numeric = matches!(t, FieldType::Integer | FieldType::Decimal);
        let textual = matches!(t, FieldType::Text | FieldType::LongText);
        let choice = matches!(t, FieldType::SelectOne | FieldType::SelectMultiple);
        let answered = t.holds_value() && t != FieldType::Calculate;
        let evidence = matches!(t, FieldType::Photo | FieldType::Geopoint);
        let misplaced = [
            ("min/max", (f.min.is_some() || f.max.is_some()) && !numeric),
            ("max_length", f.max_length.is_some() && !textual),
            ("options/list", (f.options.is_some() || f.list.is_some()) && !choice),
            ("personal_data_warning", f.personal_data_warning.is_some() && t != FieldType::LongText),
            ("grid", f.grid.is_some() && t != FieldType::CountGrid),
            ("calculate", f.calculate.is_some() && t != FieldType::Calculate),
            ("max_photos", f.max_photos.is_some() && t != FieldType::Photo),
            ("required", f.required && !answered),
            ("constraint", f.constraint.is_some() && (!answered || evidence)),
        ];
        if let Some((attr, _)) = misplaced.iter().find(|(_, wrong)| *wrong) {
            return Err(bad(format!("'{attr}' does not apply to a field of type {}", t.as_str())));
        }
        if f.constraint.is_some() != f.constraint_message.is_some() {
            return Err(bad("constraint and constraint_message go together".into()));
        }
        if [f.min, f.max].iter().flatten().any(|b| !b.is_finite()) {
            return Err(bad("min and max must be finite numbers".into()));
        }
        if let (Some(min), Some(max)) = (f.min, f.max) {
            if min > max {
                return Err(bad(format!("min {} is above max {}", number_text(min, '.'), number_text(max, '.'))));
            }
        }
        if t == FieldType::Integer && [f.min, f.max].iter().flatten().any(|b| b.fract() != 0.0) {
            return Err(bad("an integer field's bounds must be whole numbers".into()));
        }
        let choices = if choice { Some(self.choices(f)?) } else { None };
        let grid = match (t, &f.grid) {
            (FieldType::CountGrid, Some(spec)) => Some(self.grid(f, spec)?),
            (FieldType::CountGrid, None) => return Err(bad("a count_grid needs a grid".into())),
            _ => None,
        };
        let max_photos = f.max_photos.unwrap_or(1);
        if !(1..=crate::evidence::MAX_PHOTOS_PER_FIELD).contains(&max_photos) {
            let most = crate::evidence::MAX_PHOTOS_PER_FIELD;
            return Err(bad(format!("max_photos must be between 1 and {most}")));
        }
        if t == FieldType::Calculate && f.calculate.is_none() {
            return Err(bad("a calculate field needs a calculate expression".into()));
        }

        let relevant = self.expression(name, "relevant", f.relevant.as_deref(), None, Type::Bool)?;
        let calculate = self.expression(name, "calculate", f.calculate.as_deref(), None, Type::Any)?;
        let own_type = match t {
            FieldType::Text | FieldType::LongText | FieldType::SelectOne => Type::Text,
            FieldType::Integer | FieldType::Decimal => Type::Number,
            FieldType::Date => Type::Date,
            FieldType::Time => Type::Time,
            FieldType::SelectMultiple => Type::Choices,
            FieldType::YesNo => Type::Bool,
            FieldType::CountGrid => Type::Grid,
            FieldType::Calculate => calculate.as_ref().map_or(Type::Any, |c| c.ty),
            FieldType::Note | FieldType::Geopoint => Type::Any,
            // In an expression a photo field is how many photos it holds.
            FieldType::Photo => Type::Number,
        };
        let constraint = self.expression(name, "constraint", f.constraint.as_deref(), Some(own_type), Type::Bool)?;

        if t.holds_value() {
            let options = f.options.as_ref().map(|o| o.iter().map(|o| o.value.clone()).collect());
            self.scope.insert(f.name.clone(), ScopeField { slot, ty: own_type, options });
        }
        let max_length = match t {
            FieldType::Text => Some(f.max_length.map_or(DEFAULT_TEXT_LENGTH, |n| n as usize)),
            FieldType::LongText => Some(f.max_length.map_or(DEFAULT_LONG_TEXT_LENGTH, |n| n as usize)),
            _ => None,
        };
        Ok(CompiledField {
            name: f.name.clone(),
            field_type: t,
            label: f.label.clone(),
            section,
            required: f.required,
            relevant,
            constraint,
            constraint_message: f.constraint_message.clone().unwrap_or_default(),
            calculate,
            min: f.min,
            max: f.max,
            max_length,
            max_photos,
            choices,
            grid,
        })
    }

    fn choices(&self, f: &Field) -> Result<HashSet<String>, DefinitionError> {
        let name = Some(f.name.as_str());
        match (&f.options, &f.list) {
            (Some(options), None) => {
                let mut set = HashSet::new();
                for o in options {
                    if o.value.is_empty() || !set.insert(o.value.clone()) {
                        return Err(self.err(name, format!("option value '{}' is empty or repeated", o.value)));
                    }
                    self.localized(name, "option label", &o.label)?;
                }
                if set.is_empty() {
                    return Err(self.err(name, "a choice field needs at least one option"));
                }
                Ok(set)
            }
            (None, Some(list)) => {
                if let Some(l) = self.reference.lists.get(list) {
                    Ok(l.entries.iter().map(|e| e.code.clone()).collect())
                } else if let Some(units) = self.reference.unit_lists.get(list) {
                    Ok(units.communes().map(|u| u.code.clone()).collect())
                } else {
                    Err(self.err(name, format!("no reference list '{list}'")))
                }
            }
            _ => Err(self.err(name, "a choice field needs either options or list, not both")),
        }
    }

    fn grid(&self, f: &Field, spec: &GridSpec) -> Result<CompiledGrid, DefinitionError> {
        let name = Some(f.name.as_str());
        let list = self
            .reference
            .lists
            .get(&spec.ethnicity_list)
            .ok_or_else(|| self.err(name, format!("no reference list '{}'", spec.ethnicity_list)))?;
        let shortlist = self
            .reference
            .ethnicity_shortlists
            .get(&spec.shortlist)
            .ok_or_else(|| self.err(name, format!("no ethnicity shortlist '{}'", spec.shortlist)))?;
        if let Some(code) = shortlist.iter().find(|c| list.get(c).is_none()) {
            return Err(self.err(name, format!("shortlist code '{code}' is not in '{}'", spec.ethnicity_list)));
        }
        let group = match &spec.group {
            None => None,
            Some(g) => {
                self.localized(name, "grid group label", &g.label)?;
                let mut values = HashSet::new();
                for o in &g.options {
                    if o.value.is_empty() || !values.insert(o.value.clone()) {
                        return Err(self.err(name, format!("grid group value '{}' is empty or repeated", o.value)));
                    }
                    self.localized(name, "grid group option label", &o.label)?;
                }
                if values.len() < 2 {
                    return Err(self.err(name, "a grid group needs at least two options"));
                }
                Some((g.name.clone(), g.label.clone(), values))
            }
        };
        if spec.max_cell == 0 {
            return Err(self.err(name, "grid max_cell must be at least 1"));
        }
        Ok(CompiledGrid {
            ethnicities: list.entries.iter().map(|e| e.code.clone()).collect(),
            group,
            max_cell: spec.max_cell,
        })
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
