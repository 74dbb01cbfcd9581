//! Function names from spreadsheets and SQL that kpic spells another way, each with
//! what to write instead; the checker's "unknown function" help and `kpic explain`
//! read [`FOREIGN_NAMES`].

use super::aggregates::AggregateId;
use super::functions::FunctionId;
use super::operators::Operator;

/// What kpic writes instead of a foreign function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instead {
    Operator(Operator),
    Function(FunctionId),
    Aggregate(AggregateId),
}

impl Instead {
    /// The builtin's name or symbol.
    pub fn name(self) -> &'static str {
        match self {
            Instead::Operator(op) => op.symbol(),
            Instead::Function(f) => f.name(),
            Instead::Aggregate(a) => a.name(),
        }
    }

    /// How the builtin is written: an operator's pattern or a call's signature.
    pub fn pattern(self) -> String {
        match self {
            Instead::Operator(op) => op.pattern(),
            Instead::Function(f) => f.info().signature(),
            Instead::Aggregate(a) => a.info().signature(),
        }
    }
}

/// Names from other languages that mean one kpic builtin.
#[derive(Debug, Clone, Copy)]
pub struct ForeignName {
    /// The names, in lower case; calls match them ignoring case.
    pub names: &'static [&'static str],
    pub instead: Instead,
    /// What to write, as a sentence; `{name}` stands for the builtin's name and
    /// `{pattern}` for how it is written.
    pub advice: &'static str,
    /// A formula written the kpic way.
    pub example: &'static str,
}

impl ForeignName {
    /// The advice with the builtin filled in, and the example.
    pub fn help(&self) -> String {
        let advice = self
            .advice
            .replace("{name}", self.instead.name())
            .replace("{pattern}", &self.instead.pattern());
        format!("{advice}, e.g. `{}`", self.example)
    }
}

/// Spreadsheet and SQL function names an analyst is likely to try.
pub static FOREIGN_NAMES: &[ForeignName] = &[
    ForeignName {
        names: &["if", "iif", "ifs", "switch"],
        instead: Instead::Operator(Operator::If),
        advice: "kpic writes a conditional as `{pattern}` (nest another `{name}` after `else` for more cases)",
        example: "if order_count > 0 then revenue / order_count else 0",
    },
    ForeignName {
        names: &["iferror", "ifna", "ifnull", "isnull", "nvl", "nz"],
        instead: Instead::Function(FunctionId::Coalesce),
        advice: "kpic gives a missing value (a division by zero too) a default with `{pattern}`",
        example: "coalesce(revenue / order_count, 0)",
    },
    ForeignName {
        names: &["countif", "countifs"],
        instead: Instead::Aggregate(AggregateId::Count),
        advice: "kpic counts the rows where a condition holds with `{name}(TABLE where CONDITION)`",
        example: "count(opportunities where opportunities.status == \"won\")",
    },
    ForeignName {
        names: &["sumif", "sumifs"],
        instead: Instead::Aggregate(AggregateId::Sum),
        advice: "kpic sums the rows where a condition holds with `{name}(x where CONDITION)`",
        example: "sum(orders.revenue where accounts.is_key_account)",
    },
    ForeignName {
        names: &["averageif", "averageifs"],
        instead: Instead::Aggregate(AggregateId::Avg),
        advice: "kpic averages the rows where a condition holds with `{name}(x where CONDITION)`",
        example: "avg(orders.revenue where accounts.tier == \"strategic\")",
    },
    ForeignName {
        names: &["average", "mean"],
        instead: Instead::Aggregate(AggregateId::Avg),
        advice: "kpic calls the mean `{name}`",
        example: "avg(orders.revenue)",
    },
    ForeignName {
        names: &["datedif", "datediff", "date_diff"],
        instead: Instead::Function(FunctionId::DaysBetween),
        advice: "the days from one date to another are `{pattern}`",
        example: "avg(days_between(opportunities.created_on, opportunities.closed_on) where opportunities.closed_on is not missing)",
    },
    ForeignName {
        names: &["lag"],
        instead: Instead::Function(FunctionId::Previous),
        advice: "a value over the previous period is `{pattern}`",
        example: "(revenue - previous(revenue)) / previous(revenue)",
    },
];

/// The entry for a foreign function name (ignoring case).
pub fn foreign(name: &str) -> Option<&'static ForeignName> {
    let lower = name.to_ascii_lowercase();
    FOREIGN_NAMES
        .iter()
        .find(|f| f.names.contains(&lower.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_fills_in_the_builtin() {
        let help = foreign("IF").expect("IF is listed").help();
        assert!(
            help.starts_with("kpic writes a conditional as `if CONDITION then A else B`"),
            "{help}"
        );
        assert!(foreign("IfError").is_some());
        assert!(foreign("sum").is_none());
    }

    #[test]
    fn foreign_names_are_not_builtins() {
        for f in FOREIGN_NAMES {
            for name in f.names {
                assert_eq!(name.to_ascii_lowercase(), *name);
                assert!(
                    super::super::functions::function(name).is_none()
                        && super::super::aggregates::aggregate(name).is_none(),
                    "{name}"
                );
            }
        }
    }
}
