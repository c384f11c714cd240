//! `GetSupportedDMResp`.
use std::borrow::Cow;

use usp_types::ErrorCode;

use crate::codec::message;

use crate::{CmdType, ObjAccessType, ParamAccessType, ParamValueType, ValueChangeType};

message! {
    /// `GetSupportedDMResp`: the supported data model below each requested path.
    pub struct GetSupportedDmResp<'a> {
        /// One result per requested path.
        1 => req_obj_results: Vec<RequestedObjectResult<'a>>,
    }
}

message! {
    /// The outcome for one requested object path.
    pub struct RequestedObjectResult<'a> {
        /// The path as requested.
        1 => req_obj_path: Cow<'a, str>,
        /// 0 on success, else the error.
        2 => err_code: ErrorCode,
        /// Description of the error.
        3 => err_msg: Cow<'a, str>,
        /// URI of the data model the Agent implements at this path.
        4 => data_model_inst_uri: Cow<'a, str>,
        /// The supported objects.
        5 => supported_objs: Vec<SupportedObjectResult<'a>>,
    }
}

message! {
    /// One supported object.
    pub struct SupportedObjectResult<'a> {
        /// Supported data model path, with `{i}` for instance numbers.
        1 => supported_obj_path: Cow<'a, str>,
        /// Whether instances can be added or deleted.
        2 => access: ObjAccessType,
        /// Whether this is a multi-instance object (a table).
        3 => is_multi_instance: bool,
        /// Supported commands.
        4 => supported_commands: Vec<SupportedCommandResult<'a>>,
        /// Supported events.
        5 => supported_events: Vec<SupportedEventResult<'a>>,
        /// Supported parameters.
        6 => supported_params: Vec<SupportedParamResult<'a>>,
        /// Sub-paths whose supported data model differs between instances.
        7 => divergent_paths: Vec<Cow<'a, str>>,
        /// Unique key sets of a table.
        8 => unique_key_sets: Vec<SupportedUniqueKeySet<'a>>,
    }
}

message! {
    /// One supported parameter.
    pub struct SupportedParamResult<'a> {
        /// Parameter name.
        1 => param_name: Cow<'a, str>,
        /// Read/write access.
        2 => access: ParamAccessType,
        /// Its type.
        3 => value_type: ParamValueType,
        /// Whether ValueChange notifications are honoured.
        4 => value_change: ValueChangeType,
    }
}

message! {
    /// One supported command.
    pub struct SupportedCommandResult<'a> {
        /// Command name, ending in `()`.
        1 => command_name: Cow<'a, str>,
        /// Input argument names.
        2 => input_arg_names: Vec<Cow<'a, str>>,
        /// Output argument names.
        3 => output_arg_names: Vec<Cow<'a, str>>,
        /// Synchronous or asynchronous.
        4 => command_type: CmdType,
    }
}

message! {
    /// One supported event.
    pub struct SupportedEventResult<'a> {
        /// Event name, ending in `!`.
        1 => event_name: Cow<'a, str>,
        /// Argument names.
        2 => arg_names: Vec<Cow<'a, str>>,
    }
}

message! {
    /// One unique key set of a table.
    pub struct SupportedUniqueKeySet<'a> {
        /// Parameter names that together identify an instance.
        1 => key_names: Vec<Cow<'a, str>>,
    }
}
