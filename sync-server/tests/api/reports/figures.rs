//! Report figures (`forms/definitions/<form>/figures.toml`) as this test expects them:
//! answers that move them, and their sums computed from the answers the records were sent
//! with, independently of the server's code.

use super::*;

/// The report figures each form's `figures.toml` names, with the heading the annual report
/// gives each: what this test expects counted.
pub(super) const FIGURES: [(&str, &str, &str); 30] = [
    ("outreach_event", "broadcasts_count", "Số lần phát thanh"),
    ("outreach_event", "materials_distributed", "Số tài liệu, sản phẩm truyền thông đã phát"),
    ("training_session", "duration_days", "Số ngày tập huấn"),
    ("model_check", "model_active", "Lượt kiểm tra mô hình đang hoạt động"),
    ("model_check", "people_supported", "Số người được tiếp nhận, hỗ trợ"),
    ("model_check", "people_supported_female", "Trong đó nữ"),
    ("model_check", "people_referred", "Số người được chuyển gửi đến dịch vụ khác"),
    ("action_month_event", "banners_count", "Số băng rôn, khẩu hiệu, pa-nô"),
    ("action_month_event", "media_reports", "Số tin, bài trên báo, đài, trang thông tin điện tử"),
    ("school_session", "leaders_of_change_club", "Số buổi sinh hoạt CLB \"Thủ lĩnh của sự thay đổi\""),
    ("gender_equality_inspection", "interagency", "Số cuộc liên ngành"),
    ("gender_equality_inspection", "units_inspected", "Số cơ quan, đơn vị được thanh tra, kiểm tra"),
    ("gender_equality_inspection", "units_with_violations", "Số cơ quan, đơn vị có vi phạm"),
    ("gender_equality_inspection", "violations_found", "Số vi phạm phát hiện"),
    ("gender_equality_inspection", "violations_handled", "Số vi phạm đã xử lý"),
    ("gender_equality_inspection", "recommendations_made", "Số kiến nghị"),
    ("gender_equality_award", "collectives", "Số tập thể được khen thưởng"),
    ("gender_equality_award", "individuals", "Số cá nhân được khen thưởng"),
    ("gender_equality_award", "individuals_female", "Cá nhân: nữ"),
    ("gender_equality_award", "individuals_minority", "Cá nhân: người dân tộc thiểu số"),
    ("gbv_support_service", "people_received", "Số người được tiếp nhận"),
    ("gbv_support_service", "people_received_female", "Tiếp nhận: phụ nữ và trẻ em gái"),
    ("gbv_support_service", "people_received_children", "Tiếp nhận: trẻ em dưới 16 tuổi"),
    ("gbv_support_service", "people_supported", "Số người được hỗ trợ ít nhất một dịch vụ"),
    ("gbv_support_service", "people_supported_female", "Hỗ trợ: phụ nữ và trẻ em gái"),
    ("gbv_support_service", "people_supported_children", "Hỗ trợ: trẻ em dưới 16 tuổi"),
    ("gbv_support_service", "people_referred", "Số người được chuyển gửi"),
    ("gbv_support_service", "people_referred_female", "Chuyển gửi: phụ nữ và trẻ em gái"),
    ("gbv_support_service", "people_referred_children", "Chuyển gửi: trẻ em dưới 16 tuổi"),
    ("women_committee_activity", "decisions_count", "Số quyết định, kết luận, kiến nghị được thông qua"),
];

/// New answers for the fields figures count (only fields that are asked: a model that is
/// not active has no checklist, only a trusted address records people supported; nobody
/// received by a GBV service, nothing supported or referred), within the forms' constraints.
pub(super) fn random_figures(rng: &mut StdRng, record: &mut Record) {
    let v = &mut record.values;
    match record.form_id.as_str() {
        "women_committee_activity" => {
            v.insert("decisions_count".into(), json!(rng.gen_range(0..10)));
        }
        "gender_equality_inspection" => {
            let units = rng.gen_range(1..20);
            let with_violations = rng.gen_range(0..=units);
            let found = if with_violations == 0 { 0 } else { rng.gen_range(with_violations..=3 * with_violations) };
            v.insert("interagency".into(), json!(rng.gen_bool(0.5)));
            v.insert("units_inspected".into(), json!(units));
            v.insert("units_with_violations".into(), json!(with_violations));
            v.insert("violations_found".into(), json!(found));
            v.insert("violations_handled".into(), json!(rng.gen_range(0..=found)));
            v.insert("recommendations_made".into(), json!(rng.gen_range(0..10)));
        }
        "gender_equality_award" => {
            let collectives = rng.gen_range(0..5);
            let individuals = if collectives == 0 { rng.gen_range(1..20) } else { rng.gen_range(0..20) };
            v.insert("collectives".into(), json!(collectives));
            v.insert("individuals".into(), json!(individuals));
            for field in ["individuals_female", "individuals_minority"] {
                if individuals > 0 {
                    v.insert(field.into(), json!(rng.gen_range(0..=individuals)));
                } else {
                    v.remove(field);
                }
            }
        }
        "gbv_support_service" => {
            let received = if rng.gen_bool(0.2) { 0 } else { rng.gen_range(1..30) };
            let (female, children) = (rng.gen_range(0..=received), rng.gen_range(0..=received));
            v.insert("people_received".into(), json!(received));
            v.insert("people_received_female".into(), json!(female));
            v.insert("people_received_children".into(), json!(children));
            for stage in ["supported", "referred"] {
                let n = rng.gen_range(0..=received);
                let answers = [
                    (format!("people_{stage}"), n),
                    (format!("people_{stage}_female"), rng.gen_range(0..=n.min(female))),
                    (format!("people_{stage}_children"), rng.gen_range(0..=n.min(children))),
                ];
                for (field, value) in answers {
                    if received > 0 {
                        v.insert(field, json!(value));
                    } else {
                        v.remove(&field);
                    }
                }
            }
            v.remove("services_other");
            if v.get("people_supported").and_then(Value::as_i64).unwrap_or(0) > 0 {
                v.insert("services".into(), json!(["counselling", "shelter"]));
            } else {
                v.remove("services");
            }
        }
        "outreach_event" => {
            v.insert("materials_distributed".into(), json!(rng.gen_range(0..200)));
        }
        "action_month_event" => {
            v.insert("banners_count".into(), json!(rng.gen_range(1..50)));
            v.insert("media_reports".into(), json!(rng.gen_range(0..10)));
        }
        "school_session" => {
            v.insert("leaders_of_change_club".into(), json!(rng.gen_bool(0.4)));
        }
        "model_check" => {
            let (active, trusted) = (rng.gen_bool(0.7), rng.gen_bool(0.6));
            v.insert("model_type".into(), json!(if trusted { "trusted_address" } else { "gbv_prevention" }));
            v.insert("model_active".into(), json!(active));
            for field in
                ["has_decision", "has_assigned_members", "meets_monthly", "contact_displayed", "referral_links"]
            {
                if active {
                    v.insert(field.into(), json!(rng.gen_bool(0.8)));
                } else {
                    v.remove(field);
                }
            }
            for field in ["people_supported", "people_supported_female", "people_referred"] {
                v.remove(field);
            }
            if active && trusted {
                let supported = rng.gen_range(0..30);
                v.insert("people_supported".into(), json!(supported));
                v.insert("people_supported_female".into(), json!(rng.gen_range(0..=supported)));
                v.insert("people_referred".into(), json!(rng.gen_range(0..=supported)));
            }
        }
        _ => {}
    }
}

/// What a record adds to a figure, read from the answers it was sent with.
fn figure_of(g: &Gen, field: &str) -> i64 {
    match g.record.values.get(field) {
        Some(Value::Bool(b)) => i64::from(*b),
        Some(Value::Number(n)) => n.as_i64().unwrap(),
        _ => 0,
    }
}

/// Report figures by (key, field) over the counted records `keep` selects, every figure of
/// every key's form present (0 where nothing counted).
pub(super) fn figures_by<K: Ord + Clone>(
    gens: &[Gen],
    keep: impl Fn(&Gen) -> bool,
    key: impl Fn(&Gen) -> K,
) -> BTreeMap<(K, String), i64> {
    let mut out = BTreeMap::new();
    for g in gens.iter().filter(|g| g.counted && keep(g)) {
        for (form, field, _) in FIGURES.iter().filter(|(f, _, _)| *f == g.form()) {
            debug_assert_eq!(*form, g.form());
            *out.entry((key(g), (*field).to_owned())).or_default() += figure_of(g, field);
        }
    }
    out
}

/// The `figures` array of a summary entry, by field.
pub(super) fn figures_in(got: &Value) -> BTreeMap<String, i64> {
    got["figures"]
        .as_array()
        .unwrap_or_else(|| panic!("no figures in {got}"))
        .iter()
        .map(|f| (f["field"].as_str().unwrap().to_owned(), f["value"].as_i64().unwrap()))
        .collect()
}
