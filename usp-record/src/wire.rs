//! Protobuf wire primitives shared by the USP codecs (this crate's and `usp-msg`'s), with
//! every length checked against the bytes that are really there before anything is sliced
//! or allocated.
//!
//! Not a public API: reachable as `usp_record::__private::wire` for the sibling crates of
//! the workspace only; it follows their version, not semver.

use std::ops::Range;

use bytes::BufMut;

use crate::error::Malformed;

/// A malformed protobuf encoding: what was wrong and at which byte of the outermost input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::exhaustive_structs)] // internal, unstable
pub struct WireError {
    /// Byte offset of the fault in the outermost input.
    pub offset: usize,
    /// What was wrong.
    pub kind: Malformed,
}

/// Protobuf wire types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::exhaustive_enums)] // fixed by the protobuf encoding
pub enum WireType {
    /// 0: varint.
    Varint,
    /// 1: 64-bit little-endian.
    I64,
    /// 2: length-delimited.
    Len,
    /// 3: start of a (deprecated) group.
    StartGroup,
    /// 4: end of a (deprecated) group.
    EndGroup,
    /// 5: 32-bit little-endian.
    I32,
}

impl WireType {
    #[inline(always)]
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
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    end: usize,
    /// Offset of `buf` in the outermost input, so errors point into what the caller passed.
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader over all of `buf`, which starts at `base` in the outermost input.
    pub fn new(buf: &'a [u8], base: usize) -> Self {
        Self {
            buf,
            pos: 0,
            end: buf.len(),
            base,
        }
    }

    /// A reader over `range` of `buf` (a range this module handed out).
    pub fn within(buf: &'a [u8], range: Range<usize>, base: usize) -> Self {
        Self {
            buf,
            pos: range.start,
            end: range.end,
            base,
        }
    }

    /// Moves the cursor to `pos` (an offset inside this reader's buffer).
    pub fn advance_to(&mut self, pos: usize) {
        self.pos = pos.min(self.end);
    }

    /// Whether the cursor is at the end.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.pos >= self.end
    }

    /// Position of the cursor in the buffer.
    pub fn position(&self) -> usize {
        self.pos
    }

    fn malformed(&self, at: usize, kind: Malformed) -> WireError {
        WireError {
            offset: self.base + at,
            kind,
        }
    }

    /// Reads a varint.
    #[inline(always)]
    pub fn varint(&mut self) -> Result<u64, WireError> {
        // Fast path: keys, small numbers and short lengths fit one byte.
        if self.pos < self.end {
            let byte = self.buf[self.pos];
            if byte < 0x80 {
                self.pos += 1;
                return Ok(u64::from(byte));
            }
        }
        self.varint_slow()
    }

    #[cold]
    #[inline(never)]
    fn varint_slow(&mut self) -> Result<u64, WireError> {
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
    #[inline(always)]
    pub fn key(&mut self) -> Result<(u32, WireType), WireError> {
        // Fast path: field numbers 1 to 15 with a valid wire type fit one byte.
        if self.pos < self.end {
            let byte = self.buf[self.pos];
            if (8..0x80).contains(&byte)
                && let Some(wire_type) = WireType::from_bits(u64::from(byte & 7))
            {
                self.pos += 1;
                return Ok((u32::from(byte >> 3), wire_type));
            }
        }
        self.key_slow()
    }

    #[cold]
    #[inline(never)]
    fn key_slow(&mut self) -> Result<(u32, WireType), WireError> {
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

    /// Reads a little-endian 32-bit value.
    pub fn fixed32(&mut self) -> Result<u32, WireError> {
        let range = self.take(4)?;
        let b = &self.buf[range];
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Takes `len` bytes; returns their range in the buffer.
    #[inline]
    fn take(&mut self, len: usize) -> Result<Range<usize>, WireError> {
        if len > self.end - self.pos {
            return Err(self.malformed(self.pos, Malformed::Truncated));
        }
        let range = self.pos..self.pos + len;
        self.pos += len;
        Ok(range)
    }

    /// Reads a length-delimited field body; returns its range in the buffer.
    #[inline]
    pub fn len_delimited(&mut self) -> Result<Range<usize>, WireError> {
        let start = self.pos;
        let len = self.varint()?;
        let Ok(len) = usize::try_from(len) else {
            return Err(self.malformed(start, Malformed::Truncated));
        };
        self.take(len)
    }

    /// The unread bytes and where they start in the buffer, for fast paths that parse a
    /// common layout directly; they must call [`advance_to`](Self::advance_to) after.
    #[inline]
    pub fn rest(&self) -> (&'a [u8], usize) {
        (&self.buf[self.pos..self.end], self.pos)
    }

    /// Number of unread bytes.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.end - self.pos
    }

    /// The bytes of `range`, borrowed.
    pub fn slice(&self, range: Range<usize>) -> &'a [u8] {
        &self.buf[range]
    }

    /// Skips the body of field `number`, which we do not know, as protobuf requires.
    /// Groups (deprecated, unused by USP) are followed to a bounded depth, and each
    /// end-group must close the start-group of the same field number.
    pub fn skip(&mut self, number: u32, wire_type: WireType) -> Result<(), WireError> {
        let mut open = [0u32; MAX_GROUP_DEPTH];
        let mut depth = 0usize;
        let (mut number, mut wire_type) = (number, wire_type);
        // Where the key being handled starts: the caller read the first one, just before.
        let first_key = (u64::from(number) << 3) | wire_type as u64;
        let mut at = self.pos.saturating_sub(varint_len(first_key));
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
#[inline]
pub fn varint_len(value: u64) -> usize {
    // 1 byte per 7 significant bits, at least 1: ceil(bits / 7) == (bits * 9 + 64) / 64 for
    // every bits in 1..=64, without a division.
    let bits = 64 - (value | 1).leading_zeros() as usize;
    (bits * 9 + 64) / 64
}

/// Writes `value` as a varint.
#[inline]
pub fn put_varint(out: &mut impl BufMut, mut value: u64) {
    while value >= 0x80 {
        out.put_u8((value as u8) | 0x80);
        value >>= 7;
    }
    out.put_u8(value as u8);
}

/// Writes the key of field `number` with wire type `wire_type` (0 to 5).
#[inline]
pub fn put_key(out: &mut impl BufMut, number: u32, wire_type: u8) {
    put_varint(out, (u64::from(number) << 3) | u64::from(wire_type));
}

/// Size of a key for `number` (all our field numbers fit one byte, but stay general).
#[inline]
pub fn key_len(number: u32) -> usize {
    varint_len(u64::from(number) << 3)
}

/// Size of a length-delimited field with a body of `len` bytes, present even when empty.
#[inline]
pub fn len_field_len(number: u32, len: usize) -> usize {
    key_len(number) + varint_len(len as u64) + len
}

/// Size of a proto3 implicit-presence bytes/string field (absent when empty).
#[inline]
pub fn opt_len_field_len(number: u32, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        len_field_len(number, len)
    }
}

/// Size of a proto3 implicit-presence varint field (absent when zero).
#[inline]
pub fn opt_varint_field_len(number: u32, value: u64) -> usize {
    if value == 0 {
        0
    } else {
        key_len(number) + varint_len(value)
    }
}

/// Size of a proto3 implicit-presence fixed32 field (absent when zero).
#[inline]
pub fn opt_fixed32_field_len(number: u32, value: u32) -> usize {
    if value == 0 { 0 } else { key_len(number) + 4 }
}

/// Writes the key and length of a length-delimited field whose body follows.
#[inline]
pub fn put_len_header(out: &mut impl BufMut, number: u32, len: usize) {
    put_key(out, number, 2);
    put_varint(out, len as u64);
}

/// Writes a proto3 implicit-presence bytes/string field (nothing when empty).
#[inline]
pub fn put_opt_bytes(out: &mut impl BufMut, number: u32, value: &[u8]) {
    if !value.is_empty() {
        put_len_header(out, number, value.len());
        out.put_slice(value);
    }
}

/// Writes a proto3 implicit-presence varint field (nothing when zero).
#[inline]
pub fn put_opt_varint(out: &mut impl BufMut, number: u32, value: u64) {
    if value != 0 {
        put_key(out, number, 0);
        put_varint(out, value);
    }
}

/// Writes a proto3 implicit-presence fixed32 field (nothing when zero).
#[inline]
pub fn put_opt_fixed32(out: &mut impl BufMut, number: u32, value: u32) {
    if value != 0 {
        put_key(out, number, 5);
        out.put_u32_le(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

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
            Err(WireError {
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
            Err(WireError {
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
            Err(WireError {
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
            Err(WireError {
                kind: Malformed::UnexpectedEndGroup,
                offset: 2
            })
        ));

        // An end-group as the first key skipped points at that key.
        let lone = Bytes::from_static(&[0x08, 0x01, 0xa4, 0x01]);
        let mut reader = Reader::new(&lone, 0);
        reader.key().unwrap();
        reader.varint().unwrap();
        let (number, wire_type) = reader.key().unwrap();
        assert!(matches!(
            reader.skip(number, wire_type),
            Err(WireError {
                kind: Malformed::UnexpectedEndGroup,
                offset: 2
            })
        ));

        let deep = Bytes::from([0x0b_u8].repeat(100));
        let mut reader = Reader::new(&deep, 0);
        let (number, wire_type) = reader.key().unwrap();
        assert!(matches!(
            reader.skip(number, wire_type),
            Err(WireError {
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
            Err(WireError {
                kind: Malformed::InvalidFieldNumber,
                ..
            })
        ));
    }
}
