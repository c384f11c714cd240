//! Checks run by the `stomp_frame_decode` fuzz target and by the corpus replay test.
//!
//! `frame_decode` takes arbitrary bytes and panics only when the codec breaks one of its
//! promises, so the fuzzer and a plain `cargo test` exercise exactly the same code.

use bytes::BytesMut;

use super::codec::{Decoded, FrameCodec, FrameError};
use super::frame::{Command, Frame};

/// Limits small enough for the fuzzer to reach every limit error.
const MAX_FRAME_LEN: usize = 4096;
const MAX_HEADER_LEN: usize = 512;
const MAX_HEADERS: usize = 16;

fn codec() -> FrameCodec {
    FrameCodec::new()
        .with_max_frame_len(MAX_FRAME_LEN)
        .with_max_header_len(MAX_HEADER_LEN)
        .with_max_headers(MAX_HEADERS)
}

/// Everything decoded from an input: items and recoverable errors in order, then either
/// the bytes left over (an incomplete frame) or the fatal error that stopped decoding.
type Outcome = (Vec<Result<Decoded, FrameError>>, Result<usize, FrameError>);

/// Decodes `data` as a STOMP stream and checks the codec's invariants.
///
/// - Decoding never panics; every error has a message.
/// - Feeding the bytes in pieces gives the same items, errors and end as feeding them at
///   once, and the buffer never holds much more than one frame's limit.
/// - After a fatal error, decoding returns the same error and consumes nothing.
/// - A decoded frame re-encodes (unless it is a `CONNECT` or `CONNECTED` frame whose
///   headers hold a CR, which those unescaped frames cannot carry), the encoding decodes to
///   the same frame and is a fixed point.
///
/// # Panics
///
/// When one of these invariants does not hold.
pub fn frame_decode(data: &[u8]) {
    let whole = decode_whole(data);
    let pieces = decode_in_pieces(data);
    assert_eq!(
        whole, pieces,
        "decoding in pieces differs from decoding at once"
    );
    for item in &whole.0 {
        match item {
            Ok(Decoded::Frame(frame)) => check_reencoding(frame),
            Ok(_) => {}
            Err(e) => {
                assert!(!e.is_fatal(), "a fatal error did not stop decoding: {e:?}");
                assert!(!e.to_string().is_empty());
            }
        }
    }
    if let Err(e) = &whole.1 {
        assert!(
            e.is_fatal(),
            "decoding stopped on a recoverable error: {e:?}"
        );
        assert!(!e.to_string().is_empty());
    }
}

fn check_reencoding(frame: &Frame) {
    let mut wire = BytesMut::new();
    if let Err(e) = frame.encode(&mut wire) {
        let unescaped = matches!(frame.command(), Command::Connect | Command::Connected);
        assert!(
            unescaped && matches!(e, FrameError::UnescapableHeader { .. }),
            "a decoded frame does not re-encode: {e:?} {frame:?}"
        );
        assert!(wire.is_empty(), "a refused frame wrote bytes");
        return;
    }
    assert_eq!(wire.len(), frame.encoded_len());
    let encoded = wire.clone();
    // Escapes can make the encoding longer than the input: decode without tight limits.
    let mut again = FrameCodec::new().with_max_headers(usize::MAX);
    match again.decode(&mut wire) {
        Ok(Some(Decoded::Frame(f))) => assert_eq!(&f, frame, "the frame changed"),
        other => panic!("a re-encoded frame does not decode: {other:?}"),
    }
    assert!(wire.is_empty(), "a re-encoded frame leaves bytes behind");
    let mut fixed = BytesMut::new();
    frame.encode(&mut fixed).expect("encoded once already");
    assert_eq!(fixed, encoded, "the encoding is not a fixed point");
}

/// Decodes `data` from one buffer.
fn decode_whole(data: &[u8]) -> Outcome {
    let mut codec = codec();
    let mut buf = BytesMut::from(data);
    let mut items = Vec::new();
    loop {
        let before = buf.len();
        match codec.decode(&mut buf) {
            Ok(Some(item)) => {
                assert!(buf.len() < before, "an item consumed nothing");
                items.push(Ok(item));
            }
            Ok(None) => {
                let mut rest = buf.clone();
                let at_eof = codec.clone().decode_eof(&mut rest);
                if buf.is_empty() && codec.is_idle() {
                    assert_eq!(at_eof, Ok(None));
                } else {
                    assert!(
                        matches!(at_eof, Err(FrameError::Truncated { .. })),
                        "{at_eof:?}"
                    );
                }
                return (items, Ok(buf.len()));
            }
            Err(e) if e.is_fatal() => {
                let len = buf.len();
                assert_eq!(
                    codec.decode(&mut buf),
                    Err(e.clone()),
                    "a fatal error is not sticky"
                );
                assert_eq!(
                    buf.len(),
                    len,
                    "decoding after a fatal error consumed bytes"
                );
                return (items, Err(e));
            }
            Err(e) => items.push(Err(e)),
        }
    }
}

/// Decodes `data` fed a few bytes at a time, in pieces of sizes chosen by the data.
fn decode_in_pieces(data: &[u8]) -> Outcome {
    let mut codec = codec();
    let mut buf = BytesMut::new();
    let mut items = Vec::new();
    let mut fed = 0;
    let mut piece = 1 + usize::from(data.first().copied().unwrap_or(0) % 17);
    let bound = 2 * (MAX_FRAME_LEN + MAX_HEADER_LEN + data.len()) + 64;
    loop {
        match codec.decode(&mut buf) {
            Ok(Some(item)) => {
                items.push(Ok(item));
                continue;
            }
            Ok(None) => {}
            Err(e) if e.is_fatal() => return (items, Err(e)),
            Err(e) => {
                items.push(Err(e));
                continue;
            }
        }
        assert!(
            buf.len() <= MAX_FRAME_LEN.max(MAX_HEADER_LEN) + 64,
            "{} bytes buffered",
            buf.len()
        );
        assert!(
            buf.capacity() <= bound,
            "the buffer grew to {}",
            buf.capacity()
        );
        if fed == data.len() {
            return (items, Ok(buf.len()));
        }
        let end = (fed + piece).min(data.len());
        buf.extend_from_slice(&data[fed..end]);
        fed = end;
        piece = piece * 7 % 63 + 1;
    }
}
