//! The documentation attributes of a KPI: lowering them as the vocabulary shapes them
//! (text, list of strings, list of KPI ids) and the K0401 lint for missing ones.

use super::Set;
use super::fields::Fields;
use crate::diagnostic::{Code, Diagnostic, closest, mean};
use crate::ir::{DocSlot, Docs};
use crate::syntax::ast::Block;
use crate::vocab::{ATTRIBUTES, Shape};

/// The documentation attributes of a KPI block; ids in KPI lists must be declared KPIs.
pub fn lower_docs(f: &Fields, kpi_ids: &Set<&str>, diags: &mut Vec<Diagnostic>) -> Docs {
    let mut docs = Docs::default();
    for info in ATTRIBUTES {
        let field = info.field;
        match (docs.slot(info.attribute), info.shape) {
            (DocSlot::Text(slot), _) => *slot = f.text(field, diags),
            (DocSlot::List(slot), Shape::TextList | Shape::Text) => {
                *slot = f.text_list(field, diags)
            }
            (DocSlot::List(slot), Shape::KpiList) => {
                let ids = f
                    .word_list(field, diags)
                    .into_iter()
                    .filter(|id| {
                        if kpi_ids.contains(id.name.as_str()) {
                            return true;
                        }
                        let close = closest(&id.name, kpi_ids.iter().copied());
                        let hint = close.as_deref().map(mean).unwrap_or_else(|| {
                            format!("`{field}` lists KPI ids declared in the catalog")
                        });
                        diags.push(
                            Diagnostic::error(
                                Code::UnknownName,
                                id.span,
                                format!("no KPI named `{}`", id.name),
                            )
                            .label("unknown KPI")
                            .help(hint)
                            .fix_name(id.span, close.as_deref()),
                        );
                        false
                    })
                    .map(|id| id.name)
                    .collect();
                *slot = ids;
            }
        }
    }
    docs
}

/// K0401: the required documentation attributes the KPI lacks, in one warning.
pub fn lint_docs(b: &Block, f: &Fields, diags: &mut Vec<Diagnostic>) {
    let missing: Vec<&str> = ATTRIBUTES
        .iter()
        .filter(|a| a.required && f.get(a.field).is_none())
        .map(|a| a.field)
        .collect();
    if missing.is_empty() {
        return;
    }
    let list = missing.join(", ");
    diags.push(
        Diagnostic::warning(
            Code::MissingDoc,
            b.name.span,
            format!(
                "KPI `{}` lacks {} documentation attribute{}: {list}",
                b.name.name,
                missing.len(),
                if missing.len() == 1 { "" } else { "s" }
            ),
        )
        .label("incomplete documentation")
        .help("every catalog KPI documents all twelve attributes; see LANGUAGE.md, KPIs"),
    );
}
