//! A KPI's dependency graph as inline SVG: what it reads (tables at the top, then
//! measures and KPIs) above it, the measures and KPIs that use it below, in layers
//! laid out here (each node on the layer of its longest path to the KPI).

use super::Ctx;
use super::html::{self, esc};

use std::collections::HashMap;
use std::fmt::Write;

/// The most nodes drawn on each side of the KPI; the lists below the graph stay whole.
const MAX_SIDE: usize = 40;
/// The most nodes side by side: a wider layer wraps onto further rows, so the graph
/// fits the page's width.
const PER_ROW: usize = 5;
const NODE_W: i64 = 160;
const NODE_H: i64 = 34;
const GAP_X: i64 = 14;
const GAP_Y: i64 = 42;
/// Characters of a label before it is cut with an ellipsis (the full name is its title).
const LABEL_CHARS: usize = 20;

/// A node of the graph.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Table(String),
    Measure(String),
    Kpi(String),
}

impl Node {
    fn id(&self) -> &str {
        match self {
            Node::Table(n) | Node::Measure(n) | Node::Kpi(n) => n,
        }
    }

    fn class(&self) -> &'static str {
        match self {
            Node::Table(_) => "table",
            Node::Measure(_) => "measure",
            Node::Kpi(_) => "kpi",
        }
    }

    /// The kind in words, for the node's tooltip.
    fn kind(&self) -> &'static str {
        match self {
            Node::Table(_) => "table",
            Node::Measure(_) => "measure",
            Node::Kpi(_) => "KPI",
        }
    }

    fn path(&self) -> String {
        match self {
            Node::Table(n) => html::table_path(n),
            Node::Measure(n) => html::measure_path(n),
            Node::Kpi(n) => html::kpi_path(n),
        }
    }
}

/// The measure or KPI `id` names, as a node.
fn value_node(ctx: &Ctx, id: &str) -> Option<Node> {
    if ctx.catalog.measures.contains_key(id) {
        Some(Node::Measure(id.to_string()))
    } else if ctx.catalog.kpis.contains_key(id) {
        Some(Node::Kpi(id.to_string()))
    } else {
        None
    }
}

/// What a node reads directly: the measures and KPIs its formula names, then the
/// tables its formula aggregates (not those read through the measures it names).
pub fn inputs(ctx: &Ctx, node: &Node) -> Vec<Node> {
    let (deps, formula) = match node {
        Node::Table(_) => return Vec::new(),
        Node::Measure(id) => match ctx.catalog.measures.get(id) {
            Some(m) => (&m.depends_on, &m.formula),
            None => return Vec::new(),
        },
        Node::Kpi(id) => match ctx.catalog.kpis.get(id) {
            Some(k) => (&k.depends_on, &k.formula),
            None => return Vec::new(),
        },
    };
    let mut out: Vec<Node> = deps.iter().filter_map(|d| value_node(ctx, d)).collect();
    out.extend(formula.tables_read().into_iter().map(Node::Table));
    out
}

/// The measures and KPIs that name a node directly.
pub fn users(ctx: &Ctx, node: &Node) -> Vec<Node> {
    match node {
        Node::Table(_) => Vec::new(),
        Node::Measure(id) | Node::Kpi(id) => ctx
            .users(id)
            .iter()
            .filter_map(|u| value_node(ctx, u))
            .collect(),
    }
}

/// The nodes reachable from `focus` by `step`, each with its longest distance (bounded
/// by [`MAX_SIDE`] nodes; `true` when some were left out).
fn side(
    ctx: &Ctx,
    focus: &Node,
    step: impl Fn(&Ctx, &Node) -> Vec<Node>,
) -> (Vec<(Node, usize)>, bool) {
    let mut order: Vec<Node> = Vec::new();
    let mut edges: Vec<(usize, usize)> = Vec::new();
    let mut seen: HashMap<Node, usize> = HashMap::new();
    seen.insert(focus.clone(), 0);
    order.push(focus.clone());
    let mut truncated = false;
    let mut next = 0;
    while next < order.len() {
        let from = next;
        for n in step(ctx, &order[from]) {
            let to = match seen.get(&n) {
                Some(&i) => i,
                None if order.len() > MAX_SIDE => {
                    truncated = true;
                    continue;
                }
                None => {
                    seen.insert(n.clone(), order.len());
                    order.push(n);
                    order.len() - 1
                }
            };
            edges.push((from, to));
        }
        next += 1;
    }
    // Longest distance in a DAG (the checker refuses cycles): relax every edge at most
    // once per node; a cycle in a broken catalog only stops the relaxing early.
    let mut depth = vec![0usize; order.len()];
    for _ in 0..order.len() {
        let mut changed = false;
        for &(a, b) in &edges {
            if b != 0 && depth[b] < depth[a] + 1 {
                depth[b] = depth[a] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let nodes = order.into_iter().zip(depth).skip(1).collect();
    (nodes, truncated)
}

/// The graph of a KPI (or measure) as an `<svg>` element with a caption, or a note
/// when it depends on nothing and nothing depends on it.
pub fn svg(ctx: &Ctx, focus: &Node, root: &str) -> String {
    let (up, up_cut) = side(ctx, focus, inputs);
    let (down, down_cut) = side(ctx, focus, users);
    if up.is_empty() && down.is_empty() {
        return "<p class=\"missing\">No dependencies.</p>\n".into();
    }
    // Rows from the top: the deepest input first, the focus, then its users. A table
    // always sits on the top row, where every chain of reading starts.
    let top = up.iter().map(|(_, d)| *d).max().unwrap_or(0);
    let mut rows: Vec<Vec<Node>> =
        vec![Vec::new(); top + 1 + down.iter().map(|(_, d)| *d).max().unwrap_or(0)];
    for (n, d) in &up {
        let row = if matches!(n, Node::Table(_)) {
            0
        } else {
            top - d
        };
        rows[row].push(n.clone());
    }
    rows[top].push(focus.clone());
    for (n, d) in &down {
        rows[top + d].push(n.clone());
    }
    let rows: Vec<Vec<Node>> = rows
        .into_iter()
        .filter(|r| !r.is_empty())
        .flat_map(|mut r| {
            r.sort();
            r.chunks(PER_ROW).map(<[Node]>::to_vec).collect::<Vec<_>>()
        })
        .collect();
    let widest = rows.iter().map(Vec::len).max().unwrap_or(1) as i64;
    let width = widest * (NODE_W + GAP_X) + GAP_X;
    let height = rows.len() as i64 * (NODE_H + GAP_Y);
    let mut pos: HashMap<&Node, (i64, i64)> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let row_w = r.len() as i64 * (NODE_W + GAP_X) - GAP_X;
        let x0 = (width - row_w) / 2;
        for (j, n) in r.iter().enumerate() {
            pos.insert(
                n,
                (
                    x0 + j as i64 * (NODE_W + GAP_X),
                    GAP_Y / 2 + i as i64 * (NODE_H + GAP_Y),
                ),
            );
        }
    }
    let mut out = String::new();
    let _ = write!(
        out,
        "<figure class=\"graph\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" \
         width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
         aria-label=\"Dependency graph of {}\">\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" \
         refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
         <path d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>\n",
        esc(focus.id())
    );
    // Edges first so that nodes are drawn over them: from an input's bottom to its
    // user's top.
    let drawn: Vec<&Node> = rows.iter().flatten().collect();
    for user in &drawn {
        for input in inputs(ctx, user) {
            if let (Some(&(x1, y1)), Some(&(x2, y2))) = (pos.get(&input), pos.get(user)) {
                let _ = writeln!(
                    out,
                    "<line class=\"edge\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" marker-end=\"url(#arrow)\"/>",
                    x1 + NODE_W / 2,
                    y1 + NODE_H,
                    x2 + NODE_W / 2,
                    y2
                );
            }
        }
    }
    for n in drawn {
        let Some(&(x, y)) = pos.get(n) else { continue };
        let focus_class = if n == focus { " focus" } else { "" };
        let label: String = if n.id().chars().count() > LABEL_CHARS {
            n.id().chars().take(LABEL_CHARS - 1).chain(['…']).collect()
        } else {
            n.id().to_string()
        };
        let _ = writeln!(
            out,
            "<a href=\"{}{}\"><g class=\"node {}{focus_class}\"><title>{} {}</title>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"6\"/>\
             <text x=\"{}\" y=\"{}\">{}</text></g></a>",
            esc(root),
            esc(&n.path()),
            n.class(),
            n.kind(),
            esc(n.id()),
            x + NODE_W / 2,
            y + NODE_H / 2 + 5,
            esc(&label)
        );
    }
    out.push_str("</svg>\n<figcaption>Tables (top) are read by measures and KPIs; arrows point from what is read to what reads it.");
    if up_cut || down_cut {
        let _ = write!(
            out,
            " Only the nearest {MAX_SIDE} items on each side are drawn; the lists below are complete."
        );
    }
    out.push_str("</figcaption>\n</figure>\n");
    out
}
