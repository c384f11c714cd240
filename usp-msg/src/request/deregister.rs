//! `Deregister`: a USP Service withdraws registered paths.
use std::borrow::Cow;

use crate::codec::message;

message! {
    /// `Deregister`: a USP Service withdraws paths it registered (specification section
    /// "Deregister", USP 1.3).
    pub struct Deregister<'a> {
        /// Paths to withdraw; an empty string withdraws all.
        1 => paths: Vec<Cow<'a, str>>,
    }
}
