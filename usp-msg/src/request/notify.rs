//! `Notify`: a notification from an Agent.
use std::borrow::Cow;

use crate::codec::message;

use crate::Params;
use crate::oneof::oneof;

message! {
    /// `Notify`: an event, value change, object creation or deletion, completed
    /// operation or on-boarding request, sent because of a subscription (specification
    /// section "Notify").
    pub struct Notify<'a> {
        /// The `ID` of the subscription (`Device.LocalAgent.Subscription.{i}.ID`).
        1 => subscription_id: Cow<'a, str>,
        /// Whether the receiver must answer with a NotifyResp.
        2 => send_resp: bool,
        oneof (3 | 4 | 5 | 6 | 7 | 8)
        /// What happened.
        notification: Option<Notification<'a>>,
    }
}

oneof! {
    /// What a Notify reports.
    pub enum Notification<'a> {
        /// An event such as `Boot!`.
        3 => Event(Event<'a>),
        /// A parameter changed.
        4 => ValueChange(ValueChange<'a>),
        /// An instance was created.
        5 => ObjCreation(ObjectCreation<'a>),
        /// An instance was deleted.
        6 => ObjDeletion(ObjectDeletion<'a>),
        /// An asynchronous command finished.
        7 => OperComplete(OperationComplete<'a>),
        /// The Agent asks to be on-boarded.
        8 => OnBoardReq(OnBoardRequest<'a>),
    }
}

message! {
    /// `Notify.Event`.
    pub struct Event<'a> {
        /// Path of the object that emitted the event.
        1 => obj_path: Cow<'a, str>,
        /// Event name, ending in `!`.
        2 => event_name: Cow<'a, str>,
        /// Event arguments.
        3 => params: Params<'a>,
    }
}

message! {
    /// `Notify.ValueChange`.
    pub struct ValueChange<'a> {
        /// Path of the parameter.
        1 => param_path: Cow<'a, str>,
        /// Its new value.
        2 => param_value: Cow<'a, str>,
    }
}

message! {
    /// `Notify.ObjectCreation`.
    pub struct ObjectCreation<'a> {
        /// Path of the new instance.
        1 => obj_path: Cow<'a, str>,
        /// Its unique keys.
        2 => unique_keys: Params<'a>,
    }
}

message! {
    /// `Notify.ObjectDeletion`.
    pub struct ObjectDeletion<'a> {
        /// Path of the deleted instance.
        1 => obj_path: Cow<'a, str>,
    }
}

message! {
    /// `Notify.OperationComplete`: an asynchronous command finished.
    pub struct OperationComplete<'a> {
        /// Path of the object the command belongs to.
        1 => obj_path: Cow<'a, str>,
        /// Command name, ending in `()`.
        2 => command_name: Cow<'a, str>,
        /// The `command_key` of the Operate.
        3 => command_key: Cow<'a, str>,
        oneof (4 | 5)
        /// The outcome.
        operation_resp: Option<OperationCompleteResult<'a>>,
    }
}

oneof! {
    /// The outcome of an asynchronous command.
    pub enum OperationCompleteResult<'a> {
        /// It succeeded, with these output arguments.
        4 => ReqOutputArgs(OutputArgs<'a>),
        /// It failed.
        5 => CmdFailure(CommandFailure<'a>),
    }
}

message! {
    /// `OperationComplete.OutputArgs`.
    pub struct OutputArgs<'a> {
        /// Output arguments.
        1 => output_args: Params<'a>,
    }
}

message! {
    /// `OperationComplete.CommandFailure`.
    pub struct CommandFailure<'a> {
        /// Error code (7000-7999).
        1 => err_code: usp_types::ErrorCode,
        /// Description.
        2 => err_msg: Cow<'a, str>,
    }
}

message! {
    /// `Notify.OnBoardRequest`.
    pub struct OnBoardRequest<'a> {
        /// OUI of the Agent's manufacturer.
        1 => oui: Cow<'a, str>,
        /// Product class.
        2 => product_class: Cow<'a, str>,
        /// Serial number.
        3 => serial_number: Cow<'a, str>,
        /// Comma-separated `Major.Minor` versions the Agent supports.
        4 => agent_supported_protocol_versions: Cow<'a, str>,
    }
}
