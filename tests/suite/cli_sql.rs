//! `kpic sql` as a user runs it: the period it needs, and what it prints without one.

use crate::support::cli::kpic;

/// `kpic sql` sees no data, so it cannot default to the latest complete year as
/// `kpic eval` does; it used to write 2025 silently. It asks for `--period`.
#[test]
fn sql_without_a_period_asks_for_one() {
    let (code, out, err) = kpic(&["sql", "win_rate", "--dialect", "duckdb"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.starts_with("error: `kpic sql` needs `--period`"),
        "{err}"
    );
    assert!(err.contains("\nhelp: add e.g. `--period 2025`"), "{err}");
    // With a period it writes the query; `--ddl` needs none.
    let (code, out, err) = kpic(&["sql", "win_rate", "--period", "2024-Q2"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("'2024-04-01'"), "{out}");
    let (code, out, err) = kpic(&["sql", "--ddl"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("CREATE TABLE"), "{out}");
}
