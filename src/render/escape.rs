//! Text from data made safe for where it is printed: nothing in a cell of a user's
//! export may act on the terminal, a spreadsheet or a Markdown table.

/// For a terminal: control characters (ESC and the rest of C0, DEL, C1) are written as
/// visible escapes (`\u{1b}`), so a value cannot move the cursor, recolour or retitle
/// the terminal.
pub fn terminal(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// For a CSV cell of text: a value a spreadsheet would run as a formula (starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`, which
/// spreadsheets read as "this is text".
pub fn spreadsheet(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// For a Markdown table cell: `|` and `\` are escaped, line ends become spaces, and
/// control characters are escaped as for a terminal.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

/// For HTML text and attribute values (quoted with `"` or `'`): `&`, `<`, `>`, `"` and
/// `'` become character references, so a name from the catalog or a cell of the data
/// can neither open a tag nor leave an attribute.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL an HTML page may link to: only `http://` and `https://` ones (no
/// `javascript:`, `data:` or relative ones), escaped for an attribute; `None` for
/// any other text, which a page then shows as text.
pub fn http_url(url: &str) -> Option<String> {
    let trimmed = url.trim();
    let lower = trimmed.to_ascii_lowercase();
    let web = lower.starts_with("http://") || lower.starts_with("https://");
    // A control character or a space inside would let a browser read something else.
    (web && !trimmed.chars().any(|c| c.is_control() || c.is_whitespace())).then(|| html(trimmed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_are_shown_not_run() {
        assert_eq!(terminal("EMEA"), "EMEA");
        assert_eq!(terminal("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(terminal("a\u{9b}b\u{7f}"), "a\\u{9b}b\\u{7f}");
    }

    #[test]
    fn formulas_do_not_reach_a_spreadsheet() {
        for f in ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x"] {
            assert!(spreadsheet(f).starts_with('\''), "{f}");
        }
        assert_eq!(spreadsheet("EMEA"), "EMEA");
        assert_eq!(spreadsheet(""), "");
    }

    #[test]
    fn markdown_cells_stay_one_cell() {
        assert_eq!(markdown("EMEA | Europe"), "EMEA \\| Europe");
        assert_eq!(markdown("a\nb\\"), "a b\\\\");
    }

    #[test]
    fn html_text_cannot_open_a_tag_or_leave_an_attribute() {
        assert_eq!(
            html("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
        assert_eq!(html("a \"b\" & c"), "a &quot;b&quot; &amp; c");
        assert_eq!(html("EMEA"), "EMEA");
    }

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(
            http_url("https://example.org/a?b=1&c=\"2\""),
            Some("https://example.org/a?b=1&amp;c=&quot;2&quot;".to_string())
        );
        assert_eq!(http_url(" HTTP://x.org "), Some("HTTP://x.org".to_string()));
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<b>",
            "//evil.org",
            "/local",
            "https://x.org/\u{0}",
            "https://x.org/ a",
        ] {
            assert_eq!(http_url(bad), None, "{bad}");
        }
    }
}
