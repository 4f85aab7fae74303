//! A small generated rule set run over generated text: record spans are
//! exact and on char boundaries, and runs are deterministic.
//!
//! `cargo fuzz fmt engine <input>` prints an input's rule text and document.
#![no_main]

use gleaner_fuzz::grammar::Input;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: Input| {
    let (rules, text) = (input.rules(), input.text());
    gleaner_fuzz::checks::check_engine(&rules, &text);
});
