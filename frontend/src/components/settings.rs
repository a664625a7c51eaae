//! Language, storage persistence, version, sign-out: with nothing unsent it offers to remove
//! the account's records from the phone; an unsent record is counted and never removed.

use forms::Lang;
use yew::prelude::*;

use crate::context::use_ctx;
use crate::i18n::{self, texts};
use crate::route::Route;
use crate::services;
use crate::state::Action;
use crate::web;

#[function_component(Settings)]
pub fn settings() -> Html {
    let ctx = use_ctx();
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
            wasm_bindgen_futures::spawn_local(async move { services::set_lang(&storage, l).await });
        })
    };
    // Sign-out asks first: with how many records are not on the server yet (read again
    // from storage, not from the counts on screen) once "Đăng xuất" is tapped.
    let asking = use_state(|| None::<usize>);
    // The choices open at the bottom of the screen: brought into view.
    use_effect_with(*asking, |a| {
        if a.is_some() {
            web::scroll_to("sign-out");
        }
    });
    let ask = {
        let (asking, storage, c) = (asking.clone(), ctx.storage.clone(), ctx.state.counts);
        Callback::from(move |_| {
            let (asking, storage) = (asking.clone(), storage.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let counted = services::unsent(&storage).await;
                asking.set(Some(counted.unwrap_or(c.drafts + c.waiting + c.attention)));
            });
        })
    };
    let sign_out = |forget: bool| {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            let ctx = ctx.clone();
            let token = ctx.state.session.as_ref().map(|s| s.token.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let forgot = services::sign_out(&ctx.storage, token, forget).await;
                ctx.state.dispatch(Action::SignedOut { forgot });
                ctx.changed.emit(());
                web::navigate(&Route::SignIn);
            });
        })
    };
    let cancel = {
        let asking = asking.clone();
        Callback::from(move |_| asking.set(None))
    };
    let confirm = match *asking {
        None => html! { <button class="btn danger big" onclick={ask}>{ t.sign_out }</button> },
        Some(0) => html! {
            <div id="sign-out" class="sign-out" role="group" aria-label={t.sign_out}>
                <p>{ t.all_sent }</p>
                <p>{ i18n::forget_question(lang, ctx.state.counts.synced) }</p>
                <button class="btn danger big" onclick={sign_out(true)}>{ t.sign_out_forget }</button>
                <button class="btn secondary big" onclick={sign_out(false)}>{ t.sign_out_keep }</button>
                <button class="btn big" onclick={cancel}>{ t.cancel }</button>
            </div>
        },
        Some(n) => html! {
            <div id="sign-out" class="sign-out" role="group" aria-label={t.sign_out}>
                <p class="warn" role="alert">{ i18n::sign_out_warning(lang, n) }</p>
                <button class="btn danger big" onclick={sign_out(false)}>{ t.sign_out_anyway }</button>
                <button class="btn secondary big" onclick={cancel}>{ t.cancel }</button>
            </div>
        },
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
                { confirm }
            </section>
        </main>
    }
}
