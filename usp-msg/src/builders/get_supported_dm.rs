//! GetSupportedDM and GetSupportedDMResp.

use std::borrow::Cow;

use usp_types::ErrorCode;

use super::strings;
use crate::response::get_supported_dm::{
    RequestedObjectResult, SupportedCommandResult, SupportedEventResult, SupportedObjectResult,
    SupportedParamResult, SupportedUniqueKeySet,
};
use crate::{
    CmdType, GetSupportedDm, GetSupportedDmResp, ObjAccessType, ParamAccessType, ParamValueType,
    ValueChangeType,
};

impl<'a> GetSupportedDm<'a> {
    /// A GetSupportedDM of these paths asking for everything: parameters, commands, events
    /// and unique key sets of every object below them.
    ///
    /// Unlike [`Default`], which leaves every flag false, this sets the four `return_*`
    /// flags; turn off what is not wanted with the setters.
    ///
    /// ```
    /// let req = usp_msg::GetSupportedDm::new(["Device.WiFi."])
    ///     .first_level_only(true)
    ///     .return_events(false);
    /// assert!(req.return_params && req.return_commands && !req.return_events);
    /// ```
    pub fn new<I, S>(paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'a, str>>,
    {
        Self {
            obj_paths: strings(paths),
            first_level_only: false,
            return_commands: true,
            return_events: true,
            return_params: true,
            return_unique_key_sets: true,
        }
    }

    /// Whether to report only the objects the paths name and their immediate child objects
    /// (whose commands, events and parameters are then left out).
    #[must_use]
    pub fn first_level_only(mut self, first_level_only: bool) -> Self {
        self.first_level_only = first_level_only;
        self
    }

    /// Whether to report the objects' commands.
    #[must_use]
    pub fn return_commands(mut self, return_commands: bool) -> Self {
        self.return_commands = return_commands;
        self
    }

    /// Whether to report the objects' events.
    #[must_use]
    pub fn return_events(mut self, return_events: bool) -> Self {
        self.return_events = return_events;
        self
    }

    /// Whether to report the objects' parameters.
    #[must_use]
    pub fn return_params(mut self, return_params: bool) -> Self {
        self.return_params = return_params;
        self
    }

    /// Whether to report the unique key sets of tables (USP 1.3).
    #[must_use]
    pub fn return_unique_key_sets(mut self, return_unique_key_sets: bool) -> Self {
        self.return_unique_key_sets = return_unique_key_sets;
        self
    }
}

impl<'a> GetSupportedDmResp<'a> {
    /// An empty GetSupportedDMResp. An Agent adds one result per path of the request with
    /// [`req_obj_result`](Self::req_obj_result).
    ///
    /// ```
    /// use usp_msg::response::get_supported_dm::{
    ///     RequestedObjectResult, SupportedCommandResult, SupportedObjectResult, SupportedParamResult,
    /// };
    /// use usp_msg::{CmdType, GetSupportedDmResp, ObjAccessType, ParamAccessType, ParamValueType};
    ///
    /// let ssid = SupportedObjectResult::new("Device.WiFi.SSID.{i}.")
    ///     .access(ObjAccessType::OBJ_ADD_DELETE)
    ///     .multi_instance(true)
    ///     .param(SupportedParamResult::new("SSID", ParamAccessType::PARAM_READ_WRITE, ParamValueType::PARAM_STRING))
    ///     .command(SupportedCommandResult::new("Reset()", CmdType::CMD_SYNC))
    ///     .unique_key_set(["Name"]);
    /// let resp = GetSupportedDmResp::new().req_obj_result(
    ///     RequestedObjectResult::new("Device.WiFi.SSID.")
    ///         .data_model_inst_uri("urn:broadband-forum-org:tr-181-2-17-0-usp")
    ///         .supported_obj(ssid),
    /// );
    /// assert_eq!(resp.objects().count(), 1);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the result of one requested path.
    #[must_use]
    pub fn req_obj_result(mut self, result: RequestedObjectResult<'a>) -> Self {
        self.req_obj_results.push(result);
        self
    }

    /// Every supported object of every successful requested path.
    pub fn objects(&self) -> impl Iterator<Item = &SupportedObjectResult<'a>> + '_ {
        self.req_obj_results
            .iter()
            .filter(|r| r.err_code.get() == 0)
            .flat_map(|r| r.supported_objs.iter())
    }

    /// Each requested path with its outcome: the supported objects, or its error.
    pub fn results(
        &self,
    ) -> impl Iterator<
        Item = (
            &str,
            Result<&[SupportedObjectResult<'a>], (ErrorCode, &str)>,
        ),
    > + '_ {
        self.req_obj_results
            .iter()
            .map(|r| (&*r.req_obj_path, r.result()))
    }
}

impl<'a> FromIterator<RequestedObjectResult<'a>> for GetSupportedDmResp<'a> {
    fn from_iter<I: IntoIterator<Item = RequestedObjectResult<'a>>>(iter: I) -> Self {
        Self {
            req_obj_results: iter.into_iter().collect(),
        }
    }
}

impl<'a> RequestedObjectResult<'a> {
    /// A successful requested path, without objects yet; add them with
    /// [`supported_obj`](Self::supported_obj).
    pub fn new(req_obj_path: impl Into<Cow<'a, str>>) -> Self {
        Self {
            req_obj_path: req_obj_path.into(),
            ..Self::default()
        }
    }

    /// A requested path that failed, for example 7026 *Invalid path* (in the supported data
    /// model).
    pub fn failure(
        req_obj_path: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        Self {
            req_obj_path: req_obj_path.into(),
            err_code,
            err_msg: err_msg.into(),
            ..Self::default()
        }
    }

    /// Sets the URI of the data model the Agent implements at this path.
    #[must_use]
    pub fn data_model_inst_uri(mut self, uri: impl Into<Cow<'a, str>>) -> Self {
        self.data_model_inst_uri = uri.into();
        self
    }

    /// Adds a supported object.
    #[must_use]
    pub fn supported_obj(mut self, object: SupportedObjectResult<'a>) -> Self {
        self.supported_objs.push(object);
        self
    }

    /// The supported objects, or the error when `err_code` is not 0.
    pub fn result(&self) -> Result<&[SupportedObjectResult<'a>], (ErrorCode, &str)> {
        if self.err_code.get() == 0 {
            Ok(&self.supported_objs)
        } else {
            Err((self.err_code, &self.err_msg))
        }
    }
}

impl<'a> SupportedObjectResult<'a> {
    /// A supported object, by its path in supported data model notation
    /// (`Device.WiFi.SSID.{i}.`): read-only, single-instance, with nothing in it yet.
    pub fn new(supported_obj_path: impl Into<Cow<'a, str>>) -> Self {
        Self {
            supported_obj_path: supported_obj_path.into(),
            ..Self::default()
        }
    }

    /// Sets whether instances can be added or deleted.
    #[must_use]
    pub fn access(mut self, access: ObjAccessType) -> Self {
        self.access = access;
        self
    }

    /// Sets whether the object is a multi-instance object (a table).
    #[must_use]
    pub fn multi_instance(mut self, is_multi_instance: bool) -> Self {
        self.is_multi_instance = is_multi_instance;
        self
    }

    /// Adds a supported parameter.
    #[must_use]
    pub fn param(mut self, param: SupportedParamResult<'a>) -> Self {
        self.supported_params.push(param);
        self
    }

    /// Adds a supported command.
    #[must_use]
    pub fn command(mut self, command: SupportedCommandResult<'a>) -> Self {
        self.supported_commands.push(command);
        self
    }

    /// Adds a supported event.
    #[must_use]
    pub fn event(mut self, event: SupportedEventResult<'a>) -> Self {
        self.supported_events.push(event);
        self
    }

    /// Adds a unique key set: parameter names that together identify an instance.
    #[must_use]
    pub fn unique_key_set<S: Into<Cow<'a, str>>>(
        mut self,
        key_names: impl IntoIterator<Item = S>,
    ) -> Self {
        self.unique_key_sets
            .push(SupportedUniqueKeySet::new(key_names));
        self
    }

    /// Adds a divergent path: an object instance whose supported data model differs from
    /// the others' and must be asked for on its own.
    #[must_use]
    pub fn divergent_path(mut self, path: impl Into<Cow<'a, str>>) -> Self {
        self.divergent_paths.push(path.into());
        self
    }
}

impl<'a> SupportedParamResult<'a> {
    /// A supported parameter with its access and type; its ValueChange support is
    /// `VALUE_CHANGE_UNKNOWN` until [`value_change`](Self::value_change) sets it.
    pub fn new(
        param_name: impl Into<Cow<'a, str>>,
        access: ParamAccessType,
        value_type: ParamValueType,
    ) -> Self {
        Self {
            param_name: param_name.into(),
            access,
            value_type,
            value_change: ValueChangeType::VALUE_CHANGE_UNKNOWN,
        }
    }

    /// Sets whether ValueChange notifications are honoured for the parameter.
    #[must_use]
    pub fn value_change(mut self, value_change: ValueChangeType) -> Self {
        self.value_change = value_change;
        self
    }
}

impl<'a> SupportedCommandResult<'a> {
    /// A supported command (its name ends in `()`), synchronous or asynchronous.
    pub fn new(command_name: impl Into<Cow<'a, str>>, command_type: CmdType) -> Self {
        Self {
            command_name: command_name.into(),
            command_type,
            ..Self::default()
        }
    }

    /// Sets the input argument names.
    #[must_use]
    pub fn input_args<S: Into<Cow<'a, str>>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.input_arg_names = strings(names);
        self
    }

    /// Sets the output argument names.
    #[must_use]
    pub fn output_args<S: Into<Cow<'a, str>>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        self.output_arg_names = strings(names);
        self
    }
}

impl<'a> SupportedEventResult<'a> {
    /// A supported event (its name ends in `!`), without arguments until
    /// [`args`](Self::args) sets them.
    pub fn new(event_name: impl Into<Cow<'a, str>>) -> Self {
        Self {
            event_name: event_name.into(),
            arg_names: Vec::new(),
        }
    }

    /// Sets the argument names.
    #[must_use]
    pub fn args<S: Into<Cow<'a, str>>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.arg_names = strings(names);
        self
    }
}

impl<'a> SupportedUniqueKeySet<'a> {
    /// A unique key set: parameter names that together identify an instance.
    pub fn new<S: Into<Cow<'a, str>>>(key_names: impl IntoIterator<Item = S>) -> Self {
        Self {
            key_names: strings(key_names),
        }
    }
}
