//! Thin wrappers over browser APIs, so components never touch `web_sys` directly.

use wasm_bindgen::{JsCast, JsValue};

use crate::route::Route;

fn local_storage() -> Option<web_sys::Storage> {
    gloo::utils::window().local_storage().ok().flatten()
}

pub fn stored(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

pub fn store(key: &str, value: Option<&str>) {
    if let Some(s) = local_storage() {
        let _ = match value {
            Some(v) => s.set_item(key, v),
            None => s.remove_item(key),
        };
    }
}

pub fn path() -> String {
    gloo::utils::window().location().pathname().unwrap_or_default()
}

/// Goes to `route` without reloading: the history gets an entry (Back works), and the
/// keyboard's focus moves to the new screen (as a page load would put it at the top).
pub fn navigate(route: &Route) {
    if let Ok(history) = gloo::utils::window().history() {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&route.href()));
    }
    scroll_top();
    if let Some(main) = gloo::utils::document().get_element_by_id("main") {
        let _ = main.unchecked_ref::<web_sys::HtmlElement>().focus();
    }
}

pub fn scroll_top() {
    gloo::utils::window().scroll_to_with_x_and_y(0.0, 0.0);
}

pub fn confirm(message: &str) -> bool {
    gloo::utils::window().confirm_with_message(message).unwrap_or(false)
}

pub fn print() {
    let _ = gloo::utils::window().print();
}

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Sets the page's language (screen readers, hyphenation) and title.
pub fn set_lang(code: &str, title: &str) {
    if let Some(html) = gloo::utils::document().document_element() {
        let _ = html.set_attribute("lang", code);
    }
    gloo::utils::document().set_title(title);
}

/// Saves `blob` as a download named `name`.
pub fn save_file(blob: &web_sys::Blob, name: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else { return };
    if let Ok(a) = gloo::utils::document().create_element("a") {
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", name);
        a.unchecked_ref::<web_sys::HtmlElement>().click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The value of the input or select an event came from.
pub fn value_of(e: &Event) -> String {
    let target = e.target();
    if let Some(i) = target.as_ref().and_then(|t| t.dyn_ref::<web_sys::HtmlInputElement>()) {
        return i.value();
    }
    target.and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()).map(|s| s.value()).unwrap_or_default()
}

/// A file chosen in a file input, and its name.
#[derive(Clone, PartialEq)]
pub struct ChosenFile {
    pub file: web_sys::File,
    pub name: String,
}

/// The file chosen in the file input an event came from (the first, if several).
pub fn file_of(e: &Event) -> Option<ChosenFile> {
    let input = e.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    let file = input.files()?.get(0)?;
    Some(ChosenFile { name: file.name(), file })
}

pub fn checked_of(e: &Event) -> bool {
    e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).is_some_and(|i| i.checked())
}

/// A click on an in-app link: handled without a reload, unless the user asked for a new
/// tab or window (modifier keys, middle button).
pub fn follow(e: &web_sys::MouseEvent, route: &Route) -> bool {
    if e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key() || e.button() != 0 {
        return false;
    }
    e.prevent_default();
    navigate(route);
    true
}

use web_sys::Event;
