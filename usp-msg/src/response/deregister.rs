//! `DeregisterResp`.
use std::borrow::Cow;

use usp_types::ErrorCode;

use crate::codec::message;

use crate::oneof::oneof;

message! {
    /// `DeregisterResp`: one result per path.
    pub struct DeregisterResp<'a> {
        /// One result per requested path.
        1 => deregistered_path_results: Vec<DeregisteredPathResult<'a>>,
    }
}

message! {
    /// The outcome for one path.
    pub struct DeregisteredPathResult<'a> {
        /// The path as requested.
        1 => requested_path: Cow<'a, str>,
        /// Success or failure.
        2 => oper_status: Option<OperationStatus<'a>>,
    }
}

oneof! {
    /// Whether the path was deregistered.
    pub enum OperationStatus<'a> {
        /// It was not.
        1 => OperFailure(OperationFailure<'a>),
        /// It was.
        2 => OperSuccess(OperationSuccess<'a>),
    }
}

message! {
    /// The path was not deregistered.
    pub struct OperationFailure<'a> {
        /// Error code.
        1 => err_code: ErrorCode,
        /// Description.
        2 => err_msg: Cow<'a, str>,
    }
}

message! {
    /// The paths deregistered.
    pub struct OperationSuccess<'a> {
        /// Paths deregistered.
        1 => deregistered_path: Vec<Cow<'a, str>>,
    }
}
