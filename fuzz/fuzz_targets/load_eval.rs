//! Fuzz target: any bytes as the CSV files of a small model, loaded and, when they load,
//! evaluated. Loading must report every bad cell and never panic; evaluation must
//! never panic on data that loaded.
//! Run with `RUSTC_BOOTSTRAP=1 cargo fuzz run load_eval` (cargo-fuzz; see README).
#![no_main]

use libfuzzer_sys::fuzz_target;

const MODEL: &str = r#"
category c { name: "C" }
table accounts {
  account_id: text key
  tier: text dimension
  since: date optional
}
table orders {
  order_id: text key
  account_id: text -> accounts
  order_date: date time
  revenue: money
  discount: money optional
  express: bool optional
  weight: number optional
}
kpi total { name: "T" category: c unit: money better: higher formula: sum(orders.revenue - coalesce(orders.discount, 0)) / count_distinct(orders.account_id) }
kpi heavy { name: "H" category: c unit: count better: higher formula: count(orders where coalesce(orders.express, false) or coalesce(orders.weight, 0) > 10 and accounts.since is not missing) }
kpi middle { name: "M" category: c unit: number better: higher formula: median(orders.weight where orders.weight is not missing) }
"#;

fuzz_target!(|data: &[u8]| {
    // Two files, split at the first 0xFF byte (never valid UTF-8, so never in a cell
    // the fuzzer means as text).
    let (accounts, orders) = match data.iter().position(|b| *b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let dir = std::env::temp_dir().join(format!("kpic-fuzz-load-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let header_a = b"account_id,tier,since\n";
    let header_o = b"order_id,account_id,order_date,revenue,discount,express,weight\n";
    let _ = std::fs::write(dir.join("accounts.csv"), [&header_a[..], accounts].concat());
    let _ = std::fs::write(dir.join("orders.csv"), [&header_o[..], orders].concat());
    let checked = kpic::check_texts([("model.kpi", MODEL)]);
    if let Ok(data) = kpic::data::load_dataset(&checked.catalog, &dir) {
        for scope in [
            kpic::eval::Scope::Portfolio,
            kpic::eval::Scope::By("tier".into()),
            kpic::eval::Scope::PerAccount,
        ] {
            let query = kpic::eval::Query {
                kpis: vec![],
                period: kpic::eval::Period::parse("2025", 1).expect("a valid period"),
                scope,
                filters: vec![],
            };
            let _ = kpic::eval::evaluate(&checked.catalog, &data, &query);
        }
    }
});
