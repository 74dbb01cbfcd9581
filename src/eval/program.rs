//! Per-row expressions compiled into a flat program of typed column kernels.
//!
//! Every per-row expression (aggregate arguments, filters, period tests) of one table
//! is compiled once per request into a list of instructions in dependency order, with
//! common sub-expressions shared (by canonical key) across all the aggregates that
//! read the table. The program then runs over the table a chunk of rows at a time:
//! each instruction is one tight loop over the chunk ([`super::kernels`]), writing one
//! register ([`super::register`]). Types are settled at compile time, so no
//! instruction looks at a row's type, and nothing walks an expression tree per row.

use super::register::{Kind, MISSING, Reg, RegId};
use super::value::{Span, Val};
use crate::data::{Column, Interner};
use crate::ir::{Func, Hop, TExpr, TExprKind};
use crate::vocab::BinaryOp;
use std::collections::HashMap;
use std::sync::Arc;

/// One instruction; it writes the register with its own index.
#[derive(Debug)]
pub(super) enum Instr<'a> {
    /// A number, money or date column of the scanned table.
    NumCol(&'a [f64], &'a [bool]),
    /// A column of a parent table (`accounts`, or one reached through relations)
    /// read through each row's parent row.
    NumVia(&'a [f64], &'a [bool], Arc<[u32]>),
    /// A money column (ten-thousandths) read as `f64` currency units.
    MoneyCol(&'a [i64], &'a [bool]),
    /// A money column of the parent row reached through an index.
    MoneyVia(&'a [i64], &'a [bool], Arc<[u32]>),
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
    /// Days or hours from the first date (or date-time) to the second.
    Between(RegId, RegId, Span),
    /// Texts joined; missing when any is.
    Concat(Vec<RegId>),
    /// The key of `count_distinct` over several values ([`super::value::tuple_key`]);
    /// missing when any part is.
    Tuple(Vec<(RegId, Kind)>),
    /// Whether a date lies in the period `[start, end]` (whole days).
    InPeriod {
        values: &'a [f64],
        valid: &'a [bool],
        start: f64,
        end: f64,
        timed: bool,
    },
}

/// What the compiler needs to know about the scanned table.
pub struct Source<'a> {
    /// The scanned table's columns.
    pub table: &'a crate::data::TableData,
    /// The `accounts` table's columns.
    pub accounts: Option<&'a crate::data::TableData>,
    /// The account row of each row of the scanned table (`NONE` where none).
    pub account_rows: Arc<[u32]>,
    /// The scanned table's account column (whose rows `account_rows` holds).
    pub account_column: Option<&'a str>,
    /// The parent rows of each row through other relations.
    pub parents: super::follow::Parents<'a>,
}

/// The compiled per-row expressions of one table.
#[derive(Debug, Default)]
pub struct Program<'a> {
    instrs: Vec<Instr<'a>>,
    kinds: Vec<Kind>,
    /// Key (a leaf, or an operator and its operands' registers) -> register.
    index: HashMap<String, RegId>,
    /// The values of constant registers, for folding.
    constants: HashMap<RegId, Val>,
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
    ///
    /// Bottom-up: an operator's key is its name and its operands' registers, so equal
    /// sub-expressions anywhere in the table's aggregates share one register, and an
    /// operator over constants is folded to a constant with the scalar rules.
    pub fn compile(&mut self, src: &Source<'a>, e: &TExpr, period: super::Period) -> RegId {
        let kind = Kind::of(e.ty);
        let operator = match &e.kind {
            TExprKind::Number(v) => return self.constant(Val::Num(*v), kind),
            TExprKind::Text(t) => return self.constant(Val::Text(t.as_str().into()), kind),
            TExprKind::Date(d) => return self.constant(Val::Date(super::date_days(*d)), kind),
            TExprKind::Bool(b) => return self.constant(Val::Bool(*b), kind),
            TExprKind::Missing => {
                return self.constant(Val::missing(crate::query::missing::SET_MISSING), kind);
            }
            TExprKind::Period(f) => return self.constant(super::period_value(period, *f), kind),
            TExprKind::Column { table, column, via } => {
                let key = format!("column:{table}.{column}:{via:?}");
                if let Some(r) = self.index.get(&key) {
                    return *r;
                }
                let instr = match Self::column(src, column, via) {
                    Some(instr) => instr,
                    None => return self.constant(Val::missing("column not loaded"), kind),
                };
                return self.push(key, kind, instr);
            }
            TExprKind::Neg(_) => "neg".to_string(),
            TExprKind::Not(_) => "not".to_string(),
            TExprKind::IsMissing { negated, .. } => format!("missing:{negated}"),
            TExprKind::Binary { op, .. } => format!("{op:?}"),
            TExprKind::If { .. } => "if".to_string(),
            TExprKind::Func { func, .. } => format!("{func:?}"),
            // Scope-level values (measures, aggregates) have no per-row meaning; the
            // checker rejects them here, so this only guards a broken catalog.
            _ => return self.constant(Val::missing("invalid expression"), kind),
        };
        let operands = e.operands();
        let regs: Vec<RegId> = operands
            .iter()
            .map(|k| self.compile(src, k, period))
            .collect();
        let constants: Option<Vec<Val>> = regs
            .iter()
            .map(|r| self.constants.get(r).cloned())
            .collect();
        if let Some(values) = constants {
            let value = super::scalar::combine(e, &values.iter().collect::<Vec<_>>());
            return self.constant(value, kind);
        }
        let key = format!("{operator}{regs:?}");
        if let Some(r) = self.index.get(&key) {
            return *r;
        }
        let instr = match (&e.kind, regs.as_slice()) {
            (TExprKind::Neg(_), [x]) => Instr::Neg(*x),
            (TExprKind::Not(_), [x]) => Instr::Not(*x),
            (TExprKind::IsMissing { negated, .. }, [x]) => Instr::Present {
                operand: *x,
                want: *negated,
            },
            // Date-times are whole seconds; their difference is typed in hours.
            (
                TExprKind::Binary {
                    op: BinaryOp::Sub,
                    left,
                    right,
                },
                [a, b],
            ) if left.ty == crate::ir::Type::DateTime && right.ty == crate::ir::Type::DateTime => {
                Instr::Between(*b, *a, Span::new(right.ty, left.ty, true))
            }
            (TExprKind::Binary { op, .. }, [a, b]) => {
                self.binary(*op, *a, *b, operands[0], operands[1])
            }
            (TExprKind::If { .. }, [c, t, o]) => Instr::If {
                condition: *c,
                then: *t,
                otherwise: *o,
                kind,
            },
            (TExprKind::Func { func, .. }, _) => match (func, regs.as_slice()) {
                (Func::Coalesce, _) => Instr::Coalesce(regs.clone(), kind),
                (Func::Abs, [x]) => Instr::Abs(*x),
                (Func::Round, [x]) => {
                    let zero = self.constant(Val::Num(0.0), Kind::Num);
                    Instr::Round(*x, zero)
                }
                (Func::Round, [x, d]) => Instr::Round(*x, *d),
                (Func::Least, _) => Instr::Extreme(regs.clone(), true),
                (Func::Greatest, _) => Instr::Extreme(regs.clone(), false),
                (Func::DaysBetween | Func::HoursBetween, [a, b]) => Instr::Between(
                    *a,
                    *b,
                    Span::new(operands[0].ty, operands[1].ty, *func == Func::HoursBetween),
                ),
                (Func::ToHours | Func::ToDays, [x]) => {
                    let day = self.constant(Val::Num(24.0), Kind::Num);
                    let op = if *func == Func::ToHours {
                        BinaryOp::Mul
                    } else {
                        BinaryOp::Div
                    };
                    Instr::Arith(op, *x, day)
                }
                (Func::Concat, _) => Instr::Concat(regs.clone()),
                (Func::Tuple, _) => {
                    Instr::Tuple(regs.iter().map(|r| (*r, self.kinds[*r])).collect())
                }
                _ => return self.constant(Val::missing("invalid expression"), kind),
            },
            _ => return self.constant(Val::missing("invalid expression"), kind),
        };
        self.push(key, kind, instr)
    }

    /// The instruction reading a column of the scanned table, or of the parent row
    /// reached through the relations `via`.
    fn column(src: &Source<'a>, column: &str, via: &[Hop]) -> Option<Instr<'a>> {
        let (data, index) = match via {
            [] => (src.table, None),
            // The row's account: the index the groups already hold.
            [hop] if hop.table == "accounts" && src.account_column == Some(hop.column.as_str()) => {
                (src.accounts?, Some(src.account_rows.clone()))
            }
            hops => {
                let (data, rows) = src.parents.rows(hops)?;
                (data, Some(rows))
            }
        };
        Some(match (data.columns.get(column)?, index) {
            (Column::Number { values, valid } | Column::Date { values, valid }, None) => {
                Instr::NumCol(values, valid)
            }
            (Column::Number { values, valid } | Column::Date { values, valid }, Some(ix)) => {
                Instr::NumVia(values, valid, ix)
            }
            // Converted chunk by chunk: a copy of the column as `f64` would hold 8
            // more bytes per row for the whole run (190 MB for orders at 100k).
            (Column::Money { values, valid }, None) => Instr::MoneyCol(values, valid),
            (Column::Money { values, valid }, Some(ix)) => Instr::MoneyVia(values, valid, ix),
            (Column::Text { codes, dict }, None) => Instr::TextCol(codes, dict),
            (Column::Text { codes, dict }, Some(ix)) => Instr::TextVia(codes, dict, ix),
            (Column::Bool { values }, None) => Instr::BoolCol(values),
            (Column::Bool { values }, Some(ix)) => Instr::BoolVia(values, ix),
        })
    }

    /// The register of a constant of `kind` (a missing value of that kind when `v` is
    /// missing or of another kind, which a checked catalog never gives).
    fn constant(&mut self, v: Val, kind: Kind) -> RegId {
        let key = format!("const:{kind:?}:{v:?}");
        if let Some(r) = self.index.get(&key) {
            return *r;
        }
        let instr = match (kind, &v) {
            (Kind::Num, Val::Num(x) | Val::Date(x)) => Instr::Num(Some(*x)),
            (Kind::Bool, Val::Bool(b)) => Instr::Bool(*b as u8),
            (Kind::Text, Val::Text(t)) => Instr::Text(Some(t.clone())),
            (Kind::Num, _) => Instr::Num(None),
            (Kind::Bool, _) => Instr::Bool(MISSING),
            (Kind::Text, _) => Instr::Text(None),
        };
        let r = self.push(key, kind, instr);
        self.constants.insert(r, v);
        r
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
            super::kernels::run(instr, done, &mut rest[0], lo, hi);
        }
    }
}
