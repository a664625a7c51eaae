//! The reads reports are built from: the sums kept at write time ([`super::totals`]) for a
//! period and a set of locations, and for raw exports the grid cell keys and the records of
//! a form page by page. Written once, with `$n` placeholders, for both databases; dates are
//! ISO text (`YYYY-MM-DD`, months `YYYY-MM`) on both, so ranges compare as text.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use forms::{Location, Record, Sex};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::buckets::signed_buckets;
use super::records::{record_from_row, RECORD_COLUMNS};
use super::totals::{Counting, KEY};
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
    /// Only records a supervisor approved (`forms::review`), read from their own sums.
    pub approved_only: bool,
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

/// One sum of [`Db::report_totals`]: the people of one grid cell key; with `sex` `None`,
/// the activities of a form in a location (`field` empty) or one of its report figures
/// (`field` the figure's).
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

/// One sum of [`Db::agency_totals`]: the people of one sex, Kinh or not, in one grid
/// field of a form, of the records an agency organised; with `sex` `None` and `field`
/// empty, the activities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyTotal {
    pub agency: String,
    pub form_id: String,
    pub field: String,
    pub sex: Option<Sex>,
    /// Of an ethnic minority (not Kinh).
    pub minority: bool,
    pub total: i64,
}

/// One month's sum of [`Db::report_months`]: the people of one sex in one grid field,
/// Kinh or not, or (`sex` `None`, `field` empty) the activities of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthTotal {
    /// 1–12.
    pub month: u32,
    pub form_id: String,
    pub field: String,
    pub kinh: bool,
    pub sex: Option<Sex>,
    pub total: i64,
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
    optional_sex(row)?.ok_or_else(|| StoreError::Corrupt("a grid cell without a sex".into()))
}

/// The sex of a grid cell; `None` for an activity or a report figure (stored as `''`).
fn optional_sex(row: &AnyRow) -> Result<Option<Sex>, StoreError> {
    let sex: String = row.try_get("sex")?;
    if sex.is_empty() {
        return Ok(None);
    }
    Sex::parse(&sex).map(Some).ok_or_else(|| StoreError::Corrupt(format!("stored sex '{sex}'")))
}

impl Db {
    /// The latest activity date with a final record at each location, up to `until`
    /// (YYYY-MM-DD), any form, from the sums rather than the records. Scanning every day's
    /// sums of every year read 0.7 s on a million records; instead: the days of `until`'s
    /// month, then for the other locations their latest earlier month, and only that
    /// month's days.
    pub async fn last_activity_dates(&self, until: &str) -> Result<Vec<(Location, String)>, StoreError> {
        let day = NaiveDate::parse_from_str(until, "%Y-%m-%d")
            .map_err(|_| StoreError::Invalid(format!("'{until}' is not a date")))?;
        let month = day.format("%Y-%m").to_string();
        let month_before = (day.with_day(1).and_then(|d| d.pred_opt()).unwrap_or(day)).format("%Y-%m").to_string();
        let first_day = format!("{month}-01");
        let (days, months) = tokio::try_join!(
            self.latest_bucket("d", &first_day, until),
            self.latest_bucket("m", "0000", &month_before)
        )?;
        let mut last: BTreeMap<(String, String), String> = days.into_iter().collect();
        let mut earlier: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for (location, month) in months {
            if !last.contains_key(&location) {
                earlier.entry(month).or_default().push(location);
            }
        }
        for (month, locations) in earlier {
            let days: BTreeMap<_, _> =
                self.latest_bucket("d", &format!("{month}-01"), &format!("{month}-31")).await?.into_iter().collect();
            for location in locations {
                if let Some(day) = days.get(&location) {
                    last.insert(location, day.clone());
                }
            }
        }
        Ok(last.into_iter().map(|((unit_list, unit_code), day)| (Location { unit_list, unit_code }, day)).collect())
    }

    /// Per location, the latest bucket of `grain` from `from` to `to` (inclusive) with an
    /// activity.
    async fn latest_bucket(
        &self,
        grain: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<((String, String), String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT unit_list, unit_code, MAX(period) AS last FROM report_totals \
             WHERE grain = $1 AND period >= $2 AND period <= $3 AND period <> '' AND field = '' AND entries > 0 \
             GROUP BY unit_list, unit_code",
        )
        .bind(grain)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(((r.try_get("unit_list")?, r.try_get("unit_code")?), r.try_get("last")?))).collect()
    }

    /// The sums kept at write time ([`super::totals`]) for the records `filter` selects, at
    /// the finest grain: by form, location, field, ethnicity, group and sex, plus one row
    /// per form and location for the activities (`field` empty). The period is read as the
    /// fewest calendar buckets that cover it, a year less the rest of it where that is fewer
    /// ([`signed_buckets`]), each one range of the table's key, added up in one `GROUP BY`.
    pub async fn report_totals(&self, filter: &RecordFilter) -> Result<Vec<TotalRow>, StoreError> {
        self.totals_grouped(filter, KEY).await
    }

    /// As [`Db::report_totals`], without the ethnicity and group (both `""`): the people of
    /// each sex by form, location and field, and the activities. Grouping by the whole key
    /// is what costs (a year of a million records has 75,000 keys, 5,000 without these two).
    pub async fn report_totals_by_sex(&self, filter: &RecordFilter) -> Result<Vec<TotalRow>, StoreError> {
        self.totals_grouped(filter, "form_id, unit_list, unit_code, field, sex").await
    }

    async fn totals_grouped(&self, filter: &RecordFilter, key: &str) -> Result<Vec<TotalRow>, StoreError> {
        // A key whose records all moved away or were deleted keeps a row of zeros: left out.
        let columns = if key == KEY { KEY.to_owned() } else { format!("{key}, '' AS ethnicity, '' AS grp") };
        self.read_sums(filter, "report_totals", &columns, key)
            .await?
            .iter()
            .map(|row| {
                Ok(TotalRow {
                    sex: optional_sex(row)?,
                    form_id: row.try_get("form_id")?,
                    location: Location { unit_list: row.try_get("unit_list")?, unit_code: row.try_get("unit_code")? },
                    field: row.try_get("field")?,
                    ethnicity: row.try_get("ethnicity")?,
                    group: row.try_get("grp")?,
                    total: row.try_get("total")?,
                })
            })
            .collect()
    }

    /// The sums by organising agency ([`super::totals::AGENCY_KEY`]) of the records `filter`
    /// selects that name one: by agency, form, field, sex and Kinh or not, every location
    /// in scope added up; `sex` `None` and `field` empty for the activities.
    pub async fn agency_totals(&self, filter: &RecordFilter) -> Result<Vec<AgencyTotal>, StoreError> {
        let key = "agency, form_id, field, sex, ethnic";
        self.read_sums(filter, "report_agency_totals", key, key)
            .await?
            .iter()
            .map(|row| {
                Ok(AgencyTotal {
                    agency: row.try_get("agency")?,
                    form_id: row.try_get("form_id")?,
                    field: row.try_get("field")?,
                    sex: optional_sex(row)?,
                    minority: row.try_get::<String, _>("ethnic")? == "minority",
                    total: row.try_get("total")?,
                })
            })
            .collect()
    }

    /// Reads `columns` and the summed total of `table`'s sums for `filter`, grouped by
    /// `key`, leaving out sums left at zero.
    async fn read_sums(
        &self,
        filter: &RecordFilter,
        table: &str,
        columns: &str,
        key: &str,
    ) -> Result<Vec<AnyRow>, StoreError> {
        if filter.selects_nothing() {
            return Ok(Vec::new());
        }
        let mut params = Vec::new();
        // Buckets read whole, and those taken away from a year read whole (`signed_buckets`).
        let counting = if filter.approved_only { Counting::Approved } else { Counting::Final };
        let (periods, minus) = match filter.period {
            // Every year, and the undated records.
            None => (format!("grain = '{}'", counting.grain("y")), None),
            Some((from, to)) => {
                let mut adds: BTreeMap<&str, Vec<String>> = BTreeMap::new();
                let mut subs: BTreeMap<&str, Vec<String>> = BTreeMap::new();
                for (grain, period, add) in signed_buckets(from, to) {
                    if add { &mut adds } else { &mut subs }.entry(grain).or_default().push(period);
                }
                if adds.is_empty() {
                    return Ok(Vec::new());
                }
                let mut terms = |by_grain: BTreeMap<&str, Vec<String>>| -> Vec<String> {
                    by_grain
                        .into_iter()
                        .map(|(grain, periods)| {
                            let list: Vec<String> = periods.into_iter().map(|p| bind(&mut params, p)).collect();
                            format!("(grain = '{}' AND period IN ({}))", counting.grain(grain), list.join(", "))
                        })
                        .collect()
                };
                let (adds, subs) = (terms(adds), terms(subs));
                let minus = (!subs.is_empty()).then(|| format!("({})", subs.join(" OR ")));
                (format!("({})", adds.into_iter().chain(subs).collect::<Vec<_>>().join(" OR ")), minus)
            }
        };
        let scope = filter.scope_terms("", &mut params);
        let signed = |column: &str| match &minus {
            Some(minus) => format!("CASE WHEN {minus} THEN -{column} ELSE {column} END"),
            None => column.to_owned(),
        };
        // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back so both drivers read an i64.
        let sql = format!(
            "SELECT {columns}, CAST(SUM({}) AS BIGINT) AS total FROM {table} WHERE {periods}{scope} \
             GROUP BY {key} HAVING SUM({}) > 0",
            signed("total"),
            signed("entries")
        );
        let mut query = sqlx::query(&sql);
        for p in &params {
            query = query.bind(p.as_str());
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// The sums of each month of `year` for the records `filter` selects (its period
    /// aside), coarser than [`Db::report_totals`]: by form, field, sex and whether the
    /// ethnic group is `kinh`, which is all a trend shows (report figures aside). Twelve buckets in one range of
    /// the key, grouped down to a few hundred rows in SQL.
    pub async fn report_months(
        &self,
        filter: &RecordFilter,
        year: i32,
        kinh: &str,
    ) -> Result<Vec<MonthTotal>, StoreError> {
        if filter.selects_nothing() {
            return Ok(Vec::new());
        }
        let mut params = vec![kinh.to_owned(), format!("{year:04}-01"), format!("{year:04}-12")];
        let scope = filter.scope_terms("", &mut params);
        let sql = format!(
            "SELECT period, form_id, field, sex, CAST(CASE WHEN ethnicity = $1 THEN 1 ELSE 0 END AS BIGINT) AS kinh, \
             CAST(SUM(total) AS BIGINT) AS total FROM report_totals \
             WHERE grain = 'm' AND period >= $2 AND period <= $3{scope} \
             GROUP BY 1, 2, 3, 4, 5 HAVING SUM(entries) > 0"
        );
        let mut query = sqlx::query(&sql);
        for p in &params {
            query = query.bind(p.as_str());
        }
        let mut months = Vec::new();
        for row in query.fetch_all(&self.pool).await? {
            let (field, sex): (String, _) = (row.try_get("field")?, optional_sex(&row)?);
            // A report figure's sums (a few dozen rows once grouped): no part of a trend.
            if sex.is_none() && !field.is_empty() {
                continue;
            }
            let period: String = row.try_get("period")?;
            let month = period.get(5..7).and_then(|m| m.parse().ok()).filter(|m| (1..=12).contains(m));
            months.push(MonthTotal {
                month: month.ok_or_else(|| StoreError::Corrupt(format!("month '{period}' in the report tables")))?,
                sex,
                form_id: row.try_get("form_id")?,
                field,
                kinh: row.try_get::<i64, _>("kinh")? == 1,
                total: row.try_get("total")?,
            });
        }
        Ok(months)
    }

    /// Every distinct grid cell the selected records hold: the cell columns of a raw export
    /// (report figures are answers, exported as such).
    pub async fn cell_keys(&self, filter: &RecordFilter) -> Result<Vec<CellKey>, StoreError> {
        if filter.selects_nothing() {
            return Ok(Vec::new());
        }
        let (clause, params) = filter.clause();
        let sql = format!(
            "SELECT DISTINCT c.field, c.ethnicity, c.sex, c.grp FROM record_cells c \
             JOIN records r ON r.id = c.record_id WHERE c.sex <> '' AND {clause}"
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
