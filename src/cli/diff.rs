//! `kpic diff OLD [NEW]`: what a catalog change does. Each side is a catalog path or a
//! git revision of the current repository; the library compares and renders.

use super::engine_args::spark_with_data;
use super::eval::Engine;
use super::project_args::{self, CatalogFlags};
use super::scope_args::ScopeArgs;
use super::{FAILED, OK, usage_error};
use kpic::diff::values::On;
use kpic::diff::{self, Side};
use kpic::engine::{Database, DatabaseKind};
use std::path::{Path, PathBuf};

/// Output formats of `kpic diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For a terminal.
    Human,
    Json,
    /// For a pull-request comment.
    Markdown,
}

/// Which changes make `kpic diff` exit with 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// A change of a formula or of metadata that changes output.
    Semantic,
    /// Any change found (documentation, rewrites and test cases included; layout and
    /// comments are never changes).
    Any,
}

/// `--engine`'s help in `kpic diff`: [`super::request_args::RunArgs`] says it as
/// `kpic eval` does; here the values are computed for both sides (no final period:
/// clap drops it from doc comments).
const ENGINE_HELP: &str = "Where to compute the values, as `kpic eval --engine`: natively over `--data`, or in PostgreSQL, DuckDB or Spark (the generated SQL of each side's catalog). A database engine computes the values without `--data`; Spark with `--data` is handed the dataset, loaded as natively";

/// Arguments of `kpic diff`.
#[derive(Debug, clap::Args)]
#[command(mut_arg("engine", |a| a.help(ENGINE_HELP)))]
pub struct Args {
    /// OLD and NEW: each a catalog file or folder, or a git revision of the current
    /// repository (`main`, `HEAD~1`, `origin/main`). NEW defaults to the catalog in
    /// the work tree. A name that is both a path and a revision is refused: write
    /// `./NAME` for the path or `NAME^{commit}` for the revision.
    #[arg(value_name = "OLD [NEW]", num_args = 0..=2)]
    pub sides: Vec<String>,
    /// The old side as a path, whatever revisions exist.
    #[arg(long, value_name = "PATH")]
    pub old_path: Option<PathBuf>,
    /// The new side as a path, whatever revisions exist.
    #[arg(long, value_name = "PATH")]
    pub new_path: Option<PathBuf>,
    /// Catalog paths read at a revision and the work tree's catalog (default: the
    /// project's, from kpic.toml, else `kpis/`).
    #[command(flatten)]
    pub source: CatalogFlags,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with 1 when there is such a change (default: exit 0 whatever changed).
    #[arg(long, value_enum, value_name = "WHAT")]
    pub fail_on: Option<FailOn>,
    /// Folder of CSV (or Parquet) files: compute every affected KPI under the old and
    /// the new definitions over it, side by side (on `--engine`, native by default).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    #[command(flatten)]
    pub run: super::request_args::RunArgs,
    /// Period of the values (default: the project's, else the latest complete year in
    /// the data).
    #[arg(long)]
    pub period: Option<String>,
    #[command(flatten)]
    pub scope: ScopeArgs,
}

/// Where one side comes from.
enum From {
    Paths(Vec<PathBuf>),
    Revision(String),
}

/// Runs `kpic diff`.
pub fn run(args: Args) -> u8 {
    if args.source.demo {
        return usage_error("`kpic diff` compares two catalogs; `--demo` is not one of them");
    }
    let mut positional = args.sides.iter();
    let old = match (&args.old_path, positional.next()) {
        (Some(p), _) if args.sides.len() == 2 => {
            return usage_error(format!(
                "`--old-path {}` and two positional sides: give the old side once",
                p.display()
            ));
        }
        (Some(p), first) => {
            // With `--old-path`, the one positional side is the new one.
            positional = args.sides[..first.map_or(0, |_| 1)].iter();
            From::Paths(vec![p.clone()])
        }
        (None, Some(name)) => match side(name) {
            Ok(s) => s,
            Err(code) => return code,
        },
        (None, None) => {
            return usage_error(
                "give the old side: a git revision (`kpic diff main`) or a catalog path",
            );
        }
    };
    let new = match (&args.new_path, positional.next()) {
        (Some(_), Some(name)) => {
            return usage_error(format!("`--new-path` and `{name}`: give the new side once"));
        }
        (Some(p), None) => From::Paths(vec![p.clone()]),
        (None, Some(name)) => match side(name) {
            Ok(s) => s,
            Err(code) => return code,
        },
        (None, None) => match project_args::catalog_paths(Vec::new(), &args.source) {
            Ok(paths) => From::Paths(paths),
            Err(code) => return code,
        },
    };
    let started = std::time::Instant::now();
    // The two sides are read at once, then parsed together and checked at once.
    let (old, new) = rayon::join(|| read(old, &args.source), || read(new, &args.source));
    let (old, new) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let (old, new) = diff::side::check_both(old, new);
    let (old, new) = match (accept(old, "old"), accept(new, "new")) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let loaded = started.elapsed();
    let mut report = diff::diff(&old, &new);
    if std::env::var_os("KPIC_TIMING").is_some() {
        eprintln!(
            "load and check both sides {loaded:?} diff {:?}",
            started.elapsed() - loaded
        );
    }
    if args.data.is_some() || args.run.engine != Engine::Native {
        if let Some(dir) = args.data.as_ref().filter(|d| !d.is_dir()) {
            return usage_error(format!("{}: no such data folder", dir.display()));
        }
        let request = match request(&args, &new.checked.catalog) {
            Ok(r) => r,
            Err(code) => return code,
        };
        let kpis = report.kpis_to_compute();
        match values(&args, &old, &new, &kpis, &request) {
            Ok(v) => report.values = Some(v),
            Err(code) => return code,
        }
    }
    // The two checked catalogs are not freed: node by node that takes a while, and
    // the process ends once the report is printed (the system takes the memory back).
    std::mem::forget((old, new));
    let text = match args.format {
        Format::Human => diff::render::human(&report),
        Format::Markdown => diff::render::markdown(&report),
        Format::Json => match serde_json::to_string_pretty(&report) {
            Ok(json) => json + "\n",
            Err(e) => return usage_error(format!("cannot write the diff as JSON: {e}")),
        },
    };
    let code = super::catalog_args::emit(&text);
    if code != OK {
        return code;
    }
    let fails = match args.fail_on {
        None => false,
        Some(FailOn::Semantic) => report.has_semantic(),
        Some(FailOn::Any) => !report.changes.is_empty() || !report.test_changes.is_empty(),
    };
    if fails { FAILED } else { OK }
}

/// A positional side: a path or a revision, never both.
fn side(name: &str) -> Result<From, u8> {
    let path = Path::new(name).exists();
    let revision = diff::side::is_revision(name);
    match (path, revision) {
        (true, true) => Err(usage_error(format!(
            "`{name}` is both a path and a git revision: write `./{name}` (or --old-path/\
             --new-path) for the path, or `{name}^{{commit}}` for the revision"
        ))),
        (true, false) => Ok(From::Paths(vec![PathBuf::from(name)])),
        (false, true) => Ok(From::Revision(name.to_string())),
        (false, false) => Err(usage_error(format!(
            "`{name}` is neither a catalog path nor a revision of a git repository here"
        ))),
    }
}

/// Reads one side.
fn read(from: From, flags: &CatalogFlags) -> Result<diff::side::Read, u8> {
    let read = match from {
        From::Paths(paths) => {
            let label = paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" ");
            diff::side::from_paths(label, &paths)
        }
        From::Revision(rev) => {
            let paths = project_args::catalog_paths(Vec::new(), flags)?;
            diff::side::from_revision(&rev, &paths)
        }
    };
    read.map_err(usage_error)
}

/// A checked side, with its lints applied; a side with errors is not compared.
fn accept(mut side: Side, which: &str) -> Result<Side, u8> {
    for file in &side.unreadable_tests {
        eprintln!(
            "warning: {file}\n  (a test file of the {which} side that cannot be read: its cases are not listed among the affected tests; `kpic test` reports the same)"
        );
    }
    project_args::apply_lints(&mut side.checked)?;
    let errors = side.checked.error_count();
    if errors > 0 {
        eprintln!(
            "error: the {which} catalog ({}) has {errors} error{}; run `kpic check` on it",
            side.label,
            super::catalog_args::plural(errors)
        );
        return Err(FAILED);
    }
    Ok(side)
}

/// The affected KPIs' values under both catalogs, on the engine the flags name.
fn values(
    args: &Args,
    old: &Side,
    new: &Side,
    kpis: &[String],
    request: &kpic::query::Request,
) -> Result<diff::Values, u8> {
    let failed = |e: String| {
        eprintln!("error: {e}");
        FAILED
    };
    let computed = match (args.run.engine, &args.data) {
        (Engine::Native, None) => return Err(usage_error("give the data: `--data DIR`")),
        (Engine::Native, Some(dir)) => {
            diff::values::compare(old, new, kpis, &On::Native(dir), request)
        }
        (Engine::Spark, data) => {
            // One session for both sides (starting Spark takes a while).
            let session: std::sync::Arc<_> = args
                .run
                .connect
                .spark_session()
                .map_err(usage_error)?
                .into();
            let spark = |catalog: &kpic::Catalog| -> Result<Database, String> {
                Ok(Database {
                    kind: DatabaseKind::Spark {
                        session: session.clone(),
                    },
                    names: args.run.tables.names(catalog)?,
                })
            };
            match data {
                Some(dir) => {
                    let loaded = |catalog: &kpic::Catalog, data: &kpic::data::Dataset| {
                        let names = args.run.tables.names(catalog)?;
                        spark_with_data(session.clone(), catalog, data, names)
                    };
                    diff::values::compare(old, new, kpis, &On::Loaded(dir, &loaded), request)
                }
                None => diff::values::compare(old, new, kpis, &On::Database(&spark), request),
            }
        }
        (engine, _) => {
            // The connection is settled once: a flag missing is a usage error.
            let kind = || {
                args.run
                    .connect
                    .database_kind(engine, args.run.database.as_deref())
            };
            kind().map_err(usage_error)?;
            let database = |catalog: &kpic::Catalog| -> Result<Database, String> {
                Ok(Database {
                    kind: kind()?,
                    names: args.run.tables.names(catalog)?,
                })
            };
            diff::values::compare(old, new, kpis, &On::Database(&database), request)
        }
    };
    computed.map_err(failed)
}

/// The request of the values: period and scope as `kpic eval` reads them.
fn request(args: &Args, catalog: &kpic::Catalog) -> Result<kpic::query::Request, u8> {
    super::request_args::scope_request(&args.scope, args.period.as_deref(), catalog)
}
