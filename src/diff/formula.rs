//! A formula's source as `kpic fmt` lays it out, so the old and new formulas of a
//! change are printed alike whatever their authors' layout.

use crate::fmt::{format_text, one_line};

/// `source` (a formula as written) in the formatter's layout: one line when it fits,
/// else broken as `kpic fmt` breaks it, continuation lines indented by two spaces.
/// Comments are dropped (they do not change meaning); a formula the formatter cannot
/// read is returned on one line as written.
pub fn formatted(source: &str) -> String {
    let flat = one_line(source);
    // The formatter lays out whole items: the formula is wrapped in a measure and read
    // back from the `formula:` field.
    let item = format!("measure m {{\n  formula: {flat}\n}}\n");
    let Ok(out) = format_text(&item) else {
        return flat;
    };
    let Some(start) = out.find("formula: ") else {
        return flat;
    };
    let body = &out[start + "formula: ".len()..];
    let body = body.strip_suffix("}\n").unwrap_or(body).trim_end();
    body.lines()
        .map(|l| l.strip_prefix("  ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_the_formatters() {
        assert_eq!(
            formatted("sum( orders.amount )   /\n  count(accounts) // why"),
            "sum(orders.amount) / count(accounts)"
        );
        assert_eq!(formatted("(unclosed"), "(unclosed");
    }
}
