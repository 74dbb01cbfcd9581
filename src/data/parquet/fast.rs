//! A stored column's rows converted in bulk: one tight loop per stored and declared
//! type, which hands every cell it cannot take as it is (a null in a required column,
//! a repeated key, a value out of range) to the row-by-row conversion that reports it.

use super::cells::{EXACT, big_endian, money};
use super::fill::{Builder, State};
use super::read::{Raw, Stored};
use crate::data::cells::{MAX_MONEY_CELL, SECONDS_PER_DAY, trim};
use crate::data::{Interner, NO_TEXT};
use crate::ir::{ColumnDef, ColumnType};

/// Appends rows `0..rows` of `raw` (the group's first row being row `first` of the
/// file, 0-based) to `state`, calling `slow(r, state)` for each row `r` the loop does
/// not convert itself; `false` (and nothing appended) when the stored and declared
/// types are not ones it converts.
pub(super) fn fill(
    col: &ColumnDef,
    raw: &Raw,
    stored: Stored,
    first: usize,
    rows: usize,
    state: &mut State,
    slow: &mut dyn FnMut(usize, &mut State),
) -> bool {
    // Keys other than texts are found repeated through their text: row by row.
    if col.key && col.ty != ColumnType::Text {
        return false;
    }
    let ok = matches!(
        (col.ty, stored, raw),
        (ColumnType::Text, Stored::Text, Raw::Bytes(_))
            | (ColumnType::Bool, Stored::Bool, Raw::Bool(_))
            | (
                ColumnType::Number,
                Stored::Float | Stored::Double,
                Raw::F32(_) | Raw::F64(_)
            )
            | (
                ColumnType::Int | ColumnType::Number,
                Stored::Int { .. },
                Raw::I32(_) | Raw::I64(_)
            )
            | (
                ColumnType::Money,
                Stored::Int { .. } | Stored::Decimal { .. },
                Raw::I32(_) | Raw::I64(_) | Raw::Bytes(_) | Raw::Fixed(_)
            )
            | (ColumnType::Date, Stored::Date, Raw::I32(_))
            | (ColumnType::DateTime, Stored::Date, Raw::I32(_))
            | (ColumnType::DateTime, Stored::Timestamp { .. }, Raw::I64(_))
    );
    if !ok {
        return false;
    }
    let mut cache = if col.key || col.ty != ColumnType::Text {
        Vec::new()
    } else {
        vec![(0usize, 0usize, NO_TEXT); CACHE]
    };
    let mut r = 0;
    while r < rows {
        r = run(col, raw, stored, first, r, rows, state, &mut cache);
        if r < rows {
            slow(r, state);
            r += 1;
        }
    }
    true
}

/// Entries of the cache of text codes by the address of a value's bytes.
const CACHE: usize = 4096;

/// Converts rows from `r` on until one it cannot take as it is; returns that row
/// (`rows` when all were converted).
#[allow(clippy::too_many_arguments)]
fn run(
    col: &ColumnDef,
    raw: &Raw,
    stored: Stored,
    first: usize,
    r: usize,
    rows: usize,
    state: &mut State,
    cache: &mut [(usize, usize, u32)],
) -> usize {
    let optional = col.optional;
    let State { out, key_rows, .. } = state;
    match (out, raw) {
        (Builder::Text(codes, dict), Raw::Bytes(v)) => {
            for (i, cell) in v.iter().enumerate().take(rows).skip(r) {
                let Some(b) = cell else {
                    if !optional {
                        return i;
                    }
                    codes.push(NO_TEXT);
                    continue;
                };
                let bytes = b.data();
                if !cache.is_empty() {
                    // Values decoded from a page's dictionary share its bytes: the
                    // same address is the same text (every value of the group is
                    // alive while it converts, so no address is reused).
                    let at = bytes.as_ptr() as usize;
                    let slot = (at ^ (at >> 12)) % CACHE;
                    let (a, n, code) = cache[slot];
                    if a == at && n == bytes.len() {
                        codes.push(code);
                        continue;
                    }
                    let Some(code) = text_code(bytes, dict, None) else {
                        return i;
                    };
                    if code != NO_TEXT {
                        cache[slot] = (at, bytes.len(), code);
                    } else if !optional {
                        return i;
                    }
                    codes.push(code);
                    continue;
                }
                let key = col.key.then_some(&mut *key_rows);
                match text_code(bytes, dict, key.map(|k| (k, first + i + 1))) {
                    Some(NO_TEXT) if !optional => return i,
                    Some(code) => codes.push(code),
                    None => return i,
                }
            }
            rows
        }
        (Builder::Bool(values), Raw::Bool(v)) => {
            for (i, cell) in v.iter().enumerate().take(rows).skip(r) {
                if cell.is_none() && !optional {
                    return i;
                }
                values.push(*cell);
            }
            rows
        }
        (Builder::Number(values, valid), Raw::F32(v)) => floats(
            v.iter().map(|x| x.map(f64::from)),
            r,
            rows,
            optional,
            values,
            valid,
        ),
        (Builder::Number(values, valid), Raw::F64(v)) => {
            floats(v.iter().copied(), r, rows, optional, values, valid)
        }
        (Builder::Number(values, valid), _) => {
            let exact = col.ty == ColumnType::Int;
            let number = |n: i128| (!exact || (-EXACT..=EXACT).contains(&n)).then_some(n as f64);
            ints(raw, stored, r, rows, optional, values, valid, 0.0, number)
        }
        (Builder::Money(values, valid), _) => {
            let scale = match stored {
                Stored::Decimal { scale, .. } => scale,
                _ => 0,
            };
            let amount = |n: i128| {
                if scale == 4 {
                    // Already ten-thousandths: only the range to check.
                    (n.abs() <= i128::from(MAX_MONEY_CELL)).then_some(n as i64)
                } else {
                    money(n, scale).ok()
                }
            };
            ints(raw, stored, r, rows, optional, values, valid, 0, amount)
        }
        (Builder::Date(values, valid), _) => match (col.ty, stored) {
            (ColumnType::DateTime, Stored::Timestamp { per_second, .. }) => {
                let per = i128::from(per_second);
                let seconds = |n: i128| (n.rem_euclid(per) == 0).then(|| n.div_euclid(per) as f64);
                ints(raw, stored, r, rows, optional, values, valid, 0.0, seconds)
            }
            (ColumnType::DateTime, _) => {
                let seconds = |n: i128| Some((n * i128::from(SECONDS_PER_DAY)) as f64);
                ints(raw, stored, r, rows, optional, values, valid, 0.0, seconds)
            }
            _ => ints(raw, stored, r, rows, optional, values, valid, 0.0, |n| {
                Some(n as f64)
            }),
        },
        // `fill` let through only the pairs above.
        _ => r,
    }
}

/// The code of a cell's text (trimmed, as a CSV cell); `NO_TEXT` for an empty text;
/// `None` when the bytes are not UTF-8, or for a key (`key`: the first row of each
/// code, and this row) already held.
fn text_code(
    bytes: &[u8],
    dict: &mut Interner,
    key: Option<(&mut Vec<usize>, usize)>,
) -> Option<u32> {
    let text = trim(std::str::from_utf8(bytes).ok()?);
    if text.is_empty() {
        return Some(NO_TEXT);
    }
    let (code, new) = dict.intern(text);
    match key {
        Some((rows, row)) if new => {
            rows.push(row);
            Some(code)
        }
        Some(_) => None,
        None => Some(code),
    }
}

/// Floating-point cells: finite values as they are.
fn floats(
    cells: impl Iterator<Item = Option<f64>>,
    r: usize,
    rows: usize,
    optional: bool,
    values: &mut Vec<f64>,
    valid: &mut Vec<bool>,
) -> usize {
    for (i, cell) in cells.enumerate().take(rows).skip(r) {
        match cell {
            Some(x) if x.is_finite() => {
                values.push(x);
                valid.push(true);
            }
            None if optional => {
                values.push(0.0);
                valid.push(false);
            }
            _ => return i,
        }
    }
    rows
}

/// Integer cells (whole numbers, decimals' unscaled values, days, timestamps' units)
/// through `convert`, which refuses what does not fit.
#[allow(clippy::too_many_arguments)]
fn ints<T: Copy>(
    raw: &Raw,
    stored: Stored,
    r: usize,
    rows: usize,
    optional: bool,
    values: &mut Vec<T>,
    valid: &mut Vec<bool>,
    zero: T,
    convert: impl Fn(i128) -> Option<T>,
) -> usize {
    let unsigned = matches!(stored, Stored::Int { unsigned: true });
    let mut each = |n: Option<i128>| -> bool {
        match n.map(&convert) {
            Some(Some(x)) => {
                values.push(x);
                valid.push(true);
                true
            }
            None if optional => {
                values.push(zero);
                valid.push(false);
                true
            }
            _ => false,
        }
    };
    macro_rules! over {
        ($v:expr, $to:expr) => {{
            for (i, cell) in $v.iter().enumerate().take(rows).skip(r) {
                if !each(cell.as_ref().map($to)) {
                    return i;
                }
            }
            rows
        }};
    }
    match raw {
        Raw::I32(v) if unsigned => over!(v, |x: &i32| i128::from(*x as u32)),
        Raw::I32(v) => over!(v, |x: &i32| i128::from(*x)),
        Raw::I64(v) if unsigned => over!(v, |x: &i64| i128::from(*x as u64)),
        Raw::I64(v) => over!(v, |x: &i64| i128::from(*x)),
        Raw::Bytes(v) => decimal_bytes(
            v.iter().map(|c| c.as_ref().map(|b| b.data())),
            r,
            rows,
            each,
        ),
        Raw::Fixed(v) => decimal_bytes(
            v.iter().map(|c| c.as_ref().map(|b| b.data())),
            r,
            rows,
            each,
        ),
        _ => r,
    }
}

/// Rows `r..rows` of a decimal stored as big-endian bytes (variable or fixed length)
/// through `each`; the first row it refuses or whose bytes are no number.
fn decimal_bytes<'v>(
    cells: impl Iterator<Item = Option<&'v [u8]>>,
    r: usize,
    rows: usize,
    mut each: impl FnMut(Option<i128>) -> bool,
) -> usize {
    for (i, cell) in cells.enumerate().take(rows).skip(r) {
        let n = match cell.map(big_endian) {
            Some(Ok(n)) => Some(n),
            Some(Err(_)) => return i,
            None => None,
        };
        if !each(n) {
            return i;
        }
    }
    rows
}
