//! Aligned text tables for the terminal (results of `kpic eval`, `kpic list`): columns
//! measured by display width (`€`, accents, CJK), numbers right-aligned, and, given a
//! width, long text cells cut with `…` so that every row stays one line and no number
//! is ever broken.

use comfy_table::{
    Cell, CellAlignment, ColumnConstraint, ContentArrangement, Row, Table, TableStyle, Width,
};
use unicode_width::UnicodeWidthStr;

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
    // A number column keeps its numbers and header whole; a missing value's reason in
    // it (`— (no target for 2025-Q3)`) is text, cut like any other.
    let whole: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .filter(|c| !c.starts_with('—'))
                .map(|c| UnicodeWidthStr::width(c.as_str()))
                .chain([UnicodeWidthStr::width(header[i])])
                .max()
                .unwrap_or(0)
        })
        .collect();
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
            let keep = whole.get(i).copied().unwrap_or(0);
            if keep >= content.get(i).copied().unwrap_or(0) as usize {
                column.set_constraint(ColumnConstraint::ContentWidth);
            } else {
                let keep = u16::try_from(keep).unwrap_or(u16::MAX).saturating_add(GAP);
                column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(keep)));
            }
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

/// `table` (from [`aligned`]) with the cells of column `column` passed through
/// `colour` (which adds escape codes of no width on screen), found under the column's
/// header; cells are never cut at such a column's width (a status word).
pub fn colour_column(table: &str, column: usize, colour: fn(&str) -> String) -> String {
    let mut lines = table.lines();
    let Some(head) = lines.next() else {
        return table.to_string();
    };
    // The header's display column where the column starts: the start of its name, the
    // column-th run of text separated by the gap.
    let Some(start) = column_start(head, column) else {
        return table.to_string();
    };
    let mut out = format!("{head}\n");
    for line in lines {
        let at = byte_at(line, start);
        let (before, rest) = line.split_at(at);
        let end = rest.find(' ').unwrap_or(rest.len());
        let (word, after) = rest.split_at(end);
        out.push_str(before);
        out.push_str(&colour(word));
        out.push_str(after);
        out.push('\n');
    }
    out
}

/// The display column where header name number `column` starts.
fn column_start(head: &str, column: usize) -> Option<usize> {
    let mut display = 0;
    let mut seen = 0;
    let mut previous = ' ';
    let mut spaces = 2;
    for c in head.chars() {
        if c != ' ' && (display == 0 || (previous == ' ' && spaces >= GAP as usize)) {
            if seen == column {
                return Some(display);
            }
            seen += 1;
        }
        spaces = if c == ' ' { spaces + 1 } else { 0 };
        previous = c;
        display += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    }
    None
}

/// The byte offset in `line` of display column `column` (the end when shorter).
fn byte_at(line: &str, column: usize) -> usize {
    let mut display = 0;
    for (i, c) in line.char_indices() {
        if display >= column {
            return i;
        }
        display += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    }
    line.len()
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
