//! `kpic docs`: the checked catalog as a static site that works offline — one page per
//! KPI, measure, table and category, an index with the top 12 and a client-side search.
//!
//! Pure: [`build`] turns a [`Checked`] catalog into files in memory ([`Site`]); only
//! [`Site::write`] touches the disk. Every text from the catalog goes through
//! [`crate::render::escape::html`] (see `html.rs`), and only `http(s)` URLs become links.
//!
//! One concept per file: `html.rs` (escaping, paths, the page shell), `kpi_page.rs`,
//! `pages.rs` (index, categories, measures, tables), `formula.rs` (a formula's source
//! with every name linked, from [`crate::names::Index`]), `graph.rs` (the dependency
//! graph, laid out here as inline SVG), `search.rs` (the embedded search index),
//! `rules.rs` (where the rules that mention a KPI plug in), `assets/` (the one CSS
//! file and the search script, embedded in the binary).

mod formula;
mod graph;
mod html;
mod kpi_page;
mod pages;
mod rules;
mod search;

use crate::Checked;
use crate::ir::Catalog;
use crate::names::Index;
use std::collections::HashMap;
use std::path::Path;

/// The tag that marks the catalog's twelve most important KPIs (shown first on the index).
pub const TOP_TAG: &str = "top12";

/// A generated site: files with their contents, in memory.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// Each file's path relative to the site's folder (`/`-separated) and its contents.
    pub files: Vec<(String, String)>,
}

impl Site {
    /// The contents of the file at `path` (relative, `/`-separated), if the site has it.
    pub fn file(&self, path: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, c)| c.as_str())
    }

    /// Writes every file under `dir` (created if absent; files already there and not
    /// part of the site are left alone).
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        for (path, contents) in &self.files {
            let target = dir.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&target, contents)?;
        }
        Ok(())
    }
}

/// What every page reads: the catalog, the names of its source, who uses what.
pub(crate) struct Ctx<'a> {
    pub checked: &'a Checked,
    pub catalog: &'a Catalog,
    /// Every name in the source with what it resolves to, by file, sorted by start.
    pub names: formula::Names,
    /// For each measure or KPI id: the measures and KPIs whose formula names it
    /// directly, in catalog order (built once: a page per KPI must not scan them all).
    pub used_by: HashMap<String, Vec<String>>,
    /// For each KPI id: the KPIs whose `affects` list names it, in catalog order.
    pub affected_by: HashMap<String, Vec<String>>,
}

impl<'a> Ctx<'a> {
    fn new(checked: &'a Checked) -> Ctx<'a> {
        let catalog = &checked.catalog;
        // The name index is built from syntax trees, which a check does not keep:
        // parsing again costs little next to writing the pages.
        let files: Vec<_> = checked
            .sources
            .iter()
            .map(|(id, f)| crate::syntax::parse_file(id, &f.text).0)
            .collect();
        let index = Index::build(&checked.sources, &files, catalog);
        let mut used_by: HashMap<String, Vec<String>> = HashMap::new();
        let users = catalog
            .measures
            .values()
            .map(|m| (&m.id, &m.depends_on))
            .chain(catalog.kpis.values().map(|k| (&k.id, &k.depends_on)));
        for (id, deps) in users {
            for d in deps {
                let list = used_by.entry(d.clone()).or_default();
                if !list.contains(id) {
                    list.push(id.clone());
                }
            }
        }
        let mut affected_by: HashMap<String, Vec<String>> = HashMap::new();
        for k in catalog.kpis.values() {
            for a in k.docs.list(crate::vocab::Attribute::Affects) {
                affected_by.entry(a.clone()).or_default().push(k.id.clone());
            }
        }
        Ctx {
            checked,
            catalog,
            names: formula::Names::new(&index),
            used_by,
            affected_by,
        }
    }

    /// The measures and KPIs whose formula names `id` directly.
    pub fn users(&self, id: &str) -> &[String] {
        self.used_by.get(id).map_or(&[], Vec::as_slice)
    }
}

/// Builds the whole site of a checked catalog. A catalog with errors still gives a
/// site (what was checked); the CLI refuses such catalogs before getting here.
pub fn build(checked: &Checked) -> Site {
    let ctx = Ctx::new(checked);
    let mut site = Site::default();
    site.files
        .push(("style.css".into(), include_str!("assets/style.css").into()));
    site.files
        .push(("search.js".into(), include_str!("assets/search.js").into()));
    site.files.push(("index.html".into(), pages::index(&ctx)));
    for kpi in ctx.catalog.kpis.values() {
        site.files
            .push((html::kpi_path(&kpi.id), kpi_page::render(&ctx, kpi)));
    }
    for c in ctx.catalog.categories.values() {
        site.files
            .push((html::category_path(&c.id), pages::category(&ctx, c)));
    }
    for m in ctx.catalog.measures.values() {
        site.files
            .push((html::measure_path(&m.id), pages::measure(&ctx, m)));
    }
    for t in ctx.catalog.tables.values() {
        site.files
            .push((html::table_path(&t.name), pages::table(&ctx, t)));
    }
    site
}
