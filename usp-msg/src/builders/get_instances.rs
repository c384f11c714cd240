//! GetInstances and GetInstancesResp.

use std::borrow::Cow;

use usp_types::ErrorCode;

use super::strings;
use crate::response::get_instances::{CurrInstance, RequestedPathResult};
use crate::{GetInstances, GetInstancesResp, Params};

impl<'a> GetInstances<'a> {
    /// A GetInstances of these multi-instance object paths (or search paths), returning
    /// instances at every level below them.
    ///
    /// ```
    /// let req = usp_msg::GetInstances::new(["Device.LocalAgent.Subscription."]).first_level_only(true);
    /// assert!(req.first_level_only);
    /// ```
    pub fn new<I, S>(paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'a, str>>,
    {
        Self {
            obj_paths: strings(paths),
            first_level_only: false,
        }
    }

    /// Whether to return only the instances of the objects the paths name, not those of
    /// their sub-objects.
    #[must_use]
    pub fn first_level_only(mut self, first_level_only: bool) -> Self {
        self.first_level_only = first_level_only;
        self
    }
}

impl<'a> GetInstancesResp<'a> {
    /// An empty GetInstancesResp. An Agent adds one result per path of the request with
    /// [`path_result`](Self::path_result) or [`path_error`](Self::path_error).
    ///
    /// ```
    /// use usp_msg::response::get_instances::CurrInstance;
    /// use usp_msg::GetInstancesResp;
    ///
    /// let resp = GetInstancesResp::new().path_result(
    ///     "Device.LocalAgent.Subscription.",
    ///     [
    ///         CurrInstance::new("Device.LocalAgent.Subscription.1.", [("Alias", "cpe-1"), ("ID", "boot")]),
    ///         CurrInstance::new("Device.LocalAgent.Subscription.2.", [("Alias", "cpe-2"), ("ID", "vc")]),
    ///     ],
    /// );
    /// let paths: Vec<&str> = resp.instances().map(|i| &*i.instantiated_obj_path).collect();
    /// assert_eq!(paths, ["Device.LocalAgent.Subscription.1.", "Device.LocalAgent.Subscription.2."]);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the result of a requested path with the instances found.
    #[must_use]
    pub fn path_result(
        mut self,
        requested_path: impl Into<Cow<'a, str>>,
        instances: impl IntoIterator<Item = CurrInstance<'a>>,
    ) -> Self {
        self.req_path_results
            .push(RequestedPathResult::success(requested_path, instances));
        self
    }

    /// Adds the failure of a requested path, for example 7018 *Object is not a table*.
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

    /// Every instance of every successful requested path.
    pub fn instances(&self) -> impl Iterator<Item = &CurrInstance<'a>> + '_ {
        self.req_path_results
            .iter()
            .filter(|r| r.err_code.get() == 0)
            .flat_map(|r| r.curr_insts.iter())
    }

    /// Each requested path with its outcome: the instances found, or its error.
    pub fn results(
        &self,
    ) -> impl Iterator<Item = (&str, Result<&[CurrInstance<'a>], (ErrorCode, &str)>)> + '_ {
        self.req_path_results
            .iter()
            .map(|r| (&*r.requested_path, r.result()))
    }
}

impl<'a> FromIterator<RequestedPathResult<'a>> for GetInstancesResp<'a> {
    fn from_iter<I: IntoIterator<Item = RequestedPathResult<'a>>>(iter: I) -> Self {
        Self {
            req_path_results: iter.into_iter().collect(),
        }
    }
}

impl<'a> RequestedPathResult<'a> {
    /// A requested path with the instances found (none is a success too).
    pub fn success(
        requested_path: impl Into<Cow<'a, str>>,
        instances: impl IntoIterator<Item = CurrInstance<'a>>,
    ) -> Self {
        Self {
            requested_path: requested_path.into(),
            curr_insts: instances.into_iter().collect(),
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

    /// The instances, or the error when `err_code` is not 0.
    pub fn result(&self) -> Result<&[CurrInstance<'a>], (ErrorCode, &str)> {
        if self.err_code.get() == 0 {
            Ok(&self.curr_insts)
        } else {
            Err((self.err_code, &self.err_msg))
        }
    }
}

impl<'a> CurrInstance<'a> {
    /// An instance with its unique keys (R-GIN.1: only those the Controller may read).
    pub fn new(
        instantiated_obj_path: impl Into<Cow<'a, str>>,
        unique_keys: impl IntoIterator<Item = (impl Into<Cow<'a, str>>, impl Into<Cow<'a, str>>)>,
    ) -> Self {
        Self {
            instantiated_obj_path: instantiated_obj_path.into(),
            unique_keys: unique_keys.into_iter().collect::<Params<'a>>(),
        }
    }
}
