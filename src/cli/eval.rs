//! `kpic eval`: compute KPIs for a period over a dataset.

use super::{FAILED, OK, usage_error};
use kpic::engine::{self, Database, Engine as Run, EngineError};
use kpic::query::{Request, Results};
use kpic::render::Format;
use kpic::sql::TableNames;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Where KPIs are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// kpic's own columnar engine over CSV files.
    Native,
    /// A PostgreSQL server holding the model's tables (`--url`).
    Postgres,
    /// A DuckDB database file holding the model's tables (`--database`), run by the
    /// DuckDB command-line client.
    Duckdb,
    /// Spark, through PySpark: locally (`--spark-master local[*]`, the default), on a
    /// cluster's master, or over Spark Connect (`sc://host:15002`). With `--data`,
    /// `--demo` or kpic.toml's data folder, kpic loads and checks the dataset as
    /// natively and hands it to Spark; without, the model's tables must be in Spark's
    /// catalog (`--table`, `--schema`).
    Spark,
}

/// Arguments of `kpic eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// KPI ids to compute (default: every KPI of the catalog).
    pub kpis: Vec<String>,
    #[command(flatten)]
    pub request: super::request_args::RequestArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// No progress on standard error (it is shown only on a terminal, for the table).
    #[arg(long, short)]
    pub quiet: bool,
    /// Show how the value of this KPI was obtained: every sub-expression of its
    /// formula with its value and the rows each aggregate read, for every group.
    #[arg(long, value_name = "KPI")]
    pub explain: Option<String>,
    #[command(flatten)]
    pub run: super::request_args::RunArgs,
    /// List only the rows with this status against their KPI's target (repeatable;
    /// default: `status` under `[eval]` in kpic.toml, else every row).
    #[arg(long, value_enum, value_name = "STATUS")]
    pub status: Vec<StatusArg>,
    /// Exit 1 (after printing) when any row is at this status or worse: `red`, or
    /// `amber` (amber or red) (default: `fail_on` under `[eval]` in kpic.toml).
    #[arg(long, value_enum, value_name = "STATUS")]
    pub fail_on: Option<FailOn>,
    /// Evaluate every rule of the catalog: the KPIs the rules read are computed too
    /// (without it, a rule runs when every KPI it reads was asked for).
    #[arg(long)]
    pub rules: bool,
    /// Exit 1 (after printing) when a rule of this severity or worse fired.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on_rule: Option<super::eval_rules::RuleSeverity>,
    /// Show every benchmark that applies to a value, one line each, in the table
    /// (default: the first and how many more; Markdown, CSV and JSON show all).
    #[arg(long)]
    pub benchmarks: bool,
    /// Show each proportion's 95% Wilson interval in the table and Markdown, and the
    /// sample and interval columns in CSV (JSON always carries both).
    #[arg(long)]
    pub intervals: bool,
}

/// A status `--status` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusArg {
    Green,
    Amber,
    Red,
}

/// The status `--fail-on` fails at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Fail when a row is red.
    Red,
    /// Fail when a row is amber or red.
    Amber,
}

/// Runs `kpic eval`.
pub fn run(mut args: Args) -> u8 {
    let prepared = match prepare(&mut args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let (Some(kpi), Some(data)) = (&args.explain, &prepared.data) {
        return explain(&prepared, data, kpi, args.format);
    }
    match execute(&prepared, &args) {
        Ok(done) => finish(done, &args),
        Err(code) => code,
    }
}

/// What a run has before any KPI is computed: the checked catalog, the request the
/// flags describe, and the dataset (`None` when the tables are in a database). Shared
/// by `kpic eval` and `kpic report` ([`prepare`], then [`execute`]).
pub struct Prepared {
    pub checked: kpic::Checked,
    pub request: Request,
    /// The loaded dataset, for the native engine (and Spark over a dataset).
    pub data: Option<kpic::data::Dataset>,
    /// Requested KPIs the dataset lacks a table for (left out of `request`).
    unavailable: Vec<kpic::query::Unavailable>,
    /// Whether progress is shown on standard error.
    shown: bool,
    /// How many KPIs the engine computes (for the progress line).
    evaluating: usize,
    load_time: std::time::Duration,
    /// The process's peak memory when loading ended (for `KPIC_TIMING`).
    load_peak: Option<u64>,
}

/// Reads the catalog and the flags and loads the data the request reads; on an error,
/// prints it and returns the exit code.
pub fn prepare(args: &mut Args) -> Result<Prepared, u8> {
    if args.request.source.demo {
        match super::demo::unpack() {
            Ok((_, data)) => args.request.data = Some(data),
            Err(e) => {
                return Err(usage_error(format!(
                    "cannot unpack the demo into the temporary folder: {e}"
                )));
            }
        }
    }
    let checked = super::catalog_args::load_checked(Vec::new(), &args.request.source)?;
    if checked.catalog.kpis.is_empty() {
        eprintln!("error: {}", super::check::no_kpi(&checked));
        return Err(FAILED);
    }
    let settings = Settings::read(args)?;
    let request = request(args, &checked.catalog)?;
    // Spark over a dataset (--data, --demo, or kpic.toml's) loads it as the native
    // engine does, below; without one, the tables are in Spark's catalog.
    let spark_data = args.run.engine == Engine::Spark
        && (args.request.data.is_some()
            || super::project_args::current()
                .ok()
                .flatten()
                .is_some_and(|p| p.data.is_some()));
    let shown = super::progress::wanted(args.quiet || args.format != Format::Table);
    if args.run.engine != Engine::Native && !spark_data {
        if args.explain.is_some() {
            return Err(usage_error(
                "`--explain` runs on the native engine only (drop `--engine`)",
            ));
        }
        return Ok(Prepared {
            checked,
            request,
            data: None,
            unavailable: Vec::new(),
            shown,
            evaluating: 0,
            load_time: std::time::Duration::ZERO,
            load_peak: None,
        });
    }
    let data_dir = settings.data.clone();
    if !data_dir.is_dir() {
        return Err(usage_error(format!(
            "{}: no such data folder (give one with --data DIR)",
            data_dir.display()
        )));
    }
    // Only the tables the requested KPIs read are loaded (plus `accounts`): a table
    // nothing asked for may be absent or even broken without stopping the run.
    let catalog = &checked.catalog;
    let asked = kpic::query::validate(catalog, &request.kpis, &request.scope, &request.filters)
        .map_err(usage_error)?
        .kpis;
    for scope in &request.groupings {
        kpic::query::validate(catalog, &request.kpis, scope, &request.filters)
            .map_err(usage_error)?;
    }
    let mut reads = asked.clone();
    if let Some(k) = args.explain.as_ref().and_then(|k| catalog.kpis.get(k)) {
        reads.push(k);
    }
    // Only the columns they read are converted (see `columns_read`).
    let scopes: Vec<&kpic::query::Scope> = std::iter::once(&request.scope)
        .chain(&request.groupings)
        .collect();
    let needed = kpic::query::columns_read(catalog, &reads, &scopes);
    // Progress on a terminal's standard error: each file as it starts, with its size.
    let bar = super::progress::Progress::count(shown, 0, "loading");
    let mut progress = |file: &str, i: usize, n: usize| {
        bar.set(i as u64, n as u64);
        let size = std::fs::metadata(data_dir.join(file)).map_or(0, |m| m.len());
        bar.say(&format!("{file} ({})", super::progress::bytes(size)));
    };
    let started = std::time::Instant::now();
    // Parquet row groups wholly outside the days the KPIs read are skipped.
    let ranges = kpic::query::time_ranges(catalog, &reads, &request);
    let loaded = kpic::data::load_read(
        catalog,
        &data_dir,
        &needed,
        request.period.is_none(),
        &ranges,
        &mut progress,
    );
    let load_time = started.elapsed();
    let load_peak = super::progress::peak_memory();
    bar.clear();
    let data = match loaded {
        Ok(d) => d,
        Err(report) => {
            for e in &report.errors {
                eprintln!("error: {e}");
            }
            if report.more_errors > 0 {
                eprintln!("... and {} more errors", report.more_errors);
            }
            eprintln!(
                "no KPI was computed: fix the data above (or the model in the catalog) and run again"
            );
            return Err(FAILED);
        }
    };
    if let Some(k) = args.explain.as_ref().and_then(|k| catalog.kpis.get(k)) {
        let (_, not) = kpic::query::split_available(catalog, &[k], &data.absent);
        if let Some(u) = not.first() {
            eprintln!("error: cannot explain `{}`: {}", u.kpi, u.reason);
            return Err(FAILED);
        }
    }
    let (available, unavailable) = kpic::query::split_available(catalog, &asked, &data.absent);
    let mut request = request;
    if !unavailable.is_empty() {
        if available.is_empty() {
            list_unavailable(&unavailable, true);
            eprintln!("error: no KPI could be computed: the data lacks a table each of them reads");
            return Err(FAILED);
        }
        request.kpis = available.iter().map(|k| k.id.clone()).collect();
    }
    let evaluating = asked.len() - unavailable.len();
    Ok(Prepared {
        checked,
        request,
        data: Some(data),
        evaluating,
        unavailable,
        shown,
        load_time,
        load_peak,
    })
}

/// `--explain KPI` on the loaded data.
fn explain(prepared: &Prepared, data: &kpic::data::Dataset, kpi: &str, format: Format) -> u8 {
    let checked = &prepared.checked;
    let native = Run::Native(data);
    let query = match engine::period(&checked.catalog, &native, &prepared.request) {
        Ok(p) => prepared.request.with_period(p),
        Err(e) => return report(&e),
    };
    match kpic::eval::explain_groups(&checked.catalog, data, &query, kpi) {
        Ok(all) if format == Format::Json => match explanation_json(&checked.sources, &all) {
            Ok(json) => super::catalog_args::emit(&format!("{json}\n")),
            Err(e) => usage_error(format!("cannot write the explanation as JSON: {e}")),
        },
        Ok(all) => super::catalog_args::emit(
            &all.iter()
                .map(|e| kpic::render::explanation(&checked.sources, e))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        Err(e) => usage_error(e),
    }
}

/// Computes the prepared request on the engine the flags name: the engine's answer
/// (the KPIs the data lacks listed in its `unavailable`), or the exit code of an
/// error already printed (a database the flags cannot name, Spark not starting).
pub fn execute(
    prepared: &Prepared,
    args: &Args,
) -> Result<Result<engine::Answer, EngineError>, u8> {
    let catalog = &prepared.checked.catalog;
    let request = &prepared.request;
    let Some(data) = &prepared.data else {
        let db = database(args, catalog).map_err(usage_error)?;
        return Ok(project_min_sample(
            engine::run(catalog, &Run::Database(&db), request),
            catalog,
        ));
    };
    let spark;
    let on = if args.run.engine == Engine::Spark {
        let names = args.run.tables.names(catalog).map_err(usage_error)?;
        spark = spark_database(args, catalog, data, names)?;
        Run::Database(&spark)
    } else {
        Run::Native(data)
    };
    let started = std::time::Instant::now();
    let n = prepared.evaluating;
    let spinner = super::progress::Progress::spinner(
        prepared.shown,
        &format!("evaluating {n} KPI{}", if n == 1 { "" } else { "s" }),
    );
    let done = engine::run(catalog, &on, request);
    spinner.clear();
    if std::env::var_os("KPIC_TIMING").is_some() {
        if let Ok(Some(t)) = done.as_ref().map(|a| a.timings) {
            eprintln!(
                "groups {:?} scans {:?} formulas {:?}",
                t.groups, t.scans, t.formulas
            );
        }
        eprintln!(
            "load {:?} evaluate {:?}",
            prepared.load_time,
            started.elapsed()
        );
        let mib = |b: Option<u64>| b.map_or("?".into(), |b| format!("{} MiB", b >> 20));
        eprintln!(
            "peak memory after loading {}, at the end {}",
            mib(prepared.load_peak),
            mib(super::progress::peak_memory())
        );
    }
    Ok(project_min_sample(done, catalog).map(|mut answer| {
        answer
            .results
            .unavailable
            .extend(prepared.unavailable.iter().cloned());
        answer
    }))
}

/// What the flags leave to the project file (`kpic.toml`) or to a default.
struct Settings {
    data: PathBuf,
}

impl Settings {
    fn read(args: &Args) -> Result<Settings, u8> {
        let project = super::project_args::current()?;
        Ok(Settings {
            data: args
                .request
                .data
                .clone()
                .or_else(|| project.and_then(|p| p.data.clone()))
                .unwrap_or_else(|| PathBuf::from("examples/data")),
        })
    }
}

/// The request the flags describe.
fn request(args: &Args, catalog: &kpic::Catalog) -> Result<Request, u8> {
    let scope = &args.request.scope;
    let request =
        super::request_args::scope_request(scope, args.request.period.as_deref(), catalog)?;
    Ok(Request {
        kpis: super::eval_rules::kpis(args, catalog),
        ..request
    })
}

/// The database the flags name.
fn database(args: &Args, catalog: &kpic::Catalog) -> Result<Database, String> {
    let names = args.run.tables.names(catalog)?;
    let kind = args
        .run
        .connect
        .database_kind(args.run.engine, args.run.database.as_deref())?;
    Ok(Database { kind, names })
}

/// A Spark session holding `data` (loaded and checked natively) as its tables.
fn spark_database(
    args: &Args,
    catalog: &kpic::Catalog,
    data: &kpic::data::Dataset,
    names: TableNames,
) -> Result<Database, u8> {
    let session = args.run.connect.spark_session().map_err(usage_error)?;
    super::engine_args::spark_with_data(session.into(), catalog, data, names).map_err(|e| {
        eprintln!("error: {e}");
        FAILED
    })
}

/// Prints the results, or the error with its exit code.
fn finish(done: Result<engine::Answer, EngineError>, args: &Args) -> u8 {
    match done {
        Ok(answer) => {
            for w in &answer.warnings {
                eprintln!("warning: {w}");
            }
            let mut answer = answer;
            let failed = super::eval_status::fails(&answer.results, args)
                || super::eval_rules::fails(&answer.results, args);
            super::eval_status::keep_listed(&mut answer.results, args);
            let code = emit_results(
                &answer.results,
                args.format,
                args.benchmarks,
                args.intervals,
            );
            let code = if failed && code == OK { FAILED } else { code };
            let unavailable = &answer.results.unavailable;
            if unavailable.is_empty() {
                return code;
            }
            // A KPI asked for by name that was not computed is an error the user must
            // see; KPIs left out of "every KPI" are listed, and the run succeeds.
            let named = !args.kpis.is_empty();
            list_unavailable(unavailable, named);
            if named && code == OK { FAILED } else { code }
        }
        Err(e) => report(&e),
    }
}

/// Lists the KPIs that were not computed, and why, on standard error: as errors when
/// they were asked for by name, else as a warning.
fn list_unavailable(unavailable: &[kpic::query::Unavailable], named: bool) {
    let n = unavailable.len();
    // KPIs a fact table's dimension cannot split say so in their reasons.
    let lacks = !unavailable
        .iter()
        .any(|u| u.reason.starts_with(kpic::query::NOT_SPLIT));
    eprintln!(
        "{}: {n} KPI{} not computed{}",
        if named { "error" } else { "warning" },
        if n == 1 { " was" } else { "s were" },
        if !lacks {
            String::new()
        } else {
            format!(
                ": the data lacks a table {} read{}",
                if n == 1 { "it" } else { "they" },
                if n == 1 { "s" } else { "" }
            )
        },
    );
    for u in unavailable {
        eprintln!(
            "  {}: {}",
            kpic::render::escape::terminal(&u.kpi),
            kpic::render::escape::terminal(&u.reason)
        );
    }
}

fn report(e: &EngineError) -> u8 {
    match e {
        EngineError::Request(e) => usage_error(e),
        EngineError::Database(e) => {
            eprintln!("error: {e}");
            FAILED
        }
    }
}

/// The answer with the project's small-sample threshold (`[eval] min_sample`) applied
/// to the KPIs without one of their own; the engine used the default.
fn project_min_sample(
    done: Result<engine::Answer, EngineError>,
    catalog: &kpic::Catalog,
) -> Result<engine::Answer, EngineError> {
    let min = super::project_args::current()
        .ok()
        .flatten()
        .and_then(|p| p.min_sample);
    done.map(|mut answer| {
        if let Some(min) = min {
            kpic::query::set_min_sample(catalog, &mut answer.results, min);
        }
        answer
    })
}

/// Prints results to standard output (a closed pipe is not an error).
pub fn emit_results(
    results: &Results,
    format: Format,
    all_benchmarks: bool,
    intervals: bool,
) -> u8 {
    use std::io::Write;
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    // Status words in colour on a terminal only (and never under NO_COLOR).
    let colour = std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
    let width = kpic::render::table::stdout_width();
    match kpic::render::write_results_shown(
        results,
        format,
        colour,
        width,
        all_benchmarks,
        intervals,
        &mut stdout,
    )
    .and_then(|()| stdout.flush())
    {
        Ok(()) => OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => OK,
        Err(e) => usage_error(format!("cannot write to standard output: {e}")),
    }
}

/// The explanations (one per group) as a JSON array, each line with the source text of
/// its sub-expression (next to its span) so that a reader needs no catalog to follow it.
fn explanation_json(
    sources: &kpic::source::SourceMap,
    all: &[kpic::eval::Explanation],
) -> serde_json::Result<String> {
    let mut out = Vec::new();
    for e in all {
        let mut value = serde_json::to_value(e)?;
        if let Some(lines) = value.get_mut("lines").and_then(|l| l.as_array_mut()) {
            for (json, line) in lines.iter_mut().zip(&e.lines) {
                if let Some(obj) = json.as_object_mut() {
                    obj.insert("text".into(), sources.text(line.span).into());
                }
            }
        }
        out.push(value);
    }
    serde_json::to_string_pretty(&out)
}
