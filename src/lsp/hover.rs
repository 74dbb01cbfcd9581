//! Hover: a KPI's or measure's name, unit, direction, type and definition; a table's
//! columns; a column's declared type; a function's or aggregate's signature and doc
//! (from the vocabulary); a field's doc (from the item kinds' table).

use super::locate::{self, Target};
use super::workspace::Workspace;
use crate::ir::{Catalog, ColumnDef, KpiDef, MeasureDef, TableDef};
use crate::vocab;
use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

/// The hover of the word under the cursor, if it names something.
pub fn hover(ws: &Workspace, p: HoverParams) -> Option<Hover> {
    let at = p.text_document_position_params;
    let i = ws.doc_index(&at.text_document.uri)?;
    let doc = &ws.docs[i];
    let offset = doc.lines.offset(doc.text(), at.position);
    let target = locate::at(ws.ast(i), offset)?;
    let text = describe(&ws.catalog, &target)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(doc.lines.range(doc.text(), target.span().range())),
    })
}

/// The Markdown shown for a target.
fn describe(catalog: &Catalog, target: &Target) -> Option<String> {
    match *target {
        Target::Name(name) | Target::ItemName(name) => named(catalog, &name.name),
        Target::Column {
            table,
            hops,
            column,
        } => {
            let mut at = catalog.tables.get(&table.name)?;
            for hop in hops {
                at = catalog.tables.get(relation_target(at, &hop.name)?)?;
            }
            // The last word may itself be a relation followed no further.
            let def = at.columns.get(&column.name);
            match def {
                Some(def) => Some(column_text(at, def)),
                None => {
                    let target = relation_target(at, &column.name)?;
                    Some(format!(
                        "relation `{}.{}` → table `{target}`",
                        at.name, column.name
                    ))
                }
            }
        }
        Target::ColumnDecl { table, column } => {
            let t = catalog.tables.get(&table.name)?;
            Some(column_text(t, t.columns.get(&column.name.name)?))
        }
        Target::Call(name) => call(&name.name),
        Target::Field { keyword, field } => field_doc(keyword, &field.name),
    }
}

/// The table a relation of `table` (a relation column or a relation on several
/// columns) points to.
fn relation_target<'c>(table: &'c TableDef, name: &str) -> Option<&'c str> {
    table
        .columns
        .get(name)
        .and_then(|c| c.relation.as_deref())
        .or_else(|| {
            table
                .relations
                .iter()
                .find(|r| r.name == name)
                .map(|r| r.target.as_str())
        })
}

/// A KPI, measure, table or category by name.
fn named(catalog: &Catalog, name: &str) -> Option<String> {
    if let Some(k) = catalog.kpis.get(name) {
        return Some(kpi_text(catalog, k));
    }
    if let Some(m) = catalog.measures.get(name) {
        return Some(measure_text(m));
    }
    if let Some(t) = catalog.tables.get(name) {
        let mut out = format!("table `{}`\n\n", t.name);
        for c in t.columns.values() {
            out.push_str(&format!("- `{}`: {}\n", c.name, column_facts(c)));
        }
        return Some(out);
    }
    if let Some(c) = catalog.categories.get(name) {
        let mut out = format!("category `{}`: **{}**", c.id, c.name);
        if let Some(d) = &c.description {
            out.push_str(&format!("\n\n{d}"));
        }
        return Some(out);
    }
    None
}

fn kpi_text(catalog: &Catalog, k: &KpiDef) -> String {
    let category = catalog
        .categories
        .get(&k.category)
        .map_or(k.category.as_str(), |c| c.name.as_str());
    let mut out = format!(
        "**{}** — kpi `{}`\n\nunit: {} · better: {} · category: {} · type: {}",
        k.name,
        k.id,
        k.unit.as_str(),
        k.better.as_str(),
        category,
        k.formula.ty.describe()
    );
    if let Some(def) = &k.docs.definition {
        out.push_str(&format!("\n\n{}", def.trim()));
    }
    out.push_str(&format!("\n\n```kpi\n{}\n```", k.formula_source.trim()));
    out
}

fn measure_text(m: &MeasureDef) -> String {
    let mut out = format!("measure `{}`\n\n", m.id);
    if let Some(unit) = m.unit {
        out.push_str(&format!("unit: {} · ", unit.as_str()));
    }
    out.push_str(&format!("type: {}", m.formula.ty.describe()));
    if let Some(d) = &m.description {
        out.push_str(&format!("\n\n{}", d.trim()));
    }
    out.push_str(&format!("\n\n```kpi\n{}\n```", m.formula_source.trim()));
    out
}

/// `money`, `text, key`, `text → accounts`, ...
fn column_facts(c: &ColumnDef) -> String {
    let mut facts = vec![c.ty.as_str().to_string()];
    for (on, word) in [
        (c.key, "key"),
        (c.time, "time"),
        (c.dimension, "dimension"),
        (c.optional, "optional"),
    ] {
        if on {
            facts.push(word.to_string());
        }
    }
    if let Some(r) = &c.relation {
        facts.push(format!("→ {r}"));
    }
    facts.join(", ")
}

fn column_text(t: &TableDef, c: &ColumnDef) -> String {
    format!(
        "column `{}.{}`: {}\n\nvalue type: {}",
        t.name,
        c.name,
        column_facts(c),
        c.value_type.describe()
    )
}

/// A function's or aggregate's signature and doc.
fn call(name: &str) -> Option<String> {
    if let Some(a) = vocab::aggregate(name) {
        return Some(format!(
            "```kpi\n{}\n```\naggregate: {}\n\n{}",
            a.signature(),
            a.doc,
            vocab::aggregates::CLAUSES
        ));
    }
    let f = vocab::function(name)?;
    Some(format!(
        "```kpi\n{}\n```\nfunction: {}",
        f.signature(),
        f.doc
    ))
}

/// A field's doc from the item kinds' table (or the documentation attributes).
fn field_doc(keyword: &str, name: &str) -> Option<String> {
    let kind = vocab::ITEM_KINDS.iter().find(|k| k.keyword == keyword)?;
    if let Some(f) = kind.fields.iter().find(|f| f.name == name) {
        let required = if f.required { "required" } else { "optional" };
        return Some(format!(
            "`{}` of a {keyword} ({required}): {}",
            f.name, f.doc
        ));
    }
    let a = vocab::attribute(name).filter(|_| kind.documented)?;
    Some(format!(
        "`{}` — {} ({}): {}",
        a.field,
        a.heading,
        a.shape.describe(),
        a.doc
    ))
}
