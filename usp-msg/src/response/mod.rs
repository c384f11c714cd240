//! Response bodies and the Error Message, one module per response with its nested types
//! (named after the request they answer).

pub mod add;
pub mod delete;
pub mod deregister;
pub mod error;
pub mod get;
pub mod get_instances;
pub mod get_supported_dm;
pub mod get_supported_protocol;
pub mod notify;
pub mod operate;
pub mod register;
pub mod set;
