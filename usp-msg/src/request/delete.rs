//! `Delete`: delete object instances.
use std::borrow::Cow;

use crate::codec::message;

message! {
    /// `Delete`: removes object instances (specification section "Delete").
    pub struct Delete<'a> {
        /// Whether paths may succeed or fail independently.
        1 => allow_partial: bool,
        /// Instance paths (or wildcard/search paths) to delete.
        2 => obj_paths: Vec<Cow<'a, str>>,
    }
}
