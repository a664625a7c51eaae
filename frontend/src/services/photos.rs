//! Evidence on the phone (issue 16): a picture from the camera or the gallery made small
//! enough to send over a weak link, and the phone's position.
//!
//! A photo is drawn onto a canvas at most 1600 px on its long side and encoded as JPEG,
//! lowering the quality (then the size) until it is about 250 KB or less: a sign-in sheet
//! stays readable. Re-encoding keeps only the pixels, so the camera's EXIF block (model,
//! time, GPS position) never leaves the phone; a form that needs the place asks for it
//! with a geopoint question. The JPEG is stored beside its record ([`Storage::put_photo`])
//! and the record's answer names it by its SHA-256.

use device::{Storage, StorageError};
use forms::evidence::{GeoPoint, PhotoRef};
use js_sys::{ArrayBuffer, Promise, Uint8Array};
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement, ImageBitmap};

/// Long side of a stored photo, in pixels: handwriting on an A4 sheet stays legible.
pub const LONG_SIDE: u32 = 1600;
/// What a stored photo should weigh at most, in bytes.
pub const TARGET_BYTES: f64 = 250_000.0;
/// JPEG qualities tried in turn, at full size and then at 3/4 size.
const QUALITIES: [f64; 4] = [0.8, 0.7, 0.6, 0.5];

#[derive(Debug, Clone, PartialEq)]
pub enum PhotoError {
    /// The file is not a picture the browser can read.
    NotAnImage,
    /// The phone's storage is full: nothing was stored, the record is kept.
    Full,
    Failed(String),
}

impl From<JsValue> for PhotoError {
    fn from(e: JsValue) -> Self {
        PhotoError::Failed(format!("{e:?}"))
    }
}

impl From<StorageError> for PhotoError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Full => PhotoError::Full,
            other => PhotoError::Failed(other.to_string()),
        }
    }
}

/// A picture the officer chose, made small, stored for `record_id` and named.
pub async fn keep(storage: &Storage, record_id: Uuid, picture: &Blob) -> Result<PhotoRef, PhotoError> {
    let jpeg = compress(picture).await?;
    let sha256 = sha256_hex(&jpeg).await?;
    storage.put_photo(record_id, &sha256, &jpeg).await?;
    Ok(PhotoRef { sha256, bytes: jpeg.size() as u64 })
}

/// A photo this phone does not hold, read from the server (online, signed in); `None`
/// when it cannot be had now (offline, not there yet, not the user's to see).
pub async fn from_server(token: Option<String>, photo: &device::storage::PhotoKey) -> Option<Blob> {
    super::api(token).photo(photo).await.ok()
}

/// The picture as a JPEG of at most [`LONG_SIDE`] px and about [`TARGET_BYTES`].
pub async fn compress(picture: &Blob) -> Result<Blob, PhotoError> {
    let window = web_sys::window().ok_or(PhotoError::NotAnImage)?;
    // Decoded with the camera's orientation applied (the browser's default).
    let bitmap = JsFuture::from(window.create_image_bitmap_with_blob(picture)?)
        .await
        .map_err(|_| PhotoError::NotAnImage)?
        .unchecked_into::<ImageBitmap>();
    let (w, h) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    let mut best: Option<Blob> = None;
    for scale in [1.0, 0.75] {
        let fit = (f64::from(LONG_SIDE) / w.max(h)).min(1.0) * scale;
        let canvas = draw(&bitmap, (w * fit).round().max(1.0), (h * fit).round().max(1.0))?;
        for quality in QUALITIES {
            let jpeg = to_jpeg(&canvas, quality).await?;
            let small_enough = jpeg.size() <= TARGET_BYTES;
            best = Some(jpeg);
            if small_enough {
                bitmap.close();
                return best.ok_or(PhotoError::NotAnImage);
            }
        }
    }
    bitmap.close();
    // Still larger (a very busy picture): the smallest tried, well under the server's 1 MB.
    best.ok_or(PhotoError::NotAnImage)
}

fn draw(bitmap: &ImageBitmap, w: f64, h: f64) -> Result<HtmlCanvasElement, PhotoError> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or(PhotoError::NotAnImage)?;
    let canvas: HtmlCanvasElement = document.create_element("canvas")?.unchecked_into();
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    let context: CanvasRenderingContext2d = canvas.get_context("2d")?.ok_or(PhotoError::NotAnImage)?.unchecked_into();
    context.draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, w, h)?;
    Ok(canvas)
}

async fn to_jpeg(canvas: &HtmlCanvasElement, quality: f64) -> Result<Blob, PhotoError> {
    let canvas = canvas.clone();
    let promise = Promise::new(&mut |resolve, _reject| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        });
        let _ = canvas.to_blob_with_type_and_encoder_options(done.unchecked_ref(), "image/jpeg", &quality.into());
    });
    let blob = JsFuture::from(promise).await?;
    blob.dyn_into::<Blob>().map_err(|_| PhotoError::Failed("canvas gave no JPEG".into()))
}

/// Lower-case hex SHA-256 of the blob's bytes, by the browser's own crypto.
pub async fn sha256_hex(blob: &Blob) -> Result<String, PhotoError> {
    let window = web_sys::window().ok_or(PhotoError::NotAnImage)?;
    let buffer: ArrayBuffer = JsFuture::from(blob.array_buffer()).await?.unchecked_into();
    let digest =
        JsFuture::from(window.crypto()?.subtle().digest_with_str_and_buffer_source("SHA-256", &buffer)?).await?;
    let bytes = Uint8Array::new(&digest).to_vec();
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionError {
    /// The officer (or the phone's settings) did not allow it.
    Denied,
    /// No fix: indoors, GPS off, or it took too long.
    Unavailable,
}

/// The phone's position now, as precise as it can (GPS), waiting at most 30 s.
pub async fn position() -> Result<GeoPoint, PositionError> {
    let geolocation =
        web_sys::window().and_then(|w| w.navigator().geolocation().ok()).ok_or(PositionError::Unavailable)?;
    let promise = Promise::new(&mut |resolve, reject| {
        let options = web_sys::PositionOptions::new();
        options.set_enable_high_accuracy(true);
        options.set_timeout(30_000);
        options.set_maximum_age(0);
        let ok = Closure::once_into_js(move |p: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &p);
        });
        let failed = Closure::once_into_js(move |e: JsValue| {
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        let _ = geolocation.get_current_position_with_error_callback_and_options(
            ok.unchecked_ref(),
            Some(failed.unchecked_ref()),
            &options,
        );
    });
    match JsFuture::from(promise).await {
        Ok(p) => {
            // `Position` is the stable binding of what browsers now call GeolocationPosition.
            let coords = p.unchecked_into::<web_sys::Position>().coords();
            Ok(GeoPoint { lat: coords.latitude(), lon: coords.longitude(), accuracy: Some(coords.accuracy().round()) })
        }
        Err(e) => {
            let code = js_sys::Reflect::get(&e, &JsValue::from_str("code")).ok().and_then(|c| c.as_f64());
            Err(if code == Some(f64::from(web_sys::PositionError::PERMISSION_DENIED)) {
                PositionError::Denied
            } else {
                PositionError::Unavailable
            })
        }
    }
}
