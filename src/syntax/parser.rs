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
use pest::iterators::Pair;
use std::cell::{Cell, RefCell};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/kpi.pest"]
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
    // The fast rules first; the item's pair is the first child of the entry rule. The
    // original rules run only on an item the fast ones reject, to explain the error
    // (and, should the two ever disagree, to read it: the original rules decide).
    let item_pair = match KpiGrammar::parse(Rule::fast_item, source) {
        Ok(mut pairs) => pairs.next().and_then(|p| p.into_inner().next()),
        Err(_) => match KpiGrammar::parse(Rule::item_only, source) {
            Ok(mut pairs) => pairs
                .next()
                .and_then(|p| p.into_inner().next())
                .and_then(|p| p.into_inner().next()),
            Err(err) => return (None, vec![syntax_error(file, chunk.start, source, err)]),
        },
    };
    let mut builder = Builder::new(file, chunk.start);
    let item = item_pair.and_then(|pair| builder.item(pair));
    (item, builder.diagnostics.into_inner())
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

/// Converts pest pairs of one item into AST nodes. It reads the pairs of the fast
/// rules and of the checking rules alike (the two trees have the same shape; see
/// `grammar/kpi.pest`).
struct Builder {
    file: FileId,
    offset: usize,
    diagnostics: RefCell<Vec<Diagnostic>>,
    /// Operators met so far in the current field value, in source order (see K0003).
    operators: Cell<usize>,
    /// The operator past [`MAX_OPERATORS`], once met: building stops there.
    too_long_at: Cell<Option<Span>>,
}

/// Binding powers of the operators, lowest first (the table in `grammar/kpi.pest`).
const BP_OR: u8 = 10;
const BP_AND: u8 = 20;
const BP_NOT: u8 = 30;
const BP_COMPARE: u8 = 40;
const BP_MISSING: u8 = 50;
const BP_ADD: u8 = 60;
const BP_MUL: u8 = 70;
const BP_NEG: u8 = 80;

/// One element of an expression's flat sequence of operands and operators.
enum Piece<'i> {
    Operand(Pair<'i, Rule>),
    Prefix(UnaryOp, Span),
    Postfix { negated: bool, span: Span },
    Infix(Pair<'i, Rule>),
}

impl Piece<'_> {
    /// How tightly the operator binds to its left (0: not an operator).
    fn left_bp(&self) -> u8 {
        match self {
            Piece::Postfix { .. } => BP_MISSING,
            Piece::Infix(pair) => infix_bp(binary_of(pair).0),
            Piece::Operand(_) | Piece::Prefix(..) => 0,
        }
    }
}

fn infix_bp(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => BP_OR,
        BinaryOp::And => BP_AND,
        BinaryOp::Add | BinaryOp::Sub => BP_ADD,
        BinaryOp::Mul | BinaryOp::Div => BP_MUL,
        _ => BP_COMPARE,
    }
}

/// The operator a binary-operator pair stands for, and for an operator from another
/// language the kpic spelling to suggest.
fn binary_of(pair: &Pair<Rule>) -> (BinaryOp, Option<&'static str>) {
    let op = match pair.as_rule() {
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
        // `fast_infix` and the `slip_*` rules: the text tells. `<` and `-` may carry
        // the blanks after them.
        _ => match pair.as_str() {
            "==" => BinaryOp::Eq,
            "!=" => BinaryOp::Ne,
            "<=" => BinaryOp::Le,
            ">=" => BinaryOp::Ge,
            ">" => BinaryOp::Gt,
            "+" => BinaryOp::Add,
            "*" => BinaryOp::Mul,
            "/" => BinaryOp::Div,
            "&&" => return (BinaryOp::And, Some("and")),
            "||" => return (BinaryOp::Or, Some("or")),
            "<>" => return (BinaryOp::Ne, Some("!=")),
            "=" => return (BinaryOp::Eq, Some("==")),
            t if t.starts_with("or") => BinaryOp::Or,
            t if t.starts_with("and") => BinaryOp::And,
            t if t.starts_with('<') => BinaryOp::Lt,
            _ => BinaryOp::Sub,
        },
    };
    (op, None)
}

impl Builder {
    /// A builder for the item at `offset` in `file`.
    fn new(file: FileId, offset: usize) -> Builder {
        Builder {
            file,
            offset,
            diagnostics: RefCell::new(Vec::new()),
            operators: Cell::new(0),
            too_long_at: Cell::new(None),
        }
    }

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
            Rule::block | Rule::fast_block => self.block(pair).map(Item::Block),
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
        let mut fields = Vec::with_capacity(inner.len());
        for field in inner {
            let fspan = self.span(&field);
            let mut parts = field.into_inner();
            let (Some(fname), Some(value)) = (parts.next(), parts.next()) else {
                continue;
            };
            let fname = self.ident(fname);
            let value = if matches!(value.as_rule(), Rule::list | Rule::fast_list) {
                let vspan = self.span(&value);
                let items = value.into_inner();
                let mut exprs = Vec::with_capacity(items.len());
                exprs.extend(items.filter_map(|e| self.value_expr(e)));
                Value::List {
                    items: exprs,
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
        if !matches!(pair.as_rule(), Rule::lone_value | Rule::fast_lone) {
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

    /// An expression that is a whole field value, with at most [`MAX_OPERATORS`]
    /// operators. Operators are counted as the tree is built (in source order); at
    /// the one past the bound, building stops, whatever was reported inside the value
    /// is dropped, and the value is an error.
    fn top_expr(&self, pair: Pair<Rule>) -> Option<Expr> {
        let span = self.span(&pair);
        self.operators.set(0);
        self.too_long_at.set(None);
        let reported = self.diagnostics.borrow().len();
        let expr = self.expr(pair);
        let Some(operator) = self.too_long_at.take() else {
            return Some(expr);
        };
        drop(expr);
        let mut diagnostics = self.diagnostics.borrow_mut();
        diagnostics.truncate(reported);
        diagnostics.push(
            Diagnostic::error(Code::TooDeep, operator, "expression is too long")
                .label(format!(
                    "operator number {} of this formula",
                    MAX_OPERATORS + 1
                ))
                .help(format!(
                    "kpic accepts at most {MAX_OPERATORS} operators in one formula; \
                         split it into named measures"
                )),
        );
        Some(Expr {
            kind: ExprKind::Error,
            span,
        })
    }

    /// An `expr` or `fast_expr`: its operands and operators, by precedence.
    fn expr(&self, pair: Pair<Rule>) -> Expr {
        let mut pieces = pair.into_inner().map(|p| self.piece(p)).peekable();
        self.climb(&mut pieces, 0)
    }

    fn piece<'i>(&self, pair: Pair<'i, Rule>) -> Piece<'i> {
        if is_operator(pair.as_rule()) {
            let n = self.operators.get() + 1;
            self.operators.set(n);
            if n == MAX_OPERATORS + 1 {
                self.too_long_at.set(Some(self.span(&pair)));
            }
        }
        match pair.as_rule() {
            Rule::neg => Piece::Prefix(UnaryOp::Neg, self.span(&pair)),
            Rule::not => Piece::Prefix(UnaryOp::Not, self.span(&pair)),
            Rule::fast_prefix => {
                let op = if pair.as_str() == "-" {
                    UnaryOp::Neg
                } else {
                    UnaryOp::Not
                };
                Piece::Prefix(op, self.span(&pair))
            }
            Rule::is_missing | Rule::is_not_missing | Rule::fast_postfix => Piece::Postfix {
                // `is not missing`: the second word is `not`.
                negated: pair.as_rule() == Rule::is_not_missing
                    || pair.as_str().split_whitespace().nth(1) == Some("not"),
                span: self.span(&pair),
            },
            rule if is_operator(rule) => Piece::Infix(pair),
            _ => Piece::Operand(pair),
        }
    }

    /// Precedence climbing over the flat sequence (a Pratt parser): the operand with
    /// every operator that binds tighter than `min_bp`.
    fn climb<'i>(
        &self,
        pieces: &mut std::iter::Peekable<impl Iterator<Item = Piece<'i>>>,
        min_bp: u8,
    ) -> Expr {
        if let Some(span) = self.too_long_at.get() {
            // Past the bound: stop here (the caller reports it).
            return Expr {
                kind: ExprKind::Error,
                span,
            };
        }
        let mut left = match pieces.next() {
            Some(Piece::Prefix(op, span)) => {
                let bp = if op == UnaryOp::Neg { BP_NEG } else { BP_NOT };
                let operand = self.climb(pieces, bp - 1);
                Expr {
                    span: span.to(operand.span),
                    kind: ExprKind::Unary {
                        op,
                        operand: Box::new(operand),
                    },
                }
            }
            Some(Piece::Operand(pair)) => self.primary(pair),
            // The grammar puts an operand first; nothing else can come here.
            Some(Piece::Postfix { span, .. }) => Expr {
                kind: ExprKind::Error,
                span,
            },
            Some(Piece::Infix(pair)) => Expr {
                kind: ExprKind::Error,
                span: self.span(&pair),
            },
            None => Expr {
                kind: ExprKind::Error,
                span: Span::new(self.file, self.offset, self.offset),
            },
        };
        while let Some(bp) = pieces.peek().map(Piece::left_bp) {
            if bp <= min_bp || self.too_long_at.get().is_some() {
                break;
            }
            left = match pieces.next() {
                Some(Piece::Postfix { negated, span }) => Expr {
                    span: left.span.to(span),
                    kind: ExprKind::IsMissing {
                        operand: Box::new(left),
                        negated,
                    },
                },
                Some(Piece::Infix(pair)) => {
                    let right = self.climb(pieces, bp);
                    let op_span = self.span(&pair);
                    let op = self.binary_op(&pair, op_span);
                    Expr {
                        span: left.span.to(right.span),
                        kind: ExprKind::Binary {
                            op,
                            op_span,
                            left: Box::new(left),
                            right: Box::new(right),
                        },
                    }
                }
                _ => break,
            };
        }
        left
    }

    fn binary_op(&self, pair: &Pair<Rule>, span: Span) -> BinaryOp {
        let (meant, foreign) = binary_of(pair);
        if let Some(word) = foreign {
            // An operator from another language: say which kpic operator to use,
            // then go on as if it had been written.
            self.diagnostics.borrow_mut().push(
                Diagnostic::error(
                    Code::ForeignOperator,
                    span,
                    format!("`{}` is not a kpic operator", pair.as_str()),
                )
                .label(format!("use `{word}` here"))
                .help(format!("kpic writes this operator as `{word}`")),
            );
        }
        meant
    }

    fn primary(&self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::paren | Rule::fast_paren => {
                match pair.into_inner().find(|p| is_expr(p.as_rule())) {
                    Some(inner) => {
                        return Expr {
                            span,
                            ..self.expr(inner)
                        };
                    }
                    None => ExprKind::Bool(false),
                }
            }
            Rule::number => self.number(pair.as_str(), span),
            Rule::text_block => ExprKind::Text(dedent(&pair.as_str()[3..pair.as_str().len() - 3])),
            // `fast_text`: a text block when it opens with `"""`, else a string.
            Rule::fast_text if pair.as_str().starts_with("\"\"\"") => {
                ExprKind::Text(dedent(&pair.as_str()[3..pair.as_str().len() - 3]))
            }
            Rule::string | Rule::fast_text => ExprKind::Text(self.unescape(pair.as_str(), span)),
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
            // `fast_ref`: a name, a `table.column`, or a call when `fast_args` follow.
            Rule::path | Rule::fast_ref => {
                let mut parts = pair.into_inner();
                let head = parts
                    .next()
                    .map(|p| self.ident(p))
                    .unwrap_or_else(|| self.missing_ident(span));
                match parts.next() {
                    Some(args) if args.as_rule() == Rule::fast_args => {
                        self.call(head, args.into_inner())
                    }
                    member => ExprKind::Path {
                        head,
                        member: member.map(|p| self.ident(p)),
                    },
                }
            }
            Rule::conditional | Rule::fast_conditional => {
                let mut parts = pair
                    .into_inner()
                    .filter(|p| is_expr(p.as_rule()))
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
            Rule::call => {
                let mut parts = pair.into_inner();
                let name = parts
                    .next()
                    .map(|p| self.ident(p))
                    .unwrap_or_else(|| self.missing_ident(span));
                self.call(name, parts)
            }
            _ => ExprKind::Bool(false),
        };
        Expr { kind, span }
    }

    /// A call's arguments and clauses (the pairs after its name).
    fn call<'i>(
        &self,
        name: Ident,
        parts: impl ExactSizeIterator<Item = Pair<'i, Rule>>,
    ) -> ExprKind {
        // Room for every part: most calls have one or two, and a growing vector would
        // reserve four expressions.
        let mut args = Vec::with_capacity(parts.len());
        let mut filter = None;
        let mut time = None;
        for part in parts {
            match part.as_rule() {
                Rule::expr | Rule::fast_expr => args.push(self.expr(part)),
                Rule::where_clause | Rule::fast_where => {
                    filter = part
                        .into_inner()
                        .find(|p| is_expr(p.as_rule()))
                        .map(|e| Box::new(self.expr(e)));
                }
                Rule::dated => {
                    let dspan = self.span(&part);
                    if let Some(path) = part.into_inner().find(|p| p.as_rule() == Rule::path) {
                        let mut p = path.into_inner();
                        let first = p.next().map(|i| self.ident(i));
                        let second = p.next().map(|i| self.ident(i));
                        if let (Some(table), Some(column)) = (first.clone(), second) {
                            time = Some(Box::new(TimeClause::Dated {
                                table,
                                column,
                                span: dspan,
                            }));
                        } else if let Some(first) = first {
                            self.diagnostics.borrow_mut().push(
                                Diagnostic::error(Code::InvalidTimeClause, first.span, "`dated` needs a column")
                                    .label("not a `table.column`")
                                    .help("write the date column with its table, e.g. `dated opportunities.closed_on`"),
                            );
                        }
                    }
                }
                Rule::all_time => time = Some(Box::new(TimeClause::AllTime(self.span(&part)))),
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
        if !inner.contains('\\') {
            return inner.to_string();
        }
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

fn is_expr(rule: Rule) -> bool {
    matches!(rule, Rule::expr | Rule::fast_expr)
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
            | Rule::fast_infix
            | Rule::fast_prefix
            | Rule::fast_postfix
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

/// Seeded mutations of the catalog, shared with `tests/mutation_fuzz.rs`.
#[cfg(test)]
#[path = "../../tests/support/mutate.rs"]
mod mutate;

#[cfg(test)]
mod tests {
    //! The fast rules and the checking rules must accept the same items and build the
    //! same trees: both run over every catalog and fixture file and thousands of
    //! mutations of them (cut, duplicated, sprinkled with tokens, one character
    //! deleted), item by item.

    use super::*;
    use crate::syntax::split::split_items;

    use super::mutate::{Rng, mutate, sources};

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
    ];

    /// The tree of one item by one entry rule, with the builder's diagnostics; `None`
    /// when the rule rejects the item.
    fn read(entry: Rule, source: &str) -> Option<(Option<Item>, Vec<Diagnostic>)> {
        let mut pairs = KpiGrammar::parse(entry, source).ok()?;
        let mut pair = pairs.next()?.into_inner().next()?;
        if entry == Rule::item_only {
            pair = pair.into_inner().next()?;
        }
        let mut builder = Builder::new(FileId(0), 0);
        let item = builder.item(pair);
        Some((item, builder.diagnostics.into_inner()))
    }

    fn assert_agree(text: &str) {
        for chunk in split_items(text) {
            if chunk.too_deep_at.is_some() {
                continue;
            }
            let source = &text[chunk.start..chunk.end];
            let fast = read(Rule::fast_item, source);
            let checking = read(Rule::item_only, source);
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
        let originals = sources();
        assert!(originals.len() > 30);
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
}
