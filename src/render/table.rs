//! Aligned text tables for the terminal (results of `kpic eval`, `kpic list`): columns
//! measured by display width (`€`, accents, CJK), numbers right-aligned, and, given a
//! width, long text cells cut with `…` so that every row stays one line and no number
//! is ever broken.

use comfy_table::{
    Cell, CellAlignment, ColumnConstraint, ContentArrangement, Row, Table, TableStyle, Width,
};

/// Two spaces between columns, as the table always had.
const GAP: u16 = 2;

/// The fewest characters a cut text column keeps (fewer when its text is shorter).
const MIN_TEXT: u16 = 8;

/// The table of `header` and `rows` (cells already escaped for a terminal), each line
/// without trailing spaces. `number(i)` says whether column `i` holds numbers (right-
/// aligned, never cut). `width`: the terminal's columns to fit in; `None` for no limit
/// (output to a file or a pipe keeps every cell whole).
pub fn aligned(
    header: &[&str],
    rows: Vec<Vec<String>>,
    number: impl Fn(usize) -> bool,
    width: Option<u16>,
) -> String {
    let mut table = Table::new();
    table.load_style(TableStyle::new());
    let mut head = Row::from(header.to_vec());
    head.max_height(1);
    table.set_header(head);
    for cells in rows {
        let mut row = Row::from(cells.into_iter().map(Cell::new).collect::<Vec<_>>());
        // One line per row: a cell too long for the width is cut, not wrapped.
        row.max_height(1);
        table.add_row(row);
    }
    match width {
        Some(w) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(w);
            table.set_truncation_indicator("…");
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    let content = table.column_max_content_widths();
    for (i, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, GAP));
        if number(i) {
            column.set_cell_alignment(CellAlignment::Right);
            column.set_constraint(ColumnConstraint::ContentWidth);
        } else {
            // Text is cut, but keeps a few characters to be recognised by.
            let keep = content.get(i).copied().unwrap_or(0).min(MIN_TEXT) + GAP;
            column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(keep)));
        }
    }
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The width the tables of standard output fit in: `KPIC_TABLE_WIDTH` when set (the
/// test suite's hook for a narrow terminal), else the terminal's (`COLUMNS` first, as
/// shells export it), else `None` when standard output is not a terminal.
pub fn stdout_width() -> Option<u16> {
    use std::io::IsTerminal;
    let from_env = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<u16>().ok())
            .filter(|w| *w > 0)
    };
    if let Some(w) = from_env("KPIC_TABLE_WIDTH") {
        return Some(w);
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    from_env("COLUMNS")
        .or_else(|| terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| w.0))
}
