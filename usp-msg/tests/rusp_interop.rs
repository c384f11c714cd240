//! Cross-implementation tests against rusp-lib 1.0.1 (quick-protobuf underneath): for every
//! Message rusp's builders can make, the same content is built with rusp and with our
//! builders, and
//!
//! * rusp's encoding decodes with ours into our value (compared through prost, whose maps
//!   ignore entry order, as rusp's `HashMap`s come out in any order), and the fields read
//!   back as expected;
//! * our encoding decodes with rusp (`try_decode_msg`, which does not add rusp's own
//!   validity checks) into rusp's value.

use std::collections::HashMap;

use prost::Message as _;
use rusp_lib::usp::Msg as RuspMsg;
use rusp_lib::usp_builder as rb;
use rusp_lib::usp_decoder::try_decode_msg;
use usp_msg::request::notify::OperationCompleteResult;
use usp_msg::response::get::ResolvedPathResult;
use usp_msg::response::get_instances::CurrInstance;
use usp_msg::response::get_supported_dm::{
    RequestedObjectResult, SupportedCommandResult, SupportedEventResult, SupportedObjectResult,
    SupportedParamResult,
};
use usp_msg::response::set::{UpdatedInstanceFailure, UpdatedInstanceResult, UpdatedObjectResult};
use usp_msg::response::{
    add::CreatedObjectResult, delete::DeletedObjectResult, deregister::DeregisteredPathResult,
    operate::OperationResult, register::RegisteredPathResult,
};
use usp_msg::{
    Add, AddResp, CmdType, Delete, DeleteResp, Deregister, DeregisterResp, ErrorCode, Get,
    GetInstances, GetInstancesResp, GetResp, GetSupportedDm, GetSupportedDmResp,
    GetSupportedProtocol, GetSupportedProtocolResp, Msg, MsgType, Notify, NotifyResp,
    ObjAccessType, Operate, OperateResp, ParamAccessType, ParamValueType, Register, RegisterResp,
    Request, Response, Set, SetResp, UspError, UspVersion, ValueChangeType,
};

/// A rusp Message with this identifier and body.
fn rusp(msg_id: &str, body: rusp_lib::usp::Body) -> RuspMsg {
    rb::MsgBuilder::new()
        .with_msg_id(msg_id.into())
        .with_body(body)
        .build()
        .unwrap()
}

/// A Message as prost reads it: equal for equal content, whatever the order of map entries.
fn canon(msg: &Msg<'_>) -> usp_proto::msg::Msg {
    usp_proto::msg::Msg::decode(msg.encode_to_vec().as_slice()).unwrap()
}

/// Checks both directions for one Message and returns rusp's encoding decoded with ours.
fn interop(ours: &Msg<'_>, theirs: &RuspMsg) -> Msg<'static> {
    // rusp -> ours.
    let their_wire = theirs.to_vec().unwrap();
    let decoded = Msg::decode(&their_wire)
        .unwrap_or_else(|e| panic!("our decoder refuses rusp's {}: {e}", ours.msg_type()))
        .into_owned();
    decoded.check_msg_type().unwrap();
    assert_eq!(decoded.msg_id(), ours.msg_id());
    assert_eq!(decoded.msg_type(), ours.msg_type());
    assert_eq!(
        canon(&decoded),
        canon(ours),
        "rusp -> ours: {}",
        ours.msg_type()
    );

    // ours -> rusp.
    let back = try_decode_msg(&ours.encode_to_vec())
        .unwrap_or_else(|e| panic!("rusp refuses our {}: {e:#}", ours.msg_type()));
    assert_eq!(&back, theirs, "ours -> rusp: {}", ours.msg_type());
    decoded
}

fn request<'m, 'a>(msg: &'m Msg<'a>) -> &'m Request<'a> {
    msg.as_request().expect("a request")
}

fn response<'m, 'a>(msg: &'m Msg<'a>) -> &'m Response<'a> {
    msg.as_response().expect("a response")
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn hash_map(items: &[(&str, &str)]) -> HashMap<String, String> {
    pairs(items).into_iter().collect()
}

const PARAMS: &[(&str, &str)] = &[
    ("SoftwareVersion", "1.0"),
    ("Manufacturer", "ACME Gerätebau"),
    ("Description", "Box \u{1F4E6} with \"quotes\""),
    ("Empty", ""),
];

#[test]
fn get() {
    let paths = [
        "Device.DeviceInfo.",
        "Device.WiFi.SSID.*.SSID",
        "Device.Ünïcode.",
    ];
    let theirs = rusp(
        "get-1",
        rb::GetBuilder::new()
            .with_params(strings(&paths))
            .with_max_depth(2)
            .build()
            .unwrap(),
    );
    let ours = Msg::request("get-1", Get::new(paths).max_depth(2));
    let decoded = interop(&ours, &theirs);
    let Request::Get(get) = request(&decoded) else {
        panic!("{decoded:?}")
    };
    assert_eq!(get.param_paths, paths);
    assert_eq!(get.max_depth, 2);
}

#[test]
fn get_resp() {
    let theirs = rusp(
        "get-1",
        rb::GetRespBuilder::new()
            .with_req_path_results(vec![
                rb::GetReqPathResultBuilder::new("Device.DeviceInfo.".into())
                    .with_res_path_results(vec![
                        rb::ResolvedPathResultBuilder::new("Device.DeviceInfo.".into())
                            .with_result_params(pairs(PARAMS)),
                    ]),
                rb::GetReqPathResultBuilder::new("Device.Nope.".into())
                    .set_err(7026, Some("Invalid path".into())),
            ])
            .build()
            .unwrap(),
    );
    let ours = Msg::response(
        "get-1",
        GetResp::new()
            .path_result(
                "Device.DeviceInfo.",
                [ResolvedPathResult::new(
                    "Device.DeviceInfo.",
                    PARAMS.iter().copied(),
                )],
            )
            .path_error("Device.Nope.", ErrorCode::INVALID_PATH, "Invalid path"),
    );
    let decoded = interop(&ours, &theirs);
    let Response::GetResp(resp) = response(&decoded) else {
        panic!("{decoded:?}")
    };
    for (name, value) in PARAMS {
        assert_eq!(
            resp.value(&format!("Device.DeviceInfo.{name}")),
            Some(*value)
        );
    }
    assert_eq!(resp.params().count(), PARAMS.len());
    let results: Vec<_> = resp.results().collect();
    assert_eq!(results[0].1.unwrap().len(), 1);
    assert_eq!(
        results[1],
        (
            "Device.Nope.",
            Err((ErrorCode::INVALID_PATH, "Invalid path"))
        )
    );
}

#[test]
fn get_supported_dm() {
    let theirs = rusp(
        "gsdm-1",
        rb::GetSupportedDMBuilder::new()
            .with_obj_paths(strings(&["Device.WiFi."]))
            .with_first_level_only(true)
            .with_return_events(false)
            .build()
            .unwrap(),
    );
    let ours = Msg::request(
        "gsdm-1",
        GetSupportedDm::new(["Device.WiFi."])
            .first_level_only(true)
            .return_events(false),
    );
    let decoded = interop(&ours, &theirs);
    let Request::GetSupportedDm(req) = request(&decoded) else {
        panic!("{decoded:?}")
    };
    assert!(req.first_level_only && req.return_commands && req.return_params);
    assert!(req.return_unique_key_sets && !req.return_events);
}

#[test]
fn get_supported_dm_resp() {
    let their_obj = rb::GSDMSupportedObjectResultBuilder::new("Device.WiFi.SSID.{i}.".into())
        .set_access_add_delete()
        .with_is_multi_instance(true)
        .with_supported_params(vec![
            rb::GSDMParamResult::new("SSID".into())
                .set_access_read_write()
                .set_type_string()
                .set_value_change_allowed(),
            rb::GSDMParamResult::new("Enable".into())
                .set_type_boolean()
                .set_value_change_will_ignore(),
        ])
        .with_supported_commands(vec![
            rb::GSDMCommandResult::new("Reset()".into()).set_sync(),
            rb::GSDMCommandResult::new("Scan()".into())
                .with_input_arg_names(strings(&["Timeout"]))
                .with_output_arg_names(strings(&["Result.{i}.SSID", "Result.{i}.Strength"]))
                .set_async(),
        ])
        .with_supported_events(vec![
            rb::GSDMEventResult::new("Changed!".into()).with_arg_names(strings(&["Why"])),
        ])
        .with_divergent_paths(strings(&["Device.WiFi.SSID.7."]))
        .with_unique_key_sets(vec![strings(&["Name"]), strings(&["Alias"])]);
    let theirs = rusp(
        "gsdm-1",
        rb::GetSupportedDMRespBuilder::new()
            .with_req_obj_results(vec![
                rb::GSDMReqObjectResultBuilder::new("Device.WiFi.SSID.".into())
                    .with_data_model_inst_uri("urn:broadband-forum-org:tr-181-2-17-0-usp".into())
                    .with_supported_objs(vec![their_obj]),
                rb::GSDMReqObjectResultBuilder::new("Device.Nope.".into())
                    .set_err(7026, Some("not supported".into())),
            ])
            .build()
            .unwrap(),
    );

    let our_obj = SupportedObjectResult::new("Device.WiFi.SSID.{i}.")
        .access(ObjAccessType::OBJ_ADD_DELETE)
        .multi_instance(true)
        .param(
            SupportedParamResult::new(
                "SSID",
                ParamAccessType::PARAM_READ_WRITE,
                ParamValueType::PARAM_STRING,
            )
            .value_change(ValueChangeType::VALUE_CHANGE_ALLOWED),
        )
        .param(
            SupportedParamResult::new(
                "Enable",
                ParamAccessType::PARAM_READ_ONLY,
                ParamValueType::PARAM_BOOLEAN,
            )
            .value_change(ValueChangeType::VALUE_CHANGE_WILL_IGNORE),
        )
        .command(SupportedCommandResult::new("Reset()", CmdType::CMD_SYNC))
        .command(
            SupportedCommandResult::new("Scan()", CmdType::CMD_ASYNC)
                .input_args(["Timeout"])
                .output_args(["Result.{i}.SSID", "Result.{i}.Strength"]),
        )
        .event(SupportedEventResult::new("Changed!").args(["Why"]))
        .divergent_path("Device.WiFi.SSID.7.")
        .unique_key_set(["Name"])
        .unique_key_set(["Alias"]);
    let ours = Msg::response(
        "gsdm-1",
        GetSupportedDmResp::new()
            .req_obj_result(
                RequestedObjectResult::new("Device.WiFi.SSID.")
                    .data_model_inst_uri("urn:broadband-forum-org:tr-181-2-17-0-usp")
                    .supported_obj(our_obj),
            )
            .req_obj_result(RequestedObjectResult::failure(
                "Device.Nope.",
                ErrorCode::INVALID_PATH,
                "not supported",
            )),
    );
    let decoded = interop(&ours, &theirs);
    let Response::GetSupportedDmResp(resp) = response(&decoded) else {
        panic!("{decoded:?}")
    };
    let obj = resp.objects().next().unwrap();
    assert_eq!(obj.access, ObjAccessType::OBJ_ADD_DELETE);
    assert_eq!(
        obj.supported_params[0].value_type,
        ParamValueType::PARAM_STRING
    );
    assert_eq!(obj.supported_commands[1].command_type, CmdType::CMD_ASYNC);
    assert_eq!(obj.unique_key_sets[1].key_names, ["Alias"]);
    assert_eq!(
        resp.req_obj_results[1].result(),
        Err((ErrorCode::INVALID_PATH, "not supported"))
    );
}

#[test]
fn get_instances() {
    let theirs = rusp(
        "gi-1",
        rb::GetInstancesBuilder::new()
            .with_obj_paths(strings(&["Device.LocalAgent.Subscription."]))
            .with_first_level_only(true)
            .build()
            .unwrap(),
    );
    let ours = Msg::request(
        "gi-1",
        GetInstances::new(["Device.LocalAgent.Subscription."]).first_level_only(true),
    );
    let decoded = interop(&ours, &theirs);
    let Request::GetInstances(req) = request(&decoded) else {
        panic!("{decoded:?}")
    };
    assert_eq!(req.obj_paths, ["Device.LocalAgent.Subscription."]);
    assert!(req.first_level_only);
}

#[test]
fn get_instances_resp() {
    let keys: &[(&str, &str)] = &[("Alias", "cpe-1"), ("ID", "boot-ß")];
    let theirs = rusp(
        "gi-1",
        rb::GetInstancesRespBuilder::new()
            .with_req_path_results(vec![
                rb::GetInstancesRespReqPathResultBuilder::new(
                    "Device.LocalAgent.Subscription.".into(),
                )
                .with_curr_insts(vec![
                    rb::CurrInstanceBuilder::new("Device.LocalAgent.Subscription.1.".into())
                        .with_unique_keys(pairs(keys)),
                    rb::CurrInstanceBuilder::new("Device.LocalAgent.Subscription.2.".into()),
                ]),
                rb::GetInstancesRespReqPathResultBuilder::new("Device.DeviceInfo.".into())
                    .set_err(7018, Some("not a table".into())),
            ])
            .build()
            .unwrap(),
    );
    let ours = Msg::response(
        "gi-1",
        GetInstancesResp::new()
            .path_result(
                "Device.LocalAgent.Subscription.",
                [
                    CurrInstance::new("Device.LocalAgent.Subscription.1.", keys.iter().copied()),
                    CurrInstance::new(
                        "Device.LocalAgent.Subscription.2.",
                        Vec::<(&str, &str)>::new(),
                    ),
                ],
            )
            .path_error("Device.DeviceInfo.", ErrorCode::NOT_A_TABLE, "not a table"),
    );
    let decoded = interop(&ours, &theirs);
    let Response::GetInstancesResp(resp) = response(&decoded) else {
        panic!("{decoded:?}")
    };
    let instances: Vec<_> = resp.instances().collect();
    assert_eq!(instances.len(), 2);
    assert_eq!(instances[0].unique_keys.get("ID"), Some("boot-ß"));
    assert!(resp.results().nth(1).unwrap().1.is_err());
}

#[test]
fn get_supported_protocol() {
    let theirs = rusp(
        "gsp-1",
        rb::GetSupportedProtocolBuilder::new("1.3,1.4".into())
            .build()
            .unwrap(),
    );
    let ours = Msg::request(
        "gsp-1",
        GetSupportedProtocol::new(&[UspVersion::V1_3, UspVersion::V1_4]),
    );
    let decoded = interop(&ours, &theirs);
    let Request::GetSupportedProtocol(req) = request(&decoded) else {
        panic!("{decoded:?}")
    };
    assert_eq!(
        req.versions().unwrap(),
        [UspVersion::V1_3, UspVersion::V1_4]
    );
}

#[test]
fn get_supported_protocol_resp() {
    let theirs = rusp(
        "gsp-1",
        rb::GetSupportedProtocolRespBuilder::new("1.0,1.5".into())
            .build()
            .unwrap(),
    );
    let ours = Msg::response(
        "gsp-1",
        GetSupportedProtocolResp::new(&[UspVersion::V1_0, UspVersion::V1_5]),
    );
    let decoded = interop(&ours, &theirs);
    let Response::GetSupportedProtocolResp(resp) = response(&decoded) else {
        panic!("{decoded:?}")
    };
    assert_eq!(
        resp.versions().unwrap(),
        [UspVersion::V1_0, UspVersion::V1_5]
    );
}

#[test]
fn add() {
    let theirs = rusp(
        "add-1",
        rb::AddBuilder::new()
            .with_allow_partial(true)
            .with_create_objs(vec![
                rb::CreateObjectBuilder::new("Device.LocalAgent.Subscription.".into())
                    .with_param_settings(vec![
                        ("Enable".into(), "true".into(), true),
                        ("ReferenceList".into(), "Device.Boot!".into(), true),
                        ("Persistent".into(), "true".into(), false),
                    ]),
                rb::CreateObjectBuilder::new("Device.NAT.PortMapping.".into()),
            ])
            .build()
            .unwrap(),
    );
    let ours = Msg::request(
        "add-1",
        Add::new()
            .allow_partial(true)
            .create(
                "Device.LocalAgent.Subscription.",
                [
                    ("Enable", "true", true),
                    ("ReferenceList", "Device.Boot!", true),
                    ("Persistent", "true", false),
                ],
            )
            .create("Device.NAT.PortMapping.", Vec::<(&str, &str)>::new()),
    );
    let decoded = interop(&ours, &theirs);
    let Request::Add(add) = request(&decoded) else {
        panic!("{decoded:?}")
    };
    assert!(add.allow_partial);
    let settings = &add.create_objs[0].param_settings;
    assert_eq!(settings[1].value, "Device.Boot!");
    assert!(settings[1].required && !settings[2].required);
    assert!(add.create_objs[1].param_settings.is_empty());
}

#[test]
fn add_resp() {
    let theirs = rusp(
        "add-1",
        rb::AddRespBuilder::new()
            .with_created_obj_results(vec![
                rb::CreatedObjectResultsBuilder::new(
                    "Device.LocalAgent.Subscription.".into(),
                    rb::AddOperationStatus::new().set_success(
                        "Device.LocalAgent.Subscription.3.".into(),
                        vec![rb::AddRespParameterError {
                            param: "Persistent".into(),
                            err_code: 7013,
                            err_msg: "read-only".into(),
                        }],
                        hash_map(&[("Alias", "cpe-3"), ("ID", "boot-1")]),
                    ),
                ),
                rb::CreatedObjectResultsBuilder::new(
                    "Device.DeviceInfo.".into(),
                    rb::AddOperationStatus::new().set_failure(7019, Some("not a table".into())),
                ),
            ])
            .build()
            .unwrap(),
    );
    let ours = Msg::response(
        "add-1",
        AddResp::new()
            .created_obj_result(
                CreatedObjectResult::success(
                    "Device.LocalAgent.Subscription.",
                    "Device.LocalAgent.Subscription.3.",
                )
                .unique_key("Alias", "cpe-3")
                .unique_key("ID", "boot-1")
                .param_err(
                    "Persistent",
                    ErrorCode::PARAMETER_NOT_WRITABLE,
                    "read-only",
                ),
            )
            .created_obj_result(CreatedObjectResult::failure(
                "Device.DeviceInfo.",
                ErrorCode::OBJECT_NOT_CREATABLE,
                "not a table",
            )),
    );
    let decoded = interop(&ours, &theirs);
    let Response::AddResp(resp) = response(&decoded) else {
        panic!("{decoded:?}")
    };
    let results: Vec<_> = resp.results().collect();
    let ok = results[0].1.unwrap();
    assert_eq!(ok.instantiated_path, "Device.LocalAgent.Subscription.3.");
    assert_eq!(ok.unique_keys.get("ID"), Some("boot-1"));
    assert_eq!(ok.param_errs[0].err_code, ErrorCode::PARAMETER_NOT_WRITABLE);
    let failure = results[1].1.unwrap_err();
    assert_eq!(failure.err_code, ErrorCode::OBJECT_NOT_CREATABLE);
    assert_eq!(failure.err_msg, "not a table");
}

#[test]
fn set() {
    let theirs = rusp(
        "set-1",
        rb::SetBuilder::new()
            .with_allow_partial(true)
            .with_update_objs(vec![
                rb::UpdateObjectBuilder::new("Device.WiFi.SSID.1.".into())
                    .with_param_settings(vec![("SSID".into(), "Wohnzimmer €".into(), true)]),
                rb::UpdateObjectBuilder::new("Device.WiFi.SSID.[Enable==true].".into())
                    .with_param_settings(vec![
                        ("Enable".into(), "false".into(), false),
                        ("Alias".into(), "x".into(), false),
                    ]),
            ])
            .build()
            .unwrap(),
    );
    let ours = Msg::request(
        "set-1",
        Set::new()
            .allow_partial(true)
            .update("Device.WiFi.SSID.1.", [("SSID", "Wohnzimmer €", true)])
            .update(
                "Device.WiFi.SSID.[Enable==true].",
                [("Enable", "false"), ("Alias", "x")],
            ),
    );
    let decoded = interop(&ours, &theirs);
    let Request::Set(set) = request(&decoded) else {
        panic!("{decoded:?}")
    };
    assert!(set.allow_partial);
    assert_eq!(set.update_objs[0].param_settings[0].value, "Wohnzimmer €");
    assert!(set.update_objs[0].param_settings[0].required);
    assert!(!set.update_objs[1].param_settings[1].required);
}

#[test]
fn set_resp() {
    let theirs = rusp(
        "set-1",
        rb::SetRespBuilder::new()
            .with_updated_obj_results(vec![
                rb::UpdatedObjectResultsBuilder::new(
                    "Device.WiFi.SSID.1.".into(),
                    rb::SetOperationStatus::new().set_success(vec![
                        rb::SetOperationSuccessBuilder::new("Device.WiFi.SSID.1.".into())
                            .with_updated_params(hash_map(&[("SSID", "home"), ("Enable", "true")]))
                            .with_param_errs(vec![rb::SetRespParameterError::new(
                                "Alias".into(),
                                7013,
                                Some("read-only".into()),
                            )]),
                    ]),
                ),
                rb::UpdatedObjectResultsBuilder::new(
                    "Device.WiFi.SSID.*.".into(),
                    rb::SetOperationStatus::new().set_failure(
                        7021,
                        Some("required parameter failed".into()),
                        vec![
                            rb::UpdatedInstanceFailureBuilder::new("Device.WiFi.SSID.2.".into())
                                .with_param_errs(vec![rb::SetRespParameterError::new(
                                    "SSID".into(),
                                    7012,
                                    Some("too long".into()),
                                )]),
                        ],
                    ),
                ),
            ])
            .build()
            .unwrap(),
    );
    let ours = Msg::response(
        "set-1",
        SetResp::new()
            .updated_obj_result(UpdatedObjectResult::success(
                "Device.WiFi.SSID.1.",
                [UpdatedInstanceResult::new(
                    "Device.WiFi.SSID.1.",
                    [("SSID", "home"), ("Enable", "true")],
                )
                .param_err("Alias", ErrorCode::PARAMETER_NOT_WRITABLE, "read-only")],
            ))
            .updated_obj_result(
                UpdatedObjectResult::failure(
                    "Device.WiFi.SSID.*.",
                    ErrorCode::REQUIRED_PARAMETER_FAILED,
                    "required parameter failed",
                )
                .updated_inst_failure(
                    UpdatedInstanceFailure::new("Device.WiFi.SSID.2.").param_err(
                        "SSID",
                        ErrorCode::INVALID_VALUE,
                        "too long",
                    ),
                ),
            ),
    );
    let decoded = interop(&ours, &theirs);
    let Response::SetResp(resp) = response(&decoded) else {
        panic!("{decoded:?}")
    };
    let results: Vec<_> = resp.results().collect();
    let ok = results[0].1.unwrap();
    assert_eq!(
        ok.updated_inst_results[0].updated_params.get("SSID"),
        Some("home")
    );
    let failure = results[1].1.unwrap_err();
    assert_eq!(failure.err_code, ErrorCode::REQUIRED_PARAMETER_FAILED);
    assert_eq!(failure.updated_inst_failures[0].param_errs[0].param, "SSID");
}

#[test]
fn delete() {
    let paths = [
        r#"Device.LocalAgent.Controller.[EndpointID=="controller-temp"]."#,
        "Device.NAT.PortMapping.3.",
    ];
    let theirs = rusp(
        "del-1",
        rb::DeleteBuilder::new()
            .with_allow_partial(true)
            .with_obj_paths(strings(&paths))
            .build()
            .unwrap(),
    );
    let ours = Msg::request("del-1", Delete::new(paths).allow_partial(true));
    let decoded = interop(&ours, &theirs);
    let Request::Delete(del) = request(&decoded) else {
        panic!("{decoded:?}")
    };
    assert!(del.allow_partial);
    assert_eq!(del.obj_paths, paths);
}

#[test]
fn delete_resp() {
    let theirs = rusp(
        "del-1",
        rb::DeleteRespBuilder::new()
            .with_deleted_obj_results(vec![
                rb::DeletedObjectResultsBuilder::new("Device.NAT.PortMapping.*.".into())
                    .set_success(
                        strings(&["Device.NAT.PortMapping.1.", "Device.NAT.PortMapping.3."]),
                        vec![rb::DeleteRespUnaffectedPathError {
                            unaffected_path: "Device.NAT.PortMapping.2.".into(),
                            err_code: 7024,
                            err_msg: "in use".into(),
                        }],
                    ),
                rb::DeletedObjectResultsBuilder::new("Device.Nope.1.".into())
                    .set_failure(7016, Some("no such object".into())),
            ])
            .build()
            .unwrap(),
    );
    let ours = Msg::response(
        "del-1",
        DeleteResp::new()
            .deleted_obj_result(
                DeletedObjectResult::success(
                    "Device.NAT.PortMapping.*.",
                    ["Device.NAT.PortMapping.1.", "Device.NAT.PortMapping.3."],
                )
                .unaffected_path_err(
                    "Device.NAT.PortMapping.2.",
                    ErrorCode::DELETE_FAILURE,
                    "in use",
                ),
            )
            .deleted_obj_result(DeletedObjectResult::failure(
                "Device.Nope.1.",
                ErrorCode::OBJECT_DOES_NOT_EXIST,
                "no such object",
            )),
    );
    let decoded = interop(&ours, &theirs);
    let Response::DeleteResp(resp) = response(&decoded) else {
        panic!("{decoded:?}")
    };
    let results: Vec<_> = resp.results().collect();
    let ok = results[0].1.unwrap();
    assert_eq!(ok.affected_paths.len(), 2);
    assert_eq!(
        ok.unaffected_path_errs[0].err_code,
        ErrorCode::DELETE_FAILURE
    );
    assert_eq!(
        results[1].1.unwrap_err().err_code,
        ErrorCode::OBJECT_DOES_NOT_EXIST
    );
}

#[test]
fn operate() {
    let args: &[(&str, &str)] = &[
        ("Host", "192.0.2.1"),
        ("NumberOfRepetitions", "3"),
        ("Ψ", ""),
    ];
    let theirs = rusp(
        "op-1",
        rb::OperateBuilder::new("Device.IP.Diagnostics.IPPing()".into())
            .with_command_key("ping-1".into())
            .with_send_resp(true)
            .with_input_args(pairs(args))
            .build()
            .unwrap(),
    );
    let ours = Msg::request(
        "op-1",
        Operate::new("Device.IP.Diagnostics.IPPing()")
            .command_key("ping-1")
            .send_resp(true)
            .args(args.iter().copied()),
    );
    let decoded = interop(&ours, &theirs);
    let Request::Operate(op) = request(&decoded) else {
        panic!("{decoded:?}")
    };
    assert_eq!(op.command_key, "ping-1");
    assert!(op.send_resp);
    for (k, v) in args {
        assert_eq!(op.input_args.get(k), Some(*v));
    }
}

#[test]
fn operate_resp() {
    let theirs = rusp(
        "op-1",
        rb::OperateRespBuilder::new()
            .with_operation_results(vec![
                rb::OperateRespResultBuilder::new("Device.WiFi.Radio.1.Scan()".into())
                    .set_output_args(pairs(&[("Count", "4"), ("Best", "ch 36")])),
                rb::OperateRespResultBuilder::new("Device.SelfTestDiagnostics()".into())
                    .set_path("Device.LocalAgent.Request.1.".into()),
                rb::OperateRespResultBuilder::new("Device.WiFi.Radio.2.Scan()".into())
                    .set_failure(7022, Some("radio off".into())),
            ])
            .build()
            .unwrap(),
    );
    let ours = Msg::response(
        "op-1",
        OperateResp::new()
            .operation_result(OperationResult::output_args(
                "Device.WiFi.Radio.1.Scan()",
                [("Count", "4"), ("Best", "ch 36")],
            ))
            .operation_result(OperationResult::req_obj_path(
                "Device.SelfTestDiagnostics()",
                "Device.LocalAgent.Request.1.",
            ))
            .operation_result(OperationResult::cmd_failure(
                "Device.WiFi.Radio.2.Scan()",
                ErrorCode::COMMAND_FAILURE,
                "radio off",
            )),
    );
    let decoded = interop(&ours, &theirs);
    let Response::OperateResp(resp) = response(&decoded) else {
        panic!("{decoded:?}")
    };
    let r = &resp.operation_results;
    assert_eq!(r[0].as_output_args().unwrap().get("Best"), Some("ch 36"));
    assert_eq!(r[1].as_req_obj_path(), Some("Device.LocalAgent.Request.1."));
    assert_eq!(r[2].as_cmd_failure().unwrap().err_msg, "radio off");
}

/// Every kind of notification.
#[test]
fn notify() {
    let event_args: &[(&str, &str)] = &[("Cause", "LocalReboot"), ("FirmwareUpdated", "false")];
    let cases: Vec<(rb::NotifyBuilder, Notify<'static>)> = vec![
        (
            rb::NotifyBuilder::new("boot".into())
                .with_send_resp(true)
                .with_event("Device.".into(), "Boot!".into(), hash_map(event_args)),
            Notify::event("boot", "Device.", "Boot!", event_args.iter().copied()).send_resp(true),
        ),
        (
            rb::NotifyBuilder::new("vc".into())
                .with_value_change("Device.WiFi.SSID.1.SSID".into(), "Küche".into()),
            Notify::value_change("vc", "Device.WiFi.SSID.1.SSID", "Küche"),
        ),
        (
            rb::NotifyBuilder::new("oc".into()).with_object_creation(
                "Device.NAT.PortMapping.3.".into(),
                hash_map(&[("Alias", "cpe-3"), ("ExternalPort", "8080")]),
            ),
            Notify::object_creation(
                "oc",
                "Device.NAT.PortMapping.3.",
                [("Alias", "cpe-3"), ("ExternalPort", "8080")],
            ),
        ),
        (
            rb::NotifyBuilder::new("od".into())
                .with_object_deletion("Device.NAT.PortMapping.3.".into()),
            Notify::object_deletion("od", "Device.NAT.PortMapping.3."),
        ),
        (
            rb::NotifyBuilder::new("opc".into())
                .with_send_resp(true)
                .with_operation_complete_output_args(
                    "Device.DeviceInfo.FirmwareImage.2.".into(),
                    "Download()".into(),
                    "dl-1".into(),
                    hash_map(&[("Status", "ok")]),
                ),
            Notify::operation_complete_success(
                "opc",
                "Device.DeviceInfo.FirmwareImage.2.",
                "Download()",
                "dl-1",
                [("Status", "ok")],
            )
            .send_resp(true),
        ),
        (
            rb::NotifyBuilder::new("opc".into()).with_operation_complete_cmd_failure(
                "Device.DeviceInfo.FirmwareImage.2.".into(),
                "Download()".into(),
                "dl-2".into(),
                7023,
                "canceled".into(),
            ),
            Notify::operation_complete_failure(
                "opc",
                "Device.DeviceInfo.FirmwareImage.2.",
                "Download()",
                "dl-2",
                ErrorCode::COMMAND_CANCELED,
                "canceled",
            ),
        ),
        (
            rb::NotifyBuilder::new(String::new())
                .with_send_resp(true)
                .with_onboard_request(
                    "00256D".into(),
                    "STB".into(),
                    "0123456789".into(),
                    "1.3,1.4".into(),
                ),
            Notify::on_board_request(
                "00256D",
                "STB",
                "0123456789",
                &[UspVersion::V1_3, UspVersion::V1_4],
            ),
        ),
    ];
    for (i, (theirs, ours)) in cases.into_iter().enumerate() {
        let id = format!("notify-{i}");
        let theirs = rusp(&id, theirs.build().unwrap());
        let ours = Msg::request(id, ours);
        let decoded = interop(&ours, &theirs);
        let Request::Notify(n) = request(&decoded) else {
            panic!("{decoded:?}")
        };
        match i {
            0 => {
                let e = n.as_event().unwrap();
                assert_eq!((&*e.obj_path, &*e.event_name), ("Device.", "Boot!"));
                assert_eq!(e.params.get("Cause"), Some("LocalReboot"));
                assert!(n.send_resp);
            }
            1 => assert_eq!(n.as_value_change().unwrap().param_value, "Küche"),
            2 => assert_eq!(
                n.as_object_creation()
                    .unwrap()
                    .unique_keys
                    .get("ExternalPort"),
                Some("8080")
            ),
            3 => assert_eq!(
                n.as_object_deletion().unwrap().obj_path,
                "Device.NAT.PortMapping.3."
            ),
            4 => {
                let oc = n.as_operation_complete().unwrap();
                assert_eq!(oc.command_key, "dl-1");
                assert_eq!(oc.as_output_args().unwrap().get("Status"), Some("ok"));
            }
            5 => {
                let oc = n.as_operation_complete().unwrap();
                assert!(matches!(
                    oc.operation_resp,
                    Some(OperationCompleteResult::CmdFailure(_))
                ));
                assert_eq!(
                    oc.as_cmd_failure().unwrap().err_code,
                    ErrorCode::COMMAND_CANCELED
                );
            }
            _ => {
                let ob = n.as_on_board_request().unwrap();
                assert_eq!(ob.versions().unwrap(), [UspVersion::V1_3, UspVersion::V1_4]);
                assert!(n.send_resp && n.subscription_id.is_empty());
            }
        }
    }
}

#[test]
fn notify_resp() {
    let theirs = rusp(
        "notify-1",
        rb::NotifyRespBuilder::new("boot".into()).build().unwrap(),
    );
    let notify = Notify::event("boot", "Device.", "Boot!", [("Cause", "LocalReboot")]);
    let ours = Msg::response("notify-1", notify.response());
    let decoded = interop(&ours, &theirs);
    let Response::NotifyResp(resp) = response(&decoded) else {
        panic!("{decoded:?}")
    };
    assert_eq!(resp.subscription_id, "boot");
    assert_eq!(Msg::response("notify-1", NotifyResp::new("boot")), ours);
}

#[test]
fn register() {
    let paths = ["Device.Time.", "Device.WiFi.DataElements."];
    let theirs = rusp(
        "reg-1",
        rb::RegisterBuilder::new()
            .with_allow_partial(true)
            .with_reg_paths(strings(&paths))
            .build()
            .unwrap(),
    );
    let ours = Msg::request("reg-1", Register::new(paths).allow_partial(true));
    let decoded = interop(&ours, &theirs);
    let Request::Register(reg) = request(&decoded) else {
        panic!("{decoded:?}")
    };
    assert!(reg.allow_partial);
    assert_eq!(reg.reg_paths[1].path, "Device.WiFi.DataElements.");
}

#[test]
fn register_resp() {
    let theirs = rusp(
        "reg-1",
        rb::RegisterRespBuilder::new()
            .with_registered_path_results(vec![
                rb::RegisteredPathResultBuilder::new("Device.Time.".into())
                    .set_success("Device.Time.".into()),
                rb::RegisteredPathResultBuilder::new("Device.WiFi.DataElements.".into())
                    .set_failure(7029, Some("in use".into())),
            ])
            .build()
            .unwrap(),
    );
    let ours = Msg::response(
        "reg-1",
        RegisterResp::new()
            .registered_path_result(RegisteredPathResult::success(
                "Device.Time.",
                "Device.Time.",
            ))
            .registered_path_result(RegisteredPathResult::failure(
                "Device.WiFi.DataElements.",
                ErrorCode::ALREADY_IN_USE,
                "in use",
            )),
    );
    let decoded = interop(&ours, &theirs);
    let Response::RegisterResp(resp) = response(&decoded) else {
        panic!("{decoded:?}")
    };
    let results: Vec<_> = resp.results().collect();
    assert_eq!(results[0].1.unwrap().registered_path, "Device.Time.");
    assert_eq!(
        results[1].1.unwrap_err().err_code,
        ErrorCode::ALREADY_IN_USE
    );
}

#[test]
fn deregister() {
    for (theirs, ours) in [
        (
            strings(&["Device.Time."]),
            Deregister::new(["Device.Time."]),
        ),
        (strings(&[""]), Deregister::all()),
    ] {
        let theirs = rusp(
            "dereg-1",
            rb::DeregisterBuilder::new()
                .with_paths(theirs)
                .build()
                .unwrap(),
        );
        let ours = Msg::request("dereg-1", ours);
        let decoded = interop(&ours, &theirs);
        assert_eq!(decoded.msg_type(), MsgType::DEREGISTER);
    }
}

#[test]
fn deregister_resp() {
    let theirs = rusp(
        "dereg-1",
        rb::DeregisterRespBuilder::new()
            .with_deregistered_path_results(vec![
                rb::DeregisteredPathResultBuilder::new("".into())
                    .set_success(strings(&["Device.Time.", "Device.WiFi.DataElements."])),
                rb::DeregisteredPathResultBuilder::new("Device.X.".into())
                    .set_failure(7030, Some("not registered".into())),
            ])
            .build()
            .unwrap(),
    );
    let ours = Msg::response(
        "dereg-1",
        DeregisterResp::new()
            .deregistered_path_result(DeregisteredPathResult::success(
                "",
                ["Device.Time.", "Device.WiFi.DataElements."],
            ))
            .deregistered_path_result(DeregisteredPathResult::failure(
                "Device.X.",
                ErrorCode::DEREGISTER_FAILURE,
                "not registered",
            )),
    );
    let decoded = interop(&ours, &theirs);
    let Response::DeregisterResp(resp) = response(&decoded) else {
        panic!("{decoded:?}")
    };
    let results: Vec<_> = resp.results().collect();
    assert_eq!(results[0].1.unwrap().deregistered_path.len(), 2);
    assert_eq!(
        results[1].1.unwrap_err().err_code,
        ErrorCode::DEREGISTER_FAILURE
    );
}

#[test]
fn error() {
    let theirs = rusp(
        "set-2",
        rb::ErrorBuilder::new()
            .set_err(7004, Some("Invalid arguments".into()))
            .with_param_errs(vec![
                ("Device.WiFi.SSID.1.SSID".into(), 7012, "too long".into()),
                (
                    "Device.WiFi.SSID.1.Enable".into(),
                    7011,
                    "not a boolean".into(),
                ),
            ])
            .build()
            .unwrap(),
    );
    let ours = Msg::error(
        "set-2",
        UspError::new(ErrorCode::INVALID_ARGUMENTS, "Invalid arguments")
            .param_err(
                "Device.WiFi.SSID.1.SSID",
                ErrorCode::INVALID_VALUE,
                "too long",
            )
            .param_err(
                "Device.WiFi.SSID.1.Enable",
                ErrorCode::INVALID_TYPE,
                "not a boolean",
            ),
    );
    let decoded = interop(&ours, &theirs);
    assert!(decoded.answers("set-2"));
    let err = decoded.as_error().unwrap();
    assert_eq!(err.err_code, ErrorCode::INVALID_ARGUMENTS);
    assert_eq!(err.param_errs[1].err_code, ErrorCode::INVALID_TYPE);
}
