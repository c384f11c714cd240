//! The `Error` Message.
use std::borrow::Cow;

use usp_types::ErrorCode;

use crate::codec::message;

message! {
    /// The `Error` Message: a request failed as a whole (specification section "Error
    /// Messages"), possibly with the parameters that caused it.
    pub struct UspError<'a> {
        /// Error code (7000-7999).
        1 => err_code: ErrorCode,
        /// Description.
        2 => err_msg: Cow<'a, str>,
        /// Parameters that failed.
        3 => param_errs: Vec<ParamError<'a>>,
    }
}

message! {
    /// One parameter that failed.
    pub struct ParamError<'a> {
        /// Path of the parameter.
        1 => param_path: Cow<'a, str>,
        /// Error code.
        2 => err_code: ErrorCode,
        /// Description.
        3 => err_msg: Cow<'a, str>,
    }
}
