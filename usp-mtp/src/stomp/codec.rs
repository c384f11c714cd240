//! The STOMP 1.2 frame codec, sans-IO: frames and heart-beat EOLs out of a byte buffer,
//! with bounded sizes and typed errors, shaped like the tokio-util `Decoder`/`Encoder`.

use std::error::Error as StdError;
use std::fmt;

use bytes::{Buf, BufMut, BytesMut};

use super::frame::{Command, Frame, parse_content_length, unescape};
use crate::{MtpError, MtpErrorKind};

/// The default bound on a whole frame, from its command to its NUL octet: 4 MiB plus
/// 64 KiB for the headers.
pub const DEFAULT_MAX_FRAME_LEN: usize = 4 * 1024 * 1024 + DEFAULT_MAX_HEADER_LEN;

/// The default bound on the head of a frame (the command line, the header lines and the
/// empty line after them): 64 KiB.
pub const DEFAULT_MAX_HEADER_LEN: usize = 64 * 1024;

/// The default bound on the number of headers of a frame: 64.
pub const DEFAULT_MAX_HEADERS: usize = 64;

/// What the decoder found next in the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decoded {
    /// A frame.
    Frame(Frame),
    /// An end-of-line between frames: a heart-beat (STOMP 1.2 "Heart-beating"), or the
    /// optional EOLs after a frame's NUL.
    HeartBeat,
}

/// Where the decoder is in the stream.
#[derive(Debug, Clone)]
enum State {
    /// Between frames or inside the head of one: the first `scanned` bytes of the buffer
    /// are `lines` complete lines, none of them the empty line that ends the head.
    Head { scanned: usize, lines: usize },
    /// The head (`head_len` bytes) is complete; waiting for the body. Without a
    /// `content-length`, the first `scanned` bytes hold no NUL after the head.
    Body {
        head_len: usize,
        head: Head,
        scanned: usize,
    },
    /// Dropping the rest of an oversized body of known length, then checking its NUL.
    Skip { body_left: usize },
    /// Dropping the rest of an oversized body up to and including its NUL.
    SkipToNul,
    /// A fatal error: the stream cannot be resynchronised.
    Failed(FrameError),
}

const IDLE: State = State::Head {
    scanned: 0,
    lines: 0,
};

/// A parsed head: the command and headers (or the recoverable error that makes the frame
/// unusable) and the body length.
#[derive(Debug, Clone)]
struct Head {
    parsed: Result<(Command, Vec<(String, String)>), FrameError>,
    command: Option<Command>,
    content_length: Option<usize>,
}

/// The STOMP 1.2 frame codec.
///
/// [`decode`](Self::decode) takes bytes off the front of a buffer and returns one
/// [`Decoded`] item at a time: a [`Frame`], or a [`HeartBeat`](Decoded::HeartBeat) for
/// each EOL between frames. It reads
///
/// - the command line and the headers, LF or CRLF terminated, unescaping `\r`, `\n`, `\c`
///   and `\\` in every frame but `CONNECT` and `CONNECTED`;
/// - a body of exactly `content-length` octets (NUL octets included) followed by a NUL,
///   or, without that header, everything up to the first NUL.
///
/// Everything is bounded: the head by [`max_header_len`](Self::with_max_header_len) bytes
/// and [`max_headers`](Self::with_max_headers) headers, the whole frame by
/// [`max_frame_len`](Self::with_max_frame_len). The buffer never has to hold more than
/// the larger of these plus what was read past them.
///
/// # Errors and resynchronisation
///
/// Some errors leave the stream in sync, and decoding can go on
/// ([`FrameError::is_fatal`] is `false`): the bad frame has been taken out of the buffer,
/// or will be dropped by the next calls as its bytes arrive:
///
/// - a frame whose body is over the limit, [`FrameError::BodyTooLarge`]: its end is known
///   (from `content-length`, or the next NUL), so it is skipped without being buffered;
/// - an unknown command, a header line without a colon or with an empty name, text that
///   is not UTF-8 ([`InvalidCommand`](FrameError::InvalidCommand),
///   [`InvalidHeader`](FrameError::InvalidHeader), [`InvalidUtf8`](FrameError::InvalidUtf8)):
///   the frame is dropped whole.
///
/// The others are fatal: the codec cannot tell where the next frame starts (a head over
/// the limits, a `content-length` that is not a number, no NUL after a `content-length`
/// body), or STOMP 1.2 says so (an undefined escape such as `\t`). The call that finds one
/// consumes nothing, and every later call returns the same error: close the connection.
///
/// ```
/// use bytes::BytesMut;
/// use usp_mtp::stomp::{Command, Decoded, FrameCodec};
///
/// let mut codec = FrameCodec::new();
/// let mut buf = BytesMut::from(&b"\nMESSAGE\ndestination:/queue/a\\cb\ncontent-length:3\n\nx\0y\0"[..]);
/// assert_eq!(codec.decode(&mut buf)?, Some(Decoded::HeartBeat));
/// let Some(Decoded::Frame(frame)) = codec.decode(&mut buf)? else { panic!() };
/// assert_eq!(frame.command(), Command::Message);
/// assert_eq!(frame.header("destination"), Some("/queue/a:b"));
/// assert_eq!(&frame.body()[..], b"x\0y");
/// assert_eq!(codec.decode(&mut buf)?, None);
/// # Ok::<(), usp_mtp::stomp::FrameError>(())
/// ```
#[derive(Debug, Clone)]
pub struct FrameCodec {
    max_frame_len: usize,
    max_header_len: usize,
    max_headers: usize,
    state: State,
}

impl Default for FrameCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameCodec {
    /// A codec with the default limits ([`DEFAULT_MAX_FRAME_LEN`],
    /// [`DEFAULT_MAX_HEADER_LEN`], [`DEFAULT_MAX_HEADERS`]).
    pub const fn new() -> Self {
        Self {
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            max_header_len: DEFAULT_MAX_HEADER_LEN,
            max_headers: DEFAULT_MAX_HEADERS,
            state: IDLE,
        }
    }

    /// Sets the bound on a whole frame, from the command to the NUL (at least 16).
    #[must_use]
    pub fn with_max_frame_len(mut self, len: usize) -> Self {
        self.max_frame_len = len.max(16);
        self
    }

    /// Sets the bound on the head of a frame: command line, header lines and the empty line
    /// (at least 16).
    #[must_use]
    pub fn with_max_header_len(mut self, len: usize) -> Self {
        self.max_header_len = len.max(16);
        self
    }

    /// Sets the bound on the number of headers of a frame.
    #[must_use]
    pub fn with_max_headers(mut self, count: usize) -> Self {
        self.max_headers = count;
        self
    }

    /// The bound on a whole frame.
    pub fn max_frame_len(&self) -> usize {
        self.max_frame_len
    }

    /// The bound on the head of a frame.
    pub fn max_header_len(&self) -> usize {
        self.max_header_len
    }

    /// The bound on the number of headers.
    pub fn max_headers(&self) -> usize {
        self.max_headers
    }

    /// Whether the codec is between frames (nothing of a frame has been taken yet).
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Head { scanned: 0, .. })
    }

    fn fail(&mut self, error: FrameError) -> Result<Option<Decoded>, FrameError> {
        self.state = State::Failed(error.clone());
        Err(error)
    }

    /// Decodes the next item from the front of `src`, removing its bytes. `Ok(None)` means
    /// more bytes are needed (what was seen so far is remembered, so nothing is scanned
    /// twice).
    ///
    /// # Errors
    ///
    /// A [`FrameError`]; see the type-level documentation for which errors let decoding go
    /// on.
    pub fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Decoded>, FrameError> {
        loop {
            match &mut self.state {
                State::Failed(e) => return Err(e.clone()),
                State::Skip { body_left } => {
                    let n = (*body_left).min(src.len());
                    src.advance(n);
                    *body_left -= n;
                    if *body_left > 0 || src.is_empty() {
                        return Ok(None);
                    }
                    if src[0] != 0 {
                        return self.fail(FrameError::MissingNul);
                    }
                    src.advance(1);
                    self.state = IDLE;
                }
                State::SkipToNul => match src.iter().position(|&b| b == 0) {
                    Some(i) => {
                        src.advance(i + 1);
                        self.state = IDLE;
                    }
                    None => {
                        src.advance(src.len());
                        return Ok(None);
                    }
                },
                State::Head { scanned, lines } => {
                    let (scanned, lines) = (*scanned, *lines);
                    if scanned == 0 {
                        match src.first() {
                            None => return Ok(None),
                            Some(b'\n') => {
                                src.advance(1);
                                return Ok(Some(Decoded::HeartBeat));
                            }
                            Some(b'\r') if src.len() < 2 => return Ok(None),
                            Some(b'\r') if src[1] == b'\n' => {
                                src.advance(2);
                                return Ok(Some(Decoded::HeartBeat));
                            }
                            Some(_) => {}
                        }
                    }
                    match self.scan_head(src, scanned, lines) {
                        Err(e) => return self.fail(e),
                        Ok(None) => return Ok(None),
                        Ok(Some(head_len)) => {
                            if let Err(e) = self.start_body(src, head_len) {
                                return if e.is_fatal() { self.fail(e) } else { Err(e) };
                            }
                        }
                    }
                }
                State::Body { .. } => return self.body(src),
            }
        }
    }

    /// Looks for the empty line that ends the head, from `scanned`. `Ok(Some(len))` gives
    /// the length of the head; `Ok(None)` saves the progress.
    fn scan_head(
        &mut self,
        src: &BytesMut,
        mut scanned: usize,
        mut lines: usize,
    ) -> Result<Option<usize>, FrameError> {
        while let Some(i) = src[scanned..].iter().position(|&b| b == b'\n') {
            let line_end = scanned + i;
            let next = line_end + 1;
            if next > self.max_header_len {
                return Err(FrameError::HeadersTooLarge {
                    limit: self.max_header_len,
                });
            }
            if lines > 0 && strip_cr(&src[scanned..line_end]).is_empty() {
                return Ok(Some(next));
            }
            lines += 1;
            if lines - 1 > self.max_headers {
                return Err(FrameError::TooManyHeaders {
                    limit: self.max_headers,
                });
            }
            scanned = next;
        }
        if src.len() > self.max_header_len {
            return Err(FrameError::HeadersTooLarge {
                limit: self.max_header_len,
            });
        }
        self.state = State::Head { scanned, lines };
        Ok(None)
    }

    /// The head is complete: parse it, and either wait for the body or skip an oversized
    /// one. Fatal errors consume nothing.
    fn start_body(&mut self, src: &mut BytesMut, head_len: usize) -> Result<(), FrameError> {
        let head = parse_head(&src[..head_len])?;
        if let Some(length) = head.content_length {
            let total = head_len.checked_add(length).and_then(|n| n.checked_add(1));
            if total.is_none_or(|total| total > self.max_frame_len) {
                src.advance(head_len);
                self.state = State::Skip { body_left: length };
                return Err(FrameError::BodyTooLarge {
                    command: head.command,
                    content_length: Some(length),
                    limit: self.max_frame_len,
                });
            }
        }
        self.state = State::Body {
            head_len,
            head,
            scanned: head_len,
        };
        Ok(())
    }

    fn body(&mut self, src: &mut BytesMut) -> Result<Option<Decoded>, FrameError> {
        let State::Body {
            head_len,
            head,
            scanned,
        } = &mut self.state
        else {
            return Ok(None);
        };
        let head_len = *head_len;
        let (total, body_len) = match head.content_length {
            Some(length) => {
                // start_body made sure this fits max_frame_len.
                let total = head_len + length + 1;
                if src.len() < total {
                    src.reserve(total - src.len());
                    return Ok(None);
                }
                if src[total - 1] != 0 {
                    return self.fail(FrameError::MissingNul);
                }
                (total, length)
            }
            None => match src[*scanned..].iter().position(|&b| b == 0) {
                Some(i) => {
                    let nul = *scanned + i;
                    let command = head.command;
                    if nul + 1 > self.max_frame_len {
                        src.advance(nul + 1);
                        self.state = IDLE;
                        return Err(self.body_too_large(command));
                    }
                    (nul + 1, nul - head_len)
                }
                None => {
                    if src.len() >= self.max_frame_len {
                        let command = head.command;
                        src.advance(src.len());
                        self.state = State::SkipToNul;
                        return Err(self.body_too_large(command));
                    }
                    *scanned = src.len();
                    return Ok(None);
                }
            },
        };
        let State::Body { head, .. } = std::mem::replace(&mut self.state, IDLE) else {
            return Ok(None);
        };
        let mut frame = src.split_to(total);
        frame.advance(head_len);
        frame.truncate(body_len);
        let (command, headers) = head.parsed?;
        Ok(Some(Decoded::Frame(Frame::from_parts(
            command,
            headers,
            frame.freeze(),
        ))))
    }

    fn body_too_large(&self, command: Option<Command>) -> FrameError {
        FrameError::BodyTooLarge {
            command,
            content_length: None,
            limit: self.max_frame_len,
        }
    }

    /// Like [`decode`](Self::decode), at the end of the stream: bytes left that are not a
    /// whole item are an error.
    ///
    /// # Errors
    ///
    /// Those of `decode`, and [`FrameError::Truncated`] when the stream ends inside a frame.
    pub fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Decoded>, FrameError> {
        match self.decode(src)? {
            Some(item) => Ok(Some(item)),
            None if src.is_empty() && self.is_idle() => Ok(None),
            None => Err(FrameError::Truncated { len: src.len() }),
        }
    }

    /// Appends `frame` to `dst` ([`Frame::encode`]).
    ///
    /// # Errors
    ///
    /// Those of [`Frame::encode`]; nothing is written then.
    pub fn encode(&mut self, frame: &Frame, dst: &mut BytesMut) -> Result<(), FrameError> {
        frame.encode(dst)
    }

    /// Appends a heart-beat: one LF.
    pub fn encode_heartbeat(&mut self, dst: &mut BytesMut) {
        dst.put_u8(b'\n');
    }
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Parses a complete head (it ends with the empty line). Fatal problems are errors; the
/// others are kept in `parsed` and reported once the frame has been taken out.
fn parse_head(head: &[u8]) -> Result<Head, FrameError> {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(strip_cr)
        .filter(|l| !l.is_empty());
    let command_line = lines.next().unwrap_or_default();
    let command = Command::from_bytes(command_line);
    let escapes = command.is_none_or(Command::escapes_headers);
    let mut content_length = None;
    let mut seen_length = false;
    let mut headers = Ok(Vec::new());
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            if headers.is_ok() {
                headers = Err(FrameError::InvalidHeader);
            }
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name == b"content-length" && !seen_length {
            seen_length = true;
            content_length =
                Some(parse_content_length(value).ok_or(FrameError::InvalidContentLength)?);
        }
        let text = |raw: &[u8]| {
            if escapes {
                unescape(raw)
            } else {
                std::str::from_utf8(raw)
                    .map(str::to_owned)
                    .map_err(|_| FrameError::InvalidUtf8)
            }
        };
        let header = match (text(name), text(value)) {
            (Err(FrameError::InvalidEscape), _) | (_, Err(FrameError::InvalidEscape)) => {
                return Err(FrameError::InvalidEscape);
            }
            (Ok(n), _) if n.is_empty() => Err(FrameError::InvalidHeader),
            (Ok(n), Ok(v)) => Ok((n, v)),
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        match (&mut headers, header) {
            (Ok(list), Ok(h)) => list.push(h),
            (Ok(_), Err(e)) => headers = Err(e),
            (Err(_), _) => {}
        }
    }
    let parsed = match command {
        Some(c) => headers.map(|h| (c, h)),
        None => Err(FrameError::invalid_command(command_line)),
    };
    Ok(Head {
        parsed,
        command,
        content_length,
    })
}

/// Why bytes are not a STOMP frame, or a frame cannot be written.
///
/// Decoding errors say with [`is_fatal`](Self::is_fatal) whether the stream can go on
/// (see [`FrameCodec`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// The command line is not a STOMP 1.2 command (the frame was dropped).
    InvalidCommand {
        /// The start of the line, lossily decoded.
        command: String,
    },
    /// A header line without a colon, or with an empty name (the frame was dropped).
    InvalidHeader,
    /// A header that is not UTF-8 (the frame was dropped).
    InvalidUtf8,
    /// A backslash not followed by `r`, `n`, `c` or `\` in an escaped header: a fatal error
    /// in STOMP 1.2.
    InvalidEscape,
    /// A `content-length` header that is not a decimal number: fatal, the end of the frame
    /// is unknown.
    InvalidContentLength,
    /// The octet after a `content-length` body is not NUL: fatal.
    MissingNul,
    /// The head of a frame is longer than the limit: fatal.
    HeadersTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A frame has more headers than the limit: fatal.
    TooManyHeaders {
        /// The limit.
        limit: usize,
    },
    /// A frame is longer than the limit. Not fatal: the frame is skipped without being
    /// buffered.
    BodyTooLarge {
        /// The frame's command, when it is a known one.
        command: Option<Command>,
        /// The `content-length`, when the frame has one.
        content_length: Option<usize>,
        /// The limit on a whole frame, in bytes.
        limit: usize,
    },
    /// The stream ended inside a frame.
    Truncated {
        /// Bytes left over.
        len: usize,
    },
    /// Encoding: a header with an empty name.
    EmptyHeaderName,
    /// Encoding: a CR or LF in a header of a frame whose headers are not escaped, or a
    /// colon in the name of one.
    UnescapableHeader {
        /// `CONNECT` or `CONNECTED`.
        command: Command,
    },
    /// Encoding: the `content-length` header is not the length of the body.
    ContentLengthMismatch {
        /// The length of the body.
        body_len: usize,
    },
    /// Encoding: the body holds a NUL octet and there is no `content-length` header.
    NulInBody,
}

impl FrameError {
    pub(crate) fn invalid_command(line: &[u8]) -> Self {
        let shown = &line[..line.len().min(32)];
        Self::InvalidCommand {
            command: String::from_utf8_lossy(shown).into_owned(),
        }
    }

    /// Whether the stream cannot go on after this error (see [`FrameCodec`]). Encoding
    /// errors and [`Truncated`](Self::Truncated) are not about the stream's sync and
    /// return `false`.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Self::InvalidEscape
                | Self::InvalidContentLength
                | Self::MissingNul
                | Self::HeadersTooLarge { .. }
                | Self::TooManyHeaders { .. }
        )
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCommand { command } => {
                write!(f, "not a STOMP 1.2 command: {command:?}")
            }
            Self::InvalidHeader => f.write_str("a header line without a colon or a name"),
            Self::InvalidUtf8 => f.write_str("a header that is not UTF-8"),
            Self::InvalidEscape => f.write_str("an undefined escape sequence in a header"),
            Self::InvalidContentLength => f.write_str("a content-length that is not a number"),
            Self::MissingNul => f.write_str("no NUL octet after a content-length body"),
            Self::HeadersTooLarge { limit } => {
                write!(f, "the head of a frame is longer than {limit} bytes")
            }
            Self::TooManyHeaders { limit } => write!(f, "a frame has more than {limit} headers"),
            Self::BodyTooLarge {
                command,
                content_length,
                limit,
            } => {
                let command = command.map_or("a", Command::as_str);
                match content_length {
                    Some(n) => write!(
                        f,
                        "{command} frame with a content-length of {n} is longer than {limit} bytes: skipped"
                    ),
                    None => write!(f, "{command} frame is longer than {limit} bytes: skipped"),
                }
            }
            Self::Truncated { len } => write!(f, "the stream ended inside a frame ({len} bytes)"),
            Self::EmptyHeaderName => f.write_str("a header with an empty name"),
            Self::UnescapableHeader { command } => write!(
                f,
                "{command} headers are not escaped and cannot hold CR, LF, or a colon in a name"
            ),
            Self::ContentLengthMismatch { body_len } => {
                write!(
                    f,
                    "the content-length header is not the body's length, {body_len}"
                )
            }
            Self::NulInBody => f.write_str("a body with a NUL octet needs a content-length"),
        }
    }
}

impl StdError for FrameError {}

impl From<FrameError> for MtpError {
    fn from(e: FrameError) -> Self {
        let kind = match e {
            FrameError::BodyTooLarge { .. }
            | FrameError::HeadersTooLarge { .. }
            | FrameError::TooManyHeaders { .. } => MtpErrorKind::TooLarge,
            _ => MtpErrorKind::Protocol,
        };
        Self::new(kind, format!("STOMP: {e}")).with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn codec() -> FrameCodec {
        FrameCodec::new()
    }

    /// Everything `codec` gets out of `wire`, errors included (decoding goes on after the
    /// ones that are not fatal), and the bytes left.
    fn decode_all(mut codec: FrameCodec, wire: &[u8]) -> (Vec<Result<Decoded, FrameError>>, usize) {
        let mut buf = BytesMut::from(wire);
        let mut out = Vec::new();
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(item)) => out.push(Ok(item)),
                Ok(None) => return (out, buf.len()),
                Err(e) => {
                    let fatal = e.is_fatal();
                    out.push(Err(e));
                    if fatal {
                        return (out, buf.len());
                    }
                }
            }
        }
    }

    fn frame(wire: &[u8]) -> Frame {
        match decode_all(codec(), wire).0.as_slice() {
            [Ok(Decoded::Frame(f))] => f.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_frame_with_crlf_lines_and_trailing_eols() {
        let (items, left) = decode_all(
            codec(),
            b"RECEIPT\r\nreceipt-id:7\r\n\r\n\0\r\n\n\nERROR\nmessage:x\n\nbody\0",
        );
        assert_eq!(left, 0);
        assert_eq!(items.len(), 5);
        let Ok(Decoded::Frame(receipt)) = &items[0] else {
            panic!("{items:?}")
        };
        assert_eq!(receipt.command(), Command::Receipt);
        assert_eq!(receipt.header("receipt-id"), Some("7"));
        assert!(receipt.body().is_empty());
        assert!(items[1..4].iter().all(|i| *i == Ok(Decoded::HeartBeat)));
        let Ok(Decoded::Frame(error)) = &items[4] else {
            panic!()
        };
        assert_eq!(&error.body()[..], b"body");
    }

    #[test]
    fn content_length_bodies_may_hold_nul_octets() {
        let f = frame(b"MESSAGE\ncontent-length:5\n\n\0a\0b\0\0");
        assert_eq!(&f.body()[..], b"\0a\0b\0");
        let empty = frame(b"MESSAGE\ncontent-length:0\n\n\0");
        assert!(empty.body().is_empty());
    }

    #[test]
    fn headers_are_unescaped_except_in_connect_and_connected() {
        let f = frame(b"MESSAGE\na\\cb:c\\\\d\\ne\\rf\n\n\0");
        assert_eq!(f.headers(), [("a:b".to_owned(), "c\\d\ne\rf".to_owned())]);
        let f = frame(b"CONNECTED\nsubscribe-dest:/queue/a\\cb:c\n\n\0");
        assert_eq!(f.header("subscribe-dest"), Some("/queue/a\\cb:c"));
        let f = frame(b"CONNECT\nlogin:a\\tb\n\n\0");
        assert_eq!(f.header("login"), Some("a\\tb"));
        // The STOMP frame escapes: R-STOMP.4.
        let f = frame(b"STOMP\nendpoint-id:os\\c\\c0044-A\n\n\0");
        assert_eq!(f.header("endpoint-id"), Some("os::0044-A"));
    }

    #[test]
    fn an_undefined_escape_is_fatal_and_consumes_nothing() {
        let wire = b"MESSAGE\nx:a\\tb\n\n\0SEND\n\n\0";
        let mut c = codec();
        let mut buf = BytesMut::from(&wire[..]);
        assert_eq!(c.decode(&mut buf), Err(FrameError::InvalidEscape));
        assert_eq!(buf.len(), wire.len());
        assert_eq!(c.decode(&mut buf), Err(FrameError::InvalidEscape));
        assert_eq!(c.decode_eof(&mut buf), Err(FrameError::InvalidEscape));
        assert!(FrameError::InvalidEscape.is_fatal());
    }

    #[test]
    fn recoverable_errors_drop_the_frame_and_decoding_goes_on() {
        for (bad, error) in [
            (
                &b"BOGUS\ncontent-length:2\n\n\0\0\0"[..],
                FrameError::InvalidCommand {
                    command: "BOGUS".into(),
                },
            ),
            (b"MESSAGE\nno colon\n\nbody\0", FrameError::InvalidHeader),
            (b"MESSAGE\n:empty name\n\n\0", FrameError::InvalidHeader),
            (b"MESSAGE\na:\xff\n\n\0", FrameError::InvalidUtf8),
            (b"CONNECTED\n\xfe:b\n\n\0", FrameError::InvalidUtf8),
        ] {
            let mut wire = bad.to_vec();
            wire.extend_from_slice(b"RECEIPT\nreceipt-id:1\n\n\0");
            let (items, left) = decode_all(codec(), &wire);
            assert_eq!(left, 0);
            assert_eq!(items.len(), 2, "{items:?}");
            assert_eq!(items[0], Err(error.clone()));
            assert!(!error.is_fatal());
            assert!(matches!(&items[1], Ok(Decoded::Frame(f)) if f.command() == Command::Receipt));
        }
    }

    #[test]
    fn invalid_content_length_and_missing_nul_are_fatal() {
        for (wire, error) in [
            (
                &b"MESSAGE\ncontent-length:abc\n\nxyz\0"[..],
                FrameError::InvalidContentLength,
            ),
            (
                b"MESSAGE\ncontent-length:-1\n\n\0",
                FrameError::InvalidContentLength,
            ),
            (
                b"MESSAGE\ncontent-length:2\n\nabc\0",
                FrameError::MissingNul,
            ),
        ] {
            let (items, left) = decode_all(codec(), wire);
            assert_eq!(items, [Err(error.clone())]);
            assert!(error.is_fatal());
            assert_eq!(left, wire.len(), "nothing consumed");
        }
        // Only the first content-length counts.
        let f = frame(b"MESSAGE\ncontent-length:1\ncontent-length:x\n\na\0");
        assert_eq!(&f.body()[..], b"a");
    }

    #[test]
    fn an_oversized_content_length_body_is_skipped_without_buffering() {
        let mut c = codec().with_max_frame_len(64);
        let mut buf = BytesMut::from(&b"MESSAGE\ncontent-length:1000\n\n"[..]);
        assert_eq!(
            c.decode(&mut buf),
            Err(FrameError::BodyTooLarge {
                command: Some(Command::Message),
                content_length: Some(1000),
                limit: 64
            })
        );
        assert!(buf.is_empty());
        for _ in 0..10 {
            buf.extend_from_slice(&[7u8; 100]);
            assert_eq!(c.decode(&mut buf), Ok(None));
            assert!(buf.is_empty());
        }
        buf.extend_from_slice(b"\0\nRECEIPT\nreceipt-id:1\n\n\0");
        assert_eq!(c.decode(&mut buf), Ok(Some(Decoded::HeartBeat)));
        assert!(matches!(c.decode(&mut buf), Ok(Some(Decoded::Frame(_)))));
        // Without a NUL after the skipped body, the stream is lost.
        let mut c = codec().with_max_frame_len(32);
        let mut buf = BytesMut::from(&b"MESSAGE\ncontent-length:100\n\n"[..]);
        assert!(c.decode(&mut buf).is_err());
        buf.extend_from_slice(&[1u8; 101]);
        assert_eq!(c.decode(&mut buf), Err(FrameError::MissingNul));
    }

    #[test]
    fn an_oversized_body_without_length_is_skipped_up_to_its_nul() {
        let mut c = codec().with_max_frame_len(32);
        let mut buf = BytesMut::from(&b"MESSAGE\n\n"[..]);
        assert_eq!(c.decode(&mut buf), Ok(None));
        buf.extend_from_slice(&[b'x'; 40]);
        assert_eq!(
            c.decode(&mut buf),
            Err(FrameError::BodyTooLarge {
                command: Some(Command::Message),
                content_length: None,
                limit: 32
            })
        );
        assert!(buf.is_empty());
        buf.extend_from_slice(b"yyy\0RECEIPT\n\n\0");
        assert!(
            matches!(c.decode(&mut buf), Ok(Some(Decoded::Frame(f))) if f.command() == Command::Receipt)
        );
        // The same frame in one piece gives the same error.
        let mut wire = b"MESSAGE\n\n".to_vec();
        wire.extend_from_slice(&[b'x'; 40]);
        wire.extend_from_slice(b"yyy\0");
        let (items, left) = decode_all(codec().with_max_frame_len(32), &wire);
        assert_eq!(left, 0);
        assert_eq!(
            items,
            [Err(FrameError::BodyTooLarge {
                command: Some(Command::Message),
                content_length: None,
                limit: 32
            })]
        );
    }

    #[test]
    fn head_limits_are_fatal() {
        let mut long = b"MESSAGE\nx:".to_vec();
        long.extend_from_slice(&[b'a'; 100]);
        let (items, _) = decode_all(codec().with_max_header_len(64), &long);
        assert_eq!(items, [Err(FrameError::HeadersTooLarge { limit: 64 })]);
        long.extend_from_slice(b"\n\n\0");
        let (items, _) = decode_all(codec().with_max_header_len(64), &long);
        assert_eq!(items, [Err(FrameError::HeadersTooLarge { limit: 64 })]);

        let many = b"MESSAGE\na:1\nb:2\nc:3\n\n\0";
        let (items, _) = decode_all(codec().with_max_headers(2), many);
        assert_eq!(items, [Err(FrameError::TooManyHeaders { limit: 2 })]);
        let (items, _) = decode_all(codec().with_max_headers(3), many);
        assert!(matches!(items[..], [Ok(Decoded::Frame(_))]));
    }

    #[test]
    fn bytes_arriving_one_at_a_time_give_the_same_items() {
        let wire = b"\r\nMESSAGE\r\ndestination:/q\\c1\r\ncontent-length:3\r\n\r\na\0b\0\nERROR\n\nno length\0";
        let mut c = codec();
        let mut buf = BytesMut::new();
        let mut items = Vec::new();
        for &b in wire.iter() {
            buf.put_u8(b);
            while let Some(item) = c.decode(&mut buf).unwrap() {
                items.push(item);
            }
        }
        assert_eq!(buf.len(), 0);
        assert_eq!(
            items,
            decode_all(codec(), wire)
                .0
                .into_iter()
                .map(Result::unwrap)
                .collect::<Vec<_>>()
        );
        assert_eq!(items.len(), 4);
    }

    #[test]
    fn eof_inside_a_frame_is_truncation() {
        let mut c = codec();
        let mut buf = BytesMut::from(&b"MESSAGE\ncontent-length:4\n\nab"[..]);
        assert_eq!(
            c.decode_eof(&mut buf),
            Err(FrameError::Truncated { len: 30 - 2 })
        );
        let mut c = codec();
        let mut buf = BytesMut::from(&b"\r"[..]);
        assert_eq!(
            c.decode_eof(&mut buf),
            Err(FrameError::Truncated { len: 1 })
        );
        let mut c = codec();
        let mut buf = BytesMut::from(&b"\n"[..]);
        assert_eq!(c.decode_eof(&mut buf), Ok(Some(Decoded::HeartBeat)));
        assert_eq!(c.decode_eof(&mut buf), Ok(None));
    }

    #[test]
    fn encode_then_decode_is_the_identity() {
        let f = Frame::new(Command::Send)
            .with_header("destination", "/queue/a:b\\c\r\n")
            .with_header("content-length", "4")
            .with_body(Bytes::from_static(b"\0\n\r\0"));
        let mut c = codec();
        let mut wire = BytesMut::new();
        c.encode(&f, &mut wire).unwrap();
        c.encode_heartbeat(&mut wire);
        assert_eq!(c.decode(&mut wire), Ok(Some(Decoded::Frame(f))));
        assert_eq!(c.decode(&mut wire), Ok(Some(Decoded::HeartBeat)));
        assert!(wire.is_empty());
    }

    #[test]
    fn errors_map_to_mtp_error_kinds() {
        let too_large = MtpError::from(FrameError::TooManyHeaders { limit: 1 });
        assert_eq!(too_large.kind(), MtpErrorKind::TooLarge);
        let protocol = MtpError::from(FrameError::InvalidEscape);
        assert_eq!(protocol.kind(), MtpErrorKind::Protocol);
        assert!(StdError::source(&protocol).is_some());
        for e in [
            FrameError::invalid_command(&[b'X'; 100]),
            FrameError::InvalidHeader,
            FrameError::BodyTooLarge {
                command: None,
                content_length: None,
                limit: 1,
            },
            FrameError::Truncated { len: 1 },
            FrameError::UnescapableHeader {
                command: Command::Connect,
            },
        ] {
            assert!(!e.to_string().is_empty());
        }
        let FrameError::InvalidCommand { command } = FrameError::invalid_command(&[b'X'; 100])
        else {
            panic!()
        };
        assert_eq!(command.len(), 32);
    }
}
