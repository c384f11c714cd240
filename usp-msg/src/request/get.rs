//! `Get`: read parameter values.
use std::borrow::Cow;

use crate::codec::message;

message! {
    /// `Get`: reads the values of parameters, addressed by object, parameter, wildcard
    /// or search paths (specification section "Get").
    pub struct Get<'a> {
        /// Paths to read.
        1 => param_paths: Vec<Cow<'a, str>>,
        /// How many object levels below each path to return; 0 means all.
        2 => max_depth: u32,
    }
}
