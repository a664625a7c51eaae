//! Hash routes: the app is one page, so a reload or a shared link lands on the same screen.

use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Home,
    SignIn,
    Enroll(String),
    New(String),
    /// A test record of a form's draft ("Bản thử"), for testers.
    Try(String),
    Record(Uuid),
    Records,
    Settings,
    /// An officer's own finished activities, counted on the phone.
    MyWork,
    /// The province's summary, for supervisors and admins (online).
    Reports,
    NotFound,
}

impl Route {
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let mut parts = path.splitn(2, '/');
        match (parts.next().unwrap_or(""), parts.next()) {
            ("", None) => Route::Home,
            ("sign-in", None) => Route::SignIn,
            ("enroll", Some(code)) if !code.is_empty() => Route::Enroll(code.to_owned()),
            ("new", Some(id)) if !id.is_empty() => Route::New(id.to_owned()),
            ("try", Some(id)) if !id.is_empty() => Route::Try(id.to_owned()),
            ("record", Some(id)) => Uuid::parse_str(id).map_or(Route::NotFound, Route::Record),
            ("records", None) => Route::Records,
            ("settings", None) => Route::Settings,
            ("my-work", None) => Route::MyWork,
            ("reports", None) => Route::Reports,
            _ => Route::NotFound,
        }
    }

    pub fn href(&self) -> String {
        match self {
            Route::Home | Route::NotFound => "#/".into(),
            Route::SignIn => "#/sign-in".into(),
            Route::Enroll(code) => format!("#/enroll/{code}"),
            Route::New(id) => format!("#/new/{id}"),
            Route::Try(id) => format!("#/try/{id}"),
            Route::Record(id) => format!("#/record/{id}"),
            Route::Records => "#/records".into(),
            Route::Settings => "#/settings".into(),
            Route::MyWork => "#/my-work".into(),
            Route::Reports => "#/reports".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_round_trip() {
        let id = Uuid::nil();
        for r in [
            Route::Home,
            Route::SignIn,
            Route::Enroll("ABC".into()),
            Route::New("x".into()),
            Route::Try("x".into()),
            Route::Record(id),
            Route::MyWork,
            Route::Reports,
        ] {
            assert_eq!(Route::parse(&r.href()), r);
        }
        assert_eq!(Route::parse(""), Route::Home);
        assert_eq!(Route::parse("#/record/nope"), Route::NotFound);
    }
}
