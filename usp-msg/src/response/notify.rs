//! `NotifyResp`.
use std::borrow::Cow;

use crate::codec::message;

message! {
    /// `NotifyResp`: acknowledges a Notify sent with `send_resp`.
    pub struct NotifyResp<'a> {
        /// The Notify's `subscription_id`.
        1 => subscription_id: Cow<'a, str>,
    }
}
