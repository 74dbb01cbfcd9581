//! `kpic eval --engine spark` as a user runs it: on the demo dataset it prints what the
//! native engine prints (table, JSON); its start-up errors (no PySpark, no Java) and a
//! query error name what is wrong. Most runs attach to the test process's shared Spark
//! session ([`spark::shared_session`]); one starts its own, as a user's run does.

use crate::support::cli::{kpic, kpic_with_env};
use crate::support::{java, spark};

/// A few KPIs of every kind: money (exact sums), ratios, durations, a breakdown
/// (`sales_pipeline`), a KPI compared with the period before.
const KPIS: &[&str] = &[
    "sales_growth",
    "average_order_value",
    "sales_pipeline",
    "win_rate",
    "time_to_close",
    "gross_margin_per_account",
    "customer_retention_rate",
    "net_promoter_score",
];

/// `kpic eval --demo KPIS ARGS` natively, and on Spark through the shared session;
/// both must succeed, Spark without a word on standard error.
fn native_and_spark(args: &[&str]) -> (String, String) {
    let run = |extra: &[&str]| {
        let all = [&["eval", "--demo"][..], KPIS, args, extra].concat();
        let (code, out, err) = kpic(&all);
        assert_eq!(code, 0, "{all:?}: {err}");
        (out, err)
    };
    let (native, _) = run(&[]);
    let socket = spark::shared_session();
    let (on_spark, err) = run(&["--engine", "spark", "--spark-session", &socket]);
    assert!(err.is_empty(), "spark {args:?} printed to stderr: {err}");
    (native, on_spark)
}

/// Values shown rounded are the native engine's to the last byte: Spark sums money in
/// DECIMAL and divides once in double precision, as natively.
#[test]
fn spark_table_output_is_the_native_output() {
    for args in [
        // No period: the latest complete year, which kpic asks Spark for.
        &[][..],
        &["--period", "2025", "--by", "industry"],
        &[
            "--period",
            "2025-Q4",
            "--by",
            "tier",
            "--where",
            "region=EMEA",
        ],
        &[
            "--period",
            "2025",
            "--every",
            "quarter",
            "--compare",
            "year-ago",
        ],
        &["--period", "2025", "--by", "region", "--by", "tier"],
        &[
            "--period",
            "2025-Q4",
            "--per-account",
            "--format",
            "markdown",
        ],
    ] {
        let (native, on_spark) = native_and_spark(args);
        assert!(native.lines().count() > 8, "{native}");
        let differing: Vec<String> = native
            .lines()
            .zip(on_spark.lines())
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("native: {a}\nspark:  {b}"))
            .collect();
        assert!(differing.is_empty(), "{args:?}:\n{}", differing.join("\n"));
        assert_eq!(native, on_spark, "{args:?}");
    }
}

#[test]
fn spark_json_is_the_native_json() {
    let (native, on_spark) = native_and_spark(&["--period", "2025", "--format", "json"]);
    let n: serde_json::Value = serde_json::from_str(&native).expect("JSON");
    let s: serde_json::Value = serde_json::from_str(&on_spark).expect("JSON");
    let mut differences = Vec::new();
    same_json(&n, &s, "$", &mut differences);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // The request has missing values (no rows the year before), and Spark said why.
    assert!(on_spark.contains("\"missing\""), "{on_spark}");
}

/// Equal JSON, numbers to 1e-9 relative (sums of plain numbers are doubles on both,
/// added in another order).
fn same_json(a: &serde_json::Value, b: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    use serde_json::Value::*;
    match (a, b) {
        (Number(x), Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            if (x - y).abs() > 1e-9 * x.abs().max(y.abs()).max(1.0) {
                out.push(format!("{at}: {x} / {y}"));
            }
        }
        (Array(x), Array(y)) if x.len() == y.len() => {
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                same_json(x, y, &format!("{at}[{i}]"), out);
            }
        }
        (Object(x), Object(y)) if x.keys().eq(y.keys()) => {
            for (k, x) in x {
                same_json(x, &y[k], &format!("{at}.{k}"), out);
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{at}: {a} / {b}")),
    }
}

/// A user's run: kpic finds the Python (here through KPIC_SPARK_PYTHON), starts Spark,
/// hands it the dataset and stops it; the output is the native one.
#[test]
fn spark_run_starts_its_own_session() {
    let python = spark::python().to_string_lossy().into_owned();
    let java = java::home().to_string_lossy().into_owned();
    let args = [
        "eval",
        "--demo",
        "win_rate",
        "average_order_value",
        "--period",
        "2025",
        "--by",
        "industry",
    ];
    let (code, native, err) = kpic(&args);
    assert_eq!(code, 0, "{err}");
    let (code, on_spark, err) = kpic_with_env(
        &[
            &args[..],
            &["--engine", "spark", "--spark-master", "local[1]"],
        ]
        .concat(),
        &[("KPIC_SPARK_PYTHON", &python), ("JAVA_HOME", &java)],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(native, on_spark);
}

/// A Python that cannot import pyspark: the error names it and says how to install.
#[test]
fn spark_without_pyspark_says_how_to_install_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The machine's Python without its site-packages: `import pyspark` fails.
    let python = dir.path().join("python-without-pyspark");
    std::fs::write(
        &python,
        format!(
            "#!/bin/sh\nexec {} -S -I \"$@\"\n",
            crate::support::python::python3().display()
        ),
    )
    .expect("write the wrapper");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let python = python.to_string_lossy().into_owned();
    let (code, out, err) = kpic(&[
        "eval",
        "--demo",
        "win_rate",
        "--engine",
        "spark",
        "--spark-python",
        &python,
    ]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(
        err.contains(&format!("`--spark-python {python}` cannot import pyspark"))
            && err.contains("pip install pyspark"),
        "{err}"
    );
    let (code, _, err) = kpic(&[
        "eval",
        "--demo",
        "--engine",
        "spark",
        "--spark-python",
        "/no/such/python",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`--spark-python /no/such/python` is no executable")
            && err.contains("pip install pyspark"),
        "{err}"
    );
}

#[test]
fn spark_without_java_says_so() {
    let python = spark::python().to_string_lossy().into_owned();
    let (code, _, err) = kpic_with_env(
        &["eval", "--demo", "win_rate", "--engine", "spark"],
        &[
            ("KPIC_SPARK_PYTHON", &python),
            ("JAVA_HOME", "/no/such/java"),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`--engine spark` needs Java, and JAVA_HOME=/no/such/java holds no bin/java")
            && err.contains("openjdk-17-jre-headless"),
        "{err}"
    );
}

/// Without `--data`, the tables must be in Spark's catalog: a missing one is Spark's
/// error, with what to do.
#[test]
fn spark_without_the_tables_names_what_is_missing() {
    let socket = spark::shared_session();
    let (code, out, err) = kpic(&[
        "eval",
        "win_rate",
        "--period",
        "2025",
        "--engine",
        "spark",
        "--spark-session",
        &socket,
    ]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(
        err.starts_with("error: Spark could not run the query:")
            && err.contains("TABLE_OR_VIEW_NOT_FOUND")
            && err.contains("help: give the dataset with --data DIR"),
        "{err}"
    );
}
