//! Thin wrappers over browser APIs, so components never touch `web_sys` directly.

use std::ops::Deref;
use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};

use crate::route::Route;

/// An `Rc` compared by identity: cheap props for big shared data (catalog, records).
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

pub fn current_hash() -> String {
    gloo::utils::window().location().hash().unwrap_or_default()
}

pub fn navigate(route: &Route) {
    let _ = gloo::utils::window().location().set_hash(&route.href());
}

/// Changes the address without a navigation: a new record keeps its screen while typing,
/// but a reload reopens it by id.
pub fn replace_url(route: &Route) {
    if let Ok(history) = gloo::utils::window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&route.href()));
    }
}

pub fn is_online() -> bool {
    gloo::utils::window().navigator().on_line()
}

pub fn confirm(message: &str) -> bool {
    gloo::utils::window().confirm_with_message(message).unwrap_or(false)
}

/// The text of the `<input>` (or `<textarea>`) with this id (empty if there is none).
pub fn input_value(id: &str) -> String {
    let input = gloo::utils::document().get_element_by_id(id);
    input.map(|e| e.unchecked_into::<web_sys::HtmlInputElement>().value()).unwrap_or_default()
}

/// Whether the checkbox with this id is ticked (false if there is none).
pub fn is_checked(id: &str) -> bool {
    let input = gloo::utils::document().get_element_by_id(id);
    input.is_some_and(|e| e.unchecked_into::<web_sys::HtmlInputElement>().checked())
}

pub fn scroll_to(id: &str) {
    if let Some(el) = gloo::utils::document().get_element_by_id(id) {
        el.scroll_into_view();
    }
}

pub fn scroll_top() {
    gloo::utils::window().scroll_to_with_x_and_y(0.0, 0.0);
}

/// Today in Vietnam (UTC+7), whatever the phone's time zone.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&forms::dates::vietnam_offset()).date_naive()
}

/// Saves `blob` as a download named `name`: an object URL clicked through a detached
/// `<a download>`. The URL is released at once: the click parsed it, and a parsed blob URL
/// keeps its blob (a timer to release it later would cost every phone a closure's glue).
pub fn save_file(blob: &web_sys::Blob, name: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else { return };
    if let Ok(a) = gloo::utils::document().create_element("a") {
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", name);
        a.unchecked_ref::<web_sys::HtmlElement>().click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Prints the document of the frame with this id (its own page, not the app around it).
pub fn print_frame(id: &str) {
    let get = |o: &JsValue, key: &str| js_sys::Reflect::get(o, &key.into()).ok();
    let frame = gloo::utils::document().get_element_by_id(id).map(JsValue::from);
    if let Some(window) = frame.and_then(|f| get(&f, "contentWindow")) {
        if let Some(print) = get(&window, "print") {
            let _ = print.unchecked_ref::<js_sys::Function>().call0(&window);
        }
    }
}

pub fn random_unit() -> f64 {
    js_sys::Math::random()
}

async fn storage_call(persist: bool) -> Option<bool> {
    let storage = gloo::utils::window().navigator().storage();
    let promise = if persist { storage.persist() } else { storage.persisted() }.ok()?;
    wasm_bindgen_futures::JsFuture::from(promise).await.ok()?.as_bool()
}

/// Asks the browser not to evict the app's data under storage pressure.
pub async fn request_persist() -> Option<bool> {
    storage_call(true).await
}

pub async fn is_persisted() -> Option<bool> {
    storage_call(false).await
}

/// Whether `index.html` has seen a new service worker waiting to take over.
pub fn update_waiting() -> bool {
    js_sys::Reflect::get(&gloo::utils::window(), &"sotayUpdateWaiting".into()).is_ok_and(|v| v.is_truthy())
}

/// Tells the waiting service worker to take over; `index.html` reloads on `controllerchange`.
pub fn apply_update() {
    let window = gloo::utils::window();
    if let Ok(f) = js_sys::Reflect::get(&window, &"sotayApplyUpdate".into()) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call0(&window);
        }
    }
}

/// Folds Vietnamese diacritics and case, so "Ba Na" finds "Ba Na" and "ba-na" alike.
pub fn fold(text: &str) -> String {
    const GROUPS: [(&str, char); 6] = [
        ("àáạảãâầấậẩẫăằắặẳẵ", 'a'),
        ("èéẹẻẽêềếệểễ", 'e'),
        ("ìíịỉĩ", 'i'),
        ("òóọỏõôồốộổỗơờớợởỡ", 'o'),
        ("ùúụủũưừứựửữ", 'u'),
        ("ỳýỵỷỹ", 'y'),
    ];
    forms::localized::lowercase(text)
        .chars()
        .map(|c| match c {
            'đ' => 'd',
            '-' => ' ',
            c => GROUPS.iter().find(|(set, _)| set.contains(c)).map_or(c, |(_, base)| *base),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn folds_vietnamese() {
        assert_eq!(super::fold("Xơ-đăng"), "xo dang");
        assert_eq!(super::fold("HRÊ"), "hre");
    }
}
