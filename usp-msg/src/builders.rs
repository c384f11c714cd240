//! Constructors and chainable setters for the common cases, and reading helpers.

use std::borrow::Cow;

use crate::{Get, GetResp};

impl<'a> Get<'a> {
    /// A Get of these paths, all levels below them.
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
            param_paths: paths.into_iter().map(Into::into).collect(),
            max_depth: 0,
        }
    }

    /// Limits how many object levels below each path are returned (0: all).
    #[must_use]
    pub fn max_depth(mut self, max_depth: u32) -> Self {
        self.max_depth = max_depth;
        self
    }
}

impl<'a> GetResp<'a> {
    /// Every parameter of every successfully resolved object, as full paths with values:
    /// `("Device.DeviceInfo.SoftwareVersion", "1.0")`.
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
}
