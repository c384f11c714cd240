//! Every path parser on arbitrary bytes; see `usp_datamodel::fuzzing::path_parse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| usp_datamodel::fuzzing::path_parse(data));
