//! Static checks when a definition loads: names resolve to fields, functions get the right
//! number and kinds of arguments, operators get operands they can work on. What passes here
//! can still meet empty answers at run time; those evaluate to `null`, never to a panic.

use std::collections::HashMap;

use super::ast::{BinOp, Expr, Func, Pos};
use super::ExprError;

/// The static type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// `null`, or not known until run time; fits anywhere.
    Any,
    Bool,
    Number,
    Text,
    Date,
    Time,
    /// A multiple-choice answer.
    Choices,
    Grid,
}

impl Type {
    pub fn name(self) -> &'static str {
        match self {
            Type::Any => "null",
            Type::Bool => "yes/no",
            Type::Number => "number",
            Type::Text => "text",
            Type::Date => "date",
            Type::Time => "time",
            Type::Choices => "multiple choice",
            Type::Grid => "count grid",
        }
    }

    fn fits(self, want: Type) -> bool {
        self == want || self == Type::Any || want == Type::Any
    }
}

/// What an expression may refer to: the fields visible to it, by name.
pub struct Scope<'a> {
    pub fields: &'a HashMap<String, ScopeField>,
    /// The type of `.`, where the expression is a constraint.
    pub current: Option<Type>,
}

pub struct ScopeField {
    pub slot: usize,
    pub ty: Type,
    /// Option values a `selected()` may name, where the field lists them inline.
    pub options: Option<Vec<String>>,
}

/// Resolves names to slots in place and returns the expression's type.
pub fn check(expr: &mut Expr, scope: &Scope) -> Result<Type, ExprError> {
    Ok(match expr {
        Expr::Null => Type::Any,
        Expr::Bool(_) => Type::Bool,
        Expr::Number(_) => Type::Number,
        Expr::Text(_) => Type::Text,
        Expr::Date(_) => Type::Date,
        Expr::Slot(_) => Type::Any,
        Expr::Current => scope.current.ok_or_else(|| ExprError::new(0, "'.' is only meaningful in a constraint"))?,
        Expr::Name(name, pos) => {
            let field = scope.fields.get(name.as_str()).ok_or_else(|| {
                ExprError::new(*pos, format!("unknown field '{name}' (or a field defined after this one)"))
            })?;
            let ty = field.ty;
            *expr = Expr::Slot(field.slot);
            ty
        }
        Expr::Not(inner) => {
            want(check(inner, scope)?, Type::Bool, 0, "'not'")?;
            Type::Bool
        }
        Expr::Neg(inner) => {
            want(check(inner, scope)?, Type::Number, 0, "'-'")?;
            Type::Number
        }
        Expr::Binary(op, lhs, rhs, pos) => {
            let (op, pos, l, r) = (*op, *pos, check(lhs, scope)?, check(rhs, scope)?);
            binary(op, l, r, pos)?
        }
        Expr::Call(func, args, pos) => call(*func, args, *pos, scope)?,
    })
}

fn want(got: Type, want: Type, pos: Pos, what: &str) -> Result<(), ExprError> {
    if got.fits(want) {
        Ok(())
    } else {
        Err(ExprError::new(pos, format!("{what} needs a {}, not a {}", want.name(), got.name())))
    }
}

fn binary(op: BinOp, l: Type, r: Type, pos: Pos) -> Result<Type, ExprError> {
    let what = format!("'{}'", op.symbol());
    match op {
        BinOp::And | BinOp::Or => {
            want(l, Type::Bool, pos, &what)?;
            want(r, Type::Bool, pos, &what)?;
            Ok(Type::Bool)
        }
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
            want(l, Type::Number, pos, &what)?;
            want(r, Type::Number, pos, &what)?;
            Ok(Type::Number)
        }
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            if !l.fits(r) {
                return Err(ExprError::new(pos, format!("{what} cannot compare a {} with a {}", l.name(), r.name())));
            }
            let ordered = !matches!(op, BinOp::Eq | BinOp::Ne);
            let known = if l == Type::Any { r } else { l };
            if matches!(known, Type::Choices | Type::Grid) || (ordered && known == Type::Bool) {
                return Err(ExprError::new(pos, format!("{what} cannot compare a {}", known.name())));
            }
            Ok(Type::Bool)
        }
    }
}

fn call(func: Func, args: &mut [Expr], pos: Pos, scope: &Scope) -> Result<Type, ExprError> {
    use Type::*;
    let params: &[Type] = match func {
        Func::If => &[Bool, Any, Any],
        Func::Selected => &[Any, Text],
        Func::CountSelected => &[Choices],
        Func::Filled | Func::Empty => &[Any],
        Func::Coalesce => &[Any, Any],
        Func::Min | Func::Max => &[Number, Number],
        Func::Len => &[Text],
        Func::Day | Func::Month | Func::Year | Func::InActionMonth => &[Date],
        Func::DaysBetween => &[Date, Date],
        Func::Date => &[Text],
        Func::Total | Func::TotalMinority => &[Grid],
        Func::TotalSex | Func::TotalEthnicity | Func::TotalGroup => &[Grid, Text],
    };
    let name = func.name();
    if args.len() != params.len() {
        return Err(ExprError::new(pos, format!("{name}() takes {} argument(s), not {}", params.len(), args.len())));
    }
    // Look at `selected`'s field before the checker replaces its name by a slot.
    let selected_field = match (func, &args[0]) {
        (Func::Selected, Expr::Name(field, _)) => scope.fields.get(field.as_str()),
        _ => None,
    };
    let mut types = Vec::with_capacity(args.len());
    for (arg, param) in args.iter_mut().zip(params) {
        let ty = check(arg, scope)?;
        want(ty, *param, pos, &format!("{name}()"))?;
        types.push(ty);
    }
    match func {
        Func::If | Func::Coalesce => {
            let (a, b) = (types[types.len() - 2], types[types.len() - 1]);
            if !a.fits(b) {
                return Err(ExprError::new(
                    pos,
                    format!("{name}() gives a {} or a {}: make both the same", a.name(), b.name()),
                ));
            }
            Ok(if a == Any { b } else { a })
        }
        Func::Selected => {
            if !matches!(types[0], Text | Choices | Any) {
                return Err(ExprError::new(pos, "selected() needs a choice field"));
            }
            if let (Some(field), Expr::Text(value)) = (selected_field, &args[1]) {
                if let Some(options) = &field.options {
                    if !options.iter().any(|o| o == value) {
                        return Err(ExprError::new(pos, format!("'{value}' is not an option of that field")));
                    }
                }
            }
            Ok(Bool)
        }
        Func::TotalSex => match &args[1] {
            Expr::Text(sex) if sex == "male" || sex == "female" => Ok(Number),
            _ => Err(ExprError::new(pos, "total_sex() takes 'male' or 'female'")),
        },
        Func::Filled | Func::Empty | Func::InActionMonth => Ok(Bool),
        Func::Date => Ok(Date),
        _ => Ok(Number),
    }
}
