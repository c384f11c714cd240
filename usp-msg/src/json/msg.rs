//! The JSON form of `Msg` and of every message of `usp-msg.proto`.

use std::borrow::Cow;

use serde_json::Value;

use super::JsonOptions;
use super::error::{JsonError, JsonErrorKind, Path};
use super::schema::{
    FromJson, OneofToJson, ToJson, json_message, json_oneof, oneof_object, read_oneof,
};
use super::value::{self, Out};
use crate::{Body, Msg, MsgType, Request, Response};

pub(crate) fn msg_to_out<'s>(msg: &'s Msg<'_>, o: &JsonOptions) -> Out<'s> {
    let mut header = Vec::new();
    if !msg.msg_id().is_empty() {
        let msg_id = Out::Str(Cow::Borrowed(msg.msg_id()));
        header.push((value::key("msg_id", o), msg_id));
    }
    let msg_type = msg.header_msg_type();
    if !msg_type.is_default() {
        let value = match msg_type.name() {
            Some(name) => Out::Str(Cow::Borrowed(name)),
            None => Out::I64(i64::from(msg_type.as_i32())),
        };
        header.push((value::key("msg_type", o), value));
    }
    Out::Obj(vec![
        (value::key("header", o), Out::Obj(header)),
        (value::key("body", o), oneof_object(msg.body(), o)),
    ])
}

pub(crate) fn msg_from_json(v: &Value, o: &JsonOptions) -> Result<Msg<'static>, JsonError> {
    let root = Path::Root;
    let (mut header, mut body) = (None, None);
    for (index, key, value) in value::fields(v, &root, o, "usp.Msg", &["header", "body"], None)? {
        let path = root.key(key);
        if index == 0 {
            header = Some(read_header(value, &path, o)?);
        } else {
            body = Some(match read_oneof::<Body<'static>>(value, &path, o)? {
                Some(body) => body,
                None => return Err(path.err(JsonErrorKind::MissingOneof("msg_body"))),
            });
        }
    }
    let Some((msg_id, msg_type)) = header else {
        return Err(root.key("header").err(JsonErrorKind::MissingField));
    };
    let Some(body) = body else {
        return Err(root.key("body").err(JsonErrorKind::MissingField));
    };
    Ok(Msg::new(msg_id, body).with_header_msg_type(msg_type))
}

fn read_header(
    v: &Value,
    path: &Path<'_>,
    o: &JsonOptions,
) -> Result<(String, MsgType), JsonError> {
    let (mut msg_id, mut msg_type) = (String::new(), MsgType::default());
    for (index, key, value) in
        value::fields(v, path, o, "usp.Header", &["msg_id", "msg_type"], None)?
    {
        let path = path.key(key);
        if index == 0 {
            msg_id = value::read_str(value, &path)?;
        } else {
            msg_type = MsgType::from_json(value, &path, o)?;
        }
    }
    if msg_id.is_empty() {
        return Err(path.key("msg_id").err(JsonErrorKind::MissingField));
    }
    Ok((msg_id, msg_type))
}

json_oneof! {
    Body = ("usp.Body", "msg_body") {
        request => Request,
        response => Response,
        error => Error,
    }
}

json_oneof! {
    Request = ("usp.Request", "req_type") {
        get => Get,
        get_supported_dm => GetSupportedDm,
        get_instances => GetInstances,
        set => Set,
        add => Add,
        delete => Delete,
        operate => Operate,
        notify => Notify,
        get_supported_protocol => GetSupportedProtocol,
        register => Register,
        deregister => Deregister,
    }
}

json_oneof! {
    Response = ("usp.Response", "resp_type") {
        get_resp => GetResp,
        get_supported_dm_resp => GetSupportedDmResp,
        get_instances_resp => GetInstancesResp,
        set_resp => SetResp,
        add_resp => AddResp,
        delete_resp => DeleteResp,
        operate_resp => OperateResp,
        notify_resp => NotifyResp,
        get_supported_protocol_resp => GetSupportedProtocolResp,
        register_resp => RegisterResp,
        deregister_resp => DeregisterResp,
    }
}

/// `Request` and `Response`: messages holding only their oneof, which must be set.
macro_rules! required_oneof {
    ($($ty:ident = $oneof:literal,)*) => {$(
        impl ToJson for $ty<'_> {
            fn is_default(&self) -> bool {
                false
            }
            fn to_json(&self, o: &JsonOptions) -> Out<'_> {
                let (name, value) = self.member(o);
                Out::Obj(vec![(value::key(name, o), value)])
            }
        }

        impl FromJson for $ty<'static> {
            fn from_json(v: &Value, path: &Path<'_>, o: &JsonOptions) -> Result<Self, JsonError> {
                read_oneof(v, path, o)?.ok_or_else(|| path.err(JsonErrorKind::MissingOneof($oneof)))
            }
        }
    )*};
}

required_oneof! {
    Request = "req_type",
    Response = "resp_type",
}

mod error {
    use super::*;
    use crate::response::error::*;
    json_message!(UspError = "usp.Error" { err_code, err_msg, param_errs });
    json_message!(ParamError = "usp.Error.ParamError" { param_path, err_code, err_msg });
}

mod get {
    use super::*;
    use crate::request::get::*;
    json_message!(Get = "usp.Get" { param_paths, max_depth });
}

mod get_resp {
    use super::*;
    use crate::response::get::*;
    json_message!(GetResp = "usp.GetResp" { req_path_results });
    json_message!(RequestedPathResult = "usp.GetResp.RequestedPathResult" {
        requested_path, err_code, err_msg, resolved_path_results
    });
    json_message!(ResolvedPathResult = "usp.GetResp.ResolvedPathResult" {
        resolved_path, result_params
    });
}

mod get_supported_dm {
    use super::*;
    use crate::request::get_supported_dm::*;
    json_message!(GetSupportedDm = "usp.GetSupportedDM" {
        obj_paths, first_level_only, return_commands, return_events, return_params,
        return_unique_key_sets
    });
}

mod get_supported_dm_resp {
    use super::*;
    use crate::response::get_supported_dm::*;
    json_message!(GetSupportedDmResp = "usp.GetSupportedDMResp" { req_obj_results });
    json_message!(RequestedObjectResult = "usp.GetSupportedDMResp.RequestedObjectResult" {
        req_obj_path, err_code, err_msg, data_model_inst_uri, supported_objs
    });
    json_message!(SupportedObjectResult = "usp.GetSupportedDMResp.SupportedObjectResult" {
        supported_obj_path, access, is_multi_instance, supported_commands, supported_events,
        supported_params, divergent_paths, unique_key_sets
    });
    json_message!(SupportedParamResult = "usp.GetSupportedDMResp.SupportedParamResult" {
        param_name, access, value_type, value_change
    });
    json_message!(SupportedCommandResult = "usp.GetSupportedDMResp.SupportedCommandResult" {
        command_name, input_arg_names, output_arg_names, command_type
    });
    json_message!(SupportedEventResult = "usp.GetSupportedDMResp.SupportedEventResult" {
        event_name, arg_names
    });
    json_message!(SupportedUniqueKeySet = "usp.GetSupportedDMResp.SupportedUniqueKeySet" {
        key_names
    });
}

mod get_instances {
    use super::*;
    use crate::request::get_instances::*;
    json_message!(GetInstances = "usp.GetInstances" { obj_paths, first_level_only });
}

mod get_instances_resp {
    use super::*;
    use crate::response::get_instances::*;
    json_message!(GetInstancesResp = "usp.GetInstancesResp" { req_path_results });
    json_message!(RequestedPathResult = "usp.GetInstancesResp.RequestedPathResult" {
        requested_path, err_code, err_msg, curr_insts
    });
    json_message!(CurrInstance = "usp.GetInstancesResp.CurrInstance" {
        instantiated_obj_path, unique_keys
    });
}

mod get_supported_protocol {
    use super::*;
    use crate::request::get_supported_protocol::*;
    use crate::response::get_supported_protocol::*;
    json_message!(GetSupportedProtocol = "usp.GetSupportedProtocol" {
        controller_supported_protocol_versions
    });
    json_message!(GetSupportedProtocolResp = "usp.GetSupportedProtocolResp" {
        agent_supported_protocol_versions
    });
}

mod add {
    use super::*;
    use crate::request::add::*;
    json_message!(Add = "usp.Add" { allow_partial, create_objs });
    json_message!(CreateObject = "usp.Add.CreateObject" { obj_path, param_settings });
    json_message!(CreateParamSetting = "usp.Add.CreateParamSetting" {
        param, value, required
    });
}

/// The `OperationStatus` wrapper, its failure and success, of the responses that have one.
macro_rules! oper_status {
    ($prefix:literal) => {
        json_oneof! {
            OperationStatus = (concat!($prefix, ".OperationStatus"), "oper_status") {
                oper_failure => OperFailure,
                oper_success => OperSuccess,
            }
        }
    };
}

mod add_resp {
    use super::*;
    use crate::response::add::*;
    json_message!(AddResp = "usp.AddResp" { created_obj_results });
    json_message!(CreatedObjectResult = "usp.AddResp.CreatedObjectResult" {
        requested_path, oper_status
    });
    oper_status!("usp.AddResp.CreatedObjectResult");
    json_message!(OperationFailure =
        "usp.AddResp.CreatedObjectResult.OperationStatus.OperationFailure" {
        err_code, err_msg
    });
    json_message!(OperationSuccess =
        "usp.AddResp.CreatedObjectResult.OperationStatus.OperationSuccess" {
        instantiated_path, param_errs, unique_keys
    });
    json_message!(ParameterError = "usp.AddResp.ParameterError" { param, err_code, err_msg });
}

mod delete {
    use super::*;
    use crate::request::delete::*;
    json_message!(Delete = "usp.Delete" { allow_partial, obj_paths });
}

mod delete_resp {
    use super::*;
    use crate::response::delete::*;
    json_message!(DeleteResp = "usp.DeleteResp" { deleted_obj_results });
    json_message!(DeletedObjectResult = "usp.DeleteResp.DeletedObjectResult" {
        requested_path, oper_status
    });
    oper_status!("usp.DeleteResp.DeletedObjectResult");
    json_message!(OperationFailure =
        "usp.DeleteResp.DeletedObjectResult.OperationStatus.OperationFailure" {
        err_code, err_msg
    });
    json_message!(OperationSuccess =
        "usp.DeleteResp.DeletedObjectResult.OperationStatus.OperationSuccess" {
        affected_paths, unaffected_path_errs
    });
    json_message!(UnaffectedPathError = "usp.DeleteResp.UnaffectedPathError" {
        unaffected_path, err_code, err_msg
    });
}

mod set {
    use super::*;
    use crate::request::set::*;
    json_message!(Set = "usp.Set" { allow_partial, update_objs });
    json_message!(UpdateObject = "usp.Set.UpdateObject" { obj_path, param_settings });
    json_message!(UpdateParamSetting = "usp.Set.UpdateParamSetting" {
        param, value, required
    });
}

mod set_resp {
    use super::*;
    use crate::response::set::*;
    json_message!(SetResp = "usp.SetResp" { updated_obj_results });
    json_message!(UpdatedObjectResult = "usp.SetResp.UpdatedObjectResult" {
        requested_path, oper_status
    });
    oper_status!("usp.SetResp.UpdatedObjectResult");
    json_message!(OperationFailure =
        "usp.SetResp.UpdatedObjectResult.OperationStatus.OperationFailure" {
        err_code, err_msg, updated_inst_failures
    });
    json_message!(OperationSuccess =
        "usp.SetResp.UpdatedObjectResult.OperationStatus.OperationSuccess" {
        updated_inst_results
    });
    json_message!(UpdatedInstanceFailure = "usp.SetResp.UpdatedInstanceFailure" {
        affected_path, param_errs
    });
    json_message!(UpdatedInstanceResult = "usp.SetResp.UpdatedInstanceResult" {
        affected_path, param_errs, updated_params
    });
    json_message!(ParameterError = "usp.SetResp.ParameterError" { param, err_code, err_msg });
}

mod operate {
    use super::*;
    use crate::request::operate::*;
    json_message!(Operate = "usp.Operate" { command, command_key, send_resp, input_args });
}

mod operate_resp {
    use super::*;
    use crate::response::operate::*;
    json_message!(OperateResp = "usp.OperateResp" { operation_results });
    json_message!(OperationResult = "usp.OperateResp.OperationResult" {
        executed_command;
        oneof operation_resp = "operation_resp": OperationResp {
            req_obj_path => ReqObjPath,
            req_output_args => ReqOutputArgs,
            cmd_failure => CmdFailure,
        }
    });
    json_message!(OutputArgs = "usp.OperateResp.OperationResult.OutputArgs" { output_args });
    json_message!(CommandFailure = "usp.OperateResp.OperationResult.CommandFailure" {
        err_code, err_msg
    });
}

mod notify {
    use super::*;
    use crate::request::notify::*;
    use crate::response::notify::*;
    json_message!(Notify = "usp.Notify" {
        subscription_id, send_resp;
        oneof notification = "notification": Notification {
            event => Event,
            value_change => ValueChange,
            obj_creation => ObjCreation,
            obj_deletion => ObjDeletion,
            oper_complete => OperComplete,
            on_board_req => OnBoardReq,
        }
    });
    json_message!(Event = "usp.Notify.Event" { obj_path, event_name, params });
    json_message!(ValueChange = "usp.Notify.ValueChange" { param_path, param_value });
    json_message!(ObjectCreation = "usp.Notify.ObjectCreation" { obj_path, unique_keys });
    json_message!(ObjectDeletion = "usp.Notify.ObjectDeletion" { obj_path });
    json_message!(OperationComplete = "usp.Notify.OperationComplete" {
        obj_path, command_name, command_key;
        oneof operation_resp = "operation_resp": OperationCompleteResult {
            req_output_args => ReqOutputArgs,
            cmd_failure => CmdFailure,
        }
    });
    json_message!(OutputArgs = "usp.Notify.OperationComplete.OutputArgs" { output_args });
    json_message!(CommandFailure = "usp.Notify.OperationComplete.CommandFailure" {
        err_code, err_msg
    });
    json_message!(OnBoardRequest = "usp.Notify.OnBoardRequest" {
        oui, product_class, serial_number, agent_supported_protocol_versions
    });
    json_message!(NotifyResp = "usp.NotifyResp" { subscription_id });
}

mod register {
    use super::*;
    use crate::request::register::*;
    json_message!(Register = "usp.Register" { allow_partial, reg_paths });
    json_message!(RegistrationPath = "usp.Register.RegistrationPath" { path });
}

mod register_resp {
    use super::*;
    use crate::response::register::*;
    json_message!(RegisterResp = "usp.RegisterResp" { registered_path_results });
    json_message!(RegisteredPathResult = "usp.RegisterResp.RegisteredPathResult" {
        requested_path, oper_status
    });
    oper_status!("usp.RegisterResp.RegisteredPathResult");
    json_message!(OperationFailure =
        "usp.RegisterResp.RegisteredPathResult.OperationStatus.OperationFailure" {
        err_code, err_msg
    });
    json_message!(OperationSuccess =
        "usp.RegisterResp.RegisteredPathResult.OperationStatus.OperationSuccess" {
        registered_path
    });
}

mod deregister {
    use super::*;
    use crate::request::deregister::*;
    json_message!(Deregister = "usp.Deregister" { paths });
}

mod deregister_resp {
    use super::*;
    use crate::response::deregister::*;
    json_message!(DeregisterResp = "usp.DeregisterResp" { deregistered_path_results });
    json_message!(DeregisteredPathResult = "usp.DeregisterResp.DeregisteredPathResult" {
        requested_path, oper_status
    });
    oper_status!("usp.DeregisterResp.DeregisteredPathResult");
    json_message!(OperationFailure =
        "usp.DeregisterResp.DeregisteredPathResult.OperationStatus.OperationFailure" {
        err_code, err_msg
    });
    json_message!(OperationSuccess =
        "usp.DeregisterResp.DeregisteredPathResult.OperationStatus.OperationSuccess" {
        deregistered_path
    });
}
