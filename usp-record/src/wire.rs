//! Protobuf wire primitives: just what a Record needs, with every length checked against the
//! bytes that are really there before anything is sliced or allocated.

use std::ops::Range;

use bytes::{BufMut, Bytes};

use crate::error::{Malformed, RecordError};

/// Protobuf wire types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WireType {
    Varint,
    I64,
    Len,
    StartGroup,
    EndGroup,
    I32,
}

impl WireType {
    fn from_bits(bits: u64) -> Option<Self> {
        Some(match bits {
            0 => Self::Varint,
            1 => Self::I64,
            2 => Self::Len,
            3 => Self::StartGroup,
            4 => Self::EndGroup,
            5 => Self::I32,
            _ => return None,
        })
    }
}

/// Groups are deprecated and never used by USP; unknown ones are skipped up to this depth.
const MAX_GROUP_DEPTH: usize = 32;

/// A cursor over one encoded message, or over a part of a buffer. Fields are handed out as
/// ranges of the buffer, so reading a string costs no reference count and no copy.
pub(crate) struct Reader<'a> {
    buf: &'a Bytes,
    pos: usize,
    end: usize,
    /// Offset of `buf` in the outermost input, so errors point into what the caller passed.
    base: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a Bytes, base: usize) -> Self {
        Self {
            buf,
            pos: 0,
            end: buf.len(),
            base,
        }
    }

    /// A reader over `range` of `buf` (a range this module handed out).
    pub(crate) fn within(buf: &'a Bytes, range: Range<usize>, base: usize) -> Self {
        Self {
            buf,
            pos: range.start,
            end: range.end,
            base,
        }
    }

    /// Moves the cursor to `pos` (an offset inside this reader's buffer).
    pub(crate) fn advance_to(&mut self, pos: usize) {
        self.pos = pos.min(self.end);
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.end
    }

    /// Position of the cursor in the buffer.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    fn malformed(&self, at: usize, kind: Malformed) -> RecordError {
        RecordError::Malformed {
            offset: self.base + at,
            kind,
        }
    }

    #[inline]
    pub(crate) fn varint(&mut self) -> Result<u64, RecordError> {
        // Fast path: keys, small numbers and short lengths fit one byte.
        if self.pos < self.end {
            let byte = self.buf[self.pos];
            if byte < 0x80 {
                self.pos += 1;
                return Ok(u64::from(byte));
            }
        }
        let start = self.pos;
        let mut value = 0u64;
        for i in 0..10 {
            let Some(&byte) = self.buf.get(self.pos).filter(|_| self.pos < self.end) else {
                return Err(self.malformed(start, Malformed::Truncated));
            };
            self.pos += 1;
            if i == 9 && byte > 1 {
                return Err(self.malformed(start, Malformed::VarintOverflow));
            }
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(self.malformed(start, Malformed::VarintOverflow))
    }

    /// Reads a field key; returns the field number and wire type.
    #[inline]
    pub(crate) fn key(&mut self) -> Result<(u32, WireType), RecordError> {
        let start = self.pos;
        let key = self.varint()?;
        let number = key >> 3;
        let Some(wire_type) = WireType::from_bits(key & 7) else {
            return Err(self.malformed(start, Malformed::InvalidWireType));
        };
        if number == 0 || number > u64::from(u32::MAX >> 3) {
            return Err(self.malformed(start, Malformed::InvalidFieldNumber));
        }
        // The range check above makes the narrowing lossless.
        Ok((number as u32, wire_type))
    }

    pub(crate) fn fixed32(&mut self) -> Result<u32, RecordError> {
        let range = self.take(4)?;
        let b = &self.buf[range];
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Takes `len` bytes; returns their range in the buffer.
    #[inline]
    fn take(&mut self, len: usize) -> Result<Range<usize>, RecordError> {
        if len > self.end - self.pos {
            return Err(self.malformed(self.pos, Malformed::Truncated));
        }
        let range = self.pos..self.pos + len;
        self.pos += len;
        Ok(range)
    }

    /// Reads a length-delimited field body; returns its range in the buffer.
    #[inline]
    pub(crate) fn len_delimited(&mut self) -> Result<Range<usize>, RecordError> {
        let start = self.pos;
        let len = self.varint()?;
        let Ok(len) = usize::try_from(len) else {
            return Err(self.malformed(start, Malformed::Truncated));
        };
        self.take(len)
    }

    /// The bytes of `range`, sharing the buffer.
    pub(crate) fn bytes(&self, range: Range<usize>) -> Bytes {
        self.buf.slice(range)
    }

    /// The bytes of `range`, borrowed.
    pub(crate) fn slice(&self, range: Range<usize>) -> &'a [u8] {
        &self.buf[range]
    }

    /// Skips the body of field `number`, which we do not know, as protobuf requires.
    /// Groups (deprecated, unused by USP) are followed to a bounded depth, and each
    /// end-group must close the start-group of the same field number.
    pub(crate) fn skip(&mut self, number: u32, wire_type: WireType) -> Result<(), RecordError> {
        let mut open = [0u32; MAX_GROUP_DEPTH];
        let mut depth = 0usize;
        let (mut number, mut wire_type) = (number, wire_type);
        // Where the key being handled starts (the caller read the first one).
        let mut at = self.pos;
        loop {
            match wire_type {
                WireType::Varint => {
                    self.varint()?;
                }
                WireType::I64 => {
                    self.take(8)?;
                }
                WireType::I32 => {
                    self.take(4)?;
                }
                WireType::Len => {
                    self.len_delimited()?;
                }
                WireType::StartGroup => {
                    if depth == MAX_GROUP_DEPTH {
                        return Err(self.malformed(at, Malformed::NestingTooDeep));
                    }
                    open[depth] = number;
                    depth += 1;
                }
                WireType::EndGroup => {
                    if depth == 0 || open[depth - 1] != number {
                        return Err(self.malformed(at, Malformed::UnexpectedEndGroup));
                    }
                    depth -= 1;
                }
            }
            if depth == 0 {
                return Ok(());
            }
            if self.is_empty() {
                return Err(self.malformed(self.pos, Malformed::Truncated));
            }
            at = self.pos;
            (number, wire_type) = self.key()?;
        }
    }
}

/// Number of bytes `value` takes as a varint.
pub(crate) fn varint_len(value: u64) -> usize {
    // 1 byte per 7 significant bits, at least 1.
    let bits = 64 - (value | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

pub(crate) fn put_varint(out: &mut impl BufMut, mut value: u64) {
    while value >= 0x80 {
        out.put_u8((value as u8) | 0x80);
        value >>= 7;
    }
    out.put_u8(value as u8);
}

fn put_key(out: &mut impl BufMut, number: u32, wire_type: u8) {
    put_varint(out, (u64::from(number) << 3) | u64::from(wire_type));
}

/// Size of a key for `number` (all our field numbers fit one byte, but stay general).
fn key_len(number: u32) -> usize {
    varint_len(u64::from(number) << 3)
}

/// Size of a length-delimited field with a body of `len` bytes, present even when empty.
pub(crate) fn len_field_len(number: u32, len: usize) -> usize {
    key_len(number) + varint_len(len as u64) + len
}

/// Size of a proto3 implicit-presence bytes/string field (absent when empty).
pub(crate) fn opt_len_field_len(number: u32, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        len_field_len(number, len)
    }
}

/// Size of a proto3 implicit-presence varint field (absent when zero).
pub(crate) fn opt_varint_field_len(number: u32, value: u64) -> usize {
    if value == 0 {
        0
    } else {
        key_len(number) + varint_len(value)
    }
}

/// Size of a proto3 implicit-presence fixed32 field (absent when zero).
pub(crate) fn opt_fixed32_field_len(number: u32, value: u32) -> usize {
    if value == 0 { 0 } else { key_len(number) + 4 }
}

/// Writes the key and length of a length-delimited field whose body follows.
pub(crate) fn put_len_header(out: &mut impl BufMut, number: u32, len: usize) {
    put_key(out, number, 2);
    put_varint(out, len as u64);
}

pub(crate) fn put_opt_bytes(out: &mut impl BufMut, number: u32, value: &[u8]) {
    if !value.is_empty() {
        put_len_header(out, number, value.len());
        out.put_slice(value);
    }
}

pub(crate) fn put_opt_varint(out: &mut impl BufMut, number: u32, value: u64) {
    if value != 0 {
        put_key(out, number, 0);
        put_varint(out, value);
    }
}

pub(crate) fn put_opt_fixed32(out: &mut impl BufMut, number: u32, value: u32) {
    if value != 0 {
        put_key(out, number, 5);
        out.put_u32_le(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_round_trip_and_length() {
        for value in [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut out = Vec::new();
            put_varint(&mut out, value);
            assert_eq!(out.len(), varint_len(value), "{value}");
            let buf = Bytes::from(out);
            let mut reader = Reader::new(&buf, 0);
            assert_eq!(reader.varint().unwrap(), value);
            assert!(reader.is_empty());
        }
    }

    #[test]
    fn varint_rejects_overlong_and_truncated() {
        let overlong = Bytes::from_static(&[0xff; 11]);
        assert!(matches!(
            Reader::new(&overlong, 0).varint(),
            Err(RecordError::Malformed {
                kind: Malformed::VarintOverflow,
                offset: 0
            })
        ));
        // A tenth byte above 1 overflows 64 bits.
        let mut tenth = vec![0xff; 9];
        tenth.push(0x02);
        let tenth = Bytes::from(tenth);
        assert!(Reader::new(&tenth, 0).varint().is_err());
        let truncated = Bytes::from_static(&[0x80, 0x80]);
        assert!(matches!(
            Reader::new(&truncated, 7).varint(),
            Err(RecordError::Malformed {
                kind: Malformed::Truncated,
                offset: 7
            })
        ));
    }

    #[test]
    fn huge_length_prefix_is_an_error_not_an_allocation() {
        // Field 1, length-delimited, length 2^62.
        let mut raw = vec![0x0a];
        put_varint(&mut raw, 1 << 62);
        let buf = Bytes::from(raw);
        let mut reader = Reader::new(&buf, 0);
        reader.key().unwrap();
        assert!(matches!(
            reader.len_delimited(),
            Err(RecordError::Malformed {
                kind: Malformed::Truncated,
                ..
            })
        ));
    }

    #[test]
    fn groups_are_skipped_and_bounded() {
        // field 20 start-group, field 1 varint 5, field 20 end-group
        let buf = Bytes::from_static(&[0xa3, 0x01, 0x08, 0x05, 0xa4, 0x01]);
        let mut reader = Reader::new(&buf, 0);
        let (number, wire_type) = reader.key().unwrap();
        assert_eq!((number, wire_type), (20, WireType::StartGroup));
        reader.skip(number, wire_type).unwrap();
        assert!(reader.is_empty());

        // field 20 start-group closed by an end-group of field 21
        let crossed = Bytes::from_static(&[0xa3, 0x01, 0xac, 0x01]);
        let mut reader = Reader::new(&crossed, 0);
        let (number, wire_type) = reader.key().unwrap();
        assert!(matches!(
            reader.skip(number, wire_type),
            Err(RecordError::Malformed {
                kind: Malformed::UnexpectedEndGroup,
                offset: 2
            })
        ));

        let deep = Bytes::from([0x0b_u8].repeat(100));
        let mut reader = Reader::new(&deep, 0);
        let (number, wire_type) = reader.key().unwrap();
        assert!(matches!(
            reader.skip(number, wire_type),
            Err(RecordError::Malformed {
                kind: Malformed::NestingTooDeep,
                ..
            })
        ));
    }

    #[test]
    fn field_number_zero_is_rejected() {
        let buf = Bytes::from_static(&[0x00, 0x00]);
        assert!(matches!(
            Reader::new(&buf, 0).key(),
            Err(RecordError::Malformed {
                kind: Malformed::InvalidFieldNumber,
                ..
            })
        ));
    }
}
