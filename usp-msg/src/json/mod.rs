//! Canonical protobuf JSON for Messages and Records, both ways (feature `json`).
//!
//! This is the proto3 JSON mapping, field for field as protobuf's own `json_format`
//! produces it (Python `MessageToDict` / `MessageToJson`, what cloud rules engines emit and
//! data pipelines ingest), for every message of `usp-msg.proto` and `usp-record.proto`:
//!
//! | protobuf | JSON out | JSON in |
//! |---|---|---|
//! | field names | proto names (`msg_id`) or lowerCamelCase (`msgId`), see [`JsonOptions`] | both, always |
//! | default values (`""`, `0`, `false`, enum 0, empty list or map) | left out | `null` or absent |
//! | `string` member of a oneof, set but empty | `""` | `""` |
//! | message member of a oneof, empty | `{}` | `{}` |
//! | `enum` | the value's name; its number when the schema does not define it | name, number, or numeric string |
//! | `uint64` (session context ids) | decimal string (`"42"`) | string or number |
//! | `fixed32` (error codes, `max_depth`) | number | number or numeric string |
//! | `bytes` (payloads, `mac_signature`) | standard base64 with padding | standard or URL-safe base64, padded or not |
//! | `map<string, string>` | object | object |
//!
//! Unknown JSON fields are refused, as `json_format` does by default, unless
//! [`JsonOptions::ignore_unknown_fields`] is set (which also turns an unknown enum name
//! into the field's default, like protobuf's option of the same name). Errors are
//! [`JsonError`]s naming the JSON path of the offending value.
//!
//! Input is slightly stricter than Python's `json_format.Parse` in two corners where that
//! one silently guesses: a field given under both its names (`msg_id` and `msgId`) is a
//! [`JsonErrorKind::DuplicateField`] rather than "the later key wins", and base64 with
//! characters outside both alphabets is refused rather than having them skipped.
//!
//! ```
//! use usp_msg::json::{self, JsonOptions};
//! use usp_msg::{Get, Msg};
//!
//! let msg = Msg::request("get-1", Get::new(["Device.DeviceInfo."]).max_depth(1));
//! let options = JsonOptions::default();
//! let text = json::msg_to_string(&msg, &options);
//! assert_eq!(
//!     text,
//!     r#"{"header":{"msg_id":"get-1","msg_type":"GET"},"body":{"request":{"get":{"param_paths":["Device.DeviceInfo."],"max_depth":1}}}}"#
//! );
//!
//! // The protobuf default, lowerCamelCase names: both forms read back.
//! let camel = JsonOptions::default().preserving_proto_field_names(false);
//! let value = json::msg_to_value(&msg, &camel);
//! assert_eq!(value["body"]["request"]["get"]["paramPaths"][0], "Device.DeviceInfo.");
//! assert_eq!(json::msg_from_value(&value, &options)?, msg);
//! assert_eq!(json::msg_from_str(&text, &options)?, msg);
//! # Ok::<(), usp_msg::json::JsonError>(())
//! ```
//!
//! # Messages
//!
//! A [`Msg`] is `{"header": {"msg_id": ..., "msg_type": ...}, "body": {...}}`. The
//! header's `msg_type` is output as the Message carries it
//! ([`Msg::header_msg_type`]): for a decoded Message, what the header said on the wire,
//! even when it disagrees with the body (the body wins, R-MSG.10, and encoding always
//! writes the body's type); for a built one, the body's type. Reading JSON keeps the
//! `msg_type` given in the same way, so JSON mirrors the wire both ways. A Message needs a
//! `header` with a non-empty `msg_id` and a `body` with one member set, as
//! [`Msg::decode`] does.
//!
//! A map key a peer sent twice appears once, with the last value (protobuf keeps the last).
//! A wrapper message holding only a oneof (`oper_status`) that is present but empty on
//! the wire decodes as absent, so it is output as absent, not as `{}`.
//!
//! # Records
//!
//! A [`Record`] is `{"version": "1.3", "to_id": ..., "from_id": ..., "<record type>":
//! {...}}` with `payload_security`, `mac_signature`, `sender_cert`, `originator_id` and
//! `destination_id` when set. A `no_session_context` payload is base64; the
//! `session_context` ids are strings and its `payload` a list of base64 strings. Reading a
//! Record applies the rules of [`Record::decode`]: what it refuses (no `version`, an
//! invalid Endpoint ID, an empty payload, an enumeration number the Record schema does not
//! define, ...) is a [`JsonErrorKind::Record`] error.
//!
//! ```
//! use usp_msg::json::{self, JsonOptions};
//! use usp_record::Record;
//!
//! let record = Record::no_session_context(
//!     "self::controller".parse()?,
//!     "os::00256D-0123456789".parse()?,
//!     &b"\x0a\x06\x0a\x02id\x10\x01"[..],
//! )?;
//! let value = json::record_to_value(&record, &JsonOptions::default());
//! assert_eq!(value["no_session_context"]["payload"], "CgYKAmlkEAE=");
//! assert_eq!(json::record_from_value(&value, &JsonOptions::default())?, record);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Text
//!
//! [`msg_to_string`] and [`record_to_string`] write fields in field-number order, as
//! protobuf does: compact by default, or with [`JsonOptions::pretty`] exactly the text of
//! Python's `json_format.MessageToJson` (two-space indentation, non-ASCII escaped). The
//! `serde_json::Value` of [`msg_to_value`] holds the same members; its key order is that of
//! `serde_json::Map` (sorted, unless serde_json's `preserve_order` feature is on).

mod error;
mod msg;
mod record;
mod schema;
mod value;

use serde_json::Value;
use usp_record::Record;

pub use error::{JsonError, JsonErrorKind};

use crate::Msg;

/// How Messages and Records are written to JSON and read from it.
///
/// The default writes field names as in the `.proto` files (`msg_id`), as protobuf's
/// `preserving_proto_field_name=True` does: that is the form the operator pipelines this
/// feature was made for ingest (and the form of the captures in the repository's
/// `fixtures/`). protobuf's own default is lowerCamelCase (`msgId`): set
/// [`preserving_proto_field_names(false)`](Self::preserving_proto_field_names)
/// for it. Reading accepts both names whatever the options.
///
/// ```
/// use usp_msg::json::JsonOptions;
///
/// let options = JsonOptions::default()
///     .preserving_proto_field_names(false)
///     .ignore_unknown_fields(true)
///     .pretty(true);
/// # drop(options);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct JsonOptions {
    proto_names: bool,
    ignore_unknown_fields: bool,
    pretty: bool,
}

impl Default for JsonOptions {
    fn default() -> Self {
        Self {
            proto_names: true,
            ignore_unknown_fields: false,
            pretty: false,
        }
    }
}

impl JsonOptions {
    /// The default options: proto field names, unknown fields refused, compact text.
    pub fn new() -> Self {
        Self::default()
    }

    /// Output field names as in the `.proto` files (`true`, the default: `msg_id`) or as
    /// their lowerCamelCase JSON names (`false`: `msgId`, protobuf's default). Input
    /// accepts both either way.
    #[must_use]
    pub fn preserving_proto_field_names(mut self, yes: bool) -> Self {
        self.proto_names = yes;
        self
    }

    /// On input, skip JSON fields the schema does not have, and read an enumeration name
    /// it does not define as the field's default (`false`, the default, refuses both, as
    /// protobuf's `ignore_unknown_fields=False`).
    #[must_use]
    pub fn ignore_unknown_fields(mut self, yes: bool) -> Self {
        self.ignore_unknown_fields = yes;
        self
    }

    /// Text output indented as Python's `json_format.MessageToJson` does (`true`), or
    /// compact (`false`, the default). Values and input are not affected.
    #[must_use]
    pub fn pretty(mut self, yes: bool) -> Self {
        self.pretty = yes;
        self
    }

    fn write(&self, out: value::Out<'_>) -> String {
        let mut text = String::new();
        if self.pretty {
            out.write_pretty(&mut text, 0);
        } else {
            out.write_compact(&mut text);
        }
        text
    }
}

/// The JSON of a Message, as protobuf's `MessageToDict` gives it.
pub fn msg_to_value(msg: &Msg<'_>, options: &JsonOptions) -> Value {
    msg::msg_to_out(msg, options).into_value()
}

/// The JSON text of a Message, fields in field-number order (see [`JsonOptions::pretty`]).
pub fn msg_to_string(msg: &Msg<'_>, options: &JsonOptions) -> String {
    options.write(msg::msg_to_out(msg, options))
}

/// Reads a Message from its JSON (either field name style).
pub fn msg_from_value(value: &Value, options: &JsonOptions) -> Result<Msg<'static>, JsonError> {
    msg::msg_from_json(value, options)
}

/// Reads a Message from JSON text (either field name style).
pub fn msg_from_str(text: &str, options: &JsonOptions) -> Result<Msg<'static>, JsonError> {
    msg_from_value(&parse(text)?, options)
}

/// The JSON of a Record, as protobuf's `MessageToDict` gives it (the payload stays
/// base64: see [`record_to_value_with_msg`] to decode it too).
pub fn record_to_value(record: &Record, options: &JsonOptions) -> Value {
    record::record_to_out(record, options).into_value()
}

/// The JSON text of a Record, fields in field-number order (see [`JsonOptions::pretty`]).
pub fn record_to_string(record: &Record, options: &JsonOptions) -> String {
    options.write(record::record_to_out(record, options))
}

/// Reads a Record from its JSON (either field name style), with the checks of
/// [`Record::decode`].
pub fn record_from_value(value: &Value, options: &JsonOptions) -> Result<Record, JsonError> {
    record::record_from_json(value, options)
}

/// Reads a Record from JSON text (either field name style).
pub fn record_from_str(text: &str, options: &JsonOptions) -> Result<Record, JsonError> {
    record_from_value(&parse(text)?, options)
}

/// The JSON of a Record together with the Message its `no_session_context` payload holds:
/// `{"record": <record_to_value>, "msg": <msg_to_value>}`, with `"msg"` left out when the
/// Record carries no such payload or the payload is not a Message (a TLS-protected one,
/// say). This is the shape of one captured exchange, ready for a log or a pipeline.
///
/// ```
/// use usp_msg::json::{self, JsonOptions};
/// use usp_msg::{Get, Msg};
/// use usp_record::Record;
///
/// let msg = Msg::request("1", Get::new(["Device."]));
/// let record = Record::no_session_context(
///     "os::00256D-0123456789".parse()?,
///     "self::controller".parse()?,
///     msg.to_bytes(),
/// )?;
/// let value = json::record_to_value_with_msg(&record, &JsonOptions::default());
/// assert_eq!(value["msg"]["header"]["msg_type"], "GET");
/// assert_eq!(value["record"]["to_id"], "os::00256D-0123456789");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn record_to_value_with_msg(record: &Record, options: &JsonOptions) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("record".into(), record_to_value(record, options));
    if let Some(payload) = record.no_session_context_payload()
        && let Ok(msg) = Msg::decode(payload)
    {
        out.insert("msg".into(), msg_to_value(&msg, options));
    }
    Value::Object(out)
}

fn parse(text: &str) -> Result<Value, JsonError> {
    serde_json::from_str(text)
        .map_err(|e| JsonError::new(String::new(), JsonErrorKind::Syntax(e.to_string())))
}
