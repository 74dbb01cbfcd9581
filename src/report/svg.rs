//! The charts as inline SVG: a trend (lines over sub-periods), horizontal bars (by
//! segment, sub-period or stage, and the value next to its comparison) and a bullet
//! graph (the value against its target). Each mark carries the value it shows as the
//! JSON output writes it (`data-value`), the field it comes from (`data-field`) and its
//! row (`data-kpi`, `data-group`, ...), so a test can read the chart back.

use super::chart::{Chart, ChartKind, Mark};
use crate::ir::Unit;
use crate::render::escape::html;
use crate::render::value::{format_value, shown};
use std::fmt::Write;

const WIDTH: f64 = 640.0;
/// Room on the left for category labels (bars) or the value axis (trend).
const LEFT: f64 = 170.0;
const RIGHT: f64 = 90.0;
const ROW: f64 = 24.0;
/// Colours of a trend's lines (CSS classes `s0`..`s7`).
const SERIES: usize = 8;

/// The chart as an `<svg>` element (with its legend, for a trend).
pub fn draw(chart: &Chart) -> String {
    match chart.kind {
        ChartKind::Trend => trend(chart),
        ChartKind::Bullet => bullet(chart),
        ChartKind::Bars | ChartKind::Pipeline | ChartKind::Compare => bars(chart),
    }
}

/// The attributes that tie a mark to its row of the results and the value it shows.
fn data(m: &Mark) -> String {
    let r = m.row;
    let mut s = format!(
        " data-kpi=\"{}\" data-group=\"{}\" data-field=\"{}\" data-value=\"{}\"",
        html(&r.kpi),
        html(&r.group),
        m.field.name(),
        html(&m.output.plain())
    );
    for (name, v) in [
        ("grouping", r.grouping.as_deref()),
        ("period", r.period.as_deref()),
        ("breakdown", r.breakdown.as_deref()),
    ] {
        if let Some(v) = v {
            let _ = write!(s, " data-{name}=\"{}\"", html(v));
        }
    }
    s
}

/// The value's text as people read it.
fn text(m: &Mark, unit: Unit) -> String {
    shown(m.output, unit)
}

/// The lowest and highest value an axis spans: always including zero.
fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi - lo <= f64::EPSILON {
        hi = lo + 1.0;
    }
    (lo, hi)
}

fn open(kind: ChartKind, height: f64, label: &str) -> String {
    format!(
        "<svg class=\"chart {}\" data-chart=\"{}\" role=\"img\" aria-label=\"{}\" \
         viewBox=\"0 0 {WIDTH} {height:.0}\" width=\"{WIDTH}\" height=\"{height:.0}\" \
         xmlns=\"http://www.w3.org/2000/svg\">",
        kind.name(),
        kind.name(),
        html(label)
    )
}

/// Horizontal bars, one per mark, from zero; a zero line when values are negative.
fn bars(chart: &Chart) -> String {
    let n = chart.marks.len() as f64;
    let height = n * ROW + 10.0;
    let (lo, hi) = span(chart.marks.iter().map(|m| m.value));
    let x = |v: f64| LEFT + (v - lo) / (hi - lo) * (WIDTH - LEFT - RIGHT);
    let mut s = open(chart.kind, height, "bar chart");
    for (i, m) in chart.marks.iter().enumerate() {
        let y = 5.0 + i as f64 * ROW;
        let (x0, x1) = (x(0.0).min(x(m.value)), x(0.0).max(x(m.value)));
        let class = match (chart.kind, m.field) {
            (ChartKind::Compare, super::chart::Field::Previous) => "bar previous",
            _ => "bar",
        };
        let _ = write!(
            s,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"mark {class}\"{} x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" \
             height=\"{:.1}\"><title>{}: {}</title></rect>\
             <text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            LEFT - 6.0,
            y + ROW * 0.62,
            html(&short(&m.label, 26)),
            data(m),
            y + 3.0,
            (x1 - x0).max(0.5),
            ROW - 6.0,
            html(&m.label),
            html(&text(m, chart.unit)),
            x1 + 4.0,
            y + ROW * 0.62,
            html(&text(m, chart.unit)),
        );
    }
    if lo < 0.0 {
        let _ = write!(
            s,
            "<line class=\"axis\" x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"0\" y2=\"{height}\"/>",
            x(0.0)
        );
    }
    s.push_str("</svg>");
    s
}

/// One bullet per group: a band to the larger of value and target, the value as a
/// bar coloured by the row's status, the target as a tick.
fn bullet(chart: &Chart) -> String {
    let mut groups: Vec<&str> = Vec::new();
    for m in &chart.marks {
        if !groups.contains(&m.series.as_str()) {
            groups.push(&m.series);
        }
    }
    let height = (groups.len() as f64 * ROW * 1.4 + 10.0).ceil();
    let (lo, hi) = span(chart.marks.iter().map(|m| m.value));
    let hi = hi * 1.1;
    let x = |v: f64| LEFT + (v - lo) / (hi - lo) * (WIDTH - LEFT - RIGHT);
    let mut s = open(chart.kind, height, "bullet graph against target");
    for (i, g) in groups.iter().enumerate() {
        let y = 5.0 + i as f64 * ROW * 1.4;
        let _ = write!(
            s,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"band\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
            LEFT - 6.0,
            y + ROW * 0.7,
            html(&short(g, 26)),
            x(lo),
            x(hi) - x(lo),
            ROW,
        );
        for m in chart.marks.iter().filter(|m| m.series == *g) {
            if m.field == super::chart::Field::Target {
                let _ = write!(
                    s,
                    "<line class=\"mark target\"{} x1=\"{1:.1}\" x2=\"{1:.1}\" y1=\"{2:.1}\" \
                     y2=\"{3:.1}\"><title>target: {4}</title></line>",
                    data(m),
                    x(m.value),
                    y + 2.0,
                    y + ROW - 2.0,
                    html(&text(m, chart.unit)),
                );
            } else {
                let status = m
                    .row
                    .status
                    .as_ref()
                    .and_then(|s| s.word())
                    .unwrap_or("none");
                let (x0, x1) = (x(0.0).min(x(m.value)), x(0.0).max(x(m.value)));
                let _ = write!(
                    s,
                    "<rect class=\"mark bar status-{status}\"{} x=\"{x0:.1}\" y=\"{:.1}\" \
                     width=\"{:.1}\" height=\"{:.1}\"><title>{}: {}</title></rect>\
                     <text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                    data(m),
                    y + ROW * 0.3,
                    (x1 - x0).max(0.5),
                    ROW * 0.4,
                    html(g),
                    html(&text(m, chart.unit)),
                    x(hi) + 4.0,
                    y + ROW * 0.7,
                    html(&text(m, chart.unit)),
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

/// A line per series over the sub-periods, a point per value, the axis labelled at
/// its ends and zero; a legend when there are several lines.
fn trend(chart: &Chart) -> String {
    let mut periods: Vec<&str> = Vec::new();
    let mut series: Vec<&str> = Vec::new();
    for m in &chart.marks {
        if !periods.contains(&m.label.as_str()) {
            periods.push(&m.label);
        }
        if !series.contains(&m.series.as_str()) {
            series.push(&m.series);
        }
    }
    let (top, bottom, left) = (12.0, 36.0, 90.0);
    let height = 220.0;
    let (lo, hi) = span(chart.marks.iter().map(|m| m.value));
    let x = |p: &str| {
        let i = periods.iter().position(|q| *q == p).unwrap_or(0) as f64;
        let n = (periods.len().max(2) - 1) as f64;
        left + i / n * (WIDTH - left - 30.0)
    };
    let y = |v: f64| top + (hi - v) / (hi - lo) * (height - top - bottom);
    let mut s = open(chart.kind, height, "trend over the time series");
    for v in [lo, 0.0, hi] {
        if v == 0.0 && (lo == 0.0 || hi == 0.0) && v != lo {
            continue;
        }
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{x2:.1}\" y1=\"{yv:.1}\" y2=\"{yv:.1}\"/>\
             <text class=\"label\" x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"end\">{t}</text>",
            x2 = WIDTH - 30.0,
            yv = y(v),
            lx = left - 6.0,
            ly = y(v) + 4.0,
            t = html(&format_value(v, chart.unit)),
        );
    }
    for p in &periods {
        let _ = write!(
            s,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x(p),
            height - bottom + 18.0,
            html(p)
        );
    }
    for (i, name) in series.iter().enumerate() {
        let points: Vec<&Mark> = chart.marks.iter().filter(|m| m.series == *name).collect();
        let path: Vec<String> = points
            .iter()
            .map(|m| format!("{:.1},{:.1}", x(&m.label), y(m.value)))
            .collect();
        let _ = write!(
            s,
            "<polyline class=\"line s{}\" points=\"{}\"/>",
            i % SERIES,
            path.join(" ")
        );
        for m in points {
            let _ = write!(
                s,
                "<circle class=\"mark point s{}\"{} cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\">\
                 <title>{} {}: {}</title></circle>",
                i % SERIES,
                data(m),
                x(&m.label),
                y(m.value),
                html(name),
                html(&m.label),
                html(&text(m, chart.unit)),
            );
        }
    }
    s.push_str("</svg>");
    if series.len() > 1 {
        s.push_str("<ul class=\"legend\">");
        for (i, name) in series.iter().enumerate() {
            let _ = write!(
                s,
                "<li><span class=\"swatch s{}\"></span>{}</li>",
                i % SERIES,
                html(name)
            );
        }
        s.push_str("</ul>");
    }
    s
}

/// At most `n` characters, with an ellipsis when cut (labels beside bars).
fn short(label: &str, n: usize) -> String {
    if label.chars().count() <= n {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(n - 1).collect();
        s.push('…');
        s
    }
}
