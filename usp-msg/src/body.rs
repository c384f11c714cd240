//! The `Request` and `Response` oneofs and the `Body` that holds one of them or an Error.

use crate::codec::{Encode, Message, nested_size, nested_write};
use crate::decode::{Decoder, LEN};
use crate::owned::IntoOwned;
use crate::*;

/// Declares an enum over the members of a oneof of embedded messages, its `From`
/// conversions, its `MsgType`s, and its decoding.
macro_rules! body_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident<'a> {
            $( $(#[$vmeta:meta])* $number:literal => $variant:ident($ty:ident) = $msg_type:ident, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum $name<'a> {
            $( $(#[$vmeta])* $variant($ty<'a>), )*
        }

        impl<'a> $name<'a> {
            /// The `MsgType` of this kind of Message.
            pub fn msg_type(&self) -> MsgType {
                match self {
                    $( Self::$variant(_) => MsgType::$msg_type, )*
                }
            }

            /// Converts every borrowed string into an owned one.
            pub fn into_owned(self) -> $name<'static> {
                IntoOwned::into_owned(self)
            }

        }

        /// The oneof as the body of its wrapper message (`Request` or `Response`).
        impl Encode for $name<'_> {
            fn size(&self, sizes: &mut Vec<u32>) -> usize {
                match self {
                    $( Self::$variant(m) => nested_size($number, m, sizes), )*
                }
            }

            fn write(&self, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
                match self {
                    $( Self::$variant(m) => nested_write($number, m, out, sizes, next), )*
                }
            }
        }

        $(
            impl<'a> From<$ty<'a>> for $name<'a> {
                fn from(m: $ty<'a>) -> Self {
                    Self::$variant(m)
                }
            }
        )*

        impl IntoOwned for $name<'_> {
            type Owned = $name<'static>;
            fn into_owned(self) -> $name<'static> {
                match self {
                    $( $name::$variant(m) => $name::$variant(IntoOwned::into_owned(m)), )*
                }
            }
        }

        impl<'a> $name<'a> {
            /// Reads the member whose key was just read into `slot`, the oneof (`None`
            /// until a member is seen): merges into the current member if it is the same
            /// one, replaces it otherwise; skips anything else.
            pub(crate) fn decode_member(
                slot: &mut Option<Self>,
                d: &mut Decoder<'a>,
                key: u32,
            ) -> Result<(), DecodeError> {
                if key & 7 != LEN {
                    return d.skip(key);
                }
                match key >> 3 {
                    $(
                        $number => {
                            // Another member is replaced. From none, `forget` (of `None`)
                            // spares a call to the drop glue.
                            match slot {
                                Some(Self::$variant(_)) => {}
                                None => std::mem::forget(slot.replace(Self::$variant(Default::default()))),
                                #[allow(unreachable_patterns)]
                                Some(_) => *slot = Some(Self::$variant(Default::default())),
                            }
                            match slot {
                                Some(Self::$variant(m)) => m.decode_nested(d),
                                #[allow(unreachable_patterns)]
                                _ => Ok(()),
                            }
                        }
                    )*
                    _ => d.skip(key),
                }
            }

            /// Decodes the wrapper message (`Request` or `Response`) that holds the oneof,
            /// the body of the next length-delimited field, into `slot`.
            pub(crate) fn decode_wrapper(
                slot: &mut Option<Self>,
                d: &mut Decoder<'a>,
            ) -> Result<(), DecodeError> {
                d.nested(|d| {
                    while let Some(key) = d.next_key()? {
                        Self::decode_member(slot, d, key)?;
                    }
                    Ok(())
                })
            }
        }
    };
}

body_enum! {
    /// A request: what a Controller asks of an Agent (or an Agent of a Controller, for
    /// Notify, Register and Deregister). The `non_exhaustive` attribute leaves room for the
    /// kinds later versions add, as 1.3 added Register and Deregister.
    pub enum Request<'a> {
        /// Read parameter values.
        1 => Get(Get) = GET,
        /// Read the supported data model.
        2 => GetSupportedDm(GetSupportedDm) = GET_SUPPORTED_DM,
        /// List object instances.
        3 => GetInstances(GetInstances) = GET_INSTANCES,
        /// Write parameter values.
        4 => Set(Set) = SET,
        /// Create object instances.
        5 => Add(Add) = ADD,
        /// Delete object instances.
        6 => Delete(Delete) = DELETE,
        /// Run a command.
        7 => Operate(Operate) = OPERATE,
        /// A notification from an Agent.
        8 => Notify(Notify) = NOTIFY,
        /// Ask which protocol versions the peer supports.
        9 => GetSupportedProtocol(GetSupportedProtocol) = GET_SUPPORTED_PROTO,
        /// A USP Service registers data model paths with a USP Broker.
        10 => Register(Register) = REGISTER,
        /// A USP Service withdraws registered paths.
        11 => Deregister(Deregister) = DEREGISTER,
    }
}

body_enum! {
    /// A response to a request.
    pub enum Response<'a> {
        /// Answer to a Get.
        1 => GetResp(GetResp) = GET_RESP,
        /// Answer to a GetSupportedDM.
        2 => GetSupportedDmResp(GetSupportedDmResp) = GET_SUPPORTED_DM_RESP,
        /// Answer to a GetInstances.
        3 => GetInstancesResp(GetInstancesResp) = GET_INSTANCES_RESP,
        /// Answer to a Set.
        4 => SetResp(SetResp) = SET_RESP,
        /// Answer to an Add.
        5 => AddResp(AddResp) = ADD_RESP,
        /// Answer to a Delete.
        6 => DeleteResp(DeleteResp) = DELETE_RESP,
        /// Answer to an Operate.
        7 => OperateResp(OperateResp) = OPERATE_RESP,
        /// Acknowledges a Notify sent with `send_resp`.
        8 => NotifyResp(NotifyResp) = NOTIFY_RESP,
        /// Answer to a GetSupportedProtocol.
        9 => GetSupportedProtocolResp(GetSupportedProtocolResp) = GET_SUPPORTED_PROTO_RESP,
        /// Answer to a Register.
        10 => RegisterResp(RegisterResp) = REGISTER_RESP,
        /// Answer to a Deregister.
        11 => DeregisterResp(DeregisterResp) = DEREGISTER_RESP,
    }
}

/// The body of a Message: a request, a response, or an Error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body<'a> {
    /// A request.
    Request(Request<'a>),
    /// A response.
    Response(Response<'a>),
    /// An Error Message: the request failed as a whole.
    Error(UspError<'a>),
}

impl Body<'_> {
    /// The `MsgType` the body stands for (R-MSG.10: this, not the header, is right).
    pub fn msg_type(&self) -> MsgType {
        match self {
            Self::Request(r) => r.msg_type(),
            Self::Response(r) => r.msg_type(),
            Self::Error(_) => MsgType::ERROR,
        }
    }

    /// Converts every borrowed string into an owned one.
    pub fn into_owned(self) -> Body<'static> {
        match self {
            Self::Request(r) => Body::Request(r.into_owned()),
            Self::Response(r) => Body::Response(r.into_owned()),
            Self::Error(e) => Body::Error(e.into_owned()),
        }
    }
}

/// The `Body` message: one member of the `msg_body` oneof.
impl Encode for Body<'_> {
    fn size(&self, sizes: &mut Vec<u32>) -> usize {
        match self {
            Self::Request(r) => nested_size(1, r, sizes),
            Self::Response(r) => nested_size(2, r, sizes),
            Self::Error(e) => nested_size(3, e, sizes),
        }
    }

    fn write(&self, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
        match self {
            Self::Request(r) => nested_write(1, r, out, sizes, next),
            Self::Response(r) => nested_write(2, r, out, sizes, next),
            Self::Error(e) => nested_write(3, e, out, sizes, next),
        }
    }
}

/// The `Body` message as decoded: the `msg_body` member seen last. A request or response
/// whose own oneof is still empty is `None` inside.
pub(crate) enum BodySlot<'a> {
    /// `request`.
    Request(Option<Request<'a>>),
    /// `response`.
    Response(Option<Response<'a>>),
    /// `error`.
    Error(UspError<'a>),
}

impl<'a> BodySlot<'a> {
    /// Decodes a `Body` message, the body of the next length-delimited field, into `slot`
    /// (`None` until a member is seen): another member replaces the current one, the same
    /// member merges.
    pub(crate) fn decode(slot: &mut Option<Self>, d: &mut Decoder<'a>) -> Result<(), DecodeError> {
        d.nested(|d| {
            while let Some(key) = d.next_key()? {
                match key {
                    // request (`forget` of `None` spares a call to the drop glue; as below)
                    0x0a => {
                        match slot {
                            Some(Self::Request(_)) => {}
                            None => std::mem::forget(slot.replace(Self::Request(None))),
                            Some(_) => *slot = Some(Self::Request(None)),
                        }
                        if let Some(Self::Request(r)) = slot {
                            Request::decode_wrapper(r, d)?;
                        }
                    }
                    // response
                    0x12 => {
                        match slot {
                            Some(Self::Response(_)) => {}
                            None => std::mem::forget(slot.replace(Self::Response(None))),
                            Some(_) => *slot = Some(Self::Response(None)),
                        }
                        if let Some(Self::Response(r)) = slot {
                            Response::decode_wrapper(r, d)?;
                        }
                    }
                    // error
                    0x1a => {
                        match slot {
                            Some(Self::Error(_)) => {}
                            None => {
                                std::mem::forget(slot.replace(Self::Error(UspError::default())))
                            }
                            Some(_) => *slot = Some(Self::Error(UspError::default())),
                        }
                        if let Some(Self::Error(e)) = slot {
                            e.decode_nested(d)?;
                        }
                    }
                    _ => d.skip(key)?,
                }
            }
            Ok(())
        })
    }
}
