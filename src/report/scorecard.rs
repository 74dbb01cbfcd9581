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
    for row in listed(results) {
        let Some(kpi) = catalog.kpis.get(&*row.kpi) else {
            continue;
        };
        // The KPI's name once, on its first row (the next rows are its groups).
        let first = last != Some(&*row.kpi);
        last = Some(&row.kpi);
        s.push_str(&line(catalog, kpi, row, first, several, series));
    }
    s.push_str("</tbody></table>");
    s
}

fn line(
    catalog: &Catalog,
    kpi: &KpiDef,
    row: &ResultRow,
    first: bool,
    several: bool,
    series: bool,
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
        bench.push(html(&p));
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
        let _ = write!(s, "<td>{}</td>", html(&group_label(row)));
    }
    if series {
        let _ = write!(s, "<td>{}</td>", html(row.period.as_deref().unwrap_or("")));
    }
    let gap = row
        .gap
        .as_ref()
        .map(|g| change(Some(g), unit))
        .unwrap_or_default();
    let _ = write!(
        s,
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
         <td class=\"num\">{}</td><td class=\"num\">{}</td>{status}<td>{}</td><td>{}</td></tr>",
        html(&shown(&row.value, unit)),
        html(&shown(&row.previous, unit)),
        html(&change(row.change.as_ref(), unit)),
        html(
            &row.target
                .as_ref()
                .map(|t| shown(t, unit))
                .unwrap_or_default()
        ),
        html(&gap),
        bench.join(" "),
        flags.join(" "),
    );
    s
}
