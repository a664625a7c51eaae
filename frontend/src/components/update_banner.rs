//! "Có phiên bản mới — Tải lại": the new service worker takes over only when asked. Drafts
//! are safe: autosave has already stored them.

use yew::prelude::*;

use crate::context::Ctx;
use crate::i18n::texts;
use crate::web;

pub fn update_banner(ctx: &Ctx) -> Html {
    if !ctx.state.update_waiting {
        return html! {};
    }
    let t = texts(ctx.state.lang);
    html! {
        <div class="update-banner" role="status">
            <span>{ t.update_ready }</span>
            <button class="btn small" onclick={Callback::from(|_| web::apply_update())}>{ t.reload }</button>
        </div>
    }
}
