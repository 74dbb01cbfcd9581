//! Every per-row operator of the compiled engine, inside an aggregate, on a dataset
//! small enough to work out by hand (the arithmetic is in the comments). Together with
//! the SQL differential tests (which compare whole catalogs with PostgreSQL, DuckDB
//! and Spark), this pins the column kernels to the language's rules.

use kpic::eval::evaluate;
use kpic::query::{Output, Period, Query, Scope};

const MODEL: &str = r#"
category service { name: "Service" }
table accounts {
  account_id: text key
  tier: text dimension
  key: bool optional
  since: date optional
}
table tickets {
  ticket_id: text key
  account_id: text -> accounts
  opened_at: datetime time
  closed_at: datetime optional
  priority: text optional dimension
  alt_priority: text
  escalated: bool optional
  hours: number optional
  rating: number optional
}
kpi if_number { name: "x" category: service unit: number better: higher formula: sum(if tickets.escalated then tickets.hours else 0) }
kpi abs_value { name: "x" category: service unit: number better: higher formula: sum(abs(tickets.hours) where tickets.hours is not missing) }
kpi rounded { name: "x" category: service unit: number better: higher formula: sum(round(tickets.hours, 1) where tickets.hours is not missing) }
kpi least_of { name: "x" category: service unit: number better: higher formula: sum(least(tickets.hours, 4) where tickets.hours is not missing) }
kpi greatest_of { name: "x" category: service unit: number better: higher formula: sum(greatest(tickets.hours, 4) where tickets.hours is not missing) }
kpi hours_open { name: "x" category: service unit: hours better: lower formula: avg(hours_between(tickets.opened_at, tickets.closed_at) where tickets.closed_at is not missing) }
kpi text_columns_equal { name: "x" category: service unit: count better: higher formula: count(tickets where tickets.priority == tickets.alt_priority) }
kpi text_ordering { name: "x" category: service unit: count better: higher formula: count(tickets where tickets.priority < "low") }
kpi negation { name: "x" category: service unit: count better: higher formula: count(tickets where not tickets.escalated) }
kpi either { name: "x" category: service unit: count better: higher formula: count(tickets where tickets.escalated or tickets.hours > 10) }
kpi bool_equal { name: "x" category: service unit: count better: higher formula: count(tickets where tickets.escalated == false) }
kpi bool_coalesce { name: "x" category: service unit: count better: higher formula: count(tickets where coalesce(tickets.escalated, true)) }
kpi distinct_text { name: "x" category: service unit: count better: higher formula: count_distinct(tickets.priority) }
kpi distinct_via { name: "x" category: service unit: count better: higher formula: count_distinct(accounts.tier) }
kpi median_hours { name: "x" category: service unit: number better: higher formula: median(tickets.hours) }
kpi p90_hours { name: "x" category: service unit: number better: higher formula: percentile(tickets.hours, 0.9) }
kpi closing_span { name: "x" category: service unit: days better: lower formula: days_between(min(tickets.closed_at), max(tickets.closed_at)) }
kpi minus { name: "x" category: service unit: number better: higher formula: -sum(-tickets.hours where tickets.hours is not missing) }
kpi unrated { name: "x" category: service unit: count better: lower formula: count(tickets where tickets.rating is missing) }
kpi key_via { name: "x" category: service unit: count better: higher formula: count(tickets where accounts.key) }
kpi since_via { name: "x" category: service unit: count better: higher formula: count(tickets where accounts.since <= 2024-12-31) }
kpi row_division { name: "x" category: service unit: number better: higher formula: sum(tickets.hours / (tickets.rating - 4) where tickets.hours is not missing and tickets.rating is not missing) }
kpi if_text { name: "x" category: service unit: count better: higher formula: count(tickets where (if tickets.escalated then tickets.priority else tickets.alt_priority) == "high") }
kpi by_priority { name: "x" category: service unit: count better: higher breakdown: tickets.priority formula: count(tickets) }
kpi distinct_pairs { name: "x" category: service unit: count better: higher formula: count_distinct(tickets.priority, tickets.alt_priority) }
kpi distinct_via_pairs { name: "x" category: service unit: count better: higher formula: count_distinct(accounts.tier, tickets.alt_priority) }
kpi distinct_flags { name: "x" category: service unit: count better: higher formula: count_distinct(tickets.escalated, tickets.hours) }
kpi concat_filter { name: "x" category: service unit: count better: higher formula: count(tickets where tickets.priority is not missing and concat(tickets.priority, "/", tickets.alt_priority) == "low/high") }
kpi concat_missing { name: "x" category: service unit: count better: higher formula: count(tickets where concat(if tickets.escalated then "up" else missing, tickets.alt_priority) == "uphigh") }
kpi concat_distinct { name: "x" category: service unit: count better: higher formula: count_distinct(concat(accounts.tier, tickets.alt_priority)) }
kpi days_open { name: "x" category: service unit: days better: lower formula: sum(to_days(hours_between(tickets.opened_at, tickets.closed_at)) where tickets.closed_at is not missing) }
kpi hours_open_again { name: "x" category: service unit: hours better: lower formula: avg(to_hours(days_between(tickets.opened_at, tickets.closed_at)) where tickets.closed_at is not missing) }
kpi row_missing { name: "x" category: service unit: number better: higher formula: sum(if tickets.escalated then missing else tickets.hours where tickets.hours is not missing) }
kpi text_missing { name: "x" category: service unit: count better: higher formula: count_distinct(if tickets.escalated then tickets.priority else missing) }
"#;

const ACCOUNTS: &str = "account_id,tier,key,since\n\
A,strategic,true,2020-01-01\n\
B,tail,false,\n\
C,tail,,2025-06-01\n";

// In 2025: t1, t2 (23:30 on the last day still counts), t3, t4. t5 is 2024, t6 is 2026.
const TICKETS: &str = "ticket_id,account_id,opened_at,closed_at,priority,alt_priority,escalated,hours,rating\n\
t1,A,2025-01-01T08:00:00,2025-01-01T20:00:00,high,high,true,5,4\n\
t2,A,2025-12-31T23:30:00,,low,high,false,-3,\n\
t3,B,2025-03-10T10:00:00,2025-03-11T10:00:00,,low,,0,2\n\
t4,C,2025-07-01T00:00:00,2025-07-01T06:00:00,medium,medium,true,12.345,5\n\
t5,B,2024-12-31T23:59:00,2025-01-01T01:00:00,high,high,true,100,1\n\
t6,C,2026-01-01T00:00:00,,high,high,true,7,3\n";

/// A folder per call (the tests run in parallel in one process), removed when dropped.
fn dataset() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("kpic-kernels-")
        .tempdir()
        .expect("temp dir");
    std::fs::write(dir.path().join("accounts.csv"), ACCOUNTS).expect("write");
    std::fs::write(dir.path().join("tickets.csv"), TICKETS).expect("write");
    dir
}

/// (kpi, group, breakdown) -> value, for 2025.
fn eval(scope: Scope) -> Vec<(String, String, Option<String>, Output)> {
    let checked = kpic::check_texts([("model.kpi", MODEL)]);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == kpic::diagnostic::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let data = kpic::data::load_dataset(&checked.catalog, dataset().path()).expect("loads");
    let q = Query {
        kpis: vec![],
        period: Period::parse("2025", 1).expect("period"),
        scope,
        filters: vec![],
        compare: Default::default(),
        every: None,
        groupings: vec![],
    };
    evaluate(&checked.catalog, &data, &q)
        .expect("evaluates")
        .rows
        .into_iter()
        .map(|r| (r.kpi.to_string(), r.group.to_string(), r.breakdown, r.value))
        .collect()
}

fn get(rows: &[(String, String, Option<String>, Output)], kpi: &str, group: &str) -> f64 {
    let row = rows
        .iter()
        .find(|r| r.0 == kpi && r.1 == group && r.2.is_none())
        .unwrap_or_else(|| panic!("no row for {kpi} / {group}"));
    match &row.3 {
        Output::Value(v) => *v,
        Output::Money(m) => m.to_f64(),
        Output::Missing(why) => panic!("{kpi} / {group} is missing: {why}"),
    }
}

fn close(rows: &[(String, String, Option<String>, Output)], kpi: &str, want: f64) {
    let got = get(rows, kpi, "");
    assert!((got - want).abs() < 1e-9, "{kpi}: got {got}, want {want}");
}

#[test]
fn every_row_operator_by_hand() {
    let rows = eval(Scope::Portfolio);
    // t1 escalated: 5; t2 not: 0; t3 escalated is missing, so the `if` is missing and
    // skipped; t4: 12.345. 5 + 0 + 12.345
    close(&rows, "if_number", 17.345);
    // 5 + 3 + 0 + 12.345
    close(&rows, "abs_value", 20.345);
    // 5 + (-3) + 0 + 12.3
    close(&rows, "rounded", 14.3);
    // least(h, 4): 4, -3, 0, 4
    close(&rows, "least_of", 5.0);
    // greatest(h, 4): 5, 4, 4, 12.345
    close(&rows, "greatest_of", 25.345);
    // t1 08:00 -> 20:00 = 12 h; t2 not closed (skipped); t3 24 h; t4 6 h: (12+24+6)/3
    let hours = get(&rows, "hours_open", "");
    assert!((hours - 14.0).abs() < 1e-6, "hours_open {hours}");
    // t1 high == high, t4 medium == medium; t2 differs; t3 is missing (not true)
    close(&rows, "text_columns_equal", 2.0);
    // only "high" sorts before "low" ("medium" after, t3 missing)
    close(&rows, "text_ordering", 1.0);
    // not escalated: only t2 (t3's missing stays missing)
    close(&rows, "negation", 1.0);
    // t1 (escalated), t4 (both); t2 false or false; t3 missing or false = missing
    close(&rows, "either", 2.0);
    // escalated == false: t2
    close(&rows, "bool_equal", 1.0);
    // t1, t3 (missing -> true), t4
    close(&rows, "bool_coalesce", 3.0);
    // high, low, medium (t3's empty cell is not a value)
    close(&rows, "distinct_text", 3.0);
    // tiers of the tickets' accounts: strategic (A), tail (B, C)
    close(&rows, "distinct_via", 2.0);
    // -3, 0, 5, 12.345: (0 + 5) / 2
    close(&rows, "median_hours", 2.5);
    // rank 0.9 * 3 = 2.7: 5 + (12.345 - 5) * 0.7
    close(&rows, "p90_hours", 5.0 + 7.345 * 0.7);
    // closed: Jan 1 20:00 .. Jul 1 06:00 = 181 days - 14 hours
    let span = get(&rows, "closing_span", "");
    assert!((span - (181.0 - 14.0 / 24.0)).abs() < 1e-6, "span {span}");
    // -(-(5 - 3 + 0 + 12.345))
    close(&rows, "minus", 14.345);
    // t2 has no rating
    close(&rows, "unrated", 1.0);
    // accounts.key: A true (t1, t2), B false, C missing
    close(&rows, "key_via", 2.0);
    // accounts.since <= 2024-12-31: A (t1, t2); B missing; C 2025-06-01
    close(&rows, "since_via", 2.0);
    // t1 5 / 0 -> missing, skipped; t2 no rating; t3 0 / -2 = 0; t4 12.345 / 1
    close(&rows, "row_division", 12.345);
    // escalated ? priority : alt_priority == "high": t1 high; t2 alt high; t3 missing;
    // t4 medium
    close(&rows, "if_text", 2.0);
}

#[test]
fn tuples_text_missing_and_conversions_by_hand() {
    let rows = eval(Scope::Portfolio);
    // (priority, alt): t1 (high, high), t2 (low, high), t4 (medium, medium); t3 has no
    // priority, so its pair is not counted
    close(&rows, "distinct_pairs", 3.0);
    // (tier, alt): t1 and t2 (strategic, high) once, t3 (tail, low), t4 (tail, medium)
    close(&rows, "distinct_via_pairs", 3.0);
    // (escalated, hours): t1 (true, 5), t2 (false, -3), t4 (true, 12.345); t3 has no flag
    close(&rows, "distinct_flags", 3.0);
    // "low/high" is t2 only (t3, without a priority, is filtered out first)
    close(&rows, "concat_filter", 1.0);
    // "up" + alt for escalated rows: t1 "uphigh", t4 "upmedium"; t2's first part is
    // missing, so the whole text is (not "high"); t3's condition is missing
    close(&rows, "concat_missing", 1.0);
    // strategichigh (t1, t2), taillow (t3), tailmedium (t4)
    close(&rows, "concat_distinct", 3.0);
    // closed tickets: 12 h, 24 h, 6 h = 42 h = 1.75 days
    close(&rows, "days_open", 1.75);
    // days between date-times are fractional: 0.5, 1, 0.25 days = 12, 24, 6 h -> 14
    close(&rows, "hours_open_again", 14.0);
    // escalated rows are set missing (t1, t4) and left out; t3's condition is missing;
    // t2 -3
    close(&rows, "row_missing", -3.0);
    // escalated: t1 high, t4 medium; the others are missing
    close(&rows, "text_missing", 2.0);
}

#[test]
fn breakdown_and_segments_by_hand() {
    let rows = eval(Scope::Portfolio);
    let by: Vec<(Option<String>, Output)> = rows
        .iter()
        .filter(|r| r.0 == "by_priority")
        .map(|r| (r.2.clone(), r.3.clone()))
        .collect();
    // t1 high, t2 low, t4 medium; t3 has no priority. t5 and t6 (high) are outside
    // 2025 but "high" still has a 2025 value.
    assert_eq!(
        by,
        vec![
            (Some("high".into()), Output::Value(1.0)),
            (Some("low".into()), Output::Value(1.0)),
            (Some("medium".into()), Output::Value(1.0)),
        ]
    );
    let rows = eval(Scope::By("tier".into()));
    // strategic: t1 5, t2 -3 -> median 1; tail: t3 0, t4 12.345 -> 6.1725
    assert!((get(&rows, "median_hours", "strategic") - 1.0).abs() < 1e-9);
    assert!((get(&rows, "median_hours", "tail") - 6.1725).abs() < 1e-9);
    // tail: t3 (missing -> true) and t4
    assert!((get(&rows, "bool_coalesce", "tail") - 2.0).abs() < 1e-9);
    let rows = eval(Scope::PerAccount);
    // C: t4 only, 6 hours open
    assert!((get(&rows, "hours_open", "C") - 6.0).abs() < 1e-6);
}
