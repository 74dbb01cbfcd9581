//! A row's benchmarks as text: one short line per benchmark (`within 25.0%–35.0% (Source,
//! 2024)`), for the table, Markdown and CSV; JSON writes the full records.

use super::value::{change, format_value};
use crate::ir::Unit;
use crate::query::{Assessment, Position, ResultRow, Standing};

/// One benchmark in one line: where the value stands, the benchmark's figure, better
/// or worse by the KPI's direction, and the citation.
pub fn describe(s: &Standing, unit: Unit) -> String {
    let figure = match (s.value, s.low, s.high) {
        (Some(v), _, _) => format_value(v, unit),
        (None, Some(low), Some(high)) => {
            format!("{}–{}", format_value(low, unit), format_value(high, unit))
        }
        _ => String::new(),
    };
    let mut text = match s.position {
        Position::NotComparable => format!(
            "not comparable: {}; {figure}",
            s.reason.as_deref().unwrap_or_default()
        ),
        Position::NoValue => format!("{}; {figure}", s.reason.as_deref().unwrap_or("no value")),
        // Against a single value, the difference says more than `above`.
        Position::Above | Position::Below if s.difference.is_some() => {
            format!("{} vs {figure}", change(s.difference.as_ref(), unit))
        }
        p => format!("{} {figure}", p.word()),
    };
    match s.assessment {
        Some(Assessment::Better) => text.push_str(", better"),
        Some(Assessment::Worse) => text.push_str(", worse"),
        None => {}
    }
    text.push_str(&format!(" ({})", citation(s)));
    text
}

/// `Source, YEAR`; the source alone when it already names the year.
fn citation(s: &Standing) -> String {
    match s.as_of.map(|d| d.format("%Y").to_string()) {
        Some(year) if !s.source.contains(&year) => format!("{}, {year}", s.source),
        _ => s.source.to_string(),
    }
}

/// The benchmark cell of a row for the table: the first benchmark and how many more
/// (`… +2 more`), or empty without any.
pub fn first_and_count(list: &[Standing], unit: Unit) -> String {
    match list.split_first() {
        None => String::new(),
        Some((first, [])) => describe(first, unit),
        Some((first, rest)) => format!("{} +{} more", describe(first, unit), rest.len()),
    }
}

/// Every benchmark of a row in one cell (Markdown, CSV), separated by `; `.
pub fn all(list: &[Standing], unit: Unit) -> String {
    list.iter()
        .map(|s| describe(s, unit))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Every benchmark of a row in one CSV cell, each named by its id (`id: within ...`),
/// separated by `; `.
pub fn with_ids(list: &[Standing], unit: Unit) -> String {
    list.iter()
        .map(|s| format!("{}: {}", s.id, describe(s, unit)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The table's rows with a line of its own for each benchmark after a row's first:
/// every other cell of such a line is empty, its benchmark in column `at`.
pub fn one_line_each(
    cells: Vec<Vec<String>>,
    rows: &[ResultRow],
    width: usize,
    at: usize,
) -> Vec<Vec<String>> {
    let mut out = Vec::with_capacity(cells.len());
    for (line, row) in cells.into_iter().zip(rows) {
        out.push(line);
        for s in row.benchmarks.iter().skip(1) {
            let mut more = vec![String::new(); width];
            if let Some(cell) = more.get_mut(at) {
                *cell = super::escape::terminal(&describe(s, row.unit));
            }
            out.push(more);
        }
    }
    out
}
