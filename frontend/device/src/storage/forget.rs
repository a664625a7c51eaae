//! Signing out of a shared or lost phone: the records the account pulled and sent leave the
//! phone in one transaction, and only when nothing on it still has to reach the server.

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use wasm_bindgen::JsValue;

use super::rows;
use super::schema::{META, OUTBOX, PHOTOS, RECORDS, REJECTED};
use super::{Storage, StorageError, META_CURSOR};

impl Storage {
    /// How many records the server does not have yet: drafts, changes waiting or refused,
    /// conflicts, photos not sent. What [`Storage::forget`] checks, in its own transaction.
    pub async fn unsent(&self) -> Result<usize, StorageError> {
        let tx = self.tx(&[RECORDS, OUTBOX, REJECTED, PHOTOS], TransactionMode::Readonly)?;
        count_unsent(self, &tx).await
    }

    /// Removes this account's data from the phone: every record (synced copies, tombstones),
    /// the outbox, the refused changes, the pull cursor (the next sign-in pulls everything
    /// again) and the meta keys in `also` (the app's session, its last sync time), all in one
    /// transaction. The device id, the form catalog and the settings stay.
    ///
    /// Refused with [`StorageError::Unsent`] (how many), and nothing written, while any record
    /// is not on the server: the check runs in the same transaction as the removal, so a
    /// record saved or queued meanwhile is never removed.
    pub async fn forget(&self, also: &[&str]) -> Result<(), StorageError> {
        let tx = self.tx(&[META, RECORDS, OUTBOX, REJECTED, PHOTOS], TransactionMode::Readwrite)?;
        let unsent = count_unsent(self, &tx).await?;
        if unsent > 0 {
            // Dropping `tx` rolls it back; it wrote nothing anyway.
            return Err(StorageError::Unsent(unsent));
        }
        let (meta, records, outbox) = (tx.object_store(META)?, tx.object_store(RECORDS)?, tx.object_store(OUTBOX)?);
        records.clear()?.await?;
        outbox.clear()?.await?;
        if self.version >= 2 {
            tx.object_store(REJECTED)?.clear()?.await?;
        }
        if self.version >= 3 {
            tx.object_store(PHOTOS)?.clear()?.await?;
        }
        for key in std::iter::once(&META_CURSOR).chain(also) {
            meta.delete::<&str, _>(*key).await?;
        }
        drop((meta, records, outbox));
        tx.commit().await?;
        Ok(())
    }
}

/// Records not synced (a draft, queued, refused or in conflict), or more changes waiting or
/// refused than that, should a change outlive its record's state.
async fn count_unsent(
    s: &Storage,
    tx: &indexed_db_futures::transaction::Transaction<'_>,
) -> Result<usize, StorageError> {
    let mut unsynced = 0;
    for row in tx.object_store(RECORDS)?.get_all::<JsValue>().await? {
        if rows::record_flags(&row?).0.as_deref() != Some("synced") {
            unsynced += 1;
        }
    }
    let waiting = tx.object_store(OUTBOX)?.count().await? as usize;
    let refused = if s.version >= 2 { tx.object_store(REJECTED)?.count().await? as usize } else { 0 };
    // A photo the server lacks is evidence not yet delivered, like a record.
    let photos = if s.version >= 3 { super::photos::count_unsent(&tx.object_store(PHOTOS)?).await? } else { 0 };
    Ok(unsynced.max(waiting).max(refused) + photos)
}
