//! The schema's enumerations, as open newtypes: a value a later version adds is kept and
//! visible ([`is_known`](MsgType::is_known) is false, `Debug` shows the number), never
//! silently replaced by a default.

use usp_record::__private::wire;

use crate::DecodeError;
use crate::codec::Field;
use crate::decode::{Decoder, VARINT};

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(i32);

        impl $name {
            $( $(#[$vmeta])* pub const $variant: Self = Self($value); )*

            /// Every value the schema defines.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The value for a wire number, known or not.
            pub const fn from_i32(value: i32) -> Self {
                Self(value)
            }

            /// The wire number.
            pub const fn as_i32(self) -> i32 {
                self.0
            }

            /// The schema's name of the value, `None` when the schema does not define it.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some(stringify!($variant)), )*
                    _ => None,
                }
            }

            /// The value with the schema's name `name`.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $( stringify!($variant) => Some(Self::$variant), )*
                    _ => None,
                }
            }

            /// Whether the schema defines this value.
            pub const fn is_known(self) -> bool {
                self.name().is_some()
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.name() {
                    Some(name) => write!(f, "{}::{}", stringify!($name), name),
                    None => write!(f, "{}({})", stringify!($name), self.0),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "{}", self.0),
                }
            }
        }

        impl<'a> Field<'a> for $name {
            const WIRE: u32 = VARINT;
            const FLAT: bool = true;
            #[inline(always)]
            fn read_flat(&mut self, bytes: &[u8], _: &'a str, at: usize, end: usize) -> Option<usize> {
                if at >= end {
                    return None;
                }
                *self = Self(i32::from(*bytes.get(at).filter(|value| **value < 0x80)?));
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
                // protobuf keeps the low 32 bits of an enum varint.
                *self = Self(d.varint()? as u32 as i32);
                Ok(())
            }
            fn size(&self, number: u32, _: &mut Vec<u32>) -> usize {
                wire::opt_varint_field_len(number, i64::from(self.0) as u64)
            }
            fn write(&self, number: u32, out: &mut Vec<u8>, _: &[u32], _: &mut usize) {
                wire::put_opt_varint(out, number, i64::from(self.0) as u64);
            }
        }

        crate::owned::plain!($name);
    };
}

open_enum! {
    /// `Header.MsgType`: what a Message carries. Informative only: when it disagrees with
    /// the body, the body is right (R-MSG.10).
    pub struct MsgType {
        /// An Error Message.
        ERROR = 0,
        /// A Get request.
        GET = 1,
        /// A Get response.
        GET_RESP = 2,
        /// A Notify request.
        NOTIFY = 3,
        /// A Set request.
        SET = 4,
        /// A Set response.
        SET_RESP = 5,
        /// An Operate request.
        OPERATE = 6,
        /// An Operate response.
        OPERATE_RESP = 7,
        /// An Add request.
        ADD = 8,
        /// An Add response.
        ADD_RESP = 9,
        /// A Delete request.
        DELETE = 10,
        /// A Delete response.
        DELETE_RESP = 11,
        /// A GetSupportedDM request.
        GET_SUPPORTED_DM = 12,
        /// A GetSupportedDM response.
        GET_SUPPORTED_DM_RESP = 13,
        /// A GetInstances request.
        GET_INSTANCES = 14,
        /// A GetInstances response.
        GET_INSTANCES_RESP = 15,
        /// A Notify response.
        NOTIFY_RESP = 16,
        /// A GetSupportedProtocol request.
        GET_SUPPORTED_PROTO = 17,
        /// A GetSupportedProtocol response.
        GET_SUPPORTED_PROTO_RESP = 18,
        /// A Register request.
        REGISTER = 19,
        /// A Register response.
        REGISTER_RESP = 20,
        /// A Deregister request.
        DEREGISTER = 21,
        /// A Deregister response.
        DEREGISTER_RESP = 22,
    }
}

open_enum! {
    /// `GetSupportedDMResp.ParamAccessType`.
    pub struct ParamAccessType {
        /// The parameter can be read only.
        PARAM_READ_ONLY = 0,
        /// The parameter can be read and written.
        PARAM_READ_WRITE = 1,
        /// The parameter can be written only.
        PARAM_WRITE_ONLY = 2,
    }
}

open_enum! {
    /// `GetSupportedDMResp.ObjAccessType`.
    pub struct ObjAccessType {
        /// Instances can be neither added nor deleted.
        OBJ_READ_ONLY = 0,
        /// Instances can be added and deleted.
        OBJ_ADD_DELETE = 1,
        /// Instances can be added only.
        OBJ_ADD_ONLY = 2,
        /// Instances can be deleted only.
        OBJ_DELETE_ONLY = 3,
    }
}

open_enum! {
    /// `GetSupportedDMResp.ParamValueType`: the TR-106 type of a parameter.
    pub struct ParamValueType {
        /// Not reported.
        PARAM_UNKNOWN = 0,
        /// base64.
        PARAM_BASE_64 = 1,
        /// boolean.
        PARAM_BOOLEAN = 2,
        /// dateTime.
        PARAM_DATE_TIME = 3,
        /// decimal.
        PARAM_DECIMAL = 4,
        /// hexBinary.
        PARAM_HEX_BINARY = 5,
        /// int.
        PARAM_INT = 6,
        /// long.
        PARAM_LONG = 7,
        /// string.
        PARAM_STRING = 8,
        /// unsignedInt.
        PARAM_UNSIGNED_INT = 9,
        /// unsignedLong.
        PARAM_UNSIGNED_LONG = 10,
    }
}

open_enum! {
    /// `GetSupportedDMResp.ValueChangeType`: whether ValueChange notifications are honoured.
    pub struct ValueChangeType {
        /// Not reported.
        VALUE_CHANGE_UNKNOWN = 0,
        /// ValueChange subscriptions are honoured.
        VALUE_CHANGE_ALLOWED = 1,
        /// ValueChange subscriptions are accepted but ignored.
        VALUE_CHANGE_WILL_IGNORE = 2,
    }
}

open_enum! {
    /// `GetSupportedDMResp.CmdType`: whether a command completes synchronously.
    pub struct CmdType {
        /// Not reported.
        CMD_UNKNOWN = 0,
        /// The OperateResp carries the result.
        CMD_SYNC = 1,
        /// The result comes later in an OperationComplete notification.
        CMD_ASYNC = 2,
    }
}
