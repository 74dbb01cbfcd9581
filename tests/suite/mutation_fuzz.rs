//! A deterministic mutation fuzzer in the normal test run (cargo-fuzz needs a nightly
//! toolchain; `fuzz/` has the coverage-guided target for that). Every shipped `.kpi`
//! file and fixture is cut, spliced, duplicated and sprinkled with hostile tokens
//! ten thousand times; checking and rendering each result must not panic, and every
//! diagnostic must point inside its source on character boundaries.

use crate::support::mutate::{Rng, mutate, sources};

const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "\"\"\"",
    "//",
    "\\",
    ":",
    ",",
    "=",
    "==",
    "&&",
    "->",
    "if",
    "then",
    "else",
    "where",
    "dated",
    "all time",
    "is not missing",
    "sum(",
    "count(",
    "previous(",
    "period.",
    "9999999999999999999999",
    "2025-02-30",
    "%",
    "é",
    "😀",
    "\u{0}",
    "\n",
    "kpi x {",
    "table t {",
    "measure m {",
];

#[test]
fn mutated_catalogs_never_panic() {
    let originals = sources();
    assert!(originals.len() > 30);
    let mut rng = Rng(0x6b70_6963_2026);
    let style = kpic::diagnostic::human::Style {
        color: false,
        width: 80,
    };
    for round in 0..10_000 {
        let text = mutate(&mut rng, &originals[round % originals.len()], TOKENS);
        let checked = kpic::check_texts([("fuzz.kpi", text.as_str())]);
        for d in &checked.diagnostics {
            for span in std::iter::once(d.primary.span).chain(d.secondary.iter().map(|l| l.span)) {
                let src = &checked.sources.get(span.file).text;
                assert!(
                    span.start <= span.end && span.end as usize <= src.len(),
                    "round {round}: {d:?}"
                );
                assert!(
                    src.is_char_boundary(span.start as usize)
                        && src.is_char_boundary(span.end as usize)
                );
            }
        }
        let _ = kpic::diagnostic::human::render(&checked.diagnostics, &checked.sources, style);
        let _ = kpic::diagnostic::json::render(&checked.diagnostics, &checked.sources);
    }
}
