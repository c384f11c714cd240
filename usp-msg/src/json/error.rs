//! Why a JSON document could not be read as a Message or a Record, and where.

use std::fmt;

use usp_record::RecordError;

/// A JSON document that is not a valid Message or Record: what was wrong, and the JSON path
/// of the offending value.
///
/// The path uses the keys as the input spelled them (`msgId` or `msg_id`), `[n]` for the
/// n-th element of an array and `["key"]` for an entry of a map; it is empty for the
/// document itself. [`Display`](fmt::Display) shows `path: what`:
///
/// ```
/// use usp_msg::json::{self, JsonErrorKind, JsonOptions};
///
/// let doc = r#"{"header": {"msg_id": "1", "msg_type": "GET"},
///               "body": {"request": {"get": {"max_depth": "deep"}}}}"#;
/// let err = json::msg_from_str(doc, &JsonOptions::default()).unwrap_err();
/// assert_eq!(err.path(), "body.request.get.max_depth");
/// assert!(matches!(err.kind(), JsonErrorKind::ExpectedInteger));
/// assert_eq!(err.to_string(), "body.request.get.max_depth: expected an integer (a number or a numeric string)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    path: String,
    kind: JsonErrorKind,
}

impl JsonError {
    pub(crate) fn new(path: String, kind: JsonErrorKind) -> Self {
        Self { path, kind }
    }

    /// The JSON path of the offending value (empty for the whole document).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What was wrong.
    pub fn kind(&self) -> &JsonErrorKind {
        &self.kind
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.path, self.kind)
        }
    }
}

impl std::error::Error for JsonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

/// What was wrong with a JSON value; see [`JsonError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// The text is not JSON at all.
    #[error("invalid JSON: {0}")]
    Syntax(String),
    /// A message (a JSON object) was expected.
    #[error("expected an object")]
    ExpectedObject,
    /// A repeated field (a JSON array) was expected.
    #[error("expected an array")]
    ExpectedArray,
    /// A string field was expected to be a JSON string.
    #[error("expected a string")]
    ExpectedString,
    /// A `bool` field was expected to be `true` or `false` (without quotes).
    #[error("expected true or false")]
    ExpectedBool,
    /// An integer field was expected to be an integral number, or a string holding one.
    #[error("expected an integer (a number or a numeric string)")]
    ExpectedInteger,
    /// An integer is outside the range of its field's type.
    #[error("integer out of range for {0}")]
    OutOfRange(&'static str),
    /// An enumeration field holds a name its type does not define (nor a number).
    #[error("`{name}` is not a value of enum {enum_type}")]
    UnknownEnumName {
        /// The name given.
        name: String,
        /// The schema's full name of the enumeration (`usp.Header.MsgType`).
        enum_type: &'static str,
    },
    /// A `bytes` field is not base64 (standard or URL-safe alphabet, padded or not).
    #[error("invalid base64")]
    InvalidBase64,
    /// The key names no field of the message (and unknown fields are not ignored; see
    /// [`JsonOptions::ignore_unknown_fields`](super::JsonOptions::ignore_unknown_fields)).
    #[error("message {message} has no field of this name")]
    UnknownField {
        /// The schema's full name of the message (`usp.Get`).
        message: &'static str,
    },
    /// The same field appears twice, under its proto name and its JSON (lowerCamelCase)
    /// name.
    #[error("field given twice (under its proto name and its JSON name)")]
    DuplicateField,
    /// Two members of the same `oneof` are set.
    #[error("more than one member of oneof {0} is set")]
    MultipleOneofMembers(&'static str),
    /// `null` as an element of a repeated field.
    #[error("null is not allowed as an element of a repeated field")]
    NullElement,
    /// A field that a Message must have is absent or empty: `header`, `msg_id`, `body`.
    #[error("required field is missing")]
    MissingField,
    /// No member of a required `oneof` (`msg_body`, `req_type`, `resp_type`) is set.
    #[error("no member of oneof {0} is set")]
    MissingOneof(&'static str),
    /// The values make no valid Record (a missing or malformed `version` or Endpoint ID,
    /// an empty payload, an enumeration value the Record schema does not define, ...).
    #[error("invalid Record: {0}")]
    Record(#[source] RecordError),
}

/// A JSON path, built on the stack while parsing and rendered only for an error.
#[derive(Clone, Copy)]
pub(crate) enum Path<'p> {
    Root,
    Key(&'p Self, &'p str),
    Index(&'p Self, usize),
    MapKey(&'p Self, &'p str),
}

impl<'p> Path<'p> {
    pub(crate) fn key(&'p self, key: &'p str) -> Self {
        Path::Key(self, key)
    }

    pub(crate) fn index(&'p self, index: usize) -> Self {
        Path::Index(self, index)
    }

    pub(crate) fn map_key(&'p self, key: &'p str) -> Self {
        Path::MapKey(self, key)
    }

    /// An error at this path.
    pub(crate) fn err(&self, kind: JsonErrorKind) -> JsonError {
        let mut out = String::new();
        self.render(&mut out);
        JsonError::new(out, kind)
    }

    fn render(&self, out: &mut String) {
        match *self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.render(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Path::Index(parent, index) => {
                parent.render(out);
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
            Path::MapKey(parent, key) => {
                parent.render(out);
                out.push('[');
                out.push_str(&serde_json::Value::from(key).to_string());
                out.push(']');
            }
        }
    }
}
