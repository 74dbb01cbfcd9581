//! The bundled demo: the shipped catalog and the example dataset, compiled into the
//! binary so `kpic eval --demo` works from any folder once kpic is installed.

use std::path::PathBuf;

macro_rules! embed {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../", $dir, "/", $name)))),*]
    };
}

/// The catalog files, as shipped in `kpis/`.
pub const CATALOG: &[(&str, &str)] = embed!("kpis":
    "categories.kpi", "customer_satisfaction.kpi", "engagement.kpi", "market_penetration.kpi",
    "measures.kpi", "model.kpi", "operational_efficiency.kpi", "profitability.kpi",
    "retention.kpi", "revenue.kpi",
);

/// The example dataset, as shipped in `examples/data/`.
pub const DATA: &[(&str, &str)] = embed!("examples/data":
    "account_plans.csv", "account_products.csv", "accounts.csv", "business_reviews.csv",
    "contracts.csv", "leads.csv", "opportunities.csv", "orders.csv", "revenue_plans.csv",
    "service_costs.csv", "support_tickets.csv", "surveys.csv", "touchpoints.csv",
);

/// Writes the demo into a folder of the temporary directory (once per version) and
/// returns the catalog and data folders.
pub fn unpack() -> std::io::Result<(PathBuf, PathBuf)> {
    let root = std::env::temp_dir().join(format!("kpic-demo-{}", env!("CARGO_PKG_VERSION")));
    let (catalog, data) = (root.join("kpis"), root.join("data"));
    for (dir, files) in [(&catalog, CATALOG), (&data, DATA)] {
        std::fs::create_dir_all(dir)?;
        for (name, text) in files {
            let path = dir.join(name);
            // Rewrite only what differs, so concurrent runs see whole files.
            if std::fs::read_to_string(&path).ok().as_deref() != Some(*text) {
                let tmp = dir.join(format!(".{name}.{}", std::process::id()));
                std::fs::write(&tmp, text)?;
                std::fs::rename(&tmp, &path)?;
            }
        }
    }
    Ok((catalog, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(dir: &str, ext: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("folder")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(ext))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn embedded_files_are_every_shipped_file() {
        let catalog: Vec<&str> = CATALOG.iter().map(|(n, _)| *n).collect();
        let data: Vec<&str> = DATA.iter().map(|(n, _)| *n).collect();
        assert_eq!(catalog, listing("kpis", ".kpi"));
        assert_eq!(data, listing("examples/data", ".csv"));
    }
}
