//! Results in every output format: an aligned table for people, CSV, JSON and
//! Markdown. CSV and JSON stream row by row, so a large result (every account times
//! every KPI) is never held twice in memory.

use super::escape;
use super::value::{change, shown};
use crate::query::{Output, Results};

/// Output formats of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table for people.
    Table,
    Csv,
    Json,
    Markdown,
}

/// Writes results in `format`; CSV and JSON stream row by row, so a large result
/// (every account times every KPI) is never held twice in memory.
pub fn write_results(
    results: &Results,
    format: Format,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let grouped = results.rows.iter().any(|r| !r.group.is_empty());
    let header: Vec<&str> = if grouped {
        vec!["kpi", "group", "breakdown", "value", "previous", "change"]
    } else {
        vec!["kpi", "breakdown", "value", "previous", "change"]
    };
    // Formatted cells, for the formats that show them, each escaped for where it goes
    // (group and breakdown names, and missing reasons, come from the data).
    let cells = |escape: fn(&str) -> String| -> Vec<Vec<String>> {
        results
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![escape(&r.kpi)];
                if grouped {
                    row.push(escape(&r.group));
                }
                row.push(escape(r.breakdown.as_deref().unwrap_or_default()));
                row.push(escape(&shown(&r.value, r.unit)));
                row.push(escape(&shown(&r.previous, r.unit)));
                row.push(change(r.change.as_ref(), r.unit));
                row
            })
            .collect()
    };
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, results)?;
            out.write_all(b"\n")
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "kpi",
                "group",
                "breakdown",
                "unit",
                "value",
                "previous",
                "change",
                "missing_reason",
            ])?;
            for r in &results.rows {
                // Every digit: exact money as its decimal, a double as Rust writes it.
                let num = Output::plain;
                let reason = match &r.value {
                    Output::Missing(m) => m.clone(),
                    _ => String::new(),
                };
                // Text cells only: a negative number is a number, not a formula.
                w.write_record([
                    &*escape::spreadsheet(&r.kpi),
                    &*escape::spreadsheet(&r.group),
                    &*escape::spreadsheet(r.breakdown.as_deref().unwrap_or("")),
                    r.unit.as_str(),
                    &num(&r.value),
                    &num(&r.previous),
                    &r.change.as_ref().map(Output::plain).unwrap_or_default(),
                    &*escape::spreadsheet(&reason),
                ])?;
            }
            w.flush()
        }
        Format::Markdown => {
            let mut text = format!(
                "| {} |\n|{}\n",
                header.join(" | "),
                "---|".repeat(header.len())
            );
            for r in cells(escape::markdown) {
                text.push_str(&format!("| {} |\n", r.join(" | ")));
            }
            // A report says what it leaves out; the other formats leave the listing to
            // standard error (and JSON to its `unavailable` field).
            if !results.unavailable.is_empty() {
                text.push_str("\nNot computed (the data lacks a table they read):\n\n");
                for u in &results.unavailable {
                    text.push_str(&format!(
                        "- `{}`: {}\n",
                        escape::markdown(&u.kpi),
                        escape::markdown(&u.reason)
                    ));
                }
            }
            out.write_all(text.as_bytes())
        }
        Format::Table => {
            let rows = cells(escape::terminal);
            let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
            for r in &rows {
                for (w, c) in widths.iter_mut().zip(r) {
                    *w = (*w).max(c.chars().count());
                }
            }
            let line = |cells: Vec<String>| -> String {
                let mut s = String::new();
                for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
                    let pad = w - c.chars().count();
                    // Text left, numbers right.
                    if i >= header.len() - 3 {
                        s.push_str(&" ".repeat(pad));
                        s.push_str(c);
                    } else {
                        s.push_str(c);
                        s.push_str(&" ".repeat(pad));
                    }
                    s.push_str("  ");
                }
                s.trim_end().to_string() + "\n"
            };
            let mut text = format!(
                "period {} (previous: {})\n",
                results.period, results.previous_period
            );
            text.push_str(&line(header.iter().map(|h| h.to_string()).collect()));
            for r in rows {
                text.push_str(&line(r));
            }
            out.write_all(text.as_bytes())
        }
    }
}
