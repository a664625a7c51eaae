//! The side effects: fetching (`use_load`), acting (`use_action`) and the shell's session
//! keeping (`use_session`). Components render state, call these, and never `fetch` or
//! touch storage themselves.

mod use_action;
mod use_load;
mod use_session;

pub use use_action::use_action;
pub use use_load::{use_load, Load};
pub use use_session::{go, sign_in, sign_out, stored_lang, stored_session, use_catalog, use_me, use_session_storage};
