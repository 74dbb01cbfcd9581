//! The bundled demo: the shipped catalog and the example dataset, compiled into the
//! binary (with `include_dir`: a new file in either folder is embedded without a list
//! to keep) so `kpic eval --demo` works from any folder once kpic is installed.

use include_dir::{Dir, include_dir};
use std::path::PathBuf;

/// The catalog, as shipped in `kpis/` (every `.kpi` file there, no hand-kept list).
static CATALOG: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/kpis");

/// The example dataset, as shipped in `examples/data/`.
static DATA: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/examples/data");

/// The files of an embedded folder with the extension `ext`, by name.
fn files<'a>(dir: &'a Dir<'a>, ext: &str) -> Vec<(&'a str, &'a [u8])> {
    let mut out: Vec<(&str, &[u8])> = dir
        .files()
        .filter_map(|f| Some((f.path().file_name()?.to_str()?, f.contents())))
        .filter(|(name, _)| name.ends_with(ext))
        .collect();
    out.sort_by_key(|(name, _)| *name);
    out
}

/// Writes the demo into a folder of the temporary directory (once per version) and
/// returns the catalog and data folders.
pub fn unpack() -> std::io::Result<(PathBuf, PathBuf)> {
    let root = std::env::temp_dir().join(format!("kpic-demo-{}", env!("CARGO_PKG_VERSION")));
    let (catalog, data) = (root.join("kpis"), root.join("data"));
    for (dir, files) in [
        (&catalog, files(&CATALOG, ".kpi")),
        (&data, files(&DATA, ".csv")),
    ] {
        std::fs::create_dir_all(dir)?;
        for (name, text) in files {
            let path = dir.join(name);
            // Rewrite only what differs, so concurrent runs see whole files.
            if std::fs::read(&path).ok().as_deref() != Some(text) {
                let tmp = dir.join(format!(".{name}.{}", std::process::id()));
                std::fs::write(&tmp, text)?;
                std::fs::rename(&tmp, &path)?;
            }
        }
    }
    Ok((catalog, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(dir: &str, ext: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("folder")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(ext))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn embedded_files_are_every_shipped_file() {
        let catalog: Vec<&str> = files(&CATALOG, ".kpi").iter().map(|(n, _)| *n).collect();
        let data: Vec<&str> = files(&DATA, ".csv").iter().map(|(n, _)| *n).collect();
        assert_eq!(catalog, listing("kpis", ".kpi"));
        assert_eq!(data, listing("examples/data", ".csv"));
    }
}
