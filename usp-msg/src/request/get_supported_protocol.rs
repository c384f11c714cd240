//! `GetSupportedProtocol`.
use std::borrow::Cow;

use crate::codec::message;

message! {
    /// `GetSupportedProtocol`: a Controller tells the versions it supports and asks for
    /// the Agent's (specification section "GetSupportedProtocol").
    pub struct GetSupportedProtocol<'a> {
        /// Comma-separated `Major.Minor` versions.
        1 => controller_supported_protocol_versions: Cow<'a, str>,
    }
}
