//! Communes picked by name from the 2025 list; typing a former (pre-2025) commune's name
//! finds the commune it went into, and each match shows the units merged into it.

use yew::prelude::*;

use crate::api::Commune;
use crate::i18n::{self, texts};
use crate::state::use_ctx;
use crate::web;

/// Matches shown at once: enough to choose, short enough to see.
const SHOWN: usize = 8;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: AttrValue,
    pub label: AttrValue,
    #[prop_or(true)]
    pub multiple: bool,
    pub selected: Vec<Commune>,
    pub onchange: Callback<Vec<Commune>>,
}

#[function_component(CommunePicker)]
pub fn commune_picker(p: &Props) -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.lang, texts(ctx.lang));
    let typed = use_state(String::new);
    let Some(communes) = ctx.communes.clone() else {
        return html! { <p class="loading">{ t.loading }</p> };
    };
    let remove = |code: String| {
        let (selected, onchange) = (p.selected.clone(), p.onchange.clone());
        Callback::from(move |_| onchange.emit(selected.iter().filter(|c| c.unit_code != code).cloned().collect()))
    };
    let pick = |c: Commune| {
        let (selected, onchange, multiple, typed) = (p.selected.clone(), p.onchange.clone(), p.multiple, typed.clone());
        Callback::from(move |_| {
            let mut next = if multiple { selected.clone() } else { Vec::new() };
            if !next.iter().any(|s| s.unit_code == c.unit_code) {
                next.push(c.clone());
            }
            typed.set(String::new());
            onchange.emit(next);
        })
    };
    let hits = if typed.trim().is_empty() { Vec::new() } else { communes.search(&typed) };
    let more = hits.len().saturating_sub(SHOWN);
    let list_id = format!("{}-matches", p.id);
    html! {
        <div class="picker">
            <label for={p.id.clone()}>{ p.label.clone() }</label>
            if !p.selected.is_empty() {
                <ul class="chips">
                    { for p.selected.iter().map(|c| {
                        let name = communes.name(c);
                        html! {
                            <li class="chip">
                                <span>{ name.clone() }</span>
                                <button type="button" class="chip-x" aria-label={i18n::remove_named(lang, &name)}
                                    onclick={remove(c.unit_code.clone())}>{ "✕" }</button>
                            </li>
                        }
                    }) }
                </ul>
            }
            <input id={p.id.clone()} type="search" autocomplete="off" placeholder={t.commune_search_hint}
                aria-controls={list_id.clone()} value={(*typed).clone()}
                oninput={let typed = typed.clone(); move |e: InputEvent| typed.set(web::value_of(&e))} />
            <ul id={list_id} class="matches" aria-live="polite">
                { for hits.iter().take(SHOWN).map(|e| html! {
                    <li>
                        <button type="button" class="match" onclick={pick(e.commune())}>
                            <strong>{ e.name.clone() }</strong>
                            if !e.old_names.is_empty() {
                                <span class="old">{ format!("{}: {}", t.formerly, e.old_names.join(", ")) }</span>
                            }
                        </button>
                    </li>
                }) }
                if !typed.trim().is_empty() && hits.is_empty() {
                    <li class="none">{ t.no_commune_match }</li>
                }
                if more > 0 {
                    <li class="none">{ i18n::more_matches(lang, more) }</li>
                }
            </ul>
        </div>
    }
}
