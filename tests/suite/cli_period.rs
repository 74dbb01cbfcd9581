//! Periods as a user gives them: outside the supported years, outside the data.

use crate::support::cli::kpic;

#[test]
fn a_period_outside_the_supported_years_is_an_error_not_a_panic() {
    for command in ["eval", "sql"] {
        for period in [
            "--period=-262143-01-01..-262143-01-05",
            "--period=0000-01-01..0001-01-05",
            "--period=99999-Q1",
            "--period=10000",
        ] {
            let (code, _, err) = kpic(&[command, "win_rate", period]);
            assert_eq!(code, 2, "{command} {period}: {err}");
            assert!(!err.contains("panicked"), "{command} {period}: {err}");
            assert!(err.starts_with("error: "), "{command} {period}: {err}");
        }
    }
}

#[test]
fn a_period_with_no_data_is_a_warning() {
    let (code, out, err) = kpic(&["eval", "win_rate", "--period", "2031"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: the data has no rows in 2031 or the period before it (2030)"),
        "{err}"
    );
    assert!(out.contains("win_rate"), "{out}");
    let (_, _, err) = kpic(&["eval", "win_rate", "--period", "2025"]);
    assert!(!err.contains("warning"), "{err}");
}
