//! The decoding cursor: reads keys, lengths and strings of a Message in one forward pass,
//! with the common one-byte forms inline and everything else (long varints, unknown
//! fields, errors) out of line, through the shared wire primitives of `usp-record`.
//!
//! It also keeps a stretch of the input known to be valid UTF-8, so that most strings are
//! cut from it without being validated again (see [`Decoder::str_at`]), and whole messages
//! of strings and numbers, or runs of map entries, read from it as text
//! ([`Decoder::nested_flat`], [`Decoder::rest_str`]).

use std::ops::Range;

use usp_record::__private::wire::{Reader, WireType};
use usp_record::Malformed;

use crate::DecodeError;
use crate::codec::Message;

/// How deep messages may nest before decoding gives up (the schema nests 9 levels at most).
pub(crate) const MAX_DEPTH: u32 = 32;

/// The wire type of length-delimited fields (strings, embedded messages, map entries).
pub(crate) const LEN: u32 = 2;

/// The wire type of varint fields (booleans, enumerations).
pub(crate) const VARINT: u32 = 0;

/// The wire type of `fixed32` fields (error codes, `max_depth`).
pub(crate) const I32: u32 = 5;

/// A cursor over an encoded Message.
///
/// Keys are handed out as `field number << 3 | wire type`; positions are offsets in the
/// whole input, so errors point into what the caller passed.
///
/// The cursor is a small `Copy` value, and the out-of-line paths (long varints, unknown
/// fields, UTF-8 checks) take and return plain values instead of the cursor itself, so
/// that the compiler keeps it in registers while a message is read. An embedded message
/// is read with a cursor of its own (see [`nested`](Self::nested)).
#[derive(Clone, Copy)]
pub(crate) struct Decoder<'a> {
    /// The input up to the end of the message being read.
    buf: &'a [u8],
    /// Read position in the input.
    pos: usize,
    /// Nesting depth of the message being read.
    depth: u32,
    /// `input[text_at..text_at + text.len()]`, checked as UTF-8 once.
    text_at: usize,
    text: &'a str,
}

impl<'a> Decoder<'a> {
    /// A cursor at the start of `input`, a whole Message.
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Self {
            buf: input,
            pos: 0,
            depth: 0,
            text_at: 0,
            text: "",
        }
    }

    /// The next key of the current message, `None` at its end.
    #[inline(always)]
    pub(crate) fn next_key(&mut self) -> Result<Option<u32>, DecodeError> {
        match self.buf.get(self.pos) {
            None => Ok(None),
            Some(&byte) if byte < 0x80 => {
                // Validated only when the key turns out not to be one the message knows
                // (see `skip`): every key a message matches is valid.
                self.pos += 1;
                Ok(Some(u32::from(byte)))
            }
            Some(_) => {
                let (key, pos) = key_slow(self.buf, self.pos)?;
                self.pos = pos;
                Ok(Some(key))
            }
        }
    }

    /// Whether the next key is `key`, written in one byte; consumes it if so.
    #[inline(always)]
    pub(crate) fn next_is_key(&mut self, key: u32) -> bool {
        if key < 0x80 && self.buf.get(self.pos).is_some_and(|b| u32::from(*b) == key) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Whether the next byte is `key` (a one-byte key); consumes it if so. Repeated fields
    /// use it to read the following elements directly.
    #[inline(always)]
    pub(crate) fn next_is(&mut self, key: Option<u8>) -> bool {
        match key {
            Some(key) if self.buf.get(self.pos) == Some(&key) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    /// The unread part of the current message, when it lies inside the valid UTF-8 stretch.
    #[inline(always)]
    pub(crate) fn rest_str(&self) -> Option<&'a str> {
        self.text
            .get(self.pos.wrapping_sub(self.text_at)..self.buf.len().wrapping_sub(self.text_at))
    }

    /// Moves the cursor `n` bytes on, over what was read from [`rest_str`](Self::rest_str).
    #[inline(always)]
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos += n;
    }

    /// The unread bytes of the current message.
    #[inline(always)]
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// Skips the field whose key was just read, as protobuf requires of an unknown field
    /// (or of a known one with another wire type).
    #[inline(always)]
    pub(crate) fn skip(&mut self, key: u32) -> Result<(), DecodeError> {
        self.pos = skip(self.buf, self.pos, key)?;
        Ok(())
    }

    /// Reads a varint.
    #[inline(always)]
    pub(crate) fn varint(&mut self) -> Result<u64, DecodeError> {
        match self.buf.get(self.pos) {
            Some(&byte) if byte < 0x80 => {
                self.pos += 1;
                Ok(u64::from(byte))
            }
            _ => {
                let (value, pos) = varint_slow(self.buf, self.pos)?;
                self.pos = pos;
                Ok(value)
            }
        }
    }

    /// Reads a little-endian 32-bit value.
    #[inline]
    pub(crate) fn fixed32(&mut self) -> Result<u32, DecodeError> {
        match self.buf.get(self.pos..self.pos + 4) {
            Some(&[a, b, c, d]) => {
                self.pos += 4;
                Ok(u32::from_le_bytes([a, b, c, d]))
            }
            _ => Err(malformed(self.pos, Malformed::Truncated)),
        }
    }

    /// Reads the length of a length-delimited field and returns the range of its body.
    #[inline(always)]
    pub(crate) fn len_delimited(&mut self) -> Result<Range<usize>, DecodeError> {
        let len = match self.buf.get(self.pos..) {
            Some(&[byte, ..]) if byte < 0x80 => {
                self.pos += 1;
                usize::from(byte)
            }
            // Two bytes (128 to 16,383) is the common long form.
            Some(&[low, high, ..]) if high < 0x80 => {
                self.pos += 2;
                usize::from(low & 0x7f) | usize::from(high) << 7
            }
            _ => {
                let (len, pos) = long_len(self.buf, self.pos)?;
                self.pos = pos;
                len
            }
        };
        let start = self.pos;
        if len > self.buf.len() - start {
            return Err(malformed(start, Malformed::Truncated));
        }
        self.pos = start + len;
        Ok(start..start + len)
    }

    /// Reads a string field; `field` names it in the error when it is not UTF-8.
    #[inline(always)]
    pub(crate) fn string(&mut self, field: &'static str) -> Result<&'a str, DecodeError> {
        let range = self.len_delimited()?;
        match self.str_at(range) {
            Some(text) => Ok(text),
            None => Err(invalid_utf8(field)),
        }
    }

    /// Decodes the embedded message that is the body of the next length-delimited field
    /// with `decode`, which reads the message to its end.
    #[inline(always)]
    pub(crate) fn nested(
        &mut self,
        decode: impl FnOnce(&mut Self) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let range = self.len_delimited()?;
        if self.depth >= MAX_DEPTH {
            return Err(DecodeError::TooDeep);
        }
        // A cursor of its own, over the embedded message only; `len_delimited` left this
        // one after it.
        let mut inner = Self {
            buf: self.buf.get(..range.end).unwrap_or_default(),
            pos: range.start,
            depth: self.depth + 1,
            ..*self
        };
        let result = decode(&mut inner);
        (self.text_at, self.text) = (inner.text_at, inner.text);
        result
    }

    /// Decodes the embedded message of a [`FLAT`](Message::FLAT) type that is the body of
    /// the next length-delimited field into `message`: straight from the valid UTF-8
    /// stretch when it lies in it, with no cursor of its own, else as
    /// [`nested`](Self::nested) does (from where the direct reading stopped).
    #[inline(always)]
    pub(crate) fn nested_flat<M: Message<'a>>(
        &mut self,
        message: &mut M,
    ) -> Result<(), DecodeError> {
        let range = self.len_delimited()?;
        let start = range.start.wrapping_sub(self.text_at);
        let end = range.end.wrapping_sub(self.text_at);
        // Wrapped offsets (a message starting before the stretch) fail the test.
        let read = if start <= end && end <= self.text.len() {
            let reached = message.read_flat(self.text, start, end);
            if reached == end {
                return Ok(());
            }
            reached - start
        } else {
            0
        };
        if self.depth >= MAX_DEPTH {
            return Err(DecodeError::TooDeep);
        }
        let mut inner = Self {
            buf: self.buf.get(..range.end).unwrap_or_default(),
            pos: range.start + read,
            depth: self.depth + 1,
            ..*self
        };
        let result = message.decode_body(&mut inner);
        (self.text_at, self.text) = (inner.text_at, inner.text);
        result
    }

    /// Runs `decode` on `range`, a field body this cursor handed out, as on a message of
    /// its own; the cursor is at the end of `range` after.
    #[inline(always)]
    pub(crate) fn within<T>(
        &mut self,
        range: Range<usize>,
        decode: impl FnOnce(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<T, DecodeError> {
        let outer = self.buf;
        self.buf = outer.get(..range.end).unwrap_or_default();
        self.pos = range.start;
        let result = decode(self);
        self.buf = outer;
        self.pos = range.end;
        result
    }

    /// The string at `range` of the input, if it is valid UTF-8.
    ///
    /// Protobuf keys, short lengths and ASCII text are all valid UTF-8, so a message is
    /// mostly long valid stretches, broken only where a byte such as a two-byte length
    /// cannot be read as UTF-8. A string inside the stretch last checked is a sub-`str` of
    /// it, found without validating anything again: that is what makes decoding many short
    /// strings cheap. Otherwise the input is checked from the string on, up to the end of
    /// the message that holds it or the first byte that is not UTF-8, and that becomes the
    /// stretch for the strings that follow. Strings are read in input order, so no byte is
    /// checked more than twice, and nothing is allocated.
    #[inline(always)]
    pub(crate) fn str_at(&mut self, range: Range<usize>) -> Option<&'a str> {
        // `get` checks that the range is inside the stretch and that both ends fall on
        // character boundaries; a string it refuses is checked on its own.
        let start = range.start.wrapping_sub(self.text_at);
        let end = range.end.wrapping_sub(self.text_at);
        if let Some(text) = self.text.get(start..end) {
            return Some(text);
        }
        let (at, text) = check_text(self.buf, range.clone())?;
        (self.text_at, self.text) = (at, text);
        text.get(range.start - at..range.end - at)
    }
}

/// A key of more than one byte at `pos` (a field number above 15, unknown to the schema, or
/// an overlong encoding); returns it with the position after it.
#[cold]
#[inline(never)]
fn key_slow(buf: &[u8], pos: usize) -> Result<(u32, usize), DecodeError> {
    let mut reader = Reader::within(buf, pos..buf.len(), 0);
    let (number, wire_type) = reader.key()?;
    // `key` checked that the number fits 29 bits.
    Ok((number << 3 | wire_type as u32, reader.position()))
}

/// Skips the field whose key ends at `pos`; returns the position after it.
#[inline(never)]
fn skip(buf: &[u8], pos: usize, key: u32) -> Result<usize, DecodeError> {
    let wire_type = match key & 7 {
        0 => WireType::Varint,
        1 => WireType::I64,
        2 => WireType::Len,
        3 => WireType::StartGroup,
        4 => WireType::EndGroup,
        5 => WireType::I32,
        // Longer keys were validated when read, so this is the one-byte key just read.
        _ => return Err(malformed(pos - 1, Malformed::InvalidWireType)),
    };
    if key >> 3 == 0 {
        return Err(malformed(pos - 1, Malformed::InvalidFieldNumber));
    }
    let mut reader = Reader::within(buf, pos..buf.len(), 0);
    reader.skip(key >> 3, wire_type)?;
    Ok(reader.position())
}

/// A varint at `pos` longer than a byte; returns it with the position after it.
#[inline(never)]
fn varint_slow(buf: &[u8], pos: usize) -> Result<(u64, usize), DecodeError> {
    let mut reader = Reader::within(buf, pos..buf.len(), 0);
    let value = reader.varint()?;
    Ok((value, reader.position()))
}

/// A length at `pos` longer than two bytes; returns it with the position after it.
#[inline(never)]
fn long_len(buf: &[u8], pos: usize) -> Result<(usize, usize), DecodeError> {
    let (len, after) = varint_slow(buf, pos)?;
    match usize::try_from(len) {
        Ok(len) => Ok((len, after)),
        Err(_) => Err(malformed(pos, Malformed::Truncated)),
    }
}

/// A stretch of `buf` that holds `range` and is valid UTF-8, with the offset where it
/// starts; `None` when `range` is not valid UTF-8 itself.
///
/// The stretch usually runs from the string to the end of the message, which holds more
/// strings, or to the first invalid byte before it: `from_utf8` finds that byte, and the
/// text before it is checked again to be had as a `str`. When a byte that is not ASCII
/// comes within [`WINDOW`] bytes after the string (the two-byte length of an embedded
/// message of 128 bytes or more, which follows the last string of a message such as
/// `Notify.subscription_id`), the stretch is the string alone: checking on would only run
/// into that byte, fail, and start again.
#[inline(never)]
fn check_text(buf: &[u8], range: Range<usize>) -> Option<(usize, &str)> {
    let Range { start, end } = range;
    let near = match buf.get(end..end + WINDOW) {
        Some(window) => u128::from_le_bytes(window.try_into().ok()?) & HIGH_BITS != 0,
        // The message ends within the window.
        None => false,
    };
    let candidate = buf.get(start..if near { end } else { buf.len() })?;
    match std::str::from_utf8(candidate) {
        Ok(text) => Some((start, text)),
        Err(e) if e.valid_up_to() < range.len() => None,
        Err(e) => Some((
            start,
            std::str::from_utf8(candidate.get(..e.valid_up_to())?).ok()?,
        )),
    }
}

/// How many bytes after a string [`check_text`] looks at for a byte that is not ASCII.
const WINDOW: usize = 16;

/// The high bit of each of [`WINDOW`] bytes.
const HIGH_BITS: u128 = u128::from_ne_bytes([0x80; WINDOW]);

/// A malformed encoding at `offset`.
#[cold]
#[inline(never)]
pub(crate) fn malformed(offset: usize, kind: Malformed) -> DecodeError {
    DecodeError::Malformed { offset, kind }
}

/// A string field that is not UTF-8.
#[cold]
#[inline(never)]
pub(crate) fn invalid_utf8(field: &'static str) -> DecodeError {
    DecodeError::InvalidUtf8 { field }
}

/// The key of a length-delimited field when it takes one byte (field numbers 1 to 15).
#[inline(always)]
pub(crate) fn one_byte_key(key: u32) -> Option<u8> {
    u8::try_from(key).ok().filter(|k| *k < 0x80)
}

/// How many length-delimited fields with the key `key` come one after the other in `rest`,
/// which starts with the length of the first one (its key was read). Each takes at least
/// two bytes but the first, so the count never exceeds `rest.len() / 2 + 1`: it is the
/// capacity to reserve for them. A malformed field ends the count; decoding reports it.
pub(crate) fn run_len(rest: &[u8], key: Option<u8>) -> usize {
    let Some(key) = key else { return 1 };
    let mut count = 1;
    let mut at = 0;
    while let Some(&low) = rest.get(at) {
        let len = if low < 0x80 {
            at += 1;
            usize::from(low)
        } else {
            match rest.get(at + 1) {
                Some(&high) if high < 0x80 => {
                    at += 2;
                    usize::from(low & 0x7f) | usize::from(high) << 7
                }
                // Longer (or malformed): the count so far is a fair capacity.
                _ => break,
            }
        };
        // `at` is within `rest` and `len` below 2^14: no overflow.
        at += len;
        if rest.get(at) != Some(&key) {
            break;
        }
        at += 1;
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::run_capacity;

    /// A deterministic xorshift, for inputs that cover more than hand-picked cases.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A byte that is ASCII, part of a multi-byte character, or never UTF-8.
        fn byte(&mut self) -> u8 {
            const BYTES: &[u8] = b"ab\x00\x7f\xc3\xa9\xe2\x98\x95\xf0\x9f\xff\x80";
            BYTES[(self.next() % BYTES.len() as u64) as usize]
        }
    }

    #[test]
    fn str_at_is_from_utf8_of_the_range_whatever_was_read_before() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..300 {
            let len = (rng.next() % 24) as usize;
            let buf: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
            let mut d = Decoder::new(&buf);
            // Every range, in input order (as decoding reads) and then in random order.
            let mut ranges = Vec::new();
            for start in 0..=len {
                for end in start..=len {
                    ranges.push(start..end);
                }
            }
            let shuffled: Vec<_> = (0..ranges.len())
                .map(|_| ranges[(rng.next() % ranges.len() as u64) as usize].clone())
                .collect();
            for range in ranges.into_iter().chain(shuffled) {
                assert_eq!(
                    d.str_at(range.clone()),
                    std::str::from_utf8(&buf[range.clone()]).ok(),
                    "{buf:02x?} {range:?}"
                );
            }
        }
    }

    #[test]
    fn str_at_keeps_one_stretch_up_to_the_first_invalid_byte() {
        let buf = b"\x0a\x03abc\x12\x02de\xff\x0a\x01f";
        let mut d = Decoder::new(buf);
        assert_eq!(d.str_at(2..5), Some("abc"));
        // The message ends within the window after the string: the stretch runs from the
        // string to the invalid byte.
        assert_eq!((d.text_at, d.text), (2, "abc\x12\x02de"));
        let stretch = (d.text_at, d.text.as_ptr());
        // The second string is cut from it.
        assert_eq!(d.str_at(7..9), Some("de"));
        assert_eq!((d.text_at, d.text.as_ptr()), stretch);
        // Past the invalid byte, a new stretch.
        assert_eq!(d.str_at(12..13), Some("f"));
        assert_eq!((d.text_at, d.text), (12, "f"));
        // A range over the invalid byte is refused.
        assert_eq!(d.str_at(7..10), None);
    }

    #[test]
    fn str_at_stops_the_stretch_before_a_close_byte_that_is_not_ascii() {
        // A string, a varint field, then the two-byte length of an embedded message (0xa1
        // is not UTF-8), then a long run of text: the stretch covers the string and stops
        // before the length, instead of running into it.
        let mut buf = b"\x0a\x08boot-sub\x10\x01\x1a\xa1\x01".to_vec();
        buf.extend_from_slice(&[b'x'; 161]);
        let mut d = Decoder::new(&buf);
        assert_eq!(d.str_at(2..10), Some("boot-sub"));
        assert_eq!((d.text_at, d.text), (2, "boot-sub"));
        // The text after the length gets a stretch of its own, to the end.
        assert_eq!(d.str_at(15..20), Some("xxxxx"));
        assert_eq!(d.text_at + d.text.len(), buf.len());
    }

    #[test]
    fn run_len_counts_the_fields_that_follow_one_another() {
        // Three fields with key 0x12 (the first key already read), then another field.
        let rest = [&[2, b'a', b'b', 0x12, 0][..], &[0x12, 1, b'c', 0x1a, 0]].concat();
        assert_eq!(run_len(&rest, Some(0x12)), 3);
        // A two-byte length.
        let long = [&[0x80, 0x01][..], &[b'x'; 128], &[0x12, 0]].concat();
        assert_eq!(run_len(&long, Some(0x12)), 2);
        // Truncated or overlong fields end the count, which stays at least one.
        assert_eq!(run_len(&[9, b'a'], Some(0x12)), 1);
        assert_eq!(run_len(&[], Some(0x12)), 1);
        assert_eq!(run_len(&[0xff, 0xff, 0xff], Some(0x12)), 1);
        // Without a one-byte key there is nothing to count.
        assert_eq!(run_len(&rest, None), 1);
    }

    #[test]
    fn run_capacity_is_bounded_by_the_input() {
        let mut rng = Rng(42);
        for _ in 0..10_000 {
            let len = (rng.next() % 64) as usize;
            let rest: Vec<u8> = (0..len)
                .map(|_| match rng.next() % 4 {
                    0 => 0x12,
                    1 => (rng.next() % 4) as u8,
                    _ => rng.byte(),
                })
                .collect();
            let n = run_capacity(&rest, Some(0x12));
            assert!(n >= 1);
            assert!(n <= rest.len() / 2 + 1, "{n} for {rest:02x?}");
        }
        // Alike elements: the estimate is the count; the first one much smaller: capped.
        let alike = [&[1, b'a'][..], &[0x12, 1, b'b'], &[0x12, 1, b'c']].concat();
        assert_eq!(run_capacity(&alike, Some(0x12)), 3);
        let mut skewed = vec![0];
        for _ in 0..40 {
            skewed.extend([0x12, 0]);
        }
        skewed.extend([0x1a, 0]);
        assert_eq!(run_capacity(&skewed, Some(0x12)), 41);
    }
}
