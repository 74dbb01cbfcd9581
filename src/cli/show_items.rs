//! `kpic show` for a measure or a table: what it is, where it is defined, and which KPIs
//! read it (the page for a KPI is in `show.rs`).

use super::catalog_args::{self, pad, wrap};
use super::show::{bullet, section};
use kpic::Catalog;
use kpic::ir::{MeasureDef, TableDef};
use std::fmt::Write;

/// The page for one measure: unit, formula, what it reads, the KPIs using it.
pub fn measure(checked: &kpic::Checked, m: &MeasureDef) -> String {
    let catalog = &checked.catalog;
    let mut out = String::new();
    let title = format!("measure {}", m.id);
    writeln!(out, "{title}\n{}\n", "=".repeat(title.chars().count())).unwrap();
    let unit = m.unit.map_or("not declared", |u| u.as_str());
    for (label, value) in [
        ("unit", unit.to_string()),
        ("defined in", place(checked, m.span)),
    ] {
        out.push_str(&wrap(
            &value,
            &format!("  {}", pad(label, 12)),
            &" ".repeat(14),
        ));
        out.push('\n');
    }
    if let Some(d) = &m.description {
        section(&mut out, "Description");
        out.push_str(&wrap(d, "  ", "  "));
        out.push('\n');
    }
    section(&mut out, "Formula");
    out.push_str(&wrap(&m.formula_source, "  ", "      "));
    out.push('\n');
    section(&mut out, "Uses measures");
    let measures: Vec<&String> = m
        .depends_on
        .iter()
        .filter(|d| catalog.measures.contains_key(*d))
        .collect();
    if measures.is_empty() {
        out.push_str("  none\n");
    }
    for d in measures {
        bullet(&mut out, d);
    }
    section(&mut out, "Used by");
    let users = users_of(catalog, &m.id);
    if users.is_empty() {
        out.push_str("  no KPI in this catalog\n");
    }
    for u in users {
        bullet(&mut out, &u);
    }
    out
}

/// The page for one table: its columns with type and role, and the KPIs reading it.
pub fn table(checked: &kpic::Checked, t: &TableDef) -> String {
    let catalog = &checked.catalog;
    let mut out = String::new();
    let title = format!("table {}", t.name);
    writeln!(out, "{title}\n{}\n", "=".repeat(title.chars().count())).unwrap();
    let facts = [
        ("key", t.key.clone().unwrap_or_else(|| "none".into())),
        (
            "time column",
            t.time_column
                .clone()
                .unwrap_or_else(|| "none (aggregates read every row)".into()),
        ),
        ("defined in", place(checked, t.span)),
    ];
    for (label, value) in facts {
        out.push_str(&wrap(
            &value,
            &format!("  {}", pad(label, 12)),
            &" ".repeat(14),
        ));
        out.push('\n');
    }
    section(&mut out, "Columns");
    let width = t
        .columns
        .keys()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0);
    for c in t.columns.values() {
        let mut roles = Vec::new();
        if c.key {
            roles.push("key".to_string());
        }
        if c.time {
            roles.push("time".to_string());
        }
        if c.dimension {
            roles.push("dimension".to_string());
        }
        if c.optional {
            roles.push("optional".to_string());
        }
        if let Some(r) = &c.relation {
            roles.push(format!("-> {r}"));
        }
        let line = format!(
            "  {} {}{}",
            pad(&c.name, width),
            c.ty.as_str(),
            if roles.is_empty() {
                String::new()
            } else {
                format!(" ({})", roles.join(", "))
            }
        );
        writeln!(out, "{}", line.trim_end()).unwrap();
    }
    if !t.relations.is_empty() {
        section(&mut out, "Relations on several columns");
        for r in &t.relations {
            writeln!(
                out,
                "  {} ({}) -> {}({})",
                r.name,
                r.columns.join(", "),
                r.target,
                r.target_columns.join(", ")
            )
            .unwrap();
        }
    }
    section(&mut out, "Read by");
    let readers: Vec<String> = catalog_args::ordered(catalog)
        .into_iter()
        .filter(|k| kpic::query::tables_read(catalog, k).contains(t.name.as_str()))
        .map(|k| format!("{} — {}", k.id, k.name))
        .collect();
    if readers.is_empty() {
        out.push_str("  no KPI in this catalog\n");
    }
    for r in readers {
        bullet(&mut out, &r);
    }
    out
}

/// The KPIs whose formula uses measure `id`, directly or through other measures.
fn users_of(catalog: &Catalog, id: &str) -> Vec<String> {
    catalog_args::ordered(catalog)
        .into_iter()
        .filter(|k| k.depends_on.iter().any(|d| d == id))
        .map(|k| format!("{} — {}", k.id, k.name))
        .collect()
}

/// `file:line` of an item's definition.
fn place(checked: &kpic::Checked, span: kpic::source::Span) -> String {
    let file = checked.sources.get(span.file);
    format!("{}:{}", file.name, file.line_col(span.start).line)
}

/// A KPI's status thresholds in words: `green from 100% of the target, amber from 90%`
/// (relative) or `green from 30%, amber from 25%` (absolute, in the KPI's unit);
/// `up to` when lower is better.
pub fn thresholds(
    th: &kpic::ir::Thresholds,
    unit: kpic::ir::Unit,
    better: kpic::ir::Direction,
) -> String {
    // Lower is better: a value is green up to the threshold, not from it.
    let from = match better {
        kpic::ir::Direction::Higher => "from",
        kpic::ir::Direction::Lower => "up to",
    };
    if th.absolute {
        let v = |a: kpic::ir::Amount| kpic::render::value::exact(a.value, unit);
        format!("green {from} {}, amber {from} {}", v(th.green), v(th.amber))
    } else {
        let pct =
            |a: kpic::ir::Amount| kpic::render::value::exact(a.value, kpic::ir::Unit::Percent);
        format!(
            "green {from} {} of the target, amber {from} {}",
            pct(th.green),
            pct(th.amber)
        )
    }
}
