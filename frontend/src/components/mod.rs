//! Screens and widgets. They render state and call `services` from event handlers.

pub mod charts;
pub mod count_grid;
pub mod evidence;
pub mod fields;
pub mod form_screen;
pub mod home;
#[cfg(test)]
pub mod markup;
pub mod record_history;
pub mod record_view;
pub mod records;
pub mod reports;
pub mod review_section;
pub mod settings;
pub mod sign_in;
pub mod sync_bar;
pub mod update_banner;

use yew::prelude::*;

use crate::context::Ctx;

/// The title of a form version in the current language, or its id if unknown.
pub fn form_title(ctx: &Ctx, form_id: &str, version: u32) -> String {
    let lang = ctx.state.lang;
    ctx.state
        .catalog
        .as_ref()
        .and_then(|c| c.form(form_id, version).or_else(|| c.latest(form_id)))
        .map_or_else(|| form_id.to_owned(), |f| f.definition.title.get(lang).to_owned())
}

/// Whether a record was made with a form's draft: a test record, never counted.
pub fn is_test(ctx: &Ctx, form_id: &str, version: u32) -> bool {
    ctx.state.catalog.as_ref().and_then(|c| c.form(form_id, version)).is_some_and(|f| f.definition.draft)
}

/// The name of a commune of the 2025 list (or its code).
pub fn unit_name(ctx: &Ctx, location: &forms::Location) -> String {
    ctx.state
        .catalog
        .as_ref()
        .and_then(|c| {
            c.reference().unit_lists.get(&location.unit_list)?.get(&location.unit_code).map(|u| u.name.clone())
        })
        .unwrap_or_else(|| location.unit_code.clone())
}

pub fn state_class(state: device::SyncState) -> &'static str {
    use device::SyncState::*;
    match state {
        Draft => "st-draft",
        Queued => "st-waiting",
        Synced => "st-synced",
        Rejected | Conflict => "st-attention",
    }
}

pub fn flash(ctx: &Ctx) -> Html {
    match &ctx.state.flash {
        Some(text) => html! { <p class="flash" role="status">{ text.clone() }</p> },
        None => html! {},
    }
}
