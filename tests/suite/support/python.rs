//! Python for the tests: the machine's `python3` (installed with Debian's `python3-venv`
//! when absent or unable to make virtual environments), and one virtual environment per
//! tool under `target/` holding pinned pip packages, made on first use and reused.

use super::install;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The Debian package that brings `python3` and its `venv` module with pip.
const VENV_PACKAGE: &str = "python3-venv";

/// Exits non-zero unless every `name==version` argument is installed.
const HAS_PACKAGES: &str = r#"
import sys
from importlib.metadata import version, PackageNotFoundError
for wanted in sys.argv[1:]:
    name, pinned = wanted.split("==")
    try:
        if version(name) != pinned:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
"#;

/// The machine's `python3` (the first on the PATH, else `/usr/bin/python3`), installed
/// if there is none. Panics, naming the package, when it cannot be.
pub fn python3() -> &'static Path {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let found = PYTHON.get_or_init(|| {
        if let Some(python) = find() {
            return Ok(python);
        }
        install::apt_install(&[VENV_PACKAGE], "the tests that run Python")?;
        find().ok_or_else(|| {
            format!("`apt-get install {VENV_PACKAGE}` succeeded but no python3 runs")
        })
    });
    match found {
        Ok(python) => python,
        Err(e) => panic!("test Python: {e}"),
    }
}

fn find() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("python3"))
        .chain([PathBuf::from("/usr/bin/python3")])
        .find(|python| {
            Command::new(python)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// The Python of the virtual environment `target/<name>` with exactly the pinned
/// `packages` (`name==version`) installed; made (or remade) and filled with pip when
/// they are not there. Panics with pip's output when that fails.
pub fn venv(name: &str, packages: &[&str]) -> PathBuf {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(name);
    let python = venv.join("bin/python");
    let ready = || {
        Command::new(&python)
            .args(["-c", HAS_PACKAGES])
            .args(packages)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if ready() {
        return python;
    }
    make_venv(&venv);
    install::announce(&format!(
        "pip install {} into {}",
        packages.join(" "),
        venv.display()
    ));
    let pip = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(packages)
        .output()
        .unwrap_or_else(|e| panic!("cannot run pip in {}: {e}", venv.display()));
    assert!(
        pip.status.success() && ready(),
        "cannot install {packages:?} into {}: pip exited with {}\n--- stdout ---\n{}\n\
         --- stderr ---\n{}",
        venv.display(),
        pip.status,
        String::from_utf8_lossy(&pip.stdout),
        String::from_utf8_lossy(&pip.stderr)
    );
    python
}

/// `python3 -m venv --clear DIR`; when Python cannot make one (Debian leaves `ensurepip`
/// out of `python3` itself), installs `python3-venv` and tries again.
fn make_venv(venv: &Path) {
    let attempt = || {
        install::run(
            Command::new(python3())
                .args(["-m", "venv", "--clear"])
                .arg(venv),
        )
    };
    let Err(first) = attempt() else {
        return;
    };
    let needed_by = format!("making the Python venv {}", venv.display());
    if let Err(e) = install::apt_install(&[VENV_PACKAGE], &needed_by) {
        panic!("test Python: {first}\n{e}");
    }
    if let Err(e) = attempt() {
        panic!(
            "test Python: cannot make {} even with {VENV_PACKAGE}\n{e}",
            venv.display()
        );
    }
}
