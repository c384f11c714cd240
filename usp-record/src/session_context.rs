//! `SessionContextRecord`: a Record inside an E2E Session Context.

use std::fmt;

use bytes::{BufMut, Bytes, BytesMut};

use crate::wire::{self, Reader, WireType};

/// Segmentation and reassembly state (`PayloadSARState`) of a session context Record.
///
/// See the specification section "Segmented Message Exchange": `payload_sar_state` tells where
/// the Record stands in a segmented Message, `payloadrec_sar_state` where its payload pieces
/// stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SarState {
    /// `NONE` (0): no segmentation.
    #[default]
    None,
    /// `BEGIN` (1): the first segment.
    Begin,
    /// `INPROCESS` (2): a segment between the first and the last.
    InProcess,
    /// `COMPLETE` (3): the last segment.
    Complete,
}

impl SarState {
    /// The value on the wire.
    pub const fn as_i32(self) -> i32 {
        match self {
            Self::None => 0,
            Self::Begin => 1,
            Self::InProcess => 2,
            Self::Complete => 3,
        }
    }

    /// The state for a wire value, `None` for values the schema does not define.
    pub const fn from_i32(value: i32) -> Option<Self> {
        Some(match value {
            0 => Self::None,
            1 => Self::Begin,
            2 => Self::InProcess,
            3 => Self::Complete,
            _ => return None,
        })
    }

    /// The schema's name of the value (`"NONE"`, `"BEGIN"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::Begin => "BEGIN",
            Self::InProcess => "INPROCESS",
            Self::Complete => "COMPLETE",
        }
    }
}

impl fmt::Display for SarState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Field numbers of `SessionContextRecord`.
pub(crate) mod field {
    pub(crate) const SESSION_ID: u32 = 1;
    pub(crate) const SEQUENCE_ID: u32 = 2;
    pub(crate) const EXPECTED_ID: u32 = 3;
    pub(crate) const RETRANSMIT_ID: u32 = 4;
    pub(crate) const PAYLOAD_SAR_STATE: u32 = 5;
    pub(crate) const PAYLOADREC_SAR_STATE: u32 = 6;
    pub(crate) const PAYLOAD: u32 = 7;
}

/// The payload pieces: either built by the caller, or still in the decoded input, where they
/// are found again on demand. The second form is what makes decoding allocation-free however
/// many pieces a peer sends.
#[derive(Clone)]
pub(crate) enum Pieces {
    Owned(Vec<Bytes>),
    /// No piece, or exactly one (the common case): no scanning needed.
    Single(Option<Bytes>),
    /// The encoded `SessionContextRecord` body (already validated) and facts about its
    /// pieces, when there are two or more.
    Wire {
        body: Bytes,
        count: usize,
        total: usize,
    },
}

/// The fields of a `SessionContextRecord` (specification section "SessionContextRecord
/// fields").
///
/// The ids are plain numbers here: what they must be at each point of a session is the
/// business of the E2E session layer (`usp-e2e`), which builds and checks these Records.
///
/// ```
/// use usp_record::{SarState, SessionContext};
///
/// let ctx = SessionContext::new(7, 1, 1)
///     .with_sar_state(SarState::Begin, SarState::Begin)
///     .with_payload(&b"first part"[..]);
/// assert_eq!(ctx.payload().count(), 1);
/// assert_eq!(ctx.payload_len(), 10);
/// ```
#[derive(Clone)]
pub struct SessionContext {
    session_id: u64,
    sequence_id: u64,
    expected_id: u64,
    retransmit_id: u64,
    payload_sar_state: SarState,
    payloadrec_sar_state: SarState,
    pieces: Pieces,
}

impl SessionContext {
    /// A session context Record header with no payload, no retransmission request and no
    /// segmentation.
    pub fn new(session_id: u64, sequence_id: u64, expected_id: u64) -> Self {
        Self {
            session_id,
            sequence_id,
            expected_id,
            retransmit_id: 0,
            payload_sar_state: SarState::None,
            payloadrec_sar_state: SarState::None,
            pieces: Pieces::Owned(Vec::new()),
        }
    }

    /// Asks the peer to send the Record with this `sequence_id` again (0: no request).
    #[must_use]
    pub fn with_retransmit_id(mut self, retransmit_id: u64) -> Self {
        self.retransmit_id = retransmit_id;
        self
    }

    /// Sets `payload_sar_state` and `payloadrec_sar_state`.
    ///
    /// `payloadrec_sar_state` must be [`SarState::None`] when `payload_sar_state` is; a
    /// Record that breaks this rule is refused when it is built into a
    /// [`Record`](crate::Record).
    #[must_use]
    pub fn with_sar_state(mut self, payload: SarState, payloadrec: SarState) -> Self {
        self.payload_sar_state = payload;
        self.payloadrec_sar_state = payloadrec;
        self
    }

    /// Appends one payload piece (one `payload` field). A plaintext Message travels in a
    /// single piece; TLS-protected payloads may use several.
    #[must_use]
    pub fn with_payload(mut self, piece: impl Into<Bytes>) -> Self {
        self.pieces_mut().push(piece.into());
        self
    }

    fn pieces_mut(&mut self) -> &mut Vec<Bytes> {
        if !matches!(self.pieces, Pieces::Owned(_)) {
            let owned = self.payload().collect();
            self.pieces = Pieces::Owned(owned);
        }
        match &mut self.pieces {
            Pieces::Owned(pieces) => pieces,
            // Converted to Owned just above.
            Pieces::Single(_) | Pieces::Wire { .. } => unreachable!(),
        }
    }

    /// The Session Context identifier.
    pub fn session_id(&self) -> u64 {
        self.session_id
    }

    /// This Record's sequence number (1 for the first Record of a session).
    pub fn sequence_id(&self) -> u64 {
        self.sequence_id
    }

    /// The next `sequence_id` the sender expects; acknowledges every Record below it.
    pub fn expected_id(&self) -> u64 {
        self.expected_id
    }

    /// The `sequence_id` the sender asks to be sent again, 0 for none.
    pub fn retransmit_id(&self) -> u64 {
        self.retransmit_id
    }

    /// Where this Record stands in a segmented Message.
    pub fn payload_sar_state(&self) -> SarState {
        self.payload_sar_state
    }

    /// Where this Record's payload pieces stand.
    pub fn payloadrec_sar_state(&self) -> SarState {
        self.payloadrec_sar_state
    }

    /// The payload pieces, in order. Pieces of a decoded Record share the input buffer.
    pub fn payload(&self) -> Payload<'_> {
        match &self.pieces {
            Pieces::Owned(pieces) => Payload {
                inner: PayloadInner::Owned(pieces.iter()),
            },
            Pieces::Single(piece) => Payload {
                inner: PayloadInner::Single(piece.as_ref()),
            },
            Pieces::Wire { body, count, .. } => Payload {
                inner: PayloadInner::Wire {
                    body,
                    pos: 0,
                    left: *count,
                },
            },
        }
    }

    /// Total length of the payload pieces in bytes.
    pub fn payload_len(&self) -> usize {
        match &self.pieces {
            Pieces::Owned(pieces) => pieces.iter().map(Bytes::len).sum(),
            Pieces::Single(piece) => piece.as_ref().map_or(0, Bytes::len),
            Pieces::Wire { total, .. } => *total,
        }
    }

    /// The pieces as one buffer: shared with the input when there is at most one piece,
    /// copied into a new buffer otherwise.
    pub fn payload_joined(&self) -> Bytes {
        let mut pieces = self.payload();
        match pieces.len() {
            0 => Bytes::new(),
            1 => pieces.next().unwrap_or_default(),
            _ => {
                let mut out = BytesMut::with_capacity(self.payload_len());
                pieces.for_each(|p| out.extend_from_slice(&p));
                out.freeze()
            }
        }
    }

    pub(crate) fn encoded_len(&self) -> usize {
        use field::*;
        wire::opt_varint_field_len(SESSION_ID, self.session_id)
            + wire::opt_varint_field_len(SEQUENCE_ID, self.sequence_id)
            + wire::opt_varint_field_len(EXPECTED_ID, self.expected_id)
            + wire::opt_varint_field_len(RETRANSMIT_ID, self.retransmit_id)
            + wire::opt_varint_field_len(PAYLOAD_SAR_STATE, self.payload_sar_state.as_i32() as u64)
            + wire::opt_varint_field_len(
                PAYLOADREC_SAR_STATE,
                self.payloadrec_sar_state.as_i32() as u64,
            )
            + self
                .payload()
                .map(|p| wire::len_field_len(PAYLOAD, p.len()))
                .sum::<usize>()
    }

    pub(crate) fn encode(&self, out: &mut impl BufMut) {
        use field::*;
        wire::put_opt_varint(out, SESSION_ID, self.session_id);
        wire::put_opt_varint(out, SEQUENCE_ID, self.sequence_id);
        wire::put_opt_varint(out, EXPECTED_ID, self.expected_id);
        wire::put_opt_varint(out, RETRANSMIT_ID, self.retransmit_id);
        wire::put_opt_varint(
            out,
            PAYLOAD_SAR_STATE,
            self.payload_sar_state.as_i32() as u64,
        );
        wire::put_opt_varint(
            out,
            PAYLOADREC_SAR_STATE,
            self.payloadrec_sar_state.as_i32() as u64,
        );
        for piece in self.payload() {
            // Every piece is written, empty ones too: `repeated` has no implicit default.
            wire::put_len_header(out, PAYLOAD, piece.len());
            out.put_slice(&piece);
        }
    }

    /// Builds from a decoded, validated body; see `codec`.
    pub(crate) fn from_wire(
        ids: [u64; 4],
        payload_sar_state: SarState,
        payloadrec_sar_state: SarState,
        pieces: Pieces,
    ) -> Self {
        Self {
            session_id: ids[0],
            sequence_id: ids[1],
            expected_id: ids[2],
            retransmit_id: ids[3],
            payload_sar_state,
            payloadrec_sar_state,
            pieces,
        }
    }
}

impl PartialEq for SessionContext {
    fn eq(&self, other: &Self) -> bool {
        self.session_id == other.session_id
            && self.sequence_id == other.sequence_id
            && self.expected_id == other.expected_id
            && self.retransmit_id == other.retransmit_id
            && self.payload_sar_state == other.payload_sar_state
            && self.payloadrec_sar_state == other.payloadrec_sar_state
            && self.payload().eq(other.payload())
    }
}

impl Eq for SessionContext {}

impl fmt::Debug for SessionContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionContext")
            .field("session_id", &self.session_id)
            .field("sequence_id", &self.sequence_id)
            .field("expected_id", &self.expected_id)
            .field("retransmit_id", &self.retransmit_id)
            .field("payload_sar_state", &self.payload_sar_state)
            .field("payloadrec_sar_state", &self.payloadrec_sar_state)
            .field("payload", &self.payload().collect::<Vec<_>>())
            .finish()
    }
}

/// Iterator over the payload pieces of a [`SessionContext`], from
/// [`SessionContext::payload`].
#[derive(Debug, Clone)]
pub struct Payload<'a> {
    inner: PayloadInner<'a>,
}

#[derive(Debug, Clone)]
enum PayloadInner<'a> {
    Owned(std::slice::Iter<'a, Bytes>),
    Single(Option<&'a Bytes>),
    Wire {
        body: &'a Bytes,
        pos: usize,
        left: usize,
    },
}

impl Iterator for Payload<'_> {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        match &mut self.inner {
            PayloadInner::Owned(iter) => iter.next().cloned(),
            PayloadInner::Single(piece) => piece.take().cloned(),
            PayloadInner::Wire { body, pos, left } => {
                if *left == 0 {
                    return None;
                }
                // The body was fully validated when it was decoded, so reading it again
                // cannot fail; should it anyway, the iteration ends.
                let mut reader = Reader::new(body, 0);
                reader.advance_to(*pos);
                while !reader.is_empty() {
                    let (number, wire_type) = reader.key().ok()?;
                    if number == field::PAYLOAD && wire_type == WireType::Len {
                        let range = reader.len_delimited().ok()?;
                        *pos = reader.position();
                        *left -= 1;
                        return Some(body.slice(range));
                    }
                    reader.skip(number, wire_type).ok()?;
                }
                *left = 0;
                None
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match &self.inner {
            PayloadInner::Owned(iter) => iter.len(),
            PayloadInner::Single(piece) => usize::from(piece.is_some()),
            PayloadInner::Wire { left, .. } => *left,
        };
        (n, Some(n))
    }
}

impl ExactSizeIterator for Payload<'_> {}
