//! The tree builder: turns the pest pairs of one item into AST nodes with our own
//! byte spans (items, tables and columns, field blocks and values, operands and
//! calls), collecting the diagnostics it finds on the way.

use super::Rule;
use super::literals::dedent;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::syntax::ast::*;
use pest::iterators::Pair;
use std::cell::{Cell, RefCell};

/// Converts pest pairs of one item into AST nodes. It reads the pairs of the fast
/// rules and of the checking rules alike (the two trees have the same shape; see
/// `grammar/fast.pest`).
pub(super) struct Builder {
    pub(super) file: FileId,
    /// Where the item starts in the file: pest's offsets are relative to the item.
    pub(super) offset: usize,
    pub(super) diagnostics: RefCell<Vec<Diagnostic>>,
    /// Operators met so far in the current field value, in source order (see K0003).
    pub(super) operators: Cell<usize>,
    /// The operator past [`MAX_OPERATORS`](super::MAX_OPERATORS), once met: building
    /// stops there.
    pub(super) too_long_at: Cell<Option<Span>>,
}

impl Builder {
    /// A builder for the item at `offset` in `file`.
    pub(super) fn new(file: FileId, offset: usize) -> Builder {
        Builder {
            file,
            offset,
            diagnostics: RefCell::new(Vec::new()),
            operators: Cell::new(0),
            too_long_at: Cell::new(None),
        }
    }

    /// The diagnostics found while building.
    pub(super) fn finish(self) -> Vec<Diagnostic> {
        self.diagnostics.into_inner()
    }

    /// Records a diagnostic; building goes on.
    pub(super) fn report(&self, diagnostic: Diagnostic) {
        self.diagnostics.borrow_mut().push(diagnostic);
    }

    /// A pair's span in the file.
    pub(super) fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, self.offset + s.start(), self.offset + s.end())
    }

    /// A name as written.
    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    /// The item of an entry rule: a table or a field block.
    pub(super) fn item(&mut self, pair: Pair<Rule>) -> Option<Item> {
        match pair.as_rule() {
            Rule::table => Some(Item::Table(self.table(pair))),
            Rule::block | Rule::fast_block => self.block(pair).map(Item::Block),
            _ => None,
        }
    }

    /// `table NAME { columns }`.
    fn table(&self, pair: Pair<Rule>) -> Table {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = inner.next().map(|p| self.ident(p));
        let mut columns = Vec::new();
        let mut relations = Vec::new();
        for entry in inner {
            match self.relation_on(entry.clone()) {
                Some(relation) => relations.push(relation),
                None => columns.push(self.column(entry)),
            }
        }
        Table {
            name: name.unwrap_or_else(|| self.missing_ident(span)),
            columns,
            relations,
            span,
        }
    }

    /// `name: (col, col) -> TABLE` or `-> TABLE(col, col)`, or `None` for a column
    /// entry of any other form.
    fn relation_on(&self, pair: Pair<Rule>) -> Option<RelationDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(inner.next()?);
        let relation = inner.next()?;
        if relation.as_rule() != Rule::relation_on {
            return None;
        }
        let mut parts = relation.into_inner();
        let columns = self.key_columns(parts.next()?);
        let target = self.ident(parts.next()?);
        let target_columns = parts.next().map(|p| self.key_columns(p));
        Some(RelationDecl {
            name,
            columns,
            target,
            target_columns,
            span,
        })
    }

    /// `(col, col, ...)`.
    fn key_columns(&self, pair: Pair<Rule>) -> Vec<Ident> {
        pair.into_inner().map(|p| self.ident(p)).collect()
    }

    /// A name the tree lacks (it cannot, once pest accepted the item; kept for
    /// safety rather than a panic).
    fn missing_ident(&self, span: Span) -> Ident {
        Ident {
            name: String::new(),
            span,
        }
    }

    /// `name: type modifier*`.
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

    /// `KIND NAME { field: value ... }`.
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
            } else if value.as_rule() == Rule::map {
                self.map(value)
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

    /// `by PATH { key: value, ... }`: the path, if any, and the entries.
    fn map(&self, pair: Pair<Rule>) -> Value {
        let span = self.span(&pair);
        let mut by = None;
        let mut entries = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::kw_by => {}
                Rule::path => by = Some(self.primary(part)),
                Rule::map_entry => {
                    let espan = self.span(&part);
                    let mut inner = part.into_inner();
                    let Some(key) = inner.next() else { continue };
                    let key = if key.as_rule() == Rule::ident {
                        let head = self.ident(key);
                        Expr {
                            span: head.span,
                            kind: ExprKind::Path {
                                head,
                                member: None,
                                hops: Vec::new(),
                            },
                        }
                    } else {
                        self.primary(key)
                    };
                    let value = inner.next().and_then(|v| self.top_expr(v));
                    entries.push(MapEntry {
                        key,
                        value,
                        span: espan,
                    });
                }
                _ => {}
            }
        }
        Value::Map { by, entries, span }
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
                kind: ExprKind::Path {
                    head,
                    member: None,
                    hops: Vec::new(),
                },
                span,
            });
        }
        Some(self.primary(inner))
    }

    /// An operand: a literal, a name or `table.column`, a call, a conditional or a
    /// parenthesised expression.
    pub(super) fn primary(&self, pair: Pair<Rule>) -> Expr {
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
            Rule::missing_literal => ExprKind::Missing,
            Rule::date => self.date(pair.as_str(), span),
            Rule::single_quoted => self.single_quoted(pair.as_str(), span),
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
                    first => {
                        // `table.column`, or `table.relation.….column`: the last name is
                        // the column, those between are the relations followed.
                        let mut names: Vec<Ident> = first
                            .into_iter()
                            .chain(parts)
                            .map(|p| self.ident(p))
                            .collect();
                        let member = names.pop();
                        ExprKind::Path {
                            head,
                            member,
                            hops: names,
                        }
                    }
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
        let mut per = None;
        for part in parts {
            match part.as_rule() {
                Rule::per_clause | Rule::fast_per => {
                    let pspan = self.span(&part);
                    if let Some(path) = part.into_inner().find(|p| p.as_rule() == Rule::path) {
                        let mut p = path.into_inner();
                        if let Some(table) = p.next().map(|i| self.ident(i)) {
                            per = Some(Box::new(PerClause {
                                table,
                                column: p.next().map(|i| self.ident(i)),
                                span: pspan,
                            }));
                        }
                    }
                }
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
                        if let Some(extra) = p.next() {
                            // The period is set by a date of the aggregated rows, never
                            // by one read through a relation.
                            self.report(
                                Diagnostic::error(Code::InvalidTimeClause, self.span(&extra), "`dated` needs a column of the aggregated table")
                                    .label("a relation cannot be followed here")
                                    .help("write the date column with its table, e.g. `dated opportunities.closed_on`"),
                            );
                        } else if let (Some(table), Some(column)) = (first.clone(), second) {
                            time = Some(Box::new(TimeClause::Dated {
                                table,
                                column,
                                span: dspan,
                            }));
                        } else if let Some(first) = first {
                            self.report(
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
            per,
        }
    }
}

/// An `expr` of either rule set.
fn is_expr(rule: Rule) -> bool {
    matches!(rule, Rule::expr | Rule::fast_expr)
}
