//! DuckDB for the differential tests: its Python package, installed by the test
//! set-up into a virtual environment under `target/`, driven by a small script that
//! loads a dataset and runs one query. A failure to install or run fails the test
//! loudly; nothing is skipped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const DRIVER: &str = r#"
import duckdb, json, sys
ddl, query, data = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3]
con = duckdb.connect()
con.execute(ddl)
import re
for t in re.findall(r'CREATE TABLE "([^"]+)"', ddl):
    con.execute(f"INSERT INTO \"{t}\" SELECT * FROM read_csv('{data}/{t}.csv', header=true, all_varchar=true)")
rows = con.execute(query).fetchall()
print(json.dumps([[r[0], r[1], r[2], None if r[3] is None else float(r[3]), None if r[4] is None else float(r[4])] for r in rows]))
"#;

/// One result row: kpi, group, breakdown, value, previous.
pub type Row = (String, String, Option<String>, Option<f64>, Option<f64>);

fn python() -> &'static PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/kpic-test-duckdb");
        let python = venv.join("bin/python");
        let ready = Command::new(&python).args(["-c", "import duckdb"]).output().is_ok_and(|o| o.status.success());
        if !ready {
            let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).output();
            assert!(
                made.as_ref().is_ok_and(|o| o.status.success()),
                "cannot create a Python venv for DuckDB at {}: {made:?}",
                venv.display()
            );
            let pip = Command::new(&python).args(["-m", "pip", "install", "--quiet", "duckdb==1.1.3"]).output();
            assert!(
                pip.as_ref().is_ok_and(|o| o.status.success()),
                "cannot install the duckdb Python package (needed by the SQL differential tests): {pip:?}"
            );
        }
        python
    })
}

/// Loads `data` (one CSV per table) into a fresh in-memory DuckDB with `ddl`, runs
/// `query`, and returns the rows (kpi, grp, breakdown, value, previous).
pub fn run(ddl: &str, query: &str, data: &Path) -> Vec<Row> {
    let dir = std::env::temp_dir().join(format!(
        "kpic-duck-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (d, q, s) = (
        dir.join("ddl.sql"),
        dir.join("query.sql"),
        dir.join("driver.py"),
    );
    std::fs::write(&d, ddl).expect("write ddl");
    std::fs::write(&q, query).expect("write query");
    std::fs::write(&s, DRIVER).expect("write driver");
    let out = Command::new(python())
        .arg(&s)
        .arg(&d)
        .arg(&q)
        .arg(data)
        .output()
        .expect("python runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "DuckDB failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("driver prints JSON rows")
}
