//! `GetSupportedProtocolResp`.
use std::borrow::Cow;

use crate::codec::message;

message! {
    /// `GetSupportedProtocolResp`: the versions the Agent supports.
    pub struct GetSupportedProtocolResp<'a> {
        /// Comma-separated `Major.Minor` versions.
        1 => agent_supported_protocol_versions: Cow<'a, str>,
    }
}
