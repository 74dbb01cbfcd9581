//! The evaluation corpus (`tests/fixtures/eval/<case>/`): reading its cases, running
//! `kpic` on each as a user would (natively, on DuckDB, on PostgreSQL, and the SQL of
//! `kpic sql --dialect spark` on Spark), and comparing every engine's results with the
//! values computed by hand in each case's `expected.toml`.
//!
//! Loading a case into a database is `corpus_load.rs`. Neither module knows how the
//! database clients are installed: the test passes in the DuckDB client's path, runs
//! the psql scripts and the Spark session.

#![allow(dead_code)] // each test of the corpus uses a different part

pub use super::cell::{Cell, meets};
use super::corpus_sample::{self, Flags, IntervalCell, SampleCell};
pub use super::corpus_verdict::{Outcome, verdict};
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
    /// The rules that fire, and those not evaluated (`corpus_rules.rs`).
    #[serde(default)]
    fired: Vec<super::corpus_rules::ExpectedFired>,
    #[serde(default)]
    not_evaluated: Vec<super::corpus_rules::ExpectedNotEvaluated>,
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
    /// For a KPI over members: how many members the value folded and skipped.
    members: Option<Tally>,
    /// For a KPI with a target: the target, the gap and the status.
    target: Option<Cell>,
    gap: Option<Cell>,
    status: Option<StatusCell>,
    /// For a ratio or average: the count it rests on; for a proportion its interval.
    sample: Option<SampleCell>,
    interval: Option<IntervalCell>,
}

/// A row's status against its target: `"green"`, `"amber"`, `"red"`, or missing with
/// the reason.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum StatusCell {
    Word(String),
    Missing { missing: String },
}

/// A row's target, gap and status (all absent for a KPI without a target).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Standing {
    pub target: Option<Cell>,
    pub gap: Option<Cell>,
    pub status: Option<StatusCell>,
}

impl Standing {
    fn is_empty(&self) -> bool {
        *self == Standing::default()
    }
}

/// How many members a KPI over members folded and skipped, as every engine reports
/// it (`members` of a result row).
/// (Both fields are required, so a misspelt one is an error; the JSON's `over` is
/// ignored.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Tally {
    pub counted: u64,
    pub skipped: u64,
}

/// Results: the period labels (when the engine prints them) and (value, previous)
/// per key.
#[derive(Debug, Default)]
pub struct Results {
    pub period: Option<String>,
    pub previous_period: Option<String>,
    pub rows: BTreeMap<Key, (Cell, Cell)>,
    /// The member counts of the rows of KPIs over members.
    pub members: BTreeMap<Key, Tally>,
    /// The targets, gaps and statuses of the rows of KPIs with a target.
    pub standings: BTreeMap<Key, Standing>,
    /// The rules that fired and those not evaluated.
    pub rules: super::corpus_rules::Rules,
    /// The samples and intervals of the rows of ratios and averages.
    pub flags: BTreeMap<Key, Flags>,
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
    let mut members = BTreeMap::new();
    let mut standings = BTreeMap::new();
    let mut flags = BTreeMap::new();
    for r in expected.rows {
        let key = (r.kpi, r.group, r.breakdown, r.period, r.grouping);
        let f = Flags {
            sample: r.sample,
            interval: r.interval,
        };
        if f != Flags::default() {
            flags.insert(key.clone(), f);
        }
        if let Some(m) = r.members {
            members.insert(key.clone(), m);
        }
        let standing = Standing {
            target: r.target,
            gap: r.gap,
            status: r.status,
        };
        if !standing.is_empty() {
            standings.insert(key.clone(), standing);
        }
        if rows.insert(key.clone(), (r.value, r.previous)).is_some() {
            return Err(format!("expected.toml: {} twice", show_key(&key)));
        }
    }
    let rules = super::corpus_rules::expected(expected.fired, expected.not_evaluated)?;
    read("catalog.kpi")?;
    let case = Case {
        name,
        dir: dir.to_path_buf(),
        request,
        expected: Results {
            period: Some(expected.period),
            previous_period: Some(expected.previous_period),
            rows,
            members,
            standings,
            rules,
            flags,
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

/// The JSON of `kpic eval --format json`; numbers keep the text kpic printed (exact
/// money has more digits than a double).
pub fn parse_json(text: &str) -> Result<Results, String> {
    #[derive(Deserialize)]
    struct Json {
        period: Option<String>,
        previous_period: Option<String>,
        rows: Vec<JsonRow>,
    }
    #[derive(Deserialize)]
    struct JsonRow {
        kpi: String,
        #[serde(default)]
        group: String,
        breakdown: Option<String>,
        period: Option<String>,
        grouping: Option<String>,
        value: JsonCell,
        previous: JsonCell,
        members: Option<Tally>,
        target: Option<JsonCell>,
        gap: Option<Box<serde_json::value::RawValue>>,
        status: Option<StatusCell>,
        sample: Option<SampleCell>,
        interval: Option<IntervalCell>,
    }
    #[derive(Deserialize)]
    struct JsonCell {
        value: Option<Box<serde_json::value::RawValue>>,
        missing: Option<String>,
    }
    let json: Json =
        serde_json::from_str(text).map_err(|e| format!("kpic printed no JSON ({e}): {text}"))?;
    let mut results = Results {
        period: json.period,
        previous_period: json.previous_period,
        rows: BTreeMap::new(),
        members: BTreeMap::new(),
        standings: BTreeMap::new(),
        rules: super::corpus_rules::from_json(text)?,
        flags: BTreeMap::new(),
    };
    for row in json.rows {
        let key = (row.kpi, row.group, row.breakdown, row.period, row.grouping);
        let f = Flags {
            sample: row.sample,
            interval: row.interval,
        };
        if f != Flags::default() {
            results.flags.insert(key.clone(), f);
        }
        if let Some(m) = row.members {
            results.members.insert(key.clone(), m);
        }
        let cell = |k: &str, c: JsonCell| match (c.value, c.missing) {
            (Some(v), _) if v.get().parse::<f64>().is_ok() => Ok(Cell::Exact(v.get().to_string())),
            (_, Some(r)) => Ok(Cell::Missing { missing: r }),
            (v, _) => Err(format!("{k} of {} is {v:?}", show_key(&key))),
        };
        let standing = Standing {
            target: row.target.map(|t| cell("target", t)).transpose()?,
            gap: row
                .gap
                .filter(|g| g.get() != "null")
                .map(|g| Cell::Exact(g.get().to_string())),
            status: row.status,
        };
        if !standing.is_empty() {
            results.standings.insert(key.clone(), standing);
        }
        let cells = (cell("value", row.value)?, cell("previous", row.previous)?);
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

/// What an engine's results get wrong against the case's expected values, one line
/// each. A missing value must be missing on every engine with the same reason: the
/// language words it once (`query::missing`), and the SQL engines say it alike.
pub fn compare(case: &Case, engine: &str, got: &Results) -> Vec<String> {
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
            if !meets(w, g) {
                problems.push(format!(
                    "{at}: {}: {what} is {g}, expected {w}",
                    show_key(key)
                ));
            }
        }
        let none = Standing::default();
        let (ws, gs) = (
            want.standings.get(key).unwrap_or(&none),
            got.standings.get(key).unwrap_or(&none),
        );
        for (what, w, g) in [
            ("target", &ws.target, &gs.target),
            ("gap", &ws.gap, &gs.gap),
        ] {
            let ok = match (w, g) {
                (Some(w), Some(g)) => meets(w, g),
                (None, None) => true,
                _ => false,
            };
            if !ok {
                problems.push(format!(
                    "{at}: {}: {what} is {g:?}, expected {w:?}",
                    show_key(key)
                ));
            }
        }
        if ws.status != gs.status {
            problems.push(format!(
                "{at}: {}: status is {:?}, expected {:?}",
                show_key(key),
                gs.status,
                ws.status
            ));
        }
        let none = Flags::default();
        let (wf, gf) = (
            want.flags.get(key).unwrap_or(&none),
            got.flags.get(key).unwrap_or(&none),
        );
        for p in corpus_sample::problems(!want.flags.is_empty(), wf, gf) {
            problems.push(format!("{at}: {}: {p}", show_key(key)));
        }
        let (wm, gm) = (want.members.get(key), got.members.get(key));
        if wm != gm {
            problems.push(format!(
                "{at}: {}: members are {gm:?}, expected {wm:?}",
                show_key(key)
            ));
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
    problems.extend(super::corpus_rules::compare(&at, &want.rules, &got.rules));
    problems
}

/// A path as an argument of a command line.
pub fn path_text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
