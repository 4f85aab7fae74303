//! Rule files as test cases. `tests/rule_inputs/ok/*.rules` must build; their
//! snapshot is the compiled program. `tests/rule_inputs/errors/*.rules` must
//! not; their snapshot is every diagnostic, rendered as a user sees it.
//! Add a case by adding a file, then `cargo insta review`.

use gleaner::compile::describe;
use gleaner::{Program, load};

fn build(path: &std::path::Path) -> Result<Program, gleaner::Diagnostics> {
    Program::build(load::load_paths(&[path.to_path_buf()]))
}

#[test]
fn valid_rule_files() {
    insta::glob!("rule_inputs/ok/*.rules", |path| {
        let program = match build(path) {
            Ok(p) => p,
            Err(d) => panic!("{} should build:\n{}", path.display(), d.render(false)),
        };
        let mut out = String::new();
        for rule in &program.rules {
            out.push_str(&describe(&program, rule));
        }
        insta::assert_snapshot!(out);
    });
}

#[test]
fn invalid_rule_files() {
    insta::glob!("rule_inputs/errors/*.rules", |path| {
        match build(path) {
            Ok(_) => panic!("{} should not build", path.display()),
            Err(d) => insta::assert_snapshot!(d.render(false)),
        }
    });
}

/// Building spreads over rayon's threads when it has several (rule files
/// parsed at once, regexes compiled at once); with one it does not. Either
/// way the program, and every diagnostic with its file and place, is the
/// same.
#[test]
fn rules_build_the_same_on_one_thread_as_on_two() {
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    let (one, two) = (pool(1), pool(2));
    let describe_all = |p: &Program| {
        let rules: Vec<String> = p.rules.iter().map(|r| describe(p, r)).collect();
        rules.concat()
    };
    let folder = std::path::PathBuf::from("rules");
    let a = one.install(|| Program::from_paths(std::slice::from_ref(&folder)));
    let b = two.install(|| Program::from_paths(std::slice::from_ref(&folder)));
    let (a, b) = (
        a.expect("bundled rules build"),
        b.expect("bundled rules build"),
    );
    assert_eq!(describe_all(&a), describe_all(&b));
    assert_eq!(a.regexes.len(), b.regexes.len());
    let text =
        std::fs::read_to_string("tests/fixtures/000_tehran_moscow_security_agreement.txt").unwrap();
    let doc = gleaner::Document::new("000", text);
    assert_eq!(a.run(&doc), b.run(&doc));

    // Mistakes in three files of a folder, one of them imported by another.
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "a.rules",
            "record R(x)\nrule broken {\n    match \"the\" ( Cap\n    emit R { x }\n}\nrule bad_regex {\n    match <x:/[a-/>\n    emit R { x }\n}\n",
        ),
        (
            "b.rules",
            "import \"c.rules\"\nrule unknown {\n    match <x:Nope>\n    emit R { x }\n}\n",
        ),
        (
            "c.rules",
            "lexicon Gone from \"missing.tsv\"\nrule fine {\n    match <x:/[A-Z]+/i> Gone\n    emit R { x }\n}\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let paths = [dir.path().to_path_buf()];
    let render = |d: gleaner::Diagnostics| d.render(false);
    let a = one
        .install(|| Program::from_paths(&paths))
        .map(|_| ())
        .unwrap_err();
    let b = two
        .install(|| Program::from_paths(&paths))
        .map(|_| ())
        .unwrap_err();
    let (a, b) = (render(a), render(b));
    assert_eq!(a, b);
    for (file, what) in [
        ("[a.rules:4:5]", "is never closed"),
        ("[a.rules:7:14]", "this regex is not valid"),
        ("[b.rules:3:14]", "named `Nope`"),
        ("[c.rules:1:19]", "cannot read lexicon file `missing.tsv`"),
    ] {
        assert!(a.contains(file) && a.contains(what), "{file} {what}:\n{a}");
    }
}
