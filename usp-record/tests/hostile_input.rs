//! Bad input never panics and never makes the decoder allocate more than the input's length
//! at once, whatever its length prefixes claim.
//!
//! The allocation probe is a global allocator that records the largest single allocation
//! made on the current thread while armed; it is the only unsafe code in the workspace.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use bytes::Bytes;
use proptest::prelude::*;
use usp_record::{Malformed, Record, RecordError};
use usp_types::ErrorCode;

struct Probe;

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    if ARMED.with(Cell::get) {
        LARGEST.with(|l| l.set(l.get().max(size)));
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; the probe only reads
// sizes and writes thread-local counters that never allocate.
unsafe impl GlobalAlloc for Probe {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Probe = Probe;

/// Decodes `input` and returns the result with the largest single allocation it made.
fn decode_probed(input: &[u8]) -> (Result<Record, RecordError>, usize) {
    let bytes = Bytes::copy_from_slice(input);
    LARGEST.with(|l| l.set(0));
    ARMED.with(|a| a.set(true));
    let result = Record::decode(bytes);
    ARMED.with(|a| a.set(false));
    (result, LARGEST.with(Cell::get))
}

/// An allocation may hold a copy of at most the whole input, plus a reference-count header.
const SLACK: usize = 64;

fn assert_bounded(input: &[u8]) -> Result<Record, RecordError> {
    let (result, largest) = decode_probed(input);
    assert!(
        largest <= input.len() + SLACK,
        "largest allocation {largest} for {} input bytes",
        input.len()
    );
    if let Err(e) = &result {
        let code = e.code().get();
        assert!((7100..=7106).contains(&code), "{e}: code {code}");
    }
    result
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn len_field(number: u32, body: &[u8], out: &mut Vec<u8>) {
    varint(u64::from(number) << 3 | 2, out);
    varint(body.len() as u64, out);
    out.extend_from_slice(body);
}

/// A valid header: version, to_id, from_id.
fn header() -> Vec<u8> {
    let mut out = Vec::new();
    len_field(1, b"1.4", &mut out);
    len_field(2, b"self::us", &mut out);
    len_field(3, b"self::them", &mut out);
    out
}

#[test]
fn the_probe_sees_the_copies_the_decoder_makes() {
    // A 200-byte instance-id is copied once into the Endpoint ID: the probe must see it,
    // or every bound below would hold vacuously.
    let long_id = format!("self::{}", "x".repeat(200));
    let mut input = Vec::new();
    len_field(1, b"1.4", &mut input);
    len_field(2, long_id.as_bytes(), &mut input);
    len_field(3, b"self::them", &mut input);
    len_field(9, &[], &mut input);
    let (result, largest) = decode_probed(&input);
    assert_eq!(result.unwrap().to_id().as_str(), long_id);
    assert!(largest >= 200, "largest allocation seen: {largest}");
}

#[test]
fn empty_input_is_a_record_without_record_type() {
    assert_eq!(
        assert_bounded(&[]).unwrap_err(),
        RecordError::MissingRecordType
    );
}

#[test]
fn huge_length_prefixes_are_truncation_errors() {
    for claimed in [1u64 << 20, 1 << 32, 1 << 62, u64::MAX] {
        for number in [1u32, 5, 7, 8] {
            let mut input = header();
            varint(u64::from(number) << 3 | 2, &mut input);
            varint(claimed, &mut input);
            input.extend_from_slice(b"short");
            let err = assert_bounded(&input).unwrap_err();
            assert!(
                matches!(
                    err,
                    RecordError::Malformed {
                        kind: Malformed::Truncated,
                        ..
                    }
                ),
                "field {number}, length {claimed}: {err:?}"
            );
            assert_eq!(err.code(), ErrorCode::RECORD_NOT_PARSED);
        }
    }
}

#[test]
fn a_huge_length_inside_a_session_context_is_an_error() {
    let mut ctx = Vec::new();
    varint(7 << 3 | 2, &mut ctx);
    varint(u64::MAX >> 1, &mut ctx);
    let mut input = header();
    len_field(8, &ctx, &mut input);
    assert!(matches!(
        assert_bounded(&input),
        Err(RecordError::Malformed {
            kind: Malformed::Truncated,
            ..
        })
    ));
}

#[test]
fn a_hundred_thousand_payload_pieces_allocate_nothing_per_piece() {
    // 100,000 empty `payload` fields: 200 KB of input that a collect-everything decoder
    // would turn into 3.2 MB of slice handles.
    let mut ctx = Vec::new();
    varint(1 << 3, &mut ctx);
    varint(9, &mut ctx);
    for _ in 0..100_000 {
        ctx.extend_from_slice(&[7 << 3 | 2, 0]);
    }
    let mut input = header();
    len_field(8, &ctx, &mut input);
    let (result, largest) = decode_probed(&input);
    let record = result.unwrap();
    assert!(largest <= 64, "largest allocation {largest}");
    let ctx = record.session_context_fields().unwrap();
    assert_eq!(ctx.payload().len(), 100_000);
    assert_eq!(ctx.payload_len(), 0);
    assert_eq!(record.to_bytes().len(), input.len());
}

#[test]
fn repeated_record_type_merges_like_protobuf_and_stays_bounded() {
    // session_context sent in three parts: protobuf merges them into one message.
    let mut input = header();
    len_field(8, &[0x08, 0x05], &mut input); // session_id 5
    len_field(8, &[0x10, 0x01, 0x18, 0x01], &mut input); // sequence_id 1, expected_id 1
    let mut piece = Vec::new();
    len_field(7, b"hello", &mut piece);
    len_field(8, &piece, &mut input);
    let record = assert_bounded(&input).unwrap();
    let ctx = record.session_context_fields().unwrap();
    assert_eq!(
        (ctx.session_id(), ctx.sequence_id(), ctx.expected_id()),
        (5, 1, 1)
    );
    assert_eq!(ctx.payload_joined(), Bytes::from_static(b"hello"));

    // A different member replaces the earlier one (oneof semantics).
    let mut input = header();
    len_field(8, &[0x08, 0x05], &mut input);
    len_field(9, &[], &mut input);
    assert_eq!(
        assert_bounded(&input).unwrap().kind().name(),
        "websocket_connect"
    );
}

#[test]
fn deeply_nested_groups_are_refused() {
    let mut input = header();
    // 1,000 nested start-group keys of unknown field 20.
    for _ in 0..1000 {
        input.extend_from_slice(&[0xa3, 0x01]);
    }
    assert!(matches!(
        assert_bounded(&input),
        Err(RecordError::Malformed {
            kind: Malformed::NestingTooDeep,
            ..
        })
    ));
}

#[test]
fn invalid_utf8_in_an_id_names_the_field() {
    let mut input = Vec::new();
    len_field(1, b"1.4", &mut input);
    len_field(2, b"self::\xff", &mut input);
    len_field(3, b"self::them", &mut input);
    len_field(9, &[], &mut input);
    assert_eq!(
        assert_bounded(&input).unwrap_err(),
        RecordError::InvalidUtf8 { field: "to_id" }
    );
}

#[test]
fn random_garbage_never_panics_or_overallocates() {
    // A fixed-seed xorshift keeps this test deterministic; proptest below explores more.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let len = (next() % 300) as usize;
        let input: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let _ = assert_bounded(&input);
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = assert_bounded(&input);
    }

    #[test]
    fn mutated_valid_records_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut ctx = Vec::new();
        ctx.extend_from_slice(&[0x08, 0x02, 0x10, 0x03, 0x18, 0x04, 0x28, 0x01, 0x30, 0x01]);
        len_field(7, &[0x0a; 40], &mut ctx);
        let mut input = header();
        len_field(8, &ctx, &mut input);
        len_field(14, b"self::origin", &mut input);
        for (at, value) in flips {
            let i = at.index(input.len());
            input[i] = value;
        }
        let end = cut.index(input.len() + 1);
        let _ = assert_bounded(&input[..end]);
    }
}
