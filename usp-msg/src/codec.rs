//! The Message codec: a field trait implemented by every field type, and a macro that
//! declares a message struct together with its decoder and encoder.
//!
//! Decoding borrows: strings are `Cow::Borrowed` slices of the input, cut from stretches of
//! it checked as UTF-8 once (see [`Decoder`]). It takes the layout every encoder writes
//! (fields in field-number order, one-byte lengths) on fast paths: each field is tried in
//! order with one key comparison; a message of strings and numbers ([`Message::FLAT`]) and
//! the entries of a map are read straight from the checked text; a repeated field gets its
//! capacity once. Anything else goes through the general loop, with protobuf's rules.
//!
//! Encoding is linear: a first pass records the length of every nested message in a size
//! cache (in pre-order), a second pass writes, so nested lengths are never recomputed.

use std::borrow::Cow;

use usp_record::__private::wire;

use crate::DecodeError;
use crate::decode::{Decoder, I32, LEN, VARINT, one_byte_key, run_len};

/// Encoding of a protobuf message body.
pub(crate) trait Encode {
    /// Length of the encoded body; pushes the lengths of nested messages to `sizes`.
    fn size(&self, sizes: &mut Vec<u32>) -> usize;

    /// Writes the body; `next` walks `sizes` in the order `size` filled it.
    fn write(&self, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize);
}

/// Decoding of a protobuf message of the USP schema.
pub(crate) trait Message<'a>: Encode + Default {
    /// Whether every field is a string or a number (see [`Field::FLAT`]): no embedded
    /// message, map, repeated field or oneof.
    const FLAT: bool;

    /// Reads the fields of the message at `at..end` of `text`, a valid UTF-8 stretch, when
    /// the type is [`FLAT`](Self::FLAT), as long as they come in field-number order with
    /// one-byte lengths and values (how every encoder writes them); returns where it
    /// stopped, `end` when nothing is left to [`decode_body`](Self::decode_body).
    fn read_flat(&mut self, text: &'a str, at: usize, end: usize) -> usize;

    /// Reads the fields of the message up to its end, merging them into `self`: the last
    /// occurrence of a singular field wins, repeated ones append, embedded messages merge,
    /// unknown fields are skipped.
    fn decode_body(&mut self, d: &mut Decoder<'a>) -> Result<(), DecodeError>;

    /// Decodes the embedded message that is the body of the next length-delimited field
    /// into `self`.
    #[inline(always)]
    fn decode_nested(&mut self, d: &mut Decoder<'a>) -> Result<(), DecodeError> {
        if Self::FLAT {
            d.nested_flat(self)
        } else {
            d.nested(|d| self.decode_body(d))
        }
    }
}

/// The key of field `number` of type `F`.
#[inline(always)]
pub(crate) const fn key<'a, F: Field<'a>>(number: u32) -> u32 {
    number << 3 | F::WIRE
}

/// `false`: a message with a oneof is not read as flat (see `message!`).
#[inline(always)]
pub(crate) const fn no_oneof(_: &str) -> bool {
    false
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

/// A field type: how it is read from and written to the wire.
pub(crate) trait Field<'a> {
    /// The field's wire type.
    const WIRE: u32;
    /// Whether the field is a string or a number, which [`read_flat`](Self::read_flat)
    /// reads.
    const FLAT: bool = false;
    /// Reads the value of the field whose key ends at `at` in `bytes`, a valid UTF-8
    /// stretch (`text` is the same as a `str`) that holds the message up to `end`, when it
    /// has the common form (a length or value of one byte); returns where it ends, at most
    /// `end`. `None` leaves the field to [`decode`](Self::decode).
    #[inline(always)]
    fn read_flat(&mut self, bytes: &[u8], text: &'a str, at: usize, end: usize) -> Option<usize> {
        let _ = (bytes, text, at, end);
        None
    }
    /// Reads one occurrence of the field whose key (`number << 3 | wire type`) was just
    /// read; skips it when the wire type is not the field's (protobuf treats it as
    /// unknown). `field` is the schema name, for errors.
    fn decode(
        &mut self,
        d: &mut Decoder<'a>,
        key: u32,
        field: &'static str,
    ) -> Result<(), DecodeError>;
    /// Encoded length of the field with its keys (0 when absent).
    fn size(&self, number: u32, sizes: &mut Vec<u32>) -> usize;
    /// Writes the field with its keys.
    fn write(&self, number: u32, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize);
}

impl<'a> Field<'a> for Cow<'a, str> {
    const WIRE: u32 = LEN;
    const FLAT: bool = true;
    #[inline(always)]
    fn read_flat(&mut self, bytes: &[u8], text: &'a str, at: usize, end: usize) -> Option<usize> {
        let len = usize::from(*bytes.get(at).filter(|len| **len < 0x80)?);
        let after = at + 1 + len;
        if after > end {
            return None;
        }
        *self = Cow::Borrowed(text.get(at + 1..after)?);
        Some(after)
    }
    #[inline(always)]
    fn decode(
        &mut self,
        d: &mut Decoder<'a>,
        key: u32,
        field: &'static str,
    ) -> Result<(), DecodeError> {
        if key & 7 != LEN {
            return d.skip(key);
        }
        *self = Cow::Borrowed(d.string(field)?);
        Ok(())
    }
    fn size(&self, number: u32, _: &mut Vec<u32>) -> usize {
        wire::opt_len_field_len(number, self.len())
    }
    fn write(&self, number: u32, out: &mut Vec<u8>, _: &[u32], _: &mut usize) {
        wire::put_opt_bytes(out, number, self.as_bytes());
    }
}

// `bool` and `u32` are the fields' types and the constants' types alike.
#[allow(clippy::use_self)]
impl<'a> Field<'a> for bool {
    const WIRE: u32 = VARINT;
    const FLAT: bool = true;
    #[inline(always)]
    fn read_flat(&mut self, bytes: &[u8], _: &'a str, at: usize, end: usize) -> Option<usize> {
        if at >= end {
            return None;
        }
        *self = *bytes.get(at).filter(|value| **value < 0x80)? != 0;
        Some(at + 1)
    }
    #[inline(always)]
    fn decode(
        &mut self,
        d: &mut Decoder<'a>,
        key: u32,
        _: &'static str,
    ) -> Result<(), DecodeError> {
        if key & 7 != VARINT {
            return d.skip(key);
        }
        *self = d.varint()? != 0;
        Ok(())
    }
    fn size(&self, number: u32, _: &mut Vec<u32>) -> usize {
        wire::opt_varint_field_len(number, u64::from(*self))
    }
    fn write(&self, number: u32, out: &mut Vec<u8>, _: &[u32], _: &mut usize) {
        wire::put_opt_varint(out, number, u64::from(*self));
    }
}

/// `fixed32` fields (error codes, `max_depth`).
#[allow(clippy::use_self)]
impl<'a> Field<'a> for u32 {
    const WIRE: u32 = I32;
    const FLAT: bool = true;
    #[inline(always)]
    fn read_flat(&mut self, bytes: &[u8], _: &'a str, at: usize, end: usize) -> Option<usize> {
        if at + 4 > end {
            return None;
        }
        let &[a, b, c, d] = bytes.get(at..at + 4)? else {
            return None;
        };
        *self = u32::from_le_bytes([a, b, c, d]);
        Some(at + 4)
    }
    #[inline(always)]
    fn decode(
        &mut self,
        d: &mut Decoder<'a>,
        key: u32,
        _: &'static str,
    ) -> Result<(), DecodeError> {
        if key & 7 != I32 {
            return d.skip(key);
        }
        *self = d.fixed32()?;
        Ok(())
    }
    fn size(&self, number: u32, _: &mut Vec<u32>) -> usize {
        wire::opt_fixed32_field_len(number, *self)
    }
    fn write(&self, number: u32, out: &mut Vec<u8>, _: &[u32], _: &mut usize) {
        wire::put_opt_fixed32(out, number, *self);
    }
}

impl<'a> Field<'a> for usp_types::ErrorCode {
    const WIRE: u32 = I32;
    const FLAT: bool = true;
    #[inline(always)]
    fn read_flat(&mut self, bytes: &[u8], text: &'a str, at: usize, end: usize) -> Option<usize> {
        let mut raw = 0u32;
        let after = raw.read_flat(bytes, text, at, end)?;
        *self = Self::new(raw);
        Some(after)
    }
    #[inline(always)]
    fn decode(
        &mut self,
        d: &mut Decoder<'a>,
        key: u32,
        field: &'static str,
    ) -> Result<(), DecodeError> {
        if key & 7 != I32 {
            return d.skip(key);
        }
        let mut raw = 0u32;
        raw.decode(d, key, field)?;
        *self = Self::new(raw);
        Ok(())
    }
    fn size(&self, number: u32, sizes: &mut Vec<u32>) -> usize {
        self.get().size(number, sizes)
    }
    fn write(&self, number: u32, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
        self.get().write(number, out, sizes, next);
    }
}

impl<'a> Field<'a> for Vec<Cow<'a, str>> {
    const WIRE: u32 = LEN;
    fn decode(
        &mut self,
        d: &mut Decoder<'a>,
        key: u32,
        field: &'static str,
    ) -> Result<(), DecodeError> {
        if key & 7 != LEN {
            return d.skip(key);
        }
        // The strings usually come one after the other: count them to allocate once, and
        // read them here without going back through the message's field loop.
        let run = one_byte_key(key);
        reserve_run(self, d, run);
        loop {
            self.push(Cow::Borrowed(d.string(field)?));
            if !d.next_is(run) {
                return Ok(());
            }
        }
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

/// Makes room in `vec` for the run of elements of a repeated field that starts at the
/// cursor (see [`run_capacity`]), so that decoding allocates once per field.
#[inline(always)]
pub(crate) fn reserve_run<T>(vec: &mut Vec<T>, d: &Decoder<'_>, run: Option<u8>) {
    if vec.capacity() == 0 && vec.is_empty() {
        *vec = Vec::with_capacity(run_capacity(d.rest(), run));
    } else if vec.len() == vec.capacity() {
        vec.reserve(run_capacity(d.rest(), run));
    }
}

/// The capacity for the run of length-delimited fields with the key `run` that starts in
/// `rest` with the length of its first element.
///
/// Elements of a repeated field are usually alike in size, so the rest of the message
/// divided by the size of the first one is a close estimate, found without reading further:
/// it is taken when it is at most [`SMALL_RUN`] (a wrong estimate then costs at most that
/// many spare elements, or one reallocation). A larger run is counted exactly
/// ([`run_len`]). Either way each element takes at least two bytes of `rest`, so the
/// capacity never exceeds one element per two bytes of input.
#[inline(always)]
pub(crate) fn run_capacity(rest: &[u8], run: Option<u8>) -> usize {
    let first = match *rest {
        [len, ..] if len < 0x80 => usize::from(len) + 2,
        [low, high, ..] if high < 0x80 => (usize::from(low & 0x7f) | usize::from(high) << 7) + 3,
        _ => return 1,
    };
    match rest.len() / first + 1 {
        estimate if estimate <= SMALL_RUN => estimate,
        _ => run_len(rest, run),
    }
}

/// The largest run whose length is estimated rather than counted (see [`run_capacity`]).
const SMALL_RUN: usize = 16;

/// A repeated embedded message.
impl<'a, M: Message<'a>> Field<'a> for Vec<M> {
    const WIRE: u32 = LEN;
    fn decode(
        &mut self,
        d: &mut Decoder<'a>,
        key: u32,
        _: &'static str,
    ) -> Result<(), DecodeError> {
        if key & 7 != LEN {
            return d.skip(key);
        }
        // The elements usually come one after the other: count them to allocate once, and
        // decode them here without going back through the message's field loop.
        let run = one_byte_key(key);
        reserve_run(self, d, run);
        loop {
            let mut item = M::default();
            item.decode_nested(d)?;
            self.push(item);
            if !d.next_is(run) {
                return Ok(());
            }
        }
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
    const WIRE: u32 = LEN;
    fn decode(
        &mut self,
        d: &mut Decoder<'a>,
        key: u32,
        _: &'static str,
    ) -> Result<(), DecodeError> {
        if key & 7 != LEN {
            return d.skip(key);
        }
        self.get_or_insert_with(M::default).decode_nested(d)
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
            const FLAT: bool = true
                $( && <$ty as $crate::codec::Field<'a>>::FLAT )*
                $( && $crate::codec::no_oneof(stringify!($ofield)) )*;

            #[inline]
            fn read_flat(&mut self, text: &'a str, mut at: usize, end: usize) -> usize {
                let bytes = text.as_bytes();
                $(
                    if $crate::codec::key::<'a, $ty>($number) < 0x80
                        && at < end
                        && bytes.get(at) == Some(&($crate::codec::key::<'a, $ty>($number) as u8))
                    {
                        match $crate::codec::Field::read_flat(&mut self.$field, bytes, text, at + 1, end) {
                            Some(after) => at = after,
                            None => return at,
                        }
                    }
                )*
                at
            }

            #[allow(clippy::manual_range_patterns)]
            #[inline]
            fn decode_body(
                &mut self,
                d: &mut $crate::decode::Decoder<'a>,
            ) -> Result<(), $crate::DecodeError> {
                // Encoders write fields in field-number order: take them in that order
                // first, each with one comparison of its key...
                $(
                    if d.next_is_key($crate::codec::key::<'a, $ty>($number)) {
                        $crate::codec::Field::decode(
                            &mut self.$field,
                            d,
                            $crate::codec::key::<'a, $ty>($number),
                            stringify!($field),
                        )?;
                    }
                )*
                // ...then whatever else there is, in any order.
                while let Some(key) = d.next_key()? {
                    match key {
                        $(
                            k if k == $crate::codec::key::<'a, $ty>($number) => {
                                $crate::codec::Field::decode(
                                    &mut self.$field,
                                    d,
                                    k,
                                    stringify!($field),
                                )?
                            }
                        )*
                        $(
                            k if matches!(k >> 3, $( $onumber )|+) => {
                                $crate::oneof::Inline::decode_member(&mut self.$ofield, d, k)?
                            }
                        )*
                        _ => d.skip(key)?,
                    }
                }
                Ok(())
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
