//! The Debian packages the tests need (PostgreSQL, a Java runtime for Spark, Python with
//! `venv`), installed by the test set-up when they are absent, and the one helper that
//! runs a command and reports its failure in full.
//!
//! As root, [`apt_install`] runs `apt-get update` (once per process) and `apt-get install`
//! non-interactively; installs are serialised (one at a time in this process and on the
//! machine, through a lock file; apt also waits for a dpkg lock held by anyone else). Without root, or without
//! `apt-get`, it fails with a message naming the package to install by hand: a missing
//! tool never skips a test.

use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

/// Held while installing, by every test process of the machine (only root installs).
const MACHINE_LOCK: &str = "/run/lock/kpic-tests-apt.lock";

/// How long apt waits for another process's dpkg lock (another test run, an upgrade).
const APT_LOCK_WAIT_SECONDS: &str = "600";

/// Is this process root (and so allowed to install packages)?
pub fn is_root() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
    })
}

/// Installs the Debian `packages`, which `needed_by` (e.g. "the Spark test") needs.
///
/// The error says which packages were missing, why they could not be installed, and the
/// command to run by hand.
pub fn apt_install(packages: &[&str], needed_by: &str) -> Result<(), String> {
    with_apt(packages, needed_by, || apt_get_install(packages, needed_by))
}

/// Installs the first of `alternatives` that apt can install (the names differ across
/// Debian and Ubuntu releases) and returns its name; errors as [`apt_install`], naming
/// the first alternative.
pub fn apt_install_one_of<'a>(
    alternatives: &[&'a str],
    needed_by: &str,
) -> Result<&'a str, String> {
    with_apt(&alternatives[..1], needed_by, || {
        let package = alternatives
            .iter()
            .copied()
            .find(|p| installable(p))
            .ok_or_else(|| format!("apt knows none of `{}`", alternatives.join("`, `")))?;
        apt_get_install(&[package], needed_by)?;
        Ok(package)
    })
}

/// Runs `install` as root after `apt-get update` (once per process), one install at a
/// time: in this process (tests run in parallel threads) and on the machine (a second
/// test process, e.g. the PostgreSQL harness's child, must not run `apt-get update`
/// while this one holds apt's lists lock, which apt-get does not wait for). Without root
/// or apt-get, fails naming `packages`; any error starts with that message.
fn with_apt<T>(
    packages: &[&str],
    needed_by: &str,
    install: impl FnOnce() -> Result<T, String>,
) -> Result<T, String> {
    let list = packages.join(" ");
    let by_hand = format!(
        "{needed_by} needs the Debian package `{list}`, which is not installed; \
         install it (`sudo apt-get install {list}`) or run the tests as root so that \
         they install it"
    );
    if !is_root() {
        return Err(by_hand);
    }
    if Command::new("apt-get").arg("--version").output().is_err() {
        return Err(format!("{by_hand} (and there is no apt-get here)"));
    }
    static UPDATED: Mutex<bool> = Mutex::new(false);
    let mut updated = UPDATED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Released when the file is closed, at the end of this function or of the process.
    let _machine = std::fs::File::create(MACHINE_LOCK)
        .and_then(|file| file.lock().map(|()| file))
        .map_err(|e| format!("{by_hand}\ncannot lock {MACHINE_LOCK}: {e}"))?;
    if !*updated {
        // A fresh image has no package lists, and old lists name removed versions.
        announce(&format!("apt-get update (for {needed_by})"));
        run(apt_get().arg("update"))
            .map_err(|e| format!("{by_hand}\n`apt-get update` failed\n{e}"))?;
        *updated = true;
    }
    install().map_err(|e| format!("{by_hand}\n{e}"))
}

fn apt_get_install(packages: &[&str], needed_by: &str) -> Result<(), String> {
    let list = packages.join(" ");
    announce(&format!("apt-get install {list} (for {needed_by})"));
    run(apt_get()
        .args(["install", "-y", "--no-install-recommends"])
        .args(packages))
    .map(drop)
    .map_err(|e| format!("`apt-get install {list}` failed\n{e}"))
}

/// Prints what the set-up changes on the machine, past the test harness's capture of
/// `eprintln!` (which shows a passing test's output to nobody): a CI log must say what
/// was installed.
pub fn announce(what: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "test set-up: {what}");
}

/// Does apt have a candidate version of `package`?
fn installable(package: &str) -> bool {
    Command::new("apt-cache")
        .args(["policy", package])
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout).lines().any(|l| {
                l.trim_start()
                    .strip_prefix("Candidate:")
                    .is_some_and(|c| c.trim() != "(none)")
            })
        })
}

/// `apt-get` without questions, waiting for a dpkg lock another process holds.
fn apt_get() -> Command {
    let mut cmd = Command::new("apt-get");
    cmd.args(["-q", "-o"])
        .arg(format!("DPkg::Lock::Timeout={APT_LOCK_WAIT_SECONDS}"))
        .env("DEBIAN_FRONTEND", "noninteractive");
    cmd
}

/// Runs a command to completion; an error says which command, its status and output.
pub fn run(cmd: &mut Command) -> Result<Output, String> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{shown} exited with {}\n--- stdout ---\n{}--- stderr ---\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
