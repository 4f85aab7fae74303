//! One snapshot per fixture article: every record the bundled rules find in it,
//! in the snapshot text format (a block per record, sorted by position).
//! Review changes with `cargo insta review`; never accept them blindly.

use gleaner::output::{Format, write};
use gleaner::{Document, Program};

#[test]
fn fixture_articles() {
    let program = Program::bundled().expect("the bundled rules build");
    insta::glob!("fixtures/*.txt", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let id = path.file_stem().unwrap().to_string_lossy();
        let records = program.run(&Document::new(id, text));
        let mut out = String::new();
        write(Format::Snapshot, &records, &mut out);
        if records.is_empty() {
            out.push_str("(no records)\n");
        }
        insta::assert_snapshot!(out);
    });
}
