//! Side effects: storage, sync, connectivity, routing, updates, autosave, what screens read.
//! Hooks call `services` and `web`; components call hooks and, from event handlers, services.

mod use_autosave;
mod use_figures;
mod use_online;
mod use_records;
mod use_storage;
mod use_sync;

pub use use_autosave::use_autosave;
pub use use_figures::{use_figures, Answer};
pub use use_online::{use_online, use_route, use_update_signal};
pub use use_records::{use_record, use_records, use_server_record, use_unsent_photos, Remote};
pub use use_storage::{use_changed, use_storage};
pub use use_sync::use_sync;
