//! Property tests of the STOMP 1.2 codec: random frames (every command, headers with every
//! escapable character, binary bodies with NUL octets) round-trip through the encoder and
//! the decoder, whole or split anywhere, with heart-beats between them; and arbitrary
//! bytes, or damaged frames, never break the decoder's promises.

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use usp_mtp::stomp::{Command, Decoded, Frame, FrameCodec, escape, fuzzing, unescape};

/// Header text with every character the escapes are about, and some that are not.
fn header_text(min: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just(':'),
            Just('\\'),
            Just('\r'),
            Just('\n'),
            Just('é'),
            Just(' '),
            proptest::char::range('a', 'z'),
            proptest::char::range('0', '9'),
        ],
        min..12,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// Header text that an unescaped `CONNECT` or `CONNECTED` frame can carry.
fn plain_text(min: usize, colon: bool) -> impl Strategy<Value = String> {
    header_text(min).prop_map(move |s| {
        s.chars()
            .filter(|c| !matches!(c, '\r' | '\n') && (colon || *c != ':'))
            .collect()
    })
}

/// A frame that can be encoded: any command, any headers, a body with NULs and a
/// `content-length`, or a body without NUL and (sometimes) without one.
fn frame() -> impl Strategy<Value = Frame> {
    let command = proptest::sample::select(Command::ALL.to_vec());
    let body = proptest::collection::vec(any::<u8>(), 0..300);
    (command, any::<bool>(), body).prop_flat_map(|(command, with_length, body)| {
        let headers = if command.escapes_headers() {
            proptest::collection::vec((header_text(1), header_text(0)), 0..6).boxed()
        } else {
            proptest::collection::vec(
                (
                    plain_text(1, false).prop_filter("a name", |n| !n.is_empty()),
                    plain_text(0, true),
                ),
                0..6,
            )
            .boxed()
        };
        headers.prop_map(move |headers| {
            let mut frame = Frame::new(command);
            for (name, value) in headers {
                // content-length is ours to set.
                if name != "content-length" {
                    frame.push_header(name, value);
                }
            }
            let mut body = body.clone();
            if with_length {
                frame.push_header("content-length", body.len().to_string());
            } else {
                body.retain(|b| *b != 0);
            }
            frame.with_body(Bytes::from(body))
        })
    })
}

fn encode(frame: &Frame) -> Vec<u8> {
    let mut wire = BytesMut::new();
    frame.encode(&mut wire).expect("an encodable frame");
    assert_eq!(wire.len(), frame.encoded_len());
    wire.to_vec()
}

/// Decodes `wire` fed in the pieces that `cuts` make, and everything must decode.
fn decode_in_pieces(wire: &[u8], cuts: &[usize]) -> Vec<Decoded> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (wire.len() + 1)).collect();
    cuts.sort_unstable();
    cuts.push(wire.len());
    let mut codec = FrameCodec::new();
    let mut buf = BytesMut::new();
    let mut items = Vec::new();
    let mut fed = 0;
    for cut in cuts {
        buf.extend_from_slice(&wire[fed..cut.max(fed)]);
        fed = cut.max(fed);
        while let Some(item) = codec.decode(&mut buf).expect("a valid stream") {
            items.push(item);
        }
    }
    assert!(buf.is_empty(), "{} bytes left", buf.len());
    assert_eq!(codec.decode_eof(&mut buf), Ok(None));
    items
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn escaping_round_trips(text in header_text(0)) {
        let escaped = escape(&text);
        prop_assert!(!escaped.contains(['\r', '\n', ':']));
        prop_assert_eq!(unescape(escaped.as_bytes()).unwrap(), text);
    }

    #[test]
    fn a_frame_round_trips(frame in frame()) {
        let wire = encode(&frame);
        let mut buf = BytesMut::from(&wire[..]);
        let decoded = FrameCodec::new().decode(&mut buf).unwrap();
        prop_assert_eq!(decoded, Some(Decoded::Frame(frame)));
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn frames_and_heart_beats_round_trip_split_anywhere(
        frames in proptest::collection::vec(frame(), 1..5),
        eols in proptest::collection::vec(0usize..3, 5),
        crlf in any::<bool>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        let mut wire = Vec::new();
        let mut expected = Vec::new();
        for (i, frame) in frames.iter().enumerate() {
            for _ in 0..eols[i] {
                wire.extend_from_slice(eol);
                expected.push(Decoded::HeartBeat);
            }
            wire.extend_from_slice(&encode(frame));
            expected.push(Decoded::Frame(frame.clone()));
        }
        prop_assert_eq!(decode_in_pieces(&wire, &cuts), expected);
    }

    #[test]
    fn crlf_lines_decode_like_lf_lines(frame in frame()) {
        // Frames whose body has no CR or LF, so that only the head's line ends change.
        prop_assume!(!frame.body().contains(&b'\n') && !frame.body().contains(&b'\r'));
        let wire = encode(&frame);
        let head_end = wire.windows(2).position(|w| w == b"\n\n").unwrap() + 2;
        let mut crlf = Vec::new();
        for &b in &wire[..head_end] {
            if b == b'\n' {
                crlf.push(b'\r');
            }
            crlf.push(b);
        }
        crlf.extend_from_slice(&wire[head_end..]);
        let mut buf = BytesMut::from(&crlf[..]);
        prop_assert_eq!(FrameCodec::new().decode(&mut buf).unwrap(), Some(Decoded::Frame(frame)));
    }

    #[test]
    fn arbitrary_bytes_keep_the_decoders_promises(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        fuzzing::frame_decode(&data);
    }

    #[test]
    fn damaged_frames_keep_the_decoders_promises(
        frames in proptest::collection::vec(frame(), 1..4),
        damage in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
    ) {
        let mut wire: Vec<u8> = frames.iter().flat_map(encode).collect();
        for (at, byte) in damage {
            let at = at % wire.len();
            wire[at] = byte;
        }
        fuzzing::frame_decode(&wire);
    }
}

#[test]
fn the_deprecated_usp_error_example_of_the_specification_decodes() {
    // R-STOMP.24b (deprecated) shows a SEND frame with an escaped header.
    let wire = b"SEND\ndestination:/usp/the-reply-to-dest\ncontent-type:application/vnd.bbf.usp.error\nusp-err-id:cid\\c3AA3F8\\cusp-id-42/683\n\nerr_code:7100\nerr_msg:Field n is not recognized.\0";
    let mut buf = BytesMut::from(&wire[..]);
    let Some(Decoded::Frame(frame)) = FrameCodec::new().decode(&mut buf).unwrap() else {
        panic!("not a frame")
    };
    assert_eq!(frame.header("usp-err-id"), Some("cid:3AA3F8:usp-id-42/683"));
    assert!(frame.body().starts_with(b"err_code:7100\n"));
}
