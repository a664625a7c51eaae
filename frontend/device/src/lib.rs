//! # sotay-device
//!
//! What lives on the phone: records, drafts and the outbox in IndexedDB ([`storage`]), the
//! server's API ([`api`]), the sync round that moves changes between them ([`sync`]), the
//! evidence photos that follow their records ([`photo_sync`]) and the
//! retry policy ([`backoff`]). The promise: nothing an officer enters is lost. A change
//! leaves the outbox only in the transaction that records the server's acknowledgement.

pub mod api;
pub mod backoff;
mod fetch;
pub mod model;
pub mod photo_sync;
pub mod storage;
pub mod sync;

pub use api::{
    Api, ApiError, ReportAgency, ReportEthnicity, ReportFigure, ReportForm, ReportSummary, Role, Session, SessionUser,
};
pub use model::{Counts, LocalRecord, OutboxEntry, RejectedEntry, SyncState};
pub use storage::{SettleReport, Storage, StorageError};
pub use sync::{sync_once, Phase, SyncProgress, SyncReport};
