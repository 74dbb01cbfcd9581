//! The parent rows an aggregate's rows read through relations, as LEFT JOINs of its
//! CTE: one alias per chain of relations followed, each hop joined from the one before.

use super::Compiler;
use crate::ir::Hop;

/// The chains of relations an aggregate's per-row expressions follow, in the order
/// first met (every prefix of a chain before the chain).
#[derive(Debug, Default)]
pub(super) struct Joins {
    chains: Vec<Vec<Hop>>,
}

impl Joins {
    /// The alias of the parent row reached through `via` from the row `t`, noting the
    /// joins it needs. The row's account keeps the alias `acc`.
    pub(super) fn alias(&mut self, via: &[Hop], account_column: Option<&str>) -> String {
        for end in 1..=via.len() {
            if !self.chains.iter().any(|c| c[..] == via[..end]) {
                self.chains.push(via[..end].to_vec());
            }
        }
        self.name(via, account_column)
    }

    fn name(&self, via: &[Hop], account_column: Option<&str>) -> String {
        match via {
            [] => "t".to_string(),
            [hop] if hop.table == "accounts" && account_column == Some(hop.column.as_str()) => {
                "acc".to_string()
            }
            _ => {
                let i = self.chains.iter().position(|c| c[..] == via[..]);
                format!("p{}", i.unwrap_or(self.chains.len()))
            }
        }
    }
}

impl Compiler<'_> {
    /// `LEFT JOIN parent alias ON alias.key = previous.relation` for every chain of
    /// `joins`. LEFT: a row whose relation cell is empty keeps its place and reads its
    /// parent's columns as NULL, which is missing, as natively.
    pub(super) fn joins_sql(&self, joins: &Joins, account_column: Option<&str>) -> String {
        let d = self.d;
        let mut out = String::new();
        for chain in &joins.chains {
            let Some((hop, before)) = chain.split_last() else {
                continue;
            };
            let key = self
                .catalog
                .tables
                .get(&hop.table)
                .and_then(|t| t.key.as_deref())
                .unwrap_or(&self.key);
            let alias = joins.name(chain, account_column);
            let from = joins.name(before, account_column);
            // A relation on several columns matches every pair (an empty cell, NULL,
            // matches nothing: no parent, as natively).
            let on: Vec<String> = if hop.on.is_empty() {
                vec![format!(
                    "{alias}.{} = {from}.{}",
                    d.ident(key),
                    d.ident(&hop.column)
                )]
            } else {
                hop.on
                    .iter()
                    .map(|(c, p)| format!("{alias}.{} = {from}.{}", d.ident(p), d.ident(c)))
                    .collect()
            };
            out.push_str(&format!(
                " LEFT JOIN {} {alias} ON {}",
                self.table(&hop.table),
                on.join(" AND "),
            ));
        }
        out
    }
}
