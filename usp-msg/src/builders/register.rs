//! Register and RegisterResp.

use std::borrow::Cow;

use usp_types::ErrorCode;

use super::MISSING_STATUS;
use crate::request::register::RegistrationPath;
use crate::response::register::{
    OperationFailure, OperationStatus, OperationSuccess, RegisteredPathResult,
};
use crate::{Register, RegisterResp};

impl<'a> Register<'a> {
    /// A Register of these data model paths (object, command, event or parameter paths
    /// without instance numbers, R-REG.2), with `allow_partial` false.
    ///
    /// ```
    /// let reg = usp_msg::Register::new(["Device.Time.", "Device.WiFi.DataElements."]).allow_partial(true);
    /// assert_eq!(reg.reg_paths[1].path, "Device.WiFi.DataElements.");
    /// ```
    pub fn new<I, S>(paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'a, str>>,
    {
        Self {
            allow_partial: false,
            reg_paths: paths.into_iter().map(RegistrationPath::new).collect(),
        }
    }

    /// How failures are reported. With `false` (the default) nothing is registered if one
    /// path fails, and the Broker answers with an Error Message (R-REG.1); with `true` each
    /// path is registered on its own and the RegisterResp reports each (R-REG.0).
    #[must_use]
    pub fn allow_partial(mut self, allow_partial: bool) -> Self {
        self.allow_partial = allow_partial;
        self
    }
}

impl<'a> RegistrationPath<'a> {
    /// A path to register.
    pub fn new(path: impl Into<Cow<'a, str>>) -> Self {
        Self { path: path.into() }
    }
}

impl<'a> RegisterResp<'a> {
    /// An empty RegisterResp. A Broker adds one result per path of the Register with
    /// [`registered_path_result`](Self::registered_path_result).
    ///
    /// ```
    /// use usp_msg::response::register::RegisteredPathResult;
    /// use usp_msg::{ErrorCode, RegisterResp};
    ///
    /// let resp = RegisterResp::new()
    ///     .registered_path_result(RegisteredPathResult::success("Device.Time.", "Device.Time."))
    ///     .registered_path_result(RegisteredPathResult::failure(
    ///         "Device.WiFi.",
    ///         ErrorCode::ALREADY_IN_USE,
    ///         "registered by another Service",
    ///     ));
    /// let failed: Vec<&str> = resp.results().filter(|(_, r)| r.is_err()).map(|(p, _)| p).collect();
    /// assert_eq!(failed, ["Device.WiFi."]);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

super::oper_status_response!(
    RegisterResp,
    registered_path_results,
    registered_path_result,
    RegisteredPathResult,
    "path of the Register",
    OperationFailure {
        err_code: ErrorCode::MESSAGE_FAILED,
        err_msg: Cow::Borrowed(MISSING_STATUS),
    }
);

impl<'a> RegisteredPathResult<'a> {
    /// `requested_path` was registered as `registered_path`.
    pub fn success(
        requested_path: impl Into<Cow<'a, str>>,
        registered_path: impl Into<Cow<'a, str>>,
    ) -> Self {
        let success = OperationSuccess {
            registered_path: registered_path.into(),
        };
        Self {
            requested_path: requested_path.into(),
            oper_status: Some(OperationStatus::OperSuccess(success)),
        }
    }

    /// `requested_path` was not registered, for example with 7029 *Already in use*.
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
