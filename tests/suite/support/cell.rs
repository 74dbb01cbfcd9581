//! A cell of the corpus's expected values or of an engine's results, and how an
//! engine's cell meets the expected one (numbers to 1e-9 relative, exact decimal text
//! digit for digit, missing with the same reason).

use serde::Deserialize;

/// A value as expected or as an engine returned it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    /// A number, compared to 1e-9 relative.
    Value(f64),
    /// A number as decimal text: expected (`value = "100000000000000001.25"`, for money
    /// past a double's digits) it must be met digit for digit; returned, it is the
    /// text the engine printed.
    Exact(String),
    /// Missing, and why (the language's wording, the same on every engine).
    Missing { missing: String },
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Value(v) => write!(f, "{v}"),
            Cell::Exact(t) => write!(f, "{t}"),
            Cell::Missing { missing } => write!(f, "missing ({missing})"),
        }
    }
}

/// Whether an engine's cell `got` meets the expected `want`: numbers to 1e-9 relative,
/// exact decimals digit for digit (`1234.5000` is `1234.5`), missing with the same
/// reason.
pub fn meets(want: &Cell, got: &Cell) -> bool {
    match (want, got) {
        (Cell::Value(a), Cell::Value(b)) => close(*b, *a),
        (Cell::Value(a), Cell::Exact(t)) => t.trim().parse::<f64>().is_ok_and(|b| close(b, *a)),
        (Cell::Exact(a), Cell::Exact(b)) => decimal(a).is_some() && decimal(a) == decimal(b),
        (Cell::Missing { missing: a }, Cell::Missing { missing: b }) => a == b,
        _ => false,
    }
}

/// Plain decimal text in one spelling: no `+`, no leading zeros, no trailing zeros
/// after the point, no `-0`; `None` when it is not plain decimal text (`1e5`).
fn decimal(text: &str) -> Option<String> {
    let text = text.trim();
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let zero = int == "0" && frac.is_empty();
    let sign = if neg && !zero { "-" } else { "" };
    Some(match frac {
        "" => format!("{sign}{int}"),
        f => format!("{sign}{int}.{f}"),
    })
}

/// Equal to 1e-9 relative (absolute below 1): for money of ordinary size far below a
/// cent (totals past 10^7 are compared exactly, as decimal text).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_cells_compare_digit_for_digit() {
        let exact = |t: &str| Cell::Exact(t.into());
        assert!(meets(
            &exact("100000000000000001.25"),
            &exact("100000000000000001.2500")
        ));
        assert!(!meets(
            &exact("100000000000000001.25"),
            &exact("100000000000000001.24")
        ));
        assert!(!meets(&exact("100000000000000001.25"), &Cell::Value(1e17)));
        assert!(meets(&exact("0"), &exact("-0.0000")));
        assert!(meets(&Cell::Value(0.1), &exact("0.1000")));
        assert!(!meets(&exact("1e5"), &exact("1e5")));
    }
}
