//! What each measure and KPI of a catalog reads directly, as a graph of users: the
//! measures and KPIs it names, the columns it reads (aggregate arguments and filters,
//! time columns, members' cells, breakdown, a target read from the dataset), and the
//! relations it follows, each relation in turn reading its columns on both sides.
//! Built once per diff over the new catalog, so a column change reaches exactly the
//! items that read that column.

use super::report::ItemKind;
use crate::ir::{Catalog, KpiDef, Members, TExpr, TExprKind, TargetKind, TimeFilter};
use std::collections::{HashMap, HashSet};

/// A node of the graph: a measure, KPI, column (`table.column`) or relation
/// (`table.column -> target`, or `table.name -> target` for one on several columns).
pub type Node = (ItemKind, String);

/// Who uses each node: the reverse of "reads directly".
pub type Users = HashMap<Node, Vec<Node>>;

/// A column's node.
pub fn column(table: &str, column: &str) -> Node {
    (ItemKind::Column, format!("{table}.{column}"))
}

/// A relation's node: `name` is its column (one-column relation) or its name.
pub fn relation(table: &str, name: &str, target: &str) -> Node {
    (ItemKind::Relation, format!("{table}.{name} -> {target}"))
}

/// The users of every node of `catalog`; linear in the catalog's size (each formula
/// walked once, each relation declared once).
pub fn users(catalog: &Catalog) -> Users {
    let mut users = Users::new();
    // A relation reads its own columns and the parent's key (or named columns).
    for t in catalog.tables.values() {
        for c in t.columns.values() {
            if let Some(target) = &c.relation {
                let node = relation(&t.name, &c.name, target);
                let mut reads = vec![column(&t.name, &c.name)];
                if let Some(key) = catalog.tables.get(target).and_then(|p| p.key.as_deref()) {
                    reads.push(column(target, key));
                }
                for r in reads {
                    users.entry(r).or_default().push(node.clone());
                }
            }
        }
        for r in &t.relations {
            let node = relation(&t.name, &r.name, &r.target);
            let own = r.columns.iter().map(|c| column(&t.name, c));
            let parent = r.target_columns.iter().map(|c| column(&r.target, c));
            for read in own.chain(parent) {
                users.entry(read).or_default().push(node.clone());
            }
        }
    }
    for m in catalog.measures.values() {
        let node = (ItemKind::Measure, m.id.clone());
        let mut reads = Reads::new(catalog);
        reads.walk(&m.formula, None);
        reads.add_to(&mut users, &node, &m.depends_on);
    }
    for k in catalog.kpis.values() {
        let node = (ItemKind::Kpi, k.id.clone());
        let mut reads = Reads::new(catalog);
        reads.kpi(k);
        reads.add_to(&mut users, &node, &k.depends_on);
    }
    users
}

/// The nodes one item reads directly.
struct Reads<'c> {
    catalog: &'c Catalog,
    nodes: HashSet<Node>,
}

impl<'c> Reads<'c> {
    fn new(catalog: &'c Catalog) -> Reads<'c> {
        Reads {
            catalog,
            nodes: HashSet::new(),
        }
    }

    /// A KPI's formula, breakdown and target (a target read from the dataset, or one
    /// per value of a column, reads those too).
    fn kpi(&mut self, k: &KpiDef) {
        self.walk(&k.formula, None);
        if let Some(b) = &k.breakdown {
            self.nodes.insert(column(&b.table, &b.column));
        }
        match k.target.as_ref().map(|t| &t.kind) {
            Some(TargetKind::Formula(f)) => self.walk(f, None),
            Some(TargetKind::BySegment { column: c, .. }) => {
                self.nodes.insert(column("accounts", c));
            }
            _ => {}
        }
    }

    /// Adds an edge from each node read (and each name in `depends_on`) to `user`.
    fn add_to(mut self, users: &mut Users, user: &Node, depends_on: &[String]) {
        for d in depends_on {
            let n = self.named(d);
            self.nodes.insert(n);
        }
        for n in self.nodes {
            users.entry(n).or_default().push(user.clone());
        }
    }

    /// The node of a measure or KPI name.
    fn named(&self, id: &str) -> Node {
        let kind = if self.catalog.measures.contains_key(id) {
            ItemKind::Measure
        } else {
            ItemKind::Kpi
        };
        (kind, id.to_string())
    }

    /// The rows of `table` as a period and a group select them: its time column
    /// (when the aggregate is dated), and the relation to `accounts` that puts each
    /// row in a group (for `accounts` itself, its key).
    fn rows(&mut self, table: &str, time: Option<&str>) {
        if let Some(c) = time {
            self.nodes.insert(column(table, c));
        }
        let Some(t) = self.catalog.tables.get(table) else {
            return;
        };
        if table == "accounts" {
            if let Some(key) = &t.key {
                self.nodes.insert(column(table, key));
            }
        } else if let Some(c) = &t.account_column {
            self.nodes.insert(relation(table, c, "accounts"));
        }
    }

    /// Walks `formula`; `row` is the table whose row a column is read from (an
    /// aggregate's table, a member's table), where relations start.
    fn walk(&mut self, formula: &TExpr, row: Option<&str>) {
        let mut stack: Vec<(&TExpr, Option<&str>)> = vec![(formula, row)];
        while let Some((e, row)) = stack.pop() {
            match &e.kind {
                TExprKind::Ref(id) => {
                    let n = self.named(id);
                    self.nodes.insert(n);
                }
                TExprKind::Aggregate(a) => {
                    let time = match &a.time {
                        TimeFilter::Column(c) => Some(c.as_str()),
                        TimeFilter::None => None,
                    };
                    self.rows(&a.table, time);
                    let t = Some(a.table.as_str());
                    stack.extend(a.arg.iter().chain(&a.filter).map(|x| (x, t)));
                }
                TExprKind::Grain(g) => {
                    let members = g.members.table();
                    match &g.members {
                        Members::Dimension(c) => {
                            self.nodes.insert(column("accounts", c));
                            self.rows("accounts", None);
                        }
                        Members::Accounts => self.rows("accounts", None),
                        Members::Rows(t) => {
                            // Each member is told apart by its key.
                            let table = self.catalog.tables.get(t);
                            if let Some(key) = table.and_then(|d| d.key.as_deref()) {
                                self.nodes.insert(column(t, key));
                            }
                            let time = table.and_then(|d| d.time_column.as_deref());
                            self.rows(t, time);
                        }
                    }
                    stack.extend(g.inner.iter().chain(&g.filter).map(|x| (x, members)));
                }
                TExprKind::Member(c) => {
                    if let Some(t) = row {
                        self.nodes.insert(column(t, c));
                    }
                }
                TExprKind::Column {
                    table,
                    column: c,
                    via,
                } => {
                    // Each hop follows a relation of the table reached so far.
                    let mut at = row;
                    for hop in via {
                        if let Some(from) = at {
                            self.nodes.insert(relation(from, &hop.column, &hop.table));
                        }
                        at = Some(hop.table.as_str());
                    }
                    self.nodes.insert(column(table, c));
                }
                TExprKind::Previous(x) | TExprKind::YearAgo(x) => stack.push((x, row)),
                _ => stack.extend(e.operands().into_iter().map(|x| (x, row))),
            }
        }
    }
}
