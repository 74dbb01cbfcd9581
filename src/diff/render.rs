//! A diff report as text: for a terminal ([`human`]) and as Markdown for a
//! pull-request comment ([`markdown`]). JSON is the report serialised as it is.

use super::report::{Change, Class, ItemKind, Report, Status, path_text};
use crate::render::escape;
use std::fmt::Write;

fn status(c: &Change) -> &'static str {
    match c.status {
        Status::Added => "added",
        Status::Removed => "removed",
        Status::Renamed => "renamed",
        Status::Changed => "changed",
    }
}

/// Counts per class, and the affected KPIs, in one sentence.
fn summary(r: &Report) -> String {
    let count = |class| r.changes.iter().filter(|c| c.class == class).count();
    let kpis = r
        .affected
        .iter()
        .filter(|a| a.item == ItemKind::Kpi)
        .count();
    if r.changes.is_empty() {
        let mut s = String::from("no change: the two catalogs mean the same");
        s.push_str(&tests_summary(r));
        return s;
    }
    let mut parts = Vec::new();
    for (class, one, many) in [
        (Class::Formula, "formula change", "formula changes"),
        (Class::Output, "metadata change", "metadata changes"),
        (
            Class::Documentation,
            "documentation-only change",
            "documentation-only changes",
        ),
        (
            Class::None,
            "change without semantic effect",
            "changes without semantic effect",
        ),
    ] {
        let n = count(class);
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    let mut s = parts.join(", ");
    let _ = write!(
        s,
        "; {kpis} other KPI{} affected",
        if kpis == 1 { "" } else { "s" }
    );
    if !r.has_semantic() {
        s.push_str(" (no semantic change)");
    }
    s.push_str(&tests_summary(r));
    s
}

/// `; 3 test cases added, removed or changed`, or nothing.
fn tests_summary(r: &Report) -> String {
    match r.test_changes.len() {
        0 => String::new(),
        1 => "; 1 test case added, removed or changed".into(),
        n => format!("; {n} test cases added, removed or changed"),
    }
}

fn test_status(s: Status) -> &'static str {
    match s {
        Status::Added => "added",
        Status::Removed => "removed",
        Status::Renamed => "renamed",
        Status::Changed => "changed",
    }
}

/// The report for a terminal.
pub fn human(r: &Report) -> String {
    let t = escape::terminal;
    let mut o = String::new();
    let _ = writeln!(o, "kpic diff {} → {}", t(&r.old), t(&r.new));
    let _ = writeln!(o, "{}", summary(r));
    if !r.changes.is_empty() {
        let _ = writeln!(o, "\nChanges:");
    }
    for c in &r.changes {
        let _ = writeln!(o, "  {} — {}, {}", t(&c.name()), status(c), c.class.label());
        for d in &c.details {
            let _ = writeln!(o, "      {}", t(&d.text));
        }
        if let Some(f) = &c.formula {
            let _ = writeln!(o, "      old: {}", t(&f.old).replace('\n', "\n           "));
            let _ = writeln!(o, "      new: {}", t(&f.new).replace('\n', "\n           "));
        }
    }
    if !r.affected.is_empty() {
        let _ = writeln!(o, "\nAffected:");
        for a in &r.affected {
            let _ = writeln!(o, "  {}", t(&a.path_text()));
        }
    }
    if !r.tests.is_empty() {
        let _ = writeln!(o, "\nTests affected:");
        for test in &r.tests {
            let n = test.cases.len();
            let _ = writeln!(
                o,
                "  {}: {n} case{} of {} ({})",
                t(&test.file),
                if n == 1 { "" } else { "s" },
                t(&test.target),
                t(&path_text(&test.path))
            );
        }
    }
    if !r.test_changes.is_empty() {
        let _ = writeln!(o, "\nTests changed:");
        for c in &r.test_changes {
            let _ = writeln!(
                o,
                "  {}: case {:?} of {} — {}",
                t(&c.file),
                t(&c.case),
                t(&c.target),
                test_status(c.status)
            );
        }
    }
    if let Some(v) = &r.values {
        let _ = writeln!(o, "\nValues ({}):", t(&v.period));
        let header = ["KPI", "group", "old", "new", "difference"];
        let cells: Vec<[String; 5]> = v
            .rows
            .iter()
            .map(|r| [&r.kpi, &r.group, &r.old, &r.new, &r.difference].map(|s| t(s)))
            .collect();
        let width = |i: usize| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..5).map(width).collect();
        let line = |cells: [&str; 5]| {
            let mut s = String::from(" ");
            for (i, c) in cells.iter().enumerate() {
                let pad = widths[i].saturating_sub(c.chars().count());
                // Text left, numbers right.
                if i < 2 {
                    let _ = write!(s, " {c}{}", " ".repeat(pad));
                } else {
                    let _ = write!(s, " {}{c}", " ".repeat(pad));
                }
            }
            s.trim_end().to_string()
        };
        let _ = writeln!(o, "{}", line(header));
        for c in &cells {
            let _ = writeln!(
                o,
                "{}",
                line([&c[0], &c[1], &c[2], &c[3], &c[4]].map(|s| s.as_str()))
            );
        }
        for n in &v.notes {
            let _ = writeln!(o, "  not computed: {}", t(n));
        }
    }
    o
}

/// The report as Markdown, for a pull-request comment.
pub fn markdown(r: &Report) -> String {
    let m = escape::markdown;
    let mut o = String::new();
    let _ = writeln!(o, "### kpic diff `{}` → `{}`\n", code(&r.old), code(&r.new));
    let _ = writeln!(o, "{}.", summary(r));
    if !r.changes.is_empty() {
        let _ = writeln!(o, "\n| item | change | class | what |\n|---|---|---|---|");
        for c in &r.changes {
            let what: Vec<String> = c.details.iter().map(|d| m(&d.text)).collect();
            let _ = writeln!(
                o,
                "| `{}` | {} | {} | {} |",
                code(&c.name()),
                status(c),
                c.class.label(),
                what.join("<br>")
            );
        }
        for c in &r.changes {
            if let Some(f) = &c.formula {
                let _ = writeln!(
                    o,
                    "\n`{}` before:\n```\n{}\n```\nafter:\n```\n{}\n```",
                    code(&c.name()),
                    fence(&f.old),
                    fence(&f.new)
                );
            }
        }
    }
    if !r.affected.is_empty() {
        let _ = writeln!(o, "\n**Affected**\n");
        for a in &r.affected {
            let _ = writeln!(o, "- `{}`", code(&a.path_text()));
        }
    }
    if !r.tests.is_empty() {
        let _ = writeln!(o, "\n**Tests affected**\n");
        for t in &r.tests {
            let _ = writeln!(
                o,
                "- `{}`: {} case{} of `{}`",
                code(&t.file),
                t.cases.len(),
                if t.cases.len() == 1 { "" } else { "s" },
                code(&t.target)
            );
        }
    }
    if !r.test_changes.is_empty() {
        let _ = writeln!(o, "\n**Tests changed**\n");
        for c in &r.test_changes {
            let _ = writeln!(
                o,
                "- `{}`: case “{}” of `{}` — {}",
                code(&c.file),
                m(&c.case),
                code(&c.target),
                test_status(c.status)
            );
        }
    }
    if let Some(v) = &r.values {
        let _ = writeln!(
            o,
            "\n**Values ({})**\n\n| KPI | group | old | new | difference |\n|---|---|--:|--:|--:|",
            m(&v.period)
        );
        for row in &v.rows {
            let _ = writeln!(
                o,
                "| `{}` | {} | {} | {} | {} |",
                code(&row.kpi),
                m(&row.group),
                m(&row.old),
                m(&row.new),
                m(&row.difference)
            );
        }
        for n in &v.notes {
            let _ = writeln!(o, "\nNot computed: {}", m(n));
        }
    }
    o
}

/// Text inside a code span: backticks (which would end it) and pipes (which would
/// end a table cell) replaced.
fn code(text: &str) -> String {
    text.replace('`', "'").replace('|', "¦").replace('\n', " ")
}

/// Text inside a fenced block: a line of three backticks would close it.
fn fence(text: &str) -> String {
    text.replace("```", "'''")
}
