//! Typed column vectors for per-row expressions: numbers and dates as `f64` with a
//! validity mask, booleans as bytes, text as dictionary codes. Each operator node runs
//! one tight loop over a whole column. Rare combinations fall back to the scalar
//! operators of [`super::value`], so both paths give the same answers.

use super::value::{self, Val};
use crate::data::{Column, Interner, NO_TEXT};
use crate::syntax::ast::BinaryOp;
use std::borrow::Cow;

/// Boolean cells: false, true, missing.
pub const FALSE: u8 = 0;
pub const TRUE: u8 = 1;
pub const MISSING: u8 = 2;

/// A per-row value for every row of a table.
#[derive(Debug, Clone)]
pub enum Vector<'a> {
    /// Numbers (or dates as days since 1970), `valid[i]` false where missing.
    Num(Cow<'a, [f64]>, Cow<'a, [bool]>),
    /// `FALSE`, `TRUE` or `MISSING` per row.
    Bool(Vec<u8>),
    /// Codes into `dict` (`NO_TEXT` where missing).
    Text(Cow<'a, [u32]>, &'a Interner),
    /// The same value on every row.
    Const(Val),
    /// Any values, one per row (the general fallback).
    Vals(Vec<Val>),
}

impl<'a> Vector<'a> {
    /// A column as it is stored, optionally gathered through `index` (row -> row of
    /// the column's table; `None` for rows without a match).
    pub fn column(col: &'a Column, index: Option<&[Option<usize>]>) -> Vector<'a> {
        match (col, index) {
            (Column::Number { values, valid }, None) | (Column::Date { values, valid }, None) => {
                Vector::Num(Cow::Borrowed(values), Cow::Borrowed(valid))
            }
            (
                Column::Money {
                    values,
                    valid,
                    floats,
                },
                None,
            ) => Vector::Num(
                Cow::Borrowed(Column::money_floats(values, floats)),
                Cow::Borrowed(valid),
            ),
            (Column::Text { codes, dict }, None) => Vector::Text(Cow::Borrowed(codes), dict),
            (Column::Bool { values }, None) => {
                Vector::Bool(values.iter().map(|b| bool_cell(*b)).collect())
            }
            (_, Some(index)) => {
                let gather_num = |values: &[f64], valid: &[bool], scale: f64| {
                    let mut v = Vec::with_capacity(index.len());
                    let mut ok = Vec::with_capacity(index.len());
                    for i in index {
                        match i {
                            Some(i) => {
                                v.push(values[*i] / scale);
                                ok.push(valid[*i]);
                            }
                            None => {
                                v.push(0.0);
                                ok.push(false);
                            }
                        }
                    }
                    Vector::Num(Cow::Owned(v), Cow::Owned(ok))
                };
                match col {
                    Column::Number { values, valid } | Column::Date { values, valid } => {
                        gather_num(values, valid, 1.0)
                    }
                    Column::Money {
                        values,
                        valid,
                        floats,
                    } => gather_num(Column::money_floats(values, floats), valid, 1.0),
                    Column::Text { codes, dict } => Vector::Text(
                        Cow::Owned(
                            index
                                .iter()
                                .map(|i| i.map_or(NO_TEXT, |i| codes[i]))
                                .collect(),
                        ),
                        dict,
                    ),
                    Column::Bool { values } => Vector::Bool(
                        index
                            .iter()
                            .map(|i| i.map_or(MISSING, |i| bool_cell(values[i])))
                            .collect(),
                    ),
                }
            }
        }
    }

    /// The value of row `i` (for the fallback path and for aggregation).
    pub fn get(&self, i: usize) -> Val {
        match self {
            Vector::Num(v, ok) => {
                if ok[i] {
                    Val::Num(v[i])
                } else {
                    Val::missing("empty cell")
                }
            }
            Vector::Bool(b) => match b[i] {
                TRUE => Val::Bool(true),
                FALSE => Val::Bool(false),
                _ => Val::missing("empty cell"),
            },
            Vector::Text(codes, dict) => match codes[i] {
                NO_TEXT => Val::missing("empty cell"),
                c => Val::Text(dict.get(c).unwrap_or_default().into()),
            },
            Vector::Const(v) => v.clone(),
            Vector::Vals(v) => v[i].clone(),
        }
    }

    /// Whether row `i` has a value.
    pub fn present(&self, i: usize) -> bool {
        match self {
            Vector::Num(_, ok) => ok[i],
            Vector::Bool(b) => b[i] != MISSING,
            Vector::Text(codes, _) => codes[i] != NO_TEXT,
            Vector::Const(v) => v.is_present(),
            Vector::Vals(v) => v[i].is_present(),
        }
    }

    /// Whether row `i` is true (a missing value is not).
    pub fn is_true(&self, i: usize) -> bool {
        match self {
            Vector::Bool(b) => b[i] == TRUE,
            other => other.get(i) == Val::Bool(true),
        }
    }

    /// The number (or date) of row `i`, if present.
    pub fn number(&self, i: usize) -> Option<f64> {
        match self {
            Vector::Num(v, ok) => ok[i].then(|| v[i]),
            other => match other.get(i) {
                Val::Num(x) | Val::Date(x) => Some(x),
                _ => None,
            },
        }
    }
}

fn bool_cell(b: Option<bool>) -> u8 {
    match b {
        Some(true) => TRUE,
        Some(false) => FALSE,
        None => MISSING,
    }
}

/// `a op b` over `n` rows, with fast paths for numbers, booleans and text against a
/// literal.
pub fn binary<'a>(op: BinaryOp, a: Vector<'a>, b: Vector<'a>, n: usize) -> Vector<'a> {
    use BinaryOp::*;
    match (&a, &b) {
        (
            Vector::Num(..) | Vector::Const(Val::Num(_) | Val::Date(_)),
            Vector::Num(..) | Vector::Const(Val::Num(_) | Val::Date(_)),
        ) if !matches!((&a, &b), (Vector::Const(_), Vector::Const(_))) => {
            let num = |v: &Vector, i: usize| -> Option<f64> {
                match v {
                    Vector::Num(x, ok) => ok[i].then(|| x[i]),
                    Vector::Const(Val::Num(x) | Val::Date(x)) => Some(*x),
                    _ => None,
                }
            };
            match op {
                Add | Sub | Mul | Div => {
                    let mut out = Vec::with_capacity(n);
                    let mut ok = Vec::with_capacity(n);
                    for i in 0..n {
                        let r = match (num(&a, i), num(&b, i)) {
                            (Some(x), Some(y)) => match op {
                                Add => Some(x + y),
                                Sub => Some(x - y),
                                Mul => Some(x * y),
                                _ => (y != 0.0).then(|| x / y),
                            },
                            _ => None,
                        };
                        let r = r.filter(|r| r.is_finite());
                        out.push(r.unwrap_or(0.0));
                        ok.push(r.is_some());
                    }
                    // The result of date arithmetic is still a number of days or a date;
                    // both are plain f64 here.
                    Vector::Num(Cow::Owned(out), Cow::Owned(ok))
                }
                Eq | Ne | Lt | Le | Gt | Ge => Vector::Bool(
                    (0..n)
                        .map(|i| match (num(&a, i), num(&b, i)) {
                            (Some(x), Some(y)) => compare(op, x.partial_cmp(&y)),
                            _ => MISSING,
                        })
                        .collect(),
                ),
                And | Or => fallback(op, &a, &b, n),
            }
        }
        (Vector::Bool(x), Vector::Bool(y)) => match op {
            And => Vector::Bool(x.iter().zip(y).map(|(p, q)| and(*p, *q)).collect()),
            Or => Vector::Bool(x.iter().zip(y).map(|(p, q)| or(*p, *q)).collect()),
            Eq | Ne => Vector::Bool(
                x.iter()
                    .zip(y)
                    .map(|(p, q)| {
                        if *p == MISSING || *q == MISSING {
                            MISSING
                        } else {
                            ((p == q) == (op == Eq)) as u8
                        }
                    })
                    .collect(),
            ),
            _ => fallback(op, &a, &b, n),
        },
        (Vector::Bool(x), Vector::Const(Val::Bool(c)))
        | (Vector::Const(Val::Bool(c)), Vector::Bool(x))
            if matches!(op, And | Or | Eq | Ne) =>
        {
            let c = *c as u8;
            Vector::Bool(
                x.iter()
                    .map(|p| match op {
                        And => and(*p, c),
                        Or => or(*p, c),
                        _ if *p == MISSING => MISSING,
                        _ => ((*p == c) == (op == Eq)) as u8,
                    })
                    .collect(),
            )
        }
        (Vector::Text(codes, dict), Vector::Const(Val::Text(s)))
        | (Vector::Const(Val::Text(s)), Vector::Text(codes, dict))
            if matches!(op, Eq | Ne) =>
        {
            // Compare codes with the literal's code, looked up once.
            let target = dict.code(s);
            Vector::Bool(
                codes
                    .iter()
                    .map(|c| {
                        if *c == NO_TEXT {
                            MISSING
                        } else {
                            ((Some(*c) == target) == (op == Eq)) as u8
                        }
                    })
                    .collect(),
            )
        }
        _ => fallback(op, &a, &b, n),
    }
}

fn compare(op: BinaryOp, ord: Option<std::cmp::Ordering>) -> u8 {
    let Some(o) = ord else { return MISSING };
    (match op {
        BinaryOp::Eq => o.is_eq(),
        BinaryOp::Ne => o.is_ne(),
        BinaryOp::Lt => o.is_lt(),
        BinaryOp::Le => o.is_le(),
        BinaryOp::Gt => o.is_gt(),
        _ => o.is_ge(),
    }) as u8
}

fn and(p: u8, q: u8) -> u8 {
    if p == FALSE || q == FALSE {
        FALSE
    } else if p == TRUE && q == TRUE {
        TRUE
    } else {
        MISSING
    }
}

fn or(p: u8, q: u8) -> u8 {
    if p == TRUE || q == TRUE {
        TRUE
    } else if p == FALSE && q == FALSE {
        FALSE
    } else {
        MISSING
    }
}

fn fallback<'a>(op: BinaryOp, a: &Vector<'a>, b: &Vector<'a>, n: usize) -> Vector<'a> {
    Vector::Vals(
        (0..n)
            .map(|i| value::binary(op, &a.get(i), &b.get(i)))
            .collect(),
    )
}

/// Converts a general result to the compact form when its values allow.
pub fn compact(v: Vector<'_>) -> Vector<'_> {
    match v {
        Vector::Vals(vals)
            if vals
                .iter()
                .all(|x| matches!(x, Val::Bool(_) | Val::Missing(_))) =>
        {
            Vector::Bool(
                vals.iter()
                    .map(|x| match x {
                        Val::Bool(true) => TRUE,
                        Val::Bool(false) => FALSE,
                        _ => MISSING,
                    })
                    .collect(),
            )
        }
        Vector::Vals(vals)
            if vals
                .iter()
                .all(|x| matches!(x, Val::Num(_) | Val::Date(_) | Val::Missing(_))) =>
        {
            let ok: Vec<bool> = vals.iter().map(Val::is_present).collect();
            let v: Vec<f64> = vals
                .iter()
                .map(|x| match x {
                    Val::Num(v) | Val::Date(v) => *v,
                    _ => 0.0,
                })
                .collect();
            Vector::Num(Cow::Owned(v), Cow::Owned(ok))
        }
        other => other,
    }
}
