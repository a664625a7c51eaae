//! A record's evidence photos (issue 16), fetched with the session's token (an `<img>` could
//! not send it) and shown from blob URLs, which are revoked when the record changes.

use forms::evidence::PhotoRef;
use forms::Lang;
use yew::prelude::*;

use crate::hooks::{use_load, Load};
use crate::state::use_ctx;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub record_id: AttrValue,
    pub photos: Vec<PhotoRef>,
    pub lang: Lang,
}

/// Blob URLs of fetched photos, revoked when dropped (a newer record replaces them).
pub struct ObjectUrls(Vec<(PhotoRef, String)>);

impl Drop for ObjectUrls {
    fn drop(&mut self) {
        for (_, url) in &self.0 {
            let _ = web_sys::Url::revoke_object_url(url);
        }
    }
}

#[function_component(RecordPhotos)]
pub fn record_photos(p: &Props) -> Html {
    let ctx = use_ctx();
    let loaded = use_load(&ctx, (p.record_id.clone(), p.photos.clone()), |api, (id, photos)| async move {
        let mut urls = ObjectUrls(Vec::new());
        for photo in photos {
            let blob = api.photo(&id, &photo.sha256).await?;
            if let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) {
                urls.0.push((photo, url));
            }
        }
        Ok(urls)
    });
    let (loading, missing) = match p.lang {
        Lang::Vi => ("Đang tải ảnh…", "Ảnh chưa về máy chủ (máy của cán bộ sẽ gửi khi có mạng)."),
        Lang::En => {
            ("Loading photos…", "The photos have not reached the server yet (the phone sends them when it has signal).")
        }
    };
    match &loaded.load {
        Load::Loading => html! { <p class="muted">{ loading }</p> },
        Load::Failed(_) => html! { <p class="muted">{ missing }</p> },
        Load::Ready(urls) => {
            html! { <div class="photo-row">{ for urls.0.iter().enumerate().map(|(i, (photo, url))| html! {
                <figure class="photo" key={photo.sha256.clone()}>
                    <a href={url.clone()} target="_blank" rel="noopener">
                        <img src={url.clone()} alt={format!("{} {}", if p.lang == Lang::Vi { "Ảnh" } else { "Photo" }, i + 1)} />
                    </a>
                    <figcaption>{ format!("{} KB", (photo.bytes + 512) / 1024) }</figcaption>
                </figure>
            }) }</div> }
        }
    }
}
