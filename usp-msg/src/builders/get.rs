//! Get and GetResp.

use std::borrow::Cow;

use usp_types::ErrorCode;

use super::strings;
use crate::response::get::{RequestedPathResult, ResolvedPathResult};
use crate::{Get, GetResp, Params};

impl<'a> Get<'a> {
    /// A Get of these paths (object, parameter, wildcard or search paths), all levels below
    /// them.
    ///
    /// ```
    /// let get = usp_msg::Get::new(["Device.DeviceInfo.", "Device.LocalAgent.EndpointID"]).max_depth(2);
    /// assert_eq!(get.param_paths.len(), 2);
    /// ```
    pub fn new<I, S>(paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'a, str>>,
    {
        Self {
            param_paths: strings(paths),
            max_depth: 0,
        }
    }

    /// Limits how many object levels below each path are returned; 0, the default, returns
    /// the whole tree (R-GET.5).
    #[must_use]
    pub fn max_depth(mut self, max_depth: u32) -> Self {
        self.max_depth = max_depth;
        self
    }
}

impl<'a> GetResp<'a> {
    /// An empty GetResp. An Agent adds one result per path of the Get, in request order,
    /// with [`path_result`](Self::path_result) or [`path_error`](Self::path_error).
    ///
    /// ```
    /// use usp_msg::response::get::ResolvedPathResult;
    /// use usp_msg::{ErrorCode, GetResp};
    ///
    /// let resp = GetResp::new()
    ///     .path_result(
    ///         "Device.DeviceInfo.",
    ///         [ResolvedPathResult::new("Device.DeviceInfo.", [("SoftwareVersion", "1.0")])],
    ///     )
    ///     .path_error("Device.Nope.", ErrorCode::INVALID_PATH, "no such object");
    /// assert_eq!(resp.value("Device.DeviceInfo.SoftwareVersion"), Some("1.0"));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the result of a requested path that resolved to these objects (none for a
    /// search path that matched nothing, R-GET.1a).
    #[must_use]
    pub fn path_result(
        mut self,
        requested_path: impl Into<Cow<'a, str>>,
        resolved: impl IntoIterator<Item = ResolvedPathResult<'a>>,
    ) -> Self {
        self.req_path_results
            .push(RequestedPathResult::success(requested_path, resolved));
        self
    }

    /// Adds the failure of a requested path, for example 7026 *Invalid path* (R-GET.0).
    #[must_use]
    pub fn path_error(
        mut self,
        requested_path: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        self.req_path_results.push(RequestedPathResult::failure(
            requested_path,
            err_code,
            err_msg,
        ));
        self
    }

    /// Every parameter of every successfully resolved object, as full paths with values:
    /// `("Device.DeviceInfo.SoftwareVersion", "1.0")`.
    ///
    /// ```
    /// # let wire = usp_msg::__doc_get_resp();
    /// let msg = usp_msg::Msg::decode(&wire)?;
    /// if let Some(usp_msg::Response::GetResp(resp)) = msg.as_response() {
    ///     let all: Vec<_> = resp.params().collect();
    ///     assert_eq!(all, [("Device.DeviceInfo.SoftwareVersion".to_string(), "1.0")]);
    /// }
    /// # Ok::<(), usp_msg::DecodeError>(())
    /// ```
    pub fn params(&self) -> impl Iterator<Item = (String, &str)> + '_ {
        self.req_path_results
            .iter()
            .flat_map(|r| r.resolved_path_results.iter())
            .flat_map(|o| {
                o.result_params
                    .iter()
                    .map(move |(name, value)| (format!("{}{name}", o.resolved_path), value))
            })
    }

    /// The value of the parameter with this full path, if some resolved object holds it.
    pub fn value(&self, path: &str) -> Option<&str> {
        self.req_path_results
            .iter()
            .flat_map(|r| r.resolved_path_results.iter())
            .find_map(|o| {
                let name = path.strip_prefix(&*o.resolved_path)?;
                o.result_params.get(name)
            })
    }

    /// Each requested path with its outcome: the objects it resolved to, or its error.
    ///
    /// ```
    /// use usp_msg::{ErrorCode, GetResp};
    ///
    /// let resp = GetResp::new().path_error("Device.Nope.", ErrorCode::INVALID_PATH, "no such object");
    /// for (path, result) in resp.results() {
    ///     match result {
    ///         Ok(objects) => println!("{path}: {} objects", objects.len()),
    ///         Err((code, msg)) => println!("{path} failed: {code} {msg}"),
    ///     }
    /// }
    /// ```
    pub fn results(
        &self,
    ) -> impl Iterator<Item = (&str, Result<&[ResolvedPathResult<'a>], (ErrorCode, &str)>)> + '_
    {
        self.req_path_results
            .iter()
            .map(|r| (&*r.requested_path, r.result()))
    }
}

impl<'a> FromIterator<RequestedPathResult<'a>> for GetResp<'a> {
    fn from_iter<I: IntoIterator<Item = RequestedPathResult<'a>>>(iter: I) -> Self {
        Self {
            req_path_results: iter.into_iter().collect(),
        }
    }
}

impl<'a> RequestedPathResult<'a> {
    /// A requested path that resolved to these objects.
    pub fn success(
        requested_path: impl Into<Cow<'a, str>>,
        resolved: impl IntoIterator<Item = ResolvedPathResult<'a>>,
    ) -> Self {
        Self {
            requested_path: requested_path.into(),
            resolved_path_results: resolved.into_iter().collect(),
            ..Self::default()
        }
    }

    /// A requested path that failed.
    pub fn failure(
        requested_path: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        Self {
            requested_path: requested_path.into(),
            err_code,
            err_msg: err_msg.into(),
            ..Self::default()
        }
    }

    /// The resolved objects, or the error when `err_code` is not 0.
    pub fn result(&self) -> Result<&[ResolvedPathResult<'a>], (ErrorCode, &str)> {
        if self.err_code.get() == 0 {
            Ok(&self.resolved_path_results)
        } else {
            Err((self.err_code, &self.err_msg))
        }
    }
}

impl<'a> ResolvedPathResult<'a> {
    /// An object with parameter values, named relative to `resolved_path`.
    ///
    /// ```
    /// use usp_msg::response::get::ResolvedPathResult;
    ///
    /// let obj = ResolvedPathResult::new("Device.LocalAgent.", [("EndpointID", "os::00256D-1")])
    ///     .param("SoftwareVersion", "1.0");
    /// assert_eq!(obj.result_params.len(), 2);
    /// ```
    pub fn new(
        resolved_path: impl Into<Cow<'a, str>>,
        params: impl IntoIterator<Item = (impl Into<Cow<'a, str>>, impl Into<Cow<'a, str>>)>,
    ) -> Self {
        Self {
            resolved_path: resolved_path.into(),
            result_params: params.into_iter().collect::<Params<'a>>(),
        }
    }

    /// Adds (or replaces) one parameter value.
    #[must_use]
    pub fn param(mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        self.result_params.insert(name, value);
        self
    }
}
