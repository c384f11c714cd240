//! The Message codec: a field trait implemented by every field type, and a macro that
//! declares a message struct together with its decoder and encoder.
//!
//! Decoding borrows: strings are `Cow::Borrowed` slices of the input, checked as UTF-8 once.
//! Encoding is linear: a first pass records the length of every nested message in a size
//! cache (in pre-order), a second pass writes, so nested lengths are never recomputed.

use std::borrow::Cow;
use std::ops::Range;

use usp_record::__private::wire::{self, Reader, WireType};

use crate::DecodeError;

/// How deep messages may nest before decoding gives up (the schema nests 9 levels at most).
pub(crate) const MAX_DEPTH: u32 = 32;

/// Decoding state shared by every level: the input, the nesting depth, and the input's
/// valid UTF-8 regions.
pub(crate) struct Ctx<'a> {
    pub(crate) buf: &'a [u8],
    pub(crate) depth: u32,
    text: TextRegions<'a>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self {
            buf,
            depth: 0,
            text: TextRegions::new(buf),
        }
    }

    /// The string at `range` of the input, if it is valid UTF-8.
    #[inline]
    pub(crate) fn str_at(&mut self, range: Range<usize>) -> Option<&'a str> {
        self.text
            .get(range.clone())
            .or_else(|| std::str::from_utf8(&self.buf[range]).ok())
    }
}

/// The input cut into its maximal valid UTF-8 regions, found in one pass.
///
/// Protobuf keys, short lengths and ASCII text are all valid UTF-8, so a USP Message is
/// mostly a few long valid regions, broken only where a byte such as a two-byte length
/// cannot be read as UTF-8. A string field inside one region is a sub-`str` of it, found
/// without validating the string again: that is what makes decoding many short strings
/// cheap. A string that is not inside one region is validated on its own, which reports
/// invalid UTF-8 exactly as before.
struct TextRegions<'a> {
    /// `(start offset, text)` in input order.
    regions: Vec<(usize, &'a str)>,
    /// Index of the region the last lookup used; decoding reads strings mostly in order.
    cursor: usize,
}

impl<'a> TextRegions<'a> {
    fn new(buf: &'a [u8]) -> Self {
        let mut regions = Vec::new();
        let mut pos = 0;
        while pos < buf.len() {
            match std::str::from_utf8(&buf[pos..]) {
                Ok(text) => {
                    regions.push((pos, text));
                    break;
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    if valid > 0 {
                        // The prefix up to `valid_up_to` is valid UTF-8 by definition.
                        if let Ok(text) = std::str::from_utf8(&buf[pos..pos + valid]) {
                            regions.push((pos, text));
                        }
                    }
                    pos += valid + e.error_len().unwrap_or(buf.len() - pos - valid).max(1);
                }
            }
        }
        Self { regions, cursor: 0 }
    }

    #[inline]
    fn get(&mut self, range: Range<usize>) -> Option<&'a str> {
        if self.cursor >= self.regions.len() || self.regions[self.cursor].0 > range.start {
            self.cursor = 0;
        }
        while let Some(&(start, text)) = self.regions.get(self.cursor) {
            if range.start < start {
                return None;
            }
            if range.start <= start + text.len() {
                // `get` checks that both ends fall on character boundaries.
                return text.get(range.start - start..range.end.checked_sub(start)?);
            }
            self.cursor += 1;
        }
        None
    }
}

/// Encoding of a protobuf message body.
pub(crate) trait Encode {
    /// Length of the encoded body; pushes the lengths of nested messages to `sizes`.
    fn size(&self, sizes: &mut Vec<u32>) -> usize;

    /// Writes the body; `next` walks `sizes` in the order `size` filled it.
    fn write(&self, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize);
}

/// Decoding of a protobuf message of the USP schema.
pub(crate) trait Message<'a>: Encode + Default {
    /// Applies one field; returns `false` when the field is unknown to this message (or has
    /// a wire type its type cannot have), so that the caller skips it.
    fn merge_field(
        &mut self,
        number: u32,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
    ) -> Result<bool, DecodeError>;

    /// Decodes a whole message body held by `reader`.
    fn merge_all(&mut self, reader: &mut Reader<'a>, ctx: &mut Ctx<'a>) -> Result<(), DecodeError> {
        while !reader.is_empty() {
            let (number, wire_type) = reader.key()?;
            if !self.merge_field(number, wire_type, reader, ctx)? {
                reader.skip(number, wire_type)?;
            }
        }
        Ok(())
    }
}

/// Decodes the embedded message whose body is the next length-delimited field, merging it
/// into `target` (protobuf merges repeated occurrences of a singular message field).
pub(crate) fn merge_nested<'a, M: Message<'a>>(
    target: &mut M,
    reader: &mut Reader<'a>,
    ctx: &mut Ctx<'a>,
) -> Result<(), DecodeError> {
    let range = reader.len_delimited()?;
    if ctx.depth >= MAX_DEPTH {
        return Err(DecodeError::TooDeep);
    }
    ctx.depth += 1;
    let mut inner = Reader::within(ctx.buf, range, 0);
    let result = target.merge_all(&mut inner, ctx);
    ctx.depth -= 1;
    result
}

/// Encodes a top-level message into a buffer of exactly the right size.
pub(crate) fn encode_to_vec<M: Encode>(message: &M) -> Vec<u8> {
    let mut sizes = Vec::new();
    let len = message.size(&mut sizes);
    let mut out = Vec::with_capacity(len);
    let mut next = 0;
    message.write(&mut out, &sizes, &mut next);
    debug_assert_eq!(out.len(), len, "size and write disagree");
    out
}

/// Decodes a top-level message.
pub(crate) fn decode_from<'a, M: Message<'a>>(buf: &'a [u8]) -> Result<M, DecodeError> {
    let mut message = M::default();
    let mut ctx = Ctx::new(buf);
    let mut reader = Reader::new(buf, 0);
    message.merge_all(&mut reader, &mut ctx)?;
    Ok(message)
}

/// A field type: how it is read from and written to the wire.
pub(crate) trait Field<'a> {
    /// Reads one occurrence; `Ok(false)` when `wire_type` does not fit (treated as unknown).
    fn merge(
        &mut self,
        number: u32,
        field: &'static str,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
    ) -> Result<bool, DecodeError>;
    /// Encoded length of the field with its keys (0 when absent).
    fn size(&self, number: u32, sizes: &mut Vec<u32>) -> usize;
    /// Writes the field with its keys.
    fn write(&self, number: u32, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize);
}

#[inline]
pub(crate) fn text<'a>(
    reader: &mut Reader<'a>,
    ctx: &mut Ctx<'a>,
    field: &'static str,
) -> Result<&'a str, DecodeError> {
    let range = reader.len_delimited()?;
    ctx.str_at(range).ok_or(DecodeError::InvalidUtf8 { field })
}

impl<'a> Field<'a> for Cow<'a, str> {
    fn merge(
        &mut self,
        _: u32,
        field: &'static str,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
    ) -> Result<bool, DecodeError> {
        if wire_type != WireType::Len {
            return Ok(false);
        }
        *self = Cow::Borrowed(text(reader, ctx, field)?);
        Ok(true)
    }
    fn size(&self, number: u32, _: &mut Vec<u32>) -> usize {
        wire::opt_len_field_len(number, self.len())
    }
    fn write(&self, number: u32, out: &mut Vec<u8>, _: &[u32], _: &mut usize) {
        wire::put_opt_bytes(out, number, self.as_bytes());
    }
}

impl<'a> Field<'a> for bool {
    fn merge(
        &mut self,
        _: u32,
        _: &'static str,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        _: &mut Ctx<'a>,
    ) -> Result<bool, DecodeError> {
        if wire_type != WireType::Varint {
            return Ok(false);
        }
        *self = reader.varint()? != 0;
        Ok(true)
    }
    fn size(&self, number: u32, _: &mut Vec<u32>) -> usize {
        wire::opt_varint_field_len(number, u64::from(*self))
    }
    fn write(&self, number: u32, out: &mut Vec<u8>, _: &[u32], _: &mut usize) {
        wire::put_opt_varint(out, number, u64::from(*self));
    }
}

/// `fixed32` fields (error codes, `max_depth`).
impl<'a> Field<'a> for u32 {
    fn merge(
        &mut self,
        _: u32,
        _: &'static str,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        _: &mut Ctx<'a>,
    ) -> Result<bool, DecodeError> {
        if wire_type != WireType::I32 {
            return Ok(false);
        }
        *self = reader.fixed32()?;
        Ok(true)
    }
    fn size(&self, number: u32, _: &mut Vec<u32>) -> usize {
        wire::opt_fixed32_field_len(number, *self)
    }
    fn write(&self, number: u32, out: &mut Vec<u8>, _: &[u32], _: &mut usize) {
        wire::put_opt_fixed32(out, number, *self);
    }
}

impl<'a> Field<'a> for usp_types::ErrorCode {
    fn merge(
        &mut self,
        _: u32,
        field: &'static str,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
    ) -> Result<bool, DecodeError> {
        let mut raw = 0u32;
        let known = raw.merge(0, field, wire_type, reader, ctx)?;
        if known {
            *self = Self::new(raw);
        }
        Ok(known)
    }
    fn size(&self, number: u32, sizes: &mut Vec<u32>) -> usize {
        self.get().size(number, sizes)
    }
    fn write(&self, number: u32, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
        self.get().write(number, out, sizes, next);
    }
}

impl<'a> Field<'a> for Vec<Cow<'a, str>> {
    fn merge(
        &mut self,
        _: u32,
        field: &'static str,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
    ) -> Result<bool, DecodeError> {
        if wire_type != WireType::Len {
            return Ok(false);
        }
        self.push(Cow::Borrowed(text(reader, ctx, field)?));
        Ok(true)
    }
    fn size(&self, number: u32, _: &mut Vec<u32>) -> usize {
        self.iter()
            .map(|s| wire::len_field_len(number, s.len()))
            .sum()
    }
    fn write(&self, number: u32, out: &mut Vec<u8>, _: &[u32], _: &mut usize) {
        for s in self {
            wire::put_len_header(out, number, s.len());
            out.extend_from_slice(s.as_bytes());
        }
    }
}

/// Size of a nested message field, recording the body length in the cache.
pub(crate) fn nested_size<M: Encode>(number: u32, message: &M, sizes: &mut Vec<u32>) -> usize {
    let slot = sizes.len();
    sizes.push(0);
    let len = message.size(sizes);
    // A USP Message is far below 4 GiB; encoding refuses nothing, so saturate defensively.
    sizes[slot] = u32::try_from(len).unwrap_or(u32::MAX);
    wire::len_field_len(number, len)
}

pub(crate) fn nested_write<M: Encode>(
    number: u32,
    message: &M,
    out: &mut Vec<u8>,
    sizes: &[u32],
    next: &mut usize,
) {
    let len = sizes[*next];
    *next += 1;
    wire::put_len_header(out, number, len as usize);
    message.write(out, sizes, next);
}

/// A repeated embedded message.
impl<'a, M: Message<'a>> Field<'a> for Vec<M> {
    fn merge(
        &mut self,
        _: u32,
        _: &'static str,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
    ) -> Result<bool, DecodeError> {
        if wire_type != WireType::Len {
            return Ok(false);
        }
        let mut item = M::default();
        merge_nested(&mut item, reader, ctx)?;
        self.push(item);
        Ok(true)
    }
    fn size(&self, number: u32, sizes: &mut Vec<u32>) -> usize {
        self.iter().map(|m| nested_size(number, m, sizes)).sum()
    }
    fn write(&self, number: u32, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
        for m in self {
            nested_write(number, m, out, sizes, next);
        }
    }
}

/// A singular embedded message, absent when `None`.
impl<'a, M: Message<'a>> Field<'a> for Option<M> {
    fn merge(
        &mut self,
        _: u32,
        _: &'static str,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
    ) -> Result<bool, DecodeError> {
        if wire_type != WireType::Len {
            return Ok(false);
        }
        merge_nested(self.get_or_insert_with(M::default), reader, ctx)?;
        Ok(true)
    }
    fn size(&self, number: u32, sizes: &mut Vec<u32>) -> usize {
        self.as_ref().map_or(0, |m| nested_size(number, m, sizes))
    }
    fn write(&self, number: u32, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
        if let Some(m) = self {
            nested_write(number, m, out, sizes, next);
        }
    }
}

/// Reads one member of a `oneof` that holds an embedded message: merges into the current
/// member when it is the same one, replaces it otherwise (protobuf's rules).
pub(crate) fn merge_oneof<'a, M: Message<'a>, T>(
    current: &mut Option<T>,
    wire_type: WireType,
    reader: &mut Reader<'a>,
    ctx: &mut Ctx<'a>,
    take: impl FnOnce(&mut T) -> Option<&mut M>,
    wrap: impl FnOnce(M) -> T,
) -> Result<bool, DecodeError> {
    if wire_type != WireType::Len {
        return Ok(false);
    }
    if let Some(existing) = current.as_mut().and_then(take) {
        merge_nested(existing, reader, ctx)?;
    } else {
        let mut m = M::default();
        merge_nested(&mut m, reader, ctx)?;
        *current = Some(wrap(m));
    }
    Ok(true)
}

/// Declares a message struct with public fields, and implements [`Message`] for it from the
/// field numbers given. Every field type must implement [`Field`].
macro_rules! message {
    (
        $(#[$meta:meta])*
        pub struct $name:ident<'a> {
            $(
                $(#[$fmeta:meta])*
                $number:literal => $field:ident : $ty:ty,
            )*
            $(
                oneof ($( $onumber:literal )|+)
                $(#[$ometa:meta])*
                $ofield:ident : $oty:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name<'a> {
            $(
                $(#[$fmeta])*
                pub $field: $ty,
            )*
            $(
                $(#[$ometa])*
                pub $ofield: $oty,
            )*
        }

        impl $crate::codec::Encode for $name<'_> {
            #[allow(unused_variables, unused_mut)]
            fn size(&self, sizes: &mut Vec<u32>) -> usize {
                let mut len = 0;
                $( len += $crate::codec::Field::size(&self.$field, $number, sizes); )*
                $( len += $crate::oneof::Inline::inline_size(&self.$ofield, sizes); )*
                len
            }

            #[allow(unused_variables)]
            fn write(&self, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
                $( $crate::codec::Field::write(&self.$field, $number, out, sizes, next); )*
                $( $crate::oneof::Inline::inline_write(&self.$ofield, out, sizes, next); )*
            }
        }

        impl<'a> $crate::codec::Message<'a> for $name<'a> {
            #[allow(unused_variables, clippy::manual_range_patterns)]
            fn merge_field(
                &mut self,
                number: u32,
                wire_type: ::usp_record::__private::wire::WireType,
                reader: &mut ::usp_record::__private::wire::Reader<'a>,
                ctx: &mut $crate::codec::Ctx<'a>,
            ) -> Result<bool, $crate::DecodeError> {
                match number {
                    $(
                        $number => $crate::codec::Field::merge(
                            &mut self.$field,
                            $number,
                            stringify!($field),
                            wire_type,
                            reader,
                            ctx,
                        ),
                    )*
                    $(
                        $( $onumber )|+ => $crate::oneof::Inline::merge_member(
                            &mut self.$ofield,
                            number,
                            wire_type,
                            reader,
                            ctx,
                        ),
                    )*
                    _ => Ok(false),
                }
            }
        }

        impl<'a> $crate::owned::IntoOwned for $name<'a> {
            type Owned = $name<'static>;
            fn into_owned(self) -> $name<'static> {
                $name {
                    $( $field: $crate::owned::IntoOwned::into_owned(self.$field), )*
                    $( $ofield: $crate::owned::IntoOwned::into_owned(self.$ofield), )*
                }
            }
        }

        impl $name<'_> {
            /// Converts every borrowed string into an owned one, so the value no longer
            /// borrows the decoded input.
            pub fn into_owned(self) -> $name<'static> {
                $crate::owned::IntoOwned::into_owned(self)
            }
        }
    };
}
pub(crate) use message;
