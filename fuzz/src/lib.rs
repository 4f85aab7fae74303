//! Shared code of gleaner's fuzz targets: the checks each target makes
//! (`checks`, also used by the main crate's `tests/fuzz_regressions.rs`) and
//! the structured rule-set grammar of the `engine` target (`grammar`).

pub mod checks;
pub mod grammar;

pub use checks::sandbox_cwd;
