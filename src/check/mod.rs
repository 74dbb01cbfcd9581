//! Checking: typed AST in, resolved and checked [`Catalog`] plus diagnostics out.
//!
//! The stages, in order: declare tables and categories; gather measures and KPIs into
//! one namespace; order them by dependency (cycles reported); type each formula with
//! the types of what it refers to already known; lower the remaining fields; lint the
//! documentation. Every stage reports and goes on, so one run finds every problem.

mod benchmarks;
mod docs;
mod fields;
mod graph;
mod items;
mod rules;
mod sample;
mod tables;
mod target_items;
mod targets;
mod typing;
mod units;

use crate::diagnostic::{Code, Diagnostic, closest, mean};
use crate::ir::Catalog;
use crate::source::SourceMap;
use crate::syntax::ast::{Block, Expr, ExprKind, File, Item, Table};
use crate::vocab::ItemKind;
use indexmap::IndexMap;
use rayon::prelude::*;

/// The checker's own hash maps use foldhash: much faster than the standard SipHash on
/// short names, and none of these maps decides an order (`IndexMap` keeps insertion
/// order, and "did you mean" breaks ties by name).
type FastState = foldhash::fast::RandomState;
type Map<K, V> = std::collections::HashMap<K, V, FastState>;
type Set<T> = std::collections::HashSet<T, FastState>;
type OrderedMap<K, V> = IndexMap<K, V, FastState>;

/// Checks parsed files as one catalog.
pub fn check(sources: &SourceMap, files: &[File]) -> (Catalog, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut catalog = Catalog::default();

    let mut table_items: Vec<&Table> = Vec::new();
    let mut blocks: IndexMap<ItemKind, Vec<&Block>> = IndexMap::new();
    for item in files.iter().flat_map(|f| &f.items) {
        match item {
            Item::Table(t) => table_items.push(t),
            Item::Block(b) if let Some(kind) = ItemKind::from_keyword(&b.kind.name) => {
                blocks.entry(kind).or_default().push(b)
            }
            Item::Block(b) => {
                let close = closest(&b.kind.name, ItemKind::keywords());
                let hint = close.as_deref().map(mean).unwrap_or_else(|| {
                    format!(
                        "items are: {}",
                        ItemKind::keywords().collect::<Vec<_>>().join(", ")
                    )
                });
                diags.push(
                    Diagnostic::error(
                        Code::UnknownItem,
                        b.kind.span,
                        format!("unknown item kind `{}`", b.kind.name),
                    )
                    .label("not an item kind")
                    .help(hint)
                    .fix_name(b.kind.span, close.as_deref()),
                );
            }
        }
    }
    let blocks_of = |kind: ItemKind| blocks.get(&kind).cloned().unwrap_or_default();

    // Tables.
    for t in &table_items {
        let def = tables::lower_table(t, &mut diags);
        if let Some(first) = catalog.tables.get(&def.name) {
            diags.push(duplicate(
                ItemKind::Table.keyword(),
                &def.name,
                def.span,
                first.span,
            ));
            continue;
        }
        catalog.tables.insert(def.name.clone(), def);
    }
    tables::check_relations(&catalog.tables, &table_items, &mut diags);

    // Categories.
    for b in blocks_of(ItemKind::Category) {
        if let Some(def) = items::lower_category(b, &mut diags) {
            if let Some(first) = catalog.categories.get(&def.id) {
                diags.push(duplicate(
                    ItemKind::Category.keyword(),
                    &def.id,
                    def.span,
                    first.span,
                ));
                continue;
            }
            catalog.categories.insert(def.id.clone(), def);
        }
    }

    // Measures and KPIs share one namespace: formulas name both bare.
    let mut formulas: OrderedMap<String, &Block> = OrderedMap::default();
    for b in blocks_of(ItemKind::Measure)
        .into_iter()
        .chain(blocks_of(ItemKind::Kpi))
    {
        if let Some(first) = formulas.get(&b.name.name) {
            diags.push(duplicate(
                &b.kind.name,
                &b.name.name,
                b.name.span,
                first.name.span,
            ));
            continue;
        }
        formulas.insert(b.name.name.clone(), b);
    }
    // The names each formula refers to, gathered in parallel (a walk over every
    // formula's tree).
    let blocks: Vec<&Block> = formulas.values().copied().collect();
    let refs: Vec<graph::Node> = blocks
        .par_iter()
        .map(|b| {
            let mut refs = Vec::new();
            if let Some(expr) = formula_expr(b) {
                bare_names(expr, &catalog.tables, &mut refs);
            }
            graph::Node {
                name_span: b.name.span,
                refs,
            }
        })
        .collect();
    let nodes: OrderedMap<String, graph::Node> = formulas.keys().cloned().zip(refs).collect();
    let ordered = graph::order(&nodes, &mut diags);
    catalog.order = ordered.order.clone();

    // Formulas, in dependency order, then the rest of each item.
    let declared: Set<String> = formulas.keys().cloned().collect();
    let mut values: Map<String, typing::ValueInfo> = Map::default();
    let kpi_ids: Set<&str> = blocks_of(ItemKind::Kpi)
        .iter()
        .map(|b| b.name.name.as_str())
        .collect();
    // Formulas of one dependency level only refer to earlier levels, so each level
    // is typed in parallel; cycle members come last, as one level.
    let mut level: Map<&str, usize> = Map::default();
    let mut levels: Vec<Vec<&String>> = Vec::new();
    for name in &ordered.order {
        let l = nodes[name.as_str()]
            .refs
            .iter()
            .filter_map(|(r, _)| level.get(r).map(|l| l + 1))
            .max()
            .unwrap_or(0);
        level.insert(name, l);
        if levels.len() <= l {
            levels.resize(l + 1, Vec::new());
        }
        levels[l].push(name);
    }
    levels.push(ordered.cyclic.iter().collect());
    let cyclic_level = levels.len() - 1;
    // KPIs by declaration position, so the catalog lists them in declaration order.
    let mut kpi_slots: Vec<Option<crate::ir::KpiDef>> = Vec::new();
    kpi_slots.resize_with(formulas.len(), || None);
    for (l, names) in levels.iter().enumerate() {
        let env = typing::Env {
            tables: &catalog.tables,
            values: &values,
            declared: &declared,
            sources,
        };
        let lowered: Vec<(Option<items::Lowered>, Vec<Diagnostic>)> = names
            .par_iter()
            .map(|name| {
                let mut item_diags = Vec::new();
                let lowered = formulas.get(*name).and_then(|block| {
                    items::lower_formula_item(
                        block,
                        &env,
                        &catalog,
                        &kpi_ids,
                        sources,
                        &mut item_diags,
                    )
                });
                (lowered, item_diags)
            })
            .collect();
        for (name, (lowered, item_diags)) in names.iter().zip(lowered) {
            diags.extend(item_diags);
            let Some(lowered) = lowered else { continue };
            if l != cyclic_level {
                values.insert((*name).clone(), lowered.info);
            }
            match lowered.def {
                items::FormulaDef::Measure(m) => {
                    catalog.measures.insert(m.id.clone(), m);
                }
                items::FormulaDef::Kpi(k) => {
                    if let Some(slot) = formulas
                        .get_index_of(name.as_str())
                        .and_then(|i| kpi_slots.get_mut(i))
                    {
                        *slot = Some(*k);
                    }
                }
                items::FormulaDef::None => {}
            }
        }
    }
    catalog.kpis.reserve(formulas.len());
    for kpi in kpi_slots.into_iter().flatten() {
        catalog.kpis.insert(kpi.id.clone(), kpi);
    }
    sample::lint_min_sample(&catalog, &blocks_of(ItemKind::Kpi), &mut diags);

    // Benchmarks.
    let mut bench_ids: Map<String, crate::source::Span> = Map::default();
    for b in blocks_of(ItemKind::Benchmark) {
        if let Some(first) = bench_ids.get(&b.name.name) {
            diags.push(duplicate(
                ItemKind::Benchmark.keyword(),
                &b.name.name,
                b.name.span,
                *first,
            ));
            continue;
        }
        bench_ids.insert(b.name.name.clone(), b.name.span);
        if let Some(def) = benchmarks::lower_benchmark(b, &catalog, &kpi_ids, &mut diags) {
            catalog.benchmarks.push(def);
        }
    }

    // Target items, once every KPI is known: each gives one KPI its target.
    let mut target_ids: Map<String, crate::source::Span> = Map::default();
    let mut target_items = Vec::new();
    for b in blocks_of(ItemKind::Target) {
        if let Some(first) = target_ids.get(&b.name.name) {
            diags.push(duplicate(
                ItemKind::Target.keyword(),
                &b.name.name,
                b.name.span,
                *first,
            ));
            continue;
        }
        target_ids.insert(b.name.name.clone(), b.name.span);
        target_items.push(b);
    }
    let env = typing::Env {
        tables: &catalog.tables,
        values: &values,
        declared: &declared,
        sources,
    };
    let attached = target_items::lower_target_items(
        &target_items,
        &blocks_of(ItemKind::Kpi),
        &env,
        &catalog,
        sources,
        &mut diags,
    );
    for a in attached {
        if let Some(kpi) = catalog.kpis.get_mut(&a.kpi) {
            kpi.target = Some(a.target);
            kpi.status = a.status;
        }
    }

    // Rules, once every KPI is known: they read KPI values only.
    let env = typing::Env {
        tables: &catalog.tables,
        values: &values,
        declared: &declared,
        sources,
    };
    let lowered = rules::lower_rules(&blocks_of(ItemKind::Rule), &env, &catalog, &mut diags);
    catalog.rules = lowered;

    crate::diagnostic::sort(&mut diags);
    (catalog, diags)
}

fn duplicate(
    kind: &str,
    name: &str,
    span: crate::source::Span,
    first: crate::source::Span,
) -> Diagnostic {
    Diagnostic::error(
        Code::Duplicate,
        span,
        format!("{kind} `{name}` is defined more than once"),
    )
    .label("defined again here")
    .with(first, "first defined here")
    .help("ids are unique across the catalog (KPIs and measures share one namespace); rename one")
}

fn formula_expr(b: &Block) -> Option<&Expr> {
    b.fields
        .iter()
        .find(|f| f.name.name == "formula")
        .and_then(|f| match &f.value {
            crate::syntax::ast::Value::Expr(e) => Some(e),
            _ => None,
        })
}

/// Bare names (candidate measure/KPI references) in an expression, with spans. A
/// table named in a table position (`count(orders)`, see [`typing::counted_table`])
/// is no reference: tables and KPIs are separate namespaces there, so a KPI named
/// `orders` that counts the table `orders` does not depend on itself.
fn bare_names<'a>(
    e: &'a Expr,
    tables: &IndexMap<String, crate::ir::TableDef>,
    out: &mut Vec<(&'a str, crate::source::Span)>,
) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Path {
                head, member: None, ..
            } => out.push((head.name.as_str(), head.span)),
            ExprKind::Call { name, args, .. }
                if typing::counted_table(&name.name, args, tables).is_some() =>
            {
                // The table argument is skipped; a filter or other argument is not.
                let rest: Vec<&Expr> = e.children().skip(1).collect();
                stack.extend(rest.into_iter().rev());
                continue;
            }
            _ => {}
        }
        stack.extend(e.children().rev());
    }
}
