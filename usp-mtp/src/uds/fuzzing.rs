//! Checks run by the `uds_frame_decode` fuzz target and by the corpus replay test.
//!
//! Each function takes arbitrary bytes and panics only when the codec breaks one of its
//! promises, so the fuzzer and a plain `cargo test` exercise exactly the same code.

use bytes::BytesMut;

use super::codec::{Frame, FrameCodec, FrameError, HEADER_LEN, Tlv};

/// The bound on the length field used by [`frame_decode`]: small enough that the fuzzer
/// reaches [`FrameError::TooLarge`] easily, large enough for real Records.
const MAX_FRAME_LEN: usize = 64 * 1024;

/// What decoding a whole input gives: the Frames, then either the bytes left over (an
/// incomplete Frame) or the error that stopped decoding.
type Outcome = (Vec<Frame>, Result<usize, FrameError>);

/// Decodes `data` as a stream of UDS Frames and checks the codec's invariants.
///
/// - Decoding never panics, and an error consumes nothing and has a message.
/// - Each decoded Frame re-encodes to exactly the bytes it was decoded from.
/// - Re-encoding a Frame's known TLVs gives a Frame that decodes to the same TLVs, with
///   nothing skipped, and whose encoding is a fixed point.
/// - Feeding the same bytes in pieces gives the same Frames and the same end (leftover or
///   error), and the buffer never grows beyond twice the input plus one whole Frame.
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

    let mut consumed = 0;
    for frame in &whole.0 {
        let mut raw = BytesMut::new();
        frame.encode(&mut raw);
        assert_eq!(
            &raw[..],
            &data[consumed..consumed + raw.len()],
            "a Frame does not re-encode to the bytes it came from"
        );
        consumed += raw.len();
        check_reencoding(frame);
    }
    if let Ok(leftover) = whole.1 {
        assert_eq!(consumed + leftover, data.len(), "bytes lost between Frames");
    }
}

/// Re-encodes the known TLVs of `frame` and checks the result.
fn check_reencoding(frame: &Frame) {
    let tlvs: Vec<Tlv> = frame.tlvs().collect();
    let mut codec = FrameCodec::new().with_max_frame_len(MAX_FRAME_LEN);
    let mut wire = BytesMut::new();
    match codec.encode(&tlvs, &mut wire) {
        Ok(()) => {}
        Err(FrameError::Empty) if tlvs.is_empty() => {
            assert!(frame.skipped() > 0, "a decoded Frame with no TLV at all");
            return;
        }
        Err(e) => panic!("the TLVs of a decoded Frame do not re-encode: {e:?}"),
    }
    let encoded = wire.clone();
    let again = match codec.decode(&mut wire) {
        Ok(Some(again)) => again,
        other => panic!("a re-encoded Frame does not decode: {other:?}"),
    };
    assert!(wire.is_empty(), "a re-encoded Frame leaves bytes behind");
    assert_eq!(again.tlvs().collect::<Vec<_>>(), tlvs, "TLVs changed");
    assert_eq!(again.skipped(), 0);
    let mut fixed = BytesMut::new();
    again.encode(&mut fixed);
    assert_eq!(fixed, encoded, "the encoding is not a fixed point");
    assert_eq!(again.encoded_len(), encoded.len());
    assert_eq!(again.body_len() + HEADER_LEN, encoded.len());
}

/// Decodes `data` from one buffer.
fn decode_whole(data: &[u8]) -> Outcome {
    let mut codec = FrameCodec::new().with_max_frame_len(MAX_FRAME_LEN);
    let mut buf = BytesMut::from(data);
    let mut frames = Vec::new();
    loop {
        let before = buf.len();
        match codec.decode(&mut buf) {
            Ok(Some(frame)) => {
                assert_eq!(before - buf.len(), frame.encoded_len());
                frames.push(frame);
            }
            Ok(None) => {
                let at_eof = codec.decode_eof(&mut buf.clone());
                if buf.is_empty() {
                    assert_eq!(at_eof, Ok(None));
                } else {
                    assert_eq!(at_eof, Err(FrameError::Truncated { len: buf.len() }));
                }
                return (frames, Ok(buf.len()));
            }
            Err(e) => {
                assert_eq!(buf.len(), before, "an error consumed bytes");
                assert!(!e.to_string().is_empty());
                return (frames, Err(e));
            }
        }
    }
}

/// Decodes `data` fed a few bytes at a time, in pieces of varying sizes chosen by the data.
fn decode_in_pieces(data: &[u8]) -> Outcome {
    let mut codec = FrameCodec::new().with_max_frame_len(MAX_FRAME_LEN);
    let mut buf = BytesMut::new();
    let mut frames = Vec::new();
    let mut fed = 0;
    let mut piece = 1 + usize::from(data.first().copied().unwrap_or(0) % 13);
    let bound = 2 * (data.len() + HEADER_LEN + MAX_FRAME_LEN);
    loop {
        match codec.decode(&mut buf) {
            Ok(Some(frame)) => {
                frames.push(frame);
                continue;
            }
            Ok(None) => {}
            Err(e) => return (frames, Err(e)),
        }
        assert!(
            buf.capacity() <= bound,
            "the buffer grew to {} bytes for {} bytes of input",
            buf.capacity(),
            data.len()
        );
        if fed == data.len() {
            return (frames, Ok(buf.len()));
        }
        let end = (fed + piece).min(data.len());
        buf.extend_from_slice(&data[fed..end]);
        fed = end;
        piece = piece * 5 % 61 + 1;
    }
}
