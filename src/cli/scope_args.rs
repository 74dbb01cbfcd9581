//! Flags shared by `kpic eval` and `kpic sql`: which accounts, how grouped, and where
//! the tables live in a database.

use kpic::query::{Compare, Every, Filter, Scope};
use kpic::sql::TableNames;

/// Which accounts count and how results are grouped.
#[derive(Debug, clap::Args)]
pub struct ScopeArgs {
    /// First month of the fiscal year (1-12; default: the project's, else 1).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=12))]
    pub fiscal_year_start: Option<u32>,
    /// One value per value of this accounts dimension (industry, region, tier, ...);
    /// `--by industry,region` for one value per combination of both. Repeated
    /// (`--by industry --by region`), each grouping in one run over data loaded once,
    /// after the portfolio's row.
    #[arg(
        long,
        conflicts_with = "per_account",
        value_name = "DIMENSION[,DIMENSION...]"
    )]
    pub by: Vec<String>,
    /// One value per account.
    #[arg(long)]
    pub per_account: bool,
    /// Only this account.
    #[arg(long)]
    pub account: Option<String>,
    /// Only accounts where COLUMN=VALUE (repeatable), e.g. `--where tier=strategic`.
    #[arg(long = "where", value_name = "COLUMN=VALUE")]
    pub filters: Vec<String>,
    /// What each value is compared with: the previous period (2025-Q2 for 2025-Q3),
    /// or the same period a year earlier (2024-Q3). Default: the project's, else
    /// `previous`.
    #[arg(long, value_enum)]
    pub compare: Option<Compare>,
    /// A time series: each KPI for each month, quarter or year of the period (finer
    /// than the period), each with its own comparison.
    #[arg(long, value_enum)]
    pub every: Option<Every>,
}

impl ScopeArgs {
    /// The first month of the fiscal year: the flag, else the project's, else January.
    pub fn fiscal_year_start(&self) -> Result<u32, u8> {
        let project = super::project_args::current()?;
        Ok(self
            .fiscal_year_start
            .or(project.and_then(|p| p.fiscal_year_start))
            .unwrap_or(1))
    }

    /// The comparison: the flag, else the project's, else the previous period.
    pub fn compare(&self) -> Result<Compare, u8> {
        if let Some(c) = self.compare {
            return Ok(c);
        }
        let project = super::project_args::current()?;
        Ok(match project.and_then(|p| p.compare.as_deref()) {
            Some("year-ago") => Compare::YearAgo,
            _ => Compare::Previous,
        })
    }

    /// The period as written: the flag, else the project's default period.
    pub fn period(&self, flag: Option<&str>) -> Result<Option<String>, u8> {
        if let Some(p) = flag {
            return Ok(Some(p.to_string()));
        }
        Ok(super::project_args::current()?.and_then(|p| p.period.clone()))
    }
}

/// How results are grouped: the scope, and the further groupings of the same run.
pub struct Grouping {
    pub scope: Scope,
    pub filters: Vec<Filter>,
    pub groupings: Vec<Scope>,
}

impl ScopeArgs {
    /// The grouping and the account filters (`--account` is a filter on the accounts
    /// key), or a message for a malformed flag.
    pub fn resolve(&self, catalog: &kpic::Catalog) -> Result<Grouping, String> {
        let filters =
            kpic::query::parse_filters(catalog, &self.filters, self.account.as_deref())
                .map_err(|f| format!("`--where {f}`: write COLUMN=VALUE, e.g. tier=strategic"))?;
        if let Some(empty) = self
            .by
            .iter()
            .find(|b| b.split(',').any(|d| d.trim().is_empty()))
        {
            return Err(format!(
                "`--by {empty}`: name one dimension, or several separated by commas, e.g. \
                 industry,region"
            ));
        }
        // One `--by` groups by it; several are each a grouping of the same run, after
        // the whole portfolio.
        let (scope, groupings) = match (self.by.as_slice(), self.per_account) {
            ([one], _) => (Scope::By(one.clone()), Vec::new()),
            ([], true) => (Scope::PerAccount, Vec::new()),
            ([], false) => (Scope::Portfolio, Vec::new()),
            (several, _) => (
                Scope::Portfolio,
                several.iter().map(|b| Scope::By(b.clone())).collect(),
            ),
        };
        Ok(Grouping {
            scope,
            filters,
            groupings,
        })
    }
}

/// Where the model's tables live in a database.
#[derive(Debug, clap::Args)]
pub struct TableArgs {
    /// Schema the tables live in.
    #[arg(long)]
    pub schema: Option<String>,
    /// A model table's name in the database (repeatable), e.g. `--table orders=fact_orders`.
    #[arg(long = "table", value_name = "MODEL=ACTUAL")]
    pub tables: Vec<String>,
}

impl TableArgs {
    /// The table names, checked against the model.
    pub fn names(&self, catalog: &kpic::Catalog) -> Result<TableNames, String> {
        let mut names = TableNames {
            schema: self.schema.clone(),
            ..TableNames::default()
        };
        for t in &self.tables {
            let Some((model, actual)) = t.split_once('=') else {
                return Err(format!(
                    "`--table {t}`: write MODEL=ACTUAL, e.g. orders=fact_orders"
                ));
            };
            let model = model.trim();
            if !catalog.tables.contains_key(model) {
                return Err(format!("`--table {t}`: the model has no table `{model}`"));
            }
            names
                .rename
                .insert(model.to_string(), actual.trim().to_string());
        }
        Ok(names)
    }
}
