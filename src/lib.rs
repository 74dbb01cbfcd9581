//! kpic: a typed KPI formula language for Key Account Management.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! text ──syntax::parse_file──▶ ast::File ──check::check──▶ ir::Catalog
//!   (pest only in syntax::parser)     (names, types, units, cycles; words from vocab)
//!
//! ir::Catalog + query::Request ──engine::run──▶ query::Results ──render──▶ table, CSV, JSON, Markdown
//!                  natively over a data::Dataset (eval), or as SQL (sql) in PostgreSQL or DuckDB
//! ```
//!
//! Every stage returns what it could build plus [`Diagnostic`]s; nothing stops at the
//! first error. Reading files ([`catalog_files`], [`data`]) and talking to databases
//! ([`engine`]) are kept at the edges.
//!
//! ```no_run
//! let result = kpic::check_paths(&["kpis".into()]).expect("readable catalog");
//! for d in &result.diagnostics {
//!     eprintln!("{}: {}", d.code, d.message);
//! }
//! println!("{} KPIs", result.catalog.kpis.len());
//! ```
//!
//! The same request on the example data and on a PostgreSQL server holding the same
//! tables gives the same results:
//!
//! ```no_run
//! use kpic::engine::{self, Database, DatabaseKind, Engine};
//! use kpic::query::{Period, Request, Scope};
//!
//! let checked = kpic::check_paths(&["kpis".into()]).expect("readable catalog");
//! let catalog = &checked.catalog;
//! let request = Request {
//!     kpis: vec!["win_rate".into()],
//!     period: Some(Period::parse("2025-Q4", 1).expect("a period")),
//!     fiscal_year_start: 1,
//!     scope: Scope::By("industry".into()),
//!     filters: vec![],
//!     compare: Default::default(),
//!     every: None,
//!     groupings: vec![],
//!     today: None,
//! };
//! let data = kpic::data::load_dataset(catalog, "examples/data".as_ref()).expect("clean data");
//! let native = engine::run(catalog, &Engine::Native(&data), &request).expect("runs");
//! let db = Database {
//!     kind: DatabaseKind::Postgres { url: "postgresql://localhost/kam".into() },
//!     names: Default::default(),
//! };
//! let sql = engine::run(catalog, &Engine::Database(&db), &request).expect("runs");
//! assert_eq!(native.results.rows.len(), sql.results.rows.len());
//! ```

extern crate alloc;

pub mod catalog_files;
pub mod check;
pub mod data;
pub mod diagnostic;
pub mod diff;
pub mod docs_site;
pub mod engine;
pub mod eval;
pub mod fmt;
pub mod ir;
pub mod lsp;
pub mod names;
pub mod project;
pub mod query;
pub mod render;
pub mod report;
pub mod source;
pub mod sql;
pub mod syntax;
pub mod testing;
pub mod vocab;

pub use catalog_files::ReadError;
pub use diagnostic::{Code, Diagnostic, Severity};
pub use ir::Catalog;
pub use source::SourceMap;

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A checked catalog with the sources it came from and everything found wrong.
pub struct Checked {
    pub sources: SourceMap,
    pub catalog: Catalog,
    /// Sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// How long each phase took (for `KPIC_TIMING=1`; the library prints nothing).
    pub timings: Timings,
}

/// Wall-clock time of the phases of a check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Splitting and parsing every file.
    pub parse: Duration,
    /// Checking the syntax trees into the catalog.
    pub check: Duration,
}

impl Checked {
    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }
}

/// Loads every `.kpi` file under `paths` and checks them as one catalog.
pub fn check_paths(paths: &[PathBuf]) -> Result<Checked, ReadError> {
    let read = read_paths(paths)?;
    Ok(check_sources(
        read.sources,
        read.diagnostics,
        &read.unreadable,
    ))
}

/// The `.kpi` files under `paths` read, not yet parsed: the first step of
/// [`check_paths`], for a caller that parses the files itself and then calls
/// [`check_parsed`] (`kpic diff` parses an item both its catalogs hold once).
pub struct ReadSources {
    pub sources: SourceMap,
    /// The files that could not be read as text (K0001).
    pub diagnostics: Vec<Diagnostic>,
    /// Those files, which are not parsed.
    pub unreadable: Vec<source::FileId>,
}

/// Reads every `.kpi` file under `paths` (see [`ReadSources`]).
pub fn read_paths(paths: &[PathBuf]) -> Result<ReadSources, ReadError> {
    let files = catalog_files::find_kpi_files(paths)?;
    let (sources, diagnostics, unreadable) = catalog_files::read_sources(&files)?;
    Ok(ReadSources {
        sources,
        diagnostics,
        unreadable,
    })
}

/// Checks sources already in memory (e.g. `("catalog.kpi", text)` pairs).
pub fn check_texts<'a>(texts: impl IntoIterator<Item = (&'a str, &'a str)>) -> Checked {
    let mut sources = SourceMap::new();
    for (name, text) in texts {
        sources.add(name, text);
    }
    check_sources(sources, Vec::new(), &[])
}

fn check_sources(
    sources: SourceMap,
    mut diagnostics: Vec<Diagnostic>,
    skip: &[source::FileId],
) -> Checked {
    use rayon::prelude::*;
    let t0 = Instant::now();
    let to_parse: Vec<(source::FileId, &source::SourceFile)> = sources
        .iter()
        .filter(|(id, _)| !skip.contains(id))
        .collect();
    // Files in parallel (and the items of each file in parallel inside `parse_file`).
    let parsed: Vec<(syntax::ast::File, Vec<Diagnostic>)> = to_parse
        .par_iter()
        .map(|(id, file)| syntax::parse_file(*id, &file.text))
        .collect();
    let mut files = Vec::with_capacity(parsed.len());
    for (parsed, diags) in parsed {
        diagnostics.extend(diags);
        files.push(parsed);
    }
    check_parsed(sources, files, diagnostics, t0.elapsed())
}

/// Checks files parsed by the caller as one catalog: `files` are the syntax trees of
/// `sources`' files in order (none for an unreadable one), `diagnostics` those of
/// reading and parsing; `parse` is how long the parsing took.
pub fn check_parsed(
    sources: SourceMap,
    files: Vec<syntax::ast::File>,
    mut diagnostics: Vec<Diagnostic>,
    parse: Duration,
) -> Checked {
    let t1 = Instant::now();
    let (catalog, diags) = check::check(&sources, &files);
    // The syntax trees are done with. Freeing a large catalog's trees node by node
    // takes a while, so a pool thread does it while the caller goes on.
    rayon::spawn(move || drop(files));
    let timings = Timings {
        parse,
        check: t1.elapsed(),
    };
    diagnostics.extend(diags);
    diagnostic::sort(&mut diagnostics);
    Checked {
        sources,
        catalog,
        diagnostics,
        timings,
    }
}
