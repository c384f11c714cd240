//! The application's side of an Agent: writes to approve, commands to run.

use std::collections::BTreeMap;
use std::fmt;

use tokio::sync::mpsc;
use usp_types::ErrorCode;

use super::Cmd;

/// Why the application refused a write or a command failed: a USP error code and a text,
/// passed to the Controller.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fault {
    /// The error code (7000-7999).
    pub code: ErrorCode,
    /// The explanation.
    pub message: String,
}

impl Fault {
    /// A fault with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Fault {}

/// One command to run, from an Operate request.
#[derive(Debug)]
#[non_exhaustive]
pub struct CommandRequest {
    /// The concrete Command Path (`Device.WiFi.Radio.1.Reset()`).
    pub path: String,
    /// The `command_key` the Controller chose.
    pub command_key: String,
    /// The input arguments (unknown ones included: R-OPR.6 says to ignore them).
    pub input: BTreeMap<String, String>,
    /// The Controller that asked.
    pub controller: usp_types::EndpointId,
    /// For an asynchronous command: the handle that reports its end. `None` for a
    /// synchronous one.
    pub completion: Option<Completion>,
}

/// How a command went, as far as the handler knows when it returns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandReply {
    /// It ran, with these output arguments.
    Done(BTreeMap<String, String>),
    /// It failed.
    Failed(Fault),
    /// An asynchronous command is running; its [`Completion`] reports the end.
    Started,
}

/// Reports the end of an asynchronous command: the Agent then removes its
/// `Device.LocalAgent.Request.{i}.` instance (R-OPR.0) and sends OperationComplete to the
/// subscribed Controllers. Dropping it without calling [`complete`](Self::complete)
/// reports a failure (7022, command failure).
#[derive(Debug)]
pub struct Completion {
    pub(crate) id: u64,
    pub(crate) tx: Option<mpsc::UnboundedSender<Cmd>>,
}

impl Completion {
    /// Reports the outcome.
    pub fn complete(mut self, outcome: Result<BTreeMap<String, String>, Fault>) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Cmd::Complete {
                id: self.id,
                outcome,
            });
        }
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Cmd::Complete {
                id: self.id,
                outcome: Err(Fault::new(
                    ErrorCode::COMMAND_FAILURE,
                    "the command ended without a result",
                )),
            });
        }
    }
}

/// What the application does for an Agent: approve or refuse writes before they happen,
/// and run commands. Every method has a default: writes are accepted, commands fail
/// with 7022.
///
/// The methods run on the Agent's task: they must not block. A long command returns
/// [`CommandReply::Started`] and finishes on its own task through its [`Completion`].
///
/// [`set`](Self::set) and [`delete`](Self::delete) are asked while a request is checked,
/// before the Agent decides: when another part of the same request then fails (a
/// required parameter, `allow_partial` false), nothing is written or deleted although the
/// handler said yes. An instance whose [`add`](Self::add) was accepted and that the
/// request then undoes is reported to [`delete`](Self::delete).
pub trait Handler: Send + 'static {
    /// A Set is about to write `value` to parameter `param` of `object`
    /// (`Device.WiFi.SSID.1.`). Returning an error leaves it unwritten and reports the
    /// fault for this parameter.
    fn set(&mut self, object: &str, param: &str, value: &str) -> Result<(), Fault> {
        let _ = (object, param, value);
        Ok(())
    }

    /// An Add is about to create `object` (`Device.NAT.PortMapping.3.`) with these
    /// parameters.
    fn add(&mut self, object: &str, params: &BTreeMap<String, String>) -> Result<(), Fault> {
        let _ = (object, params);
        Ok(())
    }

    /// A Delete is about to remove `object`.
    fn delete(&mut self, object: &str) -> Result<(), Fault> {
        let _ = object;
        Ok(())
    }

    /// An Operate runs a command.
    fn operate(&mut self, request: CommandRequest) -> CommandReply {
        CommandReply::Failed(Fault::new(
            ErrorCode::COMMAND_FAILURE,
            format!("{} is not implemented", request.path),
        ))
    }
}

/// A [`Handler`] that accepts every write and runs no command.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct NoHandler;

impl Handler for NoHandler {}
