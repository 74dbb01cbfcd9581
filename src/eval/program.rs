//! Per-row expressions compiled into a flat program of typed column kernels.
//!
//! Every per-row expression (aggregate arguments, filters, period tests) of one table
//! is compiled once per request into a list of instructions in dependency order, with
//! common sub-expressions shared (by canonical key) across all the aggregates that
//! read the table. The program then runs over the table a chunk of rows at a time:
//! each instruction is one tight loop over the chunk, writing one register. Types are
//! settled at compile time, so no instruction looks at a row's type, and nothing walks
//! an expression tree per row.
//!
//! Registers: numbers and dates are `f64` plus validity; booleans are bytes (`FALSE`,
//! `TRUE`, `MISSING`); text is dictionary codes when it comes from one column, and
//! strings otherwise.

use super::value::Val;
use crate::data::{Column, Interner, NO_TEXT};
use crate::ir::{Func, TExpr, TExprKind, Type};
use crate::syntax::ast::BinaryOp;
use std::collections::HashMap;
use std::sync::Arc;

/// Boolean cells: false, true, missing.
pub const FALSE: u8 = 0;
pub const TRUE: u8 = 1;
pub const MISSING: u8 = 2;

const NONE: u32 = u32::MAX;

/// The index of a register (the instruction that writes it).
pub type RegId = usize;

/// One instruction; it writes the register with its own index.
#[derive(Debug)]
enum Instr<'a> {
    /// A number, money or date column of the scanned table.
    NumCol(&'a [f64], &'a [bool]),
    /// A column of `accounts` read through each row's account.
    NumVia(&'a [f64], &'a [bool], Arc<[u32]>),
    TextCol(&'a [u32], &'a Interner),
    TextVia(&'a [u32], &'a Interner, Arc<[u32]>),
    BoolCol(&'a [Option<bool>]),
    BoolVia(&'a [Option<bool>], Arc<[u32]>),
    /// A constant number or date (`None`: missing).
    Num(Option<f64>),
    Bool(u8),
    Text(Option<Arc<str>>),
    /// `a op b` on numbers: `+ - * /`; a non-finite result or `/ 0` is missing.
    Arith(BinaryOp, RegId, RegId),
    /// A comparison of numbers (or dates).
    CmpNum(BinaryOp, RegId, RegId),
    /// A comparison of booleans (false < true).
    CmpBool(BinaryOp, RegId, RegId),
    /// A comparison of texts, by their strings.
    CmpText(BinaryOp, RegId, RegId),
    /// Text codes equal (or not) to one code of the register's dictionary.
    TextIsCode {
        text: RegId,
        code: Option<u32>,
        equal: bool,
    },
    And(RegId, RegId),
    Or(RegId, RegId),
    Not(RegId),
    Neg(RegId),
    /// Whether a value is present (`is not missing`) or not.
    Present {
        operand: RegId,
        want: bool,
    },
    If {
        condition: RegId,
        then: RegId,
        otherwise: RegId,
        kind: Kind,
    },
    Coalesce(Vec<RegId>, Kind),
    Abs(RegId),
    Round(RegId, RegId),
    /// `least` (`true`) or `greatest` of numbers.
    Extreme(Vec<RegId>, bool),
    /// `(b - a) * scale`: days or hours between two dates.
    Between(RegId, RegId, f64),
    /// Whether a date lies in the period `[start, end]` (whole days).
    InPeriod {
        values: &'a [f64],
        valid: &'a [bool],
        start: f64,
        end: f64,
        timed: bool,
    },
}

/// The kind of a register, fixed at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Num,
    Bool,
    Text,
}

impl Kind {
    fn of(ty: Type) -> Kind {
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

    /// A hashable identity of row `i`'s value, for `count_distinct` (None: missing).
    pub fn distinct_key(&self, i: usize) -> Option<u64> {
        match self {
            Reg::NumRef(v, ok) => ok[i].then(|| v[i].to_bits()),
            Reg::Num(v, ok) => ok[i].then(|| v[i].to_bits()),
            Reg::Bool(b) => (b[i] != MISSING).then_some(b[i] as u64),
            Reg::CodesRef(c, _) => (c[i] != NO_TEXT).then_some(c[i] as u64),
            Reg::Codes(c, _) => (c[i] != NO_TEXT).then_some(c[i] as u64),
            Reg::Strs(s) => s[i].as_deref().map(|t| {
                use std::hash::{BuildHasher, BuildHasherDefault};
                BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
                    .hash_one(t)
            }),
            Reg::Unset => None,
        }
    }

    /// Takes the number buffers for reuse.
    fn take_num(&mut self, n: usize) -> (Vec<f64>, Vec<bool>) {
        match std::mem::take(self) {
            Reg::Num(mut v, mut ok) => {
                v.clear();
                ok.clear();
                (v, ok)
            }
            _ => (Vec::with_capacity(n), Vec::with_capacity(n)),
        }
    }

    fn take_bool(&mut self, n: usize) -> Vec<u8> {
        match std::mem::take(self) {
            Reg::Bool(mut b) => {
                b.clear();
                b
            }
            _ => Vec::with_capacity(n),
        }
    }

    fn take_codes(&mut self, n: usize) -> Vec<u32> {
        match std::mem::take(self) {
            Reg::Codes(mut c, _) => {
                c.clear();
                c
            }
            _ => Vec::with_capacity(n),
        }
    }

    fn take_strs(&mut self, n: usize) -> Vec<Option<Arc<str>>> {
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

/// What the compiler needs to know about the scanned table.
pub struct Source<'a> {
    /// The scanned table's columns.
    pub table: &'a crate::data::TableData,
    /// The `accounts` table's columns.
    pub accounts: Option<&'a crate::data::TableData>,
    /// The account row of each row of the scanned table (`NONE` where none).
    pub account_rows: Arc<[u32]>,
}

/// The compiled per-row expressions of one table.
#[derive(Debug, Default)]
pub struct Program<'a> {
    instrs: Vec<Instr<'a>>,
    kinds: Vec<Kind>,
    /// Canonical key (with the period where it matters) -> register.
    index: HashMap<String, RegId>,
}

impl<'a> Program<'a> {
    fn push(&mut self, key: String, kind: Kind, instr: Instr<'a>) -> RegId {
        let id = self.instrs.len();
        self.instrs.push(instr);
        self.kinds.push(kind);
        self.index.insert(key, id);
        id
    }

    /// For a register of text codes: the size of its dictionary.
    pub fn domain(&self, reg: RegId) -> Option<usize> {
        match self.instrs.get(reg)? {
            Instr::TextCol(_, d) | Instr::TextVia(_, d, _) => Some(d.len()),
            _ => None,
        }
    }

    /// The register holding whether a row's date in `col` falls in `[start, end]`.
    pub fn in_period(
        &mut self,
        src: &Source<'a>,
        col: &str,
        timed: bool,
        (start, end): (f64, f64),
    ) -> Option<RegId> {
        let key = format!("in-period:{col}:{start}:{end}");
        if let Some(r) = self.index.get(&key) {
            return Some(*r);
        }
        let Some(Column::Date { values, valid }) = src.table.columns.get(col) else {
            return None;
        };
        Some(self.push(
            key,
            Kind::Bool,
            Instr::InPeriod {
                values,
                valid,
                start,
                end,
                timed,
            },
        ))
    }

    /// Compiles a per-row expression; `period` gives the values of `period.start`,
    /// `period.end` and `period.days` (the evaluation period, or a previous one).
    pub fn compile(&mut self, src: &Source<'a>, e: &TExpr, period: super::Period) -> RegId {
        let (canon, uses_period) = super::canon::expr(e);
        let key = if uses_period {
            format!("{canon}@{}", period.label())
        } else {
            canon
        };
        if let Some(r) = self.index.get(&key) {
            return *r;
        }
        let kind = Kind::of(e.ty);
        if let Some(v) = fold(e, period) {
            let instr = match (kind, v) {
                (Kind::Num, Val::Num(x) | Val::Date(x)) => Instr::Num(Some(x)),
                (Kind::Bool, Val::Bool(b)) => Instr::Bool(b as u8),
                (Kind::Text, Val::Text(t)) => Instr::Text(Some(t)),
                (Kind::Num, _) => Instr::Num(None),
                (Kind::Bool, _) => Instr::Bool(MISSING),
                (Kind::Text, _) => Instr::Text(None),
            };
            return self.push(key, kind, instr);
        }
        let instr = self.instr(src, e, kind, period);
        self.push(key, kind, instr)
    }

    fn instr(
        &mut self,
        src: &Source<'a>,
        e: &TExpr,
        kind: Kind,
        period: super::Period,
    ) -> Instr<'a> {
        let missing = match kind {
            Kind::Num => Instr::Num(None),
            Kind::Bool => Instr::Bool(MISSING),
            Kind::Text => Instr::Text(None),
        };
        match &e.kind {
            TExprKind::Column { column, via, .. } => {
                let (data, index) = match via {
                    Some(_) => match src.accounts {
                        Some(a) => (a, Some(src.account_rows.clone())),
                        None => return missing,
                    },
                    None => (src.table, None),
                };
                let Some(col) = data.columns.get(column) else {
                    return missing;
                };
                match (col, index) {
                    (Column::Number { values, valid } | Column::Date { values, valid }, None) => {
                        Instr::NumCol(values, valid)
                    }
                    (
                        Column::Number { values, valid } | Column::Date { values, valid },
                        Some(ix),
                    ) => Instr::NumVia(values, valid, ix),
                    (
                        Column::Money {
                            values,
                            valid,
                            floats,
                        },
                        ix,
                    ) => {
                        let floats = Column::money_floats(values, floats);
                        match ix {
                            None => Instr::NumCol(floats, valid),
                            Some(ix) => Instr::NumVia(floats, valid, ix),
                        }
                    }
                    (Column::Text { codes, dict }, None) => Instr::TextCol(codes, dict),
                    (Column::Text { codes, dict }, Some(ix)) => Instr::TextVia(codes, dict, ix),
                    (Column::Bool { values }, None) => Instr::BoolCol(values),
                    (Column::Bool { values }, Some(ix)) => Instr::BoolVia(values, ix),
                }
            }
            TExprKind::Neg(x) => Instr::Neg(self.compile(src, x, period)),
            TExprKind::Not(x) => Instr::Not(self.compile(src, x, period)),
            TExprKind::IsMissing { operand, negated } => Instr::Present {
                operand: self.compile(src, operand, period),
                want: *negated,
            },
            TExprKind::Binary { op, left, right } => {
                let (a, b) = (
                    self.compile(src, left, period),
                    self.compile(src, right, period),
                );
                self.binary(*op, a, b, left, right)
            }
            TExprKind::If {
                condition,
                then,
                otherwise,
            } => Instr::If {
                condition: self.compile(src, condition, period),
                then: self.compile(src, then, period),
                otherwise: self.compile(src, otherwise, period),
                kind,
            },
            TExprKind::Func { func, args } => {
                let regs: Vec<RegId> = args.iter().map(|a| self.compile(src, a, period)).collect();
                match (func, regs.as_slice()) {
                    (Func::Coalesce, _) => Instr::Coalesce(regs, kind),
                    (Func::Abs, [x]) => Instr::Abs(*x),
                    (Func::Round, [x]) => {
                        let zero = self.compile_const(Val::Num(0.0));
                        Instr::Round(*x, zero)
                    }
                    (Func::Round, [x, d]) => Instr::Round(*x, *d),
                    (Func::Least, _) => Instr::Extreme(regs, true),
                    (Func::Greatest, _) => Instr::Extreme(regs, false),
                    (Func::DaysBetween, [a, b]) => Instr::Between(*a, *b, 1.0),
                    (Func::HoursBetween, [a, b]) => Instr::Between(*a, *b, 24.0),
                    _ => missing,
                }
            }
            // Scope-level values (measures, aggregates) have no per-row meaning; the
            // checker rejects them here, so this only guards a broken catalog.
            _ => missing,
        }
    }

    fn compile_const(&mut self, v: Val) -> RegId {
        let key = format!("const:{v:?}");
        if let Some(r) = self.index.get(&key) {
            return *r;
        }
        let (kind, instr) = match v {
            Val::Num(x) | Val::Date(x) => (Kind::Num, Instr::Num(Some(x))),
            Val::Bool(b) => (Kind::Bool, Instr::Bool(b as u8)),
            Val::Text(t) => (Kind::Text, Instr::Text(Some(t))),
            Val::Missing(_) => (Kind::Num, Instr::Num(None)),
        };
        self.push(key, kind, instr)
    }

    fn binary(&self, op: BinaryOp, a: RegId, b: RegId, left: &TExpr, right: &TExpr) -> Instr<'a> {
        use BinaryOp::*;
        let (ka, kb) = (self.kinds[a], self.kinds[b]);
        match (op, ka, kb) {
            (And, _, _) => Instr::And(a, b),
            (Or, _, _) => Instr::Or(a, b),
            (Add | Sub | Mul | Div, Kind::Num, Kind::Num) => Instr::Arith(op, a, b),
            (_, Kind::Num, Kind::Num) => Instr::CmpNum(op, a, b),
            (_, Kind::Bool, Kind::Bool) => Instr::CmpBool(op, a, b),
            (Eq | Ne, Kind::Text, Kind::Text) => {
                // A coded column against a literal: compare codes with the literal's code.
                let literal = |e: &TExpr| match &e.kind {
                    TExprKind::Text(t) => Some(t.clone()),
                    _ => None,
                };
                let coded = |r: RegId| match &self.instrs[r] {
                    Instr::TextCol(_, d) | Instr::TextVia(_, d, _) => Some(*d),
                    _ => None,
                };
                let pick = match (literal(left), literal(right)) {
                    (None, Some(t)) => coded(a).map(|d| (a, d.code(&t))),
                    (Some(t), None) => coded(b).map(|d| (b, d.code(&t))),
                    _ => None,
                };
                match pick {
                    Some((text, code)) => Instr::TextIsCode {
                        text,
                        code,
                        equal: op == Eq,
                    },
                    None => Instr::CmpText(op, a, b),
                }
            }
            (_, Kind::Text, Kind::Text) => Instr::CmpText(op, a, b),
            // Mixed kinds never pass the checker.
            _ => Instr::Bool(MISSING),
        }
    }

    /// Runs the program over rows `lo..hi`, filling `regs` (one per instruction).
    pub fn run(&self, regs: &mut Vec<Reg<'a>>, lo: usize, hi: usize) {
        regs.resize_with(self.instrs.len(), Reg::default);
        for (i, instr) in self.instrs.iter().enumerate() {
            let (done, rest) = regs.split_at_mut(i);
            run(instr, done, &mut rest[0], lo, hi);
        }
    }
}

/// The value of an expression that reads no column, computed once.
fn fold(e: &TExpr, period: super::Period) -> Option<Val> {
    match &e.kind {
        TExprKind::Number(v) => Some(Val::Num(*v)),
        TExprKind::Text(t) => Some(Val::Text(t.as_str().into())),
        TExprKind::Date(d) => Some(Val::Date(super::date_days(*d))),
        TExprKind::Bool(b) => Some(Val::Bool(*b)),
        TExprKind::Period(f) => Some(super::period_value(period, *f)),
        TExprKind::Neg(_)
        | TExprKind::Not(_)
        | TExprKind::IsMissing { .. }
        | TExprKind::Binary { .. }
        | TExprKind::If { .. }
        | TExprKind::Func { .. } => {
            let kids: Vec<Val> = e
                .operands()
                .into_iter()
                .map(|k| fold(k, period))
                .collect::<Option<_>>()?;
            Some(super::scalar::combine(e, &kids.iter().collect::<Vec<_>>()))
        }
        _ => None,
    }
}

fn gather_num(values: &[f64], valid: &[bool], ix: &[u32], v: &mut Vec<f64>, ok: &mut Vec<bool>) {
    for a in ix {
        if *a == NONE {
            v.push(0.0);
            ok.push(false);
        } else {
            v.push(values[*a as usize]);
            ok.push(valid[*a as usize]);
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

fn compare(op: BinaryOp, ord: std::cmp::Ordering) -> u8 {
    (match op {
        BinaryOp::Eq => ord.is_eq(),
        BinaryOp::Ne => ord.is_ne(),
        BinaryOp::Lt => ord.is_lt(),
        BinaryOp::Le => ord.is_le(),
        BinaryOp::Gt => ord.is_gt(),
        _ => ord.is_ge(),
    }) as u8
}

/// Runs one instruction over rows `lo..hi` into `out`.
fn run<'a>(instr: &Instr<'a>, regs: &[Reg<'a>], out: &mut Reg<'a>, lo: usize, hi: usize) {
    let n = hi - lo;
    match instr {
        Instr::NumCol(v, ok) => *out = Reg::NumRef(&v[lo..hi], &ok[lo..hi]),
        Instr::NumVia(values, valid, ix) => {
            let (mut v, mut ok) = out.take_num(n);
            gather_num(values, valid, &ix[lo..hi], &mut v, &mut ok);
            *out = Reg::Num(v, ok);
        }
        Instr::TextCol(codes, dict) => *out = Reg::CodesRef(&codes[lo..hi], dict),
        Instr::TextVia(codes, dict, ix) => {
            let mut c = out.take_codes(n);
            c.extend(ix[lo..hi].iter().map(|a| {
                if *a == NONE {
                    NO_TEXT
                } else {
                    codes[*a as usize]
                }
            }));
            *out = Reg::Codes(c, dict);
        }
        Instr::BoolCol(values) => {
            let mut b = out.take_bool(n);
            b.extend(values[lo..hi].iter().map(|x| bool_cell(*x)));
            *out = Reg::Bool(b);
        }
        Instr::BoolVia(values, ix) => {
            let mut b = out.take_bool(n);
            b.extend(ix[lo..hi].iter().map(|a| {
                if *a == NONE {
                    MISSING
                } else {
                    bool_cell(values[*a as usize])
                }
            }));
            *out = Reg::Bool(b);
        }
        Instr::Num(x) => {
            let (mut v, mut ok) = out.take_num(n);
            v.resize(n, x.unwrap_or(0.0));
            ok.resize(n, x.is_some());
            *out = Reg::Num(v, ok);
        }
        Instr::Bool(x) => {
            let mut b = out.take_bool(n);
            b.resize(n, *x);
            *out = Reg::Bool(b);
        }
        Instr::Text(t) => {
            let mut s = out.take_strs(n);
            s.resize(n, t.clone());
            *out = Reg::Strs(s);
        }
        Instr::Arith(op, a, b) => {
            let ((x, xok), (y, yok)) = (regs[*a].num(), regs[*b].num());
            let (mut v, mut ok) = out.take_num(n);
            for i in 0..n {
                let r = match op {
                    BinaryOp::Add => x[i] + y[i],
                    BinaryOp::Sub => x[i] - y[i],
                    BinaryOp::Mul => x[i] * y[i],
                    _ => x[i] / y[i],
                };
                // `x / 0` and overflow are missing, never infinity or NaN.
                let good = xok[i] && yok[i] && r.is_finite();
                v.push(if good { r } else { 0.0 });
                ok.push(good);
            }
            *out = Reg::Num(v, ok);
        }
        Instr::CmpNum(op, a, b) => {
            let ((x, xok), (y, yok)) = (regs[*a].num(), regs[*b].num());
            let mut r = out.take_bool(n);
            r.extend((0..n).map(|i| {
                match (xok[i] && yok[i])
                    .then(|| x[i].partial_cmp(&y[i]))
                    .flatten()
                {
                    Some(ord) => compare(*op, ord),
                    None => MISSING,
                }
            }));
            *out = Reg::Bool(r);
        }
        Instr::CmpBool(op, a, b) => {
            let (x, y) = (regs[*a].bools(), regs[*b].bools());
            let mut r = out.take_bool(n);
            r.extend(x.iter().zip(y).map(|(p, q)| {
                if *p == MISSING || *q == MISSING {
                    MISSING
                } else {
                    compare(*op, p.cmp(q))
                }
            }));
            *out = Reg::Bool(r);
        }
        Instr::CmpText(op, a, b) => {
            let (x, y) = (&regs[*a], &regs[*b]);
            let mut r = out.take_bool(n);
            r.extend((0..n).map(|i| match (x.text(i), y.text(i)) {
                (Some(p), Some(q)) => compare(*op, p.cmp(q)),
                _ => MISSING,
            }));
            *out = Reg::Bool(r);
        }
        Instr::TextIsCode { text, code, equal } => {
            let mut r = out.take_bool(n);
            if let Some((codes, _)) = regs[*text].codes() {
                r.extend(codes.iter().map(|c| {
                    if *c == NO_TEXT {
                        MISSING
                    } else {
                        ((Some(*c) == *code) == *equal) as u8
                    }
                }));
            }
            *out = Reg::Bool(r);
        }
        Instr::And(a, b) | Instr::Or(a, b) => {
            let (x, y) = (regs[*a].bools(), regs[*b].bools());
            let f = if matches!(instr, Instr::And(..)) {
                and
            } else {
                or
            };
            let mut r = out.take_bool(n);
            r.extend(x.iter().zip(y).map(|(p, q)| f(*p, *q)));
            *out = Reg::Bool(r);
        }
        Instr::Not(a) => {
            let mut r = out.take_bool(n);
            r.extend(
                regs[*a]
                    .bools()
                    .iter()
                    .map(|p| if *p == MISSING { MISSING } else { 1 - p }),
            );
            *out = Reg::Bool(r);
        }
        Instr::Neg(a) => {
            let (x, xok) = regs[*a].num();
            let (mut v, mut ok) = out.take_num(n);
            v.extend(x.iter().map(|x| -x));
            ok.extend_from_slice(xok);
            *out = Reg::Num(v, ok);
        }
        Instr::Present { operand, want } => {
            let x = &regs[*operand];
            let mut r = out.take_bool(n);
            r.extend((0..n).map(|i| (x.present(i) == *want) as u8));
            *out = Reg::Bool(r);
        }
        Instr::If {
            condition,
            then,
            otherwise,
            kind,
        } => {
            let c = regs[*condition].bools();
            let pick = |i: usize| match c[i] {
                TRUE => Some(*then),
                FALSE => Some(*otherwise),
                _ => None,
            };
            select(regs, out, *kind, n, pick);
        }
        Instr::Coalesce(args, kind) => {
            let pick = |i: usize| args.iter().copied().find(|r| regs[*r].present(i));
            select(regs, out, *kind, n, pick);
        }
        Instr::Abs(a) => {
            let (x, xok) = regs[*a].num();
            let (mut v, mut ok) = out.take_num(n);
            v.extend(x.iter().map(|x| x.abs()));
            ok.extend_from_slice(xok);
            *out = Reg::Num(v, ok);
        }
        Instr::Round(a, d) => {
            let ((x, xok), (digits, dok)) = (regs[*a].num(), regs[*d].num());
            let (mut v, mut ok) = out.take_num(n);
            for i in 0..n {
                let f = 10f64.powi(if dok[i] { digits[i] as i32 } else { 0 });
                v.push((x[i] * f).round() / f);
                ok.push(xok[i]);
            }
            *out = Reg::Num(v, ok);
        }
        Instr::Extreme(args, least) => {
            let (mut v, mut ok) = out.take_num(n);
            v.resize(
                n,
                if *least {
                    f64::INFINITY
                } else {
                    f64::NEG_INFINITY
                },
            );
            ok.resize(n, true);
            for r in args {
                let (x, xok) = regs[*r].num();
                for i in 0..n {
                    ok[i] &= xok[i];
                    v[i] = if *least {
                        v[i].min(x[i])
                    } else {
                        v[i].max(x[i])
                    };
                }
            }
            for i in 0..n {
                if !ok[i] {
                    v[i] = 0.0;
                }
            }
            *out = Reg::Num(v, ok);
        }
        Instr::Between(a, b, scale) => {
            let ((x, xok), (y, yok)) = (regs[*a].num(), regs[*b].num());
            let (mut v, mut ok) = out.take_num(n);
            for i in 0..n {
                v.push((y[i] - x[i]) * scale);
                ok.push(xok[i] && yok[i]);
            }
            *out = Reg::Num(v, ok);
        }
        Instr::InPeriod {
            values,
            valid,
            start,
            end,
            timed,
        } => {
            let mut r = out.take_bool(n);
            let (values, valid) = (&values[lo..hi], &valid[lo..hi]);
            if *timed {
                // Date-times carry the time of day as a fraction.
                r.extend(values.iter().zip(valid).map(|(d, ok)| {
                    let d = d.floor();
                    (*ok && d >= *start && d <= *end) as u8
                }));
            } else {
                r.extend(
                    values
                        .iter()
                        .zip(valid)
                        .map(|(d, ok)| (*ok && *d >= *start && *d <= *end) as u8),
                );
            }
            *out = Reg::Bool(r);
        }
    }
}

/// Row by row, the value of the register `pick` names (none: missing).
fn select<'a>(
    regs: &[Reg<'a>],
    out: &mut Reg<'a>,
    kind: Kind,
    n: usize,
    pick: impl Fn(usize) -> Option<RegId>,
) {
    match kind {
        Kind::Num => {
            let (mut v, mut ok) = out.take_num(n);
            for i in 0..n {
                match pick(i) {
                    Some(r) => {
                        let (x, xok) = regs[r].num();
                        v.push(x[i]);
                        ok.push(xok[i]);
                    }
                    None => {
                        v.push(0.0);
                        ok.push(false);
                    }
                }
            }
            *out = Reg::Num(v, ok);
        }
        Kind::Bool => {
            let mut b = out.take_bool(n);
            b.extend((0..n).map(|i| pick(i).map_or(MISSING, |r| regs[r].bools()[i])));
            *out = Reg::Bool(b);
        }
        Kind::Text => {
            let mut s = out.take_strs(n);
            s.extend((0..n).map(|i| pick(i).and_then(|r| regs[r].text(i).map(Arc::from))));
            *out = Reg::Strs(s);
        }
    }
}

/// Agreement with the scalar operators, which define the semantics.
#[cfg(test)]
mod tests {
    use super::super::value;
    use super::*;

    #[test]
    fn kernels_follow_the_scalar_rules() {
        let cells = [Some(true), Some(false), None];
        for p in cells {
            for q in cells {
                let val = |b: Option<bool>| b.map_or(Val::missing("empty cell"), Val::Bool);
                let want = |v: Val| match v {
                    Val::Bool(true) => TRUE,
                    Val::Bool(false) => FALSE,
                    _ => MISSING,
                };
                let (x, y) = (bool_cell(p), bool_cell(q));
                assert_eq!(
                    and(x, y),
                    want(value::binary(BinaryOp::And, &val(p), &val(q)))
                );
                assert_eq!(
                    or(x, y),
                    want(value::binary(BinaryOp::Or, &val(p), &val(q)))
                );
            }
        }
    }
}
