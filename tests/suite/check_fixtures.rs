//! Data-driven tests: every `.kpi` file under `tests/fixtures/diagnostics/` is checked
//! together with `tests/fixtures/prelude.kpi`, and its rendered diagnostics are pinned
//! in a snapshot that starts with the fixture's source. A fixture named `K0201_...`
//! must produce code K0201, and every code must have a fixture.
//!
//! K0401 (missing documentation) is left out of snapshots except in its own fixtures,
//! so that small fixtures need not carry twelve attributes.
//!
//! `tests/fixtures/worklist/` holds the diagnostics known to be still poor, each
//! fixture opening with a comment that says what is poor; their snapshots pin today's
//! output, so improving one shows up as a snapshot change.

use kpic::Code;
use kpic::diagnostic::human;
use std::path::Path;

const PRELUDE: &str = include_str!("../fixtures/prelude.kpi");

fn render_fixture(path: &Path, folder: &str) -> (String, Vec<Code>) {
    let bytes = std::fs::read(path).expect("fixture is readable");
    let text = String::from_utf8_lossy(&bytes);
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("fixture.kpi");
    // Relative paths keep file names in the snapshots the same on every machine.
    let relative = Path::new(folder).join(name);
    let checked =
        kpic::check_paths(&[relative, "tests/fixtures/prelude.kpi".into()]).expect("fixture loads");
    // A project may set the level of a lint only: every warning must be one, and a
    // lint is never an error.
    for d in &checked.diagnostics {
        assert_eq!(
            d.code.is_lint(),
            !d.is_error(),
            "{}: {} is {} but `Code::is_lint` says {}",
            name,
            d.code,
            if d.is_error() {
                "an error"
            } else {
                "a warning"
            },
            d.code.is_lint()
        );
    }
    let keep_docs = name.starts_with("K0401");
    let diags: Vec<_> = checked
        .diagnostics
        .into_iter()
        .filter(|d| keep_docs || d.code != Code::MissingDoc)
        .collect();
    let rendered = human::render(
        &diags,
        &checked.sources,
        human::Style {
            color: false,
            width: 100,
        },
    );
    let codes = diags.iter().map(|d| d.code).collect();
    (format!("{text}\n---- diagnostics ----\n{rendered}"), codes)
}

#[test]
fn diagnostic_fixtures() {
    insta::glob!("../fixtures", "diagnostics/*.kpi", |path| {
        let (snapshot, codes) = render_fixture(path, "tests/fixtures/diagnostics");
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if let Some(expected) = stem.split('_').next().and_then(Code::parse) {
            assert!(
                codes.contains(&expected),
                "{stem}: expected {expected}, got {codes:?}"
            );
        } else {
            assert!(
                stem.starts_with("clean"),
                "{stem}: fixture names start with a code or `clean`"
            );
            assert!(
                codes.is_empty(),
                "{stem}: expected no diagnostics, got {codes:?}"
            );
        }
        insta::assert_snapshot!(snapshot);
    });
}

/// The worklist: fixtures whose diagnostics are known to be poor (PRQL keeps one too).
/// When a change improves one, review the new snapshot and move the fixture to
/// `diagnostics/` under its code.
#[test]
fn worklist() {
    insta::glob!("../fixtures", "worklist/*.kpi", |path| {
        let text = std::fs::read_to_string(path).expect("worklist fixture is UTF-8");
        assert!(
            text.starts_with("//"),
            "{}: a worklist fixture opens with a comment saying what is poor",
            path.display()
        );
        let (snapshot, _) = render_fixture(path, "tests/fixtures/worklist");
        insta::assert_snapshot!(snapshot);
    });
}

#[test]
fn every_code_has_a_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diagnostics");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !names.iter().any(|n| n.starts_with(c)))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

#[test]
fn prelude_is_clean() {
    let checked = kpic::check_texts([("prelude.kpi", PRELUDE)]);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
}

#[test]
fn every_code_has_an_explanation() {
    for code in Code::ALL {
        assert!(
            code.explanation().len() > 80,
            "{code} explanation is too short"
        );
        assert_eq!(Code::parse(code.as_str()), Some(*code));
    }
}
