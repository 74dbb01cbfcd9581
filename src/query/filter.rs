//! The account filters of a request as a user writes them (`COLUMN=VALUE`, an account
//! id), parsed once for the command line and for `kpic test`.

use super::Filter;
use crate::ir::Catalog;

impl Filter {
    /// `COLUMN=VALUE` (each side trimmed), or `None` when there is no `=`.
    pub fn parse(text: &str) -> Option<Filter> {
        let (column, value) = text.split_once('=')?;
        Some(Filter {
            column: column.trim().to_string(),
            value: value.trim().to_string(),
        })
    }

    /// Only the account `id`: a filter on the key of the model's `accounts` table.
    pub fn account(catalog: &Catalog, id: &str) -> Filter {
        let key = catalog
            .tables
            .get("accounts")
            .and_then(|t| t.key.clone())
            .unwrap_or_default();
        Filter {
            column: key,
            value: id.to_string(),
        }
    }
}

/// The filters of `COLUMN=VALUE` texts, then of an account id, in that order; `Err`
/// holds the first text without `=`, for the caller to word the message its users
/// know (a flag, a field of a test file).
pub fn parse_filters(
    catalog: &Catalog,
    wheres: &[String],
    account: Option<&str>,
) -> Result<Vec<Filter>, String> {
    let mut filters = wheres
        .iter()
        .map(|w| Filter::parse(w).ok_or_else(|| w.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    filters.extend(account.map(|id| Filter::account(catalog, id)));
    Ok(filters)
}
