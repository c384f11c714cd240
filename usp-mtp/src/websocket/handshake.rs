//! The USP parts of the opening handshake, as pure functions: the `eid` query parameter
//! (R-WS.10b, R-WS.10c), the deprecated `bbf-usp-protocol` extension (R-WS.10a, R-WS.11a)
//! and the `v1.usp` subprotocol (R-WS.9 to R-WS.12a).

use usp_types::EndpointId;

use super::SUBPROTOCOL;

/// The extension name of R-WS.10a and R-WS.11a.
pub(crate) const EXTENSION: &str = "bbf-usp-protocol";

/// Percent-encodes an Endpoint ID for the query component (R-WS.10c): every byte outside
/// the RFC 3986 `unreserved` set and `:` is encoded, `%` included, so that the ID comes back
/// exactly as it was.
pub(crate) fn encode_eid(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for &b in id.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` sequences. A `%` not followed by two hexadecimal digits is kept as it is
/// (lenient: such a value was not encoded by R-WS.10c's rule, so it is taken literally).
/// `+` is not a space here: this is a URI query, not a form.
pub(crate) fn decode_percent(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|c| hex(*c)),
                bytes.get(i + 2).and_then(|c| hex(*c)),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn hex(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Appends `eid=<encoded id>` to a URI's query (R-WS.10b): `&` separates it from an existing
/// query. `uri` has no fragment (WebSocket URIs cannot have one).
pub(crate) fn with_eid_query(uri: &str, id: &EndpointId) -> String {
    let sep = match uri.find('?') {
        None => "?",
        Some(q) if q + 1 == uri.len() || uri.ends_with('&') => "",
        Some(_) => "&",
    };
    format!("{uri}{sep}eid={}", encode_eid(id.as_str()))
}

/// What an `eid` found in a handshake gave.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Eid {
    /// None was sent.
    Absent,
    /// One was sent and is an Endpoint ID.
    Valid(EndpointId),
    /// One was sent but is not an Endpoint ID, even leniently.
    Invalid(String),
}

impl Eid {
    fn from_text(text: String) -> Self {
        match EndpointId::lenient(&text) {
            Ok(id) => Self::Valid(id),
            Err(_) => Self::Invalid(text),
        }
    }
}

/// The `eid` of a request's query (the first one if several are given).
pub(crate) fn eid_from_query(query: Option<&str>) -> Eid {
    let Some(query) = query else {
        return Eid::Absent;
    };
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key == "eid" {
            return match decode_percent(value) {
                Some(text) => Eid::from_text(text),
                None => Eid::Invalid(value.to_owned()),
            };
        }
    }
    Eid::Absent
}

/// The `eid` parameter of a `bbf-usp-protocol` extension in `Sec-WebSocket-Extensions`
/// header values, if that extension is offered.
///
/// Lenient on purpose: deployed Agents send `bbf-usp-protocol; eid="os::00256D-..."`, a
/// quoted string holding `:`, or the same unquoted, which strict RFC 7230 token parsers
/// reject. The values are split at `,` and `;` outside quotes, names compared without
/// regard to case, whitespace trimmed and one pair of surrounding quotes removed (with
/// backslash escapes undone).
///
/// Returns `None` when the extension is not offered, `Some(Eid::Absent)` when it is offered
/// without an `eid`.
pub(crate) fn eid_from_extensions<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Eid> {
    for value in values {
        for extension in split_outside_quotes(value, b',') {
            let mut params = split_outside_quotes(extension, b';').into_iter();
            let name = params.next().unwrap_or("").trim();
            if !name.eq_ignore_ascii_case(EXTENSION) {
                continue;
            }
            for param in params {
                let (key, value) = param.split_once('=').unwrap_or((param, ""));
                if key.trim().eq_ignore_ascii_case("eid") {
                    return Some(Eid::from_text(unquote(value.trim())));
                }
            }
            return Some(Eid::Absent);
        }
    }
    None
}

/// The `Sec-WebSocket-Extensions` value announcing `id` (R-WS.10a for a client, R-WS.11a
/// for a server), quoted as the specification's examples and deployed Endpoints do.
pub(crate) fn extension_value(id: &EndpointId) -> String {
    format!("{EXTENSION}; eid=\"{id}\"")
}

/// Whether `Sec-WebSocket-Protocol` header values offer `v1.usp`.
pub(crate) fn offers_subprotocol<'a>(values: impl IntoIterator<Item = &'a str>) -> bool {
    values
        .into_iter()
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == SUBPROTOCOL)
}

fn split_outside_quotes(s: &str, sep: u8) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, b) in s.bytes().enumerate() {
        if escaped {
            escaped = false;
        } else if quoted && b == b'\\' {
            escaped = true;
        } else if b == b'"' {
            quoted = !quoted;
        } else if b == sep && !quoted {
            parts.push(&s[start..i]);
            start = i + 1;
        }
    }
    parts.push(&s[start..]);
    parts
}

fn unquote(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"') else {
        return s.to_owned();
    };
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> EndpointId {
        EndpointId::lenient(s).unwrap()
    }

    #[test]
    fn r_ws_10c_percent_is_itself_encoded_and_round_trips() {
        assert_eq!(encode_eid("doc::agent%21"), "doc::agent%2521");
        assert_eq!(encode_eid("os::00256D-0123456789"), "os::00256D-0123456789");
        assert_eq!(encode_eid("a b&c=d#e/f"), "a%20b%26c%3Dd%23e%2Ff");
        for s in ["doc::agent%21", "self::x y", "proto::é&ü", "oui:00256D:%%%"] {
            assert_eq!(decode_percent(&encode_eid(s)).as_deref(), Some(s));
        }
    }

    #[test]
    fn r_ws_10b_eid_is_appended_with_an_ampersand() {
        let a = id("doc::agent%21");
        assert_eq!(
            with_eid_query("ws://h/usp", &a),
            "ws://h/usp?eid=doc::agent%2521"
        );
        assert_eq!(
            with_eid_query("ws://h/usp?x=1", &a),
            "ws://h/usp?x=1&eid=doc::agent%2521"
        );
        assert_eq!(
            with_eid_query("ws://h/usp?", &a),
            "ws://h/usp?eid=doc::agent%2521"
        );
    }

    #[test]
    fn the_server_reads_eid_from_the_query() {
        assert_eq!(
            eid_from_query(Some("x=1&eid=doc::agent%2521&eid=other::x")),
            Eid::Valid(id("doc::agent%21"))
        );
        assert_eq!(eid_from_query(Some("x=1")), Eid::Absent);
        assert_eq!(eid_from_query(None), Eid::Absent);
        assert_eq!(
            eid_from_query(Some("eid=nocolon")),
            Eid::Invalid("nocolon".into())
        );
        // A stray percent is taken literally.
        assert_eq!(
            eid_from_query(Some("eid=self::a%zz")),
            Eid::Valid(id("self::a%zz"))
        );
    }

    #[test]
    fn the_deprecated_extension_is_parsed_leniently() {
        let agent = id("os::012345-0123456789AB");
        for header in [
            r#"bbf-usp-protocol; eid="os::012345-0123456789AB""#,
            r#"bbf-usp-protocol;eid=os::012345-0123456789AB"#,
            r#"  BBF-USP-Protocol ;  EID = "os::012345-0123456789AB"  "#,
            r#"permessage-deflate; client_max_window_bits, bbf-usp-protocol; eid="os::012345-0123456789AB""#,
            r#"bbf-usp-protocol; other="a;b,c"; eid="os::012345-0123456789AB""#,
        ] {
            assert_eq!(
                eid_from_extensions([header]),
                Some(Eid::Valid(agent.clone())),
                "{header}"
            );
        }
        assert_eq!(
            eid_from_extensions([
                "permessage-deflate",
                r#"bbf-usp-protocol; eid="self::\"q\"""#
            ]),
            Some(Eid::Valid(id("self::\"q\"")))
        );
        assert_eq!(eid_from_extensions(["bbf-usp-protocol"]), Some(Eid::Absent));
        assert_eq!(eid_from_extensions(["permessage-deflate"]), None);
        assert_eq!(eid_from_extensions([]), None);
        assert_eq!(
            eid_from_extensions([r#"bbf-usp-protocol; eid="""#]),
            Some(Eid::Invalid(String::new()))
        );
        // What this crate sends parses back.
        assert_eq!(
            eid_from_extensions([extension_value(&agent).as_str()]),
            Some(Eid::Valid(agent))
        );
    }

    #[test]
    fn the_subprotocol_must_be_offered() {
        assert!(offers_subprotocol(["v1.usp"]));
        assert!(offers_subprotocol(["chat, v1.usp"]));
        assert!(offers_subprotocol(["chat", " v1.usp "]));
        assert!(!offers_subprotocol(["v1.USP"]));
        assert!(!offers_subprotocol(["v2.usp"]));
        assert!(!offers_subprotocol([]));
    }
}
