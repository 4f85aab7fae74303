//! Arbitrary bytes as a rule file: parse, check, compile, run the examples,
//! render the diagnostics. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    gleaner_fuzz::sandbox_cwd();
    let text = String::from_utf8_lossy(data);
    gleaner_fuzz::checks::check_rules(&text);
});
