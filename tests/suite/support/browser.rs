//! Headless Chromium for the HTML tests: load a page and read its DOM after its
//! scripts ran and the console messages it logged, or take a screenshot. Chromium comes
//! from the Debian package `chromium`, installed by the set-up when absent
//! ([`super::install`]); without it the test fails naming the package.

use super::install;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long one Chromium run may take before it is killed and the test fails.
const TIMEOUT: Duration = Duration::from_secs(90);

/// A page as Chromium left it after loading.
#[derive(Debug)]
pub struct Page {
    /// The DOM serialised after the load event (scripts run at load have run).
    pub dom: String,
    /// Every message the page logged to the console (errors, CSP violations,
    /// uncaught exceptions; our pages log nothing else).
    pub console_errors: Vec<String>,
}

impl Page {
    /// Loads the file at `path`.
    pub fn load(path: &Path) -> Page {
        Page::load_url(&file_url(path))
    }

    /// Loads `url` (e.g. a file URL with `?q=...`).
    pub fn load_url(url: &str) -> Page {
        let out = run(&["--dump-dom", url]);
        let console_errors = out
            .stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
            .map(str::to_string)
            .collect();
        Page {
            dom: out.stdout,
            console_errors,
        }
    }
}

/// Writes a PNG of the page at `path` (1280 pixels wide) to `png`.
pub fn screenshot(path: &Path, png: &Path) {
    screenshot_url(&file_url(path), png);
}

/// Writes a PNG of the page at `url` (1280 pixels wide) to `png`.
pub fn screenshot_url(url: &str, png: &Path) {
    if let Some(dir) = png.parent() {
        std::fs::create_dir_all(dir).expect("the screenshot's folder is created");
    }
    // A stale file must not pass for this run's screenshot.
    let _ = std::fs::remove_file(png);
    let arg = format!("--screenshot={}", png.display());
    run(&[&arg, "--window-size=1280,2200", url]);
    assert!(
        png.is_file(),
        "Chromium wrote no screenshot to {}",
        png.display()
    );
}

/// `file://` URL of a path (made absolute).
pub fn file_url(path: &Path) -> String {
    let abs = std::path::absolute(path).expect("an absolute path");
    format!("file://{}", abs.display())
}

/// The Chromium binary, installed with apt-get when absent.
fn chromium() -> &'static str {
    static FOUND: OnceLock<Result<&'static str, String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let works = |bin: &str| {
            Command::new(bin)
                .arg("--version")
                .stdin(Stdio::null())
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if works("chromium") {
            return Ok("chromium");
        }
        install::apt_install(&["chromium"], "the headless-browser tests")?;
        if works("chromium") {
            Ok("chromium")
        } else {
            Err("the Debian package `chromium` is installed but `chromium --version` fails".into())
        }
    });
    match found {
        Ok(bin) => bin,
        Err(e) => panic!("{e}"),
    }
}

struct Output {
    stdout: String,
    stderr: String,
}

/// Runs headless Chromium with `args` in a fresh profile under `target/`; fails the
/// test when it fails or hangs.
fn run(args: &[&str]) -> Output {
    let bin = chromium();
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let profile = tempfile::TempDir::new_in(&tmp).expect("a profile folder");
    let stdout = tempfile::NamedTempFile::new_in(&tmp).expect("a stdout file");
    let stderr = tempfile::NamedTempFile::new_in(&tmp).expect("a stderr file");
    let mut child = Command::new(bin)
        .args([
            "--headless",
            // Tests run as root in containers, where Chromium's sandbox cannot start.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .env("TMPDIR", &tmp)
        .stdin(Stdio::null())
        .stdout(stdout.reopen().expect("stdout file"))
        .stderr(stderr.reopen().expect("stderr file"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("chromium's status") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{bin} {args:?} did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |f: &tempfile::NamedTempFile| std::fs::read_to_string(f.path()).unwrap_or_default();
    let out = Output {
        stdout: read(&stdout),
        stderr: read(&stderr),
    };
    assert!(
        status.success(),
        "{bin} {args:?} exited with {status}\n--- stderr ---\n{}",
        out.stderr
    );
    out
}
