//! The JSON form of each field type, and the macros that give every message and oneof of
//! the schema its JSON form from the list of its fields.

use std::borrow::Cow;

use serde_json::Value;
use usp_types::ErrorCode;

use super::JsonOptions;
use super::error::{JsonError, Path};
use super::value::{self, Out};
use crate::Params;
use crate::{CmdType, MsgType, ObjAccessType, ParamAccessType, ParamValueType, ValueChangeType};

/// Output of a value of a field.
pub(crate) trait ToJson {
    /// Whether proto3 JSON leaves the field out (its default: empty, zero, false, enum 0).
    fn is_default(&self) -> bool;
    fn to_json(&self, o: &JsonOptions) -> Out<'_>;
}

/// Input of a value of a field (never `null`: the caller treats `null` as absent).
pub(crate) trait FromJson: Sized {
    fn from_json(v: &Value, path: &Path<'_>, o: &JsonOptions) -> Result<Self, JsonError>;
}

/// A oneof enum: the member that is set, as `(proto name, value)`.
pub(crate) trait OneofToJson {
    fn member(&self, o: &JsonOptions) -> (&'static str, Out<'_>);
}

/// A oneof enum read from its members.
pub(crate) trait OneofFromJson: Sized {
    /// Schema name of the oneof.
    const ONEOF: &'static str;
    /// Schema full name of the message that holds only this oneof.
    const MESSAGE: &'static str;
    /// Proto names of the members.
    const MEMBERS: &'static [&'static str];
    /// Reads member `index` of `MEMBERS`.
    fn from_member(
        index: usize,
        v: &Value,
        path: &Path<'_>,
        o: &JsonOptions,
    ) -> Result<Self, JsonError>;
}

impl ToJson for Cow<'_, str> {
    fn is_default(&self) -> bool {
        self.is_empty()
    }
    fn to_json(&self, _: &JsonOptions) -> Out<'_> {
        Out::Str(Cow::Borrowed(self))
    }
}

impl FromJson for Cow<'static, str> {
    fn from_json(v: &Value, path: &Path<'_>, _: &JsonOptions) -> Result<Self, JsonError> {
        value::read_str(v, path).map(Cow::Owned)
    }
}

impl ToJson for bool {
    fn is_default(&self) -> bool {
        !*self
    }
    fn to_json(&self, _: &JsonOptions) -> Out<'_> {
        Out::Bool(*self)
    }
}

impl FromJson for bool {
    fn from_json(v: &Value, path: &Path<'_>, _: &JsonOptions) -> Result<Self, JsonError> {
        value::read_bool(v, path)
    }
}

/// `fixed32`, a JSON number.
impl ToJson for u32 {
    fn is_default(&self) -> bool {
        *self == 0
    }
    fn to_json(&self, _: &JsonOptions) -> Out<'_> {
        Out::U64(u64::from(*self))
    }
}

impl FromJson for u32 {
    fn from_json(v: &Value, path: &Path<'_>, _: &JsonOptions) -> Result<Self, JsonError> {
        value::read_u32(v, path, "fixed32")
    }
}

impl ToJson for ErrorCode {
    fn is_default(&self) -> bool {
        self.get() == 0
    }
    fn to_json(&self, _: &JsonOptions) -> Out<'_> {
        Out::U64(u64::from(self.get()))
    }
}

impl FromJson for ErrorCode {
    fn from_json(v: &Value, path: &Path<'_>, _: &JsonOptions) -> Result<Self, JsonError> {
        value::read_u32(v, path, "fixed32").map(Self::new)
    }
}

/// `map<string, string>`: a JSON object. A key a peer repeated appears once, with its last
/// value (the one protobuf keeps).
impl ToJson for Params<'_> {
    fn is_default(&self) -> bool {
        self.is_empty()
    }
    fn to_json(&self, _: &JsonOptions) -> Out<'_> {
        let mut members: Vec<(Cow<'_, str>, Out<'_>)> = Vec::with_capacity(self.len());
        for (k, v) in self.iter() {
            match members.iter_mut().find(|(key, _)| key == k) {
                Some(member) => member.1 = Out::Str(Cow::Borrowed(v)),
                None => members.push((Cow::Borrowed(k), Out::Str(Cow::Borrowed(v)))),
            }
        }
        Out::Obj(members)
    }
}

impl FromJson for Params<'static> {
    fn from_json(v: &Value, path: &Path<'_>, _: &JsonOptions) -> Result<Self, JsonError> {
        let Value::Object(map) = v else {
            return Err(path.err(super::JsonErrorKind::ExpectedObject));
        };
        let mut params = Params::new();
        for (k, v) in map {
            let value = value::read_str(v, &path.map_key(k))?;
            params.insert(k.clone(), value);
        }
        Ok(params)
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn is_default(&self) -> bool {
        self.is_empty()
    }
    fn to_json(&self, o: &JsonOptions) -> Out<'_> {
        Out::Arr(self.iter().map(|item| item.to_json(o)).collect())
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Value, path: &Path<'_>, o: &JsonOptions) -> Result<Self, JsonError> {
        value::read_array(v, path)?
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let path = path.index(i);
                if item.is_null() {
                    Err(path.err(super::JsonErrorKind::NullElement))
                } else {
                    T::from_json(item, &path, o)
                }
            })
            .collect()
    }
}

/// A field holding a message whose only content is a oneof (`OperationStatus`).
impl<T: OneofToJson> ToJson for Option<T> {
    fn is_default(&self) -> bool {
        self.is_none()
    }
    fn to_json(&self, o: &JsonOptions) -> Out<'_> {
        match self {
            Some(member) => oneof_object(member, o),
            None => Out::Obj(Vec::new()),
        }
    }
}

/// An empty wrapper message (`{}`) is `None`: the typed model cannot tell it from an
/// absent one.
impl<T: OneofFromJson> FromJson for Option<T> {
    fn from_json(v: &Value, path: &Path<'_>, o: &JsonOptions) -> Result<Self, JsonError> {
        read_oneof(v, path, o)
    }
}

/// The object of a message holding only a oneof: its one member.
pub(crate) fn oneof_object<'s, T: OneofToJson>(member: &'s T, o: &JsonOptions) -> Out<'s> {
    let (name, value) = member.member(o);
    Out::Obj(vec![(value::key(name, o), value)])
}

/// Reads a message holding only a oneof; `None` when no member is set.
pub(crate) fn read_oneof<T: OneofFromJson>(
    v: &Value,
    path: &Path<'_>,
    o: &JsonOptions,
) -> Result<Option<T>, JsonError> {
    let all = 0..T::MEMBERS.len();
    let found = value::fields(v, path, o, T::MESSAGE, T::MEMBERS, Some((T::ONEOF, all)))?;
    match found.first() {
        Some(&(index, key, value)) => T::from_member(index, value, &path.key(key), o).map(Some),
        None => Ok(None),
    }
}

/// Open enumerations: the name, or the number when the schema does not define it.
macro_rules! json_enum {
    ($($ty:ident = $full:literal,)*) => {$(
        impl ToJson for $ty {
            fn is_default(&self) -> bool {
                self.as_i32() == 0
            }
            fn to_json(&self, _: &JsonOptions) -> Out<'_> {
                match self.name() {
                    Some(name) => Out::Str(Cow::Borrowed(name)),
                    None => Out::I64(i64::from(self.as_i32())),
                }
            }
        }

        impl FromJson for $ty {
            fn from_json(v: &Value, path: &Path<'_>, o: &JsonOptions) -> Result<Self, JsonError> {
                let n = value::read_enum(v, path, o, $full, |s| $ty::from_name(s).map($ty::as_i32))?;
                Ok(n.map_or_else(Self::default, $ty::from_i32))
            }
        }
    )*};
}

json_enum! {
    MsgType = "usp.Header.MsgType",
    ParamAccessType = "usp.GetSupportedDMResp.ParamAccessType",
    ObjAccessType = "usp.GetSupportedDMResp.ObjAccessType",
    ParamValueType = "usp.GetSupportedDMResp.ParamValueType",
    ValueChangeType = "usp.GetSupportedDMResp.ValueChangeType",
    CmdType = "usp.GetSupportedDMResp.CmdType",
}

/// The JSON form of a message struct, from its fields in field-number order and, for a
/// message with an inline oneof, the oneof's members in field-number order with the
/// variants that hold them.
macro_rules! json_message {
    (
        $ty:ident = $full:literal {
            $( $field:ident ),* $(,)?
            $(
                ; oneof $ofield:ident = $oname:literal : $oty:ident {
                    $( $member:ident => $variant:ident ),* $(,)?
                }
            )?
        }
    ) => {
        impl $crate::json::schema::ToJson for $ty<'_> {
            fn is_default(&self) -> bool {
                false
            }

            #[allow(unused_variables, unused_mut)]
            fn to_json(
                &self,
                o: &$crate::json::JsonOptions,
            ) -> $crate::json::value::Out<'_> {
                let mut members = Vec::new();
                $(
                    if !$crate::json::schema::ToJson::is_default(&self.$field) {
                        members.push((
                            $crate::json::value::key(stringify!($field), o),
                            $crate::json::schema::ToJson::to_json(&self.$field, o),
                        ));
                    }
                )*
                $(
                    match &self.$ofield {
                        $(
                            Some($oty::$variant(m)) => members.push((
                                $crate::json::value::key(stringify!($member), o),
                                $crate::json::schema::ToJson::to_json(m, o),
                            )),
                        )*
                        None => {}
                    }
                )?
                $crate::json::value::Out::Obj(members)
            }
        }

        impl $crate::json::schema::FromJson for $ty<'static> {
            #[allow(unused_variables, unused_mut)]
            fn from_json(
                v: &::serde_json::Value,
                path: &$crate::json::error::Path<'_>,
                o: &$crate::json::JsonOptions,
            ) -> Result<Self, $crate::json::JsonError> {
                const NAMES: &[&str] = &[
                    $( stringify!($field), )*
                    $( $( stringify!($member), )* )?
                ];
                #[allow(dead_code)]
                const PLAIN: usize = [$( stringify!($field) ),*].len();
                #[allow(unused_assignments)]
                let mut oneof: Option<(&'static str, std::ops::Range<usize>)> = None;
                $( oneof = Some(($oname, PLAIN..NAMES.len())); )?
                let mut m = Self::default();
                for (index, key, value) in
                    $crate::json::value::fields(v, path, o, $full, NAMES, oneof)?
                {
                    let path = path.key(key);
                    let name = NAMES[index];
                    $(
                        if name == stringify!($field) {
                            m.$field = $crate::json::schema::FromJson::from_json(value, &path, o)?;
                            continue;
                        }
                    )*
                    $( $(
                        if name == stringify!($member) {
                            m.$ofield = Some($oty::$variant($crate::json::schema::FromJson::from_json(value, &path, o)?));
                            continue;
                        }
                    )* )?
                }
                Ok(m)
            }
        }
    };
}
pub(crate) use json_message;

/// The JSON form of a oneof enum held alone by a wrapper message (`OperationStatus`), or
/// of the `Body`, `Request` and `Response` oneofs.
macro_rules! json_oneof {
    (
        $ty:ident = ($full:expr, $oname:literal) {
            $( $member:ident => $variant:ident ),* $(,)?
        }
    ) => {
        impl $crate::json::schema::OneofToJson for $ty<'_> {
            fn member(
                &self,
                o: &$crate::json::JsonOptions,
            ) -> (&'static str, $crate::json::value::Out<'_>) {
                match self {
                    $( $ty::$variant(m) => (stringify!($member), $crate::json::schema::ToJson::to_json(m, o)), )*
                }
            }
        }

        impl $crate::json::schema::OneofFromJson for $ty<'static> {
            const ONEOF: &'static str = $oname;
            const MESSAGE: &'static str = $full;
            const MEMBERS: &'static [&'static str] = &[$( stringify!($member) ),*];

            fn from_member(
                index: usize,
                v: &::serde_json::Value,
                path: &$crate::json::error::Path<'_>,
                o: &$crate::json::JsonOptions,
            ) -> Result<Self, $crate::json::JsonError> {
                let name = Self::MEMBERS[index];
                $(
                    if name == stringify!($member) {
                        return Ok($ty::$variant($crate::json::schema::FromJson::from_json(v, path, o)?));
                    }
                )*
                unreachable!("member index out of range")
            }
        }
    };
}
pub(crate) use json_oneof;
