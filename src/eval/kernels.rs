//! The column kernels: each instruction of a [`super::program::Program`] as one tight
//! loop over a chunk of rows, following the scalar rules of [`super::value`] (missing
//! propagates, three-valued `and`/`or`, `x / 0` is missing).

use super::program::Instr;
use super::register::{FALSE, Kind, MISSING, Reg, RegId, TRUE};
use super::value::{KeyPart, push_key_part};
use crate::data::{MONEY_SCALE, NO_TEXT, money_value};
use crate::vocab::BinaryOp;
use std::sync::Arc;

const NONE: u32 = u32::MAX;

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

/// Ten-thousandths as currency units, as [`money_value`] gives them (the common case
/// inline: one conversion and one division).
fn money_float(x: i64) -> f64 {
    const EXACT: i64 = 1 << 53;
    if (-EXACT..=EXACT).contains(&x) {
        x as f64 / MONEY_SCALE as f64
    } else {
        money_value(i128::from(x))
    }
}

fn bool_cell(b: Option<bool>) -> u8 {
    match b {
        Some(true) => TRUE,
        Some(false) => FALSE,
        None => MISSING,
    }
}

#[inline(always)]
fn and(p: u8, q: u8) -> u8 {
    if p == FALSE || q == FALSE {
        FALSE
    } else if p == TRUE && q == TRUE {
        TRUE
    } else {
        MISSING
    }
}

#[inline(always)]
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
pub(super) fn run<'a>(
    instr: &Instr<'a>,
    regs: &[Reg<'a>],
    out: &mut Reg<'a>,
    lo: usize,
    hi: usize,
) {
    let n = hi - lo;
    match instr {
        Instr::NumCol(v, ok) => *out = Reg::NumRef(&v[lo..hi], &ok[lo..hi]),
        Instr::NumVia(values, valid, ix) => {
            let (mut v, mut ok) = out.take_num(n);
            gather_num(values, valid, &ix[lo..hi], &mut v, &mut ok);
            *out = Reg::Num(v, ok);
        }
        Instr::MoneyCol(values, valid) => {
            let (mut v, mut ok) = out.take_num(n);
            v.extend(values[lo..hi].iter().map(|x| money_float(*x)));
            ok.extend_from_slice(&valid[lo..hi]);
            *out = Reg::Num(v, ok);
        }
        Instr::MoneyVia(values, valid, ix) => {
            let (mut v, mut ok) = out.take_num(n);
            for a in &ix[lo..hi] {
                match (values.get(*a as usize), valid.get(*a as usize)) {
                    (Some(x), Some(good)) => {
                        v.push(money_float(*x));
                        ok.push(*good);
                    }
                    _ => {
                        v.push(0.0);
                        ok.push(false);
                    }
                }
            }
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
            match op {
                BinaryOp::Add => arith(x, xok, y, yok, &mut v, &mut ok, |p, q| p + q),
                BinaryOp::Sub => arith(x, xok, y, yok, &mut v, &mut ok, |p, q| p - q),
                BinaryOp::Mul => arith(x, xok, y, yok, &mut v, &mut ok, |p, q| p * q),
                _ => arith(x, xok, y, yok, &mut v, &mut ok, |p, q| p / q),
            }
            *out = Reg::Num(v, ok);
        }
        Instr::CmpNum(op, a, b) => {
            let ((x, xok), (y, yok)) = (regs[*a].num(), regs[*b].num());
            let mut r = out.take_bool(n);
            match op {
                BinaryOp::Eq => cmp_num(x, xok, y, yok, &mut r, |p, q| p == q),
                BinaryOp::Ne => cmp_num(x, xok, y, yok, &mut r, |p, q| p != q),
                BinaryOp::Lt => cmp_num(x, xok, y, yok, &mut r, |p, q| p < q),
                BinaryOp::Le => cmp_num(x, xok, y, yok, &mut r, |p, q| p <= q),
                BinaryOp::Gt => cmp_num(x, xok, y, yok, &mut r, |p, q| p > q),
                _ => cmp_num(x, xok, y, yok, &mut r, |p, q| p >= q),
            }
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
        // One loop per operator, so that the three-valued rule is inlined (through a
        // function pointer it was a call per row).
        Instr::And(a, b) => {
            let (x, y) = (regs[*a].bools(), regs[*b].bools());
            let mut r = out.take_bool(n);
            r.extend(x.iter().zip(y).map(|(p, q)| and(*p, *q)));
            *out = Reg::Bool(r);
        }
        Instr::Or(a, b) => {
            let (x, y) = (regs[*a].bools(), regs[*b].bools());
            let mut r = out.take_bool(n);
            r.extend(x.iter().zip(y).map(|(p, q)| or(*p, *q)));
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
            let mut r = out.take_bool(n);
            regs[*operand].presence(n, &mut r);
            if !*want {
                r.iter_mut().for_each(|p| *p ^= 1);
            }
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
        Instr::Coalesce(args, Kind::Num) => {
            // From the last value to the first, each present value overwriting: the
            // first present one stays (none: missing), without a per-row search.
            let (mut v, mut ok) = out.take_num(n);
            v.resize(n, 0.0);
            ok.resize(n, false);
            for r in args.iter().rev() {
                let (x, xok) = regs[*r].num();
                for ((v, ok), (x, xok)) in v.iter_mut().zip(ok.iter_mut()).zip(x.iter().zip(xok)) {
                    if *xok {
                        *v = *x;
                        *ok = true;
                    }
                }
            }
            *out = Reg::Num(v, ok);
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
                let d = if dok[i] { digits[i] as i32 } else { 0 };
                v.push(super::value::round_decimal(x[i], d));
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
        Instr::Between(a, b, span) => {
            let ((x, xok), (y, yok)) = (regs[*a].num(), regs[*b].num());
            let (mut v, mut ok) = out.take_num(n);
            for i in 0..n {
                v.push(span.between(x[i], y[i]));
                ok.push(xok[i] && yok[i]);
            }
            *out = Reg::Num(v, ok);
        }
        Instr::Concat(args) => {
            let mut s = out.take_strs(n);
            s.extend((0..n).map(|i| {
                let mut joined = String::new();
                for r in args {
                    joined.push_str(regs[*r].text(i)?);
                }
                Some(Arc::from(joined))
            }));
            *out = Reg::Strs(s);
        }
        Instr::Tuple(parts) => {
            let mut s = out.take_strs(n);
            s.extend((0..n).map(|i| {
                let mut key = String::new();
                for (r, kind) in parts {
                    let reg = &regs[*r];
                    let part = match kind {
                        Kind::Num => {
                            let (v, ok) = reg.num();
                            KeyPart::Num(ok[i].then_some(v[i])?)
                        }
                        Kind::Bool => match reg.bools()[i] {
                            MISSING => return None,
                            b => KeyPart::Bool(b == TRUE),
                        },
                        Kind::Text => KeyPart::Text(reg.text(i)?),
                    };
                    push_key_part(&mut key, part);
                }
                Some(Arc::from(key))
            }));
            *out = Reg::Strs(s);
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
                // Date-times are whole seconds: from the first day's midnight to the
                // midnight after the last day, compared as integers.
                let day = crate::data::SECONDS_PER_DAY as f64;
                let (first, after) = (start * day, (end + 1.0) * day);
                r.extend(
                    values
                        .iter()
                        .zip(valid)
                        .map(|(s, ok)| (*ok & (*s >= first) & (*s < after)) as u8),
                );
            } else {
                r.extend(
                    values
                        .iter()
                        .zip(valid)
                        .map(|(d, ok)| (*ok & (*d >= *start) & (*d <= *end)) as u8),
                );
            }
            *out = Reg::Bool(r);
        }
    }
}

/// A comparison of numbers, one loop per operator: missing where either side is
/// (or is NaN, where `partial_cmp` has no order), else `test`'s answer.
#[inline(always)]
fn cmp_num(
    x: &[f64],
    xok: &[bool],
    y: &[f64],
    yok: &[bool],
    r: &mut Vec<u8>,
    test: impl Fn(f64, f64) -> bool,
) {
    r.extend(
        x.iter()
            .zip(xok)
            .zip(y.iter().zip(yok))
            .map(|((p, pok), (q, qok))| {
                // `&`, not `&&`: no branch, so the loop can vectorize.
                if *pok & *qok & !p.is_nan() & !q.is_nan() {
                    test(*p, *q) as u8
                } else {
                    MISSING
                }
            }),
    );
}

/// `a op b` on numbers, one loop per operator: missing where either side is, and
/// where the result is not finite (`x / 0`, overflow), never infinity or NaN.
#[inline(always)]
fn arith(
    x: &[f64],
    xok: &[bool],
    y: &[f64],
    yok: &[bool],
    v: &mut Vec<f64>,
    ok: &mut Vec<bool>,
    op: impl Fn(f64, f64) -> f64,
) {
    for ((p, pok), (q, qok)) in x.iter().zip(xok).zip(y.iter().zip(yok)) {
        let r = op(*p, *q);
        let good = *pok & *qok & r.is_finite();
        v.push(if good { r } else { 0.0 });
        ok.push(good);
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
    use super::super::value::{self, Span, Val};
    use super::*;

    /// Date-times are whole seconds: a one-second gap is exactly 1/3600 of an hour; a
    /// row opened at 23:59:59 on the period's last day is in the period, one at
    /// midnight after it is not.
    #[test]
    fn date_time_kernels_work_in_whole_seconds() {
        use crate::ir::Type::DateTime;
        let day = 86_400.0;
        // 2024-12-31 (day 20088) 23:59:59, and one and two seconds later
        let t = 20_088.0 * day + 86_399.0;
        let (from, to) = (vec![t, t, t], vec![t + 1.0, t + 2.0, t]);
        let valid = vec![true; 3];
        let regs = [Reg::NumRef(&from, &valid), Reg::NumRef(&to, &valid)];
        let mut out = Reg::Unset;
        let hours = Instr::Between(0, 1, Span::new(DateTime, DateTime, true));
        run(&hours, &regs, &mut out, 0, 3);
        assert_eq!(out.num().0, [1.0 / 3600.0, 2.0 / 3600.0, 0.0]);
        let in_2024 = Instr::InPeriod {
            values: &to,
            valid: &valid,
            start: 19_723.0, // 2024-01-01
            end: 20_088.0,   // 2024-12-31
            timed: true,
        };
        run(&in_2024, &regs, &mut out, 0, 3);
        assert_eq!(out.bools(), [FALSE, FALSE, TRUE]);
    }

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
