//! The human results table and progress: columns aligned by display width with non-ASCII
//! group names (accents, `€`, CJK, whose characters are two columns wide), a table fitted
//! into a narrow terminal (the `KPIC_TABLE_WIDTH` hook stands in for the terminal's
//! width: long text cut with `…`, numbers whole), and no progress drawn when standard
//! error is not a terminal.

use crate::support::cli::{kpic, kpic_with_env};
use std::path::Path;

/// The example dataset with industries renamed to non-ASCII names, in a temporary
/// folder (removed when dropped).
fn non_ascii_data() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("kpic-tables-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temporary folder");
    for entry in std::fs::read_dir("examples/data").expect("examples/data") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("file name");
        std::fs::copy(&path, dir.path().join(name)).expect("copy");
    }
    let accounts = dir.path().join("accounts.csv");
    let text = std::fs::read_to_string(&accounts).expect("accounts.csv");
    let text = text
        .replace(",Healthcare,", ",Santé publique,")
        .replace(",Retail,", ",Einzelhandel €,")
        .replace(",Technology,", ",技術と情報,");
    std::fs::write(&accounts, text).expect("write accounts.csv");
    dir
}

fn eval(data: &Path, env: &[(&str, &str)]) -> String {
    let data = data.to_str().expect("UTF-8 path");
    let (code, out, err) = kpic_with_env(
        &[
            "eval",
            "--data",
            data,
            "--period",
            "2025-Q3",
            "--by",
            "industry",
            "sales_growth",
            "average_order_value",
        ],
        env,
    );
    assert_eq!(code, 0, "{err}");
    out
}

/// Each column as wide as its widest cell on screen: `技術と情報` takes ten columns.
#[test]
fn non_ascii_names_line_up_by_display_width() {
    let data = non_ascii_data();
    insta::assert_snapshot!("results_table_non_ascii", eval(data.path(), &[]));
}

/// Columns on screen: the CJK characters of the fixture take two.
/// The table's lines cut where its `benchmark` column starts (by display width).
/// `text` without the reasons of missing values (`— (no target for 2025-Q3)`, cut or
/// not: from `— (` to the closing `)` or the `…` that cut it).
fn without_reasons(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("— (") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find([')', '…']).map_or(after.len(), |e| {
            e + after[e..].chars().next().map_or(0, char::len_utf8)
        });
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn values_only(table: &str) -> String {
    let Some(at) = table.lines().find_map(|l| {
        l.find("benchma")
            .filter(|_| l.starts_with("kpi"))
            .map(|i| display_width(&l[..i]))
    }) else {
        return table.to_string();
    };
    table
        .lines()
        .map(|line| {
            let mut width = 0;
            line.chars()
                .take_while(|c| {
                    width += display_width(c.encode_utf8(&mut [0; 4]));
                    width <= at
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn display_width(line: &str) -> usize {
    line.chars()
        .map(|c| {
            if ('\u{3000}'..='\u{9fff}').contains(&c) {
                2
            } else {
                1
            }
        })
        .sum()
}

/// At 110 columns (the table is over 200 wide, its benchmark column long text) the
/// names, the benchmark text and a missing target's reason are cut with `…` and every
/// number is whole. (Value, previous, change, target, gap and status take some 100
/// columns whole: a narrower terminal cannot show them on one line.)
#[test]
fn a_narrow_terminal_cuts_names_not_numbers() {
    let data = non_ascii_data();
    let out = eval(data.path(), &[("KPIC_TABLE_WIDTH", "110")]);
    insta::assert_snapshot!("results_table_narrow", out);
    for line in out.lines() {
        assert!(display_width(line) <= 110, "{line}");
    }
    let wide = eval(data.path(), &[]);
    // The same numbers as without a width, in the value columns (the benchmark column
    // and a missing value's reason `— (…)` are text that may be cut, numbers inside
    // them included).
    let numbers = |t: &str| -> Vec<String> {
        let reasons = without_reasons(&values_only(t));
        reasons
            .split_whitespace()
            .filter(|w| w.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+'))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(numbers(&out), numbers(&wide));
}

/// Standard error is a pipe here: no bar, spinner or cursor movement on it.
#[test]
fn no_progress_when_stderr_is_not_a_terminal() {
    let (code, _, err) = kpic(&["test", "kpis/tests/win_rate.test.toml"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err2) = kpic(&["eval", "--period", "2025-Q3", "win_rate"]);
    assert_eq!(code, 0, "{err2}");
    for e in [err, err2] {
        assert!(!e.contains('\r') && !e.contains('\x1b'), "{e:?}");
        assert!(!e.contains("testing") && !e.contains("loading"), "{e:?}");
    }
}
