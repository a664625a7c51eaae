//! Fetches what a screen shows, again when its question (`deps`) changes or `reload` is
//! called. An answer to an earlier question is dropped; a refused token ends the session.

use std::future::Future;
use std::rc::Rc;

use yew::prelude::*;

use crate::api::{Api, ApiError};
use crate::state::{Action, Ctx};

pub enum Load<T> {
    Loading,
    Ready(Rc<T>),
    Failed(ApiError),
}

impl<T> Clone for Load<T> {
    fn clone(&self) -> Self {
        match self {
            Load::Loading => Load::Loading,
            Load::Ready(v) => Load::Ready(v.clone()),
            Load::Failed(e) => Load::Failed(e.clone()),
        }
    }
}

impl<T> PartialEq for Load<T> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Load::Loading, Load::Loading) => true,
            (Load::Ready(a), Load::Ready(b)) => Rc::ptr_eq(a, b),
            (Load::Failed(a), Load::Failed(b)) => a == b,
            _ => false,
        }
    }
}

pub struct Loaded<T> {
    pub load: Load<T>,
    /// Asks again (after a change): what is shown stays until the new answer comes.
    pub reload: Callback<()>,
}

#[hook]
pub fn use_load<T, D, F, Fut>(ctx: &Ctx, deps: D, f: F) -> Loaded<T>
where
    T: 'static,
    D: PartialEq + Clone + 'static,
    F: FnOnce(Api, D) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let load = use_state(|| Load::<T>::Loading);
    let asked = use_mut_ref(|| 0u64);
    let last = use_mut_ref(|| None::<D>);
    let again = use_state(|| 0u32);
    {
        let (load, ctx) = (load.clone(), ctx.clone());
        let token = ctx.session.as_ref().map(|s| s.token.clone());
        use_effect_with((deps, *again, token), move |(deps, _, _)| {
            let mine = {
                let mut a = asked.borrow_mut();
                *a += 1;
                *a
            };
            // A new question blanks the old answer; the same one asked again keeps it shown.
            if last.borrow().as_ref() != Some(deps) {
                load.set(Load::Loading);
                *last.borrow_mut() = Some(deps.clone());
            }
            let fut = f(ctx.api(), deps.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let got = fut.await;
                if *asked.borrow() != mine {
                    return;
                }
                match got {
                    Ok(v) => load.set(Load::Ready(Rc::new(v))),
                    Err(ApiError::Unauthorized) => ctx.dispatch(Action::Expired),
                    Err(e) => load.set(Load::Failed(e)),
                }
            });
        });
    }
    let reload = Callback::from(move |_| again.set(*again + 1));
    Loaded { load: (*load).clone(), reload }
}
