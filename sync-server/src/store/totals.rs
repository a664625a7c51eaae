//! Report sums kept at write time (`migrations/*/0003_report_totals.sql`): per year, month,
//! half-month and day of activity date, form and location, the grid cells and the records
//! that count in reports (final, not deleted).
//!
//! A push, in its own transaction and under the lock on the `seq` counter that every writer
//! takes, first subtracts what the stored records it rewrites counted — one statement that
//! sums them from `records` and `record_cells` — then adds what its records count, summed
//! in memory from what it holds ([`add_counted`]: the hot path, so no join). The same
//! statement rebuilds every sum from scratch. The sums never disagree with the records:
//! `tests/api/totals.rs` checks sums kept through pushes, corrections and deletions against
//! a rebuild, on both databases.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use sqlx::{Any, AnyConnection, Row, Transaction};

use crate::db::Backend;

use super::{Db, StoreError};

/// The bucket of a record (`r`) in each grain (`g.base`: an approved grain's is its lower
/// case); `''` when it has no activity date.
const PERIOD_OF: &str = "CASE WHEN r.activity_date IS NULL THEN '' \
     WHEN g.base = 'y' THEN SUBSTR(r.activity_date, 1, 4) \
     WHEN g.base = 'm' THEN SUBSTR(r.activity_date, 1, 7) \
     WHEN g.base = 'h' THEN SUBSTR(r.activity_date, 1, 7) || CASE WHEN SUBSTR(r.activity_date, 9, 2) < '15' THEN '-1' ELSE '-2' END \
     ELSE r.activity_date END";

/// Every column of a sum's key but the period.
pub const KEY: &str = "form_id, unit_list, unit_code, field, ethnicity, grp, sex";

/// Records per subtracting statement (each id is bound once and used twice).
const CHUNK: usize = 500;

/// Which records a sum counts. The approved records' sums are kept beside the others
/// under the same buckets with the grain in upper case (`Y`, `M`, `H`, `D`), so a report
/// limited to approved records reads them the same way. A record enters them when it is
/// approved and leaves when it is reopened or rewritten (`store::review`): never on the
/// push path of a new record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counting {
    Final,
    Approved,
}

impl Counting {
    /// The grain under which these sums are kept, for a base grain (`y`, `m`, `h`, `d`).
    pub(crate) fn grain(self, base: &str) -> String {
        match self {
            Counting::Final => base.to_owned(),
            Counting::Approved => base.to_uppercase(),
        }
    }
}

/// The statement that sums records from `records` and `record_cells` in every grain and
/// adds the sums (`sign` 1) or takes them out (`sign` -1): of the `ids` records bound as
/// `$1`…`$ids`, or of every record when `ids` is 0; the approved ones only with
/// `Counting::Approved`.
fn sum_statement(ids: usize, sign: i64, counting: Counting) -> String {
    let (cells_where, records_where) = if ids == 0 {
        (String::new(), String::new())
    } else {
        let list = (1..=ids).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        (format!("WHERE record_id IN ({list})"), format!("WHERE id IN ({list})"))
    };
    let grains = ["y", "m", "h", "d"]
        .map(|base| format!("SELECT '{}' AS grain, '{base}' AS base", counting.grain(base)))
        .join(" UNION ALL ");
    let approved = if counting == Counting::Approved { " AND r.review_state = 'approved'" } else { "" };
    // Grouped first: an upsert may touch each key once per statement (PostgreSQL).
    format!(
        "INSERT INTO report_totals (grain, period, {KEY}, entries, total) \
         SELECT g.grain, {PERIOD_OF} AS p, r.form_id, r.unit_list, r.unit_code, x.field, x.ethnicity, x.grp, x.sex, \
                {sign} * SUM(x.entries), {sign} * SUM(x.total) \
         FROM records r JOIN ( \
             SELECT record_id, field, ethnicity, grp, sex, 1 AS entries, count AS total \
             FROM record_cells {cells_where} \
             UNION ALL \
             SELECT id AS record_id, '' AS field, '' AS ethnicity, '' AS grp, '' AS sex, 1 AS entries, 1 AS total \
             FROM records {records_where} \
         ) x ON x.record_id = r.id \
         CROSS JOIN ({grains}) g \
         WHERE r.status = 'final' AND r.deleted = 0{approved} \
         GROUP BY g.grain, 2, r.form_id, r.unit_list, r.unit_code, x.field, x.ethnicity, x.grp, x.sex \
         ON CONFLICT (grain, period, {KEY}) DO UPDATE SET \
             entries = report_totals.entries + excluded.entries, total = report_totals.total + excluded.total"
    )
}

/// Adds (`sign` 1) or takes out (-1) what records `ids` count in `counting`'s sums.
pub(crate) async fn sum_records(
    conn: &mut AnyConnection,
    ids: &[String],
    sign: i64,
    counting: Counting,
) -> Result<(), StoreError> {
    for chunk in ids.chunks(CHUNK) {
        let sql = sum_statement(chunk.len(), sign, counting);
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Before a push rewrites records `ids` (stored before it): takes out what they counted.
/// (The approved among them leave the approved records' sums too: `Batch::flush`.)
pub(crate) async fn subtract_records(conn: &mut AnyConnection, ids: &[String]) -> Result<(), StoreError> {
    sum_records(conn, ids, -1, Counting::Final).await
}

/// A sum's key but the period: form, unit list, unit code, field, ethnicity, group, sex.
type SumKey<'a> = [&'a str; 7];
/// A grain and a period of it, e.g. `("m", "2026-11")`.
type Bucket = (&'static str, String);
/// Entries and total.
type Sum = (i64, i64);

/// One record's contribution, as a push holds it in memory.
pub(crate) struct Counted<'a> {
    pub form_id: &'a str,
    pub unit_list: &'a str,
    pub unit_code: &'a str,
    pub activity_date: Option<&'a str>,
    /// Its grid cells: field, ethnicity, group, sex, count.
    pub cells: Vec<(&'a str, &'a str, &'a str, &'a str, i64)>,
}

/// After a push wrote its records: adds what the final, non-deleted ones among them count,
/// summed here from what the push holds (the same buckets as [`PERIOD_OF`]) and written with
/// multi-row upserts, one row per key: the push path's cost, so not left to a join.
pub(crate) async fn add_counted<'a>(
    conn: &mut AnyConnection,
    backend: Backend,
    records: &[Counted<'a>],
) -> Result<(), StoreError> {
    let mut sums: HashMap<SumKey<'a>, HashMap<Bucket, Sum>> = HashMap::new();
    for r in records {
        let periods = periods_of(r.activity_date);
        let mut add = |key: SumKey<'a>, total: i64| {
            let by_period = sums.entry(key).or_default();
            for period in &periods {
                let sum = by_period.entry(period.clone()).or_default();
                sum.0 += 1;
                sum.1 += total;
            }
        };
        add([r.form_id, r.unit_list, r.unit_code, "", "", "", ""], 1);
        for &(field, ethnicity, group, sex, count) in &r.cells {
            add([r.form_id, r.unit_list, r.unit_code, field, ethnicity, group, sex], count);
        }
    }
    let rows: Vec<(&Bucket, &SumKey, &Sum)> =
        sums.iter().flat_map(|(key, by_period)| by_period.iter().map(move |(p, sum)| (p, key, sum))).collect();
    const WIDTH: usize = 11;
    for chunk in rows.chunks(30_000 / WIDTH) {
        let sql = format!(
            "INSERT INTO report_totals (grain, period, {KEY}, entries, total) VALUES {} \
             ON CONFLICT (grain, period, {KEY}) DO UPDATE SET \
                 entries = report_totals.entries + excluded.entries, total = report_totals.total + excluded.total",
            backend.tuples(chunk.len(), WIDTH)
        );
        let mut query = sqlx::query(&sql);
        for ((grain, period), key, (entries, total)) in chunk {
            query = query.bind(*grain).bind(period.as_str());
            for part in key.iter() {
                query = query.bind(*part);
            }
            query = query.bind(*entries).bind(*total);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The bucket of an activity date in each grain, as [`PERIOD_OF`] computes it in SQL.
fn periods_of(activity_date: Option<&str>) -> [(&'static str, String); 4] {
    let Some(d) = activity_date.filter(|d| d.len() == 10) else {
        return ["y", "m", "h", "d"].map(|g| (g, String::new()));
    };
    let half = if &d[8..10] < "15" { "-1" } else { "-2" };
    [("y", d[..4].to_owned()), ("m", d[..7].to_owned()), ("h", format!("{}{half}", &d[..7])), ("d", d.to_owned())]
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
        // The writers' lock first, so that of two servers starting together only one
        // rebuilds: the other reads the flag after the first committed.
        super::lock_writers(&mut tx).await?;
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

pub(super) async fn rebuild(tx: &mut Transaction<'static, Any>) -> Result<(), StoreError> {
    super::lock_writers(tx).await?;
    sqlx::query("DELETE FROM report_totals").execute(&mut **tx).await?;
    sqlx::query(&sum_statement(0, 1, Counting::Final)).execute(&mut **tx).await?;
    sqlx::query(&sum_statement(0, 1, Counting::Approved)).execute(&mut **tx).await?;
    sqlx::query("UPDATE counters SET value = 1 WHERE name = 'report_totals_built'").execute(&mut **tx).await?;
    Ok(())
}

/// The fewest buckets that cover a period exactly, as (grain, period) pairs, from its first
/// day on: a whole year where one fits, else a whole month, else a whole half-month, else a
/// day. A year is one bucket, a quarter three, the Action Month (15/11–15/12) three.
pub fn buckets(from: NaiveDate, to: NaiveDate) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        let (y, m, d) = (day.year(), day.month(), day.day());
        let month_end = first_of_next_month(day).and_then(|n| n.pred_opt()).unwrap_or(day);
        let year_end = NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(day);
        let (grain, period, last) = if m == 1 && d == 1 && year_end <= to {
            ("y", format!("{y:04}"), year_end)
        } else if d == 1 && month_end <= to {
            ("m", format!("{y:04}-{m:02}"), month_end)
        } else if d == 1 && day.with_day(14).is_some_and(|e| e <= to) {
            ("h", format!("{y:04}-{m:02}-1"), day.with_day(14).unwrap_or(day))
        } else if d == 15 && month_end <= to {
            ("h", format!("{y:04}-{m:02}-2"), month_end)
        } else {
            ("d", forms::dates::iso_date(day), day)
        };
        out.push((grain, period));
        match last.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

/// The buckets a report reads for a period, each to be added (`true`) or taken away
/// (`false`). Per calendar year the period touches: the fewest [`buckets`] that cover its
/// part of that year, or, where that is fewer, the whole year less the buckets of the rest
/// of it. The count of buckets decides, as an estimate of the rows read: a month holds a
/// quarter of a year's keys on the generated million records (19,000 against 75,000), so
/// the reporting year up to 30/11, the year less December, reads 94,000 rows where its
/// eleven months read 210,000.
pub fn signed_buckets(from: NaiveDate, to: NaiveDate) -> Vec<(&'static str, String, bool)> {
    let mut out = Vec::new();
    if from > to {
        return out;
    }
    for year in from.year()..=to.year() {
        let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31))
        else {
            continue;
        };
        let (start, end) = (from.max(first), to.min(last));
        let plain = buckets(start, end);
        let before = start.pred_opt().map_or_else(Vec::new, |d| buckets(first, d));
        let after = end.succ_opt().map_or_else(Vec::new, |d| buckets(d, last));
        if 1 + before.len() + after.len() < plain.len() {
            out.push(("y", format!("{year:04}"), true));
            out.extend(before.into_iter().chain(after).map(|(grain, period)| (grain, period, false)));
        } else {
            out.extend(plain.into_iter().map(|(grain, period)| (grain, period, true)));
        }
    }
    out
}

fn first_of_next_month(d: NaiveDate) -> Option<NaiveDate> {
    let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_covered_by_the_fewest_buckets() {
        #[rustfmt::skip]
        let cases: [(&str, &str, &str); 12] = [
            ("2026-01-01", "2026-12-31", "y2026"),
            ("2026-10-01", "2026-12-31", "m2026-10 m2026-11 m2026-12"),
            ("2028-02-01", "2028-02-29", "m2028-02"),
            ("2028-02-15", "2028-02-29", "h2028-02-2"),
            ("2028-02-01", "2028-02-28", "h2028-02-1 d2028-02-15 d2028-02-16 d2028-02-17 d2028-02-18 d2028-02-19 d2028-02-20 d2028-02-21 d2028-02-22 d2028-02-23 d2028-02-24 d2028-02-25 d2028-02-26 d2028-02-27 d2028-02-28"),
            // The Action Month.
            ("2026-11-15", "2026-12-15", "h2026-11-2 h2026-12-1 d2026-12-15"),
            ("2025-12-30", "2027-01-02", "d2025-12-30 d2025-12-31 y2026 d2027-01-01 d2027-01-02"),
            ("2026-01-15", "2026-03-14", "h2026-01-2 m2026-02 h2026-03-1"),
            ("2026-03-05", "2026-03-07", "d2026-03-05 d2026-03-06 d2026-03-07"),
            ("2026-01-31", "2026-02-01", "d2026-01-31 d2026-02-01"),
            ("2026-05-31", "2026-05-31", "d2026-05-31"),
            ("2026-05-02", "2026-05-01", ""),
        ];
        for (from, to, want) in cases {
            let got: Vec<String> = buckets(from.parse().unwrap(), to.parse().unwrap())
                .into_iter()
                .map(|(grain, period)| format!("{grain}{period}"))
                .collect();
            assert_eq!(got.join(" "), want, "{from}..{to}");
        }
    }

    #[test]
    fn a_year_less_its_rest_is_read_where_that_is_fewer() {
        #[rustfmt::skip]
        let cases: [(&str, &str, &str); 6] = [
            ("2026-01-01", "2026-11-30", "+y2026 -m2026-12"),
            ("2026-01-01", "2026-12-14", "+y2026 -h2026-12-2"),
            ("2026-02-01", "2026-12-31", "+y2026 -m2026-01"),
            ("2026-11-15", "2026-12-15", "+h2026-11-2 +h2026-12-1 +d2026-12-15"),
            ("2026-10-01", "2026-12-31", "+m2026-10 +m2026-11 +m2026-12"),
            ("2025-12-31", "2026-11-30", "+d2025-12-31 +y2026 -m2026-12"),
        ];
        for (from, to, want) in cases {
            let got: Vec<String> = signed_buckets(from.parse().unwrap(), to.parse().unwrap())
                .into_iter()
                .map(|(grain, period, add)| format!("{}{grain}{period}", if add { '+' } else { '-' }))
                .collect();
            assert_eq!(got.join(" "), want, "{from}..{to}");
        }
    }

    /// The days of a bucket.
    fn days_of(grain: &str, period: &str) -> Vec<NaiveDate> {
        let first: NaiveDate = match grain {
            "y" => format!("{period}-01-01"),
            "m" => format!("{period}-01"),
            "h" if period.ends_with("-1") => format!("{}-01", &period[..7]),
            "h" => format!("{}-15", &period[..7]),
            _ => period.to_owned(),
        }
        .parse()
        .unwrap();
        first
            .iter_days()
            .take_while(|day| match grain {
                "y" => day.year() == first.year(),
                "m" => day.month() == first.month() && day.year() == first.year(),
                "h" => day.month() == first.month() && (day.day() < 15) == (first.day() == 1),
                _ => *day == first,
            })
            .collect()
    }

    #[test]
    fn signed_buckets_count_every_day_of_the_period_once_and_no_other() {
        let start: NaiveDate = "2027-12-20".parse().unwrap();
        for a in (0..400).step_by(3) {
            for b in (a..800).step_by(11) {
                let (from, to) = (start + chrono::Duration::days(a), start + chrono::Duration::days(b));
                let mut net: std::collections::BTreeMap<NaiveDate, i32> = Default::default();
                for (grain, period, add) in signed_buckets(from, to) {
                    for day in days_of(grain, &period) {
                        *net.entry(day).or_default() += if add { 1 } else { -1 };
                    }
                }
                net.retain(|_, n| *n != 0);
                let want: std::collections::BTreeMap<NaiveDate, i32> =
                    from.iter_days().take_while(|d| *d <= to).map(|d| (d, 1)).collect();
                assert_eq!(net, want, "{from}..{to}");
                let plain = buckets(from, to).len();
                assert!(signed_buckets(from, to).len() <= plain, "{from}..{to}: never more buckets");
            }
        }
    }

    #[test]
    fn buckets_cover_every_day_once() {
        // Every range within two years around a leap day, checked day by day.
        let start: NaiveDate = "2027-12-20".parse().unwrap();
        for a in 0..90 {
            for b in (a..500).step_by(7) {
                let (from, to) = (start + chrono::Duration::days(a), start + chrono::Duration::days(b));
                let mut covered = Vec::new();
                for (grain, period) in buckets(from, to) {
                    let first: NaiveDate = match grain {
                        "y" => format!("{period}-01-01"),
                        "m" => format!("{period}-01"),
                        "h" if period.ends_with("-1") => format!("{}-01", &period[..7]),
                        "h" => format!("{}-15", &period[..7]),
                        _ => period.clone(),
                    }
                    .parse()
                    .unwrap();
                    let mut day = first;
                    loop {
                        let inside = match grain {
                            "y" => day.year() == first.year(),
                            "m" => day.month() == first.month() && day.year() == first.year(),
                            "h" => day.month() == first.month() && (day.day() < 15) == (first.day() == 1),
                            _ => day == first,
                        };
                        if !inside {
                            break;
                        }
                        covered.push(day);
                        day = day.succ_opt().unwrap();
                    }
                }
                let want: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
                assert_eq!(covered, want, "{from}..{to}");
            }
        }
    }
}
