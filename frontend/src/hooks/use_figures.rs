//! The figures of a period for the report screens: counted from the records on the phone
//! ("my work", offline too) or asked from the server (the province's reports), again when
//! the period or the stored records change.

use std::rc::Rc;

use chrono::NaiveDate;
use device::{ApiError, ReportSummary};
use forms::grid::BySex;
use yew::prelude::*;

use crate::context::Ctx;
use crate::services;
use crate::state::Action;
use crate::summary;
use crate::web::Shared;

type Dates = (NaiveDate, NaiveDate);

/// What the figures of a period came back as.
#[derive(Clone, PartialEq)]
pub enum Answer {
    /// The summary and, for a year on the province's reports, its months.
    Figures(Shared<ReportSummary>, Option<Shared<Vec<(u64, BySex)>>>),
    /// The report did not come: what to tell the user.
    Failed(AttrValue),
}

/// The answer for `dates` (and `with_trend`), once it came: `None` while it is on its way
/// (the answer for an earlier period is never shown for this one). Nothing is asked unless
/// `go` (allowed, and online for the server's reports).
#[hook]
pub fn use_figures(ctx: &Ctx, mine: bool, dates: Option<Dates>, go: bool, with_trend: bool) -> Option<Answer> {
    let answer = use_state(|| None::<((Dates, bool), Answer)>);
    // The question asked last: a slower answer to an earlier question is dropped.
    let asked = use_mut_ref(|| None::<(Dates, bool)>);
    {
        let (answer, asked, storage, catalog) =
            (answer.clone(), asked.clone(), ctx.storage.clone(), ctx.state.catalog.clone());
        let (session, dispatch, lang) = (ctx.state.session.clone(), ctx.state.dispatcher(), ctx.state.lang);
        use_effect_with((dates, go, with_trend, ctx.state.data_version), move |(dates, go, with_trend, _)| {
            let (Some(dates), true, Some(session)) = (*dates, *go, session) else { return };
            let question = (dates, *with_trend);
            *asked.borrow_mut() = Some(question);
            wasm_bindgen_futures::spawn_local(async move {
                let got = if mine {
                    let records = services::records(&storage).await;
                    let user = &session.user.username;
                    let s = catalog.map(|c| summary::my_work(&c, &records, user, dates)).unwrap_or_default();
                    Answer::Figures(Shared(Rc::new(s)), None)
                } else {
                    match services::province_figures(session.token.clone(), dates, question.1).await {
                        Ok((s, trend)) => Answer::Figures(Shared(Rc::new(s)), trend.map(|m| Shared(Rc::new(m)))),
                        Err(e) => {
                            if let ApiError::Unauthorized = e {
                                dispatch.dispatch(Action::SessionExpired);
                            }
                            Answer::Failed(services::report_error(lang, &e).into())
                        }
                    }
                };
                if *asked.borrow() == Some(question) {
                    answer.set(Some((question, got)));
                }
            });
        });
    }
    let question = dates.map(|d| (d, with_trend));
    (*answer).as_ref().filter(|(q, _)| Some(*q) == question).map(|(_, a)| a.clone())
}
