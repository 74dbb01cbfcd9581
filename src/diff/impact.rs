//! Impact: every KPI whose value depends on a changed item through the measures and
//! KPIs it names, the columns it reads and the relations it follows (`reads.rs`), each
//! with the path that leads to the change; the benchmarks of those KPIs; the test
//! cases that name them.

use super::report::{Affected, AffectedTest, ItemKind, Step};
use crate::ir::Catalog;
use crate::testing::TestFile;
use std::collections::{HashMap, HashSet, VecDeque};

use super::reads::Node;

/// What depends on the `roots` in the `catalog` (the new side), nearest first.
pub fn affected(catalog: &Catalog, roots: &[Step]) -> Vec<Affected> {
    // Who uses each item, column and relation: built once for the whole catalog.
    let users = super::reads::users(catalog);
    // Breadth first from every root at once: each item is reached by a shortest path.
    let mut parent: HashMap<Node, Option<Node>> = HashMap::new();
    let mut queue = VecDeque::new();
    for r in roots {
        let node = (r.item, r.id.clone());
        if parent.insert(node.clone(), None).is_none() {
            queue.push_back(node);
        }
    }
    let root_set: HashSet<Node> = parent.keys().cloned().collect();
    let mut out = Vec::new();
    while let Some(node) = queue.pop_front() {
        if node.0 == ItemKind::Kpi && !root_set.contains(&node) {
            out.push(Affected {
                item: ItemKind::Kpi,
                id: node.1.clone(),
                path: path(&parent, &node),
            });
        }
        for user in users.get(&node).into_iter().flatten() {
            if !parent.contains_key(user) {
                parent.insert(user.clone(), Some(node.clone()));
                queue.push_back(user.clone());
            }
        }
    }
    // Benchmarks compare with the value of a changed or affected KPI.
    let moved: HashMap<&str, Vec<Step>> = roots
        .iter()
        .filter(|r| r.item == ItemKind::Kpi)
        .map(|r| (r.id.as_str(), vec![r.clone()]))
        .chain(out.iter().map(|a| (a.id.as_str(), a.path.clone())))
        .collect();
    let mut benchmarks = Vec::new();
    for b in &catalog.benchmarks {
        if let Some(p) = moved.get(b.kpi.as_str()) {
            let mut path = vec![Step {
                item: ItemKind::Benchmark,
                id: b.id.clone(),
            }];
            path.extend(p.iter().cloned());
            benchmarks.push(Affected {
                item: ItemKind::Benchmark,
                id: b.id.clone(),
                path,
            });
        }
    }
    out.extend(benchmarks);
    out
}

/// From `node` back to its root.
fn path(parent: &HashMap<Node, Option<Node>>, node: &Node) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut at = Some(node.clone());
    // Bounded: each parent was reached before its child, so the chain ends at a root.
    while let Some(n) = at {
        at = parent.get(&n).cloned().flatten();
        steps.push(Step { item: n.0, id: n.1 });
    }
    steps
}

/// The test files' cases that test a changed or affected KPI or measure, one entry
/// per file and target, in file order.
pub fn tests(files: &[TestFile], roots: &[Step], affected: &[Affected]) -> Vec<AffectedTest> {
    let mut why: HashMap<&str, Vec<Step>> = HashMap::new();
    for r in roots
        .iter()
        .filter(|r| matches!(r.item, ItemKind::Kpi | ItemKind::Measure))
    {
        why.insert(&r.id, vec![r.clone()]);
    }
    for a in affected.iter().filter(|a| a.item == ItemKind::Kpi) {
        why.entry(&a.id).or_insert_with(|| a.path.clone());
    }
    let mut out: Vec<AffectedTest> = Vec::new();
    for file in files {
        for case in &file.cases {
            let target = case.target.id();
            let Some(path) = why.get(target) else {
                continue;
            };
            let name = file.path.display().to_string();
            match out
                .iter_mut()
                .find(|t| t.file == name && t.target == target)
            {
                Some(t) => t.cases.push(case.name.clone()),
                None => out.push(AffectedTest {
                    file: name,
                    target: target.to_string(),
                    cases: vec![case.name.clone()],
                    path: path.clone(),
                }),
            }
        }
    }
    out
}
