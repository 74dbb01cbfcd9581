//! The documentation attributes a KPI carries (the catalog's twelve, with the formula
//! being the fourth and `related` added), one row each in [`ATTRIBUTES`]: the field as
//! written in `.kpi` files, the heading shown to people, and the shape of its value.

/// A documentation attribute of a KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attribute {
    Definition,
    Insights,
    Measurement,
    Trend,
    Questions,
    Tips,
    Visualization,
    Risks,
    Tools,
    Integration,
    Impact,
    Affects,
    Related,
}

impl Attribute {
    /// How many attributes there are.
    pub const COUNT: usize = 13;

    /// The attribute's row of [`ATTRIBUTES`].
    pub fn info(self) -> &'static AttributeInfo {
        &ATTRIBUTES[self as usize]
    }

    /// The field name as written in a `kpi` item.
    pub fn field(self) -> &'static str {
        self.info().field
    }
}

/// The shape of an attribute's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A string or a text block.
    Text,
    /// A list of strings.
    TextList,
    /// A list of KPI ids, each checked to be declared.
    KpiList,
}

impl Shape {
    /// The shape in words.
    pub fn describe(self) -> &'static str {
        match self {
            Shape::Text => "text",
            Shape::TextList => "list of strings",
            Shape::KpiList => "list of KPI ids",
        }
    }
}

/// One documentation attribute.
#[derive(Debug, Clone, Copy)]
pub struct AttributeInfo {
    pub attribute: Attribute,
    /// The field name as written in a `kpi` item.
    pub field: &'static str,
    /// The heading shown by `kpic show` and in other documents.
    pub heading: &'static str,
    pub shape: Shape,
    /// Whether every catalog KPI must carry it (a missing one is warning K0401).
    pub required: bool,
    /// What it holds, in one line.
    pub doc: &'static str,
}

const fn a(
    attribute: Attribute,
    field: &'static str,
    heading: &'static str,
    shape: Shape,
    required: bool,
    doc: &'static str,
) -> AttributeInfo {
    AttributeInfo {
        attribute,
        field,
        heading,
        shape,
        required,
        doc,
    }
}

/// Every documentation attribute, in [`Attribute`] order: the order of the catalog's
/// attribute list, which `show`, `export` and the K0401 warning follow.
pub static ATTRIBUTES: &[AttributeInfo] = &[
    a(
        Attribute::Definition,
        "definition",
        "Definition",
        Shape::Text,
        true,
        "What the KPI measures.",
    ),
    a(
        Attribute::Insights,
        "insights",
        "Business insights",
        Shape::Text,
        true,
        "What tracking it reveals.",
    ),
    a(
        Attribute::Measurement,
        "measurement",
        "Measurement approach",
        Shape::Text,
        true,
        "How it is measured.",
    ),
    a(
        Attribute::Trend,
        "trend",
        "Trend analysis",
        Shape::Text,
        true,
        "How it tends to move, and what rising or falling means.",
    ),
    a(
        Attribute::Questions,
        "questions",
        "Diagnostic questions",
        Shape::TextList,
        true,
        "Questions to ask when it moves.",
    ),
    a(
        Attribute::Tips,
        "tips",
        "Actionable tips",
        Shape::TextList,
        true,
        "Levers to improve it.",
    ),
    a(
        Attribute::Visualization,
        "visualization",
        "Visualization suggestions",
        Shape::TextList,
        true,
        "Charts that suit it.",
    ),
    a(
        Attribute::Risks,
        "risks",
        "Risk warnings",
        Shape::TextList,
        true,
        "Signs that need immediate attention.",
    ),
    a(
        Attribute::Tools,
        "tools",
        "Tools & technologies",
        Shape::TextList,
        true,
        "Systems used to track it.",
    ),
    a(
        Attribute::Integration,
        "integration",
        "Integration points",
        Shape::TextList,
        true,
        "Systems and processes it connects to.",
    ),
    a(
        Attribute::Impact,
        "impact",
        "Change impact",
        Shape::Text,
        true,
        "How a change in it moves other KPIs.",
    ),
    a(
        Attribute::Affects,
        "affects",
        "Affects",
        Shape::KpiList,
        true,
        "The KPIs a change in it moves (part of the change impact).",
    ),
    a(
        Attribute::Related,
        "related",
        "Related KPIs",
        Shape::KpiList,
        false,
        "KPIs to read together with it.",
    ),
];

/// The attribute written with this field name.
pub fn attribute(field: &str) -> Option<&'static AttributeInfo> {
    ATTRIBUTES.iter().find(|a| a.field == field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_in_enum_order() {
        assert_eq!(ATTRIBUTES.len(), Attribute::COUNT);
        for (i, a) in ATTRIBUTES.iter().enumerate() {
            assert_eq!(a.attribute as usize, i, "{}", a.field);
        }
        assert_eq!(
            attribute("tips").map(|a| a.heading),
            Some("Actionable tips")
        );
    }
}
