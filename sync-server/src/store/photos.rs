//! Which evidence photos are stored, and for which records (migration `0020_photos`). The
//! bytes live in `crate::photos::PhotoStore`; a `photos` row is written only once they are
//! durable there, so a row means the photo is on the server.

use std::collections::HashSet;

use sqlx::Row;
use uuid::Uuid;

use super::apply::select_in;
use super::StoreError;
use crate::db::{now_ms, Db};

impl Db {
    /// Which of `record`'s photos have arrived for it (their bytes stored).
    pub async fn photos_received(&self, records: &[Uuid]) -> Result<HashSet<(Uuid, String)>, StoreError> {
        let ids: Vec<String> = records.iter().map(Uuid::to_string).collect();
        let mut conn = self.pool.acquire().await?;
        let rows = select_in(
            &mut conn,
            self.backend,
            "SELECT rp.record_id, rp.sha256 FROM record_photos rp JOIN photos p ON p.sha256 = rp.sha256 \
             WHERE rp.record_id",
            &ids,
        )
        .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("record_id")?;
                let id = Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok((id, row.try_get("sha256")?))
            })
            .collect()
    }

    /// Whether the photo's bytes are stored (for any record).
    pub async fn photo_stored(&self, sha256: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 AS one FROM photos WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Notes that `record` sent this photo; before its bytes are stored, so that a deletion
    /// sweeping at the same time sees the photo in use.
    pub async fn link_photo(&self, record: Uuid, sha256: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO record_photos (record_id, sha256, received_at) VALUES ($1, $2, $3) \
             ON CONFLICT (record_id, sha256) DO NOTHING",
        )
        .bind(record.to_string())
        .bind(sha256)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Notes that the photo's bytes are durably stored. Returns whether this call stored it
    /// (false: another upload of the same bytes got there first).
    pub async fn photo_saved(&self, sha256: &str, bytes: u64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO photos (sha256, bytes, stored_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(sha256)
        .bind(bytes as i64)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Whether `record` sent this photo (it may be read within the record's scope).
    pub async fn record_has_photo(&self, record: Uuid, sha256: &str) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM record_photos rp JOIN photos p ON p.sha256 = rp.sha256 \
             WHERE rp.record_id = $1 AND rp.sha256 = $2",
        )
        .bind(record.to_string())
        .bind(sha256)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Photos that no record still holds: every record that sent them is deleted (or gone).
    pub async fn orphaned_photos(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.sha256 FROM photos p WHERE NOT EXISTS (\
               SELECT 1 FROM record_photos rp JOIN records r ON r.id = rp.record_id \
               WHERE rp.sha256 = p.sha256 AND r.deleted = 0) ORDER BY p.sha256",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("sha256")?)).collect()
    }

    /// The photos these records sent (candidates for deletion once the records are).
    pub async fn photos_of_records(&self, records: &[Uuid]) -> Result<Vec<String>, StoreError> {
        let ids: Vec<String> = records.iter().map(Uuid::to_string).collect();
        let mut conn = self.pool.acquire().await?;
        let rows = select_in(&mut conn, self.backend, "SELECT sha256 FROM record_photos WHERE record_id", &ids).await?;
        let mut out: Vec<String> = rows.iter().map(|r| r.try_get("sha256")).collect::<Result<_, _>>()?;
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Takes an orphaned photo out of the tables, if it is still orphaned; the caller then
    /// deletes its bytes. Returns whether it was taken out.
    pub async fn forget_photo(&self, sha256: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let gone = sqlx::query(
            "DELETE FROM photos WHERE sha256 = $1 AND NOT EXISTS (\
               SELECT 1 FROM record_photos rp JOIN records r ON r.id = rp.record_id \
               WHERE rp.sha256 = $1 AND r.deleted = 0)",
        )
        .bind(sha256)
        .execute(&mut *tx)
        .await?;
        if gone.rows_affected() == 1 {
            sqlx::query("DELETE FROM record_photos WHERE sha256 = $1").bind(sha256).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(gone.rows_affected() == 1)
    }

    /// How many photos are stored and their bytes (for tests and the health page).
    pub async fn photo_counts(&self) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n, CAST(COALESCE(SUM(bytes), 0) AS BIGINT) AS b FROM photos")
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get("n")?, row.try_get("b")?))
    }

    /// Every stored photo's hash, for backups.
    pub async fn stored_photos(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT sha256 FROM photos ORDER BY sha256").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(r.try_get("sha256")?)).collect()
    }
}
