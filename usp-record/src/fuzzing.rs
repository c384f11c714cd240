//! Checks run by the fuzz targets in `fuzz/` and by the corpus replay test.
//!
//! Each function takes arbitrary bytes and panics only when the crate breaks one of its
//! promises, so the fuzzer and a plain `cargo test` exercise exactly the same code.

use bytes::Bytes;

use crate::Record;

/// Decodes `data` as a Record and checks the codec's invariants.
///
/// - Decoding never panics.
/// - A rejected input gives a Record error code, 7100 to 7106.
/// - An accepted Record encodes to [`Record::encoded_len`] bytes, and its encoding decodes to
///   an equal Record whose encoding is the same bytes: the canonical form is a fixed point.
///
/// # Panics
///
/// When one of these invariants does not hold.
pub fn record_decode(data: &[u8]) {
    let record = match Record::decode(Bytes::copy_from_slice(data)) {
        Ok(record) => record,
        Err(error) => {
            let code = error.code().get();
            assert!(
                (7100..=7106).contains(&code),
                "{error:?} has code {code}, outside 7100..=7106"
            );
            return;
        }
    };

    let encoded = record.to_bytes();
    assert_eq!(
        encoded.len(),
        record.encoded_len(),
        "encoded_len disagrees with the encoding of {record:?}"
    );

    let again = match Record::decode(encoded.clone()) {
        Ok(again) => again,
        Err(error) => panic!("re-encoding of {record:?} does not decode: {error:?}"),
    };
    assert_eq!(again, record, "decode(encode(r)) != r");
    assert_eq!(
        again.to_bytes(),
        encoded,
        "the canonical encoding is not a fixed point"
    );
}
