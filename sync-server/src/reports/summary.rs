//! The JSON summary of a period: activities and participants (by sex, Kinh and ethnic
//! minority, share of women and girls) in total, by form, by commune and by form × commune,
//! with participants by ethnic group and by each form's further grid dimension.

use std::collections::BTreeMap;

use forms::definition::GridSpec;
use forms::grid::{BySex, KINH};
use forms::{Catalog, Form, Localized, Location, PlanArea};
use serde::Serialize;

use super::query::{Cube, Tally, UnitKey};
use super::{unit_name, Period, ReportScope};

/// Men and boys, women and girls, and both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub male: u64,
    pub female: u64,
    pub total: u64,
}

impl From<BySex> for Counts {
    fn from(b: BySex) -> Self {
        Counts { male: b.male, female: b.female, total: b.total() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// Activities: final records.
    pub activities: u64,
    pub participants: Counts,
    pub kinh: Counts,
    /// Every ethnic group but Kinh (code 01).
    pub minority: Counts,
    /// Women and girls among the participants, 0–1 (4 decimals); null without participants.
    pub female_share: Option<f64>,
}

impl From<&Tally> for Figures {
    fn from(t: &Tally) -> Self {
        Figures {
            activities: t.activities,
            participants: t.people.into(),
            kinh: t.kinh.into(),
            minority: t.minority.into(),
            female_share: t.female_share().map(|s| (s * 10_000.0).round() / 10_000.0),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub period: Period,
    pub filter: Filter,
    pub scope: ScopeSummary,
    pub totals: Figures,
    /// Every form (or the one asked for), in plan order.
    pub forms: Vec<FormSummary>,
    /// Communes with activities, and every commune of a limited scope.
    pub communes: Vec<CommuneSummary>,
    /// Form × commune, where there were activities.
    pub forms_by_commune: Vec<FormCommune>,
    /// Participants of every form by ethnic group.
    pub ethnicities: Vec<EthnicFigures>,
    /// Organising agencies with activities, in the order of the agencies list: the records
    /// whose form names one (`organiser`).
    pub agencies: Vec<super::agencies::AgencySummary>,
}

/// What the summary was narrowed to.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Filter {
    pub form: Option<String>,
    pub commune: Option<String>,
    /// Only the records a supervisor approved.
    #[serde(default)]
    pub approved_only: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScopeSummary {
    pub whole_province: bool,
    pub communes: Vec<Location>,
    pub label: Localized,
}

impl ScopeSummary {
    /// What a report says of the scope it covers.
    pub fn of(scope: &ReportScope, catalog: &Catalog) -> ScopeSummary {
        ScopeSummary {
            whole_province: scope.whole_province,
            communes: scope.communes.clone(),
            label: scope.label(catalog.reference()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FormSummary {
    pub form_id: String,
    pub title: Localized,
    pub plan_area: Option<PlanArea>,
    /// Whether the form counts participants (a count grid); model checks do not.
    pub collects_participants: bool,
    /// The grid's further dimension (age group, role…), where it has one.
    pub group_dimension: Option<GroupDimension>,
    #[serde(flatten)]
    pub figures: Figures,
    pub by_ethnicity: Vec<EthnicFigures>,
    pub by_group: Vec<GroupFigures>,
    /// The form's report figures (models found active, people supported…), in the order
    /// its figures file lists them; empty for a form without any.
    #[serde(rename = "figures")]
    pub figure_values: Vec<FigureValue>,
}

/// One report figure of a form: what its field adds up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FigureValue {
    pub field: String,
    pub label: Localized,
    pub value: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupDimension {
    pub name: String,
    pub label: Localized,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommuneSummary {
    pub unit_list: String,
    pub unit_code: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize)]
pub struct FormCommune {
    pub form_id: String,
    pub unit_list: String,
    pub unit_code: String,
    #[serde(flatten)]
    pub figures: Figures,
    #[serde(rename = "figures")]
    pub figure_values: Vec<FigureValue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EthnicFigures {
    pub code: String,
    pub name: Localized,
    pub minority: bool,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupFigures {
    pub group: String,
    pub label: Localized,
    #[serde(flatten)]
    pub counts: Counts,
}

/// A form as reports name it: its newest version (withdrawn or not).
pub fn newest<'c>(catalog: &'c Catalog, form_id: &str) -> Option<&'c Form> {
    catalog.latest(form_id).or_else(|| catalog.forms().filter(|f| f.id() == form_id).max_by_key(|f| f.version()))
}

/// The grid of a form's participants, in its newest version.
pub fn participant_grid(form: &Form) -> Option<&GridSpec> {
    form.definition.sections.iter().flat_map(|s| &s.fields).find_map(|f| f.grid.as_ref())
}

/// The report figures of `form_id`, each with what `value` gives its field.
pub fn figure_values(catalog: &Catalog, form_id: &str, value: impl Fn(&str) -> i64) -> Vec<FigureValue> {
    let Some(figures) = catalog.figures(form_id) else { return Vec::new() };
    figures
        .figures
        .iter()
        .map(|f| FigureValue { field: f.field.clone(), label: f.label.clone(), value: value(&f.field) })
        .collect()
}

/// Plan areas in the order of the annual report: the first six as it has always numbered
/// them, then those added with issue 15 in the order of their plan sections (II.3, II.5, II.7).
pub const AREAS: [PlanArea; 10] = PlanArea::ALL;

fn area_rank(area: Option<PlanArea>) -> usize {
    area.and_then(|a| AREAS.iter().position(|x| *x == a)).unwrap_or(AREAS.len())
}

/// An ethnic group's row, named from the reference list.
pub fn ethnic_figures(catalog: &Catalog, code: &str, counts: BySex) -> EthnicFigures {
    let name =
        catalog.reference().ethnic_groups().get(code).map_or_else(|| Localized::new(code, code), |e| e.label.clone());
    EthnicFigures { code: code.to_owned(), name, minority: code != KINH, counts: counts.into() }
}

/// Builds the summary of `cube`, whose records are those of `period`, `scope` and `filter`.
pub fn build(catalog: &Catalog, cube: &Cube, period: Period, scope: &ReportScope, filter: Filter) -> Summary {
    let form = filter.form.as_deref();
    let reference = catalog.reference();
    let totals = Figures::from(&cube.tally(|_, _| true));

    // Forms: every one of the catalog (or the one asked for), and any with records.
    let mut form_ids: Vec<&str> = catalog.forms().map(|f| f.id()).chain(cube.forms()).collect();
    form_ids.sort();
    form_ids.dedup();
    form_ids.retain(|id| form.is_none_or(|f| f == *id));
    form_ids.sort_by_key(|id| (area_rank(newest(catalog, id).map(|f| f.definition.plan_area)), *id));
    let by_form = cube.tally_by(|f, _| Some(f.to_owned()));
    let ethnicity_by_form = cube.ethnicity_by(|f, _| Some(f.to_owned()));
    let groups_by_form = cube.groups_by(|f, _| Some(f.to_owned()));
    let figures_by_form = cube.figures_by(|f, _| Some(f.to_owned()));
    let forms = form_ids
        .into_iter()
        .map(|id| {
            let def = newest(catalog, id);
            let grid = def.and_then(participant_grid);
            let group = grid.and_then(|g| g.group.as_ref());
            let by_ethnicity = ethnicity_by_form
                .range((id.to_owned(), String::new())..)
                .take_while(|((f, _), _)| f == id)
                .map(|((_, code), counts)| ethnic_figures(catalog, code, *counts))
                .collect();
            // In the order the form lists the values; values it no longer offers last.
            let position =
                |value: &str| group.and_then(|g| g.options.iter().position(|o| o.value == value)).unwrap_or(usize::MAX);
            let mut by_group: Vec<GroupFigures> = groups_by_form
                .range((id.to_owned(), String::new())..)
                .take_while(|((f, _), _)| f == id)
                .map(|((_, value), counts)| {
                    let label = group
                        .and_then(|g| g.options.iter().find(|o| &o.value == value))
                        .map_or_else(|| Localized::new(value.as_str(), value.as_str()), |o| o.label.clone());
                    GroupFigures { group: value.clone(), label, counts: (*counts).into() }
                })
                .collect();
            by_group.sort_by_key(|g| position(&g.group));
            FormSummary {
                form_id: id.to_owned(),
                title: def.map_or_else(|| Localized::new(id, id), |f| f.definition.title.clone()),
                plan_area: def.map(|f| f.definition.plan_area),
                collects_participants: grid.is_some(),
                group_dimension: group.map(|g| GroupDimension { name: g.name.clone(), label: g.label.clone() }),
                figures: Figures::from(&by_form.get(id).copied().unwrap_or_default()),
                by_ethnicity,
                by_group,
                figure_values: figure_values(catalog, id, |field| {
                    figures_by_form.get(&(id.to_owned(), field.to_owned())).copied().unwrap_or(0)
                }),
            }
        })
        .collect();

    let mut by_commune: BTreeMap<UnitKey, Tally> = cube.tally_by(|_, u| Some(u.clone()));
    for l in &scope.communes {
        by_commune.entry((l.unit_list.clone(), l.unit_code.clone())).or_default();
    }
    let communes = by_commune
        .iter()
        .map(|((list, code), t)| CommuneSummary {
            unit_list: list.clone(),
            unit_code: code.clone(),
            name: unit_name(reference, &Location { unit_list: list.clone(), unit_code: code.clone() }),
            figures: t.into(),
        })
        .collect();
    let figures_by_form_commune = cube.figures_by(|f, u| Some((f.to_owned(), u.clone())));
    let forms_by_commune = cube
        .tally_by(|f, u| Some((f.to_owned(), u.clone())))
        .into_iter()
        .map(|(key, t)| {
            let figure_values = figure_values(catalog, &key.0, |field| {
                figures_by_form_commune.get(&(key.clone(), field.to_owned())).copied().unwrap_or(0)
            });
            let (form_id, (unit_list, unit_code)) = key;
            FormCommune { form_id, unit_list, unit_code, figures: (&t).into(), figure_values }
        })
        .collect();
    let ethnicities = cube
        .ethnicity_by(|_, _| Some(()))
        .iter()
        .map(|(((), code), counts)| ethnic_figures(catalog, code, *counts))
        .collect();

    let agencies = super::agencies::summary(catalog, cube, form);
    Summary {
        period,
        filter,
        scope: ScopeSummary::of(scope, catalog),
        totals,
        forms,
        communes,
        forms_by_commune,
        ethnicities,
        agencies,
    }
}
