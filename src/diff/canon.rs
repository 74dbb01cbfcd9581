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
use std::collections::{HashMap, HashSet};
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

/// The canonical forms of one catalog's measures and KPIs, each computed when first
/// asked for and kept. Only the items a diff must look into are ever formed (those
/// whose formula reads differently, and the candidates for a rename), with the
/// measures they use: forming every item of a large catalog was most of a diff's time.
pub struct Forms<'c> {
    catalog: &'c Catalog,
    /// Old id → new id, applied to every referenced name (for the old side of a diff),
    /// so a renamed item does not change the forms of those that use it.
    rename: &'c HashMap<String, String>,
    /// The deep form's interned number per measure and KPI formed so far.
    deep: HashMap<&'c str, u32>,
}

impl<'c> Forms<'c> {
    /// No form computed yet.
    pub fn new(catalog: &'c Catalog, rename: &'c HashMap<String, String>) -> Forms<'c> {
        Forms {
            catalog,
            rename,
            deep: HashMap::new(),
        }
    }

    /// The deep form's number of measure or KPI `id` (`None` for no such item),
    /// forming first every measure it uses, each after those it uses itself.
    pub fn deep(&mut self, id: &str, interner: &mut Interner) -> Option<u32> {
        let c = self.catalog;
        let root: &'c str = match c.measures.get_key_value(id) {
            Some((k, _)) => k,
            None => c.kpis.get_key_value(id)?.0,
        };
        // Depth first, without recursion (a chain of measures may be long); `seen`
        // ends a cycle, which a checked catalog has not anyway.
        let mut stack: Vec<(&'c str, bool)> = vec![(root, false)];
        let mut seen: HashSet<&'c str> = HashSet::new();
        while let Some((id, ready)) = stack.pop() {
            if self.deep.contains_key(id) {
                continue;
            }
            let Some(formula) = c.formula(id) else {
                continue;
            };
            if !ready {
                if !seen.insert(id) {
                    continue;
                }
                stack.push((id, true));
                for used in measures_used(c, formula) {
                    if !self.deep.contains_key(used) && !seen.contains(used) {
                        stack.push((used, false));
                    }
                }
                continue;
            }
            let number = Deep {
                catalog: c,
                rename: self.rename,
                memo: &self.deep,
                ids: Ids::Intern(interner),
            }
            .node(formula)
            .unwrap_or(u32::MAX);
            self.deep.insert(id, number);
        }
        self.deep.get(root).copied()
    }

    /// The deep number of a sub-expression of a formula already formed (`None` for
    /// one that was not): equal numbers, equal meaning.
    pub fn look(&self, interner: &Interner, e: &TExpr) -> Option<u32> {
        Deep {
            catalog: self.catalog,
            rename: self.rename,
            memo: &self.deep,
            ids: Ids::Look(interner),
        }
        .node(e)
    }

    /// The shallow form of a formula of this catalog (measure names kept).
    pub fn shallow(&self, e: &TExpr) -> String {
        let mut w = Writer::new(self.rename);
        w.expr(e);
        w.out
    }
}

/// The measures a formula names (directly), each once.
fn measures_used<'c>(catalog: &'c Catalog, formula: &'c TExpr) -> Vec<&'c str> {
    let mut out: Vec<&'c str> = Vec::new();
    let mut stack = vec![formula];
    while let Some(e) = stack.pop() {
        if let TExprKind::Ref(id) = &e.kind
            && let Some((k, _)) = catalog.measures.get_key_value(id)
            && !out.contains(&k.as_str())
        {
            out.push(k);
        }
        stack.extend(children(e));
    }
    out
}

/// Every direct sub-expression, aggregate arguments and filters and the inside of
/// `previous` and `year_ago` included.
fn children(e: &TExpr) -> Vec<&TExpr> {
    match &e.kind {
        TExprKind::Previous(x) | TExprKind::YearAgo(x) => vec![x],
        TExprKind::Aggregate(a) => a.arg.iter().chain(&a.filter).collect(),
        TExprKind::Grain(g) => g.inner.iter().chain(&g.filter).collect(),
        _ => e.operands(),
    }
}

/// Both optional operands present (then pushed to be compared) or both absent.
fn both<'e>(
    stack: &mut Vec<(&'e TExpr, &'e TExpr)>,
    x: &'e Option<TExpr>,
    y: &'e Option<TExpr>,
) -> bool {
    match (x, y) {
        (Some(x), Some(y)) => {
            stack.push((x, y));
            true
        }
        (None, None) => true,
        _ => false,
    }
}

/// Whether two formulas have the same shallow form, `a` read on the old side (its
/// names through `rename`) and `b` on the new, without writing either: nodes compared
/// field by field. `true` only when the shallow forms are equal (it compares all they
/// write and more: the types, numbers bit for bit), so a `false` is settled by
/// writing both forms; an unedited formula, the usual case, costs one walk.
pub fn same_shallow(a: &TExpr, b: &TExpr, rename: &HashMap<String, String>) -> bool {
    use TExprKind as K;
    let bits = |x: &Option<f64>, y: &Option<f64>| x.map(f64::to_bits) == y.map(f64::to_bits);
    let mut stack: Vec<(&TExpr, &TExpr)> = vec![(a, b)];
    while let Some((a, b)) = stack.pop() {
        if a.ty != b.ty {
            return false;
        }
        let same = match (&a.kind, &b.kind) {
            (K::Number(x), K::Number(y)) => x.to_bits() == y.to_bits(),
            (K::Text(x), K::Text(y)) => x == y,
            (K::Date(x), K::Date(y)) => x == y,
            (K::Bool(x), K::Bool(y)) => x == y,
            (
                K::Column { table, column, via },
                K::Column {
                    table: t,
                    column: c,
                    via: v,
                },
            ) => table == t && column == c && via == v,
            (K::Ref(x), K::Ref(y)) => rename.get(x).unwrap_or(x) == y,
            (K::Period(x), K::Period(y)) => x == y,
            (K::Neg(x), K::Neg(y))
            | (K::Not(x), K::Not(y))
            | (K::Previous(x), K::Previous(y))
            | (K::YearAgo(x), K::YearAgo(y)) => {
                stack.push((x, y));
                true
            }
            (
                K::Binary { op, left, right },
                K::Binary {
                    op: o,
                    left: l,
                    right: r,
                },
            ) => {
                stack.push((left, l));
                stack.push((right, r));
                op == o
            }
            (
                K::IsMissing { operand, negated },
                K::IsMissing {
                    operand: x,
                    negated: n,
                },
            ) => {
                stack.push((operand, x));
                negated == n
            }
            (
                K::If {
                    condition,
                    then,
                    otherwise,
                },
                K::If {
                    condition: c,
                    then: t,
                    otherwise: o,
                },
            ) => {
                stack.push((condition, c));
                stack.push((then, t));
                stack.push((otherwise, o));
                true
            }
            (K::Func { func, args }, K::Func { func: f, args: a }) => {
                stack.extend(args.iter().zip(a));
                func == f && args.len() == a.len()
            }
            (K::Aggregate(x), K::Aggregate(y)) => {
                x.func == y.func
                    && x.table == y.table
                    && bits(&x.fraction, &y.fraction)
                    && x.time == y.time
                    && both(&mut stack, &x.arg, &y.arg)
                    && both(&mut stack, &x.filter, &y.filter)
            }
            (K::Grain(x), K::Grain(y)) => {
                x.func == y.func
                    && x.members == y.members
                    && bits(&x.fraction, &y.fraction)
                    && both(&mut stack, &x.inner, &y.inner)
                    && both(&mut stack, &x.filter, &y.filter)
            }
            (K::Member(x), K::Member(y)) => x == y,
            (K::Missing, K::Missing) | (K::Invalid, K::Invalid) => true,
            _ => false,
        };
        if !same {
            return false;
        }
    }
    true
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
    memo: &'a HashMap<&'a str, u32>,
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
                return self.memo.get(id.as_str()).copied();
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

/// Writes an expression's shallow form (names kept).
struct Writer<'a> {
    out: String,
    rename: &'a HashMap<String, String>,
}

impl<'a> Writer<'a> {
    fn new(rename: &'a HashMap<String, String>) -> Writer<'a> {
        Writer {
            out: String::new(),
            rename,
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
                }
                self.out.push(')');
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
                self.opt(a.arg.as_ref());
                self.out.push(',');
                self.opt(a.filter.as_ref());
                self.out.push(')');
            }
            TExprKind::Grain(g) => {
                let _ = write!(o, "grain({:?},{:?},{:?},", g.func, g.members, g.fraction);
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
