#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| usp_e2e::fuzzing::e2e_session(data));
