//! The dependency graph of measures and KPIs: a topological order, and every cycle
//! reported with its full path. Iterative throughout, so a 10,000-long chain of
//! references cannot overflow the stack.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use indexmap::IndexMap;

/// One node: a measure or KPI and the names its formula refers to.
pub struct Node<'a> {
    pub name_span: Span,
    /// Referenced names with the span of each reference (unknown names included;
    /// they are ignored here).
    pub refs: Vec<(&'a str, Span)>,
}

/// The nodes in dependency order (dependencies first), and the nodes on cycles.
pub struct Ordered {
    pub order: Vec<String>,
    pub cyclic: Vec<String>,
}

/// Orders `nodes` and reports each cycle once (K0108).
pub fn order<S: std::hash::BuildHasher>(
    nodes: &IndexMap<String, Node<'_>, S>,
    diags: &mut Vec<Diagnostic>,
) -> Ordered {
    let n = nodes.len();
    let edges: Vec<Vec<(usize, Span)>> = nodes
        .values()
        .map(|node| {
            node.refs
                .iter()
                .filter_map(|(name, span)| nodes.get_index_of(*name).map(|i| (i, *span)))
                .collect()
        })
        .collect();
    let sccs = tarjan(&edges);
    let mut order = Vec::with_capacity(n);
    let mut cyclic = Vec::new();
    // Tarjan yields components in reverse topological order of the condensation,
    // i.e. dependencies first — exactly the evaluation order.
    for scc in sccs {
        let is_cycle = scc.len() > 1 || edges[scc[0]].iter().any(|(t, _)| *t == scc[0]);
        if !is_cycle {
            order.push(
                nodes
                    .get_index(scc[0])
                    .map(|(k, _)| k.clone())
                    .unwrap_or_default(),
            );
            continue;
        }
        let start = *scc.iter().min().unwrap_or(&scc[0]);
        diags.push(cycle_diagnostic(nodes, &edges, &scc, start));
        cyclic.extend(
            scc.iter()
                .filter_map(|i| nodes.get_index(*i).map(|(k, _)| k.clone())),
        );
    }
    Ordered { order, cyclic }
}

/// The path start -> ... -> start inside one component, found by breadth-first search.
fn cycle_diagnostic<S: std::hash::BuildHasher>(
    nodes: &IndexMap<String, Node<'_>, S>,
    edges: &[Vec<(usize, Span)>],
    scc: &[usize],
    start: usize,
) -> Diagnostic {
    let in_scc: std::collections::HashSet<usize> = scc.iter().copied().collect();
    let mut prev: std::collections::HashMap<usize, (usize, Span)> =
        std::collections::HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut closing = None;
    'bfs: while let Some(v) = queue.pop_front() {
        for (t, span) in &edges[v] {
            if *t == start {
                closing = Some((v, *span));
                break 'bfs;
            }
            if in_scc.contains(t) && !prev.contains_key(t) {
                prev.insert(*t, (v, *span));
                queue.push_back(*t);
            }
        }
    }
    // Walk back from the node that closes the cycle.
    let mut steps: Vec<(usize, usize, Span)> = Vec::new();
    if let Some((last, span)) = closing {
        steps.push((last, start, span));
        let mut v = last;
        while v != start {
            let Some((p, s)) = prev.get(&v).copied() else {
                break;
            };
            steps.push((p, v, s));
            v = p;
        }
    }
    steps.reverse();
    let name = |i: usize| nodes.get_index(i).map(|(k, _)| k.as_str()).unwrap_or("?");
    let mut path: Vec<&str> = steps.iter().map(|(from, _, _)| name(*from)).collect();
    path.push(name(start));
    let (_, start_node) = nodes.get_index(start).expect("start is a node");
    let primary = steps.first().map_or(start_node.name_span, |(_, _, s)| *s);
    let mut d = Diagnostic::error(
        Code::Cycle,
        primary,
        format!("`{}` depends on itself: {}", name(start), path.join(" -> ")),
    )
    .label(format!(
        "`{}` refers to `{}` here",
        name(start),
        steps.first().map_or(name(start), |(_, t, _)| name(*t))
    ))
    .help("compute one of these from the data instead of from the others");
    // The rest of the path, step by step (capped so a huge cycle stays readable).
    for (from, to, span) in steps.iter().skip(1).take(8) {
        d = d.with(
            *span,
            format!("`{}` refers to `{}`", name(*from), name(*to)),
        );
    }
    d
}

/// Iterative Tarjan's strongly connected components.
fn tarjan(edges: &[Vec<(usize, Span)>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut sccs = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        // (node, next edge to look at)
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut ei)) = call.last_mut() {
            if let Some(&(w, _)) = edges[v].get(*ei) {
                *ei += 1;
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut scc = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    scc.push(w);
                    if w == v {
                        break;
                    }
                }
                sccs.push(scc);
            }
        }
    }
    sccs
}
