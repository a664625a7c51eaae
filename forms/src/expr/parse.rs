//! Tokenizer and precedence-climbing parser for the expression language.

use super::ast::{BinOp, Expr, Func, Pos};
use super::ExprError;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Number(f64),
    Text(String),
    Ident(String),
    Dot,
    LParen,
    RParen,
    Comma,
    Op(BinOp),
    Not,
    Minus,
    End,
}

/// Expressions are short; anything longer is a mistake, and the bound keeps the parser's
/// recursion (and so stack use) small whatever an author writes.
const MAX_SOURCE_LEN: usize = 2_000;
const MAX_DEPTH: usize = 64;

pub fn parse(src: &str) -> Result<Expr, ExprError> {
    if src.len() > MAX_SOURCE_LEN {
        return Err(ExprError::new(0, format!("expression longer than {MAX_SOURCE_LEN} bytes")));
    }
    let tokens = tokenize(src)?;
    let mut parser = Parser { tokens, at: 0, depth: 0 };
    let expr = parser.expr()?;
    match parser.peek() {
        Tok::End => Ok(expr),
        other => Err(ExprError::new(parser.pos(), format!("unexpected {}", describe(other)))),
    }
}

fn tokenize(src: &str) -> Result<Vec<(Tok, Pos)>, ExprError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' => one(&mut i, Tok::LParen),
            b')' => one(&mut i, Tok::RParen),
            b',' => one(&mut i, Tok::Comma),
            b'+' => one(&mut i, Tok::Op(BinOp::Add)),
            b'-' => one(&mut i, Tok::Minus),
            b'*' => one(&mut i, Tok::Op(BinOp::Mul)),
            b'/' => one(&mut i, Tok::Op(BinOp::Div)),
            b'=' => {
                i += if bytes.get(i + 1) == Some(&b'=') { 2 } else { 1 };
                Tok::Op(BinOp::Eq)
            }
            b'!' if bytes.get(i + 1) == Some(&b'=') => {
                i += 2;
                Tok::Op(BinOp::Ne)
            }
            b'<' | b'>' => {
                let eq = bytes.get(i + 1) == Some(&b'=');
                i += if eq { 2 } else { 1 };
                Tok::Op(match (c, eq) {
                    (b'<', false) => BinOp::Lt,
                    (b'<', true) => BinOp::Le,
                    (_, false) => BinOp::Gt,
                    (_, true) => BinOp::Ge,
                })
            }
            b'\'' | b'"' => {
                let close = src[i + 1..]
                    .find(c as char)
                    .ok_or_else(|| ExprError::new(start, "text is not closed by a matching quote"))?;
                let text = src[i + 1..i + 1 + close].to_owned();
                i += close + 2;
                Tok::Text(text)
            }
            b'.' if !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => one(&mut i, Tok::Dot),
            b'0'..=b'9' | b'.' => {
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                let text = &src[start..i];
                let n = crate::value::parse_decimal(text)
                    .ok_or_else(|| ExprError::new(start, format!("'{text}' is not a number")))?;
                Tok::Number(n)
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                match &src[start..i] {
                    "and" => Tok::Op(BinOp::And),
                    "or" => Tok::Op(BinOp::Or),
                    "not" => Tok::Not,
                    word => Tok::Ident(word.to_owned()),
                }
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(ExprError::new(start, format!("unexpected character '{ch}'")));
            }
        };
        out.push((tok, start));
    }
    out.push((Tok::End, src.len()));
    Ok(out)
}

fn one(i: &mut usize, tok: Tok) -> Tok {
    *i += 1;
    tok
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Number(n) => format!("number {}", crate::value::number_text(*n, '.')),
        Tok::Text(t) => format!("text '{t}'"),
        Tok::Ident(name) => format!("name '{name}'"),
        Tok::Dot => "'.'".into(),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::Comma => "','".into(),
        Tok::Op(op) => format!("'{}'", op.symbol()),
        Tok::Not => "'not'".into(),
        Tok::Minus => "'-'".into(),
        Tok::End => "end of expression".into(),
    }
}

struct Parser {
    tokens: Vec<(Tok, Pos)>,
    at: usize,
    depth: usize,
}

/// Binding power of binary operators; higher binds tighter.
fn binding(tok: &Tok) -> Option<(BinOp, u8)> {
    let op = match tok {
        Tok::Op(op) => *op,
        Tok::Minus => BinOp::Sub,
        _ => return None,
    };
    let power = match op {
        BinOp::Or => 1,
        BinOp::And => 2,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 4,
        BinOp::Add | BinOp::Sub => 5,
        BinOp::Mul | BinOp::Div => 6,
    };
    Some((op, power))
}

/// `not` binds looser than comparisons: `not a = b` is `not (a = b)`.
const NOT_POWER: u8 = 3;
const NEG_POWER: u8 = 7;

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.at].0
    }

    fn pos(&self) -> Pos {
        self.tokens[self.at].1
    }

    fn next(&mut self) -> (Tok, Pos) {
        let t = self.tokens[self.at].clone();
        if self.at + 1 < self.tokens.len() {
            self.at += 1;
        }
        t
    }

    fn expr(&mut self) -> Result<Expr, ExprError> {
        self.climb(0)
    }

    fn climb(&mut self, min_power: u8) -> Result<Expr, ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError::new(self.pos(), "expression nested too deeply"));
        }
        let mut lhs = self.prefix()?;
        while let Some((op, power)) = binding(self.peek()) {
            if power <= min_power {
                break;
            }
            let op_pos = self.pos();
            self.next();
            let rhs = self.climb(power)?;
            // Comparisons do not chain: `a < b < c` is almost always a mistake.
            if power == 4 {
                if let Some((_, 4)) = binding(self.peek()) {
                    return Err(ExprError::new(op_pos, "comparisons cannot be chained; join them with 'and'"));
                }
            }
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs), op_pos);
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn prefix(&mut self) -> Result<Expr, ExprError> {
        let (tok, pos) = self.next();
        match tok {
            Tok::Number(n) => Ok(Expr::Number(n)),
            Tok::Text(t) => Ok(Expr::Text(t)),
            Tok::Dot => Ok(Expr::Current),
            Tok::Not => Ok(Expr::Not(Box::new(self.climb(NOT_POWER - 1)?))),
            Tok::Minus => Ok(Expr::Neg(Box::new(self.climb(NEG_POWER)?))),
            Tok::LParen => {
                let inner = self.expr()?;
                self.expect(Tok::RParen, "')'")?;
                Ok(inner)
            }
            Tok::Ident(name) => match name.as_str() {
                "true" => Ok(Expr::Bool(true)),
                "false" => Ok(Expr::Bool(false)),
                "null" => Ok(Expr::Null),
                _ if *self.peek() == Tok::LParen => self.call(name, pos),
                _ => Ok(Expr::Name(name, pos)),
            },
            other => Err(ExprError::new(pos, format!("unexpected {}", describe(&other)))),
        }
    }

    fn call(&mut self, name: String, pos: Pos) -> Result<Expr, ExprError> {
        let func = Func::from_name(&name).ok_or_else(|| ExprError::new(pos, format!("unknown function '{name}'")))?;
        self.next(); // '('
        let mut args = Vec::new();
        if *self.peek() != Tok::RParen {
            loop {
                args.push(self.expr()?);
                if *self.peek() == Tok::Comma {
                    self.next();
                } else {
                    break;
                }
            }
        }
        self.expect(Tok::RParen, "')' or ','")?;
        if func == Func::Date {
            return date_literal(&args, pos);
        }
        Ok(Expr::Call(func, args, pos))
    }

    fn expect(&mut self, want: Tok, what: &str) -> Result<(), ExprError> {
        if *self.peek() == want {
            self.next();
            Ok(())
        } else {
            let found = describe(self.peek());
            Err(ExprError::new(self.pos(), format!("expected {what}, found {found}")))
        }
    }
}

/// `date('2025-11-15')` is a literal, checked when the definition loads.
fn date_literal(args: &[Expr], pos: Pos) -> Result<Expr, ExprError> {
    match args {
        [Expr::Text(text)] => crate::dates::parse_iso_date(text)
            .map(Expr::Date)
            .ok_or_else(|| ExprError::new(pos, format!("'{text}' is not a date written yyyy-mm-dd"))),
        _ => Err(ExprError::new(pos, "date() takes one text literal such as date('2025-11-15')")),
    }
}
