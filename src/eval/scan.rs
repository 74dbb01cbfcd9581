//! Shared scans: one pass over a table computes every aggregate that the request
//! reads from it (all KPIs, all periods), a chunk of rows at a time. The table's
//! program computes the per-row values of the chunk once; then each aggregate folds
//! the chunk's rows into its per-slot accumulator. Large tables are split into a fixed
//! number of row ranges, scanned in parallel and merged in order.

use super::program::Program;
use super::register::{MISSING, Reg, RegId};
use super::row_map::RowMap;
use super::select::Selections;
use super::value::Val;
use crate::data::{MONEY_SCALE, NO_TEXT};
use crate::ir::AggFunc;
use crate::query::missing;
use rayon::prelude::*;
use std::sync::Arc;

/// Rows per chunk: the registers of a chunk stay in the CPU caches.
const CHUNK: usize = 4096;

/// Tables with fewer rows are scanned on one core.
const PARALLEL_ROWS: usize = 1 << 16;

/// Row ranges a large table is split into, whatever the number of threads.
const RANGES: usize = 4;

/// One aggregate of a scan.
#[derive(Debug)]
pub struct AggSpec<'a> {
    pub func: AggFunc,
    /// For `percentile`, the fraction.
    pub fraction: f64,
    /// The per-row value (`None` for `count(table)`).
    pub arg: Option<RegId>,
    /// `sum` of a money column: its integer ten-thousandths, added exactly.
    pub exact: Option<(&'a [i64], &'a [bool])>,
    /// `sum` of a money expression that only adds and subtracts money: each row's
    /// value is rounded to ten-thousandths (which it is, up to float error) and added
    /// exactly.
    pub money_rows: bool,
    /// Rows count only where this register is true.
    pub filter: Option<RegId>,
    /// The period test (`None`: all time).
    pub in_period: Option<RegId>,
    /// For a breakdown: the breakdown column's codes and the number of keys.
    pub split: Option<(&'a [u32], u32)>,
    /// `min`/`max` of dates give dates.
    pub is_date: bool,
    /// Accumulator slots: groups, or groups x breakdown keys.
    pub slots: usize,
    /// For `count_distinct` of coded text: the number of distinct codes.
    pub distinct_domain: Option<usize>,
    /// Why the value is missing when rows were read but none had a value
    /// ([`values_missing`]).
    pub values_missing: &'static str,
    /// Inside an aggregate over members: the member of every row, which replaces the
    /// scan's groups for this aggregate (`slots` is then the number of members). The
    /// same scan folds group-level and member-level aggregates.
    pub members_of_row: Option<RowMap>,
    /// Its row arithmetic reads money a double cannot carry exactly
    /// (`money_range`): every value is missing, with that reason (even a count: its
    /// filter may compare such amounts).
    pub money_too_large: bool,
}

/// Largest bitmap (in bits) for `count_distinct`; beyond it, (slot, value) pairs are
/// sorted instead.
const MAX_DISTINCT_BITS: usize = 1 << 27;

/// Everything one scan computes from one table.
#[derive(Debug)]
pub struct TableScan<'a> {
    pub rows: usize,
    pub program: Program<'a>,
    pub specs: Vec<AggSpec<'a>>,
    /// The group of every row (`NONE`: out of scope).
    pub group_of_row: RowMap,
}

/// An aggregate's result: one value per slot, and the row counts `--explain` shows.
#[derive(Debug, Clone)]
pub struct AggResult {
    pub values: Arc<Vec<Val>>,
    /// Why each row of the table was kept or not, as `--explain` shows it.
    pub rows: RowCounts,
}

/// The rows of an aggregate's table, step by step: all of them, those in the period,
/// of those the rows of the first group (whose account is in scope; with the whole
/// portfolio as scope, rows without an account too), and of those the rows its
/// `where` kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RowCounts {
    pub table: usize,
    pub in_period: usize,
    pub in_scope: usize,
    pub kept: usize,
}

/// A per-slot accumulator; only the parts its function needs are allocated.
#[derive(Debug, Default)]
struct State {
    counts: Vec<u32>,
    /// Rows read per slot, with a value or not (for aggregates that can be missing:
    /// "no rows" and "every row's value is missing" are different answers).
    read: Vec<u32>,
    sums: Vec<f64>,
    exact: Vec<i128>,
    mins: Vec<f64>,
    maxs: Vec<f64>,
    /// (slot, value identity) for `count_distinct`.
    pairs: Vec<(u32, u64)>,
    /// (slot, text) for `count_distinct` of computed text: the text itself, never a
    /// hash of it, so two values are one only when they are equal.
    texts: Vec<(u32, Arc<str>)>,
    /// For `count_distinct` of coded text: bit `slot * domain + code`.
    bits: Vec<u64>,
    /// (slot, value) for medians and percentiles.
    values: Vec<(u32, f64)>,
    /// Rows in the period (any group or none), of the first group, kept by the filter.
    counted: (usize, usize, usize),
}

impl State {
    fn new(spec: &AggSpec) -> State {
        let n = spec.slots;
        let mut s = State::default();
        match spec.func {
            AggFunc::CountDistinct => {
                if let Some(d) = spec.distinct_domain
                    && n.saturating_mul(d) <= MAX_DISTINCT_BITS
                {
                    s.bits = vec![0; (n * d).div_ceil(64)];
                }
            }
            AggFunc::CountRows | AggFunc::Count => s.counts = vec![0; n],
            AggFunc::Median | AggFunc::Percentile => {
                s.counts = vec![0; n];
                s.read = vec![0; n];
            }
            AggFunc::Sum | AggFunc::Avg => {
                s.counts = vec![0; n];
                s.read = vec![0; n];
                if spec.exact.is_some() || spec.money_rows {
                    s.exact = vec![0; n];
                } else {
                    s.sums = vec![0.0; n];
                }
            }
            AggFunc::Min => {
                s.counts = vec![0; n];
                s.read = vec![0; n];
                s.mins = vec![f64::INFINITY; n];
            }
            AggFunc::Max => {
                s.counts = vec![0; n];
                s.read = vec![0; n];
                s.maxs = vec![f64::NEG_INFINITY; n];
            }
        }
        s
    }

    fn merge(mut self, other: State) -> State {
        let add = |a: &mut Vec<u32>, b: Vec<u32>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.counts, other.counts);
        add(&mut self.read, other.read);
        self.sums
            .iter_mut()
            .zip(other.sums)
            .for_each(|(x, y)| *x += y);
        self.exact
            .iter_mut()
            .zip(other.exact)
            .for_each(|(x, y)| *x += y);
        self.mins
            .iter_mut()
            .zip(other.mins)
            .for_each(|(x, y)| *x = x.min(y));
        self.maxs
            .iter_mut()
            .zip(other.maxs)
            .for_each(|(x, y)| *x = x.max(y));
        self.pairs.extend(other.pairs);
        self.texts.extend(other.texts);
        self.bits
            .iter_mut()
            .zip(other.bits)
            .for_each(|(x, y)| *x |= y);
        self.values.extend(other.values);
        self.counted.0 += other.counted.0;
        self.counted.1 += other.counted.1;
        self.counted.2 += other.counted.2;
        self
    }

    fn finish(mut self, spec: &AggSpec, rows: usize) -> AggResult {
        let n = spec.slots;
        let none = |g: usize| {
            if self.read.get(g).is_some_and(|r| *r > 0) {
                Val::missing(spec.values_missing)
            } else {
                Val::missing(missing::NO_ROWS)
            }
        };
        let wrap = |x: f64| {
            if spec.is_date {
                Val::Date(x)
            } else {
                Val::Num(x)
            }
        };
        let values = match spec.func {
            AggFunc::CountRows | AggFunc::Count => {
                self.counts.iter().map(|c| Val::Num(*c as f64)).collect()
            }
            AggFunc::CountDistinct => {
                self.pairs.sort_unstable();
                self.pairs.dedup();
                self.texts.sort_unstable();
                self.texts.dedup();
                let mut distinct = vec![0u32; n];
                let slots = self.pairs.iter().map(|p| p.0);
                for slot in slots.chain(self.texts.iter().map(|t| t.0)) {
                    distinct[slot as usize] += 1;
                }
                let domain = spec.distinct_domain.unwrap_or(1).max(1);
                for (w, word) in self.bits.iter().enumerate() {
                    let mut word = *word;
                    while word != 0 {
                        let bit = w * 64 + word.trailing_zeros() as usize;
                        distinct[bit / domain] += 1;
                        word &= word - 1;
                    }
                }
                distinct.iter().map(|c| Val::Num(*c as f64)).collect()
            }
            AggFunc::Median | AggFunc::Percentile => {
                let q = if spec.func == AggFunc::Median {
                    0.5
                } else {
                    spec.fraction
                };
                self.values
                    .sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
                let mut out: Vec<Val> = (0..n).map(none).collect();
                for run in self.values.chunk_by(|a, b| a.0 == b.0) {
                    let xs: Vec<f64> = run.iter().map(|(_, x)| *x).collect();
                    out[run[0].0 as usize] = Val::Num(percentile(&xs, q));
                }
                out
            }
            func => (0..n)
                .map(|g| {
                    let c = self.counts[g];
                    if c == 0 {
                        return none(g);
                    }
                    let sum = || match self.exact.get(g) {
                        Some(e) => crate::data::money_value(*e),
                        None => self.sums[g],
                    };
                    match (func, self.exact.get(g)) {
                        // The exact total, to the output.
                        (AggFunc::Sum, Some(e)) => {
                            Val::Money(crate::query::Money::from_ten_thousandths(*e))
                        }
                        (AggFunc::Sum, None) => Val::Num(sum()),
                        (AggFunc::Avg, _) => Val::Num(sum() / c as f64),
                        (AggFunc::Min, _) => wrap(self.mins[g]),
                        _ => wrap(self.maxs[g]),
                    }
                })
                .collect(),
        };
        let values = if spec.money_too_large {
            vec![Val::missing(missing::MONEY_TOO_LARGE); n]
        } else {
            values
        };
        AggResult {
            values: Arc::new(values),
            rows: RowCounts {
                table: rows,
                in_period: self.counted.0,
                in_scope: self.counted.1,
                kept: self.counted.2,
            },
        }
    }
}

/// Linear interpolation between closest ranks (as PostgreSQL's percentile_cont), over
/// sorted values.
pub(super) fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

impl<'a> TableScan<'a> {
    /// Scans the table once and returns every aggregate's result, in `specs` order.
    pub fn run(&self) -> Vec<AggResult> {
        // A fixed number of ranges, merged in order: floating-point sums then add the
        // same numbers in the same order whatever the number of threads, so results
        // are byte-identical on any machine (with one range per thread they were not).
        let parts = if self.rows >= PARALLEL_ROWS {
            RANGES
        } else {
            1
        };
        let per_part = self.rows.div_ceil(parts).max(1);
        let ranges: Vec<Vec<State>> = (0..parts)
            .into_par_iter()
            .map(|p| {
                let lo = (p * per_part).min(self.rows);
                let hi = ((p + 1) * per_part).min(self.rows);
                self.scan_range(lo, hi)
            })
            .collect();
        let states = ranges
            .into_iter()
            .reduce(|a, b| a.into_iter().zip(b).map(|(x, y)| x.merge(y)).collect())
            .unwrap_or_default();
        states
            .into_iter()
            .zip(&self.specs)
            .map(|(s, spec)| s.finish(spec, self.rows))
            .collect()
    }

    fn scan_range(&self, lo: usize, hi: usize) -> Vec<State> {
        // Aggregates with the same period test, filter and breakdown keep the same
        // rows: they are selected once per chunk, and each aggregate folds only those.
        let mut select = Selections::new(&self.specs, &self.group_of_row);
        let mut states: Vec<State> = self.specs.iter().map(State::new).collect();
        let mut regs: Vec<Reg<'a>> = Vec::new();
        let mut start = lo;
        while start < hi {
            let end = (start + CHUNK).min(hi);
            self.program.run(&mut regs, start, end);
            select.select(&regs, start, end);
            for (k, (spec, state)) in self.specs.iter().zip(&mut states).enumerate() {
                fold(spec, &regs, state, select.rows(k), start);
            }
            start = end;
        }
        for (k, state) in states.iter_mut().enumerate() {
            state.counted = select.counts(k);
        }
        states
    }
}

/// A money value in currency units as whole ten-thousandths, as `(v * 10^4).round() as
/// i128` gives it; through `i64` where it fits (the conversion to `i128` is a library
/// call), the same number.
fn ten_thousandths(v: f64) -> i128 {
    let r = (v * MONEY_SCALE as f64).round();
    if r.abs() < 9.0e18 {
        i128::from(r as i64)
    } else {
        r as i128
    }
}

/// Folds the chunk's selected rows (row in the chunk, slot), in row order, into the
/// accumulator.
fn fold(spec: &AggSpec, regs: &[Reg], state: &mut State, selected: &[(u32, u32)], lo: usize) {
    let rows = selected.iter().map(|(i, s)| (*i as usize, *s as usize));
    if let (Some((values, valid)), AggFunc::Sum | AggFunc::Avg) = (spec.exact, spec.func) {
        for (i, s) in rows {
            state.read[s] += 1;
            if valid[lo + i] {
                state.exact[s] += values[lo + i] as i128;
                state.counts[s] += 1;
            }
        }
        return;
    }
    let Some(arg) = spec.arg.map(|r| &regs[r]) else {
        for (_, s) in rows {
            state.counts[s] += 1;
        }
        return;
    };
    match spec.func {
        // The register's kind matched once, not per row.
        AggFunc::CountRows | AggFunc::Count => match arg {
            Reg::NumRef(_, ok) => count_rows(state, rows, |i| ok[i]),
            Reg::Num(_, ok) => count_rows(state, rows, |i| ok[i]),
            Reg::Bool(b) => count_rows(state, rows, |i| b[i] != MISSING),
            Reg::CodesRef(c, _) => count_rows(state, rows, |i| c[i] != NO_TEXT),
            Reg::Codes(c, _) => count_rows(state, rows, |i| c[i] != NO_TEXT),
            _ => count_rows(state, rows, |i| arg.present(i)),
        },
        AggFunc::CountDistinct if !state.bits.is_empty() => {
            let d = spec.distinct_domain.unwrap_or(1);
            if let Some((codes, _)) = arg.codes() {
                for (i, s) in rows {
                    if codes[i] != NO_TEXT {
                        let bit = s * d + codes[i] as usize;
                        state.bits[bit / 64] |= 1 << (bit % 64);
                    }
                }
            }
        }
        AggFunc::CountDistinct => {
            if let Some(texts) = arg.strs() {
                for (i, s) in rows {
                    if let Some(t) = &texts[i] {
                        state.texts.push((s as u32, t.clone()));
                    }
                }
            } else {
                for (i, s) in rows {
                    if let Some(key) = arg.distinct_key(i) {
                        state.pairs.push((s as u32, key));
                    }
                }
            }
        }
        // One loop per function, the function matched once.
        AggFunc::Sum | AggFunc::Avg if spec.money_rows => fold_num(state, rows, arg, |st, s, v| {
            st.exact[s] += ten_thousandths(v)
        }),
        AggFunc::Sum | AggFunc::Avg => fold_num(state, rows, arg, |st, s, v| st.sums[s] += v),
        AggFunc::Min => fold_num(state, rows, arg, |st, s, v| st.mins[s] = st.mins[s].min(v)),
        AggFunc::Max => fold_num(state, rows, arg, |st, s, v| st.maxs[s] = st.maxs[s].max(v)),
        _ => fold_num(state, rows, arg, |st, s, v| st.values.push((s as u32, v))),
    }
}

/// Counts the rows where `present` holds.
#[inline(always)]
fn count_rows(
    state: &mut State,
    rows: impl Iterator<Item = (usize, usize)>,
    present: impl Fn(usize) -> bool,
) {
    for (i, s) in rows {
        state.counts[s] += present(i) as u32;
    }
}

/// Counts every row as read, and folds each present number with `add`.
#[inline(always)]
fn fold_num(
    state: &mut State,
    rows: impl Iterator<Item = (usize, usize)>,
    arg: &Reg,
    mut add: impl FnMut(&mut State, usize, f64),
) {
    let (x, ok) = arg.num();
    for (i, s) in rows {
        if let Some(r) = state.read.get_mut(s) {
            *r += 1;
        }
        if !ok[i] {
            continue;
        }
        state.counts[s] += 1;
        add(state, s, x[i]);
    }
}
