//! `Add`: create object instances.
use std::borrow::Cow;

use crate::codec::message;

message! {
    /// `Add`: creates instances of multi-instance objects (specification section "Add").
    ///
    /// With `allow_partial` false, any failure fails the whole request with an Error
    /// Message and nothing is created; with true, each object succeeds or fails on its own
    /// and the AddResp reports each. Build one with [`Add::new`] and [`Add::create`]; see
    /// [`Add::allow_partial`] for the details and the role of `required` parameters.
    pub struct Add<'a> {
        /// Whether objects may succeed or fail independently.
        1 => allow_partial: bool,
        /// The objects to create.
        2 => create_objs: Vec<CreateObject<'a>>,
    }
}

message! {
    /// One instance to create.
    pub struct CreateObject<'a> {
        /// Path of the multi-instance object (a table), for example
        /// `Device.LocalAgent.Subscription.`.
        1 => obj_path: Cow<'a, str>,
        /// Initial parameter values.
        2 => param_settings: Vec<CreateParamSetting<'a>>,
    }
}

message! {
    /// One initial parameter value.
    pub struct CreateParamSetting<'a> {
        /// Parameter name relative to the object.
        1 => param: Cow<'a, str>,
        /// Value.
        2 => value: Cow<'a, str>,
        /// Whether creation fails when this parameter cannot be set.
        3 => required: bool,
    }
}
