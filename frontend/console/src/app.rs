//! The shell: owns the state reducer, keeps the session, checks the role with the server,
//! and picks the screen for the route. A collector gets "not permitted" and nothing else.

use forms::Lang;
use yew::prelude::*;

use crate::api::Role;
use crate::components::audit::Audit;
use crate::components::enrolment::Enrolment;
use crate::components::form_versions::FormsScreen;
use crate::components::phones::Phones;
use crate::components::record_view::RecordView;
use crate::components::records::Records;
use crate::components::reference_lists::ReferenceScreen;
use crate::components::reporting::Reporting;
use crate::components::sign_in::{NotPermitted, SignIn};
use crate::components::sign_off::SignOff;
use crate::components::user_form::UserForm;
use crate::components::users::Users;
use crate::components::{error_box, Link};
use crate::hooks::{self, use_catalog, use_me, use_session_storage};
use crate::i18n::texts;
use crate::route::Route;
use crate::state::{Action, Ctx, State};
use crate::web;

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| State::new(hooks::stored_lang(), hooks::stored_session(), Route::parse(&web::path())));
    use_session_storage(&state);
    let (me_error, me_retry) = use_me(&state);
    let catalog_error = use_catalog(&state);
    let t = texts(state.lang);
    web::set_lang(if state.lang == Lang::En { "en" } else { "vi" }, t.page_title);

    let role = state.me().map(|m| m.role);
    let allowed = state.checked && matches!(role, Some(Role::Admin | Role::Supervisor));
    let body = match (&state.session, state.checked) {
        (None, _) => html! { <SignIn /> },
        (Some(_), false) => match &me_error {
            Some(e) => error_box(state.lang, e, Some(me_retry)),
            None => html! { <p class="loading">{ t.loading }</p> },
        },
        (Some(_), true) if !allowed => html! { <NotPermitted /> },
        // The audit log and the forms are the admins'; a supervisor who follows a link to
        // either gets their users list, as for any unknown address.
        (Some(_), true) => screen(&state.route, role == Some(Role::Admin)),
    };
    html! {
        <ContextProvider<Ctx> context={state.clone()}>
            <a class="skip" href="#main">{ t.skip_to_content }</a>
            <header class="top">
                <span class="brand">{ t.app_name }</span>
                <span class="grow"></span>
                <LangSwitch />
                if let Some(me) = state.me() {
                    <span class="who">{ me.display_name.clone() }</span>
                    <button class="btn small on-dark" onclick={
                        let state = state.clone();
                        move |_| hooks::sign_out(&state)
                    }>{ t.sign_out }</button>
                }
            </header>
            if allowed { <Menu /> }
            <main id="main" class="screen" tabindex="-1">
                if let Some(f) = &state.flash {
                    <p class="flash" role="status">{ f.clone() }</p>
                }
                if let (true, Some(e)) = (allowed, &catalog_error) {
                    { error_box(state.lang, e, None) }
                }
                { body }
            </main>
        </ContextProvider<Ctx>>
    }
}

fn screen(route: &Route, admin: bool) -> Html {
    match route {
        Route::Audit if admin => html! { <Audit /> },
        Route::Forms if admin => html! { <FormsScreen /> },
        Route::Reference if admin => html! { <ReferenceScreen /> },
        Route::Users | Route::NotFound | Route::Audit | Route::Forms | Route::Reference => html! { <Users /> },
        Route::NewUser => html! { <UserForm key="new" username={None::<AttrValue>} /> },
        Route::User(name) => html! { <UserForm key={name.clone()} username={Some(AttrValue::from(name.clone()))} /> },
        Route::Enrolment => html! { <Enrolment /> },
        Route::Phones => html! { <Phones /> },
        Route::Reporting => html! { <Reporting /> },
        Route::Records => html! { <Records /> },
        Route::SignOff => html! { <SignOff /> },
        Route::Record(id) => html! { <RecordView key={id.clone()} id={AttrValue::from(id.clone())} /> },
    }
}

#[function_component(Menu)]
fn menu() -> Html {
    let ctx = crate::state::use_ctx();
    let t = texts(ctx.lang);
    let current = ctx.route.section();
    let admin = ctx.me().is_some_and(|m| m.role == Role::Admin);
    let item = |route: Route, label: &'static str| {
        let here = route == current;
        html! {
            <Link route={route} class={classes!("menu-item", here.then_some("current"))} current={here}>{ label }</Link>
        }
    };
    html! {
        <nav class="menu" aria-label={t.menu}>
            { item(Route::Users, t.users) }
            { item(Route::Enrolment, t.enrolment) }
            { item(Route::Phones, t.phones) }
            { item(Route::Reporting, t.reporting) }
            { item(Route::Records, t.records) }
            { item(Route::SignOff, t.sign_off) }
            if admin { { item(Route::Forms, crate::i18n::form_screen::form_texts(ctx.lang).nav) } }
            if admin { { item(Route::Reference, crate::i18n::reference_screen::reference_texts(ctx.lang).nav) } }
            if admin { { item(Route::Audit, t.audit) } }
        </nav>
    }
}

#[function_component(LangSwitch)]
fn lang_switch() -> Html {
    let ctx = crate::state::use_ctx();
    let other = if ctx.lang == Lang::Vi { Lang::En } else { Lang::Vi };
    let label = if other == Lang::En { "English" } else { "Tiếng Việt" };
    let onclick = Callback::from(move |_| ctx.dispatch(Action::Lang(other)));
    html! { <button class="btn small on-dark" lang={if other == Lang::En { "en" } else { "vi" }} {onclick}>{ label }</button> }
}
