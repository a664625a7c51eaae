//! The reads reports are built from: activities and grid cells summed with `GROUP BY` over
//! the final, non-deleted records of a period and a set of locations, and the records of a
//! form page by page for raw exports. Written once, with `$n` placeholders, for both
//! databases; `activity_date` is ISO text (`YYYY-MM-DD`) on both, so ranges compare as text.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use forms::{Location, Record, Sex};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::records::{record_from_row, RECORD_COLUMNS};
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
        let mut bind = |value: String| {
            params.push(value);
            format!("${}", params.len())
        };
        let mut sql = String::from("r.deleted = 0 AND r.status = 'final'");
        if let Some((from, to)) = self.period {
            let (from, to) = (bind(iso(from)), bind(iso(to)));
            sql += &format!(" AND r.activity_date >= {from} AND r.activity_date <= {to}");
        }
        if let Some(form) = &self.form_id {
            sql += &format!(" AND r.form_id = {}", bind(form.clone()));
        }
        if let Some(pairs) = &self.locations {
            let mut by_list: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for (list, code) in pairs {
                by_list.entry(list).or_default().push(code);
            }
            let terms: Vec<String> = by_list
                .into_iter()
                .map(|(list, codes)| {
                    let list = bind(list.to_owned());
                    let codes: Vec<String> = codes.into_iter().map(|c| bind(c.to_owned())).collect();
                    format!("(r.unit_list = {list} AND r.unit_code IN ({}))", codes.join(", "))
                })
                .collect();
            sql += &format!(" AND ({})", terms.join(" OR "));
        }
        (sql, params)
    }
}

fn iso(date: NaiveDate) -> String {
    forms::dates::iso_date(date)
}

/// Activities (records) of one form in one location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityCount {
    pub form_id: String,
    pub location: Location,
    pub activities: i64,
}

/// The further key grid cells are summed by, besides form, field, location and sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellBreakdown {
    /// By ethnic group code.
    Ethnicity,
    /// By the grid's further dimension (age group, role…); `""` where a grid has none.
    Group,
}

impl CellBreakdown {
    fn column(self) -> &'static str {
        match self {
            CellBreakdown::Ethnicity => "c.ethnicity",
            CellBreakdown::Group => "c.grp",
        }
    }
}

/// People counted in the grid field `field` of records of `form_id` in `location`, of one
/// sex and one value of the breakdown (`key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellSum {
    pub form_id: String,
    pub field: String,
    pub location: Location,
    pub key: String,
    pub sex: Sex,
    pub count: i64,
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
    /// Records by form and location.
    pub async fn activity_counts(&self, filter: &RecordFilter) -> Result<Vec<ActivityCount>, StoreError> {
        if filter.selects_nothing() {
            return Ok(Vec::new());
        }
        let (clause, params) = filter.clause();
        let sql = format!(
            "SELECT r.form_id, r.unit_list, r.unit_code, COUNT(*) AS n FROM records r WHERE {clause} \
             GROUP BY r.form_id, r.unit_list, r.unit_code"
        );
        let mut query = sqlx::query(&sql);
        for p in &params {
            query = query.bind(p.as_str());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(ActivityCount {
                    form_id: row.try_get("form_id")?,
                    location: Location { unit_list: row.try_get("unit_list")?, unit_code: row.try_get("unit_code")? },
                    activities: row.try_get("n")?,
                })
            })
            .collect()
    }

    /// Grid cells summed by form, field, location, sex and `by`.
    pub async fn cell_sums(&self, filter: &RecordFilter, by: CellBreakdown) -> Result<Vec<CellSum>, StoreError> {
        if filter.selects_nothing() {
            return Ok(Vec::new());
        }
        let (clause, params) = filter.clause();
        let key = by.column();
        // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back so both drivers read an i64.
        let sql = format!(
            "SELECT r.form_id, c.field, r.unit_list, r.unit_code, {key} AS k, c.sex, CAST(SUM(c.count) AS BIGINT) AS n \
             FROM record_cells c JOIN records r ON r.id = c.record_id WHERE {clause} \
             GROUP BY r.form_id, c.field, r.unit_list, r.unit_code, {key}, c.sex"
        );
        let mut query = sqlx::query(&sql);
        for p in &params {
            query = query.bind(p.as_str());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(CellSum {
                    form_id: row.try_get("form_id")?,
                    field: row.try_get("field")?,
                    location: Location { unit_list: row.try_get("unit_list")?, unit_code: row.try_get("unit_code")? },
                    key: row.try_get("k")?,
                    sex: sex_of(row)?,
                    count: row.try_get("n")?,
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
