//! The sign-off screen's answer and what it takes (`GET/POST /admin/sign-offs`, plan
//! section V): for a period, every commune (and, for admins and province-wide supervisors,
//! every agency; for an agency's officer in charge, theirs) with where it stands, the counts behind it and the open sign-off.

use forms::Localized;
use serde::{Deserialize, Serialize};

pub use forms::review::{ClosedPeriod, SignOffKind};

/// Where a commune or agency stands for the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// No finished record in the period.
    Nothing,
    InProgress,
    /// Some records were returned and wait for their officers.
    NeedsChanges,
    SignedOff,
    #[serde(other)]
    Other,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct SignOffCounts {
    #[serde(default)]
    pub records: u64,
    #[serde(default)]
    pub approved: u64,
    #[serde(default)]
    pub needs_changes: u64,
    /// Finished, not (yet) approved or returned.
    #[serde(default)]
    pub submitted: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Signer {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
}

impl Signer {
    pub fn name(&self) -> &str {
        if self.display_name.is_empty() {
            &self.username
        } else {
            &self.display_name
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SignOff {
    pub id: i64,
    pub kind: SignOffKind,
    pub target: String,
    pub period: ClosedPeriod,
    pub year: i32,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub signed_by: Signer,
    /// Milliseconds since the epoch.
    pub signed_at: i64,
    #[serde(default)]
    pub reopened_by: Option<Signer>,
    #[serde(default)]
    pub reopened_at: Option<i64>,
    #[serde(default)]
    pub reopen_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SignOffRow {
    pub kind: SignOffKind,
    pub target: String,
    #[serde(default)]
    pub name: String,
    pub standing: Standing,
    #[serde(default)]
    pub counts: SignOffCounts,
    /// The open sign-off, if any.
    #[serde(default)]
    pub sign_off: Option<SignOff>,
    /// Whether the caller may sign it off or reopen it.
    #[serde(default)]
    pub may_act: bool,
}

impl SignOffRow {
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            &self.target
        } else {
            &self.name
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SignOffPeriod {
    pub from: String,
    pub to: String,
    pub label: Localized,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SignOffScreen {
    pub period: SignOffPeriod,
    #[serde(default)]
    pub communes: Vec<SignOffRow>,
    /// The agencies the caller may sign off (every one for admins and province-wide
    /// supervisors, their own for an agency's officer in charge); `records` counts the
    /// reviewed ones only.
    #[serde(default)]
    pub agencies: Vec<SignOffRow>,
    /// Reopened sign-offs of the period, newest first.
    #[serde(default)]
    pub reopened: Vec<SignOff>,
}

/// `POST /admin/sign-offs`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NewSignOff {
    pub kind: SignOffKind,
    pub target: String,
    pub period: ClosedPeriod,
    pub year: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_screen_reads() {
        let s: SignOffScreen = serde_json::from_str(
            r#"{"period":{"from":"2026-01-01","to":"2026-11-30","kind":"reporting_year","label":{"vi":"Năm báo cáo 2026","en":"Reporting year 2026"}},
            "communes":[{"kind":"commune","target":"21025","name":"Phường Cẩm Thành","standing":"signed_off",
              "counts":{"records":3,"approved":2,"needs_changes":0,"submitted":1},
              "sign_off":{"id":4,"kind":"commune","target":"21025","period":"reporting_year","year":2026,"from":"2026-01-01","to":"2026-11-30",
                "signed_by":{"username":"sup","display_name":"Giám sát"},"signed_at":1796059800000,"reopened_by":null,"reopened_at":null,"reopen_reason":null},
              "may_act":true}],
            "agencies":[],"reopened":[]}"#,
        )
        .unwrap();
        let row = &s.communes[0];
        assert_eq!((row.standing, row.counts.submitted), (Standing::SignedOff, 1));
        assert_eq!(row.sign_off.as_ref().unwrap().signed_by.name(), "Giám sát");
        assert_eq!(s.period.label.en, "Reporting year 2026");
        let odd: Standing = serde_json::from_str(r#""frozen""#).unwrap();
        assert_eq!(odd, Standing::Other);
        let body = NewSignOff {
            kind: SignOffKind::Agency,
            target: "so_noi_vu".into(),
            period: ClosedPeriod::ActionMonth,
            year: 2026,
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"kind":"agency","target":"so_noi_vu","period":"action_month","year":2026}"#
        );
    }
}
