//! The UDS Frame codec on arbitrary bytes; see `usp_mtp::uds::fuzzing::frame_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| usp_mtp::uds::fuzzing::frame_decode(data));
