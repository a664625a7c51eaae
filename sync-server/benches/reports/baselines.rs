//! What the report is measured against: the same figures from SQL written by hand, over the
//! records themselves and over the sums kept at write time.

use super::*;

/// The figures the summary's totals are made of.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub(crate) activities: u64,
    pub(crate) male: u64,
    pub(crate) female: u64,
}

/// The records every report reads, `$1` and `$2` being the period's first and last day.
pub(crate) const WHERE: &str =
    "r.deleted = 0 AND r.status = 'final' AND r.activity_date >= $1 AND r.activity_date <= $2";

/// Baselines: the same figures as the summary, straight from SQL written by hand, whose rows
/// are read and summed. Activities cannot come out of a grouping of grid cells (model checks
/// have no cells, other records several), so each has a `GROUP BY` over records for them; the
/// participants come from the cells:
/// - in one pass: one statement, cells by form, location, field, ethnicity, group and sex
///   (the finest grain, which both the by-ethnicity and the by-group figures roll up from);
/// - in the report's shape: three statements, as `store::reports` runs them (activities,
///   cells by ethnicity, cells by group).
pub(crate) fn baseline_sql(one_pass: bool) -> Vec<String> {
    let activities = format!(
        "SELECT 'a' AS kind, r.form_id, r.unit_list, r.unit_code, '' AS field, '' AS k1, '' AS k2, '' AS sex, \
         COUNT(*) AS n FROM records r WHERE {WHERE} GROUP BY r.form_id, r.unit_list, r.unit_code"
    );
    let cells = |kind: &str, k1: &str, k2: &str| {
        let keys: String = [k1, k2].iter().filter(|k| !k.starts_with('\'')).map(|k| format!(", {k}")).collect();
        format!(
            "SELECT '{kind}', r.form_id, r.unit_list, r.unit_code, c.field, {k1}, {k2}, c.sex, \
             CAST(SUM(c.count) AS BIGINT) FROM record_cells c JOIN records r ON r.id = c.record_id WHERE {WHERE} \
             GROUP BY r.form_id, r.unit_list, r.unit_code, c.field{keys}, c.sex"
        )
    };
    if one_pass {
        vec![format!("{activities} UNION ALL {}", cells("c", "c.ethnicity", "c.grp"))]
    } else {
        vec![activities, cells("c", "c.ethnicity", "''"), cells("g", "''", "c.grp")]
    }
}

/// Runs a baseline's statements and sums what they return: (totals, rows).
pub(crate) async fn baseline(db: &Db, statements: &[String], period: &Period) -> (Totals, usize) {
    let mut rows: Vec<(Vec<String>, i64)> = Vec::new();
    for sql in statements {
        let fetched = sqlx::query(sql)
            .bind(period.from.format("%Y-%m-%d").to_string())
            .bind(period.to.format("%Y-%m-%d").to_string())
            .fetch_all(&db.pool)
            .await
            .unwrap();
        // Read every value, as the report reads its rows.
        rows.extend(fetched.iter().map(|r| ((0..8).map(|i| r.get::<String, _>(i)).collect(), r.get::<i64, _>(8))));
    }
    let (mut totals, mut by_group) = (Totals::default(), Totals::default());
    for (keys, n) in &rows {
        let n = *n as u64;
        match (keys[0].as_str(), keys[7].as_str()) {
            ("a", _) => totals.activities += n,
            // A report figure's cells (sex ''): read, not people.
            (_, "") => {}
            ("c", "male") => totals.male += n,
            ("c", _) => totals.female += n,
            (_, "male") => by_group.male += n,
            _ => by_group.female += n,
        }
    }
    if by_group != Totals::default() {
        assert_eq!((by_group.male, by_group.female), (totals.male, totals.female), "by group, the same people");
    }
    (totals, rows.len())
}

/// The hand-written SQL over the sums kept at write time (`store::totals`), as the report
/// reads them: the buckets `(grain, period)` that cover the period, of the grid's sums and,
/// side by side, of the agencies' (the summary's table by agency). Returns (totals, rows of
/// the grid's sums).
pub(crate) async fn sums_baseline(db: &Db, buckets: &[(&str, &str)]) -> (Totals, usize) {
    let terms: Vec<String> =
        (0..buckets.len()).map(|i| format!("(grain = ${} AND period = ${})", 2 * i + 1, 2 * i + 2)).collect();
    let read = |sql: String| async move {
        let mut query = sqlx::query(&sql);
        for (grain, period) in buckets {
            query = query.bind(*grain).bind(*period);
        }
        query.fetch_all(&db.pool).await.unwrap()
    };
    let agency_key = "agency, form_id, field, sex, ethnic";
    let (rows, by_agency) = tokio::join!(
        read(format!(
            "SELECT {KEY}, CAST(SUM(entries) AS BIGINT) AS entries, CAST(SUM(total) AS BIGINT) AS total \
             FROM report_totals WHERE {} GROUP BY {KEY}",
            terms.join(" OR ")
        )),
        read(format!(
            "SELECT {agency_key}, CAST(SUM(entries) AS BIGINT) AS entries, CAST(SUM(total) AS BIGINT) AS total \
             FROM report_agency_totals WHERE {} GROUP BY {agency_key}",
            terms.join(" OR ")
        ))
    );
    // Read every value, as the report reads its rows.
    let agency_people: i64 = by_agency
        .iter()
        .map(|row| {
            let _: Vec<String> = (0..5).map(|i| row.get::<String, _>(i)).collect();
            row.get::<i64, _>(6)
        })
        .sum();
    assert!(agency_people >= 0);
    let mut totals = Totals::default();
    for row in &rows {
        // Read every value, as the report reads its rows.
        let keys: Vec<String> = (0..7).map(|i| row.get::<String, _>(i)).collect();
        let (entries, n) = (row.get::<i64, _>(7), row.get::<i64, _>(8) as u64);
        if entries <= 0 {
            continue;
        }
        match (keys[3].as_str(), keys[6].as_str()) {
            ("", _) => totals.activities += n,
            // A report figure (field set, sex ''): read, not people.
            (_, "") => {}
            (_, "male") => totals.male += n,
            _ => totals.female += n,
        }
    }
    (totals, rows.len())
}
