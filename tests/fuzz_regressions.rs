//! Every input that made a fuzz target fail, run through the same check as
//! the target (fuzz/src/checks.rs, included here by path), through the
//! library. Inputs live in tests/fuzz_regressions/<target>/; fuzz/README.md
//! says how they were found.
//!
//! - `parse_check/*`, `tokenize/*`, `snapshot/*`: the raw bytes the fuzzer
//!   gave, decoded as the target decodes them (lossy UTF-8).
//! - `engine/NAME.rules` with `engine/NAME.txt`: the rule text and document
//!   text that the `engine` target printed from its structured input.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(PathBuf, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    // A target with no saved input yet has no folder.
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, String)> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|x| x != "txt"))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn parse_check_regressions() {
    checks::sandbox_cwd();
    for (path, text) in inputs("parse_check") {
        eprintln!("{}", path.display());
        checks::check_rules(&text);
    }
}

#[test]
fn tokenize_regressions() {
    for (path, text) in inputs("tokenize") {
        eprintln!("{}", path.display());
        checks::check_tokenize(&text);
    }
}

#[test]
fn snapshot_regressions() {
    for (path, text) in inputs("snapshot") {
        eprintln!("{}", path.display());
        checks::check_snapshot(&text);
    }
}

#[test]
fn engine_regressions() {
    for (path, rules) in inputs("engine") {
        eprintln!("{}", path.display());
        let text = std::fs::read_to_string(path.with_extension("txt")).unwrap();
        checks::check_engine(&rules, &text).expect("the rules build");
    }
}

/// The engine check itself: it runs the rules and hands back their records.
#[test]
fn the_engine_check_runs_the_rules() {
    let rules = "record A(x, y)\nrule r { match <x:Cap> \"said\" emit A { x, y: lower(x) } }\n";
    let records = checks::check_engine(rules, "Ali said.\n\nBob said it.").unwrap();
    let got: Vec<(&str, usize, usize, Option<&str>)> = records
        .iter()
        .map(|r| {
            (
                r.text.as_str(),
                r.start,
                r.end,
                r.fields["y"].value.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Ali said", 0, 8, Some("ali")),
            ("Bob said", 11, 19, Some("bob"))
        ]
    );
    assert!(checks::check_engine("rule r { match Nmae }", "x").is_none());
}
