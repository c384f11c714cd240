//! Segmentation and reassembly (specification section "Segmented Message Exchange").
//!
//! The limit is on the whole encoded Record (`MaxUSPRecordSize`), header included, so the
//! segmenter measures real Records rather than guessing the header size.

use bytes::Bytes;
use usp_record::{Record, SarState};

use crate::E2eError;

/// Cuts `payload` into the pieces of consecutive Records, each at most `max` bytes once
/// encoded. `make(piece, state, index)` builds the Record carrying `piece` as segment
/// `index` (its sequence number is the caller's business) with `state` as both SAR states,
/// as the specification does for plaintext payloads.
///
/// Returns the Records in order: one Record with state `NONE` when the whole Message fits,
/// otherwise `BEGIN`, `INPROCESS`..., `COMPLETE`.
pub(crate) fn segment(
    payload: &Bytes,
    max: Option<usize>,
    mut make: impl FnMut(Bytes, SarState, usize) -> Record,
) -> Vec<Record> {
    let single = make(payload.clone(), SarState::None, 0);
    let Some(max) = max else { return vec![single] };
    if single.encoded_len() <= max {
        return vec![single];
    }
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < payload.len() {
        let index = out.len();
        let state = if index == 0 {
            SarState::Begin
        } else {
            SarState::InProcess
        };
        // The header of this Record, and what is left for the piece.
        let header = make(Bytes::new(), state, index).encoded_len();
        // A piece costs its bytes, a key, its length (up to 5 bytes) and may lengthen the
        // session_context length prefix by up to 2 bytes.
        let mut len = max
            .saturating_sub(header + 8)
            .max(1)
            .min(payload.len() - pos);
        let last = pos + len == payload.len();
        let state = if last { SarState::Complete } else { state };
        let mut record = make(payload.slice(pos..pos + len), state, index);
        // Use the slack the estimate left, then make sure the Record fits.
        let size = record.encoded_len();
        if size < max && !last {
            let grown = (len + (max - size)).min(payload.len() - pos);
            let grown_last = pos + grown == payload.len();
            let grown_state = if grown_last {
                SarState::Complete
            } else {
                state
            };
            let candidate = make(payload.slice(pos..pos + grown), grown_state, index);
            if candidate.encoded_len() <= max {
                len = grown;
                record = candidate;
            }
        }
        while record.encoded_len() > max && len > 1 {
            len -= (record.encoded_len() - max).min(len - 1);
            let state = if pos + len == payload.len() {
                SarState::Complete
            } else {
                state
            };
            record = make(payload.slice(pos..pos + len), state, index);
        }
        pos += len;
        out.push(record);
    }
    out
}

/// Reassembles the payload of segmented Records, in sequence order, within a byte budget.
///
/// Each piece is copied into one buffer as it arrives, so that the Records it came in can be
/// released at once: a Message being reassembled costs about its own size, not twice.
#[derive(Debug, Default)]
pub(crate) struct Reassembler {
    buffer: Option<Vec<u8>>,
    charged: usize,
}

/// Below this size the buffer grows geometrically (few copies); above it, exactly, which
/// large allocations do without copying (they are remapped), so capacity stays close to
/// the Message's size.
const EXACT_GROWTH_FROM: usize = 256 << 10;

/// Each piece is charged at least this many bytes against the budget, so that a flood of
/// empty segments is bounded too.
const PIECE_CHARGE: usize = 64;

impl Reassembler {
    /// Feeds the payload of the next in-order Record; returns a complete Message when one
    /// ends here.
    pub(crate) fn push(
        &mut self,
        state: SarState,
        payload: Bytes,
        limit: usize,
    ) -> Result<Option<Bytes>, E2eError> {
        match (state, self.buffer.is_some()) {
            (SarState::None, false) => Ok((!payload.is_empty()).then_some(payload)),
            (SarState::Begin, false) => {
                self.buffer = Some(Vec::new());
                self.charged = 0;
                self.add(payload, limit)?;
                Ok(None)
            }
            (SarState::InProcess, true) => {
                self.add(payload, limit)?;
                Ok(None)
            }
            (SarState::Complete, true) => {
                self.add(payload, limit)?;
                self.charged = 0;
                Ok(Some(Bytes::from(self.buffer.take().unwrap_or_default())))
            }
            (SarState::None, true) => Err(E2eError::Reassembly(
                "NONE while a segmented Message is incomplete",
            )),
            (SarState::Begin, true) => Err(E2eError::Reassembly(
                "BEGIN while a segmented Message is incomplete",
            )),
            (_, false) => Err(E2eError::Reassembly("INPROCESS or COMPLETE without BEGIN")),
            (_, true) => Err(E2eError::Reassembly("unknown SAR state")),
        }
    }

    fn add(&mut self, piece: Bytes, limit: usize) -> Result<(), E2eError> {
        self.charged += piece.len().max(PIECE_CHARGE);
        if self.charged > limit {
            self.buffer = None;
            self.charged = 0;
            return Err(E2eError::LimitExceeded("reassembly bytes"));
        }
        if let Some(buffer) = &mut self.buffer {
            if buffer.len() + piece.len() > EXACT_GROWTH_FROM {
                buffer.reserve_exact(piece.len());
            }
            buffer.extend_from_slice(&piece);
        }
        Ok(())
    }
}
