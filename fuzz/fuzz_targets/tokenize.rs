//! Arbitrary bytes as document text, as UTF-8 when they are, and always
//! decoded lossily: tokens and segments keep their invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        gleaner_fuzz::checks::check_tokenize(text);
    } else {
        gleaner_fuzz::checks::check_tokenize(&String::from_utf8_lossy(data));
    }
});
