//! Identifiers and literals are always quoted and escaped: hostile table, schema,
//! column values and string literals (quotes, semicolons, comment markers, backslashes)
//! reach PostgreSQL and DuckDB as data, never as SQL.

use crate::support::duckdb;
use crate::support::postgres as pg;
use kpic::query::{Period, Scope};
use kpic::sql::{Dialect, SqlRequest, TableNames, compile_ddl, compile_query};

const HOSTILE: &str = "O'Brien\"; DROP TABLE accounts; -- /* \\ */";

fn catalog() -> kpic::Catalog {
    catalog_with(HOSTILE)
}

/// The test catalog with `value` as the formula's string literal.
fn catalog_with(value: &str) -> kpic::Catalog {
    // The formula's string literal is the hostile value (escaped for kpic itself).
    let literal = value.replace('\\', "\\\\").replace('"', "\\\"");
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
    request_with(HOSTILE, dialect, names)
}

fn request_with(value: &str, dialect: Dialect, names: TableNames) -> SqlRequest {
    SqlRequest {
        kpis: vec![],
        period: Period::parse("2025", 1).expect("period"),
        scope: Scope::By("segment".into()),
        filters: vec![kpic::query::Filter {
            column: "segment".into(),
            value: value.into(),
        }],
        compare: Default::default(),
        every: None,
        groupings: vec![],
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
    assert_eq!(rows[0].value_f64(), Some(10.25));
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

/// Text that ends in a backslash, or hides quotes, `$$`, semicolons, newlines and quote
/// lookalikes behind backslashes: on a server with `standard_conforming_strings = off`
/// (a legacy setting a DBA can still choose) a plain '...' literal reads a backslash as
/// an escape, so `'x\'` would not end where kpic meant. kpic writes such text as an
/// E'...' string, which reads alike under both settings; each value is data.
#[test]
fn postgres_backslashes_are_data_whatever_standard_conforming_strings_says() {
    let server = pg::shared();
    let values = [
        "ends in a backslash \\",
        "x\\' OR TRUE OR 'a'='a",
        "\\'; SELECT pg_sleep(5); --",
        "$$ dollar $$ \\$$",
        "semicolon ; -- comment \\ /* */ \\n",
        "lookalikes \u{2019}\u{FF07}\u{02BC}\u{201C} \\\u{FF07}",
        "\\\\ two backslashes \\",
    ];
    for (i, value) in values.iter().enumerate() {
        let schema = format!("scs_{i}");
        let names = TableNames {
            schema: Some(schema.clone()),
            ..TableNames::default()
        };
        let catalog = catalog_with(value);
        // Loaded with standard strings (psql's default): quotes doubled, nothing else.
        let esc = value.replace('\'', "''");
        let mut setup = format!("CREATE SCHEMA \"{schema}\";\n");
        setup.push_str(&compile_ddl(&catalog, Dialect::Postgres, &names));
        setup.push_str(&format!(
            "INSERT INTO \"{schema}\".\"accounts\" VALUES ('a1', '{esc}'), ('a2', 'plain');\n\
             INSERT INTO \"{schema}\".\"orders\" VALUES \
             ('o1', 'a1', '2025-03-01', '{esc}', 10.25), ('o2', 'a1', '2025-04-01', 'other', 99), \
             ('o3', 'a2', '2025-05-01', '{esc}', 7);\n"
        ));
        server.psql(&setup);
        let query = compile_query(&catalog, &request_with(value, Dialect::Postgres, names))
            .expect("compiles");
        for setting in ["on", "off"] {
            let url = format!(
                "{}?options=-c%20standard_conforming_strings%3D{setting}",
                server.url
            );
            let rows = kpic::engine::postgres::query(&url, &query)
                .unwrap_or_else(|e| panic!("{value:?} with {setting}: {e}\n{query}"));
            assert_eq!(rows.len(), 1, "{value:?} with {setting}: {rows:?}");
            assert_eq!(rows[0].grp, *value, "{value:?} with {setting}");
            assert_eq!(rows[0].value_f64(), Some(10.25), "{value:?} with {setting}");
        }
    }
    // The plain form stays for text without a backslash.
    assert_eq!(Dialect::Postgres.string("a$$b;"), "'a$$b;'");
    assert_eq!(Dialect::Postgres.string("a\\'b"), "E'a\\\\''b'");
}

/// A NUL cannot reach the server (the protocol's strings end at one): a table name with
/// one, which only a library caller can give, is refused by the client, never cut.
#[test]
fn postgres_refuses_a_nul_rather_than_cutting_the_query() {
    let server = pg::shared();
    let catalog = catalog_with("plain");
    let mut names = TableNames::default();
    names
        .rename
        .insert("orders".into(), "ord\0ers\"; DROP TABLE x; --".into());
    let query = compile_query(&catalog, &request_with("plain", Dialect::Postgres, names))
        .expect("compiles");
    let err = kpic::engine::postgres::query(&server.url, &query).expect_err("refused");
    assert!(
        err.to_string().contains("PostgreSQL refused the query"),
        "{err}"
    );
}
