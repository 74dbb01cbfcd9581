//! Running one case natively: its rows written as a small dataset in a temporary
//! folder, loaded and checked by the same loader as `kpic eval --data`, evaluated by
//! `engine::run`, and the values compared with the expectation.

use super::engines::TestEngine;
use super::expect::{self, Expected};
use super::file::{Case, Expectation, Target, TestFile};
use crate::engine::{self, Engine};
use crate::ir::{Catalog, Unit};
use crate::query::{Compare, Output, Period, Request, Scope};
use std::collections::BTreeSet;
use std::path::Path;

/// How a case went.
#[derive(Debug, Clone)]
pub enum Outcome {
    Pass,
    /// Values that differ from the expectation, and how the value was obtained.
    Fail {
        mismatches: Vec<Mismatch>,
        trace: String,
    },
    /// The case could not run (a bad expectation, an unknown table, bad rows).
    Error(String),
}

/// One value that is not what the case expects.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// The group (empty for the whole scope).
    pub group: String,
    pub expected: String,
    pub actual: String,
}

/// One case's result, with where the case is.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub file: String,
    /// 1-based line of the case's name.
    pub line: usize,
    pub name: String,
    pub target: String,
    pub outcome: Outcome,
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.matches('\n').count() + 1)
}

/// Runs every case of a file against the checked catalog on `engine`.
pub fn run_file(checked: &crate::Checked, file: &TestFile, engine: &TestEngine) -> Vec<CaseResult> {
    file.cases
        .iter()
        .map(|case| run_one(checked, file, case, engine))
        .collect()
}

/// Runs one case of `file` on `engine`.
pub fn run_one(
    checked: &crate::Checked,
    file: &TestFile,
    case: &Case,
    engine: &TestEngine,
) -> CaseResult {
    CaseResult {
        file: file.path.display().to_string(),
        line: line_of(&file.text, case.offset),
        name: case.name.clone(),
        target: case.target.id().to_string(),
        outcome: run_case(checked, file, case, engine).unwrap_or_else(Outcome::Error),
    }
}

fn run_case(
    checked: &crate::Checked,
    file: &TestFile,
    case: &Case,
    engine: &TestEngine,
) -> Result<Outcome, String> {
    let (catalog, kpi) = target_catalog(checked, &case.target)?;
    let unit = catalog
        .kpis
        .get(&kpi)
        .map(|k| k.unit)
        .ok_or_else(|| format!("no KPI `{kpi}`"))?;
    let expected = expectations(case, unit)?;
    let dir = tempfile::Builder::new()
        .prefix("kpic-test-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let needed = {
        let kpi_def = catalog
            .kpis
            .get(&kpi)
            .ok_or_else(|| format!("no KPI `{kpi}`"))?;
        crate::query::tables_needed(&catalog, &[kpi_def])
    };
    let catalog = write_tables(&catalog, case, &needed, dir.path())?;
    let data = crate::data::load_needed(&catalog, dir.path(), &needed, false, &mut |_, _, _| {})
        .map_err(|report| {
            let mut lines: Vec<String> = report
                .errors
                .iter()
                .map(|e| data_error(file, case, dir.path(), e))
                .collect();
            if report.more_errors > 0 {
                lines.push(format!("... and {} more", report.more_errors));
            }
            lines.join("\n")
        })?;
    let request = request(&catalog, case, &kpi)?;
    // On a database, the rows the native loader checked, put into it.
    let loaded = engine.load(&catalog, &data, dir.path())?;
    let on = match &loaded {
        Some(l) => Engine::Database(&l.db),
        None => Engine::Native(&data),
    };
    let answer = engine::run(&catalog, &on, &request).map_err(|e| e.to_string())?;
    let rows: Vec<(&str, &Output)> = answer
        .results
        .rows
        .iter()
        .filter(|r| *r.kpi == *kpi)
        .map(|r| (&*r.group, &r.value))
        .collect();
    let mut mismatches = Vec::new();
    let mut seen = BTreeSet::new();
    for (group, value) in &rows {
        seen.insert(group.to_string());
        let Some((written, want)) = expected.iter().find(|(g, _)| g == group).map(|(_, w)| w)
        else {
            mismatches.push(Mismatch {
                group: group.to_string(),
                expected: "(not in the case)".into(),
                actual: expect::shown(value, unit),
            });
            continue;
        };
        if let Err(actual) = expect::check(want, value, unit) {
            mismatches.push(Mismatch {
                group: group.to_string(),
                expected: written.clone(),
                actual,
            });
        }
    }
    for (group, (written, _)) in &expected {
        if !seen.contains(group) {
            mismatches.push(Mismatch {
                group: group.clone(),
                expected: written.clone(),
                actual: "(no such group in the results)".into(),
            });
        }
    }
    if mismatches.is_empty() {
        return Ok(Outcome::Pass);
    }
    let trace = match engine.dialect() {
        None => crate::eval::explain_groups(&catalog, &data, &answer.query, &kpi)
            .map(|all| {
                all.iter()
                    .map(|e| crate::render::explanation(&checked.sources, e))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_else(|e| format!("(no explanation: {e})")),
        // The explanation trace is the native engine's; a database shows its query.
        Some(dialect) => sql_shown(&catalog, &answer.query, dialect, engine.name()),
    };
    Ok(Outcome::Fail { mismatches, trace })
}

/// Group label → (the value as written, parsed).
type Expectations = Vec<(String, (String, Expected))>;

fn expectations(case: &Case, unit: Unit) -> Result<Expectations, String> {
    let parse = |text: &String| {
        expect::parse(text, unit)
            .map(|e| (text.clone(), e))
            .map_err(|e| format!("expect: {e}"))
    };
    match &case.expect {
        Expectation::One(text) => Ok(vec![(String::new(), parse(text)?)]),
        Expectation::Groups(groups) => groups
            .iter()
            .map(|(g, text)| Ok((g.clone(), parse(text)?)))
            .collect(),
    }
}

/// The catalog a case runs against and the KPI it reads: a measure is tested through a
/// KPI made for it (`kpic_test_MEASURE`, the measure's formula and unit), checked with
/// the catalog's own files.
fn target_catalog(checked: &crate::Checked, target: &Target) -> Result<(Catalog, String), String> {
    match target {
        Target::Kpi(id) => {
            if checked.catalog.kpis.contains_key(id) {
                Ok((checked.catalog.clone(), id.clone()))
            } else {
                let hint = crate::diagnostic::did_you_mean(
                    id,
                    checked.catalog.kpis.keys().map(String::as_str),
                )
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
                Err(format!("no KPI `{id}` in the catalog{hint}"))
            }
        }
        Target::Measure(id) => {
            let m = checked.catalog.measures.get(id).ok_or_else(|| {
                let hint = crate::diagnostic::did_you_mean(
                    id,
                    checked.catalog.measures.keys().map(String::as_str),
                )
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
                format!("no measure `{id}` in the catalog{hint}")
            })?;
            let unit = m.unit.ok_or_else(|| {
                format!("measure `{id}` declares no unit; give it one (`unit: money`) to test it")
            })?;
            let category =
                checked.catalog.categories.keys().next().ok_or(
                    "the catalog declares no category, which a KPI made for a measure needs",
                )?;
            let kpi = format!("kpic_test_{id}");
            let text = format!(
                "kpi {kpi} {{\n  name: \"{id}\"\n  category: {category}\n  unit: {}\n  \
                 better: higher\n  formula: {id}\n}}\n",
                unit.as_str()
            );
            let mut texts: Vec<(String, String)> = checked
                .sources
                .iter()
                .map(|(_, f)| (f.name.clone(), f.text.to_string()))
                .collect();
            texts.push(("(test)".into(), text));
            let rechecked = crate::check_texts(texts.iter().map(|(n, t)| (n.as_str(), t.as_str())));
            if rechecked.error_count() > 0 {
                return Err(format!(
                    "measure `{id}` cannot be evaluated as a KPI of its own"
                ));
            }
            Ok((rechecked.catalog, kpi))
        }
    }
}

/// Writes the case's tables into `dir` (every table the KPI reads that the case does
/// not give: a header without rows; `accounts`, when not given: one row per account
/// id of the given rows, its other cells empty). Returns the catalog to load with: as
/// given, or with every column of a made-up `accounts` optional but its key.
fn write_tables(
    catalog: &Catalog,
    case: &Case,
    needed: &indexmap::IndexSet<String>,
    dir: &Path,
) -> Result<Catalog, String> {
    let mut catalog = catalog.clone();
    for name in case.tables.keys() {
        if !catalog.tables.contains_key(name) {
            let hint =
                crate::diagnostic::did_you_mean(name, catalog.tables.keys().map(String::as_str))
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
            return Err(format!("tables: no table `{name}` in the model{hint}"));
        }
    }
    let mut account_ids = BTreeSet::new();
    for (name, (text, _)) in &case.tables {
        let csv = csv_text(text);
        if let Some(col) = catalog
            .tables
            .get(name)
            .and_then(|t| t.account_column.clone())
        {
            let mut reader = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .from_reader(csv.as_bytes());
            let at = reader
                .headers()
                .ok()
                .and_then(|h| h.iter().position(|c| c == col));
            if let Some(at) = at {
                for record in reader.records().flatten() {
                    if let Some(id) = record.get(at).filter(|id| !id.is_empty()) {
                        account_ids.insert(id.to_string());
                    }
                }
            }
        }
        write(dir, name, &csv)?;
    }
    for name in needed.iter().filter(|n| !case.tables.contains_key(*n)) {
        let Some(table) = catalog.tables.get_mut(name) else {
            continue;
        };
        let header: Vec<&str> = table.columns.keys().map(String::as_str).collect();
        let mut csv = header.join(",") + "\n";
        if name == "accounts" {
            let key = table.key.clone().unwrap_or_default();
            for id in &account_ids {
                let row: Vec<String> = table
                    .columns
                    .keys()
                    .map(|c| if *c == key { quote(id) } else { String::new() })
                    .collect();
                csv.push_str(&row.join(","));
                csv.push('\n');
            }
            for (name, c) in table.columns.iter_mut() {
                c.optional |= *name != key;
            }
        }
        write(dir, name, &csv)?;
    }
    Ok(catalog)
}

/// A table's text as a CSV file: each line without the indentation of the text block,
/// blank lines left out.
fn csv_text(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect()
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write(dir: &Path, table: &str, csv: &str) -> Result<(), String> {
    std::fs::write(dir.join(format!("{table}.csv")), csv)
        .map_err(|e| format!("cannot write the rows of `{table}`: {e}"))
}

/// A loading error placed in the test file: the line of the row in the case's text.
fn data_error(file: &TestFile, case: &Case, dir: &Path, e: &crate::data::DataError) -> String {
    let table = Path::new(&e.file)
        .strip_prefix(dir)
        .ok()
        .and_then(|p| p.file_stem())
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_string();
    let mut out = match case.tables.get(&table) {
        Some((text, at)) if e.line > 0 => {
            // The CSV's line `n` is the n-th non-blank line of the text block.
            let first = line_of(&file.text, *at);
            let opened = file.text[*at..].starts_with("\"\"\"");
            let blank_before = text.lines().take_while(|l| l.trim().is_empty()).count();
            let mut line = first + usize::from(opened) + blank_before;
            let mut seen = 0;
            for l in text.lines().skip(blank_before) {
                if !l.trim().is_empty() {
                    seen += 1;
                    if seen == e.line {
                        break;
                    }
                }
                line += 1;
            }
            format!("{}:{line}: table `{table}`", file.path.display())
        }
        _ => format!("table `{table}`"),
    };
    if let Some(c) = &e.column {
        out.push_str(&format!(" column `{c}`"));
    }
    if let Some(v) = &e.value {
        out.push_str(&format!(" value {v:?}"));
    }
    out.push_str(&format!(": {}", e.message));
    out
}

fn request(catalog: &Catalog, case: &Case, kpi: &str) -> Result<Request, String> {
    let period = case
        .period
        .as_deref()
        .map(|p| Period::parse(p, 1))
        .transpose()?;
    let filters = crate::query::parse_filters(catalog, &case.filters, case.account.as_deref())
        .map_err(|f| format!("where: write COLUMN=VALUE, not `{f}`"))?;
    Ok(Request {
        kpis: vec![kpi.to_string()],
        period,
        fiscal_year_start: 1,
        scope: case.by.clone().map_or(Scope::Portfolio, Scope::By),
        filters,
        compare: Compare::Previous,
        every: None,
        groupings: Vec::new(),
        today: None,
    })
}

/// The SQL a database ran for a failing case (the explanation trace is native-only),
/// as `kpic sql` prints it: the model's own table names.
fn sql_shown(
    catalog: &Catalog,
    query: &crate::query::Query,
    dialect: crate::sql::Dialect,
    engine: &str,
) -> String {
    let req = crate::sql::SqlRequest::from_query(query, dialect, crate::sql::TableNames::default());
    match crate::sql::compile_query(catalog, &req) {
        Ok(sql) => format!(
            "(the explanation trace is native-only: run without --engine for it)\n\
             the SQL run on {engine}:\n{sql}"
        ),
        Err(e) => format!("(no SQL: {e})"),
    }
}
