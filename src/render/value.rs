//! Numbers as people read them, by unit: one formatter for every output that shows a
//! KPI's value (results, explanations, benchmarks in `show`).

use crate::ir::Unit;
use crate::query::{Money, Output};

/// Formats a value by its unit.
pub fn format_value(v: f64, unit: Unit) -> String {
    match unit {
        // A double that is a whole number of ten-thousandths (a database's money, say)
        // rounds as the decimal it stands for, half away from zero, like exact money.
        Unit::Money => match Money::parse(&v.to_string()) {
            Some(m) => format_money(m),
            None => thousands(v, 2),
        },
        Unit::Percent => format!("{:.1}%", v * 100.0),
        Unit::Ratio => format!("{v:.3}"),
        Unit::Count if v.fract() == 0.0 => thousands(v, 0),
        Unit::Count => thousands(v, 1),
        Unit::Days => format!("{v:.1} days"),
        Unit::Hours => format!("{v:.1} h"),
        Unit::Score | Unit::Number => format!("{v:.2}"),
    }
}

fn thousands(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let sign = if v < 0.0 && s.chars().any(|c| c != '0' && c != '.') {
        "-"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// An exact amount of money to the cent (half away from zero, as databases round
/// DECIMAL), with thousands separators; every digit of the amount is kept.
pub fn format_money(m: Money) -> String {
    let (negative, whole, cents) = m.rounded(2);
    let int = whole.to_string();
    let mut out = String::from(if negative { "-" } else { "" });
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}.{cents}")
}

/// A value as people read it, or `— (reason)` when it is missing.
pub fn shown(o: &Output, unit: Unit) -> String {
    match o {
        Output::Value(v) => format_value(*v, unit),
        Output::Money(m) => format_money(*m),
        Output::Missing(reason) => format!("— ({reason})"),
    }
}

/// A change between periods: signed, percentages as points.
pub fn change(c: Option<&Output>, unit: Unit) -> String {
    let Some(v) = c.and_then(Output::number) else {
        return String::new();
    };
    let s = match c {
        _ if unit == Unit::Percent => format!("{:+.1} pts", v * 100.0),
        Some(Output::Money(m)) => format_money(*m),
        _ => format_value(v, unit),
    };
    // A change that shows as zero is "+0": the sign of a difference of a few units in
    // the last place (two engines adding the same doubles in another order) must not
    // show.
    let zero = !s.chars().any(|c| ('1'..='9').contains(&c));
    match s.strip_prefix(['-', '+']) {
        Some(rest) if zero || s.starts_with('+') => format!("+{rest}"),
        Some(_) => s,
        None => format!("+{s}"),
    }
}

/// A stated number (a benchmark, a target) in the KPI's unit, with every digit it was
/// written with: percentages as `35%`, others plain.
pub fn exact(v: f64, unit: Unit) -> String {
    let (v, suffix) = match unit {
        Unit::Percent => (v * 100.0, "%"),
        _ => (v, ""),
    };
    let text = format!("{:.6}", v);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_numbers_in_unit() {
        assert_eq!(exact(0.35, Unit::Percent), "35%");
        assert_eq!(exact(0.215, Unit::Percent), "21.5%");
        assert_eq!(exact(1250000.0, Unit::Money), "1250000");
        assert_eq!(exact(-12.5, Unit::Number), "-12.5");
    }

    #[test]
    fn values_by_unit() {
        assert_eq!(format_value(1234567.891, Unit::Money), "1,234,567.89");
        assert_eq!(format_value(-0.001, Unit::Money), "0.00");
        assert_eq!(format_value(0.4567, Unit::Percent), "45.7%");
        assert_eq!(format_value(12.0, Unit::Count), "12");
        assert_eq!(format_value(2.25, Unit::Days), "2.2 days");
        assert_eq!(
            change(Some(&Output::Value(0.0123)), Unit::Percent),
            "+1.2 pts"
        );
        assert_eq!(change(Some(&Output::Value(-3.0)), Unit::Count), "-3");
        // A difference in the last place of a double shows as no change, unsigned.
        assert_eq!(
            change(Some(&Output::Value(-1e-17)), Unit::Percent),
            "+0.0 pts"
        );
        assert_eq!(change(Some(&Output::Value(-1e-12)), Unit::Ratio), "+0.000");
        assert_eq!(
            change(Some(&Output::Value(-0.02)), Unit::Percent),
            "-2.0 pts"
        );
    }

    #[test]
    fn money_to_the_cent_from_the_exact_amount() {
        let m = Money::from_ten_thousandths;
        assert_eq!(
            format_money(m(1_000_000_000_000_000_012_500)),
            "100,000,000,000,000,001.25"
        );
        assert_eq!(format_money(m(-12_345_678_950)), "-1,234,567.90");
        assert_eq!(format_money(m(-49)), "0.00");
        // half a cent, away from zero, whether exact or the double of a database
        assert_eq!(format_money(m(1_250)), "0.13");
        assert_eq!(format_value(0.125, Unit::Money), "0.13");
        assert_eq!(
            change(Some(&Output::Money(m(-12_570_439_600))), Unit::Money),
            "-1,257,043.96"
        );
        assert_eq!(change(Some(&Output::Money(m(0))), Unit::Money), "+0.00");
    }
}
