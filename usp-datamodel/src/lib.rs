//! User Services Platform (USP, TR-369) path names, search expressions and a data-model engine.
//!
//! **Status: placeholder.** This crate is reserved in the workspace and will be filled by its
//! own issue; it has no public API yet. See the workspace README for the crate map.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
