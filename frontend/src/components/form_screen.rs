//! A form, drawn from its definition alone: sections, fields, skip logic, live checks,
//! autosave as a draft, and "Hoàn thành" which validates fully and queues the record.

use std::collections::HashMap;
use std::rc::Rc;

use chrono::Utc;
use device::{LocalRecord, SyncState};
use forms::definition::FieldType;
use forms::expr::{eval, Env, Expr, Value};
use forms::{ErrorCode, FieldError, FieldValue, Form, Localized, Location, Mode, RecordStatus};
use serde_json::{Map, Value as Json};
use yew::prelude::*;

use crate::components::count_grid;
use crate::components::fields::{self, Edit, FieldView};
use crate::context::{use_ctx, Ctx};
use crate::hooks::use_autosave;
use crate::i18n::{texts, EN, VI};
use crate::route::Route;
use crate::services;
use crate::state::Action;
use crate::web::{self, Shared};

#[derive(Properties, PartialEq)]
pub struct NewProps {
    pub form_id: String,
    /// The form's draft rather than its newest published version: a test record.
    #[prop_or_default]
    pub draft: bool,
}

/// `#/new/<form_id>`: a fresh record of the newest version of the form (`#/try/<form_id>`:
/// of its draft, for testers).
#[function_component(NewRecordPage)]
pub fn new_record_page(p: &NewProps) -> Html {
    let ctx = use_ctx();
    let catalog = ctx.state.catalog.clone();
    let session = ctx.state.session.clone();
    let fresh = use_state(|| {
        let catalog = catalog.as_ref()?;
        let form = if p.draft { catalog.draft(&p.form_id)? } else { catalog.latest(&p.form_id)? };
        Some(Shared(Rc::new(services::new_record(form, session.as_ref()?, &ctx.state.device_id))))
    });
    match (*fresh).clone() {
        Some(initial) => html! { <FormScreen {initial} is_new=true /> },
        None => html! { <main class="screen"><p class="warn">{ texts(ctx.state.lang).unknown_form }</p></main> },
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub initial: Shared<LocalRecord>,
    pub is_new: bool,
}

#[derive(Clone, PartialEq)]
struct Model {
    values: Map<String, Json>,
    raw: HashMap<String, String>,
    location: Location,
    /// From the last "Hoàn thành" (or the server's reasons): shown until the field is edited.
    errors: Vec<FieldError>,
    seq: u32,
    saved_seq: u32,
}

enum Msg {
    Edit(Edit),
    Location(String),
    Errors(Vec<FieldError>),
    Saved(u32),
}

impl Reducible for Model {
    type Action = Msg;
    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut m = (*self).clone();
        match msg {
            Msg::Edit(edit) => {
                let (name, value) = match edit {
                    Edit::Set(name, value, raw) => {
                        match raw {
                            Some(r) => m.raw.insert(name.clone(), r),
                            None => m.raw.remove(&name),
                        };
                        (name, value)
                    }
                    Edit::Toggle(name, code) => {
                        let mut chosen: Vec<Json> =
                            m.values.get(&name).and_then(Json::as_array).cloned().unwrap_or_default();
                        let item = Json::String(code);
                        match chosen.iter().position(|c| *c == item) {
                            Some(i) => drop(chosen.remove(i)),
                            None => chosen.push(item),
                        }
                        (name, (!chosen.is_empty()).then_some(Json::Array(chosen)))
                    }
                    Edit::Cell(name, key, count) => {
                        let value = count_grid::set_cell(m.values.get(&name), key, count);
                        (name, value)
                    }
                };
                match value {
                    Some(v) => m.values.insert(name.clone(), v),
                    None => m.values.remove(&name),
                };
                m.errors.retain(|e| e.field != name);
                m.seq += 1;
            }
            Msg::Location(code) => {
                m.location.unit_code = code;
                m.errors.retain(|e| e.field != "location");
                m.seq += 1;
            }
            Msg::Errors(e) => m.errors = e,
            Msg::Saved(seq) => m.saved_seq = m.saved_seq.max(seq),
        }
        Rc::new(m)
    }
}

/// Typed answers by slot for skip logic and calculations, and the live (draft) errors.
/// An answer with an error is left out so the others still evaluate.
fn analyse(form: &Form, values: &Map<String, Json>) -> (Vec<Option<FieldValue>>, Vec<FieldError>) {
    let mut input = values.clone();
    let mut found = Vec::new();
    for _ in 0..4 {
        match form.validate_answers(&input, Mode::Draft) {
            Ok(v) => return (v.typed, found),
            Err(errors) => {
                let before = input.len();
                for e in &errors {
                    input.remove(&e.field);
                }
                found.extend(errors);
                if input.len() == before {
                    break;
                }
            }
        }
    }
    (vec![None; form.fields.len()], found)
}

fn holds(expr: Option<&Expr>, slots: &[Option<FieldValue>]) -> bool {
    expr.is_none_or(|e| eval(e, &Env { slots, current: None }) == Value::Bool(true))
}

/// Half-typed dates, times and numbers: shown as errors rather than silently dropped.
fn format_errors(form: &Form, m: &Model, finished: bool) -> Vec<FieldError> {
    let mut out = Vec::new();
    for f in &form.fields {
        let Some(raw) = m.raw.get(&f.name) else { continue };
        if m.values.contains_key(&f.name) {
            continue;
        }
        let (complete, msg) = match f.field_type {
            FieldType::Date => (raw.len() >= 10, (VI.bad_date, EN.bad_date)),
            FieldType::Time => (raw.len() >= 5, (VI.bad_time, EN.bad_time)),
            _ => (true, (VI.bad_number, EN.bad_number)),
        };
        if complete || finished {
            out.push(FieldError::new(&f.name, ErrorCode::WrongType, Localized::new(msg.0, msg.1)));
        }
    }
    out
}

#[function_component(FormScreen)]
pub fn form_screen(p: &Props) -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.state.lang, texts(ctx.state.lang));
    let initial = p.initial.clone();
    let model = use_reducer(|| Model {
        values: initial.record.values.clone(),
        raw: HashMap::new(),
        location: initial.record.location.clone(),
        errors: initial.errors.clone(),
        seq: 0,
        saved_seq: 0,
    });
    let snapshot = {
        let mut local = (*initial.0).clone();
        local.record.values = model.values.clone();
        local.record.location = model.location.clone();
        local.record.status = RecordStatus::Draft;
        local.record.updated_at = Utc::now();
        local.state = SyncState::Draft;
        local
    };
    // The first save of a new record: the address becomes #/record/<id>, so a reload (or a
    // killed app) reopens this very draft.
    let stored = use_mut_ref(|| !p.is_new);
    let on_saved = {
        let (model, ctx, id) = (model.dispatcher(), ctx.clone(), initial.record.id);
        Callback::from(move |seq: u32| {
            model.dispatch(Msg::Saved(seq));
            if !std::mem::replace(&mut *stored.borrow_mut(), true) {
                web::replace_url(&Route::Record(id));
                ctx.changed.emit(());
            }
        })
    };
    let cancel_autosave = use_autosave(ctx.storage.clone(), model.seq, snapshot, on_saved);

    let Some(catalog) = ctx.state.catalog.clone().map(Shared) else {
        return html! { <main class="screen"><p class="warn">{ t.no_catalog }</p></main> };
    };
    let Some(form) = catalog.form(&initial.record.form_id, initial.record.form_version) else {
        return html! { <main class="screen"><p class="warn">{ t.unknown_form }</p></main> };
    };
    let (typed, live_errors) = analyse(form, &model.values);

    let on_edit = {
        let model = model.dispatcher();
        Callback::from(move |e: Edit| model.dispatch(Msg::Edit(e)))
    };
    let finish = {
        let (ctx, model, initial, catalog) = (ctx.clone(), model.clone(), initial.clone(), catalog.clone());
        Callback::from(move |_| {
            let Some(form) = catalog.form(&initial.record.form_id, initial.record.form_version) else { return };
            let mut errors = Vec::new();
            if let Err(e) = catalog.check_location(&model.location) {
                let _ = e;
                let msg = Localized::new(VI.choose_commune, EN.choose_commune);
                errors.push(FieldError::new("location", ErrorCode::Required, msg));
            }
            errors.extend(format_errors(form, &model, true));
            let validated = match form.validate_answers(&model.values, Mode::Final) {
                Ok(v) => Some(v),
                Err(e) => {
                    let fresh: Vec<FieldError> =
                        e.into_iter().filter(|e| !errors.iter().any(|x| x.field == e.field)).collect();
                    errors.extend(fresh);
                    None
                }
            };
            let (Some(validated), true) = (validated, errors.is_empty()) else {
                let first = errors.first().map(|e| format!("f-{}", e.field));
                model.dispatch(Msg::Errors(errors));
                if let Some(id) = first {
                    web::scroll_to(&id);
                }
                return;
            };
            cancel_autosave.emit(());
            let mut record = initial.record.clone();
            record.values = validated.values();
            record.location = model.location.clone();
            record.status = RecordStatus::Final;
            record.deleted = false;
            let base = initial.conflict.as_ref().map_or(record.revision, |s| s.revision.max(record.revision));
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if services::queue(&ctx.storage, record, base).await {
                    ctx.changed.emit(());
                    ctx.sync.emit(());
                    ctx.state.dispatch(Action::Flash(Some(texts(ctx.state.lang).queued_ok.into())));
                    web::navigate(&Route::Home);
                }
            });
        })
    };

    let mut shown_errors: Vec<FieldError> = model.errors.clone();
    shown_errors.extend(format_errors(form, &model, false));
    for e in live_errors {
        if !shown_errors.iter().any(|x| x.field == e.field && x.message == e.message) {
            shown_errors.push(e);
        }
    }
    let errors_for = |name: &str| -> Vec<String> {
        shown_errors.iter().filter(|e| e.field == name).map(|e| e.message.get(lang).to_owned()).collect()
    };

    // Returned by a supervisor: the comment above the form, a mark on each question named.
    let returned = initial.review.as_ref().filter(|_| initial.needs_changes());
    let mut slot = 0usize;
    let sections = form.definition.sections.iter().enumerate().filter_map(|(s, section)| {
        let first = slot;
        slot += section.fields.len();
        if !holds(form.sections[s].relevant.as_ref().map(|c| &c.expr), &typed) {
            return None;
        }
        let fields = section.fields.iter().enumerate().filter_map(|(j, def)| {
            let i = first + j;
            if !holds(form.fields[i].relevant.as_ref().map(|c| &c.expr), &typed) {
                return None;
            }
            Some(fields::render(FieldView {
                lang,
                record_id: initial.record.id,
                field: def,
                catalog: &catalog,
                value: model.values.get(&def.name),
                raw: model.raw.get(&def.name).map(String::as_str),
                computed: typed[i].as_ref(),
                errors: errors_for(&def.name),
                flagged: returned.is_some_and(|r| r.fields.contains(&def.name)),
                on_edit: on_edit.clone(),
            }))
        });
        // Keyed: fields and sections that appear or vanish with skip logic never make yew
        // re-create (and unfocus) the input being typed in.
        Some(html! {
            <section key={section.id.clone()} class="form-section">
                <h2>{ section.title.get(lang) }</h2>
                if let Some(h) = &section.help { <p class="hint">{ h.get(lang) }</p> }
                <div class="fields">{ for fields }</div>
            </section>
        })
    });
    let location = location_picker(&ctx, &catalog, &model, errors_for("location"));
    let saved = model.seq == model.saved_seq;
    html! {
        <main class="screen form-screen">
            <h1>{ form.definition.title.get(lang) }</h1>
            if form.definition.draft {
                <p class="warn"><span class="badge st-draft">{ t.test_form }</span>{ " " }{ t.test_forms_hint }</p>
            }
            if let Some(h) = &form.definition.help { <p class="hint">{ h.get(lang) }</p> }
            if !model.errors.is_empty() { <p class="error banner" role="alert">{ t.fix_errors }</p> }
            if let Some(r) = returned { { review_card(lang, r) } }
            { location }
            <div class="sections">{ for sections }</div>
            <div class="action-bar">
                <span class={classes!("save-state", if saved { "saved" } else { "saving" })}>
                    { if saved && (model.seq > 0 || !p.is_new) { t.saved_on_phone } else if saved { "" } else { t.not_saved_yet } }
                </span>
                <button class="btn primary big" onclick={finish}>{ t.finish }</button>
            </div>
        </main>
    }
}

/// The commune: only those the user works in (every commune for province-wide users).
fn location_picker(
    ctx: &Ctx,
    catalog: &Shared<forms::Catalog>,
    model: &UseReducerHandle<Model>,
    errors: Vec<String>,
) -> Html {
    let t = texts(ctx.state.lang);
    let Some(units) = catalog.reference().unit_lists.get(services::UNITS) else { return html! {} };
    let session = ctx.state.session.clone();
    let whole = session.as_ref().is_some_and(|s| s.user.whole_province);
    let options: Vec<(String, String)> = if whole {
        units.communes().map(|u| (u.code.clone(), u.name.clone())).collect()
    } else {
        let mine = session.as_ref().map(|s| s.user.communes.clone()).unwrap_or_default();
        mine.iter()
            .filter(|l| l.unit_list == services::UNITS)
            .filter_map(|l| units.get(&l.unit_code).map(|u| (u.code.clone(), u.name.clone())))
            .collect()
    };
    let current = model.location.unit_code.clone();
    let control = if options.len() == 1 && current == options[0].0 {
        html! { <p class="fixed-value" id="i-location">{ options[0].1.clone() }</p> }
    } else {
        let d = model.dispatcher();
        let onchange = Callback::from(move |e: Event| {
            d.dispatch(Msg::Location(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()))
        });
        html! {
            <select id="i-location" {onchange}>
                <option value="" selected={current.is_empty()}>{ t.choose }</option>
                { for options.into_iter().map(|(code, name)| html! {
                    <option selected={current == code} value={code.clone()}>{ name }</option>
                }) }
            </select>
        }
    };
    let invalid = !errors.is_empty();
    html! {
        <div class={classes!("field", invalid.then_some("invalid"))} id="f-location">
            <label class="label" for="i-location">{ t.commune }<span class="req">{ " *" }</span></label>
            { control }
            <div class="errors">{ for errors.into_iter().map(|e| html! { <p class="error" role="alert">{ e }</p> }) }</div>
        </div>
    }
}

/// A supervisor's return: who, when, and what to fix; shown above the form and on the
/// record's page until the officer sends it again.
pub fn review_card(lang: forms::Lang, review: &forms::review::Review) -> Html {
    let t = texts(lang);
    html! {
        <section class="card attention review-card" role="note">
            <h2>{ t.needs_changes }</h2>
            <p class="sub">{ format!("{} · {}", review.by, forms::record::format_instant(review.at)) }</p>
            if let Some(c) = &review.comment { <p class="comment">{ c.clone() }</p> }
            <p class="hint">{ t.needs_changes_hint }</p>
        </section>
    }
}
