//! What every screen gets from the shell, through Yew's context: the state reducer, the open
//! storage (handed to `services`, never called from a component) and two callbacks.

use std::rc::Rc;

use device::Storage;
use yew::prelude::*;

use crate::state::State;

#[derive(Clone)]
pub struct Ctx {
    pub state: UseReducerHandle<State>,
    pub storage: Rc<Storage>,
    /// Start a sync now.
    pub sync: Callback<()>,
    /// Stored records changed: reload counts and lists.
    pub changed: Callback<()>,
}

impl PartialEq for Ctx {
    fn eq(&self, o: &Self) -> bool {
        self.state == o.state && Rc::ptr_eq(&self.storage, &o.storage)
    }
}

/// The context the shell provides; every screen is rendered inside it.
#[hook]
pub fn use_ctx() -> Ctx {
    use_context::<Ctx>().expect("rendered inside the shell's ContextProvider<Ctx>")
}
