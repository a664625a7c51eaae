//! Stored records for the screens that list or show them, read again whenever they change.

use std::rc::Rc;

use device::LocalRecord;
use uuid::Uuid;
use yew::prelude::*;

use crate::context::Ctx;
use crate::services;
use crate::web::Shared;

/// Every record on the phone (tombstones aside), newest first; `None` while loading.
#[hook]
pub fn use_records(ctx: &Ctx) -> Option<Rc<Vec<LocalRecord>>> {
    let records = use_state(|| None::<Rc<Vec<LocalRecord>>>);
    {
        let (records, storage) = (records.clone(), ctx.storage.clone());
        use_effect_with(ctx.state.data_version, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                records.set(Some(Rc::new(services::records(&storage).await)));
            });
        });
    }
    (*records).clone()
}

/// One record: `None` while loading, `Some(None)` when there is no such record. With
/// `hold`, it is not read again when records change (an open form owns its draft).
#[hook]
pub fn use_record(ctx: &Ctx, id: Uuid, hold: bool) -> Option<Option<Shared<LocalRecord>>> {
    let loaded = use_state(|| None::<Option<Shared<LocalRecord>>>);
    {
        let (loaded, storage) = (loaded.clone(), ctx.storage.clone());
        let version = if hold { 0 } else { ctx.state.data_version };
        use_effect_with((id, version), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let r = services::record(&storage, id).await;
                loaded.set(Some(r.map(|r| Shared(Rc::new(r)))));
            });
        });
    }
    (*loaded).clone()
}
