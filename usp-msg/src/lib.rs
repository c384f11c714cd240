//! Typed User Services Platform (USP, TR-369) Messages: every request, response, Notify and Error, with builders.
//!
//! **Status: placeholder.** This crate is reserved in the workspace and will be filled by its
//! own issue; it has no public API yet. See the workspace README for the crate map.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
