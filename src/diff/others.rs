//! Benchmarks and categories compared: their values change what `eval` and `show`
//! print beside a KPI (output metadata); their sources and descriptions are
//! documentation.

use super::compare::{change, detail};
use super::report::{Change, Class, Detail, ItemKind, Status};
use crate::ir::{BenchmarkDef, Catalog};
use std::collections::HashMap;

/// Benchmarks by id; the KPI a benchmark names is read through `rename`.
pub fn benchmarks(
    o: &Catalog,
    n: &Catalog,
    rename: &HashMap<String, String>,
    out: &mut Vec<Change>,
) {
    let old: HashMap<&str, &BenchmarkDef> =
        o.benchmarks.iter().map(|b| (b.id.as_str(), b)).collect();
    let new: HashMap<&str, &BenchmarkDef> =
        n.benchmarks.iter().map(|b| (b.id.as_str(), b)).collect();
    for b in &n.benchmarks {
        let Some(w) = old.get(b.id.as_str()) else {
            out.push(change(
                ItemKind::Benchmark,
                &b.id,
                Status::Added,
                None,
                vec![detail(Class::Output, format!("added for `{}`", b.kpi))],
            ));
            continue;
        };
        let mut details: Vec<Detail> = Vec::new();
        let mut field = |class, name: &str, a: String, b: String| {
            if a != b {
                details.push(detail(class, format!("{name}: {a} → {b}")));
            }
        };
        let kpi = rename.get(&w.kpi).unwrap_or(&w.kpi);
        field(Class::Output, "kpi", kpi.clone(), b.kpi.clone());
        field(Class::Output, "value", num(w.value), num(b.value));
        field(Class::Output, "low", num(w.low), num(b.low));
        field(Class::Output, "high", num(w.high), num(b.high));
        field(Class::Output, "segment", text(&w.segment), text(&b.segment));
        let scope = |d: &BenchmarkDef| {
            let c: Vec<String> = d
                .applies_to
                .iter()
                .map(|c| format!("accounts.{} == {:?}", c.column, c.value))
                .collect();
            if c.is_empty() {
                "any".into()
            } else {
                c.join(" and ")
            }
        };
        field(Class::Output, "applies_to", scope(w), scope(b));
        let basis = |d: &BenchmarkDef| d.period.map_or("any", |p| p.name()).to_string();
        field(Class::Output, "period", basis(w), basis(b));
        field(
            Class::Documentation,
            "source",
            w.source.clone(),
            b.source.clone(),
        );
        field(Class::Documentation, "url", text(&w.url), text(&b.url));
        let date = |d: Option<chrono::NaiveDate>| d.map_or("none".into(), |d| d.to_string());
        field(Class::Documentation, "as_of", date(w.as_of), date(b.as_of));
        field(Class::Documentation, "note", text(&w.note), text(&b.note));
        out.push(change(
            ItemKind::Benchmark,
            &b.id,
            Status::Changed,
            None,
            details,
        ));
    }
    for b in o
        .benchmarks
        .iter()
        .filter(|b| !new.contains_key(b.id.as_str()))
    {
        out.push(change(
            ItemKind::Benchmark,
            &b.id,
            Status::Removed,
            None,
            vec![detail(
                Class::Output,
                format!("removed (was for `{}`)", b.kpi),
            )],
        ));
    }
}

/// Categories by id: names and descriptions are documentation.
pub fn categories(o: &Catalog, n: &Catalog, out: &mut Vec<Change>) {
    for c in n.categories.values() {
        let Some(w) = o.categories.get(&c.id) else {
            out.push(change(
                ItemKind::Category,
                &c.id,
                Status::Added,
                None,
                vec![detail(Class::Documentation, "added".into())],
            ));
            continue;
        };
        let mut details = Vec::new();
        if w.name != c.name {
            details.push(detail(
                Class::Documentation,
                format!("name: \"{}\" → \"{}\"", w.name, c.name),
            ));
        }
        if w.description != c.description {
            details.push(detail(Class::Documentation, "description changed".into()));
        }
        out.push(change(
            ItemKind::Category,
            &c.id,
            Status::Changed,
            None,
            details,
        ));
    }
    for c in o
        .categories
        .values()
        .filter(|c| !n.categories.contains_key(&c.id))
    {
        out.push(change(
            ItemKind::Category,
            &c.id,
            Status::Removed,
            None,
            vec![detail(Class::Documentation, "removed".into())],
        ));
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or("none".into(), |v| v.to_string())
}

fn text(v: &Option<String>) -> String {
    v.as_ref().map_or("none".into(), |s| format!("\"{s}\""))
}
