//! Expressions and field values as documents: operator chains, calls with their
//! clauses, conditionals, lists and text blocks, with the comments written among
//! their tokens emitted where they stood.

use super::comments::{Comment, Source};
use super::doc::{Doc, cat, group, line, nest, softline, text};
use crate::source::Span;
use crate::syntax::ast::{
    BinaryOp, Expr, ExprKind, MapEntry, PerClause, TimeClause, UnaryOp, Value,
};

/// How far a construct's continuation lines are indented.
const INDENT: usize = 2;

/// Binding strength of an expression's outermost operator, lowest first (the table in
/// `grammar/kpi.pest`, "expressions"); an operand of a stronger operator needs
/// parentheses when it binds less.
mod prec {
    pub const IF: u8 = 0;
    pub const OR: u8 = 1;
    pub const AND: u8 = 2;
    pub const NOT: u8 = 3;
    pub const COMPARE: u8 = 4;
    pub const MISSING: u8 = 5;
    pub const ADD: u8 = 6;
    pub const MUL: u8 = 7;
    pub const NEG: u8 = 8;
    pub const ATOM: u8 = 9;
}

fn binary_prec(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => prec::OR,
        BinaryOp::And => prec::AND,
        BinaryOp::Add | BinaryOp::Sub => prec::ADD,
        BinaryOp::Mul | BinaryOp::Div => prec::MUL,
        _ => prec::COMPARE,
    }
}

fn expr_prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary { op, .. } => binary_prec(*op),
        ExprKind::Unary {
            op: UnaryOp::Not, ..
        } => prec::NOT,
        ExprKind::Unary {
            op: UnaryOp::Neg, ..
        } => prec::NEG,
        ExprKind::IsMissing { .. } => prec::MISSING,
        ExprKind::If { .. } => prec::IF,
        _ => prec::ATOM,
    }
}

/// Builds the documents of one field's value, emitting the comments written inside it
/// as their position is passed.
pub struct Values<'a> {
    pub src: Source<'a>,
    /// The comments inside the value not yet emitted, in order.
    queue: Vec<&'a Comment>,
    next: usize,
}

impl<'a> Values<'a> {
    /// A builder over `src` with these comments to place.
    pub fn new(src: Source<'a>, queue: Vec<&'a Comment>) -> Values<'a> {
        Values {
            src,
            queue,
            next: 0,
        }
    }

    /// The comments that stand before `pos`.
    pub fn before(&mut self, pos: usize) -> Doc {
        let mut out = Vec::new();
        while let Some(c) = self.queue.get(self.next).filter(|c| c.start < pos) {
            out.push(comment_doc(c));
            self.next += 1;
        }
        cat(out)
    }

    /// The comments before `pos` that end a line of code (not on lines of their own).
    fn trailing(&mut self, pos: usize) -> Doc {
        let mut out = Vec::new();
        while let Some(c) = self
            .queue
            .get(self.next)
            .filter(|c| c.start < pos && !c.own_line)
        {
            out.push(comment_doc(c));
            self.next += 1;
        }
        cat(out)
    }

    /// Every comment not emitted yet.
    pub fn rest(&mut self) -> Doc {
        self.before(usize::MAX)
    }

    /// A field's value.
    pub fn value(&mut self, v: &Value) -> Doc {
        match v {
            Value::Expr(e) => self.operand(e, prec::IF),
            Value::Map { by, entries, span } => self.map(by.as_ref(), entries, *span),
            Value::List { items, span } => {
                let (start, end) = (span.start as usize, span.end as usize);
                let open = self.before(start + 1);
                if items.is_empty() {
                    let inside = self.before(end);
                    return cat(vec![open, text("["), nest(INDENT, inside), text("]")]);
                }
                let mut inner = vec![softline()];
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        inner.push(text(","));
                        inner.push(self.trailing(item.span.start as usize));
                        inner.push(line());
                    }
                    inner.push(self.operand(item, prec::IF));
                }
                inner.push(Doc::IfBreak {
                    broken: ",",
                    flat: "",
                });
                inner.push(self.before(end));
                group(cat(vec![
                    open,
                    text("["),
                    nest(INDENT, cat(inner)),
                    softline(),
                    text("]"),
                ]))
            }
        }
    }

    /// `by PATH { key: value, ... }`: on one line when it fits, else one entry a line
    /// with a trailing comma (as lists).
    fn map(&mut self, by: Option<&Expr>, entries: &[MapEntry], span: Span) -> Doc {
        let (start, end) = (span.start as usize, span.end as usize);
        let mut head = Vec::new();
        let brace = match by {
            Some(path) => {
                head.push(text("by "));
                head.push(self.operand(path, prec::IF));
                head.push(text(" "));
                path.span.end as usize
            }
            None => start,
        };
        let brace = brace
            + self
                .src
                .text
                .get(brace..end)
                .and_then(|t| t.find('{'))
                .unwrap_or(0)
            + 1;
        head.push(self.before(brace));
        head.push(text("{"));
        if entries.is_empty() {
            let inside = self.before(end);
            return cat(vec![cat(head), nest(INDENT, inside), text("}")]);
        }
        let mut inner = vec![line()];
        for (i, entry) in entries.iter().enumerate() {
            if i > 0 {
                inner.push(text(","));
                inner.push(self.trailing(entry.span.start as usize));
                inner.push(line());
            }
            inner.push(self.operand(&entry.key, prec::IF));
            if let Some(v) = &entry.value {
                inner.push(text(": "));
                inner.push(self.operand(v, prec::IF));
            }
        }
        inner.push(Doc::IfBreak {
            broken: ",",
            flat: "",
        });
        inner.push(self.before(end));
        group(cat(vec![
            cat(head),
            nest(INDENT, cat(inner)),
            line(),
            text("}"),
        ]))
    }

    /// An expression standing where an operator binding at least `min` is expected:
    /// parenthesised when it binds less, or when the source parenthesised it.
    fn operand(&mut self, e: &Expr, min: u8) -> Doc {
        let (layers, (start, end)) = self.src.parens(e.span.start as usize, e.span.end as usize);
        if layers == 0 && expr_prec(e) >= min {
            return self.bare(e, start, end);
        }
        let open = self.before(start);
        let body = self.bare(e, start, end);
        let close = self.before(e.span.end as usize);
        cat(vec![open, text("("), body, close, text(")")])
    }

    /// An expression without the parentheses around it (`start..end`: its source
    /// inside them).
    fn bare(&mut self, e: &Expr, start: usize, end: usize) -> Doc {
        match &e.kind {
            ExprKind::Binary { op, .. } => self.chain(e, *op),
            ExprKind::Unary { op, operand } => {
                let lead = self.before(start + 1);
                let (word, min) = match op {
                    UnaryOp::Neg => ("-", prec::NEG),
                    UnaryOp::Not => ("not ", prec::NOT),
                };
                cat(vec![lead, text(word), self.operand(operand, min)])
            }
            ExprKind::IsMissing { operand, negated } => {
                let inner = self.operand(operand, prec::MISSING);
                let word = if *negated {
                    " is not missing"
                } else {
                    " is missing"
                };
                cat(vec![inner, text(word)])
            }
            ExprKind::If { .. } => self.conditional(e, start),
            ExprKind::Call {
                name,
                args,
                filter,
                time,
                per,
            } => {
                let lead = self.before(name.span.start as usize + 1);
                let mut parts: Vec<Doc> = Vec::new();
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        parts.push(text(","));
                        parts.push(self.trailing(arg.span.start as usize));
                        parts.push(line());
                    }
                    parts.push(self.operand(arg, prec::IF));
                    if i == 0
                        && let Some(p) = per
                    {
                        parts.push(self.before(p.span.start as usize + 1));
                        parts.push(line());
                        parts.push(text(per_text(p)));
                    }
                }
                if let Some(f) = filter {
                    // Comments before the filter end the line before `where`.
                    let first = parts.is_empty();
                    parts.push(self.before(f.span.start as usize));
                    if !first {
                        parts.push(line());
                    }
                    parts.push(text("where "));
                    parts.push(self.operand(f, prec::IF));
                }
                if let Some(t) = time {
                    let (span, word) = match &**t {
                        TimeClause::Dated {
                            table,
                            column,
                            span,
                        } => (span, format!("dated {}.{}", table.name, column.name)),
                        TimeClause::AllTime(span) => (span, "all time".to_string()),
                    };
                    let first = parts.is_empty();
                    parts.push(self.before(span.start as usize + 1));
                    if !first {
                        parts.push(line());
                    }
                    parts.push(text(word));
                }
                let close = self.before(end);
                if parts.is_empty() {
                    return cat(vec![
                        lead,
                        text(format!("{}(", name.name)),
                        close,
                        text(")"),
                    ]);
                }
                parts.insert(0, softline());
                parts.push(close);
                group(cat(vec![
                    lead,
                    text(format!("{}(", name.name)),
                    nest(INDENT, cat(parts)),
                    softline(),
                    text(")"),
                ]))
            }
            ExprKind::Text(value) => {
                let lead = self.before(start + 1);
                let written = &self.src.text[start..end];
                if written.starts_with("\"\"\"") {
                    cat(vec![lead, text_block(value)])
                } else {
                    cat(vec![lead, text(written)])
                }
            }
            ExprKind::Number { text: t, .. } => self.leaf(start, t.clone()),
            ExprKind::Date(d) => self.leaf(start, d.format("%Y-%m-%d").to_string()),
            ExprKind::Bool(b) => self.leaf(start, b.to_string()),
            ExprKind::Missing => self.leaf(start, "missing".to_string()),
            ExprKind::Path { head, member, hops } => {
                let mut s = head.name.clone();
                for h in hops.iter().chain(member) {
                    s.push('.');
                    s.push_str(&h.name);
                }
                self.leaf(start, s)
            }
            // Never formatted (a file with errors is refused): kept as written.
            ExprKind::Error => self.leaf(start, self.src.text[start..end].to_string()),
        }
    }

    fn leaf(&mut self, start: usize, s: String) -> Doc {
        let lead = self.before(start + 1);
        cat(vec![lead, text(s)])
    }

    /// A chain of operators of one precedence, `a + b - c`: broken before each operator,
    /// its continuation lines indented. Walked as a loop (a formula may chain a
    /// thousand operators).
    fn chain(&mut self, e: &Expr, op: BinaryOp) -> Doc {
        let p = binary_prec(op);
        let mut rights = Vec::new();
        let mut cur = e;
        while let ExprKind::Binary {
            op,
            op_span,
            left,
            right,
        } = &cur.kind
        {
            let own = std::ptr::eq(cur, e);
            if binary_prec(*op) != p
                || (!own
                    && self
                        .src
                        .parens(cur.span.start as usize, cur.span.end as usize)
                        .0
                        > 0)
            {
                break;
            }
            rights.push((*op, *op_span, &**right));
            cur = left;
        }
        let mut parts = vec![self.operand(cur, p)];
        for (op, op_span, right) in rights.into_iter().rev() {
            parts.push(self.before(op_span.start as usize + 1));
            parts.push(line());
            parts.push(text(format!("{} ", op.symbol())));
            parts.push(self.operand(right, p + 1));
        }
        group(nest(INDENT, cat(parts)))
    }

    /// `if a then b else if c then d else e`, one group; broken, each `then` and
    /// `else` starts a line.
    fn conditional(&mut self, e: &Expr, start: usize) -> Doc {
        let mut parts = vec![self.before(start + 1), text("if ")];
        let mut cur = e;
        while let ExprKind::If {
            condition,
            then,
            otherwise,
        } = &cur.kind
        {
            parts.push(self.operand(condition, prec::OR));
            parts.push(line());
            parts.push(text("then "));
            parts.push(self.operand(then, prec::OR));
            parts.push(line());
            parts.push(text("else "));
            let (layers, (s, _)) = self
                .src
                .parens(otherwise.span.start as usize, otherwise.span.end as usize);
            if layers == 0 && matches!(otherwise.kind, ExprKind::If { .. }) {
                parts.push(self.before(s + 1));
                parts.push(text("if "));
                cur = otherwise;
            } else {
                parts.push(self.operand(otherwise, prec::IF));
                break;
            }
        }
        group(nest(INDENT, cat(parts)))
    }
}

/// `per accounts` or `per accounts.DIMENSION`.
fn per_text(p: &PerClause) -> String {
    match &p.column {
        Some(c) => format!("per {}.{}", p.table.name, c.name),
        None => format!("per {}", p.table.name),
    }
}

/// A comment as a document.
pub fn comment_doc(c: &Comment) -> Doc {
    Doc::Comment {
        text: c.text.clone(),
        own_line: c.own_line,
    }
}

/// A text block: its (dedented) lines indented one step below the opening `"""`, the
/// closing `"""` on a line of its own. The parser dedents it back to the same text.
pub fn text_block(value: &str) -> Doc {
    if value.is_empty() {
        return text("\"\"\"\"\"\"");
    }
    let mut body = Vec::new();
    for l in value.split('\n') {
        body.push(Doc::Hard);
        body.push(text(l));
    }
    cat(vec![
        text("\"\"\""),
        nest(INDENT, cat(body)),
        Doc::Hard,
        text("\"\"\""),
    ])
}
