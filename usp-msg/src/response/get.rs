//! `GetResp`.
use std::borrow::Cow;

use usp_types::ErrorCode;

use crate::codec::message;

use crate::Params;

message! {
    /// `GetResp`: the answer to a Get, one result per requested path (specification
    /// section "Get").
    pub struct GetResp<'a> {
        /// One result per requested path, in request order.
        1 => req_path_results: Vec<RequestedPathResult<'a>>,
    }
}

message! {
    /// The outcome for one requested path: an error, or the objects it resolved to.
    pub struct RequestedPathResult<'a> {
        /// The path as requested.
        1 => requested_path: Cow<'a, str>,
        /// 0 on success, else the error (for example 7026 *Invalid path*).
        2 => err_code: ErrorCode,
        /// Description of the error.
        3 => err_msg: Cow<'a, str>,
        /// The objects the path resolved to.
        4 => resolved_path_results: Vec<ResolvedPathResult<'a>>,
    }
}

message! {
    /// One object a requested path resolved to, with parameter values relative to it.
    pub struct ResolvedPathResult<'a> {
        /// Path of the object (instance number addressing, R-MSG.3).
        1 => resolved_path: Cow<'a, str>,
        /// Parameter names relative to `resolved_path`, and their values.
        2 => result_params: Params<'a>,
    }
}
