//! Sign in with user name and password, or with an enrolment code from a QR link. Needs a
//! connection once; afterwards the app works offline.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::context::use_ctx;
use crate::i18n::texts;
use crate::route::Route;
use crate::services;
use crate::state::Action;
use crate::web;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub enroll: Option<AttrValue>,
}

#[function_component(SignIn)]
pub fn sign_in(p: &Props) -> Html {
    let ctx = use_ctx();
    let t = texts(ctx.state.lang);
    let username = use_state(|| ctx.state.session.as_ref().map(|s| s.user.username.clone()).unwrap_or_default());
    let password = use_state(String::new);
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);

    let onsubmit = {
        let (ctx, username, password, busy, error) =
            (ctx.clone(), username.clone(), password.clone(), busy.clone(), error.clone());
        let enroll = p.enroll.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            busy.set(true);
            error.set(None);
            let (ctx, busy, error, enroll) = (ctx.clone(), busy.clone(), error.clone(), enroll.clone());
            let (user, pass) = ((*username).trim().to_owned(), (*password).clone());
            wasm_bindgen_futures::spawn_local(async move {
                let api = services::api(None);
                let device_id = ctx.state.device_id.clone();
                let result = match &enroll {
                    Some(code) => api.enroll(code, &device_id).await,
                    None => api.sign_in(&user, &pass, &device_id).await,
                };
                busy.set(false);
                match result {
                    Ok(session) => {
                        let session = services::sign_in(&ctx.storage, session).await;
                        ctx.state.dispatch(Action::SignedIn(session));
                        web::navigate(&Route::Home);
                    }
                    Err(e) => error.set(Some(services::error_text(ctx.state.lang, &e))),
                }
            });
        })
    };
    let bind = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: InputEvent| h.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let (title, intro, button) = match p.enroll {
        Some(_) => (t.enroll_title, t.enroll_intro, t.enroll_button),
        None => (t.sign_in_title, t.sign_in_intro, t.sign_in),
    };
    html! {
        <main class="screen sign-in">
            <h1>{ title }</h1>
            if ctx.state.session_expired { <p class="warn">{ t.session_expired }</p> }
            <p>{ intro }</p>
            <form {onsubmit} novalidate=true>
                if p.enroll.is_none() {
                    <label class="field">
                        <span class="label">{ t.username }</span>
                        <input type="text" autocomplete="username" autocapitalize="none" spellcheck="false"
                            value={(*username).clone()} oninput={bind(&username)} required=true />
                    </label>
                    <label class="field">
                        <span class="label">{ t.password }</span>
                        <input type="password" autocomplete="current-password"
                            value={(*password).clone()} oninput={bind(&password)} required=true />
                    </label>
                }
                if let Some(msg) = (*error).clone() { <p class="error" role="alert">{ msg }</p> }
                <div class="actions">
                    <button class="btn primary big" type="submit" disabled={*busy}>
                        { if *busy { t.signing_in } else { button } }
                    </button>
                </div>
            </form>
        </main>
    }
}
