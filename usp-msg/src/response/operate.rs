//! `OperateResp`.
use std::borrow::Cow;

use usp_types::ErrorCode;

use crate::codec::message;

use crate::Params;
use crate::oneof::oneof;

message! {
    /// `OperateResp`: one result per command the Operate's path resolved to.
    pub struct OperateResp<'a> {
        /// One result per executed command.
        1 => operation_results: Vec<OperationResult<'a>>,
    }
}

message! {
    /// The outcome of one command.
    pub struct OperationResult<'a> {
        /// Path of the command run.
        1 => executed_command: Cow<'a, str>,
        oneof (2 | 3 | 4)
        /// The outcome.
        operation_resp: Option<OperationResp<'a>>,
    }
}

oneof! {
    /// The outcome of one command.
    pub enum OperationResp<'a> {
        /// Asynchronous: the path of the `Device.LocalAgent.Request.{i}.` tracking it.
        2 => ReqObjPath(Cow<'a, str>) as "req_obj_path",
        /// Synchronous success, with output arguments.
        3 => ReqOutputArgs(OutputArgs<'a>),
        /// Failure.
        4 => CmdFailure(CommandFailure<'a>),
    }
}

message! {
    /// Output arguments of a synchronous command.
    pub struct OutputArgs<'a> {
        /// Output arguments.
        1 => output_args: Params<'a>,
    }
}

message! {
    /// A command that failed.
    pub struct CommandFailure<'a> {
        /// Error code (for example 7022 *Command failure*).
        1 => err_code: ErrorCode,
        /// Description.
        2 => err_msg: Cow<'a, str>,
    }
}
