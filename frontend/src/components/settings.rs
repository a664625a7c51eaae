//! Language, storage persistence, version, sign-out (which never deletes unsynced records).

use forms::Lang;
use yew::prelude::*;

use crate::app::Ctx;
use crate::i18n::{self, texts};
use crate::route::Route;
use crate::services;
use crate::state::Action;
use crate::web;

#[function_component(Settings)]
pub fn settings() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let (lang, t) = (ctx.state.lang, texts(ctx.state.lang));
    let persisted = use_state(|| None::<bool>);
    {
        let persisted = persisted.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let mut p = web::is_persisted().await;
                if p == Some(false) {
                    p = web::request_persist().await;
                }
                persisted.set(Some(p.unwrap_or(false)));
            });
        });
    }
    let set_lang = |l: Lang| {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            ctx.state.dispatch(Action::Lang(l));
            let storage = ctx.storage.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = storage.put_meta(services::META_LANG, &l).await;
            });
        })
    };
    let sign_out = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            let c = ctx.state.counts;
            let unsynced = c.drafts + c.waiting + c.attention;
            if unsynced > 0 && !web::confirm(&i18n::sign_out_warning(ctx.state.lang, unsynced)) {
                return;
            }
            let ctx = ctx.clone();
            let token = ctx.state.session.as_ref().map(|s| s.token.clone());
            wasm_bindgen_futures::spawn_local(async move {
                services::sign_out(&ctx.storage, token).await;
                ctx.state.dispatch(Action::SignedOut);
                web::navigate(&Route::SignIn);
            });
        })
    };
    let lang_btn = |l: Lang, label: &str| {
        html! {
            <button class={classes!("btn", "choice", (lang == l).then_some("selected"))}
                aria-pressed={(lang == l).to_string()} onclick={set_lang(l)}>{ label.to_owned() }</button>
        }
    };
    let user = ctx.state.session.as_ref().map(|s| format!("{} ({})", s.user.display_name, s.user.username));
    html! {
        <main class="screen settings">
            <h1>{ t.settings }</h1>
            <section class="card">
                <h2>{ t.language }</h2>
                <div class="choice-row">{ lang_btn(Lang::Vi, "Tiếng Việt") }{ lang_btn(Lang::En, "English") }</div>
            </section>
            <section class="card">
                <h2>{ t.storage_title }</h2>
                <p>{ match *persisted { None => t.persisted_unknown, Some(true) => t.persisted_yes, Some(false) => t.persisted_no } }</p>
            </section>
            <section class="card">
                <h2>{ t.version }</h2>
                <p>{ env!("CARGO_PKG_VERSION") }</p>
            </section>
            <section class="card">
                <h2>{ t.signed_in_as }</h2>
                <p>{ user.unwrap_or_default() }</p>
                <button class="btn danger big" onclick={sign_out}>{ t.sign_out }</button>
            </section>
        </main>
    }
}
