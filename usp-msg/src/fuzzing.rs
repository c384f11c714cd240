//! Checks run by the fuzz targets in `fuzz/` and by the corpus replay test. Not part of the
//! API: unstable, for fuzzing and tests only.
//!
//! Each function takes arbitrary bytes and panics only when the crate breaks one of its
//! promises, so the fuzzer and a plain `cargo test` exercise exactly the same code.

use crate::Msg;

/// Decodes `data` as a Message and checks the codec's invariants.
///
/// - Decoding never panics.
/// - A rejected input gives error code 7001 (*Message not supported*) or 7004 (*Invalid
///   arguments*).
/// - An accepted Message encodes to [`Msg::encoded_len`] bytes. Its encoding decodes to the
///   same identifier and body (the header's `msg_type` is re-derived from the body on
///   encode, so the decoded header names the body's type), and encodes to the same bytes
///   again: the canonical form is a fixed point.
/// - `into_owned` changes nothing but ownership.
/// - `Display` does not panic, writes no control character but line breaks, and its
///   alternate form is the first line of the full text.
///
/// # Panics
///
/// When one of these invariants does not hold.
pub fn msg_decode(data: &[u8]) {
    let msg = match Msg::decode(data) {
        Ok(msg) => msg,
        Err(error) => {
            let code = error.code().get();
            assert!(
                code == 7001 || code == 7004,
                "{error:?} has code {code}, neither 7001 nor 7004"
            );
            let _ = error.to_string();
            return;
        }
    };

    let encoded = msg.encode_to_vec();
    assert_eq!(
        encoded.len(),
        msg.encoded_len(),
        "encoded_len disagrees with the encoding of {msg:?}"
    );

    let again = match Msg::decode(&encoded) {
        Ok(again) => again,
        Err(error) => panic!("re-encoding of {msg:?} does not decode: {error:?}"),
    };
    assert_eq!(again.msg_id(), msg.msg_id(), "msg_id changed");
    assert_eq!(
        again.body(),
        msg.body(),
        "decode(encode(m)) changed the body"
    );
    assert_eq!(again.msg_type(), msg.msg_type(), "msg_type changed");
    assert_eq!(
        again.header_msg_type(),
        msg.msg_type(),
        "the re-encoded header does not name the body's type"
    );
    assert_eq!(
        again.encode_to_vec(),
        encoded,
        "the canonical encoding is not a fixed point"
    );

    let owned = msg.clone().into_owned();
    assert_eq!(owned, msg, "into_owned changed the Message");

    let text = msg.to_string();
    assert!(
        text.chars().all(|c| c == '\n' || !c.is_control()),
        "Display writes a control character: {text:?}"
    );
    let summary = format!("{msg:#}");
    assert_eq!(
        text.lines().next(),
        Some(summary.as_str()),
        "the alternate form is not the first line"
    );
    assert_eq!(owned.to_string(), text, "into_owned changed the text");
}
