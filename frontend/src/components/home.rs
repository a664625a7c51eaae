//! Home: how many records are where, when the last sync was, and the forms to start.

use forms::record::format_instant;
use yew::prelude::*;

use crate::components::flash;
use crate::context::use_ctx;
use crate::i18n::texts;
use crate::route::Route;
use crate::services::reads_reports;

#[function_component(Home)]
pub fn home() -> Html {
    let ctx = use_ctx();
    let s = &ctx.state;
    let (lang, t) = (s.lang, texts(s.lang));
    let tile = |n: usize, label: &str, class: &str| {
        html! {
            <a class={classes!("tile", class.to_owned())} href={Route::Records.href()}>
                <span class="n">{ n }</span><span class="label">{ label.to_owned() }</span>
            </a>
        }
    };
    let mut forms: Vec<_> = match &s.catalog {
        Some(c) => {
            let mut ids: Vec<&str> = c.forms().map(|f| f.id()).collect();
            ids.dedup();
            ids.into_iter()
                .filter_map(|id| c.latest(id))
                .map(|f| (f.id().to_owned(), f.definition.title.get(lang).to_owned()))
                .collect()
        }
        None => Vec::new(),
    };
    by_title(&mut forms);
    // Drafts reach only testers' phones (the server decides).
    let mut drafts: Vec<(String, String)> = match &s.catalog {
        Some(c) => c
            .forms()
            .filter(|f| f.definition.draft)
            .map(|f| (f.id().to_owned(), f.definition.title.get(lang).to_owned()))
            .collect(),
        None => Vec::new(),
    };
    by_title(&mut drafts);
    let last = match s.last_sync {
        Some(at) => format!("{}: {}", t.last_sync, format_instant(at)),
        None => t.never_synced.to_owned(),
    };
    html! {
        <main class="screen home">
            { flash(&ctx) }
            <section class="tiles" aria-label="counts">
                { tile(s.counts.drafts, t.drafts, "st-draft") }
                { tile(s.counts.waiting, t.waiting, "st-waiting") }
                { tile(s.counts.synced, t.synced, "st-synced") }
                { tile(s.counts.attention, t.attention, "st-attention") }
                if s.counts.needs_changes > 0 { { tile(s.counts.needs_changes, t.needs_changes, "st-attention") } }
            </section>
            <p class="meta">
                <span class={classes!("net", if s.online { "on" } else { "off" })}>
                    { if s.online { t.online } else { t.offline } }
                </span>
                { " · " }{ last }
            </p>
            <nav class="choice-row">
                <a class="btn secondary choice" href={Route::MyWork.href()}>{ t.my_work }</a>
                if s.session.as_ref().is_some_and(|u| reads_reports(u)) {
                    <a class="btn secondary choice" href={Route::Reports.href()}>{ t.reports_title }</a>
                }
            </nav>
            <section class="new-forms">
                <h2>{ t.new_record }</h2>
                if forms.is_empty() {
                    <p class="empty">{ if s.catalog.is_none() { t.no_catalog } else { t.no_forms } }</p>
                }
                <ul class="form-list">
                    { for forms.into_iter().map(|(id, title)| html! {
                        <li><a class="btn big form-btn" href={Route::New(id).href()}>
                            <span class="plus" aria-hidden="true">{ "+" }</span>{ title }
                        </a></li>
                    }) }
                </ul>
            </section>
            if !drafts.is_empty() {
                <section class="new-forms test-forms">
                    <h2>{ t.test_forms_title }</h2>
                    <p class="meta">{ t.test_forms_hint }</p>
                    <ul class="form-list">
                        { for drafts.into_iter().map(|(id, title)| html! {
                            <li><a class="btn big secondary form-btn" href={Route::Try(id).href()}>
                                <span class="badge st-draft">{ t.test_form }</span>{ " " }{ title }
                            </a></li>
                        }) }
                    </ul>
                </section>
            }
        </main>
    }
}

/// Form choices by their title, as people look for them.
fn by_title(forms: &mut Vec<(String, String)>) {
    forms::order::sort_by(forms, |a, b| a.1.cmp(&b.1));
}
