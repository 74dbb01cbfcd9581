//! Reading the fields of a block item: which fields a kind accepts, and typed access
//! to their values with a diagnostic for each value of the wrong shape.

use crate::diagnostic::{Code, Diagnostic, closest, mean};
use crate::syntax::ast::{Block, Expr, ExprKind, Field, Ident, Value};
use crate::vocab::ItemKind;
use chrono::NaiveDate;

/// The fields of one block, by name, after unknown and duplicate fields were reported.
pub struct Fields<'a> {
    block: &'a Block,
    kind: ItemKind,
    /// In source order. A block has a few dozen fields at most: a linear search beats
    /// hashing here.
    by_name: Vec<(&'a str, &'a Field)>,
}

impl<'a> Fields<'a> {
    /// Indexes `block`'s fields, reporting unknown (K0104) and repeated (K0107) ones;
    /// the fields allowed are those of `kind` in the vocabulary.
    pub fn new(block: &'a Block, kind: ItemKind, diags: &mut Vec<Diagnostic>) -> Fields<'a> {
        let mut by_name: Vec<(&str, &Field)> = Vec::with_capacity(block.fields.len());
        for field in &block.fields {
            let name = field.name.name.as_str();
            if !kind.accepts(name) {
                let mut d = Diagnostic::error(
                    Code::UnknownField,
                    field.name.span,
                    format!("a {} has no field `{name}`", block.kind.name),
                )
                .label("unknown field");
                d = match closest(name, kind.field_names()) {
                    Some(close) => d.help(mean(&close)).fix_name(field.name.span, Some(&close)),
                    None => d.help(format!(
                        "{} fields: {}",
                        block.kind.name,
                        kind.field_names().collect::<Vec<_>>().join(", ")
                    )),
                };
                diags.push(d);
                continue;
            }
            if let Some((_, first)) = by_name.iter().find(|(n, _)| *n == name) {
                diags.push(
                    Diagnostic::error(
                        Code::DuplicateField,
                        field.name.span,
                        format!("field `{name}` is given twice"),
                    )
                    .label("second time")
                    .with(first.name.span, "first time")
                    .help("keep one of them; several values go in one list: `[a, b]`"),
                );
                continue;
            }
            by_name.push((name, field));
        }
        Fields {
            block,
            kind,
            by_name,
        }
    }

    /// The field, if present.
    pub fn get(&self, name: &str) -> Option<&'a Field> {
        // A name the kind does not declare is a typo in the checker, never in a file.
        debug_assert!(self.kind.accepts(name), "`{name}` is not a field");
        self.by_name
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
    }

    /// Reports K0105 for each required field of the item's kind that is absent.
    pub fn require(&self, diags: &mut Vec<Diagnostic>) {
        let missing: Vec<&str> = self
            .kind
            .required_fields()
            .filter(|n| self.get(n).is_none())
            .collect();
        if missing.is_empty() {
            return;
        }
        let list = missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let plural = if missing.len() > 1 { "s" } else { "" };
        diags.push(
            Diagnostic::error(
                Code::MissingField,
                self.block.name.span,
                format!(
                    "{} `{}` lacks required field{plural} {list}",
                    self.block.kind.name, self.block.name.name
                ),
            )
            .label(format!("missing {list}"))
            .help(format!(
                "add {}",
                missing
                    .iter()
                    .map(|m| format!("`{m}: ...`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }

    /// A text field (string or text block).
    pub fn text(&self, name: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
        let field = self.get(name)?;
        match &field.value {
            Value::Expr(Expr {
                kind: ExprKind::Text(t),
                ..
            }) => Some(t.clone()),
            other => {
                diags.push(invalid(
                    other.span(),
                    name,
                    "text in double quotes (or a \"\"\"text block\"\"\")",
                ));
                None
            }
        }
    }

    /// A field holding one bare name.
    pub fn word(&self, name: &str, diags: &mut Vec<Diagnostic>) -> Option<Ident> {
        let field = self.get(name)?;
        match &field.value {
            Value::Expr(e) => match as_word(e) {
                Some(id) => Some(id.clone()),
                None => {
                    diags.push(invalid(e.span, name, "a bare name"));
                    None
                }
            },
            Value::List { span, .. } | Value::Map { span, .. } => {
                diags.push(invalid(*span, name, "one bare name"));
                None
            }
        }
    }

    /// A field holding a list of strings.
    pub fn text_list(&self, name: &str, diags: &mut Vec<Diagnostic>) -> Vec<String> {
        self.list(name, diags, "a list of strings", |e| match &e.kind {
            ExprKind::Text(t) => Some(t.clone()),
            _ => None,
        })
    }

    /// A field holding a list of bare names.
    pub fn word_list(&self, name: &str, diags: &mut Vec<Diagnostic>) -> Vec<Ident> {
        self.list(name, diags, "a list of names", |e| as_word(e).cloned())
    }

    fn list<T>(
        &self,
        name: &str,
        diags: &mut Vec<Diagnostic>,
        what: &str,
        item: impl Fn(&Expr) -> Option<T>,
    ) -> Vec<T> {
        let Some(field) = self.get(name) else {
            return Vec::new();
        };
        match &field.value {
            Value::List { items, .. } => items
                .iter()
                .filter_map(|e| {
                    let v = item(e);
                    if v.is_none() {
                        diags.push(invalid(e.span, name, what));
                    }
                    v
                })
                .collect(),
            Value::Expr(Expr { span, .. }) | Value::Map { span, .. } => {
                diags.push(invalid(
                    *span,
                    name,
                    &format!("{what} in brackets: `[...]`"),
                ));
                Vec::new()
            }
        }
    }

    /// A field holding an expression.
    pub fn expr(&self, name: &str, diags: &mut Vec<Diagnostic>) -> Option<&'a Expr> {
        let field = self.get(name)?;
        match &field.value {
            Value::Expr(e) => Some(e),
            Value::List { span, .. } | Value::Map { span, .. } => {
                diags.push(invalid(*span, name, "an expression"));
                None
            }
        }
    }

    /// A field holding a number literal (possibly negative or a percentage).
    pub fn number(&self, name: &str, diags: &mut Vec<Diagnostic>) -> Option<(f64, bool, &'a Expr)> {
        let e = self.expr(name, diags)?;
        let found = match &e.kind {
            ExprKind::Number { value, percent, .. } => Some((*value, *percent)),
            ExprKind::Unary {
                op: crate::vocab::UnaryOp::Neg,
                operand,
            } => match &operand.kind {
                ExprKind::Number { value, percent, .. } => Some((-value, *percent)),
                _ => None,
            },
            _ => None,
        };
        match found {
            Some((v, p)) => Some((v, p, e)),
            None => {
                diags.push(invalid(e.span, name, "a number such as 1200 or 35%"));
                None
            }
        }
    }

    /// A field holding a date literal.
    pub fn date(&self, name: &str, diags: &mut Vec<Diagnostic>) -> Option<NaiveDate> {
        let e = self.expr(name, diags)?;
        match &e.kind {
            ExprKind::Date(d) => Some(*d),
            _ => {
                diags.push(invalid(e.span, name, "a date such as 2025-06-30"));
                None
            }
        }
    }
}

/// The identifier of a bare `name` expression.
pub fn as_word(e: &Expr) -> Option<&Ident> {
    match &e.kind {
        ExprKind::Path {
            head, member: None, ..
        } => Some(head),
        _ => None,
    }
}

fn invalid(span: crate::source::Span, field: &str, expected: &str) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidValue,
        span,
        format!("`{field}` must be {expected}"),
    )
    .label(format!("expected {expected}"))
}

/// Reports K0106 if `word` is not one of `allowed`, with a suggestion.
pub fn one_of(word: &Ident, field: &str, allowed: &[&str], diags: &mut Vec<Diagnostic>) -> bool {
    if allowed.contains(&word.name.as_str()) {
        return true;
    }
    let close = closest(&word.name, allowed.iter().copied());
    let hint = close
        .as_deref()
        .map(mean)
        .unwrap_or_else(|| format!("`{field}` is one of: {}", allowed.join(", ")));
    diags.push(
        Diagnostic::error(
            Code::InvalidValue,
            word.span,
            format!("`{}` is not a valid `{field}`", word.name),
        )
        .label(format!("not one of: {}", allowed.join(", ")))
        .help(hint)
        .fix_name(word.span, close.as_deref()),
    );
    false
}
