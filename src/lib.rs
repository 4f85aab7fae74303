//! gleaner: declarative extraction rules for news text.
#![warn(missing_docs)]

pub mod check;
pub mod cli;
pub mod compile;
pub mod diag;
pub mod engine;
pub mod load;
pub mod output;
pub mod span;
pub mod syntax;
pub mod text;
pub mod verify;

pub use compile::Program;
pub use diag::{Diagnostic, Diagnostics};
pub use engine::{Field, Record, Runner};
pub use text::Document;

impl Program {
    /// Builds a program from loaded rule files: check, then compile.
    pub fn build(loaded: load::Loaded) -> Result<Program, Diagnostics> {
        compile::compile(check::check(loaded)?)
    }

    /// Builds a program from rule files or folders on disk.
    pub fn from_paths(paths: &[std::path::PathBuf]) -> Result<Program, Diagnostics> {
        Program::build(load::load_paths(paths))
    }

    /// Builds a program from the rule library bundled in the binary.
    pub fn bundled() -> Result<Program, Diagnostics> {
        Program::build(load::load_bundled())
    }

    /// Builds a program from one rule file's text.
    pub fn from_source(name: &str, text: &str) -> Result<Program, Diagnostics> {
        Program::build(load::load_str(name, text))
    }

    /// Runs the program over one document (a convenience; reuse a [`Runner`] for many).
    pub fn run(&self, doc: &Document) -> Vec<Record> {
        Runner::new().run(self, doc)
    }
}
