//! Deregister and DeregisterResp.

use std::borrow::Cow;

use usp_types::ErrorCode;

use super::{MISSING_STATUS, strings};
use crate::response::deregister::{
    DeregisteredPathResult, OperationFailure, OperationStatus, OperationSuccess,
};
use crate::{Deregister, DeregisterResp};

impl<'a> Deregister<'a> {
    /// A Deregister of these previously registered paths (R-DEREG.1). Each path is
    /// handled on its own, as if `allow_partial` were true.
    ///
    /// ```
    /// let dereg = usp_msg::Deregister::new(["Device.Time."]);
    /// assert_eq!(dereg.paths, ["Device.Time."]);
    /// assert_eq!(usp_msg::Deregister::all().paths, [""]);
    /// ```
    pub fn new<I, S>(paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'a, str>>,
    {
        Self {
            paths: strings(paths),
        }
    }

    /// A Deregister of everything the USP Service registered: one empty path (R-DEREG.2).
    pub fn all() -> Self {
        Self::new([""])
    }
}

impl<'a> DeregisterResp<'a> {
    /// An empty DeregisterResp. A Broker adds one result per path of the Deregister with
    /// [`deregistered_path_result`](Self::deregistered_path_result); it always answers a
    /// Deregister this way, never with an Error Message (R-DEREG.4).
    ///
    /// ```
    /// use usp_msg::response::deregister::DeregisteredPathResult;
    /// use usp_msg::DeregisterResp;
    ///
    /// let resp = DeregisterResp::new()
    ///     .deregistered_path_result(DeregisteredPathResult::success("Device.Time.", ["Device.Time."]));
    /// assert!(resp.results().all(|(_, r)| r.is_ok()));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

super::oper_status_response!(
    DeregisterResp,
    deregistered_path_results,
    deregistered_path_result,
    DeregisteredPathResult,
    "path of the Deregister",
    OperationFailure {
        err_code: ErrorCode::MESSAGE_FAILED,
        err_msg: Cow::Borrowed(MISSING_STATUS),
    }
);

impl<'a> DeregisteredPathResult<'a> {
    /// `requested_path` was deregistered: these paths (all of the Service's for the empty
    /// path).
    pub fn success<S: Into<Cow<'a, str>>>(
        requested_path: impl Into<Cow<'a, str>>,
        deregistered_paths: impl IntoIterator<Item = S>,
    ) -> Self {
        let success = OperationSuccess {
            deregistered_path: strings(deregistered_paths),
        };
        Self {
            requested_path: requested_path.into(),
            oper_status: Some(OperationStatus::OperSuccess(success)),
        }
    }

    /// `requested_path` was not deregistered, for example with 7030 *Deregister failure*.
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
}
