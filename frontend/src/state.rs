//! The app's state, owned by one reducer: what every screen needs to know at once.

use std::rc::Rc;

use chrono::{DateTime, Utc};
use device::Counts;
use device::Session;
use forms::{Catalog, Lang};
use yew::Reducible;

use crate::route::Route;

/// What the sync bar shows.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncStatus {
    Idle,
    Syncing {
        sent: usize,
        total: usize,
        /// Counting photos (the last step), not records.
        photos: bool,
    },
    /// The last attempt failed (offline, server error); a retry is scheduled.
    Failed,
}

#[derive(Clone)]
pub struct State {
    pub ready: bool,
    pub lang: Lang,
    pub device_id: String,
    pub session: Option<Rc<Session>>,
    /// The token was refused: the user must sign in again; nothing queued is touched.
    pub session_expired: bool,
    pub catalog: Option<Rc<Catalog>>,
    pub counts: Counts,
    pub sync: SyncStatus,
    pub last_sync: Option<DateTime<Utc>>,
    pub online: bool,
    pub route: Route,
    /// Bumped whenever stored records change, so lists reload.
    pub data_version: u32,
    pub update_waiting: bool,
    pub flash: Option<String>,
    /// The flash survives the next route change (it was set just before navigating).
    pub flash_sticky: bool,
}

impl Default for State {
    fn default() -> Self {
        Self {
            ready: false,
            lang: Lang::Vi,
            device_id: String::new(),
            session: None,
            session_expired: false,
            catalog: None,
            counts: Counts::default(),
            sync: SyncStatus::Idle,
            last_sync: None,
            online: true,
            route: Route::Home,
            data_version: 0,
            update_waiting: false,
            flash: None,
            flash_sticky: false,
        }
    }
}

impl PartialEq for State {
    fn eq(&self, o: &Self) -> bool {
        self.ready == o.ready
            && self.lang == o.lang
            && self.device_id == o.device_id
            && self.session == o.session
            && self.session_expired == o.session_expired
            && opt_ptr_eq(&self.catalog, &o.catalog)
            && self.counts == o.counts
            && self.sync == o.sync
            && self.last_sync == o.last_sync
            && self.online == o.online
            && self.route == o.route
            && self.data_version == o.data_version
            && self.update_waiting == o.update_waiting
            && self.flash == o.flash
    }
}

fn opt_ptr_eq<T>(a: &Option<Rc<T>>, b: &Option<Rc<T>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Rc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

pub enum Action {
    Loaded {
        lang: Lang,
        device_id: String,
        session: Option<Session>,
        catalog: Option<Rc<Catalog>>,
        last_sync: Option<DateTime<Utc>>,
    },
    Lang(Lang),
    SignedIn(Session),
    /// The session ended; `forgot`: the account's records left the phone with it.
    SignedOut {
        forgot: bool,
    },
    SessionExpired,
    Catalog(Rc<Catalog>),
    Counts(Counts),
    Sync(SyncStatus),
    Synced(DateTime<Utc>),
    Online(bool),
    Route(Route),
    DataChanged,
    UpdateWaiting,
    Flash(Option<String>),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Loaded { lang, device_id, session, catalog, last_sync } => {
                s.ready = true;
                s.lang = lang;
                s.device_id = device_id;
                s.session = session.map(Rc::new);
                s.catalog = catalog;
                s.last_sync = last_sync;
            }
            Action::Lang(l) => s.lang = l,
            Action::SignedIn(session) => {
                s.session = Some(Rc::new(session));
                s.session_expired = false;
            }
            Action::SignedOut { forgot } => {
                s.session = None;
                s.session_expired = false;
                if forgot {
                    s.counts = Counts::default();
                    s.last_sync = None;
                    s.data_version += 1;
                }
            }
            Action::SessionExpired => {
                s.session_expired = true;
                s.sync = SyncStatus::Idle;
            }
            Action::Catalog(c) => s.catalog = Some(c),
            Action::Counts(c) => s.counts = c,
            Action::Sync(st) => s.sync = st,
            Action::Synced(at) => {
                s.sync = SyncStatus::Idle;
                s.last_sync = Some(at);
                s.data_version += 1;
            }
            Action::Online(o) => s.online = o,
            Action::Route(r) => {
                s.route = r;
                if !std::mem::take(&mut s.flash_sticky) {
                    s.flash = None;
                }
            }
            Action::DataChanged => s.data_version += 1,
            Action::UpdateWaiting => s.update_waiting = true,
            Action::Flash(f) => {
                s.flash_sticky = f.is_some();
                s.flash = f;
            }
        }
        Rc::new(s)
    }
}
