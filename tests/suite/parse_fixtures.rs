//! Parse snapshots: every `.kpi` file under `tests/fixtures/parse/` is parsed and its
//! syntax tree pinned as YAML with spans removed (spans are checked separately: they
//! must nest and stay inside the source).

use kpic::source::FileId;
use serde_json::Value;

fn strip_spans(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|k, _| k != "span" && k != "op_span");
            map.values_mut().for_each(strip_spans);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_spans),
        _ => {}
    }
}

/// Every span of the tree lies within the source and inside its parent's span.
fn check_spans(v: &Value, parent: (u64, u64), len: u64) {
    let mut bounds = parent;
    if let Some(span) = v.get("span") {
        let start = span["start"].as_u64().unwrap_or(0);
        let end = span["end"].as_u64().unwrap_or(0);
        assert!(
            start <= end && end <= len,
            "span {start}..{end} outside source of {len} bytes"
        );
        assert!(
            parent.0 <= start && end <= parent.1,
            "span {start}..{end} escapes its parent {parent:?}"
        );
        bounds = (start, end);
    }
    match v {
        Value::Object(map) => map.values().for_each(|c| check_spans(c, bounds, len)),
        Value::Array(items) => items.iter().for_each(|c| check_spans(c, bounds, len)),
        _ => {}
    }
}

#[test]
fn parse_fixtures() {
    insta::glob!("../fixtures", "parse/*.kpi", |path| {
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        let (file, diags) = kpic::syntax::parse_file(FileId(0), &text);
        assert!(diags.is_empty(), "{diags:?}");
        let mut tree = serde_json::to_value(&file).expect("AST serialises");
        check_spans(&tree, (0, text.len() as u64), text.len() as u64);
        strip_spans(&mut tree);
        insta::assert_yaml_snapshot!(tree);
    });
}
