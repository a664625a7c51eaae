//! Sending evidence photos (issue 16; `docs/sync-protocol.md`, "Photos"). The last step of
//! a sync round, after the records went and the pull came: a photo never holds a record
//! back. Each photo goes on its own, only once its record is on the server as the phone
//! has it; the server is asked first which it has, so after a cut connection nothing it
//! already stored is sent again, and a photo sent twice (a lost reply) is stored once.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use uuid::Uuid;
use web_sys::Blob;

use crate::api::{json, send, Api, ApiError};
use crate::fetch::Call;
use crate::storage::{PhotoKey, Storage};
use crate::sync::{Phase, SyncProgress};
use crate::SyncState;

/// Pairs per status question (the server takes up to 500).
const STATUS_PAGE: usize = 100;
/// A photo of ~250 KB on a weak 2G link (~40 kbit/s up) needs about a minute.
const PHOTO_TIMEOUT: Duration = Duration::from_secs(180);

#[derive(Serialize)]
struct Pair<'a> {
    record_id: Uuid,
    sha256: &'a str,
}

#[derive(Serialize)]
struct StatusQuestion<'a> {
    photos: Vec<Pair<'a>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum PhotoState {
    Stored,
    Missing,
    /// The record on the server does not name it (yet): a newer change may.
    NotNamed,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct StatusItem {
    state: PhotoState,
}

#[derive(Deserialize)]
struct StatusAnswer {
    photos: Vec<StatusItem>,
}

impl Api {
    /// Which of these photos the server has (`POST /sync/photos`), in the same order.
    pub async fn photo_status(&self, photos: &[PhotoKey]) -> Result<Vec<PhotoState>, ApiError> {
        let pairs: Vec<Pair<'_>> = photos.iter().map(|p| Pair { record_id: p.record_id, sha256: &p.sha256 }).collect();
        let body =
            serde_json::to_string(&StatusQuestion { photos: pairs }).map_err(|e| ApiError::Decode(e.to_string()))?;
        let url = self.url("/sync/photos");
        let call = Call { json: Some(body), ..self.call("POST", &url, Duration::from_secs(60)) };
        let answer: StatusAnswer = json(send(call).await?)?;
        if answer.photos.len() != photos.len() {
            return Err(ApiError::Decode("photo status out of step".into()));
        }
        Ok(answer.photos.into_iter().map(|p| p.state).collect())
    }

    /// One photo's bytes (`PUT /records/{id}/photos/{sha256}`). Sent again after a lost
    /// reply, the server answers that it has it; either way it is stored once.
    pub async fn put_photo(&self, photo: &PhotoKey, blob: &Blob) -> Result<(), ApiError> {
        let url = self.url(&format!("/records/{}/photos/{}", photo.record_id, photo.sha256));
        let mut call = Call { blob: Some(blob.clone()), ..self.call("PUT", &url, PHOTO_TIMEOUT) };
        call.headers.push(("content-type", "image/jpeg".into()));
        send(call).await.map(drop)
    }
}

impl Api {
    /// A photo as the server keeps it (`GET /records/{id}/photos/{sha256}`, within the
    /// caller's scope): for a record whose photo this phone does not hold (taken on another
    /// phone, or let go after it was sent).
    pub async fn photo(&self, photo: &PhotoKey) -> Result<Blob, ApiError> {
        let url = self.url(&format!("/records/{}/photos/{}", photo.record_id, photo.sha256));
        // ~250 KB: a minute covers a weak 2G download; a dead link gives up sooner than an upload.
        let call = Call { no_store: true, file: true, ..self.call("GET", &url, Duration::from_secs(60)) };
        send(call).await?.blob.ok_or_else(|| ApiError::Decode("no photo".into()))
    }
}

/// Sends the photos whose records the server has, oldest record first. Progress counts
/// photos (`Phase::Photos`). Returns how many were sent (the server lacked them). An
/// answer that does not come stops the round; the rest wait for the next one. First, the
/// photos the server has had long enough leave the phone ([`Storage::prune_sent_photos`]).
pub async fn send_photos(storage: &Storage, api: &Api, on_progress: &dyn Fn(SyncProgress)) -> Result<usize, ApiError> {
    // Making room never stands in the way of sending: a failed pruning is tried next round.
    let _ = storage.prune_sent_photos(js_sys::Date::now()).await;
    // Only records the server has as the phone does: a photo of a record still in the
    // outbox would be refused as not named.
    let ready: Vec<PhotoKey> =
        storage.unsent_photos().await?.into_iter().filter(|(_, s)| *s == SyncState::Synced).map(|(p, _)| p).collect();
    let total = ready.len();
    let (mut done, mut delivered) = (0, 0);
    if total == 0 {
        return Ok(0);
    }
    on_progress(SyncProgress { sent: 0, total, phase: Phase::Photos });
    for page in ready.chunks(STATUS_PAGE) {
        let states = api.photo_status(page).await?;
        for (photo, state) in page.iter().zip(states) {
            match state {
                PhotoState::Stored => {}
                PhotoState::Missing => {
                    let Some(blob) = storage.photo_blob(photo).await? else { continue };
                    match api.put_photo(photo, &blob).await {
                        Ok(()) => delivered += 1,
                        // Refused for this photo alone (changed on the server meanwhile,
                        // damaged on the way): the others still go; it is asked about again
                        // next round.
                        Err(ApiError::Rejected { .. }) => {
                            done += 1;
                            on_progress(SyncProgress { sent: done, total, phase: Phase::Photos });
                            continue;
                        }
                        Err(e) => return Err(e),
                    }
                }
                // The record is on the server exactly as here (only synced records get this
                // far), and there it names no such photo, or is out of the user's reach: a
                // test record of a draft form, or one deleted meanwhile. It never will, so
                // the photo stops waiting; the phone keeps its only copy.
                PhotoState::NotNamed => {
                    storage.stop_waiting_for_photo(photo).await?;
                    done += 1;
                    on_progress(SyncProgress { sent: done, total, phase: Phase::Photos });
                    continue;
                }
                PhotoState::Other => {
                    done += 1;
                    on_progress(SyncProgress { sent: done, total, phase: Phase::Photos });
                    continue;
                }
            }
            storage.mark_photo_sent(photo).await?;
            done += 1;
            on_progress(SyncProgress { sent: done, total, phase: Phase::Photos });
        }
    }
    Ok(delivered)
}
