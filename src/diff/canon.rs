//! Canonical forms of formulas: what a measure or KPI means, spans and layout ignored.
//!
//! Two forms per item. The *deep* form expands every measure and keeps KPI references by
//! name: equal deep forms compute the same value whatever the measures are called or
//! how the formula was split into them. It is hash-consed: every node is interned as
//! its tag and its operands' numbers, and a measure reference is the number of the
//! measure's formula, so an expression written inline and the same expression behind
//! a measure get one number, and a chain of measures stays linear in size. The *shallow* form keeps
//! measure names: an item whose shallow form is unchanged was not edited, so a change
//! of its deep form comes from a measure it uses (impact, not an edit).

use crate::ir::{Catalog, TExpr, TExprKind};
use std::collections::HashMap;
use std::fmt::Write;

/// Deep forms interned to numbers, shared by both sides of a diff so that equal
/// expansions get equal numbers.
#[derive(Debug, Default)]
pub struct Interner {
    ids: HashMap<String, u32>,
}

impl Interner {
    /// The number of `form` (a new one the first time it is seen).
    pub fn id(&mut self, form: String) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(form).or_insert(next)
    }
}

/// The forms of every measure and KPI of one catalog.
#[derive(Debug, Default)]
pub struct Forms {
    /// The deep form's interned number, per measure and KPI id.
    pub deep: HashMap<String, u32>,
    /// The shallow form, per measure and KPI id.
    pub shallow: HashMap<String, String>,
    /// The tables each measure and KPI reads itself (not through the names it uses).
    pub tables: HashMap<String, Vec<String>>,
}

/// The forms of `catalog`'s measures and KPIs; every referenced name is first mapped
/// through `rename` (old id → new id, for the old side of a diff), so a renamed item
/// does not change the forms of those that use it.
pub fn forms(
    catalog: &Catalog,
    rename: &HashMap<String, String>,
    interner: &mut Interner,
) -> Forms {
    let mut forms = Forms::default();
    // `order` lists every item after what it uses, so each measure's number is known
    // before any formula that names it.
    for id in &catalog.order {
        let Some(formula) = catalog.formula(id) else {
            continue;
        };
        let number = Deep {
            catalog,
            rename,
            memo: &forms.deep,
            ids: Ids::Intern(interner),
        }
        .node(formula)
        .unwrap_or(u32::MAX);
        let mut shallow = Writer::new(rename);
        shallow.expr(formula);
        let mut tables = shallow.tables;
        tables.sort_unstable();
        tables.dedup();
        forms.shallow.insert(id.clone(), shallow.out);
        forms.tables.insert(id.clone(), tables);
        forms.deep.insert(id.clone(), number);
    }
    forms
}

/// The deep number of a sub-expression of a formula [`forms`] read (`None` for one it
/// did not): equal numbers, equal meaning.
pub fn deep_id(
    catalog: &Catalog,
    forms: &Forms,
    rename: &HashMap<String, String>,
    interner: &Interner,
    e: &TExpr,
) -> Option<u32> {
    Deep {
        catalog,
        rename,
        memo: &forms.deep,
        ids: Ids::Look(interner),
    }
    .node(e)
}

/// Whether nodes are interned (while reading the catalogs) or only looked up.
enum Ids<'a> {
    Intern(&'a mut Interner),
    Look(&'a Interner),
}

/// Numbers the nodes of an expression, measures expanded.
struct Deep<'a> {
    catalog: &'a Catalog,
    rename: &'a HashMap<String, String>,
    memo: &'a HashMap<String, u32>,
    ids: Ids<'a>,
}

impl Deep<'_> {
    fn opt(&mut self, e: Option<&TExpr>) -> Option<String> {
        Some(match e {
            Some(e) => self.node(e)?.to_string(),
            None => "_".into(),
        })
    }

    // Recursion is bounded by the parser's nesting and operator limits.
    fn node(&mut self, e: &TExpr) -> Option<u32> {
        let form = match &e.kind {
            TExprKind::Ref(id) if self.catalog.measures.contains_key(id) => {
                return self.memo.get(id).copied();
            }
            TExprKind::Neg(x) => format!("neg({})", self.node(x)?),
            TExprKind::Not(x) => format!("not({})", self.node(x)?),
            TExprKind::Previous(x) => format!("previous({})", self.node(x)?),
            TExprKind::YearAgo(x) => format!("year_ago({})", self.node(x)?),
            TExprKind::Binary { op, left, right } => {
                format!("({} {op:?} {})", self.node(left)?, self.node(right)?)
            }
            TExprKind::IsMissing { operand, negated } => {
                format!("missing{negated}({})", self.node(operand)?)
            }
            TExprKind::If {
                condition,
                then,
                otherwise,
            } => format!(
                "if({},{},{})",
                self.node(condition)?,
                self.node(then)?,
                self.node(otherwise)?
            ),
            TExprKind::Func { func, args } => {
                let mut s = format!("{func:?}(");
                for a in args {
                    let _ = write!(s, "{},", self.node(a)?);
                }
                s + ")"
            }
            TExprKind::Aggregate(a) => format!(
                "agg({:?},{},{:?},{:?},{},{})",
                a.func,
                a.table,
                a.fraction,
                a.time,
                self.opt(a.arg.as_ref())?,
                self.opt(a.filter.as_ref())?
            ),
            TExprKind::Grain(g) => format!(
                "grain({:?},{:?},{:?},{},{})",
                g.func,
                g.members,
                g.fraction,
                self.opt(g.inner.as_ref())?,
                self.opt(g.filter.as_ref())?
            ),
            // Leaves are written as the shallow form writes them.
            _ => {
                let mut w = Writer::new(self.rename);
                w.expr(e);
                w.out
            }
        };
        match &mut self.ids {
            Ids::Intern(i) => Some(i.id(form)),
            Ids::Look(i) => i.ids.get(&form).copied(),
        }
    }
}

/// Writes an expression's shallow form (names kept), noting the tables it reads.
struct Writer<'a> {
    out: String,
    rename: &'a HashMap<String, String>,
    tables: Vec<String>,
}

impl<'a> Writer<'a> {
    fn new(rename: &'a HashMap<String, String>) -> Writer<'a> {
        Writer {
            out: String::new(),
            rename,
            tables: Vec::new(),
        }
    }

    fn opt(&mut self, e: Option<&TExpr>) {
        match e {
            Some(e) => self.expr(e),
            None => self.out.push('_'),
        }
    }

    fn unary(&mut self, tag: &str, x: &TExpr) {
        self.out.push_str(tag);
        self.out.push('(');
        self.expr(x);
        self.out.push(')');
    }

    // Recursion is bounded by the parser's nesting and operator limits.
    fn expr(&mut self, e: &TExpr) {
        // Writing into a String cannot fail.
        let o = &mut self.out;
        match &e.kind {
            TExprKind::Number(n) => {
                let _ = write!(o, "n{n:?}");
            }
            TExprKind::Text(s) => {
                let _ = write!(o, "t{s:?}");
            }
            TExprKind::Date(d) => {
                let _ = write!(o, "d{d}");
            }
            TExprKind::Bool(b) => {
                let _ = write!(o, "b{b}");
            }
            TExprKind::Column { table, column, via } => {
                let _ = write!(o, "c({table}.{column}");
                for hop in via {
                    let _ = write!(o, "/{}>{}", hop.column, hop.table);
                    for (a, b) in &hop.on {
                        let _ = write!(o, ",{a}={b}");
                    }
                    self.tables.push(hop.table.clone());
                }
                self.out.push(')');
                self.tables.push(table.clone());
            }
            TExprKind::Ref(id) => {
                let name = self.rename.get(id).unwrap_or(id);
                let _ = write!(o, "r({name})");
            }
            TExprKind::Period(f) => {
                let _ = write!(o, "p{f:?}");
            }
            TExprKind::Neg(x) => self.unary("neg", x),
            TExprKind::Not(x) => self.unary("not", x),
            TExprKind::Previous(x) => self.unary("previous", x),
            TExprKind::YearAgo(x) => self.unary("year_ago", x),
            TExprKind::Binary { op, left, right } => {
                o.push('(');
                self.expr(left);
                let _ = write!(self.out, " {op:?} ");
                self.expr(right);
                self.out.push(')');
            }
            TExprKind::IsMissing { operand, negated } => {
                self.unary(if *negated { "present" } else { "missing" }, operand)
            }
            TExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                o.push_str("if(");
                self.expr(condition);
                self.out.push(',');
                self.expr(then);
                self.out.push(',');
                self.expr(otherwise);
                self.out.push(')');
            }
            TExprKind::Func { func, args } => {
                let _ = write!(o, "{func:?}(");
                for a in args {
                    self.expr(a);
                    self.out.push(',');
                }
                self.out.push(')');
            }
            TExprKind::Aggregate(a) => {
                let _ = write!(
                    o,
                    "agg({:?},{},{:?},{:?},",
                    a.func, a.table, a.fraction, a.time
                );
                self.tables.push(a.table.clone());
                self.opt(a.arg.as_ref());
                self.out.push(',');
                self.opt(a.filter.as_ref());
                self.out.push(')');
            }
            TExprKind::Grain(g) => {
                let _ = write!(o, "grain({:?},{:?},{:?},", g.func, g.members, g.fraction);
                if let Some(t) = g.members.table() {
                    self.tables.push(t.to_string());
                }
                self.opt(g.inner.as_ref());
                self.out.push(',');
                self.opt(g.filter.as_ref());
                self.out.push(')');
            }
            TExprKind::Member(c) => {
                let _ = write!(o, "member({c})");
            }
            TExprKind::Missing => o.push_str("missing"),
            TExprKind::Invalid => o.push_str("invalid"),
        }
    }
}
