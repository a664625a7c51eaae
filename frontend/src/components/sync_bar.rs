//! The state of the data, always visible: offline, waiting, sending, sent, needs attention.

use yew::prelude::*;

use crate::context::Ctx;
use crate::i18n::{self, evidence, texts};
use crate::route::Route;
use crate::state::SyncStatus;

pub fn sync_bar(ctx: &Ctx) -> Html {
    let s = &ctx.state;
    let (lang, t) = (s.lang, texts(s.lang));
    if s.session_expired {
        return html! {
            <div class="sync-bar attention" role="status">
                <span class="sync-text">{ t.session_expired }</span>
                <a class="btn small" href={Route::SignIn.href()}>{ t.sign_in_again }</a>
            </div>
        };
    }
    let waiting = s.counts.waiting;
    let (class, text, progress) = match (&s.sync, s.online) {
        (SyncStatus::Syncing { sent, total, photos }, _) => {
            let pct = (*sent * 100).checked_div(*total).unwrap_or(0).min(100);
            let text = match (*total > 0, *photos) {
                (true, true) => evidence::photo_progress(lang, *sent, *total),
                (true, false) => i18n::progress(lang, *sent, *total),
                (false, _) => format!("{}…", t.syncing),
            };
            ("syncing", text, Some(pct))
        }
        (_, false) if waiting > 0 => ("offline", format!("{} · {}", t.offline, i18n::waiting_n(lang, waiting)), None),
        (_, false) => ("offline", t.offline.to_owned(), None),
        _ if s.counts.attention > 0 => ("attention", i18n::attention_n(lang, s.counts.attention), None),
        (SyncStatus::Failed, true) => {
            ("waiting", format!("{} · {}", t.sync_failed, i18n::waiting_n(lang, waiting)), None)
        }
        _ if waiting > 0 => ("waiting", i18n::waiting_n(lang, waiting), None),
        // Every record went; photos wait for a better signal.
        _ if s.counts.unsent_photos > 0 => ("waiting", evidence::unsent_n(lang, s.counts.unsent_photos), None),
        _ => {
            let text = match s.last_sync {
                Some(at) => i18n::synced_at(lang, &forms::record::format_instant(at)[11..]),
                None => t.never_synced.to_owned(),
            };
            ("synced", text, None)
        }
    };
    let busy = matches!(s.sync, SyncStatus::Syncing { .. });
    let onclick = {
        let sync = ctx.sync.clone();
        Callback::from(move |_| sync.emit(()))
    };
    html! {
        <div class={classes!("sync-bar", class)} role="status" aria-live="polite">
            <span class="dot" aria-hidden="true"></span>
            <span class="sync-text">{ text }</span>
            <button class="btn small" {onclick} disabled={busy}>{ t.sync_now }</button>
            if let Some(pct) = progress {
                <div class="progress" aria-hidden="true"><div class="bar" style={format!("width:{pct}%")}></div></div>
            }
        </div>
    }
}
