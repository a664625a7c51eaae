//! One input per field type, drawn from the definition only. Each edit reports
//! an [`Edit`]; raw text keeps what is half-typed (a date) visible.

use forms::definition::{Field, FieldType};
use forms::reference::ReferenceData;
use forms::{Catalog, FieldValue, Lang};
use serde_json::Value as Json;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::count_grid::CountGrid;
use crate::components::evidence::{GeoField, PhotoField};
use crate::i18n::texts;
use crate::web::Shared;

/// One change to the answers. Toggles and grid cells are applied to the current answers in
/// the form's reducer, so fast typing across cells never works from a stale copy.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Field name, stored value, raw text as typed.
    Set(String, Option<Json>, Option<String>),
    /// Select-multiple: add or remove one option.
    Toggle(String, String),
    /// Count grid: (ethnicity, group, sex) → count (`None`: emptied).
    Cell(String, crate::components::count_grid::CellKey, Option<u32>),
}

pub struct FieldView<'a> {
    pub lang: Lang,
    /// The record the answers belong to: photos are stored beside it.
    pub record_id: uuid::Uuid,
    pub field: &'a Field,
    pub catalog: &'a Shared<Catalog>,
    pub value: Option<&'a Json>,
    pub raw: Option<&'a str>,
    pub computed: Option<&'a FieldValue>,
    pub errors: Vec<String>,
    /// The supervisor named this question when returning the record.
    pub flagged: bool,
    pub on_edit: Callback<Edit>,
}

/// The choices of a select field: inline options or a reference list.
pub fn choices(field: &Field, reference: &ReferenceData, lang: Lang) -> Vec<(String, String)> {
    if let Some(options) = &field.options {
        return options.iter().map(|o| (o.value.clone(), o.label.get(lang).to_owned())).collect();
    }
    let Some(list) = &field.list else { return Vec::new() };
    if let Some(l) = reference.lists.get(list) {
        l.entries.iter().map(|e| (e.code.clone(), e.label.get(lang).to_owned())).collect()
    } else if let Some(u) = reference.unit_lists.get(list) {
        u.communes().map(|u| (u.code.clone(), u.name.clone())).collect()
    } else {
        Vec::new()
    }
}

/// Digits typed on the numeric keypad, shaped as `dd/mm/yyyy` or `HH:MM` while typing.
pub fn shape_digits(text: &str, breaks: &[usize], sep: char, max: usize) -> String {
    let digits: String = text.chars().filter(char::is_ascii_digit).take(max).collect();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if breaks.contains(&i) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Digits are shaped as `dd/mm/yyyy`; slashes the user typed elsewhere (`1/5/2025`) are kept.
pub fn shape_date(typed: &str) -> String {
    let own_slashes = typed.char_indices().any(|(i, c)| c == '/' && i != 2 && i != 5);
    if own_slashes {
        typed.chars().filter(|c| c.is_ascii_digit() || *c == '/').take(10).collect()
    } else {
        shape_digits(typed, &[2, 4], '/', 8)
    }
}

pub fn parse_time(text: &str) -> Option<String> {
    let (h, m) = text.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && text.len() == 5).then(|| format!("{h:02}:{m:02}"))
}

pub fn parse_number(text: &str, integer: bool) -> Option<Json> {
    let t = text.trim().replace(',', ".");
    if integer {
        t.parse::<i64>().ok().map(Json::from)
    } else {
        forms::value::parse_decimal(&t).and_then(serde_json::Number::from_f64).map(Json::Number)
    }
}

/// A computed value as the officer reads it.
pub fn show_value(lang: Lang, v: &FieldValue) -> String {
    let t = texts(lang);
    match v {
        FieldValue::Number(n) => forms::value::number_text(*n, if lang == Lang::Vi { ',' } else { '.' }),
        FieldValue::Text(s) => s.clone(),
        FieldValue::Bool(b) => (if *b { t.yes } else { t.no }).into(),
        FieldValue::Date(d) => forms::record::format_date(*d),
        FieldValue::Time(x) => forms::dates::format_time(*x),
        FieldValue::Choices(c) => c.join(", "),
        FieldValue::Grid(g) => g.total().to_string(),
        FieldValue::Photos(p) => p.len().to_string(),
        FieldValue::Point(g) => forms::evidence::position_text(g, lang),
    }
}

pub fn render(v: FieldView) -> Html {
    let f = v.field;
    let t = texts(v.lang);
    let name = f.name.clone();
    let input_id = format!("i-{name}");
    let invalid = !v.errors.is_empty();
    let label = f.label.get(v.lang).to_owned();
    let hint = f.hint.as_ref().map(|h| h.get(v.lang).to_owned());
    if f.field_type == FieldType::Note {
        return html! {
            <div key={name.clone()} class="field note" id={format!("f-{name}")}>
                <p class="note-text">{ label }</p>
                if let Some(h) = hint { <p class="hint">{ h }</p> }
            </div>
        };
    }
    let emit = {
        let (cb, name) = (v.on_edit.clone(), name.clone());
        move |value: Option<Json>, raw: Option<String>| cb.emit(Edit::Set(name.clone(), value, raw))
    };
    let text_of = |e: &InputEvent| e.target_unchecked_into::<HtmlInputElement>().value();
    let value_str = v.value.and_then(Json::as_str).unwrap_or("").to_owned();
    let control = match f.field_type {
        FieldType::Text => {
            let emit = emit.clone();
            let oninput = Callback::from(move |e: InputEvent| {
                let s = text_of(&e);
                emit((!s.is_empty()).then_some(Json::String(s)), None)
            });
            html! { <input id={input_id} type="text" value={value_str} {oninput}
            maxlength={f.max_length.map(|m| m.to_string())} aria-invalid={invalid.to_string()} /> }
        }
        FieldType::LongText => {
            let emit = emit.clone();
            let oninput = Callback::from(move |e: InputEvent| {
                let s = e.target_unchecked_into::<HtmlTextAreaElement>().value();
                emit((!s.is_empty()).then_some(Json::String(s)), None)
            });
            html! { <>
                if f.personal_data_warning != Some(false) { <p class="warn small">{ t.personal_data_warning }</p> }
                <textarea id={input_id} rows="4" value={value_str} {oninput} aria-invalid={invalid.to_string()}
                    maxlength={f.max_length.map(|m| m.to_string())} />
            </> }
        }
        FieldType::Integer | FieldType::Decimal => {
            let integer = f.field_type == FieldType::Integer;
            let shown = v.raw.map(str::to_owned).or_else(|| v.value.map(|j| j.to_string())).unwrap_or_default();
            let emit = emit.clone();
            let oninput = Callback::from(move |e: InputEvent| {
                let s = text_of(&e);
                emit(parse_number(&s, integer), (!s.is_empty()).then_some(s))
            });
            html! { <input id={input_id} class="num" type="text" inputmode={if integer { "numeric" } else { "decimal" }}
            pattern={integer.then_some("[0-9]*")} value={shown} {oninput} aria-invalid={invalid.to_string()} /> }
        }
        FieldType::Date => {
            let stored = forms::dates::parse_iso_date(&value_str).map(forms::dates::format_date);
            let shown = v.raw.map(str::to_owned).or(stored).unwrap_or_default();
            let emit = emit.clone();
            let oninput = Callback::from(move |e: InputEvent| {
                let input = e.target_unchecked_into::<HtmlInputElement>();
                let s = shape_date(&input.value());
                input.set_value(&s);
                let date = forms::record::parse_date_vi(&s).map(|d| Json::String(forms::dates::iso_date(d)));
                emit(date, (!s.is_empty()).then_some(s))
            });
            html! { <input id={input_id} type="text" inputmode="numeric" placeholder="dd/mm/yyyy" maxlength="10"
            value={shown} {oninput} aria-invalid={invalid.to_string()} aria-describedby={format!("h-{name}")} /> }
        }
        FieldType::Time => {
            let shown = v.raw.map(str::to_owned).unwrap_or(value_str);
            let emit = emit.clone();
            let oninput = Callback::from(move |e: InputEvent| {
                let input = e.target_unchecked_into::<HtmlInputElement>();
                let s = shape_digits(&input.value(), &[2], ':', 4);
                input.set_value(&s);
                emit(parse_time(&s).map(Json::String), (!s.is_empty()).then_some(s))
            });
            html! { <input id={input_id} type="text" inputmode="numeric" placeholder="HH:MM" maxlength="5"
            value={shown} {oninput} aria-invalid={invalid.to_string()} /> }
        }
        FieldType::SelectOne => {
            let options = choices(f, v.catalog.reference(), v.lang);
            if options.len() <= 6 {
                html! { <div class="options" role="radiogroup">
                    { for options.into_iter().enumerate().map(|(i, (code, text))| {
                        let checked = value_str == code;
                        let emit = emit.clone();
                        let onchange = Callback::from(move |_| emit(Some(Json::String(code.clone())), None));
                        html! { <label class="option" for={format!("{input_id}-{i}")}>
                            <input type="radio" id={format!("{input_id}-{i}")} name={name.clone()} {checked} {onchange} />
                            <span>{ text }</span>
                        </label> }
                    }) }
                </div> }
            } else {
                let emit = emit.clone();
                let onchange = Callback::from(move |e: Event| {
                    let s = e.target_unchecked_into::<HtmlSelectElement>().value();
                    emit((!s.is_empty()).then_some(Json::String(s)), None)
                });
                html! { <select id={input_id} {onchange} aria-invalid={invalid.to_string()}>
                    <option value="" selected={value_str.is_empty()}>{ t.choose }</option>
                    { for options.into_iter().map(|(code, text)| html! {
                        <option selected={value_str == code} value={code.clone()}>{ text }</option>
                    }) }
                </select> }
            }
        }
        FieldType::SelectMultiple => {
            let chosen: Vec<String> = v
                .value
                .and_then(Json::as_array)
                .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            html! { <div class="options">
                { for choices(f, v.catalog.reference(), v.lang).into_iter().enumerate().map(|(i, (code, text))| {
                    let checked = chosen.contains(&code);
                    let (cb, name) = (v.on_edit.clone(), name.clone());
                    let onchange = Callback::from(move |_| cb.emit(Edit::Toggle(name.clone(), code.clone())));
                    html! { <label class="option" for={format!("{input_id}-{i}")}>
                        <input type="checkbox" id={format!("{input_id}-{i}")} {checked} {onchange} />
                        <span>{ text }</span>
                    </label> }
                }) }
            </div> }
        }
        FieldType::YesNo => {
            let current = v.value.and_then(Json::as_bool);
            let button = |b: bool, text: &str| {
                let emit = emit.clone();
                let selected = current == Some(b);
                let onclick = Callback::from(move |_| emit(if selected { None } else { Some(Json::Bool(b)) }, None));
                html! { <button type="button" class={classes!("btn", "choice", selected.then_some("selected"))}
                aria-pressed={selected.to_string()} {onclick}>{ text.to_owned() }</button> }
            };
            html! { <div class="choice-row" id={input_id}>{ button(true, t.yes) }{ button(false, t.no) }</div> }
        }
        FieldType::Calculate => {
            let shown = v.computed.map(|c| show_value(v.lang, c)).unwrap_or_else(|| "—".into());
            html! { <output id={input_id} class="computed">{ shown }<span class="tag">{ t.computed }</span></output> }
        }
        FieldType::CountGrid => match &f.grid {
            Some(spec) => {
                let (cb, n) = (v.on_edit.clone(), name.clone());
                html! { <CountGrid name={AttrValue::from(name.clone())} lang={v.lang} catalog={v.catalog.clone()}
                spec={spec.clone()} value={v.value.cloned()} invalid={invalid}
                on_cell={Callback::from(move |(key, count)| cb.emit(Edit::Cell(n.clone(), key, count)))} /> }
            }
            None => html! {},
        },
        FieldType::Photo => {
            let on_change = Callback::from(move |value| emit(value, None));
            html! { <PhotoField lang={v.lang} input_id={AttrValue::from(input_id)} record_id={v.record_id}
            value={v.value.cloned()} max_photos={f.max_photos.unwrap_or(1)} {invalid} {on_change} /> }
        }
        FieldType::Geopoint => {
            let on_change = Callback::from(move |value| emit(value, None));
            html! { <GeoField lang={v.lang} input_id={AttrValue::from(input_id)} value={v.value.cloned()}
            required={f.required} {on_change} /> }
        }
        FieldType::Note => html! {},
    };
    let date_hint = match f.field_type {
        FieldType::Date => Some(t.date_hint),
        FieldType::Time => Some(t.time_hint),
        _ => None,
    };
    let required = f.required.then(|| html! { <span class="req" aria-label="bắt buộc">{ " *" }</span> });
    html! {
        <div key={name.clone()} class={classes!("field", invalid.then_some("invalid"))} id={format!("f-{name}")}>
            <label class="label" for={format!("i-{name}")}>{ label }{ required }</label>
            if let Some(h) = hint { <p class="hint">{ h }</p> }
            if let Some(h) = date_hint { <p class="hint" id={format!("h-{name}")}>{ h }</p> }
            if v.flagged { <p class="review-note">{ t.review_flagged }</p> }
            { control }
            // Own container: yew matches unkeyed siblings from the end, so a list that grows
            // or shrinks beside the input would re-create the input and lose the focus.
            <div class="errors">{ for v.errors.into_iter().map(|e| html! { <p class="error" role="alert">{ e }</p> }) }</div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_take_shape_while_typed() {
        assert_eq!(shape_date("151"), "15/1");
        assert_eq!(shape_date("15/112"), "15/11/2");
        assert_eq!(shape_date("15/11/2025"), "15/11/2025");
        assert_eq!(shape_date("1/5/2025"), "1/5/2025");
        assert_eq!(shape_digits("1430", &[2], ':', 4), "14:30");
        assert_eq!(parse_time("24:00"), None);
        assert_eq!(parse_number("1,5", false), Some(serde_json::json!(1.5)));
    }
}
