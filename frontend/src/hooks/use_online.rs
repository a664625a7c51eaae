//! Browser events turned into state: online/offline, the hash route, a waiting update.

use gloo::events::EventListener;
use yew::prelude::*;

use crate::route::Route;
use crate::state::{Action, State};
use crate::web;

/// Keeps `state.online` in step with the browser's `online` / `offline` events.
#[hook]
pub fn use_online(state: &UseReducerHandle<State>) {
    let dispatcher = state.dispatcher();
    use_effect_with((), move |_| {
        dispatcher.dispatch(Action::Online(web::is_online()));
        let window = gloo::utils::window();
        let d = dispatcher.clone();
        let on = EventListener::new(&window, "online", move |_| d.dispatch(Action::Online(true)));
        let off = EventListener::new(&window, "offline", move |_| dispatcher.dispatch(Action::Online(false)));
        move || drop((on, off))
    });
}

/// Keeps `state.route` in step with the address's hash.
#[hook]
pub fn use_route(state: &UseReducerHandle<State>) {
    let dispatcher = state.dispatcher();
    use_effect_with((), move |_| {
        dispatcher.dispatch(Action::Route(Route::parse(&web::current_hash())));
        let listener = EventListener::new(&gloo::utils::window(), "hashchange", move |_| {
            dispatcher.dispatch(Action::Route(Route::parse(&web::current_hash())));
            web::scroll_top();
        });
        move || drop(listener)
    });
}

/// Raises `state.update_waiting` when `index.html` reports a new service worker.
#[hook]
pub fn use_update_signal(state: &UseReducerHandle<State>) {
    let dispatcher = state.dispatcher();
    use_effect_with((), move |_| {
        if web::update_waiting() {
            dispatcher.dispatch(Action::UpdateWaiting);
        }
        let listener = EventListener::new(&gloo::utils::window(), "sotay-update", move |_| {
            dispatcher.dispatch(Action::UpdateWaiting)
        });
        move || drop(listener)
    });
}
