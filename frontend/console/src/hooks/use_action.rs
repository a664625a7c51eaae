//! Runs one change at a time (create, disable, revoke…): busy while it travels, the error
//! kept to show beside the button, a refused token ends the session.

use std::future::Future;

use yew::prelude::*;

use crate::api::{Api, ApiError};
use crate::state::{Action, Ctx};

#[derive(Clone, PartialEq)]
pub struct Act {
    ctx: Ctx,
    busy: UseStateHandle<bool>,
    error: UseStateHandle<Option<ApiError>>,
}

impl Act {
    pub fn busy(&self) -> bool {
        *self.busy
    }

    pub fn error(&self) -> Option<ApiError> {
        (*self.error).clone()
    }

    /// Sends what `make` builds; `done` gets the answer.
    pub fn run<T, Fut>(&self, make: impl FnOnce(Api) -> Fut, done: impl FnOnce(T) + 'static)
    where
        T: 'static,
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        self.busy.set(true);
        self.error.set(None);
        let fut = make(self.ctx.api());
        let (busy, error, ctx) = (self.busy.clone(), self.error.clone(), self.ctx.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let got = fut.await;
            busy.set(false);
            match got {
                Ok(v) => done(v),
                Err(ApiError::Unauthorized) => ctx.dispatch(Action::Expired),
                Err(e) => error.set(Some(e)),
            }
        });
    }
}

#[hook]
pub fn use_action(ctx: &Ctx) -> Act {
    Act { ctx: ctx.clone(), busy: use_state(|| false), error: use_state(|| None) }
}
