//! What every database engine shares: the rows a compiled query returns, and how they
//! become the same [`Results`] that the native engine returns (order, missing values
//! with their reasons). The database clients (`postgres.rs`, `duckdb.rs`) only fetch
//! rows.

use crate::ir::{Catalog, Unit};
use crate::query::{Money, Output, ResultRow, Results, Scope, missing};

/// One row of a compiled query's result.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlRow {
    pub kpi: String,
    pub grp: String,
    pub breakdown: Option<String>,
    /// The value as the database wrote it (the query casts it to text): a DECIMAL
    /// with every digit, a double with enough digits to read back the same.
    pub value: Option<String>,
    pub previous: Option<String>,
    /// Why `value` / `previous` is missing, as the query computed it.
    pub value_reason: Option<String>,
    pub previous_reason: Option<String>,
}

impl SqlRow {
    /// `value` as a double (the nearest one, for a DECIMAL), `None` when NULL or not a
    /// number.
    pub fn value_f64(&self) -> Option<f64> {
        self.value.as_deref()?.trim().parse().ok()
    }

    /// `previous` as a double, like [`SqlRow::value_f64`].
    pub fn previous_f64(&self) -> Option<f64> {
        self.previous.as_deref()?.trim().parse().ok()
    }
}

/// Turns database rows into results ordered as the native engine orders them.
pub fn to_results(
    catalog: &Catalog,
    rows: Vec<SqlRow>,
    period: &str,
    previous: &str,
    scope: Scope,
) -> Results {
    let mut result: Vec<ResultRow> = rows
        .into_iter()
        .filter_map(|r| {
            let kpi = catalog.kpis.get(&r.kpi)?;
            let out = |v: Option<String>, why: Option<String>| match v {
                Some(text) => number(&text, kpi.unit),
                None => Output::Missing(why.unwrap_or_else(|| missing::IN_DATABASE.into())),
            };
            let value = out(r.value, r.value_reason);
            let previous = out(r.previous, r.previous_reason);
            Some(ResultRow {
                kpi: r.kpi.as_str().into(),
                name: kpi.name.as_str().into(),
                unit: kpi.unit,
                group: r.grp.into(),
                breakdown: r.breakdown,
                change: crate::query::change(kpi.unit, &value, &previous),
                note: None,
                value,
                previous,
            })
        })
        .collect();
    result.sort_by(|a, b| {
        let pos = |k: &str| catalog.kpis.get_index_of(k).unwrap_or(usize::MAX);
        (pos(&a.kpi), &a.group, &a.breakdown).cmp(&(pos(&b.kpi), &b.group, &b.breakdown))
    });
    Results {
        period: period.to_string(),
        previous_period: previous.to_string(),
        scope,
        rows: result,
        unavailable: Vec::new(),
    }
}

/// A value the database wrote as text: money that is a whole number of
/// ten-thousandths (a DECIMAL total, `1234.5000`) exactly, anything else as the double
/// it reads as.
pub fn number(text: &str, unit: Unit) -> Output {
    let text = text.trim();
    if unit == Unit::Money
        && let Some(m) = Money::parse(text)
    {
        return Output::Money(m);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Output::Value(v),
        _ => Output::Missing(format!("the database returned `{text}`, not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_numbers_read_exactly() {
        let exact = |n: i128| Output::Money(Money::from_ten_thousandths(n));
        assert_eq!(
            number("100000000000000001.2500", Unit::Money),
            exact(1_000_000_000_000_000_012_500)
        );
        assert_eq!(number("-0.5", Unit::Money), exact(-5_000));
        // an average of money is a double
        assert_eq!(
            number("25894.045208333333", Unit::Money),
            Output::Value(25894.045208333333)
        );
        assert_eq!(number("1e-07", Unit::Ratio), Output::Value(1e-7));
        assert_eq!(number("1234.5000", Unit::Count), Output::Value(1234.5));
        assert!(matches!(number("NaN", Unit::Ratio), Output::Missing(_)));
    }
}
