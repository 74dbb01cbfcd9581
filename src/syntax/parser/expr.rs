//! Expressions by precedence: the grammar gives an expression as a flat sequence of
//! operands and operators; this file builds its tree by precedence climbing, maps the
//! operator tokens (the foreign ones reported) and enforces the bound on operators
//! per formula (K0003).

use super::build::Builder;
use super::{MAX_OPERATORS, Rule};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use pest::iterators::Pair;

/// Binding powers of the operators, lowest first (the table in `grammar/kpi.pest`,
/// "expressions").
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

/// How tightly a binary operator binds.
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
    /// An expression that is a whole field value, with at most [`MAX_OPERATORS`]
    /// operators. Operators are counted as the tree is built (in source order); at
    /// the one past the bound, building stops, whatever was reported inside the value
    /// is dropped, and the value is an error.
    pub(super) fn top_expr(&self, pair: Pair<Rule>) -> Option<Expr> {
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
    pub(super) fn expr(&self, pair: Pair<Rule>) -> Expr {
        let mut pieces = pair.into_inner().map(|p| self.piece(p)).peekable();
        self.climb(&mut pieces, 0)
    }

    /// One pair of an expression's sequence as a piece, counting operators.
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

    /// The operator of an infix pair; an operator from another language is reported
    /// (K0004) and read as the kpic operator it stands for.
    fn binary_op(&self, pair: &Pair<Rule>, span: Span) -> BinaryOp {
        let (meant, foreign) = binary_of(pair);
        if let Some(word) = foreign {
            // An operator from another language: say which kpic operator to use,
            // then go on as if it had been written.
            self.report(
                Diagnostic::error(
                    Code::ForeignOperator,
                    span,
                    format!("`{}` is not a kpic operator", pair.as_str()),
                )
                .label(format!("use `{word}` here"))
                .help(format!("kpic writes this operator as `{word}`"))
                .fix(
                    format!("Replace `{}` with `{word}`", pair.as_str()),
                    span,
                    spaced(pair, word),
                ),
            );
        }
        meant
    }
}

/// `word` to put in place of the operator `pair`: a word operator (`and` for `&&`)
/// gets a blank on each side that has none, so `a&&b` becomes `a and b`.
fn spaced(pair: &Pair<Rule>, word: &str) -> String {
    if !word.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return word.to_string();
    }
    let input = pair.get_input();
    let span = pair.as_span();
    let blank_before = input[..span.start()].ends_with(|c: char| c.is_whitespace());
    let blank_after = input[span.end()..].starts_with(|c: char| c.is_whitespace());
    format!(
        "{}{word}{}",
        if blank_before { "" } else { " " },
        if blank_after { "" } else { " " }
    )
}

/// A rule that is an operator token (of either rule set).
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
