//! The monthly trend of a year: activities and participants (by sex, Kinh and ethnic
//! minority) in each of its twelve months, over the same records as the summary of that
//! month (final, not deleted, in the caller's scope, optionally one form).
//!
//! The twelve months are read at once from the monthly sums kept at write time
//! (`store::totals`), grouped down in SQL to what a trend shows.

use forms::grid::KINH;
use forms::Catalog;
use serde::Serialize;

use super::query::{add_sex, participant_fields, Tally};
use super::summary::{Figures, Filter, ScopeSummary};
use super::{known_form, record_filter, Period, ReportError, ReportScope};
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
    // The summary's figures, month by month: activities, and the people of each form's
    // participant grid by sex, Kinh and minority.
    let participants = participant_fields(catalog);
    let mut tallies = [Tally::default(); 12];
    let scope_and_form = record_filter(scope, None, filter.form.as_deref());
    for row in db.report_months(&scope_and_form, year, KINH).await? {
        let t = &mut tallies[row.month as usize - 1];
        let n = row.total.max(0) as u64;
        match row.sex {
            None => t.activities += n,
            Some(sex) => {
                if participants.get(row.form_id.as_str()).is_none_or(|fields| fields.contains(row.field.as_str())) {
                    add_sex(&mut t.people, sex, n);
                    add_sex(if row.kinh { &mut t.kinh } else { &mut t.minority }, sex, n);
                }
            }
        }
    }
    let mut total = Tally::default();
    let mut months = Vec::with_capacity(12);
    for (t, month) in tallies.iter().zip(1..=12) {
        total.activities += t.activities;
        for (sum, part) in [(&mut total.people, t.people), (&mut total.kinh, t.kinh), (&mut total.minority, t.minority)]
        {
            sum.male += part.male;
            sum.female += part.female;
        }
        months.push(MonthFigures { month, period: Period::month(year, month)?, figures: Figures::from(t) });
    }
    Ok(Trend { year, period, filter, scope: ScopeSummary::of(scope, catalog), totals: Figures::from(&total), months })
}
