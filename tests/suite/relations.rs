//! Relations followed in row expressions, at their limits: long chains through a
//! self-relation (bounded, and evaluated hop by hop), models with exponentially many
//! paths between two tables (the short form's search is bounded), and a parent table
//! the data lacks (the KPI is unavailable, not wrong).

use crate::support::cli::kpic;
use kpic::Code;

/// `employees` with a manager each (the boss has none), a self-relation.
const EMPLOYEES: &str = r#"
category c { name: "C" }
table accounts { account_id: text key }
table employees {
  employee_id: text key
  account_id: text -> accounts
  manager_id: text optional -> employees
  name: text
}
"#;

fn codes(text: &str) -> Vec<Code> {
    let checked = kpic::check_texts([("relations.kpi", text)]);
    checked.diagnostics.iter().map(|d| d.code).collect()
}

/// `count(employees where employees.manager.….name == "boss")` with `hops` managers.
fn managers(hops: usize) -> String {
    format!(
        "{EMPLOYEES}measure m {{ unit: count formula: count(employees where employees{}.name == \"boss\") }}\n",
        ".manager".repeat(hops)
    )
}

#[test]
fn a_path_follows_at_most_sixty_four_relations() {
    assert_eq!(codes(&managers(64)), []);
    assert_eq!(codes(&managers(65)), [Code::TooDeep]);
    // Ten thousand hops: one diagnostic, at once.
    let started = std::time::Instant::now();
    assert_eq!(codes(&managers(10_000)), [Code::TooDeep]);
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
}

#[test]
fn the_short_form_search_is_bounded_on_a_dense_model() {
    // Twenty tables, each with three relations to the next: 3^19 paths from the first
    // to the last. The short form is ambiguous, said at once.
    let mut text = String::from("category c { name: \"C\" }\n");
    for i in 0..20 {
        text.push_str(&format!("table t{i} {{\n  id: text key\n  v: money\n"));
        if i + 1 < 20 {
            for r in 0..3 {
                text.push_str(&format!("  r{r}_id: text -> t{}\n", i + 1));
            }
        }
        text.push_str("}\n");
    }
    text.push_str("measure m { unit: money formula: sum(t0.v where t19.v > 0) }\n");
    let started = std::time::Instant::now();
    let checked = kpic::check_texts([("dense.kpi", text.as_str())]);
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::AmbiguousRelation]);
    // The message lists a few paths to write, not millions.
    let help = checked.diagnostics[0].help.clone().unwrap_or_default();
    assert!(help.matches("`t0.").count() <= 6, "{help}");
}

#[test]
fn a_chain_of_managers_evaluates_hop_by_hop() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let catalog = format!(
        "{EMPLOYEES}\
kpi reports_to_boss {{ name: \"R\" category: c unit: count better: higher formula: count(employees where employees.manager.name == \"boss\") }}\n\
kpi two_below_boss {{ name: \"T\" category: c unit: count better: higher formula: count(employees where employees.manager.manager.name == \"boss\") }}\n\
kpi without_grand_manager {{ name: \"W\" category: c unit: count better: higher formula: count(employees where employees.manager_id.manager.name is missing) }}\n"
    );
    std::fs::write(dir.path().join("catalog.kpi"), catalog).expect("write");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("data folder");
    std::fs::write(data.join("accounts.csv"), "account_id\nA1\n").expect("write");
    // boss <- e1, e2; e1 <- e3; e3 <- e4. Rows out of order: the index goes by key.
    std::fs::write(
        data.join("employees.csv"),
        "employee_id,account_id,manager_id,name\ne4,A1,e3,dan\ne1,A1,b,ann\nb,A1,,boss\ne3,A1,e1,cy\ne2,A1,b,bo\n",
    )
    .expect("write");
    let (code, out, err) = kpic(&[
        "eval",
        "reports_to_boss",
        "two_below_boss",
        "without_grand_manager",
        "--catalog",
        &dir.path().join("catalog.kpi").display().to_string(),
        "--data",
        &data.display().to_string(),
        "--period",
        "2025",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let value = |kpi: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{kpi},")))
            .and_then(|l| l.split(',').nth(4))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{kpi} in {out}"))
    };
    // e1, e2 report to the boss; e3 is two below; the boss has no manager and e1, e2
    // have a manager (the boss) without one: 3 without a grand-manager.
    assert_eq!(value("reports_to_boss"), "2", "{out}");
    assert_eq!(value("two_below_boss"), "1", "{out}");
    assert_eq!(value("without_grand_manager"), "3", "{out}");
}
