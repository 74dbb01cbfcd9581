//! A KPI's documentation attributes in the IR: one field per attribute of
//! [`crate::vocab::ATTRIBUTES`], read and filled by attribute.

use crate::vocab::{ATTRIBUTES, Attribute, AttributeInfo};
use serde::Serialize;

/// The documentation attributes of a KPI (all optional; missing ones are warned about).
/// The fields follow [`crate::vocab::ATTRIBUTES`]; code that goes over every attribute
/// reads them through [`Docs::get`] and [`Docs::iter`], so the list is kept once.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Docs {
    pub definition: Option<String>,
    pub insights: Option<String>,
    pub measurement: Option<String>,
    pub trend: Option<String>,
    pub questions: Vec<String>,
    pub tips: Vec<String>,
    pub visualization: Vec<String>,
    pub risks: Vec<String>,
    pub tools: Vec<String>,
    pub integration: Vec<String>,
    pub impact: Option<String>,
    pub affects: Vec<String>,
    pub related: Vec<String>,
}

/// One documentation attribute's value, borrowed from [`Docs`].
#[derive(Debug, Clone, Copy)]
pub enum DocValue<'a> {
    Text(Option<&'a str>),
    List(&'a [String]),
}

/// One documentation attribute's place in [`Docs`], to fill it.
#[derive(Debug)]
pub enum DocSlot<'a> {
    Text(&'a mut Option<String>),
    List(&'a mut Vec<String>),
}

impl Docs {
    /// The place of attribute `a`: the one mapping from attributes to fields.
    pub fn slot(&mut self, a: Attribute) -> DocSlot<'_> {
        use Attribute::*;
        match a {
            Definition => DocSlot::Text(&mut self.definition),
            Insights => DocSlot::Text(&mut self.insights),
            Measurement => DocSlot::Text(&mut self.measurement),
            Trend => DocSlot::Text(&mut self.trend),
            Questions => DocSlot::List(&mut self.questions),
            Tips => DocSlot::List(&mut self.tips),
            Visualization => DocSlot::List(&mut self.visualization),
            Risks => DocSlot::List(&mut self.risks),
            Tools => DocSlot::List(&mut self.tools),
            Integration => DocSlot::List(&mut self.integration),
            Impact => DocSlot::Text(&mut self.impact),
            Affects => DocSlot::List(&mut self.affects),
            Related => DocSlot::List(&mut self.related),
        }
    }

    /// The value of attribute `a`.
    pub fn get(&self, a: Attribute) -> DocValue<'_> {
        use Attribute::*;
        match a {
            Definition => DocValue::Text(self.definition.as_deref()),
            Insights => DocValue::Text(self.insights.as_deref()),
            Measurement => DocValue::Text(self.measurement.as_deref()),
            Trend => DocValue::Text(self.trend.as_deref()),
            Questions => DocValue::List(&self.questions),
            Tips => DocValue::List(&self.tips),
            Visualization => DocValue::List(&self.visualization),
            Risks => DocValue::List(&self.risks),
            Tools => DocValue::List(&self.tools),
            Integration => DocValue::List(&self.integration),
            Impact => DocValue::Text(self.impact.as_deref()),
            Affects => DocValue::List(&self.affects),
            Related => DocValue::List(&self.related),
        }
    }

    /// The items of a list attribute (empty for a text attribute).
    pub fn list(&self, a: Attribute) -> &[String] {
        match self.get(a) {
            DocValue::List(items) => items,
            DocValue::Text(_) => &[],
        }
    }

    /// Every attribute with its value, in [`crate::vocab::ATTRIBUTES`] order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static AttributeInfo, DocValue<'_>)> {
        ATTRIBUTES
            .iter()
            .map(|info| (info, self.get(info.attribute)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Shape;

    /// The fields of [`Docs`] have the shapes the vocabulary gives the attributes.
    #[test]
    fn docs_follow_the_vocabulary() {
        let mut docs = Docs::default();
        for info in ATTRIBUTES {
            let text = matches!(docs.slot(info.attribute), DocSlot::Text(_));
            assert_eq!(text, info.shape == Shape::Text, "{}", info.field);
            assert_eq!(
                matches!(docs.get(info.attribute), DocValue::Text(_)),
                text,
                "{}",
                info.field
            );
        }
    }
}
