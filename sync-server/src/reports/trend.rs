//! The monthly trend of a year: activities and participants (by sex, Kinh and ethnic
//! minority) in each of its twelve months, over the same records as the summary of that
//! month (final, not deleted, in the caller's scope, optionally one form).
//!
//! Each month is read like every other report (`Cube::load` over the sums kept by month,
//! `store::totals`), one month at a time: twelve whole months, twelve small reads.

use forms::Catalog;
use serde::Serialize;

use super::query::{Cube, Tally};
use super::summary::{Figures, Filter, ScopeSummary};
use super::{known_form, record_filter, Period, ReportError, ReportScope};
use crate::store::reports::RecordFilter;
use crate::Db;

/// A year month by month.
#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    pub year: i32,
    pub period: Period,
    pub filter: Filter,
    pub scope: ScopeSummary,
    /// The whole year: the sum of the months.
    pub totals: Figures,
    /// January to December, always twelve.
    pub months: Vec<MonthFigures>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthFigures {
    /// 1–12.
    pub month: u32,
    pub period: Period,
    #[serde(flatten)]
    pub figures: Figures,
}

/// The tally of the records `filter` selects: activities, and the participants of each
/// form's participant grid by sex, Kinh and minority (the summary's figures).
async fn tally(db: &Db, catalog: &Catalog, filter: &RecordFilter) -> Result<Tally, ReportError> {
    Ok(Cube::load(db, catalog, filter).await?.tally(|_, _| true))
}

/// The twelve months of `year` in `scope`, optionally of one form.
pub async fn trend(
    db: &Db,
    catalog: &Catalog,
    scope: &ReportScope,
    year: i32,
    filter: Filter,
) -> Result<Trend, ReportError> {
    if let Some(form) = &filter.form {
        known_form(catalog, form)?;
    }
    let period = Period::year(year)?;
    let mut total = Tally::default();
    let mut months = Vec::with_capacity(12);
    for month in 1..=12 {
        let period = Period::month(year, month)?;
        let t = tally(db, catalog, &record_filter(scope, Some(&period), filter.form.as_deref())).await?;
        total.activities += t.activities;
        for (sum, part) in [(&mut total.people, t.people), (&mut total.kinh, t.kinh), (&mut total.minority, t.minority)]
        {
            sum.male += part.male;
            sum.female += part.female;
        }
        months.push(MonthFigures { month, period, figures: Figures::from(&t) });
    }
    let reference = catalog.reference();
    Ok(Trend {
        year,
        period,
        filter,
        scope: ScopeSummary {
            whole_province: scope.whole_province,
            communes: scope.communes.clone(),
            label: scope.label(reference),
        },
        totals: Figures::from(&total),
        months,
    })
}
