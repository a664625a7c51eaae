//! The phone's storage for the shell: opened once at start (what the app needs first is read
//! into the state), and the "records changed" signal that reloads the counts.

use std::rc::Rc;

use device::Storage;
use yew::prelude::*;

use crate::services;
use crate::state::{Action, State};

/// The open storage once it is open; `Err(())` when the browser refuses it (private mode).
pub type Opened = Option<Result<Rc<Storage>, ()>>;

/// Opens storage, reads what the app needs before it shows anything and marks the state
/// loaded.
#[hook]
pub fn use_storage(state: &UseReducerHandle<State>) -> Opened {
    let opened = use_state(|| None::<Result<Rc<Storage>, ()>>);
    {
        let (state, opened) = (state.clone(), opened.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match services::open().await {
                    Ok(s) => {
                        let boot = services::boot(&s).await;
                        if let Some(c) = services::counts(&s).await {
                            state.dispatch(Action::Counts(c));
                        }
                        opened.set(Some(Ok(s)));
                        state.dispatch(Action::Loaded {
                            lang: boot.lang,
                            device_id: boot.device_id,
                            session: boot.session,
                            catalog: boot.catalog,
                            last_sync: boot.last_sync,
                        });
                    }
                    Err(e) => {
                        gloo::console::error!(format!("storage: {e}"));
                        opened.set(Some(Err(())));
                    }
                }
            });
        });
    }
    (*opened).clone()
}

/// The callback screens call after they changed stored records: lists reload
/// (`data_version`) and the counts are read again.
#[hook]
pub fn use_changed(state: &UseReducerHandle<State>, storage: Option<Rc<Storage>>) -> Callback<()> {
    let state = state.clone();
    Callback::from(move |()| {
        state.dispatch(Action::DataChanged);
        if let Some(s) = storage.clone() {
            let d = state.dispatcher();
            wasm_bindgen_futures::spawn_local(async move {
                if let Some(c) = services::counts(&s).await {
                    d.dispatch(Action::Counts(c));
                }
            });
        }
    })
}
