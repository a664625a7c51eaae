//! Side effects: sync, connectivity, routing, updates, autosave.

mod use_autosave;
mod use_online;
mod use_sync;

pub use use_autosave::use_autosave;
pub use use_online::{use_online, use_route, use_update_signal};
pub use use_sync::use_sync;
