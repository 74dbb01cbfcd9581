//! Running compiled queries on Spark: a Python driver (`spark_driver.py`, embedded in
//! the binary) that holds one Spark session through PySpark, in local mode, on a
//! cluster's master, or over Spark Connect (`sc://host:port`).
//!
//! The driver is a child process started once per [`Session`] (a JVM start costs
//! seconds; every query of a run goes to the same session), talked to with one JSON
//! object per line on its standard input and output. Values come back as text: a
//! DECIMAL with every digit, a double with enough digits to read back the same
//! `f64`, NULL as `null`. A dataset kpic loaded and validated natively (mappings
//! applied) is handed to Spark as CSV files in the session's temporary folder, read
//! with the Spark DDL's column types ([`Session::load`]).

use super::SqlRow;
use crate::data::Dataset;
use crate::ir::Catalog;
use crate::query::QueryError;
use crate::sql::TableNames;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The driver script.
const DRIVER: &str = include_str!("spark_driver.py");

/// The environment variable naming the Python that has PySpark.
pub const PYTHON_ENV: &str = "KPIC_SPARK_PYTHON";

/// The master used when none is given: Spark in this process's machine, every core.
pub const DEFAULT_MASTER: &str = "local[*]";

/// How to start a Spark session.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A Python that can `import pyspark` ([`locate_python`] finds one).
    pub python: PathBuf,
    /// `local[*]`, `spark://host:7077`, `yarn`, or `sc://host:15002` for Spark Connect.
    pub master: String,
    /// Spark settings (`spark.executor.memory` ...), after kpic's own.
    pub conf: Vec<(String, String)>,
    /// The Java Spark runs on (`None`: `$JAVA_HOME`, else `java` on PATH).
    pub java_home: Option<PathBuf>,
}

/// A running Spark session. Dropping it stops Spark and removes its temporary folder.
pub struct Session {
    link: Mutex<Link>,
    /// The driver process (`None` when attached to a session another process runs).
    child: Option<Child>,
    /// The end of the driver's standard error (Spark's log), for error messages.
    log: Arc<Mutex<Vec<u8>>>,
    /// The data files handed to Spark, Spark's scratch space and warehouse.
    dir: tempfile::TempDir,
    /// Files written so far (their names number them).
    files: Mutex<usize>,
}

/// A row as the driver sends it: every value as text, NULL as `None`.
type TextRow = Vec<Option<String>>;

/// The two ends of the conversation with the driver.
struct Link {
    send: Box<dyn Write + Send>,
    receive: Box<dyn BufRead + Send>,
}

/// The name of a shared session's socket in its folder.
const SOCKET: &str = "kpic.sock";

/// At most this much of Spark's log is kept for an error message.
const LOG_KEPT: usize = 64 * 1024;

impl Session {
    /// Starts the driver and its Spark session; the error says what is missing (Java,
    /// PySpark) or what Spark said.
    pub fn start(settings: &Settings) -> Result<Session, String> {
        Session::launch(settings, false)
    }

    /// Starts a driver that serves the kpic runs attached to its Unix socket
    /// ([`Session::socket`], [`Session::attach`]) one after another with one Spark
    /// session, until dropped or until this process ends.
    #[doc(hidden)]
    pub fn serve(settings: &Settings) -> Result<Session, String> {
        Session::launch(settings, true)
    }

    /// The Unix socket of a session started by [`Session::serve`].
    #[doc(hidden)]
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join(SOCKET)
    }

    /// Talks to a session started by [`Session::serve`] in another process; each
    /// attachment starts with no tables loaded.
    #[doc(hidden)]
    pub fn attach(socket: &Path) -> Result<Session, String> {
        #[cfg(unix)]
        {
            let stream = std::os::unix::net::UnixStream::connect(socket)
                .map_err(|e| format!("cannot reach the Spark session {}: {e}", socket.display()))?;
            let read = stream.try_clone().map_err(|e| e.to_string())?;
            let session = Session {
                link: Mutex::new(Link {
                    send: Box::new(stream),
                    receive: Box::new(BufReader::new(read)),
                }),
                child: None,
                log: Arc::default(),
                dir: temp_dir()?,
                files: Mutex::new(0),
            };
            session.ready()?;
            Ok(session)
        }
        #[cfg(not(unix))]
        {
            Err(format!(
                "{}: a shared Spark session is reached by a Unix socket",
                socket.display()
            ))
        }
    }

    fn launch(settings: &Settings, listen: bool) -> Result<Session, String> {
        let local = !settings.master.starts_with("sc://");
        if local {
            check_java(settings.java_home.as_deref())?;
        }
        let dir = temp_dir()?;
        let script = dir.path().join("kpic_spark_driver.py");
        std::fs::write(&script, DRIVER)
            .map_err(|e| format!("cannot write the Spark driver {}: {e}", script.display()))?;
        let mut conf: Vec<(String, String)> = vec![
            // Dates and date-times are read and cut into days as written, in no zone.
            ("spark.sql.session.timeZone".into(), "UTC".into()),
            ("spark.ui.showConsoleProgress".into(), "false".into()),
        ];
        if settings.master.starts_with("local") {
            conf.extend(local_conf(dir.path()));
        }
        conf.extend(settings.conf.iter().cloned());
        let arg = serde_json::json!({
            "master": settings.master,
            "conf": conf.into_iter().map(|(k, v)| (k, Value::String(v))).collect::<serde_json::Map<String, Value>>(),
            "listen": listen.then(|| dir.path().join(SOCKET)),
        });
        let mut command = Command::new(&settings.python);
        if let Some(home) = &settings.java_home {
            command.env("JAVA_HOME", home);
        }
        let mut child = command
            .arg(&script)
            .arg(arg.to_string())
            .current_dir(dir.path())
            .env("PYSPARK_PYTHON", &settings.python)
            // No /tmp/hsperfdata_<user> folder left behind by the JVM.
            .env("JDK_JAVA_OPTIONS", "-XX:-UsePerfData")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", settings.python.display()))?;
        let log: Arc<Mutex<Vec<u8>>> = Arc::default();
        if let Some(mut stderr) = child.stderr.take() {
            let log = Arc::clone(&log);
            // Read all along, so that a full pipe never stops Spark.
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n @ 1..) = stderr.read(&mut buf) {
                    let mut kept = log.lock().unwrap_or_else(|e| e.into_inner());
                    kept.extend_from_slice(&buf[..n]);
                    let excess = kept.len().saturating_sub(LOG_KEPT);
                    kept.drain(..excess);
                }
            });
        }
        let (Some(send), Some(receive)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("cannot talk to the Spark driver".into());
        };
        let session = Session {
            link: Mutex::new(Link {
                send: Box::new(send),
                receive: Box::new(BufReader::new(receive)),
            }),
            child: Some(child),
            log,
            dir,
            files: Mutex::new(0),
        };
        session.ready().map_err(|e| {
            format!(
                "Spark could not start (master {}, Python {}):\n{}",
                settings.master,
                settings.python.display(),
                indent(&e)
            )
        })?;
        Ok(session)
    }

    /// Waits for the driver's first line, which says that Spark runs.
    fn ready(&self) -> Result<(), String> {
        let mut link = self.link.lock().unwrap_or_else(|e| e.into_inner());
        let reply = self.receive(&mut link)?;
        match reply.get("ready") {
            Some(_) => Ok(()),
            None => Err(error_of(&reply)),
        }
    }

    /// Reads one reply; the end of the output is an error with the end of Spark's log.
    fn receive(&self, link: &mut Link) -> Result<Value, String> {
        let mut line = String::new();
        match link.receive.read_line(&mut line) {
            Ok(0) | Err(_) => {
                // Let the log reader catch up with what the driver wrote last.
                std::thread::sleep(Duration::from_millis(200));
                Err(format!("the Spark driver stopped\n{}", self.log_tail(40)))
            }
            Ok(_) => serde_json::from_str(&line)
                .map_err(|e| format!("unexpected output from the Spark driver ({e}): {line}")),
        }
    }

    /// The last `n` lines of Spark's log.
    fn log_tail(&self, n: usize) -> String {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let text = String::from_utf8_lossy(&log);
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(n)..].join("\n");
        if tail.trim().is_empty() {
            String::new()
        } else {
            format!("Spark's log ends with:\n{}", indent(&tail))
        }
    }

    /// Sends one request and returns the reply, or the error Spark gave.
    fn request(&self, request: &Value) -> Result<Value, QueryError> {
        let mut link = self.link.lock().unwrap_or_else(|e| e.into_inner());
        let line = format!("{request}\n");
        link.send
            .write_all(line.as_bytes())
            .and_then(|()| link.send.flush())
            .map_err(|e| QueryError(format!("cannot send the query to Spark: {e}")))?;
        let reply = self.receive(&mut link).map_err(QueryError)?;
        if reply.get("error").is_some() {
            return Err(QueryError(format!(
                "Spark could not run the query:\n{}",
                indent(&error_of(&reply))
            )));
        }
        Ok(reply)
    }

    /// Hands the tables of `data` to Spark as temporary views named by `names` (the
    /// model's names unless renamed). A model table `data` does not hold is an empty
    /// view, so that a query reading it (the dates of every table) finds no rows, as
    /// natively.
    pub fn load(
        &self,
        catalog: &Catalog,
        data: &Dataset,
        names: &TableNames,
    ) -> Result<(), QueryError> {
        if let Some(schema) = &names.schema {
            return Err(QueryError(format!(
                "a dataset is handed to Spark as temporary views, which have no schema \
                 (`--schema {schema}` names where tables already are in Spark)"
            )));
        }
        let mut tables = Vec::new();
        for def in catalog.tables.values() {
            let view = names.rename.get(&def.name).unwrap_or(&def.name);
            let n = {
                let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
                *files += 1;
                *files
            };
            let path = self.dir.path().join(format!("table{n}.csv"));
            let written = super::spark_data::write_table(def, data.tables.get(&def.name), &path)
                .map_err(|e| QueryError(format!("cannot write {}: {e}", path.display())))?;
            tables.push(serde_json::json!({
                "view": view,
                "schema": written.schema,
                "path": path,
                "multiline": written.multiline,
            }));
        }
        self.request(&serde_json::json!({ "load": tables }))
            .map(|_| ())
    }

    /// Runs `sql` and returns its columns and rows, every value as text.
    fn rows(&self, sql: &str) -> Result<(Vec<String>, Vec<TextRow>), QueryError> {
        let reply = self.request(&serde_json::json!({ "query": sql }))?;
        #[derive(serde::Deserialize)]
        struct Rows {
            columns: Vec<String>,
            rows: Vec<TextRow>,
        }
        let rows: Rows = serde_json::from_value(reply)
            .map_err(|e| QueryError(format!("unexpected output from the Spark driver: {e}")))?;
        Ok((rows.columns, rows.rows))
    }

    /// Runs a compiled KPI query.
    pub(super) fn query(&self, sql: &str) -> Result<Vec<SqlRow>, QueryError> {
        let (columns, rows) = self.rows(sql)?;
        let at = |name: &str| columns.iter().position(|c| c == name);
        let need = |name: &str| {
            at(name).ok_or_else(|| QueryError(format!("Spark returned no column `{name}`")))
        };
        let (kpi, grp, breakdown) = (need("kpi")?, need("grp")?, need("breakdown")?);
        let (value, previous) = (need("value")?, need("previous")?);
        let (value_reason, previous_reason) = (need("value_reason")?, need("previous_reason")?);
        let (period, grouping) = (at("period"), at("grouping"));
        // Only a query with a KPI over members has the member counts.
        let (counted, skipped) = (at("members_counted"), at("members_skipped"));
        rows.into_iter()
            .map(|r| {
                let cell = |i: usize| r.get(i).cloned().flatten();
                Ok(SqlRow {
                    kpi: cell(kpi).ok_or_else(|| QueryError("column `kpi` is NULL".into()))?,
                    grp: cell(grp).ok_or_else(|| QueryError("column `grp` is NULL".into()))?,
                    breakdown: cell(breakdown),
                    value: cell(value),
                    previous: cell(previous),
                    value_reason: cell(value_reason),
                    previous_reason: cell(previous_reason),
                    period: period.and_then(cell),
                    grouping: grouping.and_then(cell),
                    members_counted: counted.and_then(cell),
                    members_skipped: skipped.and_then(cell),
                })
            })
            .collect()
    }

    /// Runs a query of one row with one numeric column (`None` for NULL).
    pub(super) fn query_number(&self, sql: &str) -> Result<Option<f64>, QueryError> {
        let (_, rows) = self.rows(sql)?;
        let [row] = rows.as_slice() else {
            return Err(QueryError(format!(
                "Spark returned {} rows where one was expected",
                rows.len()
            )));
        };
        match row.first().cloned().flatten() {
            None => Ok(None),
            Some(t) => t.trim().parse().map(Some).map_err(|_| {
                QueryError(format!("Spark returned `{t}` where a number was expected"))
            }),
        }
    }

    /// Runs a query of one text column and returns its values in order.
    pub(super) fn query_texts(&self, sql: &str) -> Result<Vec<Option<String>>, QueryError> {
        let (_, rows) = self.rows(sql)?;
        Ok(rows
            .into_iter()
            .map(|r| r.into_iter().next().flatten())
            .collect())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // The end of its input stops a driver that reads it (Spark shuts down
        // cleanly); one that serves a socket is ended. The JVM ends with Python.
        if let Ok(mut link) = self.link.lock() {
            link.send = Box::new(std::io::sink());
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Settings that make Spark's local mode fit kpic's queries: one query of a whole
/// catalog is a plan of some 150 aggregates and 200 joins, which Spark's defaults
/// (made for big data) handle badly on one machine — adaptive execution re-plans after
/// each of hundreds of stages, hash tables take whole memory pages each, and Java code
/// is generated for every stage (measured by the test suite: out of memory after 13
/// minutes on the defaults, seconds with these). None changes a result; `--spark-conf`
/// overrides each.
fn local_conf(dir: &Path) -> Vec<(String, String)> {
    let text = |p: PathBuf| p.to_string_lossy().into_owned();
    [
        ("spark.driver.memory", "2g".to_string()),
        ("spark.sql.adaptive.enabled", "false".into()),
        ("spark.sql.autoBroadcastJoinThreshold", "-1".into()),
        ("spark.buffer.pageSize", "1m".into()),
        ("spark.sql.codegen.wholeStage", "false".into()),
        ("spark.sql.shuffle.partitions", "2".into()),
        ("spark.ui.enabled", "false".into()),
        ("spark.driver.host", "127.0.0.1".into()),
        ("spark.driver.bindAddress", "127.0.0.1".into()),
        // Scratch files and the warehouse in the session's folder, removed with it.
        ("spark.local.dir", text(dir.join("scratch"))),
        ("spark.sql.warehouse.dir", text(dir.join("warehouse"))),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn temp_dir() -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new()
        .prefix("kpic-spark-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary folder for Spark: {e}"))
}

fn error_of(reply: &Value) -> String {
    match reply.get("error") {
        Some(Value::String(e)) => e.trim().to_string(),
        _ => format!("unexpected reply from the Spark driver: {reply}"),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}").trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Spark in local mode or on a cluster's master runs in a JVM that PySpark starts:
/// `java_home/bin/java`, else `$JAVA_HOME/bin/java`, else `java` on PATH.
fn check_java(java_home: Option<&Path>) -> Result<(), String> {
    const HELP: &str = "  Spark runs on Java (PySpark 3.5: Java 8, 11 or 17; PySpark 4: 17 or 21): install \
         one (e.g. `apt-get install openjdk-17-jre-headless`) and put it on PATH or set JAVA_HOME";
    let home = java_home.map(|h| h.as_os_str().to_os_string());
    if let Some(home) = home.or_else(|| std::env::var_os("JAVA_HOME").filter(|h| !h.is_empty())) {
        let java = Path::new(&home).join("bin").join("java");
        return match super::duckdb::find_program(&java) {
            Some(_) => Ok(()),
            None => Err(format!(
                "`--engine spark` needs Java, and JAVA_HOME={} holds no bin/java\n{HELP}",
                Path::new(&home).display()
            )),
        };
    }
    match super::duckdb::find_program(Path::new("java")) {
        Some(_) => Ok(()),
        None => Err(format!(
            "`--engine spark` needs Java, and `java` is not on PATH (nor JAVA_HOME set)\n{HELP}"
        )),
    }
}

const PYSPARK_HELP: &str = "  install it with `pip install pyspark` (in a virtual environment: `python3 -m venv DIR && \
     DIR/bin/pip install pyspark`), and point kpic at that Python with --spark-python PATH \
     or the environment variable KPIC_SPARK_PYTHON";

/// The Python that runs the Spark driver: `explicit` (`--spark-python`), else
/// `$KPIC_SPARK_PYTHON`, else `python3` on PATH; it must be able to `import pyspark`.
/// The error says which was tried and how to install PySpark.
pub fn locate_python(explicit: Option<&Path>) -> Result<PathBuf, String> {
    let env = std::env::var_os(PYTHON_ENV).filter(|v| !v.is_empty());
    let (python, named) = match (explicit, &env) {
        (Some(p), _) => (p.to_path_buf(), format!("`--spark-python {}`", p.display())),
        (None, Some(p)) => (
            PathBuf::from(p),
            format!("{PYTHON_ENV}={}", p.to_string_lossy()),
        ),
        (None, None) => (PathBuf::from("python3"), "`python3` on PATH".to_string()),
    };
    // Absolute (the driver runs in its own folder), but not resolved: a virtual
    // environment's `python` is a link that only works under its own name.
    let Some(program) =
        super::duckdb::find_program(&python).map(|p| std::path::absolute(&p).unwrap_or(p))
    else {
        return Err(format!(
            "`--engine spark` runs Spark through PySpark, and {named} is no executable\n{PYSPARK_HELP}"
        ));
    };
    let out = Command::new(&program)
        .args(["-c", "import pyspark"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {named}: {e}"))?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr);
        let last = said.lines().last().unwrap_or_default().trim();
        return Err(format!(
            "`--engine spark` runs Spark through PySpark, and {named} cannot import pyspark ({last})\n{PYSPARK_HELP}"
        ));
    }
    Ok(program)
}
