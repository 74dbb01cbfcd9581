//! The `kpic check` and `kpic explain` commands as a user runs them: exit codes and
//! the JSON and GitHub outputs (snapshot-tested).

use crate::support::cli::kpic;

const PRELUDE: &str = "tests/fixtures/prelude.kpi";

#[test]
fn clean_input_exits_zero() {
    let (code, _, err) = kpic(&[
        "check",
        PRELUDE,
        "tests/fixtures/diagnostics/clean_full_kpi.kpi",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 errors, 0 warnings"), "{err}");
}

#[test]
fn errors_exit_one() {
    let (code, _, err) = kpic(&[
        "check",
        PRELUDE,
        "tests/fixtures/diagnostics/K0201_unit_mismatch.kpi",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("K0201"), "{err}");
    assert!(err.contains("K0201_unit_mismatch.kpi:2:32"), "{err}");
}

#[test]
fn warnings_fail_only_when_denied() {
    let file = "tests/fixtures/diagnostics/K0402_percent_times_hundred.kpi";
    let (code, _, _) = kpic(&["check", PRELUDE, file]);
    assert_eq!(code, 0);
    let (code, _, _) = kpic(&["check", "--deny", "warnings", PRELUDE, file]);
    assert_eq!(code, 1);
}

#[test]
fn missing_path_and_bad_flags_exit_two() {
    let (code, _, err) = kpic(&["check", "no/such/folder"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no/such/folder: cannot read: no such file or folder"),
        "{err}"
    );
    let (code, _, _) = kpic(&["check", "--format", "xml", PRELUDE]);
    assert_eq!(code, 2);
    let (code, _, err) = kpic(&["explain", "K9999"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a kpic diagnostic code"), "{err}");
}

#[test]
fn json_output() {
    let (code, out, _) = kpic(&[
        "check",
        "--format",
        "json",
        PRELUDE,
        "tests/fixtures/diagnostics/K0203_declared_unit.kpi",
    ]);
    assert_eq!(code, 1);
    let parsed: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(parsed["summary"]["errors"], 2);
    insta::assert_snapshot!(out);
}

#[test]
fn github_output() {
    let (code, out, _) = kpic(&[
        "check",
        "--format",
        "github",
        PRELUDE,
        "tests/fixtures/diagnostics/K0304_unguarded_optional.kpi",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn explain_prints_the_long_text() {
    let (code, out, _) = kpic(&["explain", "k0301"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("K0301: column used outside an aggregate"),
        "{out}"
    );
    let (code, out, _) = kpic(&["explain"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), kpic::Code::ALL.len());
}

/// A file with a UTF-8 byte-order mark: its first item is read, and the JSON and GitHub
/// outputs place the error where an editor shows it (the mark is no column), while the
/// byte span is into the file as it is on disk (the mark's three bytes included).
#[test]
fn byte_order_mark_positions() {
    let fixture = "tests/fixtures/diagnostics/K0101_byte_order_mark.kpi";
    let text = std::fs::read(fixture).expect("fixture is readable");
    assert!(
        text.starts_with(b"\xEF\xBB\xBF"),
        "the fixture keeps its mark"
    );
    let (code, out, _) = kpic(&["check", "--format", "json", PRELUDE, fixture]);
    assert_eq!(code, 1);
    let parsed: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let diags = parsed["diagnostics"].as_array().expect("a list");
    // Only the two misspelt names: no "found `\u{feff}`", no cascade from a lost item.
    assert_eq!(diags.len(), 2, "{out}");
    let first = &diags[0];
    let column = "measure first_item { unit: money formula: sum(orders.".len() + 1;
    assert_eq!(first["start"]["line"], 1, "{out}");
    assert_eq!(first["start"]["column"], column, "{out}");
    let start = first["span"]["start"].as_u64().expect("a byte offset") as usize;
    assert_eq!(&text[start..start + 6], b"revenu", "{out}");
    let (_, github, _) = kpic(&["check", "--format", "github", PRELUDE, fixture]);
    assert!(github.contains(&format!("line=1,col={column}")), "{github}");
}

#[test]
fn sarif_output_has_a_rule_per_code_and_the_places_of_the_json_output() {
    let fixture = "tests/fixtures/diagnostics/K0304_unguarded_optional.kpi";
    let (code, out, _) = kpic(&["check", "--format", "sarif", PRELUDE, fixture]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
    // Every diagnostic fixture: one result per diagnostic of the JSON output, at the
    // same lines and columns (code points), pointing at its rule.
    for entry in std::fs::read_dir("tests/fixtures/diagnostics").expect("fixtures") {
        let path = entry.expect("entry").path();
        let path = path.to_str().expect("UTF-8 name");
        let (_, json, _) = kpic(&["check", "--format", "json", PRELUDE, path]);
        let (_, sarif, _) = kpic(&["check", "--format", "sarif", PRELUDE, path]);
        let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        let sarif: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
        assert_eq!(sarif["version"], "2.1.0");
        let run = &sarif["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        let results = run["results"].as_array().expect("results");
        let diags = json["diagnostics"].as_array().expect("diagnostics");
        assert_eq!(results.len(), diags.len(), "{path}");
        for (r, d) in results.iter().zip(diags) {
            assert_eq!(r["ruleId"], d["code"], "{path}");
            let index = r["ruleIndex"].as_u64().expect("index") as usize;
            assert_eq!(rules[index]["id"], d["code"], "{path}");
            assert_eq!(r["level"], d["severity"], "{path}");
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["startLine"], d["start"]["line"], "{path}");
            assert_eq!(region["startColumn"], d["start"]["column"], "{path}");
            assert_eq!(region["endLine"], d["end"]["line"], "{path}");
            assert_eq!(region["endColumn"], d["end"]["column"], "{path}");
            assert_eq!(
                r["relatedLocations"].as_array().map(Vec::len),
                d["related"].as_array().map(Vec::len),
                "{path}"
            );
        }
    }
}
