//! JSON building blocks: an ordered output tree with its writers, the readers of scalar
//! values with protobuf's JSON rules, base64, field names and object walking.

use std::borrow::Cow;
use std::ops::Range;

use serde_json::{Map, Value};

use super::JsonOptions;
use super::error::{JsonError, JsonErrorKind, Path};

/// A JSON value being output, with object members in field-number order (a
/// `serde_json::Map` sorts its keys unless serde_json's `preserve_order` feature is on).
#[derive(Debug)]
pub(crate) enum Out<'s> {
    Str(Cow<'s, str>),
    U64(u64),
    I64(i64),
    Bool(bool),
    Arr(Vec<Self>),
    Obj(Vec<(Cow<'s, str>, Self)>),
}

impl Out<'_> {
    pub(crate) fn into_value(self) -> Value {
        match self {
            Out::Str(s) => Value::String(s.into_owned()),
            Out::U64(n) => Value::from(n),
            Out::I64(n) => Value::from(n),
            Out::Bool(b) => Value::Bool(b),
            Out::Arr(items) => Value::Array(items.into_iter().map(Out::into_value).collect()),
            Out::Obj(members) => {
                let mut map = Map::new();
                for (k, v) in members {
                    map.insert(k.into_owned(), v.into_value());
                }
                Value::Object(map)
            }
        }
    }

    /// Writes compact JSON (no whitespace, non-ASCII as UTF-8).
    pub(crate) fn write_compact(&self, out: &mut String) {
        match self {
            Out::Str(s) => write_str(out, s, false),
            Out::U64(n) => out.push_str(&n.to_string()),
            Out::I64(n) => out.push_str(&n.to_string()),
            Out::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Out::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_compact(out);
                }
                out.push(']');
            }
            Out::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, k, false);
                    out.push(':');
                    v.write_compact(out);
                }
                out.push('}');
            }
        }
    }

    /// Writes JSON as Python's `json.dumps(obj, indent=2)` does, which is what protobuf's
    /// `json_format.MessageToJson` returns: two-space indentation, `": "` after keys, and
    /// non-ASCII characters escaped as `\uXXXX`.
    pub(crate) fn write_pretty(&self, out: &mut String, level: usize) {
        match self {
            Out::Arr(items) if !items.is_empty() => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i > 0 { ",\n" } else { "\n" });
                    indent(out, level + 1);
                    item.write_pretty(out, level + 1);
                }
                out.push('\n');
                indent(out, level);
                out.push(']');
            }
            Out::Obj(members) if !members.is_empty() => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    out.push_str(if i > 0 { ",\n" } else { "\n" });
                    indent(out, level + 1);
                    write_str(out, k, true);
                    out.push_str(": ");
                    v.write_pretty(out, level + 1);
                }
                out.push('\n');
                indent(out, level);
                out.push('}');
            }
            Out::Str(s) => write_str(out, s, true),
            other => other.write_compact(out),
        }
    }
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// A JSON string literal; `ascii` escapes every non-ASCII character as Python does.
fn write_str(out: &mut String, s: &str, ascii: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let unit = |out: &mut String, u: u16| {
        out.push_str("\\u");
        for shift in [12, 8, 4, 0] {
            out.push(char::from(HEX[usize::from((u >> shift) & 0xf)]));
        }
    };
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => unit(out, c as u16),
            c if ascii && !c.is_ascii() => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    unit(out, *u);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The lowerCamelCase JSON name of a proto field name, as protoc derives `json_name`.
pub(crate) fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `key` is `name`'s JSON name (without building it).
fn is_camel_of(key: &str, name: &str) -> bool {
    let mut key = key.chars();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
            continue;
        }
        let want = if upper { c.to_ascii_uppercase() } else { c };
        upper = false;
        if key.next() != Some(want) {
            return false;
        }
    }
    key.next().is_none()
}

/// The output key of field `name`.
pub(crate) fn key(name: &'static str, o: &JsonOptions) -> Cow<'static, str> {
    if o.proto_names || !name.contains('_') {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(camel(name))
    }
}

/// The members of JSON object `v` that name fields of a message, as `(index in names, key
/// as given, value)`, in input order and without `null` ones (`null` means "default").
///
/// Fails on an unknown key (unless ignored), on a field given under both of its names,
/// and on two members of the oneof whose members are `names[oneof.1]`.
pub(crate) fn fields<'v>(
    v: &'v Value,
    path: &Path<'_>,
    o: &JsonOptions,
    message: &'static str,
    names: &[&'static str],
    oneof: Option<(&'static str, Range<usize>)>,
) -> Result<Vec<(usize, &'v str, &'v Value)>, JsonError> {
    let Value::Object(map) = v else {
        return Err(path.err(JsonErrorKind::ExpectedObject));
    };
    let mut found: Vec<(usize, &'v str, &'v Value)> = Vec::with_capacity(map.len());
    let mut seen = 0u64;
    for (k, value) in map {
        let Some(index) = names.iter().position(|n| n == k || is_camel_of(k, n)) else {
            if o.ignore_unknown_fields {
                continue;
            }
            return Err(path.key(k).err(JsonErrorKind::UnknownField { message }));
        };
        if seen & (1 << index) != 0 {
            return Err(path.key(k).err(JsonErrorKind::DuplicateField));
        }
        seen |= 1 << index;
        if value.is_null() {
            continue;
        }
        if let Some((oneof_name, members)) = &oneof
            && members.contains(&index)
            && found.iter().any(|(i, _, _)| members.contains(i))
        {
            return Err(path
                .key(k)
                .err(JsonErrorKind::MultipleOneofMembers(oneof_name)));
        }
        found.push((index, k, value));
    }
    Ok(found)
}

pub(crate) fn read_str(v: &Value, path: &Path<'_>) -> Result<String, JsonError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        _ => Err(path.err(JsonErrorKind::ExpectedString)),
    }
}

pub(crate) fn read_bool(v: &Value, path: &Path<'_>) -> Result<bool, JsonError> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(path.err(JsonErrorKind::ExpectedBool)),
    }
}

/// An integer as protobuf's JSON parsers accept it: a JSON number with an integral value,
/// or a string holding a decimal integer or an integral float (`"12"`, `"1e3"`).
pub(crate) fn read_int(v: &Value, path: &Path<'_>) -> Result<i128, JsonError> {
    let not_int = || path.err(JsonErrorKind::ExpectedInteger);
    match v {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Ok(i128::from(u))
            } else if let Some(i) = n.as_i64() {
                Ok(i128::from(i))
            } else {
                n.as_f64().and_then(integral).ok_or_else(not_int)
            }
        }
        Value::String(s) => {
            if s.contains(' ') || s.is_empty() {
                return Err(not_int());
            }
            let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                // At most 39 digits fit an i128; longer is out of range for every field.
                return s.parse::<i128>().or(Ok(i128::MAX));
            }
            s.parse::<f64>().ok().and_then(integral).ok_or_else(not_int)
        }
        _ => Err(not_int()),
    }
}

fn integral(f: f64) -> Option<i128> {
    // Finite values up to 2^127 convert exactly; beyond, the value is out of range anyway.
    (f.is_finite() && f.fract() == 0.0).then(|| f.clamp(-1e38, 1e38) as i128)
}

pub(crate) fn read_u32(
    v: &Value,
    path: &Path<'_>,
    type_name: &'static str,
) -> Result<u32, JsonError> {
    u32::try_from(read_int(v, path)?).map_err(|_| path.err(JsonErrorKind::OutOfRange(type_name)))
}

pub(crate) fn read_u64(v: &Value, path: &Path<'_>) -> Result<u64, JsonError> {
    u64::try_from(read_int(v, path)?).map_err(|_| path.err(JsonErrorKind::OutOfRange("uint64")))
}

/// An enumeration value: its name, or its number (as a number or a string). `Ok(None)` for
/// an unknown name when unknown fields are ignored, as protobuf's parsers do.
pub(crate) fn read_enum(
    v: &Value,
    path: &Path<'_>,
    o: &JsonOptions,
    enum_type: &'static str,
    by_name: impl Fn(&str) -> Option<i32>,
) -> Result<Option<i32>, JsonError> {
    if let Value::String(s) = v
        && let Some(n) = by_name(s)
    {
        return Ok(Some(n));
    }
    match read_int(v, path) {
        Ok(n) => i32::try_from(n)
            .map(Some)
            .map_err(|_| path.err(JsonErrorKind::OutOfRange("enum"))),
        Err(_) => match v {
            Value::String(_) if o.ignore_unknown_fields => Ok(None),
            Value::String(s) => Err(path.err(JsonErrorKind::UnknownEnumName {
                name: s.clone(),
                enum_type,
            })),
            _ => Err(path.err(JsonErrorKind::UnknownEnumName {
                name: v.to_string(),
                enum_type,
            })),
        },
    }
}

pub(crate) fn read_array<'v>(v: &'v Value, path: &Path<'_>) -> Result<&'v [Value], JsonError> {
    match v {
        Value::Array(items) => Ok(items),
        _ => Err(path.err(JsonErrorKind::ExpectedArray)),
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, as protobuf outputs `bytes`.
pub(crate) fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 in the standard or the URL-safe alphabet, with or without padding.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches('=');
    let padding = text.len() - body.len();
    if padding > 2 || (padding > 0 && !text.len().is_multiple_of(4)) || body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in body.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = acc << 6 | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

pub(crate) fn read_bytes(v: &Value, path: &Path<'_>) -> Result<Vec<u8>, JsonError> {
    match v {
        Value::String(s) => base64_decode(s).ok_or_else(|| path.err(JsonErrorKind::InvalidBase64)),
        _ => Err(path.err(JsonErrorKind::ExpectedString)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_names() {
        assert_eq!(camel("msg_id"), "msgId");
        assert_eq!(camel("payloadrec_sar_state"), "payloadrecSarState");
        assert_eq!(camel("header"), "header");
        assert!(is_camel_of("getSupportedDm", "get_supported_dm"));
        assert!(!is_camel_of("getSupportedDM", "get_supported_dm"));
        assert!(!is_camel_of("msgI", "msg_id"));
        assert!(!is_camel_of("msgIdx", "msg_id"));
    }

    #[test]
    fn base64_round_trip() {
        for len in 0..10 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 250) as u8).collect();
            let text = base64_encode(&data);
            assert_eq!(base64_decode(&text).unwrap(), data);
            assert_eq!(base64_decode(text.trim_end_matches('=')).unwrap(), data);
            let url: String = text.replace('+', "-").replace('/', "_");
            assert_eq!(base64_decode(&url).unwrap(), data);
        }
        assert_eq!(base64_encode(b"\xfb\xff"), "+/8=");
        assert_eq!(base64_decode("-_8").unwrap(), b"\xfb\xff");
        assert!(base64_decode("A").is_none());
        assert!(base64_decode("AB=").is_none());
        assert!(base64_decode("AB===").is_none());
        assert!(base64_decode("A*BC").is_none());
    }

    #[test]
    fn integers() {
        let p = Path::Root;
        let int = |v: Value| read_int(&v, &p).ok();
        assert_eq!(int(Value::from(5)), Some(5));
        assert_eq!(int(Value::from(5.0)), Some(5));
        assert_eq!(int(Value::from(5.5)), None);
        assert_eq!(int(Value::from("12")), Some(12));
        assert_eq!(int(Value::from("+12")), Some(12));
        assert_eq!(int(Value::from("-3")), Some(-3));
        assert_eq!(int(Value::from("1e3")), Some(1000));
        assert_eq!(int(Value::from("1.5")), None);
        assert_eq!(int(Value::from(" 1")), None);
        assert_eq!(int(Value::from("")), None);
        assert_eq!(int(Value::from(true)), None);
        assert_eq!(
            int(Value::from("18446744073709551615")),
            Some(i128::from(u64::MAX))
        );
    }

    #[test]
    fn pretty_matches_python() {
        let out = Out::Obj(vec![
            ("a".into(), Out::Str("é😀\u{1}".into())),
            ("b".into(), Out::Arr(vec![Out::U64(1), Out::Bool(true)])),
            ("c".into(), Out::Obj(vec![])),
            ("d".into(), Out::Arr(vec![])),
        ]);
        let mut s = String::new();
        out.write_pretty(&mut s, 0);
        assert_eq!(
            s,
            "{\n  \"a\": \"\\u00e9\\ud83d\\ude00\\u0001\",\n  \"b\": [\n    1,\n    true\n  ],\n  \"c\": {},\n  \"d\": []\n}"
        );
        let mut c = String::new();
        out.write_compact(&mut c);
        assert_eq!(c, "{\"a\":\"é😀\\u0001\",\"b\":[1,true],\"c\":{},\"d\":[]}");
    }
}
