//! Request bodies, one module per request with its nested types.

pub mod add;
pub mod delete;
pub mod deregister;
pub mod get;
pub mod get_instances;
pub mod get_supported_dm;
pub mod get_supported_protocol;
pub mod notify;
pub mod operate;
pub mod register;
pub mod set;
