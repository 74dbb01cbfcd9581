//! The aggregates of the language (one value from the rows of a table), one documented
//! row each in [`AGGREGATES`], and the clauses every aggregate takes.

use super::functions::{ArgKind, Arity, Param, ResultRule, signature};

/// An aggregate: reads the rows of one table and yields one value per scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateId {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    Median,
    Percentile,
}

impl AggregateId {
    /// The aggregate's row of [`AGGREGATES`].
    pub fn info(self) -> &'static AggregateInfo {
        &AGGREGATES[self as usize]
    }

    /// The aggregate's name as written.
    pub fn name(self) -> &'static str {
        self.info().name
    }
}

/// One aggregate with its signature and documentation.
#[derive(Debug, Clone, Copy)]
pub struct AggregateInfo {
    pub id: AggregateId,
    /// The name as written in formulas.
    pub name: &'static str,
    /// The per-row argument first; further parameters are literals.
    pub params: &'static [Param],
    pub arity: Arity,
    pub result: ResultRule,
    /// One line saying what it does.
    pub doc: &'static str,
    /// A formula using it (checked against the shipped catalog by a test).
    pub example: &'static str,
}

impl AggregateInfo {
    /// `name(params)`, e.g. `percentile(x, fraction)`.
    pub fn signature(&self) -> String {
        signature(self.name, self.params, self.arity)
    }
}

/// What every aggregate accepts before its closing `)`, in this order.
pub const CLAUSES: &str = "`where CONDITION` keeps the rows where CONDITION is true; \
`dated TABLE.column` dates the rows by another date column, `all time` keeps rows of every date";

const X_NUMBER: Param = Param {
    name: "x",
    kind: ArgKind::Number,
};
const ONE: Arity = Arity {
    min: 1,
    max: Some(1),
};

/// Every aggregate, in [`AggregateId`] order.
pub static AGGREGATES: &[AggregateInfo] = &[
    AggregateInfo {
        id: AggregateId::Count,
        name: "count",
        params: &[Param {
            name: "TABLE | x",
            kind: ArgKind::TableOrValue,
        }],
        arity: ONE,
        result: ResultRule::Count,
        doc: "The rows of TABLE, or the rows where x is not missing; 0 over no rows.",
        example: "count(opportunities where opportunities.status == \"won\")",
    },
    AggregateInfo {
        id: AggregateId::CountDistinct,
        name: "count_distinct",
        params: &[Param {
            name: "x",
            kind: ArgKind::Any,
        }],
        arity: Arity { min: 1, max: None },
        result: ResultRule::Count,
        doc: "The number of different values of x, missing ones left out; with several arguments, of different combinations (tuples) of them, rows where any of them is missing left out.",
        example: "count_distinct(orders.account_id, orders.product_line)",
    },
    AggregateInfo {
        id: AggregateId::Sum,
        name: "sum",
        params: &[X_NUMBER],
        arity: ONE,
        result: ResultRule::FirstArg,
        doc: "The total of x over the rows; money sums are exact to the cent.",
        example: "sum(orders.revenue where accounts.is_key_account)",
    },
    AggregateInfo {
        id: AggregateId::Avg,
        name: "avg",
        params: &[X_NUMBER],
        arity: ONE,
        result: ResultRule::FirstArg,
        doc: "The mean of x over the rows where it is present.",
        example: "avg(orders.revenue)",
    },
    AggregateInfo {
        id: AggregateId::Min,
        name: "min",
        params: &[Param {
            name: "x",
            kind: ArgKind::NumberOrDate,
        }],
        arity: ONE,
        result: ResultRule::FirstArg,
        doc: "The smallest x (a number or a date).",
        example: "min(orders.revenue)",
    },
    AggregateInfo {
        id: AggregateId::Max,
        name: "max",
        params: &[Param {
            name: "x",
            kind: ArgKind::NumberOrDate,
        }],
        arity: ONE,
        result: ResultRule::FirstArg,
        doc: "The largest x (a number or a date).",
        example: "max(orders.revenue)",
    },
    AggregateInfo {
        id: AggregateId::Median,
        name: "median",
        params: &[X_NUMBER],
        arity: ONE,
        result: ResultRule::FirstArg,
        doc: "The middle value of x (the mean of the two middle ones for an even count).",
        example: "median(support_tickets.first_response_hours)",
    },
    AggregateInfo {
        id: AggregateId::Percentile,
        name: "percentile",
        params: &[
            X_NUMBER,
            Param {
                name: "fraction",
                kind: ArgKind::Fraction,
            },
        ],
        arity: Arity {
            min: 2,
            max: Some(2),
        },
        result: ResultRule::FirstArg,
        doc: "The value at the given fraction of the sorted values, interpolated between neighbours (0.9: the 90th percentile).",
        example: "percentile(support_tickets.first_response_hours, 0.9)",
    },
];

/// The aggregate of this name.
pub fn aggregate(name: &str) -> Option<&'static AggregateInfo> {
    AGGREGATES.iter().find(|a| a.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_in_id_order() {
        for (i, a) in AGGREGATES.iter().enumerate() {
            assert_eq!(a.id as usize, i, "{}", a.name);
            assert!(a.params.len() >= a.arity.min);
        }
        assert_eq!(
            AggregateId::Percentile.info().signature(),
            "percentile(x, fraction)"
        );
    }
}
