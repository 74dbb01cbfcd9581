//! The checked catalog: names resolved, every expression typed and unit-checked,
//! measures and KPIs in dependency order. Evaluation and SQL generation read only this.
//!
//! Invariant: a [`Catalog`] built by [`crate::check`] with no error diagnostics has no
//! unknown names, no cycles and no type errors; every [`TExpr`] has a concrete type.

use crate::source::Span;
use crate::vocab::BinaryOp;
use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::Serialize;

mod benchmark;
mod docs;
mod grain;
mod rules;
mod targets;
mod walk;
pub use benchmark::{PeriodBasis, SegmentValue};
pub use docs::{DocSlot, DocValue, Docs};
pub use grain::{Grain, Members};
pub use rules::{MessagePart, RuleDef};
pub use targets::{Amount, Target, TargetKind, TargetOrigin, Thresholds};

/// The dimension of a number: what it counts or measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dim {
    /// A plain number: ratios, percentages, scores without unit.
    Plain,
    Money,
    Count,
    Days,
    Hours,
    Score,
}

impl Dim {
    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Dim::Plain => "a plain number",
            Dim::Money => "money",
            Dim::Count => "a count",
            Dim::Days => "days",
            Dim::Hours => "hours",
            Dim::Score => "a score",
        }
    }
}

/// The type of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Type {
    Number(Dim),
    Bool,
    Text,
    Date,
    DateTime,
    /// The type of an expression that already has an error; suppresses follow-ups.
    Error,
}

impl Type {
    /// The name used in messages, e.g. "money" or "a date".
    pub fn describe(self) -> &'static str {
        match self {
            Type::Number(d) => d.name(),
            Type::Bool => "true/false",
            Type::Text => "text",
            Type::Date => "a date",
            Type::DateTime => "a date-time",
            Type::Error => "an invalid value",
        }
    }
}

/// The declared type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Text,
    Int,
    Number,
    Money,
    Date,
    DateTime,
    Bool,
}

impl ColumnType {
    /// Parses a type name as written in a table.
    pub fn parse(name: &str) -> Option<ColumnType> {
        Some(match name {
            "text" => ColumnType::Text,
            "int" => ColumnType::Int,
            "number" => ColumnType::Number,
            "money" => ColumnType::Money,
            "date" => ColumnType::Date,
            "datetime" => ColumnType::DateTime,
            "bool" => ColumnType::Bool,
            _ => return None,
        })
    }

    /// Every type name.
    pub const NAMES: &'static [&'static str] =
        &["text", "int", "number", "money", "date", "datetime", "bool"];

    /// The type's name as written in a table.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The unit a KPI (or a measure) declares for its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Money,
    Percent,
    Ratio,
    Count,
    Days,
    Hours,
    Score,
    Number,
}

impl Unit {
    /// Every unit name.
    pub const NAMES: &'static [&'static str] = &[
        "money", "percent", "ratio", "count", "days", "hours", "score", "number",
    ];

    /// Parses a unit name.
    pub fn parse(name: &str) -> Option<Unit> {
        Some(match name {
            "money" => Unit::Money,
            "percent" => Unit::Percent,
            "ratio" => Unit::Ratio,
            "count" => Unit::Count,
            "days" => Unit::Days,
            "hours" => Unit::Hours,
            "score" => Unit::Score,
            "number" => Unit::Number,
            _ => return None,
        })
    }

    /// The unit's name as written.
    pub fn as_str(self) -> &'static str {
        Unit::NAMES[self as usize]
    }

    /// The dimension of values of this unit.
    pub fn dim(self) -> Dim {
        match self {
            Unit::Money => Dim::Money,
            Unit::Count => Dim::Count,
            Unit::Days => Dim::Days,
            Unit::Hours => Dim::Hours,
            Unit::Score => Dim::Score,
            Unit::Percent | Unit::Ratio | Unit::Number => Dim::Plain,
        }
    }

    /// Whether a formula yielding `dim` may be declared with this unit.
    pub fn accepts(self, dim: Dim) -> bool {
        match self {
            Unit::Count => matches!(dim, Dim::Count | Dim::Plain),
            other => other.dim() == dim,
        }
    }
}

/// One table of the data model.
#[derive(Debug, Clone, Serialize)]
pub struct TableDef {
    pub name: String,
    pub span: Span,
    pub columns: IndexMap<String, ColumnDef>,
    /// The `time` column, if any: aggregates are filtered to the period by it.
    pub time_column: Option<String>,
    /// The `key` column, if any.
    pub key: Option<String>,
    /// The column holding the account id (`-> accounts`), if any.
    pub account_column: Option<String>,
    /// Relations on several columns (`product: (account_id, product_line) ->
    /// account_products`); one-column relations are [`ColumnDef::relation`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<RelationDef>,
}

/// A relation whose key is several columns: each row points to the one row of
/// `target` whose `target_columns` hold the row's `columns`, in order. As declared:
/// the checker reports a relation whose columns do not match (unknown, another
/// count, another type) and never follows it.
#[derive(Debug, Clone, Serialize)]
pub struct RelationDef {
    pub name: String,
    pub span: Span,
    pub columns: Vec<String>,
    pub target: String,
    /// The parent's columns: as written, or the same names as `columns`.
    pub target_columns: Vec<String>,
}

/// One column of a table.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnDef {
    pub name: String,
    pub span: Span,
    pub ty: ColumnType,
    /// The value type in expressions (numbers carry their unit's dimension).
    pub value_type: Type,
    pub optional: bool,
    pub key: bool,
    pub time: bool,
    pub dimension: bool,
    pub relation: Option<String>,
}

/// A category of KPIs.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryDef {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub span: Span,
}

/// Whether higher or lower values are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Higher,
    Lower,
}

impl Direction {
    /// Every value of `better`, in [`Direction`] order.
    pub const NAMES: &'static [&'static str] = &["higher", "lower"];

    /// The direction as written.
    pub fn as_str(self) -> &'static str {
        Direction::NAMES[self as usize]
    }

    /// Parses a value of `better`.
    pub fn parse(name: &str) -> Option<Direction> {
        [Direction::Higher, Direction::Lower]
            .into_iter()
            .find(|d| d.as_str() == name)
    }
}

/// How often a KPI is reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cadence {
    Weekly,
    Monthly,
    Quarterly,
    Yearly,
}

impl Cadence {
    /// Every cadence name, in [`Cadence`] order.
    pub const NAMES: &'static [&'static str] = &["weekly", "monthly", "quarterly", "yearly"];

    /// The cadence as written.
    pub fn as_str(self) -> &'static str {
        Cadence::NAMES[self as usize]
    }

    /// Parses a cadence name.
    pub fn parse(name: &str) -> Option<Cadence> {
        [
            Cadence::Weekly,
            Cadence::Monthly,
            Cadence::Quarterly,
            Cadence::Yearly,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }
}

/// A reference to a column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnRef {
    pub table: String,
    pub column: String,
}

/// One many-to-one relation followed from a row to its parent row: the relation
/// column of the current table and the table it points to (whose `key` it holds).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Hop {
    pub column: String,
    pub table: String,
    /// For a relation on several columns ([`RelationDef`]): `column` is the
    /// relation's name and these are its (column, parent column) pairs, in order.
    /// Empty for a one-column relation, whose column holds the parent's `key`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub on: Vec<(String, String)>,
}

/// A checked KPI.
#[derive(Debug, Clone, Serialize)]
pub struct KpiDef {
    pub id: String,
    pub name: String,
    pub category: String,
    pub unit: Unit,
    pub better: Direction,
    pub cadence: Option<Cadence>,
    pub tags: Vec<String>,
    pub breakdown: Option<ColumnRef>,
    /// What the value is measured against (`target:`), if anything.
    pub target: Option<Target>,
    /// When the value is green, amber or red (`status:`, or the default thresholds
    /// when only a target is given).
    pub status: Option<Thresholds>,
    /// Fewer members than this flag a ratio's or average's value as a small sample
    /// (`min_sample:`); `None`: the project's threshold.
    pub min_sample: Option<u64>,
    pub formula: TExpr,
    /// The formula as written.
    pub formula_source: String,
    pub docs: Docs,
    /// Measures and KPIs the formula refers to directly.
    pub depends_on: Vec<String>,
    pub file: String,
    pub span: Span,
}

/// A checked measure.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureDef {
    pub id: String,
    pub unit: Option<Unit>,
    pub description: Option<String>,
    pub formula: TExpr,
    pub formula_source: String,
    pub depends_on: Vec<String>,
    pub span: Span,
}

/// A benchmark value for a KPI.
#[derive(Debug, Clone, Serialize)]
pub struct BenchmarkDef {
    pub id: String,
    pub kpi: String,
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub segment: Option<String>,
    /// The accounts the figure describes, each condition a text column of `accounts`
    /// and its value (`applies_to: accounts.industry == "manufacturing"`); empty: any
    /// scope (`applies_to: any`, or not written).
    pub applies_to: Vec<SegmentValue>,
    /// The length of period the figure describes (`period: year`); `None`: any.
    pub period: Option<PeriodBasis>,
    pub source: String,
    pub url: Option<String>,
    pub as_of: Option<NaiveDate>,
    pub note: Option<String>,
    pub span: Span,
}

/// The checked catalog.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Catalog {
    pub categories: IndexMap<String, CategoryDef>,
    pub tables: IndexMap<String, TableDef>,
    pub measures: IndexMap<String, MeasureDef>,
    pub kpis: IndexMap<String, KpiDef>,
    pub benchmarks: Vec<BenchmarkDef>,
    /// Diagnostic rules, in declaration order (absent from JSON when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleDef>,
    /// Measures and KPIs, each after everything it depends on.
    pub order: Vec<String>,
}

impl Catalog {
    /// The formula of a measure or KPI.
    pub fn formula(&self, id: &str) -> Option<&TExpr> {
        self.measures
            .get(id)
            .map(|m| &m.formula)
            .or_else(|| self.kpis.get(id).map(|k| &k.formula))
    }

    /// The aggregate over members that `formula` is, directly or through the
    /// measures and KPIs it names (`None` for any other formula): whose member counts
    /// the results report.
    pub fn grain_of<'c>(&'c self, formula: &'c TExpr) -> Option<&'c Grain> {
        let mut e = formula;
        // Bounded: the checker refuses cycles, and each step is a distinct name.
        for _ in 0..=self.order.len() {
            match &e.kind {
                TExprKind::Ref(id) => e = self.formula(id)?,
                TExprKind::Grain(g) => return Some(g),
                _ => return None,
            }
        }
        None
    }

    /// KPIs that list `id` among their direct dependencies.
    pub fn dependents(&self, id: &str) -> Vec<&str> {
        self.kpis
            .values()
            .filter(|k| k.depends_on.iter().any(|d| d == id))
            .map(|k| k.id.as_str())
            .collect()
    }
}

/// A typed expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TExpr {
    pub kind: TExprKind,
    pub ty: Type,
    pub span: Span,
}

/// The checked expression forms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TExprKind {
    Number(f64),
    Text(String),
    Date(NaiveDate),
    Bool(bool),
    /// A column of the current row (only inside an aggregate). For a column of a
    /// parent table (`accounts`, or any table reached by many-to-one relations),
    /// `via` is the relations followed from the aggregated row, in order; empty for
    /// the aggregated table's own columns.
    Column {
        table: String,
        column: String,
        via: Vec<Hop>,
    },
    /// A measure or KPI.
    Ref(String),
    Period(PeriodField),
    Neg(Box<TExpr>),
    Not(Box<TExpr>),
    Binary {
        op: BinaryOp,
        left: Box<TExpr>,
        right: Box<TExpr>,
    },
    IsMissing {
        operand: Box<TExpr>,
        negated: bool,
    },
    If {
        condition: Box<TExpr>,
        then: Box<TExpr>,
        otherwise: Box<TExpr>,
    },
    Func {
        func: Func,
        args: Vec<TExpr>,
    },
    Aggregate(Box<Aggregate>),
    /// The expression evaluated over the previous period.
    Previous(Box<TExpr>),
    /// An aggregate over members (`avg(x per accounts where ...)`): see [`Grain`].
    Grain(Box<Grain>),
    /// Inside a [`Grain`] over accounts or the rows of a table: the member's own value
    /// of this column of the member's table (`accounts.tier` inside `per accounts`,
    /// `opportunities.amount` inside `per opportunities`, written outside an inner
    /// aggregate).
    Member(String),
    /// The expression evaluated over the same period one year earlier.
    YearAgo(Box<TExpr>),
    /// The `missing` literal: a value of its type that is missing.
    Missing,
    /// Stands in for an expression that had an error.
    Invalid,
}

impl TExpr {
    /// The operands of a scalar operator or function, in order. Not included: the
    /// per-row argument and filter of an aggregate, and the inside of `previous` and
    /// `year_ago` —
    /// both are evaluated in another context, so walkers handle them explicitly.
    pub fn operands(&self) -> Vec<&TExpr> {
        match &self.kind {
            TExprKind::Neg(x) | TExprKind::Not(x) | TExprKind::IsMissing { operand: x, .. } => {
                vec![x]
            }
            TExprKind::Binary { left, right, .. } => vec![left, right],
            TExprKind::If {
                condition,
                then,
                otherwise,
            } => vec![condition, then, otherwise],
            TExprKind::Func { args, .. } => args.iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// Fields of the evaluation period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodField {
    Start,
    End,
    /// The first day of the period before this one (`period.start` as `previous(...)`
    /// sees it), so a cohort "customers before the previous period began" is written
    /// the same in a formula's current part as its `previous` part reads it.
    PreviousStart,
    Days,
    /// Whole calendar months the period spans (missing otherwise).
    Months,
    /// Whole quarters (a multiple of three months; missing otherwise).
    Quarters,
    /// Whole years (a multiple of twelve months; missing otherwise).
    Years,
}

/// Scalar functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Func {
    Coalesce,
    Abs,
    Round,
    Least,
    Greatest,
    DaysBetween,
    HoursBetween,
    /// Text joined end to end; missing when any part is.
    Concat,
    /// Days to hours (× 24).
    ToHours,
    /// Hours to days (÷ 24).
    ToDays,
    /// The key of `count_distinct(a, b, ...)`: one value per tuple of its arguments,
    /// missing when any of them is. Only ever the argument of `count_distinct`.
    Tuple,
}

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AggFunc {
    /// `count(table)`: rows.
    CountRows,
    /// `count(table.col)`: non-missing values.
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    Median,
    Percentile,
}

/// How an aggregate's rows are restricted to the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeFilter {
    /// Rows whose date in this column falls in the period.
    Column(String),
    /// No period filter (`all time`, or a table without a time column).
    None,
}

/// An aggregate over one table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregate {
    pub func: AggFunc,
    pub table: String,
    /// The per-row value (absent for `count(table)`).
    pub arg: Option<TExpr>,
    /// For `percentile`, the fraction (0..=1).
    pub fraction: Option<f64>,
    pub filter: Option<TExpr>,
    pub time: TimeFilter,
}
