//! The scalar functions of the language, one documented row each in [`FUNCTIONS`], and
//! the signature types ([`Param`], [`ArgKind`], [`Arity`], [`ResultRule`]) that the
//! aggregates share.

/// What an argument must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// Any value.
    Any,
    /// A number of any unit.
    Number,
    /// A number or a date.
    NumberOrDate,
    /// A date or a date-time.
    Date,
    /// A whole number literal from 0 to 12.
    Digits,
    /// A number literal from 0 to 1 (or a percentage such as `90%`).
    Fraction,
    /// A table name (its rows) or a per-row value.
    TableOrValue,
    /// Text.
    Text,
    /// A number of days.
    Days,
    /// A number of hours.
    Hours,
}

impl ArgKind {
    /// The kind in words, for `kpic explain`.
    pub fn describe(self) -> &'static str {
        match self {
            ArgKind::Any => "any value",
            ArgKind::Number => "a number",
            ArgKind::NumberOrDate => "a number or a date",
            ArgKind::Date => "a date or a date-time",
            ArgKind::Digits => "a whole number from 0 to 12, written out",
            ArgKind::Fraction => "a number from 0 to 1 (or a percentage), written out",
            ArgKind::TableOrValue => "a table (its rows) or a per-row value",
            ArgKind::Text => "text",
            ArgKind::Days => "a number of days",
            ArgKind::Hours => "a number of hours",
        }
    }
}

/// One parameter of a function or aggregate.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The name used in signatures and messages.
    pub name: &'static str,
    pub kind: ArgKind,
}

/// How many arguments a call takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arity {
    pub min: usize,
    /// `None`: any number from `min` up.
    pub max: Option<usize>,
}

impl Arity {
    /// Whether `n` arguments are accepted.
    pub fn accepts(self, n: usize) -> bool {
        n >= self.min && self.max.is_none_or(|max| n <= max)
    }
}

/// What a call yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultRule {
    /// The one type and unit all arguments share.
    CommonOfArgs,
    /// The type and unit of the first argument.
    FirstArg,
    /// A number of days.
    Days,
    /// A number of hours.
    Hours,
    /// A count.
    Count,
    /// Text.
    Text,
}

impl ResultRule {
    /// The rule in words, for `kpic explain`.
    pub fn describe(self) -> &'static str {
        match self {
            ResultRule::CommonOfArgs => "the type and unit the arguments share",
            ResultRule::FirstArg => "the type and unit of the first argument",
            ResultRule::Days => "days",
            ResultRule::Hours => "hours",
            ResultRule::Count => "a count",
            ResultRule::Text => "text",
        }
    }
}

/// Renders `name(p1, p2)`, with optional parameters in brackets and `...` when any
/// number of arguments is accepted.
pub(crate) fn signature(name: &str, params: &[Param], arity: Arity) -> String {
    let mut out = format!("{name}(");
    for (i, p) in params.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        if i >= arity.min {
            out.push_str(&format!("[{sep}{}]", p.name));
        } else {
            out.push_str(&format!("{sep}{}", p.name));
        }
    }
    if arity.max.is_none() {
        out.push_str(", ...");
    }
    out.push(')');
    out
}

/// A scalar function: one value from scalar arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionId {
    Coalesce,
    Abs,
    Round,
    Least,
    Greatest,
    DaysBetween,
    HoursBetween,
    /// Not a function of values but of the period; written like one.
    Previous,
    Concat,
    ToHours,
    ToDays,
    /// Like `previous`, a year earlier.
    YearAgo,
}

impl FunctionId {
    /// The function's row of [`FUNCTIONS`].
    pub fn info(self) -> &'static FunctionInfo {
        &FUNCTIONS[self as usize]
    }

    /// The function's name as written.
    pub fn name(self) -> &'static str {
        self.info().name
    }
}

/// One scalar function with its signature and documentation.
#[derive(Debug, Clone, Copy)]
pub struct FunctionInfo {
    pub id: FunctionId,
    /// The name as written in formulas.
    pub name: &'static str,
    pub params: &'static [Param],
    pub arity: Arity,
    pub result: ResultRule,
    /// One line saying what it does.
    pub doc: &'static str,
    /// A formula using it (checked against the shipped catalog by a test).
    pub example: &'static str,
}

impl FunctionInfo {
    /// `name(params)`, e.g. `round(x[, digits])`.
    pub fn signature(&self) -> String {
        signature(self.name, self.params, self.arity)
    }
}

const fn p(name: &'static str, kind: ArgKind) -> Param {
    Param { name, kind }
}

/// Every scalar function, in [`FunctionId`] order.
pub static FUNCTIONS: &[FunctionInfo] = &[
    FunctionInfo {
        id: FunctionId::Coalesce,
        name: "coalesce",
        params: &[p("a", ArgKind::Any), p("b", ArgKind::Any)],
        arity: Arity { min: 2, max: None },
        result: ResultRule::CommonOfArgs,
        doc: "The first argument that is not missing; `coalesce(a / b, 0)` turns a division by zero into 0.",
        example: "sum(coalesce(orders.discount, 0))",
    },
    FunctionInfo {
        id: FunctionId::Abs,
        name: "abs",
        params: &[p("x", ArgKind::Number)],
        arity: Arity {
            min: 1,
            max: Some(1),
        },
        result: ResultRule::FirstArg,
        doc: "The absolute value of x.",
        example: "abs(revenue - revenue_target)",
    },
    FunctionInfo {
        id: FunctionId::Round,
        name: "round",
        params: &[p("x", ArgKind::Number), p("digits", ArgKind::Digits)],
        arity: Arity {
            min: 1,
            max: Some(2),
        },
        result: ResultRule::FirstArg,
        doc: "x rounded to `digits` decimal places (0 when left out), halves away from zero.",
        example: "round(revenue / order_count, 2)",
    },
    FunctionInfo {
        id: FunctionId::Least,
        name: "least",
        params: &[p("a", ArgKind::NumberOrDate), p("b", ArgKind::NumberOrDate)],
        arity: Arity { min: 2, max: None },
        result: ResultRule::CommonOfArgs,
        doc: "The smallest argument; missing when any argument is missing.",
        example: "least(revenue / revenue_target, 1)",
    },
    FunctionInfo {
        id: FunctionId::Greatest,
        name: "greatest",
        params: &[p("a", ArgKind::NumberOrDate), p("b", ArgKind::NumberOrDate)],
        arity: Arity { min: 2, max: None },
        result: ResultRule::CommonOfArgs,
        doc: "The largest argument; missing when any argument is missing.",
        example: "greatest(revenue - revenue_target, 0)",
    },
    FunctionInfo {
        id: FunctionId::DaysBetween,
        name: "days_between",
        params: &[p("a", ArgKind::Date), p("b", ArgKind::Date)],
        arity: Arity {
            min: 2,
            max: Some(2),
        },
        result: ResultRule::Days,
        doc: "Days from a to b (b - a).",
        example: "avg(days_between(opportunities.created_on, opportunities.closed_on) where opportunities.closed_on is not missing)",
    },
    FunctionInfo {
        id: FunctionId::HoursBetween,
        name: "hours_between",
        params: &[p("a", ArgKind::Date), p("b", ArgKind::Date)],
        arity: Arity {
            min: 2,
            max: Some(2),
        },
        result: ResultRule::Hours,
        doc: "Hours from a to b (b - a); meant for date-times.",
        example: "avg(hours_between(support_tickets.opened_on, support_tickets.resolved_on) where support_tickets.resolved_on is not missing)",
    },
    FunctionInfo {
        id: FunctionId::Previous,
        name: "previous",
        params: &[p("x", ArgKind::Any)],
        arity: Arity {
            min: 1,
            max: Some(1),
        },
        result: ResultRule::FirstArg,
        doc: "x over the previous period: the period of equal length that ends the day before `period.start`.",
        example: "(revenue - previous(revenue)) / previous(revenue)",
    },
    FunctionInfo {
        id: FunctionId::Concat,
        name: "concat",
        params: &[p("a", ArgKind::Text), p("b", ArgKind::Text)],
        arity: Arity { min: 2, max: None },
        result: ResultRule::Text,
        doc: "The texts joined end to end, nothing between them; missing when any argument is missing. Text only: numbers and dates have no one written form.",
        example: "count_distinct(concat(accounts.region, \"/\", orders.product_line))",
    },
    FunctionInfo {
        id: FunctionId::ToHours,
        name: "to_hours",
        params: &[p("x", ArgKind::Days)],
        arity: Arity {
            min: 1,
            max: Some(1),
        },
        result: ResultRule::Hours,
        doc: "A number of days in hours (x × 24).",
        example: "to_hours(avg(days_between(opportunities.created_on, opportunities.closed_on) where opportunities.closed_on is not missing))",
    },
    FunctionInfo {
        id: FunctionId::ToDays,
        name: "to_days",
        params: &[p("x", ArgKind::Hours)],
        arity: Arity {
            min: 1,
            max: Some(1),
        },
        result: ResultRule::Days,
        doc: "A number of hours in days (x ÷ 24).",
        example: "to_days(median(support_tickets.first_response_hours))",
    },
    FunctionInfo {
        id: FunctionId::YearAgo,
        name: "year_ago",
        params: &[p("x", ArgKind::Any)],
        arity: Arity {
            min: 1,
            max: Some(1),
        },
        result: ResultRule::FirstArg,
        doc: "x over the same period one year earlier: 2024-Q3 for 2025-Q3; a custom range shifted by one year (29 February becomes 28 February).",
        example: "(revenue - year_ago(revenue)) / year_ago(revenue)",
    },
];

/// The scalar function of this name.
pub fn function(name: &str) -> Option<&'static FunctionInfo> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_in_id_order() {
        for (i, f) in FUNCTIONS.iter().enumerate() {
            assert_eq!(f.id as usize, i, "{}", f.name);
            assert!(f.params.len() >= f.arity.min);
        }
    }

    #[test]
    fn signatures() {
        assert_eq!(FunctionId::Round.info().signature(), "round(x[, digits])");
        assert_eq!(
            FunctionId::Coalesce.info().signature(),
            "coalesce(a, b, ...)"
        );
        assert_eq!(
            FunctionId::DaysBetween.info().signature(),
            "days_between(a, b)"
        );
    }
}
