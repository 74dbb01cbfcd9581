//! The operators of the language (binary, prefix, and the `is missing` and `if` forms):
//! their enums, their spelling, and one documented row each in [`OPERATORS`].

use serde::Serialize;

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `not x`
    Not,
}

impl UnaryOp {
    /// The operator as written in kpic.
    pub const fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Not => "not",
        }
    }
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinaryOp {
    /// The operator as written in kpic.
    pub const fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
        }
    }

    /// True for `==`, `!=`, `<`, `<=`, `>`, `>=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }
}

/// An operator or operator-like form of the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Binary(BinaryOp),
    Unary(UnaryOp),
    /// `x is missing` (`negated: false`) or `x is not missing`.
    IsMissing {
        negated: bool,
    },
    /// `if CONDITION then A else B`.
    If,
}

impl Operator {
    /// The word or symbol that names the operator (`+`, `not`, `is missing`, `if`).
    pub const fn symbol(self) -> &'static str {
        match self {
            Operator::Binary(op) => op.symbol(),
            Operator::Unary(op) => op.symbol(),
            Operator::IsMissing { negated: false } => "is missing",
            Operator::IsMissing { negated: true } => "is not missing",
            Operator::If => "if",
        }
    }

    /// How the operator is written with its operands, e.g. `a + b` or
    /// `if CONDITION then A else B`.
    pub fn pattern(self) -> String {
        match self {
            Operator::Binary(op) => format!("a {} b", op.symbol()),
            Operator::Unary(UnaryOp::Neg) => "-x".to_string(),
            Operator::Unary(op) => format!("{} x", op.symbol()),
            Operator::IsMissing { .. } => format!("x {}", self.symbol()),
            // The keywords of the conditional are grammar; `then` and `else` appear only
            // here outside `grammar/kpi.pest`.
            Operator::If => "if CONDITION then A else B".to_string(),
        }
    }
}

/// One operator of the language with what it accepts and yields.
#[derive(Debug, Clone, Copy)]
pub struct OperatorInfo {
    pub op: Operator,
    /// What the operands must be.
    pub operands: &'static str,
    /// What the result is.
    pub result: &'static str,
    /// One line saying what it does.
    pub doc: &'static str,
    /// A formula using it.
    pub example: &'static str,
}

/// Every operator, in the order of LANGUAGE.md's precedence table (lowest first), then
/// the conditional.
pub static OPERATORS: &[OperatorInfo] = &[
    OperatorInfo {
        op: Operator::Binary(BinaryOp::Or),
        operands: "true/false",
        result: "true/false",
        doc: "True when either side is true; three-valued like SQL (`true or missing` is true).",
        example: "count(accounts where accounts.tier == \"strategic\" or accounts.tier == \"key\")",
    },
    OperatorInfo {
        op: Operator::Binary(BinaryOp::And),
        operands: "true/false",
        result: "true/false",
        doc: "True when both sides are true; three-valued like SQL (`false and missing` is false).",
        example: "count(opportunities where opportunities.status == \"won\" and opportunities.qualified)",
    },
    OperatorInfo {
        op: Operator::Unary(UnaryOp::Not),
        operands: "true/false",
        result: "true/false",
        doc: "The opposite truth value; missing stays missing.",
        example: "count(accounts where not accounts.is_key_account)",
    },
    OperatorInfo {
        op: Operator::Binary(BinaryOp::Eq),
        operands: "two values of one type and unit",
        result: "true/false",
        doc: "Equality (`=` from other languages is written `==`).",
        example: "count(opportunities where opportunities.status == \"won\")",
    },
    OperatorInfo {
        op: Operator::Binary(BinaryOp::Ne),
        operands: "two values of one type and unit",
        result: "true/false",
        doc: "Inequality (`<>` from other languages is written `!=`).",
        example: "sum(service_costs.amount where service_costs.cost_type != \"overhead_allocation\")",
    },
    OperatorInfo {
        op: Operator::Binary(BinaryOp::Lt),
        operands: "two numbers of one unit, two dates or two texts",
        result: "true/false",
        doc: "Less than.",
        example: "count(support_tickets where support_tickets.first_response_hours < support_tickets.sla_response_hours)",
    },
    OperatorInfo {
        op: Operator::Binary(BinaryOp::Le),
        operands: "two numbers of one unit, two dates or two texts",
        result: "true/false",
        doc: "Less than or equal.",
        example: "count(support_tickets where support_tickets.first_response_hours <= 4)",
    },
    OperatorInfo {
        op: Operator::Binary(BinaryOp::Gt),
        operands: "two numbers of one unit, two dates or two texts",
        result: "true/false",
        doc: "Greater than.",
        example: "count(orders where orders.revenue > 10000)",
    },
    OperatorInfo {
        op: Operator::Binary(BinaryOp::Ge),
        operands: "two numbers of one unit, two dates or two texts",
        result: "true/false",
        doc: "Greater than or equal.",
        example: "count(surveys where surveys.kind == \"nps\" and surveys.score >= 9)",
    },
    OperatorInfo {
        op: Operator::IsMissing { negated: false },
        operands: "any value",
        result: "true/false",
        doc: "True when the value is missing (an empty cell, no rows, a division by zero).",
        example: "count(opportunities where opportunities.closed_on is missing)",
    },
    OperatorInfo {
        op: Operator::IsMissing { negated: true },
        operands: "any value",
        result: "true/false",
        doc: "True when the value is present; in a `where` filter it also guards an optional column.",
        example: "avg(support_tickets.resolution_hours where support_tickets.resolution_hours is not missing)",
    },
    OperatorInfo {
        op: Operator::Binary(BinaryOp::Add),
        operands: "two numbers of one unit, or a date and days",
        result: "the unit of the operands; a date for date + days",
        doc: "Addition.",
        example: "gross_profit + cost_of_sales",
    },
    OperatorInfo {
        op: Operator::Binary(BinaryOp::Sub),
        operands: "two numbers of one unit, two dates, or a date and days",
        result: "the unit of the operands; days for date - date",
        doc: "Subtraction.",
        example: "sum(orders.revenue - orders.cost)",
    },
    OperatorInfo {
        op: Operator::Binary(BinaryOp::Mul),
        operands: "numbers; one side plain or a count",
        result: "the unit of the other side",
        doc: "Multiplication; money * money and the like have no unit and are errors.",
        example: "avg(orders.revenue) * order_count",
    },
    OperatorInfo {
        op: Operator::Binary(BinaryOp::Div),
        operands: "numbers: like by like, or by a plain number, a count, days or hours",
        result: "plain for like / like; otherwise the unit of the left side (revenue per order or per day is money)",
        doc: "Division; division by zero is missing, never infinity or 0.",
        example: "revenue / period.days",
    },
    OperatorInfo {
        op: Operator::Unary(UnaryOp::Neg),
        operands: "a number",
        result: "the unit of the operand",
        doc: "Negation.",
        example: "-gross_profit",
    },
    OperatorInfo {
        op: Operator::If,
        operands: "a true/false condition and two values of one type and unit",
        result: "the type of the branches",
        doc: "A conditional: A where the condition is true, B where it is false, missing where it is missing.",
        example: "if order_count > 0 then revenue / order_count else 0",
    },
];

/// The operators written with this symbol or word (`-` is both subtraction and
/// negation).
pub fn operators_named(symbol: &str) -> impl Iterator<Item = &'static OperatorInfo> + '_ {
    OPERATORS.iter().filter(move |o| o.op.symbol() == symbol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_binary_operator_is_documented_once() {
        use BinaryOp::*;
        for op in [Add, Sub, Mul, Div, Eq, Ne, Lt, Le, Gt, Ge, And, Or] {
            let rows = OPERATORS
                .iter()
                .filter(|o| o.op == Operator::Binary(op))
                .count();
            assert_eq!(rows, 1, "{op:?}");
        }
        assert_eq!(operators_named("-").count(), 2);
    }
}
