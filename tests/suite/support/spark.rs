//! Spark for the tests: PySpark in local mode (`local[2]`), installed by the test set-up
//! into a virtual environment under `target/kpic-test-spark`.
//!
//! [`shared_session`] is the product's own driver (`kpic::engine::spark::Session`)
//! serving every `kpic eval --engine spark --spark-session SOCKET` of the test process
//! with one Spark session (the JVM start is paid once, not per run). [`run`] is the
//! differential tests' own small script: ONE Spark session that loads a dataset with the
//! schema of the Spark DDL and runs several `kpic sql` queries in it.
//!
//! Java comes from [`java::home`] (installed by the test set-up when missing), PySpark from
//! [`python::venv`]. Nothing is skipped: if Java cannot be found or installed, pip cannot
//! install PySpark or Spark cannot start, [`run`] panics and says why (with the
//! installer's, pip's or Spark's output). A query that fails
//! in Spark is reported as that query's `Err`, so one run shows every failing query.

use super::{java, python};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The PySpark version installed: 3.5 runs on Java 8, 11 and 17.
const PYSPARK: &str = "3.5.7";

/// The longest a whole driver run (JVM start, loading, every query) may take.
const TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// argv: DDL file, data folder, query files... Prints one line per query: the JSON list
/// of its rows `[kpi, grp, breakdown, value, previous, value_reason, previous_reason,
/// period, grouping, members_counted, members_skipped]` (period and grouping null unless
/// the query has those columns: a time series, several groupings; the member counts
/// null but for a KPI over members), or `{"error": message}`.
const DRIVER: &str = r#"
import json, os, re, sys
ddl_path, data, query_paths = sys.argv[1], sys.argv[2], sys.argv[3:]
ddl = open(ddl_path).read()
tables = re.findall(r"CREATE TABLE `((?:[^`]|``)+)` \((.*?)\n\);", ddl, re.S)
if not tables:
    sys.exit("the DDL has no CREATE TABLE statement the driver understands")

from pyspark.sql import SparkSession
spark = (
    SparkSession.builder.master("local[2]")
    .appName("kpic-spark-differential")
    # One partition per shuffle: the tables have a few hundred rows, and every task is
    # pure overhead (measured: 2 partitions make the queries 1.7 times slower).
    .config("spark.sql.shuffle.partitions", "1")
    .config("spark.default.parallelism", "2")
    # A query of every KPI is a plan of some 150 aggregates and 200 joins over tiny
    # tables. Spark's defaults are made for big data and fail here: adaptive execution
    # re-plans after each of its hundreds of stages, and each hash table (broadcast
    # joins, aggregates) takes whole memory pages, 16 MB by default for a 1 GB heap on
    # 2 cores, for a few rows; the heap fills up and Spark spins or dies (measured:
    # OutOfMemoryError after 13 minutes). So: no adaptive execution, no broadcast joins
    # (sort-merge instead), 1 MB pages, no whole-stage code generation (compiling Java
    # for each of the hundreds of stages costs more than it saves). None changes a
    # result; the six queries of the test then take about 15 s each.
    .config("spark.driver.memory", "2g")
    .config("spark.sql.adaptive.enabled", "false")
    .config("spark.sql.autoBroadcastJoinThreshold", "-1")
    .config("spark.buffer.pageSize", "1m")
    .config("spark.sql.codegen.wholeStage", "false")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.driver.bindAddress", "127.0.0.1")
    .config("spark.sql.session.timeZone", "UTC")
    # Spark's scratch files in the folder the test removes, whatever way the run ends.
    .config("spark.local.dir", os.path.join(os.getcwd(), "scratch"))
    .config("spark.sql.warehouse.dir", os.path.join(os.getcwd(), "warehouse"))
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
# The JVM's process id, for the test to end it if this script hangs or dies.
with open("jvm.pid", "w") as f:
    f.write(str(spark.sparkContext._gateway.proc.pid))

for name, columns in tables:
    name = name.replace("``", "`")
    df = (
        spark.read.schema(columns.strip())  # the DDL's column list: `a` STRING, `b` DECIMAL(18,4)
        .option("header", True)
        .option("enforceSchema", False)  # the header must name the schema's columns
        .option("mode", "FAILFAST")  # a cell that does not parse fails, never becomes NULL
        .option("nullValue", "")  # an empty cell is NULL (missing), for every type
        .option("escape", '"')  # RFC 4180, as kpic reads CSV: "" is a quote in a quoted cell
        .option("dateFormat", "yyyy-MM-dd")
        .csv(f"{data}/{name}.csv")
    )
    df.cache().count()  # reads and checks every cell now, once
    df.createOrReplaceTempView(name)

def num(x):
    # The query casts values to STRING: a DECIMAL keeps every digit.
    return None if x is None else str(x)

for path in query_paths:
    try:
        rows = spark.sql(open(path).read()).collect()
        out = [
            [r[0], r[1], r[2], num(r[3]), num(r[4]), r[5], r[6],
             r.asDict().get("period"), r.asDict().get("grouping"),
             num(r.asDict().get("members_counted")), num(r.asDict().get("members_skipped"))]
            for r in rows
        ]
    except Exception as e:
        out = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(out), flush=True)
spark.stop()
"#;

/// One result row: kpi, group, breakdown, value, previous, why value and previous
/// are missing (where they are), and the period and grouping (in a time series and a
/// query of several groupings), and for a KPI over members its members counted and
/// skipped.
/// Values are the text Spark printed (a DECIMAL with every digit).
pub type Row = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Answer {
    Rows(Vec<Row>),
    Error { error: String },
}

/// How the tests start Spark with the product's driver: the venv's PySpark, in local
/// mode on two cores, on the Java found or installed by the set-up. One partition per
/// shuffle: the tables have a few hundred rows, and every task is pure overhead.
pub fn settings() -> kpic::engine::spark::Settings {
    kpic::engine::spark::Settings {
        python: python().clone(),
        master: "local[2]".into(),
        conf: vec![("spark.sql.shuffle.partitions".into(), "1".into())],
        java_home: Some(java::home().to_path_buf()),
    }
}

/// The Unix socket of the Spark session that the product's driver runs for this test
/// process (started on first use; it ends with the process). Panics with Spark's
/// output when it cannot start.
pub fn shared_session() -> String {
    static SESSION: OnceLock<kpic::engine::spark::Session> = OnceLock::new();
    let session = SESSION.get_or_init(|| {
        kpic::engine::spark::Session::serve(&settings())
            .unwrap_or_else(|e| panic!("the shared Spark session: {e}"))
    });
    session.socket().to_string_lossy().into_owned()
}

/// The venv's Python with PySpark installed (checked once per test process).
pub fn python() -> &'static PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| python::venv("kpic-test-spark", &[&format!("pyspark=={PYSPARK}")]))
}

/// Starts one Spark session, loads `data` (one CSV per table) as temporary views with the
/// column types of `ddl` (Spark `CREATE TABLE` statements), runs every query in it and
/// returns, per query, its rows or Spark's error.
/// Panics, with Spark's output, if the session or the loading fails.
pub fn run(ddl: &str, queries: &[String], data: &Path) -> Vec<Result<Vec<Row>, String>> {
    let java = java::home();
    let python = python();
    // One session at a time: each is a JVM with a 2 GB heap.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _session = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Removed when dropped, also when this function panics (after the JVM is ended).
    let temp = tempfile::Builder::new()
        .prefix("kpic-spark-")
        .tempdir()
        .expect("temp dir");
    let dir = temp.path();
    let (d, s) = (dir.join("ddl.sql"), dir.join("driver.py"));
    std::fs::write(&d, ddl).expect("write ddl");
    std::fs::write(&s, DRIVER).expect("write driver");
    let mut cmd = Command::new(python);
    cmd.arg(&s)
        .arg(&d)
        .arg(std::fs::canonicalize(data).expect("data folder"));
    for (i, q) in queries.iter().enumerate() {
        let path = dir.join(format!("query{i}.sql"));
        std::fs::write(&path, q).expect("write query");
        cmd.arg(path);
    }
    // The Java found or installed, which need not be the `java` on the PATH.
    let path = std::env::var_os("PATH").unwrap_or_default();
    let path =
        std::env::join_paths(std::iter::once(java.join("bin")).chain(std::env::split_paths(&path)))
            .expect("PATH");
    cmd.current_dir(dir)
        .env("JAVA_HOME", java)
        // The JVMs would otherwise leave a folder /tmp/hsperfdata_<user> (for `jps`).
        .env("JDK_JAVA_OPTIONS", "-XX:-UsePerfData")
        .env("PATH", path)
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .env("PYSPARK_PYTHON", python)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let began = Instant::now();
    let mut child = cmd.spawn().expect("python runs");
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = pipe.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("piped stderr")));
    // Wait with a deadline: a Spark that hangs fails the test instead of CI's run.
    let (tx, rx) = mpsc::channel();
    let pid = child.id();
    let waiter = std::thread::spawn(move || {
        let status = child.wait();
        let _ = tx.send(());
        status
    });
    let timed_out = rx.recv_timeout(TIMEOUT).is_err();
    if timed_out {
        kill(pid, "python");
    }
    let status = waiter
        .join()
        .expect("waiter thread")
        .expect("wait for python");
    if !status.success() {
        // Normally the JVM ends when Python does (its stdin closes), but not while it is
        // busy; it holds our pipes, so end it too.
        if let Some(jvm) = std::fs::read_to_string(dir.join("jvm.pid"))
            .ok()
            .and_then(|p| p.trim().parse().ok())
        {
            kill(jvm, "java");
        }
    }
    let (stdout, stderr) = (
        stdout.join().expect("stdout reader"),
        stderr.join().expect("stderr reader"),
    );
    drop(temp);
    let log = python
        .parent()
        .and_then(Path::parent)
        .expect("venv")
        .join("last-run.stderr.log");
    let _ = std::fs::write(&log, &stderr);
    let tail: String = {
        let chars: Vec<char> = stderr.chars().collect();
        chars[chars.len().saturating_sub(20_000)..].iter().collect()
    };
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        status.success() && lines.len() == queries.len(),
        "Spark failed ({status}{}, after {:.0?}; {} result lines for {} queries):\n\
         --- stdout ---\n{stdout}\n--- stderr (the end; all of it in {}) ---\n{tail}",
        if timed_out { ", timed out" } else { "" },
        began.elapsed(),
        lines.len(),
        queries.len(),
        log.display()
    );
    lines
        .into_iter()
        .map(|line| {
            match serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("the Spark driver printed {line:?}: {e}"))
            {
                Answer::Rows(rows) => Ok(rows),
                Answer::Error { error } => Err(error),
            }
        })
        .collect()
}

/// Ends (SIGKILL) a process this test started, by its id, if it still runs `program`.
fn kill(pid: u32, program: &str) {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    if String::from_utf8_lossy(&cmdline).contains(program) {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
}
