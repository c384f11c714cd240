//! The Error Message.

use std::borrow::Cow;

use usp_types::ErrorCode;

use crate::UspError;
use crate::response::error::ParamError;

impl<'a> UspError<'a> {
    /// An Error Message body: the request failed as a whole.
    ///
    /// With `allow_partial` false, a failed Add, Set or Delete is answered this way, naming
    /// each parameter or object that failed with [`param_err`](Self::param_err).
    ///
    /// ```
    /// use usp_msg::{ErrorCode, Msg, UspError};
    ///
    /// let err = UspError::new(ErrorCode::REQUIRED_PARAMETER_FAILED, "Set failed")
    ///     .param_err("Device.WiFi.SSID.1.SSID", ErrorCode::INVALID_VALUE, "too long");
    /// let answer = Msg::error("set-1", err);
    /// assert!(answer.answers("set-1"));
    /// ```
    pub fn new(err_code: ErrorCode, err_msg: impl Into<Cow<'a, str>>) -> Self {
        Self {
            err_code,
            err_msg: err_msg.into(),
            param_errs: Vec::new(),
        }
    }

    /// Adds a parameter (or object) that caused the failure.
    #[must_use]
    pub fn param_err(
        mut self,
        param_path: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        self.param_errs
            .push(ParamError::new(param_path, err_code, err_msg));
        self
    }
}

impl<'a> ParamError<'a> {
    /// A parameter (or object) that caused an Error Message.
    pub fn new(
        param_path: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        Self {
            param_path: param_path.into(),
            err_code,
            err_msg: err_msg.into(),
        }
    }
}
