//! The typed syntax tree. It mirrors the source one-to-one (every node has its span)
//! and knows nothing of pest: the parser converts pest pairs into these types at once.
//!
//! Items are kept generic here (`Block` with `Field`s): which fields a `kpi` accepts is
//! a question for the checker, which can answer it with a "did you mean".

use crate::source::Span;
/// The operators belong to the language's vocabulary; re-exported so the parser and
/// tree users keep writing `ast::BinaryOp`.
pub use crate::vocab::{BinaryOp, UnaryOp};
use chrono::NaiveDate;
use serde::Serialize;

/// A name with its place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// One top-level item of a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Item {
    Table(Table),
    Block(Block),
}

impl Item {
    /// The span of the whole item.
    pub fn span(&self) -> Span {
        match self {
            Item::Table(t) => t.span,
            Item::Block(b) => b.span,
        }
    }
}

/// `table NAME { columns }`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub name: Ident,
    pub columns: Vec<ColumnDecl>,
    /// Relations on several columns (`name: (col, col) -> TABLE`), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<RelationDecl>,
    pub span: Span,
}

/// `name: (col, col, ...) -> TABLE` or `-> TABLE(col, col, ...)`: a relation whose
/// key is several columns of the table, matched in order with the same number of
/// columns of the parent (those of the same names when the parent's are not written).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelationDecl {
    pub name: Ident,
    pub columns: Vec<Ident>,
    pub target: Ident,
    /// The parent's columns, when written.
    pub target_columns: Option<Vec<Ident>>,
    pub span: Span,
}

/// `name: TYPE MODIFIER*`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnDecl {
    pub name: Ident,
    pub ty: Ident,
    pub modifiers: Vec<Modifier>,
    pub span: Span,
}

/// A column modifier as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Modifier {
    /// `key`, `optional`, `time`, `dimension` (or an unknown word, reported later).
    Flag(Ident),
    /// `-> TABLE`.
    Relation { target: Ident, span: Span },
    /// `unit UNIT`.
    Unit { unit: Ident, span: Span },
}

/// `KIND NAME { field* }` for every item kind but tables.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    pub kind: Ident,
    pub name: Ident,
    pub fields: Vec<Field>,
    pub span: Span,
}

/// `name: value`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub name: Ident,
    pub value: Value,
    pub span: Span,
}

/// A field's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Value {
    Expr(Expr),
    List {
        items: Vec<Expr>,
        span: Span,
    },
    /// `{ key: value, ... }`, optionally keyed by a dimension or the period:
    /// `by accounts.segment { "enterprise": 35%, else: 25% }` (targets and status).
    Map {
        /// The path after `by`, when there is one.
        by: Option<Expr>,
        entries: Vec<MapEntry>,
        span: Span,
    },
}

/// One entry of a map: `key: value`, or a lone key (a flag such as `absolute`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapEntry {
    /// A string, a number or a name (a name is a `Path` without member).
    pub key: Expr,
    pub value: Option<Expr>,
    pub span: Span,
}

impl Value {
    /// The span of the value.
    pub fn span(&self) -> Span {
        match self {
            Value::Expr(e) => e.span,
            Value::List { span, .. } | Value::Map { span, .. } => *span,
        }
    }
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// The expression forms of the language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExprKind {
    /// A number as written; `35%` has `percent: true` and `value: 0.35`.
    Number {
        text: String,
        value: f64,
        percent: bool,
    },
    /// A string or text block, escapes resolved and text blocks dedented.
    Text(String),
    Date(NaiveDate),
    Bool(bool),
    /// The `missing` literal.
    Missing,
    /// `name`, `table.column`, or `table.relation.column` (`hops` are the relations
    /// followed between the table and the column, in order; empty for the first two).
    Path {
        head: Ident,
        member: Option<Ident>,
        #[serde(skip_serializing_if = "Vec::is_empty", default)]
        hops: Vec<Ident>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        op_span: Span,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `x is missing` / `x is not missing`.
    IsMissing {
        operand: Box<Expr>,
        negated: bool,
    },
    If {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// An expression that could not be built (already reported); checks skip it.
    Error,
    /// A function or aggregate call with its optional clauses.
    Call {
        name: Ident,
        args: Vec<Expr>,
        filter: Option<Box<Expr>>,
        /// Boxed: rare, and twice the size of every other variant.
        time: Option<Box<TimeClause>>,
        /// `per accounts` / `per accounts.DIMENSION`: an aggregate over members, its
        /// first argument evaluated per member (then `filter` filters members).
        /// Absent from the serialized tree when not written, so trees of calls
        /// without it read as before.
        #[serde(skip_serializing_if = "Option::is_none")]
        per: Option<Box<PerClause>>,
    },
}

/// The `per` clause of an aggregate call: whose members it aggregates over.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerClause {
    /// `accounts` (or another table, refused by the checker).
    pub table: Ident,
    /// `accounts.DIMENSION`: the members are the values of that column.
    pub column: Option<Ident>,
    pub span: Span,
}

impl Expr {
    /// The direct sub-expressions in source order (a call's arguments, then its
    /// filter). Walks over formulas use it with an explicit stack, never recursion.
    pub fn children(&self) -> impl DoubleEndedIterator<Item = &Expr> {
        let (fixed, args, filter): ([Option<&Expr>; 3], &[Expr], Option<&Expr>) = match &self.kind {
            ExprKind::Unary { operand, .. } | ExprKind::IsMissing { operand, .. } => {
                ([Some(operand), None, None], &[], None)
            }
            ExprKind::Binary { left, right, .. } => ([Some(left), Some(right), None], &[], None),
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => ([Some(condition), Some(then), Some(otherwise)], &[], None),
            ExprKind::Call { args, filter, .. } => ([None; 3], args, filter.as_deref()),
            _ => ([None; 3], &[], None),
        };
        fixed.into_iter().flatten().chain(args).chain(filter)
    }
}

/// The period clause of an aggregate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TimeClause {
    /// `dated TABLE.col`.
    Dated {
        table: Ident,
        column: Ident,
        span: Span,
    },
    /// `all time`.
    AllTime(Span),
}

/// A parsed file: its items, in source order.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct File {
    pub items: Vec<Item>,
}
