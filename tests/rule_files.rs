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
