//! `kpic list`: one line per KPI, filtered by category, tag or unit.

use super::OK;
use super::catalog_args::{self, Filters, category_name, direction};
use kpic::ir::KpiDef;
use serde::Serialize;
use std::path::PathBuf;

/// Output formats of `kpic list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table with a header line.
    Table,
    /// A JSON array with one object per KPI.
    Json,
}

/// Arguments of `kpic list`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders of `.kpi` files (default: the project's, else `kpis/`).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub source: super::project_args::CatalogFlags,
    #[command(flatten)]
    pub filters: Filters,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// One KPI in `kpic list --format json`.
#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    name: &'a str,
    category: &'a str,
    category_name: &'a str,
    unit: &'a str,
    better: &'a str,
    cadence: Option<&'a str>,
    tags: &'a [String],
}

/// Runs `kpic list`.
pub fn run(args: Args) -> u8 {
    let catalog = match catalog_args::load(args.paths, &args.source) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let kpis = match args.filters.apply(&catalog) {
        Ok(k) => k,
        Err(code) => return code,
    };
    match args.format {
        Format::Json => {
            let entries: Vec<Entry> = kpis
                .iter()
                .map(|k| Entry {
                    id: &k.id,
                    name: &k.name,
                    category: &k.category,
                    category_name: category_name(&catalog, k),
                    unit: k.unit.as_str(),
                    better: direction(k.better),
                    cadence: catalog_args::cadence(k.cadence),
                    tags: &k.tags,
                })
                .collect();
            let json = serde_json::to_string_pretty(&entries).expect("plain data serializes");
            catalog_args::emit(&format!("{json}\n"))
        }
        Format::Table if kpis.is_empty() => {
            eprintln!("no KPI matches the filters");
            OK
        }
        Format::Table => catalog_args::emit(&table(&kpis)),
    }
}

/// The aligned table: a header line, then one line per KPI.
fn table(kpis: &[&KpiDef]) -> String {
    let rows: Vec<[&str; 5]> = kpis
        .iter()
        .map(|k| {
            [
                k.id.as_str(),
                k.name.as_str(),
                k.category.as_str(),
                k.unit.as_str(),
                direction(k.better),
            ]
        })
        .collect();
    let header = ["ID", "NAME", "CATEGORY", "UNIT", "BETTER"];
    let rows = rows
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    kpic::render::table::aligned(
        &header,
        rows,
        |_| false,
        kpic::render::table::stdout_width(),
    )
}
