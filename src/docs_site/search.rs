//! The client-side search's index: one entry per KPI (name, id, category, the first
//! sentence of its definition, and the words of every attribute), embedded in the
//! index page as JSON that `assets/search.js` reads; no request is made.

use super::Ctx;
use super::html;
use crate::ir::DocValue;
use serde::Serialize;

/// One KPI as the search sees it.
#[derive(Debug, Serialize)]
struct Entry<'a> {
    id: &'a str,
    name: &'a str,
    category: &'a str,
    /// The page, relative to the index.
    url: String,
    /// The first sentence of the definition.
    summary: String,
    /// Every attribute, the tags and the formula, lower-cased, for matching.
    text: String,
}

/// The entries of every KPI, in catalog order.
fn entries<'a>(ctx: &'a Ctx) -> Vec<Entry<'a>> {
    ctx.catalog
        .kpis
        .values()
        .map(|k| {
            let mut text = vec![k.formula_source.clone(), k.tags.join(" ")];
            for (_, value) in k.docs.iter() {
                match value {
                    DocValue::Text(t) => text.extend(t.map(str::to_string)),
                    DocValue::List(items) => text.extend(items.iter().cloned()),
                }
            }
            Entry {
                id: &k.id,
                name: &k.name,
                category: ctx
                    .catalog
                    .categories
                    .get(&k.category)
                    .map_or(k.category.as_str(), |c| c.name.as_str()),
                url: html::kpi_path(&k.id),
                summary: super::pages::summary(k),
                text: text.join(" ").to_lowercase(),
            }
        })
        .collect()
}

/// The index as a `<script type="application/json">` element. Inside a script element
/// only `</script` could end it early: every `<`, `>` and `&` is written as a JSON
/// `\u` escape, which `JSON.parse` reads back as the same character.
pub fn embedded(ctx: &Ctx) -> String {
    let json = serde_json::to_string(&entries(ctx)).unwrap_or_else(|_| "[]".into());
    let safe = json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    format!("<script type=\"application/json\" id=\"search-index\">{safe}</script>\n")
}
