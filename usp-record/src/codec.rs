//! Record decoding and encoding.
//!
//! Decoding follows protobuf's rules: fields may come in any order, the last occurrence of a
//! singular field wins, a repeated occurrence of the same `record_type` member merges into
//! it while a different member replaces it, a known field with an unexpected wire type is
//! treated as unknown (as the reference protobuf implementation does), and unknown fields
//! are skipped. Every length is checked against the input before anything is sliced, and no
//! allocation is larger than the input: strings are copied (they are at most as long as the
//! input), payloads are shared with it, and the payload pieces of a session context Record
//! are found again on demand instead of being collected.
//!
//! Encoding writes fields in field-number order and leaves out proto3 defaults, which is what
//! the reference implementations do, so decoding then encoding a Record of theirs gives back
//! the same bytes.

use std::ops::Range;

use bytes::{BufMut, Bytes, BytesMut};
use usp_types::{EndpointId, ErrorCode, UspVersion};

use crate::record::{PayloadSecurity, Record, RecordKind};
use crate::session_context::{self, Pieces, SarState, SessionContext};
use crate::wire::{self, Reader, WireType};
use crate::{Disconnect, MqttConnect, MqttVersion, RecordError, StompConnect, StompVersion};

/// Field numbers of `Record`.
mod field {
    pub(super) const VERSION: u32 = 1;
    pub(super) const TO_ID: u32 = 2;
    pub(super) const FROM_ID: u32 = 3;
    pub(super) const PAYLOAD_SECURITY: u32 = 4;
    pub(super) const MAC_SIGNATURE: u32 = 5;
    pub(super) const SENDER_CERT: u32 = 6;
    pub(super) const NO_SESSION_CONTEXT: u32 = 7;
    pub(super) const SESSION_CONTEXT: u32 = 8;
    pub(super) const WEBSOCKET_CONNECT: u32 = 9;
    pub(super) const MQTT_CONNECT: u32 = 10;
    pub(super) const STOMP_CONNECT: u32 = 11;
    pub(super) const DISCONNECT: u32 = 12;
    pub(super) const UDS_CONNECT: u32 = 13;
    pub(super) const ORIGINATOR_ID: u32 = 14;
    pub(super) const DESTINATION_ID: u32 = 15;
}

/// The body of the `record_type` member seen last. Repeated occurrences of the same member
/// are concatenated, which is exactly protobuf's merge of an embedded message.
enum KindBody {
    None,
    One {
        number: u32,
        range: Range<usize>,
    },
    Merged {
        number: u32,
        body: BytesMut,
        offset: usize,
    },
}

impl KindBody {
    fn push(&mut self, number: u32, range: Range<usize>, input: &Bytes) {
        *self = match std::mem::replace(self, Self::None) {
            Self::One {
                number: n,
                range: first,
            } if n == number => {
                let mut body = BytesMut::with_capacity(first.len() + range.len());
                body.extend_from_slice(&input[first.clone()]);
                body.extend_from_slice(&input[range]);
                Self::Merged {
                    number,
                    body,
                    offset: first.start,
                }
            }
            Self::Merged {
                number: n,
                mut body,
                offset,
            } if n == number => {
                body.extend_from_slice(&input[range]);
                Self::Merged {
                    number,
                    body,
                    offset,
                }
            }
            _ => Self::One { number, range },
        }
    }
}

/// A string field: checked UTF-8, borrowed from the input.
fn text<'a>(
    reader: &Reader<'a>,
    found: Option<Range<usize>>,
    name: &'static str,
) -> Result<Option<&'a str>, RecordError> {
    match found {
        None => Ok(None),
        Some(range) => std::str::from_utf8(reader.slice(range))
            .map(Some)
            .map_err(|_| RecordError::InvalidUtf8 { field: name }),
    }
}

fn endpoint_id(
    reader: &Reader<'_>,
    found: Option<Range<usize>>,
    name: &'static str,
) -> Result<Option<EndpointId>, RecordError> {
    match text(reader, found, name)? {
        None | Some("") => Ok(None),
        Some(s) => {
            EndpointId::lenient(s)
                .map(Some)
                .map_err(|source| RecordError::InvalidEndpointId {
                    field: name,
                    source,
                })
        }
    }
}

/// protobuf reads an `enum` from a varint by keeping its low 32 bits.
fn enum_value(raw: u64) -> i32 {
    raw as u32 as i32
}

impl Record {
    /// Decodes and validates a Record. Payloads share `input`; nothing is copied but the
    /// Endpoint IDs.
    ///
    /// Bytes that are not a Record, and Records that break a rule of the specification, give
    /// a [`RecordError`] whose [`code`](RecordError::code) is the USP error to report. The
    /// function never panics and never allocates more than the input's length at once.
    pub fn decode(input: Bytes) -> Result<Self, RecordError> {
        let mut reader = Reader::new(&input, 0);
        // version, to_id, from_id, originator_id, destination_id
        let mut strings: [Option<Range<usize>>; 5] = Default::default();
        let mut payload_security = 0u64;
        let (mut mac_signature, mut sender_cert) = (None, None);
        let mut kind = KindBody::None;

        while !reader.is_empty() {
            let (number, wire_type) = reader.key()?;
            match (number, wire_type) {
                (field::PAYLOAD_SECURITY, WireType::Varint) => {
                    payload_security = reader.varint()?;
                }
                (field::VERSION..=field::FROM_ID, WireType::Len) => {
                    strings[(number - field::VERSION) as usize] = Some(reader.len_delimited()?);
                }
                (field::ORIGINATOR_ID | field::DESTINATION_ID, WireType::Len) => {
                    strings[(number - field::ORIGINATOR_ID) as usize + 3] =
                        Some(reader.len_delimited()?);
                }
                (field::MAC_SIGNATURE, WireType::Len) => {
                    mac_signature = Some(reader.len_delimited()?);
                }
                (field::SENDER_CERT, WireType::Len) => sender_cert = Some(reader.len_delimited()?),
                (field::NO_SESSION_CONTEXT..=field::UDS_CONNECT, WireType::Len) => {
                    let range = reader.len_delimited()?;
                    kind.push(number, range, &input);
                }
                (_, wire_type) => reader.skip(number, wire_type)?,
            }
        }

        let kind = match kind {
            KindBody::None => return Err(RecordError::MissingRecordType),
            KindBody::One { number, range } => decode_kind(number, &input, range, 0)?,
            KindBody::Merged {
                number,
                body,
                offset,
            } => {
                let body = body.freeze();
                decode_kind(number, &body, 0..body.len(), offset)?
            }
        };

        let [version, to_id, from_id, originator_id, destination_id] = strings;
        let version = match text(&reader, version, "version")? {
            None | Some("") => return Err(RecordError::MissingField("version")),
            Some(v) => v.parse().map_err(RecordError::InvalidVersion)?,
        };
        let to_id =
            endpoint_id(&reader, to_id, "to_id")?.ok_or(RecordError::MissingField("to_id"))?;
        let from_id = endpoint_id(&reader, from_id, "from_id")?
            .ok_or(RecordError::MissingField("from_id"))?;
        let value = enum_value(payload_security);
        let payload_security =
            PayloadSecurity::from_i32(value).ok_or(RecordError::UnknownEnumValue {
                field: "payload_security",
                value,
            })?;

        Ok(Self {
            version,
            to_id,
            from_id,
            originator_id: endpoint_id(&reader, originator_id, "originator_id")?,
            destination_id: endpoint_id(&reader, destination_id, "destination_id")?,
            payload_security,
            mac_signature: mac_signature.map(|r| input.slice(r)).unwrap_or_default(),
            sender_cert: sender_cert.map(|r| input.slice(r)).unwrap_or_default(),
            kind,
        })
    }

    /// The length of the encoded Record in bytes.
    pub fn encoded_len(&self) -> usize {
        self.encoded_len_with(self.kind_len())
    }

    fn encoded_len_with(&self, kind: usize) -> usize {
        wire::len_field_len(field::VERSION, version_text(self.version).len())
            + wire::opt_len_field_len(field::TO_ID, self.to_id.as_str().len())
            + wire::opt_len_field_len(field::FROM_ID, self.from_id.as_str().len())
            + wire::opt_varint_field_len(
                field::PAYLOAD_SECURITY,
                self.payload_security.as_i32() as u64,
            )
            + wire::opt_len_field_len(field::MAC_SIGNATURE, self.mac_signature.len())
            + wire::opt_len_field_len(field::SENDER_CERT, self.sender_cert.len())
            + wire::len_field_len(kind_number(&self.kind), kind)
            + wire::opt_len_field_len(field::ORIGINATOR_ID, id_len(self.originator_id.as_ref()))
            + wire::opt_len_field_len(field::DESTINATION_ID, id_len(self.destination_id.as_ref()))
    }

    /// Appends the encoded Record to `out`.
    pub fn encode(&self, out: &mut impl BufMut) {
        self.encode_with(out, self.kind_len());
    }

    /// Encodes, given the already computed length of the `record_type` body.
    fn encode_with(&self, out: &mut impl BufMut, kind_len: usize) {
        let version = version_text(self.version);
        wire::put_len_header(out, field::VERSION, version.len());
        out.put_slice(version.as_bytes());
        wire::put_opt_bytes(out, field::TO_ID, self.to_id.as_str().as_bytes());
        wire::put_opt_bytes(out, field::FROM_ID, self.from_id.as_str().as_bytes());
        wire::put_opt_varint(
            out,
            field::PAYLOAD_SECURITY,
            self.payload_security.as_i32() as u64,
        );
        wire::put_opt_bytes(out, field::MAC_SIGNATURE, &self.mac_signature);
        wire::put_opt_bytes(out, field::SENDER_CERT, &self.sender_cert);

        wire::put_len_header(out, kind_number(&self.kind), kind_len);
        match &self.kind {
            RecordKind::NoSessionContext { payload } => wire::put_opt_bytes(out, 2, payload),
            RecordKind::SessionContext(ctx) => ctx.encode(out),
            RecordKind::WebSocketConnect | RecordKind::UdsConnect => {}
            RecordKind::MqttConnect(c) => {
                wire::put_opt_varint(out, 1, c.version().as_i32() as u64);
                wire::put_opt_bytes(out, 2, c.subscribed_topic().as_bytes());
            }
            RecordKind::StompConnect(c) => {
                wire::put_opt_varint(out, 1, c.version().as_i32() as u64);
                wire::put_opt_bytes(out, 2, c.subscribed_destination().as_bytes());
            }
            RecordKind::Disconnect(d) => {
                wire::put_opt_bytes(out, 1, d.reason().as_bytes());
                wire::put_opt_fixed32(out, 2, d.reason_code().get());
            }
        }

        if let Some(id) = &self.originator_id {
            wire::put_opt_bytes(out, field::ORIGINATOR_ID, id.as_str().as_bytes());
        }
        if let Some(id) = &self.destination_id {
            wire::put_opt_bytes(out, field::DESTINATION_ID, id.as_str().as_bytes());
        }
    }

    /// The encoded Record in a new buffer of exactly the right size.
    pub fn to_bytes(&self) -> Bytes {
        let kind_len = self.kind_len();
        let mut out = BytesMut::with_capacity(self.encoded_len_with(kind_len));
        self.encode_with(&mut out, kind_len);
        out.freeze()
    }

    fn kind_len(&self) -> usize {
        match &self.kind {
            RecordKind::NoSessionContext { payload } => wire::opt_len_field_len(2, payload.len()),
            RecordKind::SessionContext(ctx) => ctx.encoded_len(),
            RecordKind::WebSocketConnect | RecordKind::UdsConnect => 0,
            RecordKind::MqttConnect(c) => {
                wire::opt_varint_field_len(1, c.version().as_i32() as u64)
                    + wire::opt_len_field_len(2, c.subscribed_topic().len())
            }
            RecordKind::StompConnect(c) => {
                wire::opt_varint_field_len(1, c.version().as_i32() as u64)
                    + wire::opt_len_field_len(2, c.subscribed_destination().len())
            }
            RecordKind::Disconnect(d) => {
                wire::opt_len_field_len(1, d.reason().len())
                    + wire::opt_fixed32_field_len(2, d.reason_code().get())
            }
        }
    }
}

fn id_len(id: Option<&EndpointId>) -> usize {
    id.map_or(0, |id| id.as_str().len())
}

fn kind_number(kind: &RecordKind) -> u32 {
    match kind {
        RecordKind::NoSessionContext { .. } => field::NO_SESSION_CONTEXT,
        RecordKind::SessionContext(_) => field::SESSION_CONTEXT,
        RecordKind::WebSocketConnect => field::WEBSOCKET_CONNECT,
        RecordKind::MqttConnect(_) => field::MQTT_CONNECT,
        RecordKind::StompConnect(_) => field::STOMP_CONNECT,
        RecordKind::Disconnect(_) => field::DISCONNECT,
        RecordKind::UdsConnect => field::UDS_CONNECT,
    }
}

/// `"Major.Minor"` without allocating: at most 5 + 1 + 5 bytes.
struct VersionText {
    buf: [u8; 11],
    len: usize,
}

impl VersionText {
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn len(&self) -> usize {
        self.len
    }
}

fn version_text(version: UspVersion) -> VersionText {
    fn push_u16(out: &mut VersionText, n: u16) {
        let mut digits = [0u8; 5];
        let mut i = digits.len();
        let mut n = n;
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let d = &digits[i..];
        out.buf[out.len..out.len + d.len()].copy_from_slice(d);
        out.len += d.len();
    }
    let mut out = VersionText {
        buf: [0; 11],
        len: 0,
    };
    push_u16(&mut out, version.major());
    out.buf[out.len] = b'.';
    out.len += 1;
    push_u16(&mut out, version.minor());
    out
}

/// Decodes the body of `record_type` member `number`: `range` of `body`, where `body`
/// starts at `base` in the outer input.
fn decode_kind(
    number: u32,
    body: &Bytes,
    range: Range<usize>,
    base: usize,
) -> Result<RecordKind, RecordError> {
    let offset = base + range.start;
    let mut reader = Reader::within(body, range, base);
    let body_start = reader.position();
    match number {
        field::NO_SESSION_CONTEXT => {
            let mut payload = None;
            while !reader.is_empty() {
                match reader.key()? {
                    (2, WireType::Len) => payload = Some(reader.len_delimited()?),
                    (n, wire_type) => reader.skip(n, wire_type)?,
                }
            }
            let payload = payload.map(|r| body.slice(r)).unwrap_or_default();
            let kind = RecordKind::NoSessionContext { payload };
            kind.validate()?;
            Ok(kind)
        }
        field::SESSION_CONTEXT => {
            use session_context::field::*;
            let mut ids = [0u64; 4];
            let (mut sar, mut rec_sar) = (0u64, 0u64);
            let (mut count, mut total, mut last) = (0usize, 0usize, 0..0);
            while !reader.is_empty() {
                match reader.key()? {
                    (n @ SESSION_ID..=RETRANSMIT_ID, WireType::Varint) => {
                        ids[(n - SESSION_ID) as usize] = reader.varint()?;
                    }
                    (PAYLOAD_SAR_STATE, WireType::Varint) => sar = reader.varint()?,
                    (PAYLOADREC_SAR_STATE, WireType::Varint) => rec_sar = reader.varint()?,
                    (PAYLOAD, WireType::Len) => {
                        last = reader.len_delimited()?;
                        count += 1;
                        total += last.len();
                    }
                    (n, wire_type) => reader.skip(n, wire_type)?,
                }
            }
            let sar_state = |raw: u64, field: &'static str| {
                let value = enum_value(raw);
                SarState::from_i32(value).ok_or(RecordError::UnknownEnumValue { field, value })
            };
            let pieces = match count {
                0 => Pieces::Single(None),
                1 => Pieces::Single(Some(body.slice(last))),
                _ => Pieces::Wire {
                    body: body.slice(body_start..reader.position()),
                    count,
                    total,
                },
            };
            let kind = RecordKind::SessionContext(SessionContext::from_wire(
                ids,
                sar_state(sar, "payload_sar_state")?,
                sar_state(rec_sar, "payloadrec_sar_state")?,
                pieces,
            ));
            kind.validate()?;
            Ok(kind)
        }
        field::WEBSOCKET_CONNECT | field::UDS_CONNECT => {
            while !reader.is_empty() {
                let (n, wire_type) = reader.key()?;
                reader.skip(n, wire_type)?;
            }
            Ok(if number == field::UDS_CONNECT {
                RecordKind::UdsConnect
            } else {
                RecordKind::WebSocketConnect
            })
        }
        field::MQTT_CONNECT | field::STOMP_CONNECT => {
            let (mut version, mut destination) = (0u64, None);
            while !reader.is_empty() {
                match reader.key()? {
                    (1, WireType::Varint) => version = reader.varint()?,
                    (2, WireType::Len) => destination = Some(reader.len_delimited()?),
                    (n, wire_type) => reader.skip(n, wire_type)?,
                }
            }
            let value = enum_value(version);
            if number == field::MQTT_CONNECT {
                let topic = text(&reader, destination, "subscribed_topic")?.unwrap_or_default();
                let version =
                    MqttVersion::from_i32(value).ok_or(RecordError::UnknownEnumValue {
                        field: "version",
                        value,
                    })?;
                Ok(RecordKind::MqttConnect(MqttConnect::new(version, topic)))
            } else {
                let dest =
                    text(&reader, destination, "subscribed_destination")?.unwrap_or_default();
                let version =
                    StompVersion::from_i32(value).ok_or(RecordError::UnknownEnumValue {
                        field: "version",
                        value,
                    })?;
                Ok(RecordKind::StompConnect(StompConnect::new(version, dest)))
            }
            .and_then(|kind| kind.validate().map(|()| kind))
        }
        field::DISCONNECT => {
            let (mut reason, mut code) = (None, 0u32);
            while !reader.is_empty() {
                match reader.key()? {
                    (1, WireType::Len) => reason = Some(reader.len_delimited()?),
                    (2, WireType::I32) => code = reader.fixed32()?,
                    (n, wire_type) => reader.skip(n, wire_type)?,
                }
            }
            let reason = text(&reader, reason, "reason")?.unwrap_or_default();
            Ok(RecordKind::Disconnect(Disconnect::new(
                ErrorCode::new(code),
                reason,
            )))
        }
        // The caller only passes record_type field numbers 7 to 13.
        _ => Err(RecordError::Malformed {
            offset,
            kind: crate::Malformed::InvalidFieldNumber,
        }),
    }
}
