//! `kpic test [PATHS]`: runs the test files (`*.test.toml`) under PATHS (default: the
//! catalog's folders) against the catalog, and reports each failure with expected and
//! actual values and how the value was obtained.

use super::project_args::{self, CatalogFlags};
use super::{FAILED, OK, usage_error};
use kpic::testing::{self, CaseResult, Outcome};
use serde::Serialize;
use std::path::PathBuf;

/// Output formats of `kpic test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A line per case, failures in full, and a summary (stderr for the summary).
    Human,
    /// One JSON document: every case with its outcome, and a summary.
    Json,
    /// GitHub Actions error annotations for failing cases, at the case's line.
    Github,
}

/// Arguments of `kpic test`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Test files or folders holding `*.test.toml` files (default: the catalog's paths).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub source: CatalogFlags,
    /// Only cases whose name or KPI id contains this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Where the cases run: natively, or on DuckDB, PostgreSQL or Spark (each case's
    /// rows, checked by the native loader, put into the database first; a failure
    /// then shows the SQL instead of the native explanation trace).
    #[arg(long, value_enum, default_value_t = super::eval::Engine::Native)]
    pub engine: super::eval::Engine,
    #[command(flatten)]
    pub connect: super::engine_args::EngineArgs,
    /// No progress on standard error (it is shown only on a terminal, for the human
    /// format).
    #[arg(long, short)]
    pub quiet: bool,
}

/// The engine `--engine` names, reached as `kpic eval` reaches it.
fn engine(args: &Args) -> Result<testing::TestEngine, String> {
    use super::eval::Engine;
    Ok(match args.engine {
        Engine::Native => testing::TestEngine::Native,
        Engine::Duckdb => testing::TestEngine::Duckdb {
            program: args.connect.duckdb_client()?,
        },
        Engine::Postgres => testing::TestEngine::Postgres {
            url: args.connect.postgres_url()?,
        },
        Engine::Spark => testing::TestEngine::Spark {
            session: args.connect.spark_session()?.into(),
        },
    })
}

/// Runs `kpic test`.
pub fn run(args: Args) -> u8 {
    let checked = match super::catalog_args::load_checked(Vec::new(), &args.source) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let paths = if args.paths.is_empty() {
        match project_args::catalog_paths(Vec::new(), &args.source) {
            Ok(p) => p,
            Err(code) => return code,
        }
    } else {
        args.paths.clone()
    };
    let files = match testing::find(&paths) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let engine = match engine(&args) {
        Ok(e) => e,
        Err(e) => return usage_error(e),
    };
    let mut unreadable = 0;
    let mut read = Vec::new();
    for path in &files {
        match testing::read(path) {
            Ok(mut file) => {
                if let Some(f) = &args.filter {
                    file.cases.retain(|c| {
                        c.name.contains(f.as_str()) || c.target.id().contains(f.as_str())
                    });
                }
                read.push(file);
            }
            Err(e) => {
                unreadable += 1;
                eprintln!("error: {e}");
            }
        }
    }
    // Cases done of all, on a terminal's standard error.
    let total: usize = read.iter().map(|f| f.cases.len()).sum();
    let shown = super::progress::wanted(args.quiet || args.format != Format::Human);
    let bar = super::progress::Progress::count(shown, total as u64, "testing");
    let mut results: Vec<CaseResult> = Vec::new();
    for file in &read {
        for case in &file.cases {
            bar.say(&case.name);
            results.push(testing::run_one(&checked, file, case, &engine));
            bar.inc(1);
        }
    }
    bar.clear();
    if files.is_empty() {
        return usage_error(format!(
            "no test file (`*{}`) under {}",
            testing::SUFFIX,
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let failed = results
        .iter()
        .filter(|r| !matches!(r.outcome, Outcome::Pass))
        .count();
    let code = match args.format {
        Format::Human => {
            super::catalog_args::emit(&human(&results));
            OK
        }
        Format::Json => super::catalog_args::emit(&json(&results)),
        Format::Github => super::catalog_args::emit(&github(&results)),
    };
    eprintln!(
        "{} case{}: {} passed, {failed} failed{}",
        results.len(),
        if results.len() == 1 { "" } else { "s" },
        results.len() - failed,
        if unreadable > 0 {
            format!(
                ", {unreadable} file{} unreadable",
                if unreadable == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        }
    );
    if code != OK {
        code
    } else if failed > 0 || unreadable > 0 {
        FAILED
    } else {
        OK
    }
}

fn human(results: &[CaseResult]) -> String {
    let mut out = String::new();
    for r in results {
        let status = match r.outcome {
            Outcome::Pass => "ok  ",
            Outcome::Fail { .. } => "FAIL",
            Outcome::Error(_) => "ERR ",
        };
        out.push_str(&format!(
            "{status} {}:{} {} — {}\n",
            r.file, r.line, r.target, r.name
        ));
        match &r.outcome {
            Outcome::Pass => {}
            Outcome::Error(e) => {
                for line in e.lines() {
                    out.push_str(&format!("       {line}\n"));
                }
            }
            Outcome::Fail { mismatches, trace } => {
                for m in mismatches {
                    let group = if m.group.is_empty() {
                        String::new()
                    } else {
                        format!("{}: ", m.group)
                    };
                    out.push_str(&format!(
                        "       {group}expected {}, got {}\n",
                        m.expected, m.actual
                    ));
                }
                for line in trace.lines() {
                    out.push_str(&format!("       | {line}\n"));
                }
            }
        }
    }
    out
}

#[derive(Serialize)]
struct JsonCase<'a> {
    file: &'a str,
    line: usize,
    name: &'a str,
    target: &'a str,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mismatches: Vec<JsonMismatch<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonMismatch<'a> {
    group: &'a str,
    expected: &'a str,
    actual: &'a str,
}

fn json(results: &[CaseResult]) -> String {
    let cases: Vec<JsonCase> = results
        .iter()
        .map(|r| {
            let (outcome, mismatches, error, trace) = match &r.outcome {
                Outcome::Pass => ("pass", Vec::new(), None, None),
                Outcome::Error(e) => ("error", Vec::new(), Some(e.as_str()), None),
                Outcome::Fail { mismatches, trace } => (
                    "fail",
                    mismatches
                        .iter()
                        .map(|m| JsonMismatch {
                            group: &m.group,
                            expected: &m.expected,
                            actual: &m.actual,
                        })
                        .collect(),
                    None,
                    Some(trace.as_str()),
                ),
            };
            JsonCase {
                file: &r.file,
                line: r.line,
                name: &r.name,
                target: &r.target,
                outcome,
                mismatches,
                error,
                trace,
            }
        })
        .collect();
    let failed = cases.iter().filter(|c| c.outcome != "pass").count();
    let doc = serde_json::json!({
        "cases": cases,
        "summary": { "passed": cases.len() - failed, "failed": failed },
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// `::error file=F,line=L,title=T::message` for each failing case (GitHub's workflow
/// command syntax: `%`, CR and LF escaped in the message, also `:` and `,` in values).
fn github(results: &[CaseResult]) -> String {
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for r in results {
        let message = match &r.outcome {
            Outcome::Pass => continue,
            Outcome::Error(e) => e.clone(),
            Outcome::Fail { mismatches, .. } => mismatches
                .iter()
                .map(|m| {
                    let group = if m.group.is_empty() {
                        String::new()
                    } else {
                        format!("{}: ", m.group)
                    };
                    format!("{group}expected {}, got {}", m.expected, m.actual)
                })
                .collect::<Vec<_>>()
                .join("\n"),
        };
        out.push_str(&format!(
            "::error file={},line={},title={}::{}\n",
            property(&r.file),
            r.line,
            property(&format!("{}: {}", r.target, r.name)),
            data(&message)
        ));
    }
    out
}
