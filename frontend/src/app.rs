//! The shell: opens storage, owns the state reducer, runs the app-wide hooks and picks the
//! screen for the route.

use std::rc::Rc;

use device::Storage;
use yew::prelude::*;

use crate::components::{
    form_screen::NewRecordPage, home::Home, record_view::RecordPage, records::Records, reports::Figures,
    settings::Settings, sign_in::SignIn, sync_bar::SyncBar, update_banner::UpdateBanner,
};
use crate::hooks::{use_online, use_route, use_sync, use_update_signal};
use crate::i18n::texts;
use crate::route::Route;
use crate::services;
use crate::state::{Action, State};

/// What every screen gets from the shell.
#[derive(Clone)]
pub struct Ctx {
    pub state: UseReducerHandle<State>,
    pub storage: Rc<Storage>,
    /// Start a sync now.
    pub sync: Callback<()>,
    /// Stored records changed: reload counts and lists.
    pub changed: Callback<()>,
}

impl PartialEq for Ctx {
    fn eq(&self, o: &Self) -> bool {
        self.state == o.state && Rc::ptr_eq(&self.storage, &o.storage)
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(State::default);
    let storage = use_state(|| None::<Rc<Storage>>);
    let failed = use_state(|| false);
    {
        let (state, storage, failed) = (state.clone(), storage.clone(), failed.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match Storage::open().await {
                    Ok(s) => {
                        let s = Rc::new(s);
                        let boot = services::boot(&s).await;
                        if let Ok(c) = s.counts().await {
                            state.dispatch(Action::Counts(c));
                        }
                        storage.set(Some(s));
                        state.dispatch(Action::Loaded {
                            lang: boot.lang,
                            device_id: boot.device_id,
                            session: boot.session,
                            catalog: boot.catalog,
                            last_sync: boot.last_sync,
                        });
                    }
                    Err(e) => {
                        gloo::console::error!(format!("storage: {e}"));
                        failed.set(true);
                    }
                }
            });
        });
    }
    use_online(&state);
    use_route(&state);
    use_update_signal(&state);
    let sync = use_sync(&state, (*storage).clone());
    let changed = {
        let (state, storage) = (state.clone(), storage.clone());
        Callback::from(move |()| {
            state.dispatch(Action::DataChanged);
            if let Some(s) = (*storage).clone() {
                let d = state.dispatcher();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(c) = s.counts().await {
                        d.dispatch(Action::Counts(c));
                    }
                });
            }
        })
    };

    let t = texts(state.lang);
    let (Some(storage), true) = ((*storage).clone(), state.ready) else {
        let msg = if *failed {
            "Trình duyệt không cho lưu dữ liệu (chế độ ẩn danh?). Hãy mở bằng Chrome thường."
        } else {
            t.loading
        };
        return html! { <main class="screen loading"><p>{ msg }</p></main> };
    };
    let ctx = Ctx { state: state.clone(), storage, sync, changed };
    let signed_in = state.session.is_some();
    let screen = match (&state.route, signed_in) {
        (Route::Enroll(code), _) => html! { <SignIn enroll={Some(AttrValue::from(code.clone()))} /> },
        (Route::SignIn, _) | (_, false) => html! { <SignIn enroll={None::<AttrValue>} /> },
        (Route::Home | Route::NotFound, true) => html! { <Home /> },
        (Route::New(form_id), true) => html! { <NewRecordPage key={form_id.clone()} form_id={form_id.clone()} /> },
        (Route::Record(id), true) => html! { <RecordPage key={id.to_string()} id={*id} /> },
        (Route::Records, true) => html! { <Records /> },
        (Route::Settings, true) => html! { <Settings /> },
        (Route::MyWork, true) => html! { <Figures key="mine" mine=true /> },
        (Route::Reports, true) => html! { <Figures key="reports" mine=false /> },
    };
    html! {
        <ContextProvider<Ctx> context={ctx}>
            <UpdateBanner />
            <header class="top">
                <a class="brand" href="#/">{ t.app_name }</a>
            </header>
            if signed_in { <SyncBar /> }
            { screen }
            if signed_in { <Nav route={state.route.clone()} /> }
        </ContextProvider<Ctx>>
    }
}

#[derive(Properties, PartialEq)]
struct NavProps {
    route: Route,
}

/// The bottom bar: within a thumb's reach on every screen.
#[function_component(Nav)]
fn nav(p: &NavProps) -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let t = texts(ctx.state.lang);
    if matches!(p.route, Route::New(_) | Route::Record(_)) {
        return html! {};
    }
    let item = |route: Route, label: &str| {
        let current = std::mem::discriminant(&route) == std::mem::discriminant(&p.route)
            || (route == Route::Home && p.route == Route::NotFound);
        html! { <a class={classes!("nav-item", current.then_some("current"))} href={route.href()}>{ label }</a> }
    };
    html! {
        <nav class="bottom-nav">
            { item(Route::Home, t.home) }
            { item(Route::Records, t.records) }
            { item(Route::Settings, t.settings) }
        </nav>
    }
}
