//! Reporting periods: inclusive ranges of activity dates, given as two dates or as a preset
//! (a month, a quarter, a year, or the year's Action Month, 15/11–15/12).

use chrono::{Datelike, NaiveDate};
use forms::dates::{format_date, iso_date, parse_iso_date};
use forms::Localized;
use serde::{Serialize, Serializer};

use super::ReportError;

/// Years a report may name: a typo such as 20226 is an error, not an empty report.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Range,
    Month,
    Quarter,
    Year,
    ActionMonth,
    ReportingYear,
}

/// An inclusive range of activity dates, and how to name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    #[serde(serialize_with = "date")]
    pub from: NaiveDate,
    #[serde(serialize_with = "date")]
    pub to: NaiveDate,
    pub kind: PeriodKind,
    pub label: Localized,
}

fn date<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&iso_date(*d))
}

fn invalid(why: impl Into<String>) -> ReportError {
    ReportError::InvalidPeriod(why.into())
}

fn day(y: i32, m: u32, d: u32) -> Result<NaiveDate, ReportError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| invalid(format!("{y:04}-{m:02}-{d:02} is not a date")))
}

fn check_year(year: i32) -> Result<i32, ReportError> {
    if YEARS.contains(&year) {
        Ok(year)
    } else {
        Err(invalid(format!("the year must be between {} and {}", YEARS.start(), YEARS.end())))
    }
}

/// A year as `YYYY`, within the years reports may name.
pub fn parse_year(text: &str) -> Result<i32, ReportError> {
    let year = text.trim();
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(format!("'{text}' is not a year (YYYY)")));
    }
    check_year(year.parse().map_err(|_| invalid(format!("'{text}' is not a year")))?)
}

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

impl Period {
    /// From `from` to `to`, both included.
    pub fn range(from: NaiveDate, to: NaiveDate) -> Result<Period, ReportError> {
        check_year(from.year())?;
        check_year(to.year())?;
        if from > to {
            return Err(invalid(format!("from ({}) is after to ({})", iso_date(from), iso_date(to))));
        }
        let label = Localized::new(
            format!("Từ {} đến {}", format_date(from), format_date(to)),
            format!("{} to {}", iso_date(from), iso_date(to)),
        );
        Ok(Period { from, to, kind: PeriodKind::Range, label })
    }

    pub fn month(year: i32, month: u32) -> Result<Period, ReportError> {
        let year = check_year(year)?;
        if !(1..=12).contains(&month) {
            return Err(invalid(format!("month {month} is not 1–12")));
        }
        let from = day(year, month, 1)?;
        let next = if month == 12 { day(year + 1, 1, 1)? } else { day(year, month + 1, 1)? };
        let to = next.pred_opt().ok_or_else(|| invalid("no such month"))?;
        let label = Localized::new(format!("Tháng {month}/{year}"), format!("{year}-{month:02}"));
        Ok(Period { from, to, kind: PeriodKind::Month, label })
    }

    pub fn quarter(year: i32, quarter: u32) -> Result<Period, ReportError> {
        if !(1..=4).contains(&quarter) {
            return Err(invalid(format!("quarter {quarter} is not 1–4")));
        }
        let first = Period::month(year, quarter * 3 - 2)?;
        let last = Period::month(year, quarter * 3)?;
        let label = Localized::new(format!("Quý {}/{year}", ROMAN[quarter as usize - 1]), format!("Q{quarter} {year}"));
        Ok(Period { from: first.from, to: last.to, kind: PeriodKind::Quarter, label })
    }

    pub fn year(year: i32) -> Result<Period, ReportError> {
        let year = check_year(year)?;
        let label = Localized::new(format!("Năm {year}"), format!("Year {year}"));
        Ok(Period { from: day(year, 1, 1)?, to: day(year, 12, 31)?, kind: PeriodKind::Year, label })
    }

    /// The Action Month for gender equality of `year`: 15 November to 15 December.
    pub fn action_month(year: i32) -> Result<Period, ReportError> {
        let year = check_year(year)?;
        let label = Localized::new(
            format!("Tháng hành động vì bình đẳng giới năm {year} (15/11–15/12/{year})"),
            format!("Action Month {year} (15 November – 15 December)"),
        );
        Ok(Period { from: day(year, 11, 15)?, to: day(year, 12, 15)?, kind: PeriodKind::ActionMonth, label })
    }

    /// The reporting year of plan section V: 1 January to 30 November, when every unit's
    /// results are due.
    pub fn reporting_year(year: i32) -> Result<Period, ReportError> {
        let year = check_year(year)?;
        let label = Localized::new(
            format!("Năm báo cáo {year} (01/01–30/11/{year})"),
            format!("Reporting year {year} (1 January – 30 November)"),
        );
        Ok(Period { from: day(year, 1, 1)?, to: day(year, 11, 30)?, kind: PeriodKind::ReportingYear, label })
    }
}

/// A period as a request or the command line gives it: two dates, or exactly one preset.
/// The report handlers deserialise it once, flattened into their queries.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args, serde::Deserialize)]
pub struct PeriodParams {
    /// First activity date included (YYYY-MM-DD); with --to.
    #[arg(long)]
    pub from: Option<String>,
    /// Last activity date included (YYYY-MM-DD); with --from.
    #[arg(long)]
    pub to: Option<String>,
    /// A month: YYYY-MM.
    #[arg(long)]
    pub month: Option<String>,
    /// A quarter: YYYY-Q1 … YYYY-Q4.
    #[arg(long)]
    pub quarter: Option<String>,
    /// A calendar year: YYYY.
    #[arg(long)]
    pub year: Option<String>,
    /// The Action Month (15/11–15/12) of a year: YYYY.
    #[arg(long)]
    pub action_month: Option<String>,
    /// The reporting year up to the plan's deadline (01/01–30/11): YYYY.
    #[arg(long)]
    pub reporting_year: Option<String>,
}

impl PeriodParams {
    /// The period these name; `None` when they name none, an error when they are malformed
    /// or name more than one.
    pub fn period(&self) -> Result<Option<Period>, ReportError> {
        let given = [
            self.from.is_some() || self.to.is_some(),
            self.month.is_some(),
            self.quarter.is_some(),
            self.year.is_some(),
            self.action_month.is_some(),
            self.reporting_year.is_some(),
        ];
        match given.iter().filter(|g| **g).count() {
            0 => return Ok(None),
            1 => {}
            _ => {
                return Err(invalid(
                    "give one period: from and to, month, quarter, year, action_month or reporting_year",
                ))
            }
        }
        let date = |text: &str| {
            parse_iso_date(text.trim()).ok_or_else(|| invalid(format!("'{text}' is not a date (YYYY-MM-DD)")))
        };
        if self.from.is_some() || self.to.is_some() {
            let (Some(from), Some(to)) = (&self.from, &self.to) else {
                return Err(invalid("from and to go together"));
            };
            return Period::range(date(from)?, date(to)?).map(Some);
        }
        if let Some(month) = &self.month {
            let (y, m) = month.trim().split_once('-').ok_or_else(|| invalid(format!("'{month}' is not YYYY-MM")))?;
            let m =
                m.parse().ok().filter(|_| m.len() == 2).ok_or_else(|| invalid(format!("'{month}' is not YYYY-MM")))?;
            return Period::month(parse_year(y)?, m).map(Some);
        }
        if let Some(quarter) = &self.quarter {
            let upper = quarter.trim().to_ascii_uppercase();
            let (y, q) = upper.split_once("-Q").ok_or_else(|| invalid(format!("'{quarter}' is not YYYY-Qn")))?;
            let q = q
                .parse()
                .ok()
                .filter(|_| q.len() == 1)
                .ok_or_else(|| invalid(format!("'{quarter}' is not YYYY-Qn")))?;
            return Period::quarter(parse_year(y)?, q).map(Some);
        }
        if let Some(year) = &self.year {
            return Period::year(parse_year(year)?).map(Some);
        }
        if let Some(year) = &self.action_month {
            return Period::action_month(parse_year(year)?).map(Some);
        }
        if let Some(year) = &self.reporting_year {
            return Period::reporting_year(parse_year(year)?).map(Some);
        }
        Ok(None)
    }

    /// The period these name, which must be there.
    pub fn required(&self) -> Result<Period, ReportError> {
        self.period()?.ok_or_else(|| {
            invalid("a period is required: from and to, month, quarter, year, action_month or reporting_year")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_iso_date(s).unwrap()
    }

    fn params(f: impl FnOnce(&mut PeriodParams)) -> Result<Option<Period>, ReportError> {
        let mut p = PeriodParams::default();
        f(&mut p);
        p.period()
    }

    #[test]
    fn presets_cover_whole_calendar_units() {
        let feb = Period::month(2028, 2).unwrap();
        assert_eq!((feb.from, feb.to), (d("2028-02-01"), d("2028-02-29")), "a leap February");
        let dec = Period::month(2026, 12).unwrap();
        assert_eq!((dec.from, dec.to), (d("2026-12-01"), d("2026-12-31")));
        let q4 = Period::quarter(2026, 4).unwrap();
        assert_eq!((q4.from, q4.to, q4.label.vi.as_str()), (d("2026-10-01"), d("2026-12-31"), "Quý IV/2026"));
        let q1 = Period::quarter(2026, 1).unwrap();
        assert_eq!((q1.from, q1.to), (d("2026-01-01"), d("2026-03-31")));
        let year = Period::year(2026).unwrap();
        assert_eq!((year.from, year.to), (d("2026-01-01"), d("2026-12-31")));
        let am = Period::action_month(2025).unwrap();
        assert_eq!((am.from, am.to, am.kind), (d("2025-11-15"), d("2025-12-15"), PeriodKind::ActionMonth));
        let due = Period::reporting_year(2026).unwrap();
        assert_eq!((due.from, due.to, due.kind), (d("2026-01-01"), d("2026-11-30"), PeriodKind::ReportingYear));
    }

    #[test]
    fn parameters_name_exactly_one_period() {
        assert_eq!(params(|_| {}).unwrap(), None);
        let q = params(|p| p.quarter = Some("2026-q3".into())).unwrap().unwrap();
        assert_eq!((q.from, q.to), (d("2026-07-01"), d("2026-09-30")));
        let m = params(|p| p.month = Some("2026-11".into())).unwrap().unwrap();
        assert_eq!((m.from, m.to), (d("2026-11-01"), d("2026-11-30")));
        let r = params(|p| {
            p.from = Some("2026-03-01".into());
            p.to = Some("2026-03-01".into());
        })
        .unwrap()
        .unwrap();
        assert_eq!((r.from, r.to, r.kind), (d("2026-03-01"), d("2026-03-01"), PeriodKind::Range));
        let am = params(|p| p.action_month = Some("2026".into())).unwrap().unwrap();
        assert_eq!(am.from, d("2026-11-15"));
        assert_eq!(am.serialize_to_json()["from"], "2026-11-15");

        let bad: [fn(&mut PeriodParams); 11] = [
            |p| p.from = Some("2026-01-01".into()),
            |p| {
                p.from = Some("2026-02-01".into());
                p.to = Some("2026-01-31".into());
            },
            |p| {
                p.from = Some("2026-02-30".into());
                p.to = Some("2026-03-01".into());
            },
            |p| {
                p.year = Some("2026".into());
                p.month = Some("2026-01".into());
            },
            |p| p.month = Some("2026-13".into()),
            |p| p.month = Some("2026-1".into()),
            |p| p.quarter = Some("2026-Q5".into()),
            |p| p.year = Some("26".into()),
            |p| p.year = Some("1899".into()),
            |p| p.action_month = Some("next".into()),
            |p| {
                p.from = Some("01/02/2026".into());
                p.to = Some("2026-03-01".into());
            },
        ];
        for (i, f) in bad.into_iter().enumerate() {
            assert!(matches!(params(f), Err(ReportError::InvalidPeriod(_))), "case {i} is refused");
        }
    }

    impl Period {
        fn serialize_to_json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap()
        }
    }
}
