//! Service answers (JSON, XML, JWTs, dates) through every parser and the
//! credential provider. Must never panic; the checks are in answers.rs.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod answers;

fuzz_target!(|data: &[u8]| {
    answers::check(data);
});
