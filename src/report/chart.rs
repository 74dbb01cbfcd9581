//! Which chart each KPI gets: the first of its `visualization` suggestions that the
//! results can draw (a trend needs a time series, bars need segments or periods, a
//! bullet graph a target, a pipeline a breakdown), else the first the results allow,
//! else the value next to its comparison.

use crate::ir::{KpiDef, Unit};
use crate::query::{Output, ResultRow, Results};

/// The kinds of chart a report draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// A line per group (or stage) over the sub-periods of a time series.
    Trend,
    /// A bar per segment (or per sub-period when there is one group).
    Bars,
    /// The value as a bar against a target tick, per group.
    Bullet,
    /// A breakdown's values by stage, largest first in the order of the data.
    Pipeline,
    /// The value next to the value it is compared with (the fallback).
    Compare,
}

impl ChartKind {
    /// The name used in the page (`data-chart`, the CSS class).
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Trend => "trend",
            ChartKind::Bars => "bars",
            ChartKind::Bullet => "bullet",
            ChartKind::Pipeline => "pipeline",
            ChartKind::Compare => "compare",
        }
    }
}

/// The chart kinds a KPI's visualization suggestions name, in their order (free text:
/// "Line chart by month", "Bar chart by tier", "Funnel by stage", ...).
pub fn suggested(visualization: &[String]) -> Vec<ChartKind> {
    const WORDS: [(ChartKind, &[&str]); 4] = [
        (
            ChartKind::Pipeline,
            &["pipeline", "funnel", "by stage", "waterfall"],
        ),
        (
            ChartKind::Bullet,
            &["bullet", "gauge", "against target", "vs target"],
        ),
        (
            ChartKind::Trend,
            &["line", "trend", "run chart", "sparkline", "over time"],
        ),
        (ChartKind::Bars, &["bar", "column", "pareto", "histogram"]),
    ];
    let mut kinds = Vec::new();
    for text in visualization {
        let lower = text.to_lowercase();
        for (kind, words) in WORDS {
            if words.iter().any(|w| lower.contains(w)) && !kinds.contains(&kind) {
                kinds.push(kind);
                // One kind per suggestion: "line chart with bars" is a line chart.
                break;
            }
        }
    }
    kinds
}

/// Which value of a row a mark shows (the JSON field holding it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Value,
    Previous,
    Target,
}

impl Field {
    /// The JSON output's name of the field.
    pub fn name(self) -> &'static str {
        match self {
            Field::Value => "value",
            Field::Previous => "previous",
            Field::Target => "target",
        }
    }
}

/// One drawn value.
pub struct Mark<'a> {
    pub row: &'a ResultRow,
    pub field: Field,
    /// Where it sits on the category axis: a sub-period, a group, a stage.
    pub label: String,
    /// Which line or bullet it belongs to (a trend's group or stage; a bullet's group).
    pub series: String,
    pub value: f64,
    pub output: &'a Output,
}

/// A chart ready to draw.
pub struct Chart<'a> {
    pub kind: ChartKind,
    pub unit: Unit,
    pub marks: Vec<Mark<'a>>,
    /// What the chart leaves out or how to read it, in a sentence.
    pub note: Option<String>,
}

/// At most this many lines in a trend, bullets in a bullet graph, bars in a bar chart:
/// past that a chart stops being readable (the scorecard lists every value).
const MAX_LINES: usize = 8;
const MAX_BULLETS: usize = 12;
const MAX_BARS: usize = 30;

/// The label of a row's group: its segment or account, `Portfolio` for the whole.
pub fn group_label(row: &ResultRow) -> String {
    if row.group.is_empty() {
        "Portfolio".to_string()
    } else {
        row.group.to_string()
    }
}

/// The shape of one KPI's rows.
struct Shape<'a> {
    rows: Vec<&'a ResultRow>,
    /// Sub-periods in order (empty without a time series).
    periods: indexmap::IndexSet<&'a str>,
    /// Groups in order, as (grouping, group).
    groups: indexmap::IndexSet<(Option<&'a str>, &'a str)>,
    breakdown: bool,
    target: bool,
    /// The last sub-period in which the KPI has a value (else the last one).
    latest: Option<&'a str>,
}

impl<'a> Shape<'a> {
    fn of(kpi: &KpiDef, rows: Vec<&'a ResultRow>) -> Shape<'a> {
        // Sets: a per-account request has a group per account.
        let mut periods = indexmap::IndexSet::new();
        let mut groups = indexmap::IndexSet::new();
        for r in &rows {
            if let Some(p) = r.period.as_deref() {
                periods.insert(p);
            }
            groups.insert((r.grouping.as_deref(), &*r.group));
        }
        // In time order (the rows come group by group, and a group may lack the first
        // sub-periods); the sub-periods of one series share a format, so their labels
        // sort as their times do.
        periods.sort();
        let breakdown = kpi.breakdown.is_some() || rows.iter().any(|r| r.breakdown.is_some());
        let target = rows
            .iter()
            .any(|r| r.target.as_ref().and_then(Output::number).is_some());
        let latest = rows
            .iter()
            .filter(|r| r.value.number().is_some())
            .filter_map(|r| periods.get_index_of(r.period.as_deref()?))
            .max()
            .and_then(|i| periods.get_index(i))
            .or(periods.last())
            .copied();
        Shape {
            latest,
            rows,
            periods,
            groups,
            breakdown,
            target,
        }
    }

    fn in_latest(&self, r: &ResultRow) -> bool {
        r.period.as_deref() == self.latest
    }

    fn in_headline(&self, r: &ResultRow) -> bool {
        self.groups
            .first()
            .is_some_and(|g| *g == (r.grouping.as_deref(), &*r.group))
    }

    fn can(&self, kind: ChartKind) -> bool {
        match kind {
            ChartKind::Trend => self.periods.len() > 1,
            ChartKind::Bars => !self.breakdown && (self.groups.len() > 1 || self.periods.len() > 1),
            ChartKind::Bullet => self.target && !self.breakdown,
            ChartKind::Pipeline => self.breakdown,
            ChartKind::Compare => true,
        }
    }
}

/// The chart of one KPI from its rows of the results (`None` when no row has a value
/// to draw).
pub fn choose<'a>(kpi: &KpiDef, results: &'a Results) -> Option<Chart<'a>> {
    let rows: Vec<&ResultRow> = results.rows.iter().filter(|r| *r.kpi == kpi.id).collect();
    let shape = Shape::of(kpi, rows);
    let fallback = [
        ChartKind::Pipeline,
        ChartKind::Trend,
        ChartKind::Bars,
        ChartKind::Bullet,
        ChartKind::Compare,
    ];
    let kind = suggested(&kpi.docs.visualization)
        .into_iter()
        .chain(fallback)
        .find(|k| shape.can(*k))?;
    let chart = build(kind, kpi.unit, &shape, results);
    let chart = if chart.marks.is_empty() && kind != ChartKind::Compare {
        build(ChartKind::Compare, kpi.unit, &shape, results)
    } else {
        chart
    };
    (!chart.marks.is_empty()).then_some(chart)
}

fn build<'a>(kind: ChartKind, unit: Unit, shape: &Shape<'a>, results: &'a Results) -> Chart<'a> {
    let mark = |row: &'a ResultRow, field: Field, label: String, series: String| {
        let output = match field {
            Field::Value => Some(&row.value),
            Field::Previous => Some(&row.previous),
            Field::Target => row.target.as_ref(),
        }?;
        Some(Mark {
            row,
            field,
            label,
            series,
            value: output.number()?,
            output,
        })
    };
    let mut note = None;
    let mut cut = |shown: usize, all: usize, what: &str| {
        if all > shown {
            note = Some(format!(
                "The first {shown} of {all} {what}; the scorecard lists every value."
            ));
        }
    };
    let marks: Vec<Mark> = match kind {
        ChartKind::Trend => {
            // A breakdown's trend is one line per stage of the first group.
            let series_of = |r: &ResultRow| {
                if shape.breakdown {
                    r.breakdown.clone().unwrap_or_default()
                } else {
                    group_label(r)
                }
            };
            let mut names = indexmap::IndexSet::new();
            for r in &shape.rows {
                if !shape.breakdown || shape.in_headline(r) {
                    names.insert(series_of(r));
                }
            }
            cut(MAX_LINES, names.len(), "lines");
            names.truncate(MAX_LINES);
            shape
                .rows
                .iter()
                .filter(|r| !shape.breakdown || shape.in_headline(r))
                .filter(|r| names.contains(&series_of(r)))
                .filter_map(|r| {
                    let label = r.period.as_deref().unwrap_or_default().to_string();
                    mark(r, Field::Value, label, series_of(r))
                })
                .collect()
        }
        ChartKind::Bars if shape.groups.len() > 1 => {
            let rows: Vec<&&ResultRow> = shape.rows.iter().filter(|r| shape.in_latest(r)).collect();
            cut(MAX_BARS, rows.len(), "segments");
            rows.into_iter()
                .take(MAX_BARS)
                .filter_map(|r| mark(r, Field::Value, group_label(r), String::new()))
                .collect()
        }
        ChartKind::Bars => shape
            .rows
            .iter()
            .filter_map(|r| {
                let label = r.period.as_deref().unwrap_or_default().to_string();
                mark(r, Field::Value, label, String::new())
            })
            .collect(),
        ChartKind::Bullet => {
            let rows: Vec<&&ResultRow> = shape
                .rows
                .iter()
                .filter(|r| shape.in_latest(r))
                .filter(|r| r.target.as_ref().and_then(Output::number).is_some())
                .collect();
            cut(MAX_BULLETS, rows.len(), "groups");
            rows.into_iter()
                .take(MAX_BULLETS)
                .flat_map(|r| {
                    let g = group_label(r);
                    [
                        mark(r, Field::Value, g.clone(), g.clone()),
                        mark(r, Field::Target, g.clone(), g),
                    ]
                })
                .flatten()
                .collect()
        }
        ChartKind::Pipeline => {
            // The headline group's own latest sub-period with a value: another group's
            // may be later.
            let latest = shape
                .rows
                .iter()
                .filter(|r| shape.in_headline(r) && r.value.number().is_some())
                .filter_map(|r| shape.periods.get_index_of(r.period.as_deref()?))
                .max()
                .and_then(|i| shape.periods.get_index(i))
                .copied()
                .or(shape.latest);
            let rows: Vec<&&ResultRow> = shape
                .rows
                .iter()
                .filter(|r| shape.in_headline(r) && r.period.as_deref() == latest)
                .collect();
            if shape.groups.len() > 1
                && let Some(r) = rows.first()
            {
                note = Some(format!("By stage for {}.", group_label(r)));
            }
            rows.into_iter()
                .filter_map(|r| {
                    let stage = r.breakdown.clone().unwrap_or_default();
                    mark(r, Field::Value, stage, String::new())
                })
                .collect()
        }
        ChartKind::Compare => {
            let row = shape
                .rows
                .iter()
                .find(|r| shape.in_latest(r) && shape.in_headline(r));
            row.map(|r| {
                let (now, before) = match (&r.period, &r.compared_with) {
                    (Some(p), Some(c)) => (p.to_string(), c.to_string()),
                    _ => (results.period.clone(), results.previous_period.clone()),
                };
                let g = group_label(r);
                [
                    mark(r, Field::Previous, before, g.clone()),
                    mark(r, Field::Value, now, g),
                ]
                .into_iter()
                .flatten()
                .collect()
            })
            .unwrap_or_default()
        }
    };
    Chart {
        kind,
        unit,
        marks,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_name_chart_kinds_in_order() {
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            suggested(&v(&["Line chart by month with bars", "Bar chart by tier"])),
            vec![ChartKind::Trend, ChartKind::Bars]
        );
        assert_eq!(
            suggested(&v(&[
                "Funnel of open deals by stage",
                "Bullet graph against target"
            ])),
            vec![ChartKind::Pipeline, ChartKind::Bullet]
        );
        assert_eq!(suggested(&v(&["Heat map by account"])), vec![]);
    }
}
