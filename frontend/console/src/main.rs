//! sotay province console: users, enrolment, phones, who has reported and records, for the
//! admins and supervisors of the provincial Department of Home Affairs. Online only; a Yew
//! app of its own under `/console/`, so the collectors' PWA downloads none of it. See
//! `ARCHITECTURE.md` and `docs/console-api.md`.

mod api;
mod app;
mod communes;
mod components;
mod dates;
mod fetch;
mod hooks;
mod i18n;
mod query;
mod route;
mod state;
mod web;

fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<app::App>::new().render();
    // Natively (workspace checks and tests) the app is only type-checked, never run.
    #[cfg(not(target_arch = "wasm32"))]
    let _ = yew::Renderer::<app::App>::new;
}
