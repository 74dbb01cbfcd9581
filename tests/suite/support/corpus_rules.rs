//! The corpus's rules: the `[[fired]]` and `[[not_evaluated]]` entries of a case's
//! `expected.toml`, the `rules` array of `kpic eval --format json`, and their
//! comparison. A case without entries expects no rule to fire.

#![allow(dead_code)] // each test of the corpus uses a different part

use serde::Deserialize;
use std::collections::BTreeMap;

/// rule, group, sub-period (time series), grouping (several).
pub type RuleKey = (String, String, Option<String>, Option<String>);

/// A rule that fired in a scope, as `expected.toml` writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFired {
    rule: String,
    #[serde(default)]
    group: String,
    period: Option<String>,
    grouping: Option<String>,
    /// The message with its values, when the case pins it.
    message: Option<String>,
}

/// A rule that was not evaluated in a scope, and why.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedNotEvaluated {
    rule: String,
    #[serde(default)]
    group: String,
    period: Option<String>,
    grouping: Option<String>,
    reason: String,
}

/// The rules of one run: those that fired (with their message) and those not
/// evaluated (with why).
#[derive(Debug, Default)]
pub struct Rules {
    pub fired: BTreeMap<RuleKey, String>,
    /// Expected entries without a message: any message is fine.
    pub any_message: Vec<RuleKey>,
    pub not_evaluated: BTreeMap<RuleKey, String>,
}

/// The expected rules of a case.
pub fn expected(
    fired: Vec<ExpectedFired>,
    not: Vec<ExpectedNotEvaluated>,
) -> Result<Rules, String> {
    let mut rules = Rules::default();
    for f in fired {
        let key = (f.rule, f.group, f.period, f.grouping);
        if f.message.is_none() {
            rules.any_message.push(key.clone());
        }
        if rules
            .fired
            .insert(key.clone(), f.message.unwrap_or_default())
            .is_some()
        {
            return Err(format!("expected.toml: {} fired twice", show(&key)));
        }
    }
    for n in not {
        let key = (n.rule, n.group, n.period, n.grouping);
        if rules.not_evaluated.insert(key.clone(), n.reason).is_some() {
            return Err(format!("expected.toml: {} not evaluated twice", show(&key)));
        }
    }
    Ok(rules)
}

/// The `rules` array of `kpic eval --format json` (absent: no rule applied).
pub fn from_json(text: &str) -> Result<Rules, String> {
    #[derive(Deserialize)]
    struct Json {
        #[serde(default)]
        rules: Vec<JsonOutcome>,
    }
    #[derive(Deserialize)]
    struct JsonOutcome {
        rule: String,
        group: String,
        period: Option<String>,
        grouping: Option<String>,
        fired: bool,
        message: Option<String>,
        not_evaluated: Option<String>,
    }
    let json: Json = serde_json::from_str(text).map_err(|e| format!("rules: {e}"))?;
    let mut rules = Rules::default();
    for o in json.rules {
        let key = (o.rule, o.group, o.period, o.grouping);
        if o.fired {
            rules.fired.insert(key, o.message.unwrap_or_default());
        } else if let Some(why) = o.not_evaluated {
            rules.not_evaluated.insert(key, why);
        }
    }
    Ok(rules)
}

/// `rule `r`, group `g``, as failures name a rule's scope.
pub fn show((rule, group, period, grouping): &RuleKey) -> String {
    let mut s = format!("rule `{rule}`");
    if let Some(g) = grouping {
        s.push_str(&format!(", grouping `{g}`"));
    }
    if let Some(p) = period {
        s.push_str(&format!(", period `{p}`"));
    }
    if !group.is_empty() {
        s.push_str(&format!(", group `{group}`"));
    }
    s
}

/// What `got` gets wrong against `want`, one line each (`at` names case and engine).
pub fn compare(at: &str, want: &Rules, got: &Rules) -> Vec<String> {
    let mut problems = Vec::new();
    for (key, message) in &want.fired {
        match got.fired.get(key) {
            None => problems.push(format!("{at}: {}: did not fire", show(key))),
            Some(m) if m != message && !want.any_message.contains(key) => problems.push(format!(
                "{at}: {}: message is {m:?}, expected {message:?}",
                show(key)
            )),
            Some(_) => {}
        }
    }
    for key in got.fired.keys().filter(|k| !want.fired.contains_key(*k)) {
        problems.push(format!("{at}: {}: fired, unexpectedly", show(key)));
    }
    for (key, why) in &want.not_evaluated {
        match got.not_evaluated.get(key) {
            Some(g) if g == why => {}
            g => problems.push(format!(
                "{at}: {}: not evaluated because {g:?}, expected {why:?}",
                show(key)
            )),
        }
    }
    for key in got
        .not_evaluated
        .keys()
        .filter(|k| !want.not_evaluated.contains_key(*k))
    {
        problems.push(format!("{at}: {}: not evaluated, unexpectedly", show(key)));
    }
    problems
}
