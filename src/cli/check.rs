//! `kpic check`.

use super::{FAILED, OK, usage_error};
use kpic::diagnostic::{github, human, json, sarif};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Output formats of `kpic check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Rendered diagnostics with source excerpts (stderr).
    Human,
    /// One JSON document with every diagnostic and a summary (stdout).
    Json,
    /// GitHub Actions annotation lines (stdout).
    Github,
    /// A SARIF 2.1.0 log for code scanning (stdout), e.g. GitHub's
    /// `github/codeql-action/upload-sarif`.
    Sarif,
}

/// What `--deny` may turn into errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Fail (exit 1) when there are warnings.
    Warnings,
}

/// Arguments of `kpic check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders of `.kpi` files (default: the project's, from kpic.toml, else
    /// `kpis/`).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub source: super::project_args::CatalogFlags,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors for the exit code.
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
    /// Never colour the output (also: the NO_COLOR environment variable).
    #[arg(long)]
    pub no_color: bool,
}

/// Runs `kpic check`.
pub fn run(args: Args) -> u8 {
    let paths = match super::project_args::catalog_paths(args.paths, &args.source) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut checked = match kpic::check_paths(&paths) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    if let Err(code) = super::project_args::apply_lints(&mut checked) {
        return code;
    }
    print_timings(&checked);
    match args.format {
        Format::Human => {
            let color = !args.no_color
                && std::env::var_os("NO_COLOR").is_none()
                && std::io::stderr().is_terminal();
            let style = human::Style { color, width: 100 };
            eprint!(
                "{}",
                human::render(&checked.diagnostics, &checked.sources, style)
            );
            eprintln!("{}", summary(&checked));
        }
        Format::Json => {
            let text = json::render(&checked.diagnostics, &checked.sources) + "\n";
            let code = super::catalog_args::emit(&text);
            if code != OK {
                return code;
            }
        }
        Format::Sarif => {
            let code =
                super::catalog_args::emit(&sarif::render(&checked.diagnostics, &checked.sources));
            if code != OK {
                return code;
            }
        }
        Format::Github => {
            let code =
                super::catalog_args::emit(&github::render(&checked.diagnostics, &checked.sources));
            if code != OK {
                return code;
            }
        }
    }
    let errors = checked.error_count();
    let warnings = checked.warning_count();
    if errors == 0 && checked.catalog.kpis.is_empty() {
        eprintln!("error: {}", no_kpi(&checked));
        return FAILED;
    }
    // The process ends right after: freeing a large catalog node by node would only
    // cost time.
    std::mem::forget(checked);
    if errors > 0 || (args.deny == Some(Deny::Warnings) && warnings > 0) {
        FAILED
    } else {
        OK
    }
}

/// Why a catalog without errors but without a KPI is refused (by `check` and `eval`).
pub fn no_kpi(checked: &kpic::Checked) -> String {
    let files = checked.sources.iter().count();
    format!(
        "the catalog defines no KPI ({files} file{} read); add a `kpi NAME {{ ... }}` or give the folder that holds the KPIs",
        plural(files)
    )
}

/// Under `KPIC_TIMING` (any value), prints the parse and check times to stderr as
/// `parse 190ms check 80ms` (the benchmark notes read this line).
pub fn print_timings(checked: &kpic::Checked) {
    if std::env::var_os("KPIC_TIMING").is_some() {
        let t = checked.timings;
        eprintln!("parse {:?} check {:?}", t.parse, t.check);
    }
}

/// "checked 9 files: 53 KPIs, 12 measures, 9 tables — 0 errors, 0 warnings".
pub fn summary(checked: &kpic::Checked) -> String {
    let c = &checked.catalog;
    let files = checked.sources.iter().count();
    format!(
        "checked {files} file{}: {} KPI{}, {} measure{}, {} table{} — {} error{}, {} warning{}",
        plural(files),
        c.kpis.len(),
        plural(c.kpis.len()),
        c.measures.len(),
        plural(c.measures.len()),
        c.tables.len(),
        plural(c.tables.len()),
        checked.error_count(),
        plural(checked.error_count()),
        checked.warning_count(),
        plural(checked.warning_count()),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
