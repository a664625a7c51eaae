//! The photo and GPS questions (issue 16). A photo is taken or picked, made small, stored
//! beside the record and shown as a thumbnail; the answer names it by its hash. A position
//! comes from the phone's GPS with its accuracy shown, a retry, and "skip" unless required.

use forms::evidence::{geopoint_json, photos_json, read_geopoint, read_photos, PhotoRef, MAX_PHOTOS_PER_FIELD};
use forms::Lang;
use serde_json::Value as Json;
use uuid::Uuid;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::context::use_ctx;
use crate::i18n::evidence::texts;
use crate::services::photos::{self, PhotoError, PositionError};

#[derive(Properties, PartialEq)]
pub struct PhotoProps {
    pub lang: Lang,
    pub input_id: AttrValue,
    pub record_id: Uuid,
    pub value: Option<Json>,
    pub max_photos: u32,
    pub invalid: bool,
    /// The whole new answer (`None`: no photo left).
    pub on_change: Callback<Option<Json>>,
}

fn photo_refs(value: Option<&Json>) -> Vec<PhotoRef> {
    value.and_then(|v| read_photos(v, MAX_PHOTOS_PER_FIELD).ok()).unwrap_or_default()
}

fn answer(photos: Vec<PhotoRef>) -> Option<Json> {
    (!photos.is_empty()).then(|| photos_json(&photos))
}

/// Photo hash → blob URL. A list, not a map: a field holds a few photos, and a map type of
/// its own would be code every phone downloads.
#[derive(Clone, Default, PartialEq)]
struct Thumbnails(Vec<(String, String)>);

impl Thumbnails {
    fn get(&self, sha256: &str) -> Option<&String> {
        self.0.iter().find(|(h, _)| h == sha256).map(|(_, url)| url)
    }
}

/// The photos' blob URLs for thumbnails, made from what the phone holds — or, online, from
/// the server for a photo it does not (another phone's, or one let go after it was sent) —
/// and revoked when the list changes or the question goes away.
#[hook]
fn use_thumbnails(record_id: Uuid, hashes: Vec<String>) -> Thumbnails {
    let ctx = use_ctx();
    let urls = use_state(Thumbnails::default);
    // Not re-run when the link comes and goes (that would drop the server's copies shown
    // and read them all again): tried when the list is first shown online.
    let token = ctx.state.session.as_ref().map(|s| s.token.clone());
    let online = ctx.state.online;
    {
        let urls = urls.clone();
        use_effect_with((hashes, token), move |(hashes, token)| {
            let token = token.clone();
            let hashes = hashes.clone();
            let live = std::rc::Rc::new(std::cell::Cell::new(true));
            let made = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
            {
                let (live, made) = (live.clone(), made.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let mut map = Thumbnails::default();
                    let mut missing = Vec::new();
                    let show = |map: &mut Thumbnails, sha256: String, blob: web_sys::Blob| {
                        if let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) {
                            made.borrow_mut().push(url.clone());
                            map.0.push((sha256, url));
                        }
                    };
                    for sha256 in hashes {
                        let key = device::storage::PhotoKey { record_id, sha256 };
                        match ctx.storage.photo_blob(&key).await {
                            Ok(Some(blob)) => show(&mut map, key.sha256, blob),
                            _ => missing.push(key),
                        }
                    }
                    // The phone's own first: a slow link must not hold them back.
                    if live.get() {
                        urls.set(map.clone());
                        if token.is_some() && online {
                            for key in missing {
                                if let Some(blob) = photos::from_server(token.clone(), &key).await {
                                    show(&mut map, key.sha256, blob);
                                }
                            }
                        }
                    }
                    if live.get() {
                        urls.set(map);
                    } else {
                        // Gone meanwhile: what was made after the clean-up ran goes too.
                        revoke(&made.borrow());
                    }
                });
            }
            move || {
                live.set(false);
                revoke(&made.borrow());
            }
        });
    }
    (*urls).clone()
}

fn revoke(urls: &[String]) {
    for url in urls {
        let _ = web_sys::Url::revoke_object_url(url);
    }
}

#[function_component(PhotoField)]
pub fn photo_field(p: &PhotoProps) -> Html {
    let ctx = use_ctx();
    let t = texts(p.lang);
    let refs = photo_refs(p.value.as_ref());
    let thumbnails = use_thumbnails(p.record_id, refs.iter().map(|r| r.sha256.clone()).collect());
    let busy = use_state(|| false);
    let problem = use_state(|| None::<PhotoError>);

    let on_file = {
        let (busy, problem, storage) = (busy.clone(), problem.clone(), ctx.storage.clone());
        let (on_change, refs, record_id, max) = (p.on_change.clone(), refs.clone(), p.record_id, p.max_photos as usize);
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            // The same file picked again must fire `change` again.
            input.set_value("");
            let (busy, problem, storage, on_change, mut refs) =
                (busy.clone(), problem.clone(), storage.clone(), on_change.clone(), refs.clone());
            busy.set(true);
            problem.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                match photos::keep(&storage, record_id, &file).await {
                    Ok(photo) => {
                        if !refs.contains(&photo) {
                            // A full field: the newest replaces the last.
                            if refs.len() >= max {
                                refs.truncate(max.saturating_sub(1));
                            }
                            refs.push(photo);
                        }
                        on_change.emit(answer(refs));
                    }
                    Err(e) => {
                        if let PhotoError::Failed(why) = &e {
                            gloo::console::error!(format!("photo not kept: {why}"));
                        }
                        problem.set(Some(e));
                    }
                }
                busy.set(false);
            });
        })
    };
    let problem_text = (*problem).as_ref().map(|e| match e {
        PhotoError::NotAnImage => t.not_an_image,
        PhotoError::Full => t.full,
        PhotoError::Failed(_) => t.failed,
    });
    let photo = |(i, r): (usize, &PhotoRef)| {
        let remove = {
            let (on_change, storage, refs, record_id) =
                (p.on_change.clone(), ctx.storage.clone(), refs.clone(), p.record_id);
            let sha256 = r.sha256.clone();
            Callback::from(move |_| {
                let kept: Vec<PhotoRef> = refs.iter().filter(|x| x.sha256 != sha256).cloned().collect();
                let key = device::storage::PhotoKey { record_id, sha256: sha256.clone() };
                let storage = storage.clone();
                // Only a photo the server never had leaves the phone.
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = storage.remove_photo(&key).await;
                });
                on_change.emit(answer(kept));
            })
        };
        let kb = (r.bytes + 512) / 1024;
        html! { <figure class="photo" key={r.sha256.clone()}>
            if let Some(url) = thumbnails.get(&r.sha256) {
                <img src={url.clone()} alt={format!("{} {}", t.take, i + 1)} />
            } else {
                <div class="photo-missing">{ t.elsewhere }</div>
            }
            <figcaption>{ format!("{kb} KB") }</figcaption>
            <button type="button" class="btn small" onclick={remove}>{ t.remove }</button>
        </figure> }
    };
    let room = refs.len() < p.max_photos as usize || p.max_photos == 1;
    html! { <div class={classes!("photos", p.invalid.then_some("invalid"))} id={p.input_id.clone()}>
        if !refs.is_empty() { <div class="photo-row">{ for refs.iter().enumerate().map(photo) }</div> }
        if *busy { <p class="hint" role="status">{ t.working }</p> }
        if let Some(text) = problem_text { <p class="error" role="alert">{ text }</p> }
        if room && !*busy {
            <div class="choice-row">
                <label class="btn primary">{ t.take }
                    <input type="file" accept="image/*" capture="environment" class="visually-hidden" onchange={on_file.clone()} />
                </label>
                <label class="btn">{ t.pick }
                    <input type="file" accept="image/*" class="visually-hidden" onchange={on_file} />
                </label>
            </div>
        }
    </div> }
}

#[derive(Properties, PartialEq)]
pub struct PhotoListProps {
    pub lang: Lang,
    pub record_id: Uuid,
    pub value: Json,
}

/// A stored record's photos, read-only: thumbnails of those the phone holds, or online
/// of those the server has.
#[function_component(PhotoList)]
pub fn photo_list(p: &PhotoListProps) -> Html {
    let t = texts(p.lang);
    let refs = photo_refs(Some(&p.value));
    let thumbnails = use_thumbnails(p.record_id, refs.iter().map(|r| r.sha256.clone()).collect());
    html! { <div class="photo-row">{ for refs.iter().map(|r| html! {
        <figure class="photo" key={r.sha256.clone()}>
            if let Some(url) = thumbnails.get(&r.sha256) {
                <a href={url.clone()} target="_blank"><img src={url.clone()} alt={t.take} /></a>
            } else {
                <div class="photo-missing">{ t.elsewhere }</div>
            }
            <figcaption>{ format!("{} KB", (r.bytes + 512) / 1024) }</figcaption>
        </figure>
    }) }</div> }
}

#[derive(Properties, PartialEq)]
pub struct GeoProps {
    pub lang: Lang,
    pub input_id: AttrValue,
    pub value: Option<Json>,
    pub required: bool,
    pub on_change: Callback<Option<Json>>,
}

#[function_component(GeoField)]
pub fn geo_field(p: &GeoProps) -> Html {
    let t = texts(p.lang);
    let point = p.value.as_ref().and_then(|v| read_geopoint(v).ok());
    let busy = use_state(|| false);
    let problem = use_state(|| None::<PositionError>);
    let locate = {
        let (busy, problem, on_change) = (busy.clone(), problem.clone(), p.on_change.clone());
        Callback::from(move |_| {
            let (busy, problem, on_change) = (busy.clone(), problem.clone(), on_change.clone());
            busy.set(true);
            problem.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                match photos::position().await {
                    Ok(point) => on_change.emit(Some(geopoint_json(&point))),
                    Err(e) => problem.set(Some(e)),
                }
                busy.set(false);
            });
        })
    };
    let skip = {
        let (problem, on_change) = (problem.clone(), p.on_change.clone());
        Callback::from(move |_| {
            problem.set(None);
            on_change.emit(None);
        })
    };
    let shown = match point {
        Some(g) => forms::evidence::position_text(&g, p.lang),
        None => t.no_position.to_owned(),
    };
    html! { <div class="geopoint" id={p.input_id.clone()}>
        <output class="computed">{ shown }</output>
        if *busy { <p class="hint" role="status">{ t.locating }</p> }
        if let Some(e) = *problem {
            <p class="error" role="alert">{ if e == PositionError::Denied { t.denied } else { t.unavailable } }</p>
        }
        if !*busy {
            <div class="choice-row">
                <button type="button" class="btn primary" onclick={locate}>
                    { if point.is_some() { t.relocate } else { t.locate } }
                </button>
                if !p.required && (point.is_some() || problem.is_some()) {
                    <button type="button" class="btn" onclick={skip}>{ t.skip }</button>
                }
            </div>
        }
    </div> }
}
