//! The small, safe expression language of `relevant`, `constraint` and `calculate`.
//!
//! Parsed and checked once when a definition loads ([`compile`]), then evaluated per record
//! ([`eval::eval`]). No loops, no recursion beyond the tree, no IO: evaluation time is
//! bounded by the expression's size.

mod ast;
mod check;
pub mod eval;
mod parse;

pub use ast::{BinOp, Expr, Func};
pub use check::{Scope, ScopeField, Type};
pub use eval::{eval, in_action_month, Env, Value};

/// What went wrong in an expression, and where (a byte offset into its source).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at column {}: {message}", .pos + 1)]
pub struct ExprError {
    pub pos: usize,
    pub message: String,
}

impl ExprError {
    pub(crate) fn new(pos: usize, message: impl Into<String>) -> Self {
        Self { pos, message: message.into() }
    }
}

/// A parsed, name-resolved, type-checked expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    pub expr: Expr,
    pub ty: Type,
    pub source: String,
}

/// Parses `source` and checks it against the fields in `scope`.
pub fn compile(source: &str, scope: &Scope) -> Result<Compiled, ExprError> {
    let mut expr = parse::parse(source)?;
    let ty = check::check(&mut expr, scope)?;
    Ok(Compiled { expr, ty, source: source.to_owned() })
}

/// Parses without resolving names: for tools and tests that look at syntax alone.
pub fn parse(source: &str) -> Result<Expr, ExprError> {
    parse::parse(source)
}
