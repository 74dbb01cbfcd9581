//! The one runner of the `kpic` binary for every CLI test: in the repository root, with
//! no colour and none of the caller's kpic settings, so a developer's environment
//! cannot change an output.

use std::process::Command;

/// Environment variables kpic reads that a developer may have set (the DuckDB client,
/// timings on stderr); no test run sees them unless the test sets them.
const CALLER_SETTINGS: [&str; 2] = ["KPIC_DUCKDB", "KPIC_TIMING"];

/// `kpic ARGS` ready to run (or to change: another folder, pipes), not yet started.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpic"));
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        // What kpic keeps in the temporary folder (the demo unpacked once per version,
        // a Spark session's files) goes under target/, not the machine's /tmp.
        .env("TMPDIR", env!("CARGO_TARGET_TMPDIR"));
    for name in CALLER_SETTINGS {
        cmd.env_remove(name);
    }
    cmd
}

/// Runs `kpic ARGS`: exit code (-1 when killed by a signal), stdout, stderr.
pub fn kpic(args: &[&str]) -> (i32, String, String) {
    kpic_with_env(args, &[])
}

/// Runs `kpic ARGS` with the environment variables `env` set, as [`kpic`].
pub fn kpic_with_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = command(args);
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("kpic runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `kpic ARGS`, expects exit 0 and returns stdout.
pub fn ok(args: &[&str]) -> String {
    let (code, out, err) = kpic(args);
    assert_eq!(code, 0, "kpic {args:?} failed:\n{err}");
    out
}
