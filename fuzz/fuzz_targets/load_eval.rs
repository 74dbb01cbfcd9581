//! Fuzz target: any bytes as a mapping file and the CSV files of a small model, loaded
//! and, when they load, evaluated on every scope, as a time series and with several
//! groupings. Loading must report every bad cell
//! or mapping error and never panic; evaluation must never panic on data that loaded.
//! Run with `RUSTC_BOOTSTRAP=1 cargo fuzz run load_eval fuzz/seeds/load_eval` (see README).
#![no_main]

use std::sync::OnceLock;

use kpic::engine::{Engine, run};
use kpic::query::{Compare, Every, Request, Scope};
use libfuzzer_sys::fuzz_target;

const MODEL: &str = r#"
category c { name: "C" }
table accounts {
  account_id: text key
  tier: text dimension
  since: date optional
  potential: money optional
}
table orders {
  order_id: text key
  account_id: text -> accounts optional
  order_date: date time
  kind: text dimension optional
  revenue: money
  discount: money optional
  express: bool optional
  weight: number optional
  shipped: datetime optional
  units: int optional
}
kpi total { name: "T" category: c unit: money better: higher formula: sum(orders.revenue - coalesce(orders.discount, 0)) / count_distinct(orders.account_id) }
kpi heavy { name: "H" category: c unit: count better: higher formula: count(orders where coalesce(orders.express, false) or coalesce(orders.weight, 0) > 10 and accounts.since is not missing) }
kpi middle { name: "M" category: c unit: number better: higher formula: median(orders.weight where orders.weight is not missing) }
kpi late { name: "L" category: c unit: hours better: lower formula: avg(hours_between(orders.order_date, orders.shipped) where orders.shipped is not missing) }
kpi growth { name: "G" category: c unit: percent better: higher formula: (sum(orders.revenue) - previous(sum(orders.revenue))) / previous(sum(orders.revenue)) }
kpi per_account { name: "P" category: c unit: money better: higher formula: avg(sum(orders.revenue) per accounts where accounts.since is not missing) }
kpi per_tier { name: "PT" category: c unit: count better: higher formula: median(count_distinct(orders.kind, orders.express) per accounts.tier) }
kpi reach { name: "R" category: c unit: ratio better: higher formula: sum(orders.revenue) / sum(accounts.potential where accounts.potential is not missing) }
"#;

/// The model, checked once per process.
fn catalog() -> &'static kpic::ir::Catalog {
    static CATALOG: OnceLock<kpic::ir::Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let checked = kpic::check_texts([("model.kpi", MODEL)]);
        // A model with an error would leave nothing to evaluate: fail loudly.
        assert_eq!(checked.error_count(), 0, "the fuzz model does not check");
        checked.catalog
    })
}

fuzz_target!(|data: &[u8]| {
    // Three parts, split at 0xFF bytes (never valid UTF-8, so never in a cell the
    // fuzzer means as text): a mapping file (none when empty), the accounts rows and
    // the orders rows. The rows are written twice: under the model's file names with
    // the model's header, and raw as `Accounts.csv` / `Invoices.csv` for a mapping
    // that names its own files and headers (the seeds do).
    let mut parts = data.splitn(3, |b| *b == 0xFF);
    let mapping = parts.next().unwrap_or_default();
    let accounts = parts.next().unwrap_or_default();
    let orders = parts.next().unwrap_or_default();
    // A fresh folder per input, removed when it is dropped: nothing is left in the
    // temporary directory, and no file of an earlier input is read.
    let Ok(tmp) = tempfile::Builder::new().prefix("kpic-fuzz-load-").tempdir() else {
        return;
    };
    let dir = tmp.path();
    if !mapping.is_empty() {
        let _ = std::fs::write(dir.join("kpic-mapping.toml"), mapping);
    }
    let header_a = b"account_id,tier,since,potential\n";
    let header_o =
        b"order_id,account_id,order_date,kind,revenue,discount,express,weight,shipped,units\n";
    let _ = std::fs::write(dir.join("accounts.csv"), [&header_a[..], accounts].concat());
    let _ = std::fs::write(dir.join("orders.csv"), [&header_o[..], orders].concat());
    let _ = std::fs::write(dir.join("Accounts.csv"), accounts);
    let _ = std::fs::write(dir.join("Invoices.csv"), orders);

    let catalog = catalog();
    let Ok(data) = kpic::data::load_dataset(catalog, dir) else {
        return;
    };
    // Every scope, a time series and the year-ago comparison, and several groupings
    // in one run.
    let by = || Scope::By("tier".into());
    for (scope, compare, every, groupings) in [
        (Scope::Portfolio, Compare::Previous, Some(Every::Quarter), vec![]),
        (by(), Compare::YearAgo, None, vec![]),
        (Scope::PerAccount, Compare::Previous, None, vec![]),
        (Scope::Portfolio, Compare::Previous, None, vec![by(), Scope::PerAccount]),
    ] {
        let request = Request {
            kpis: vec![],
            period: None,
            fiscal_year_start: 1,
            scope,
            filters: vec![],
            // A fixed "today", so runs are reproducible.
            today: chrono::NaiveDate::from_ymd_opt(2026, 6, 30),
            compare,
            every,
            groupings,
        };
        let _ = run(catalog, &Engine::Native(&data), &request);
    }
});
