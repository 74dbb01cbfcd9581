//! Lowering `rule` items: the condition typed like a formula that may read only KPIs
//! (K0702) and must be true/false (K0701), the message's `{placeholders}` parsed and
//! typed (K0703), and unit errors in either reported as a rule's (K0704).

use super::fields::{Fields, one_of};
use super::typing::{Env, type_formula};
use crate::diagnostic::{Code, Diagnostic, closest, mean};
use crate::ir::{Catalog, Dim, Func, MessagePart, RuleDef, TExpr, TExprKind, Type, Unit};
use crate::source::Span;
use crate::syntax::ast::{Block, Expr, ExprKind, Value};
use crate::vocab::{ItemKind, Severity};
use std::collections::HashMap;

/// Lowers every rule, each once by id (a second rule of the same id is K0102).
pub fn lower_rules(
    blocks: &[&Block],
    env: &Env,
    catalog: &Catalog,
    diags: &mut Vec<Diagnostic>,
) -> Vec<RuleDef> {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    let mut rules = Vec::new();
    for b in blocks {
        if let Some(first) = seen.get(b.name.name.as_str()) {
            diags.push(super::duplicate(
                ItemKind::Rule.keyword(),
                &b.name.name,
                b.name.span,
                *first,
            ));
            continue;
        }
        seen.insert(&b.name.name, b.name.span);
        if let Some(rule) = lower_rule(b, env, catalog, diags) {
            rules.push(rule);
        }
    }
    rules
}

fn lower_rule(
    b: &Block,
    env: &Env,
    catalog: &Catalog,
    diags: &mut Vec<Diagnostic>,
) -> Option<RuleDef> {
    let f = Fields::new(b, ItemKind::Rule, diags);
    f.require(diags);
    let name = f.text("name", diags);
    let description = f.text("description", diags);
    let words: Vec<&str> = Severity::words().collect();
    let severity = f
        .word("severity", diags)
        .filter(|w| one_of(w, "severity", &words, diags))
        .and_then(|w| Severity::from_word(&w.name));
    let condition = f.expr("condition", diags);
    let message = f.get("message");
    let mut lowering = Lowering {
        env,
        catalog,
        kpis: Vec::new(),
        diags,
    };
    let condition = condition.and_then(|e| lowering.condition(e));
    let message = message.and_then(|field| lowering.message(&field.value));
    let kpis = lowering.kpis;
    Some(RuleDef {
        id: b.name.name.clone(),
        name: name?,
        severity: severity?,
        condition_source: crate::fmt::one_line(env.sources.text(condition.as_ref()?.span)),
        condition: condition?,
        message: message?,
        description,
        kpis,
        file: env.sources.get(b.span.file).name.clone(),
        span: b.name.span,
    })
}

/// What lowering one rule carries through its condition and message: the names it may
/// read, the KPIs it has read so far (each once), and the diagnostics.
struct Lowering<'a, 'd> {
    env: &'a Env<'a>,
    catalog: &'a Catalog,
    kpis: Vec<String>,
    diags: &'d mut Vec<Diagnostic>,
}

impl Lowering<'_, '_> {
    /// The condition, typed; `None` when it had errors (reported).
    fn condition(&mut self, e: &Expr) -> Option<TExpr> {
        let typed = self.typed(e)?;
        match typed.ty {
            Type::Bool => Some(typed),
            Type::Error => None,
            other => {
                self.diags.push(
                    Diagnostic::error(
                        Code::RuleNotBoolean,
                        e.span,
                        format!(
                            "a rule's condition must be true or false, but this is {}",
                            other.describe()
                        ),
                    )
                    .label(format!("this is {}", other.describe()))
                    .help("compare it with something: `churn_rate > 10%`; combine comparisons with `and`, `or`"),
                );
                None
            }
        }
    }

    /// An expression of a rule (its condition or a placeholder), names checked first and
    /// then typed like a formula; `None` when either had errors (reported).
    fn typed(&mut self, e: &Expr) -> Option<TExpr> {
        if !self.only_kpis(e) {
            return None;
        }
        let mut own = Vec::new();
        let typed = type_formula(self.env, e, &mut own);
        let failed = own.iter().any(Diagnostic::is_error);
        for mut d in own {
            // A rule's values are KPIs: their unit errors get the rule's code, whose
            // explanation speaks of rules.
            if matches!(d.code, Code::UnitMismatch | Code::UnitProduct) {
                d.code = Code::RuleUnits;
            }
            self.diags.push(d);
        }
        (!failed && typed.expr.ty != Type::Error).then_some(typed.expr)
    }

    /// Checks that `e` reads only KPIs (and `previous` of a KPI), recording each in
    /// `kpis` once; false after reporting K0702.
    fn only_kpis(&mut self, e: &Expr) -> bool {
        let mut ok = true;
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            ok &= self.only_kpis_at(e, &mut stack);
        }
        ok
    }

    /// One node of [`Self::only_kpis`]'s walk: records a KPI or refuses what is not
    /// one (false), pushing the children still to check.
    fn only_kpis_at<'e>(&mut self, e: &'e Expr, stack: &mut Vec<&'e Expr>) -> bool {
        let (env, catalog) = (self.env, self.catalog);
        match &e.kind {
            ExprKind::Path {
                head, member: None, ..
            } => {
                let name = head.name.as_str();
                if catalog
                    .kpis
                    .get(name)
                    .is_some_and(|k| k.breakdown.is_some())
                {
                    return self.refuse(
                        head.span,
                        format!("`{name}` is broken down: a rule reads one value per scope"),
                        "a breakdown KPI",
                        "rules read a KPI's one value per group; name a KPI without `breakdown`",
                    );
                }
                if catalog.kpis.contains_key(name) {
                    if !self.kpis.iter().any(|k| k == name) {
                        self.kpis.push(name.to_string());
                    }
                    return true;
                }
                if catalog.measures.contains_key(name) {
                    return self.refuse(
                        head.span,
                        format!("`{name}` is a measure: a rule reads only KPIs"),
                        "a measure",
                        "rules are evaluated from the KPIs' values; declare a KPI for this value",
                    );
                }
                if env.declared.contains(name) {
                    // A KPI with errors of its own (reported): nothing to add.
                    return false;
                }
                let close = closest(name, catalog.kpis.keys().map(String::as_str));
                self.diags.push(
                    Diagnostic::error(Code::RuleName, head.span, format!("no KPI named `{name}`"))
                        .label("unknown KPI")
                        .help(close.as_deref().map(mean).unwrap_or_else(|| {
                            "a rule's condition and message name declared KPIs".into()
                        }))
                        .fix_name(head.span, close.as_deref()),
                );
                false
            }
            ExprKind::Path { .. } => self.refuse(
                e.span,
                "a rule reads KPI values, not columns or the period".into(),
                "not a KPI",
                "name a KPI; a value computed from the data is a KPI of its own",
            ),
            ExprKind::Call {
                name,
                args,
                filter,
                time,
                per,
            } if name.name == "previous" => match args.as_slice() {
                [
                    arg @ Expr {
                        kind: ExprKind::Path { member: None, .. },
                        ..
                    },
                ] if filter.is_none() && time.is_none() && per.is_none() => {
                    stack.push(arg);
                    true
                }
                _ => self.refuse(
                    e.span,
                    "in a rule, `previous` takes one KPI's name".into(),
                    "not `previous(KPI)`",
                    "write `previous(churn_rate)`: the KPI's value in the period compared with",
                ),
            },
            ExprKind::Call { name, .. }
                if name.name == "year_ago" || crate::vocab::aggregate(&name.name).is_some() =>
            {
                self.refuse(
                    e.span,
                    format!("a rule cannot use `{}`: it reads only KPI values", name.name),
                    "not available in a rule",
                    "aggregate in a KPI and name the KPI here; `previous(KPI)` is the period compared with (`--compare year-ago` makes it a year earlier)",
                )
            }
            _ => {
                stack.extend(e.children());
                true
            }
        }
    }

    /// Reports K0702 (what a rule may not read) at `span`; always false.
    fn refuse(&mut self, span: Span, message: String, label: &str, help: &str) -> bool {
        self.diags.push(
            Diagnostic::error(Code::RuleName, span, message)
                .label(label)
                .help(help.to_string()),
        );
        false
    }

    /// The message: text with `{placeholders}`; `None` when it had errors (reported).
    fn message(&mut self, value: &Value) -> Option<Vec<MessagePart>> {
        let (text, span) = match value {
            Value::Expr(Expr {
                kind: ExprKind::Text(t),
                span,
            }) => (t.as_str(), *span),
            other => {
                self.diags.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        other.span(),
                        "`message` must be text in double quotes",
                    )
                    .label("expected text")
                    .help("write `message: \"churn {churn_rate} is above 10%\"`"),
                );
                return None;
            }
        };
        // Placeholders point at their own text when the string is written as read (no
        // escapes, not a text block); otherwise at the whole message.
        let written = self.env.sources.text(span);
        let exact =
            written.len() == text.len() + 2 && written.get(1..written.len() - 1) == Some(text);
        let at = |from: usize, to: usize| match exact {
            true => Span::new(
                span.file,
                span.start as usize + 1 + from,
                span.start as usize + 1 + to,
            ),
            false => span,
        };
        let bad = |from: usize, to: usize, message: String, label: &str| {
            Diagnostic::error(Code::RulePlaceholder, at(from, to), message)
                .label(label)
                .help("a placeholder is `{KPI}` or `{an expression over KPIs}`; write `{{` and `}}` for braces")
        };
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut ok = true;
        let mut i = 0;
        let bytes = text.as_bytes();
        while i < text.len() {
            match (bytes[i], bytes.get(i + 1)) {
                (b'{', Some(b'{')) | (b'}', Some(b'}')) => {
                    literal.push(bytes[i] as char);
                    i += 2;
                }
                (b'}', _) => {
                    self.diags.push(bad(
                        i,
                        i + 1,
                        "a `}` closes no placeholder".into(),
                        "write `}}` for a brace",
                    ));
                    ok = false;
                    i += 1;
                }
                (b'{', _) => {
                    let Some(len) = text[i + 1..].find('}') else {
                        self.diags.push(bad(
                            i,
                            i + 1,
                            "a placeholder is not closed".into(),
                            "no `}` after this",
                        ));
                        ok = false;
                        break;
                    };
                    let inner = &text[i + 1..i + 1 + len];
                    let end = i + 2 + len;
                    if inner.trim().is_empty() {
                        self.diags.push(bad(
                            i,
                            end,
                            "an empty placeholder".into(),
                            "nothing to show",
                        ));
                        ok = false;
                    } else {
                        match self.placeholder(inner, i + 1, exact, span) {
                            Ok(Some(part)) => {
                                if !literal.is_empty() {
                                    parts.push(MessagePart::Text(std::mem::take(&mut literal)));
                                }
                                parts.push(part);
                            }
                            Ok(None) => ok = false,
                            Err(why) => {
                                self.diags.push(bad(
                                    i,
                                    end,
                                    format!("`{{{}}}` is no placeholder: {why}", shortened(inner)),
                                    "not a placeholder",
                                ));
                                ok = false;
                            }
                        }
                    }
                    i = end;
                }
                _ => {
                    let c = text[i..].chars().next().unwrap_or(' ');
                    literal.push(c);
                    i += c.len_utf8().max(1);
                }
            }
        }
        if !literal.is_empty() {
            parts.push(MessagePart::Text(literal));
        }
        ok.then_some(parts)
    }

    /// One placeholder's expression (`inner`, at byte `from` of the message's text):
    /// `Err` when it does not parse, `Ok(None)` when it had other errors (reported).
    fn placeholder(
        &mut self,
        inner: &str,
        from: usize,
        exact: bool,
        span: Span,
    ) -> Result<Option<MessagePart>, String> {
        let offset = if exact {
            span.start as usize + 1 + from
        } else {
            span.start as usize
        };
        let (expr, parse_diags) = crate::syntax::parse_expression(span.file, offset, inner)?;
        let mut own = parse_diags;
        let typed = self.with_diags(&mut own, |l| l.typed(&expr));
        if !exact {
            // Spans inside an escaped string or text block would point beside the text.
            for d in &mut own {
                d.primary.span = span;
                d.secondary.clear();
            }
        }
        let failed = own.iter().any(Diagnostic::is_error);
        self.diags.extend(own);
        let Some(typed) = typed.filter(|_| !failed) else {
            return Ok(None);
        };
        if !matches!(typed.ty, Type::Number(_) | Type::Bool) {
            self.diags.push(
                Diagnostic::error(
                    Code::RulePlaceholder,
                    if exact { typed.span } else { span },
                    format!(
                        "a placeholder shows a number or true/false, not {}",
                        typed.ty.describe()
                    ),
                )
                .label(format!("this is {}", typed.ty.describe()))
                .help("show a KPI's value or arithmetic on KPI values"),
            );
            return Ok(None);
        }
        let unit = unit_of(&typed, self.catalog);
        Ok(Some(MessagePart::Value {
            expr: typed,
            unit,
            source: crate::fmt::one_line(inner.trim()),
        }))
    }

    /// Runs `f` with its diagnostics collected in `own` rather than the rule's.
    fn with_diags<T>(
        &mut self,
        own: &mut Vec<Diagnostic>,
        f: impl FnOnce(&mut Lowering<'_, '_>) -> T,
    ) -> T {
        let mut inner = Lowering {
            env: self.env,
            catalog: self.catalog,
            kpis: std::mem::take(&mut self.kpis),
            diags: own,
        };
        let out = f(&mut inner);
        self.kpis = inner.kpis;
        out
    }
}

/// The unit a value is shown in: a KPI's own; through `+`, `-`, negation, `previous`,
/// `if` and the picking functions, that of its first operand that is not a bare
/// number; through `*` and `/` by a bare number, the other operand's; else what the
/// unit algebra yields (a plain quotient is a ratio).
pub fn unit_of(e: &TExpr, catalog: &Catalog) -> Unit {
    let bare = |e: &TExpr| matches!(e.kind, TExprKind::Number(_));
    let from_dim = |e: &TExpr| match e.ty {
        Type::Number(Dim::Money) => Unit::Money,
        Type::Number(Dim::Count) => Unit::Count,
        Type::Number(Dim::Days) => Unit::Days,
        Type::Number(Dim::Hours) => Unit::Hours,
        Type::Number(Dim::Score) => Unit::Score,
        _ => Unit::Number,
    };
    let mut e = e;
    // A chain of operators that keep the unit: followed iteratively (no recursion).
    loop {
        e = match &e.kind {
            TExprKind::Ref(id) => return catalog.kpis.get(id).map_or(from_dim(e), |k| k.unit),
            TExprKind::Previous(inner) | TExprKind::Neg(inner) => inner,
            TExprKind::If { then, .. } => then,
            TExprKind::Binary { op, left, right } => {
                use crate::vocab::BinaryOp::*;
                match op {
                    Add | Sub if bare(left) => right,
                    Add | Sub => left,
                    Mul if bare(left) => right,
                    Mul | Div if bare(right) => left,
                    Mul | Div => {
                        return match from_dim(e) {
                            Unit::Number => Unit::Ratio,
                            u => u,
                        };
                    }
                    _ => return from_dim(e),
                }
            }
            TExprKind::Func {
                func: Func::Abs | Func::Round | Func::Least | Func::Greatest | Func::Coalesce,
                args,
            } => match args.iter().find(|a| !bare(a)) {
                Some(a) => a,
                None => return from_dim(e),
            },
            _ => return from_dim(e),
        };
    }
}

/// A placeholder's text as a message quotes it: at most 40 characters.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
