//! The UDS frame codec, sans-IO: the `_USP` sync bytes, a 4-byte length and TLVs
//! (R-UDS.6 to R-UDS.15), as pure functions shaped like the tokio-util `Decoder`/`Encoder`.

use std::error::Error as StdError;
use std::fmt;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use usp_types::EndpointId;

use crate::{MtpError, MtpErrorKind};

/// The synchronisation part of a Frame header: `_USP` (R-UDS.8).
pub const SYNC: [u8; 4] = *b"_USP";

/// Bytes in a Frame header: the sync bytes and the 4-byte length (R-UDS.7 to R-UDS.9).
pub const HEADER_LEN: usize = 8;

/// Bytes in a TLV header: a 1-byte type and a 4-byte length (R-UDS.10, R-UDS.11).
pub const TLV_HEADER_LEN: usize = 5;

/// The default bound on the length field of a Frame (the bytes after the header): 16 MiB.
///
/// The specification sets no limit; a received header announcing more is an error
/// ([`FrameError::TooLarge`]) before anything is allocated.
pub const DEFAULT_MAX_FRAME_LEN: usize = 16 * 1024 * 1024;

/// One TLV field of a Frame, of a type the specification defines (R-UDS.12 to R-UDS.14).
///
/// The values are kept as received: a [`Handshake`](Self::Handshake) is meant to be the
/// UTF-8 Endpoint ID of the sender and an [`Error`](Self::Error) a UTF-8 message, but the
/// codec leaves judging them to the connection (R-UDS.21), so that every Frame that is
/// well-framed decodes.
///
/// ```
/// use usp_mtp::uds::Tlv;
/// use usp_types::EndpointId;
///
/// let id: EndpointId = "os::00256D-0123456789".parse()?;
/// let tlv = Tlv::handshake(&id);
/// assert_eq!(tlv.tlv_type(), Tlv::HANDSHAKE);
/// assert_eq!(&tlv.value()[..], b"os::00256D-0123456789");
/// assert_eq!(tlv.encoded_len(), 5 + 21);
/// # Ok::<(), usp_types::InvalidEndpointId>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Tlv {
    /// Type 1: the Endpoint ID of the sender, as UTF-8 (R-UDS.12, R-UDS.16, R-UDS.17).
    Handshake(Bytes),
    /// Type 2: a UTF-8 message explaining a failure (R-UDS.13, R-UDS.21 to R-UDS.25).
    Error(Bytes),
    /// Type 3: one protobuf-encoded USP Record (R-UDS.14, R-UDS.22).
    Record(Bytes),
}

impl Tlv {
    /// The type of a Handshake TLV.
    pub const HANDSHAKE: u8 = 1;
    /// The type of an Error TLV.
    pub const ERROR: u8 = 2;
    /// The type of a USP Record TLV.
    pub const RECORD: u8 = 3;

    /// A Handshake TLV naming `endpoint_id`.
    pub fn handshake(endpoint_id: &EndpointId) -> Self {
        Self::Handshake(Bytes::copy_from_slice(endpoint_id.as_str().as_bytes()))
    }

    /// An Error TLV carrying `message`.
    pub fn error(message: impl Into<String>) -> Self {
        Self::Error(Bytes::from(message.into()))
    }

    /// A USP Record TLV carrying an encoded Record.
    pub fn record(record: Bytes) -> Self {
        Self::Record(record)
    }

    /// The TLV for a type and value, `None` for a type the specification does not define.
    pub fn from_parts(tlv_type: u8, value: Bytes) -> Option<Self> {
        match tlv_type {
            Self::HANDSHAKE => Some(Self::Handshake(value)),
            Self::ERROR => Some(Self::Error(value)),
            Self::RECORD => Some(Self::Record(value)),
            _ => None,
        }
    }

    /// The 1-byte type.
    pub fn tlv_type(&self) -> u8 {
        match self {
            Self::Handshake(_) => Self::HANDSHAKE,
            Self::Error(_) => Self::ERROR,
            Self::Record(_) => Self::RECORD,
        }
    }

    /// The value.
    pub fn value(&self) -> &Bytes {
        match self {
            Self::Handshake(v) | Self::Error(v) | Self::Record(v) => v,
        }
    }

    /// The value, consuming the TLV.
    pub fn into_value(self) -> Bytes {
        match self {
            Self::Handshake(v) | Self::Error(v) | Self::Record(v) => v,
        }
    }

    /// Bytes this TLV takes in a Frame: its 5-byte header and its value.
    pub fn encoded_len(&self) -> usize {
        TLV_HEADER_LEN + self.value().len()
    }

    /// Appends the TLV (header and value) to `dst`. The caller has checked that the value
    /// fits a 4-byte length.
    fn put(&self, dst: &mut BytesMut) {
        let value = self.value();
        dst.reserve(TLV_HEADER_LEN + value.len());
        dst.put_u8(self.tlv_type());
        dst.put_u32(u32::try_from(value.len()).unwrap_or(u32::MAX));
        dst.extend_from_slice(value);
    }
}

impl fmt::Debug for Tlv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Handshake(v) => f
                .debug_tuple("Handshake")
                .field(&String::from_utf8_lossy(v))
                .finish(),
            Self::Error(v) => f
                .debug_tuple("Error")
                .field(&String::from_utf8_lossy(v))
                .finish(),
            Self::Record(v) => write!(f, "Record({} bytes)", v.len()),
        }
    }
}

/// A decoded Frame: its TLVs, checked to tile the Frame exactly.
///
/// TLVs of types the specification does not define are skipped (R-UDS.15): they are not
/// returned by [`tlvs`](Self::tlvs), only counted by [`skipped`](Self::skipped). A Frame
/// holds the received bytes once (the TLVs are slices of them), so decoding allocates
/// nothing beyond the Frame itself.
///
/// ```
/// use bytes::{Bytes, BytesMut};
/// use usp_mtp::uds::{Frame, FrameCodec, Tlv};
///
/// let mut wire = BytesMut::new();
/// let mut codec = FrameCodec::new();
/// codec.encode(&[Tlv::error("bad"), Tlv::record(Bytes::from_static(b"\x0a\x031.4"))], &mut wire)?;
/// let frame: Frame = codec.decode(&mut wire)?.expect("a whole frame");
/// assert_eq!(frame.tlvs().count(), 2);
/// assert!(wire.is_empty());
/// # Ok::<(), usp_mtp::uds::FrameError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Frame {
    /// Everything after the header: the TLVs, already checked.
    body: Bytes,
}

impl Frame {
    /// A Frame of `tlvs`, in order.
    ///
    /// # Errors
    ///
    /// [`FrameError::Empty`] for no TLV (R-UDS.6 asks for one or more), and
    /// [`FrameError::TooLarge`] when the Frame would not fit the 4-byte length.
    pub fn new(tlvs: &[Tlv]) -> Result<Self, FrameError> {
        let total = body_len(tlvs, u32::MAX as usize)?;
        let mut body = BytesMut::with_capacity(total);
        for tlv in tlvs {
            tlv.put(&mut body);
        }
        Ok(Self {
            body: body.freeze(),
        })
    }

    /// The TLVs of the types the specification defines, in order.
    pub fn tlvs(&self) -> Tlvs<'_> {
        Tlvs {
            body: &self.body,
            pos: 0,
        }
    }

    /// How many TLVs of unknown types the Frame held (and [`tlvs`](Self::tlvs) skips).
    pub fn skipped(&self) -> usize {
        let mut pos = 0;
        let mut skipped = 0;
        while let Some((tlv_type, start, end)) = tlv_at(&self.body, pos) {
            if !(Tlv::HANDSHAKE..=Tlv::RECORD).contains(&tlv_type) {
                skipped += 1;
            }
            debug_assert!(end >= start);
            pos = end;
        }
        skipped
    }

    /// The value of the length field: the bytes after the header.
    pub fn body_len(&self) -> usize {
        self.body.len()
    }

    /// The whole Frame's length on the wire, header included.
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.body.len()
    }

    /// Appends the Frame, exactly as received (unknown TLVs included), to `dst`.
    pub fn encode(&self, dst: &mut BytesMut) {
        dst.reserve(self.encoded_len());
        dst.extend_from_slice(&SYNC);
        dst.put_u32(u32::try_from(self.body.len()).unwrap_or(u32::MAX));
        dst.extend_from_slice(&self.body);
    }
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        list.entries(self.tlvs());
        let skipped = self.skipped();
        if skipped > 0 {
            list.entry(&format_args!("<{skipped} unknown>"));
        }
        list.finish()
    }
}

/// The TLVs of a [`Frame`], unknown types skipped; see [`Frame::tlvs`].
#[derive(Debug, Clone)]
pub struct Tlvs<'a> {
    body: &'a Bytes,
    pos: usize,
}

impl Iterator for Tlvs<'_> {
    type Item = Tlv;

    fn next(&mut self) -> Option<Tlv> {
        while let Some((tlv_type, start, end)) = tlv_at(self.body, self.pos) {
            self.pos = end;
            if let Some(tlv) = Tlv::from_parts(tlv_type, self.body.slice(start..end)) {
                return Some(tlv);
            }
        }
        None
    }
}

/// The TLV at `pos` of a checked body: its type and the range of its value. `None` at the
/// end (or, defensively, where the body would not hold a TLV, which `check_body` excludes).
fn tlv_at(body: &[u8], pos: usize) -> Option<(u8, usize, usize)> {
    let header = body.get(pos..pos.checked_add(TLV_HEADER_LEN)?)?;
    let len = u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
    let start = pos + TLV_HEADER_LEN;
    let end = start.checked_add(len)?;
    (end <= body.len()).then_some((header[0], start, end))
}

/// Checks that the TLVs tile `body` exactly.
fn check_body(body: &[u8]) -> Result<(), FrameError> {
    if body.is_empty() {
        return Err(FrameError::Empty);
    }
    let mut pos = 0;
    while pos < body.len() {
        let remaining = body.len() - pos;
        if remaining < TLV_HEADER_LEN {
            return Err(FrameError::TruncatedTlv {
                offset: HEADER_LEN + pos,
            });
        }
        let len = u32::from_be_bytes([body[pos + 1], body[pos + 2], body[pos + 3], body[pos + 4]]);
        let available = remaining - TLV_HEADER_LEN;
        if len as usize > available {
            return Err(FrameError::TlvOverrun {
                offset: HEADER_LEN + pos,
                tlv_type: body[pos],
                len,
                available,
            });
        }
        pos += TLV_HEADER_LEN + len as usize;
    }
    Ok(())
}

/// The body length of a Frame of `tlvs`, refusing none and more than `max` bytes.
fn body_len(tlvs: &[Tlv], max: usize) -> Result<usize, FrameError> {
    if tlvs.is_empty() {
        return Err(FrameError::Empty);
    }
    let total = tlvs
        .iter()
        .fold(0usize, |n, tlv| n.saturating_add(tlv.encoded_len()));
    let max = max.min(u32::MAX as usize);
    if total > max {
        return Err(FrameError::TooLarge {
            len: total as u64,
            max,
        });
    }
    Ok(total)
}

/// The UDS Frame codec: a decoder for a byte stream and an encoder of TLVs, with a bound on
/// the Frame length.
///
/// Shaped like the tokio-util `Decoder` and `Encoder`, but without the dependency and
/// without I/O: [`decode`](Self::decode) takes what has been read so far and returns a whole
/// Frame when one is there, and [`encode`](Self::encode) appends one Frame to a buffer.
///
/// # Errors and resources
///
/// Decoding never panics. A stream that is not a sequence of Frames gives a typed
/// [`FrameError`]: the sync bytes are checked as soon as they arrive (so garbage is refused
/// after its first byte), and a length above [`max_frame_len`](Self::max_frame_len) is
/// refused from the header alone, before any allocation. The most the decoder ever reserves
/// in the buffer is one whole Frame, [`HEADER_LEN`] + `max_frame_len` bytes.
///
/// An error consumes nothing, and is final: the specification's answer to a Frame that
/// cannot be parsed is an Error TLV and closing the connection (R-UDS.24), not
/// resynchronising.
///
/// ```
/// use bytes::{Bytes, BytesMut};
/// use usp_mtp::uds::{FrameCodec, FrameError, Tlv};
///
/// let mut codec = FrameCodec::new().with_max_frame_len(1024);
///
/// // Bytes arrive in pieces: nothing until the Frame is whole.
/// let mut wire = BytesMut::new();
/// codec.encode(&[Tlv::record(Bytes::from_static(b"record"))], &mut wire)?;
/// let mut rx = BytesMut::new();
/// rx.extend_from_slice(&wire[..10]);
/// assert!(codec.decode(&mut rx)?.is_none());
/// rx.extend_from_slice(&wire[10..]);
/// let frame = codec.decode(&mut rx)?.expect("whole");
/// assert_eq!(frame.tlvs().next(), Some(Tlv::record(Bytes::from_static(b"record"))));
///
/// // A header announcing 4 GiB is refused at once.
/// let mut rx = BytesMut::from(&b"_USP\xff\xff\xff\xff"[..]);
/// assert!(matches!(codec.decode(&mut rx), Err(FrameError::TooLarge { .. })));
/// # Ok::<(), FrameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameCodec {
    max_frame_len: usize,
}

impl Default for FrameCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameCodec {
    /// A codec accepting Frames of up to [`DEFAULT_MAX_FRAME_LEN`] bytes after the header.
    pub const fn new() -> Self {
        Self {
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
        }
    }

    /// The same codec with another bound on the length field, clamped to
    /// [`TLV_HEADER_LEN`] (one empty TLV) ..= `u32::MAX`.
    #[must_use]
    pub fn with_max_frame_len(mut self, max_frame_len: usize) -> Self {
        self.max_frame_len = max_frame_len.clamp(TLV_HEADER_LEN, u32::MAX as usize);
        self
    }

    /// The largest length field accepted (the bytes after the header).
    pub fn max_frame_len(&self) -> usize {
        self.max_frame_len
    }

    /// The largest encoded Record that fits one Frame of this codec.
    pub fn max_record_len(&self) -> usize {
        self.max_frame_len - TLV_HEADER_LEN
    }

    /// Takes one Frame off the front of `src`.
    ///
    /// Returns `Ok(None)` while the Frame is incomplete, reserving room in `src` for the
    /// rest of it (at most one Frame). On success the Frame's bytes are removed from `src`.
    ///
    /// # Errors
    ///
    /// [`FrameError::BadSync`] as soon as a byte of the sync part differs from `_USP`;
    /// [`FrameError::TooLarge`] for a length above [`max_frame_len`](Self::max_frame_len);
    /// [`FrameError::Empty`] for a length of 0; [`FrameError::TruncatedTlv`] and
    /// [`FrameError::TlvOverrun`] when the TLVs do not tile the Frame. Nothing is consumed.
    pub fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, FrameError> {
        let sync_seen = src.len().min(SYNC.len());
        if let Some(offset) = (0..sync_seen).find(|&i| src[i] != SYNC[i]) {
            return Err(FrameError::BadSync {
                offset,
                byte: src[offset],
            });
        }
        if src.len() < HEADER_LEN {
            return Ok(None);
        }
        let len = u32::from_be_bytes([src[4], src[5], src[6], src[7]]);
        let body_len = len as usize;
        if body_len > self.max_frame_len {
            return Err(FrameError::TooLarge {
                len: u64::from(len),
                max: self.max_frame_len,
            });
        }
        if body_len == 0 {
            return Err(FrameError::Empty);
        }
        let frame_len = HEADER_LEN + body_len;
        if src.len() < frame_len {
            src.reserve(frame_len - src.len());
            return Ok(None);
        }
        check_body(&src[HEADER_LEN..frame_len])?;
        src.advance(HEADER_LEN);
        let body = src.split_to(body_len).freeze();
        Ok(Some(Frame { body }))
    }

    /// Like [`decode`](Self::decode), for the end of the stream: bytes left that do not make
    /// a whole Frame are an error.
    ///
    /// # Errors
    ///
    /// Those of [`decode`](Self::decode), and [`FrameError::Truncated`] when `src` holds
    /// the start of a Frame only.
    pub fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, FrameError> {
        match self.decode(src)? {
            Some(frame) => Ok(Some(frame)),
            None if src.is_empty() => Ok(None),
            None => Err(FrameError::Truncated { len: src.len() }),
        }
    }

    /// Appends one Frame holding `tlvs`, in order, to `dst`.
    ///
    /// # Errors
    ///
    /// [`FrameError::Empty`] for no TLV (R-UDS.6), [`FrameError::TooLarge`] when the TLVs
    /// take more than [`max_frame_len`](Self::max_frame_len). `dst` is unchanged on error.
    pub fn encode(&mut self, tlvs: &[Tlv], dst: &mut BytesMut) -> Result<(), FrameError> {
        let total = body_len(tlvs, self.max_frame_len)?;
        dst.reserve(HEADER_LEN + total);
        dst.extend_from_slice(&SYNC);
        dst.put_u32(u32::try_from(total).unwrap_or(u32::MAX));
        for tlv in tlvs {
            tlv.put(dst);
        }
        Ok(())
    }

    /// Appends a Frame holding one USP Record TLV with `record` to `dst`: the same bytes as
    /// [`encode`](Self::encode) of `[Tlv::Record(record)]`, without cloning the `Bytes`.
    ///
    /// # Errors
    ///
    /// [`FrameError::TooLarge`] when the Record exceeds
    /// [`max_record_len`](Self::max_record_len). `dst` is unchanged on error.
    pub fn encode_record(&mut self, record: &[u8], dst: &mut BytesMut) -> Result<(), FrameError> {
        let total = TLV_HEADER_LEN.saturating_add(record.len());
        if total > self.max_frame_len {
            return Err(FrameError::TooLarge {
                len: total as u64,
                max: self.max_frame_len,
            });
        }
        dst.reserve(HEADER_LEN + total);
        dst.extend_from_slice(&SYNC);
        dst.put_u32(u32::try_from(total).unwrap_or(u32::MAX));
        dst.put_u8(Tlv::RECORD);
        dst.put_u32(u32::try_from(record.len()).unwrap_or(u32::MAX));
        dst.extend_from_slice(record);
        Ok(())
    }
}

/// Why bytes are not a UDS Frame, or a Frame cannot be encoded.
///
/// Its [`Display`](fmt::Display) is what an Endpoint puts in the Error TLV it sends before
/// closing the connection (R-UDS.24).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FrameError {
    /// A byte of the header's sync part is not the one of `_USP` (R-UDS.8).
    BadSync {
        /// Offset of the byte in the Frame (0 to 3).
        offset: usize,
        /// The byte received.
        byte: u8,
    },
    /// The length is above the bound (on decoding, the header's length field; on encoding,
    /// the TLVs' total).
    TooLarge {
        /// The length.
        len: u64,
        /// The bound.
        max: usize,
    },
    /// A Frame without any TLV (R-UDS.6 asks for one or more): a length field of 0, or
    /// nothing to encode.
    Empty,
    /// Fewer than the 5 bytes of a TLV header are left in the Frame.
    TruncatedTlv {
        /// Offset of the partial TLV header in the Frame, header included.
        offset: usize,
    },
    /// A TLV's length runs past the end of its Frame.
    TlvOverrun {
        /// Offset of the TLV in the Frame, header included.
        offset: usize,
        /// The TLV's type.
        tlv_type: u8,
        /// The TLV's length field.
        len: u32,
        /// Bytes left in the Frame for its value.
        available: usize,
    },
    /// The stream ended inside a Frame.
    Truncated {
        /// Bytes of the partial Frame.
        len: usize,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadSync { offset, byte } => write!(
                f,
                "invalid frame: byte {offset} of the header is {byte:#04x}, not the sync byte {:#04x} of \"_USP\"",
                SYNC[(*offset).min(3)]
            ),
            Self::TooLarge { len, max } => {
                write!(f, "frame too large: length {len}, at most {max} accepted")
            }
            Self::Empty => f.write_str("invalid frame: a frame needs at least one TLV"),
            Self::TruncatedTlv { offset } => {
                write!(f, "invalid frame: truncated TLV header at offset {offset}")
            }
            Self::TlvOverrun {
                offset,
                tlv_type,
                len,
                available,
            } => write!(
                f,
                "invalid frame: TLV of type {tlv_type} at offset {offset} has length {len}, \
                 but only {available} bytes are left in the frame"
            ),
            Self::Truncated { len } => {
                write!(f, "invalid frame: the stream ends {len} bytes into a frame")
            }
        }
    }
}

impl StdError for FrameError {}

impl From<FrameError> for MtpError {
    fn from(e: FrameError) -> Self {
        let kind = match e {
            FrameError::TooLarge { .. } => MtpErrorKind::TooLarge,
            _ => MtpErrorKind::Protocol,
        };
        Self::new(kind, e.to_string()).with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_bytes(tlvs: &[Tlv]) -> BytesMut {
        let mut out = BytesMut::new();
        FrameCodec::new().encode(tlvs, &mut out).unwrap();
        out
    }

    #[test]
    fn the_spec_handshake_example_is_byte_exact() {
        // R-UDS.8, R-UDS.9, R-UDS.10, R-UDS.11 and the figure "UNIX Domain Socket Frame
        // with Handshake Message": "_USP", length 26, type 1, length 21, the Endpoint ID.
        let id: EndpointId = "os::00256D-0123456789".parse().unwrap();
        let wire = frame_bytes(&[Tlv::handshake(&id)]);
        let mut expected = b"\x5f\x55\x53\x50\x00\x00\x00\x1a\x01\x00\x00\x00\x15".to_vec();
        expected.extend_from_slice(b"os::00256D-0123456789");
        assert_eq!(&wire[..], &expected[..]);
    }

    #[test]
    fn decodes_what_it_encodes_and_consumes_exactly_one_frame() {
        let tlvs = [
            Tlv::handshake(&"self::a".parse().unwrap()),
            Tlv::record(Bytes::from_static(b"rec")),
            Tlv::error("oops"),
        ];
        let mut wire = frame_bytes(&tlvs);
        wire.extend_from_slice(b"_US");
        let frame = FrameCodec::new().decode(&mut wire).unwrap().unwrap();
        assert_eq!(frame.tlvs().collect::<Vec<_>>(), tlvs);
        assert_eq!(&wire[..], b"_US");
        assert_eq!(frame, Frame::new(&tlvs).unwrap());
        let mut again = BytesMut::new();
        frame.encode(&mut again);
        assert_eq!(again, frame_bytes(&tlvs));
    }

    #[test]
    fn encode_record_is_encode_of_one_record_tlv() {
        let mut a = BytesMut::new();
        FrameCodec::new().encode_record(b"abc", &mut a).unwrap();
        assert_eq!(a, frame_bytes(&[Tlv::record(Bytes::from_static(b"abc"))]));
    }

    #[test]
    fn unknown_tlv_types_are_skipped() {
        // R-UDS.15
        let mut wire = BytesMut::from(
            &b"_USP\x00\x00\x00\x11\x00\x00\x00\x00\x01X\x03\x00\x00\x00\x01R\xff\x00\x00\x00\x00"
                [..],
        );
        let frame = FrameCodec::new().decode(&mut wire).unwrap().unwrap();
        assert_eq!(
            frame.tlvs().collect::<Vec<_>>(),
            [Tlv::record(Bytes::from_static(b"R"))]
        );
        assert_eq!(frame.skipped(), 2);
        assert!(format!("{frame:?}").contains("2 unknown"));
    }

    #[test]
    fn a_frame_of_unknown_tlvs_only_decodes_to_no_tlv() {
        let mut wire = BytesMut::from(&b"_USP\x00\x00\x00\x05\x07\x00\x00\x00\x00"[..]);
        let frame = FrameCodec::new().decode(&mut wire).unwrap().unwrap();
        assert_eq!(frame.tlvs().count(), 0);
        assert_eq!(frame.skipped(), 1);
    }

    #[test]
    fn bad_sync_is_refused_from_the_first_wrong_byte() {
        let mut codec = FrameCodec::new();
        let mut wire = BytesMut::from(&b"_"[..]);
        assert_eq!(codec.decode(&mut wire), Ok(None));
        let mut wire = BytesMut::from(&b"_UX"[..]);
        assert_eq!(
            codec.decode(&mut wire),
            Err(FrameError::BadSync {
                offset: 2,
                byte: b'X'
            })
        );
        assert_eq!(&wire[..], b"_UX", "nothing consumed");
        let mut wire = BytesMut::from(&b"GET / HTTP/1.1\r\n"[..]);
        assert!(matches!(
            codec.decode(&mut wire),
            Err(FrameError::BadSync { offset: 0, .. })
        ));
    }

    #[test]
    fn a_huge_length_is_an_error_not_an_allocation() {
        let mut codec = FrameCodec::new().with_max_frame_len(100);
        let mut wire = BytesMut::with_capacity(8);
        wire.extend_from_slice(b"_USP\xff\xff\xff\xff");
        let capacity = wire.capacity();
        assert_eq!(
            codec.decode(&mut wire),
            Err(FrameError::TooLarge {
                len: u64::from(u32::MAX),
                max: 100
            })
        );
        assert_eq!(wire.capacity(), capacity);
        // At the bound: fine, and the reservation is one frame.
        let mut wire = BytesMut::from(&b"_USP\x00\x00\x00\x64\x03"[..]);
        assert_eq!(codec.decode(&mut wire), Ok(None));
        assert!(wire.capacity() >= 108);
        let mut wire = BytesMut::from(&b"_USP\x00\x00\x00\x65"[..]);
        assert!(matches!(
            codec.decode(&mut wire),
            Err(FrameError::TooLarge { len: 101, .. })
        ));
    }

    #[test]
    fn malformed_bodies_give_typed_errors() {
        let mut codec = FrameCodec::new();
        let cases: [(&[u8], FrameError); 3] = [
            (b"_USP\x00\x00\x00\x00", FrameError::Empty),
            (
                b"_USP\x00\x00\x00\x03\x01\x00\x00",
                FrameError::TruncatedTlv { offset: 8 },
            ),
            (
                b"_USP\x00\x00\x00\x07\x03\x00\x00\x00\x05ab",
                FrameError::TlvOverrun {
                    offset: 8,
                    tlv_type: 3,
                    len: 5,
                    available: 2,
                },
            ),
        ];
        for (bytes, expected) in cases {
            let mut wire = BytesMut::from(bytes);
            assert_eq!(codec.decode(&mut wire), Err(expected.clone()), "{bytes:?}");
            assert!(!expected.to_string().is_empty());
        }
        let mut wire = BytesMut::from(&b"_USP\x00\x00\x00\x08\x03\x00\x00\x00\x00\x01\x00\x00"[..]);
        assert_eq!(
            codec.decode(&mut wire),
            Err(FrameError::TruncatedTlv { offset: 13 })
        );
    }

    #[test]
    fn decode_eof_refuses_a_partial_frame() {
        let mut codec = FrameCodec::new();
        assert_eq!(codec.decode_eof(&mut BytesMut::new()), Ok(None));
        let mut wire = BytesMut::from(&b"_USP\x00\x00"[..]);
        assert_eq!(
            codec.decode_eof(&mut wire),
            Err(FrameError::Truncated { len: 6 })
        );
    }

    #[test]
    fn encoding_refuses_no_tlv_and_too_much() {
        let mut codec = FrameCodec::new().with_max_frame_len(10);
        let mut out = BytesMut::new();
        assert_eq!(codec.encode(&[], &mut out), Err(FrameError::Empty));
        assert_eq!(
            codec.encode(&[Tlv::record(Bytes::from_static(b"123456"))], &mut out),
            Err(FrameError::TooLarge { len: 11, max: 10 })
        );
        assert_eq!(
            codec.encode_record(b"123456", &mut out),
            Err(FrameError::TooLarge { len: 11, max: 10 })
        );
        assert!(out.is_empty());
        assert_eq!(codec.max_record_len(), 5);
        codec.encode_record(b"12345", &mut out).unwrap();
        assert_eq!(Frame::new(&[]), Err(FrameError::Empty));
    }

    #[test]
    fn the_bound_is_clamped() {
        assert_eq!(FrameCodec::new().with_max_frame_len(0).max_frame_len(), 5);
        assert_eq!(
            FrameCodec::new()
                .with_max_frame_len(usize::MAX)
                .max_frame_len(),
            u32::MAX as usize
        );
    }

    #[test]
    fn errors_map_to_mtp_error_kinds() {
        let e: MtpError = FrameError::Empty.into();
        assert_eq!(e.kind(), MtpErrorKind::Protocol);
        let e: MtpError = FrameError::TooLarge { len: 9, max: 8 }.into();
        assert_eq!(e.kind(), MtpErrorKind::TooLarge);
        assert!(e.source().is_some());
    }

    #[test]
    fn tlv_accessors() {
        let t = Tlv::error("x");
        assert_eq!(t.tlv_type(), Tlv::ERROR);
        assert_eq!(t.clone().into_value(), Bytes::from_static(b"x"));
        assert_eq!(Tlv::from_parts(9, Bytes::new()), None);
        assert_eq!(format!("{t:?}"), "Error(\"x\")");
        assert_eq!(
            format!("{:?}", Tlv::record(Bytes::from_static(b"ab"))),
            "Record(2 bytes)"
        );
    }
}
