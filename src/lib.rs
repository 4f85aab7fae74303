//! gleaner: declarative extraction rules for news text.
//!
//! Rule files (see `docs/language.md`) are read, checked and compiled once into a
//! [`Program`]; a [`Runner`] runs it over [`Document`]s and returns [`Record`]s,
//! which serialise with serde.
//!
//! ```
//! use gleaner::{Document, Program, Runner};
//!
//! let program = Program::from_source("roles.rules", r#"
//!     record PersonRole(person, role, org)
//!     lexicon Nationality = Russian => Russia, Iranian => Iran
//!     lexicon Role = "foreign minister", secretary
//!     rule premodifier {
//!         match <org:Nationality> <role:Role> <person:Cap+>
//!         emit  PersonRole { person, role, org: canon(org) }
//!     }
//! "#).expect("the rules build");
//!
//! let mut runner = Runner::new();
//! let doc = Document::new("seed", "He met with Russian Foreign Minister Sergei Lavrov.");
//! let records = runner.run(&program, &doc);
//! assert_eq!(records.len(), 1);
//! let r = &records[0];
//! assert_eq!((r.kind.as_str(), r.text.as_str()), ("PersonRole", "Russian Foreign Minister Sergei Lavrov"));
//! assert_eq!(r.fields["person"].text.as_deref(), Some("Sergei Lavrov"));
//! assert_eq!(r.fields["org"].value.as_deref(), Some("Russia"));
//! println!("{}", serde_json::to_string(r).unwrap());
//! ```
//!
//! When rules do not build, the error holds every problem found, each with its
//! file and span; [`Diagnostics::render`] draws them as `gleaner check` does.
//!
//! The stages, each its own module: [`syntax`] (text → AST) → [`check`] (names,
//! types, cycles) → [`compile`] (token automata, prefilters) → [`engine`] (running
//! them) → [`output`]. [`text`] tokenizes documents; [`load`] reads rule files.
#![warn(missing_docs)]

pub mod check;
pub mod cli;
pub mod compile;
pub mod dates;
pub mod diag;
pub mod diff;
pub mod engine;
pub mod eval;
pub mod fmt;
pub mod load;
pub mod output;
pub mod project;
pub mod span;
pub mod syntax;
pub mod text;
pub mod verify;

/// Whether building a program may spread its work over threads: rayon's
/// pool (the one installed, or the global one, which `--jobs` sizes) has
/// more than one. With one, everything stays on the calling thread.
pub(crate) fn build_in_parallel() -> bool {
    rayon::current_num_threads() > 1
}

pub use compile::Program;
pub use diag::{Diagnostic, Diagnostics};
pub use engine::{Field, Record, Runner};
pub use text::Document;

impl Program {
    /// Builds a program from loaded rule files: check, then compile.
    pub fn build(loaded: load::Loaded) -> Result<Program, Diagnostics> {
        compile::compile(check::check(loaded)?)
    }

    /// Builds a program whose rules also know where each part of their patterns
    /// is written ([`compile::Rule::origins`]), to explain what they do. It
    /// runs the same as one from [`Program::build`]; it takes longer to build.
    pub fn build_with_origins(loaded: load::Loaded) -> Result<Program, Diagnostics> {
        compile::compile(check::check_with_origins(loaded)?)
    }

    /// Builds a program from rule files or folders on disk.
    pub fn from_paths(paths: &[std::path::PathBuf]) -> Result<Program, Diagnostics> {
        Program::build(load::load_paths(paths))
    }

    /// Builds a program from rule files or folders on disk, with loading options
    /// (such as letting imports reach outside the rules folder).
    pub fn from_paths_with(
        paths: &[std::path::PathBuf],
        options: load::Options,
    ) -> Result<Program, Diagnostics> {
        Program::build(load::load_paths_with(paths, options))
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
