//! An expected value as an analyst writes it — with its unit (`12.5%`, `1,200.00`,
//! `€1,200.00`, `3.5 days`, `4 h`, `42`) or `missing` (optionally with part of the
//! reason) — checked against a computed value at the precision written.

use crate::ir::Unit;
use crate::query::Output;

/// An expectation, parsed for a KPI's unit.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// A number in the unit's own scale (a percent as written: 12.5 for `12.5%`) and
    /// how many decimals were written: the value must round to it.
    Value { number: f64, decimals: u32 },
    /// No value; `Some(text)`: the reason must contain it.
    Missing(Option<String>),
}

/// Parses `text` as a value of `unit`. A unit that does not fit (a `%` for a money
/// KPI, a plain number for a percent) is an error saying how to write it.
pub fn parse(text: &str, unit: Unit) -> Result<Expected, String> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("missing") {
        let rest = rest.trim();
        return match rest.strip_prefix(':') {
            Some(reason) if !reason.trim().is_empty() => {
                Ok(Expected::Missing(Some(reason.trim().to_string())))
            }
            None if rest.is_empty() => Ok(Expected::Missing(None)),
            _ => Err(format!(
                "`{t}`: write `missing`, or `missing: ` and part of the reason (`missing: no rows`)"
            )),
        };
    }
    let (number, written_unit) = split_unit(t);
    let fits = match written_unit {
        Written::Percent => unit == Unit::Percent,
        Written::Days => unit == Unit::Days,
        Written::Hours => unit == Unit::Hours,
        Written::Currency => unit == Unit::Money,
        Written::Plain => unit != Unit::Percent && unit != Unit::Days && unit != Unit::Hours,
    };
    if !fits {
        return Err(format!(
            "`{t}` is not a value in {}: write it as {}",
            unit.as_str(),
            example(unit)
        ));
    }
    let digits = number.replace([',', '_'], "");
    let value: f64 = digits.trim().parse().map_err(|_| {
        format!(
            "`{t}` is not a number with its unit; write it as {}",
            example(unit)
        )
    })?;
    let decimals = digits
        .split_once('.')
        .map_or(0, |(_, frac)| frac.trim().len() as u32);
    Ok(Expected::Value {
        number: value,
        decimals,
    })
}

/// The unit written after (or before) the number.
enum Written {
    Percent,
    Days,
    Hours,
    Currency,
    Plain,
}

fn split_unit(t: &str) -> (&str, Written) {
    if let Some(n) = t.strip_suffix('%') {
        return (n, Written::Percent);
    }
    for (suffix, w) in [
        (" days", Written::Days),
        (" day", Written::Days),
        (" hours", Written::Hours),
        (" hour", Written::Hours),
        (" h", Written::Hours),
    ] {
        if let Some(n) = t.strip_suffix(suffix) {
            return (n, w);
        }
    }
    for sign in ["€", "$", "£", "EUR ", "USD ", "GBP "] {
        if let Some(n) = t.strip_prefix(sign) {
            return (n, Written::Currency);
        }
    }
    for code in [" EUR", " USD", " GBP", " €"] {
        if let Some(n) = t.strip_suffix(code) {
            return (n, Written::Currency);
        }
    }
    (t, Written::Plain)
}

/// How a value of `unit` is written in a test.
pub fn example(unit: Unit) -> &'static str {
    match unit {
        Unit::Percent => "a percentage, e.g. `12.5%`",
        Unit::Money => "an amount, e.g. `1,200.00` (a currency sign is allowed)",
        Unit::Days => "days, e.g. `3.5 days`",
        Unit::Hours => "hours, e.g. `4 h` or `4 hours`",
        Unit::Count => "a count, e.g. `42`",
        Unit::Ratio | Unit::Score | Unit::Number => "a number, e.g. `0.25`",
    }
}

/// Whether `actual` meets the expectation; `Err` says how it does not.
pub fn check(expected: &Expected, actual: &Output, unit: Unit) -> Result<(), String> {
    match (expected, actual) {
        (Expected::Missing(None), Output::Missing(_)) => Ok(()),
        (Expected::Missing(Some(part)), Output::Missing(reason)) => {
            if reason.contains(part.as_str()) {
                Ok(())
            } else {
                Err(format!("missing, but the reason is \"{reason}\""))
            }
        }
        (Expected::Missing(_), _) => Err(format!("a value: {}", shown(actual, unit))),
        (Expected::Value { .. }, Output::Missing(reason)) => Err(format!("missing ({reason})")),
        (Expected::Value { number, decimals }, _) => {
            let value = actual.number().unwrap_or(f64::NAN);
            let scaled = if unit == Unit::Percent {
                value * 100.0
            } else {
                value
            };
            let scale = 10f64.powi(*decimals as i32);
            // Rounded half away from zero at the precision written, as kpic prints.
            let rounded = (scaled * scale).round() / scale;
            // The decimal text of the computed value, at that precision, against the
            // text of the expected number: no float noise at the edge of a digit.
            if format!("{rounded:.*}", *decimals as usize)
                == format!("{number:.*}", *decimals as usize)
            {
                Ok(())
            } else {
                Err(shown(actual, unit))
            }
        }
    }
}

/// A computed value as `kpic eval` shows it, with every digit kpic has.
pub fn shown(actual: &Output, unit: Unit) -> String {
    match actual {
        Output::Missing(r) => format!("missing ({r})"),
        _ => {
            let v = actual.number().unwrap_or(f64::NAN);
            let exact = crate::render::value::exact(v, unit);
            let printed = crate::render::value::shown(actual, unit);
            let digits = |t: &str| -> Option<f64> {
                t.chars()
                    .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
                    .collect::<String>()
                    .parse()
                    .ok()
            };
            if digits(&printed) == digits(&exact) {
                printed
            } else {
                format!("{printed} (exactly {exact})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str, unit: Unit, actual: f64) -> bool {
        check(
            &parse(text, unit).expect("parses"),
            &Output::Value(actual),
            unit,
        )
        .is_ok()
    }

    #[test]
    fn values_match_at_the_precision_written() {
        assert!(ok("12.5%", Unit::Percent, 0.125));
        assert!(ok("12.5%", Unit::Percent, 0.12549));
        assert!(!ok("12.5%", Unit::Percent, 0.1256));
        assert!(ok("33.3%", Unit::Percent, 1.0 / 3.0));
        assert!(ok("1,575.00", Unit::Money, 1575.0));
        assert!(ok("€1,575", Unit::Money, 1575.4));
        assert!(!ok("€1,575.00", Unit::Money, 1575.0149));
        assert!(ok("3.5 days", Unit::Days, 3.5));
        assert!(ok("4 h", Unit::Hours, 4.2));
        assert!(ok("42", Unit::Count, 42.0));
        assert!(ok("-0.25", Unit::Ratio, -0.25));
    }

    #[test]
    fn the_unit_written_must_be_the_kpis() {
        let e = parse("0.125", Unit::Percent).expect_err("plain for percent");
        assert!(e.contains("12.5%"), "{e}");
        let e = parse("12%", Unit::Money).expect_err("percent for money");
        assert!(e.contains("1,200.00"), "{e}");
        let e = parse("3 h", Unit::Days).expect_err("hours for days");
        assert!(e.contains("days"), "{e}");
        assert!(parse("twelve", Unit::Count).is_err());
    }

    #[test]
    fn missing_with_or_without_its_reason() {
        let no_rows = Output::Missing("no rows".into());
        let m = |t: &str| parse(t, Unit::Count).expect("parses");
        assert!(check(&m("missing"), &no_rows, Unit::Count).is_ok());
        assert!(check(&m("missing: no rows"), &no_rows, Unit::Count).is_ok());
        let e = check(&m("missing: division by zero"), &no_rows, Unit::Count).expect_err("reason");
        assert!(e.contains("no rows"), "{e}");
        let e = check(&m("missing"), &Output::Value(3.0), Unit::Count).expect_err("value");
        assert!(e.contains('3'), "{e}");
        assert!(parse("missing no rows", Unit::Count).is_err());
    }
}
