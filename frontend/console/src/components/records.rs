//! Records on the server: searched by form, commune, period, status, author and text,
//! sorted, paged by cursor (a push between two pages never shifts them); the unresolved
//! conflicts above.

use yew::prelude::*;

use crate::api::{Commune, Conflict, RecordItem};
use crate::components::commune_picker::CommunePicker;
use crate::components::{loaded, when, Link};
use crate::dates;
use crate::hooks::use_load;
use crate::i18n::{self, texts};
use crate::query;
use crate::route::Route;
use crate::state::use_ctx;
use crate::web;

const LIMIT: u32 = 50;

#[derive(Clone, Default, PartialEq)]
struct Filters {
    form: String,
    commune: Vec<Commune>,
    from: String,
    to: String,
    status: String,
    author: String,
    q: String,
    sort: String,
}

impl Filters {
    /// The query for the page after `after`; dates typed dd/mm/yyyy are sent as ISO dates.
    fn query(&self, after: Option<&str>) -> String {
        let commune = self.commune.first().map(|c| c.unit_code.clone()).unwrap_or_default();
        let from = dates::vi_to_iso(&self.from).unwrap_or_default();
        let to = dates::vi_to_iso(&self.to).unwrap_or_default();
        query::build(&[
            ("form", &self.form),
            ("commune", &commune),
            ("from", &from),
            ("to", &to),
            ("status", &self.status),
            ("author", &self.author),
            ("q", &self.q),
            ("sort", &self.sort),
            ("after", after.unwrap_or_default()),
            ("limit", &LIMIT.to_string()),
        ])
    }
}

#[function_component(Records)]
pub fn records() -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.lang, texts(ctx.lang));
    let typed = use_state(|| Filters { sort: "date_desc".into(), ..Filters::default() });
    let applied = use_state(|| (*typed).clone());
    // The cursors of the pages before this one (the first page has none).
    let cursors = use_state(Vec::<Option<String>>::new);
    let after = cursors.last().cloned().flatten();
    let list =
        use_load(&ctx, ((*applied).clone(), after.clone()), |api, (f, after): (Filters, Option<String>)| async move {
            api.records(&f.query(after.as_deref())).await
        });
    let conflicts = use_load(&ctx, (), |api, _| async move { api.conflicts("page=1&per_page=20").await });

    let edit = |apply: fn(&mut Filters, String)| {
        let typed = typed.clone();
        Callback::from(move |e: Event| {
            let mut f = (*typed).clone();
            apply(&mut f, web::value_of(&e));
            typed.set(f);
        })
    };
    let bad_date = [&typed.from, &typed.to].iter().any(|d| !d.trim().is_empty() && dates::vi_to_iso(d).is_none());
    let search = {
        let (typed, applied, cursors) = (typed.clone(), applied.clone(), cursors.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            applied.set((*typed).clone());
            cursors.set(Vec::new());
        })
    };
    let forms = form_titles(&ctx, lang);
    let title_of = |id: &str| forms.iter().find(|(f, _)| f == id).map_or_else(|| id.to_owned(), |(_, t)| t.clone());
    let row = |r: &RecordItem| {
        let status = if r.deleted { t.status_deleted } else { i18n::status_label(lang, &r.status) };
        html! {
            <tr>
                <td data-label={t.activity_date}>{ r.activity_date.as_deref().map_or_else(|| "—".to_owned(), dates::iso_to_vi) }</td>
                <td data-label={t.form}><Link route={Route::Record(r.id.clone())}>{ title_of(&r.form_id) }</Link></td>
                <td data-label={t.commune}>{ r.commune_name.clone().unwrap_or_default() }</td>
                <td data-label={t.author}>{ r.author.clone() }</td>
                <td data-label={t.status}><span class={classes!("badge", r.deleted.then_some("bad"))}>{ status }</span></td>
                <td data-label={t.updated}>{ when(r.updated_at) }</td>
            </tr>
        }
    };
    let next = |n: Option<String>| {
        let cursors = cursors.clone();
        Callback::from(move |_| {
            let mut c = (*cursors).clone();
            c.push(n.clone());
            cursors.set(c);
            web::scroll_top();
        })
    };
    let back = {
        let cursors = cursors.clone();
        Callback::from(move |_| {
            let mut c = (*cursors).clone();
            c.pop();
            cursors.set(c);
        })
    };
    let f = (*typed).clone();
    html! {
        <section class="records">
            <h1>{ t.records }</h1>
            { loaded(lang, &conflicts.load, &conflicts.reload, |p| if p.items.is_empty() { html! {} } else {
                html! {
                    <section class="card attention">
                        <h2>{ i18n::n_conflicts(lang, p.total) }</h2>
                        <ul class="plain">{ for p.items.iter().map(|c| conflict_line(&ctx, &forms, c)) }</ul>
                    </section>
                }
            }) }
            <form class="filters" onsubmit={search} role="search">
                <label>{ t.form }
                    <select onchange={edit(|f, v| f.form = v)}>
                        <option value="" selected={f.form.is_empty()}>{ t.all }</option>
                        { for forms.iter().map(|(id, title)| html! { <option value={id.clone()} selected={f.form == *id}>{ title.clone() }</option> }) }
                    </select>
                </label>
                <div class="filter-commune">
                    <CommunePicker id="r-commune" label={t.commune} multiple=false selected={f.commune.clone()}
                        onchange={let typed = typed.clone(); move |commune| typed.set(Filters { commune, ..(*typed).clone() })} />
                </div>
                <label>{ t.from_date }
                    <input inputmode="numeric" placeholder="dd/mm/yyyy" class="date" value={f.from.clone()} onchange={edit(|f, v| f.from = v)} />
                </label>
                <label>{ t.to_date }
                    <input inputmode="numeric" placeholder="dd/mm/yyyy" class="date" value={f.to.clone()} onchange={edit(|f, v| f.to = v)} />
                </label>
                <label>{ t.status }
                    <select onchange={edit(|f, v| f.status = v)}>
                        <option value="" selected={f.status.is_empty()}>{ t.all }</option>
                        { for ["final", "draft", "deleted"].into_iter().map(|s| html! {
                            <option value={s} selected={f.status == s}>{ if s == "deleted" { t.status_deleted } else { i18n::status_label(lang, s) } }</option>
                        }) }
                    </select>
                </label>
                <label>{ t.author }
                    <input autocapitalize="none" value={f.author.clone()} onchange={edit(|f, v| f.author = v)} />
                </label>
                <label class="grow">{ t.text_search }
                    <input type="search" value={f.q.clone()} onchange={edit(|f, v| f.q = v)} />
                </label>
                <label>{ t.sort }
                    <select onchange={edit(|f, v| f.sort = v)}>
                        <option value="date_desc" selected={f.sort == "date_desc"}>{ t.newest_first }</option>
                        <option value="date_asc" selected={f.sort == "date_asc"}>{ t.oldest_first }</option>
                    </select>
                </label>
                <button class="btn primary" type="submit" disabled={bad_date}>{ t.search }</button>
            </form>
            if bad_date { <p class="error" role="alert">{ t.bad_date }</p> }
            { loaded(lang, &list.load, &list.reload, |page| if page.items.is_empty() {
                html! { <p class="empty">{ t.records_empty }</p> }
            } else {
                html! {
                    <>
                        <p class="count">{ i18n::n_records(lang, page.total) }</p>
                        <table class="list">
                            <thead><tr>
                                <th scope="col">{ t.activity_date }</th><th scope="col">{ t.form }</th>
                                <th scope="col">{ t.commune }</th><th scope="col">{ t.author }</th>
                                <th scope="col">{ t.status }</th><th scope="col">{ t.updated }</th>
                            </tr></thead>
                            <tbody>{ for page.items.iter().map(row) }</tbody>
                        </table>
                        <nav class="pager" aria-label={t.pages}>
                            if !cursors.is_empty() { <button class="btn" onclick={back.clone()}>{ t.prev_page }</button> }
                            if let Some(n) = page.next.clone() { <button class="btn primary" onclick={next(Some(n))}>{ t.next_page }</button> }
                        </nav>
                    </>
                }
            }) }
        </section>
    }
}

/// A conflict: its form, commune and activity date, who sent it and when.
fn conflict_line(ctx: &crate::state::Ctx, titles: &[(String, String)], c: &Conflict) -> Html {
    let t = texts(ctx.lang);
    let id = c.record_id.clone().or_else(|| c.current["id"].as_str().map(str::to_owned)).unwrap_or_default();
    let r = &c.current;
    let form = r["form_id"].as_str().unwrap_or_default();
    let title = titles.iter().find(|(id, _)| id == form).map_or(form, |(_, t)| t.as_str());
    let code = r["location"]["unit_code"].as_str().unwrap_or_default();
    let commune = ctx.communes.as_ref().and_then(|c| c.get(code)).map_or(code, |e| e.name.as_str());
    let what = format!("{title}, {commune}");
    html! {
        <li>
            <Link route={Route::Record(id)}>{ format!("{}: {what}", t.open_conflict) }</Link>
            { format!(" — {} {}, {}", t.sent_by, c.sender, when(c.created_at)) }
        </li>
    }
}

/// Every form (its latest title), in the catalog's order.
pub fn form_titles(ctx: &crate::state::Ctx, lang: forms::Lang) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for def in ctx.catalog.iter().flat_map(|b| &b.forms) {
        let title = def.title.get(lang).to_owned();
        match out.iter_mut().find(|(id, _)| *id == def.id) {
            Some(slot) => slot.1 = title,
            None => out.push((def.id.clone(), title)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_dates_are_sent_as_iso_dates_and_empty_filters_left_out() {
        let f = Filters {
            form: "outreach_event".into(),
            commune: vec![Commune { unit_list: "units_2025".into(), unit_code: "21025".into(), name: String::new() }],
            from: "1/11/2026".into(),
            to: "30/11/2026".into(),
            q: "hội trường".into(),
            sort: "date_desc".into(),
            ..Filters::default()
        };
        assert_eq!(
            f.query(Some("abc")),
            "form=outreach_event&commune=21025&from=2026-11-01&to=2026-11-30&q=h%E1%BB%99i%20tr%C6%B0%E1%BB%9Dng\
             &sort=date_desc&after=abc&limit=50"
        );
        assert_eq!(Filters::default().query(None), "limit=50");
    }
}
