//! Running a compiled query with the DuckDB command-line client on a database file and
//! reading its rows back as [`SqlRow`]s.
//!
//! The client is a child process (`duckdb -readonly -json FILE`, the query on stdin),
//! not a linked library: kpic builds without a C++ toolchain. Its JSON output keeps
//! what matters exact: NULL is `null` (an empty string stays `""`), a DOUBLE is
//! written with enough digits to read back the same `f64`, and a DECIMAL is a string
//! of its digits.

use super::SqlRow;
use crate::query::QueryError;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Runs `sql` with the DuckDB client `program` on the database file `database`,
/// opened read-only (a missing file is an error, never a new empty database).
pub fn query(program: &Path, database: &Path, sql: &str) -> Result<Vec<SqlRow>, QueryError> {
    let stdout = run(program, database, sql)?;
    parse_rows(&stdout).map_err(|e| {
        QueryError(format!(
            "unexpected output from DuckDB ({}) on {}: {e}",
            program.display(),
            database.display()
        ))
    })
}

/// Runs `sql`, a query of one row with one numeric column, and returns that value
/// (`None` for NULL).
pub fn query_number(program: &Path, database: &Path, sql: &str) -> Result<Option<f64>, QueryError> {
    let stdout = run(program, database, sql)?;
    parse_number(&stdout).map_err(|e| {
        QueryError(format!(
            "unexpected output from DuckDB ({}) on {}: {e}",
            program.display(),
            database.display()
        ))
    })
}

/// Runs `sql`, a query of one text column `v`, and returns its values (`None` for
/// NULL) in the order the query gave them.
pub fn query_texts(
    program: &Path,
    database: &Path,
    sql: &str,
) -> Result<Vec<Option<String>>, QueryError> {
    let stdout = run(program, database, sql)?;
    let text = String::from_utf8_lossy(&stdout);
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let unexpected = |e: String| {
        QueryError(format!(
            "unexpected output from DuckDB ({}) on {}: {e}",
            program.display(),
            database.display()
        ))
    };
    let objects: Vec<Object> =
        serde_json::from_str(&text).map_err(|e| unexpected(e.to_string()))?;
    objects
        .iter()
        .map(|o| text_column(o, "v").map_err(unexpected))
        .collect()
}

/// Runs the client and returns its standard output, or its error message.
fn run(program: &Path, database: &Path, sql: &str) -> Result<Vec<u8>, QueryError> {
    // A file name starting with `-` would be read as an option.
    let file = if database.to_string_lossy().starts_with('-') {
        Path::new(".").join(database)
    } else {
        database.to_path_buf()
    };
    // No start-up file: a user's ~/.duckdbrc must not change what is printed.
    let no_init = if cfg!(windows) { "NUL" } else { "/dev/null" };
    let mut child = Command::new(program)
        .args(["-init", no_init, "-readonly", "-json", "-bail"])
        .arg(&file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            QueryError(format!(
                "cannot run the DuckDB client {}: {e}",
                program.display()
            ))
        })?;
    // Write the query from another thread so that a full output pipe cannot block it.
    // The client reads its input line by line as C strings, and a line starting with
    // `.` between statements is a client command (`.shell` runs a program): safe mode
    // comes first, so no such command can run, and a query with a NUL (which would
    // end a line early and let the rest be read as a command) is never sent.
    if let Some(c) = sql
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(QueryError(format!(
            "the query holds the control character U+{:04X}; kpic never sends one to DuckDB",
            c as u32
        )));
    }
    let text = format!(".safe_mode\n{sql};\n");
    let writer = child
        .stdin
        .take()
        .map(|mut stdin| std::thread::spawn(move || stdin.write_all(text.as_bytes())));
    let out = child.wait_with_output().map_err(|e| {
        QueryError(format!(
            "the DuckDB client {} failed: {e}",
            program.display()
        ))
    })?;
    // The client may exit before reading all of the query (e.g. it cannot open the
    // file); its own message then says why, so a broken pipe here is not reported.
    if let Some(w) = writer {
        let _ = w.join();
    }
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let message = stderr.trim();
        let message = if message.is_empty() {
            format!("the client exited with {}", out.status)
        } else {
            message.to_string()
        };
        return Err(QueryError(format!(
            "DuckDB could not run the query on {}:\n{}",
            database.display(),
            indent(&message)
        )));
    }
    Ok(out.stdout)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}").trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads the client's `-json` output: an array of objects keyed by column name
/// (nothing at all, or `[]`, when the query returned no rows).
fn parse_rows(stdout: &[u8]) -> Result<Vec<SqlRow>, String> {
    let text = String::from_utf8_lossy(stdout);
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let objects: Vec<Object> = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    objects
        .iter()
        .map(|o| {
            Ok(SqlRow {
                kpi: text_column(o, "kpi")?.ok_or("column `kpi` is NULL")?,
                grp: text_column(o, "grp")?.ok_or("column `grp` is NULL")?,
                breakdown: text_column(o, "breakdown")?,
                value: number_text(o, "value")?,
                previous: number_text(o, "previous")?,
                value_reason: text_column(o, "value_reason")?,
                previous_reason: text_column(o, "previous_reason")?,
                // Only a time series and a query of several groupings have these.
                period: o
                    .get("period")
                    .map(|_| text_column(o, "period"))
                    .transpose()?
                    .flatten(),
                grouping: o
                    .get("grouping")
                    .map(|_| text_column(o, "grouping"))
                    .transpose()?
                    .flatten(),
                members_counted: optional_number(o, "members_counted")?,
                members_skipped: optional_number(o, "members_skipped")?,
            })
        })
        .collect()
}

/// Reads the one value of a one-row, one-column result.
fn parse_number(stdout: &[u8]) -> Result<Option<f64>, String> {
    let objects: Vec<Object> = serde_json::from_slice(stdout).map_err(|e| e.to_string())?;
    let [row] = objects.as_slice() else {
        return Err(format!("{} rows where one was expected", objects.len()));
    };
    let Some(name) = row.keys().next() else {
        return Err("a row without columns".into());
    };
    number_column(row, name)
}

type Object = serde_json::Map<String, serde_json::Value>;

fn text_column(row: &Object, name: &str) -> Result<Option<String>, String> {
    match row.get(name) {
        None => Err(format!("no column `{name}`")),
        Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(format!("column `{name}` is not text: {v}")),
    }
}

/// A number column as the text the client printed (the query casts values to
/// VARCHAR; a number printed as a JSON number is kept as written).
fn number_text(row: &Object, name: &str) -> Result<Option<String>, String> {
    match row.get(name) {
        None => Err(format!("no column `{name}`")),
        Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(format!("column `{name}` is not a number: {v}")),
    }
}

/// A number column the query may lack (older queries, hand-written ones): `None` then.
fn optional_number(row: &Object, name: &str) -> Result<Option<String>, String> {
    match row.get(name) {
        None => Ok(None),
        Some(_) => number_text(row, name),
    }
}

fn number_column(row: &Object, name: &str) -> Result<Option<f64>, String> {
    match row.get(name) {
        None => Err(format!("no column `{name}`")),
        Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| format!("column `{name}`: {n} is not a number")),
        // DECIMAL values are printed as strings of digits.
        Some(serde_json::Value::String(s)) => s
            .parse::<f64>()
            .map(Some)
            .map_err(|_| format!("column `{name}`: \"{s}\" is not a number")),
        Some(v) => Err(format!("column `{name}` is not a number: {v}")),
    }
}

/// The environment variable naming the DuckDB command-line client.
pub const CLIENT_ENV: &str = "KPIC_DUCKDB";

/// Checks that `file` is an existing DuckDB database file (kpic opens it read-only and
/// never creates one).
pub fn check_file(file: &Path) -> Result<(), String> {
    if file.is_dir() {
        return Err(format!(
            "{}: is a folder, not a DuckDB database file (give one with --database FILE)",
            file.display()
        ));
    }
    if !file.is_file() {
        return Err(format!(
            "{}: no such DuckDB database file\n  \
             kpic opens the database read-only and never creates one; give an existing \
             file with --database FILE",
            file.display()
        ));
    }
    Ok(())
}

/// The DuckDB command-line client: `explicit` (`--duckdb-cli`), else the program named
/// by `$KPIC_DUCKDB`, else `duckdb` on PATH; or a message saying how to install it.
pub fn locate_client(explicit: Option<&Path>) -> Result<PathBuf, String> {
    let env = std::env::var_os(CLIENT_ENV).filter(|v| !v.is_empty());
    match (explicit, &env) {
        (Some(p), _) => find_program(p).ok_or_else(|| {
            format!(
                "`--duckdb-cli {}`: no such executable (`--engine duckdb` runs the DuckDB command-line client)\n{}",
                p.display(),
                INSTALL_HELP
            )
        }),
        (None, Some(p)) => find_program(Path::new(p)).ok_or_else(|| {
            format!(
                "{CLIENT_ENV}={}: no such executable (`--engine duckdb` runs the DuckDB command-line client)\n{}",
                p.to_string_lossy(),
                INSTALL_HELP
            )
        }),
        (None, None) => find_program(Path::new("duckdb")).ok_or_else(|| {
            format!(
                "`--engine duckdb` runs the DuckDB command-line client, and `duckdb` is not on PATH\n{INSTALL_HELP}"
            )
        }),
    }
}

const INSTALL_HELP: &str = "  install it with `pip install duckdb-cli` (it puts a `duckdb` executable on PATH),\n  \
     or point kpic at it with --duckdb-cli PATH or the environment variable KPIC_DUCKDB";

/// An executable: a path as given, or a bare name looked up on PATH.
pub(super) fn find_program(name: &Path) -> Option<PathBuf> {
    if name.components().count() > 1 {
        return is_executable(name).then(|| name.to_path_buf());
    }
    let exe = format!("{}{}", name.display(), std::env::consts::EXE_SUFFIX);
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(&exe))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nulls_empty_text_doubles_and_decimals() {
        let out = br#"[{"kpi":"a","grp":"","breakdown":null,"value":0.30000000000000004,"previous":"1234567.8912","value_reason":null,"previous_reason":null},
{"kpi":"b","grp":"x","breakdown":"won","value":null,"previous":1e-7,"value_reason":"division by zero","previous_reason":null}]
"#;
        let rows = parse_rows(out).expect("parses");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].grp, "");
        assert_eq!(rows[0].breakdown, None);
        let num = |t: &Option<String>| t.as_deref().and_then(|t| t.parse::<f64>().ok());
        assert_eq!(num(&rows[0].value), Some(0.1 + 0.2));
        // a DECIMAL keeps its text, for engine::rows to read exactly
        assert_eq!(rows[0].previous.as_deref(), Some("1234567.8912"));
        assert_eq!(rows[1].breakdown.as_deref(), Some("won"));
        assert_eq!(rows[1].value, None);
        assert_eq!(rows[1].value_reason.as_deref(), Some("division by zero"));
        assert_eq!(num(&rows[1].previous), Some(1e-7));
    }

    #[test]
    fn no_rows_is_empty_output_or_an_empty_array() {
        assert_eq!(parse_rows(b""), Ok(vec![]));
        assert_eq!(parse_rows(b"[]\n"), Ok(vec![]));
    }

    #[test]
    fn reads_one_number() {
        assert_eq!(
            parse_number(br#"[{"latest_day":20453.0}]"#),
            Ok(Some(20453.0))
        );
        assert_eq!(parse_number(br#"[{"latest_day":null}]"#), Ok(None));
        assert!(parse_number(b"[]").is_err());
    }

    #[test]
    fn a_missing_column_is_an_error() {
        let err = parse_rows(br#"[{"kpi":"a"}]"#).expect_err("grp is missing");
        assert!(err.contains("`grp`"), "{err}");
    }
}
