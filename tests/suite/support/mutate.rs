//! Seeded mutations of the shipped `.kpi` files, shared by the mutation fuzz test and
//! the parser's check that its two rule sets agree (`src/syntax/parser.rs`, through
//! `tests/support/mutate.rs`). The same
//! seed gives the same mutants on every run.

use std::path::Path;

/// A small xorshift generator.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The text of every `.kpi` file of the catalog and the test fixtures, in a fixed order.
pub fn sources() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [
        "kpis",
        "tests/fixtures",
        "tests/fixtures/diagnostics",
        "tests/fixtures/parse",
    ] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "kpi"))
            .collect();
        paths.sort();
        out.extend(paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()));
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

/// One to four edits of `text`: a cut, a doubled piece, one of `tokens` inserted, or
/// the rest dropped.
pub fn mutate(rng: &mut Rng, text: &str, tokens: &[&str]) -> String {
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
            2 => s.insert_str(a, tokens[rng.below(tokens.len())]),
            _ => s.truncate(a),
        }
    }
    s
}
