//! The reads reports are built from: the sums kept at write time ([`super::totals`]) for a
//! period and a set of locations, and for raw exports the grid cell keys and the records of
//! a form page by page. Written once, with `$n` placeholders, for both databases; dates are
//! ISO text (`YYYY-MM-DD`, months `YYYY-MM`) on both, so ranges compare as text.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use forms::{Location, Record, Sex};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::records::{record_from_row, RECORD_COLUMNS};
use super::totals::{PeriodParts, KEY};
use super::{Db, StoreError};

/// Which records a report reads. Always final and not deleted: drafts skip the constraints
/// and tombstones keep no answers.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    /// Inclusive bounds on the activity date; `None` takes every record, dated or not.
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// One form (every version of it).
    pub form_id: Option<String>,
    /// `None`: every location. `Some`: only these (unit list, unit code) pairs, so an empty
    /// list selects nothing.
    pub locations: Option<Vec<(String, String)>>,
}

impl RecordFilter {
    fn selects_nothing(&self) -> bool {
        self.locations.as_ref().is_some_and(Vec::is_empty)
    }

    /// The condition on `records r`, and its text parameters, numbered from `$1`.
    fn clause(&self) -> (String, Vec<String>) {
        let mut params: Vec<String> = Vec::new();
        let mut sql = String::from("r.deleted = 0 AND r.status = 'final'");
        if let Some((from, to)) = self.period {
            let (from, to) = (bind(&mut params, iso(from)), bind(&mut params, iso(to)));
            sql += &format!(" AND r.activity_date >= {from} AND r.activity_date <= {to}");
        }
        sql += &self.scope_terms("r.", &mut params);
        (sql, params)
    }

    /// ` AND …` terms for the form and the locations, on columns prefixed with `prefix`.
    fn scope_terms(&self, prefix: &str, params: &mut Vec<String>) -> String {
        let mut sql = String::new();
        if let Some(form) = &self.form_id {
            sql += &format!(" AND {prefix}form_id = {}", bind(params, form.clone()));
        }
        if let Some(pairs) = &self.locations {
            let mut by_list: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for (list, code) in pairs {
                by_list.entry(list).or_default().push(code);
            }
            let terms: Vec<String> = by_list
                .into_iter()
                .map(|(list, codes)| {
                    let list = bind(params, list.to_owned());
                    let codes: Vec<String> = codes.into_iter().map(|c| bind(params, c.to_owned())).collect();
                    format!("({prefix}unit_list = {list} AND {prefix}unit_code IN ({}))", codes.join(", "))
                })
                .collect();
            sql += &format!(" AND ({})", terms.join(" OR "));
        }
        sql
    }
}

/// Adds a text parameter; returns its placeholder.
fn bind(params: &mut Vec<String>, value: String) -> String {
    params.push(value);
    format!("${}", params.len())
}

fn iso(date: NaiveDate) -> String {
    forms::dates::iso_date(date)
}

/// One sum of [`Db::report_totals`]: the people of one grid cell key, or (`sex` `None`,
/// `field` empty) the activities of a form in a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalRow {
    pub form_id: String,
    pub location: Location,
    pub field: String,
    pub ethnicity: String,
    /// `""` where the grid has no further dimension.
    pub group: String,
    pub sex: Option<Sex>,
    /// People counted, or records for an activity row.
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TotalKey {
    form_id: String,
    unit_list: String,
    unit_code: String,
    field: String,
    ethnicity: String,
    group: String,
    sex: String,
}

/// One column of a raw export: a grid cell some record of the form has.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CellKey {
    pub field: String,
    pub ethnicity: String,
    pub sex: Sex,
    /// `""` where the grid has no further dimension.
    pub group: String,
}

fn sex_of(row: &AnyRow) -> Result<Sex, StoreError> {
    let sex: String = row.try_get("sex")?;
    Sex::parse(&sex).ok_or_else(|| StoreError::Corrupt(format!("sex '{sex}' in record_cells")))
}

impl Db {
    /// The sums kept at write time ([`super::totals`]) for the records `filter` selects, at
    /// the finest grain: by form, location, field, ethnicity, group and sex, plus one row
    /// per form and location for the activities (`field` empty). Whole months of the period
    /// are read from `totals_by_month` in key order, partial months from `totals_by_day`,
    /// and the parts added up here.
    pub async fn report_totals(&self, filter: &RecordFilter) -> Result<Vec<TotalRow>, StoreError> {
        if filter.selects_nothing() {
            return Ok(Vec::new());
        }
        let mut reads: Vec<(&str, Option<(String, String)>)> = Vec::new();
        match filter.period {
            None => reads.push(("month", None)),
            Some((from, to)) => {
                let parts = PeriodParts::of(from, to);
                reads.extend(parts.months.map(|m| ("month", Some(m))));
                reads.extend(parts.days.into_iter().map(|d| ("day", Some(d))));
            }
        }
        let mut sums: HashMap<TotalKey, (i64, i64)> = HashMap::new();
        for (period, range) in reads {
            let mut params = Vec::new();
            let mut sql = format!(
                "SELECT {KEY}, CAST(SUM(entries) AS BIGINT) AS entries, CAST(SUM(total) AS BIGINT) AS total \
                 FROM totals_by_{period} WHERE 1 = 1"
            );
            if let Some((from, to)) = range {
                let (from, to) = (bind(&mut params, from), bind(&mut params, to));
                sql += &format!(" AND {period} >= {from} AND {period} <= {to}");
            }
            sql += &filter.scope_terms("", &mut params);
            sql += &format!(" GROUP BY {KEY}");
            let mut query = sqlx::query(&sql);
            for p in &params {
                query = query.bind(p.as_str());
            }
            for row in query.fetch_all(&self.pool).await? {
                let key = TotalKey {
                    form_id: row.try_get("form_id")?,
                    unit_list: row.try_get("unit_list")?,
                    unit_code: row.try_get("unit_code")?,
                    field: row.try_get("field")?,
                    ethnicity: row.try_get("ethnicity")?,
                    group: row.try_get("grp")?,
                    sex: row.try_get("sex")?,
                };
                let sum = sums.entry(key).or_default();
                sum.0 += row.try_get::<i64, _>("entries")?;
                sum.1 += row.try_get::<i64, _>("total")?;
            }
        }
        // A key whose records were all corrected away or deleted keeps a row of zeros.
        sums.into_iter()
            .filter(|(_, (entries, _))| *entries > 0)
            .map(|(k, (_, total))| {
                let sex = match k.sex.as_str() {
                    "" if k.field.is_empty() => None,
                    s => Some(Sex::parse(s).ok_or_else(|| StoreError::Corrupt(format!("sex '{s}' in report totals")))?),
                };
                Ok(TotalRow {
                    form_id: k.form_id,
                    location: Location { unit_list: k.unit_list, unit_code: k.unit_code },
                    field: k.field,
                    ethnicity: k.ethnicity,
                    group: k.group,
                    sex,
                    total,
                })
            })
            .collect()
    }

    /// Every distinct grid cell the selected records hold: the cell columns of a raw export.
    pub async fn cell_keys(&self, filter: &RecordFilter) -> Result<Vec<CellKey>, StoreError> {
        if filter.selects_nothing() {
            return Ok(Vec::new());
        }
        let (clause, params) = filter.clause();
        let sql = format!(
            "SELECT DISTINCT c.field, c.ethnicity, c.sex, c.grp FROM record_cells c \
             JOIN records r ON r.id = c.record_id WHERE {clause}"
        );
        let mut query = sqlx::query(&sql);
        for p in &params {
            query = query.bind(p.as_str());
        }
        let mut keys = query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(CellKey {
                    field: row.try_get("field")?,
                    ethnicity: row.try_get("ethnicity")?,
                    sex: sex_of(row)?,
                    group: row.try_get("grp")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        keys.sort();
        Ok(keys)
    }

    /// The selected records whose last change is after cursor `after`, oldest change first,
    /// at most `limit`: a raw export reads page by page, so its memory stays bounded.
    pub async fn report_records(
        &self,
        filter: &RecordFilter,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, Record)>, StoreError> {
        if filter.selects_nothing() {
            return Ok(Vec::new());
        }
        let (clause, params) = filter.clause();
        let (after_at, limit_at) = (params.len() + 1, params.len() + 2);
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records r WHERE {clause} AND r.seq > ${after_at} ORDER BY r.seq LIMIT ${limit_at}"
        );
        let mut query = sqlx::query(&sql);
        for p in &params {
            query = query.bind(p.as_str());
        }
        let rows = query.bind(after).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(|row| Ok((row.try_get::<i64, _>("seq")?, record_from_row(row)?))).collect()
    }
}
