//! STOMP 1.2 frames: the command, the headers with their escapes, and the body.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use bytes::{BufMut, Bytes, BytesMut};

use super::codec::FrameError;

/// A STOMP 1.2 command: the first line of a frame.
///
/// ```
/// use usp_mtp::stomp::Command;
///
/// let command: Command = "MESSAGE".parse()?;
/// assert_eq!(command, Command::Message);
/// assert!(command.is_server_command());
/// assert!(Command::Stomp.escapes_headers()); // R-STOMP.4: the endpoint-id is escaped
/// assert!(!Command::Connect.escapes_headers());
/// # Ok::<(), usp_mtp::stomp::FrameError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Command {
    /// `CONNECT`: opens a session (the STOMP 1.0 name).
    Connect,
    /// `STOMP`: opens a session; what USP Endpoints send (R-STOMP.2).
    Stomp,
    /// `CONNECTED`: the server accepted the session.
    Connected,
    /// `SEND`: a message to a destination (R-STOMP.18).
    Send,
    /// `SUBSCRIBE`: receive the messages of a destination (R-STOMP.12).
    Subscribe,
    /// `UNSUBSCRIBE`: end a subscription.
    Unsubscribe,
    /// `BEGIN`: start a transaction (never sent by USP Endpoints, R-STOMP.26).
    Begin,
    /// `COMMIT`: commit a transaction (never sent by USP Endpoints, R-STOMP.26).
    Commit,
    /// `ABORT`: roll a transaction back (never sent by USP Endpoints, R-STOMP.26).
    Abort,
    /// `ACK`: acknowledge a message (never sent by USP Endpoints, R-STOMP.27).
    Ack,
    /// `NACK`: refuse a message (never sent by USP Endpoints, R-STOMP.27).
    Nack,
    /// `DISCONNECT`: close the session gracefully.
    Disconnect,
    /// `MESSAGE`: a message of a subscription, from the server.
    Message,
    /// `RECEIPT`: the server processed a frame that asked for a receipt.
    Receipt,
    /// `ERROR`: something went wrong; the server closes the connection after it.
    Error,
}

impl Command {
    /// Every command, client commands first.
    pub const ALL: [Self; 15] = [
        Self::Connect,
        Self::Stomp,
        Self::Send,
        Self::Subscribe,
        Self::Unsubscribe,
        Self::Begin,
        Self::Commit,
        Self::Abort,
        Self::Ack,
        Self::Nack,
        Self::Disconnect,
        Self::Connected,
        Self::Message,
        Self::Receipt,
        Self::Error,
    ];

    /// The command as written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "CONNECT",
            Self::Stomp => "STOMP",
            Self::Connected => "CONNECTED",
            Self::Send => "SEND",
            Self::Subscribe => "SUBSCRIBE",
            Self::Unsubscribe => "UNSUBSCRIBE",
            Self::Begin => "BEGIN",
            Self::Commit => "COMMIT",
            Self::Abort => "ABORT",
            Self::Ack => "ACK",
            Self::Nack => "NACK",
            Self::Disconnect => "DISCONNECT",
            Self::Message => "MESSAGE",
            Self::Receipt => "RECEIPT",
            Self::Error => "ERROR",
        }
    }

    /// The command spelled by `bytes` (case-sensitive, as STOMP is), if any.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().as_bytes() == bytes)
    }

    /// Whether servers send this command (`CONNECTED`, `MESSAGE`, `RECEIPT`, `ERROR`).
    pub const fn is_server_command(self) -> bool {
        matches!(
            self,
            Self::Connected | Self::Message | Self::Receipt | Self::Error
        )
    }

    /// Whether the headers of this frame use the STOMP 1.2 escapes (`\r`, `\n`, `\c`, `\\`).
    ///
    /// Every frame does except `CONNECT` and `CONNECTED`, which STOMP 1.2 leaves unescaped
    /// for STOMP 1.0 compatibility. The `STOMP` frame is escaped: the specification notes
    /// that the colons of the `endpoint-id` header become `\c` (R-STOMP.4).
    pub const fn escapes_headers(self) -> bool {
        !matches!(self, Self::Connect | Self::Connected)
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Command {
    type Err = FrameError;

    fn from_str(s: &str) -> Result<Self, FrameError> {
        Self::from_bytes(s.as_bytes()).ok_or_else(|| FrameError::invalid_command(s.as_bytes()))
    }
}

/// One STOMP frame: a [`Command`], headers in order, and a body.
///
/// Headers are kept as sent, repeats included; [`header`](Self::header) returns the first
/// one of a name, which is the one STOMP 1.2 says counts. Names and values are the
/// unescaped text: escaping happens in [`encode`](Self::encode) and unescaping in the
/// decoder, according to [`Command::escapes_headers`].
///
/// ```
/// use bytes::BytesMut;
/// use usp_mtp::stomp::{Command, Frame};
///
/// let frame = Frame::new(Command::Send)
///     .with_header("destination", "/queue/agent:1")
///     .with_header("content-length", "3")
///     .with_body(&b"a\0b"[..]);
/// let mut wire = BytesMut::new();
/// frame.encode(&mut wire)?;
/// assert_eq!(&wire[..], b"SEND\ndestination:/queue/agent\\c1\ncontent-length:3\n\na\0b\0");
/// assert_eq!(frame.header("destination"), Some("/queue/agent:1"));
/// # Ok::<(), usp_mtp::stomp::FrameError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Frame {
    command: Command,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frame")
            .field("command", &self.command)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl Frame {
    /// A frame with no header and an empty body.
    pub fn new(command: Command) -> Self {
        Self {
            command,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// A frame made of decoded parts.
    pub(crate) fn from_parts(
        command: Command,
        headers: Vec<(String, String)>,
        body: Bytes,
    ) -> Self {
        Self {
            command,
            headers,
            body,
        }
    }

    /// Adds a header after the others.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.push_header(name, value);
        self
    }

    /// Adds a header after the others.
    pub fn push_header(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.headers.push((name.into(), value.into()));
    }

    /// Sets the body. A body that contains NUL octets needs a `content-length` header to be
    /// encoded; this does not add one.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// The command.
    pub fn command(&self) -> Command {
        self.command
    }

    /// The value of the first header called `name`, if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every header, in order, repeats included.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body, taken out of the frame.
    pub fn into_body(self) -> Bytes {
        self.body
    }

    /// The number of bytes [`encode`](Self::encode) writes.
    pub fn encoded_len(&self) -> usize {
        let escapes = self.command.escapes_headers();
        let headers: usize = self
            .headers
            .iter()
            .map(|(n, v)| escaped_len(n, escapes) + 1 + escaped_len(v, escapes) + 1)
            .sum();
        self.command.as_str().len() + 1 + headers + 1 + self.body.len() + 1
    }

    /// Writes the frame: the command, the headers (escaped unless the command is `CONNECT`
    /// or `CONNECTED`), an empty line, the body and the NUL octet. Lines end with LF.
    ///
    /// # Errors
    ///
    /// Nothing is written if the frame cannot be represented:
    /// [`FrameError::EmptyHeaderName`], [`FrameError::UnescapableHeader`] (a CR or LF in a
    /// header of a `CONNECT` or `CONNECTED` frame, or a colon in the name of one),
    /// [`FrameError::ContentLengthMismatch`] (a `content-length` header that is not the
    /// body's length), [`FrameError::NulInBody`] (a body with a NUL octet and no
    /// `content-length` header).
    pub fn encode(&self, dst: &mut BytesMut) -> Result<(), FrameError> {
        self.check_encodable()?;
        let escapes = self.command.escapes_headers();
        dst.reserve(self.encoded_len());
        dst.put_slice(self.command.as_str().as_bytes());
        dst.put_u8(b'\n');
        for (name, value) in &self.headers {
            put_header_text(dst, name, escapes);
            dst.put_u8(b':');
            put_header_text(dst, value, escapes);
            dst.put_u8(b'\n');
        }
        dst.put_u8(b'\n');
        dst.put_slice(&self.body);
        dst.put_u8(0);
        Ok(())
    }

    fn check_encodable(&self) -> Result<(), FrameError> {
        let escapes = self.command.escapes_headers();
        for (name, value) in &self.headers {
            if name.is_empty() {
                return Err(FrameError::EmptyHeaderName);
            }
            if !escapes && (name.contains(['\r', '\n', ':']) || value.contains(['\r', '\n'])) {
                return Err(FrameError::UnescapableHeader {
                    command: self.command,
                });
            }
        }
        match self.header("content-length") {
            Some(length) => {
                if parse_content_length(length.as_bytes()) != Some(self.body.len()) {
                    return Err(FrameError::ContentLengthMismatch {
                        body_len: self.body.len(),
                    });
                }
            }
            None => {
                if self.body.contains(&0) {
                    return Err(FrameError::NulInBody);
                }
            }
        }
        Ok(())
    }
}

/// The value of a `content-length` header: decimal digits, nothing else (a few leading
/// zeros are accepted; a value that does not fit a `usize` is not).
pub(crate) fn parse_content_length(value: &[u8]) -> Option<usize> {
    if value.is_empty() || value.len() > 20 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

/// How long `text` is once escaped.
fn escaped_len(text: &str, escapes: bool) -> usize {
    if !escapes {
        return text.len();
    }
    text.len()
        + text
            .bytes()
            .filter(|b| matches!(b, b'\r' | b'\n' | b':' | b'\\'))
            .count()
}

fn put_header_text(dst: &mut BytesMut, text: &str, escapes: bool) {
    if escapes {
        dst.put_slice(escape(text).as_bytes());
    } else {
        dst.put_slice(text.as_bytes());
    }
}

/// Escapes a header name or value the STOMP 1.2 way: CR as `\r`, LF as `\n`, `:` as `\c`
/// and `\` as `\\`.
///
/// ```
/// use usp_mtp::stomp::{escape, unescape};
///
/// assert_eq!(escape("os::012345-ABC"), r"os\c\c012345-ABC");
/// assert_eq!(unescape(br"a\\b\nc\rd\ce").unwrap(), "a\\b\nc\rd:e");
/// assert!(unescape(br"tab\t").is_err()); // undefined escapes are fatal errors
/// ```
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['\r', '\n', ':', '\\']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            ':' => out.push_str("\\c"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Undoes [`escape`]: the raw octets of a header name or value, as received in any frame
/// but `CONNECT` and `CONNECTED`, to text.
///
/// # Errors
///
/// [`FrameError::InvalidEscape`] for a backslash followed by anything other than `r`, `n`,
/// `c` or `\` (or by nothing), which STOMP 1.2 makes a fatal protocol error;
/// [`FrameError::InvalidUtf8`] when the text is not UTF-8.
pub fn unescape(raw: &[u8]) -> Result<String, FrameError> {
    let text = std::str::from_utf8(raw).map_err(|_| FrameError::InvalidUtf8)?;
    if !text.contains('\\') {
        return Ok(text.to_owned());
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some('c') => out.push(':'),
            Some('\\') => out.push('\\'),
            _ => return Err(FrameError::InvalidEscape),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(frame: &Frame) -> Result<Vec<u8>, FrameError> {
        let mut wire = BytesMut::new();
        frame.encode(&mut wire)?;
        assert_eq!(wire.len(), frame.encoded_len());
        Ok(wire.to_vec())
    }

    #[test]
    fn every_command_round_trips_through_its_name() {
        for command in Command::ALL {
            assert_eq!(
                Command::from_bytes(command.as_str().as_bytes()),
                Some(command)
            );
            assert_eq!(command.as_str().parse::<Command>().unwrap(), command);
            assert_eq!(command.to_string(), command.as_str());
        }
        assert_eq!(Command::from_bytes(b"send"), None);
        assert!(matches!(
            "NOPE".parse::<Command>(),
            Err(FrameError::InvalidCommand { .. })
        ));
        let server: Vec<Command> = Command::ALL
            .into_iter()
            .filter(|c| c.is_server_command())
            .collect();
        assert_eq!(
            server,
            [
                Command::Connected,
                Command::Message,
                Command::Receipt,
                Command::Error
            ]
        );
    }

    #[test]
    fn each_escape_is_written_and_read() {
        for (text, escaped) in [
            ("\r", r"\r"),
            ("\n", r"\n"),
            (":", r"\c"),
            ("\\", r"\\"),
            ("plain", "plain"),
            ("", ""),
            ("é:ü", r"é\cü"),
            ("a\r\n:\\b", r"a\r\n\c\\b"),
        ] {
            assert_eq!(escape(text), escaped);
            assert_eq!(unescape(escaped.as_bytes()).unwrap(), text);
        }
        assert!(matches!(escape("no escapes"), Cow::Borrowed(_)));
    }

    #[test]
    fn undefined_escapes_and_bad_utf8_are_errors() {
        for bad in [&br"\t"[..], br"a\", br"\C", br"\x41", br"\ "] {
            assert_eq!(unescape(bad), Err(FrameError::InvalidEscape), "{bad:?}");
        }
        assert_eq!(unescape(b"\xff"), Err(FrameError::InvalidUtf8));
    }

    #[test]
    fn r_stomp_4_endpoint_id_is_escaped_in_the_stomp_frame_but_not_in_connect() {
        let stomp = Frame::new(Command::Stomp).with_header("endpoint-id", "os::0044-A");
        assert_eq!(
            encode(&stomp).unwrap(),
            b"STOMP\nendpoint-id:os\\c\\c0044-A\n\n\0"
        );
        let connect = Frame::new(Command::Connect).with_header("endpoint-id", "os::0044-A");
        assert_eq!(
            encode(&connect).unwrap(),
            b"CONNECT\nendpoint-id:os::0044-A\n\n\0"
        );
    }

    #[test]
    fn frames_that_cannot_be_written_are_refused() {
        let empty_name = Frame::new(Command::Send).with_header("", "x");
        assert_eq!(encode(&empty_name), Err(FrameError::EmptyHeaderName));
        for (name, value) in [("a", "b\nc"), ("a", "b\rc"), ("a:b", "c"), ("a\n", "c")] {
            let f = Frame::new(Command::Connected).with_header(name, value);
            assert_eq!(
                encode(&f),
                Err(FrameError::UnescapableHeader {
                    command: Command::Connected
                })
            );
        }
        // A colon in a CONNECT value is written as is.
        let f = Frame::new(Command::Connect).with_header("login", "a:b");
        assert_eq!(encode(&f).unwrap(), b"CONNECT\nlogin:a:b\n\n\0");

        let nul = Frame::new(Command::Send).with_body(&b"a\0b"[..]);
        assert_eq!(encode(&nul), Err(FrameError::NulInBody));
        let wrong = Frame::new(Command::Send)
            .with_header("content-length", "2")
            .with_body(&b"abc"[..]);
        assert_eq!(
            encode(&wrong),
            Err(FrameError::ContentLengthMismatch { body_len: 3 })
        );
        let junk = Frame::new(Command::Send)
            .with_header("content-length", "x")
            .with_body(&b"abc"[..]);
        assert_eq!(
            encode(&junk),
            Err(FrameError::ContentLengthMismatch { body_len: 3 })
        );
        let mut wire = BytesMut::from(&b"keep"[..]);
        assert!(nul.encode(&mut wire).is_err());
        assert_eq!(&wire[..], b"keep", "a refused frame writes nothing");
    }

    #[test]
    fn headers_keep_their_order_and_the_first_of_a_name_counts() {
        let mut f = Frame::new(Command::Message)
            .with_header("a", "1")
            .with_header("b", "2");
        f.push_header("a", "3");
        assert_eq!(f.header("a"), Some("1"));
        assert_eq!(f.header("c"), None);
        assert_eq!(f.headers().len(), 3);
        assert_eq!(f.headers()[2], ("a".to_owned(), "3".to_owned()));
        assert_eq!(
            encode(&f).unwrap(),
            b"MESSAGE\na:1\nb:2\na:3\n\n\0".to_vec()
        );
        let dbg = format!("{f:?}");
        assert!(dbg.contains("Message") && dbg.contains("body_len"));
    }

    #[test]
    fn content_length_values() {
        assert_eq!(parse_content_length(b"0"), Some(0));
        assert_eq!(parse_content_length(b"0012"), Some(12));
        assert_eq!(parse_content_length(b""), None);
        assert_eq!(parse_content_length(b"+1"), None);
        assert_eq!(parse_content_length(b" 1"), None);
        assert_eq!(parse_content_length(b"1.0"), None);
        assert_eq!(parse_content_length(b"99999999999999999999999"), None);
    }
}
