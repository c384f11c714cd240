//! Bad input never panics, fails with a typed error naming the problem, and never makes the
//! decoder allocate more than in proportion to the input, whatever its length prefixes claim.
//!
//! The allocation probe is a global allocator that records the largest single allocation
//! made on the current thread while armed.
//!
//! # The bound
//!
//! A decoded Message borrows its strings, so its only allocations are vectors: the
//! repeated fields (`Vec<Cow<str>>`, `Vec` of a message type) and the entries of a map
//! (`(Cow<str>, Cow<str>)`); the decoder itself allocates nothing (it keeps a single
//! stretch of input known to be valid UTF-8, not a list). An element of any of them takes
//! at least two input bytes (a key and a zero length), a vector reserves room for the
//! elements that follow one another (counted, or estimated at 16 at most from the size of
//! the first), and grows by doubling past that, so its capacity stays below twice its
//! length or one element per two bytes of input. Hence every single allocation is at most
//!
//! ```text
//! largest element × input length + 1 KiB
//! ```
//!
//! where the largest element is the largest of those types (`SupportedObjectResult`, about
//! 150 bytes) and the KiB covers a first capacity of four elements. That is the
//! [`bound`] every hostile input below is held to. It is not a small multiple like 8: an
//! empty map entry is 2 bytes on the wire and 48 in memory, so 24 times the input is
//! legitimate. It is tight enough to catch what matters: a decoder that trusts a length
//! prefix allocates what the prefix claims (1 MiB and more below, for inputs of a few
//! dozen bytes, where the bound is a few KiB), and the flood tests hold each kind of
//! vector to a tighter bound of its own, 1.5 × its length, which fails as soon as a
//! decoder reserves room per remaining input byte instead of per element.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Cow;
use std::cell::Cell;
use std::mem::size_of;

use proptest::prelude::*;
use usp_msg::request::{add, register, set};
use usp_msg::response::{
    add as add_resp, delete, deregister, error, get, get_instances, get_supported_dm, operate,
    register as register_resp, set as set_resp,
};
use usp_msg::{Body, DecodeError, ErrorCode, Msg, Request, Response};
use usp_record::Malformed;

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
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc_zeroed(layout) }
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
fn decode_probed(input: &[u8]) -> (Result<Msg<'_>, DecodeError>, usize) {
    LARGEST.with(|l| l.set(0));
    ARMED.with(|a| a.set(true));
    let result = Msg::decode(input);
    ARMED.with(|a| a.set(false));
    (result, LARGEST.with(Cell::get))
}

/// The largest type a decoded Message keeps in a vector: every repeated field's element,
/// a map entry, and a UTF-8 region of the input.
fn largest_element() -> usize {
    [
        size_of::<Cow<'_, str>>(),
        size_of::<(Cow<'_, str>, Cow<'_, str>)>(),
        size_of::<add::CreateObject<'_>>(),
        size_of::<add::CreateParamSetting<'_>>(),
        size_of::<register::RegistrationPath<'_>>(),
        size_of::<set::UpdateObject<'_>>(),
        size_of::<set::UpdateParamSetting<'_>>(),
        size_of::<add_resp::CreatedObjectResult<'_>>(),
        size_of::<add_resp::ParameterError<'_>>(),
        size_of::<delete::DeletedObjectResult<'_>>(),
        size_of::<delete::UnaffectedPathError<'_>>(),
        size_of::<deregister::DeregisteredPathResult<'_>>(),
        size_of::<error::ParamError<'_>>(),
        size_of::<get::RequestedPathResult<'_>>(),
        size_of::<get::ResolvedPathResult<'_>>(),
        size_of::<get_instances::RequestedPathResult<'_>>(),
        size_of::<get_instances::CurrInstance<'_>>(),
        size_of::<get_supported_dm::RequestedObjectResult<'_>>(),
        size_of::<get_supported_dm::SupportedObjectResult<'_>>(),
        size_of::<get_supported_dm::SupportedParamResult<'_>>(),
        size_of::<get_supported_dm::SupportedCommandResult<'_>>(),
        size_of::<get_supported_dm::SupportedEventResult<'_>>(),
        size_of::<get_supported_dm::SupportedUniqueKeySet<'_>>(),
        size_of::<operate::OperationResult<'_>>(),
        size_of::<register_resp::RegisteredPathResult<'_>>(),
        size_of::<set_resp::UpdatedObjectResult<'_>>(),
        size_of::<set_resp::UpdatedInstanceFailure<'_>>(),
        size_of::<set_resp::UpdatedInstanceResult<'_>>(),
        size_of::<set_resp::ParameterError<'_>>(),
    ]
    .into_iter()
    .max()
    .unwrap()
}

/// The most a single allocation may take while decoding `len` bytes (see the module docs).
fn bound(len: usize) -> usize {
    largest_element() * len + 1024
}

/// Decodes `input`, checks the allocation bound and the error code, and returns the result.
fn assert_bounded(input: &[u8]) -> Result<Msg<'_>, DecodeError> {
    let (result, largest) = decode_probed(input);
    assert!(
        largest <= bound(input.len()),
        "largest allocation {largest} for {} input bytes (bound {})",
        input.len(),
        bound(input.len())
    );
    if let Err(e) = &result {
        let code = e.code();
        assert!(
            code == ErrorCode::INVALID_ARGUMENTS || code == ErrorCode::MESSAGE_NOT_SUPPORTED,
            "{e}: code {code}"
        );
    }
    result
}

/// Decodes a flood of `count` elements of `element` bytes each: the largest allocation must
/// hold them all (the probe sees the vector) and stay below 1.5 times that, well under what
/// reserving room per remaining input byte would take.
fn assert_flood(input: &[u8], count: usize, element: usize) -> Msg<'_> {
    let (result, largest) = decode_probed(input);
    let msg = result.unwrap();
    let needed = count * element;
    assert!(
        largest >= needed,
        "largest allocation {largest}, below the {needed} bytes of {count} elements"
    );
    assert!(
        largest <= needed + needed / 2 + 1024,
        "largest allocation {largest} for {count} elements of {element} bytes"
    );
    assert!(largest <= bound(input.len()));
    msg
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn key(number: u32, wire_type: u8, out: &mut Vec<u8>) {
    varint(u64::from(number) << 3 | u64::from(wire_type), out);
}

fn len_field(number: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    key(number, 2, &mut out);
    varint(body.len() as u64, &mut out);
    out.extend_from_slice(body);
    out
}

fn varint_field(number: u32, value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    key(number, 0, &mut out);
    varint(value, &mut out);
    out
}

/// A header with msg_id `id` and msg_type `msg_type`.
fn header(id: &[u8], msg_type: u64) -> Vec<u8> {
    len_field(1, &[len_field(1, id), varint_field(2, msg_type)].concat())
}

/// A whole Message: a header with `msg_type`, then `path` of nested length-delimited
/// fields from `Msg` down (each the only content of its parent), holding `inner`.
fn typed(msg_type: u64, path: &[u32], inner: &[u8]) -> Vec<u8> {
    let mut body = inner.to_vec();
    for &number in path.iter().rev() {
        body = len_field(number, &body);
    }
    [header(b"m-1", msg_type), body].concat()
}

/// [`typed`] with the header's `msg_type` left at 0 (ERROR): only the body counts.
fn nested(path: &[u32], inner: &[u8]) -> Vec<u8> {
    typed(0, path, inner)
}

/// `Msg.body.response.get_resp`, holding `inner`.
fn get_resp(inner: &[u8]) -> Vec<u8> {
    typed(2, &[2, 2, 1], inner)
}

fn truncated(result: Result<Msg<'_>, DecodeError>) -> bool {
    matches!(
        result,
        Err(DecodeError::Malformed {
            kind: Malformed::Truncated,
            ..
        })
    )
}

#[test]
fn the_probe_sees_the_vectors_the_decoder_fills() {
    // 1,000 parameter paths: one allocation of at least 1,000 × 24 bytes. Were the probe
    // blind, every bound below would hold vacuously.
    let paths: Vec<u8> = (0..1000)
        .flat_map(|i| len_field(1, format!("Device.P{i}").as_bytes()))
        .collect();
    let input = typed(1, &[2, 1, 1], &paths);
    let (result, largest) = decode_probed(&input);
    let msg = result.unwrap();
    let Body::Request(Request::Get(get)) = msg.body() else {
        panic!("{msg:?}")
    };
    assert_eq!(get.param_paths.len(), 1000);
    assert!(
        largest >= 1000 * size_of::<Cow<'_, str>>(),
        "largest allocation seen: {largest}"
    );
    assert!(largest <= bound(input.len()));
}

#[test]
fn the_bound_is_proportional_and_tight_enough_for_length_prefixes() {
    let element = largest_element();
    // The doc says "about 150 bytes": a much larger element would make the bound lax.
    assert!((100..=256).contains(&element), "largest element {element}");
    // For the inputs of the length-prefix tests (under 100 bytes), the bound is a few KiB,
    // far below the smallest length claimed there (1 MiB): a decoder that allocated from a
    // claimed length would fail them.
    assert!(bound(100) < (1 << 20) / 16);
}

#[test]
fn empty_input_has_no_header() {
    assert_eq!(
        assert_bounded(&[]).unwrap_err(),
        DecodeError::MissingField("header")
    );
}

#[test]
fn missing_parts_are_typed_errors() {
    let get = len_field(1, &len_field(1, &len_field(1, b"Device.")));
    let cases: Vec<(&str, Vec<u8>, DecodeError)> = vec![
        (
            "no header",
            len_field(2, &len_field(1, &len_field(1, b""))),
            DecodeError::MissingField("header"),
        ),
        (
            "no msg_id",
            [len_field(1, &varint_field(2, 1)), len_field(2, &get)].concat(),
            DecodeError::MissingField("msg_id"),
        ),
        (
            "empty msg_id",
            [len_field(1, &len_field(1, b"")), len_field(2, &get)].concat(),
            DecodeError::MissingField("msg_id"),
        ),
        (
            // A known field with another wire type is an unknown field: skipped.
            "msg_id as a varint",
            [len_field(1, &varint_field(1, 7)), len_field(2, &get)].concat(),
            DecodeError::MissingField("msg_id"),
        ),
        (
            "no body",
            header(b"m-1", 1),
            DecodeError::MissingField("body"),
        ),
        (
            "empty body",
            [header(b"m-1", 1), len_field(2, b"")].concat(),
            DecodeError::MissingField("msg_body"),
        ),
        (
            "empty request",
            [header(b"m-1", 1), len_field(2, &len_field(1, b""))].concat(),
            DecodeError::UnknownBody("req_type"),
        ),
        (
            "empty response",
            [header(b"m-1", 2), len_field(2, &len_field(2, b""))].concat(),
            DecodeError::UnknownBody("resp_type"),
        ),
        (
            // A request kind of a later version (field 12) is an unknown field.
            "unknown request kind",
            nested(&[2, 1, 12], b""),
            DecodeError::UnknownBody("req_type"),
        ),
        (
            "unknown response kind",
            nested(&[2, 2, 40], b""),
            DecodeError::UnknownBody("resp_type"),
        ),
    ];
    for (name, input, expected) in cases {
        let err = assert_bounded(&input).unwrap_err();
        assert_eq!(err, expected, "{name}");
        let code = match expected {
            DecodeError::UnknownBody(_) => ErrorCode::MESSAGE_NOT_SUPPORTED,
            _ => ErrorCode::INVALID_ARGUMENTS,
        };
        assert_eq!(err.code(), code, "{name}");
    }
}

#[test]
fn invalid_utf8_names_the_field() {
    let get = len_field(2, &len_field(1, &len_field(1, &len_field(1, b"Device."))));
    let cases: Vec<(Vec<u8>, &str)> = vec![
        ([header(b"\xff", 1), get.clone()].concat(), "msg_id"),
        (
            nested(&[2, 1, 1], &len_field(1, b"Device.\xc3")),
            "param_paths",
        ),
        (
            get_resp(&len_field(
                1,
                &len_field(
                    4,
                    &[
                        len_field(1, b"Device."),
                        len_field(
                            2,
                            &[len_field(1, b"K"), len_field(2, b"\xed\xa0\x80")].concat(),
                        ),
                    ]
                    .concat(),
                ),
            )),
            "result_params",
        ),
        (
            get_resp(&len_field(1, &len_field(3, b"overlong \xc0\xaf"))),
            "err_msg",
        ),
    ];
    for (input, field) in cases {
        assert_eq!(
            assert_bounded(&input).unwrap_err(),
            DecodeError::InvalidUtf8 { field },
            "{field}"
        );
    }
}

#[test]
fn huge_length_prefixes_at_every_level_are_truncation_errors() {
    // Paths of nested fields from `Msg` down to a string or map entry, through every kind
    // of nesting: singular and repeated messages, oneofs of messages, wrapper messages of a
    // oneof (`oper_status`), maps.
    let paths: &[&[u32]] = &[
        &[1],                         // Msg.header
        &[1, 1],                      // Header.msg_id
        &[2],                         // Msg.body
        &[2, 2],                      // Body.response
        &[2, 2, 1],                   // Response.get_resp
        &[2, 2, 1, 1],                // GetResp.req_path_results
        &[2, 2, 1, 1, 1],             // RequestedPathResult.requested_path
        &[2, 2, 1, 1, 4],             // RequestedPathResult.resolved_path_results
        &[2, 2, 1, 1, 4, 2],          // ResolvedPathResult.result_params
        &[2, 2, 1, 1, 4, 2, 2],       // a map entry's value
        &[2, 2, 4, 1, 2],             // UpdatedObjectResult.oper_status
        &[2, 2, 4, 1, 2, 1],          // OperationStatus.oper_failure
        &[2, 2, 4, 1, 2, 1, 3],       // OperationFailure.updated_inst_failures
        &[2, 2, 4, 1, 2, 1, 3, 2],    // UpdatedInstanceFailure.param_errs
        &[2, 2, 4, 1, 2, 1, 3, 2, 1], // ParameterError.param
        &[2, 2, 7, 1, 2],             // OperationResult.req_obj_path (a string oneof member)
        &[2, 1, 8],                   // Request.notify
        &[2, 1, 8, 7],                // Notify.oper_complete
        &[2, 1, 8, 7, 4],             // OperationComplete.req_output_args
        &[2, 1, 8, 7, 4, 1],          // OutputArgs.output_args
        &[2, 2, 2, 1, 5],             // RequestedObjectResult.supported_objs
        &[2, 2, 2, 1, 5, 4],          // SupportedObjectResult.supported_commands
        &[2, 2, 2, 1, 5, 4, 2],       // SupportedCommandResult.input_arg_names
    ];
    for path in paths {
        let (number, outer) = path.split_last().unwrap();
        for claimed in [1u64 << 20, 1 << 32, 1 << 62, u64::MAX] {
            let mut inner = Vec::new();
            key(*number, 2, &mut inner);
            varint(claimed, &mut inner);
            inner.extend_from_slice(b"short");
            let input = nested(outer, &inner);
            assert!(input.len() < 100);
            let (result, largest) = decode_probed(&input);
            assert!(
                truncated(result.clone()),
                "path {path:?}, length {claimed}: {result:?}"
            );
            assert_eq!(result.unwrap_err().code(), ErrorCode::INVALID_ARGUMENTS);
            assert!(largest <= bound(input.len()), "path {path:?}: {largest}");
        }
    }
}

#[test]
fn errors_point_at_the_faulty_byte() {
    // (bytes, where in them the fault is, what it is)
    let faults: [(&[u8], usize, Malformed); 5] = [
        (&[0x0f], 0, Malformed::InvalidWireType),
        (&[0x00], 0, Malformed::InvalidFieldNumber),
        (
            &[
                0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
            ],
            1,
            Malformed::VarintOverflow,
        ),
        (&[0x0c], 0, Malformed::UnexpectedEndGroup),
        (&[0x0a, 0x05, b'a'], 2, Malformed::Truncated),
    ];
    for (fault, at, kind) in faults {
        // Inside a Get, three levels down.
        let input = nested(&[2, 1, 1], fault);
        let at = input.len() - fault.len() + at;
        match assert_bounded(&input) {
            Err(DecodeError::Malformed { offset, kind: k }) => {
                assert_eq!(k, kind);
                // An end-group key met first is reported just after it: the wire reader's
                // `skip` starts from the position after the key its caller read.
                let slack = usize::from(kind == Malformed::UnexpectedEndGroup);
                assert!(
                    (at..=at + slack).contains(&offset),
                    "{kind:?} at {offset}, not {at}"
                );
            }
            other => panic!("{kind:?}: {other:?}"),
        }
    }
}

#[test]
fn nesting_is_bounded_by_the_schema() {
    // The schema is not recursive: a Message nests 8 levels at most, far below the codec's
    // depth limit, so `DecodeError::TooDeep` cannot happen. Deeper data can only sit in
    // unknown fields, which are skipped whole, without being followed. 10,000 nested
    // levels of field 2 stop being followed at GetSupportedDMResp (which has no field 2).
    let mut inner = Vec::new();
    for _ in 0..10_000 {
        inner = len_field(2, &inner);
    }
    let input = [header(b"deep", 13), inner].concat();
    let msg = assert_bounded(&input).unwrap();
    assert_eq!(msg.msg_type(), usp_msg::MsgType::GET_SUPPORTED_DM_RESP);

    // The deepest path the schema has, with every level present, decodes.
    let param_err = [len_field(1, b"P"), vec![0x15, 0x62, 0x1b, 0, 0]].concat();
    let input = nested(&[2, 2, 4, 1, 2, 1, 3, 2], &param_err);
    let msg = assert_bounded(&input).unwrap();
    assert!(msg.to_string().contains("P -> error 7010"), "{msg}");

    // Unknown groups are followed to 32 levels, then refused.
    let mut groups = Vec::new();
    for _ in 0..33 {
        groups.extend_from_slice(&[0xa3, 0x06]);
    }
    let input = [header(b"g", 1), groups].concat();
    assert!(matches!(
        assert_bounded(&input),
        Err(DecodeError::Malformed {
            kind: Malformed::NestingTooDeep,
            ..
        })
    ));
}

#[test]
fn a_hundred_thousand_empty_map_entries() {
    // `result_params` with 100,000 empty entries: 200 KB of input. In the layout encoders
    // write, the map is kept as the run of input it is: nothing is allocated per entry.
    let mut resolved = len_field(1, b"Device.");
    for _ in 0..100_000 {
        resolved.extend_from_slice(&[2 << 3 | 2, 0]);
    }
    let input = get_resp(&len_field(1, &len_field(4, &resolved)));
    let (result, largest) = decode_probed(&input);
    assert!(largest <= 4096, "largest allocation {largest}");
    let msg = result.unwrap();
    let Some(Response::GetResp(resp)) = msg.as_response() else {
        panic!()
    };
    let params = &resp.req_path_results[0].resolved_path_results[0].result_params;
    assert_eq!(params.len(), 100_000);
    assert_eq!(params.iter().len(), 100_000);
    assert_eq!(params.iter().count(), 100_000);
    assert_eq!(params.get(""), Some(""));
    assert!(msg.encode_to_vec() == input);
}

#[test]
fn a_hundred_thousand_map_entries_in_another_layout() {
    // Entries that spell out their empty key (`0x0a 0`), which no encoder writes: read into
    // a list, one allocation for them all (48 bytes an entry), 4.8 MB from 400 KB.
    let mut resolved = len_field(1, b"Device.");
    for _ in 0..100_000 {
        resolved.extend_from_slice(&[2 << 3 | 2, 2, 0x0a, 0]);
    }
    let input = get_resp(&len_field(1, &len_field(4, &resolved)));
    let entry = size_of::<(Cow<'_, str>, Cow<'_, str>)>();
    let msg = assert_flood(&input, 100_000, entry);
    let Some(Response::GetResp(resp)) = msg.as_response() else {
        panic!()
    };
    let params = &resp.req_path_results[0].resolved_path_results[0].result_params;
    assert_eq!(params.len(), 100_000);
    assert_eq!(params.get(""), Some(""));
    // Written back in the usual layout, and read back the same.
    let again = msg.encode_to_vec();
    assert_eq!(again.len(), input.len() - 2 * 100_000);
    assert_eq!(Msg::decode(&again).unwrap(), msg);
}

#[test]
fn a_hundred_thousand_empty_repeated_fields() {
    // Empty strings: 100,000 `param_paths` of a Get.
    let paths = [1 << 3 | 2, 0].repeat(100_000);
    let input = typed(1, &[2, 1, 1], &paths);
    let msg = assert_flood(&input, 100_000, size_of::<Cow<'_, str>>());
    match msg.body() {
        Body::Request(Request::Get(get)) => assert_eq!(get.param_paths.len(), 100_000),
        other => panic!("{other:?}"),
    }

    // Empty messages: 100,000 `req_path_results` of a GetResp.
    let input = get_resp(&[1 << 3 | 2, 0].repeat(100_000));
    let msg = assert_flood(&input, 100_000, size_of::<get::RequestedPathResult<'_>>());
    assert!(msg.encode_to_vec() == input);

    // The largest element: 100,000 empty `supported_objs` of a GetSupportedDMResp.
    let input = typed(13, &[2, 2, 2, 1], &[5 << 3 | 2, 0].repeat(100_000));
    let msg = assert_flood(
        &input,
        100_000,
        size_of::<get_supported_dm::SupportedObjectResult<'_>>(),
    );
    assert!(msg.encode_to_vec() == input);
}

#[test]
fn input_cut_into_many_utf8_regions() {
    // An unknown field holding `a\xff` 50,000 times: the decoder keeps no list of the
    // input's valid UTF-8 regions, so this costs no allocation at all but the Get's one path.
    let garbage = b"a\xff".repeat(50_000);
    let get = len_field(2, &len_field(1, &len_field(1, &len_field(1, b"Device."))));
    let input = [header(b"r", 1), len_field(15, &garbage), get].concat();
    let (result, largest) = decode_probed(&input);
    let msg = result.unwrap();
    assert!(largest <= 1024, "largest allocation {largest}");
    assert_eq!(msg.msg_id(), "r");
    match msg.body() {
        Body::Request(Request::Get(get)) => assert_eq!(get.param_paths, ["Device."]),
        other => panic!("{other:?}"),
    }

    // 10,000 strings each in a region of its own, between unknown fields that are not
    // UTF-8: every string is checked, in linear time, and only the paths are allocated.
    let mut paths = Vec::new();
    for i in 0..10_000 {
        paths.extend(len_field(1, format!("P{i}").as_bytes()));
        paths.extend(len_field(15, b"\xff"));
    }
    let input = typed(1, &[2, 1, 1], &paths);
    let (result, largest) = decode_probed(&input);
    let msg = result.unwrap();
    // The vector of paths grows by doubling, as the unknown fields split its run.
    let needed = 10_000 * size_of::<Cow<'_, str>>();
    assert!(largest <= 2 * needed, "largest allocation {largest}");
    assert!(largest <= bound(input.len()));
    match msg.body() {
        Body::Request(Request::Get(get)) => {
            assert_eq!(get.param_paths.len(), 10_000);
            assert_eq!(get.param_paths[9_999], "P9999");
        }
        other => panic!("{other:?}"),
    }
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
        usp_msg::fuzzing::msg_decode(&input);
    }
}

/// Valid Messages to mutate: a GetResp with parameters, a SetResp failure, a Notify.
fn valid_messages() -> Vec<Vec<u8>> {
    let entries = [
        len_field(
            2,
            &[len_field(1, b"SoftwareVersion"), len_field(2, b"1.0")].concat(),
        ),
        len_field(2, &[len_field(1, b"UpTime"), len_field(2, b"758")].concat()),
    ]
    .concat();
    let resolved = [len_field(1, b"Device.DeviceInfo."), entries].concat();
    let get_resp = get_resp(&len_field(
        1,
        &[len_field(1, b"Device.DeviceInfo."), len_field(4, &resolved)].concat(),
    ));
    let param_err = [
        len_field(1, b"Enable"),
        vec![0x15, 0x62, 0x1b, 0, 0],
        len_field(3, b"no"),
    ]
    .concat();
    let failure = [
        vec![0x0d, 0x65, 0x1b, 0, 0],
        len_field(2, b"failed"),
        len_field(
            3,
            &[len_field(1, b"Device.A.1."), len_field(2, &param_err)].concat(),
        ),
    ]
    .concat();
    let result = [
        len_field(1, b"Device.A."),
        len_field(2, &len_field(1, &failure)),
    ]
    .concat();
    let set_resp = nested(&[2, 2, 4], &len_field(1, &result));
    let event = [
        len_field(1, b"Device."),
        len_field(2, b"Boot!"),
        len_field(
            3,
            &[len_field(1, b"Cause"), len_field(2, b"LocalReboot")].concat(),
        ),
    ]
    .concat();
    let notify = nested(
        &[2, 1],
        &len_field(
            8,
            &[
                len_field(1, b"sub"),
                varint_field(2, 1),
                len_field(3, &event),
            ]
            .concat(),
        ),
    );
    vec![get_resp, set_resp, notify]
}

#[test]
fn the_valid_messages_are_valid() {
    for input in valid_messages() {
        assert_bounded(&input).unwrap();
        usp_msg::fuzzing::msg_decode(&input);
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = assert_bounded(&input);
        usp_msg::fuzzing::msg_decode(&input);
    }

    #[test]
    fn mutated_valid_messages_never_panic(
        which in 0usize..3,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut input = valid_messages().swap_remove(which);
        for (at, value) in flips {
            let i = at.index(input.len());
            input[i] = value;
        }
        let end = cut.index(input.len() + 1);
        let _ = assert_bounded(&input[..end]);
        usp_msg::fuzzing::msg_decode(&input[..end]);
    }
}
