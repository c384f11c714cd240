//! `RegisterResp`.
use std::borrow::Cow;

use usp_types::ErrorCode;

use crate::codec::message;

use crate::oneof::oneof;

message! {
    /// `RegisterResp`: one result per registered path.
    pub struct RegisterResp<'a> {
        /// One result per requested path.
        1 => registered_path_results: Vec<RegisteredPathResult<'a>>,
    }
}

message! {
    /// The outcome for one path.
    pub struct RegisteredPathResult<'a> {
        /// The path as requested.
        1 => requested_path: Cow<'a, str>,
        /// Success or failure.
        2 => oper_status: Option<OperationStatus<'a>>,
    }
}

oneof! {
    /// Whether the path was registered.
    pub enum OperationStatus<'a> {
        /// It was not.
        1 => OperFailure(OperationFailure<'a>),
        /// It was.
        2 => OperSuccess(OperationSuccess<'a>),
    }
}

message! {
    /// The path was not registered.
    pub struct OperationFailure<'a> {
        /// Error code (for example 7029 *Already in use*).
        1 => err_code: ErrorCode,
        /// Description.
        2 => err_msg: Cow<'a, str>,
    }
}

message! {
    /// The path was registered.
    pub struct OperationSuccess<'a> {
        /// The registered path.
        1 => registered_path: Cow<'a, str>,
    }
}
