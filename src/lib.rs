//! kpic: a typed KPI formula language for Key Account Management.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! text ──syntax::parse_file──▶ ast::File ──check::check──▶ ir::Catalog ──▶ evaluation / SQL
//!   (pest only in syntax::parser)     (names, types, units, cycles)
//! ```
//!
//! Every stage returns what it could build plus [`Diagnostic`]s; nothing stops at the
//! first error. Reading files ([`load`]) is kept at the edge.
//!
//! ```no_run
//! let result = kpic::check_paths(&["kpis".into()]).expect("readable catalog");
//! for d in &result.diagnostics {
//!     eprintln!("{}: {}", d.code, d.message);
//! }
//! println!("{} KPIs", result.catalog.kpis.len());
//! ```

extern crate alloc;

pub mod check;
pub mod data;
pub mod diagnostic;
pub mod eval;
pub mod ir;
pub mod load;
pub mod source;
pub mod sql;
pub mod syntax;
pub mod vocab;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use ir::Catalog;
pub use load::LoadError;
pub use source::SourceMap;

use std::path::PathBuf;

/// A checked catalog with the sources it came from and everything found wrong.
pub struct Checked {
    pub sources: SourceMap,
    pub catalog: Catalog,
    /// Sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
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
pub fn check_paths(paths: &[PathBuf]) -> Result<Checked, LoadError> {
    let files = load::find_kpi_files(paths)?;
    let (sources, diagnostics, unreadable) = load::read_sources(&files)?;
    Ok(check_sources(sources, diagnostics, &unreadable))
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
    let t0 = std::time::Instant::now();
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
    let t1 = std::time::Instant::now();
    let (catalog, diags) = check::check(&sources, &files);
    // The syntax trees are done with. Freeing a large catalog's trees node by node
    // takes a while, so a pool thread does it while the caller goes on.
    rayon::spawn(move || drop(files));
    if std::env::var_os("KPIC_TIMING").is_some() {
        eprintln!("parse {:?} check {:?}", t1 - t0, t1.elapsed());
    }
    diagnostics.extend(diags);
    diagnostic::sort(&mut diagnostics);
    Checked {
        sources,
        catalog,
        diagnostics,
    }
}
