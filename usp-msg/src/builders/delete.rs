//! Delete and DeleteResp.

use std::borrow::Cow;

use usp_types::ErrorCode;

use super::{MISSING_STATUS, strings};
use crate::response::delete::{
    DeletedObjectResult, OperationFailure, OperationStatus, OperationSuccess, UnaffectedPathError,
};
use crate::{Delete, DeleteResp};

impl<'a> Delete<'a> {
    /// A Delete of these object instance paths (or search paths), with `allow_partial`
    /// false.
    ///
    /// ```
    /// let del = usp_msg::Delete::new([r#"Device.LocalAgent.Controller.[EndpointID=="temp"]."#])
    ///     .allow_partial(true);
    /// assert_eq!(del.obj_paths.len(), 1);
    /// ```
    pub fn new<I, S>(paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'a, str>>,
    {
        Self {
            allow_partial: false,
            obj_paths: strings(paths),
        }
    }

    /// How failures are reported (specification section "Using Allow Partial and Required
    /// Parameters").
    ///
    /// * `false` (the default): the paths are deleted as a whole. A path that is not an
    ///   object instance path, an instance that does not exist, one that cannot be deleted
    ///   or one the Controller may not delete makes the whole Delete fail with an Error
    ///   Message (R-DEL.1).
    /// * `true`: each path is handled on its own; the DeleteResp reports, per path, the
    ///   instances deleted (`affected_paths`) and those that could not be
    ///   (`unaffected_path_errs`), the valid ones being deleted regardless (R-DEL.0).
    ///
    /// A valid path that matches no instance is a success with no `affected_paths`
    /// (R-DEL.2a).
    #[must_use]
    pub fn allow_partial(mut self, allow_partial: bool) -> Self {
        self.allow_partial = allow_partial;
        self
    }
}

impl<'a> DeleteResp<'a> {
    /// An empty DeleteResp. An Agent adds one result per path of the Delete with
    /// [`deleted_obj_result`](Self::deleted_obj_result).
    ///
    /// ```
    /// use usp_msg::response::delete::DeletedObjectResult;
    /// use usp_msg::{DeleteResp, ErrorCode};
    ///
    /// let resp = DeleteResp::new()
    ///     .deleted_obj_result(
    ///         DeletedObjectResult::success("Device.NAT.PortMapping.*.", ["Device.NAT.PortMapping.1."])
    ///             .unaffected_path_err("Device.NAT.PortMapping.2.", ErrorCode::DELETE_FAILURE, "in use"),
    ///     )
    ///     .deleted_obj_result(DeletedObjectResult::failure(
    ///         "Device.Nope.1.",
    ///         ErrorCode::OBJECT_DOES_NOT_EXIST,
    ///         "no such instance",
    ///     ));
    /// let (path, result) = resp.results().next().unwrap();
    /// assert_eq!(result.unwrap().affected_paths, ["Device.NAT.PortMapping.1."]);
    /// # let _ = path;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

super::oper_status_response!(
    DeleteResp,
    deleted_obj_results,
    deleted_obj_result,
    DeletedObjectResult,
    "path of the Delete",
    OperationFailure {
        err_code: ErrorCode::MESSAGE_FAILED,
        err_msg: Cow::Borrowed(MISSING_STATUS),
    }
);

impl<'a> DeletedObjectResult<'a> {
    /// `requested_path` succeeded: these instances were deleted (none is a success too,
    /// R-DEL.2a). Add the instances that could not be deleted with
    /// [`unaffected_path_err`](Self::unaffected_path_err).
    pub fn success<S: Into<Cow<'a, str>>>(
        requested_path: impl Into<Cow<'a, str>>,
        affected_paths: impl IntoIterator<Item = S>,
    ) -> Self {
        let success = OperationSuccess {
            affected_paths: strings(affected_paths),
            unaffected_path_errs: Vec::new(),
        };
        Self {
            requested_path: requested_path.into(),
            oper_status: Some(OperationStatus::OperSuccess(success)),
        }
    }

    /// `requested_path` failed as a whole.
    pub fn failure(
        requested_path: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        let failure = OperationFailure {
            err_code,
            err_msg: err_msg.into(),
        };
        Self {
            requested_path: requested_path.into(),
            oper_status: Some(OperationStatus::OperFailure(failure)),
        }
    }

    /// Adds an instance that could not be deleted (R-DEL.3) to a success; does nothing on
    /// a failure.
    #[must_use]
    pub fn unaffected_path_err(
        mut self,
        unaffected_path: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        if let Some(OperationStatus::OperSuccess(s)) = &mut self.oper_status {
            s.unaffected_path_errs.push(UnaffectedPathError::new(
                unaffected_path,
                err_code,
                err_msg,
            ));
        }
        self
    }
}

impl<'a> UnaffectedPathError<'a> {
    /// An instance that could not be deleted.
    pub fn new(
        unaffected_path: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        Self {
            unaffected_path: unaffected_path.into(),
            err_code,
            err_msg: err_msg.into(),
        }
    }
}
