//! Completions, man pages and the progress bar's switch, through the binary.

mod common;

use common::{gleaner, stderr, stdout};

#[test]
fn completions_know_every_command() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = gleaner(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let out = stdout(&o);
        for cmd in ["run", "check", "eval", "test", "init", "diff", "debug"] {
            assert!(out.contains(cmd), "{shell} completions lack {cmd}");
        }
        assert!(
            out.contains("review"),
            "{shell} completions lack test's options"
        );
    }
    let o = gleaner(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("[possible values: bash, elvish, fish, powershell, zsh]"));
}

#[test]
fn man_pages() {
    let o = gleaner(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let page = stdout(&o);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq \\(aq\n"),
        "{}",
        &page[..80]
    );
    assert!(page.contains(".TH gleaner 1"));
    assert!(page.contains("gleaner\\-test(1)"));
    let dir = tempfile::tempdir().unwrap();
    let o = gleaner(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!(
            "wrote 15 pages into {}: gleaner-check.1 gleaner-completions.1 gleaner-debug-ast.1 gleaner-debug-program.1 gleaner-debug-tokens.1 gleaner-debug.1 gleaner-diff.1 gleaner-eval.1 gleaner-explain.1 gleaner-fmt.1 gleaner-init.1 gleaner-man.1 gleaner-run.1 gleaner-test.1 gleaner.1\n",
            dir.path().display()
        )
    );
    let test_page = std::fs::read_to_string(dir.path().join("gleaner-test.1")).unwrap();
    assert!(test_page.contains("\\-\\-review"));
}

#[test]
fn no_progress_bar_when_piped_or_quiet() {
    for extra in [&[][..], &["--quiet"][..]] {
        let mut args = vec!["run", "--format", "jsonl"];
        args.extend_from_slice(extra);
        args.push("tests/fixtures/");
        let o = gleaner(&args);
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(stderr(&o), "");
        assert!(stdout(&o).lines().count() > 1000);
    }
}
