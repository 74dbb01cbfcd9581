//! Registers of a compiled program: one per instruction, holding that instruction's
//! values for the current chunk of rows. Numbers, dates (days) and date-times (whole
//! seconds) are `f64` plus validity; booleans are bytes (`FALSE`, `TRUE`, `MISSING`);
//! text is dictionary codes when it comes from one column, and strings otherwise.

use crate::data::{Interner, NO_TEXT};
use crate::ir::Type;
use std::sync::Arc;

/// Boolean cells: false, true, missing.
pub const FALSE: u8 = 0;
pub const TRUE: u8 = 1;
pub const MISSING: u8 = 2;

/// The index of a register (the instruction that writes it).
pub type RegId = usize;

/// The kind of a register, fixed at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Num,
    Bool,
    Text,
}

impl Kind {
    /// The kind of a value of type `ty`.
    pub fn of(ty: Type) -> Kind {
        match ty {
            Type::Bool => Kind::Bool,
            Type::Text => Kind::Text,
            _ => Kind::Num,
        }
    }
}

/// A register's values for the current chunk.
#[derive(Debug, Default)]
pub enum Reg<'a> {
    #[default]
    Unset,
    /// A column's slice for the chunk (no copy).
    NumRef(&'a [f64], &'a [bool]),
    Num(Vec<f64>, Vec<bool>),
    Bool(Vec<u8>),
    CodesRef(&'a [u32], &'a Interner),
    Codes(Vec<u32>, &'a Interner),
    Strs(Vec<Option<Arc<str>>>),
}

impl<'a> Reg<'a> {
    /// Numbers and validity.
    pub fn num(&self) -> (&[f64], &[bool]) {
        match self {
            Reg::NumRef(v, ok) => (v, ok),
            Reg::Num(v, ok) => (v, ok),
            _ => (&[], &[]),
        }
    }

    /// Booleans.
    pub fn bools(&self) -> &[u8] {
        match self {
            Reg::Bool(b) => b,
            _ => &[],
        }
    }

    /// Text codes and their dictionary, when the text is coded.
    pub fn codes(&self) -> Option<(&[u32], &'a Interner)> {
        match self {
            Reg::CodesRef(c, d) => Some((c, d)),
            Reg::Codes(c, d) => Some((c, d)),
            _ => None,
        }
    }

    /// The text of row `i` of the chunk.
    pub fn text(&self, i: usize) -> Option<&str> {
        match self {
            Reg::CodesRef(c, d) => text_of(c[i], d),
            Reg::Codes(c, d) => text_of(c[i], d),
            Reg::Strs(s) => s[i].as_deref(),
            _ => None,
        }
    }

    /// Whether row `i` of the chunk has a value.
    pub fn present(&self, i: usize) -> bool {
        match self {
            Reg::NumRef(_, ok) => ok[i],
            Reg::Num(_, ok) => ok[i],
            Reg::Bool(b) => b[i] != MISSING,
            Reg::CodesRef(c, _) => c[i] != NO_TEXT,
            Reg::Codes(c, _) => c[i] != NO_TEXT,
            Reg::Strs(s) => s[i].is_some(),
            Reg::Unset => false,
        }
    }

    /// Appends whether each of the chunk's `n` rows has a value (`TRUE` or `FALSE`):
    /// [`Reg::present`] for the whole chunk, the register's kind matched once.
    pub fn presence(&self, n: usize, out: &mut Vec<u8>) {
        match self {
            Reg::NumRef(_, ok) => out.extend(ok.iter().map(|b| *b as u8)),
            Reg::Num(_, ok) => out.extend(ok.iter().map(|b| *b as u8)),
            Reg::Bool(b) => out.extend(b.iter().map(|b| (*b != MISSING) as u8)),
            Reg::CodesRef(c, _) => out.extend(c.iter().map(|c| (*c != NO_TEXT) as u8)),
            Reg::Codes(c, _) => out.extend(c.iter().map(|c| (*c != NO_TEXT) as u8)),
            Reg::Strs(s) => out.extend(s.iter().map(|s| s.is_some() as u8)),
            Reg::Unset => out.resize(out.len() + n, FALSE),
        }
    }

    /// An exact identity of row `i`'s value, for `count_distinct` (None: missing, or
    /// a computed text, whose identity is the text itself: see [`Reg::strs`]). Equal
    /// keys are equal values: numbers by their bits (0 and -0 alike, as in SQL), text
    /// by its code in the column's one dictionary.
    pub fn distinct_key(&self, i: usize) -> Option<u64> {
        let num = |x: f64| if x == 0.0 { 0 } else { x.to_bits() };
        match self {
            Reg::NumRef(v, ok) => ok[i].then(|| num(v[i])),
            Reg::Num(v, ok) => ok[i].then(|| num(v[i])),
            Reg::Bool(b) => (b[i] != MISSING).then_some(b[i] as u64),
            Reg::CodesRef(c, _) => (c[i] != NO_TEXT).then_some(c[i] as u64),
            Reg::Codes(c, _) => (c[i] != NO_TEXT).then_some(c[i] as u64),
            Reg::Strs(_) | Reg::Unset => None,
        }
    }

    /// Computed texts (`concat`, the keys of `count_distinct` of several values), if
    /// this register holds them.
    pub fn strs(&self) -> Option<&[Option<Arc<str>>]> {
        match self {
            Reg::Strs(s) => Some(s),
            _ => None,
        }
    }

    /// Takes the number buffers for reuse.
    pub(super) fn take_num(&mut self, n: usize) -> (Vec<f64>, Vec<bool>) {
        match std::mem::take(self) {
            Reg::Num(mut v, mut ok) => {
                v.clear();
                ok.clear();
                (v, ok)
            }
            _ => (Vec::with_capacity(n), Vec::with_capacity(n)),
        }
    }

    pub(super) fn take_bool(&mut self, n: usize) -> Vec<u8> {
        match std::mem::take(self) {
            Reg::Bool(mut b) => {
                b.clear();
                b
            }
            _ => Vec::with_capacity(n),
        }
    }

    pub(super) fn take_codes(&mut self, n: usize) -> Vec<u32> {
        match std::mem::take(self) {
            Reg::Codes(mut c, _) => {
                c.clear();
                c
            }
            _ => Vec::with_capacity(n),
        }
    }

    pub(super) fn take_strs(&mut self, n: usize) -> Vec<Option<Arc<str>>> {
        match std::mem::take(self) {
            Reg::Strs(mut s) => {
                s.clear();
                s
            }
            _ => Vec::with_capacity(n),
        }
    }
}

fn text_of(code: u32, dict: &Interner) -> Option<&str> {
    if code == NO_TEXT {
        None
    } else {
        dict.get(code)
    }
}
