//! "Danh mục" (admins only): the reference lists the server serves, the files they are made
//! of (each downloadable), and replacing one file by an upload named as it. A refused file
//! stores nothing and every problem is listed where it is (list and line).

use std::rc::Rc;

use forms::Lang;
use yew::prelude::*;

use crate::api::{Invalid, ReferenceListing};
use crate::components::{error_box, loaded};
use crate::dates::date_time;
use crate::hooks::{use_action, use_load};
use crate::i18n::form_screen::{mistake_message, mistake_place};
use crate::i18n::reference_screen::{self as words, reference_texts};
use crate::state::use_ctx;
use crate::web;

#[derive(Clone, PartialEq)]
enum Outcome {
    Replaced(String),
    Refused(Rc<Invalid>),
    NoFile,
}

#[function_component(ReferenceScreen)]
pub fn reference_screen() -> Html {
    let ctx = use_ctx();
    let (lang, rt) = (ctx.lang, reference_texts(ctx.lang));
    let list = use_load(&ctx, (), |api, ()| async move { api.reference().await });
    let upload = use_action(&ctx);
    let download = use_action(&ctx);
    let chosen = use_state(|| None::<web::ChosenFile>);
    let outcome = use_state(|| None::<Outcome>);
    let input_key = use_state(|| 0u32);

    let on_choose = {
        let (chosen, outcome) = (chosen.clone(), outcome.clone());
        Callback::from(move |e: Event| {
            chosen.set(web::file_of(&e));
            outcome.set(None);
        })
    };
    let on_upload = {
        let (chosen, outcome, upload, input_key) = (chosen.clone(), outcome.clone(), upload.clone(), input_key.clone());
        let reload = list.reload.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(file) = (*chosen).clone() else { return outcome.set(Some(Outcome::NoFile)) };
            let name = file.name.clone();
            if !(name.ends_with(".csv") || name == "lists.toml") {
                return outcome.set(Some(Outcome::NoFile));
            }
            outcome.set(None);
            let (chosen, outcome, input_key, reload) =
                (chosen.clone(), outcome.clone(), input_key.clone(), reload.clone());
            upload.run(
                move |api| async move { api.upload_reference(&file.name, &file.file).await },
                move |answer| match answer {
                    Ok(()) => {
                        outcome.set(Some(Outcome::Replaced(name)));
                        chosen.set(None);
                        input_key.set(*input_key + 1);
                        reload.emit(());
                    }
                    Err(invalid) => outcome.set(Some(Outcome::Refused(Rc::new(invalid)))),
                },
            );
        })
    };
    let on_download = {
        let download = download.clone();
        Callback::from(move |name: String| {
            let saved = name.clone();
            download.run(
                move |api| async move { api.reference_file(&name).await },
                move |blob| web::save_file(&blob, &saved),
            );
        })
    };
    let outcome_html = match (*outcome).clone() {
        Some(Outcome::Replaced(name)) => html! { <p class="flash" role="status">{ words::replaced(lang, &name) }</p> },
        Some(Outcome::Refused(invalid)) => problems(lang, &invalid),
        Some(Outcome::NoFile) => html! { <p class="error" role="alert">{ rt.need_file }</p> },
        None => html! {},
    };
    let busy = download.busy();
    html! {
        <section class="reference-lists">
            <h1>{ rt.nav }</h1>
            <p class="hint">{ rt.intro }</p>
            <form class="card upload-form" onsubmit={on_upload}>
                <h2>{ rt.upload_title }</h2>
                <label>{ rt.choose_file }
                    <input key={*input_key} type="file" accept=".csv,.toml,text/csv" onchange={on_choose} />
                </label>
                <p class="hint">{ rt.upload_hint }</p>
                <button class="btn primary big" type="submit" disabled={upload.busy()}>
                    { if upload.busy() { rt.uploading } else { rt.upload } }
                </button>
                if let Some(e) = upload.error() { { error_box(lang, &e, None) } }
                { outcome_html }
            </form>
            if let Some(e) = download.error() { { error_box(lang, &e, None) } }
            { loaded(lang, &list.load, &list.reload, |l| listing(lang, l, busy, &on_download)) }
        </section>
    }
}

fn listing(lang: Lang, listing: &ReferenceListing, busy: bool, on_download: &Callback<String>) -> Html {
    let rt = reference_texts(lang);
    html! {
        <>
            <h2>{ rt.lists_title }</h2>
            <div class="table-scroll">
                <table class="list">
                    <thead><tr>
                        <th scope="col">{ rt.list }</th><th scope="col">{ rt.version }</th>
                        <th scope="col" class="num">{ rt.size }</th>
                    </tr></thead>
                    <tbody>{ for listing.lists.iter().map(|l| html! {
                        <tr key={l.id.clone()}>
                            <td data-label={rt.list}>{ l.title.get(lang).to_owned() }{ " " }<code>{ l.id.clone() }</code></td>
                            <td data-label={rt.version}>{ l.version.clone() }</td>
                            <td data-label={rt.size} class="num">{ l.size }</td>
                        </tr>
                    }) }</tbody>
                </table>
            </div>
            <h2>{ rt.files_title }</h2>
            <div class="table-scroll">
                <table class="list">
                    <thead><tr>
                        <th scope="col">{ rt.file }</th><th scope="col">{ rt.origin }</th>
                        <th scope="col">{ rt.updated }</th><th scope="col">{ rt.download }</th>
                    </tr></thead>
                    <tbody>{ for listing.files.iter().map(|f| {
                        let (on_download, name) = (on_download.clone(), f.name.clone());
                        html! {
                            <tr key={f.name.clone()}>
                                <td data-label={rt.file}><code>{ f.name.clone() }</code></td>
                                <td data-label={rt.origin}>
                                    { if f.origin == "upload" { rt.uploaded } else { rt.bundled } }
                                </td>
                                <td data-label={rt.updated}>{ date_time(f.updated_at) }</td>
                                <td data-label={rt.download}>
                                    <button type="button" class="btn small" disabled={busy}
                                        onclick={move |_| on_download.emit(name.clone())}>{ rt.download }</button>
                                </td>
                            </tr>
                        }
                    }) }</tbody>
                </table>
            </div>
        </>
    }
}

/// Every problem of a refused file, where it is and what is wrong.
fn problems(lang: Lang, invalid: &Invalid) -> Html {
    let rt = reference_texts(lang);
    html! {
        <div class="mistakes" role="alert">
            <p class="error">{ invalid.message.get(lang).to_owned() }</p>
            <p class="hint">{ rt.fix_and_retry }</p>
            <ul>{ for invalid.errors.iter().map(|m| html! {
                <li><strong>{ mistake_place(lang, m) }</strong>{ ": " }{ mistake_message(lang, m) }</li>
            }) }</ul>
        </div>
    }
}
