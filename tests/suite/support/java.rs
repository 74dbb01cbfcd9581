//! A Java runtime for Spark: found on this machine, or installed by the test set-up
//! (`openjdk-17-jre-headless`, else `default-jre-headless`) when there is none.

use super::install;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The Java major versions PySpark 3.5 runs on.
const SUPPORTED: [u32; 3] = [17, 11, 8];

/// The Debian packages tried, in order, when no supported Java is found.
const PACKAGES: [&str; 2] = ["openjdk-17-jre-headless", "default-jre-headless"];

/// The home (`JAVA_HOME`) of a Java that Spark 3.5 runs on; found once per process,
/// installed if need be. Panics, naming the package to install, when there is none.
pub fn home() -> &'static Path {
    static HOME: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match HOME.get_or_init(find_or_install) {
        Ok(home) => home,
        Err(e) => panic!("test Java: {e}"),
    }
}

fn find_or_install() -> Result<PathBuf, String> {
    if let Some(home) = find() {
        return Ok(home);
    }
    let package = install::apt_install_one_of(&PACKAGES, "the Spark test (Java 8, 11 or 17)")?;
    find().ok_or_else(|| {
        format!(
            "`apt-get install {package}` succeeded but found no Java {SUPPORTED:?} \
             (looked at JAVA_HOME, `java` on the PATH and /usr/lib/jvm/*); Spark 3.5 \
             runs on Java 8, 11 or 17 only"
        )
    })
}

/// `$JAVA_HOME`, else the `java` on the PATH, else the newest supported Java in
/// `/usr/lib/jvm` (where Debian installs them, on no PATH if `/usr/bin/java` points
/// at another version): the first whose version Spark supports.
fn find() -> Option<PathBuf> {
    let mut homes: Vec<PathBuf> = Vec::new();
    if let Some(home) = std::env::var_os("JAVA_HOME") {
        homes.push(home.into());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    if let Some(java) = std::env::split_paths(&path)
        .map(|dir| dir.join("java"))
        .find(|java| java.is_file())
        && let Some(home) = std::fs::canonicalize(java)
            .ok()
            .and_then(|java| Some(java.parent()?.parent()?.to_path_buf()))
    {
        homes.push(home);
    }
    let mut installed: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/jvm")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| Some((major(&entry.path())?, entry.path())))
        .collect();
    // Newest supported first; several names (symlinks) of one Java are harmless.
    installed.sort_by_key(|(version, _)| SUPPORTED.iter().position(|v| v == version));
    homes.extend(installed.into_iter().map(|(_, home)| home));
    homes
        .into_iter()
        .find(|home| major(home).is_some_and(|v| SUPPORTED.contains(&v)))
}

/// The major version of `home/bin/java` (`java -version` prints `"17.0.15"` or, up to
/// Java 8, `"1.8.0_412"`), or `None` when it does not run.
fn major(home: &Path) -> Option<u32> {
    // No /tmp/hsperfdata_<user> folder left behind (see `spark::run`).
    let out = Command::new(home.join("bin/java"))
        .args(["-XX:-UsePerfData", "-version"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stderr);
    let version = text.split('"').nth(1)?;
    let mut parts = version.split(['.', '_', '-', '+']);
    match parts.next()?.parse().ok()? {
        1 => parts.next()?.parse().ok(),
        major => Some(major),
    }
}
