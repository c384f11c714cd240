//! Property tests of the UDS Frame codec (R-UDS.6 to R-UDS.15): round trips, decoding from
//! arbitrarily split buffers, typed errors for garbage, and no allocation for a huge length.
#![cfg(unix)]

use bytes::{BufMut, Bytes, BytesMut};
use proptest::prelude::*;
use usp_mtp::uds::{Frame, FrameCodec, FrameError, HEADER_LEN, SYNC, Tlv};

/// A TLV of a known type.
fn tlv() -> impl Strategy<Value = Tlv> {
    (1u8..=3, proptest::collection::vec(any::<u8>(), 0..300))
        .prop_map(|(t, v)| Tlv::from_parts(t, Bytes::from(v)).expect("types 1 to 3 are known"))
}

/// A raw TLV: any type, known or not.
fn raw_tlv() -> impl Strategy<Value = (u8, Vec<u8>)> {
    (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..100))
}

/// A Frame of raw TLVs, as bytes.
fn raw_frame(tlvs: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let body_len: usize = tlvs.iter().map(|(_, v)| 5 + v.len()).sum();
    let mut out = Vec::new();
    out.extend_from_slice(&SYNC);
    out.put_u32(body_len as u32);
    for (t, v) in tlvs {
        out.put_u8(*t);
        out.put_u32(v.len() as u32);
        out.extend_from_slice(v);
    }
    out
}

/// Decodes every Frame of `chunks`, fed one after the other; the end is the bytes left over
/// or the error.
fn decode_chunks(
    codec: &mut FrameCodec,
    chunks: &[&[u8]],
) -> (Vec<Frame>, Result<usize, FrameError>) {
    let mut buf = BytesMut::new();
    let mut frames = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(frame)) => frames.push(frame),
                Ok(None) => break,
                Err(e) => return (frames, Err(e)),
            }
        }
    }
    (frames, Ok(buf.len()))
}

/// `data` cut at the given positions (taken modulo its length, in order).
fn split<'a>(data: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
    points.sort_unstable();
    let mut pieces = Vec::new();
    let mut start = 0;
    for p in points {
        pieces.push(&data[start..p]);
        start = p;
    }
    pieces.push(&data[start..]);
    pieces
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn encode_then_decode_round_trips(tlvs in proptest::collection::vec(tlv(), 1..6)) {
        let mut codec = FrameCodec::new();
        let mut wire = BytesMut::new();
        codec.encode(&tlvs, &mut wire).unwrap();
        let expected_len = HEADER_LEN + tlvs.iter().map(Tlv::encoded_len).sum::<usize>();
        prop_assert_eq!(wire.len(), expected_len);
        let encoded = wire.clone();
        let frame = codec.decode(&mut wire).unwrap().unwrap();
        prop_assert!(wire.is_empty());
        prop_assert_eq!(frame.tlvs().collect::<Vec<_>>(), tlvs.clone());
        prop_assert_eq!(frame.skipped(), 0);
        prop_assert_eq!(&frame, &Frame::new(&tlvs).unwrap());
        let mut again = BytesMut::new();
        frame.encode(&mut again);
        prop_assert_eq!(again, encoded);
    }

    #[test]
    fn unknown_tlvs_are_skipped_and_kept_on_the_wire(
        tlvs in proptest::collection::vec(raw_tlv(), 1..8),
    ) {
        let wire = raw_frame(&tlvs);
        let mut buf = BytesMut::from(&wire[..]);
        let frame = FrameCodec::new().decode(&mut buf).unwrap().unwrap();
        let known: Vec<Tlv> = tlvs
            .iter()
            .filter_map(|(t, v)| Tlv::from_parts(*t, Bytes::from(v.clone())))
            .collect();
        prop_assert_eq!(frame.tlvs().collect::<Vec<_>>(), known.clone());
        prop_assert_eq!(frame.skipped(), tlvs.len() - known.len());
        let mut again = BytesMut::new();
        frame.encode(&mut again);
        prop_assert_eq!(&again[..], &wire[..]);
    }

    #[test]
    fn decoding_from_split_buffers_gives_the_same_frames(
        frames in proptest::collection::vec(proptest::collection::vec(raw_tlv(), 1..4), 1..5),
        tail in proptest::collection::vec(any::<u8>(), 0..20),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let mut stream: Vec<u8> = frames.iter().flat_map(|f| raw_frame(f)).collect();
        stream.extend_from_slice(&tail);
        let mut codec = FrameCodec::new();
        let whole = decode_chunks(&mut codec, &[&stream]);
        let pieces = decode_chunks(&mut codec, &split(&stream, &cuts));
        prop_assert_eq!(&whole, &pieces);
        prop_assert!(whole.0.len() >= frames.len());
        for (decoded, raw) in whole.0.iter().zip(&frames) {
            let mut bytes = BytesMut::new();
            decoded.encode(&mut bytes);
            prop_assert_eq!(&bytes[..], &raw_frame(raw)[..]);
        }
    }

    #[test]
    fn byte_by_byte_is_the_same_as_all_at_once(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let bytes: Vec<&[u8]> = data.chunks(1).collect();
        let mut codec = FrameCodec::new().with_max_frame_len(128);
        prop_assert_eq!(decode_chunks(&mut codec, &[&data]), decode_chunks(&mut codec, &bytes));
    }

    #[test]
    fn garbage_gives_typed_errors_and_consumes_nothing(data in proptest::collection::vec(any::<u8>(), 1..200)) {
        let mut codec = FrameCodec::new().with_max_frame_len(1024);
        let mut buf = BytesMut::from(&data[..]);
        match codec.decode(&mut buf) {
            Ok(Some(frame)) => {
                prop_assert_eq!(&data[..4], &SYNC[..]);
                prop_assert_eq!(data.len() - buf.len(), frame.encoded_len());
            }
            Ok(None) => prop_assert_eq!(buf.len(), data.len()),
            Err(e) => {
                prop_assert_eq!(buf.len(), data.len());
                prop_assert!(!e.to_string().is_empty());
                let bad_sync = data.iter().zip(SYNC).position(|(a, b)| *a != b);
                if let Some(offset) = bad_sync {
                    prop_assert_eq!(e, FrameError::BadSync { offset, byte: data[offset] });
                }
            }
        }
        usp_mtp::uds::fuzzing::frame_decode(&data);
    }

    #[test]
    fn a_length_above_the_bound_is_an_error_not_an_allocation(
        max in 5usize..100_000,
        excess in 1u64..u64::from(u32::MAX),
    ) {
        let len = (max as u64 + excess).min(u64::from(u32::MAX));
        prop_assume!(len > max as u64);
        let mut codec = FrameCodec::new().with_max_frame_len(max);
        let mut buf = BytesMut::with_capacity(HEADER_LEN);
        buf.extend_from_slice(&SYNC);
        buf.put_u32(len as u32);
        let capacity = buf.capacity();
        prop_assert_eq!(codec.decode(&mut buf), Err(FrameError::TooLarge { len, max }));
        prop_assert_eq!(buf.capacity(), capacity);
    }

    #[test]
    fn the_fuzz_invariants_hold_for_valid_streams(
        frames in proptest::collection::vec(proptest::collection::vec(raw_tlv(), 1..4), 0..4),
        tail in proptest::collection::vec(any::<u8>(), 0..12),
    ) {
        let mut stream: Vec<u8> = frames.iter().flat_map(|f| raw_frame(f)).collect();
        stream.extend_from_slice(&tail);
        usp_mtp::uds::fuzzing::frame_decode(&stream);
    }
}

#[test]
fn the_record_frame_figure_of_the_spec() {
    // "UNIX Domain Socket Frame with USP Record Message": header, then type 3, the length
    // of the Record, the Record.
    let record = Bytes::from_static(b"\x0a\x031.3\x12\x04self");
    let mut wire = BytesMut::new();
    FrameCodec::new()
        .encode(&[Tlv::record(record.clone())], &mut wire)
        .unwrap();
    let mut expected = b"_USP\x00\x00\x00\x10\x03\x00\x00\x00\x0b".to_vec();
    expected.extend_from_slice(&record);
    assert_eq!(&wire[..], &expected[..]);
}
