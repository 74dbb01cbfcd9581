//! The report's document: head (a Content-Security-Policy that forbids every external
//! request and every script, and the inline style sheet for screen and print), the
//! summary, the scorecard, the rules that fired, and one section per KPI (chart,
//! benchmarks with their citations, explanation trace in a `<details>`).

use super::Report;
use super::chart;
use crate::ir::{BenchmarkDef, KpiDef};
use crate::render::escape::{html, http_url};
use crate::render::value::exact;
use std::fmt::Write;

/// The inline style sheet: screen first, then what changes on paper.
const STYLE: &str = r#"
:root { --green: #1a7f37; --amber: #b7791f; --red: #c0392b; --ink: #1f2328; --muted: #656d76;
  --line: #d0d7de; --bar: #3b6ea8; --prev: #a9b8c9; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  margin: 0 auto; max-width: 1200px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 0 0 4px; }
.meta, .muted, figcaption { color: var(--muted); }
.summary span { margin-right: 14px; }
table.scorecard { border-collapse: collapse; width: 100%; margin: 12px 0 24px; }
.scorecard th, .scorecard td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left;
  vertical-align: top; }
.scorecard th { background: #f6f8fa; position: sticky; top: 0; }
.scorecard td.kpi { min-width: 150px; } .scorecard tr.first td { border-top: 1px solid #8c959f; }
.stage { color: var(--muted); } .scorecard td { white-space: nowrap; } .scorecard td.kpi { white-space: normal; }
.scorecard { font-size: 13px; } .scorecard .why { white-space: normal; }
.scorecard td.bench, .scorecard td.flags { white-space: normal; font-size: 12px; }
.scorecard td.group { white-space: normal; }
.scorecard td.bench { min-width: 8em; } .scorecard td.flags { min-width: 7em; }
.scorecard td.bench .cite { color: var(--muted); } .scorecard sup a { text-decoration: none; }
.target-notes { font-size: 12px; color: var(--muted); margin: -16px 0 24px; padding-left: 20px; }
.num { text-align: right !important; font-variant-numeric: tabular-nums; white-space: nowrap; }
.status-green { color: var(--green); font-weight: 600; } .status-amber { color: var(--amber); font-weight: 600; }
.status-red { color: var(--red); font-weight: 600; }
.flag { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 3px; padding: 0 3px; }
section.kpi { border-top: 1px solid var(--line); padding: 16px 0; }
figure { margin: 8px 0; } svg.chart { max-width: 100%; height: auto; display: block; }
svg .label, svg .value { font-size: 11px; fill: var(--ink); } svg .value { fill: var(--muted); }
svg .bar { fill: var(--bar); } svg .bar.previous { fill: var(--prev); }
svg .band { fill: #eef1f4; } svg .target { stroke: var(--ink); stroke-width: 3; }
svg .bar.status-green { fill: var(--green); } svg .bar.status-amber { fill: var(--amber); }
svg .bar.status-red { fill: var(--red); }
svg .grid { stroke: var(--line); } svg .axis { stroke: var(--muted); }
svg .line { fill: none; stroke-width: 2; }
.s0 { stroke: #3b6ea8; fill: #3b6ea8; background: #3b6ea8; } .s1 { stroke: #e07b39; fill: #e07b39; background: #e07b39; }
.s2 { stroke: #3a9d5d; fill: #3a9d5d; background: #3a9d5d; } .s3 { stroke: #b5485d; fill: #b5485d; background: #b5485d; }
.s4 { stroke: #7a5cb8; fill: #7a5cb8; background: #7a5cb8; } .s5 { stroke: #8c6d46; fill: #8c6d46; background: #8c6d46; }
.s6 { stroke: #d063a6; fill: #d063a6; background: #d063a6; } .s7 { stroke: #5f6b77; fill: #5f6b77; background: #5f6b77; }
svg .line.s0, svg .line.s1, svg .line.s2, svg .line.s3, svg .line.s4, svg .line.s5, svg .line.s6,
svg .line.s7 { fill: none; }
ul.legend { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-wrap: wrap; gap: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
details summary { cursor: pointer; color: var(--bar); }
pre { background: #f6f8fa; padding: 8px; overflow-x: auto; font-size: 12px; }
ul.rules li, ul.unavailable li { margin: 2px 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .scorecard th { position: static; }
  section.kpi { break-inside: avoid; page-break-inside: avoid; }
  details:not([open]) { display: none; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The whole document.
pub fn document(report: &Report) -> String {
    let results = report.results;
    let mut s = String::with_capacity(64 * 1024);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"kpic {}\">\n<title>{}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        html(&report.title)
    );
    let _ = writeln!(s, "<header>\n<h1>{}</h1>", html(&report.title));
    let scope = match &results.scope {
        crate::query::Scope::Portfolio => "the whole portfolio".to_string(),
        other => format!("by {}", other.label()),
    };
    let _ = writeln!(
        s,
        "<p class=\"meta\">Period <b>{}</b>, compared with <b>{}</b>; {}{}.</p>",
        html(&results.period),
        html(&results.previous_period),
        html(&scope),
        match results.every {
            Some(e) => format!(", every {}", e.name()),
            None => String::new(),
        }
    );
    s.push_str(&summary(results));
    s.push_str("</header>\n<main>\n<section id=\"scorecard\">\n<h2>Scorecard</h2>\n");
    s.push_str(&super::scorecard::table(report.catalog, results));
    s.push_str("\n</section>\n");
    let rules = super::scorecard::rules_fired(results);
    if !rules.is_empty() {
        s.push_str("<section id=\"rules\">\n<h2>Rules that fired</h2>\n<ul class=\"rules\">");
        for r in rules {
            let _ = write!(s, "<li>{}</li>", html(&r));
        }
        s.push_str("</ul>\n</section>\n");
    }
    if !results.unavailable.is_empty() {
        s.push_str(
            "<section id=\"unavailable\">\n<h2>Not computed</h2>\n<ul class=\"unavailable\">",
        );
        for u in &results.unavailable {
            let _ = write!(s, "<li><b>{}</b>: {}</li>", html(&u.kpi), html(&u.reason));
        }
        s.push_str("</ul>\n</section>\n");
    }
    for kpi in report.catalog.kpis.values() {
        if results.rows.iter().any(|r| *r.kpi == kpi.id) {
            s.push_str(&section(report, kpi));
        }
    }
    s.push_str("</main>\n</body>\n</html>\n");
    s
}

/// How many rows are at each status (the rows the scorecard lists).
fn summary(results: &crate::query::Results) -> String {
    let mut counts = [0usize; 3];
    for r in &results.rows {
        match r.status.as_ref().and_then(|s| s.word()) {
            Some("green") => counts[0] += 1,
            Some("amber") => counts[1] += 1,
            Some("red") => counts[2] += 1,
            _ => {}
        }
    }
    if counts == [0; 3] {
        return String::new();
    }
    format!(
        "<p class=\"summary\"><span class=\"status-red\">{} red</span>\
         <span class=\"status-amber\">{} amber</span>\
         <span class=\"status-green\">{} green</span></p>\n",
        counts[2], counts[1], counts[0]
    )
}

/// One KPI: what it is, its chart, its benchmarks, its explanation.
fn section(report: &Report, kpi: &KpiDef) -> String {
    let id = html(&kpi.id);
    let mut s = format!(
        "<section class=\"kpi\" id=\"kpi-{id}\">\n<h2>{} <span class=\"muted\">({id})</span></h2>\n\
         <p class=\"meta\">{} · {} · better {}</p>\n",
        html(&kpi.name),
        html(
            report
                .catalog
                .categories
                .get(&kpi.category)
                .map_or(kpi.category.as_str(), |c| c.name.as_str())
        ),
        kpi.unit.as_str(),
        kpi.better.as_str(),
    );
    if let Some(d) = &kpi.docs.definition {
        let _ = writeln!(s, "<p>{}</p>", html(d.trim()));
    }
    match chart::choose(kpi, report.results) {
        Some(c) => {
            let drawn = match c.kind {
                chart::ChartKind::Trend => "Trend over the time series.",
                chart::ChartKind::Bars => "Bars by segment or period.",
                chart::ChartKind::Bullet => "Bullet graph: the value against its target.",
                chart::ChartKind::Pipeline => "By stage.",
                chart::ChartKind::Compare => "The value next to its comparison.",
            };
            let why = match kpi.docs.visualization.first() {
                Some(v) => format!("{drawn} Suggested: {v}."),
                None => drawn.to_string(),
            };
            let _ = writeln!(
                s,
                "<figure data-kpi=\"{id}\">{}<figcaption>{}</figcaption></figure>",
                super::svg::draw(&c),
                html(
                    match &c.note {
                        Some(n) => format!("{why} {n}"),
                        None => why,
                    }
                    .as_str()
                ),
            );
        }
        None => s.push_str("<p class=\"muted\">No value to chart.</p>\n"),
    }
    let benchmarks: Vec<&BenchmarkDef> = report
        .catalog
        .benchmarks
        .iter()
        .filter(|b| b.kpi == kpi.id)
        .collect();
    if !benchmarks.is_empty() {
        let _ = write!(
            s,
            "<h3 id=\"kpi-{id}-benchmarks\">Benchmarks</h3>\n<ul class=\"benchmarks\">"
        );
        for b in benchmarks {
            s.push_str(&benchmark(kpi, b));
        }
        s.push_str("</ul>\n");
    }
    match report.explanations.get(&kpi.id) {
        Some(Ok(text)) => {
            let _ = writeln!(
                s,
                "<details class=\"explanation\"><summary>Show explanation</summary>\
                 <pre>{}</pre></details>",
                html(text)
            );
        }
        Some(Err(why)) => {
            let _ = writeln!(s, "<p class=\"muted\">No explanation: {}</p>", html(why));
        }
        None => {}
    }
    s.push_str("</section>\n");
    s
}

/// One benchmark with its citation; its URL a link only when it is http(s).
fn benchmark(kpi: &KpiDef, b: &BenchmarkDef) -> String {
    let figure = match (b.value, b.low, b.high) {
        (Some(v), _, _) => exact(v, kpi.unit),
        (None, Some(lo), Some(hi)) => {
            format!("{}–{}", exact(lo, kpi.unit), exact(hi, kpi.unit))
        }
        (None, Some(lo), None) => format!("≥ {}", exact(lo, kpi.unit)),
        (None, None, Some(hi)) => format!("≤ {}", exact(hi, kpi.unit)),
        (None, None, None) => String::new(),
    };
    let source = match b.url.as_deref().and_then(http_url) {
        Some(url) => format!(
            "<a href=\"{url}\" rel=\"noopener noreferrer\">{}</a>",
            html(&b.source)
        ),
        None => match &b.url {
            Some(text) => format!("{} ({})", html(&b.source), html(text)),
            None => html(&b.source),
        },
    };
    let mut s = format!("<li><b>{}</b>", html(&figure));
    if let Some(seg) = &b.segment {
        let _ = write!(s, " — {}", html(seg));
    }
    let _ = write!(s, "; {source}");
    if let Some(d) = b.as_of {
        let _ = write!(s, ", as of {d}");
    }
    if let Some(n) = &b.note {
        let _ = write!(s, ". <span class=\"muted\">{}</span>", html(n));
    }
    s.push_str("</li>");
    s
}
