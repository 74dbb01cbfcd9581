//! `kpic explain NAME`: the long explanation of a diagnostic code, or what the
//! vocabulary says of a builtin (operator, function, aggregate), an item kind or a
//! documentation attribute; `kpic explain builtins` lists the builtins.

use super::catalog_args::{emit, pad, wrap};
use super::usage_error;
use kpic::Code;
use kpic::diagnostic::did_you_mean;
use kpic::vocab::{
    self, AGGREGATES, ATTRIBUTES, AggregateInfo, AttributeInfo, Builtin, FUNCTIONS, FunctionInfo,
    ITEM_KINDS, ItemKind, OPERATORS, OperatorInfo, Param, ResultRule,
};
use std::fmt::Write;

/// The word that lists the builtins.
const BUILTINS: &str = "builtins";

/// Arguments of `kpic explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A diagnostic code such as K0201, a builtin such as `sum`, `coalesce`, `/` or
    /// `if`, an item kind such as `kpi`, a documentation attribute such as `tips`, or
    /// `builtins` to list the builtins (omit to list every code).
    #[arg(value_name = "NAME")]
    pub code: Option<String>,
}

/// Runs `kpic explain`.
pub fn run(args: Args) -> u8 {
    let Some(text) = args.code else {
        let list: String = Code::ALL
            .iter()
            .map(|code| format!("{}  {}\n", code, code.title()))
            .collect();
        // Standard output stays the list of codes alone; the hint goes to the terminal.
        eprintln!(
            "`kpic explain {BUILTINS}` lists the operators, functions and aggregates; `kpic explain NAME` explains one"
        );
        return emit(&list);
    };
    if let Some(code) = Code::parse(&text) {
        return emit(&format!(
            "{code}: {}\n\n{}\n",
            code.title(),
            code.explanation()
        ));
    }
    let name = text.trim();
    if name == BUILTINS {
        return emit(&builtins_list());
    }
    let builtins = vocab::builtins_named(name);
    if !builtins.is_empty() {
        let pages: Vec<String> = builtins.into_iter().map(builtin_page).collect();
        return emit(&pages.join("\n"));
    }
    if let Some(kind) = ItemKind::from_keyword(name) {
        return emit(&item_page(kind));
    }
    if let Some(attribute) = vocab::attribute(name) {
        return emit(&attribute_page(attribute));
    }
    if let Some(foreign) = vocab::foreign(name) {
        return emit(&format!(
            "`{name}` is not part of the kpic language: {}\n",
            foreign.help()
        ));
    }
    let mut message = format!(
        "`{text}` is not a kpic diagnostic code or builtin; run `kpic explain` to list the codes, `kpic explain {BUILTINS}` the builtins"
    );
    let known = vocab::call_names()
        .chain(ItemKind::keywords())
        .chain(ATTRIBUTES.iter().map(|a| a.field));
    if let Some(hint) = did_you_mean(name, known) {
        write!(message, "\nhelp: {hint}").unwrap();
    }
    usage_error(message)
}

/// Every builtin, one line each, by kind.
fn builtins_list() -> String {
    let mut rows: Vec<(&str, String, &str)> = Vec::new();
    for o in OPERATORS {
        rows.push(("Operators", o.op.pattern(), o.doc));
    }
    for f in FUNCTIONS {
        rows.push(("Functions", f.signature(), f.doc));
    }
    for a in AGGREGATES {
        rows.push(("Aggregates", a.signature(), a.doc));
    }
    let width = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    let mut heading = "";
    for (group, pattern, doc) in rows {
        if group != heading {
            if !heading.is_empty() {
                out.push('\n');
            }
            writeln!(out, "{group}").unwrap();
            heading = group;
        }
        let first = format!("  {}  ", pad(&pattern, width));
        out.push_str(&wrap(doc, &first, &" ".repeat(width + 4)));
        out.push('\n');
    }
    out
}

/// What `kpic explain NAME` prints for one builtin.
fn builtin_page(builtin: Builtin) -> String {
    match builtin {
        Builtin::Operator(o) => operator_page(o),
        Builtin::Function(f) => function_page(f),
        Builtin::Aggregate(a) => aggregate_page(a),
    }
}

/// A title, the one-line doc, then labelled lines.
fn page(title: &str, what: &str, doc: &str, facts: &[(&str, String)]) -> String {
    let mut out = format!("{title}  ({what})\n\n{}\n\n", wrap(doc, "", ""));
    let width = facts.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    for (label, value) in facts {
        let first = format!("  {}  ", pad(label, width));
        out.push_str(&wrap(value, &first, &" ".repeat(width + 4)));
        out.push('\n');
    }
    out
}

fn operator_page(o: &OperatorInfo) -> String {
    page(
        &o.op.pattern(),
        "operator",
        o.doc,
        &[
            ("operands", o.operands.to_string()),
            ("result", o.result.to_string()),
            ("example", o.example.to_string()),
        ],
    )
}

/// A parameter line: its name and what it must be.
fn param_facts(params: &[Param]) -> Vec<(&'static str, String)> {
    params
        .iter()
        .map(|p| (p.name, p.kind.describe().to_string()))
        .collect()
}

fn result_text(rule: ResultRule) -> String {
    rule.describe().to_string()
}

fn function_page(f: &FunctionInfo) -> String {
    let mut facts = param_facts(f.params);
    facts.push(("result", result_text(f.result)));
    facts.push(("example", f.example.to_string()));
    page(&f.signature(), "function", f.doc, &facts)
}

fn aggregate_page(a: &AggregateInfo) -> String {
    let mut facts = param_facts(a.params);
    facts.push(("result", result_text(a.result)));
    facts.push(("clauses", vocab::aggregates::CLAUSES.to_string()));
    facts.push(("example", a.example.to_string()));
    page(&a.signature(), "aggregate", a.doc, &facts)
}

/// An item kind: its shape and fields, and the documentation attributes it takes.
fn item_page(kind: ItemKind) -> String {
    let info = kind.info();
    let mut out = format!(
        "{0} NAME {{ ... }}  (item)\n\n{1}\n",
        info.keyword, info.doc
    );
    if !info.fields.is_empty() {
        out.push_str("\nFields (* required):\n");
        let width = info
            .fields
            .iter()
            .map(|f| f.name.len() + 2)
            .max()
            .unwrap_or(0);
        for f in info.fields {
            let name = if f.required {
                format!("{} *", f.name)
            } else {
                f.name.to_string()
            };
            writeln!(out, "  {}  {}", pad(&name, width), f.doc).unwrap();
        }
    }
    if info.documented {
        out.push_str(
            "\nDocumentation attributes (* expected of every catalog KPI, warning K0401):\n",
        );
        let width = ATTRIBUTES
            .iter()
            .map(|a| a.field.len() + 2)
            .max()
            .unwrap_or(0);
        for a in ATTRIBUTES {
            let name = if a.required {
                format!("{} *", a.field)
            } else {
                a.field.to_string()
            };
            writeln!(
                out,
                "  {}  {} ({}): {}",
                pad(&name, width),
                a.heading,
                a.shape.describe(),
                a.doc
            )
            .unwrap();
        }
    }
    let others: Vec<&str> = ITEM_KINDS
        .iter()
        .filter(|k| k.kind != kind)
        .map(|k| k.keyword)
        .collect();
    writeln!(out, "\nOther items: {}", others.join(", ")).unwrap();
    out
}

/// One documentation attribute.
fn attribute_page(a: &AttributeInfo) -> String {
    let required = if a.required {
        "expected of every catalog KPI (a missing one is warning K0401)"
    } else {
        "optional"
    };
    page(
        a.field,
        "documentation attribute of a kpi",
        a.doc,
        &[
            ("heading", a.heading.to_string()),
            ("value", a.shape.describe().to_string()),
            ("required", required.to_string()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_has_a_page_and_a_line() {
        let list = builtins_list();
        for name in vocab::call_names() {
            let pages = vocab::builtins_named(name);
            assert_eq!(pages.len(), 1, "{name}");
            let page = builtin_page(pages[0]);
            assert!(page.starts_with(&format!("{name}(")), "{page}");
            assert!(page.contains("example"), "{page}");
            assert!(list.contains(&format!("  {name}(")), "{name} not listed");
        }
        let lines = list
            .lines()
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "));
        assert_eq!(
            lines.count(),
            OPERATORS.len() + FUNCTIONS.len() + AGGREGATES.len()
        );
    }

    #[test]
    fn item_kinds_list_their_fields() {
        let kpi = item_page(ItemKind::Kpi);
        for name in ItemKind::Kpi.field_names() {
            assert!(kpi.contains(&format!("  {name}")), "{name}");
        }
        assert!(item_page(ItemKind::Table).starts_with("table NAME"));
    }
}
