//! The only module that knows pest. It turns source text into the typed AST of
//! [`super::ast`] with our own byte spans, and reports syntax errors as diagnostics.
//!
//! Parsing never fails: it returns the items it could read and a diagnostic for every
//! item it could not.

use super::ast::*;
use super::split::{MAX_NESTING, split_items};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use pest::Parser as _;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::cell::RefCell;
use std::sync::LazyLock;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/kpi.pest"]
struct KpiGrammar;

/// Most operators one formula may hold (see K0003).
pub const MAX_OPERATORS: usize = 1000;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::or, Assoc::Left) | Op::infix(Rule::slip_or, Assoc::Left))
        .op(Op::infix(Rule::and, Assoc::Left) | Op::infix(Rule::slip_and, Assoc::Left))
        .op(Op::prefix(Rule::not))
        .op(Op::infix(Rule::eq, Assoc::Left)
            | Op::infix(Rule::ne, Assoc::Left)
            | Op::infix(Rule::lt, Assoc::Left)
            | Op::infix(Rule::le, Assoc::Left)
            | Op::infix(Rule::gt, Assoc::Left)
            | Op::infix(Rule::ge, Assoc::Left)
            | Op::infix(Rule::slip_cmp, Assoc::Left))
        .op(Op::postfix(Rule::is_missing) | Op::postfix(Rule::is_not_missing))
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left))
        .op(Op::prefix(Rule::neg))
});

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

fn parse_chunk(
    file: FileId,
    text: &str,
    chunk: &super::split::Chunk,
) -> (Option<Item>, Vec<Diagnostic>) {
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
    match KpiGrammar::parse(Rule::item_only, source) {
        Ok(mut pairs) => {
            let mut builder = Builder {
                file,
                offset: chunk.start,
                diagnostics: RefCell::new(Vec::new()),
            };
            let item = pairs
                .next()
                .and_then(|p| p.into_inner().next())
                .and_then(|p| p.into_inner().next())
                .and_then(|pair| builder.item(pair));
            (item, builder.diagnostics.into_inner())
        }
        Err(err) => (None, vec![syntax_error(file, chunk.start, source, err)]),
    }
}

/// Turns a pest error into a K0002 diagnostic at the exact place.
fn syntax_error(
    file: FileId,
    offset: usize,
    source: &str,
    err: pest::error::Error<Rule>,
) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let end = source[pos..]
        .chars()
        .next()
        .map_or(pos, |c| pos + c.len_utf8());
    let span = Span::new(file, offset + pos, offset + end);
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
    let mut d = Diagnostic::error(
        Code::Syntax,
        span,
        format!("expected {expected}, found {found}"),
    )
    .label(format!("expected {expected}"));
    if let Some(help) = syntax_help(source, pos, &err) {
        d = d.help(help);
    }
    d
}

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
        return Some("strings are written in double quotes: \"text\"".into());
    }
    None
}

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

fn describe_rule(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the item",
        Rule::item | Rule::item_only | Rule::file | Rule::table | Rule::block => {
            "an item (`kpi NAME { ... }`, `table NAME { ... }`, ...)"
        }
        Rule::ident | Rule::path => "a name",
        Rule::column => "a column (`name: type`)",
        Rule::field => "a field (`name: value`)",
        Rule::modifier | Rule::relation | Rule::unit_modifier => "a column modifier",
        Rule::expr
        | Rule::paren
        | Rule::call
        | Rule::conditional
        | Rule::list
        | Rule::lone_value => "a value",
        Rule::number | Rule::date | Rule::string | Rule::text_block | Rule::boolean => "a value",
        Rule::or | Rule::and | Rule::eq | Rule::ne | Rule::le | Rule::ge | Rule::lt | Rule::gt => {
            "an operator"
        }
        Rule::add | Rule::sub | Rule::mul | Rule::div => "an operator",
        Rule::slip_and | Rule::slip_or | Rule::slip_cmp => "an operator",
        Rule::not | Rule::neg => "a value",
        Rule::is_missing | Rule::is_not_missing => "`is missing`",
        Rule::where_clause => "`where`",
        Rule::dated => "`dated`",
        Rule::all_time => "`all time`",
        _ => "something else",
    }
}

/// Converts pest pairs of one item into AST nodes.
struct Builder {
    file: FileId,
    offset: usize,
    diagnostics: RefCell<Vec<Diagnostic>>,
}

impl Builder {
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, self.offset + s.start(), self.offset + s.end())
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn item(&mut self, pair: Pair<Rule>) -> Option<Item> {
        match pair.as_rule() {
            Rule::table => Some(Item::Table(self.table(pair))),
            Rule::block => self.block(pair).map(Item::Block),
            _ => None,
        }
    }

    fn table(&self, pair: Pair<Rule>) -> Table {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = inner.next().map(|p| self.ident(p));
        let columns = inner.map(|c| self.column(c)).collect();
        Table {
            name: name.unwrap_or_else(|| self.missing_ident(span)),
            columns,
            span,
        }
    }

    fn missing_ident(&self, span: Span) -> Ident {
        Ident {
            name: String::new(),
            span,
        }
    }

    fn column(&self, pair: Pair<Rule>) -> ColumnDecl {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = inner
            .next()
            .map(|p| self.ident(p))
            .unwrap_or_else(|| self.missing_ident(span));
        let ty = inner
            .next()
            .map(|p| self.ident(p))
            .unwrap_or_else(|| self.missing_ident(span));
        let modifiers = inner
            .filter_map(|m| {
                let mspan = self.span(&m);
                let inner = m.into_inner().next()?;
                Some(match inner.as_rule() {
                    Rule::relation => Modifier::Relation {
                        target: self.ident(inner.into_inner().next()?),
                        span: mspan,
                    },
                    Rule::unit_modifier => Modifier::Unit {
                        unit: self.ident(inner.into_inner().next()?),
                        span: mspan,
                    },
                    _ => Modifier::Flag(self.ident(inner)),
                })
            })
            .collect();
        ColumnDecl {
            name,
            ty,
            modifiers,
            span,
        }
    }

    fn block(&self, pair: Pair<Rule>) -> Option<Block> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let kind = self.ident(inner.next()?);
        let name = self.ident(inner.next()?);
        let mut fields = Vec::new();
        for field in inner {
            let fspan = self.span(&field);
            let mut parts = field.into_inner();
            let (Some(fname), Some(value)) = (parts.next(), parts.next()) else {
                continue;
            };
            let fname = self.ident(fname);
            let value = if value.as_rule() == Rule::list {
                let vspan = self.span(&value);
                Value::List {
                    items: value
                        .into_inner()
                        .filter_map(|e| self.value_expr(e))
                        .collect(),
                    span: vspan,
                }
            } else {
                match self.value_expr(value) {
                    Some(e) => Value::Expr(e),
                    None => continue,
                }
            };
            fields.push(Field {
                name: fname,
                value,
                span: fspan,
            });
        }
        Some(Block {
            kind,
            name,
            fields,
            span,
        })
    }

    /// A field value or list item: a lone string, text block or name, or an expression.
    fn value_expr(&self, pair: Pair<Rule>) -> Option<Expr> {
        if pair.as_rule() != Rule::lone_value {
            return self.top_expr(pair);
        }
        let inner = pair.into_inner().next()?;
        if inner.as_rule() == Rule::ident {
            let head = self.ident(inner);
            let span = head.span;
            return Some(Expr {
                kind: ExprKind::Path { head, member: None },
                span,
            });
        }
        Some(self.primary(inner))
    }

    /// An expression that is a whole field value: bounds its operator count first.
    fn top_expr(&self, pair: Pair<Rule>) -> Option<Expr> {
        let too_many = pair
            .clone()
            .into_inner()
            .flatten()
            .filter(|p| is_operator(p.as_rule()))
            .nth(MAX_OPERATORS);
        if let Some(operator) = too_many {
            self.diagnostics.borrow_mut().push(
                Diagnostic::error(
                    Code::TooDeep,
                    self.span(&operator),
                    "expression is too long",
                )
                .label(format!(
                    "operator number {} of this formula",
                    MAX_OPERATORS + 1
                ))
                .help(format!(
                    "kpic accepts at most {MAX_OPERATORS} operators in one formula; \
                         split it into named measures"
                )),
            );
            return Some(Expr {
                kind: ExprKind::Error,
                span: self.span(&pair),
            });
        }
        Some(self.expr(pair))
    }

    fn expr(&self, pair: Pair<Rule>) -> Expr {
        self.pratt(pair.into_inner())
    }

    fn pratt(&self, pairs: Pairs<Rule>) -> Expr {
        PRATT
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, operand| {
                let span = self.span(&op).to(operand.span);
                let op = if op.as_rule() == Rule::neg {
                    UnaryOp::Neg
                } else {
                    UnaryOp::Not
                };
                Expr {
                    kind: ExprKind::Unary {
                        op,
                        operand: Box::new(operand),
                    },
                    span,
                }
            })
            .map_postfix(|operand, op| {
                let span = operand.span.to(self.span(&op));
                Expr {
                    kind: ExprKind::IsMissing {
                        operand: Box::new(operand),
                        negated: op.as_rule() == Rule::is_not_missing,
                    },
                    span,
                }
            })
            .map_infix(|left, op, right| {
                let op_span = self.span(&op);
                let op = self.binary_op(&op, op_span);
                let span = left.span.to(right.span);
                Expr {
                    kind: ExprKind::Binary {
                        op,
                        op_span,
                        left: Box::new(left),
                        right: Box::new(right),
                    },
                    span,
                }
            })
            .parse(pairs)
    }

    fn binary_op(&self, op: &Pair<Rule>, span: Span) -> BinaryOp {
        match op.as_rule() {
            Rule::or => BinaryOp::Or,
            Rule::and => BinaryOp::And,
            Rule::eq => BinaryOp::Eq,
            Rule::ne => BinaryOp::Ne,
            Rule::lt => BinaryOp::Lt,
            Rule::le => BinaryOp::Le,
            Rule::gt => BinaryOp::Gt,
            Rule::ge => BinaryOp::Ge,
            Rule::add => BinaryOp::Add,
            Rule::sub => BinaryOp::Sub,
            Rule::mul => BinaryOp::Mul,
            Rule::div => BinaryOp::Div,
            _ => {
                // An operator from another language: say which kpic operator to use,
                // then go on as if it had been written.
                let (meant, word) = match op.as_str() {
                    "&&" => (BinaryOp::And, "and"),
                    "||" => (BinaryOp::Or, "or"),
                    "<>" => (BinaryOp::Ne, "!="),
                    _ => (BinaryOp::Eq, "=="),
                };
                self.diagnostics.borrow_mut().push(
                    Diagnostic::error(
                        Code::ForeignOperator,
                        span,
                        format!("`{}` is not a kpic operator", op.as_str()),
                    )
                    .label(format!("use `{word}` here"))
                    .help(format!("kpic writes this operator as `{word}`")),
                );
                meant
            }
        }
    }

    fn primary(&self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::paren => match pair.into_inner().next() {
                Some(inner) => {
                    return Expr {
                        span,
                        ..self.expr(inner)
                    };
                }
                None => ExprKind::Bool(false),
            },
            Rule::number => self.number(pair.as_str(), span),
            Rule::string => ExprKind::Text(self.unescape(pair.as_str(), span)),
            Rule::text_block => ExprKind::Text(dedent(&pair.as_str()[3..pair.as_str().len() - 3])),
            Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
            Rule::date => match chrono::NaiveDate::parse_from_str(pair.as_str(), "%Y-%m-%d") {
                Ok(d) => ExprKind::Date(d),
                Err(_) => {
                    self.diagnostics.borrow_mut().push(
                        Diagnostic::error(
                            Code::Syntax,
                            span,
                            format!("`{}` is not a calendar date", pair.as_str()),
                        )
                        .label("no such day")
                        .help("dates are written YYYY-MM-DD, e.g. 2025-03-31"),
                    );
                    ExprKind::Date(chrono::NaiveDate::MIN)
                }
            },
            Rule::path => {
                let mut parts = pair.into_inner();
                let head = parts
                    .next()
                    .map(|p| self.ident(p))
                    .unwrap_or_else(|| self.missing_ident(span));
                let member = parts.next().map(|p| self.ident(p));
                ExprKind::Path { head, member }
            }
            Rule::conditional => {
                let mut parts = pair
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::expr)
                    .map(|p| Box::new(self.expr(p)));
                let mut next = || {
                    parts.next().unwrap_or_else(|| {
                        Box::new(Expr {
                            kind: ExprKind::Bool(false),
                            span,
                        })
                    })
                };
                ExprKind::If {
                    condition: next(),
                    then: next(),
                    otherwise: next(),
                }
            }
            Rule::call => self.call(pair, span),
            _ => ExprKind::Bool(false),
        };
        Expr { kind, span }
    }

    fn call(&self, pair: Pair<Rule>, span: Span) -> ExprKind {
        let mut parts = pair.into_inner();
        let name = parts
            .next()
            .map(|p| self.ident(p))
            .unwrap_or_else(|| self.missing_ident(span));
        let mut args = Vec::new();
        let mut filter = None;
        let mut time = None;
        for part in parts {
            match part.as_rule() {
                Rule::expr => args.push(self.expr(part)),
                Rule::where_clause => {
                    filter = part
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::expr)
                        .map(|e| Box::new(self.expr(e)));
                }
                Rule::dated => {
                    let dspan = self.span(&part);
                    if let Some(path) = part.into_inner().find(|p| p.as_rule() == Rule::path) {
                        let mut p = path.into_inner();
                        let first = p.next().map(|i| self.ident(i));
                        let second = p.next().map(|i| self.ident(i));
                        if let (Some(table), Some(column)) = (first.clone(), second) {
                            time = Some(TimeClause::Dated {
                                table,
                                column,
                                span: dspan,
                            });
                        } else if let Some(first) = first {
                            self.diagnostics.borrow_mut().push(
                                Diagnostic::error(Code::InvalidTimeClause, first.span, "`dated` needs a column")
                                    .label("not a `table.column`")
                                    .help("write the date column with its table, e.g. `dated opportunities.closed_on`"),
                            );
                        }
                    }
                }
                Rule::all_time => time = Some(TimeClause::AllTime(self.span(&part))),
                _ => {}
            }
        }
        ExprKind::Call {
            name,
            args,
            filter,
            time,
        }
    }

    fn number(&self, text: &str, span: Span) -> ExprKind {
        let percent = text.ends_with('%');
        let digits = text.trim_end_matches('%');
        let value: f64 = digits.parse().unwrap_or(f64::NAN);
        if !value.is_finite() {
            self.diagnostics.borrow_mut().push(
                Diagnostic::error(Code::Syntax, span, "number is too large").label("out of range"),
            );
        }
        ExprKind::Number {
            text: text.to_string(),
            value: if percent { value / 100.0 } else { value },
            percent,
        }
    }

    fn unescape(&self, quoted: &str, span: Span) -> String {
        let inner = &quoted[1..quoted.len() - 1];
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, '"')) => out.push('"'),
                Some((_, '\\')) => out.push('\\'),
                Some((j, other)) => {
                    let start = span.start as usize + 1 + i;
                    let at = Span::new(
                        span.file,
                        start,
                        span.start as usize + 1 + j + other.len_utf8(),
                    );
                    self.diagnostics.borrow_mut().push(
                        Diagnostic::error(Code::Syntax, at, format!("unknown escape `\\{other}`"))
                            .label("not an escape")
                            .help("strings know the escapes \\\" \\\\ \\n \\t; write a backslash as \\\\"),
                    );
                }
                None => {}
            }
        }
        out
    }
}

fn is_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::or
            | Rule::and
            | Rule::eq
            | Rule::ne
            | Rule::lt
            | Rule::le
            | Rule::gt
            | Rule::ge
            | Rule::add
            | Rule::sub
            | Rule::mul
            | Rule::div
            | Rule::slip_and
            | Rule::slip_or
            | Rule::slip_cmp
            | Rule::neg
            | Rule::not
            | Rule::is_missing
            | Rule::is_not_missing
    )
}

/// Removes the common indentation of a text block, and its first and last line when
/// they are blank (the lines of the opening and closing `"""`).
pub fn dedent(text: &str) -> String {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    if lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| leading_blanks(l))
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| {
            if leading_blanks(l) >= indent {
                l[indent..].trim_end()
            } else {
                l.trim()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Leading spaces and tabs, in bytes (always a char boundary).
fn leading_blanks(line: &str) -> usize {
    line.bytes()
        .take_while(|b| *b == b' ' || *b == b'\t')
        .count()
}
