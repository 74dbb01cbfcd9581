//! One KPI's page: its facts (unit, direction, cadence, target, thresholds), the twelve
//! attributes in the catalog's order with the formula fourth and its names linked,
//! benchmarks with their citations, the dependency graph with its lists, and the rules
//! that mention it.

use super::graph::{self, Node};
use super::html::{self, esc, link};
use super::{Ctx, formula, rules};
use crate::ir::{Amount, BenchmarkDef, Direction, DocValue, KpiDef, Thresholds, Unit};
use crate::render::value::exact;
use crate::vocab::{Attribute, Shape};
use std::fmt::Write;

/// Pages of KPIs are one folder down from the root.
const ROOT: &str = "../";

/// The whole page of `kpi`.
pub fn render(ctx: &Ctx, kpi: &KpiDef) -> String {
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<h1>{}</h1>\n<p class=\"id\"><code>{}</code>{}</p>",
        esc(&kpi.name),
        esc(&kpi.id),
        if kpi.tags.iter().any(|t| t == super::TOP_TAG) {
            " <span class=\"badge\">top 12</span>"
        } else {
            ""
        }
    );
    facts(ctx, kpi, &mut b);
    for (info, value) in kpi.docs.iter() {
        // The change impact lists the KPIs it affects in the same section.
        if info.attribute == Attribute::Affects {
            continue;
        }
        let _ = writeln!(
            b,
            "<section id=\"{}\">\n<h2>{}</h2>",
            esc(info.field),
            esc(info.heading)
        );
        match value {
            DocValue::Text(text) => b.push_str(&html::text_block(text)),
            DocValue::List(ids) if info.shape == Shape::KpiList => {
                b.push_str(&kpi_list(ctx, ids, "None."))
            }
            DocValue::List(items) => {
                let items: Vec<String> = items.iter().map(|i| esc(i)).collect();
                b.push_str(&html::list(&items, "Not documented."));
            }
        }
        if info.attribute == Attribute::Impact {
            let _ = writeln!(b, "<h3>{}</h3>", esc(Attribute::Affects.info().heading));
            b.push_str(&kpi_list(ctx, kpi.docs.list(Attribute::Affects), "None."));
        }
        b.push_str("</section>\n");
        // The catalog's fourth attribute, the standard formula, is the formula itself.
        if info.attribute == Attribute::Measurement {
            let _ = writeln!(
                b,
                "<section id=\"formula\">\n<h2>Standard formula</h2>\n<pre class=\"formula\">{}</pre>\n</section>",
                formula::linked(
                    &ctx.checked.sources,
                    ctx.catalog,
                    &ctx.names,
                    kpi.formula.span,
                    ROOT
                )
            );
        }
    }
    benchmarks(ctx, kpi, &mut b);
    dependencies(ctx, kpi, &mut b);
    rules_section(ctx, kpi, &mut b);
    html::page(ROOT, &kpi.name, &b)
}

/// The definition list of facts at the top.
fn facts(ctx: &Ctx, kpi: &KpiDef, b: &mut String) {
    let category = match ctx.catalog.categories.get(&kpi.category) {
        Some(c) => link(ROOT, &html::category_path(&c.id), &c.name),
        None => esc(&kpi.category),
    };
    let mut rows = vec![
        ("Category", category),
        ("Unit", esc(kpi.unit.as_str())),
        (
            "Direction",
            match kpi.better {
                Direction::Higher => "higher is better".into(),
                Direction::Lower => "lower is better".into(),
            },
        ),
        (
            "Cadence",
            kpi.cadence.map_or("not set".into(), |c| esc(c.as_str())),
        ),
    ];
    if !kpi.tags.is_empty() {
        let tags: Vec<String> = kpi.tags.iter().map(|t| esc(t)).collect();
        rows.push(("Tags", tags.join(", ")));
    }
    if let Some(bd) = &kpi.breakdown {
        let target = if ctx
            .catalog
            .tables
            .get(&bd.table)
            .is_some_and(|t| t.columns.contains_key(&bd.column))
        {
            link(
                ROOT,
                &html::column_path(&bd.table, &bd.column),
                &format!("{}.{}", bd.table, bd.column),
            )
        } else {
            esc(&format!("{}.{}", bd.table, bd.column))
        };
        rows.push(("Breakdown", format!("by {target}")));
    }
    rows.push((
        "Target",
        match &kpi.target {
            Some(t) => format!("<code>{}</code>", esc(&t.source)),
            None => "none".into(),
        },
    ));
    // A target attached by a `target` item says where it comes from.
    if let Some(o) = kpi.target.as_ref().and_then(|t| t.origin.as_ref()) {
        rows.push((
            "Target source",
            format!(
                "{} <span class=\"muted\">(target <code>{}</code>)</span>",
                esc(&o.source),
                esc(&o.item)
            ),
        ));
    }
    if let Some(th) = &kpi.status {
        rows.push(("Status", esc(&thresholds(th, kpi.unit, kpi.better))));
    }
    let file = ctx.checked.sources.get(kpi.span.file);
    rows.push((
        "Defined in",
        format!(
            "<code>{}:{}</code>",
            esc(&file.name),
            file.line_col(kpi.span.start).line
        ),
    ));
    b.push_str("<dl class=\"facts\">\n");
    for (label, value) in rows {
        let _ = writeln!(b, "<dt>{label}</dt><dd>{value}</dd>");
    }
    b.push_str("</dl>\n");
}

/// Status thresholds in words: relative to the target, or values in the KPI's unit;
/// `up to` when lower is better.
pub fn thresholds(th: &Thresholds, unit: Unit, better: Direction) -> String {
    let from = match better {
        Direction::Higher => "from",
        Direction::Lower => "up to",
    };
    if th.absolute {
        let v = |a: Amount| exact(a.value, unit);
        format!(
            "green {from} {}, amber {from} {}, red beyond",
            v(th.green),
            v(th.amber)
        )
    } else {
        let pct = |a: Amount| exact(a.value, Unit::Percent);
        format!(
            "green {from} {} of the target, amber {from} {}, red beyond",
            pct(th.green),
            pct(th.amber)
        )
    }
}

/// A list of KPI ids, each linked with its name.
fn kpi_list(ctx: &Ctx, ids: &[String], empty: &str) -> String {
    let items: Vec<String> = ids.iter().map(|id| kpi_item(ctx, id)).collect();
    html::list(&items, empty)
}

/// A KPI as "Name (id)" linked to its page; a measure or table id linked likewise.
pub fn kpi_item(ctx: &Ctx, id: &str) -> String {
    if let Some(k) = ctx.catalog.kpis.get(id) {
        format!(
            "{} <code>{}</code>",
            link(ROOT, &html::kpi_path(id), &k.name),
            esc(id)
        )
    } else if ctx.catalog.measures.contains_key(id) {
        format!("measure {}", link(ROOT, &html::measure_path(id), id))
    } else {
        format!("<code>{}</code>", esc(id))
    }
}

/// Benchmarks of the KPI with value, segment, citation, date, link and note.
fn benchmarks(ctx: &Ctx, kpi: &KpiDef, b: &mut String) {
    let list: Vec<&BenchmarkDef> = ctx
        .catalog
        .benchmarks
        .iter()
        .filter(|bm| bm.kpi == kpi.id)
        .collect();
    b.push_str("<section id=\"benchmarks\">\n<h2>Benchmarks</h2>\n");
    if list.is_empty() {
        b.push_str("<p class=\"missing\">No benchmark in this catalog.</p>\n");
    }
    for bm in list {
        let value = match (bm.value, bm.low, bm.high) {
            (Some(v), _, _) => exact(v, kpi.unit),
            (None, Some(lo), Some(hi)) => {
                format!("{} to {}", exact(lo, kpi.unit), exact(hi, kpi.unit))
            }
            _ => "no value".into(),
        };
        let _ = writeln!(
            b,
            "<div class=\"benchmark\" id=\"bm-{}\">\n<p class=\"value\">{}{}</p>",
            html::slug(&bm.id),
            esc(&value),
            bm.segment
                .as_deref()
                .map(|s| format!(" — {}", esc(s)))
                .unwrap_or_default()
        );
        let mut cite = format!("<cite>{}</cite>", esc(&bm.source));
        if let Some(d) = bm.as_of {
            let _ = write!(cite, ", as of {d}");
        }
        let _ = writeln!(b, "<p class=\"source\">Source: {cite}</p>");
        if let Some(url) = &bm.url {
            match html::web_url(url) {
                Some(u) => {
                    let _ = writeln!(
                        b,
                        "<p class=\"url\"><a href=\"{}\" rel=\"noopener noreferrer\">{}</a></p>",
                        esc(u),
                        esc(u)
                    );
                }
                // Not a web address: shown, never followed.
                None => {
                    let _ = writeln!(b, "<p class=\"url\"><code>{}</code></p>", esc(url));
                }
            }
        }
        if let Some(note) = &bm.note {
            let _ = writeln!(b, "<p class=\"note\">{}</p>", esc(note));
        }
        b.push_str("</div>\n");
    }
    b.push_str("</section>\n");
}

/// The graph, then what the KPI reads and what reads it, as lists.
fn dependencies(ctx: &Ctx, kpi: &KpiDef, b: &mut String) {
    let focus = Node::Kpi(kpi.id.clone());
    b.push_str("<section id=\"dependencies\">\n<h2>Dependencies</h2>\n");
    b.push_str(&graph::svg(ctx, &focus, ROOT));
    let reads: Vec<String> = graph::inputs(ctx, &focus)
        .iter()
        .map(|n| node_item(ctx, n))
        .collect();
    b.push_str("<h3>Depends on</h3>\n");
    b.push_str(&html::list(&reads, "Nothing."));
    let used: Vec<String> = graph::users(ctx, &focus)
        .iter()
        .map(|n| node_item(ctx, n))
        .collect();
    b.push_str("<h3>Used in the formulas of</h3>\n");
    b.push_str(&html::list(&used, "No other measure or KPI."));
    let impact: Vec<String> = ctx
        .affected_by
        .get(&kpi.id)
        .into_iter()
        .flatten()
        .map(|id| kpi_item(ctx, id))
        .collect();
    let _ = writeln!(
        b,
        "<h3>Named in the change impact (<code>{}</code>) of</h3>",
        Attribute::Affects.field()
    );
    b.push_str(&html::list(&impact, "No other KPI."));
    b.push_str("</section>\n");
}

/// A graph node as a list item: its kind and a link.
fn node_item(ctx: &Ctx, n: &Node) -> String {
    match n {
        Node::Table(t) => format!("table {}", link(ROOT, &html::table_path(t), t)),
        Node::Measure(id) => {
            let unit = ctx
                .catalog
                .measures
                .get(id)
                .and_then(|m| m.unit)
                .map(|u| format!(" ({})", u.as_str()))
                .unwrap_or_default();
            format!("measure {}{unit}", link(ROOT, &html::measure_path(id), id))
        }
        Node::Kpi(id) => format!("KPI {}", kpi_item(ctx, id)),
    }
}

/// The rules that mention the KPI (see `rules.rs`).
fn rules_section(ctx: &Ctx, kpi: &KpiDef, b: &mut String) {
    let found = rules::mentioning(ctx.catalog, &kpi.id);
    b.push_str("<section id=\"rules\">\n<h2>Rules</h2>\n");
    let items: Vec<String> = found
        .iter()
        .map(|r| {
            let others: Vec<String> = r.kpis.iter().map(|k| kpi_item(ctx, k)).collect();
            format!(
                "<code>{}</code> ({}): {}<br><code>{}</code>{}",
                esc(&r.id),
                esc(&r.severity),
                esc(&r.message),
                esc(&r.condition),
                if others.is_empty() {
                    String::new()
                } else {
                    format!("<br>with {}", others.join(", "))
                }
            )
        })
        .collect();
    b.push_str(&html::list(
        &items,
        "No rule in this catalog mentions this KPI.",
    ));
    b.push_str("</section>\n");
}
