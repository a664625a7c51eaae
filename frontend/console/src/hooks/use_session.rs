//! The session: kept in localStorage (the console is used at a desk, signed in for the day),
//! checked with `GET /me` (a stored role is never trusted), and the catalog loaded once.

use std::rc::Rc;

use forms::Lang;
use gloo::events::EventListener;
use yew::prelude::*;

use crate::api::{ApiError, Session};
use crate::route::Route;
use crate::state::{Action, Ctx};
use crate::web;

const SESSION_KEY: &str = "sotay-console-session";
const LANG_KEY: &str = "sotay-console-lang";
const DEVICE_KEY: &str = "sotay-console-device";

pub fn stored_session() -> Option<Session> {
    serde_json::from_str(&web::stored(SESSION_KEY)?).ok()
}

pub fn stored_lang() -> Lang {
    match web::stored(LANG_KEY).as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Vi,
    }
}

/// This browser's id for the server (`console-<uuid>`), made once and kept.
pub fn device_id() -> String {
    if let Some(id) = web::stored(DEVICE_KEY) {
        return id;
    }
    let id = format!("console-{}", web::new_id());
    web::store(DEVICE_KEY, Some(&id));
    id
}

/// Writes the session and language through to localStorage; follows Back and Forward.
#[hook]
pub fn use_session_storage(ctx: &Ctx) {
    let session = ctx.session.clone();
    use_effect_with(session, |session| {
        let text = session.as_ref().and_then(|s| serde_json::to_string(&**s).ok());
        web::store(SESSION_KEY, text.as_deref());
    });
    use_effect_with(ctx.lang, |lang| web::store(LANG_KEY, Some(if *lang == Lang::En { "en" } else { "vi" })));
    let dispatcher = ctx.dispatcher();
    use_effect_with((), move |_| {
        let listener = EventListener::new(&gloo::utils::window(), "popstate", move |_| {
            dispatcher.dispatch(Action::Route(Route::parse(&web::path())));
        });
        move || drop(listener)
    });
}

/// Asks the server who this session is, once per token. What failed (no answer) and a retry.
#[hook]
pub fn use_me(ctx: &Ctx) -> (Option<ApiError>, Callback<()>) {
    let error = use_state(|| None::<ApiError>);
    let again = use_state(|| 0u32);
    {
        let (ctx, error) = (ctx.clone(), error.clone());
        let token = ctx.session.as_ref().map(|s| s.token.clone());
        use_effect_with((token, *again), move |(token, _)| {
            if token.is_none() {
                return;
            }
            error.set(None);
            let api = ctx.api();
            wasm_bindgen_futures::spawn_local(async move {
                match api.me().await {
                    Ok(me) => ctx.dispatch(Action::Checked(me)),
                    Err(ApiError::Unauthorized) => ctx.dispatch(Action::Expired),
                    Err(e) => error.set(Some(e)),
                }
            });
        });
    }
    ((*error).clone(), Callback::from(move |_| again.set(*again + 1)))
}

/// Loads the catalog (form definitions, unit lists) once the session is checked.
#[hook]
pub fn use_catalog(ctx: &Ctx) -> Option<ApiError> {
    let error = use_state(|| None::<ApiError>);
    {
        let (ctx, error) = (ctx.clone(), error.clone());
        let wanted = ctx.checked && ctx.catalog.is_none();
        use_effect_with(wanted, move |wanted| {
            if !*wanted {
                return;
            }
            let api = ctx.api();
            wasm_bindgen_futures::spawn_local(async move {
                match api.catalog().await {
                    Ok(bundle) => ctx.dispatch(Action::Catalog(Rc::new(bundle))),
                    Err(e) => error.set(Some(e)),
                }
            });
        });
    }
    (*error).clone()
}

/// Signs in; `done` gets the error to show, if any.
pub fn sign_in(ctx: &Ctx, username: String, password: String, done: Callback<Option<ApiError>>) {
    let (ctx, api) = (ctx.clone(), ctx.api());
    wasm_bindgen_futures::spawn_local(async move {
        match api.sign_in(&username, &password, &device_id()).await {
            Ok(session) => {
                done.emit(None);
                ctx.dispatch(Action::SignedIn(session));
            }
            Err(e) => done.emit(Some(e)),
        }
    });
}

/// Ends the session here and on the server (if it answers; the token is forgotten anyway).
pub fn sign_out(ctx: &Ctx) {
    let api = ctx.api();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = api.sign_out().await;
    });
    ctx.dispatch(Action::SignedOut);
}

/// Goes to `route` (a new history entry).
pub fn go(ctx: &Ctx, route: Route) {
    web::navigate(&route);
    ctx.dispatch(Action::Route(route));
}
