//! One Parquet cell as a model value: which stored types a declared column accepts,
//! the exact conversions (decimals to money, timestamps to whole seconds), and a
//! cell's text where a mapping compares or maps it.

use super::read::{Raw, Stored};
use crate::data::cells::{
    MAX_MONEY_CELL, SECONDS_PER_DAY, money_too_large, parse_date_as, parse_int, parse_money, trim,
};
use crate::data::mapping::{MAPPING_FILE, Mapping};
use crate::ir::ColumnType;
use std::borrow::Cow;

/// A cell read for a model column.
pub(super) enum Val<'t> {
    Missing,
    Text(Cow<'t, str>),
    Num(f64),
    Money(i64),
    /// Days (date) or seconds (date-time), as the column's type says.
    Date(f64),
    Bool(bool),
}

/// Integers an `f64` holds exactly, as for CSV `int` cells.
pub(super) const EXACT: i128 = 1 << 53;

/// Why a stored column cannot be read as the declared type, if it cannot.
pub(super) fn misfit(ty: ColumnType, stored: Stored) -> Option<String> {
    let ok = matches!(
        (ty, stored),
        (ColumnType::Text, Stored::Text)
            | (ColumnType::Int, Stored::Int { .. })
            | (
                ColumnType::Number,
                Stored::Int { .. } | Stored::Float | Stored::Double | Stored::Decimal { .. }
            )
            | (
                ColumnType::Money,
                Stored::Decimal { .. } | Stored::Int { .. }
            )
            | (ColumnType::Date, Stored::Date)
            | (
                ColumnType::DateTime,
                Stored::Date | Stored::Timestamp { .. }
            )
            | (ColumnType::Bool, Stored::Bool)
    );
    if ok {
        return None;
    }
    let hint = match (ty, stored) {
        (ColumnType::Money, Stored::Float | Stored::Double) => {
            "; a binary floating-point number does not hold cents exactly: write the column as DECIMAL(18,4) (e.g. `kpic convert` from the CSV, or CAST(x AS DECIMAL(18,4)))"
        }
        (ColumnType::Date, Stored::Timestamp { .. }) => {
            "; a date column holds days: write it as DATE, or declare it `datetime` in the model"
        }
        (ColumnType::Text, _) => "; write the column as STRING (CAST(x AS VARCHAR))",
        (ColumnType::Int, Stored::Decimal { .. } | Stored::Float | Stored::Double) => {
            "; declare it `number` in the model, or write it as an integer type"
        }
        _ => "",
    };
    Some(format!(
        "the model declares `{}` but the file stores {}{hint}",
        type_name(ty),
        stored.describe()
    ))
}

/// The model's name of a column type.
pub(super) fn type_name(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Text => "text",
        ColumnType::Int => "int",
        ColumnType::Number => "number",
        ColumnType::Money => "money",
        ColumnType::Date => "date",
        ColumnType::DateTime => "datetime",
        ColumnType::Bool => "bool",
    }
}

/// Row `i` of a stored column read as `ty` (which [`misfit`] accepted).
pub(super) fn typed<'r>(
    raw: &'r Raw,
    stored: Stored,
    ty: ColumnType,
    i: usize,
) -> Result<Val<'r>, String> {
    if let (ColumnType::Text, Raw::Bytes(v)) = (ty, raw) {
        let Some(Some(b)) = v.get(i) else {
            return Ok(Val::Missing);
        };
        let text = std::str::from_utf8(b.data()).map_err(|_| "not UTF-8 text".to_string())?;
        // As a CSV cell: surrounding white space is not part of the value, and an
        // empty text is missing.
        let text = trim(text);
        return Ok(if text.is_empty() {
            Val::Missing
        } else {
            Val::Text(Cow::Borrowed(text))
        });
    }
    if let (ColumnType::Bool, Raw::Bool(v)) = (ty, raw) {
        return Ok(v.get(i).copied().flatten().map_or(Val::Missing, Val::Bool));
    }
    if matches!(stored, Stored::Float | Stored::Double) {
        let v = match raw {
            Raw::F32(v) => v.get(i).copied().flatten().map(f64::from),
            Raw::F64(v) => v.get(i).copied().flatten(),
            _ => None,
        };
        return match v {
            None => Ok(Val::Missing),
            Some(v) if v.is_finite() => Ok(Val::Num(v)),
            Some(_) => Err("not a number (NaN or infinite)".into()),
        };
    }
    let Some(n) = integer(raw, stored, i)? else {
        return Ok(Val::Missing);
    };
    match (ty, stored) {
        (ColumnType::Int, _) => {
            if (-EXACT..=EXACT).contains(&n) {
                Ok(Val::Num(n as f64))
            } else {
                Err("not a whole number kpic holds exactly (at most 9007199254740992 either side of 0)".into())
            }
        }
        (ColumnType::Number, Stored::Decimal { scale, .. }) => decimal_text(n, scale)
            .parse::<f64>()
            .map(Val::Num)
            .map_err(|_| "not a number".into()),
        (ColumnType::Number, _) => Ok(Val::Num(n as f64)),
        (ColumnType::Money, Stored::Decimal { scale, .. }) => money(n, scale).map(Val::Money),
        (ColumnType::Money, _) => money(n, 0).map(Val::Money),
        (ColumnType::Date, _) => Ok(Val::Date(n as f64)),
        (ColumnType::DateTime, Stored::Date) => {
            Ok(Val::Date((n * i128::from(SECONDS_PER_DAY)) as f64))
        }
        (ColumnType::DateTime, Stored::Timestamp { per_second, .. }) => {
            let per = i128::from(per_second);
            if n.rem_euclid(per) != 0 {
                return Err("a date-time with a fraction of a second; kpic date-times are whole seconds (as in CSV, where `12:00:00.5` is refused): truncate the column to seconds".into());
            }
            Ok(Val::Date(n.div_euclid(per) as f64))
        }
        _ => Err("a type kpic does not read here".into()),
    }
}

/// Ten-thousandths of a decimal `n` × 10^-`scale`, exactly, within a money cell's
/// range.
pub(super) fn money(n: i128, scale: i32) -> Result<i64, String> {
    let too_large = || {
        "an amount of money too large: a money cell holds at most 99,999,999,999,999.9999 either side of 0 (the databases' DECIMAL(18,4)); totals may be larger".to_string()
    };
    let v = if scale <= 4 {
        let factor = 10i128
            .checked_pow(u32::try_from(4 - scale).map_err(|_| too_large())?)
            .ok_or_else(too_large)?;
        n.checked_mul(factor).ok_or_else(too_large)?
    } else {
        let divisor = 10i128.checked_pow(u32::try_from(scale - 4).unwrap_or(u32::MAX));
        match divisor {
            Some(d) if n % d == 0 => n / d,
            Some(_) => {
                return Err(format!(
                    "an amount with more than 4 decimals (DECIMAL scale {scale}); money holds ten-thousandths exactly: round the column to 4 decimals"
                ));
            }
            None if n == 0 => 0,
            None => return Err(too_large()),
        }
    };
    if v.abs() > i128::from(MAX_MONEY_CELL) {
        return Err(too_large());
    }
    // MAX_MONEY_CELL fits an i64, so the conversion cannot fail here.
    i64::try_from(v).map_err(|_| too_large())
}

/// The integer of row `i`: a whole number, a decimal's unscaled value, a date's days,
/// a timestamp's units. `None` for a null.
fn integer(raw: &Raw, stored: Stored, i: usize) -> Result<Option<i128>, String> {
    let unsigned = matches!(stored, Stored::Int { unsigned: true });
    Ok(match raw {
        Raw::I32(v) => v.get(i).copied().flatten().map(|x| {
            if unsigned {
                i128::from(x as u32)
            } else {
                i128::from(x)
            }
        }),
        Raw::I64(v) => v.get(i).copied().flatten().map(|x| {
            if unsigned {
                i128::from(x as u64)
            } else {
                i128::from(x)
            }
        }),
        Raw::Bytes(v) => match v.get(i) {
            Some(Some(b)) => Some(big_endian(b.data())?),
            _ => None,
        },
        Raw::Fixed(v) => match v.get(i) {
            Some(Some(b)) => Some(big_endian(b.data())?),
            _ => None,
        },
        _ => None,
    })
}

/// A decimal's unscaled value stored as big-endian two's complement bytes.
pub(super) fn big_endian(bytes: &[u8]) -> Result<i128, String> {
    if bytes.is_empty() || bytes.len() > 16 {
        return Err(format!(
            "a decimal of {} bytes; kpic reads decimals of up to 38 digits",
            bytes.len()
        ));
    }
    let negative = bytes[0] & 0x80 != 0;
    let mut buf = [if negative { 0xff } else { 0 }; 16];
    buf[16 - bytes.len()..].copy_from_slice(bytes);
    Ok(i128::from_be_bytes(buf))
}

/// `n` × 10^-`scale` written out exactly.
fn decimal_text(n: i128, scale: i32) -> String {
    let digits = n.unsigned_abs().to_string();
    let sign = if n < 0 { "-" } else { "" };
    let Ok(scale) = usize::try_from(scale) else {
        return format!("{sign}{digits}");
    };
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

/// Row `i` as text, as a mapping compares and maps it and as errors show it: text
/// trimmed, numbers as written, dates ISO. `None` for a null.
pub(super) fn text_of(raw: &Raw, stored: Stored, i: usize) -> Option<String> {
    let text = match (raw, stored) {
        (Raw::Bytes(v), Stored::Text | Stored::Other(_)) => {
            trim(&String::from_utf8_lossy(v.get(i)?.as_ref()?.data())).to_string()
        }
        (Raw::Bool(v), _) => v.get(i).copied().flatten()?.to_string(),
        (Raw::F32(v), _) => v.get(i).copied().flatten()?.to_string(),
        (Raw::F64(v), _) => v.get(i).copied().flatten()?.to_string(),
        (_, Stored::Decimal { scale, .. }) => decimal_text(integer(raw, stored, i).ok()??, scale),
        (_, Stored::Date) => {
            let days = i64::try_from(integer(raw, stored, i).ok()??).ok()?;
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
            (epoch + chrono::Duration::try_days(days)?).to_string()
        }
        (_, Stored::Timestamp { per_second, .. }) => {
            let n = integer(raw, stored, i).ok()??;
            let per = i128::from(per_second);
            let secs = i64::try_from(n.div_euclid(per)).ok()?;
            let frac = n.rem_euclid(per);
            let at = chrono::DateTime::from_timestamp(secs, 0)?.naive_utc();
            let whole = at.format("%Y-%m-%d %H:%M:%S").to_string();
            if frac == 0 {
                whole
            } else {
                let width = per.to_string().len() - 1;
                format!("{whole}.{frac:0width$}")
            }
        }
        _ => integer(raw, stored, i).ok()??.to_string(),
    };
    Some(text)
}

/// A text (a constant, a mapped value, a template) read as a CSV cell of type `ty`.
pub(super) fn parse_text<'t>(
    ty: ColumnType,
    text: Cow<'t, str>,
    date_format: Option<&str>,
    mapping: &Mapping,
) -> Result<Val<'t>, String> {
    let cell = trim(&text);
    if cell.is_empty() {
        return Ok(Val::Missing);
    }
    match ty {
        ColumnType::Text => Ok(Val::Text(match text {
            Cow::Borrowed(t) => Cow::Borrowed(trim(t)),
            Cow::Owned(t) => Cow::Owned(trim(&t).to_string()),
        })),
        ColumnType::Int => parse_int(cell).map(Val::Num).ok_or_else(|| {
            "not a whole number kpic holds exactly (digits, at most 9007199254740992 either side of 0)".into()
        }),
        ColumnType::Number => cell
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Val::Num)
            .ok_or_else(|| "not a number".into()),
        ColumnType::Money => match parse_money(cell) {
            Some(v) => Ok(Val::Money(v)),
            None if money_too_large(cell) => Err("an amount of money too large: a money cell holds at most 99,999,999,999,999.9999 either side of 0 (the databases' DECIMAL(18,4)); totals may be larger".into()),
            None => Err("not an amount of money (digits with at most 4 decimals, e.g. 1250.50)".into()),
        },
        ColumnType::Date | ColumnType::DateTime => {
            let with_time = ty == ColumnType::DateTime;
            parse_date_as(cell, with_time, date_format)
                .map(Val::Date)
                .ok_or_else(|| match (date_format, with_time) {
                    (Some(f), _) => format!("not a {} in the format `{f}` set in {MAPPING_FILE}", if with_time { "date-time" } else { "date" }),
                    (None, true) => "not a date-time (YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DDTHH:MM[:SS])".into(),
                    (None, false) => "not a date (YYYY-MM-DD)".into(),
                })
        }
        ColumnType::Bool => mapping.boolean(cell).map(Val::Bool).ok_or_else(|| {
            format!("not true or false (other spellings can be set in {MAPPING_FILE})")
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_become_money_exactly() {
        assert_eq!(money(12_345, 2), Ok(1_234_500));
        assert_eq!(money(-5, 0), Ok(-50_000));
        assert_eq!(money(1_234_500, 6), Ok(12_345));
        assert!(money(1_234_567, 6).is_err());
        assert_eq!(money(999_999_999_999_999_999, 4), Ok(MAX_MONEY_CELL));
        assert!(money(1_000_000_000_000_000_000, 4).is_err());
        assert_eq!(decimal_text(-5, 2), "-0.05");
        assert_eq!(decimal_text(123_456, 4), "12.3456");
        assert_eq!(big_endian(&[0xff, 0x85]), Ok(-123));
    }
}
