//! The fast rules (`grammar/fast.pest`) and the checking rules (`grammar/kpi.pest`)
//! must accept the same items and build the same trees: both run over every catalog
//! and fixture file and thousands of mutations of them (cut, duplicated, sprinkled
//! with tokens, one character deleted), item by item.

use crate::support::mutate;

use kpic::syntax::{RuleSet, item_ranges, read_item};
use mutate::{Rng, mutate, sources};

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
    "// c\n",
    "\\",
    ":",
    ",",
    "=",
    "==",
    "<",
    "< ",
    "<>",
    "<=",
    "-",
    "- ",
    "->",
    "+",
    "*",
    "/",
    "&&",
    "||",
    "!",
    "!=",
    "if",
    "then",
    "else",
    "where",
    "dated",
    "all time",
    "is missing",
    "is not missing",
    "is",
    "not ",
    "not",
    "or",
    " or ",
    "and",
    "true",
    "false",
    "truex",
    "sum(",
    "count(",
    "x.y",
    ".",
    "period.",
    "1",
    "1.5",
    "35%",
    "2025-02-30",
    "2025-01-01",
    "é",
    "\n",
    " ",
    "\t",
    "\r\n",
    "x",
    "x:",
    "kpi x {",
    "table t {",
    "unit x",
    "key",
    "'",
    "'x'",
    "'it\"s'",
];

/// Rare forms the catalog and fixtures may not hold, with the mutations of which the
/// rule sets must agree too.
const EXTRA: &[&str] = &[
    "measure a { formula: count(t where t.tier == 'strategic') }",
    "kpi a { name: 'Win Rate' tags: ['a', b, 'c' ] }",
    "kpi a { name: 'it\"s' x: '' y: 'a' + 'b' }",
    "kpi a { x: ('a') }\nkpi b { y: 'unclosed\n}",
    "measure a { formula: (sum(t.x) + 1\n  description: \"x\"\n}",
    "measure a { formula: [1, (2\n}",
];

fn assert_agree(text: &str) {
    for range in item_ranges(text) {
        let source = &text[range];
        let fast = read_item(RuleSet::Fast, source);
        let checking = read_item(RuleSet::Checking, source);
        assert_eq!(
            fast.is_some(),
            checking.is_some(),
            "the fast rules {} this item, the checking rules do not:\n{source}",
            if fast.is_some() { "accept" } else { "reject" }
        );
        assert_eq!(fast, checking, "different trees for:\n{source}");
    }
}

#[test]
fn fast_and_checking_rules_agree() {
    let mut originals = sources();
    assert!(originals.len() > 30);
    originals.extend(EXTRA.iter().map(|s| s.to_string()));
    for text in &originals {
        assert_agree(text);
    }
    let mut rng = Rng(0x6661_7374_2026);
    for round in 0..6_000 {
        assert_agree(&mutate(
            &mut rng,
            &originals[round % originals.len()],
            TOKENS,
        ));
    }
    // Every single-character deletion of the small files.
    for text in originals.iter().filter(|t| t.len() < 1_500) {
        for (i, c) in text.char_indices() {
            let mut s = text.clone();
            s.replace_range(i..i + c.len_utf8(), "");
            assert_agree(&s);
        }
    }
}
