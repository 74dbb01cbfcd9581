//! The pages besides a KPI's: the index (search, the top 12, every KPI by category,
//! measures and tables), one page per category, per measure and per table.

use super::graph::{self, Node};
use super::html::{self, esc, link};
use super::kpi_page::kpi_item;
use super::{Ctx, TOP_TAG, formula, search};
use crate::ir::{CategoryDef, KpiDef, MeasureDef, TableDef};
use std::fmt::Write;

/// Pages of items are one folder down from the root.
const ROOT: &str = "../";

/// The first sentence of a KPI's definition, for lists.
pub(super) fn summary(kpi: &KpiDef) -> String {
    let text = html::paragraphs(kpi.docs.definition.as_deref().unwrap_or(""))
        .into_iter()
        .next()
        .unwrap_or_default();
    match text.find(". ") {
        Some(end) => text[..=end].to_string(),
        None => text,
    }
}

/// A KPI as a list item linked from a page at `root`: name, id and summary.
fn kpi_entry(root: &str, kpi: &KpiDef) -> String {
    format!(
        "{} <code>{}</code><br><span class=\"summary\">{}</span>",
        link(root, &html::kpi_path(&kpi.id), &kpi.name),
        esc(&kpi.id),
        esc(&summary(kpi))
    )
}

/// The KPIs of a category, in catalog order.
fn in_category<'c>(ctx: &'c Ctx, id: &str) -> Vec<&'c KpiDef> {
    ctx.catalog
        .kpis
        .values()
        .filter(|k| k.category == id)
        .collect()
}

/// The index: search box and results, the top 12, every KPI by category, and the
/// measures and tables.
pub fn index(ctx: &Ctx) -> String {
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<h1>KPI catalog</h1>\n<p>{} KPIs in {} categories, {} measures, {} tables.</p>",
        ctx.catalog.kpis.len(),
        ctx.catalog.categories.len(),
        ctx.catalog.measures.len(),
        ctx.catalog.tables.len()
    );
    b.push_str(
        "<section id=\"search\">\n<h2>Search</h2>\n\
         <input id=\"q\" type=\"search\" placeholder=\"A word of a KPI's name or attributes\" aria-label=\"Search KPIs\">\n\
         <p id=\"search-status\" class=\"missing\"></p>\n<ol id=\"results\"></ol>\n</section>\n",
    );
    let top: Vec<String> = ctx
        .catalog
        .kpis
        .values()
        .filter(|k| k.tags.iter().any(|t| t == TOP_TAG))
        .map(|k| kpi_entry("", k))
        .collect();
    let _ = writeln!(
        b,
        "<section id=\"top12\">\n<h2>The top 12</h2>\n<p>KPIs tagged <code>{TOP_TAG}</code>: the twelve most important.</p>"
    );
    b.push_str(&html::list(&top, "No KPI is tagged top12."));
    b.push_str("</section>\n<section id=\"all\">\n<h2>All KPIs by category</h2>\n");
    for c in ctx.catalog.categories.values() {
        let kpis: Vec<String> = in_category(ctx, &c.id)
            .into_iter()
            .map(|k| kpi_entry("", k))
            .collect();
        let _ = writeln!(
            b,
            "<h3>{}</h3>",
            link("", &html::category_path(&c.id), &c.name)
        );
        b.push_str(&html::list(&kpis, "No KPI."));
    }
    // KPIs of a category the catalog does not declare (only in a catalog with errors).
    let orphans: Vec<String> = ctx
        .catalog
        .kpis
        .values()
        .filter(|k| !ctx.catalog.categories.contains_key(&k.category))
        .map(|k| kpi_entry("", k))
        .collect();
    if !orphans.is_empty() {
        b.push_str("<h3>Without a declared category</h3>\n");
        b.push_str(&html::list(&orphans, ""));
    }
    b.push_str("</section>\n<section id=\"measures\">\n<h2>Measures</h2>\n");
    let measures: Vec<String> = ctx
        .catalog
        .measures
        .keys()
        .map(|id| link("", &html::measure_path(id), id))
        .collect();
    b.push_str(&html::list(&measures, "No measure."));
    b.push_str("</section>\n<section id=\"tables\">\n<h2>Tables</h2>\n");
    let tables: Vec<String> = ctx
        .catalog
        .tables
        .keys()
        .map(|t| link("", &html::table_path(t), t))
        .collect();
    b.push_str(&html::list(&tables, "No table."));
    b.push_str("</section>\n");
    b.push_str(&search::embedded(ctx));
    b.push_str("<script src=\"search.js\"></script>\n");
    html::page("", "Index", &b)
}

/// A category's page: its description and its KPIs.
pub fn category(ctx: &Ctx, c: &CategoryDef) -> String {
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<h1>{}</h1>\n<p class=\"id\">Category <code>{}</code></p>",
        esc(&c.name),
        esc(&c.id)
    );
    b.push_str(&html::text_block(c.description.as_deref()));
    let kpis: Vec<String> = in_category(ctx, &c.id)
        .into_iter()
        .map(|k| kpi_entry(ROOT, k))
        .collect();
    b.push_str("<h2>KPIs</h2>\n");
    b.push_str(&html::list(&kpis, "No KPI in this category."));
    html::page(ROOT, &c.name, &b)
}

/// A measure's page: unit, description, formula, graph, what it uses and what uses it.
pub fn measure(ctx: &Ctx, m: &MeasureDef) -> String {
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<h1>{}</h1>\n<p class=\"id\">Measure</p>\n<dl class=\"facts\">\n<dt>Unit</dt><dd>{}</dd>\n</dl>",
        esc(&m.id),
        esc(m.unit.map_or("not declared", |u| u.as_str()))
    );
    if let Some(d) = &m.description {
        b.push_str(&html::text_block(Some(d)));
    }
    let _ = writeln!(
        b,
        "<h2>Formula</h2>\n<pre class=\"formula\">{}</pre>",
        formula::linked(
            &ctx.checked.sources,
            ctx.catalog,
            &ctx.names,
            m.formula.span,
            ROOT
        )
    );
    let focus = Node::Measure(m.id.clone());
    b.push_str("<h2>Dependencies</h2>\n");
    b.push_str(&graph::svg(ctx, &focus, ROOT));
    let users: Vec<String> = ctx.users(&m.id).iter().map(|u| kpi_item(ctx, u)).collect();
    b.push_str("<h3>Used in the formulas of</h3>\n");
    b.push_str(&html::list(&users, "No measure or KPI."));
    html::page(ROOT, &format!("measure {}", m.id), &b)
}

/// A table's page: its columns (each with an anchor formulas link to), relations, and
/// the measures and KPIs that aggregate it directly.
pub fn table(ctx: &Ctx, t: &TableDef) -> String {
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<h1>{}</h1>\n<p class=\"id\">Table{}</p>",
        esc(&t.name),
        t.time_column
            .as_deref()
            .map(|c| format!(", filtered to the period by <code>{}</code>", esc(c)))
            .unwrap_or_default()
    );
    b.push_str("<table class=\"columns\">\n<thead><tr><th>Column</th><th>Type</th><th>Role</th></tr></thead>\n<tbody>\n");
    for c in t.columns.values() {
        let mut roles = Vec::new();
        for (flag, word) in [
            (c.key, "key"),
            (c.time, "time"),
            (c.dimension, "dimension"),
            (c.optional, "optional"),
        ] {
            if flag {
                roles.push(word.to_string());
            }
        }
        if let Some(r) = &c.relation {
            let target = if ctx.catalog.tables.contains_key(r) {
                link(ROOT, &html::table_path(r), r)
            } else {
                esc(r)
            };
            roles.push(format!("→ {target}"));
        }
        let _ = writeln!(
            b,
            "<tr id=\"col-{}\"><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            html::slug(&c.name),
            esc(&c.name),
            c.ty.as_str(),
            roles.join(", ")
        );
    }
    b.push_str("</tbody>\n</table>\n");
    if !t.relations.is_empty() {
        b.push_str("<h2>Relations on several columns</h2>\n");
        let items: Vec<String> = t
            .relations
            .iter()
            .map(|r| {
                format!(
                    "<code>{} ({})</code> → {} <code>({})</code>",
                    esc(&r.name),
                    esc(&r.columns.join(", ")),
                    if ctx.catalog.tables.contains_key(&r.target) {
                        link(ROOT, &html::table_path(&r.target), &r.target)
                    } else {
                        esc(&r.target)
                    },
                    esc(&r.target_columns.join(", "))
                )
            })
            .collect();
        b.push_str(&html::list(&items, ""));
    }
    let readers: Vec<String> = ctx
        .catalog
        .measures
        .values()
        .map(|m| (&m.id, &m.formula))
        .chain(ctx.catalog.kpis.values().map(|k| (&k.id, &k.formula)))
        .filter(|(_, f)| f.tables_read().contains(&t.name))
        .map(|(id, _)| kpi_item(ctx, id))
        .collect();
    b.push_str("<h2>Aggregated directly by</h2>\n");
    b.push_str(&html::list(&readers, "No measure or KPI."));
    html::page(ROOT, &format!("table {}", t.name), &b)
}
