//! `AddResp`.
use std::borrow::Cow;

use usp_types::ErrorCode;

use crate::codec::message;

use crate::Params;
use crate::oneof::oneof;

message! {
    /// `AddResp`: one result per object of the Add.
    pub struct AddResp<'a> {
        /// One result per `CreateObject`, in request order.
        1 => created_obj_results: Vec<CreatedObjectResult<'a>>,
    }
}

message! {
    /// The outcome for one object to create.
    pub struct CreatedObjectResult<'a> {
        /// The object path as requested.
        1 => requested_path: Cow<'a, str>,
        /// Success or failure.
        2 => oper_status: Option<OperationStatus<'a>>,
    }
}

oneof! {
    /// Whether the object was created.
    pub enum OperationStatus<'a> {
        /// It was not.
        1 => OperFailure(OperationFailure<'a>),
        /// It was.
        2 => OperSuccess(OperationSuccess<'a>),
    }
}

message! {
    /// The object was not created.
    pub struct OperationFailure<'a> {
        /// Error code.
        1 => err_code: ErrorCode,
        /// Description.
        2 => err_msg: Cow<'a, str>,
    }
}

message! {
    /// The object was created.
    pub struct OperationSuccess<'a> {
        /// Path of the new instance.
        1 => instantiated_path: Cow<'a, str>,
        /// Parameters that could not be set (those not `required`).
        2 => param_errs: Vec<ParameterError<'a>>,
        /// Unique keys of the new instance.
        3 => unique_keys: Params<'a>,
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
