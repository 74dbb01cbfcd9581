//! `kpic completions SHELL` and `kpic man`: generated from the command line's own
//! definition, so they name every subcommand and flag; the bash script is loaded by
//! bash and registers the completion of `kpic`.

use crate::support::cli::{kpic, ok};

#[test]
fn completions_name_every_subcommand_and_flag() {
    for (shell, marker) in [
        ("bash", "complete -F _kpic"),
        ("zsh", "#compdef kpic"),
        ("fish", "complete -c kpic"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = ok(&["completions", shell]);
        assert!(
            script.contains(marker),
            "{shell}: no `{marker}` in\n{script}"
        );
        // fish writes a long flag as `-l engine`, the others as `--engine`.
        for word in [
            "check",
            "eval",
            "sql",
            "completions",
            "man",
            "engine",
            "period",
        ] {
            assert!(script.contains(word), "{shell}: `{word}` is not completed");
        }
        // Values of an enumerated flag are completed too.
        assert!(script.contains("postgres"), "{shell}: engines not listed");
    }
}

#[test]
fn bash_loads_the_script_and_completes_kpic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("kpic.bash");
    std::fs::write(&file, ok(&["completions", "bash"])).expect("write the script");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p kpic && \
             COMP_WORDS=(kpic ev) COMP_CWORD=1 && _kpic kpic ev kpic && echo \"${{COMPREPLY[@]}}\"",
            file.display()
        ))
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("-F _kpic kpic"), "{stdout}");
    // `kpic ev<TAB>` completes to `eval`.
    assert_eq!(stdout.lines().last(), Some("eval"), "{stdout}");
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let (code, out, err) = kpic(&["completions", "tcsh"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("possible values: bash, elvish, fish, powershell, zsh"),
        "{err}"
    );
}

#[test]
fn the_man_page_documents_every_subcommand() {
    let page = ok(&["man"]);
    assert!(page.contains(".TH kpic 1"), "{page}");
    for word in ["check", "eval", "completions", "man"] {
        assert!(page.contains(word), "`{word}` is not in the man page");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("man1");
    let (code, _, err) = kpic(&["man", "--out", &out.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    let eval = std::fs::read_to_string(out.join("kpic-eval.1")).expect("kpic-eval.1 is written");
    assert!(eval.contains(".TH kpic-eval 1"), "{eval}");
    // Each flag with its help, e.g. where `--engine spark` finds its Python.
    assert!(eval.contains("spark\\-python"), "{eval}");
    assert!(out.join("kpic.1").is_file());
}
