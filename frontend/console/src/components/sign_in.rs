//! Sign-in with the same accounts as the phones, and the page a collector gets instead of
//! the console.

use yew::prelude::*;

use crate::api::ApiError;
use crate::components::error_box;
use crate::hooks;
use crate::i18n::{texts, NOT_PERMITTED_EN, NOT_PERMITTED_TITLE_EN, NOT_PERMITTED_TITLE_VI, NOT_PERMITTED_VI};
use crate::state::use_ctx;
use crate::web;

#[function_component(SignIn)]
pub fn sign_in() -> Html {
    let ctx = use_ctx();
    let t = texts(ctx.lang);
    let (username, password) = (use_state(String::new), use_state(String::new));
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let onsubmit = {
        let (ctx, username, password, busy, error) =
            (ctx.clone(), username.clone(), password.clone(), busy.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            busy.set(true);
            let (busy, error) = (busy.clone(), error.clone());
            let done = Callback::from(move |e: Option<ApiError>| {
                busy.set(false);
                error.set(e);
            });
            hooks::sign_in(&ctx, username.trim().to_lowercase(), (*password).clone(), done);
        })
    };
    let set = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: InputEvent| h.set(web::value_of(&e)))
    };
    html! {
        <form class="card sign-in" {onsubmit}>
            <h1>{ t.sign_in_title }</h1>
            <p>{ t.sign_in_intro }</p>
            if ctx.expired {
                <p class="warn" role="status">{ t.session_expired }</p>
            }
            <label for="username">{ t.username }</label>
            <input id="username" autocomplete="username" autocapitalize="none" spellcheck="false" required=true
                value={(*username).clone()} oninput={set(&username)} />
            <label for="password">{ t.password }</label>
            <input id="password" type="password" autocomplete="current-password" required=true
                value={(*password).clone()} oninput={set(&password)} />
            if let Some(e) = &*error {
                { error_box(ctx.lang, e, None) }
            }
            <button class="btn primary big" type="submit" disabled={*busy}>
                { if *busy { t.signing_in } else { t.sign_in } }
            </button>
        </form>
    }
}

/// For a collector: the console is not theirs. Both languages, whatever was chosen.
#[function_component(NotPermitted)]
pub fn not_permitted() -> Html {
    let ctx = use_ctx();
    let t = texts(ctx.lang);
    let sign_out = {
        let ctx = ctx.clone();
        Callback::from(move |_| hooks::sign_out(&ctx))
    };
    html! {
        <section class="card not-permitted" role="alert">
            <h1 lang="vi">{ NOT_PERMITTED_TITLE_VI }</h1>
            <p lang="vi">{ NOT_PERMITTED_VI }</p>
            <h2 lang="en">{ NOT_PERMITTED_TITLE_EN }</h2>
            <p lang="en">{ NOT_PERMITTED_EN }</p>
            <div class="actions">
                <a class="btn primary" href="/">{ t.open_pwa }</a>
                <button class="btn" onclick={sign_out}>{ t.sign_out }</button>
            </div>
        </section>
    }
}
