//! `kpic fmt`: the layout of the inputs in `tests/fixtures/fmt/` (one snapshot each,
//! input above output), every `.kpi` file of the repository a fixed point after one
//! formatting, meaning and comments kept on seeded mutants, and the command line.

use crate::support::cli::{command, kpic};
use crate::support::mutate::{Rng, mutate, sources};
use kpic::fmt::{FmtError, format_text};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// Every `.kpi` file under `dir`, recursively, in a fixed order.
fn kpi_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            kpi_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "kpi") {
            out.push(p);
        }
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn layout_of_the_fmt_fixtures() {
    insta::glob!("../fixtures", "fmt/*.kpi", |path| {
        let input = std::fs::read_to_string(path).expect("fixture");
        let output = format_text(&input).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            format_text(&output).ok().as_deref(),
            Some(output.as_str()),
            "{}: formatting twice changes it",
            path.display()
        );
        insta::assert_snapshot!(format!("{input}\n----- formatted -----\n{output}"));
    });
}

/// The fixtures (parse, diagnostics that parse, evaluation corpus catalogs, data
/// fixtures), the catalog and the examples: formatted once, they are fixed points;
/// those with syntax errors are refused as such, never as a change of meaning.
#[test]
fn every_kpi_file_is_a_fixed_point_after_formatting_once() {
    let mut files = Vec::new();
    for dir in ["tests/fixtures", "kpis", "examples"] {
        kpi_files(&root().join(dir), &mut files);
    }
    assert!(files.len() > 100, "found only {} files", files.len());
    let mut formatted = 0;
    for path in &files {
        // A fixture of non-UTF-8 input (K0001) is no text to format.
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        match format_text(&text) {
            Ok(once) => {
                let twice = format_text(&once)
                    .unwrap_or_else(|e| panic!("{}: formatted text refused: {e}", path.display()));
                assert_eq!(twice, once, "{}: not idempotent", path.display());
                formatted += 1;
            }
            Err(FmtError::Syntax(_)) => {}
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    assert!(formatted > 100, "formatted only {formatted} files");
}

/// Seeded mutants of the catalog and the fixtures: whatever parses is formatted (its
/// meaning and comments kept: `format_text` compares them before it returns), and
/// formatting is idempotent.
#[test]
fn mutants_keep_their_meaning_and_format_idempotently() {
    const TOKENS: &[&str] = &[
        "// c\n",
        " // x",
        "(",
        ")",
        "\n",
        "+ 1",
        "\"\"\"\n  t\n\"\"\"",
        "[a, b]",
        " and b",
        "if a then b else c",
        "-",
        "not ",
        " per accounts",
        " all time",
        ",",
    ];
    // Mutated a few items at a time, most mutants still parse.
    let texts: Vec<String> = sources()
        .iter()
        .flat_map(|s| s.split("\n}\n").map(|item| format!("{item}\n}}\n")))
        .collect();
    let mut rng = Rng(0x5eed_f0f0);
    let (mut formatted, mut refused) = (0, 0);
    for i in 0..20_000 {
        let pick = rng.below(texts.len());
        let text = mutate(&mut rng, &texts[pick], TOKENS);
        match format_text(&text) {
            Ok(once) => {
                let twice = format_text(&once)
                    .unwrap_or_else(|e| panic!("mutant {i}: formatted text refused: {e}\n{text}"));
                assert_eq!(twice, once, "mutant {i} not idempotent:\n{text}");
                formatted += 1;
            }
            Err(FmtError::Syntax(_)) => refused += 1,
            Err(e) => panic!("mutant {i}: {e}\n{text}"),
        }
    }
    assert!(
        formatted > 3000 && refused > 100,
        "{formatted} formatted, {refused} refused"
    );
}

fn run_stdin(args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kpic runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("written");
    let out = child.wait_with_output().expect("kpic ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn dash_formats_standard_input_to_standard_output() {
    let (code, out, _) = run_stdin(&["fmt", "-"], "measure m{formula:sum( orders.revenue )}");
    assert_eq!(code, 0);
    assert_eq!(out, "measure m {\n  formula: sum(orders.revenue)\n}\n");
    let (code, out, _) = run_stdin(&["fmt", "--check", "-"], "measure m {\n  formula: 1+2\n}\n");
    assert_eq!(code, 1);
    assert!(
        out.contains("-  formula: 1+2\n+  formula: 1 + 2\n"),
        "{out}"
    );
}

#[test]
fn check_shows_a_diff_and_writes_nothing_then_fmt_rewrites_in_place() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("a.kpi");
    let messy = "measure m {\n  unit: money\n  formula: sum(orders.revenue)   // why\n}\n";
    std::fs::write(&file, messy).expect("written");
    let path = file.to_str().expect("utf-8 path");
    let (code, out, err) = kpic(&["fmt", "--check", path]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.starts_with(&format!("--- {path}\n+++ {path}\n")),
        "{out}"
    );
    assert!(err.contains("1 of 1 file(s) would be reformatted"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), messy);
    let (code, _, err) = kpic(&["fmt", dir.path().to_str().expect("utf-8 path")]);
    assert_eq!(code, 0, "{err}");
    let tidy = "measure m {\n  formula: sum(orders.revenue) // why\n  unit: money\n}\n";
    assert_eq!(std::fs::read_to_string(&file).expect("read"), tidy);
    assert_eq!(kpic(&["fmt", "--check", path]).0, 0);
}

#[test]
fn a_file_with_syntax_errors_is_not_formatted() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("broken.kpi");
    let broken = "measure m {\n  formula: sum(orders.revenue\n}\n";
    std::fs::write(&file, broken).expect("written");
    let (code, out, err) = kpic(&["fmt", file.to_str().expect("utf-8 path")]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("K0002"), "{err}");
    assert!(err.contains("not formatted: it has syntax errors"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), broken);
}

/// The longest and deepest formulas the parser accepts (a thousand operators, the
/// nesting bound of parentheses) format on a test thread's small stack.
#[test]
fn the_largest_formulas_format() {
    let chain: Vec<String> = (0..1000).map(|i| format!("a{i}")).collect();
    let inputs = [
        format!("measure m {{\n  formula: {}\n}}\n", chain.join(" + ")),
        format!("measure m {{\n  formula: {}x\n}}\n", "not ".repeat(990)),
        format!(
            "measure m {{\n  formula: {}a{}\n}}\n",
            "(".repeat(60),
            " * b)".repeat(60)
        ),
        format!(
            "measure m {{\n  formula: {}0\n}}\n",
            "if c then 1 else ".repeat(60)
        ),
    ];
    for input in inputs {
        let once = format_text(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(format_text(&once).ok().as_deref(), Some(once.as_str()));
    }
}

/// CI keeps the shipped catalog formatted: `kpic fmt --check kpis examples` (as the
/// README says) finds nothing to change.
#[test]
fn the_shipped_catalog_is_formatted() {
    let (code, out, err) = kpic(&["fmt", "--check", "kpis", "examples"]);
    assert_eq!(
        code, 0,
        "run `kpic fmt kpis examples` and commit the result:\n{out}{err}"
    );
}
