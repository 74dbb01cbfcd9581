//! The VS Code extension's TextMate grammar (`editors/vscode/syntaxes/kpi.tmLanguage.json`)
//! against the language: its word lists are the vocabulary's (`kpic::vocab`, `kpic::ir`),
//! word for word, and every keyword of `grammar/kpi.pest` is coloured, so neither can
//! change without the other.
//!
//! The grammar keeps each list as one alternation, `\b(?:a|b|c)\b`, in a named rule of
//! its repository; these tests read those rules.

use kpic::ir::{Cadence, ColumnType, Direction, Unit};
use kpic::vocab::{AGGREGATES, ATTRIBUTES, FOREIGN_NAMES, FUNCTIONS, ITEM_KINDS, OPERATORS};
use kpic::vocab::{BinaryOp, Operator, UnaryOp};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const GRAMMAR: &str = "editors/vscode/syntaxes/kpi.tmLanguage.json";

fn grammar() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GRAMMAR);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{GRAMMAR} is not JSON: {e}"))
}

/// Every regular expression (`match`, `begin`, `end`) in `rule` and the rules it holds.
fn regexes(rule: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![rule];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("match" | "begin" | "end", Value::String(s)) => out.push(s.clone()),
                        _ => stack.push(v),
                    }
                }
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

/// The rule `name` of the grammar's repository.
fn rule<'a>(grammar: &'a Value, name: &str) -> &'a Value {
    grammar
        .get("repository")
        .and_then(|r| r.get(name))
        .unwrap_or_else(|| panic!("{GRAMMAR} has no repository rule `{name}`"))
}

/// The words of every group of `regex` that is nothing but an alternation of words,
/// `(?:a|b)` or `(a|b)`.
fn alternations(regex: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = regex;
    while let Some(open) = rest.find('(') {
        let inner = &rest[open + 1..];
        let inner = inner.strip_prefix("?:").unwrap_or(inner);
        if let Some(close) = inner.find(')') {
            let group = &inner[..close];
            let words: Vec<&str> = group.split('|').collect();
            if words
                .iter()
                .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            {
                out.extend(words.iter().map(|w| w.to_string()));
            }
        }
        rest = &rest[open + 1..];
    }
    out
}

/// The words listed in `rule` (all its regexes).
fn words_of(grammar: &Value, name: &str) -> BTreeSet<String> {
    regexes(rule(grammar, name))
        .iter()
        .flat_map(|r| alternations(r))
        .collect()
}

fn set<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    names.into_iter().map(str::to_string).collect()
}

fn assert_same(what: &str, rule: &str, grammar: BTreeSet<String>, language: BTreeSet<String>) {
    let missing: Vec<_> = language.difference(&grammar).collect();
    let extra: Vec<_> = grammar.difference(&language).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: the grammar's rule `{rule}` in {GRAMMAR} lacks {missing:?} and has \
         {extra:?}, which the language does not know; change the rule (and its tests in \
         editors/vscode/test/grammar/) with the language"
    );
}

#[test]
fn item_keywords_are_the_vocabularys() {
    let g = grammar();
    let mut words = words_of(&g, "table");
    words.extend(words_of(&g, "block"));
    assert_same(
        "item keywords",
        "table` + `block",
        words,
        set(ITEM_KINDS.iter().map(|k| k.keyword)),
    );
}

#[test]
fn field_names_are_the_vocabularys() {
    let g = grammar();
    let field = rule(&g, "field");
    let patterns = field["patterns"].as_array().expect("`field` has patterns");
    let fields = alternations(patterns[0]["match"].as_str().unwrap_or_default());
    let attributes = alternations(patterns[1]["match"].as_str().unwrap_or_default());
    assert_same(
        "item fields",
        "field` (first pattern",
        fields,
        set(ITEM_KINDS
            .iter()
            .flat_map(|k| k.fields.iter().map(|f| f.name))),
    );
    assert_same(
        "documentation attributes",
        "field` (second pattern",
        attributes,
        set(ATTRIBUTES.iter().map(|a| a.field)),
    );
}

#[test]
fn aggregates_functions_and_foreign_names_are_the_vocabularys() {
    let g = grammar();
    assert_same(
        "aggregates",
        "aggregates",
        words_of(&g, "aggregates"),
        set(AGGREGATES.iter().map(|a| a.name)),
    );
    assert_same(
        "functions",
        "functions",
        words_of(&g, "functions"),
        set(FUNCTIONS.iter().map(|f| f.name)),
    );
    // A foreign name that is also a kpic keyword (`if`) is the keyword: `if (a) then`.
    let keywords: BTreeSet<String> = OPERATORS.iter().map(|o| o.op.symbol().into()).collect();
    assert_same(
        "foreign function names",
        "foreign-functions",
        words_of(&g, "foreign-functions"),
        FOREIGN_NAMES
            .iter()
            .flat_map(|f| f.names.iter().copied())
            .map(str::to_string)
            .filter(|n| !keywords.contains(n))
            .collect(),
    );
}

#[test]
fn operators_are_the_vocabularys() {
    let g = grammar();
    let mut word_ops = BTreeSet::new();
    let mut symbols = BTreeSet::new();
    for info in OPERATORS {
        match info.op {
            Operator::Binary(BinaryOp::And | BinaryOp::Or) | Operator::Unary(UnaryOp::Not) => {
                word_ops.insert(info.op.symbol().to_string());
            }
            Operator::Binary(op) => {
                symbols.insert(op.symbol().to_string());
            }
            Operator::Unary(UnaryOp::Neg) => {
                symbols.insert("-".to_string());
            }
            Operator::IsMissing { .. } => {
                let regex = regexes(rule(&g, "missing-operator")).concat();
                for word in info.op.symbol().split(' ') {
                    assert!(regex.contains(word), "`missing-operator` lacks `{word}`");
                }
            }
            Operator::If => {
                // `if CONDITION then A else B`: the lowercase words are the keywords.
                let pattern = info.op.pattern();
                let words = pattern
                    .split(' ')
                    .filter(|w| w.chars().all(|c| c.is_ascii_lowercase()));
                assert_same(
                    "the conditional's keywords",
                    "conditional",
                    words_of(&g, "conditional"),
                    set(words),
                );
            }
        }
    }
    assert_same(
        "word operators",
        "logical",
        words_of(&g, "logical"),
        word_ops,
    );
    // The symbolic operators: the alternatives of the comparison and arithmetic
    // patterns, unescaped (the first pattern holds other languages' slips).
    let operators = rule(&g, "operators")["patterns"]
        .as_array()
        .expect("`operators` has patterns");
    let spelled: BTreeSet<String> = [1, 3]
        .iter()
        .flat_map(|&i| {
            operators[i]["match"]
                .as_str()
                .unwrap_or_default()
                .split('|')
        })
        .map(|alt| alt.replace('\\', ""))
        .collect();
    assert_same("symbolic operators", "operators", spelled, symbols);
}

#[test]
fn types_units_and_field_values_are_the_languages() {
    let g = grammar();
    assert_same(
        "column types",
        "column-types",
        words_of(&g, "column-types"),
        set(ColumnType::NAMES.iter().copied()),
    );
    assert_same(
        "units after `unit` in a table",
        "unit-modifier",
        words_of(&g, "unit-modifier"),
        set(Unit::NAMES.iter().copied())
            .union(&set(["unit"]))
            .cloned()
            .collect(),
    );
    let values = rule(&g, "field-with-word-value")["patterns"]
        .as_array()
        .expect("`field-with-word-value` has patterns");
    let listed = |i: usize| alternations(values[i]["match"].as_str().unwrap_or_default());
    let with_field = |field: &str, names: &[&'static str]| -> BTreeSet<String> {
        set(names.iter().copied())
            .union(&set([field]))
            .cloned()
            .collect()
    };
    assert_same(
        "units",
        "field-with-word-value",
        listed(0),
        with_field("unit", Unit::NAMES),
    );
    assert_same(
        "directions",
        "field-with-word-value",
        listed(1),
        with_field("better", Direction::NAMES),
    );
    assert_same(
        "cadences",
        "field-with-word-value",
        listed(2),
        with_field("cadence", Cadence::NAMES),
    );
}

/// Column modifiers and the fields of `period` have no public list: every one the
/// grammar colours must check cleanly, and a word it does not list must not.
#[test]
fn modifiers_and_period_fields_are_accepted_by_the_checker() {
    let g = grammar();
    let modifiers = words_of(&g, "column-modifiers");
    let period = words_of(&g, "period");
    let period: Vec<&String> = period.iter().filter(|w| *w != "period").collect();
    assert!(
        modifiers.len() >= 4 && period.len() >= 7,
        "{modifiers:?} {period:?}"
    );

    let columns: String = modifiers
        .iter()
        .enumerate()
        .map(|(i, m)| match m.as_str() {
            "time" => format!("  c{i}: date time\n"),
            _ => format!("  c{i}: text {m}\n"),
        })
        .collect();
    let uses: Vec<String> = period
        .iter()
        .map(|f| format!("count(t where period.{f} is not missing)"))
        .collect();
    let catalog = |columns: &str, formula: &str| {
        format!(
            "table t {{\n{columns}}}\nmeasure m {{\n  formula: {formula}\n}}\n",
            formula = formula
        )
    };
    let text = catalog(&columns, &uses.join(" + "));
    let checked = kpic::check_texts([("grammar.kpi", text.as_str())]);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "{text}\n{errors:#?}");

    // The same catalog with a word the grammar does not list is refused, so the check
    // above means something.
    for (columns, formula) in [
        ("  c: text sometimes\n", "count(t)"),
        (
            columns.as_str(),
            "count(t where period.weeks is not missing)",
        ),
    ] {
        let text = catalog(columns, formula);
        let checked = kpic::check_texts([("grammar.kpi", text.as_str())]);
        assert!(checked.error_count() > 0, "{text} checked cleanly");
    }
}

/// Every keyword `grammar/kpi.pest` spells (`"where"`, `"dated"`, `"all"`, ...) is a
/// word of the TextMate grammar.
#[test]
fn every_keyword_of_the_pest_grammar_is_coloured() {
    let g = grammar();
    let pest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar/kpi.pest"))
            .expect("grammar/kpi.pest");
    let mut keywords = BTreeSet::new();
    for line in pest.lines().filter(|l| !l.trim_start().starts_with("//")) {
        let mut parts = line.split('"');
        parts.next();
        // Odd parts are the insides of string literals.
        for (i, part) in parts.enumerate() {
            if i % 2 == 0
                && part.len() > 1
                && part.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            {
                keywords.insert(part.to_string());
            }
        }
    }
    assert!(
        keywords.contains("where") && keywords.contains("dated"),
        "{keywords:?}"
    );
    // The regexes with their escapes (`\b`, `\s`) blanked, so `\bis` reads as `is`.
    let mut everything = String::new();
    for regex in regexes(&g) {
        let mut chars = regex.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                chars.next();
                everything.push(' ');
            } else {
                everything.push(c);
            }
        }
        everything.push('\n');
    }
    let words: BTreeSet<&str> = everything
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    let missing: Vec<_> = keywords
        .iter()
        .filter(|k| !words.contains(k.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "keywords of grammar/kpi.pest that {GRAMMAR} does not colour: {missing:?}"
    );
}
