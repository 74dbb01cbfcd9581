//! Completion, from the text before the cursor (so it works while the item is half
//! typed): columns after `table.`, field names at the start of a field, the values a
//! field takes (category ids, units, directions, cadences, KPIs), and in formulas the
//! tables, KPIs, measures, functions and aggregates. Builtins and field names come from
//! the vocabulary tables, names from the last check's catalog.

use super::workspace::Workspace;
use crate::ir::{Cadence, Catalog, ColumnType, Direction, Unit};
use crate::vocab;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, Documentation,
};

/// The completions at the cursor.
pub fn complete(ws: &Workspace, p: CompletionParams) -> Option<CompletionResponse> {
    let at = p.text_document_position;
    let i = ws.doc_index(&at.text_document.uri)?;
    let doc = &ws.docs[i];
    let offset = doc.lines.offset(doc.text(), at.position);
    let items = at_offset(&ws.catalog, doc.text(), offset);
    Some(CompletionResponse::Array(items))
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The completions at byte `offset` of `text`.
fn at_offset(catalog: &Catalog, text: &str, offset: usize) -> Vec<CompletionItem> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    let before = prefix.trim_end_matches(is_word);
    if let Some(path) = before.strip_suffix('.') {
        let start = path.trim_end_matches(|c: char| is_word(c) || c == '.');
        return columns(catalog, &path[start.len()..]);
    }
    let Some((keyword, item_start)) = enclosing_item(text, line_start) else {
        return keywords();
    };
    if item_start == line_start {
        return Vec::new();
    }
    let depth = depth(&text[item_start..line_start + before.len()]);
    if keyword == "table" {
        let words: Vec<&str> = before.split_whitespace().collect();
        return match words.last() {
            Some(w) if w.ends_with(':') => names(
                ColumnType::NAMES,
                CompletionItemKind::TYPE_PARAMETER,
                "type",
            ),
            Some(&"unit") => names(Unit::NAMES, CompletionItemKind::UNIT, "unit"),
            _ => Vec::new(),
        };
    }
    if before.trim().is_empty() && depth == Some(0) {
        return fields(keyword);
    }
    if depth.is_none() {
        return Vec::new();
    }
    match field_of(&text[item_start..line_start + before.len()]) {
        Some("category") => catalog
            .categories
            .values()
            .map(|c| item(&c.id, CompletionItemKind::ENUM_MEMBER, &c.name, None))
            .collect(),
        Some("unit") => names(Unit::NAMES, CompletionItemKind::UNIT, "unit"),
        Some("better") => names(
            Direction::NAMES,
            CompletionItemKind::ENUM_MEMBER,
            "direction",
        ),
        Some("cadence") => names(Cadence::NAMES, CompletionItemKind::ENUM_MEMBER, "cadence"),
        Some("kpi") if keyword == "benchmark" || keyword == "target" => catalog
            .kpis
            .values()
            .map(|k| item(&k.id, CompletionItemKind::CONSTANT, &k.name, None))
            .collect(),
        Some("formula" | "breakdown") => formula_names(catalog),
        _ => Vec::new(),
    }
}

fn item(label: &str, kind: CompletionItemKind, detail: &str, doc: Option<&str>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: (!detail.is_empty()).then(|| detail.to_string()),
        documentation: doc.map(|d| Documentation::String(d.to_string())),
        ..Default::default()
    }
}

fn names(list: &[&str], kind: CompletionItemKind, detail: &str) -> Vec<CompletionItem> {
    list.iter().map(|n| item(n, kind, detail, None)).collect()
}

/// The item keywords, at the top level of a file.
fn keywords() -> Vec<CompletionItem> {
    vocab::ITEM_KINDS
        .iter()
        .map(|k| item(k.keyword, CompletionItemKind::KEYWORD, "item", Some(k.doc)))
        .collect()
}

/// The fields of an item kind, its documentation attributes after them.
fn fields(keyword: &str) -> Vec<CompletionItem> {
    let Some(kind) = vocab::ITEM_KINDS.iter().find(|k| k.keyword == keyword) else {
        return Vec::new();
    };
    let mut out: Vec<CompletionItem> = kind
        .fields
        .iter()
        .map(|f| {
            let detail = if f.required { "required" } else { "optional" };
            item(f.name, CompletionItemKind::FIELD, detail, Some(f.doc))
        })
        .collect();
    if kind.documented {
        out.extend(
            vocab::ATTRIBUTES
                .iter()
                .map(|a| item(a.field, CompletionItemKind::FIELD, a.heading, Some(a.doc))),
        );
    }
    out
}

/// The columns (and relations on several columns) of the table `path` names:
/// `orders` or `orders.relation...`.
fn columns(catalog: &Catalog, path: &str) -> Vec<CompletionItem> {
    let mut words = path.split('.');
    let Some(mut table) = words.next().and_then(|t| catalog.tables.get(t)) else {
        return Vec::new();
    };
    for hop in words {
        let next = table
            .columns
            .get(hop)
            .and_then(|c| c.relation.as_deref())
            .or_else(|| {
                table
                    .relations
                    .iter()
                    .find(|r| r.name == hop)
                    .map(|r| r.target.as_str())
            });
        match next.and_then(|n| catalog.tables.get(n)) {
            Some(t) => table = t,
            None => return Vec::new(),
        }
    }
    let mut out: Vec<CompletionItem> = table
        .columns
        .values()
        .map(|c| item(&c.name, CompletionItemKind::FIELD, c.ty.as_str(), None))
        .collect();
    out.extend(table.relations.iter().map(|r| {
        item(
            &r.name,
            CompletionItemKind::REFERENCE,
            &format!("→ {}", r.target),
            None,
        )
    }));
    out
}

/// What a formula can name: aggregates, functions, tables, measures, KPIs.
fn formula_names(catalog: &Catalog) -> Vec<CompletionItem> {
    let mut out: Vec<CompletionItem> = vocab::AGGREGATES
        .iter()
        .map(|a| {
            item(
                a.name,
                CompletionItemKind::FUNCTION,
                &a.signature(),
                Some(a.doc),
            )
        })
        .collect();
    out.extend(vocab::FUNCTIONS.iter().map(|f| {
        item(
            f.name,
            CompletionItemKind::FUNCTION,
            &f.signature(),
            Some(f.doc),
        )
    }));
    out.extend(
        catalog
            .tables
            .keys()
            .map(|t| item(t, CompletionItemKind::CLASS, "table", None)),
    );
    out.extend(catalog.measures.values().map(|m| {
        item(
            &m.id,
            CompletionItemKind::VARIABLE,
            "measure",
            m.description.as_deref(),
        )
    }));
    out.extend(
        catalog
            .kpis
            .values()
            .map(|k| item(&k.id, CompletionItemKind::CONSTANT, &k.name, None)),
    );
    out
}

/// The keyword and start of the item the line at `line_start` is in: the nearest line
/// at or above it that starts with an item keyword, unless a line holding only `}`
/// closed it since.
fn enclosing_item(text: &str, line_start: usize) -> Option<(&'static str, usize)> {
    let mut start = line_start;
    loop {
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[start..end].trim_end();
        let earlier = start != line_start;
        if earlier && line == "}" {
            return None;
        }
        if let Some(k) = vocab::ITEM_KINDS.iter().find(|k| {
            line.strip_prefix(k.keyword)
                .is_some_and(|r| r.starts_with(' '))
        }) {
            // An item on one line above the cursor is closed already.
            return (!(earlier && line.ends_with('}'))).then_some((k.keyword, start));
        }
        if start == 0 {
            return None;
        }
        start = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
    }
}

/// The bracket depth at the end of `text` (an item from its keyword on), `{` not
/// counted, strings and comments skipped; `None` inside a string or a text block.
fn depth(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '/' if text[i..].starts_with("//") => match text[i..].find('\n') {
                Some(n) => {
                    while chars.peek().is_some_and(|(j, _)| *j < i + n) {
                        chars.next();
                    }
                }
                None => return Some(depth),
            },
            '"' => {
                let quote = if text[i..].starts_with("\"\"\"") {
                    "\"\"\""
                } else {
                    "\""
                };
                let body = i + quote.len();
                let close = if quote == "\"" {
                    // An escaped quote does not close a string.
                    let mut k = body;
                    loop {
                        match text[k..].find(['"', '\\']) {
                            Some(n) if text[k + n..].starts_with('\\') => {
                                // Past the backslash and the character it escapes.
                                let escaped = text[k + n + 1..].chars().next();
                                k += n + 1 + escaped.map_or(0, char::len_utf8);
                            }
                            Some(n) => break Some(k + n),
                            None => break None,
                        }
                        if k >= text.len() {
                            break None;
                        }
                    }
                } else {
                    text[body..].find(quote).map(|n| body + n)
                };
                let end = close? + quote.len();
                while chars.peek().is_some_and(|(j, _)| *j < end) {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    Some(depth)
}

/// The field whose value the end of `text` (an item from its keyword on) is in: the
/// last `NAME:` at bracket depth 0 outside strings.
fn field_of(text: &str) -> Option<&str> {
    let mut last = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(n) = text[i..].find(':') {
        let colon = i + n;
        let name_start = text[..colon].trim_end_matches(is_word).len();
        let name = &text[name_start..colon];
        let starts_field =
            name_start == 0 || matches!(bytes[name_start - 1], b' ' | b'\t' | b'\n' | b'{' | b'\r');
        if !name.is_empty() && starts_field && depth(&text[..name_start]) == Some(0) {
            last = Some(name);
        }
        i = colon + 1;
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_skips_strings_and_comments() {
        assert_eq!(depth("kpi x {\n  formula: sum(a"), Some(1));
        assert_eq!(depth("kpi x {\n  name: \"(\" // (\n"), Some(0));
        assert_eq!(depth("kpi x {\n  definition: \"\"\"\n  ("), None);
        assert_eq!(depth("kpi x {\n  name: \"a\\\"(\"\n"), Some(0));
    }

    #[test]
    fn field_of_finds_the_last_field() {
        assert_eq!(field_of("kpi x {\n  name: \"a:b\"\n  unit: "), Some("unit"));
        assert_eq!(
            field_of("kpi x {\n  formula: sum(a where b)\n    / "),
            Some("formula")
        );
    }
}
