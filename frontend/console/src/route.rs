//! The console's addresses: real paths under `/console/` (the server answers every one of
//! them with the console's page), so a link can be shared, bookmarked and reloaded.

pub const BASE: &str = "/console/";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Users,
    NewUser,
    User(String),
    Enrolment,
    Phones,
    Reporting,
    Records,
    Record(String),
    /// The audit log (admins only).
    Audit,
    /// Form versions: the list and publishing a new one (admins only).
    Forms,
    /// Reference lists: the files and replacing one (admins only).
    Reference,
    /// Sign-off of communes and agencies for a period (supervisors and admins).
    SignOff,
    NotFound,
}

impl Route {
    /// The route of a path such as `/console/users/lan` (with or without a query).
    pub fn parse(path: &str) -> Route {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let rest = path.strip_prefix("/console").unwrap_or(path).trim_matches('/');
        let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            [] | ["users"] => Route::Users,
            ["users", "new"] => Route::NewUser,
            ["users", name] => Route::User(decode(name)),
            ["enrolment"] => Route::Enrolment,
            ["phones"] => Route::Phones,
            ["reporting"] => Route::Reporting,
            ["records"] => Route::Records,
            ["records", id] => Route::Record(decode(id)),
            ["audit"] => Route::Audit,
            ["sign-off"] => Route::SignOff,
            ["forms"] => Route::Forms,
            ["lists"] => Route::Reference,
            _ => Route::NotFound,
        }
    }

    pub fn href(&self) -> String {
        let tail = match self {
            Route::Users | Route::NotFound => "users".to_owned(),
            Route::NewUser => "users/new".to_owned(),
            Route::User(name) => format!("users/{}", crate::query::encode(name)),
            Route::Enrolment => "enrolment".to_owned(),
            Route::Phones => "phones".to_owned(),
            Route::Reporting => "reporting".to_owned(),
            Route::Records => "records".to_owned(),
            Route::Record(id) => format!("records/{}", crate::query::encode(id)),
            Route::Audit => "audit".to_owned(),
            Route::SignOff => "sign-off".to_owned(),
            Route::Forms => "forms".to_owned(),
            Route::Reference => "lists".to_owned(),
        };
        format!("{BASE}{tail}")
    }

    /// The menu entry a route belongs to.
    pub fn section(&self) -> Route {
        match self {
            Route::NewUser | Route::User(_) | Route::NotFound => Route::Users,
            Route::Record(_) => Route::Records,
            r => r.clone(),
        }
    }
}

/// Undoes [`crate::query::encode`] (user names and ids are ASCII; anything else kept).
fn decode(part: &str) -> String {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| part.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip() {
        for r in [
            Route::Users,
            Route::NewUser,
            Route::User("lan.anh".into()),
            Route::Enrolment,
            Route::Phones,
            Route::Reporting,
            Route::Records,
            Route::Record("0b6f-11".into()),
            Route::Audit,
            Route::SignOff,
            Route::Forms,
            Route::Reference,
        ] {
            assert_eq!(Route::parse(&r.href()), r, "{}", r.href());
        }
        assert_eq!(Route::parse("/console/"), Route::Users);
        assert_eq!(Route::parse("/console"), Route::Users);
        assert_eq!(Route::parse("/console/phones?stale_days=3"), Route::Phones);
        assert_eq!(Route::parse("/console/nowhere/at/all"), Route::NotFound);
        assert_eq!(Route::parse("/console/users/a%20b"), Route::User("a b".into()));
    }
}
