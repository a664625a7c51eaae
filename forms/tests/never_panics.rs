//! Properties: validation and the expression parser never panic, whatever they are given.

use std::sync::LazyLock;

use forms::{expr, Catalog, Mode};
use proptest::prelude::*;
use serde_json::{Map, Value};

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog::bundled().unwrap());

/// Arbitrary JSON, biased towards the shapes records have (objects of field names, grids of
/// cell objects) so the validator's deeper paths are reached, not only its first check.
fn json() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec![
        "topic",
        "participants",
        "start_date",
        "end_date",
        "duration_days",
        "ethnicity",
        "sex",
        "count",
        "group",
        "format",
        "model_active",
        "people_supported",
        "event_date",
        "students",
        "grade",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec!["01", "19", "99", "male", "female", "adult", "child", "2025-11-20", "other", ""])
            .prop_map(Value::from),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((names.clone(), inner), 0..10)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Map<_, _>>())),
        ]
    })
}

/// Objects keyed by the real field names of every bundled form, with arbitrary values.
fn record_values() -> impl Strategy<Value = Value> {
    let names: Vec<String> = CATALOG.forms().flat_map(|f| f.fields.iter().map(|f| f.name.clone())).collect();
    prop::collection::vec((prop::sample::select(names), json()), 0..16)
        .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn validation_never_panics(values in prop_oneof![1 => json(), 4 => record_values()]) {
        for form in CATALOG.forms() {
            for mode in [Mode::Draft, Mode::Final] {
                let _ = form.validate(&values, mode);
            }
        }
    }

    #[test]
    fn the_expression_parser_never_panics(source in ".{0,80}") {
        let _ = expr::parse(&source);
    }

    #[test]
    fn the_expression_parser_never_panics_on_near_misses(
        parts in prop::collection::vec(
            prop::sample::select(vec!["(", ")", "a", "1", "1.5", ".", "'x'", "\"", "and", "or", "not", "=", "<=", "-",
                                      "+", "*", "/", ",", "total(", "date(", "if(", "selected("]),
            0..30)
    ) {
        let _ = expr::parse(&parts.join(" "));
    }
}
