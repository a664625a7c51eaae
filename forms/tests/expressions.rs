//! The expression language through the engine's boundary: each case compiles an expression
//! as a `calculate` field of a small form and reads the computed value back.

use forms::catalog::parse_definition;
use forms::{Catalog, Form, Mode};
use serde_json::{json, Value};

/// A form with one field of each kind the expressions below refer to, and `out` computed.
fn form_with(calculate: &str) -> Result<Form, forms::DefinitionError> {
    let text = format!(
        r#"
id = "expr_test"
version = 1
plan_area = "training"
date_field = "d1"
title = {{ vi = "Thử", en = "Test" }}
[[sections]]
id = "s"
title = {{ vi = "Phần", en = "Section" }}
[[sections.fields]]
name = "a"
type = "integer"
label = {{ vi = "A", en = "A" }}
[[sections.fields]]
name = "b"
type = "decimal"
label = {{ vi = "B", en = "B" }}
[[sections.fields]]
name = "t"
type = "text"
label = {{ vi = "T", en = "T" }}
[[sections.fields]]
name = "d1"
type = "date"
label = {{ vi = "D1", en = "D1" }}
required = true
[[sections.fields]]
name = "d2"
type = "date"
label = {{ vi = "D2", en = "D2" }}
[[sections.fields]]
name = "one"
type = "select_one"
label = {{ vi = "Một", en = "One" }}
options = [{{ value = "x", label = {{ vi = "x", en = "x" }} }}, {{ value = "y", label = {{ vi = "y", en = "y" }} }}]
[[sections.fields]]
name = "many"
type = "select_multiple"
label = {{ vi = "Nhiều", en = "Many" }}
options = [{{ value = "x", label = {{ vi = "x", en = "x" }} }}, {{ value = "y", label = {{ vi = "y", en = "y" }} }}]
[[sections.fields]]
name = "yes"
type = "yes_no"
label = {{ vi = "Có", en = "Yes" }}
[[sections.fields]]
name = "g"
type = "count_grid"
label = {{ vi = "Lưới", en = "Grid" }}
grid.shortlist = "quang_ngai"
grid.group = {{ name = "age", label = {{ vi = "Tuổi", en = "Age" }}, options = [{{ value = "child", label = {{ vi = "Trẻ", en = "Child" }} }}, {{ value = "adult", label = {{ vi = "Lớn", en = "Adult" }} }}] }}
[[sections.fields]]
name = "out"
type = "calculate"
label = {{ vi = "Kết quả", en = "Result" }}
calculate = {calculate:?}
"#
    );
    let catalog = Catalog::bundled().expect("bundled catalog loads");
    let (file, def) = parse_definition("expr_test/v1.toml", &text)?;
    Form::compile(def, catalog.reference(), &file)
}

fn values() -> Value {
    json!({
        "a": 7, "b": 2.5, "t": "Hrê", "d1": "2025-11-15", "d2": "2025-12-16",
        "one": "x", "many": ["x", "y"], "yes": true,
        "g": [
            { "ethnicity": "01", "sex": "male", "group": "adult", "count": 4 },
            { "ethnicity": "01", "sex": "female", "group": "adult", "count": 6 },
            { "ethnicity": "19", "sex": "female", "group": "child", "count": 5 },
            { "ethnicity": "30", "sex": "male", "group": "child", "count": 2 }
        ]
    })
}

/// Evaluates `expr` against `values()`; `None` when the result is null (no answer).
fn eval(expr: &str) -> Option<Value> {
    let form = form_with(expr).unwrap_or_else(|e| panic!("'{expr}' should compile: {e}"));
    let out = form.validate(&values(), Mode::Final).unwrap_or_else(|e| panic!("values are valid: {e:?}"));
    out.values().get("out").cloned()
}

#[test]
fn evaluation_table() {
    let cases: &[(&str, Option<Value>)] = &[
        // arithmetic and precedence
        ("1 + 2 * 3", Some(json!(7))),
        ("(1 + 2) * 3", Some(json!(9))),
        ("a - 10", Some(json!(-3))),
        ("-a + 1", Some(json!(-6))),
        ("a / 2", Some(json!(3.5))),
        ("b * 2", Some(json!(5))),
        ("a / 0", None),
        // comparisons and logic
        ("a > 5 and a <= 7", Some(json!(true))),
        ("a = 7", Some(json!(true))),
        ("a == 7", Some(json!(true))),
        ("a != 7 or t = 'Hrê'", Some(json!(true))),
        ("not a > 5", Some(json!(false))),
        ("not yes", Some(json!(false))),
        ("t = \"Hrê\"", Some(json!(true))),
        ("d2 > d1", Some(json!(true))),
        ("d1 = date('2025-11-15')", Some(json!(true))),
        // null (empty answer) semantics: unknown, and Kleene logic
        ("null + 1", None),
        ("null > 1", None),
        ("null > 1 and false", Some(json!(false))),
        ("null > 1 or true", Some(json!(true))),
        ("null > 1 or false", None),
        ("coalesce(null, 3)", Some(json!(3))),
        ("coalesce(a, 3)", Some(json!(7))),
        ("filled(t)", Some(json!(true))),
        ("empty(t)", Some(json!(false))),
        ("if(a > 5, 'big', 'small')", Some(json!("big"))),
        ("if(null > 5, 1, 2)", None),
        ("min(a, 3)", Some(json!(3))),
        ("max(a, b)", Some(json!(7))),
        // choices
        ("selected(one, 'x')", Some(json!(true))),
        ("selected(one, 'y')", Some(json!(false))),
        ("selected(many, 'y')", Some(json!(true))),
        ("count_selected(many)", Some(json!(2))),
        // text and dates
        ("len(t)", Some(json!(3))),
        ("day(d1)", Some(json!(15))),
        ("month(d1)", Some(json!(11))),
        ("year(d1)", Some(json!(2025))),
        ("days_between(d1, d2)", Some(json!(31))),
        ("in_action_month(d1)", Some(json!(true))),
        ("in_action_month(d2)", Some(json!(false))),
        ("in_action_month(date('2025-12-15'))", Some(json!(true))),
        ("in_action_month(date('2025-11-14'))", Some(json!(false))),
        // grids: totals by row, column and group
        ("total(g)", Some(json!(17))),
        ("total_sex(g, 'female')", Some(json!(11))),
        ("total_sex(g, 'male')", Some(json!(6))),
        ("total_ethnicity(g, '01')", Some(json!(10))),
        ("total_ethnicity(g, '54')", Some(json!(0))),
        ("total_group(g, 'child')", Some(json!(7))),
        ("total_minority(g)", Some(json!(7))),
        ("total_sex(g, 'female') <= total(g)", Some(json!(true))),
    ];
    let mut failures = Vec::new();
    for (expr, want) in cases {
        let got = eval(expr);
        if &got != want {
            failures.push(format!("{expr}: expected {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bad_expressions_fail_at_load_with_field_and_column() {
    // (expression, 1-based column of the mistake, words the message must contain)
    let cases: &[(&str, usize, &str)] = &[
        ("1 +", 4, "unexpected end"),
        ("(a + 1", 7, "expected ')'"),
        ("a +* 2", 4, "unexpected '*'"),
        ("nosuch + 1", 1, "unknown field 'nosuch'"),
        ("frobnicate(a)", 1, "unknown function 'frobnicate'"),
        ("total(a)", 1, "needs a count grid"),
        ("t + 1", 3, "needs a number"),
        ("a = 'x'", 3, "cannot compare"),
        ("1 < a < 3", 3, "cannot be chained"),
        ("selected(one, 'z')", 1, "not an option"),
        ("total_sex(g, 'woman')", 1, "'male' or 'female'"),
        ("date('15/11/2025')", 1, "not a date"),
        ("'open", 1, "not closed"),
        ("a # 1", 3, "unexpected character '#'"),
        ("if(yes, 1, 'one')", 1, "make both the same"),
        ("min(a)", 1, "takes 2 argument"),
        ("out + 1", 1, "unknown field 'out'"),
        ("null", 1, "always empty"),
    ];
    let mut failures = Vec::new();
    for (expr, column, words) in cases {
        match form_with(expr) {
            Ok(_) => failures.push(format!("'{expr}' compiled but should not")),
            Err(e) => {
                let text = e.to_string();
                let ok = e.field.as_deref() == Some("out")
                    && e.attribute == Some("calculate")
                    && e.column == Some(*column)
                    && text.contains(words)
                    && text.starts_with("expr_test/v1.toml: field 'out': calculate at column");
                if !ok {
                    failures.push(format!("'{expr}': expected column {column} and '{words}', got: {text}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    let deep = format!("{}1{}", "(".repeat(5_000), ")".repeat(5_000));
    assert!(form_with(&deep).is_err());
    let nested = format!("{}1{}", "(".repeat(500), ")".repeat(500));
    let err = form_with(&nested).unwrap_err();
    assert!(err.message.contains("nested too deeply"), "{err}");
}
