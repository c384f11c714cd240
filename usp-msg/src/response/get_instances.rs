//! `GetInstancesResp`.
use std::borrow::Cow;

use usp_types::ErrorCode;

use crate::codec::message;

use crate::Params;

message! {
    /// `GetInstancesResp`: the instances below each requested path.
    pub struct GetInstancesResp<'a> {
        /// One result per requested path.
        1 => req_path_results: Vec<RequestedPathResult<'a>>,
    }
}

message! {
    /// The outcome for one requested path.
    pub struct RequestedPathResult<'a> {
        /// The path as requested.
        1 => requested_path: Cow<'a, str>,
        /// 0 on success, else the error.
        2 => err_code: ErrorCode,
        /// Description of the error.
        3 => err_msg: Cow<'a, str>,
        /// The instances found.
        4 => curr_insts: Vec<CurrInstance<'a>>,
    }
}

message! {
    /// One instance.
    pub struct CurrInstance<'a> {
        /// Path of the instance.
        1 => instantiated_obj_path: Cow<'a, str>,
        /// Its unique keys.
        2 => unique_keys: Params<'a>,
    }
}
