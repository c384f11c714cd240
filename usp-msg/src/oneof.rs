//! `oneof` fields: an enum per oneof, decoded and encoded either inline in their parent
//! message (`Notify.notification`) or as the body of a wrapper message
//! (`OperationStatus.oper_status`).

use std::borrow::Cow;

use usp_record::__private::wire;

use crate::DecodeError;
use crate::codec::{Message, nested_size, nested_write};
use crate::decode::Decoder;

/// A type that can be a member of a oneof: an embedded message or a string.
pub(crate) trait Member<'a>: Sized {
    /// The value a member starts from when the oneof switches to it.
    fn empty() -> Self;
    /// Reads an occurrence of the member (a length-delimited field) into `self`: a message
    /// merges, a string replaces.
    fn decode_member(
        &mut self,
        d: &mut Decoder<'a>,
        field: &'static str,
    ) -> Result<(), DecodeError>;
    fn member_size(&self, number: u32, sizes: &mut Vec<u32>) -> usize;
    fn member_write(&self, number: u32, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize);
}

impl<'a, M: Message<'a>> Member<'a> for M {
    fn empty() -> Self {
        M::default()
    }
    #[inline(always)]
    fn decode_member(&mut self, d: &mut Decoder<'a>, _: &'static str) -> Result<(), DecodeError> {
        self.decode_nested(d)
    }
    fn member_size(&self, number: u32, sizes: &mut Vec<u32>) -> usize {
        nested_size(number, self, sizes)
    }
    fn member_write(&self, number: u32, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
        nested_write(number, self, out, sizes, next);
    }
}

impl<'a> Member<'a> for Cow<'a, str> {
    fn empty() -> Self {
        Cow::Borrowed("")
    }
    #[inline(always)]
    fn decode_member(
        &mut self,
        d: &mut Decoder<'a>,
        field: &'static str,
    ) -> Result<(), DecodeError> {
        *self = Cow::Borrowed(d.string(field)?);
        Ok(())
    }
    fn member_size(&self, number: u32, _: &mut Vec<u32>) -> usize {
        // A selected string member is written even when empty: that selects it.
        wire::len_field_len(number, self.len())
    }
    fn member_write(&self, number: u32, out: &mut Vec<u8>, _: &[u32], _: &mut usize) {
        wire::put_len_header(out, number, self.len());
        out.extend_from_slice(self.as_bytes());
    }
}

/// A oneof whose members are fields of the enclosing message itself.
pub(crate) trait Inline<'a> {
    /// Reads the member whose key was just read: merges into the current member if it is
    /// the same one, replaces it otherwise; skips a key that is no member's (or has
    /// another wire type), leaving the oneof as it was.
    fn decode_member(&mut self, d: &mut Decoder<'a>, key: u32) -> Result<(), DecodeError>;
    fn inline_size(&self, sizes: &mut Vec<u32>) -> usize;
    fn inline_write(&self, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize);
}

/// Declares the enum of a oneof: its members, `From` conversions, `into_owned`, inline
/// decoding and encoding, and its use as the body of a wrapper message (`Option<Enum>` as
/// a field).
macro_rules! oneof {
    (
        $(#[$meta:meta])*
        pub enum $name:ident<'a> {
            $( $(#[$vmeta:meta])* $number:literal => $variant:ident($ty:ty) $(as $field:literal)?, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum $name<'a> {
            $( $(#[$vmeta])* $variant($ty), )*
        }

        impl $crate::owned::IntoOwned for $name<'_> {
            type Owned = $name<'static>;
            fn into_owned(self) -> $name<'static> {
                match self {
                    $( $name::$variant(m) => $name::$variant($crate::owned::IntoOwned::into_owned(m)), )*
                }
            }
        }

        impl<'a> $crate::oneof::Inline<'a> for Option<$name<'a>> {
            fn decode_member(
                &mut self,
                d: &mut $crate::decode::Decoder<'a>,
                key: u32,
            ) -> Result<(), $crate::DecodeError> {
                use $crate::oneof::Member;
                if key & 7 != $crate::decode::LEN {
                    return d.skip(key);
                }
                match key >> 3 {
                    $(
                        $number => {
                            // The schema's name of the member, for errors.
                            let field = $crate::oneof::field_name(stringify!($variant), &[$($field)?]);
                            // Another member is replaced. From none, `forget` (of `None`)
                            // spares a call to the drop glue.
                            match self {
                                Some($name::$variant(_)) => {}
                                None => std::mem::forget(
                                    self.replace($name::$variant(<$ty as Member<'a>>::empty())),
                                ),
                                #[allow(unreachable_patterns)]
                                Some(_) => *self = Some($name::$variant(<$ty as Member<'a>>::empty())),
                            }
                            match self {
                                Some($name::$variant(current)) => current.decode_member(d, field),
                                #[allow(unreachable_patterns)]
                                _ => Ok(()),
                            }
                        }
                    )*
                    _ => d.skip(key),
                }
            }

            fn inline_size(&self, sizes: &mut Vec<u32>) -> usize {
                use $crate::oneof::Member;
                match self {
                    $( Some($name::$variant(m)) => m.member_size($number, sizes), )*
                    None => 0,
                }
            }

            fn inline_write(&self, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
                use $crate::oneof::Member;
                match self {
                    $( Some($name::$variant(m)) => m.member_write($number, out, sizes, next), )*
                    None => {}
                }
            }
        }

        /// As the body of a wrapper message.
        impl $crate::codec::Encode for $name<'_> {
            fn size(&self, sizes: &mut Vec<u32>) -> usize {
                use $crate::oneof::Member;
                match self {
                    $( $name::$variant(m) => m.member_size($number, sizes), )*
                }
            }
            fn write(&self, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
                use $crate::oneof::Member;
                match self {
                    $( $name::$variant(m) => m.member_write($number, out, sizes, next), )*
                }
            }
        }

        /// A field holding a wrapper message whose only content is this oneof.
        impl<'a> $crate::codec::Field<'a> for Option<$name<'a>> {
            const WIRE: u32 = $crate::decode::LEN;
            fn decode(
                &mut self,
                d: &mut $crate::decode::Decoder<'a>,
                key: u32,
                _: &'static str,
            ) -> Result<(), $crate::DecodeError> {
                if key & 7 != $crate::decode::LEN {
                    return d.skip(key);
                }
                $crate::oneof::decode_wrapped(self, d)
            }
            fn size(&self, number: u32, sizes: &mut Vec<u32>) -> usize {
                self.as_ref().map_or(0, |m| $crate::codec::nested_size(number, m, sizes))
            }
            fn write(&self, number: u32, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
                if let Some(m) = self {
                    $crate::codec::nested_write(number, m, out, sizes, next);
                }
            }
        }

        $(
            impl<'a> From<$ty> for $name<'a> {
                fn from(m: $ty) -> Self {
                    Self::$variant(m)
                }
            }
        )*
    };
}
pub(crate) use oneof;

/// The name errors give a member: its schema name when the declaration states one (members
/// that can fail on their own, such as strings), else the variant's.
pub(crate) const fn field_name(variant: &'static str, schema: &[&'static str]) -> &'static str {
    match schema {
        [name] => name,
        _ => variant,
    }
}

/// Decodes a wrapper message (such as `OperationStatus`) whose fields are the members of
/// one oneof.
pub(crate) fn decode_wrapped<'a, T: Inline<'a>>(
    target: &mut T,
    d: &mut Decoder<'a>,
) -> Result<(), DecodeError> {
    d.nested(|d| {
        while let Some(key) = d.next_key()? {
            target.decode_member(d, key)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use crate::response::operate::OperationResult;
    use crate::{DecodeError, Msg, OperateResp};

    #[test]
    fn invalid_utf8_in_a_string_member_names_the_schema_field() {
        let resp = OperateResp::new()
            .operation_result(OperationResult::req_obj_path("Device.Reboot()", "Z"));
        let mut wire = Msg::response("m", resp).encode_to_vec();
        let at = wire
            .iter()
            .position(|b| *b == b'Z')
            .expect("the member's one byte");
        wire[at] = 0xff;
        assert_eq!(
            Msg::decode(&wire).unwrap_err(),
            DecodeError::InvalidUtf8 {
                field: "req_obj_path"
            }
        );
    }
}
