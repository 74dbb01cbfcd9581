//! `kpic export`: the catalog as CSV (for spreadsheets) or JSON, one row per KPI.
//!
//! Text attributes are exported as paragraphs (the lines of each paragraph joined,
//! paragraphs separated by a blank line). In CSV, lists are joined with newlines inside
//! the cell; in JSON they stay arrays. CSV is RFC 4180 (every field quoted when needed,
//! CRLF between records) with a UTF-8 byte-order mark so that spreadsheet programs read
//! the text as UTF-8 (`--no-bom` leaves it out).

use super::catalog_args::{self, Filters, attributes, category_name, plural};
use super::{OK, usage_error};
use indexmap::IndexMap;
use kpic::Catalog;
use kpic::ir::{DocValue, KpiDef};
use kpic::vocab::ATTRIBUTES;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;

/// Output formats of `kpic export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values, one row per KPI, with a header row.
    Csv,
    /// A JSON array with one object per KPI.
    Json,
}

/// Arguments of `kpic export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders of `.kpi` files (default: the project's, else `kpis/`).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub source: super::project_args::CatalogFlags,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Format,
    #[command(flatten)]
    pub filters: Filters,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// CSV only: leave out the UTF-8 byte-order mark.
    #[arg(long)]
    pub no_bom: bool,
}

/// The columns before the documentation attributes, in order.
const LEADING_COLUMNS: &[&str] = &[
    "id",
    "name",
    "category",
    "category_name",
    "unit",
    "direction",
    "cadence",
    "tags",
    "breakdown",
    "formula",
];

/// The columns, in order: the leading ones, then every documentation attribute by its
/// field name (the JSON objects have the same keys).
fn columns() -> Vec<&'static str> {
    LEADING_COLUMNS
        .iter()
        .copied()
        .chain(ATTRIBUTES.iter().map(|a| a.field))
        .collect()
}

/// One exported cell: a text or a list.
enum Cell {
    Text(String),
    List(Vec<String>),
    Missing,
}

/// Runs `kpic export`.
pub fn run(args: Args) -> u8 {
    let catalog = match catalog_args::load(args.paths, &args.source) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let kpis = match args.filters.apply(&catalog) {
        Ok(k) => k,
        Err(code) => return code,
    };
    let rows: Vec<Vec<Cell>> = kpis.iter().map(|k| row(&catalog, k)).collect();
    let bytes = match args.format {
        Format::Csv => csv_bytes(&rows, !args.no_bom),
        Format::Json => json_bytes(&rows),
    };
    let written = match &args.output {
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes).and_then(|()| stdout.flush())
        }
        Some(path) => std::fs::write(path, &bytes),
    };
    match (written, &args.output) {
        (Err(e), Some(path)) => usage_error(format!("{}: cannot write: {e}", path.display())),
        // A closed pipe (e.g. `| head`) is not an error worth reporting.
        (Err(e), None) if e.kind() == std::io::ErrorKind::BrokenPipe => OK,
        (Err(e), None) => usage_error(format!("cannot write to standard output: {e}")),
        (Ok(()), Some(path)) => {
            eprintln!(
                "wrote {} KPI{} to {}",
                rows.len(),
                plural(rows.len()),
                path.display()
            );
            OK
        }
        (Ok(()), None) => OK,
    }
}

/// The cells of one KPI, in [`columns`] order.
fn row(catalog: &Catalog, kpi: &KpiDef) -> Vec<Cell> {
    let text = |s: &str| Cell::Text(s.to_string());
    let mut cells = vec![
        text(&kpi.id),
        text(&kpi.name),
        text(&kpi.category),
        text(category_name(catalog, kpi)),
        text(kpi.unit.as_str()),
        text(catalog_args::direction(kpi.better)),
        catalog_args::cadence(kpi.cadence).map_or(Cell::Missing, text),
        Cell::List(kpi.tags.clone()),
        kpi.breakdown.as_ref().map_or(Cell::Missing, |b| {
            Cell::Text(format!("{}.{}", b.table, b.column))
        }),
        text(&kpi.formula_source),
    ];
    for (_, value) in attributes(kpi) {
        cells.push(match value {
            DocValue::Text(Some(t)) => Cell::Text(catalog_args::reflow(t)),
            DocValue::Text(None) => Cell::Missing,
            DocValue::List(items) => Cell::List(items.to_vec()),
        });
    }
    debug_assert_eq!(cells.len(), LEADING_COLUMNS.len() + ATTRIBUTES.len());
    cells
}

fn csv_bytes(rows: &[Vec<Cell>], bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let records = std::iter::once(columns().iter().map(|c| c.to_string()).collect::<Vec<_>>())
        .chain(rows.iter().map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Cell::Text(t) => t.clone(),
                    Cell::List(items) => items.join("\n"),
                    Cell::Missing => String::new(),
                })
                .collect()
        }));
    for record in records {
        writer
            .write_record(&record)
            .expect("writing to memory cannot fail");
    }
    writer
        .into_inner()
        .unwrap_or_else(|_| unreachable!("flushing to memory cannot fail"))
}

fn json_bytes(rows: &[Vec<Cell>]) -> Vec<u8> {
    let columns = columns();
    let array: Vec<IndexMap<&str, Value>> = rows
        .iter()
        .map(|row| {
            let object: IndexMap<&str, Value> = columns
                .iter()
                .zip(row)
                .map(|(column, cell)| {
                    let value = match cell {
                        Cell::Text(t) => Value::from(t.as_str()),
                        Cell::List(items) => Value::from(items.clone()),
                        Cell::Missing => Value::Null,
                    };
                    (*column, value)
                })
                .collect();
            object
        })
        .collect();
    let mut out = serde_json::to_vec_pretty(&array).expect("plain data serializes");
    out.push(b'\n');
    out
}
