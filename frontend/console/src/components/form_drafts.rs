//! The drafts on the "Biểu mẫu" screen: each form's draft ("Bản thử") that admins and
//! testers have on their phones, with the test records made so far; "Phát hành" publishes
//! it under the version it was drafted as, "Hủy bản thử" deletes it and its test records
//! (after a confirmation). Shown only while there is a draft.

use forms::Lang;
use yew::prelude::*;

use crate::api::{DraftChanged, FormDraft, FormDrafts};
use crate::components::error_box;
use crate::dates::date_time;
use crate::hooks::{use_action, use_load, Load};
use crate::i18n::form_screen::{self as words, form_texts};
use crate::state::use_ctx;
use crate::web;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Moves when a draft was uploaded: the list is read again.
    pub generation: u32,
    /// A draft was published: the versions' list is read again.
    pub on_published: Callback<()>,
}

#[function_component(FormDraftsList)]
pub fn form_drafts_list(p: &Props) -> Html {
    let ctx = use_ctx();
    let lang = ctx.lang;
    let list = use_load(&ctx, p.generation, |api, _| async move { api.form_drafts().await });
    let act = use_action(&ctx);
    let done = use_state(|| None::<String>);

    let on_act = {
        let (act, done, reload, on_published) =
            (act.clone(), done.clone(), list.reload.clone(), p.on_published.clone());
        Callback::from(move |(draft, publish): (FormDraft, bool)| {
            let title = title(lang, &draft);
            let question = match publish {
                true => words::confirm_publish_draft(lang, &title, draft.version),
                false => words::confirm_discard_draft(lang, &title, draft.test_records),
            };
            if !web::confirm(&question) {
                return;
            }
            done.set(None);
            let (done, reload, on_published) = (done.clone(), reload.clone(), on_published.clone());
            let form_id = draft.form_id.clone();
            act.run(
                move |api| async move {
                    match publish {
                        true => api.publish_draft(&form_id).await,
                        false => api.discard_draft(&form_id).await,
                    }
                },
                move |changed: DraftChanged| {
                    done.set(Some(match publish {
                        true => words::draft_published(lang, &title, changed.version),
                        false => words::draft_discarded(lang, &title, changed.test_records_deleted),
                    }));
                    reload.emit(());
                    if publish {
                        on_published.emit(());
                    }
                },
            );
        })
    };

    let drafts = match &list.load {
        Load::Ready(l) => l.clone(),
        _ => std::rc::Rc::new(FormDrafts { drafts: Vec::new() }),
    };
    html! {
        <>
            if let Some(e) = act.error() { { error_box(lang, &e, None) } }
            if let Some(msg) = (*done).clone() { <p class="flash" role="status">{ msg }</p> }
            if !drafts.drafts.is_empty() { { table(lang, &drafts.drafts, act.busy(), &on_act) } }
        </>
    }
}

fn title(lang: Lang, draft: &FormDraft) -> String {
    let title = draft.title.get(lang);
    if title.is_empty() {
        draft.form_id.clone()
    } else {
        title.to_owned()
    }
}

fn table(lang: Lang, drafts: &[FormDraft], busy: bool, on_act: &Callback<(FormDraft, bool)>) -> Html {
    let ft = form_texts(lang);
    let button = |d: &FormDraft, publish: bool| {
        let (on_act, d) = (on_act.clone(), d.clone());
        html! {
            <button type="button" class={classes!("btn", "small", if publish { "primary" } else { "danger" })}
                disabled={busy} onclick={move |_| on_act.emit((d.clone(), publish))}>
                { if publish { ft.publish_draft } else { ft.discard_draft } }
            </button>
        }
    };
    html! {
        <section class="form-drafts card">
            <h2>{ ft.drafts_title }</h2>
            <p class="hint">{ ft.drafts_hint }</p>
            <div class="table-scroll">
                <table class="list">
                    <thead><tr>
                        <th scope="col">{ ft.title }</th><th scope="col" class="num">{ ft.version }</th>
                        <th scope="col" class="num">{ ft.questions }</th><th scope="col">{ ft.uploaded }</th>
                        <th scope="col" class="num">{ ft.test_records }</th><th scope="col">{ ft.actions }</th>
                    </tr></thead>
                    <tbody>{ for drafts.iter().map(|d| html! {
                        <tr key={d.form_id.clone()}>
                            <td data-label={ft.title}>
                                <span class="badge warn">{ ft.draft_badge }</span>{ " " }{ title(lang, d) }{ " " }
                                <code>{ d.form_id.clone() }</code>
                            </td>
                            <td data-label={ft.version} class="num">{ d.version }</td>
                            <td data-label={ft.questions} class="num">{ d.questions }</td>
                            <td data-label={ft.uploaded}>{ date_time(d.uploaded_at) }</td>
                            <td data-label={ft.test_records} class="num">{ d.test_records }</td>
                            <td data-label={ft.actions}>
                                <span class="two-buttons">{ button(d, true) }{ button(d, false) }</span>
                            </td>
                        </tr>
                    }) }</tbody>
                </table>
            </div>
        </section>
    }
}
