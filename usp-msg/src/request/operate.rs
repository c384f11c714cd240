//! `Operate`: run a command.
use std::borrow::Cow;

use crate::codec::message;

use crate::Params;

message! {
    /// `Operate`: runs a command such as `Device.Reboot()` (specification section
    /// "Operate"). An asynchronous command reports its end in an OperationComplete
    /// notification carrying the same `command_key`.
    pub struct Operate<'a> {
        /// Command path, ending in `()`.
        1 => command: Cow<'a, str>,
        /// Chosen by the Controller to recognise the OperationComplete.
        2 => command_key: Cow<'a, str>,
        /// Whether an OperateResp is wanted.
        3 => send_resp: bool,
        /// Input arguments.
        4 => input_args: Params<'a>,
    }
}
