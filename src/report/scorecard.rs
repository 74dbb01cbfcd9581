//! The scorecard: one table row per KPI, group and stage (the latest sub-period of a
//! time series), with value, comparison and change, target, gap, status, benchmarks
//! and flags; and the place where result fields still being added plug in.

use super::chart::group_label;
use crate::ir::{Catalog, KpiDef};
use crate::query::{ResultRow, Results};
use crate::render::escape::html;
use crate::render::value::{change, shown};
use std::fmt::Write;

// ---- What the other result fields add -------------------------------------------
// `ResultRow::benchmarks` (where the value stands against the benchmarks of its scope),
// `ResultRow::sample` (a value from too few members) and `Results::rules` (the
// diagnostic rules that fired), each as one line of text the page escapes.

/// Where the row's value stands against its benchmarks (`within 25.0%–35.0% (Source,
/// 2024) +1 more`), if any apply to its scope.
fn benchmark_position(row: &ResultRow) -> Option<String> {
    (!row.benchmarks.is_empty())
        .then(|| crate::render::benchmarks::first_and_count(&row.benchmarks, row.unit))
}

/// The first benchmark's position without its citation (`-20.6 pts vs 82.0%, worse`),
/// with how many more (`+1 more`).
fn short_position(row: &ResultRow) -> Option<String> {
    let (first, rest) = row.benchmarks.split_first()?;
    let text = crate::render::benchmarks::describe(first, row.unit);
    let cut = text.find(&format!(" ({}", first.source))?;
    let mut short = text[..cut].to_string();
    if !rest.is_empty() {
        let _ = write!(short, " +{} more", rest.len());
    }
    Some(short)
}

/// A warning that the row's value comes from a small sample (`⚑ n=5, fewer than 30`),
/// with a proportion's 95% interval when it has one.
fn sample_flag(row: &ResultRow) -> Option<String> {
    let sample = row.sample.filter(|_| crate::render::flags::flagged(row))?;
    let mut text = format!(
        "{} n={}, fewer than {}",
        crate::render::flags::MARK,
        sample.n,
        sample.min
    );
    if row.interval.is_some() {
        let _ = write!(
            text,
            "; 95% interval {}",
            crate::render::flags::interval_cell(row)
        );
    }
    Some(text)
}

/// The diagnostic rules that fired, one sentence each (with the scope they fired for):
/// `warning: Pipeline grows, win rate does not (EMEA, 2025-Q3): pipeline coverage
/// rose …`. The page escapes them.
pub fn rules_fired(results: &Results) -> Vec<String> {
    results
        .rules
        .iter()
        .filter(|r| r.fired)
        .map(|r| {
            let scope: Vec<&str> = [r.grouping.as_deref(), Some(&*r.group), r.period.as_deref()]
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .collect();
            let scope = if scope.is_empty() {
                String::new()
            } else {
                format!(" ({})", scope.join(", "))
            };
            format!(
                "{}: {}{scope}: {}",
                r.severity.word(),
                r.name,
                r.message.as_deref().unwrap_or("")
            )
        })
        .collect()
}
// ------------------------------------------------------------------------------------

/// The rows the scorecard lists: every row, but of a time series only the latest
/// sub-period (the charts show the series).
fn listed(results: &Results) -> impl Iterator<Item = &ResultRow> {
    let latest = results
        .rows
        .iter()
        .filter_map(|r| r.period.as_deref())
        .max();
    results
        .rows
        .iter()
        .filter(move |r| r.period.as_deref() == latest)
}

/// The scorecard table.
pub fn table(catalog: &Catalog, results: &Results) -> String {
    let several = results.rows.iter().any(|r| !r.group.is_empty());
    let series = results.rows.iter().any(|r| r.period.is_some());
    let mut s = String::from("<table class=\"scorecard\"><thead><tr><th>KPI</th>");
    if several {
        s.push_str("<th>Group</th>");
    }
    if series {
        s.push_str("<th>Period</th>");
    }
    let compared = match results.compare {
        crate::query::Compare::Previous => "Previous",
        crate::query::Compare::YearAgo => "Year ago",
    };
    let _ = write!(
        s,
        "<th class=\"num\">Value</th><th class=\"num\">{compared}</th>\
         <th class=\"num\">Change</th><th class=\"num\">Target</th><th class=\"num\">Gap</th>\
         <th>Status</th><th>Benchmarks</th><th>Flags</th></tr></thead><tbody>"
    );
    let mut last: Option<&str> = None;
    let mut notes: Vec<&str> = Vec::new();
    for row in listed(results) {
        let Some(kpi) = catalog.kpis.get(&*row.kpi) else {
            continue;
        };
        // The KPI's name once, on its first row (the next rows are its groups).
        let first = last != Some(&*row.kpi);
        last = Some(&row.kpi);
        // Targets attached by a `target` item carry a numbered note saying where they
        // come from (a title for the screen, the note below the table for print).
        let note =
            row.target_source
                .as_deref()
                .map(|src| match notes.iter().position(|n| *n == src) {
                    Some(i) => i + 1,
                    None => {
                        notes.push(src);
                        notes.len()
                    }
                });
        s.push_str(&line(catalog, kpi, row, first, several, series, note));
    }
    s.push_str("</tbody></table>");
    if !notes.is_empty() {
        s.push_str("<ol class=\"target-notes\">");
        for (i, n) in notes.iter().enumerate() {
            let _ = write!(
                s,
                "<li id=\"target-note-{}\">Target: {}</li>",
                i + 1,
                html(n)
            );
        }
        s.push_str("</ol>");
    }
    s
}

fn line(
    catalog: &Catalog,
    kpi: &KpiDef,
    row: &ResultRow,
    first: bool,
    several: bool,
    series: bool,
    note: Option<usize>,
) -> String {
    let unit = row.unit;
    let status = match &row.status {
        Some(st) => match st.word() {
            Some(w) => format!("<td class=\"status status-{w}\">{w}</td>"),
            None => {
                let why = match st {
                    crate::query::Status::Missing(r) => r.as_str(),
                    _ => "",
                };
                format!(
                    "<td class=\"status status-none\" title=\"{}\">—</td>",
                    html(why)
                )
            }
        },
        None => "<td class=\"status\"></td>".to_string(),
    };
    let cited = catalog
        .benchmarks
        .iter()
        .filter(|b| b.kpi == kpi.id)
        .count();
    let mut bench = Vec::new();
    if let Some(p) = benchmark_position(row) {
        // The cell shows where the value stands against the first benchmark; every
        // benchmark with its citation is in the title (and in the KPI's section,
        // which "N cited" links to, for print).
        let full = crate::render::benchmarks::all(&row.benchmarks, unit);
        let short = short_position(row).unwrap_or(p);
        bench.push(format!(
            "<span class=\"cite\" title=\"{}\">{}</span>",
            html(&full),
            html(&short)
        ));
    }
    if cited > 0 {
        bench.push(format!(
            "<a href=\"#kpi-{}-benchmarks\">{cited} cited</a>",
            html(&kpi.id)
        ));
    }
    let mut flags = Vec::new();
    if let Some(f) = sample_flag(row) {
        flags.push(format!("<span class=\"flag\">{}</span>", html(&f)));
    }
    if let Some(m) = &row.members {
        flags.push(html(&m.describe()));
    }
    let name = if first {
        format!("<a href=\"#kpi-{}\">{}</a>", html(&kpi.id), html(&row.name))
    } else {
        String::new()
    };
    let name = match &row.breakdown {
        Some(stage) => format!("{name} <span class=\"stage\">{}</span>", html(stage)),
        None => name,
    };
    let mut s = format!(
        "<tr data-kpi=\"{}\"{}><td class=\"kpi\">{name}</td>",
        html(&kpi.id),
        if first { " class=\"first\"" } else { "" }
    );
    if several {
        let _ = write!(s, "<td class=\"group\">{}</td>", html(&group_label(row)));
    }
    if series {
        let _ = write!(s, "<td>{}</td>", html(row.period.as_deref().unwrap_or("")));
    }
    let gap = row
        .gap
        .as_ref()
        .map(|g| change(Some(g), unit))
        .unwrap_or_default();
    let target = row
        .target
        .as_ref()
        .map(|t| cell(t, unit))
        .unwrap_or_default();
    let target = match (note, row.target_source.as_deref()) {
        (Some(n), Some(src)) => format!(
            "<td class=\"num\" title=\"{}\">{target}<sup><a href=\"#target-note-{n}\">{n}</a></sup></td>",
            html(src)
        ),
        _ => format!("<td class=\"num\">{target}</td>"),
    };
    let _ = write!(
        s,
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
         {target}<td class=\"num\">{}</td>{status}<td class=\"bench\">{}</td><td class=\"flags\">{}</td></tr>",
        cell(&row.value, unit),
        cell(&row.previous, unit),
        html(&change(row.change.as_ref(), unit)),
        html(&gap),
        bench.join(" "),
        flags.join(" "),
    );
    s
}

/// A value as the scorecard shows it, escaped: a number stays on one line, the
/// reason of a missing one may wrap (the same text, `— (reason)`), so that a long
/// reason does not widen its column.
fn cell(o: &crate::query::Output, unit: crate::ir::Unit) -> String {
    match o {
        crate::query::Output::Missing(reason) => {
            format!("— <span class=\"why\">({})</span>", html(reason))
        }
        _ => html(&shown(o, unit)),
    }
}
