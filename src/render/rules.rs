//! The rules that fired, after the values: a section per scope in the table and in
//! Markdown, extra records in CSV (JSON writes `Results::rules` as it is).

use super::escape;
use crate::query::{Results, RuleOutcome};

/// How a scope row is named: the group (`portfolio` when empty), with its grouping
/// and sub-period when the run has them.
fn scope_name(o: &RuleOutcome) -> String {
    let mut s = if o.group.is_empty() {
        "portfolio".to_string()
    } else {
        o.group.to_string()
    };
    if let Some(g) = o
        .grouping
        .as_deref()
        .filter(|g| !g.is_empty() && *g != "portfolio")
    {
        s = format!("{g} {s}");
    }
    if let Some(p) = o.period.as_deref() {
        s = format!("{s}, {p}");
    }
    s
}

/// The fired outcomes grouped by scope, in the results' order.
fn fired_by_scope(results: &Results) -> Vec<(String, Vec<&RuleOutcome>)> {
    let mut out: Vec<(String, Vec<&RuleOutcome>)> = Vec::new();
    for o in results.rules.iter().filter(|o| o.fired) {
        let name = scope_name(o);
        match out.last_mut() {
            Some((last, list)) if *last == name => list.push(o),
            _ => out.push((name, vec![o])),
        }
    }
    out
}

/// How many evaluations could not run, and the sentence that says so (empty if none).
fn not_evaluated_note(results: &Results) -> Option<String> {
    let n = results
        .rules
        .iter()
        .filter(|o| o.not_evaluated.is_some())
        .count();
    (n > 0).then(|| {
        format!(
            "{n} rule evaluation{} not run: a value {} read was missing (`--format json` says why)",
            if n == 1 { " was" } else { "s were" },
            if n == 1 { "it" } else { "they" },
        )
    })
}

/// The table's section after the values: `Rules that fired (SCOPE):` and one line per
/// rule (severity, name, id, message); nothing when no rule was evaluated.
pub fn table_section(results: &Results) -> String {
    if results.rules.is_empty() {
        return String::new();
    }
    let t = escape::terminal;
    let mut s = String::new();
    let scopes = fired_by_scope(results);
    if scopes.is_empty() {
        s.push_str("\nNo rule fired.\n");
    }
    for (scope, fired) in scopes {
        s.push_str(&format!("\nRules that fired ({}):\n", t(&scope)));
        for o in fired {
            s.push_str(&format!(
                "  {:<8}  {} ({}): {}\n",
                o.severity.word(),
                t(&o.name),
                t(&o.rule),
                t(o.message.as_deref().unwrap_or_default())
            ));
        }
    }
    if let Some(note) = not_evaluated_note(results) {
        s.push_str(&format!("\n{note}\n"));
    }
    s
}

/// The Markdown section after the values: a table of the rules that fired.
pub fn markdown_section(results: &Results) -> String {
    if results.rules.is_empty() {
        return String::new();
    }
    let m = escape::markdown;
    let scopes = fired_by_scope(results);
    let mut s = String::from("\n## Rules that fired\n\n");
    if scopes.is_empty() {
        s.push_str("No rule fired.\n");
    } else {
        s.push_str("| scope | severity | rule | message |\n|---|---|---|---|\n");
        for (scope, fired) in scopes {
            for o in fired {
                s.push_str(&format!(
                    "| {} | {} | {} (`{}`) | {} |\n",
                    m(&scope),
                    o.severity.word(),
                    m(&o.name),
                    m(&o.rule),
                    m(o.message.as_deref().unwrap_or_default())
                ));
            }
        }
    }
    if let Some(note) = not_evaluated_note(results) {
        s.push_str(&format!("\n{note}\n"));
    }
    s
}

/// Whether CSV gets the rule columns: when a rule fired.
pub fn csv_wanted(results: &Results) -> bool {
    results.rules.iter().any(|o| o.fired)
}

/// The CSV columns a fired rule fills.
pub const CSV_COLUMNS: [&str; 3] = ["rule", "severity", "rule_message"];

/// One CSV record per fired rule, in the header's layout (`head`): the scope's
/// columns and the rule's, every other cell empty.
pub fn csv_records(results: &Results, head: &[&str]) -> Vec<Vec<String>> {
    let text = |t: &str| escape::spreadsheet(t).into_owned();
    results
        .rules
        .iter()
        .filter(|o| o.fired)
        .map(|o| {
            head.iter()
                .map(|h| match *h {
                    "grouping" => text(o.grouping.as_deref().unwrap_or_default()),
                    "group" => text(&o.group),
                    "period" => text(o.period.as_deref().unwrap_or_default()),
                    "rule" => text(&o.rule),
                    "severity" => o.severity.word().to_string(),
                    "rule_message" => text(o.message.as_deref().unwrap_or_default()),
                    _ => String::new(),
                })
                .collect()
        })
        .collect()
}
