//! Values during evaluation and the scalar operators, with the missing-value rules of
//! LANGUAGE.md: missing propagates, `and`/`or` are three-valued, `x / 0` is missing
//! with a reason.

use crate::query::missing;
use crate::vocab::BinaryOp;
use std::sync::Arc;

/// A value of one row or one scope. Dates are days since 1970-01-01.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Num(f64),
    Bool(bool),
    Date(f64),
    Text(Arc<str>),
    /// No value, and why.
    Missing(&'static str),
}

impl Val {
    /// A missing value with `reason`.
    pub fn missing(reason: &'static str) -> Val {
        Val::Missing(reason)
    }

    /// True unless missing.
    pub fn is_present(&self) -> bool {
        !matches!(self, Val::Missing(_))
    }

    fn truth(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// `a op b`.
pub fn binary(op: BinaryOp, a: &Val, b: &Val) -> Val {
    use BinaryOp::*;
    match op {
        And => match (a.truth(), b.truth()) {
            (Some(false), _) | (_, Some(false)) => Val::Bool(false),
            (Some(true), Some(true)) => Val::Bool(true),
            _ => first_missing(a, b),
        },
        Or => match (a.truth(), b.truth()) {
            (Some(true), _) | (_, Some(true)) => Val::Bool(true),
            (Some(false), Some(false)) => Val::Bool(false),
            _ => first_missing(a, b),
        },
        _ if !a.is_present() || !b.is_present() => first_missing(a, b),
        Eq | Ne | Lt | Le | Gt | Ge => {
            let ord = match (a, b) {
                // Dates are days: a date read from a column and one from a literal compare
                // as numbers.
                (Val::Num(x) | Val::Date(x), Val::Num(y) | Val::Date(y)) => x.partial_cmp(y),
                (Val::Text(x), Val::Text(y)) => Some(x.cmp(y)),
                (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
                _ => None,
            };
            let Some(ord) = ord else {
                return Val::missing("values cannot be compared");
            };
            Val::Bool(match op {
                Eq => ord.is_eq(),
                Ne => ord.is_ne(),
                Lt => ord.is_lt(),
                Le => ord.is_le(),
                Gt => ord.is_gt(),
                _ => ord.is_ge(),
            })
        }
        Add | Sub | Mul | Div => match (a, b) {
            (Val::Num(x), Val::Num(y)) => arith(op, *x, *y),
            (Val::Date(x), Val::Date(y)) if op == Sub => Val::Num(x - y),
            (Val::Date(x), Val::Num(y)) if op == Add => Val::Date(x + y),
            (Val::Date(x), Val::Num(y)) if op == Sub => Val::Date(x - y),
            (Val::Num(x), Val::Date(y)) if op == Add => Val::Date(x + y),
            _ => Val::missing("values cannot be combined"),
        },
    }
}

fn arith(op: BinaryOp, x: f64, y: f64) -> Val {
    let v = match op {
        BinaryOp::Add => x + y,
        BinaryOp::Sub => x - y,
        BinaryOp::Mul => x * y,
        _ => {
            if y == 0.0 {
                return Val::missing(missing::DIVISION_BY_ZERO);
            }
            x / y
        }
    };
    if v.is_finite() {
        Val::Num(v)
    } else {
        Val::missing("number out of range")
    }
}

fn first_missing(a: &Val, b: &Val) -> Val {
    match (a, b) {
        (Val::Missing(r), _) | (_, Val::Missing(r)) => Val::Missing(r),
        _ => Val::missing("not true or false"),
    }
}

/// Appends one part of a `count_distinct` key over several values. Each part is
/// written so that no two different tuples give the same key: numbers and dates as
/// their 16 hex digits (`-0` as `0`, as the databases compare them), true/false as one
/// digit, text with its length in front (so no separator inside a text can move a
/// boundary).
pub fn push_key_part(out: &mut String, part: KeyPart<'_>) {
    use std::fmt::Write;
    // Writing to a String cannot fail.
    let _ = match part {
        KeyPart::Num(x) => {
            let x = if x == 0.0 { 0.0 } else { x };
            write!(out, "n{:016x}", x.to_bits())
        }
        KeyPart::Bool(b) => write!(out, "b{}", b as u8),
        KeyPart::Text(t) => write!(out, "t{}:{t}", t.len()),
    };
}

/// One present value of a `count_distinct` key ([`push_key_part`]).
#[derive(Debug, Clone, Copy)]
pub enum KeyPart<'a> {
    Num(f64),
    Bool(bool),
    Text(&'a str),
}

/// The key of `count_distinct(a, b, ...)` for one tuple of scope-level values (the
/// kernels build the same key per row); missing when any part is.
pub fn tuple_key(parts: &[&Val]) -> Val {
    let mut key = String::new();
    for p in parts {
        match p {
            Val::Num(x) | Val::Date(x) => push_key_part(&mut key, KeyPart::Num(*x)),
            Val::Bool(b) => push_key_part(&mut key, KeyPart::Bool(*b)),
            Val::Text(t) => push_key_part(&mut key, KeyPart::Text(t)),
            Val::Missing(_) => return (*p).clone(),
        }
    }
    Val::Text(key.into())
}

/// `x` rounded to `digits` decimals, half away from zero, as the decimal number `x`
/// is written with: `round(1.005, 2)` is 1.01, as in the databases (whose money is
/// decimal), though the double nearest to 1.005 is a little below it. Only a value
/// within a hair of a tie takes the decimal route.
pub fn round_decimal(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    let y = x * f;
    let near_tie = ((y - y.trunc()).abs() - 0.5).abs() < 1e-6;
    if !near_tie || !(0..=15).contains(&digits) || !x.is_finite() {
        return y.round() / f;
    }
    // The shortest decimal that reads back as `x`: what the user wrote.
    let text = format!("{}", x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let digits = digits as usize;
    if frac.len() <= digits {
        return x;
    }
    let kept = format!("{int}{}", &frac[..digits]);
    let Ok(mut whole) = kept.parse::<u128>() else {
        return y.round() / f;
    };
    if frac.as_bytes()[digits] >= b'5' {
        whole += 1;
    }
    let mut s = whole.to_string();
    if s.len() <= digits {
        s = format!("{}{s}", "0".repeat(digits + 1 - s.len()));
    }
    let (a, b) = s.split_at(s.len() - digits);
    let v: f64 = format!("{a}.{b}").parse().unwrap_or(y.round() / f);
    if x < 0.0 { -v } else { v }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_follows_the_written_decimal() {
        assert_eq!(round_decimal(1.005, 2), 1.01);
        assert_eq!(round_decimal(-1.005, 2), -1.01);
        assert_eq!(round_decimal(1.015, 2), 1.02);
        assert_eq!(round_decimal(0.125, 2), 0.13);
        assert_eq!(round_decimal(2.5, 0), 3.0);
        assert_eq!(round_decimal(0.005, 2), 0.01);
        assert_eq!(round_decimal(1.0049, 2), 1.0);
        assert_eq!(round_decimal(1234.5678, 2), 1234.57);
        assert_eq!(round_decimal(1250.0, -2), 1300.0);
    }

    #[test]
    fn division_by_zero_is_missing_with_reason() {
        assert_eq!(
            binary(BinaryOp::Div, &Val::Num(1.0), &Val::Num(0.0)),
            Val::missing(missing::DIVISION_BY_ZERO)
        );
    }

    #[test]
    fn three_valued_logic() {
        let m = Val::missing(missing::EMPTY_CELL);
        assert_eq!(
            binary(BinaryOp::And, &Val::Bool(false), &m),
            Val::Bool(false)
        );
        assert_eq!(binary(BinaryOp::Or, &m, &Val::Bool(true)), Val::Bool(true));
        assert_eq!(binary(BinaryOp::And, &Val::Bool(true), &m), m);
        assert_eq!(binary(BinaryOp::Add, &Val::Num(1.0), &m), m);
    }

    #[test]
    fn tuple_keys_keep_parts_apart() {
        let t = |s: &str| Val::Text(s.into());
        let key = |parts: &[&Val]| tuple_key(parts);
        // A separator inside a text never makes two tuples equal.
        assert_ne!(key(&[&t("a|b"), &t("c")]), key(&[&t("a"), &t("b|c")]));
        assert_ne!(key(&[&t("ab"), &t("")]), key(&[&t("a"), &t("b")]));
        assert_eq!(key(&[&Val::Num(0.0)]), key(&[&Val::Num(-0.0)]));
        let m = Val::missing(missing::EMPTY_CELL);
        assert_eq!(key(&[&t("a"), &m]), m);
    }

    #[test]
    fn date_arithmetic() {
        assert_eq!(
            binary(BinaryOp::Sub, &Val::Date(10.0), &Val::Date(3.0)),
            Val::Num(7.0)
        );
        assert_eq!(
            binary(BinaryOp::Add, &Val::Date(10.0), &Val::Num(2.0)),
            Val::Date(12.0)
        );
    }
}
