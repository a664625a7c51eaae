//! "Who has reported": for a period, every commune in scope with its activities by form,
//! its participants and women's share, the date of its last record and when its officers'
//! phones last synced. Communes with nothing come first: the list a supervisor works down
//! to decide whom to call before the 30/11 deadline.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use forms::dates::{format_date, format_instant};
use forms::{Catalog, Localized, Location, Sex};
use serde::Serialize;

use super::annual::{HeaderGroup, Sheet, Value};
use super::query::{participant_fields, CommuneMap, UnitKey};
use super::{record_filter, unit_name, Period, ReportError, ReportScope};
use crate::Db;

#[derive(Debug, Clone, Serialize)]
pub struct FormTitle {
    pub id: String,
    pub title: Localized,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct FormTally {
    pub form_id: String,
    pub activities: u64,
    pub participants: u64,
    pub female: u64,
}

/// What the officers of a commune have: how many, and their phones' latest sync.
#[derive(Debug, Clone, Copy, Default)]
pub struct Officers {
    pub users: usize,
    pub last_sync_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommuneStatus {
    pub unit_list: String,
    pub unit_code: String,
    pub name: String,
    pub activities: u64,
    pub participants: u64,
    pub female: u64,
    pub female_share: Option<f64>,
    /// Every form with records here, in the catalog's order.
    pub by_form: Vec<FormTally>,
    /// The latest activity date of a final record, up to the period's end (YYYY-MM-DD).
    pub last_activity_date: Option<String>,
    pub last_sync_at: Option<i64>,
    pub users: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportingStatus {
    pub period: Period,
    pub scope: Localized,
    pub forms: Vec<FormTitle>,
    /// Communes with no activity first, then by activities, then by name.
    pub communes: Vec<CommuneStatus>,
    /// How many communes have nothing in the period.
    pub silent: usize,
}

/// The status of `communes` (2025 communes, already limited to the caller's scope) in
/// `period`, their officers still to be added ([`ReportingStatus::with_officers`]: read
/// meanwhile by the caller).
pub async fn reporting_status(
    db: &Db,
    catalog: &Catalog,
    scope: &ReportScope,
    period: Period,
    communes: &[Location],
) -> Result<ReportingStatus, ReportError> {
    let reference = catalog.reference();
    // Activities and people by sex only: the ethnicity and group a full cube carries cost
    // most of a year's read and are not shown here.
    let map = CommuneMap::new(reference);
    let participants = participant_fields(catalog);
    let mut by_form: BTreeMap<(UnitKey, String), FormTally> = BTreeMap::new();
    // Two reads of their own, side by side: on SQLite each holds a connection and a core.
    let filter = record_filter(scope, Some(&period), None);
    let until = forms::dates::iso_date(period.to);
    let (totals, latest) = tokio::try_join!(db.report_totals_by_sex(&filter), db.last_activity_dates(&until))?;
    for row in totals {
        let unit = map.key(&row.location.unit_list, &row.location.unit_code);
        let n = row.total.max(0) as u64;
        let tally = by_form.entry((unit, row.form_id.clone())).or_default();
        match row.sex {
            None if row.field.is_empty() => tally.activities += n,
            // A report figure.
            None => {}
            Some(sex) => {
                if participants.get(row.form_id.as_str()).is_none_or(|fields| fields.contains(row.field.as_str())) {
                    tally.participants += n;
                    if sex == Sex::Female {
                        tally.female += n;
                    }
                }
            }
        }
    }
    let mut last_dates: HashMap<UnitKey, String> = HashMap::new();
    for (location, date) in latest {
        let key = map.key(&location.unit_list, &location.unit_code);
        let entry = last_dates.entry(key).or_default();
        if date > *entry {
            *entry = date;
        }
    }
    let order: Vec<&str> = catalog.forms().map(|f| f.id()).fold(Vec::new(), |mut ids, id| {
        if !ids.contains(&id) {
            ids.push(id);
        }
        ids
    });
    let mut statuses: Vec<CommuneStatus> = communes
        .iter()
        .map(|commune| {
            let key: UnitKey = (commune.unit_list.clone(), commune.unit_code.clone());
            let mut forms: Vec<FormTally> = by_form
                .range((key.clone(), String::new())..)
                .take_while(|((unit, _), _)| *unit == key)
                .filter(|(_, t)| t.activities > 0)
                .map(|((_, form), t)| FormTally { form_id: form.clone(), ..t.clone() })
                .collect();
            forms.sort_by_key(|f| order.iter().position(|id| *id == f.form_id).unwrap_or(usize::MAX));
            let sum = |f: fn(&FormTally) -> u64| forms.iter().map(f).sum::<u64>();
            let (activities, participants, female) =
                (sum(|f| f.activities), sum(|f| f.participants), sum(|f| f.female));
            CommuneStatus {
                name: unit_name(reference, commune),
                unit_list: commune.unit_list.clone(),
                unit_code: commune.unit_code.clone(),
                activities,
                participants,
                female,
                female_share: (participants > 0).then(|| female as f64 / participants as f64),
                by_form: forms,
                last_activity_date: last_dates.get(&key).cloned(),
                last_sync_at: None,
                users: 0,
            }
        })
        .collect();
    statuses.sort_by(|a, b| {
        (a.activities > 0).cmp(&(b.activities > 0)).then(a.activities.cmp(&b.activities)).then(a.name.cmp(&b.name))
    });
    let shown: Vec<FormTitle> = order
        .iter()
        .filter(|id| statuses.iter().any(|c| c.by_form.iter().any(|f| f.form_id == **id)))
        .filter_map(|id| {
            catalog.latest(id).map(|f| FormTitle { id: (*id).to_owned(), title: f.definition.title.clone() })
        })
        .collect();
    Ok(ReportingStatus {
        silent: statuses.iter().filter(|c| c.activities == 0).count(),
        scope: scope.label(reference),
        period,
        forms: shown,
        communes: statuses,
    })
}

impl ReportingStatus {
    /// Adds each commune's officers (by commune code): how many, and their latest sync.
    pub fn with_officers(mut self, officers: &HashMap<String, Officers>) -> Self {
        for commune in &mut self.communes {
            let people = officers.get(&commune.unit_code).copied().unwrap_or_default();
            (commune.users, commune.last_sync_at) = (people.users, people.last_sync_at);
        }
        self
    }

    /// The table as a printable sheet (`xlsx::sheets`): one row per commune, in the same
    /// order as on screen, a column pair per form.
    pub fn sheet(&self, made_at: DateTime<Utc>) -> Sheet {
        let local = |ms: i64| DateTime::from_timestamp_millis(ms).map(format_instant);
        let mut header = vec![
            HeaderGroup { title: "STT".into(), columns: vec![] },
            HeaderGroup { title: "Mã xã".into(), columns: vec![] },
            HeaderGroup { title: "Xã, phường".into(), columns: vec![] },
            HeaderGroup {
                title: "Tổng cộng".into(),
                columns: vec!["Hoạt động".into(), "Người tham gia".into(), "Tỷ lệ nữ".into()],
            },
        ];
        for form in &self.forms {
            header.push(HeaderGroup {
                title: form.title.vi.clone(),
                columns: vec!["Hoạt động".into(), "Người tham gia".into()],
            });
        }
        header.push(HeaderGroup { title: "Hoạt động gần nhất".into(), columns: vec![] });
        header.push(HeaderGroup { title: "Đồng bộ gần nhất".into(), columns: vec![] });
        header.push(HeaderGroup { title: "Số cán bộ".into(), columns: vec![] });
        let rows = self
            .communes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut row = vec![
                    Value::Count(i as u64 + 1),
                    Value::Text(c.unit_code.clone()),
                    Value::Text(c.name.clone()),
                    Value::Count(c.activities),
                    Value::Count(c.participants),
                    Value::Share(c.female_share),
                ];
                for form in &self.forms {
                    let t = c.by_form.iter().find(|f| f.form_id == form.id).cloned().unwrap_or_default();
                    row.extend([Value::Count(t.activities), Value::Count(t.participants)]);
                }
                let date = c.last_activity_date.as_deref().and_then(forms::dates::parse_iso_date).map(format_date);
                row.push(Value::Text(date.unwrap_or_else(|| "—".into())));
                row.push(Value::Text(c.last_sync_at.and_then(local).unwrap_or_else(|| "—".into())));
                row.push(Value::Count(c.users as u64));
                row
            })
            .collect();
        let total_of = |f: fn(&CommuneStatus) -> u64| self.communes.iter().map(f).sum::<u64>();
        let (people, female) = (total_of(|c| c.participants), total_of(|c| c.female));
        let mut total = vec![
            Value::Text(String::new()),
            Value::Text(String::new()),
            Value::Text("Cộng".into()),
            Value::Count(total_of(|c| c.activities)),
            Value::Count(people),
            Value::Share((people > 0).then(|| female as f64 / people as f64)),
        ];
        for form in &self.forms {
            let sum = |f: fn(&FormTally) -> u64| {
                self.communes.iter().flat_map(|c| &c.by_form).filter(|t| t.form_id == form.id).map(f).sum::<u64>()
            };
            total.extend([Value::Count(sum(|t| t.activities)), Value::Count(sum(|t| t.participants))]);
        }
        total.extend([
            Value::Text(String::new()),
            Value::Text(String::new()),
            Value::Count(total_of(|c| c.users as u64)),
        ]);
        Sheet {
            name: "Tình hình báo cáo".into(),
            title: format!("TÌNH HÌNH BÁO CÁO CỦA CÁC XÃ, PHƯỜNG — {}", self.period.label.vi.to_uppercase()),
            subtitle: vec![
                format!("Kỳ: {} – {}", format_date(self.period.from), format_date(self.period.to)),
                format!("Xã chưa có hoạt động: {} / {}", self.silent, self.communes.len()),
                format!("Lập lúc: {}", local(made_at.timestamp_millis()).unwrap_or_default()),
            ],
            scope: format!("Phạm vi: {}", self.scope.vi),
            header,
            rows,
            total,
            note: Some("Xã chưa có hoạt động trong kỳ được xếp lên đầu.".into()),
            frozen_columns: 3,
        }
    }
}
