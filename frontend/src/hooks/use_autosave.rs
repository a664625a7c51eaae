//! Autosave: every change is written as a draft shortly after the last keystroke, and at once
//! when the page is hidden or the screen closes, so a killed app loses next to nothing.

use std::cell::RefCell;
use std::rc::Rc;

use device::{LocalRecord, Storage};
use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use yew::prelude::*;

use crate::services;

const DELAY_MS: u32 = 600;

type Pending = Rc<RefCell<Option<(u32, LocalRecord)>>>;

fn flush(pending: &Pending, storage: &Rc<Storage>, on_saved: &Callback<u32>) {
    if let Some((seq, record)) = pending.borrow_mut().take() {
        let (storage, on_saved) = (storage.clone(), on_saved.clone());
        wasm_bindgen_futures::spawn_local(async move {
            if services::save_draft(&storage, &record).await {
                on_saved.emit(seq);
            }
        });
    }
}

/// Saves `snapshot` whenever `seq` grows. Returns a callback that drops what is pending
/// (used before the record is queued, so a late draft save cannot undo the queueing).
#[hook]
pub fn use_autosave(storage: Rc<Storage>, seq: u32, snapshot: LocalRecord, on_saved: Callback<u32>) -> Callback<()> {
    let pending: Pending = use_mut_ref(|| None);
    let timer = use_mut_ref(|| None::<Timeout>);
    {
        let (pending, timer, storage, on_saved) = (pending.clone(), timer.clone(), storage.clone(), on_saved.clone());
        use_effect_with(seq, move |seq| {
            if *seq > 0 {
                *pending.borrow_mut() = Some((*seq, snapshot));
                let p = pending.clone();
                *timer.borrow_mut() = Some(Timeout::new(DELAY_MS, move || flush(&p, &storage, &on_saved)));
            }
        });
    }
    {
        let (pending, timer) = (pending.clone(), timer.clone());
        use_effect_with((), move |_| {
            let doc = gloo::utils::document();
            let (p, s, o) = (pending.clone(), storage.clone(), on_saved.clone());
            let listener = EventListener::new(&doc, "visibilitychange", move |_| {
                if gloo::utils::document().hidden() {
                    flush(&p, &s, &o);
                }
            });
            move || {
                drop(listener);
                timer.borrow_mut().take();
                flush(&pending, &storage, &on_saved);
            }
        });
    }
    Callback::from(move |()| {
        timer.borrow_mut().take();
        pending.borrow_mut().take();
    })
}
