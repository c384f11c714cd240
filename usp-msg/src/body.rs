//! The `Request` and `Response` oneofs and the `Body` that holds one of them or an Error.

use usp_record::__private::wire::{Reader, WireType};

use crate::codec::{Ctx, Encode, Message, merge_nested, merge_oneof, nested_size, nested_write};
use crate::owned::IntoOwned;
use crate::*;

/// Declares an enum over the members of a oneof of embedded messages, its `From`
/// conversions, its `MsgType`s, and a private slot type that decodes and encodes it.
macro_rules! body_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident<'a> via $slot:ident {
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

        /// Decoding slot for the oneof: `None` until a member is seen.
        #[derive(Default)]
        pub(crate) struct $slot<'a>(pub(crate) Option<$name<'a>>);

        impl Encode for $slot<'_> {
            fn size(&self, sizes: &mut Vec<u32>) -> usize {
                self.0.as_ref().map_or(0, |b| b.size(sizes))
            }
            fn write(&self, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
                if let Some(b) = &self.0 {
                    b.write(out, sizes, next);
                }
            }
        }

        impl<'a> Message<'a> for $slot<'a> {
            fn merge_field(
                &mut self,
                number: u32,
                wire_type: WireType,
                reader: &mut Reader<'a>,
                ctx: &mut Ctx<'a>,
            ) -> Result<bool, DecodeError> {
                match number {
                    $(
                        $number => merge_oneof(
                            &mut self.0,
                            wire_type,
                            reader,
                            ctx,
                            |current| match current {
                                $name::$variant(m) => Some(m),
                                #[allow(unreachable_patterns)]
                                _ => None,
                            },
                            $name::$variant,
                        ),
                    )*
                    _ => Ok(false),
                }
            }
        }
    };
}

body_enum! {
    /// A request: what a Controller asks of an Agent (or an Agent of a Controller, for
    /// Notify, Register and Deregister). The `non_exhaustive` attribute leaves room for the
    /// kinds later versions add, as 1.3 added Register and Deregister.
    pub enum Request<'a> via RequestSlot {
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
    pub enum Response<'a> via ResponseSlot {
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

/// The `Body` message as decoded: the oneof member seen last, as slots.
#[derive(Default)]
pub(crate) struct BodySlot<'a> {
    pub(crate) request: Option<RequestSlot<'a>>,
    pub(crate) response: Option<ResponseSlot<'a>>,
    pub(crate) error: Option<UspError<'a>>,
}

impl Encode for BodySlot<'_> {
    fn size(&self, sizes: &mut Vec<u32>) -> usize {
        match (&self.request, &self.response, &self.error) {
            (Some(r), _, _) => nested_size(1, r, sizes),
            (_, Some(r), _) => nested_size(2, r, sizes),
            (_, _, Some(e)) => nested_size(3, e, sizes),
            _ => 0,
        }
    }

    fn write(&self, out: &mut Vec<u8>, sizes: &[u32], next: &mut usize) {
        match (&self.request, &self.response, &self.error) {
            (Some(r), _, _) => nested_write(1, r, out, sizes, next),
            (_, Some(r), _) => nested_write(2, r, out, sizes, next),
            (_, _, Some(e)) => nested_write(3, e, out, sizes, next),
            _ => {}
        }
    }
}

impl<'a> Message<'a> for BodySlot<'a> {
    fn merge_field(
        &mut self,
        number: u32,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
    ) -> Result<bool, DecodeError> {
        if wire_type != WireType::Len {
            return Ok(false);
        }
        // A oneof: another member replaces the current one, the same member merges.
        match number {
            1 => {
                self.response = None;
                self.error = None;
                merge_nested(
                    self.request.get_or_insert_with(Default::default),
                    reader,
                    ctx,
                )?;
            }
            2 => {
                self.request = None;
                self.error = None;
                merge_nested(
                    self.response.get_or_insert_with(Default::default),
                    reader,
                    ctx,
                )?;
            }
            3 => {
                self.request = None;
                self.response = None;
                merge_nested(self.error.get_or_insert_with(Default::default), reader, ctx)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
