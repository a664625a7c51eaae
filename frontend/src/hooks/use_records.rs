//! Stored records for the screens that list or show them, read again whenever they change.

use std::rc::Rc;

use device::{ApiError, LocalRecord, SyncState};
use uuid::Uuid;
use yew::prelude::*;

use crate::context::Ctx;
use crate::i18n::review;
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

/// The records with a photo not yet on the server ("Ảnh chưa gửi"), read again when records
/// or the count of unsent photos change.
#[hook]
pub fn use_unsent_photos(ctx: &Ctx) -> Rc<std::collections::HashSet<Uuid>> {
    let unsent = use_state(|| Rc::new(std::collections::HashSet::new()));
    {
        let (unsent, storage) = (unsent.clone(), ctx.storage.clone());
        use_effect_with((ctx.state.data_version, ctx.state.counts.unsent_photos), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(set) = storage.records_with_unsent_photos().await {
                    unsent.set(Rc::new(set));
                }
            });
        });
    }
    (*unsent).clone()
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

/// A record that is not on the phone, as the server has it.
#[derive(Clone, PartialEq)]
pub enum Remote {
    /// Not asked for, or no connection to ask.
    Idle,
    Loading,
    Ready(Shared<LocalRecord>),
    Failed(AttrValue),
}

/// Another officer's record for a reviewer (`want`), whose phone pulls only their own:
/// read from the server while online, and again whenever records change (a review action,
/// a sync), so its review state is the server's. A later answer replaces the one shown;
/// nothing is stored.
#[hook]
pub fn use_server_record(ctx: &Ctx, id: Uuid, want: bool) -> Remote {
    let remote = use_state(|| Remote::Idle);
    {
        let remote = remote.clone();
        let token = ctx.state.session.as_ref().map(|s| s.token.clone());
        let (lang, online) = (ctx.state.lang, ctx.state.online);
        use_effect_with((id, want, online, ctx.state.data_version), move |_| {
            if want && online {
                // A record shown stays shown while it is read again, and if that fails.
                let shown = matches!(*remote, Remote::Ready(_));
                if !shown {
                    remote.set(Remote::Loading);
                }
                wasm_bindgen_futures::spawn_local(async move {
                    match services::review::server_record(token, id).await {
                        Ok((record, review)) => {
                            let local = LocalRecord { review, state: SyncState::Synced, ..LocalRecord::new(record) };
                            remote.set(Remote::Ready(Shared(Rc::new(local))));
                        }
                        Err(_) if shown => {}
                        // The page then says the record needs a connection.
                        Err(ApiError::Offline) => remote.set(Remote::Idle),
                        Err(ApiError::Rejected { status: 404, .. }) => {
                            remote.set(Remote::Failed(review::texts(lang).not_found.into()))
                        }
                        Err(e) => remote.set(Remote::Failed(services::report_error(lang, &e).into())),
                    }
                });
            }
        });
    }
    (*remote).clone()
}
