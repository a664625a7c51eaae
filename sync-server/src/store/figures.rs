//! Report figures of the records already stored ([`forms::figures`]): worked out again
//! when the figures a form names change, so that old records count in new figures.
//!
//! A push stores each record's figures as it writes the record (`store::apply`): rows of
//! `record_cells` with ethnicity, sex and group all `''`, summed into `report_totals` like
//! grid cells. Which fields are figures is data, though: the `report_figures` counter holds
//! the fingerprint of the figures the stored rows were worked out with
//! ([`forms::Catalog::figures_fingerprint`]), and a server starting with other figures
//! works them all out again, in one transaction under the writers' lock, then rebuilds the
//! sums from them.

use forms::Catalog;
use serde_json::{Map, Value as Json};
use sqlx::Row;
use uuid::Uuid;

use super::apply::{insert_rows, Param};
use super::cells::{CellRow, CELL_COLUMNS};
use super::records::parse_uuid;
use super::{totals, Db, StoreError};

/// Records read per page while working the figures out.
const PAGE: i64 = 1_000;

impl Db {
    /// At start: makes the stored figure rows those of `catalog`'s figures, if they are not.
    /// Returns the number of records whose figures were worked out (0 when nothing changed).
    pub async fn ensure_report_figures(&self, catalog: &Catalog) -> Result<u64, StoreError> {
        let want = catalog.figures_fingerprint();
        let mut tx = self.pool.begin().await?;
        // The writers' lock: no push writes cells meanwhile, and of two servers starting
        // together only one does the work.
        super::lock_writers(&mut tx).await?;
        let stored: i64 = sqlx::query("SELECT value FROM counters WHERE name = 'report_figures'")
            .fetch_one(&mut *tx)
            .await?
            .try_get("value")?;
        if stored == want {
            tx.commit().await?;
            return Ok(0);
        }
        tracing::info!("working out the report figures of stored records (once, after the figures changed)");
        sqlx::query("DELETE FROM record_cells WHERE sex = ''").execute(&mut *tx).await?;
        let mut records = 0;
        for figures in catalog.all_figures() {
            let mut after = i64::MIN;
            loop {
                let rows = sqlx::query(
                    "SELECT id, form_version, seq, answers FROM records \
                     WHERE form_id = $1 AND deleted = 0 AND seq > $2 ORDER BY seq LIMIT $3",
                )
                .bind(figures.form.as_str())
                .bind(after)
                .bind(PAGE)
                .fetch_all(&mut *tx)
                .await?;
                let Some(last) = rows.last() else { break };
                after = last.try_get("seq")?;
                records += rows.len() as u64;
                let mut cells: Vec<Vec<Param>> = Vec::new();
                for row in &rows {
                    let version: i64 = row.try_get("form_version")?;
                    // A version no longer in the catalog has no fields to read figures from.
                    let Some(form) = u32::try_from(version).ok().and_then(|v| catalog.form(&figures.form, v)) else {
                        continue;
                    };
                    let id: Uuid = parse_uuid(&row.try_get::<String, _>("id")?)?;
                    let answers: Map<String, Json> = serde_json::from_str(&row.try_get::<String, _>("answers")?)?;
                    cells.extend(
                        figures
                            .values(form, &answers)
                            .into_iter()
                            .filter_map(|(field, value)| CellRow::figure(field, value))
                            .map(|cell| cell.params(&id)),
                    );
                }
                insert_rows(&mut tx, self.backend, "record_cells", &CELL_COLUMNS, cells).await?;
            }
        }
        totals::rebuild(&mut tx, self.backend).await?;
        sqlx::query("UPDATE counters SET value = $1 WHERE name = 'report_figures'")
            .bind(want)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(records)
    }
}
