//! `kpic eval` loads only the tables the requested KPIs read: a table nothing asked for
//! may be absent (or broken), and a KPI whose table is absent is listed as unavailable
//! with its reason while the others are computed.

use crate::support::cli::kpic;
use std::path::Path;

/// A copy of the example dataset without `service_costs.csv`, with `edit` applied.
fn dataset(edit: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    for entry in std::fs::read_dir("examples/data").expect("example data") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "csv") {
            let name = path.file_name().expect("file name");
            std::fs::copy(&path, dir.path().join(name)).expect("copy");
        }
    }
    std::fs::remove_file(dir.path().join("service_costs.csv")).expect("remove");
    edit(dir.path());
    dir
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let data = dir.display().to_string();
    kpic(&[&["eval", "--data", &data][..], args].concat())
}

#[test]
fn a_kpi_is_computed_without_the_tables_it_does_not_read() {
    let dir = dataset(|_| {});
    let (code, out, err) = run(dir.path(), &["win_rate"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    assert!(out.contains("win_rate"), "{out}");
    // The default period still reads every table's dates, as with the whole dataset.
    let (_, whole, _) = kpic(&["eval", "win_rate"]);
    assert_eq!(out, whole);
}

#[test]
fn a_broken_table_nothing_reads_is_not_loaded() {
    let dir = dataset(|d| {
        std::fs::write(
            d.join("service_costs.csv"),
            "cost_id,account_id,booked_on,cost_type,amount\nSC1,A101,2024-03-31,x,lots\n",
        )
        .expect("write");
    });
    let (code, out, err) = run(dir.path(), &["win_rate", "--period", "2025"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("win_rate"), "{out}");
    // Read by the KPI asked for, the same bad cell stops the run.
    let (code, out, err) = run(dir.path(), &["net_profit_margin", "--period", "2025"]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("value \"lots\""), "{err}");
    assert!(err.contains("no KPI was computed"), "{err}");
}

#[test]
fn a_bad_cell_in_a_table_read_still_fails_the_run() {
    let dir = dataset(|d| {
        let path = d.join("opportunities.csv");
        let text = std::fs::read_to_string(&path).expect("read");
        // `qualified`, which win_rate reads.
        let text = text.replacen("lost,true,Maintenance", "lost,perhaps,Maintenance", 1);
        std::fs::write(&path, text).expect("write");
    });
    let (code, out, err) = run(dir.path(), &["win_rate"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("opportunities.csv:2"), "{err}");
}

#[test]
fn a_bad_cell_in_a_column_no_kpi_asked_for_reads_is_not_read() {
    let dir = dataset(|d| {
        let path = d.join("opportunities.csv");
        let text = std::fs::read_to_string(&path).expect("read");
        let text = text.replacen("260001.45", "lots", 1);
        std::fs::write(&path, text).expect("write");
    });
    // win_rate counts opportunities; their amounts are skipped unread.
    let (code, out, err) = run(dir.path(), &["win_rate"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("win_rate"), "{out}");
    // A KPI that sums the amounts reads the bad cell and stops the run.
    let (code, _, err) = run(dir.path(), &["average_deal_size"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("opportunities.csv:2 column `amount` value \"lots\""),
        "{err}"
    );
}

#[test]
fn every_kpi_computes_what_it_can_and_lists_the_rest() {
    let dir = dataset(|_| {});
    let (code, out, err) = run(dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("win_rate"), "{out}");
    assert!(!out.contains("net_profit_margin"), "{out}");
    let reason = format!(
        "needs table `service_costs`: no file service_costs.csv in {}",
        dir.path().display()
    );
    assert!(
        err.starts_with("warning: 3 KPIs were not computed: the data lacks a table they read\n"),
        "{err}"
    );
    for kpi in [
        "net_profit_margin",
        "profit_margin_per_key_account",
        "cost_to_serve_ratio",
    ] {
        assert!(err.contains(&format!("  {kpi}: {reason}\n")), "{err}");
    }

    let (code, json, _) = run(dir.path(), &["--format", "json"]);
    assert_eq!(code, 0);
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let unavailable = parsed["unavailable"].as_array().expect("unavailable");
    assert_eq!(unavailable.len(), 3, "{json}");
    assert_eq!(unavailable[0]["kpi"], "net_profit_margin");
    assert_eq!(unavailable[0]["reason"], reason.as_str());

    let (code, md, _) = run(dir.path(), &["--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(
        md.contains(&format!(
            "\nNot computed (the data lacks a table they read):\n\n- `net_profit_margin`: {reason}\n"
        )),
        "{md}"
    );

    // With every table present, JSON has no `unavailable` field.
    let (_, json, _) = kpic(&["eval", "win_rate", "--format", "json"]);
    assert!(!json.contains("unavailable"), "{json}");
}

#[test]
fn a_kpi_asked_for_by_name_and_unavailable_is_an_error() {
    let dir = dataset(|_| {});
    let (code, out, err) = run(dir.path(), &["win_rate", "net_profit_margin"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("win_rate"), "the others are computed: {out}");
    assert!(
        err.starts_with("error: 1 KPI was not computed: the data lacks a table it reads\n  net_profit_margin: needs table `service_costs`"),
        "{err}"
    );
    let (code, out, err) = run(dir.path(), &["net_profit_margin"]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("error: no KPI could be computed"), "{err}");
    let (code, _, err) = run(dir.path(), &["--explain", "net_profit_margin"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: cannot explain `net_profit_margin`: needs table `service_costs`"),
        "{err}"
    );
}

#[test]
fn accounts_are_always_needed() {
    let dir = dataset(|d| std::fs::remove_file(d.join("accounts.csv")).expect("remove"));
    let (code, _, err) = run(dir.path(), &["win_rate"]);
    assert_eq!(code, 1);
    assert!(err.contains("no file for table `accounts`"), "{err}");
}
