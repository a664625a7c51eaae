//! The browser's `fetch`, bare. The PWA talks JSON to one server, so it needs no URL
//! parser, header map or HTTP types: reqwest brought those (and their Unicode tables) to
//! every phone's first download, about a fifth of the app.

use std::time::Duration;

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Blob, Headers, ReadableWritablePair, RequestCache, RequestInit, Response};

/// Request bodies above this size go gzip-compressed: a push of 100 records shrinks about
/// sixfold, which on a 2G/3G link is most of the sync time. Smaller ones are not worth it.
const GZIP_OVER: usize = 2048;

#[wasm_bindgen]
extern "C" {
    /// The browser's `CompressionStream` (web-sys has it only behind its unstable flag).
    #[wasm_bindgen(js_name = CompressionStream)]
    type GzipStream;
    #[wasm_bindgen(constructor, js_class = "CompressionStream", catch)]
    fn new(format: &str) -> Result<GzipStream, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &GzipStream) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &GzipStream) -> web_sys::WritableStream;
}

/// `text` gzip-compressed by the browser; an error where `CompressionStream` is missing
/// (browsers before 2020), and the caller then sends the text as it is.
async fn gzip(text: &str) -> Result<Uint8Array, JsValue> {
    let blob = Blob::new_with_str_sequence(&Array::of1(&JsValue::from_str(text)))?;
    let gz = GzipStream::new("gzip")?;
    let compressed = blob.stream().pipe_through(&ReadableWritablePair::new(&gz.readable(), &gz.writable()));
    let buffer = JsFuture::from(Response::new_with_opt_readable_stream(Some(&compressed))?.array_buffer()?).await?;
    Ok(Uint8Array::new(&buffer))
}

/// One request: method, absolute URL, headers, optional JSON body, and a deadline that
/// covers reading the answer too.
pub(crate) struct Call<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: Vec<(&'static str, String)>,
    pub json: Option<String>,
    /// Or a file's bytes as they are (a photo; its type is the caller's header).
    pub blob: Option<Blob>,
    pub timeout: Duration,
    /// Skip the HTTP cache: a cached answer would hide that the device is offline.
    pub no_store: bool,
    /// A file to save (a report): a successful answer's body is kept as a `Blob`, not text.
    pub file: bool,
}

/// What the server answered: the status, the ETag and the whole body as text (or, for a
/// successful [`Call::file`], as a `Blob`, with `text` empty).
pub(crate) struct Reply {
    pub status: u16,
    pub etag: Option<String>,
    pub text: String,
    pub blob: Option<Blob>,
}

/// Why no answer came: the network failed, the deadline passed, or the page has no
/// `window` (a worker). The caller treats each as "offline, try later".
#[derive(Debug)]
pub(crate) struct NoAnswer;

impl Call<'_> {
    pub(crate) async fn send(self) -> Result<Reply, NoAnswer> {
        let window = web_sys::window().ok_or(NoAnswer)?;
        let abort = AbortController::new().map_err(|_| NoAnswer)?;
        let headers = Headers::new().map_err(|_| NoAnswer)?;
        for (name, value) in &self.headers {
            headers.set(name, value).map_err(|_| NoAnswer)?;
        }
        let init = RequestInit::new();
        init.set_method(self.method);
        init.set_signal(Some(&abort.signal()));
        if self.no_store {
            init.set_cache(RequestCache::NoStore);
        }
        if let Some(body) = &self.json {
            headers.set("content-type", "application/json").map_err(|_| NoAnswer)?;
            let compressed = if body.len() > GZIP_OVER { gzip(body).await.ok() } else { None };
            match compressed {
                Some(bytes) => {
                    headers.set("content-encoding", "gzip").map_err(|_| NoAnswer)?;
                    init.set_body(&bytes);
                }
                None => init.set_body(&JsValue::from_str(body)),
            }
        }
        if let Some(blob) = &self.blob {
            init.set_body(blob);
        }
        init.set_headers(&headers);

        // One deadline for the request and the body read alike; cleared once both are done.
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

async fn read(request: Promise, file: bool) -> Result<Reply, NoAnswer> {
    let response: Response = JsFuture::from(request).await.map_err(|_| NoAnswer)?.dyn_into().map_err(|_| NoAnswer)?;
    let etag = response.headers().get("etag").ok().flatten();
    let (status, mut text, mut blob) = (response.status(), String::new(), None);
    if file && (200..300).contains(&status) {
        let body = JsFuture::from(response.blob().map_err(|_| NoAnswer)?).await.map_err(|_| NoAnswer)?;
        blob = Some(body.dyn_into().map_err(|_| NoAnswer)?);
    } else {
        let body = JsFuture::from(response.text().map_err(|_| NoAnswer)?).await.map_err(|_| NoAnswer)?;
        text = body.as_string().unwrap_or_default();
    }
    Ok(Reply { status, etag, text, blob })
}
