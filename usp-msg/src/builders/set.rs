//! Set and SetResp.

use std::borrow::Cow;

use usp_types::ErrorCode;

use super::MISSING_STATUS;
use crate::request::set::{UpdateObject, UpdateParamSetting};
use crate::response::set::{
    OperationFailure, OperationStatus, OperationSuccess, ParameterError, UpdatedInstanceFailure,
    UpdatedInstanceResult, UpdatedObjectResult,
};
use crate::{Params, Set, SetResp};

impl<'a> Set<'a> {
    /// An empty Set with `allow_partial` false; add objects with [`update`](Self::update).
    ///
    /// ```
    /// use usp_msg::request::set::UpdateParamSetting;
    /// use usp_msg::Set;
    ///
    /// let set = Set::new()
    ///     .allow_partial(true)
    ///     .update("Device.WiFi.SSID.1.", [("SSID", "home")])
    ///     // (param, value, required): the object fails when a required parameter fails.
    ///     .update("Device.WiFi.SSID.2.", [("SSID", "guest", true), ("Enable", "true", false)])
    ///     .update(
    ///         "Device.WiFi.SSID.3.",
    ///         [UpdateParamSetting::new("SSID", "lab").required(true)],
    ///     );
    /// assert_eq!(set.update_objs.len(), 3);
    /// assert!(set.update_objs[1].param_settings[0].required);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// How failures are reported (specification section "Using Allow Partial and Required
    /// Parameters").
    ///
    /// * `false` (the default): the objects are updated as a whole. If any object fails
    ///   (because a required parameter failed, or the object cannot be updated), nothing
    ///   changes and the Agent answers with an Error Message whose `param_errs` name the
    ///   failures (R-SET.1).
    /// * `true`: each object is updated on its own; the SetResp reports `oper_success` or
    ///   `oper_failure` per object, the valid ones being updated regardless (R-SET.0).
    ///
    /// Either way a parameter that is not `required` may fail without failing its object;
    /// the success then lists it in `param_errs`. A search path that matches several objects
    /// is handled as a whole whatever `allow_partial` says (R-SET.2a).
    #[must_use]
    pub fn allow_partial(mut self, allow_partial: bool) -> Self {
        self.allow_partial = allow_partial;
        self
    }

    /// Adds an object (an object instance, wildcard or search path) to update with these
    /// parameters: `(name, value)` pairs, which are not required, `(name, value, required)`
    /// triples, or [`UpdateParamSetting`]s.
    #[must_use]
    pub fn update<T: Into<UpdateParamSetting<'a>>>(
        mut self,
        obj_path: impl Into<Cow<'a, str>>,
        params: impl IntoIterator<Item = T>,
    ) -> Self {
        self.update_objs.push(UpdateObject::new(obj_path, params));
        self
    }
}

impl<'a> UpdateObject<'a> {
    /// An object to update with these parameters (see [`Set::update`]).
    pub fn new<T: Into<UpdateParamSetting<'a>>>(
        obj_path: impl Into<Cow<'a, str>>,
        params: impl IntoIterator<Item = T>,
    ) -> Self {
        Self {
            obj_path: obj_path.into(),
            param_settings: params.into_iter().map(Into::into).collect(),
        }
    }
}

impl<'a> UpdateParamSetting<'a> {
    /// A parameter to set, not required.
    pub fn new(param: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        Self {
            param: param.into(),
            value: value.into(),
            required: false,
        }
    }

    /// Whether the object fails when this parameter cannot be set (R-SET.2).
    #[must_use]
    pub fn required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }
}

/// `(param, value)`: a parameter that is not required.
impl<'a, K: Into<Cow<'a, str>>, V: Into<Cow<'a, str>>> From<(K, V)> for UpdateParamSetting<'a> {
    fn from((param, value): (K, V)) -> Self {
        Self::new(param, value)
    }
}

/// `(param, value, required)`.
impl<'a, K: Into<Cow<'a, str>>, V: Into<Cow<'a, str>>> From<(K, V, bool)>
    for UpdateParamSetting<'a>
{
    fn from((param, value, required): (K, V, bool)) -> Self {
        Self::new(param, value).required(required)
    }
}

impl<'a> SetResp<'a> {
    /// An empty SetResp. An Agent adds one result per object of the Set, in request order,
    /// with [`updated_obj_result`](Self::updated_obj_result).
    ///
    /// ```
    /// use usp_msg::response::set::{UpdatedInstanceFailure, UpdatedInstanceResult, UpdatedObjectResult};
    /// use usp_msg::{ErrorCode, SetResp};
    ///
    /// let resp = SetResp::new()
    ///     .updated_obj_result(UpdatedObjectResult::success(
    ///         "Device.WiFi.SSID.1.",
    ///         [UpdatedInstanceResult::new("Device.WiFi.SSID.1.", [("SSID", "home")])],
    ///     ))
    ///     .updated_obj_result(
    ///         UpdatedObjectResult::failure("Device.WiFi.SSID.2.", ErrorCode::REQUIRED_PARAMETER_FAILED, "SSID")
    ///             .updated_inst_failure(
    ///                 UpdatedInstanceFailure::new("Device.WiFi.SSID.2.")
    ///                     .param_err("SSID", ErrorCode::INVALID_VALUE, "too long"),
    ///             ),
    ///     );
    ///
    /// for (path, result) in resp.results() {
    ///     match result {
    ///         Ok(ok) => println!("{path}: {} instances updated", ok.updated_inst_results.len()),
    ///         Err(e) => println!("{path}: {} {}", e.err_code, e.err_msg),
    ///     }
    /// }
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

super::oper_status_response!(
    SetResp,
    updated_obj_results,
    updated_obj_result,
    UpdatedObjectResult,
    "object of the Set",
    OperationFailure {
        err_code: ErrorCode::MESSAGE_FAILED,
        err_msg: Cow::Borrowed(MISSING_STATUS),
        updated_inst_failures: Vec::new(),
    }
);

impl<'a> UpdatedObjectResult<'a> {
    /// The objects of `requested_path` were updated; one [`UpdatedInstanceResult`] per
    /// instance (none for a search path that matched nothing, R-MSG.4a).
    pub fn success(
        requested_path: impl Into<Cow<'a, str>>,
        instances: impl IntoIterator<Item = UpdatedInstanceResult<'a>>,
    ) -> Self {
        let success = OperationSuccess {
            updated_inst_results: instances.into_iter().collect(),
        };
        Self {
            requested_path: requested_path.into(),
            oper_status: Some(OperationStatus::OperSuccess(success)),
        }
    }

    /// The objects of `requested_path` were not updated (with `allow_partial` true); add
    /// the instances that failed with
    /// [`updated_inst_failure`](Self::updated_inst_failure).
    pub fn failure(
        requested_path: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        let failure = OperationFailure {
            err_code,
            err_msg: err_msg.into(),
            updated_inst_failures: Vec::new(),
        };
        Self {
            requested_path: requested_path.into(),
            oper_status: Some(OperationStatus::OperFailure(failure)),
        }
    }

    /// Adds an updated instance to a success; does nothing on a failure.
    #[must_use]
    pub fn updated_inst_result(mut self, instance: UpdatedInstanceResult<'a>) -> Self {
        if let Some(OperationStatus::OperSuccess(s)) = &mut self.oper_status {
            s.updated_inst_results.push(instance);
        }
        self
    }

    /// Adds an instance that failed to a failure (R-SET.2a); does nothing on a success.
    #[must_use]
    pub fn updated_inst_failure(mut self, instance: UpdatedInstanceFailure<'a>) -> Self {
        if let Some(OperationStatus::OperFailure(f)) = &mut self.oper_status {
            f.updated_inst_failures.push(instance);
        }
        self
    }
}

impl<'a> UpdatedInstanceResult<'a> {
    /// An updated instance with its parameters and their values after the update (R-SET.3:
    /// only those the Controller may read).
    pub fn new(
        affected_path: impl Into<Cow<'a, str>>,
        updated_params: impl IntoIterator<Item = (impl Into<Cow<'a, str>>, impl Into<Cow<'a, str>>)>,
    ) -> Self {
        Self {
            affected_path: affected_path.into(),
            param_errs: Vec::new(),
            updated_params: updated_params.into_iter().collect::<Params<'a>>(),
        }
    }

    /// Adds a parameter that is not required and failed.
    #[must_use]
    pub fn param_err(
        mut self,
        param: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        self.param_errs
            .push(ParameterError::new(param, err_code, err_msg));
        self
    }
}

impl<'a> UpdatedInstanceFailure<'a> {
    /// An instance that failed to update; add the parameters that failed with
    /// [`param_err`](Self::param_err).
    pub fn new(affected_path: impl Into<Cow<'a, str>>) -> Self {
        Self {
            affected_path: affected_path.into(),
            param_errs: Vec::new(),
        }
    }

    /// Adds a parameter that failed.
    #[must_use]
    pub fn param_err(
        mut self,
        param: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        self.param_errs
            .push(ParameterError::new(param, err_code, err_msg));
        self
    }
}

impl<'a> ParameterError<'a> {
    /// A parameter that could not be set.
    pub fn new(
        param: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        Self {
            param: param.into(),
            err_code,
            err_msg: err_msg.into(),
        }
    }
}
