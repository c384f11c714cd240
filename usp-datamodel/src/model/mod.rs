//! The data-model engine: a Supported Data Model described in code
//! ([`SupportedModel`](crate::SupportedModel)), an Instantiated Data Model behind the
//! [`Instances`](crate::Instances) trait, and the resolution of paths against both
//! ([`DataModel`](crate::DataModel)) in the shapes the USP messages need.

pub(crate) mod instances;
pub(crate) mod resolve;
pub(crate) mod schema;
pub(crate) mod value;

pub mod fixture;
