//! `kpic eval --status` and `--fail-on`: which rows are listed and whether the run
//! fails, by the rows' status against their targets (flags, else kpic.toml's `[eval]`).

use super::eval::{Args, FailOn, StatusArg};
use kpic::query::{Results, Status};

/// The statuses to list (`--status`, else the project's), empty for every row.
fn listed(args: &Args) -> Vec<&'static str> {
    let word = |s: &StatusArg| match s {
        StatusArg::Green => "green",
        StatusArg::Amber => "amber",
        StatusArg::Red => "red",
    };
    if !args.status.is_empty() {
        return args.status.iter().map(word).collect();
    }
    // The project file was read (and any error reported) before the catalog.
    let project = super::project_args::current().ok().flatten();
    project
        .map(|p| {
            p.status
                .iter()
                .filter_map(|s| ["green", "amber", "red"].into_iter().find(|w| w == s))
                .collect()
        })
        .unwrap_or_default()
}

/// Keeps only the rows whose status is listed (every row when none is).
pub fn keep_listed(results: &mut Results, args: &Args) {
    let listed = listed(args);
    if listed.is_empty() {
        return;
    }
    results.rows.retain(|r| {
        r.status
            .as_ref()
            .and_then(Status::word)
            .is_some_and(|w| listed.contains(&w))
    });
}

/// Whether a row is at the `--fail-on` status or worse (the project's when the flag
/// is not given).
pub fn fails(results: &Results, args: &Args) -> bool {
    let fail_on = args.fail_on.or_else(|| {
        let project = super::project_args::current().ok().flatten()?;
        match project.fail_on.as_deref() {
            Some("red") => Some(FailOn::Red),
            Some("amber") => Some(FailOn::Amber),
            _ => None,
        }
    });
    let Some(fail_on) = fail_on else {
        return false;
    };
    results.rows.iter().any(|r| {
        matches!(
            (&r.status, fail_on),
            (Some(Status::Red), _) | (Some(Status::Amber), FailOn::Amber)
        )
    })
}
