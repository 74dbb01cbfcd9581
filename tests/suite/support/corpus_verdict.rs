//! The verdict of the evaluation corpus on one engine, over the outcomes of its cases.

use super::corpus::Case;

/// One engine's outcome for one case: its problems (empty when it matches), or the
/// error that kept it from running.
pub type Outcome = Result<Vec<String>, String>;

/// The verdict over every case on one engine: `Ok(summary)` when every case matches
/// (or differs from the expected values where a `known_bug` says), else every failure,
/// each naming its case, engine, KPI, group and both values. A case that does not run
/// (kpic or the database fails) is a failure, known bug or not.
pub fn verdict(engine: &str, outcomes: Vec<(&Case, Outcome)>) -> Result<String, String> {
    let (mut failures, mut expected_failures) = (Vec::new(), Vec::new());
    let mut passed = 0;
    for (case, outcome) in &outcomes {
        let problems = match outcome {
            Ok(p) => p.clone(),
            Err(e) => {
                // Not running at all is never the known bug.
                failures.push(format!("{} on {engine}: {e}", case.name));
                continue;
            }
        };
        let bug = case.request.known_bug.get(engine);
        match (problems.is_empty(), bug) {
            (true, None) => passed += 1,
            (true, Some(b)) => failures.push(format!(
                "{} on {engine}: marked known_bug ({b}) but matches the expected values; \
                 remove the mark",
                case.name
            )),
            (false, None) => failures.extend(problems),
            (false, Some(b)) => {
                expected_failures.push(format!("{} ({b}):", case.name));
                expected_failures.extend(problems.iter().map(|p| format!("  {p}")));
            }
        }
    }
    let mut summary = format!(
        "evaluation corpus on {engine}: {passed} of {} cases match",
        outcomes.len()
    );
    if !expected_failures.is_empty() {
        summary.push_str(&format!(
            "; known bugs, expected to fail:\n{}",
            expected_failures.join("\n")
        ));
    }
    if failures.is_empty() {
        Ok(summary)
    } else {
        Err(format!("{summary}\nFAILURES:\n{}", failures.join("\n")))
    }
}
