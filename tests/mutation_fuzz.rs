//! A deterministic mutation fuzzer in the normal test run (cargo-fuzz needs a nightly
//! toolchain; `fuzz/` has the coverage-guided target for that). Every shipped `.kpi`
//! file and fixture is cut, spliced, duplicated and sprinkled with hostile tokens
//! ten thousand times; checking and rendering each result must not panic, and every
//! diagnostic must point inside its source on character boundaries.

use std::path::Path;

/// A small, seeded xorshift generator: the same mutations on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

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

fn sources() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["kpis", "tests/fixtures/diagnostics", "tests/fixtures/parse"] {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .expect("folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "kpi"))
            .collect();
        paths.sort();
        for p in paths {
            if let Ok(text) = std::fs::read_to_string(Path::new(&p)) {
                out.push(text);
            }
        }
    }
    out
}

fn boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s = text.to_string();
    for _ in 0..1 + rng.below(4) {
        let a = boundary(&s, rng.below(s.len() + 1));
        let b = boundary(&s, a + rng.below(200));
        match rng.below(4) {
            0 => s.replace_range(a..b, ""),
            1 => {
                let piece = s[a..b].to_string();
                s.insert_str(a, &piece);
            }
            2 => s.insert_str(a, TOKENS[rng.below(TOKENS.len())]),
            _ => s.truncate(a),
        }
    }
    s
}

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
        let text = mutate(&mut rng, &originals[round % originals.len()]);
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
