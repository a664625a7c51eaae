//! Evaluation of checked expressions against a record's values.
//!
//! Total by construction: every input, however odd, gives a `Value` (`Null` where an
//! answer is missing or an operation has no meaning), so validation can never panic here.

use chrono::Datelike;

use super::ast::{BinOp, Expr, Func};
use crate::grid::{Grid, Sex, KINH};
use crate::value::FieldValue;

/// A value during evaluation, borrowing from the record and the expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Number(f64),
    Text(&'a str),
    Date(chrono::NaiveDate),
    Time(chrono::NaiveTime),
    Choices(&'a [String]),
    Grid(&'a Grid),
}

impl<'a> Value<'a> {
    pub fn of(field: Option<&'a FieldValue>) -> Value<'a> {
        match field {
            None => Value::Null,
            Some(FieldValue::Text(t)) => Value::Text(t),
            Some(FieldValue::Number(n)) => Value::Number(*n),
            Some(FieldValue::Bool(b)) => Value::Bool(*b),
            Some(FieldValue::Date(d)) => Value::Date(*d),
            Some(FieldValue::Time(t)) => Value::Time(*t),
            Some(FieldValue::Choices(c)) => Value::Choices(c),
            Some(FieldValue::Grid(g)) => Value::Grid(g),
            // How many photos were taken: `sheet_photo > 0` asks whether there is one.
            Some(FieldValue::Photos(p)) => Value::Number(p.len() as f64),
            // A position takes part in no expression (checked: its type is `Any`).
            Some(FieldValue::Point(_)) => Value::Null,
        }
    }

    /// Back to an owned answer, for `calculate` fields. `Null` is no answer.
    pub fn to_field_value(&self) -> Option<FieldValue> {
        Some(match self {
            Value::Null => return None,
            Value::Bool(b) => FieldValue::Bool(*b),
            Value::Number(n) if n.is_finite() => FieldValue::Number(*n),
            Value::Number(_) => return None,
            Value::Text(t) => FieldValue::Text((*t).to_owned()),
            Value::Date(d) => FieldValue::Date(*d),
            Value::Time(t) => FieldValue::Time(*t),
            Value::Choices(c) => FieldValue::Choices(c.to_vec()),
            Value::Grid(g) => FieldValue::Grid((*g).clone()),
        })
    }

    fn is_empty(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Text(t) => t.is_empty(),
            Value::Choices(c) => c.is_empty(),
            Value::Grid(g) => g.cells.is_empty(),
            _ => false,
        }
    }
}

/// Where names and `.` get their values.
pub struct Env<'a> {
    pub slots: &'a [Option<FieldValue>],
    pub current: Option<&'a FieldValue>,
}

pub fn eval<'a>(expr: &'a Expr, env: &Env<'a>) -> Value<'a> {
    match expr {
        Expr::Null | Expr::Name(..) => Value::Null,
        Expr::Bool(b) => Value::Bool(*b),
        Expr::Number(n) => Value::Number(*n),
        Expr::Text(t) => Value::Text(t),
        Expr::Date(d) => Value::Date(*d),
        Expr::Slot(i) => Value::of(env.slots.get(*i).and_then(Option::as_ref)),
        Expr::Current => Value::of(env.current),
        Expr::Not(inner) => match eval(inner, env) {
            Value::Bool(b) => Value::Bool(!b),
            _ => Value::Null,
        },
        Expr::Neg(inner) => match eval(inner, env) {
            Value::Number(n) => Value::Number(-n),
            _ => Value::Null,
        },
        Expr::Binary(op, lhs, rhs, _) => binary(*op, lhs, rhs, env),
        Expr::Call(func, args, _) => call(*func, args, env),
    }
}

fn binary<'a>(op: BinOp, lhs: &'a Expr, rhs: &'a Expr, env: &Env<'a>) -> Value<'a> {
    // Kleene logic: `false and unknown` is false, `true or unknown` is true.
    match op {
        BinOp::And => {
            return match (eval(lhs, env), eval(rhs, env)) {
                (Value::Bool(false), _) | (_, Value::Bool(false)) => Value::Bool(false),
                (Value::Bool(true), Value::Bool(true)) => Value::Bool(true),
                _ => Value::Null,
            }
        }
        BinOp::Or => {
            return match (eval(lhs, env), eval(rhs, env)) {
                (Value::Bool(true), _) | (_, Value::Bool(true)) => Value::Bool(true),
                (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
                _ => Value::Null,
            }
        }
        _ => {}
    }
    let (l, r) = (eval(lhs, env), eval(rhs, env));
    if let (Value::Number(a), Value::Number(b)) = (&l, &r) {
        let (a, b) = (*a, *b);
        let n = match op {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::Div if b == 0.0 => return Value::Null,
            BinOp::Div => a / b,
            _ => return compare(op, a.partial_cmp(&b)),
        };
        return if n.is_finite() { Value::Number(n) } else { Value::Null };
    }
    let ordering = match (&l, &r) {
        (Value::Text(a), Value::Text(b)) => a.partial_cmp(b),
        (Value::Date(a), Value::Date(b)) => a.partial_cmp(b),
        (Value::Time(a), Value::Time(b)) => a.partial_cmp(b),
        (Value::Bool(a), Value::Bool(b)) if matches!(op, BinOp::Eq | BinOp::Ne) => a.partial_cmp(b),
        _ => None,
    };
    compare(op, ordering)
}

fn compare<'a>(op: BinOp, ordering: Option<std::cmp::Ordering>) -> Value<'a> {
    use std::cmp::Ordering::*;
    let Some(o) = ordering else {
        return Value::Null;
    };
    Value::Bool(match op {
        BinOp::Eq => o == Equal,
        BinOp::Ne => o != Equal,
        BinOp::Lt => o == Less,
        BinOp::Le => o != Greater,
        BinOp::Gt => o == Greater,
        BinOp::Ge => o != Less,
        _ => return Value::Null,
    })
}

fn call<'a>(func: Func, args: &'a [Expr], env: &Env<'a>) -> Value<'a> {
    let arg = |i: usize| args.get(i).map_or(Value::Null, |e| eval(e, env));
    let text_arg = |i: usize| match arg(i) {
        Value::Text(t) => Some(t),
        _ => None,
    };
    let number = |n: u64| Value::Number(n as f64);
    match func {
        Func::If => match arg(0) {
            Value::Bool(true) => arg(1),
            Value::Bool(false) => arg(2),
            _ => Value::Null,
        },
        Func::Selected => match (arg(0), text_arg(1)) {
            (Value::Text(chosen), Some(want)) => Value::Bool(chosen == want),
            (Value::Choices(chosen), Some(want)) => Value::Bool(chosen.iter().any(|c| c == want)),
            (Value::Null, _) => Value::Bool(false),
            _ => Value::Null,
        },
        Func::CountSelected => match arg(0) {
            Value::Choices(c) => number(c.len() as u64),
            Value::Null => Value::Number(0.0),
            _ => Value::Null,
        },
        Func::Filled => Value::Bool(!arg(0).is_empty()),
        Func::Empty => Value::Bool(arg(0).is_empty()),
        Func::Coalesce => {
            let first = arg(0);
            if first.is_empty() {
                arg(1)
            } else {
                first
            }
        }
        Func::Min | Func::Max => match (arg(0), arg(1)) {
            (Value::Number(a), Value::Number(b)) => Value::Number(if func == Func::Min { a.min(b) } else { a.max(b) }),
            _ => Value::Null,
        },
        Func::Len => match arg(0) {
            Value::Text(t) => number(t.chars().count() as u64),
            _ => Value::Null,
        },
        Func::Day | Func::Month | Func::Year => match arg(0) {
            Value::Date(d) => Value::Number(match func {
                Func::Day => f64::from(d.day()),
                Func::Month => f64::from(d.month()),
                _ => f64::from(d.year()),
            }),
            _ => Value::Null,
        },
        Func::DaysBetween => match (arg(0), arg(1)) {
            (Value::Date(a), Value::Date(b)) => Value::Number((b - a).num_days() as f64),
            _ => Value::Null,
        },
        Func::InActionMonth => match arg(0) {
            Value::Date(d) => Value::Bool(in_action_month(d)),
            _ => Value::Null,
        },
        // Parsed into `Expr::Date`; a call never remains.
        Func::Date => Value::Null,
        Func::Total | Func::TotalMinority | Func::TotalSex | Func::TotalEthnicity | Func::TotalGroup => {
            let grid = match arg(0) {
                Value::Grid(g) => g,
                Value::Null => return Value::Number(0.0),
                _ => return Value::Null,
            };
            let key = text_arg(1);
            let n = match (func, key) {
                (Func::Total, _) => grid.total(),
                (Func::TotalMinority, _) => grid.sum_where(|c| c.ethnicity != KINH),
                (Func::TotalSex, Some(sex)) => match Sex::parse(sex) {
                    Some(sex) => grid.total_sex(sex),
                    None => return Value::Null,
                },
                (Func::TotalEthnicity, Some(code)) => grid.sum_where(|c| c.ethnicity == code),
                (Func::TotalGroup, Some(group)) => grid.sum_where(|c| c.group.as_deref() == Some(group)),
                _ => return Value::Null,
            };
            number(n)
        }
    }
}

/// The Action Month for gender equality and GBV prevention runs 15/11 – 15/12 every year.
pub fn in_action_month(d: chrono::NaiveDate) -> bool {
    matches!((d.month(), d.day()), (11, 15..) | (12, ..=15))
}
