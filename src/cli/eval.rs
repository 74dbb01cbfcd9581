//! `kpic eval`: compute KPIs for a period over a dataset.

use super::engine::Database;
use super::scope_args::{ScopeArgs, TableArgs};
use super::{FAILED, OK, usage_error};
use kpic::eval::{Output, Period, Query, Results, evaluate};
use kpic::ir::Unit;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Output formats of `kpic eval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table for people.
    Table,
    Csv,
    Json,
    Markdown,
}

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
}

/// Arguments of `kpic eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// KPI ids to compute (default: every KPI of the catalog).
    pub kpis: Vec<String>,
    /// Folder of CSV files, one per table (default: the bundled `examples/data`).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Catalog files or folders (default: `kpis/`).
    #[arg(long = "catalog")]
    pub catalog: Vec<PathBuf>,
    /// Period: 2025, 2025-Q3, 2025-07 or 2025-01-01..2025-03-31 (default: the latest
    /// complete year in the data).
    #[arg(long)]
    pub period: Option<String>,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Show how the value of this KPI was obtained: every sub-expression of its
    /// formula with its value and the rows each aggregate read (first group).
    #[arg(long, value_name = "KPI")]
    pub explain: Option<String>,
    /// Run on the catalog and example dataset built into this binary (works from any
    /// folder).
    #[arg(long, conflicts_with_all = ["data", "catalog"])]
    pub demo: bool,
    /// Where to compute: natively over `--data`, or in PostgreSQL or DuckDB (the
    /// generated SQL; results printed as the native engine prints them).
    #[arg(long, value_enum, default_value_t = Engine::Native)]
    pub engine: Engine,
    /// Connection URL for `--engine postgres`, e.g. postgresql://user@host:5432/db.
    #[arg(long, required_if_eq("engine", "postgres"))]
    pub url: Option<String>,
    /// DuckDB database file for `--engine duckdb`, holding the model's tables; opened
    /// read-only.
    #[arg(long, value_name = "FILE", required_if_eq("engine", "duckdb"))]
    pub database: Option<PathBuf>,
    /// The DuckDB command-line client for `--engine duckdb` (default: $KPIC_DUCKDB,
    /// else `duckdb` on PATH; `pip install duckdb-cli` installs it).
    #[arg(long, value_name = "PATH")]
    pub duckdb_cli: Option<PathBuf>,
    #[command(flatten)]
    pub tables: TableArgs,
}

/// Runs `kpic eval`.
pub fn run(mut args: Args) -> u8 {
    if args.demo {
        match super::demo::unpack() {
            Ok((catalog, data)) => {
                args.catalog = vec![catalog];
                args.data = Some(data);
            }
            Err(e) => {
                return usage_error(format!(
                    "cannot unpack the demo into the temporary folder: {e}"
                ));
            }
        }
    }
    let checked = match super::catalog_args::load_checked(args.catalog.clone()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Some(db) = Database::from_args(&args) {
        return match db {
            Ok(db) => super::engine::run(&args, &checked.catalog, &db),
            Err(e) => usage_error(e),
        };
    }
    let data_dir = args
        .data
        .clone()
        .unwrap_or_else(|| PathBuf::from("examples/data"));
    if !data_dir.is_dir() {
        return usage_error(format!(
            "{}: no such data folder (give one with --data DIR)",
            data_dir.display()
        ));
    }
    let progress_shown = std::io::stderr().is_terminal();
    let mut progress = |file: &str, i: usize, n: usize| {
        if progress_shown {
            eprint!("\r\x1b[2Kloading {file} ({}/{n})", i + 1);
        }
    };
    let started = std::time::Instant::now();
    let loaded = kpic::data::load_dataset_with_progress(&checked.catalog, &data_dir, &mut progress);
    let load_time = started.elapsed();
    if progress_shown {
        eprint!("\r\x1b[2K");
    }
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
            return FAILED;
        }
    };
    let period = match &args.period {
        Some(p) => match Period::parse(p, args.scope.fiscal_year_start) {
            Ok(p) => p,
            Err(e) => return usage_error(e),
        },
        None => match latest_complete_year(&checked.catalog, &data, args.scope.fiscal_year_start) {
            Some(p) => p,
            None => return usage_error("the data holds no complete year; give one with --period"),
        },
    };
    let (scope, filters) = match args.scope.resolve(&checked.catalog) {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    let query = Query {
        kpis: args.kpis.clone(),
        period,
        scope,
        filters,
    };
    if let Some(kpi) = &args.explain {
        return match kpic::eval::explain(&checked.catalog, &data, &query, kpi) {
            Ok((group, lines)) => super::catalog_args::emit(&render_explanation(
                &checked, kpi, &group, &query, &lines,
            )),
            Err(e) => usage_error(e),
        };
    }
    let started = std::time::Instant::now();
    let evaluated = evaluate(&checked.catalog, &data, &query);
    if std::env::var_os("KPIC_TIMING").is_some() {
        eprintln!("load {load_time:?} evaluate {:?}", started.elapsed());
    }
    let results = match evaluated {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    emit_results(&results, args.format)
}

/// The explanation as an indented tree: source text, value, rows read.
fn render_explanation(
    checked: &kpic::Checked,
    kpi: &str,
    group: &str,
    query: &Query,
    lines: &[kpic::eval::ExplainLine],
) -> String {
    let unit = checked
        .catalog
        .kpis
        .get(kpi)
        .map_or(Unit::Number, |k| k.unit);
    let mut out = format!(
        "{kpi} for {}{} (previous period: {})\n",
        query.period.label(),
        if group.is_empty() {
            String::new()
        } else {
            format!(", {group}")
        },
        query.period.previous().label()
    );
    for (i, l) in lines.iter().enumerate() {
        let text: String = checked
            .sources
            .text(l.span)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let text = if text.chars().count() > 70 {
            format!("{}…", text.chars().take(69).collect::<String>())
        } else {
            text
        };
        let shown = match &l.value {
            Output::Value(v) if i == 0 => format_value(*v, unit),
            Output::Value(v) => format!("{}", (v * 1e6).round() / 1e6),
            Output::Missing(r) => format!("missing ({r})"),
        };
        let label = match &l.refers_to {
            Some(id) => format!("{id} := {text}"),
            None => text,
        };
        let rows = l
            .rows
            .map(|(all, period, kept)| {
                format!("   [{kept} of {period} rows in the period; {all} in the table]")
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "{}{label}  = {shown}{rows}\n",
            "  ".repeat(l.depth)
        ));
    }
    out
}

/// The last whole (fiscal) year that ends on or before the latest date in the data.
fn latest_complete_year(
    catalog: &kpic::Catalog,
    data: &kpic::data::Dataset,
    fiscal_start: u32,
) -> Option<Period> {
    let mut latest: Option<f64> = None;
    for t in catalog.tables.values() {
        let (Some(col), Some(table)) = (&t.time_column, data.tables.get(&t.name)) else {
            continue;
        };
        if let Some(kpic::data::Column::Date { values, valid }) = table.columns.get(col) {
            for (v, ok) in values.iter().zip(valid) {
                if *ok {
                    latest = Some(latest.map_or(*v, |l: f64| l.max(*v)));
                }
            }
        }
    }
    Period::latest_complete_year(latest?, fiscal_start)
}

/// Formats a value by its unit.
pub fn format_value(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Money => thousands(v, 2),
        Unit::Percent => format!("{:.1}%", v * 100.0),
        Unit::Ratio => format!("{v:.3}"),
        Unit::Count if v.fract() == 0.0 => thousands(v, 0),
        Unit::Count => thousands(v, 1),
        Unit::Days => format!("{v:.1} days"),
        Unit::Hours => format!("{v:.1} h"),
        Unit::Score | Unit::Number => format!("{v:.2}"),
    }
}

fn thousands(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let sign = if v < 0.0 && s.chars().any(|c| c != '0' && c != '.') {
        "-"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

fn shown(o: &Output, unit: Unit) -> String {
    match o {
        Output::Value(v) => format_value(*v, unit),
        Output::Missing(reason) => format!("— ({reason})"),
    }
}

fn change(c: Option<f64>, unit: Unit) -> String {
    match (c, unit) {
        (None, _) => String::new(),
        (Some(c), Unit::Percent) => format!("{:+.1} pts", c * 100.0),
        (Some(c), u) => {
            let s = format_value(c, u);
            if c >= 0.0 { format!("+{s}") } else { s }
        }
    }
}

/// Prints results to standard output (a closed pipe is not an error).
pub fn emit_results(results: &Results, format: Format) -> u8 {
    use std::io::Write;
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write_results(results, format, &mut stdout).and_then(|()| stdout.flush()) {
        Ok(()) => OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => OK,
        Err(e) => usage_error(format!("cannot write to standard output: {e}")),
    }
}

/// Writes results in `format`; CSV and JSON stream row by row, so a large result
/// (every account times every KPI) is never held twice in memory.
fn write_results(
    results: &Results,
    format: Format,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let grouped = results.rows.iter().any(|r| !r.group.is_empty());
    let header: Vec<&str> = if grouped {
        vec!["kpi", "group", "breakdown", "value", "previous", "change"]
    } else {
        vec!["kpi", "breakdown", "value", "previous", "change"]
    };
    // Formatted cells, for the formats that show them.
    let cells = || -> Vec<Vec<String>> {
        results
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![r.kpi.to_string()];
                if grouped {
                    row.push(r.group.to_string());
                }
                row.push(r.breakdown.clone().unwrap_or_default());
                row.push(shown(&r.value, r.unit));
                row.push(shown(&r.previous, r.unit));
                row.push(change(r.change, r.unit));
                row
            })
            .collect()
    };
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, results)?;
            out.write_all(b"\n")
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "kpi",
                "group",
                "breakdown",
                "unit",
                "value",
                "previous",
                "change",
                "missing_reason",
            ])?;
            for r in &results.rows {
                let num = |o: &Output| match o {
                    Output::Value(v) => v.to_string(),
                    Output::Missing(_) => String::new(),
                };
                let reason = match &r.value {
                    Output::Missing(m) => m.clone(),
                    _ => String::new(),
                };
                w.write_record([
                    &*r.kpi,
                    &r.group,
                    r.breakdown.as_deref().unwrap_or(""),
                    r.unit.as_str(),
                    &num(&r.value),
                    &num(&r.previous),
                    &r.change.map(|c| c.to_string()).unwrap_or_default(),
                    &reason,
                ])?;
            }
            w.flush()
        }
        Format::Markdown => {
            let mut text = format!(
                "| {} |\n|{}\n",
                header.join(" | "),
                "---|".repeat(header.len())
            );
            for r in cells() {
                text.push_str(&format!("| {} |\n", r.join(" | ")));
            }
            out.write_all(text.as_bytes())
        }
        Format::Table => {
            let rows = cells();
            let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
            for r in &rows {
                for (w, c) in widths.iter_mut().zip(r) {
                    *w = (*w).max(c.chars().count());
                }
            }
            let line = |cells: Vec<String>| -> String {
                let mut s = String::new();
                for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
                    let pad = w - c.chars().count();
                    // Text left, numbers right.
                    if i >= header.len() - 3 {
                        s.push_str(&" ".repeat(pad));
                        s.push_str(c);
                    } else {
                        s.push_str(c);
                        s.push_str(&" ".repeat(pad));
                    }
                    s.push_str("  ");
                }
                s.trim_end().to_string() + "\n"
            };
            let mut text = format!(
                "period {} (previous: {})\n",
                results.period, results.previous_period
            );
            text.push_str(&line(header.iter().map(|h| h.to_string()).collect()));
            for r in rows {
                text.push_str(&line(r));
            }
            out.write_all(text.as_bytes())
        }
    }
}
