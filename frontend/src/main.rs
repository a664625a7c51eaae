//! sotay PWA: forms rendered from definitions, records kept on the phone, synced when a
//! signal returns. See `ARCHITECTURE.md`.

mod app;
mod components;
mod context;
mod hooks;
mod i18n;
mod route;
mod services;
mod state;
mod summary;
mod web;

fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<app::App>::new().render();
    // Natively (workspace checks and tests) the app is only type-checked, never run.
    #[cfg(not(target_arch = "wasm32"))]
    let _ = yew::Renderer::<app::App>::new;
}
