//! `Register`: a USP Service registers data model paths.
use std::borrow::Cow;

use crate::codec::message;

message! {
    /// `Register`: a USP Service tells a USP Broker which data model paths it serves
    /// (specification section "Register", USP 1.3).
    pub struct Register<'a> {
        /// Whether paths may succeed or fail independently.
        1 => allow_partial: bool,
        /// Paths to register.
        2 => reg_paths: Vec<RegistrationPath<'a>>,
    }
}

message! {
    /// One path to register.
    pub struct RegistrationPath<'a> {
        /// Object path.
        1 => path: Cow<'a, str>,
    }
}
