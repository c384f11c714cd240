//! `DeleteResp`.
use std::borrow::Cow;

use usp_types::ErrorCode;

use crate::codec::message;

use crate::oneof::oneof;

message! {
    /// `DeleteResp`: one result per path of the Delete.
    pub struct DeleteResp<'a> {
        /// One result per requested path.
        1 => deleted_obj_results: Vec<DeletedObjectResult<'a>>,
    }
}

message! {
    /// The outcome for one requested path.
    pub struct DeletedObjectResult<'a> {
        /// The path as requested.
        1 => requested_path: Cow<'a, str>,
        /// Success or failure.
        2 => oper_status: Option<OperationStatus<'a>>,
    }
}

oneof! {
    /// Whether the instances were deleted.
    pub enum OperationStatus<'a> {
        /// They were not.
        1 => OperFailure(OperationFailure<'a>),
        /// They were (or there was nothing to delete).
        2 => OperSuccess(OperationSuccess<'a>),
    }
}

message! {
    /// The path failed.
    pub struct OperationFailure<'a> {
        /// Error code.
        1 => err_code: ErrorCode,
        /// Description.
        2 => err_msg: Cow<'a, str>,
    }
}

message! {
    /// The path succeeded.
    pub struct OperationSuccess<'a> {
        /// Instances deleted.
        1 => affected_paths: Vec<Cow<'a, str>>,
        /// Instances that could not be deleted (with `allow_partial`).
        2 => unaffected_path_errs: Vec<UnaffectedPathError<'a>>,
    }
}

message! {
    /// An instance that could not be deleted.
    pub struct UnaffectedPathError<'a> {
        /// Its path.
        1 => unaffected_path: Cow<'a, str>,
        /// Error code.
        2 => err_code: ErrorCode,
        /// Description.
        3 => err_msg: Cow<'a, str>,
    }
}
