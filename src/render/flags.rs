//! The small-sample flag and the proportion's interval as the table, CSV and Markdown
//! show them (JSON writes the row's `sample` and `interval` fields as they are).

use super::value::format_value;
use crate::query::{Output, ResultRow, Results};

/// The marker of a value computed from fewer members than its threshold.
pub const MARK: &str = "⚑";

/// Whether the row's value is shown flagged: a value (a missing one already says why
/// it is not there) from fewer members than its threshold.
pub fn flagged(r: &ResultRow) -> bool {
    r.sample.is_some_and(|s| s.small) && !matches!(r.value, Output::Missing(_))
}

/// The compact flag cell: `⚑ n=5`, or empty.
pub fn flag_cell(r: &ResultRow) -> String {
    match r.sample {
        Some(s) if flagged(r) => format!("{MARK} n={}", s.n),
        _ => String::new(),
    }
}

/// The interval cell in the KPI's unit (`25.5%–36.6%`), or empty.
pub fn interval_cell(r: &ResultRow) -> String {
    r.interval
        .map(|i| {
            format!(
                "{}–{}",
                format_value(i.low, r.unit),
                format_value(i.high, r.unit)
            )
        })
        .unwrap_or_default()
}

/// What the mark means, under a Markdown report with flagged values; `None` when no
/// value is flagged.
pub fn legend(results: &Results) -> Option<String> {
    let mut mins = results
        .rows
        .iter()
        .filter(|r| flagged(r))
        .filter_map(|r| r.sample.map(|s| s.min));
    let first = mins.next()?;
    let threshold = if mins.all(|m| m == first) {
        format!("fewer than {first}")
    } else {
        "fewer than its KPI's `min_sample`".to_string()
    };
    Some(format!(
        "{MARK} n=N: computed from only N members (rows, accounts, responses), {threshold}: a small sample, not a trend"
    ))
}

/// The table's header of the flag column: `⚑ n<30` (the threshold, when every
/// flagged value has the same), else `⚑ n<min`.
pub fn header(results: &Results) -> String {
    let mut mins = results
        .rows
        .iter()
        .filter(|r| flagged(r))
        .filter_map(|r| r.sample.map(|s| s.min));
    match mins.next() {
        Some(first) if mins.all(|m| m == first) => format!("{MARK} n<{first}"),
        _ => format!("{MARK} n<min"),
    }
}

/// The footnote for the interval column, when it is shown.
pub const INTERVAL_NOTE: &str =
    "interval: 95% Wilson score interval of the proportion (where its parts are whole counts)\n";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Unit;
    use crate::query::{Interval, Sample};

    fn row(value: Output, sample: Option<Sample>) -> ResultRow {
        ResultRow {
            kpi: "win_rate".into(),
            name: "Win rate".into(),
            unit: Unit::Percent,
            group: "".into(),
            breakdown: None,
            period: None,
            compared_with: None,
            grouping: None,
            value,
            previous: Output::Missing("no rows".into()),
            change: None,
            note: None,
            members: None,
            target: None,
            target_source: None,
            gap: None,
            status: None,
            benchmarks: Vec::new(),
            sample,
            interval: Some(Interval {
                low: 0.2553,
                high: 0.3662,
                level: 0.95,
            }),
        }
    }

    #[test]
    fn only_present_values_are_flagged() {
        let small = Some(Sample {
            n: 5,
            min: 30,
            small: true,
        });
        assert_eq!(flag_cell(&row(Output::Value(0.4), small)), "⚑ n=5");
        assert_eq!(
            flag_cell(&row(Output::Missing("no rows".into()), small)),
            ""
        );
        let big = Some(Sample {
            n: 50,
            min: 30,
            small: false,
        });
        assert_eq!(flag_cell(&row(Output::Value(0.4), big)), "");
        assert_eq!(interval_cell(&row(Output::Value(0.3), big)), "25.5%–36.6%");
    }
}
