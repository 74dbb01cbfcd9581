//! The evaluation corpus (`tests/fixtures/eval/<case>/`): reading its cases, running
//! `kpic` on each as a user would (natively, on DuckDB, on PostgreSQL, and the SQL of
//! `kpic sql --dialect spark` on Spark), and comparing every engine's results with the
//! values computed by hand in each case's `expected.toml`.
//!
//! Loading a case into a database is `corpus_load.rs`. Neither module knows how the
//! database clients are installed: the test passes in the DuckDB client's path, runs
//! the psql scripts and the Spark session.

#![allow(dead_code)] // each test of the corpus uses a different part

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The engines a case runs on; `known_bug` in `request.toml` names them.
pub const ENGINES: [&str; 4] = ["native", "duckdb", "postgres", "spark"];

/// The request of a case (`request.toml`): what a user would pass to `kpic eval`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub kpis: Vec<String>,
    /// `--period`; absent: kpic's default (the latest complete year in the data).
    pub period: Option<String>,
    pub fiscal_year_start: Option<u32>,
    /// `--by`: one dimension (`"industry"`, or crossed: `"industry,region"`), or a
    /// list of them, each a grouping of the same run (`--by a --by b`).
    #[serde(default)]
    pub by: By,
    /// `--compare`: `"previous"` (kpic's default) or `"year-ago"`.
    pub compare: Option<String>,
    /// `--every`: `"month"`, `"quarter"` or `"year"`.
    pub every: Option<String>,
    #[serde(default)]
    pub per_account: bool,
    #[serde(default, rename = "where")]
    pub filters: Vec<String>,
    pub account: Option<String>,
    /// Engine -> what is wrong there: a mismatch on that engine is an expected
    /// failure, and a match is an error (the mark must then go).
    #[serde(default)]
    pub known_bug: BTreeMap<String, String>,
}

/// `by` of a request: absent, one dimension, or several groupings.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
pub enum By {
    #[default]
    None,
    One(String),
    Several(Vec<String>),
}

/// A value as expected or as an engine returned it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    Value(f64),
    /// Missing, and why (the native engine's wording).
    Missing {
        missing: String,
    },
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Value(v) => write!(f, "{v}"),
            Cell::Missing { missing } => write!(f, "missing ({missing})"),
        }
    }
}

/// kpi, group, breakdown key, sub-period (time series), grouping (several).
pub type Key = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFile {
    period: String,
    previous_period: String,
    #[serde(rename = "row")]
    rows: Vec<ExpectedRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedRow {
    kpi: String,
    #[serde(default)]
    group: String,
    breakdown: Option<String>,
    /// The sub-period, in a time series.
    period: Option<String>,
    /// The grouping, in a run of several.
    grouping: Option<String>,
    value: Cell,
    previous: Cell,
}

/// Results: the period labels (when the engine prints them) and (value, previous)
/// per key.
#[derive(Debug, Default)]
pub struct Results {
    pub period: Option<String>,
    pub previous_period: Option<String>,
    pub rows: BTreeMap<Key, (Cell, Cell)>,
}

/// One case of the corpus.
#[derive(Debug)]
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    pub request: Request,
    pub expected: Results,
}

impl Case {
    pub fn catalog(&self) -> PathBuf {
        self.dir.join("catalog.kpi")
    }

    pub fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The model's tables: one CSV per table in `data/`, sorted.
    pub fn tables(&self) -> Vec<String> {
        let mut tables: Vec<String> = std::fs::read_dir(self.data())
            .map(|dir| {
                dir.flatten()
                    .filter_map(|e| {
                        let name = e.file_name().into_string().ok()?;
                        name.strip_suffix(".csv").map(str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default();
        tables.sort();
        tables
    }

    /// The KPIs, catalog and scope flags shared by `kpic eval` and `kpic sql`.
    pub fn request_args(&self) -> Vec<String> {
        let r = &self.request;
        let mut args = r.kpis.clone();
        args.push("--catalog".into());
        args.push(path_text(&self.catalog()));
        if let Some(p) = &r.period {
            args.extend(["--period".into(), p.clone()]);
        }
        if let Some(m) = r.fiscal_year_start {
            args.extend(["--fiscal-year-start".into(), m.to_string()]);
        }
        match &r.by {
            By::None => {}
            By::One(d) => args.extend(["--by".into(), d.clone()]),
            By::Several(all) => {
                for d in all {
                    args.extend(["--by".into(), d.clone()]);
                }
            }
        }
        if let Some(c) = &r.compare {
            args.extend(["--compare".into(), c.clone()]);
        }
        if let Some(e) = &r.every {
            args.extend(["--every".into(), e.clone()]);
        }
        if r.per_account {
            args.push("--per-account".into());
        }
        for f in &r.filters {
            args.extend(["--where".into(), f.clone()]);
        }
        if let Some(a) = &r.account {
            args.extend(["--account".into(), a.clone()]);
        }
        args
    }
}

/// The corpus folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval")
}

/// Every case of the corpus, sorted by name; panics naming the file of a malformed case.
pub fn cases() -> Vec<Case> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root())
        .expect("tests/fixtures/eval exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| load(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())))
        .collect()
}

fn load(dir: &Path) -> Result<Case, String> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or("the folder name is not UTF-8")?
        .to_string();
    // The name becomes a PostgreSQL schema and part of Spark view names.
    if !name.starts_with(|c: char| c.is_ascii_lowercase())
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err("a case's folder name is lower-case letters, digits and `_`".into());
    }
    let read = |file: &str| {
        std::fs::read_to_string(dir.join(file)).map_err(|e| format!("cannot read {file}: {e}"))
    };
    let request_text = read("request.toml")?;
    if !request_text.trim_start().starts_with('#') {
        return Err("request.toml opens with a comment saying what edge the case proves".into());
    }
    let request: Request =
        toml::from_str(&request_text).map_err(|e| format!("request.toml: {e}"))?;
    if request.kpis.is_empty() {
        return Err("request.toml: list the KPIs (`kpis = [...]`)".into());
    }
    if let Some(engine) = request
        .known_bug
        .keys()
        .find(|e| !ENGINES.contains(&e.as_str()))
    {
        return Err(format!(
            "request.toml: known_bug names `{engine}`, not one of {ENGINES:?}"
        ));
    }
    let expected: ExpectedFile =
        toml::from_str(&read("expected.toml")?).map_err(|e| format!("expected.toml: {e}"))?;
    let mut rows = BTreeMap::new();
    for r in expected.rows {
        let key = (r.kpi, r.group, r.breakdown, r.period, r.grouping);
        if rows.insert(key.clone(), (r.value, r.previous)).is_some() {
            return Err(format!("expected.toml: {} twice", show_key(&key)));
        }
    }
    read("catalog.kpi")?;
    let case = Case {
        name,
        dir: dir.to_path_buf(),
        request,
        expected: Results {
            period: Some(expected.period),
            previous_period: Some(expected.previous_period),
            rows,
        },
    };
    if case.tables().is_empty() {
        return Err("data/ holds no CSV file".into());
    }
    Ok(case)
}

/// Runs the kpic binary; its stdout, or what went wrong.
pub fn kpic(args: &[String]) -> Result<String, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_kpic"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("KPIC_DUCKDB")
        .output()
        .map_err(|e| format!("cannot run kpic: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "`kpic {}` exited with {}: {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        ))
    }
}

/// `kpic eval` of the case with `extra` flags (the engine), as JSON results.
pub fn eval(case: &Case, extra: &[String]) -> Result<Results, String> {
    let mut args = vec!["eval".to_string()];
    args.extend(case.request_args());
    args.extend(extra.iter().cloned());
    args.extend(["--format".into(), "json".into()]);
    parse_json(&kpic(&args)?)
}

/// The JSON of `kpic eval --format json`.
pub fn parse_json(text: &str) -> Result<Results, String> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("kpic printed no JSON ({e}): {text}"))?;
    let label = |k: &str| json[k].as_str().map(str::to_string);
    let mut results = Results {
        period: label("period"),
        previous_period: label("previous_period"),
        rows: BTreeMap::new(),
    };
    let rows = json["rows"].as_array().ok_or("the JSON has no `rows`")?;
    for row in rows {
        let text = |k: &str| row[k].as_str().map(str::to_string);
        let key = (
            text("kpi").ok_or("a row has no kpi")?,
            text("group").unwrap_or_default(),
            text("breakdown"),
            text("period"),
            text("grouping"),
        );
        let cell = |k: &str| match (&row[k]["value"], &row[k]["missing"]) {
            (serde_json::Value::Number(n), _) => n
                .as_f64()
                .map(Cell::Value)
                .ok_or(format!("{k} of {} is {n}", show_key(&key))),
            (_, serde_json::Value::String(r)) => Ok(Cell::Missing { missing: r.clone() }),
            _ => Err(format!("{k} of {} is {}", show_key(&key), row[k])),
        };
        let cells = (cell("value")?, cell("previous")?);
        if results.rows.insert(key.clone(), cells).is_some() {
            return Err(format!("{} is printed twice", show_key(&key)));
        }
    }
    Ok(results)
}

/// `kpi `k`, group `g`, breakdown `b``, as failures name a row.
pub fn show_key((kpi, group, breakdown, period, grouping): &Key) -> String {
    let mut s = format!("kpi `{kpi}`");
    if let Some(g) = grouping {
        s = format!("grouping `{g}`, {s}");
    }
    if let Some(p) = period {
        s.push_str(&format!(", period `{p}`"));
    }
    if !group.is_empty() {
        s.push_str(&format!(", group `{group}`"));
    }
    if let Some(b) = breakdown {
        s.push_str(&format!(", breakdown `{b}`"));
    }
    s
}

/// Equal to 1e-9 relative (absolute below 1): for money far below a cent.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// What an engine's results get wrong against the case's expected values, one line
/// each. Missing must be missing on every engine; its reason is compared only when
/// `reasons` is set (the native engine's wording is the language's).
pub fn compare(case: &Case, engine: &str, got: &Results, reasons: bool) -> Vec<String> {
    let at = format!("{} on {engine}", case.name);
    let mut problems = Vec::new();
    let want = &case.expected;
    for (what, w, g) in [
        ("period", &want.period, &got.period),
        (
            "previous period",
            &want.previous_period,
            &got.previous_period,
        ),
    ] {
        if g.is_some() && g != w {
            problems.push(format!("{at}: the {what} is {g:?}, expected {w:?}"));
        }
    }
    for (key, (value, previous)) in &want.rows {
        let Some((gv, gp)) = got.rows.get(key) else {
            problems.push(format!(
                "{at}: {}: no row (expected value {value}, previous {previous})",
                show_key(key)
            ));
            continue;
        };
        for (what, w, g) in [("value", value, gv), ("previous", previous, gp)] {
            let same = match (w, g) {
                (Cell::Value(a), Cell::Value(b)) => close(*b, *a),
                (Cell::Missing { missing: a }, Cell::Missing { missing: b }) => !reasons || a == b,
                _ => false,
            };
            if !same {
                problems.push(format!(
                    "{at}: {}: {what} is {g}, expected {w}",
                    show_key(key)
                ));
            }
        }
    }
    for (key, (gv, gp)) in &got.rows {
        if !want.rows.contains_key(key) {
            problems.push(format!(
                "{at}: {}: unexpected row (value {gv}, previous {gp})",
                show_key(key)
            ));
        }
    }
    problems
}

/// Reasons for missing values that differ from the native wording (databases may
/// word them otherwise; reported, not failed).
pub fn reason_notes(case: &Case, engine: &str, got: &Results) -> Vec<String> {
    let mut notes = Vec::new();
    for (key, (value, previous)) in &case.expected.rows {
        let Some((gv, gp)) = got.rows.get(key) else {
            continue;
        };
        for (what, w, g) in [("value", value, gv), ("previous", previous, gp)] {
            if let (Cell::Missing { missing: a }, Cell::Missing { missing: b }) = (w, g)
                && a != b
            {
                notes.push(format!(
                    "{} on {engine}: {}: {what} missing ({b}), natively ({a})",
                    case.name,
                    show_key(key)
                ));
            }
        }
    }
    notes
}

/// One engine's outcome for one case: its problems (empty when it matches), or the
/// error that kept it from running.
pub type Outcome = Result<Vec<String>, String>;

/// The verdict over every case on one engine: `Ok(summary)` when every case matches
/// (or differs from the expected values where a `known_bug` says), else every failure,
/// each naming its case, engine, KPI, group and both values. A case that does not run
/// (kpic or the database fails) is a failure, known bug or not.
pub fn verdict(engine: &str, outcomes: Vec<(&Case, Outcome)>) -> Result<String, String> {
    let (mut failures, mut expected_failures) = (Vec::new(), Vec::new());
    let mut passed = 0;
    for (case, outcome) in &outcomes {
        let problems = match outcome {
            Ok(p) => p.clone(),
            Err(e) => {
                // Not running at all is never the known bug.
                failures.push(format!("{} on {engine}: {e}", case.name));
                continue;
            }
        };
        let bug = case.request.known_bug.get(engine);
        match (problems.is_empty(), bug) {
            (true, None) => passed += 1,
            (true, Some(b)) => failures.push(format!(
                "{} on {engine}: marked known_bug ({b}) but matches the expected values; \
                 remove the mark",
                case.name
            )),
            (false, None) => failures.extend(problems),
            (false, Some(b)) => {
                expected_failures.push(format!("{} ({b}):", case.name));
                expected_failures.extend(problems.iter().map(|p| format!("  {p}")));
            }
        }
    }
    let mut summary = format!(
        "evaluation corpus on {engine}: {passed} of {} cases match",
        outcomes.len()
    );
    if !expected_failures.is_empty() {
        summary.push_str(&format!(
            "; known bugs, expected to fail:\n{}",
            expected_failures.join("\n")
        ));
    }
    if failures.is_empty() {
        Ok(summary)
    } else {
        Err(format!("{summary}\nFAILURES:\n{}", failures.join("\n")))
    }
}

/// A path as an argument of a command line.
pub fn path_text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
