//! Identifiers and literals are always quoted and escaped: hostile table, schema,
//! column values and string literals (quotes, semicolons, comment markers, backslashes)
//! reach PostgreSQL and DuckDB as data, never as SQL.

use crate::support::duckdb;
use crate::support::postgres as pg;
use kpic::query::{Period, Scope};
use kpic::sql::{Dialect, SqlRequest, TableNames, compile_ddl, compile_query};

const HOSTILE: &str = "O'Brien\"; DROP TABLE accounts; -- /* \\ */";

fn catalog() -> kpic::Catalog {
    // The formula's string literal is the hostile value (escaped for kpic itself).
    let literal = HOSTILE.replace('\\', "\\\\").replace('"', "\\\"");
    let source = format!(
        r#"
category c {{ name: "C" }}
table accounts {{
  account_id: text key
  segment: text dimension
}}
table orders {{
  order_id: text key
  account_id: text -> accounts
  order_date: date time
  note: text
  revenue: money
}}
kpi hostile_revenue {{ name: "H" category: c unit: money better: higher formula: sum(orders.revenue where orders.note == "{literal}") }}
"#
    );
    let checked = kpic::check_texts([("hostile.kpi", source.as_str())]);
    assert_eq!(checked.error_count(), 0, "{:?}", checked.diagnostics);
    checked.catalog
}

fn request(dialect: Dialect, names: TableNames) -> SqlRequest {
    SqlRequest {
        kpis: vec![],
        period: Period::parse("2025", 1).expect("period"),
        scope: Scope::By("segment".into()),
        filters: vec![kpic::query::Filter {
            column: "segment".into(),
            value: HOSTILE.into(),
        }],
        dialect,
        names,
    }
}

fn hostile_names() -> TableNames {
    let mut names = TableNames {
        schema: Some("s\"ch; --".into()),
        ..TableNames::default()
    };
    names
        .rename
        .insert("orders".into(), "ord\"ers; DROP TABLE x; --".into());
    names
}

#[test]
fn postgres_treats_hostile_text_as_data() {
    let server = pg::shared();
    let catalog = catalog();
    let names = hostile_names();
    let esc = HOSTILE.replace('\'', "''");
    let mut setup = String::from("CREATE SCHEMA \"s\"\"ch; --\";\n");
    setup.push_str(&compile_ddl(&catalog, Dialect::Postgres, &names));
    setup.push_str(&format!(
        "INSERT INTO \"s\"\"ch; --\".\"accounts\" VALUES ('a1', '{esc}'), ('a2', 'plain');\n\
         INSERT INTO \"s\"\"ch; --\".\"ord\"\"ers; DROP TABLE x; --\" VALUES \
         ('o1', 'a1', '2025-03-01', '{esc}', 10.25), ('o2', 'a1', '2025-04-01', 'other', 99), \
         ('o3', 'a2', '2025-05-01', '{esc}', 7);\n"
    ));
    server.psql(&setup);
    let query = compile_query(&catalog, &request(Dialect::Postgres, names)).expect("compiles");
    let rows = kpic::engine::postgres::query(&server.url, &query).expect("runs");
    // Only a1 is in the hostile segment; only its order with the hostile note counts.
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].grp, HOSTILE);
    assert_eq!(rows[0].value, Some(10.25));
    // Nothing was dropped.
    let count = server.psql("SELECT count(*) FROM \"s\"\"ch; --\".\"accounts\"");
    assert_eq!(count.trim(), "2");
}

#[test]
fn duckdb_and_spark_quoting_escape_every_special_character() {
    let catalog = catalog();
    let query = compile_query(&catalog, &request(Dialect::Duckdb, TableNames::default()))
        .expect("compiles");
    let temp = tempfile::tempdir().expect("dir");
    let dir = temp.path();
    let field = format!("\"{}\"", HOSTILE.replace('"', "\"\""));
    std::fs::write(
        dir.join("accounts.csv"),
        format!("account_id,segment\na1,{field}\na2,plain\n"),
    )
    .expect("write");
    std::fs::write(
        dir.join("orders.csv"),
        format!("order_id,account_id,order_date,note,revenue\no1,a1,2025-03-01,{field},10.25\no2,a1,2025-04-01,other,99\no3,a2,2025-05-01,{field},7\n"),
    )
    .expect("write");
    let ddl = compile_ddl(&catalog, Dialect::Duckdb, &TableNames::default());
    let rows = duckdb::run(&ddl, &query, dir);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].1, HOSTILE);
    assert_eq!(rows[0].3, Some(10.25));

    // Spark: backslashes and quotes are escaped inside string literals, backticks
    // doubled inside identifiers.
    assert_eq!(Dialect::Spark.string("a'b\\c"), "'a\\'b\\\\c'");
    assert_eq!(Dialect::Spark.ident("we`ird"), "`we``ird`");
    assert_eq!(Dialect::Postgres.ident("we\"ird"), "\"we\"\"ird\"");
    assert_eq!(Dialect::Postgres.string("it's"), "'it''s'");
}
