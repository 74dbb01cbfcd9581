//! What a diff found, as data: the changed items, what they affect, the tests that
//! name them and (with data) the values before and after. Every output format reads it.

use serde::Serialize;

/// How much a change matters, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Written differently, same meaning (a measure renamed, a formula refactored).
    None,
    /// Documentation attributes, descriptions, sources of benchmarks.
    Documentation,
    /// Metadata that changes output: unit, direction, name, category, tags, breakdown,
    /// benchmark values.
    Output,
    /// The value computed changes (or an item appears or disappears).
    Formula,
}

impl Class {
    /// Whether a change of this class changes what kpic outputs (`--fail-on semantic`).
    pub fn is_semantic(self) -> bool {
        self >= Class::Output
    }

    /// As shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Class::None => "no semantic change",
            Class::Documentation => "documentation only",
            Class::Output => "metadata",
            Class::Formula => "formula",
        }
    }
}

/// What kind of catalog item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Kpi,
    Measure,
    Benchmark,
    Table,
    Category,
    /// A table's column, `table.column`.
    Column,
    /// A relation followed, `table.column -> target`.
    Relation,
}

impl ItemKind {
    /// The prefix an item's id is shown with (`measure m`); none for KPIs.
    pub fn prefix(self) -> &'static str {
        match self {
            ItemKind::Kpi => "",
            ItemKind::Measure => "measure ",
            ItemKind::Benchmark => "benchmark ",
            ItemKind::Table => "table ",
            ItemKind::Category => "category ",
            ItemKind::Column => "column ",
            ItemKind::Relation => "relation ",
        }
    }
}

/// Whether an item is new, gone, renamed or changed in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Added,
    Removed,
    Renamed,
    Changed,
}

/// One item that differs between the two catalogs.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub item: ItemKind,
    /// The id (the new one for a rename).
    pub id: String,
    pub status: Status,
    /// The weightiest class among `details`.
    pub class: Class,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// One line per difference, each with its class.
    pub details: Vec<Detail>,
    /// The old and new formulas (formatted alike) when the formula changed and the
    /// difference could not be said in one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula: Option<FormulaChange>,
}

impl Change {
    /// The item as shown: `churn_rate`, `measure active_accounts`.
    pub fn name(&self) -> String {
        format!("{}{}", self.item.prefix(), self.id)
    }
}

/// One difference of an item.
#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    pub class: Class,
    pub text: String,
}

/// A formula before and after.
#[derive(Debug, Clone, Serialize)]
pub struct FormulaChange {
    pub old: String,
    pub new: String,
}

/// One step of an impact path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub item: ItemKind,
    pub id: String,
}

/// An item whose value depends on a changed one.
#[derive(Debug, Clone, Serialize)]
pub struct Affected {
    pub item: ItemKind,
    pub id: String,
    /// From this item to the changed one it depends on, through what it uses.
    pub path: Vec<Step>,
}

impl Affected {
    /// `nrr ← churn_rate ← measure active_accounts`.
    pub fn path_text(&self) -> String {
        path_text(&self.path)
    }
}

/// A path as `a ← b ← measure c`.
pub fn path_text(path: &[Step]) -> String {
    path.iter()
        .map(|s| format!("{}{}", s.item.prefix(), s.id))
        .collect::<Vec<_>>()
        .join(" ← ")
}

/// A test file whose cases name a changed or affected KPI or measure.
#[derive(Debug, Clone, Serialize)]
pub struct AffectedTest {
    pub file: String,
    /// The KPI or measure the cases test.
    pub target: String,
    pub cases: Vec<String>,
    /// From the target to the changed item (just the target when it changed itself).
    pub path: Vec<Step>,
}

/// A test case added, removed or changed between the two sides.
#[derive(Debug, Clone, Serialize)]
pub struct TestChange {
    /// The test file as read: on the new side, or the old for a removed case.
    pub file: String,
    pub case: String,
    /// The KPI or measure the case tests (on the new side, or the old for a removed
    /// case).
    pub target: String,
    pub status: Status,
}

/// One value before and after.
#[derive(Debug, Clone, Serialize)]
pub struct ValueRow {
    pub kpi: String,
    /// The group (empty for the whole scope).
    pub group: String,
    /// As shown, by the KPI's unit on each side (`—` when the side has no such KPI).
    pub old: String,
    pub new: String,
    /// The numbers (absent when missing on a side).
    pub old_value: Option<f64>,
    pub new_value: Option<f64>,
    /// new − old, as shown (percent as points); empty when a side is missing.
    pub difference: String,
    pub difference_value: Option<f64>,
}

/// The affected KPIs computed under both definitions.
#[derive(Debug, Clone, Serialize)]
pub struct Values {
    pub period: String,
    pub rows: Vec<ValueRow>,
    /// KPIs that could not be computed on a side, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Everything a diff found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// What each side is (a path, or `REV` of the repository).
    pub old: String,
    pub new: String,
    pub changes: Vec<Change>,
    pub affected: Vec<Affected>,
    pub tests: Vec<AffectedTest>,
    /// Test cases added, removed or changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub test_changes: Vec<TestChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Values>,
}

impl Report {
    /// Whether any change changes output (`--fail-on semantic`).
    pub fn has_semantic(&self) -> bool {
        self.changes.iter().any(|c| c.class.is_semantic())
    }

    /// The KPIs whose value may differ: those whose formula changed or appeared, and
    /// those affected, in catalog order of the new side where possible.
    pub fn kpis_to_compute(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.changes {
            if c.item == ItemKind::Kpi && c.class == Class::Formula {
                out.push(c.id.clone());
                if let Some(old) = &c.renamed_from {
                    out.push(old.clone());
                }
            }
        }
        for a in &self.affected {
            if a.item == ItemKind::Kpi {
                out.push(a.id.clone());
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|k| seen.insert(k.clone()));
        out
    }
}
