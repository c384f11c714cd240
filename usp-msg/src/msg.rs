//! `Msg`: a header and a body.

use std::borrow::Cow;

use usp_record::__private::wire;

use crate::body::BodySlot;
use crate::codec::{self, Encode, Field, nested_size, nested_write};
use crate::decode::Decoder;
use crate::*;

/// A USP Message (specification section "Messages"): an identifier, and a body holding a
/// request, a response or an Error.
///
/// Strings of a decoded Message borrow the input, so decoding copies nothing;
/// [`into_owned`](Msg::into_owned) detaches it when it must outlive the input.
///
/// ```
/// use usp_msg::{Body, Get, Msg, MsgType, Request};
///
/// let get = Msg::request("req-1", Get::new(["Device.DeviceInfo."]).max_depth(2));
/// let wire = get.encode_to_vec();
///
/// let back = Msg::decode(&wire)?;
/// assert_eq!(back.msg_id(), "req-1");
/// assert_eq!(back.msg_type(), MsgType::GET);
/// match back.body() {
///     Body::Request(Request::Get(g)) => assert_eq!(g.max_depth, 2),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), usp_msg::DecodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg<'a> {
    msg_id: Cow<'a, str>,
    body: Body<'a>,
    /// `msg_type` as the header said, which may disagree with the body (R-MSG.10).
    header_msg_type: MsgType,
}

impl<'a> Msg<'a> {
    /// A Message with this identifier and body; the header's `msg_type` follows the body.
    pub fn new(msg_id: impl Into<Cow<'a, str>>, body: Body<'a>) -> Self {
        let header_msg_type = body.msg_type();
        Self {
            msg_id: msg_id.into(),
            body,
            header_msg_type,
        }
    }

    /// A request Message.
    pub fn request(msg_id: impl Into<Cow<'a, str>>, request: impl Into<Request<'a>>) -> Self {
        Self::new(msg_id, Body::Request(request.into()))
    }

    /// A response Message; `msg_id` must be the request's (R-MSG.9).
    pub fn response(msg_id: impl Into<Cow<'a, str>>, response: impl Into<Response<'a>>) -> Self {
        Self::new(msg_id, Body::Response(response.into()))
    }

    /// An Error Message answering the request `msg_id`.
    pub fn error(msg_id: impl Into<Cow<'a, str>>, error: UspError<'a>) -> Self {
        Self::new(msg_id, Body::Error(error))
    }

    /// The Message identifier.
    pub fn msg_id(&self) -> &str {
        &self.msg_id
    }

    /// The body.
    pub fn body(&self) -> &Body<'a> {
        &self.body
    }

    /// Takes the body out of the Message.
    pub fn into_body(self) -> Body<'a> {
        self.body
    }

    /// The kind of Message, as the body says (R-MSG.10: the body wins over the header).
    pub fn msg_type(&self) -> MsgType {
        self.body.msg_type()
    }

    /// The `msg_type` the header carried when decoded (for built Messages, the body's).
    pub fn header_msg_type(&self) -> MsgType {
        self.header_msg_type
    }

    /// Sets the header's `msg_type` as received (JSON input mirrors the wire).
    #[cfg(feature = "json")]
    pub(crate) fn with_header_msg_type(mut self, msg_type: MsgType) -> Self {
        self.header_msg_type = msg_type;
        self
    }

    /// Fails when the header's `msg_type` disagrees with the body. Decoding accepts such a
    /// Message, as R-MSG.10 says the body is right; this is for receivers that want to log
    /// or refuse the inconsistency.
    pub fn check_msg_type(&self) -> Result<(), MsgTypeMismatch> {
        if self.header_msg_type == self.msg_type() {
            Ok(())
        } else {
            Err(MsgTypeMismatch {
                header: self.header_msg_type,
                body: self.msg_type(),
            })
        }
    }

    /// The request, when the body holds one.
    pub fn as_request(&self) -> Option<&Request<'a>> {
        match &self.body {
            Body::Request(r) => Some(r),
            _ => None,
        }
    }

    /// The response, when the body holds one.
    pub fn as_response(&self) -> Option<&Response<'a>> {
        match &self.body {
            Body::Response(r) => Some(r),
            _ => None,
        }
    }

    /// The Error, when the body holds one.
    pub fn as_error(&self) -> Option<&UspError<'a>> {
        match &self.body {
            Body::Error(e) => Some(e),
            _ => None,
        }
    }

    /// Whether this is a response or Error answering the request whose identifier is
    /// `request_msg_id` (R-MSG.9: anything else must be ignored by the requester).
    pub fn answers(&self, request_msg_id: &str) -> bool {
        !matches!(self.body, Body::Request(_)) && self.msg_id == request_msg_id
    }

    /// Converts every borrowed string into an owned one, so the Message no longer borrows
    /// the decoded input.
    pub fn into_owned(self) -> Msg<'static> {
        Msg {
            msg_id: Cow::Owned(self.msg_id.into_owned()),
            body: self.body.into_owned(),
            header_msg_type: self.header_msg_type,
        }
    }

    /// Decodes a Message; its strings borrow `input`.
    ///
    /// Unknown fields are skipped and enumeration values the schema does not define are
    /// kept (see [`MsgType::is_known`]), as protobuf requires. A missing header, body,
    /// `msg_id` or body member is a [`DecodeError`] naming the field. The function never
    /// panics on any input.
    pub fn decode(input: &'a [u8]) -> Result<Self, DecodeError> {
        let mut d = Decoder::new(input);
        let mut header: Option<HeaderSlot<'a>> = None;
        let mut body: Option<Option<BodySlot<'a>>> = None;
        while let Some(key) = d.next_key()? {
            match key {
                // header: repeated occurrences merge.
                0x0a => header.get_or_insert_with(Default::default).decode(&mut d)?,
                // body
                0x12 => BodySlot::decode(body.get_or_insert(None), &mut d)?,
                _ => d.skip(key)?,
            }
        }
        let header = header.ok_or(DecodeError::MissingField("header"))?;
        if header.msg_id.is_empty() {
            return Err(DecodeError::MissingField("msg_id"));
        }
        let body = match body.ok_or(DecodeError::MissingField("body"))? {
            Some(BodySlot::Request(Some(r))) => Body::Request(r),
            Some(BodySlot::Request(None)) => return Err(DecodeError::UnknownBody("req_type")),
            Some(BodySlot::Response(Some(r))) => Body::Response(r),
            Some(BodySlot::Response(None)) => return Err(DecodeError::UnknownBody("resp_type")),
            Some(BodySlot::Error(e)) => Body::Error(e),
            None => return Err(DecodeError::MissingField("msg_body")),
        };
        Ok(Self {
            msg_id: header.msg_id,
            body,
            header_msg_type: header.msg_type,
        })
    }

    /// The encoded Message. Fields are written in field-number order and proto3 defaults
    /// are left out, as the reference implementations do.
    pub fn encode_to_vec(&self) -> Vec<u8> {
        codec::encode_to_vec(&self.as_slot())
    }

    /// The encoded Message as [`bytes::Bytes`], ready for a Record payload.
    pub fn to_bytes(&self) -> bytes::Bytes {
        bytes::Bytes::from(self.encode_to_vec())
    }

    /// The length of the encoded Message.
    pub fn encoded_len(&self) -> usize {
        self.as_slot().size(&mut Vec::new())
    }

    fn as_slot(&self) -> MsgRef<'_, 'a> {
        MsgRef(self)
    }
}

/// The `Header` message as decoded.
#[derive(Default)]
struct HeaderSlot<'a> {
    msg_id: Cow<'a, str>,
    msg_type: MsgType,
}

impl<'a> HeaderSlot<'a> {
    /// Decodes a `Header` message, the body of the next length-delimited field, merging
    /// it into `self`.
    fn decode(&mut self, d: &mut Decoder<'a>) -> Result<(), DecodeError> {
        d.nested(|d| {
            while let Some(key) = d.next_key()? {
                match key >> 3 {
                    1 => self.msg_id.decode(d, key, "msg_id")?,
                    2 => self.msg_type.decode(d, key, "msg_type")?,
                    _ => d.skip(key)?,
                }
            }
            Ok(())
        })
    }
}

/// A `Msg` seen as the wire message, for encoding without copying it. The header's
/// `msg_type` is always the body's on encode.
struct MsgRef<'m, 'a>(&'m Msg<'a>);

impl MsgRef<'_, '_> {
    fn header_len(&self) -> usize {
        wire::opt_len_field_len(1, self.0.msg_id.len())
            + wire::opt_varint_field_len(2, i64::from(self.0.msg_type().as_i32()) as u64)
    }
}

impl Encode for MsgRef<'_, '_> {
    fn size(&self, sizes: &mut Vec<u32>) -> usize {
        wire::len_field_len(1, self.header_len()) + nested_size(2, &self.0.body, sizes)
    }

    fn write(&self, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
        let msg = self.0;
        wire::put_len_header(out, 1, self.header_len());
        wire::put_opt_bytes(out, 1, msg.msg_id.as_bytes());
        wire::put_opt_varint(out, 2, i64::from(msg.msg_type().as_i32()) as u64);
        nested_write(2, &msg.body, out, sizes, next);
    }
}
