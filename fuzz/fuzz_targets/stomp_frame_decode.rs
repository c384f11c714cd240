//! The STOMP frame codec on arbitrary bytes; see `usp_mtp::stomp::fuzzing::frame_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| usp_mtp::stomp::fuzzing::frame_decode(data));
