//! `GetInstances`: list object instances.
use std::borrow::Cow;

use crate::codec::message;

message! {
    /// `GetInstances`: lists the instances of multi-instance objects with their unique
    /// keys (specification section "GetInstances").
    pub struct GetInstances<'a> {
        /// Object paths.
        1 => obj_paths: Vec<Cow<'a, str>>,
        /// Return only the immediate child instances.
        2 => first_level_only: bool,
    }
}
