//! Report sums kept at write time (`migrations/*/0003_report_totals.sql`): per year, month,
//! half-month and day of activity date, form and location, the grid cells and the records
//! that count in reports (final, not deleted).
//!
//! A push, in its own transaction and under the lock on the `seq` counter that every writer
//! takes, adds what its records count and takes out what the stored records it rewrites
//! counted (their cells read in one query, [`stored_cells`]), summed in memory from what
//! it holds ([`add_counted`]: the hot path, so no join). One statement sums records from
//! `records` and `record_cells` ([`sum_records`]): for reviews, which move a record into
//! and out of the approved records' sums, and to rebuild every sum from scratch. The sums never disagree with the records:
//! `tests/api/totals.rs` checks sums kept through pushes, corrections and deletions against
//! a rebuild, on both databases.
//!
//! Beside them, narrower, the sums by organising agency (`report_agency_totals`): the
//! records whose form names one, by agency, form and location, their people by sex and
//! Kinh or not. A separate table, so the grid's sums keep their size (a commune's records
//! are organised by several agencies) and a push writes a few more rows, not more per row.

use std::collections::HashMap;

use sqlx::{Any, AnyConnection, Row, Transaction};

use forms::grid::KINH;
use forms::{Record, RecordStatus};

use crate::db::Backend;

use super::{Db, StoreError};

/// The bucket of a record (`r`) in each grain (`g.base`: an approved grain's is its lower
/// case); `''` when it has no activity date.
const PERIOD_OF: &str = "CASE WHEN r.activity_date IS NULL THEN '' \
     WHEN g.base = 'y' THEN SUBSTR(r.activity_date, 1, 4) \
     WHEN g.base = 'm' THEN SUBSTR(r.activity_date, 1, 7) \
     WHEN g.base = 'h' THEN SUBSTR(r.activity_date, 1, 7) || CASE WHEN SUBSTR(r.activity_date, 9, 2) < '15' THEN '-1' ELSE '-2' END \
     ELSE r.activity_date END";

/// Every column of a sum's key but the grain and the period.
pub const KEY: &str = "form_id, unit_list, unit_code, field, ethnicity, grp, sex";

/// Every column of an agency sum's key but the grain and the period
/// (`migrations/*/0014_report_agency.sql`): `ethnic` is `kinh` or `minority`, and with
/// `field` and `sex` `''` for the activity itself.
pub const AGENCY_KEY: &str = "agency, form_id, unit_list, unit_code, field, sex, ethnic";

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

/// The tables of sums: by grid cell ([`KEY`]), and by organising agency ([`AGENCY_KEY`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Cells,
    Agencies,
}

impl Table {
    const ALL: [Table; 2] = [Table::Cells, Table::Agencies];

    fn name(self) -> &'static str {
        match self {
            Table::Cells => "report_totals",
            Table::Agencies => "report_agency_totals",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Table::Cells => KEY,
            Table::Agencies => AGENCY_KEY,
        }
    }
}

/// The organising agency of a record in `records` (its `organiser` answer), `''` where its
/// form names none. Read from the stored answers only when sums are made from `records` (a
/// rebuild, a correction, a review): a push takes it from the record it holds.
fn agency_of(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "COALESCE(CAST(json_extract(answers, '$.organiser') AS TEXT), '')",
        Backend::Postgres => "COALESCE(CAST(answers AS jsonb) ->> 'organiser', '')",
    }
}

/// Whether a grid cell's people are Kinh or of an ethnic minority, as the agency sums keep it.
fn ethnic_of(ethnicity: &str) -> &'static str {
    if ethnicity == KINH {
        "kinh"
    } else {
        "minority"
    }
}

/// The statement that sums records from `records` and `record_cells` into `table` in every
/// grain and adds the sums (`sign` 1) or takes them out (`sign` -1): of the `ids` records
/// bound as `$1`…`$ids`, or of every record when `ids` is 0; the approved ones only with
/// `Counting::Approved`.
fn sum_statement(backend: Backend, table: Table, ids: usize, sign: i64, counting: Counting) -> String {
    let (cells_where, records_where) = if ids == 0 {
        (String::from("1 = 1"), String::from("1 = 1"))
    } else {
        let list = (1..=ids).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        (format!("record_id IN ({list})"), format!("id IN ({list})"))
    };
    let grains = ["y", "m", "h", "d"]
        .map(|base| format!("SELECT '{}' AS grain, '{base}' AS base", counting.grain(base)))
        .join(" UNION ALL ");
    let approved = if counting == Counting::Approved { " AND r.review_state = 'approved'" } else { "" };
    let (name, key) = (table.name(), table.key());
    // Grouped first: an upsert may touch each key once per statement (PostgreSQL).
    let (records, key_values, cells, activity, only, group) = match table {
        Table::Cells => (
            "records r".to_owned(),
            "r.form_id, r.unit_list, r.unit_code, x.field, x.ethnicity, x.grp, x.sex",
            format!("SELECT record_id, field, ethnicity, grp, sex, 1 AS entries, count AS total FROM record_cells WHERE {cells_where}"),
            "'' AS ethnicity, '' AS grp, '' AS sex",
            "",
            "r.form_id, r.unit_list, r.unit_code, x.field, x.ethnicity, x.grp, x.sex",
        ),
        // Only records that name an agency; people by sex and Kinh or not, no report figures.
        Table::Agencies => (
            format!(
                "(SELECT id, form_id, unit_list, unit_code, activity_date, status, deleted, review_state, \
                 {} AS agency FROM records WHERE {records_where}) r",
                agency_of(backend)
            ),
            "r.agency, r.form_id, r.unit_list, r.unit_code, x.field, x.sex, x.ethnic",
            format!(
                "SELECT record_id, field, sex, CASE WHEN ethnicity = '{KINH}' THEN 'kinh' ELSE 'minority' END AS ethnic, \
                 1 AS entries, count AS total FROM record_cells WHERE sex <> '' AND {cells_where}"
            ),
            "'' AS sex, '' AS ethnic",
            " AND r.agency <> ''",
            "r.agency, r.form_id, r.unit_list, r.unit_code, x.field, x.sex, x.ethnic",
        ),
    };
    format!(
        "INSERT INTO {name} (grain, period, {key}, entries, total) \
         SELECT g.grain, {PERIOD_OF} AS p, {key_values}, {sign} * SUM(x.entries), {sign} * SUM(x.total) \
         FROM {records} JOIN ( \
             {cells} \
             UNION ALL \
             SELECT id AS record_id, '' AS field, {activity}, 1 AS entries, 1 AS total \
             FROM records WHERE {records_where} \
         ) x ON x.record_id = r.id \
         CROSS JOIN ({grains}) g \
         WHERE r.status = 'final' AND r.deleted = 0{approved}{only} \
         GROUP BY g.grain, 2, {group} \
         ON CONFLICT (grain, period, {key}) DO UPDATE SET \
             entries = {name}.entries + excluded.entries, total = {name}.total + excluded.total"
    )
}

/// Adds (`sign` 1) or takes out (-1) what records `ids` count in `counting`'s sums, in
/// every table of sums.
pub(crate) async fn sum_records(
    conn: &mut AnyConnection,
    backend: Backend,
    ids: &[String],
    sign: i64,
    counting: Counting,
) -> Result<(), StoreError> {
    for chunk in ids.chunks(CHUNK) {
        for table in Table::ALL {
            let sql = sum_statement(backend, table, chunk.len(), sign, counting);
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.as_str());
            }
            query.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// A stored record as a push read it, for what it counted in the sums: a correction takes
/// that out in memory ([`Counted::taken_out`]) with the cells read in one query
/// ([`stored_cells`]), in the same upserts as what the batch adds, rather than with the
/// join of [`sum_records`] (a correction batch cost 5–10 times a new one with it).
pub(crate) struct Stored {
    form_id: String,
    unit_list: String,
    unit_code: String,
    activity_date: Option<String>,
    agency: String,
}

impl Stored {
    /// What `record`, stored with `activity_date`, counts; `None` for a draft or a
    /// tombstone, which count nothing.
    pub(crate) fn of(record: &Record, activity_date: Option<String>) -> Option<Stored> {
        (record.status == RecordStatus::Final && !record.deleted).then(|| Stored {
            form_id: record.form_id.clone(),
            unit_list: record.location.unit_list.clone(),
            unit_code: record.location.unit_code.clone(),
            activity_date,
            agency: organiser(record).to_owned(),
        })
    }
}

/// A record's organising agency: its `organiser` answer, `""` where its form names none.
pub(crate) fn organiser(record: &Record) -> &str {
    record.values.get("organiser").and_then(|v| v.as_str()).unwrap_or_default()
}

/// A stored grid cell or figure: field, ethnicity, group, sex, count.
pub(crate) type StoredCell = (String, String, String, String, i64);

/// The stored cells of records `ids`, by record id.
pub(crate) async fn stored_cells(
    conn: &mut AnyConnection,
    backend: Backend,
    ids: &[String],
) -> Result<HashMap<String, Vec<StoredCell>>, StoreError> {
    let select = "SELECT record_id, field, ethnicity, grp, sex, count FROM record_cells WHERE record_id";
    let mut out: HashMap<String, Vec<StoredCell>> = HashMap::new();
    for row in super::apply::select_in(conn, backend, select, ids).await? {
        out.entry(row.try_get("record_id")?).or_default().push((
            row.try_get("field")?,
            row.try_get("ethnicity")?,
            row.try_get("grp")?,
            row.try_get("sex")?,
            row.try_get("count")?,
        ));
    }
    Ok(out)
}

/// A grain and a period of it, e.g. `("m", "2026-11")`.
type Bucket = (&'static str, String);
/// Entries and total.
type Sum = (i64, i64);
/// Sums by key (the columns of a table's key but the grain and period) and bucket.
type Sums<'a, const N: usize> = HashMap<[&'a str; N], HashMap<Bucket, Sum>>;

/// One record's contribution, as a push holds it in memory.
pub(crate) struct Counted<'a> {
    pub form_id: &'a str,
    pub unit_list: &'a str,
    pub unit_code: &'a str,
    pub activity_date: Option<&'a str>,
    /// Its organising agency (`organiser`), `""` where its form names none.
    pub agency: &'a str,
    /// Its grid cells: field, ethnicity, group, sex, count.
    pub cells: Vec<(&'a str, &'a str, &'a str, &'a str, i64)>,
    /// 1 to add what it counts, -1 to take it out.
    pub sign: i64,
}

impl<'a> Counted<'a> {
    /// What a stored record counted, with its stored cells, to be taken out.
    pub(crate) fn taken_out(stored: &'a Stored, cells: &'a [StoredCell]) -> Counted<'a> {
        Counted {
            form_id: &stored.form_id,
            unit_list: &stored.unit_list,
            unit_code: &stored.unit_code,
            activity_date: stored.activity_date.as_deref(),
            agency: &stored.agency,
            cells: cells.iter().map(|(f, e, g, s, n)| (f.as_str(), e.as_str(), g.as_str(), s.as_str(), *n)).collect(),
            sign: -1,
        }
    }
}

/// After a push wrote its records: adds what the final, non-deleted ones among them count
/// and takes out what the stored ones it rewrote counted, summed here from what the push
/// holds (the same buckets as [`PERIOD_OF`]) and written with multi-row upserts, one row
/// per key that changes: the push path's cost, so not left to a join.
pub(crate) async fn add_counted<'a>(
    conn: &mut AnyConnection,
    backend: Backend,
    records: &[Counted<'a>],
) -> Result<(), StoreError> {
    let mut cells: Sums<'a, 7> = HashMap::new();
    let mut agencies: Sums<'a, 7> = HashMap::new();
    fn add<'a>(sums: &mut Sums<'a, 7>, periods: &[Bucket; 4], key: [&'a str; 7], sign: i64, total: i64) {
        let by_period = sums.entry(key).or_default();
        for period in periods {
            let sum = by_period.entry(period.clone()).or_default();
            sum.0 += sign;
            sum.1 += sign * total;
        }
    }
    for r in records {
        let (periods, sign) = (periods_of(r.activity_date), r.sign);
        let (form, list, code) = (r.form_id, r.unit_list, r.unit_code);
        add(&mut cells, &periods, [form, list, code, "", "", "", ""], sign, 1);
        for &(field, ethnicity, group, sex, count) in &r.cells {
            add(&mut cells, &periods, [form, list, code, field, ethnicity, group, sex], sign, count);
        }
        if r.agency.is_empty() {
            continue;
        }
        add(&mut agencies, &periods, [r.agency, form, list, code, "", "", ""], sign, 1);
        for &(field, ethnicity, _, sex, count) in r.cells.iter().filter(|c| !c.3.is_empty()) {
            add(&mut agencies, &periods, [r.agency, form, list, code, field, sex, ethnic_of(ethnicity)], sign, count);
        }
    }
    upsert(conn, backend, Table::Cells, &cells).await?;
    upsert(conn, backend, Table::Agencies, &agencies).await
}

/// Adds `sums` to `table` with multi-row upserts.
async fn upsert<const N: usize>(
    conn: &mut AnyConnection,
    backend: Backend,
    table: Table,
    sums: &Sums<'_, N>,
) -> Result<(), StoreError> {
    // A correction that leaves a key as it was nets to nothing there: no row to write.
    let rows: Vec<(&Bucket, &[&str; N], &Sum)> = sums
        .iter()
        .flat_map(|(key, by_period)| by_period.iter().map(move |(p, sum)| (p, key, sum)))
        .filter(|(_, _, sum)| **sum != (0, 0))
        .collect();
    let (name, key) = (table.name(), table.key());
    let width = N + 4;
    for chunk in rows.chunks(30_000 / width) {
        let sql = format!(
            "INSERT INTO {name} (grain, period, {key}, entries, total) VALUES {} \
             ON CONFLICT (grain, period, {key}) DO UPDATE SET \
                 entries = {name}.entries + excluded.entries, total = {name}.total + excluded.total",
            backend.tuples(chunk.len(), width)
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
        rebuild(&mut tx, self.backend).await?;
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
            rebuild(&mut tx, self.backend).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

pub(super) async fn rebuild(tx: &mut Transaction<'static, Any>, backend: Backend) -> Result<(), StoreError> {
    super::lock_writers(tx).await?;
    for table in Table::ALL {
        sqlx::query(&format!("DELETE FROM {}", table.name())).execute(&mut **tx).await?;
        for counting in [Counting::Final, Counting::Approved] {
            sqlx::query(&sum_statement(backend, table, 0, 1, counting)).execute(&mut **tx).await?;
        }
    }
    sqlx::query("UPDATE counters SET value = 1 WHERE name = 'report_totals_built'").execute(&mut **tx).await?;
    Ok(())
}
