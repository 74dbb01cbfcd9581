//! The kinds of top-level items (`table`, `category`, `measure`, `kpi`, `benchmark`,
//! `rule`, `target`), their keywords and the fields each accepts, one row each in [`ITEM_KINDS`];
//! and the severities of a rule ([`SEVERITIES`]).

use super::attributes::ATTRIBUTES;

/// A kind of top-level item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Table,
    Category,
    Measure,
    Kpi,
    Benchmark,
    Rule,
    Target,
}

/// One field of an item kind.
#[derive(Debug, Clone, Copy)]
pub struct FieldInfo {
    /// The field name as written.
    pub name: &'static str,
    pub required: bool,
    /// What it holds, in one line.
    pub doc: &'static str,
}

/// One item kind.
#[derive(Debug, Clone, Copy)]
pub struct ItemKindInfo {
    pub kind: ItemKind,
    /// The keyword that starts the item: `KEYWORD NAME { ... }`.
    pub keyword: &'static str,
    /// What it declares, in one line.
    pub doc: &'static str,
    /// Its fields, besides the documentation attributes (tables declare columns
    /// instead of fields).
    pub fields: &'static [FieldInfo],
    /// Whether it also takes the documentation attributes ([`ATTRIBUTES`]).
    pub documented: bool,
}

const fn f(name: &'static str, required: bool, doc: &'static str) -> FieldInfo {
    FieldInfo {
        name,
        required,
        doc,
    }
}

/// Every item kind, in [`ItemKind`] order (the order they are usually declared in).
pub static ITEM_KINDS: &[ItemKindInfo] = &[
    ItemKindInfo {
        kind: ItemKind::Table,
        keyword: "table",
        doc: "A table of the data model: one column per line, `name: TYPE MODIFIER*`.",
        fields: &[],
        documented: false,
    },
    ItemKindInfo {
        kind: ItemKind::Category,
        keyword: "category",
        doc: "A category (type) of KPIs.",
        fields: &[
            f("name", true, "the display name"),
            f("description", false, "what the category covers"),
        ],
        documented: false,
    },
    ItemKindInfo {
        kind: ItemKind::Measure,
        keyword: "measure",
        doc: "A named, reusable formula that KPIs refer to by its bare name.",
        fields: &[
            f("formula", true, "the expression"),
            f("unit", false, "the unit the formula must yield"),
            f("description", false, "what it computes"),
        ],
        documented: false,
    },
    ItemKindInfo {
        kind: ItemKind::Kpi,
        keyword: "kpi",
        doc: "A KPI: a formula with its unit, direction and documentation.",
        fields: &[
            f("name", true, "the display name"),
            f("category", true, "a declared category"),
            f("unit", true, "the unit of its value"),
            f("better", true, "whether higher or lower values are better"),
            f("formula", true, "the expression (the standard formula)"),
            f("cadence", false, "how often it is reviewed"),
            f(
                "tags",
                false,
                "a list of names; `top12` marks the most important",
            ),
            f(
                "breakdown",
                false,
                "a `table.column` dimension the value is broken down by",
            ),
            f(
                "target",
                false,
                "what the value is measured against: a value, `by accounts.DIMENSION { ... }`, `by period { ... }` or a formula",
            ),
            f(
                "status",
                false,
                "green/amber thresholds: `{ green: 100%, amber: 90% }` of the target, or values with `absolute`",
            ),
            f(
                "min_sample",
                false,
                "fewer members than this flag a ratio's or average's value as a small sample (default: the project's, 30)",
            ),
        ],
        documented: true,
    },
    ItemKindInfo {
        kind: ItemKind::Benchmark,
        keyword: "benchmark",
        doc: "An outside reference value for a KPI, with its source.",
        fields: &[
            f("kpi", true, "the KPI's id"),
            f("value", false, "the value (or `low` and `high`)"),
            f("low", false, "the low end of a range"),
            f("high", false, "the high end of a range"),
            f("segment", false, "the industry or segment it applies to"),
            f(
                "applies_to",
                false,
                "the accounts it is compared for: `accounts.COLUMN == \"VALUE\"` (joined by `and`), or `any`",
            ),
            f(
                "period",
                false,
                "the length of period the figure describes: `year`, `quarter` or `month`",
            ),
            f("source", true, "publisher, report title, year"),
            f("url", false, "a link to the source"),
            f("as_of", true, "the date of the figure"),
            f("note", false, "anything else a reader should know"),
        ],
        documented: false,
    },
    ItemKindInfo {
        kind: ItemKind::Rule,
        keyword: "rule",
        doc: "A diagnostic rule: a condition over KPI values that, when true, reports a message.",
        fields: &[
            f("name", true, "the display name"),
            f(
                "condition",
                true,
                "when the rule fires: true/false over KPIs, `previous(KPI)`, operators and scalar functions",
            ),
            f(
                "severity",
                true,
                "how serious it is when it fires: info, warning or critical",
            ),
            f(
                "message",
                true,
                "what it says when it fires; `{expression}` shows a value in its unit, `{{` and `}}` are braces",
            ),
            f(
                "description",
                false,
                "why the rule holds and why its thresholds",
            ),
        ],
        documented: false,
    },
    ItemKindInfo {
        kind: ItemKind::Target,
        keyword: "target",
        doc: "A target for a KPI declared elsewhere: its value and status thresholds, kept apart from the shared definition.",
        fields: &[
            f(
                "kpi",
                true,
                "the KPI's id (a KPI without its own `target:`)",
            ),
            f(
                "value",
                true,
                "what the KPI's value is measured against: any shape a KPI's `target:` takes",
            ),
            f(
                "status",
                false,
                "green/amber thresholds, as a KPI's `status:` (default: green at the target, amber within 10%)",
            ),
            f(
                "source",
                true,
                "where the target comes from: the plan, who set it, the year",
            ),
        ],
        documented: false,
    },
];

/// How serious a fired rule is, least serious first (so that `>=` compares them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

/// One severity: its word and what it means.
#[derive(Debug, Clone, Copy)]
pub struct SeverityInfo {
    pub severity: Severity,
    /// The word a rule's `severity:` field takes.
    pub word: &'static str,
    /// What it means, in one line.
    pub doc: &'static str,
}

/// Every severity, in [`Severity`] order.
pub static SEVERITIES: &[SeverityInfo] = &[
    SeverityInfo {
        severity: Severity::Info,
        word: "info",
        doc: "worth knowing; no action needed by itself",
    },
    SeverityInfo {
        severity: Severity::Warning,
        word: "warning",
        doc: "worth a look before the next review",
    },
    SeverityInfo {
        severity: Severity::Critical,
        word: "critical",
        doc: "the numbers cannot be trusted or need action now",
    },
];

impl Severity {
    /// The word a rule's `severity:` field takes (`info`, `warning`, `critical`).
    pub fn word(self) -> &'static str {
        SEVERITIES[self as usize].word
    }

    /// The severity this word names.
    pub fn from_word(word: &str) -> Option<Severity> {
        SEVERITIES
            .iter()
            .find(|s| s.word == word)
            .map(|s| s.severity)
    }

    /// Every severity word, in order.
    pub fn words() -> impl Iterator<Item = &'static str> + Clone {
        SEVERITIES.iter().map(|s| s.word)
    }
}

impl serde::Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.word())
    }
}

impl ItemKind {
    /// The kind's row of [`ITEM_KINDS`].
    pub fn info(self) -> &'static ItemKindInfo {
        &ITEM_KINDS[self as usize]
    }

    /// The keyword that starts the item.
    pub fn keyword(self) -> &'static str {
        self.info().keyword
    }

    /// The kind starting with this keyword.
    pub fn from_keyword(word: &str) -> Option<ItemKind> {
        ITEM_KINDS
            .iter()
            .find(|k| k.keyword == word)
            .map(|k| k.kind)
    }

    /// Every keyword, in [`ITEM_KINDS`] order.
    pub fn keywords() -> impl Iterator<Item = &'static str> + Clone {
        ITEM_KINDS.iter().map(|k| k.keyword)
    }

    /// Whether the kind accepts a field of this name.
    pub fn accepts(self, field: &str) -> bool {
        self.field_names().any(|f| f == field)
    }

    /// Every field name the kind accepts: its own fields, then the documentation
    /// attributes if it takes them.
    pub fn field_names(self) -> impl Iterator<Item = &'static str> + Clone {
        let info = self.info();
        let docs: &'static [_] = if info.documented { ATTRIBUTES } else { &[] };
        info.fields
            .iter()
            .map(|f| f.name)
            .chain(docs.iter().map(|a| a.field))
    }

    /// The fields the kind cannot do without, in order.
    pub fn required_fields(self) -> impl Iterator<Item = &'static str> {
        self.info()
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_in_enum_order() {
        for (i, k) in ITEM_KINDS.iter().enumerate() {
            assert_eq!(k.kind as usize, i, "{}", k.keyword);
            assert_eq!(ItemKind::from_keyword(k.keyword), Some(k.kind));
        }
        assert!(ItemKind::Kpi.accepts("tips"));
        assert!(!ItemKind::Measure.accepts("tips"));
        assert_eq!(
            ItemKind::Benchmark.required_fields().collect::<Vec<_>>(),
            ["kpi", "source", "as_of"]
        );
        for (i, s) in SEVERITIES.iter().enumerate() {
            assert_eq!(s.severity as usize, i, "{}", s.word);
            assert_eq!(Severity::from_word(s.word), Some(s.severity));
        }
        assert!(Severity::Critical > Severity::Warning);
    }
}
