//! The console's state, owned by one reducer: the session, the route, the language and the
//! catalog every screen reads names from. Screens keep their own filters.

use std::rc::Rc;

use forms::{Bundle, Lang};
use yew::prelude::*;

use crate::api::{Api, Me, Session};
use crate::communes::Communes;
use crate::route::Route;

#[derive(Clone, PartialEq)]
pub struct State {
    pub lang: Lang,
    pub session: Option<Rc<Session>>,
    /// `GET /me` answered for this session: its role is the server's word, not a stored one.
    pub checked: bool,
    /// The token was refused: sign in again.
    pub expired: bool,
    pub route: Route,
    pub catalog: Option<Rc<Bundle>>,
    pub communes: Option<Rc<Communes>>,
    /// A message after an action ("Đã tạo người dùng …"), cleared by the next route.
    pub flash: Option<String>,
}

impl State {
    pub fn new(lang: Lang, session: Option<Session>, route: Route) -> State {
        State {
            lang,
            session: session.map(Rc::new),
            checked: false,
            expired: false,
            route,
            catalog: None,
            communes: None,
            flash: None,
        }
    }

    pub fn api(&self) -> Api {
        Api::new(self.session.as_ref().map(|s| s.token.clone()))
    }

    pub fn me(&self) -> Option<&Me> {
        self.session.as_ref().map(|s| &s.user)
    }
}

pub enum Action {
    Lang(Lang),
    SignedIn(Session),
    /// `GET /me` answered: the role and scope as the server has them now.
    Checked(Me),
    SignedOut,
    Expired,
    Route(Route),
    Catalog(Rc<Bundle>),
    Flash(Option<String>),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Lang(l) => s.lang = l,
            Action::SignedIn(session) => {
                s.session = Some(Rc::new(session));
                s.checked = false;
                s.expired = false;
            }
            Action::Checked(me) => {
                if let Some(old) = &s.session {
                    s.session = Some(Rc::new(Session { token: old.token.clone(), user: me }));
                    s.checked = true;
                }
            }
            Action::SignedOut => {
                s.session = None;
                s.checked = false;
                s.expired = false;
            }
            Action::Expired => {
                s.session = None;
                s.checked = false;
                s.expired = true;
            }
            Action::Route(r) => {
                if r != s.route {
                    s.flash = None;
                }
                s.route = r;
            }
            Action::Catalog(bundle) => {
                s.communes = Some(Rc::new(Communes::new(&bundle.reference)));
                s.catalog = Some(bundle);
            }
            Action::Flash(f) => s.flash = f,
        }
        Rc::new(s)
    }
}

pub type Ctx = UseReducerHandle<State>;

/// The shell's state, for any screen.
#[hook]
pub fn use_ctx() -> Ctx {
    use_context::<Ctx>().expect("the shell provides the state")
}
