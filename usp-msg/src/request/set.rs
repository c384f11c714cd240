//! `Set`: write parameter values.
use std::borrow::Cow;

use crate::codec::message;

message! {
    /// `Set`: updates parameters of existing objects (specification section "Set").
    ///
    /// With `allow_partial` false, any failure fails the whole request with an Error
    /// Message and nothing changes; with true, each object succeeds or fails on its own and
    /// the SetResp reports each. Build one with [`Set::new`] and [`Set::update`]; see
    /// [`Set::allow_partial`] for the details and the role of `required` parameters.
    pub struct Set<'a> {
        /// Whether objects may succeed or fail independently.
        1 => allow_partial: bool,
        /// The objects to update.
        2 => update_objs: Vec<UpdateObject<'a>>,
    }
}

message! {
    /// One object (or set of objects, through a wildcard or search path) to update.
    pub struct UpdateObject<'a> {
        /// Object path.
        1 => obj_path: Cow<'a, str>,
        /// Parameters to set, relative to the object.
        2 => param_settings: Vec<UpdateParamSetting<'a>>,
    }
}

message! {
    /// One parameter to set.
    pub struct UpdateParamSetting<'a> {
        /// Parameter name relative to the object.
        1 => param: Cow<'a, str>,
        /// New value.
        2 => value: Cow<'a, str>,
        /// Whether the object fails when this parameter cannot be set.
        3 => required: bool,
    }
}
