//! The vocabulary of the language, named once: operators, scalar functions, aggregates,
//! the documentation attributes and the item kinds, each a plain public table with
//! its documentation.
//!
//! Everything that needs a builtin's or an attribute's name reads it here: the checker
//! (which calls exist, their arity, what they accept and yield), its "did you mean"
//! lists, `kpic explain`, and `show`, `search` and `export` for the attributes. A
//! language server's completion and hover are meant to read the same tables. The
//! syntax tree and the IR both use [`BinaryOp`] and [`UnaryOp`] from here, so
//! evaluation and SQL generation do not depend on the parser's types.
//!
//! This module depends on nothing else in the crate.

pub mod aggregates;
pub mod attributes;
pub mod foreign;
pub mod functions;
pub mod items;
pub mod operators;

pub use aggregates::{AGGREGATES, AggregateId, AggregateInfo, aggregate};
pub use attributes::{ATTRIBUTES, Attribute, AttributeInfo, Shape, attribute};
pub use foreign::{FOREIGN_NAMES, ForeignName, foreign};
pub use functions::{
    ArgKind, Arity, FUNCTIONS, FunctionId, FunctionInfo, Param, ResultRule, function,
};
pub use items::{ITEM_KINDS, ItemKind, ItemKindInfo, SEVERITIES, Severity, SeverityInfo};
pub use operators::{BinaryOp, OPERATORS, Operator, OperatorInfo, UnaryOp};

/// A builtin of the language: what `kpic explain NAME` explains.
#[derive(Debug, Clone, Copy)]
pub enum Builtin {
    Operator(&'static OperatorInfo),
    Function(&'static FunctionInfo),
    Aggregate(&'static AggregateInfo),
}

/// The builtins written `name`: a function or aggregate by name, operators by symbol
/// or word (`-` is both subtraction and negation; `is` finds both `is missing` forms).
pub fn builtins_named(name: &str) -> Vec<Builtin> {
    let name = name.trim();
    let mut out: Vec<Builtin> = Vec::new();
    out.extend(function(name).map(Builtin::Function));
    out.extend(aggregate(name).map(Builtin::Aggregate));
    out.extend(
        OPERATORS
            .iter()
            .filter(|o| {
                let symbol = o.op.symbol();
                symbol == name || (name == "is" && symbol.starts_with("is "))
            })
            .map(Builtin::Operator),
    );
    out
}

/// The name of every function and aggregate, aggregates first (for "did you mean" and
/// completion).
pub fn call_names() -> impl Iterator<Item = &'static str> + Clone {
    AGGREGATES
        .iter()
        .map(|a| a.name)
        .chain(FUNCTIONS.iter().map(|f| f.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = call_names().collect();
        names.sort_unstable();
        let len = names.len();
        names.dedup();
        assert_eq!(names.len(), len);
        assert_eq!(builtins_named("-").len(), 2);
        assert_eq!(builtins_named("is").len(), 2);
        assert!(matches!(builtins_named("sum")[..], [Builtin::Aggregate(_)]));
    }

    /// Every example in the tables is a formula that checks without error against
    /// the shipped catalog, so the documentation cannot drift from the language.
    #[test]
    fn examples_check_against_the_catalog() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("kpis");
        let mut texts: Vec<(String, String)> = std::fs::read_dir(&dir)
            .expect("kpis/ is readable")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "kpi"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).expect("catalog file is UTF-8");
                (p.display().to_string(), text)
            })
            .collect();
        let examples = OPERATORS
            .iter()
            .map(|o| o.example)
            .chain(FUNCTIONS.iter().map(|f| f.example))
            .chain(AGGREGATES.iter().map(|a| a.example))
            .chain(FOREIGN_NAMES.iter().map(|f| f.example));
        let measures: String = examples
            .enumerate()
            .map(|(i, e)| format!("measure vocab_example_{i} {{\n  formula: {e}\n}}\n"))
            .collect();
        texts.push(("examples.kpi".into(), measures));
        let checked = crate::check_texts(texts.iter().map(|(n, t)| (n.as_str(), t.as_str())));
        let errors: Vec<String> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}
