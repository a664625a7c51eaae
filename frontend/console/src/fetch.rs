//! The browser's `fetch`, bare: one JSON request with a deadline, or a file to save. The
//! console's own (the phone's client in `sotay-device` is crate-private and tied to sync).

use std::time::Duration;

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Blob, Headers, RequestCache, RequestInit, Response};

/// What the server answered: the status and the body as text, or (a successful file) a blob.
pub struct Reply {
    pub status: u16,
    pub text: String,
    pub blob: Option<Blob>,
}

/// No answer came: the network failed or the deadline passed.
#[derive(Debug)]
pub struct NoAnswer;

pub struct Call<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub token: Option<&'a str>,
    pub json: Option<String>,
    pub timeout: Duration,
    /// Keep a successful body as a `Blob` (an XLSX file to save).
    pub file: bool,
    /// A file sent as the body, with its media type (a form definition to publish).
    pub upload: Option<(&'a Blob, &'a str)>,
}

impl Call<'_> {
    pub async fn send(self) -> Result<Reply, NoAnswer> {
        let window = web_sys::window().ok_or(NoAnswer)?;
        let abort = AbortController::new().map_err(|_| NoAnswer)?;
        let headers = Headers::new().map_err(|_| NoAnswer)?;
        headers.set("accept", "application/json").map_err(|_| NoAnswer)?;
        if let Some(token) = self.token {
            headers.set("authorization", &format!("Bearer {token}")).map_err(|_| NoAnswer)?;
        }
        let init = RequestInit::new();
        init.set_method(self.method);
        init.set_signal(Some(&abort.signal()));
        // People's names and records: never from (or into) the HTTP cache.
        init.set_cache(RequestCache::NoStore);
        if let Some(body) = &self.json {
            headers.set("content-type", "application/json").map_err(|_| NoAnswer)?;
            init.set_body(&JsValue::from_str(body));
        }
        if let Some((blob, media_type)) = self.upload {
            headers.set("content-type", media_type).map_err(|_| NoAnswer)?;
            init.set_body(blob);
        }
        init.set_headers(&headers);
        let on_timeout = Closure::once(move || abort.abort());
        let timer = window
            .set_timeout_with_callback_and_timeout_and_arguments(
                on_timeout.as_ref().unchecked_ref(),
                i32::try_from(self.timeout.as_millis()).unwrap_or(i32::MAX),
                &Array::new(),
            )
            .map_err(|_| NoAnswer)?;
        let result = read(window.fetch_with_str_and_init(self.url, &init), self.file).await;
        window.clear_timeout_with_handle(timer);
        drop(on_timeout);
        result
    }
}

async fn read(request: js_sys::Promise, file: bool) -> Result<Reply, NoAnswer> {
    let response: Response = JsFuture::from(request).await.map_err(|_| NoAnswer)?.dyn_into().map_err(|_| NoAnswer)?;
    let status = response.status();
    if file && (200..300).contains(&status) {
        let body = JsFuture::from(response.blob().map_err(|_| NoAnswer)?).await.map_err(|_| NoAnswer)?;
        return Ok(Reply { status, text: String::new(), blob: Some(body.dyn_into().map_err(|_| NoAnswer)?) });
    }
    let body = JsFuture::from(response.text().map_err(|_| NoAnswer)?).await.map_err(|_| NoAnswer)?;
    Ok(Reply { status, text: body.as_string().unwrap_or_default(), blob: None })
}
