//! Nasty inputs: none may panic, hang or overflow the stack, and each must produce a
//! diagnostic (or a clean result) rather than a crash. The tests run on the default
//! 2 MiB test-thread stack, smaller than the binary's, on purpose.

use kpic::Code;

fn codes(text: &str) -> Vec<Code> {
    let checked = kpic::check_texts([("nasty.kpi", text)]);
    checked.diagnostics.iter().map(|d| d.code).collect()
}

fn chain(n: usize, cyclic: bool) -> String {
    let mut s = String::from("table t { x: money }\n");
    for i in 0..n {
        let formula = if i == 0 {
            if cyclic {
                format!("m{}", n - 1)
            } else {
                "sum(t.x)".to_string()
            }
        } else {
            format!("m{} + sum(t.x)", i - 1)
        };
        s.push_str(&format!("measure m{i} {{ formula: {formula} }}\n"));
    }
    s
}

#[test]
fn empty_and_blank_files_are_clean() {
    for text in ["", "   \n\t\r\n", "// only a comment", "\u{feff}"] {
        let c = codes(text);
        assert!(c.iter().all(|c| *c == Code::Syntax), "{text:?}: {c:?}");
    }
    assert!(codes("").is_empty());
}

#[test]
fn deep_nesting_is_bounded() {
    let parens = format!(
        "measure m {{ formula: {}1{} }}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    assert_eq!(codes(&parens), vec![Code::TooDeep]);
    let lists = format!("kpi k {{ tags: {} }}", "[".repeat(10_000));
    assert!(codes(&lists).contains(&Code::TooDeep));
    let ifs = format!(
        "measure m {{ formula: {}1 }}",
        "if true then 1 else ".repeat(10_000)
    );
    assert!(codes(&ifs).contains(&Code::TooDeep));
    let unclosed = format!("measure m {{ formula: {}", "(".repeat(100_000));
    assert!(codes(&unclosed).contains(&Code::TooDeep));
}

#[test]
fn long_operator_chains_are_bounded() {
    for op in [" + ", " * ", " and ", " == "] {
        let text = format!("measure m {{ formula: {} }}", vec!["1"; 100_000].join(op));
        assert_eq!(codes(&text), vec![Code::TooDeep], "{op}");
    }
    let negs = format!("measure m {{ formula: {}1 }}", "- ".repeat(50_000));
    assert_eq!(codes(&negs), vec![Code::TooDeep]);
    let nots = format!("measure m {{ formula: {}true }}", "not ".repeat(50_000));
    assert_eq!(codes(&nots), vec![Code::TooDeep]);
}

#[test]
fn ten_thousand_long_reference_chain_checks() {
    let checked = kpic::check_texts([("chain.kpi", chain(10_000, false).as_str())]);
    assert!(
        checked.diagnostics.is_empty(),
        "{:?}",
        &checked.diagnostics[..1]
    );
    assert_eq!(checked.catalog.order.len(), 10_000);
    assert_eq!(
        checked.catalog.order.first().map(String::as_str),
        Some("m0")
    );
}

#[test]
fn ten_thousand_long_cycle_is_one_diagnostic() {
    let checked = kpic::check_texts([("cycle.kpi", chain(10_000, true).as_str())]);
    let cycles: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::Cycle)
        .collect();
    assert_eq!(cycles.len(), 1);
    assert!(
        cycles[0]
            .message
            .starts_with("`m0` depends on itself: m0 -> m9999 -> m9998")
    );
}

#[test]
fn fifty_megabyte_files() {
    let comment = format!("// {}\n", "x".repeat(50 * 1024 * 1024));
    assert!(codes(&comment).is_empty());
    let garbage = "a".repeat(50 * 1024 * 1024);
    assert_eq!(codes(&garbage), vec![Code::Syntax]);
    let string = format!(
        "category c {{ name: \"{}\" }}",
        "y".repeat(50 * 1024 * 1024)
    );
    assert!(codes(&string).is_empty());
}

#[test]
fn broken_tokens_are_diagnosed() {
    let huge = format!("measure m {{ formula: {} }}", "9".repeat(400));
    let cases = [
        huge.as_str(),
        "category c { name: \"unterminated }",
        "category c { name: \"\"\"never closed }",
        "}}}}",
        "{{{{",
        "kpi",
        "kpi k",
        "kpi k {",
        "measure m { formula: 1e400 }",
        "measure m { formula: 2025-13-45 }",
        "measure m { formula: \"\\\" }",
        "measure m { formula: sum( }",
        "measure m { formula: count(where) }",
        "\0\0\0",
        "kpi k { name: \"ünïcødé 😀\" ünï: 1 }",
        "kpi k {\r\n  name: \"crlf\"\r\n}\r\n",
        "table t { x: money -> }",
        "table t { x: money unit }",
        "measure m { formula: a.b.c }",
        "measure m { formula: 1 +}",
        "measure m { formula: period }",
        "measure m { formula: count(period.start) }",
        "measure m { formula: count(t) }",
        "measure m { formula: percentile(t.x, 2) }",
    ];
    for text in cases {
        let checked = kpic::check_texts([("nasty.kpi", text)]);
        // Rendering must not panic either (spans inside the text, on char boundaries).
        let out = kpic::diagnostic::human::render(
            &checked.diagnostics,
            &checked.sources,
            kpic::diagnostic::human::Style {
                color: false,
                width: 80,
            },
        );
        let _ = kpic::diagnostic::json::render(&checked.diagnostics, &checked.sources);
        assert!(
            checked.error_count() > 0 || text.contains("crlf"),
            "{text:?} gave no error:\n{out}"
        );
    }
}

#[test]
fn invalid_utf8_file_is_reported_with_its_byte() {
    let temp = tempfile::Builder::new()
        .prefix("kpic-utf8-")
        .tempdir()
        .expect("temp dir");
    let dir = temp.path().to_path_buf();
    let path = dir.join("latin1.kpi");
    std::fs::write(&path, b"category c { name: \"caf\xe9\" }\n").expect("write");
    let checked = kpic::check_paths(std::slice::from_ref(&dir)).expect("loads");
    assert_eq!(checked.diagnostics.len(), 1);
    assert_eq!(checked.diagnostics[0].code, Code::InvalidUtf8);
    assert_eq!(checked.diagnostics[0].primary.span.start, 23);
}

/// Evaluation of deep-but-legal catalogs: a 10,000-long chain of measures read by
/// several KPIs (evaluated on rayon's worker threads, whose stacks are small), and a
/// per-row expression of 999 operators. Values by hand: the chain adds 1 per measure.
#[test]
fn long_chains_evaluate_without_overflow() {
    let mut text = String::from(
        "category c { name: \"C\" }\n\
         table accounts { account_id: text key }\n\
         table orders { order_id: text key\n account_id: text -> accounts\n order_date: date time\n revenue: money }\n",
    );
    let n = 10_000;
    for i in 0..n {
        let formula = if i == 0 {
            "sum(orders.revenue)".to_string()
        } else {
            format!("m{} + 1", i - 1)
        };
        text.push_str(&format!("measure m{i} {{ formula: {formula} }}\n"));
    }
    for k in 1..=4 {
        text.push_str(&format!(
            "kpi chain{k} {{ name: \"C{k}\" category: c unit: money better: higher formula: m{} * {k} }}\n",
            n - 1
        ));
    }
    let wide = vec!["orders.revenue"; 999].join(" + ");
    text.push_str(&format!(
        "kpi wide {{ name: \"W\" category: c unit: money better: higher formula: sum({wide}) }}\n"
    ));
    let checked = kpic::check_texts([("chain.kpi", text.as_str())]);
    assert_eq!(
        checked.error_count(),
        0,
        "{:?}",
        checked.diagnostics.first()
    );
    let temp = tempfile::Builder::new()
        .prefix("kpic-chain-")
        .tempdir()
        .expect("temp dir");
    let dir = temp.path();
    std::fs::write(dir.join("accounts.csv"), "account_id\nA\n").expect("write");
    std::fs::write(
        dir.join("orders.csv"),
        "order_id,account_id,order_date,revenue\no1,A,2025-05-01,2.50\n",
    )
    .expect("write");
    let data = kpic::data::load_dataset(&checked.catalog, dir).expect("loads");
    let query = kpic::query::Query {
        kpis: vec![],
        period: kpic::query::Period::parse("2025", 1).expect("period"),
        scope: kpic::query::Scope::Portfolio,
        filters: vec![],
        compare: Default::default(),
        every: None,
        groupings: vec![],
    };
    let results = kpic::eval::evaluate(&checked.catalog, &data, &query).expect("evaluates");
    let value = |id: &str| {
        results
            .rows
            .iter()
            .find(|r| &*r.kpi == id)
            .map(|r| r.value.clone())
    };
    for k in 1..=4 {
        // (2.50 + 9,999) * k
        assert_eq!(
            value(&format!("chain{k}")),
            Some(kpic::query::Output::Value((2.5 + 9_999.0) * k as f64))
        );
    }
    // 999 * 2.50, added exactly (and printed from the exact amount: 2497.5000)
    assert_eq!(
        value("wide"),
        Some(kpic::query::Output::Money(
            kpic::query::Money::from_ten_thousandths(24_975_000)
        ))
    );
}

/// SQL writes measures out in place. A chain of 40 measures that each use the one
/// before twice would be 2^40 terms: `kpic sql` refuses it at once, naming the KPI,
/// instead of running out of time or memory. The native engine computes it (each
/// measure once): 2^40 * 1.
#[test]
fn exploding_sql_is_refused_and_native_evaluation_still_works() {
    let mut text = String::from(
        "category c { name: \"C\" }\n\
         table accounts { account_id: text key }\n\
         table orders { order_id: text key\n account_id: text -> accounts\n order_date: date time\n revenue: money }\n\
         measure m0 { formula: sum(orders.revenue) }\n",
    );
    for i in 1..=40 {
        text.push_str(&format!(
            "measure m{i} {{ formula: m{p} + m{p} }}\n",
            p = i - 1
        ));
    }
    text.push_str("kpi huge { name: \"H\" category: c unit: money better: higher formula: m40 }\n");
    let checked = kpic::check_texts([("huge.kpi", text.as_str())]);
    assert_eq!(
        checked.error_count(),
        0,
        "{:?}",
        checked.diagnostics.first()
    );
    let period = kpic::query::Period::parse("2025", 1).expect("period");
    let req = kpic::sql::SqlRequest {
        kpis: vec![],
        period,
        scope: kpic::query::Scope::Portfolio,
        filters: vec![],
        compare: Default::default(),
        every: None,
        groupings: vec![],
        dialect: kpic::sql::Dialect::Postgres,
        names: Default::default(),
    };
    let err = kpic::sql::compile_query(&checked.catalog, &req).expect_err("refused");
    assert!(err.0.contains("KPI `huge` is too large for SQL"), "{err}");
    let temp = tempfile::Builder::new()
        .prefix("kpic-huge-")
        .tempdir()
        .expect("temp dir");
    let dir = temp.path();
    std::fs::write(dir.join("accounts.csv"), "account_id\nA\n").expect("write");
    std::fs::write(
        dir.join("orders.csv"),
        "order_id,account_id,order_date,revenue\no1,A,2025-05-01,1\n",
    )
    .expect("write");
    let data = kpic::data::load_dataset(&checked.catalog, dir).expect("loads");
    let query = kpic::query::Query {
        kpis: vec![],
        period,
        scope: kpic::query::Scope::Portfolio,
        filters: vec![],
        compare: Default::default(),
        every: None,
        groupings: vec![],
    };
    let results = kpic::eval::evaluate(&checked.catalog, &data, &query).expect("evaluates");
    // 2^40 * 1.0000, exactly
    assert_eq!(
        results.rows[0].value,
        kpic::query::Output::Money(kpic::query::Money::from_ten_thousandths(
            (1i128 << 40) * 10_000
        ))
    );
    // `--explain` writes each measure out once: 1 line for the formula `m40`, then for
    // each of m40..m1 its `+` and its two references (3 x 40), then m0's `sum(...)`.
    let lines = kpic::eval::explain(&checked.catalog, &data, &query, "huge")
        .expect("explains")
        .lines;
    assert_eq!(lines.len(), 1 + 3 * 40 + 1, "{lines:#?}");
}
