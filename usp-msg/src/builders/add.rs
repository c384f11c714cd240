//! Add and AddResp.

use std::borrow::Cow;

use usp_types::ErrorCode;

use super::MISSING_STATUS;
use crate::request::add::{CreateObject, CreateParamSetting};
use crate::response::add::{
    CreatedObjectResult, OperationFailure, OperationStatus, OperationSuccess, ParameterError,
};
use crate::{Add, AddResp, Params};

impl<'a> Add<'a> {
    /// An empty Add with `allow_partial` false; add objects with [`create`](Self::create).
    ///
    /// ```
    /// use usp_msg::{Add, Msg};
    ///
    /// let add = Add::new().create(
    ///     "Device.LocalAgent.Subscription.",
    ///     [
    ///         ("Enable", "true", true),
    ///         ("ID", "boot-1", true),
    ///         ("NotifType", "Event", true),
    ///         ("ReferenceList", "Device.Boot!", true),
    ///         ("Persistent", "true", false),
    ///     ],
    /// );
    /// let wire = Msg::request("add-1", add).encode_to_vec();
    /// # assert!(!wire.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// How failures are reported (specification section "Using Allow Partial and Required
    /// Parameters").
    ///
    /// * `false` (the default): the objects are created as a whole. If any creation fails
    ///   (because a required parameter failed, or the object cannot be created), nothing is
    ///   created and the Agent answers with an Error Message whose `param_errs` name the
    ///   failures (R-ADD.1, R-ADD.2a).
    /// * `true`: each object is created on its own; the AddResp reports `oper_success` or
    ///   `oper_failure` per object, the valid ones being created regardless (R-ADD.0).
    ///
    /// Either way a parameter that is not `required` may fail without failing its object;
    /// the success then lists it in `param_errs` (R-ADD.4). Unique keys count as required
    /// whatever their `required` flag says.
    #[must_use]
    pub fn allow_partial(mut self, allow_partial: bool) -> Self {
        self.allow_partial = allow_partial;
        self
    }

    /// Adds an instance to create in the table `obj_path` (such as
    /// `Device.LocalAgent.Subscription.`), with these initial values: `(name, value)`
    /// pairs, which are not required, `(name, value, required)` triples, or
    /// [`CreateParamSetting`]s.
    #[must_use]
    pub fn create<T: Into<CreateParamSetting<'a>>>(
        mut self,
        obj_path: impl Into<Cow<'a, str>>,
        params: impl IntoIterator<Item = T>,
    ) -> Self {
        self.create_objs.push(CreateObject::new(obj_path, params));
        self
    }
}

impl<'a> CreateObject<'a> {
    /// An instance to create with these initial values (see [`Add::create`]).
    pub fn new<T: Into<CreateParamSetting<'a>>>(
        obj_path: impl Into<Cow<'a, str>>,
        params: impl IntoIterator<Item = T>,
    ) -> Self {
        Self {
            obj_path: obj_path.into(),
            param_settings: params.into_iter().map(Into::into).collect(),
        }
    }
}

impl<'a> CreateParamSetting<'a> {
    /// An initial value, not required.
    pub fn new(param: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        Self {
            param: param.into(),
            value: value.into(),
            required: false,
        }
    }

    /// Whether the creation fails when this parameter cannot be set (R-ADD.3).
    #[must_use]
    pub fn required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }
}

/// `(param, value)`: an initial value that is not required.
impl<'a, K: Into<Cow<'a, str>>, V: Into<Cow<'a, str>>> From<(K, V)> for CreateParamSetting<'a> {
    fn from((param, value): (K, V)) -> Self {
        Self::new(param, value)
    }
}

/// `(param, value, required)`.
impl<'a, K: Into<Cow<'a, str>>, V: Into<Cow<'a, str>>> From<(K, V, bool)>
    for CreateParamSetting<'a>
{
    fn from((param, value, required): (K, V, bool)) -> Self {
        Self::new(param, value).required(required)
    }
}

impl<'a> AddResp<'a> {
    /// An empty AddResp. An Agent adds one result per object of the Add, in request order,
    /// with [`created_obj_result`](Self::created_obj_result).
    ///
    /// ```
    /// use usp_msg::response::add::CreatedObjectResult;
    /// use usp_msg::{AddResp, ErrorCode};
    ///
    /// let resp = AddResp::new()
    ///     .created_obj_result(
    ///         CreatedObjectResult::success("Device.LocalAgent.Subscription.", "Device.LocalAgent.Subscription.3.")
    ///             .unique_key("Alias", "cpe-3")
    ///             .unique_key("ID", "boot-1")
    ///             .param_err("Persistent", ErrorCode::PARAMETER_NOT_WRITABLE, "read-only"),
    ///     )
    ///     .created_obj_result(CreatedObjectResult::failure(
    ///         "Device.Nope.",
    ///         ErrorCode::OBJECT_NOT_CREATABLE,
    ///         "not a writable table",
    ///     ));
    ///
    /// // A Controller reads it back:
    /// for (path, result) in resp.results() {
    ///     match result {
    ///         Ok(ok) => println!("{path} -> {}", ok.instantiated_path),
    ///         Err(e) => println!("{path}: {} {}", e.err_code, e.err_msg),
    ///     }
    /// }
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

super::oper_status_response!(
    AddResp,
    created_obj_results,
    created_obj_result,
    CreatedObjectResult,
    "object of the Add",
    OperationFailure {
        err_code: ErrorCode::MESSAGE_FAILED,
        err_msg: Cow::Borrowed(MISSING_STATUS),
    }
);

impl<'a> CreatedObjectResult<'a> {
    /// The instance `instantiated_path` was created for `requested_path`; add its unique
    /// keys (R-ADD.5) with [`unique_key`](Self::unique_key) and the parameters that failed
    /// (R-ADD.4) with [`param_err`](Self::param_err).
    pub fn success(
        requested_path: impl Into<Cow<'a, str>>,
        instantiated_path: impl Into<Cow<'a, str>>,
    ) -> Self {
        let success = OperationSuccess {
            instantiated_path: instantiated_path.into(),
            param_errs: Vec::new(),
            unique_keys: Params::new(),
        };
        Self {
            requested_path: requested_path.into(),
            oper_status: Some(OperationStatus::OperSuccess(success)),
        }
    }

    /// No instance was created for `requested_path` (with `allow_partial` true).
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

    /// Adds a unique key of the new instance to a success; does nothing on a failure.
    #[must_use]
    pub fn unique_key(
        mut self,
        name: impl Into<Cow<'a, str>>,
        value: impl Into<Cow<'a, str>>,
    ) -> Self {
        if let Some(OperationStatus::OperSuccess(s)) = &mut self.oper_status {
            s.unique_keys.insert(name, value);
        }
        self
    }

    /// Adds unique keys of the new instance to a success; does nothing on a failure.
    #[must_use]
    pub fn unique_keys(
        mut self,
        keys: impl IntoIterator<Item = (impl Into<Cow<'a, str>>, impl Into<Cow<'a, str>>)>,
    ) -> Self {
        if let Some(OperationStatus::OperSuccess(s)) = &mut self.oper_status {
            s.unique_keys.extend(keys);
        }
        self
    }

    /// Adds a parameter that could not be set (one that is not required) to a success;
    /// does nothing on a failure.
    #[must_use]
    pub fn param_err(
        mut self,
        param: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        if let Some(OperationStatus::OperSuccess(s)) = &mut self.oper_status {
            s.param_errs
                .push(ParameterError::new(param, err_code, err_msg));
        }
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
