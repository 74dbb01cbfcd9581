//! Renaming a symbol: the new name checked (a name of the language, not a keyword,
//! not taken in its namespace), then one edit per place the source names it.

use super::collect::relation_name;
use super::{Edit, Index, Role, Symbol};

/// The words the grammar reads as keywords or literals wherever a name may stand
/// (`grammar/kpi.pest`: `kw_*`, the word operators, `is missing`, `all time`, the
/// literals): a KPI named `where` could not be written in a formula.
pub const KEYWORDS: &[&str] = &[
    "if", "then", "else", "where", "per", "dated", "all", "time", "and", "or", "not", "is",
    "missing", "true", "false",
];

/// The table of accounts, known to the language by this name.
const ACCOUNTS: &str = "accounts";

/// Whether `name` is an identifier of the language: a letter or `_`, then letters,
/// digits and `_` (ASCII, as `ident` in the grammar).
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(super) fn rename(index: &Index, sym: &Symbol, new_name: &str) -> Result<Vec<Edit>, String> {
    if !is_identifier(new_name) {
        return Err(format!(
            "`{new_name}` is not a name: a name is letters, digits and `_`, starting with a letter or `_`"
        ));
    }
    if KEYWORDS.contains(&new_name) {
        return Err(format!("`{new_name}` is a keyword of the language"));
    }
    if index.definition(sym).is_none() {
        return Err(format!("{} is not declared in the catalog", sym.describe()));
    }
    if sym.name() == new_name {
        return Ok(Vec::new());
    }
    if let Some(clash) = clash(index, sym, new_name) {
        return Err(clash);
    }
    let mut edits: Vec<Edit> = index
        .occurrences_of(sym)
        .filter_map(|o| {
            let text = match o.role {
                Role::Definition | Role::Reference => new_name,
                Role::Relation => relation_name(new_name),
                // Spelled out below.
                Role::Implied => return None,
            };
            Some(Edit {
                span: o.span,
                text: text.to_string(),
            })
        })
        .collect();
    edits.extend(spelled_out(index, sym, new_name));
    edits.sort();
    edits.dedup();
    Ok(edits)
}

/// Why `new_name` cannot be `sym`'s: an item of the same namespace has it.
fn clash(index: &Index, sym: &Symbol, new_name: &str) -> Option<String> {
    let d = &index.declared;
    let taken = match sym {
        Symbol::Kpi(_) | Symbol::Measure(_) => d.values.get(new_name).map(Symbol::describe),
        Symbol::Table(_) if new_name == "period" => {
            return Some("`period` is reserved for the evaluation period".into());
        }
        // The language knows the accounts table by its name (`per accounts`, the
        // account columns of other tables, scopes and segments): a rename either way
        // would change what formulas mean, not only how they are written.
        Symbol::Table(old)
            if !d.tables.contains_key(new_name) && (old == ACCOUNTS || new_name == ACCOUNTS) =>
        {
            return Some(format!(
                "`{ACCOUNTS}` is the table the language scopes and segments by (`per {ACCOUNTS}`, \
                 `-> {ACCOUNTS}`); its name is fixed"
            ));
        }
        Symbol::Table(_) => d
            .tables
            .contains_key(new_name)
            .then(|| format!("table `{new_name}`")),
        Symbol::Column { table, .. } => d
            .columns
            .get(table)
            .is_some_and(|cols| cols.iter().any(|c| c == new_name))
            .then(|| format!("`{table}.{new_name}`")),
        Symbol::Category(_) => d
            .categories
            .contains_key(new_name)
            .then(|| format!("category `{new_name}`")),
    };
    taken.map(|t| {
        format!(
            "cannot rename {} to `{new_name}`: {t} already exists",
            sym.describe()
        )
    })
}

/// For a column that a relation on several columns names on both sides by one name
/// (`(account_id, product_line) -> account_products`): once the two sides differ, the
/// parent's columns are written out after the parent's name.
fn spelled_out(index: &Index, sym: &Symbol, new_name: &str) -> Vec<Edit> {
    let Symbol::Column { table, column } = sym else {
        return Vec::new();
    };
    let renamed = |owner: &str, c: &String| {
        if owner == table && c == column {
            new_name.to_string()
        } else {
            c.clone()
        }
    };
    index
        .implied
        .iter()
        .filter_map(|r| {
            let own: Vec<String> = r.columns.iter().map(|c| renamed(&r.table, c)).collect();
            let parent: Vec<String> = r.columns.iter().map(|c| renamed(&r.target, c)).collect();
            (own != parent).then(|| Edit {
                span: r.after_target,
                text: format!("({})", parent.join(", ")),
            })
        })
        .collect()
}
