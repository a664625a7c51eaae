//! Report figures (`forms/definitions/<form>/figures.toml`) as this test expects them:
//! answers that move them, and their sums computed from the answers the records were sent
//! with, independently of the server's code.

use super::*;

/// The report figures each form's `figures.toml` names, with the heading the annual report
/// gives each: what this test expects counted.
pub(super) const FIGURES: [(&str, &str, &str); 10] = [
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
];

/// New answers for the fields figures count (only fields that are asked: a model that is
/// not active has no checklist, only a trusted address records people supported).
pub(super) fn random_figures(rng: &mut StdRng, record: &mut Record) {
    let v = &mut record.values;
    match record.form_id.as_str() {
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
