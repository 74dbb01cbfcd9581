//! Syntax errors in words: a pest error on an item becomes a K0002 diagnostic that
//! says what was expected and found there, with a hint for the common slips.
//!
//! The words come from the rules pest tried at the farthest position it reached, so
//! they depend on the rule structure of the checking rules (`grammar/kpi.pest`).

use super::Rule;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::syntax::split::Chunk;

/// Turns a pest error on the item `source` (the text of `chunk`) into a K0002
/// diagnostic at the exact place, or at the bracket left open when that is what the
/// error comes from.
pub(super) fn syntax_error(
    file: FileId,
    chunk: &Chunk,
    source: &str,
    err: pest::error::Error<Rule>,
) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let offset = chunk.start;
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let end = source[pos..]
        .chars()
        .next()
        .map_or(pos, |c| pos + c.len_utf8());
    let span = Span::new(file, offset + pos, offset + end);
    if let Some(d) = unclosed_bracket(file, chunk, source, span, &err) {
        return d;
    }
    let expected = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => describe_expected(positives),
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let found = match source[pos..].chars().next() {
        None => "the end of the item".to_string(),
        Some(_) => {
            let word: String = source[pos..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if word.is_empty() {
                format!("`{}`", source[pos..].chars().next().unwrap_or(' '))
            } else {
                format!("`{word}`")
            }
        }
    };
    // A `'` pest stopped at is text in single quotes it could not read as the slip
    // (`'strategic'` parses and is reported by the builder): unclosed on its line, or
    // where no value may stand. Say what kpic writes instead.
    let message = if source[pos..].starts_with('\'') {
        format!("text is written in double quotes, found {found}")
    } else {
        format!("expected {expected}, found {found}")
    };
    let mut d =
        Diagnostic::error(Code::Syntax, span, message).label(format!("expected {expected}"));
    if let Some(help) = syntax_help(source, pos, &err) {
        d = d.help(help);
    }
    d
}

/// A hint for the common slips behind a syntax error.
fn syntax_help(source: &str, pos: usize, err: &pest::error::Error<Rule>) -> Option<String> {
    use pest::error::ErrorVariant;
    let rest = &source[pos..];
    if rest.starts_with(',') {
        return Some("fields are separated by line breaks, not commas".into());
    }
    if rest.is_empty() {
        return Some("is a closing `}` missing?".into());
    }
    if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
        if positives.contains(&Rule::ident) && rest.starts_with(|c: char| c.is_ascii_digit()) {
            return Some("names start with a letter or `_`".into());
        }
        let word_len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if positives.contains(&Rule::field)
            && word_len > 0
            && !rest[word_len..].trim_start().starts_with(':')
        {
            return Some(format!(
                "a field is written `{}: value`; is the `:` missing?",
                &rest[..word_len]
            ));
        }
    }
    if rest.starts_with('\'') {
        return Some("write text between double quotes, on one line: \"text\"".into());
    }
    None
}

/// "a name, a value or an operator": the rules pest tried, in words.
fn describe_expected(rules: &[Rule]) -> String {
    let mut words: Vec<&str> = rules.iter().map(|r| describe_rule(*r)).collect();
    words.sort_unstable();
    words.dedup();
    match words.as_slice() {
        [] => "something else".into(),
        [one] => (*one).into(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// What a rule pest tried stands for, in an analyst's words.
fn describe_rule(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the item",
        Rule::item | Rule::item_only | Rule::table | Rule::block => {
            "an item (`kpi NAME { ... }`, `table NAME { ... }`, ...)"
        }
        Rule::ident | Rule::path => "a name",
        Rule::column => "a column (`name: type`)",
        Rule::field => "a field (`name: value`)",
        Rule::modifier | Rule::relation | Rule::unit_modifier => "a column modifier",
        Rule::relation_on | Rule::key_columns => "a relation on columns (`(col, col) -> TABLE`)",
        Rule::expr
        | Rule::paren
        | Rule::call
        | Rule::conditional
        | Rule::list
        | Rule::map
        | Rule::kw_by
        | Rule::lone_value => "a value",
        Rule::map_entry => "an entry (`key: value`)",
        Rule::number
        | Rule::date
        | Rule::string
        | Rule::text_block
        | Rule::boolean
        | Rule::missing_literal
        | Rule::single_quoted => "a value",
        Rule::or | Rule::and | Rule::eq | Rule::ne | Rule::le | Rule::ge | Rule::lt | Rule::gt => {
            "an operator"
        }
        Rule::add | Rule::sub | Rule::mul | Rule::div => "an operator",
        Rule::slip_and | Rule::slip_or | Rule::slip_cmp => "an operator",
        Rule::not | Rule::neg => "a value",
        Rule::is_missing | Rule::is_not_missing => "`is missing`",
        Rule::where_clause => "`where`",
        Rule::per_clause => "`per`",
        Rule::dated => "`dated`",
        Rule::all_time => "`all time`",
        _ => "something else",
    }
}

/// The error an unclosed `(` or `[` causes: pest reads on past where the bracket
/// should have closed and stops at the next field or the end of the item (for a list,
/// at its last item). Reported at the bracket, with the place pest stopped as a
/// second label. `None` when no bracket is open before the error, or when an open `(`
/// is not what the error is about: pest did not expect there what may follow a
/// complete value, where a `)` would stand (so `(a + + b` keeps its own error).
fn unclosed_bracket(
    file: FileId,
    chunk: &Chunk,
    source: &str,
    at: Span,
    err: &pest::error::Error<Rule>,
) -> Option<Diagnostic> {
    let open = chunk.unclosed?;
    if open >= at.start as usize {
        return None;
    }
    let (bracket, close) = match open
        .checked_sub(chunk.start)
        .and_then(|i| source.as_bytes().get(i))
    {
        Some(b'[') => ("[", "]"),
        _ => ("(", ")"),
    };
    let pest::error::ErrorVariant::ParsingError { positives, .. } = &err.variant else {
        return None;
    };
    if bracket == "(" && !positives.iter().any(|r| after_value(*r)) {
        return None;
    }
    // After a value, a `)` is what pest could not find where it stopped. In a list
    // it stops at the last item instead (a name or string followed by the next
    // field's name reads as one), so there it can only say the list is still open.
    let stopped = if bracket == "(" {
        format!("expected `{close}` before this")
    } else {
        "the list is still open here".to_string()
    };
    Some(
        Diagnostic::error(
            Code::Syntax,
            Span::new(file, open, open + 1),
            format!("unclosed `{bracket}`"),
        )
        .label(format!("this `{bracket}` is never closed"))
        .with(at, stopped)
        .help(format!(
            "every `{bracket}` needs a matching `{close}`: add it where the bracketed part ends"
        )),
    )
}

/// A rule pest tries right after a complete value: an operator, `is missing`, or a
/// call's clause (where a closing bracket could stand instead).
fn after_value(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::or
            | Rule::and
            | Rule::eq
            | Rule::ne
            | Rule::le
            | Rule::ge
            | Rule::lt
            | Rule::gt
            | Rule::add
            | Rule::sub
            | Rule::mul
            | Rule::div
            | Rule::slip_and
            | Rule::slip_or
            | Rule::slip_cmp
            | Rule::is_missing
            | Rule::is_not_missing
            | Rule::where_clause
            | Rule::per_clause
            | Rule::dated
            | Rule::all_time
    )
}
