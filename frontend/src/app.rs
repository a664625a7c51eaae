//! The shell: opens storage, owns the state reducer, runs the app-wide hooks and picks the
//! screen for the route.

use yew::prelude::*;

use crate::components::{
    form_screen::NewRecordPage, home::Home, record_view::RecordPage, records::Records, reports::Figures,
    settings::Settings, sign_in::SignIn, sync_bar::sync_bar, update_banner::update_banner,
};
use crate::context::Ctx;
use crate::hooks::{use_changed, use_online, use_route, use_storage, use_sync, use_update_signal};
use crate::i18n::texts;
use crate::route::Route;
use crate::state::State;

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(State::default);
    let opened = use_storage(&state);
    let storage = opened.clone().and_then(Result::ok);
    use_online(&state);
    use_route(&state);
    use_update_signal(&state);
    let sync = use_sync(&state, storage.clone());
    let changed = use_changed(&state, storage.clone());

    let t = texts(state.lang);
    let (Some(storage), true) = (storage, state.ready) else {
        let msg = if matches!(opened, Some(Err(()))) {
            "Trình duyệt không cho lưu dữ liệu (chế độ ẩn danh?). Hãy mở bằng Chrome thường."
        } else {
            t.loading
        };
        return html! { <main class="screen loading"><p>{ msg }</p></main> };
    };
    let ctx = Ctx { state: state.clone(), storage, sync, changed };
    // The banner, the sync bar and the bottom bar are functions of the state, not components:
    // a component type is kilobytes of lifecycle code in every phone's download.
    let (banner, bar, nav) = (update_banner(&ctx), signed_in_then(&ctx, sync_bar), signed_in_then(&ctx, nav));
    let signed_in = state.session.is_some();
    let screen = match (&state.route, signed_in) {
        (Route::Enroll(code), _) => html! { <SignIn enroll={Some(AttrValue::from(code.clone()))} /> },
        (Route::SignIn, _) | (_, false) => html! { <SignIn enroll={None::<AttrValue>} /> },
        (Route::Home | Route::NotFound, true) => html! { <Home /> },
        (Route::New(form_id), true) => html! { <NewRecordPage key={form_id.clone()} form_id={form_id.clone()} /> },
        (Route::Try(form_id), true) => {
            html! { <NewRecordPage key={format!("try-{form_id}")} form_id={form_id.clone()} draft=true /> }
        }
        (Route::Record(id), true) => html! { <RecordPage key={id.to_string()} id={*id} /> },
        (Route::Records, true) => html! { <Records /> },
        (Route::Settings, true) => html! { <Settings /> },
        (Route::MyWork, true) => html! { <Figures key="mine" mine=true /> },
        (Route::Reports, true) => html! { <Figures key="reports" mine=false /> },
    };
    html! {
        <ContextProvider<Ctx> context={ctx}>
            { banner }
            <header class="top">
                <a class="brand" href="#/">{ t.app_name }</a>
            </header>
            { bar }
            { screen }
            { nav }
        </ContextProvider<Ctx>>
    }
}

fn signed_in_then(ctx: &Ctx, view: fn(&Ctx) -> Html) -> Html {
    if ctx.state.session.is_some() {
        view(ctx)
    } else {
        Html::default()
    }
}

/// The bottom bar: within a thumb's reach on every screen.
fn nav(ctx: &Ctx) -> Html {
    let t = texts(ctx.state.lang);
    let at = &ctx.state.route;
    if matches!(at, Route::New(_) | Route::Try(_) | Route::Record(_)) {
        return html! {};
    }
    let item = |route: Route, label: &str| {
        let current = std::mem::discriminant(&route) == std::mem::discriminant(at)
            || (route == Route::Home && *at == Route::NotFound);
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
