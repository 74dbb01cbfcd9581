//! A real headless browser for tests of the HTML kpic writes (`kpic report`, `kpic
//! docs`): Chromium from the Debian package `chromium`, installed by the set-up when
//! absent (see [`super::install`]; without root it fails naming the package).
//!
//! The API is two calls:
//!
//! - [`Page::load`]: open a local HTML file, let it run, and return the DOM as the
//!   browser serialises it after loading (`--dump-dom`) with every console error the
//!   page caused: script errors, `console.error` calls, unhandled rejections,
//!   resources that failed to load and Content-Security-Policy violations (every
//!   request a page must not make, e.g. to a CDN, is one under a `default-src 'none'`
//!   policy).
//! - [`screenshot`]: a PNG of the page at a given window size.
//!
//! Errors are caught by a small script the loader puts first in a copy of the page
//! (before any `<meta>` policy, which only governs what follows it); it records each
//! error in an attribute of `<html>` that the dumped DOM carries back, and the loader
//! removes it from [`Page::dom`]. The copy sits next to the original (so relative
//! links resolve alike) under a name that cannot clash, and is removed after.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The attribute of `<html>` the capture script writes the errors to (as JSON).
const ERRORS_ATTRIBUTE: &str = "data-test-console-errors";

/// Records every error the page causes into [`ERRORS_ATTRIBUTE`] as it happens.
const CAPTURE: &str = r#"<script>(function () {
  var errors = [];
  function keep(text) {
    errors.push(String(text));
    document.documentElement.setAttribute("data-test-console-errors", JSON.stringify(errors));
  }
  var error = console.error;
  console.error = function () {
    keep(Array.prototype.map.call(arguments, String).join(" "));
    return error.apply(console, arguments);
  };
  window.addEventListener("error", function (e) {
    if (e.target && e.target !== window) {
      keep("failed to load " + (e.target.src || e.target.href || e.target.tagName));
    } else {
      keep((e.message || "error") + " at " + e.filename + ":" + e.lineno);
    }
  }, true);
  window.addEventListener("unhandledrejection", function (e) {
    keep("unhandled rejection: " + e.reason);
  });
  document.addEventListener("securitypolicyviolation", function (e) {
    keep("Content-Security-Policy " + e.violatedDirective + " blocked " + e.blockedURI);
  });
  document.documentElement.setAttribute("data-test-console-errors", "[]");
})();</script>"#;

/// How long a page gets to run its timers before the DOM is taken (virtual time: the
/// browser skips idle waits, so this costs little).
const VIRTUAL_TIME_MS: &str = "3000";
/// After this, the browser is killed and the test fails.
const TIMEOUT: Duration = Duration::from_secs(180);

/// A page as the browser left it after loading.
pub struct Page {
    /// The serialised DOM (the capture script's traces removed).
    pub dom: String,
    /// Every error the page caused while loading, in order.
    pub console_errors: Vec<String>,
}

impl Page {
    /// Loads the HTML file at `path` in headless Chromium.
    pub fn load(path: &Path) -> Result<Page, String> {
        Page::load_query(path, "")
    }

    /// As [`Page::load`], the page's URL given the query string `query` (without its
    /// `?`; e.g. `q=word` for a page whose script reads `location.search`).
    pub fn load_query(path: &Path, query: &str) -> Result<Page, String> {
        let html = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let copy = sibling(path, "capture")?;
        std::fs::write(copy.path(), with_capture(&html))
            .map_err(|e| format!("cannot write {}: {e}", copy.path().display()))?;
        let out = chromium(&[
            "--dump-dom".to_string(),
            with_query(url(copy.path())?, query),
        ])?;
        let dom = String::from_utf8_lossy(&out).into_owned();
        let console_errors = errors_in(&dom)?;
        Ok(Page {
            dom: without_capture(&dom),
            console_errors,
        })
    }
}

/// Writes a PNG of the page at `path`, rendered in a window `width` × `height`, to
/// `png` (its folder created).
pub fn screenshot(path: &Path, png: &Path, width: u32, height: u32) -> Result<(), String> {
    screenshot_query(path, "", png, width, height)
}

/// As [`screenshot`], the page's URL given the query string `query` (without its `?`).
pub fn screenshot_query(
    path: &Path,
    query: &str,
    png: &Path,
    width: u32,
    height: u32,
) -> Result<(), String> {
    if let Some(dir) = png.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let png = std::path::absolute(png).map_err(|e| e.to_string())?;
    chromium(&[
        format!("--screenshot={}", png.display()),
        format!("--window-size={width},{height}"),
        "--hide-scrollbars".to_string(),
        with_query(url(path)?, query),
    ])?;
    match std::fs::metadata(&png) {
        Ok(m) if m.len() > 0 => Ok(()),
        _ => Err(format!("chromium wrote no screenshot to {}", png.display())),
    }
}

/// The Chromium program, installed once per test process when absent.
fn program() -> Result<PathBuf, String> {
    static PROGRAM: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PROGRAM
        .get_or_init(|| {
            if let Some(p) = on_path("chromium") {
                return Ok(p);
            }
            super::install::apt_install(&["chromium"], "the headless-browser tests")?;
            on_path("chromium").ok_or_else(|| {
                "the Debian package `chromium` is installed but `chromium` is not on PATH"
                    .to_string()
            })
        })
        .clone()
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Runs headless Chromium with `args` (after the common flags) in a fresh profile;
/// its standard output, or an error with its standard error.
fn chromium(args: &[String]) -> Result<Vec<u8>, String> {
    let program = program()?;
    let profile = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .map_err(|e| format!("cannot create a browser profile folder: {e}"))?;
    let mut cmd = Command::new(&program);
    cmd.args([
        "--headless",
        // Tests run as root in containers, where Chromium's sandbox cannot start.
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--run-all-compositor-stages-before-draw",
    ])
    .arg(format!("--virtual-time-budget={VIRTUAL_TIME_MS}"))
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(args)
    .env("HOME", profile.path())
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    // Read both pipes on threads so that a full pipe cannot stall the browser.
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut b).map(|_| b)
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut b).map(|_| b)
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{shown} did not finish in {TIMEOUT:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("{shown}: {e}")),
        }
    };
    let out = out
        .join()
        .map_err(|_| "stdout reader panicked")?
        .map_err(|e| e.to_string())?;
    let err = err
        .join()
        .map_err(|_| "stderr reader panicked")?
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!(
            "{shown} exited with {status}\n--- stderr ---\n{}",
            String::from_utf8_lossy(&err)
        ));
    }
    Ok(out)
}

/// A temporary file next to `path` (removed when dropped).
fn sibling(path: &Path, what: &str) -> Result<tempfile::NamedTempFile, String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    tempfile::Builder::new()
        .prefix(&format!(".{what}-"))
        .suffix(".html")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot create a file in {}: {e}", dir.display()))
}

/// `url` with the query string `query` (none when empty).
fn with_query(url: String, query: &str) -> String {
    if query.is_empty() {
        url
    } else {
        format!("{url}?{query}")
    }
}

fn url(path: &Path) -> Result<String, String> {
    let abs = std::path::absolute(path).map_err(|e| e.to_string())?;
    Ok(format!("file://{}", abs.display()))
}

/// The page with the capture script first in `<head>` (or first of all).
fn with_capture(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    match lower.find("<head>") {
        Some(i) => format!("{}{CAPTURE}{}", &html[..i + 6], &html[i + 6..]),
        None => format!("{CAPTURE}{html}"),
    }
}

/// The dumped DOM without the capture script and its attribute.
fn without_capture(dom: &str) -> String {
    let mut dom = dom.to_string();
    if let Some(start) = dom.find("<script>(function () {\n  var errors")
        && let Some(len) = dom[start..].find("</script>")
    {
        dom.replace_range(start..start + len + "</script>".len(), "");
    }
    if let Some(start) = dom.find(&format!(" {ERRORS_ATTRIBUTE}=\""))
        && let Some(len) = dom[start + ERRORS_ATTRIBUTE.len() + 3..].find('"')
    {
        dom.replace_range(start..start + ERRORS_ATTRIBUTE.len() + 4 + len, "");
    }
    dom
}

/// The errors the capture script recorded; an error when it did not run at all.
fn errors_in(dom: &str) -> Result<Vec<String>, String> {
    let attrs = element_attributes(dom, "html").ok_or("the dumped DOM has no <html> element")?;
    let json = attrs
        .iter()
        .find(|(k, _)| k == ERRORS_ATTRIBUTE)
        .map(|(_, v)| v.clone())
        .ok_or("the error-capturing script did not run (no console could be watched)")?;
    serde_json::from_str(&json).map_err(|e| format!("captured errors `{json}`: {e}"))
}

/// The attributes of the first `<TAG ...>` of `dom`.
fn element_attributes(dom: &str, tag: &str) -> Option<Vec<(String, String)>> {
    let start = dom.find(&format!("<{tag}"))?;
    let end = start + dom[start..].find('>')?;
    Some(attributes(&dom[start + tag.len() + 1..end]))
}

/// Every element of `dom` (as the browser serialises it: attribute values in double
/// quotes) that has attribute `name`, as its attributes in order.
pub fn elements_with(dom: &str, name: &str) -> Vec<Vec<(String, String)>> {
    let needle = format!(" {name}=\"");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = dom[from..].find(&needle) {
        let at = from + i;
        let Some(open) = dom[..at].rfind('<') else {
            break;
        };
        let Some(close) = dom[at..].find('>').map(|c| at + c) else {
            break;
        };
        let tag_end = dom[open..]
            .find(|c: char| c.is_whitespace())
            .map_or(close, |t| open + t);
        found.push(attributes(&dom[tag_end..close]));
        from = close;
    }
    found
}

/// Parses `a="1" b="x &amp; y"` (values unescaped).
fn attributes(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(eq) = rest.find("=\"") {
        // A value-less attribute before this one (`open`) is not part of its name.
        let name = rest[..eq]
            .split_whitespace()
            .last()
            .unwrap_or_default()
            .to_string();
        let after = &rest[eq + 2..];
        let Some(end) = after.find('"') else { break };
        out.push((name, unescape(&after[..end])));
        rest = &after[end + 1..];
    }
    out
}

/// The character references a browser writes in attribute values and text.
pub fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}
