//! The `kpic` command line: argument parsing and the subcommands. Library code does the
//! work; this module reads flags, calls it, prints, and picks the exit code.

pub mod catalog_args;
pub mod check;
pub mod completions;
pub mod convert;
pub mod demo;
pub mod diff;
pub mod docs;
pub mod engine_args;
pub mod eval;
mod eval_rules;
mod eval_status;
pub mod explain;
pub mod export;
pub mod fmt;
pub mod init;
pub mod list;
pub mod lsp;
pub mod progress;
pub mod project_args;
pub mod report;
mod request_args;
pub mod scope_args;
pub mod search;
pub mod show;
mod show_items;
pub mod sql;
pub mod test;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Exit code: success.
pub const OK: u8 = 0;
/// Exit code: the input has errors (or warnings under `--deny warnings`).
pub const FAILED: u8 = 1;
/// Exit code: usage or I/O error.
pub const USAGE: u8 = 2;

/// kpic — check, evaluate and explore Key Account Management KPI catalogs.
#[derive(Debug, Parser)]
#[command(name = "kpic", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check KPI definitions and report every problem found.
    Check(check::Args),
    /// Compute KPIs for a period over a dataset (default: the bundled example).
    Eval(Box<eval::Args>),
    /// Print the long explanation of a diagnostic code, e.g. `kpic explain K0201`.
    Explain(explain::Args),
    /// List KPIs, one per line, filtered by category, tag or unit.
    List(list::Args),
    /// Show every attribute of one KPI (or a measure or table), e.g. `kpic show win_rate`.
    Show(show::Args),
    /// Search KPI names and attributes, best matches first.
    Search(search::Args),
    /// Write the computed KPIs as one self-contained HTML report (scorecard, charts).
    Report(Box<report::Args>),
    /// Print the SQL that computes KPIs in PostgreSQL, DuckDB or Spark.
    Sql(sql::Args),
    /// Export the catalog as CSV or JSON, one row per KPI.
    Export(export::Args),
    /// Write a dataset as Parquet (validated once, read fast many times).
    Convert(convert::Args),
    /// Print the shell completion script for bash, zsh, fish, PowerShell or elvish.
    Completions(completions::CompletionsArgs),
    /// Print kpic's man page (roff), or write one per subcommand with --out DIR.
    Man(completions::ManArgs),
    /// Format `.kpi` files in the canonical layout, comments kept (`--check`: diff only).
    Fmt(fmt::Args),
    /// Run the KPI tests (`*.test.toml`): small rows in, the expected value out.
    Test(test::Args),
    /// Start a project: kpic.toml, a model, one KPI, example data, a mapping template.
    Init(init::Args),
    /// Start the language server on stdin/stdout (editors run this).
    Lsp(lsp::Args),
    /// What a catalog change does: changed items, what they affect, values before/after.
    Diff(Box<diff::Args>),
    /// Write the catalog as a static site that works offline (`-o DIR`).
    Docs(docs::Args),
}

/// Where catalogs are looked for when no path is given.
pub fn default_catalog() -> PathBuf {
    PathBuf::from("kpis")
}

/// Runs the parsed command and returns the exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Explain(args) => explain::run(args),
        Command::List(args) => list::run(args),
        Command::Show(args) => show::run(args),
        Command::Search(args) => search::run(args),
        Command::Export(args) => export::run(args),
        Command::Init(args) => init::run(args),
        Command::Test(args) => test::run(args),
        Command::Eval(args) => eval::run(*args),
        Command::Report(args) => report::run(*args),
        Command::Sql(args) => sql::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Lsp(args) => lsp::run(args),
        Command::Diff(args) => diff::run(*args),
        Command::Docs(args) => docs::run(args),
    }
}

/// Prints an error that is not about the catalog's content.
pub fn usage_error(message: impl std::fmt::Display) -> u8 {
    eprintln!("error: {message}");
    USAGE
}
