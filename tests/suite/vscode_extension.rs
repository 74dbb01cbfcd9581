//! The VS Code extension (`editors/vscode/`) builds, passes its grammar tests and
//! packages: `npm ci`, `npm run build`, `npm test` (vscode-tmgrammar-test's scope
//! assertions and the catalog's token snapshots) and `vsce package`, then the `.vsix`
//! is opened and must hold the grammar and the bundled client.
//!
//! Node and npm come from the machine, or from the Debian packages `nodejs` and `npm`
//! installed by the test set-up (as root); without them the test fails naming them. The
//! npm cache, the catalog's work folder and the `.vsix` are under `target/`, so the
//! tree keeps only `node_modules/` and `out/`, which git ignores.

use crate::support::install;
use std::path::Path;
use std::process::Command;

/// The oldest Node the pinned tools run on (`@vscode/vsce` 3.x wants 20).
const NODE_MAJOR: u32 = 20;

#[test]
fn the_extension_builds_passes_its_grammar_tests_and_packages() {
    ensure_node();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let extension = root.join("editors/vscode");
    let work = root.join("target/vscode-extension");
    // A fresh work folder: an old `.vsix` must not pass for this run's.
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("create target/vscode-extension");
    let vsix = work.join("kpic.vsix");

    let npm = |args: &[&str]| {
        let mut cmd = Command::new("npm");
        cmd.args(args)
            .current_dir(&extension)
            .env("npm_config_cache", root.join("target/npm-cache"))
            .env("npm_config_update_notifier", "false")
            .env("npm_config_fund", "false")
            .env("npm_config_audit", "false")
            .env("KPIC_VSCODE_WORK", &work);
        if let Err(e) = install::run(&mut cmd) {
            panic!("in editors/vscode: {e}");
        }
    };
    npm(&["ci"]);
    npm(&["run", "build"]);
    npm(&["test"]);
    let out = vsix.to_str().expect("a UTF-8 path under target/");
    npm(&["run", "package", "--", "--out", out]);

    let bytes =
        std::fs::read(&vsix).unwrap_or_else(|e| panic!("vsce wrote no {}: {e}", vsix.display()));
    let names = zip_entries(&bytes).unwrap_or_else(|e| panic!("{}: {e}", vsix.display()));
    for wanted in [
        "extension/package.json",
        "extension/syntaxes/kpi.tmLanguage.json",
        "extension/language-configuration.json",
        "extension/out/extension.js",
    ] {
        assert!(
            names.iter().any(|n| n == wanted),
            "{} lacks {wanted}: {names:?}",
            vsix.display()
        );
    }
    // The client is one bundle: neither the sources nor node_modules ship.
    assert!(
        !names
            .iter()
            .any(|n| n.contains("node_modules/") || n.ends_with(".ts") || n.contains("/test/")),
        "{} ships more than the bundle: {names:?}",
        vsix.display()
    );
    let _ = std::fs::remove_dir_all(&work);
}

/// `node` (at least [`NODE_MAJOR`]) and `npm` on the PATH, installed from Debian's
/// packages when absent; panics naming what is missing otherwise.
fn ensure_node() {
    if (node_major().is_none() || !runs("npm"))
        && let Err(e) = install::apt_install(&["nodejs", "npm"], "the VS Code extension test")
    {
        panic!("the VS Code extension test needs node and npm: {e}");
    }
    match node_major() {
        Some(major) if major >= NODE_MAJOR => {}
        Some(major) => panic!(
            "the VS Code extension test needs Node {NODE_MAJOR} or later (the pinned \
             @vscode/vsce requires it); `node` is {major}"
        ),
        None => panic!("the VS Code extension test needs `node` (Debian package `nodejs`)"),
    }
    assert!(
        runs("npm"),
        "the VS Code extension test needs `npm` (Debian package `npm`)"
    );
}

/// The major version of the `node` on the PATH.
fn node_major() -> Option<u32> {
    let out = Command::new("node").arg("--version").output().ok()?;
    let version = String::from_utf8_lossy(&out.stdout);
    version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()
}

fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The names of the entries of a zip archive (a `.vsix`), read from its central
/// directory: no zip crate is a dependency, and `unzip` is not on every machine.
fn zip_entries(bytes: &[u8]) -> Result<Vec<String>, String> {
    let u16_at = |at: usize| -> Result<usize, String> {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
            .ok_or_else(|| "truncated zip".to_string())
    };
    let u32_at = |at: usize| -> Result<usize, String> {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(|| "truncated zip".to_string())
    };
    // The end-of-central-directory record: the last `PK\x05\x06` (a comment may follow).
    let end = (0..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))
        .ok_or("no end of central directory: not a zip")?;
    let count = u16_at(end + 10)?;
    let mut at = u32_at(end + 16)?;
    let mut names = Vec::with_capacity(count);
    for _ in 0..count {
        if !bytes
            .get(at..)
            .is_some_and(|b| b.starts_with(b"PK\x01\x02"))
        {
            return Err(format!("no central directory entry at byte {at}"));
        }
        let (name_len, extra_len, comment_len) =
            (u16_at(at + 28)?, u16_at(at + 30)?, u16_at(at + 32)?);
        let name = bytes
            .get(at + 46..at + 46 + name_len)
            .ok_or("truncated zip entry name")?;
        names.push(String::from_utf8_lossy(name).into_owned());
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(names)
}

#[test]
fn zip_entries_reads_a_central_directory() {
    // One stored, empty entry `a.txt`, as `zip -0` writes it.
    let mut zip: Vec<u8> = Vec::new();
    let name = b"a.txt";
    zip.extend(b"PK\x03\x04");
    zip.extend([0u8; 22]);
    zip.extend((name.len() as u16).to_le_bytes());
    zip.extend([0u8; 2]);
    zip.extend(name);
    let central = zip.len() as u32;
    zip.extend(b"PK\x01\x02");
    zip.extend([0u8; 24]);
    zip.extend((name.len() as u16).to_le_bytes());
    zip.extend([0u8; 16]);
    zip.extend(name);
    let size = zip.len() as u32 - central;
    zip.extend(b"PK\x05\x06");
    zip.extend([0u8; 4]);
    zip.extend(1u16.to_le_bytes());
    zip.extend(1u16.to_le_bytes());
    zip.extend(size.to_le_bytes());
    zip.extend(central.to_le_bytes());
    zip.extend([0u8; 2]);
    assert_eq!(zip_entries(&zip), Ok(vec!["a.txt".to_string()]));
    assert!(zip_entries(b"not a zip at all, just text").is_err());
}
