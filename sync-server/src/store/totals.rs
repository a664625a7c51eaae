//! Report sums kept at write time (`migrations/*/0003_report_totals.sql`): per month and per
//! day of activity date, form and location, the grid cells and the records that count in
//! reports (final, not deleted).
//!
//! One statement both builds and maintains them: it sums a set of records — the ones a push
//! writes, or all of them — from `records` and `record_cells` and adds the sums (or
//! subtracts them) with an upsert. A push subtracts what its records counted before it
//! rewrites them and adds what they count after, in its own transaction, under the lock on
//! the `seq` counter that every writer takes: the sums never disagree with the records.
//! `tests/api/reports.rs` checks that sums kept through pushes, corrections and deletions
//! equal sums rebuilt from scratch, on both databases.

use chrono::{Datelike, NaiveDate};
use sqlx::{Any, AnyConnection, Row, Transaction};

use super::{Db, StoreError};

/// The two tables: name, period column, and the period of a record (`r`) in it.
const TABLES: [(&str, &str, &str); 2] = [
    ("totals_by_month", "month", "COALESCE(SUBSTR(r.activity_date, 1, 7), '')"),
    ("totals_by_day", "day", "COALESCE(r.activity_date, '')"),
];

/// Every column of a sum's key but the period.
pub const KEY: &str = "form_id, unit_list, unit_code, field, ethnicity, grp, sex";

/// Records per statement (each id is bound once and used twice).
const CHUNK: usize = 500;

/// Adds (`sign` 1) or subtracts (`sign` -1) to both tables what the records `ids` count now;
/// `None` sums every record.
async fn add(conn: &mut AnyConnection, ids: Option<&[String]>, sign: i64) -> Result<(), StoreError> {
    let chunks: Vec<&[String]> = match ids {
        Some(ids) => ids.chunks(CHUNK).collect(),
        None => vec![&[]],
    };
    for chunk in chunks {
        if ids.is_some() && chunk.is_empty() {
            continue;
        }
        let (cells_where, records_where) = if ids.is_some() {
            let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let list = list.join(", ");
            (format!("WHERE record_id IN ({list})"), format!("WHERE id IN ({list})"))
        } else {
            (String::new(), String::new())
        };
        for (table, period, period_of) in TABLES {
            // Grouped first: an upsert may touch each key once per statement (PostgreSQL).
            let sql = format!(
                "INSERT INTO {table} ({period}, {KEY}, entries, total) \
                 SELECT {period_of} AS p, r.form_id, r.unit_list, r.unit_code, x.field, x.ethnicity, x.grp, x.sex, \
                        {sign} * SUM(x.entries), {sign} * SUM(x.total) \
                 FROM records r JOIN ( \
                     SELECT record_id, field, ethnicity, grp, sex, 1 AS entries, count AS total \
                     FROM record_cells {cells_where} \
                     UNION ALL \
                     SELECT id AS record_id, '' AS field, '' AS ethnicity, '' AS grp, '' AS sex, 1 AS entries, 1 AS total \
                     FROM records {records_where} \
                 ) x ON x.record_id = r.id \
                 WHERE r.status = 'final' AND r.deleted = 0 \
                 GROUP BY 1, r.form_id, r.unit_list, r.unit_code, x.field, x.ethnicity, x.grp, x.sex \
                 ON CONFLICT ({period}, {KEY}) DO UPDATE SET \
                     entries = {table}.entries + excluded.entries, total = {table}.total + excluded.total"
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.as_str());
            }
            query.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// Before a push rewrites records `ids` (stored before it): takes out what they counted.
pub(crate) async fn subtract_records(conn: &mut AnyConnection, ids: &[String]) -> Result<(), StoreError> {
    add(conn, Some(ids), -1).await
}

/// After a push wrote records `ids` and their cells: adds what they count now.
pub(crate) async fn add_records(conn: &mut AnyConnection, ids: &[String]) -> Result<(), StoreError> {
    add(conn, Some(ids), 1).await
}

impl Db {
    /// Sums every stored record again, from nothing, in one transaction that holds the
    /// writers' lock. For records written around the push path (a migration from before
    /// the sums, the benchmark's bulk load) and for tests.
    pub async fn rebuild_report_totals(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        rebuild(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// At start: sums the records stored before the sums existed, once.
    pub(crate) async fn ensure_report_totals(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        // Under the lock, so that of two servers starting together only one rebuilds.
        let built: i64 = sqlx::query("SELECT value FROM counters WHERE name = 'report_totals_built'")
            .fetch_one(&mut *tx)
            .await?
            .try_get("value")?;
        if built == 0 {
            tracing::info!("summing stored records for reports (once, after an upgrade)");
            rebuild(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

async fn rebuild(tx: &mut Transaction<'static, Any>) -> Result<(), StoreError> {
    sqlx::query("UPDATE counters SET value = value WHERE name = 'seq'").execute(&mut **tx).await?;
    for (table, ..) in TABLES {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&mut **tx).await?;
    }
    add(tx, None, 1).await?;
    sqlx::query("UPDATE counters SET value = 1 WHERE name = 'report_totals_built'").execute(&mut **tx).await?;
    Ok(())
}

/// How a period is read: whole months from `totals_by_month`, the rest day by day from
/// `totals_by_day`. Bounds are inclusive, as ISO text (`YYYY-MM`, `YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeriodParts {
    pub months: Option<(String, String)>,
    pub days: Vec<(String, String)>,
}

impl PeriodParts {
    pub fn of(from: NaiveDate, to: NaiveDate) -> PeriodParts {
        let month = |d: NaiveDate| format!("{:04}-{:02}", d.year(), d.month());
        let day = forms::dates::iso_date;
        if from > to {
            return PeriodParts::default();
        }
        // The first day of the first whole month, and the last day of the last one.
        let first = if from.day() == 1 { Some(from) } else { first_of_next_month(from) };
        let last = if first_of_next_month(to).and_then(|d| d.pred_opt()) == Some(to) {
            Some(to)
        } else {
            to.with_day(1).and_then(|d| d.pred_opt())
        };
        match (first, last) {
            (Some(first), Some(last)) if first <= last => {
                let mut days = Vec::new();
                if from < first {
                    days.push((day(from), day(first.pred_opt().unwrap_or(first))));
                }
                if to > last {
                    days.push((day(last.succ_opt().unwrap_or(last)), day(to)));
                }
                PeriodParts { months: Some((month(first), month(last))), days }
            }
            _ => PeriodParts { months: None, days: vec![(day(from), day(to))] },
        }
    }
}

fn first_of_next_month(d: NaiveDate) -> Option<NaiveDate> {
    let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_split_into_whole_months_and_days() {
        #[rustfmt::skip]
        let cases: [(&str, &str, Option<(&str, &str)>, &[(&str, &str)]); 13] = [
            ("2026-01-01", "2026-12-31", Some(("2026-01", "2026-12")), &[]),
            ("2026-02-01", "2026-02-28", Some(("2026-02", "2026-02")), &[]),
            ("2028-02-01", "2028-02-29", Some(("2028-02", "2028-02")), &[]),
            ("2028-02-01", "2028-02-28", None, &[("2028-02-01", "2028-02-28")]),
            // The Action Month: two partial months.
            ("2026-11-15", "2026-12-15", None, &[("2026-11-15", "2026-12-15")]),
            ("2026-01-10", "2026-03-20", Some(("2026-02", "2026-02")), &[("2026-01-10", "2026-01-31"), ("2026-03-01", "2026-03-20")]),
            ("2025-12-20", "2027-01-05", Some(("2026-01", "2026-12")), &[("2025-12-20", "2025-12-31"), ("2027-01-01", "2027-01-05")]),
            ("2026-03-05", "2026-03-09", None, &[("2026-03-05", "2026-03-09")]),
            ("2026-01-31", "2026-02-01", None, &[("2026-01-31", "2026-02-01")]),
            ("2026-04-01", "2026-05-10", Some(("2026-04", "2026-04")), &[("2026-05-01", "2026-05-10")]),
            ("2026-04-10", "2026-05-31", Some(("2026-05", "2026-05")), &[("2026-04-10", "2026-04-30")]),
            ("2026-05-31", "2026-05-31", None, &[("2026-05-31", "2026-05-31")]),
            ("2026-05-02", "2026-05-01", None, &[]),
        ];
        let owned = |(a, b): (&str, &str)| (a.to_owned(), b.to_owned());
        for (from, to, months, days) in cases {
            let want = PeriodParts { months: months.map(owned), days: days.iter().copied().map(owned).collect() };
            assert_eq!(PeriodParts::of(from.parse().unwrap(), to.parse().unwrap()), want, "{from}..{to}");
        }
    }
}
