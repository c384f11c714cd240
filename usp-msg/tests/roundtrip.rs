//! Property tests over every Message of the schema (11 requests, 11 responses and the Error),
//! each carried in a `Msg`:
//!
//! * our codec: `encoded_len` is the length written, decoding gives the value back, and
//!   re-encoding gives the same bytes;
//! * against prost (`usp-proto`): prost decodes our bytes into the content the value holds
//!   (compared with an independent conversion of our value into prost's types, so a wrong
//!   field number on both our encoder and decoder would still be caught), and we decode
//!   prost's encoding of that content into an equal value, but for the order of map entries
//!   (prost's maps are `HashMap`s). When prost happened to keep the order, its bytes must be
//!   ours exactly.
//!
//! Generated values use arbitrary strings (non-ASCII and control characters included),
//! arbitrary error codes, enumeration values the schema does not define, and maps without
//! duplicate keys (protobuf keeps only the last of duplicates, so they cannot round-trip
//! through prost).

use std::borrow::Cow;
use std::collections::HashMap;

use proptest::prelude::*;
use prost::Message as _;
use usp_msg::request::{add as add_q, notify as notify_q, register as register_q, set as set_q};
use usp_msg::response::{
    add as add_r, delete as delete_r, deregister as deregister_r, error as error_r, get as get_r,
    get_instances as gi_r, get_supported_dm as gsdm_r, operate as operate_r,
    register as register_r, set as set_r,
};
use usp_msg::{
    Add, AddResp, Body, CmdType, Delete, DeleteResp, Deregister, DeregisterResp, ErrorCode, Get,
    GetInstances, GetInstancesResp, GetResp, GetSupportedDm, GetSupportedDmResp,
    GetSupportedProtocol, GetSupportedProtocolResp, Msg, Notify, NotifyResp, ObjAccessType,
    Operate, OperateResp, ParamAccessType, ParamValueType, Params, Register, RegisterResp, Request,
    Response, Set, SetResp, UspError, ValueChangeType,
};
use usp_proto::msg as pb;

/// `make!(Type { field: value, .. })`: a value of a `#[non_exhaustive]` message type, which
/// cannot be built with a struct expression outside its crate.
macro_rules! make {
    ($($seg:ident)::+ { $($field:ident : $value:expr),* $(,)? }) => {{
        #[allow(unused_mut, clippy::field_reassign_with_default)]
        let mut m = <$($seg)::+<'_>>::default();
        $( m.$field = $value; )*
        m
    }};
}

// ---------------------------------------------------------------------------------------
// Strategies.

type S = Cow<'static, str>;

/// Any string: path-like ASCII, printable Unicode, or any characters at all.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9.{}*!()\\[\\]=\"-]{0,24}",
        "\\PC{0,12}",
        prop::collection::vec(any::<char>(), 0..8).prop_map(String::from_iter),
    ]
}

fn s() -> impl Strategy<Value = S> {
    text().prop_map(Cow::Owned)
}

fn strings() -> impl Strategy<Value = Vec<S>> {
    prop::collection::vec(s(), 0..4)
}

fn vec_of<T: Strategy>(item: T) -> impl Strategy<Value = Vec<T::Value>> {
    prop::collection::vec(item, 0..3)
}

/// A map with distinct keys, in any order.
fn params() -> impl Strategy<Value = Params<'static>> {
    prop::collection::btree_map(text(), text(), 0..5)
        .prop_map(|m| m.into_iter().collect::<Vec<_>>())
        .prop_shuffle()
        .prop_map(|entries| entries.into_iter().collect())
}

fn code() -> impl Strategy<Value = ErrorCode> {
    prop_oneof![Just(0u32), 7000u32..8000, any::<u32>()].prop_map(ErrorCode::new)
}

/// An enumeration value: mostly a defined one, sometimes any `i32`.
fn enum_value(defined: i32) -> impl Strategy<Value = i32> {
    prop_oneof![3 => 0..defined, 1 => any::<i32>()]
}

fn msg_id() -> impl Strategy<Value = S> {
    text()
        .prop_filter("msg_id must not be empty", |s| !s.is_empty())
        .prop_map(Cow::Owned)
}

fn get() -> impl Strategy<Value = Get<'static>> {
    (strings(), any::<u32>()).prop_map(|(param_paths, max_depth)| {
        make!(Get {
            param_paths: param_paths,
            max_depth: max_depth
        })
    })
}

fn get_supported_dm() -> impl Strategy<Value = GetSupportedDm<'static>> {
    (strings(), any::<[bool; 5]>()).prop_map(|(obj_paths, b)| {
        make!(GetSupportedDm {
            obj_paths: obj_paths,
            first_level_only: b[0],
            return_commands: b[1],
            return_events: b[2],
            return_params: b[3],
            return_unique_key_sets: b[4],
        })
    })
}

fn get_instances() -> impl Strategy<Value = GetInstances<'static>> {
    (strings(), any::<bool>()).prop_map(|(obj_paths, first_level_only)| {
        make!(GetInstances {
            obj_paths: obj_paths,
            first_level_only: first_level_only
        })
    })
}

fn set() -> impl Strategy<Value = Set<'static>> {
    let setting = (s(), s(), any::<bool>()).prop_map(|(param, value, required)| {
        make!(set_q::UpdateParamSetting {
            param: param,
            value: value,
            required: required
        })
    });
    let object = (s(), vec_of(setting)).prop_map(|(obj_path, param_settings)| {
        make!(set_q::UpdateObject {
            obj_path: obj_path,
            param_settings: param_settings
        })
    });
    (any::<bool>(), vec_of(object)).prop_map(|(allow_partial, update_objs)| {
        make!(Set {
            allow_partial: allow_partial,
            update_objs: update_objs
        })
    })
}

fn add() -> impl Strategy<Value = Add<'static>> {
    let setting = (s(), s(), any::<bool>()).prop_map(|(param, value, required)| {
        make!(add_q::CreateParamSetting {
            param: param,
            value: value,
            required: required
        })
    });
    let object = (s(), vec_of(setting)).prop_map(|(obj_path, param_settings)| {
        make!(add_q::CreateObject {
            obj_path: obj_path,
            param_settings: param_settings
        })
    });
    (any::<bool>(), vec_of(object)).prop_map(|(allow_partial, create_objs)| {
        make!(Add {
            allow_partial: allow_partial,
            create_objs: create_objs
        })
    })
}

fn delete() -> impl Strategy<Value = Delete<'static>> {
    (any::<bool>(), strings()).prop_map(|(allow_partial, obj_paths)| {
        make!(Delete {
            allow_partial: allow_partial,
            obj_paths: obj_paths
        })
    })
}

fn operate() -> impl Strategy<Value = Operate<'static>> {
    (s(), s(), any::<bool>(), params()).prop_map(|(command, command_key, send_resp, input_args)| {
        make!(Operate {
            command: command,
            command_key: command_key,
            send_resp: send_resp,
            input_args: input_args,
        })
    })
}

fn notification() -> impl Strategy<Value = notify_q::Notification<'static>> {
    use notify_q::*;
    let result = prop_oneof![
        params().prop_map(
            |a| OperationCompleteResult::ReqOutputArgs(make!(OutputArgs { output_args: a }))
        ),
        (code(), s()).prop_map(|(c, m)| {
            OperationCompleteResult::CmdFailure(make!(CommandFailure {
                err_code: c,
                err_msg: m
            }))
        }),
    ];
    prop_oneof![
        (s(), s(), params()).prop_map(|(obj_path, event_name, params)| {
            Notification::Event(make!(Event {
                obj_path: obj_path,
                event_name: event_name,
                params: params
            }))
        }),
        (s(), s()).prop_map(|(param_path, param_value)| {
            Notification::ValueChange(make!(ValueChange {
                param_path: param_path,
                param_value: param_value
            }))
        }),
        (s(), params()).prop_map(|(obj_path, unique_keys)| {
            Notification::ObjCreation(make!(ObjectCreation {
                obj_path: obj_path,
                unique_keys: unique_keys
            }))
        }),
        s().prop_map(|obj_path| Notification::ObjDeletion(make!(ObjectDeletion {
            obj_path: obj_path
        }))),
        (s(), s(), s(), prop::option::of(result)).prop_map(
            |(obj_path, command_name, command_key, r)| {
                Notification::OperComplete(make!(OperationComplete {
                    obj_path: obj_path,
                    command_name: command_name,
                    command_key: command_key,
                    operation_resp: r,
                }))
            }
        ),
        (s(), s(), s(), s()).prop_map(|(oui, product_class, serial_number, versions)| {
            Notification::OnBoardReq(make!(OnBoardRequest {
                oui: oui,
                product_class: product_class,
                serial_number: serial_number,
                agent_supported_protocol_versions: versions,
            }))
        }),
    ]
}

fn notify() -> impl Strategy<Value = Notify<'static>> {
    (
        s(),
        any::<bool>(),
        prop::option::weighted(0.9, notification()),
    )
        .prop_map(|(subscription_id, send_resp, notification)| {
            make!(Notify {
                subscription_id: subscription_id,
                send_resp: send_resp,
                notification: notification,
            })
        })
}

fn get_supported_protocol() -> impl Strategy<Value = GetSupportedProtocol<'static>> {
    s().prop_map(|v| {
        make!(GetSupportedProtocol {
            controller_supported_protocol_versions: v
        })
    })
}

fn register() -> impl Strategy<Value = Register<'static>> {
    let path = s().prop_map(|path| make!(register_q::RegistrationPath { path: path }));
    (any::<bool>(), vec_of(path)).prop_map(|(allow_partial, reg_paths)| {
        make!(Register {
            allow_partial: allow_partial,
            reg_paths: reg_paths
        })
    })
}

fn deregister() -> impl Strategy<Value = Deregister<'static>> {
    strings().prop_map(|paths| make!(Deregister { paths: paths }))
}

fn get_resp() -> impl Strategy<Value = GetResp<'static>> {
    let resolved = (s(), params()).prop_map(|(resolved_path, result_params)| {
        make!(get_r::ResolvedPathResult {
            resolved_path: resolved_path,
            result_params: result_params
        })
    });
    let requested = (s(), code(), s(), vec_of(resolved)).prop_map(|(p, c, m, r)| {
        make!(get_r::RequestedPathResult {
            requested_path: p,
            err_code: c,
            err_msg: m,
            resolved_path_results: r,
        })
    });
    vec_of(requested).prop_map(|r| {
        make!(GetResp {
            req_path_results: r
        })
    })
}

fn get_supported_dm_resp() -> impl Strategy<Value = GetSupportedDmResp<'static>> {
    use gsdm_r::*;
    let param = (s(), enum_value(3), enum_value(11), enum_value(3)).prop_map(|(n, a, t, v)| {
        make!(SupportedParamResult {
            param_name: n,
            access: ParamAccessType::from_i32(a),
            value_type: ParamValueType::from_i32(t),
            value_change: ValueChangeType::from_i32(v),
        })
    });
    let command = (s(), strings(), strings(), enum_value(3)).prop_map(|(n, i, o, t)| {
        make!(SupportedCommandResult {
            command_name: n,
            input_arg_names: i,
            output_arg_names: o,
            command_type: CmdType::from_i32(t),
        })
    });
    let event = (s(), strings()).prop_map(|(n, a)| {
        make!(SupportedEventResult {
            event_name: n,
            arg_names: a
        })
    });
    let key_set = strings().prop_map(|k| make!(SupportedUniqueKeySet { key_names: k }));
    let object = (
        s(),
        enum_value(4),
        any::<bool>(),
        vec_of(command),
        vec_of(event),
        vec_of(param),
        strings(),
        vec_of(key_set),
    )
        .prop_map(
            |(path, access, multi, commands, events, params, divergent, keys)| {
                make!(SupportedObjectResult {
                    supported_obj_path: path,
                    access: ObjAccessType::from_i32(access),
                    is_multi_instance: multi,
                    supported_commands: commands,
                    supported_events: events,
                    supported_params: params,
                    divergent_paths: divergent,
                    unique_key_sets: keys,
                })
            },
        );
    let requested = (s(), code(), s(), s(), vec_of(object)).prop_map(|(p, c, m, uri, objs)| {
        make!(RequestedObjectResult {
            req_obj_path: p,
            err_code: c,
            err_msg: m,
            data_model_inst_uri: uri,
            supported_objs: objs,
        })
    });
    vec_of(requested).prop_map(|r| make!(GetSupportedDmResp { req_obj_results: r }))
}

fn get_instances_resp() -> impl Strategy<Value = GetInstancesResp<'static>> {
    let inst = (s(), params()).prop_map(|(p, k)| {
        make!(gi_r::CurrInstance {
            instantiated_obj_path: p,
            unique_keys: k
        })
    });
    let requested = (s(), code(), s(), vec_of(inst)).prop_map(|(p, c, m, i)| {
        make!(gi_r::RequestedPathResult {
            requested_path: p,
            err_code: c,
            err_msg: m,
            curr_insts: i
        })
    });
    vec_of(requested).prop_map(|r| {
        make!(GetInstancesResp {
            req_path_results: r
        })
    })
}

fn set_resp() -> impl Strategy<Value = SetResp<'static>> {
    use set_r::*;
    let param_err = || {
        (s(), code(), s()).prop_map(|(p, c, m)| {
            make!(ParameterError {
                param: p,
                err_code: c,
                err_msg: m
            })
        })
    };
    let inst_failure = (s(), vec_of(param_err())).prop_map(|(p, e)| {
        make!(UpdatedInstanceFailure {
            affected_path: p,
            param_errs: e
        })
    });
    let inst_result = (s(), vec_of(param_err()), params()).prop_map(|(p, e, u)| {
        make!(UpdatedInstanceResult {
            affected_path: p,
            param_errs: e,
            updated_params: u
        })
    });
    let status = prop_oneof![
        (code(), s(), vec_of(inst_failure)).prop_map(|(c, m, f)| {
            OperationStatus::OperFailure(make!(OperationFailure {
                err_code: c,
                err_msg: m,
                updated_inst_failures: f,
            }))
        }),
        vec_of(inst_result).prop_map(|r| {
            OperationStatus::OperSuccess(make!(OperationSuccess {
                updated_inst_results: r
            }))
        }),
    ];
    let result = (s(), prop::option::weighted(0.9, status)).prop_map(|(p, st)| {
        make!(UpdatedObjectResult {
            requested_path: p,
            oper_status: st
        })
    });
    vec_of(result).prop_map(|r| {
        make!(SetResp {
            updated_obj_results: r
        })
    })
}

fn add_resp() -> impl Strategy<Value = AddResp<'static>> {
    use add_r::*;
    let param_err = (s(), code(), s()).prop_map(|(p, c, m)| {
        make!(ParameterError {
            param: p,
            err_code: c,
            err_msg: m
        })
    });
    let status = prop_oneof![
        (code(), s()).prop_map(|(c, m)| {
            OperationStatus::OperFailure(make!(OperationFailure {
                err_code: c,
                err_msg: m
            }))
        }),
        (s(), vec_of(param_err), params()).prop_map(|(p, e, k)| {
            OperationStatus::OperSuccess(make!(OperationSuccess {
                instantiated_path: p,
                param_errs: e,
                unique_keys: k,
            }))
        }),
    ];
    let result = (s(), prop::option::weighted(0.9, status)).prop_map(|(p, st)| {
        make!(CreatedObjectResult {
            requested_path: p,
            oper_status: st
        })
    });
    vec_of(result).prop_map(|r| {
        make!(AddResp {
            created_obj_results: r
        })
    })
}

fn delete_resp() -> impl Strategy<Value = DeleteResp<'static>> {
    use delete_r::*;
    let unaffected = (s(), code(), s()).prop_map(|(p, c, m)| {
        make!(UnaffectedPathError {
            unaffected_path: p,
            err_code: c,
            err_msg: m
        })
    });
    let status = prop_oneof![
        (code(), s()).prop_map(|(c, m)| {
            OperationStatus::OperFailure(make!(OperationFailure {
                err_code: c,
                err_msg: m
            }))
        }),
        (strings(), vec_of(unaffected)).prop_map(|(a, u)| {
            OperationStatus::OperSuccess(make!(OperationSuccess {
                affected_paths: a,
                unaffected_path_errs: u,
            }))
        }),
    ];
    let result = (s(), prop::option::weighted(0.9, status)).prop_map(|(p, st)| {
        make!(DeletedObjectResult {
            requested_path: p,
            oper_status: st
        })
    });
    vec_of(result).prop_map(|r| {
        make!(DeleteResp {
            deleted_obj_results: r
        })
    })
}

fn operate_resp() -> impl Strategy<Value = OperateResp<'static>> {
    use operate_r::*;
    let resp = prop_oneof![
        s().prop_map(OperationResp::ReqObjPath),
        params().prop_map(|a| OperationResp::ReqOutputArgs(make!(OutputArgs { output_args: a }))),
        (code(), s()).prop_map(|(c, m)| {
            OperationResp::CmdFailure(make!(CommandFailure {
                err_code: c,
                err_msg: m
            }))
        }),
    ];
    let result = (s(), prop::option::weighted(0.9, resp)).prop_map(|(c, r)| {
        make!(OperationResult {
            executed_command: c,
            operation_resp: r
        })
    });
    vec_of(result).prop_map(|r| {
        make!(OperateResp {
            operation_results: r
        })
    })
}

fn notify_resp() -> impl Strategy<Value = NotifyResp<'static>> {
    s().prop_map(|id| {
        make!(NotifyResp {
            subscription_id: id
        })
    })
}

fn get_supported_protocol_resp() -> impl Strategy<Value = GetSupportedProtocolResp<'static>> {
    s().prop_map(|v| {
        make!(GetSupportedProtocolResp {
            agent_supported_protocol_versions: v
        })
    })
}

fn register_resp() -> impl Strategy<Value = RegisterResp<'static>> {
    use register_r::*;
    let status = prop_oneof![
        (code(), s()).prop_map(|(c, m)| {
            OperationStatus::OperFailure(make!(OperationFailure {
                err_code: c,
                err_msg: m
            }))
        }),
        s().prop_map(|p| OperationStatus::OperSuccess(make!(OperationSuccess {
            registered_path: p
        }))),
    ];
    let result = (s(), prop::option::weighted(0.9, status)).prop_map(|(p, st)| {
        make!(RegisteredPathResult {
            requested_path: p,
            oper_status: st
        })
    });
    vec_of(result).prop_map(|r| {
        make!(RegisterResp {
            registered_path_results: r
        })
    })
}

fn deregister_resp() -> impl Strategy<Value = DeregisterResp<'static>> {
    use deregister_r::*;
    let status = prop_oneof![
        (code(), s()).prop_map(|(c, m)| {
            OperationStatus::OperFailure(make!(OperationFailure {
                err_code: c,
                err_msg: m
            }))
        }),
        strings().prop_map(|p| OperationStatus::OperSuccess(make!(OperationSuccess {
            deregistered_path: p
        }))),
    ];
    let result = (s(), prop::option::weighted(0.9, status)).prop_map(|(p, st)| {
        make!(DeregisteredPathResult {
            requested_path: p,
            oper_status: st
        })
    });
    vec_of(result).prop_map(|r| {
        make!(DeregisterResp {
            deregistered_path_results: r
        })
    })
}

fn usp_error() -> impl Strategy<Value = UspError<'static>> {
    let param_err = (s(), code(), s()).prop_map(|(p, c, m)| {
        make!(error_r::ParamError {
            param_path: p,
            err_code: c,
            err_msg: m
        })
    });
    (code(), s(), vec_of(param_err)).prop_map(|(c, m, e)| {
        make!(UspError {
            err_code: c,
            err_msg: m,
            param_errs: e
        })
    })
}

// ---------------------------------------------------------------------------------------
// Our values as prost's: written field by field from the schema, independently of our codec.

fn st(s: &str) -> String {
    s.to_owned()
}

fn sv(v: &[Cow<'_, str>]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn map(p: &Params<'_>) -> HashMap<String, String> {
    p.iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn pb_msg(m: &Msg<'_>) -> pb::Msg {
    use pb::body::MsgBody;
    let body = match m.body() {
        Body::Request(r) => MsgBody::Request(pb::Request {
            req_type: Some(pb_request(r)),
        }),
        Body::Response(r) => MsgBody::Response(pb::Response {
            resp_type: Some(pb_response(r)),
        }),
        Body::Error(e) => MsgBody::Error(pb_error(e)),
        other => unreachable!("{other:?}"),
    };
    pb::Msg {
        header: Some(pb::Header {
            msg_id: st(m.msg_id()),
            msg_type: m.msg_type().as_i32(),
        }),
        body: Some(pb::Body {
            msg_body: Some(body),
        }),
    }
}

fn pb_request(r: &Request<'_>) -> pb::request::ReqType {
    use pb::request::ReqType as T;
    match r {
        Request::Get(g) => T::Get(pb::Get {
            param_paths: sv(&g.param_paths),
            max_depth: g.max_depth,
        }),
        Request::GetSupportedDm(g) => T::GetSupportedDm(pb::GetSupportedDm {
            obj_paths: sv(&g.obj_paths),
            first_level_only: g.first_level_only,
            return_commands: g.return_commands,
            return_events: g.return_events,
            return_params: g.return_params,
            return_unique_key_sets: g.return_unique_key_sets,
        }),
        Request::GetInstances(g) => T::GetInstances(pb::GetInstances {
            obj_paths: sv(&g.obj_paths),
            first_level_only: g.first_level_only,
        }),
        Request::Set(s) => T::Set(pb::Set {
            allow_partial: s.allow_partial,
            update_objs: s
                .update_objs
                .iter()
                .map(|o| pb::set::UpdateObject {
                    obj_path: st(&o.obj_path),
                    param_settings: o
                        .param_settings
                        .iter()
                        .map(|p| pb::set::UpdateParamSetting {
                            param: st(&p.param),
                            value: st(&p.value),
                            required: p.required,
                        })
                        .collect(),
                })
                .collect(),
        }),
        Request::Add(a) => T::Add(pb::Add {
            allow_partial: a.allow_partial,
            create_objs: a
                .create_objs
                .iter()
                .map(|o| pb::add::CreateObject {
                    obj_path: st(&o.obj_path),
                    param_settings: o
                        .param_settings
                        .iter()
                        .map(|p| pb::add::CreateParamSetting {
                            param: st(&p.param),
                            value: st(&p.value),
                            required: p.required,
                        })
                        .collect(),
                })
                .collect(),
        }),
        Request::Delete(d) => T::Delete(pb::Delete {
            allow_partial: d.allow_partial,
            obj_paths: sv(&d.obj_paths),
        }),
        Request::Operate(o) => T::Operate(pb::Operate {
            command: st(&o.command),
            command_key: st(&o.command_key),
            send_resp: o.send_resp,
            input_args: map(&o.input_args),
        }),
        Request::Notify(n) => T::Notify(pb_notify(n)),
        Request::GetSupportedProtocol(g) => T::GetSupportedProtocol(pb::GetSupportedProtocol {
            controller_supported_protocol_versions: st(&g.controller_supported_protocol_versions),
        }),
        Request::Register(r) => T::Register(pb::Register {
            allow_partial: r.allow_partial,
            reg_paths: r
                .reg_paths
                .iter()
                .map(|p| pb::register::RegistrationPath { path: st(&p.path) })
                .collect(),
        }),
        Request::Deregister(d) => T::Deregister(pb::Deregister {
            paths: sv(&d.paths),
        }),
        other => unreachable!("{other:?}"),
    }
}

fn pb_notify(n: &Notify<'_>) -> pb::Notify {
    use notify_q::{Notification, OperationCompleteResult};
    use pb::notify::{self as pn, Notification as N, operation_complete as oc};
    let notification = n.notification.as_ref().map(|x| match x {
        Notification::Event(e) => N::Event(pn::Event {
            obj_path: st(&e.obj_path),
            event_name: st(&e.event_name),
            params: map(&e.params),
        }),
        Notification::ValueChange(v) => N::ValueChange(pn::ValueChange {
            param_path: st(&v.param_path),
            param_value: st(&v.param_value),
        }),
        Notification::ObjCreation(o) => N::ObjCreation(pn::ObjectCreation {
            obj_path: st(&o.obj_path),
            unique_keys: map(&o.unique_keys),
        }),
        Notification::ObjDeletion(o) => N::ObjDeletion(pn::ObjectDeletion {
            obj_path: st(&o.obj_path),
        }),
        Notification::OperComplete(o) => N::OperComplete(pn::OperationComplete {
            obj_path: st(&o.obj_path),
            command_name: st(&o.command_name),
            command_key: st(&o.command_key),
            operation_resp: o.operation_resp.as_ref().map(|r| match r {
                OperationCompleteResult::ReqOutputArgs(a) => {
                    oc::OperationResp::ReqOutputArgs(oc::OutputArgs {
                        output_args: map(&a.output_args),
                    })
                }
                OperationCompleteResult::CmdFailure(f) => {
                    oc::OperationResp::CmdFailure(oc::CommandFailure {
                        err_code: f.err_code.get(),
                        err_msg: st(&f.err_msg),
                    })
                }
                other => unreachable!("{other:?}"),
            }),
        }),
        Notification::OnBoardReq(o) => N::OnBoardReq(pn::OnBoardRequest {
            oui: st(&o.oui),
            product_class: st(&o.product_class),
            serial_number: st(&o.serial_number),
            agent_supported_protocol_versions: st(&o.agent_supported_protocol_versions),
        }),
        other => unreachable!("{other:?}"),
    });
    pb::Notify {
        subscription_id: st(&n.subscription_id),
        send_resp: n.send_resp,
        notification,
    }
}

fn pb_response(r: &Response<'_>) -> pb::response::RespType {
    use pb::response::RespType as T;
    match r {
        Response::GetResp(g) => T::GetResp(pb::GetResp {
            req_path_results: g
                .req_path_results
                .iter()
                .map(|r| pb::get_resp::RequestedPathResult {
                    requested_path: st(&r.requested_path),
                    err_code: r.err_code.get(),
                    err_msg: st(&r.err_msg),
                    resolved_path_results: r
                        .resolved_path_results
                        .iter()
                        .map(|o| pb::get_resp::ResolvedPathResult {
                            resolved_path: st(&o.resolved_path),
                            result_params: map(&o.result_params),
                        })
                        .collect(),
                })
                .collect(),
        }),
        Response::GetSupportedDmResp(g) => T::GetSupportedDmResp(pb_gsdm_resp(g)),
        Response::GetInstancesResp(g) => T::GetInstancesResp(pb::GetInstancesResp {
            req_path_results: g
                .req_path_results
                .iter()
                .map(|r| pb::get_instances_resp::RequestedPathResult {
                    requested_path: st(&r.requested_path),
                    err_code: r.err_code.get(),
                    err_msg: st(&r.err_msg),
                    curr_insts: r
                        .curr_insts
                        .iter()
                        .map(|i| pb::get_instances_resp::CurrInstance {
                            instantiated_obj_path: st(&i.instantiated_obj_path),
                            unique_keys: map(&i.unique_keys),
                        })
                        .collect(),
                })
                .collect(),
        }),
        Response::SetResp(s) => T::SetResp(pb_set_resp(s)),
        Response::AddResp(a) => T::AddResp(pb_add_resp(a)),
        Response::DeleteResp(d) => T::DeleteResp(pb_delete_resp(d)),
        Response::OperateResp(o) => T::OperateResp(pb_operate_resp(o)),
        Response::NotifyResp(n) => T::NotifyResp(pb::NotifyResp {
            subscription_id: st(&n.subscription_id),
        }),
        Response::GetSupportedProtocolResp(g) => {
            T::GetSupportedProtocolResp(pb::GetSupportedProtocolResp {
                agent_supported_protocol_versions: st(&g.agent_supported_protocol_versions),
            })
        }
        Response::RegisterResp(r) => T::RegisterResp(pb_register_resp(r)),
        Response::DeregisterResp(d) => T::DeregisterResp(pb_deregister_resp(d)),
        other => unreachable!("{other:?}"),
    }
}

fn pb_gsdm_resp(g: &GetSupportedDmResp<'_>) -> pb::GetSupportedDmResp {
    use pb::get_supported_dm_resp as p;
    let object = |o: &gsdm_r::SupportedObjectResult<'_>| p::SupportedObjectResult {
        supported_obj_path: st(&o.supported_obj_path),
        access: o.access.as_i32(),
        is_multi_instance: o.is_multi_instance,
        supported_commands: o
            .supported_commands
            .iter()
            .map(|c| p::SupportedCommandResult {
                command_name: st(&c.command_name),
                input_arg_names: sv(&c.input_arg_names),
                output_arg_names: sv(&c.output_arg_names),
                command_type: c.command_type.as_i32(),
            })
            .collect(),
        supported_events: o
            .supported_events
            .iter()
            .map(|e| p::SupportedEventResult {
                event_name: st(&e.event_name),
                arg_names: sv(&e.arg_names),
            })
            .collect(),
        supported_params: o
            .supported_params
            .iter()
            .map(|sp| p::SupportedParamResult {
                param_name: st(&sp.param_name),
                access: sp.access.as_i32(),
                value_type: sp.value_type.as_i32(),
                value_change: sp.value_change.as_i32(),
            })
            .collect(),
        divergent_paths: sv(&o.divergent_paths),
        unique_key_sets: o
            .unique_key_sets
            .iter()
            .map(|k| p::SupportedUniqueKeySet {
                key_names: sv(&k.key_names),
            })
            .collect(),
    };
    pb::GetSupportedDmResp {
        req_obj_results: g
            .req_obj_results
            .iter()
            .map(|r| p::RequestedObjectResult {
                req_obj_path: st(&r.req_obj_path),
                err_code: r.err_code.get(),
                err_msg: st(&r.err_msg),
                data_model_inst_uri: st(&r.data_model_inst_uri),
                supported_objs: r.supported_objs.iter().map(object).collect(),
            })
            .collect(),
    }
}

fn pb_set_resp(s: &SetResp<'_>) -> pb::SetResp {
    use pb::set_resp::{self as p, updated_object_result as uor};
    use uor::operation_status as os;
    let param_errs = |e: &[set_r::ParameterError<'_>]| -> Vec<p::ParameterError> {
        e.iter()
            .map(|e| p::ParameterError {
                param: st(&e.param),
                err_code: e.err_code.get(),
                err_msg: st(&e.err_msg),
            })
            .collect()
    };
    pb::SetResp {
        updated_obj_results: s
            .updated_obj_results
            .iter()
            .map(|r| p::UpdatedObjectResult {
                requested_path: st(&r.requested_path),
                oper_status: r.oper_status.as_ref().map(|x| uor::OperationStatus {
                    oper_status: Some(match x {
                        set_r::OperationStatus::OperFailure(f) => {
                            os::OperStatus::OperFailure(os::OperationFailure {
                                err_code: f.err_code.get(),
                                err_msg: st(&f.err_msg),
                                updated_inst_failures: f
                                    .updated_inst_failures
                                    .iter()
                                    .map(|i| p::UpdatedInstanceFailure {
                                        affected_path: st(&i.affected_path),
                                        param_errs: param_errs(&i.param_errs),
                                    })
                                    .collect(),
                            })
                        }
                        set_r::OperationStatus::OperSuccess(s) => {
                            os::OperStatus::OperSuccess(os::OperationSuccess {
                                updated_inst_results: s
                                    .updated_inst_results
                                    .iter()
                                    .map(|i| p::UpdatedInstanceResult {
                                        affected_path: st(&i.affected_path),
                                        param_errs: param_errs(&i.param_errs),
                                        updated_params: map(&i.updated_params),
                                    })
                                    .collect(),
                            })
                        }
                        other => unreachable!("{other:?}"),
                    }),
                }),
            })
            .collect(),
    }
}

fn pb_add_resp(a: &AddResp<'_>) -> pb::AddResp {
    use cor::operation_status as os;
    use pb::add_resp::{self as p, created_object_result as cor};
    pb::AddResp {
        created_obj_results: a
            .created_obj_results
            .iter()
            .map(|r| p::CreatedObjectResult {
                requested_path: st(&r.requested_path),
                oper_status: r.oper_status.as_ref().map(|x| cor::OperationStatus {
                    oper_status: Some(match x {
                        add_r::OperationStatus::OperFailure(f) => {
                            os::OperStatus::OperFailure(os::OperationFailure {
                                err_code: f.err_code.get(),
                                err_msg: st(&f.err_msg),
                            })
                        }
                        add_r::OperationStatus::OperSuccess(s) => {
                            os::OperStatus::OperSuccess(os::OperationSuccess {
                                instantiated_path: st(&s.instantiated_path),
                                param_errs: s
                                    .param_errs
                                    .iter()
                                    .map(|e| p::ParameterError {
                                        param: st(&e.param),
                                        err_code: e.err_code.get(),
                                        err_msg: st(&e.err_msg),
                                    })
                                    .collect(),
                                unique_keys: map(&s.unique_keys),
                            })
                        }
                        other => unreachable!("{other:?}"),
                    }),
                }),
            })
            .collect(),
    }
}

fn pb_delete_resp(d: &DeleteResp<'_>) -> pb::DeleteResp {
    use dor::operation_status as os;
    use pb::delete_resp::{self as p, deleted_object_result as dor};
    pb::DeleteResp {
        deleted_obj_results: d
            .deleted_obj_results
            .iter()
            .map(|r| p::DeletedObjectResult {
                requested_path: st(&r.requested_path),
                oper_status: r.oper_status.as_ref().map(|x| dor::OperationStatus {
                    oper_status: Some(match x {
                        delete_r::OperationStatus::OperFailure(f) => {
                            os::OperStatus::OperFailure(os::OperationFailure {
                                err_code: f.err_code.get(),
                                err_msg: st(&f.err_msg),
                            })
                        }
                        delete_r::OperationStatus::OperSuccess(s) => {
                            os::OperStatus::OperSuccess(os::OperationSuccess {
                                affected_paths: sv(&s.affected_paths),
                                unaffected_path_errs: s
                                    .unaffected_path_errs
                                    .iter()
                                    .map(|e| p::UnaffectedPathError {
                                        unaffected_path: st(&e.unaffected_path),
                                        err_code: e.err_code.get(),
                                        err_msg: st(&e.err_msg),
                                    })
                                    .collect(),
                            })
                        }
                        other => unreachable!("{other:?}"),
                    }),
                }),
            })
            .collect(),
    }
}

fn pb_operate_resp(o: &OperateResp<'_>) -> pb::OperateResp {
    use operate_r::OperationResp;
    use pb::operate_resp::{self as p, operation_result as or};
    pb::OperateResp {
        operation_results: o
            .operation_results
            .iter()
            .map(|r| p::OperationResult {
                executed_command: st(&r.executed_command),
                operation_resp: r.operation_resp.as_ref().map(|x| match x {
                    OperationResp::ReqObjPath(path) => or::OperationResp::ReqObjPath(st(path)),
                    OperationResp::ReqOutputArgs(a) => {
                        or::OperationResp::ReqOutputArgs(or::OutputArgs {
                            output_args: map(&a.output_args),
                        })
                    }
                    OperationResp::CmdFailure(f) => {
                        or::OperationResp::CmdFailure(or::CommandFailure {
                            err_code: f.err_code.get(),
                            err_msg: st(&f.err_msg),
                        })
                    }
                    other => unreachable!("{other:?}"),
                }),
            })
            .collect(),
    }
}

fn pb_register_resp(r: &RegisterResp<'_>) -> pb::RegisterResp {
    use pb::register_resp::{self as p, registered_path_result as rpr};
    use rpr::operation_status as os;
    pb::RegisterResp {
        registered_path_results: r
            .registered_path_results
            .iter()
            .map(|r| p::RegisteredPathResult {
                requested_path: st(&r.requested_path),
                oper_status: r.oper_status.as_ref().map(|x| rpr::OperationStatus {
                    oper_status: Some(match x {
                        register_r::OperationStatus::OperFailure(f) => {
                            os::OperStatus::OperFailure(os::OperationFailure {
                                err_code: f.err_code.get(),
                                err_msg: st(&f.err_msg),
                            })
                        }
                        register_r::OperationStatus::OperSuccess(s) => {
                            os::OperStatus::OperSuccess(os::OperationSuccess {
                                registered_path: st(&s.registered_path),
                            })
                        }
                        other => unreachable!("{other:?}"),
                    }),
                }),
            })
            .collect(),
    }
}

fn pb_deregister_resp(d: &DeregisterResp<'_>) -> pb::DeregisterResp {
    use dpr::operation_status as os;
    use pb::deregister_resp::{self as p, deregistered_path_result as dpr};
    pb::DeregisterResp {
        deregistered_path_results: d
            .deregistered_path_results
            .iter()
            .map(|r| p::DeregisteredPathResult {
                requested_path: st(&r.requested_path),
                oper_status: r.oper_status.as_ref().map(|x| dpr::OperationStatus {
                    oper_status: Some(match x {
                        deregister_r::OperationStatus::OperFailure(f) => {
                            os::OperStatus::OperFailure(os::OperationFailure {
                                err_code: f.err_code.get(),
                                err_msg: st(&f.err_msg),
                            })
                        }
                        deregister_r::OperationStatus::OperSuccess(s) => {
                            os::OperStatus::OperSuccess(os::OperationSuccess {
                                deregistered_path: sv(&s.deregistered_path),
                            })
                        }
                        other => unreachable!("{other:?}"),
                    }),
                }),
            })
            .collect(),
    }
}

fn pb_error(e: &UspError<'_>) -> pb::Error {
    pb::Error {
        err_code: e.err_code.get(),
        err_msg: st(&e.err_msg),
        param_errs: e
            .param_errs
            .iter()
            .map(|p| pb::error::ParamError {
                param_path: st(&p.param_path),
                err_code: p.err_code.get(),
                err_msg: st(&p.err_msg),
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------
// The properties.

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// Every property, for one Message.
fn check(msg: &Msg<'_>) -> Result<(), TestCaseError> {
    // Our codec.
    let wire = msg.encode_to_vec();
    prop_assert_eq!(msg.encoded_len(), wire.len(), "encoded_len");
    let back = Msg::decode(&wire).map_err(fail)?;
    prop_assert_eq!(&back, msg, "decode(encode(m)) == m");
    prop_assert_eq!(back.encode_to_vec(), wire.as_slice(), "re-encoding");
    prop_assert_eq!(&back.clone().into_owned(), msg, "into_owned");

    // prost reads our bytes as the content of the value.
    let expected = pb_msg(msg);
    let theirs = pb::Msg::decode(wire.as_slice()).map_err(fail)?;
    prop_assert_eq!(&theirs, &expected, "prost decodes our encoding");

    // We read prost's encoding of that content as the same value, but for map order.
    let their_wire = expected.encode_to_vec();
    let ours = Msg::decode(&their_wire).map_err(fail)?;
    prop_assert_eq!(pb_msg(&ours), expected, "we decode prost's encoding");
    prop_assert_eq!(ours.msg_type(), msg.msg_type());
    if &ours == msg {
        // prost kept every map in our order: then its bytes are ours exactly.
        prop_assert_eq!(their_wire, wire, "prost's bytes");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn get_roundtrips(id in msg_id(), m in get()) {
        check(&Msg::request(id, m))?;
    }

    #[test]
    fn get_supported_dm_roundtrips(id in msg_id(), m in get_supported_dm()) {
        check(&Msg::request(id, m))?;
    }

    #[test]
    fn get_instances_roundtrips(id in msg_id(), m in get_instances()) {
        check(&Msg::request(id, m))?;
    }

    #[test]
    fn set_roundtrips(id in msg_id(), m in set()) {
        check(&Msg::request(id, m))?;
    }

    #[test]
    fn add_roundtrips(id in msg_id(), m in add()) {
        check(&Msg::request(id, m))?;
    }

    #[test]
    fn delete_roundtrips(id in msg_id(), m in delete()) {
        check(&Msg::request(id, m))?;
    }

    #[test]
    fn operate_roundtrips(id in msg_id(), m in operate()) {
        check(&Msg::request(id, m))?;
    }

    #[test]
    fn notify_roundtrips(id in msg_id(), m in notify()) {
        check(&Msg::request(id, m))?;
    }

    #[test]
    fn get_supported_protocol_roundtrips(id in msg_id(), m in get_supported_protocol()) {
        check(&Msg::request(id, m))?;
    }

    #[test]
    fn register_roundtrips(id in msg_id(), m in register()) {
        check(&Msg::request(id, m))?;
    }

    #[test]
    fn deregister_roundtrips(id in msg_id(), m in deregister()) {
        check(&Msg::request(id, m))?;
    }

    #[test]
    fn get_resp_roundtrips(id in msg_id(), m in get_resp()) {
        check(&Msg::response(id, m))?;
    }

    #[test]
    fn get_supported_dm_resp_roundtrips(id in msg_id(), m in get_supported_dm_resp()) {
        check(&Msg::response(id, m))?;
    }

    #[test]
    fn get_instances_resp_roundtrips(id in msg_id(), m in get_instances_resp()) {
        check(&Msg::response(id, m))?;
    }

    #[test]
    fn set_resp_roundtrips(id in msg_id(), m in set_resp()) {
        check(&Msg::response(id, m))?;
    }

    #[test]
    fn add_resp_roundtrips(id in msg_id(), m in add_resp()) {
        check(&Msg::response(id, m))?;
    }

    #[test]
    fn delete_resp_roundtrips(id in msg_id(), m in delete_resp()) {
        check(&Msg::response(id, m))?;
    }

    #[test]
    fn operate_resp_roundtrips(id in msg_id(), m in operate_resp()) {
        check(&Msg::response(id, m))?;
    }

    #[test]
    fn notify_resp_roundtrips(id in msg_id(), m in notify_resp()) {
        check(&Msg::response(id, m))?;
    }

    #[test]
    fn get_supported_protocol_resp_roundtrips(id in msg_id(), m in get_supported_protocol_resp()) {
        check(&Msg::response(id, m))?;
    }

    #[test]
    fn register_resp_roundtrips(id in msg_id(), m in register_resp()) {
        check(&Msg::response(id, m))?;
    }

    #[test]
    fn deregister_resp_roundtrips(id in msg_id(), m in deregister_resp()) {
        check(&Msg::response(id, m))?;
    }

    #[test]
    fn error_roundtrips(id in msg_id(), m in usp_error()) {
        check(&Msg::error(id, m))?;
    }
}

/// Two Messages, mostly of the same kind (the interesting case for merging), sometimes of
/// any two kinds.
fn msg_pair() -> impl Strategy<Value = (Msg<'static>, Msg<'static>)> {
    type Pair = BoxedStrategy<(Msg<'static>, Msg<'static>)>;
    fn req<B: Strategy + 'static>(body: fn() -> B) -> Pair
    where
        B::Value: Into<Request<'static>>,
    {
        (msg_id(), body(), msg_id(), body())
            .prop_map(|(i, a, j, b)| (Msg::request(i, a), Msg::request(j, b)))
            .boxed()
    }
    fn resp<B: Strategy + 'static>(body: fn() -> B) -> Pair
    where
        B::Value: Into<Response<'static>>,
    {
        (msg_id(), body(), msg_id(), body())
            .prop_map(|(i, a, j, b)| (Msg::response(i, a), Msg::response(j, b)))
            .boxed()
    }
    let same_kind = prop::strategy::Union::new(vec![
        req(get),
        req(get_supported_dm),
        req(get_instances),
        req(set),
        req(add),
        req(delete),
        req(operate),
        req(notify),
        req(get_supported_protocol),
        req(register),
        req(deregister),
        resp(get_resp),
        resp(get_supported_dm_resp),
        resp(get_instances_resp),
        resp(set_resp),
        resp(add_resp),
        resp(delete_resp),
        resp(operate_resp),
        resp(notify_resp),
        resp(get_supported_protocol_resp),
        resp(register_resp),
        resp(deregister_resp),
        (msg_id(), usp_error(), msg_id(), usp_error())
            .prop_map(|(i, a, j, b)| (Msg::error(i, a), Msg::error(j, b)))
            .boxed(),
    ]);
    let any = same_kind.clone();
    let any_kinds = (any.clone(), any).prop_map(|((a, _), (b, _))| (a, b));
    prop_oneof![3 => same_kind, 1 => any_kinds]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Two encodings one after the other are one Message merged from both (protobuf's
    /// rule: the last singular field wins, repeated fields and maps append, an embedded
    /// message or oneof member of the same kind merges, another member replaces). Our
    /// decoder must merge as prost does.
    #[test]
    fn concatenated_encodings_merge_like_prost((a, b) in msg_pair()) {
        let mut wire = a.encode_to_vec();
        wire.extend_from_slice(&b.encode_to_vec());
        let theirs = pb::Msg::decode(wire.as_slice()).map_err(fail)?;
        let ours = Msg::decode(&wire).map_err(fail)?;
        let mut mine = pb_msg(&ours);
        // The header's msg_type is kept as received; the body's may differ after a merge.
        mine.header.as_mut().unwrap().msg_type = ours.header_msg_type().as_i32();
        prop_assert_eq!(mine, theirs);
    }
}

/// The builders produce what their documentation promises, and survive the wire.
#[test]
fn builders_roundtrip() {
    use usp_msg::{UspVersion, response::get::ResolvedPathResult};

    let messages = [
        Msg::request("1", Get::new(["Device."]).max_depth(1)),
        Msg::request("2", GetSupportedDm::new(["Device."]).first_level_only(true)),
        Msg::request("3", GetInstances::new(["Device.X."]).first_level_only(true)),
        Msg::request(
            "4",
            Set::new()
                .allow_partial(true)
                .update("Device.X.1.", [("A", "1", true)]),
        ),
        Msg::request("5", Add::new().create("Device.X.", [("A", "1")])),
        Msg::request("6", Delete::new(["Device.X.1."]).allow_partial(true)),
        Msg::request(
            "7",
            Operate::new("Device.Reboot()")
                .command_key("k")
                .send_resp(true)
                .arg("Delay", "5"),
        ),
        Msg::request(
            "8",
            Notify::event("s", "Device.", "Boot!", [("Cause", "LocalReboot")]),
        ),
        Msg::request(
            "9",
            GetSupportedProtocol::new(&[UspVersion::V1_3, UspVersion::V1_4]),
        ),
        Msg::request("10", Register::new(["Device.Time."])),
        Msg::request("11", Deregister::all()),
        Msg::response(
            "12",
            GetResp::new()
                .path_result(
                    "Device.X.",
                    [ResolvedPathResult::new("Device.X.1.", [("A", "1")])],
                )
                .path_error("Device.Y.", ErrorCode::INVALID_PATH, "no"),
        ),
        Msg::response("13", NotifyResp::new("s")),
        Msg::error(
            "14",
            UspError::new(ErrorCode::INVALID_ARGUMENTS, "bad").param_err(
                "Device.X.1.A",
                ErrorCode::INVALID_VALUE,
                "x",
            ),
        ),
    ];
    for msg in &messages {
        check(msg).unwrap();
    }
}
