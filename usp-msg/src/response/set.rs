//! `SetResp`.
use std::borrow::Cow;

use usp_types::ErrorCode;

use crate::codec::message;

use crate::Params;
use crate::oneof::oneof;

message! {
    /// `SetResp`: one result per object of the Set.
    pub struct SetResp<'a> {
        /// One result per `UpdateObject`, in request order.
        1 => updated_obj_results: Vec<UpdatedObjectResult<'a>>,
    }
}

message! {
    /// The outcome for one object path.
    pub struct UpdatedObjectResult<'a> {
        /// The path as requested.
        1 => requested_path: Cow<'a, str>,
        /// Success or failure.
        2 => oper_status: Option<OperationStatus<'a>>,
    }
}

oneof! {
    /// Whether the objects were updated.
    pub enum OperationStatus<'a> {
        /// They were not.
        1 => OperFailure(OperationFailure<'a>),
        /// They were.
        2 => OperSuccess(OperationSuccess<'a>),
    }
}

message! {
    /// The object path failed.
    pub struct OperationFailure<'a> {
        /// Error code.
        1 => err_code: ErrorCode,
        /// Description.
        2 => err_msg: Cow<'a, str>,
        /// Per-instance failures.
        3 => updated_inst_failures: Vec<UpdatedInstanceFailure<'a>>,
    }
}

message! {
    /// The object path succeeded.
    pub struct OperationSuccess<'a> {
        /// Per-instance results.
        1 => updated_inst_results: Vec<UpdatedInstanceResult<'a>>,
    }
}

message! {
    /// An instance that failed to update.
    pub struct UpdatedInstanceFailure<'a> {
        /// Its path.
        1 => affected_path: Cow<'a, str>,
        /// The parameters that failed.
        2 => param_errs: Vec<ParameterError<'a>>,
    }
}

message! {
    /// An instance that was updated.
    pub struct UpdatedInstanceResult<'a> {
        /// Its path.
        1 => affected_path: Cow<'a, str>,
        /// Non-required parameters that failed.
        2 => param_errs: Vec<ParameterError<'a>>,
        /// Parameters updated, with their new values.
        3 => updated_params: Params<'a>,
    }
}

message! {
    /// A parameter that could not be set.
    pub struct ParameterError<'a> {
        /// Parameter name.
        1 => param: Cow<'a, str>,
        /// Error code.
        2 => err_code: ErrorCode,
        /// Description.
        3 => err_msg: Cow<'a, str>,
    }
}
