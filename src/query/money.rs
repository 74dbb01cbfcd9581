//! An exact amount of money in a result: whole ten-thousandths in an `i128`, read
//! from and written as decimal text without passing through a double.

use crate::data::MONEY_SCALE;

/// An exact amount of money, in ten-thousandths of the currency unit (as money columns
/// hold it; their sums are added in `i128`, so no total of real data overflows).
///
/// Aligned to 8 bytes, not an `i128`'s 16: a result row holds five values (value,
/// previous, change, target, gap), each an [`super::Output`] that then takes 24 bytes
/// instead of 32, and per account there are millions of rows. The amount is only
/// ever copied out whole, never borrowed in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(Rust, packed(8))]
pub struct Money(i128);

impl Money {
    /// The amount of `n` ten-thousandths.
    pub const fn from_ten_thousandths(n: i128) -> Money {
        Money(n)
    }

    /// The amount in ten-thousandths.
    pub const fn ten_thousandths(self) -> i128 {
        self.0
    }

    /// The double nearest to the amount (for arithmetic that leaves money: ratios,
    /// averages).
    pub fn to_f64(self) -> f64 {
        crate::data::money_value(self.0)
    }

    /// A decimal number written with at most four decimals (`-1234.5`, `12`,
    /// `0.0001`; trailing zeros after the point are allowed: `1234.5000`, as databases
    /// print DECIMAL), exactly; `None` for anything else or an amount beyond `i128`.
    pub fn parse(text: &str) -> Option<Money> {
        let (neg, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let frac = frac.trim_end_matches('0');
        if (int.is_empty() && frac.is_empty() && !digits.contains('0'))
            || frac.len() > 4
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let mut whole: i128 = 0;
        for b in int.bytes() {
            whole = whole.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        let frac_value = frac
            .bytes()
            .chain(std::iter::repeat(b'0'))
            .take(4)
            .fold(0i128, |acc, b| acc * 10 + i128::from(b - b'0'));
        let v = whole
            .checked_mul(i128::from(MONEY_SCALE))?
            .checked_add(frac_value)?;
        Some(Money(if neg { -v } else { v }))
    }

    /// `self + other`, `None` past `i128`.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// `self - other`, `None` past `i128`.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// The sign, the whole units and the four decimals.
    fn parts(self) -> (bool, u128, u32) {
        let abs = self.0.unsigned_abs();
        let scale = MONEY_SCALE as u128;
        (self.0 < 0, abs / scale, (abs % scale) as u32)
    }

    /// The amount rounded to `decimals` (at most 4) places, half away from zero (as
    /// databases round DECIMAL), as its sign, whole units and decimal digits.
    pub fn rounded(self, decimals: u32) -> (bool, u128, String) {
        let decimals = decimals.min(4);
        let step = 10u128.pow(4 - decimals);
        let abs = self.0.unsigned_abs();
        let units = (abs + step / 2) / step;
        let scale = 10u128.pow(decimals);
        let frac = if decimals == 0 {
            String::new()
        } else {
            format!("{:0width$}", units % scale, width = decimals as usize)
        };
        (self.0 < 0 && units != 0, units / scale, frac)
    }

    /// The amount as JSON writes a number: exact, with at least one decimal
    /// (`1234.5`, `12.0`), as serde writes the doubles of other values.
    pub fn json_text(self) -> String {
        let text = self.to_string();
        if text.contains('.') {
            text
        } else {
            text + ".0"
        }
    }
}

/// Exact decimal text with no trailing zeros after the point (`-1234.5`, `12`), as
/// Rust writes a double; every digit of the amount is kept.
impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (neg, whole, frac) = self.parts();
        let sign = if neg { "-" } else { "" };
        let frac = format!("{frac:04}");
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            write!(f, "{sign}{whole}")
        } else {
            write!(f, "{sign}{whole}.{frac}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_text_exactly() {
        let m = |t: &str| Money::parse(t).map(Money::ten_thousandths);
        assert_eq!(m("1234.5"), Some(12_345_000));
        assert_eq!(m("1234.5000"), Some(12_345_000));
        assert_eq!(m("-0.0001"), Some(-1));
        assert_eq!(
            m("100000000000000001.25"),
            Some(1_000_000_000_000_000_012_500)
        );
        assert_eq!(m("0"), Some(0));
        assert_eq!(m("12."), Some(120_000));
        assert_eq!(m("0.12345"), None);
        assert_eq!(m("1e5"), None);
        assert_eq!(m(""), None);
        assert_eq!(m("."), None);
        assert_eq!(m("-"), None);
        assert_eq!(m("1".repeat(40).as_str()), None);
    }

    #[test]
    fn prints_every_digit() {
        let m = Money::from_ten_thousandths;
        assert_eq!(
            m(1_000_000_000_000_000_012_500).to_string(),
            "100000000000000001.25"
        );
        assert_eq!(m(-12_345_000).to_string(), "-1234.5");
        assert_eq!(m(120_000).to_string(), "12");
        assert_eq!(m(120_000).json_text(), "12.0");
        assert_eq!(m(-1).to_string(), "-0.0001");
        assert_eq!(m(1250).rounded(2), (false, 0, "13".into()));
        assert_eq!(m(-1250).rounded(2), (true, 0, "13".into()));
        assert_eq!(m(-49).rounded(2), (false, 0, "00".into()));
        assert_eq!(m(99_999_950).rounded(2), (false, 10_000, "00".into()));
    }
}
