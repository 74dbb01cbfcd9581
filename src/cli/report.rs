//! `kpic report`: the request `kpic eval` would compute, written as one self-contained
//! HTML page (scorecard, a chart per KPI, citations, explanation traces).

use super::eval::{self, Engine};
use super::{FAILED, OK, usage_error};
use indexmap::IndexMap;
use kpic::render::Format;
use rayon::prelude::*;
use std::path::PathBuf;

/// `--engine`'s help in `kpic report`: [`super::request_args::RunArgs`] says it as
/// `kpic eval` does; here the traces are what needs the native engine (no final
/// period: clap drops it from doc comments, and the help stays as it was).
const ENGINE_HELP: &str = "Where to compute: natively over `--data`, or in PostgreSQL, DuckDB or Spark (explanation traces need the native engine)";

/// Arguments of `kpic report`: the request flags of `kpic eval`, and where to write.
#[derive(Debug, clap::Args)]
#[command(mut_arg("engine", |a| a.help(ENGINE_HELP)))]
pub struct Args {
    /// KPI ids to report on (default: every KPI of the catalog).
    pub kpis: Vec<String>,
    /// The HTML file to write (`-` for standard output).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// The page's title (default: `KPI report PERIOD`).
    #[arg(long)]
    pub title: Option<String>,
    /// Leave out the explanation traces (each KPI's formula step by step, with the rows
    /// read), which cost one more evaluation per KPI.
    #[arg(long)]
    pub no_explain: bool,
    #[command(flatten)]
    pub request: super::request_args::RequestArgs,
    /// No progress on standard error (it is shown only on a terminal).
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub run: super::request_args::RunArgs,
}

/// Runs `kpic report`.
pub fn run(args: Args) -> u8 {
    let (output, title, no_explain) = (args.output.clone(), args.title.clone(), args.no_explain);
    let mut request = as_eval(args);
    let prepared = match eval::prepare(&mut request) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let answer = match eval::execute(&prepared, &request) {
        Ok(Ok(answer)) => answer,
        Ok(Err(kpic::engine::EngineError::Request(e))) => return usage_error(e),
        Ok(Err(kpic::engine::EngineError::Database(e))) => {
            eprintln!("error: {e}");
            return FAILED;
        }
        Err(code) => return code,
    };
    for w in &answer.warnings {
        eprintln!("warning: {w}");
    }
    for u in &answer.results.unavailable {
        eprintln!(
            "warning: {} not computed: {}",
            kpic::render::escape::terminal(&u.kpi),
            kpic::render::escape::terminal(&u.reason)
        );
    }
    let catalog = &prepared.checked.catalog;
    let explanations = match (&prepared.data, no_explain) {
        (Some(data), false) if request.run.engine == Engine::Native => {
            explain(&prepared.checked, data, &answer)
        }
        _ => IndexMap::new(),
    };
    let report = kpic::report::Report {
        catalog,
        results: &answer.results,
        explanations: &explanations,
        title: title.unwrap_or_else(|| format!("KPI report {}", answer.results.period)),
    };
    let page = kpic::report::html(&report);
    if output.as_os_str() == "-" {
        return super::catalog_args::emit(&page);
    }
    match std::fs::write(&output, page) {
        Ok(()) => OK,
        Err(e) => usage_error(format!("cannot write {}: {e}", output.display())),
    }
}

/// The same request as `kpic eval` with these flags.
fn as_eval(args: Args) -> eval::Args {
    eval::Args {
        kpis: args.kpis,
        request: args.request,
        format: Format::Table,
        quiet: args.quiet,
        explain: None,
        run: args.run,
        status: Vec::new(),
        fail_on: None,
        // A whole-catalog report computes every KPI, so every rule runs; a report of
        // a few KPIs shows the rules over those.
        rules: false,
        fail_on_rule: None,
        benchmarks: false,
        intervals: false,
    }
}

/// Each computed KPI's explanation trace for the whole scope of accounts (the
/// portfolio of the request's filters, the whole period), as `kpic eval --explain`
/// prints it; KPIs explained in parallel.
fn explain(
    checked: &kpic::Checked,
    data: &kpic::data::Dataset,
    answer: &kpic::engine::Answer,
) -> IndexMap<String, Result<String, String>> {
    let mut ids: Vec<&str> = Vec::new();
    for r in &answer.results.rows {
        if ids.last() != Some(&&*r.kpi) && !ids.contains(&&*r.kpi) {
            ids.push(&r.kpi);
        }
    }
    let mut query = answer.query.clone();
    query.scope = kpic::query::Scope::Portfolio;
    query.groupings = Vec::new();
    query.every = None;
    let texts: Vec<Result<String, String>> = ids
        .par_iter()
        .map(|id| {
            kpic::eval::explain_groups(&checked.catalog, data, &query, id)
                .map(|all| {
                    all.iter()
                        .map(|e| kpic::render::explanation(&checked.sources, e))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .map_err(|e| e.to_string())
        })
        .collect();
    ids.into_iter().map(String::from).zip(texts).collect()
}
