//! The only module that knows pest: source text to the typed AST of
//! [`super::ast`] with our own byte spans, and syntax errors as diagnostics.
//!
//! Parsing never fails: it returns the items it could read and a diagnostic for every
//! item it could not. The grammar is two files under one derive: `grammar/kpi.pest`
//! (the language as an analyst reads it; syntax errors are worded after its rules)
//! and `grammar/fast.pest` (the same language written for speed, which reads every
//! item first). Inside this module:
//!
//! - this file: the entry points, and which rule set reads an item;
//! - `errors.rs`: pest's errors worded as K0002 diagnostics;
//! - `build.rs`: the builder that turns an item's pest pairs into AST nodes;
//! - `expr.rs`: operator precedence over an expression's flat sequence, and the K0003
//!   bound on operators;
//! - `literals.rs`: numbers, strings and text blocks read into their values.
//!
//! `pest::iterators::Pair` never leaves this module.

mod build;
mod errors;
mod expr;
mod literals;

pub use literals::dedent;

use super::ast::{Expr, File, Item};
use super::split::{Chunk, MAX_NESTING, split_items};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use build::Builder;
use pest::Parser as _;
use pest::iterators::{Pair, Pairs};

/// The kpic grammar: the checking rules of `grammar/kpi.pest` (entry `item_only`) and
/// the fast rules of `grammar/fast.pest` (entry `fast_item`), which use the tokens and
/// table rules of the first.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/kpi.pest"]
#[grammar = "../grammar/fast.pest"]
struct KpiGrammar;

/// Most operators one formula may hold (see K0003).
pub const MAX_OPERATORS: usize = 1000;

/// Parses one file's text. Items that fail to parse are left out and reported.
pub fn parse_file(file: FileId, text: &str) -> (File, Vec<Diagnostic>) {
    use rayon::prelude::*;
    // Items are independent once split, so they are parsed in parallel.
    let parsed: Vec<(Option<Item>, Vec<Diagnostic>)> = split_items(text)
        .par_iter()
        .map(|chunk| parse_chunk(file, text, chunk))
        .collect();
    let mut items = Vec::with_capacity(parsed.len());
    let mut diagnostics = Vec::new();
    for (item, diags) in parsed {
        items.extend(item);
        diagnostics.extend(diags);
    }
    (File { items }, diagnostics)
}

fn parse_chunk(file: FileId, text: &str, chunk: &Chunk) -> (Option<Item>, Vec<Diagnostic>) {
    if let Some(at) = chunk.too_deep_at {
        let d = Diagnostic::error(
            Code::TooDeep,
            Span::new(file, at, at + 1),
            "nesting is too deep",
        )
        .label(format!("this opens level {} of nesting", MAX_NESTING + 1))
        .help(format!(
            "kpic accepts at most {MAX_NESTING} nested parentheses, lists or conditionals; \
                 split the formula into named measures"
        ));
        return (None, vec![d]);
    }
    let source = &text[chunk.start..chunk.end];
    // The fast rules first. The checking rules run only on an item the fast ones
    // reject, to explain the error (and, should the two ever disagree, to read it: the
    // checking rules decide).
    let item_pair = match KpiGrammar::parse(Rule::fast_item, source) {
        Ok(pairs) => entry_item(RuleSet::Fast, pairs),
        Err(_) => match KpiGrammar::parse(Rule::item_only, source) {
            Ok(pairs) => entry_item(RuleSet::Checking, pairs),
            Err(err) => return (None, vec![errors::syntax_error(file, chunk, source, err)]),
        },
    };
    let mut builder = Builder::new(file, chunk.start);
    let item = item_pair.and_then(|pair| builder.item(pair));
    (item, builder.finish())
}

/// The item's pair in what an entry rule returned: the entry rule's first child (for
/// the checking rules, inside the `item` rule).
fn entry_item(rules: RuleSet, mut pairs: Pairs<'_, Rule>) -> Option<Pair<'_, Rule>> {
    let pair = pairs.next()?.into_inner().next()?;
    match rules {
        RuleSet::Fast => Some(pair),
        RuleSet::Checking => pair.into_inner().next(),
    }
}

/// One of the grammar's two rule sets (see `grammar/fast.pest`).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSet {
    /// `fast_item`: the rules that read every item first.
    Fast,
    /// `item_only`: the rules syntax errors are worded after.
    Checking,
}

/// Reads one item's text with one rule set only: `None` when that rule set rejects
/// it, else the item built and the builder's diagnostics (spans in file 0, from 0).
/// For the test that both rule sets accept the same items and build the same trees
/// (`tests/parser_agreement.rs`); not part of the stable API.
#[doc(hidden)]
pub fn read_item(rules: RuleSet, source: &str) -> Option<(Option<Item>, Vec<Diagnostic>)> {
    let entry = match rules {
        RuleSet::Fast => Rule::fast_item,
        RuleSet::Checking => Rule::item_only,
    };
    let pairs = KpiGrammar::parse(entry, source).ok()?;
    let pair = entry_item(rules, pairs)?;
    let mut builder = Builder::new(FileId(0), 0);
    let item = builder.item(pair);
    Some((item, builder.finish()))
}

/// Parses one expression written inside other text (a rule message's `{...}`), whose
/// first byte is at `offset` in `file`. `Err` with a short reason when it is not one
/// whole expression, or nests deeper than the splitter allows items to (the text
/// inside a string is not scanned by the splitter, so the bound is enforced here
/// before pest recurses).
pub fn parse_expression(
    file: FileId,
    offset: usize,
    text: &str,
) -> Result<(Expr, Vec<Diagnostic>), String> {
    if nesting(text) > MAX_NESTING {
        return Err(format!(
            "it nests more than {MAX_NESTING} parentheses or conditionals"
        ));
    }
    let mut pairs = KpiGrammar::parse(Rule::expr_only, text).map_err(|e| match e.location {
        pest::error::InputLocation::Pos(p) | pest::error::InputLocation::Span((p, _)) => {
            match text[p.min(text.len())..].chars().next() {
                Some(c) => format!("it is not an expression (unexpected `{c}`)"),
                None => "it is not a whole expression (it ends too early)".to_string(),
            }
        }
    })?;
    let pair = pairs
        .next()
        .and_then(|p| p.into_inner().next())
        .ok_or_else(|| "it is empty".to_string())?;
    let builder = Builder::new(file, offset);
    let expr = builder
        .top_expr(pair)
        .ok_or_else(|| "it is empty".to_string())?;
    Ok((expr, builder.finish()))
}

/// How deep parentheses and conditionals nest in `text`, at most (each `if` counted as
/// one more level, wherever it stands: an over-estimate that is cheap and safe).
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let ifs = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| *w == "if")
        .count();
    for c in text.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest + ifs
}

/// The byte ranges of `text` that pest reads, one per item: the splitter's chunks
/// without those nested too deep (rejected before pest runs). For
/// `tests/parser_agreement.rs`; not part of the stable API.
#[doc(hidden)]
pub fn item_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    split_items(text)
        .iter()
        .filter(|c| c.too_deep_at.is_none())
        .map(|c| c.start..c.end)
        .collect()
}

/// Every item of `text` as [`parse_file`] cuts it: its byte range, and whether it nests
/// too deep for pest (`parse_file` reports such an item and never parses it). For
/// `kpic diff`, which parses an item its two catalogs share once (with [`read_item`]);
/// not part of the stable API.
#[doc(hidden)]
pub fn item_chunks(text: &str) -> Vec<(std::ops::Range<usize>, bool)> {
    split_items(text)
        .iter()
        .map(|c| (c.start..c.end, c.too_deep_at.is_some()))
        .collect()
}
