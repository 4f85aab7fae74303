//! Arbitrary bytes as a snapshot file: when it reads, it writes back to the
//! same records.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    gleaner_fuzz::checks::check_snapshot(&text);
});
