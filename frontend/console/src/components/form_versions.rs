//! "Biểu mẫu" (admins only): every published version of every form, newest first within
//! each, each downloadable as an XLSForm workbook or sotay TOML, withdrawn ("Ngừng dùng")
//! or restored ("Dùng lại") after a confirmation; and a new version from one of those
//! files, uploaded as a draft for testers ("Tải lên bản thử", listed by `form_drafts`) or
//! published at once. A file with mistakes stores nothing: every mistake is listed where it is,
//! and the file stays chosen to send again.

use std::rc::Rc;

use forms::Lang;
use yew::prelude::*;

use crate::api::{media_type, FormVersion, FormVersions, Invalid, Published};
use crate::components::form_drafts::FormDraftsList;
use crate::components::{error_box, loaded};
use crate::hooks::{use_action, use_load};
use crate::i18n::form_screen::{self as words, form_texts};
use crate::state::use_ctx;
use crate::web;

/// What the last upload ("Tải lên bản thử" or "Tải lên và phát hành") came to (besides a refusal).
#[derive(Clone, PartialEq)]
enum Outcome {
    Published(Published),
    Drafted(Published),
    Invalid(Rc<Invalid>),
    NoFile,
    WrongFile,
}

#[function_component(FormsScreen)]
pub fn forms_screen() -> Html {
    let ctx = use_ctx();
    let (lang, ft) = (ctx.lang, form_texts(ctx.lang));
    let list = use_load(&ctx, (), |api, ()| async move { api.form_versions().await });
    let upload = use_action(&ctx);
    let download = use_action(&ctx);
    let state_act = use_action(&ctx);
    // "Đã ngừng dùng … phiên bản 2": the last withdrawal or restoration done.
    let state_done = use_state(|| None::<String>);
    let chosen = use_state(|| None::<web::ChosenFile>);
    let outcome = use_state(|| None::<Outcome>);
    // A new key empties the file input once its file is published.
    let input_key = use_state(|| 0u32);

    let on_choose = {
        let (chosen, outcome) = (chosen.clone(), outcome.clone());
        Callback::from(move |e: Event| {
            chosen.set(web::file_of(&e));
            outcome.set(None);
        })
    };
    // Moves with every draft uploaded: the drafts' list reads again.
    let drafted = use_state(|| 0u32);
    let send = {
        let (chosen, outcome, upload, input_key) = (chosen.clone(), outcome.clone(), upload.clone(), input_key.clone());
        let (reload, drafted) = (list.reload.clone(), drafted.clone());
        Callback::from(move |draft: bool| {
            let Some(file) = (*chosen).clone() else { return outcome.set(Some(Outcome::NoFile)) };
            let Some(media) = media_type(&file.name) else { return outcome.set(Some(Outcome::WrongFile)) };
            outcome.set(None);
            let (chosen, outcome, input_key, reload, drafted) =
                (chosen.clone(), outcome.clone(), input_key.clone(), reload.clone(), drafted.clone());
            upload.run(
                move |api| async move { api.upload_form(&file.file, media, draft).await },
                move |answer| match answer {
                    Ok(published) => {
                        chosen.set(None);
                        input_key.set(*input_key + 1);
                        if draft {
                            outcome.set(Some(Outcome::Drafted(published)));
                            drafted.set(*drafted + 1);
                        } else {
                            outcome.set(Some(Outcome::Published(published)));
                            reload.emit(());
                        }
                    }
                    Err(invalid) => outcome.set(Some(Outcome::Invalid(Rc::new(invalid)))),
                },
            );
        })
    };
    let on_publish = {
        let send = send.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            send.emit(false);
        })
    };
    let on_draft = Callback::from(move |_: MouseEvent| send.emit(true));
    let on_download = {
        let download = download.clone();
        Callback::from(move |(form_id, version, shape): (String, u32, &'static str)| {
            let extension = if shape == "xlsform" { "xlsx" } else { "toml" };
            let name = format!("{form_id}-v{version}.{extension}");
            download.run(
                move |api| async move { api.form_file(&form_id, version, shape).await },
                move |blob| web::save_file(&blob, &name),
            );
        })
    };

    let on_state = {
        let (state_act, state_done, reload) = (state_act.clone(), state_done.clone(), list.reload.clone());
        Callback::from(move |(form_id, version, title, withdraw): (String, u32, String, bool)| {
            let question = match withdraw {
                true => words::confirm_withdraw(lang, &title, version),
                false => words::confirm_restore(lang, &title, version),
            };
            if !web::confirm(&question) {
                return;
            }
            state_done.set(None);
            let (state_done, reload) = (state_done.clone(), reload.clone());
            state_act.run(
                move |api| async move { api.set_form_withdrawn(&form_id, version, withdraw).await },
                move |()| {
                    state_done.set(Some(words::state_changed(lang, &title, version, withdraw)));
                    reload.emit(());
                },
            );
        })
    };
    let buttons = Buttons { busy: download.busy() || state_act.busy(), download: on_download, state: on_state };

    let listed = match &list.load {
        crate::hooks::Load::Ready(l) => Some(l.clone()),
        _ => None,
    };
    let outcome_html = match (*outcome).clone() {
        Some(Outcome::Published(p)) => {
            let title = title_of(lang, listed.as_deref(), &p.form_id, p.version);
            html! { <p class="flash" role="status">{ words::published(lang, &title, p.version) }</p> }
        }
        Some(Outcome::Drafted(p)) => {
            let title = title_of(lang, listed.as_deref(), &p.form_id, p.version);
            let text = words::draft_uploaded(lang, &title, p.version, p.test_records_deleted);
            html! { <p class="flash" role="status">{ text }</p> }
        }
        Some(Outcome::Invalid(invalid)) => mistakes(lang, &invalid),
        Some(Outcome::NoFile) => html! { <p class="error" role="alert">{ ft.need_file }</p> },
        Some(Outcome::WrongFile) => html! { <p class="error" role="alert">{ ft.wrong_file }</p> },
        None => html! {},
    };
    html! {
        <section class="form-versions">
            <h1>{ ft.nav }</h1>
            <p class="hint">{ ft.intro }</p>
            <form class="card upload-form" onsubmit={on_publish}>
                <h2>{ ft.upload_title }</h2>
                <label>{ ft.choose_file }
                    <input key={*input_key} type="file" onchange={on_choose}
                        accept={format!(".xlsx,.toml,{},{}", crate::api::XLSX_MEDIA_TYPE, crate::api::TOML_MEDIA_TYPE)} />
                </label>
                <p class="hint">{ ft.upload_hint }</p>
                <p class="hint">{ ft.upload_draft_hint }</p>
                <span class="two-buttons">
                    <button class="btn primary big" type="button" disabled={upload.busy()} onclick={on_draft}>
                        { ft.upload_draft }
                    </button>
                    <button class="btn big" type="submit" disabled={upload.busy()}>
                        { if upload.busy() { ft.publishing } else { ft.publish } }
                    </button>
                </span>
                if upload.busy() {
                    <p class="loading" role="status"><progress></progress>{ " " }{ ft.publishing }</p>
                }
                if let Some(e) = upload.error() { { error_box(lang, &e, None) } }
                { outcome_html }
            </form>
            if let Some(e) = download.error() { { error_box(lang, &e, None) } }
            if let Some(e) = state_act.error() { { error_box(lang, &e, None) } }
            if let Some(done) = (*state_done).clone() { <p class="flash" role="status">{ done }</p> }
            <FormDraftsList generation={*drafted} on_published={list.reload.clone()} />
            { loaded(lang, &list.load, &list.reload, |l| versions(lang, l, &buttons)) }
        </section>
    }
}

/// A published version's title in `lang`: that version's, another version's of the same
/// form while the list catches up, or the form's id.
fn title_of(lang: Lang, list: Option<&FormVersions>, form_id: &str, version: u32) -> String {
    let rows = list.map(|l| l.forms.as_slice()).unwrap_or_default();
    let same = rows.iter().filter(|f| f.form_id == form_id);
    let best = same.clone().find(|f| f.version == version).or_else(|| same.max_by_key(|f| f.version));
    best.map(|f| f.title.get(lang)).filter(|t| !t.is_empty()).unwrap_or(form_id).to_owned()
}

/// The versions by form (in the server's order of forms), newest version first in each.
fn grouped(rows: &[FormVersion]) -> Vec<(&str, Vec<&FormVersion>)> {
    let mut groups: Vec<(&str, Vec<&FormVersion>)> = Vec::new();
    for row in rows {
        match groups.iter_mut().find(|(id, _)| *id == row.form_id) {
            Some((_, versions)) => versions.push(row),
            None => groups.push((&row.form_id, vec![row])),
        }
    }
    for (_, versions) in &mut groups {
        versions.sort_by_key(|f| std::cmp::Reverse(f.version));
    }
    groups
}

/// What a version's buttons do.
struct Buttons {
    /// A download or a withdrawal is on its way: every button waits.
    busy: bool,
    /// (form, version, `xlsform` or `toml`).
    download: Callback<(String, u32, &'static str)>,
    /// (form, version, title, withdraw or restore): asks first.
    state: Callback<(String, u32, String, bool)>,
}

fn versions(lang: Lang, list: &FormVersions, buttons: &Buttons) -> Html {
    let ft = form_texts(lang);
    if list.forms.is_empty() {
        return html! { <p class="empty">{ ft.empty }</p> };
    }
    let busy = buttons.busy;
    let file = |f: &FormVersion, shape: &'static str, label: &'static str| {
        let (on_download, id, version) = (buttons.download.clone(), f.form_id.clone(), f.version);
        html! {
            <button type="button" class="btn small" disabled={busy}
                onclick={move |_| on_download.emit((id.clone(), version, shape))}>{ label }</button>
        }
    };
    // "Ngừng dùng" for a version in use, "Dùng lại" for a withdrawn one.
    let state = |f: &FormVersion| {
        let withdraw = !f.withdrawn;
        let (on_state, id, version) = (buttons.state.clone(), f.form_id.clone(), f.version);
        let title = f.title.get(lang).to_owned();
        let title = if title.is_empty() { id.clone() } else { title };
        html! {
            <button type="button" class={classes!("btn", "small", withdraw.then_some("danger"))} disabled={busy}
                onclick={move |_| on_state.emit((id.clone(), version, title.clone(), withdraw))}>
                { if withdraw { ft.withdraw } else { ft.restore } }
            </button>
        }
    };
    let row = |f: &FormVersion| {
        html! {
            <tr>
                <td data-label={ft.version} class="num">{ f.version }</td>
                <td data-label={ft.title}>{ f.title.get(lang).to_owned() }</td>
                <td data-label={ft.questions} class="num">{ f.questions }</td>
                <td data-label={ft.status}>
                    if f.withdrawn { <span class="badge">{ ft.withdrawn }</span> }
                    else { <span class="badge ok">{ ft.in_use }</span> }
                </td>
                <td data-label={ft.files}>
                    <span class="two-buttons">
                        { file(f, "xlsform", ft.download_xlsform) }{ file(f, "toml", ft.download_toml) }
                    </span>
                </td>
                <td data-label={ft.actions}>{ state(f) }</td>
            </tr>
        }
    };
    html! {
        { for grouped(&list.forms).into_iter().map(|(id, versions)| html! {
            <section class="form-group" key={id.to_owned()}>
                <h2>{ versions[0].title.get(lang).to_owned() }{ " " }<code>{ id.to_owned() }</code></h2>
                <p class="count">{ words::n_versions(lang, versions.len()) }</p>
                <div class="table-scroll">
                    <table class="list">
                        <thead><tr>
                            <th scope="col" class="num">{ ft.version }</th><th scope="col">{ ft.title }</th>
                            <th scope="col" class="num">{ ft.questions }</th><th scope="col">{ ft.status }</th>
                            <th scope="col">{ ft.files }</th><th scope="col">{ ft.actions }</th>
                        </tr></thead>
                        <tbody>{ for versions.into_iter().map(row) }</tbody>
                    </table>
                </div>
            </section>
        }) }
    }
}

/// Every mistake of a refused file, where it is and what is wrong, in `lang`.
fn mistakes(lang: Lang, invalid: &Invalid) -> Html {
    let ft = form_texts(lang);
    html! {
        <div class="mistakes" role="alert">
            <p class="error">{ invalid.message.get(lang).to_owned() }</p>
            <p class="hint">{ ft.fix_and_retry }</p>
            <div class="table-scroll">
                <table class="list">
                    <thead><tr><th scope="col">{ ft.position }</th><th scope="col">{ ft.mistake }</th></tr></thead>
                    <tbody>{ for invalid.errors.iter().map(|m| html! {
                        <tr>
                            <td data-label={ft.position}>{ words::mistake_place(lang, m) }</td>
                            <td data-label={ft.mistake}>{ words::mistake_message(lang, m) }</td>
                        </tr>
                    }) }</tbody>
                </table>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use yew::virtual_dom::VNode;

    use super::*;

    /// The text of `html` as a browser would lay it out: each cell and paragraph on its line.
    fn text(node: &VNode, out: &mut String) {
        match node {
            VNode::VTag(tag) => {
                if let Some(children) = tag.children() {
                    text(children, out);
                }
                if matches!(tag.tag(), "td" | "th" | "p" | "tr" | "button") {
                    out.push('\n');
                }
            }
            VNode::VText(t) => out.push_str(&t.text),
            VNode::VList(list) => list.iter().for_each(|n| text(n, out)),
            _ => {}
        }
    }

    fn rendered(html: &Html) -> Vec<String> {
        let mut out = String::new();
        text(html, &mut out);
        out.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
    }

    #[test]
    fn every_mistake_is_shown_where_it_is() {
        let body = r#"{"error":"definition_invalid","message":{"vi":"Biểu mẫu có 4 lỗi; chưa có gì được lưu.","en":"The form has 4 mistakes; nothing was stored."},"errors":[
            {"sheet":"survey","row":12,"column":"D","header":"constraint","code":"expression","message_vi":"Biểu thức không đọc được","message_en":"The expression does not parse"},
            {"line":3,"code":"toml","message_vi":"Tệp TOML chưa đúng","message_en":"Bad TOML"},
            {"field":"participants","attribute":"relevant","column":5,"code":"definition","message_vi":"Biểu mẫu chưa đúng: x","message_en":"x"},
            {"sheet":"","code":"unreadable","message_vi":"Không đọc được tệp","message_en":"Not a workbook"}]}"#;
        let invalid = crate::api::invalid(400, body).unwrap();
        let vi = rendered(&mistakes(Lang::Vi, &invalid));
        assert_eq!(vi[0], "Biểu mẫu có 4 lỗi; chưa có gì được lưu.");
        assert_eq!(&vi[2..4], ["Vị trí", "Lỗi"]);
        assert_eq!(
            &vi[4..],
            [
                "Trang survey, dòng 12, cột D (constraint)",
                "Biểu thức không đọc được",
                "Dòng 3",
                "Tệp TOML chưa đúng",
                "Câu hỏi participants, ký tự 5 (relevant)",
                "Biểu mẫu chưa đúng: x",
                "Cả tệp",
                "Không đọc được tệp",
            ]
        );
        let en = rendered(&mistakes(Lang::En, &invalid));
        assert_eq!(en[0], "The form has 4 mistakes; nothing was stored.");
        assert_eq!(
            &en[4..],
            [
                "Sheet survey, row 12, column D (constraint)",
                "The expression does not parse",
                "Line 3",
                "Bad TOML",
                "Question participants, character 5 (relevant)",
                "x",
                "The whole file",
                "Not a workbook",
            ]
        );
    }

    fn no_buttons() -> Buttons {
        Buttons { busy: false, download: Callback::noop(), state: Callback::noop() }
    }

    fn version(form_id: &str, version: u32, vi: &str) -> FormVersion {
        FormVersion {
            form_id: form_id.into(),
            version,
            title: forms::Localized::new(vi, "en"),
            withdrawn: false,
            questions: 3,
        }
    }

    #[test]
    fn versions_by_form_newest_first() {
        let rows = [version("a", 1, "A1"), version("b", 1, "B1"), version("a", 3, "A3"), version("a", 2, "A2")];
        let got: Vec<(&str, Vec<u32>)> =
            grouped(&rows).into_iter().map(|(id, v)| (id, v.iter().map(|f| f.version).collect())).collect();
        assert_eq!(got, [("a", vec![3, 2, 1]), ("b", vec![1])]);
        let list = FormVersions { catalog_version: String::new(), forms: rows.to_vec() };
        assert_eq!(title_of(Lang::Vi, Some(&list), "a", 2), "A2");
        assert_eq!(title_of(Lang::Vi, Some(&list), "a", 4), "A3", "the list not caught up yet");
        assert_eq!(title_of(Lang::Vi, None, "new_form", 1), "new_form");
        let words = rendered(&versions(Lang::Vi, &list, &no_buttons()));
        assert!(words.contains(&"Đang dùng".to_owned()) && words.contains(&"Tải XLSForm".to_owned()), "{words:?}");
        let empty = FormVersions { catalog_version: String::new(), forms: vec![] };
        assert_eq!(
            rendered(&versions(Lang::En, &empty, &no_buttons())),
            ["The server has no form yet. Upload the first one above."]
        );
    }

    #[test]
    fn a_version_in_use_is_withdrawn_and_a_withdrawn_one_restored() {
        let mut old = version("outreach_event", 1, "Truyền thông");
        old.withdrawn = true;
        let list = FormVersions {
            catalog_version: String::new(),
            forms: vec![old, version("outreach_event", 2, "Truyền thông")],
        };
        let vi = rendered(&versions(Lang::Vi, &list, &no_buttons()));
        // Newest first: version 2 in use (withdraw), then version 1 withdrawn (restore).
        let row = |n: &str| vi.iter().position(|l| l == n).unwrap();
        assert!(row("Đang dùng") < row("Ngừng dùng") && row("Ngừng dùng") < row("Đã ngừng dùng"), "{vi:?}");
        assert!(row("Đã ngừng dùng") < row("Dùng lại"), "{vi:?}");
        assert!(vi.contains(&"Thao tác".to_owned()), "{vi:?}");
        let en = rendered(&versions(Lang::En, &list, &no_buttons()));
        assert!(en.contains(&"Withdraw".to_owned()) && en.contains(&"Restore".to_owned()), "{en:?}");

        let q = words::confirm_withdraw(Lang::Vi, "Truyền thông", 2);
        assert!(
            q.starts_with("Ngừng dùng Truyền thông phiên bản 2?") && q.contains("phiếu đã ghi vẫn sửa được"),
            "{q}"
        );
        let q = words::confirm_restore(Lang::En, "Outreach", 1);
        assert!(q.starts_with("Restore Outreach version 1?"), "{q}");
        assert_eq!(
            words::state_changed(Lang::Vi, "Truyền thông", 2, true),
            "Đã ngừng dùng Truyền thông phiên bản 2. Điện thoại sẽ nhận khi đồng bộ."
        );
        assert!(words::state_changed(Lang::En, "Outreach", 1, false).starts_with("Restored Outreach version 1."));
    }
}
