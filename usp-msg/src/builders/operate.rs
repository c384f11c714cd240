//! Operate and OperateResp.

use std::borrow::Cow;

use usp_types::ErrorCode;

use crate::response::operate::{CommandFailure, OperationResp, OperationResult, OutputArgs};
use crate::{Operate, OperateResp, Params};

impl<'a> Operate<'a> {
    /// An Operate of this command path (or search path to commands), such as
    /// `Device.Reboot()`, with no command key, no arguments and `send_resp` false.
    ///
    /// ```
    /// use usp_msg::{Msg, Operate};
    ///
    /// let op = Operate::new("Device.IP.Diagnostics.IPPing()")
    ///     .command_key("ping-1")
    ///     .send_resp(true)
    ///     .arg("Host", "192.0.2.1")
    ///     .arg("NumberOfRepetitions", "3");
    /// assert_eq!(op.input_args.get("Host"), Some("192.0.2.1"));
    /// let wire = Msg::request("op-1", op).encode_to_vec();
    /// # assert!(!wire.is_empty());
    /// ```
    pub fn new(command: impl Into<Cow<'a, str>>) -> Self {
        Self {
            command: command.into(),
            ..Self::default()
        }
    }

    /// Sets the key the Controller recognises the command by, in the OperationComplete
    /// notification of an asynchronous command and in `Device.LocalAgent.Request.{i}.`.
    #[must_use]
    pub fn command_key(mut self, command_key: impl Into<Cow<'a, str>>) -> Self {
        self.command_key = command_key.into();
        self
    }

    /// Whether the Agent answers with an OperateResp. With `false` (the default) it should
    /// not (R-OPR.4), though it may still report failures.
    #[must_use]
    pub fn send_resp(mut self, send_resp: bool) -> Self {
        self.send_resp = send_resp;
        self
    }

    /// Adds (or replaces) an input argument, named relative to the command.
    #[must_use]
    pub fn arg(mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        self.input_args.insert(name, value);
        self
    }

    /// Adds (or replaces) input arguments.
    #[must_use]
    pub fn args(
        mut self,
        args: impl IntoIterator<Item = (impl Into<Cow<'a, str>>, impl Into<Cow<'a, str>>)>,
    ) -> Self {
        self.input_args.extend(args);
        self
    }
}

impl<'a> OperateResp<'a> {
    /// An empty OperateResp. An Agent adds one result per command run with
    /// [`operation_result`](Self::operation_result).
    ///
    /// ```
    /// use usp_msg::response::operate::OperationResult;
    /// use usp_msg::{ErrorCode, OperateResp};
    ///
    /// let resp = OperateResp::new()
    ///     // A synchronous command, with its output arguments:
    ///     .operation_result(OperationResult::output_args("Device.WiFi.Radio.1.Scan()", [("Count", "4")]))
    ///     // An asynchronous one, tracked by a Request object:
    ///     .operation_result(OperationResult::req_obj_path(
    ///         "Device.SelfTestDiagnostics()",
    ///         "Device.LocalAgent.Request.1.",
    ///     ))
    ///     // A failure (R-OPR.1: never an Error Message for a command that fails):
    ///     .operation_result(OperationResult::cmd_failure(
    ///         "Device.WiFi.Radio.2.Scan()",
    ///         ErrorCode::COMMAND_FAILURE,
    ///         "radio off",
    ///     ));
    ///
    /// let first = &resp.operation_results[0];
    /// assert_eq!(first.as_output_args().and_then(|a| a.get("Count")), Some("4"));
    /// assert_eq!(resp.operation_results[1].as_req_obj_path(), Some("Device.LocalAgent.Request.1."));
    /// assert_eq!(resp.operation_results[2].as_cmd_failure().unwrap().err_code, ErrorCode::COMMAND_FAILURE);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the result of one command.
    #[must_use]
    pub fn operation_result(mut self, result: OperationResult<'a>) -> Self {
        self.operation_results.push(result);
        self
    }
}

impl<'a> FromIterator<OperationResult<'a>> for OperateResp<'a> {
    fn from_iter<I: IntoIterator<Item = OperationResult<'a>>>(iter: I) -> Self {
        Self {
            operation_results: iter.into_iter().collect(),
        }
    }
}

impl<'a> OperationResult<'a> {
    /// A synchronous command that succeeded, with its output arguments (possibly none).
    pub fn output_args(
        executed_command: impl Into<Cow<'a, str>>,
        output_args: impl IntoIterator<Item = (impl Into<Cow<'a, str>>, impl Into<Cow<'a, str>>)>,
    ) -> Self {
        let args = OutputArgs {
            output_args: output_args.into_iter().collect::<Params<'a>>(),
        };
        Self {
            executed_command: executed_command.into(),
            operation_resp: Some(OperationResp::ReqOutputArgs(args)),
        }
    }

    /// An asynchronous command that was started; `req_obj_path` is the
    /// `Device.LocalAgent.Request.{i}.` instance tracking it. Its end comes in an
    /// OperationComplete notification.
    pub fn req_obj_path(
        executed_command: impl Into<Cow<'a, str>>,
        req_obj_path: impl Into<Cow<'a, str>>,
    ) -> Self {
        Self {
            executed_command: executed_command.into(),
            operation_resp: Some(OperationResp::ReqObjPath(req_obj_path.into())),
        }
    }

    /// A command that failed, for example with 7022 *Command failure* or 7027 *Invalid
    /// command arguments* (R-OPR.5).
    pub fn cmd_failure(
        executed_command: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        let failure = CommandFailure {
            err_code,
            err_msg: err_msg.into(),
        };
        Self {
            executed_command: executed_command.into(),
            operation_resp: Some(OperationResp::CmdFailure(failure)),
        }
    }

    /// The output arguments, when the command completed synchronously.
    pub fn as_output_args(&self) -> Option<&Params<'a>> {
        match &self.operation_resp {
            Some(OperationResp::ReqOutputArgs(a)) => Some(&a.output_args),
            _ => None,
        }
    }

    /// The path of the Request object, when the command runs asynchronously.
    pub fn as_req_obj_path(&self) -> Option<&str> {
        match &self.operation_resp {
            Some(OperationResp::ReqObjPath(p)) => Some(p),
            _ => None,
        }
    }

    /// The failure, when the command failed.
    pub fn as_cmd_failure(&self) -> Option<&CommandFailure<'a>> {
        match &self.operation_resp {
            Some(OperationResp::CmdFailure(f)) => Some(f),
            _ => None,
        }
    }
}
