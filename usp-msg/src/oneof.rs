//! `oneof` fields: an enum per oneof, decoded and encoded either inline in their parent
//! message (`Notify.notification`) or as the body of a wrapper message
//! (`OperationStatus.oper_status`).

use std::borrow::Cow;

use usp_record::__private::wire::{self, Reader, WireType};

use crate::DecodeError;
use crate::codec::{Ctx, Message, merge_nested, nested_size, nested_write, text};

/// A type that can be a member of a oneof: an embedded message or a string.
pub(crate) trait Member<'a>: Sized {
    /// Reads a new member; `Ok(None)` when the wire type does not fit.
    fn read(
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
        field: &'static str,
    ) -> Result<Option<Self>, DecodeError>;
    /// Merges another occurrence into the current member.
    fn merge_into(
        &mut self,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
        field: &'static str,
    ) -> Result<bool, DecodeError>;
    fn member_size(&self, number: u32, sizes: &mut Vec<u32>) -> usize;
    fn member_write(&self, number: u32, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize);
}

impl<'a, M: Message<'a>> Member<'a> for M {
    fn read(
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
        _: &'static str,
    ) -> Result<Option<Self>, DecodeError> {
        if wire_type != WireType::Len {
            return Ok(None);
        }
        let mut m = M::default();
        merge_nested(&mut m, reader, ctx)?;
        Ok(Some(m))
    }
    fn merge_into(
        &mut self,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
        _: &'static str,
    ) -> Result<bool, DecodeError> {
        if wire_type != WireType::Len {
            return Ok(false);
        }
        merge_nested(self, reader, ctx)?;
        Ok(true)
    }
    fn member_size(&self, number: u32, sizes: &mut Vec<u32>) -> usize {
        nested_size(number, self, sizes)
    }
    fn member_write(&self, number: u32, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
        nested_write(number, self, out, sizes, next);
    }
}

impl<'a> Member<'a> for Cow<'a, str> {
    fn read(
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
        field: &'static str,
    ) -> Result<Option<Self>, DecodeError> {
        if wire_type != WireType::Len {
            return Ok(None);
        }
        Ok(Some(Cow::Borrowed(text(reader, ctx, field)?)))
    }
    fn merge_into(
        &mut self,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
        field: &'static str,
    ) -> Result<bool, DecodeError> {
        match Self::read(wire_type, reader, ctx, field)? {
            Some(s) => {
                *self = s;
                Ok(true)
            }
            None => Ok(false),
        }
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
    /// Reads member `number`; merges into the current member if it is the same one,
    /// replaces it otherwise.
    fn merge_member(
        &mut self,
        number: u32,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
    ) -> Result<bool, DecodeError>;
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
            fn merge_member(
                &mut self,
                number: u32,
                wire_type: ::usp_record::__private::wire::WireType,
                reader: &mut ::usp_record::__private::wire::Reader<'a>,
                ctx: &mut $crate::codec::Ctx<'a>,
            ) -> Result<bool, $crate::DecodeError> {
                use $crate::oneof::Member;
                match number {
                    $(
                        $number => {
                            // The schema's name of the member, for errors.
                            let field = $crate::oneof::field_name(stringify!($variant), &[$($field)?]);
                            if let Some($name::$variant(current)) = self {
                                return current.merge_into(wire_type, reader, ctx, field);
                            }
                            match <$ty as Member<'a>>::read(wire_type, reader, ctx, field)? {
                                Some(m) => {
                                    *self = Some($name::$variant(m));
                                    Ok(true)
                                }
                                None => Ok(false),
                            }
                        }
                    )*
                    _ => Ok(false),
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
            fn merge(
                &mut self,
                _: u32,
                _: &'static str,
                wire_type: ::usp_record::__private::wire::WireType,
                reader: &mut ::usp_record::__private::wire::Reader<'a>,
                ctx: &mut $crate::codec::Ctx<'a>,
            ) -> Result<bool, $crate::DecodeError> {
                if wire_type != ::usp_record::__private::wire::WireType::Len {
                    return Ok(false);
                }
                $crate::oneof::merge_wrapped(self, reader, ctx)?;
                Ok(true)
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
pub(crate) fn merge_wrapped<'a, T: Inline<'a>>(
    target: &mut T,
    reader: &mut Reader<'a>,
    ctx: &mut Ctx<'a>,
) -> Result<(), DecodeError> {
    let range = reader.len_delimited()?;
    if ctx.depth >= crate::codec::MAX_DEPTH {
        return Err(DecodeError::TooDeep);
    }
    ctx.depth += 1;
    let mut inner = Reader::within(ctx.buf, range, 0);
    let result = (|| {
        while !inner.is_empty() {
            let (number, wire_type) = inner.key()?;
            if !target.merge_member(number, wire_type, &mut inner, ctx)? {
                inner.skip(number, wire_type)?;
            }
        }
        Ok(())
    })();
    ctx.depth -= 1;
    result
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
