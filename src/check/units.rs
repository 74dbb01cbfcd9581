//! The unit algebra: which units `+`, `*`, `/` and comparisons accept, and what they
//! yield. Pure functions over [`Dim`]; the expression checker turns a `None` into a
//! diagnostic.

use crate::ir::Dim;

/// `a + b`, `a - b`, comparisons, `if` branches: one unit. A flexible side (a bare
/// literal) takes the other side's unit.
pub fn same(a: Dim, a_flexible: bool, b: Dim, b_flexible: bool) -> Option<Dim> {
    if a == b || b_flexible {
        Some(a)
    } else if a_flexible {
        Some(b)
    } else {
        None
    }
}

/// `a * b`: scaling by a plain number or a count keeps the unit.
pub fn product(a: Dim, b: Dim) -> Option<Dim> {
    match (a, b) {
        (Dim::Plain, x) | (x, Dim::Plain) => Some(x),
        (Dim::Count, x) | (x, Dim::Count) => Some(x),
        _ => None,
    }
}

/// `a / b`: like over like is plain; dividing by a plain number keeps the unit, and so
/// does dividing by a count, days or hours, which makes a rate in the unit of `a`
/// (revenue per order, per day or per hour is money). kpic has no compound units, and
/// this keeps `revenue / period.days` in line with `revenue * (1 / period.days)`,
/// which a bare literal already made money.
pub fn quotient(a: Dim, b: Dim) -> Option<Dim> {
    match (a, b) {
        (x, y) if x == y => Some(Dim::Plain),
        (x, Dim::Plain | Dim::Count | Dim::Days | Dim::Hours) => Some(x),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algebra() {
        assert_eq!(same(Dim::Money, false, Dim::Count, false), None);
        assert_eq!(same(Dim::Money, false, Dim::Plain, true), Some(Dim::Money));
        assert_eq!(same(Dim::Plain, true, Dim::Days, false), Some(Dim::Days));
        assert_eq!(product(Dim::Money, Dim::Money), None);
        assert_eq!(product(Dim::Money, Dim::Count), Some(Dim::Money));
        assert_eq!(quotient(Dim::Money, Dim::Money), Some(Dim::Plain));
        assert_eq!(quotient(Dim::Money, Dim::Count), Some(Dim::Money));
        assert_eq!(quotient(Dim::Count, Dim::Count), Some(Dim::Plain));
        assert_eq!(quotient(Dim::Plain, Dim::Count), Some(Dim::Plain));
        assert_eq!(quotient(Dim::Days, Dim::Money), None);
        assert_eq!(quotient(Dim::Money, Dim::Days), Some(Dim::Money));
        assert_eq!(quotient(Dim::Count, Dim::Hours), Some(Dim::Count));
        assert_eq!(quotient(Dim::Days, Dim::Days), Some(Dim::Plain));
        assert_eq!(quotient(Dim::Money, Dim::Score), None);
        assert_eq!(quotient(Dim::Plain, Dim::Money), None);
    }
}
