//! `Record::decode` on arbitrary bytes; see `usp_record::fuzzing::record_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| usp_record::fuzzing::record_decode(data));
