//! `GetSupportedDM`: read the supported data model.
use std::borrow::Cow;

use crate::codec::message;

message! {
    /// `GetSupportedDM`: asks which objects, parameters, commands and events an Agent
    /// supports below some paths (specification section "GetSupportedDM").
    pub struct GetSupportedDm<'a> {
        /// Object paths (supported data model paths, with `{i}` for instances).
        1 => obj_paths: Vec<Cow<'a, str>>,
        /// Return only the objects' immediate children.
        2 => first_level_only: bool,
        /// Include commands.
        3 => return_commands: bool,
        /// Include events.
        4 => return_events: bool,
        /// Include parameters.
        5 => return_params: bool,
        /// Include unique key sets (USP 1.3).
        6 => return_unique_key_sets: bool,
    }
}
