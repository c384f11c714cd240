//! `Delete`: delete object instances.
use std::borrow::Cow;

use crate::codec::message;

message! {
    /// `Delete`: removes object instances (specification section "Delete").
    ///
    /// With `allow_partial` false, any path that fails fails the whole request with an
    /// Error Message and nothing is deleted; with true, each path succeeds or fails on its
    /// own and the DeleteResp reports each, with the instances that could not be deleted.
    /// Build one with [`Delete::new`]; see [`Delete::allow_partial`] for the details.
    pub struct Delete<'a> {
        /// Whether paths may succeed or fail independently.
        1 => allow_partial: bool,
        /// Instance paths (or wildcard/search paths) to delete.
        2 => obj_paths: Vec<Cow<'a, str>>,
    }
}
