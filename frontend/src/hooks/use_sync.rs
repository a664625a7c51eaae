//! When to sync: at start, when the connection returns, on demand, and after a failure on a
//! backoff timer. One sync runs at a time; a request during a run starts another after it.

use std::cell::RefCell;
use std::rc::Rc;

use device::ApiError;
use device::Storage;
use device::{sync_once, SyncProgress};
use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use yew::prelude::*;

use crate::services;
use crate::state::{Action, State, SyncStatus};
use crate::web;

struct Inner {
    storage: Option<Rc<Storage>>,
    token: Option<String>,
    have_catalog: bool,
    dispatch: UseReducerDispatcher<State>,
    running: bool,
    again: bool,
    failures: u32,
    retry: Option<Timeout>,
}

type Ctl = Rc<RefCell<Inner>>;

/// Returns the "sync now" callback.
#[hook]
pub fn use_sync(state: &UseReducerHandle<State>, storage: Option<Rc<Storage>>) -> Callback<()> {
    let dispatch = state.dispatcher();
    let ctl: Ctl = use_mut_ref(|| Inner {
        storage: None,
        token: None,
        have_catalog: false,
        dispatch,
        running: false,
        again: false,
        failures: 0,
        retry: None,
    });
    let token = if state.session_expired { None } else { state.session.as_ref().map(|s| s.token.clone()) };
    {
        let mut inner = ctl.borrow_mut();
        inner.storage = storage.clone();
        inner.token = token.clone();
        inner.have_catalog = state.catalog.is_some();
    }

    // At start and whenever a (new) session appears.
    {
        let ctl = ctl.clone();
        let ready = state.ready && storage.is_some();
        use_effect_with((ready, token), move |(ready, token)| {
            if *ready && token.is_some() {
                start(ctl.clone());
            }
        });
    }
    // When the connection comes back.
    {
        let ctl = ctl.clone();
        use_effect_with((), move |_| {
            let listener = EventListener::new(&gloo::utils::window(), "online", move |_| {
                ctl.borrow_mut().failures = 0;
                start(ctl.clone());
            });
            move || drop(listener)
        });
    }
    let ctl = ctl.clone();
    Callback::from(move |()| {
        ctl.borrow_mut().failures = 0;
        start(ctl.clone())
    })
}

fn start(ctl: Ctl) {
    let (storage, token, have_catalog, dispatch) = {
        let mut inner = ctl.borrow_mut();
        if inner.running {
            inner.again = true;
            return;
        }
        let (Some(storage), Some(token)) = (inner.storage.clone(), inner.token.clone()) else {
            return;
        };
        inner.running = true;
        inner.retry = None;
        (storage, token, inner.have_catalog, inner.dispatch.clone())
    };
    wasm_bindgen_futures::spawn_local(async move {
        dispatch.dispatch(Action::Sync(SyncStatus::Syncing { sent: 0, total: 0, photos: false }));
        let api = services::api(Some(token));
        let d = dispatch.clone();
        let progress = move |p: SyncProgress| {
            let photos = p.phase == device::Phase::Photos;
            d.dispatch(Action::Sync(SyncStatus::Syncing { sent: p.sent, total: p.total, photos }))
        };
        match sync_once(&storage, &api, &progress).await {
            Ok(report) => {
                // sync_once fetches a changed catalog (pull's catalog_version) into meta.
                if report.catalog_updated || !have_catalog {
                    if let Some(c) = services::stored_catalog(&storage).await {
                        dispatch.dispatch(Action::Catalog(c));
                    }
                }
                ctl.borrow_mut().failures = 0;
                dispatch.dispatch(Action::Synced(services::synced_now(&storage).await));
            }
            Err(ApiError::Unauthorized) => dispatch.dispatch(Action::SessionExpired),
            Err(e) => {
                gloo::console::warn!(format!("sync failed: {e}"));
                dispatch.dispatch(Action::Sync(SyncStatus::Failed));
                dispatch.dispatch(Action::DataChanged);
                let failures = {
                    let mut inner = ctl.borrow_mut();
                    inner.failures += 1;
                    inner.failures
                };
                let delay = device::backoff::next_delay(failures, web::random_unit());
                let again = ctl.clone();
                let timer = Timeout::new(delay.as_millis().min(u32::MAX as u128) as u32, move || start(again));
                ctl.borrow_mut().retry = Some(timer);
            }
        }
        if let Some(counts) = services::counts(&storage).await {
            dispatch.dispatch(Action::Counts(counts));
        }
        let again = {
            let mut inner = ctl.borrow_mut();
            inner.running = false;
            std::mem::take(&mut inner.again)
        };
        if again {
            start(ctl);
        }
    });
}
