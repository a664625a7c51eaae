//! The participants grid: ethnic groups × Nam/Nữ (× a further group), numbers typed from the
//! paper sheet, with live row, column and grand totals to check against it.

use std::collections::BTreeMap;

use forms::definition::GridSpec;
use forms::{Catalog, Lang};
use serde_json::{json, Value as Json};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::texts;
use crate::web::{fold, Shared};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub name: AttrValue,
    pub lang: Lang,
    pub catalog: Shared<Catalog>,
    pub spec: GridSpec,
    pub value: Option<Json>,
    pub invalid: bool,
    pub on_cell: Callback<(CellKey, Option<u32>)>,
}

/// (ethnicity, group, sex).
pub type CellKey = (String, Option<String>, String);
/// Cell → count, as typed.
pub type Cells = BTreeMap<CellKey, u32>;

/// Sets one cell in a grid's stored value.
pub fn set_cell(value: Option<&Json>, key: CellKey, count: Option<u32>) -> Option<Json> {
    let mut cells = read(value);
    match count {
        Some(n) => cells.insert(key, n),
        None => cells.remove(&key),
    };
    write(&cells)
}

pub fn read(value: Option<&Json>) -> Cells {
    let mut cells = Cells::new();
    for c in value.and_then(Json::as_array).into_iter().flatten() {
        let s = |k: &str| c.get(k).and_then(Json::as_str).map(str::to_owned);
        if let (Some(e), Some(sex), Some(n)) = (s("ethnicity"), s("sex"), c.get("count").and_then(Json::as_u64)) {
            cells.insert((e, s("group"), sex), n.min(u32::MAX as u64) as u32);
        }
    }
    cells
}

pub fn write(cells: &Cells) -> Option<Json> {
    let list: Vec<Json> = cells
        .iter()
        .map(|((e, g, sex), n)| match g {
            Some(g) => json!({ "ethnicity": e, "sex": sex, "group": g, "count": n }),
            None => json!({ "ethnicity": e, "sex": sex, "count": n }),
        })
        .collect();
    (!list.is_empty()).then_some(Json::Array(list))
}

#[function_component(CountGrid)]
pub fn count_grid(p: &Props) -> Html {
    let t = texts(p.lang);
    let added = use_state(Vec::<String>::new);
    let picking = use_state(|| false);
    let search = use_state(String::new);
    let reference = p.catalog.reference();
    let groups_list = reference.ethnic_groups();
    let cells = read(p.value.as_ref());

    // Rows: the province shortlist, then any other group with figures or added by hand.
    let mut rows: Vec<String> = reference.ethnicity_shortlists.get(&p.spec.shortlist).cloned().unwrap_or_default();
    for code in cells.keys().map(|k| &k.0).chain(added.iter()) {
        if !rows.contains(code) {
            rows.push(code.clone());
        }
    }
    let row_label =
        |code: &str| groups_list.get(code).map_or_else(|| code.to_owned(), |e| e.label.get(p.lang).to_owned());
    let group_opts: Vec<(Option<String>, Option<String>)> = match &p.spec.group {
        Some(g) => g.options.iter().map(|o| (Some(o.value.clone()), Some(o.label.get(p.lang).to_owned()))).collect(),
        None => vec![(None, None)],
    };
    let count = |e: &str, g: &Option<String>, sex: &str| cells.get(&(e.to_owned(), g.clone(), sex.to_owned())).copied();
    let sum = |keep: &dyn Fn(&CellKey) -> bool| -> u64 {
        cells.iter().filter(|(k, _)| keep(k)).map(|(_, n)| u64::from(*n)).sum()
    };

    let cell_input = |e: &str, g: &Option<String>, sex: &'static str, label: String| {
        let key = (e.to_owned(), g.clone(), sex.to_owned());
        let on_cell = p.on_cell.clone();
        let oninput = Callback::from(move |ev: InputEvent| {
            let input = ev.target_unchecked_into::<HtmlInputElement>();
            let digits: String = input.value().chars().filter(char::is_ascii_digit).take(6).collect();
            input.set_value(&digits);
            on_cell.emit((key.clone(), digits.parse::<u32>().ok()));
        });
        let shown = count(e, g, sex).map(|n| n.to_string()).unwrap_or_default();
        html! { <td><input class="cell" type="text" inputmode="numeric" pattern="[0-9]*" aria-label={label}
        value={shown} {oninput} /></td> }
    };

    let table = |(g, g_label): &(Option<String>, Option<String>)| {
        let g2 = g.clone();
        let col = move |sex: &'static str| sum(&|k| k.1 == g2 && k.2 == sex);
        let (m, f) = (col("male"), col("female"));
        html! {
            <div class="grid-block">
                if let Some(l) = g_label { <h4 class="grid-group">{ l.clone() }</h4> }
                <table class="grid">
                    <thead><tr><th scope="col">{ t.ethnicity }</th><th scope="col">{ t.male }</th>
                        <th scope="col">{ t.female }</th><th scope="col">{ t.total }</th></tr></thead>
                    <tbody>
                        { for rows.iter().map(|e| {
                            let name = row_label(e);
                            let row_total = count(e, g, "male").unwrap_or(0) as u64 + count(e, g, "female").unwrap_or(0) as u64;
                            html! { <tr key={e.clone()}>
                                <th scope="row">{ name.clone() }</th>
                                { cell_input(e, g, "male", format!("{name} {}", t.male)) }
                                { cell_input(e, g, "female", format!("{name} {}", t.female)) }
                                <td class="total">{ row_total }</td>
                            </tr> }
                        }) }
                    </tbody>
                    <tfoot><tr><th scope="row">{ t.total }</th><td class="total">{ m }</td>
                        <td class="total">{ f }</td><td class="total grand">{ m + f }</td></tr></tfoot>
                </table>
            </div>
        }
    };

    let (all_m, all_f) = (sum(&|k| k.2 == "male"), sum(&|k| k.2 == "female"));
    let q = fold(&search);
    let matches: Vec<(String, String)> = if *picking {
        groups_list
            .entries
            .iter()
            .filter(|e| !rows.contains(&e.code))
            .filter(|e| {
                q.is_empty()
                    || fold(&e.label.vi).contains(&q)
                    || fold(&e.label.en).contains(&q)
                    || e.aliases.iter().any(|a| fold(a).contains(&q))
            })
            .map(|e| {
                let aka = if e.aliases.is_empty() { String::new() } else { format!(" ({})", e.aliases.join(", ")) };
                (e.code.clone(), format!("{}{aka}", e.label.get(p.lang)))
            })
            .collect()
    } else {
        Vec::new()
    };
    let toggle = {
        let picking = picking.clone();
        Callback::from(move |_| picking.set(!*picking))
    };
    let on_search = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| search.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    html! {
        <div class={classes!("count-grid", p.invalid.then_some("invalid"))} id={format!("i-{}", p.name)}>
            { for group_opts.iter().map(table) }
            <p class="grand-total" aria-live="polite">
                <strong>{ format!("{}: {}", t.grand_total, all_m + all_f) }</strong>
                { format!(" ({} {} · {} {})", t.male, all_m, t.female, all_f) }
            </p>
            <button type="button" class="btn secondary" onclick={toggle} aria-expanded={picking.to_string()}>
                { format!("+ {}", t.other_ethnicity) }
            </button>
            if *picking {
                <div class="picker">
                    <input type="search" placeholder={t.search_ethnicity} aria-label={t.search_ethnicity}
                        value={(*search).clone()} oninput={on_search} />
                    <ul class="pick-list">
                        { for matches.into_iter().map(|(code, label)| {
                            let (added, picking, search) = (added.clone(), picking.clone(), search.clone());
                            let onclick = Callback::from(move |_| {
                                let mut next = (*added).clone();
                                next.push(code.clone());
                                added.set(next);
                                picking.set(false);
                                search.set(String::new());
                            });
                            html! { <li><button type="button" class="pick" {onclick}>{ label }</button></li> }
                        }) }
                    </ul>
                </div>
            }
        </div>
    }
}
