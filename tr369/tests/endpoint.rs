//! Agent and Controller end to end: every request type, allow_partial semantics,
//! notifications and their retry, asynchronous commands, E2E sessions with segmentation,
//! over the in-memory pair, WebSocket and UNIX domain sockets.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tr369::agent::{
    Agent, Boot, CommandReply, CommandRequest, Fault, Handler, NotifType, Subscription,
    local_agent_model,
};
use tr369::controller::{Controller, ControllerEvent, ControllerEvents};
use tr369::datamodel::{MemoryInstances, ObjectAccess, ParamType, SupportedModel};
use tr369::e2e::SessionConfig;
use tr369::msg::request::notify::Notification;
use tr369::msg::response::delete::OperationStatus as DelStatus;
use tr369::msg::response::set::OperationStatus as SetStatus;
use tr369::msg::{
    Add, Body, Delete, Get, GetInstances, GetSupportedDm, GetSupportedProtocol, Msg, Operate,
    Request, Response, Set,
};
use tr369::mtp::{ConnectionId, MemoryMtp, Mtp, MtpAddress, MtpExt, Outbound};
use tr369::record::Record;
use tr369::types::{EndpointId, ErrorCode};
use tr369::{Error, Route};

fn agent_id() -> EndpointId {
    "os::00256D-0123456789".parse().unwrap()
}

fn controller_id() -> EndpointId {
    "self::test-controller".parse().unwrap()
}

fn model() -> (SupportedModel, MemoryInstances) {
    let mut m = SupportedModel::builder("Device");
    m.object("Device.DeviceInfo.")
        .param("SoftwareVersion", ParamType::string())
        .writable("ProvisioningCode", ParamType::string())
        .writable("Counter", ParamType::unsigned_int());
    m.object("Device.WiFi.");
    m.object("Device.WiFi.SSID.{i}.")
        .access(ObjectAccess::AddDelete)
        .unique_key(&["Alias"])
        .writable("Alias", ParamType::string())
        .writable("Enable", ParamType::boolean())
        .writable("SSID", ParamType::string());
    m.object("Device.Fixed.{i}.")
        .param("Name", ParamType::string());
    m.command("Device.Echo()", false, &["Text"], &["Text"]);
    m.command("Device.Slow()", true, &[], &["Done"]);
    m.command("Device.Broken()", true, &[], &[]);
    local_agent_model(&mut m);
    let mut data = MemoryInstances::new();
    data.set("Device.DeviceInfo.", "SoftwareVersion", "1.2.3");
    data.set("Device.DeviceInfo.", "ProvisioningCode", "");
    data.set("Device.DeviceInfo.", "Counter", "0");
    for (alias, ssid) in [("a", "one"), ("b", "two")] {
        let n = data.add_instance("Device.WiFi.SSID.");
        let row = format!("Device.WiFi.SSID.{n}.");
        data.set(&row, "Alias", alias);
        data.set(&row, "Enable", "true");
        data.set(&row, "SSID", ssid);
    }
    let n = data.add_instance("Device.Fixed.");
    data.set(&format!("Device.Fixed.{n}."), "Name", "fixed");
    (m.build().unwrap(), data)
}

/// Refuses SSIDs named "forbidden"; runs Echo, Slow (async) and Broken (async, fails).
struct TestHandler;

impl Handler for TestHandler {
    fn set(&mut self, _object: &str, param: &str, value: &str) -> Result<(), Fault> {
        if param == "SSID" && value == "forbidden" {
            return Err(Fault::new(
                ErrorCode::INVALID_VALUE,
                "that SSID is not allowed",
            ));
        }
        Ok(())
    }

    fn operate(&mut self, request: CommandRequest) -> CommandReply {
        match request.path.as_str() {
            "Device.Echo()" => CommandReply::Done(BTreeMap::from([(
                "Text".to_owned(),
                request.input.get("Text").cloned().unwrap_or_default(),
            )])),
            "Device.Slow()" => {
                let completion = request
                    .completion
                    .expect("async commands have a completion");
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    completion
                        .complete(Ok(BTreeMap::from([("Done".to_owned(), "yes".to_owned())])));
                });
                CommandReply::Started
            }
            "Device.Broken()" => {
                let completion = request
                    .completion
                    .expect("async commands have a completion");
                tokio::spawn(async move {
                    completion.complete(Err(Fault::new(ErrorCode::COMMAND_FAILURE, "it broke")));
                });
                CommandReply::Started
            }
            _ => CommandReply::Failed(Fault::new(ErrorCode::COMMAND_FAILURE, "unknown")),
        }
    }
}

fn agent_builder() -> tr369::agent::AgentBuilder {
    let (schema, data) = model();
    let mut agent = Agent::builder(agent_id(), schema, data);
    agent.handler(TestHandler);
    agent
}

/// An Agent and a Controller over an in-memory pair, with the Controller subscribed to
/// OperationComplete and ObjectCreation.
fn memory_pair(e2e: Option<SessionConfig>) -> (Agent, Controller, ControllerEvents) {
    let (a, c) = MemoryMtp::pair(256);
    let mut agent = agent_builder();
    let mtp = agent.mtp(a);
    agent
        .controller(controller_id(), Route::new(mtp, MtpAddress::Memory))
        .subscription(Subscription::new(
            "ops",
            controller_id(),
            NotifType::OperationComplete,
            ["Device.Slow()", "Device.Broken()"],
        ))
        .subscription(Subscription::new(
            "ssids",
            controller_id(),
            NotifType::ObjectCreation,
            ["Device.WiFi.SSID."],
        ));
    if let Some(config) = e2e.clone() {
        agent.e2e(config);
    }
    let agent = agent.start();
    let mut controller = Controller::builder(controller_id());
    let mtp = controller.mtp(c);
    controller
        .route(agent_id(), Route::new(mtp, MtpAddress::Memory))
        .timeout(Duration::from_secs(5))
        .operation_timeout(Duration::from_secs(5));
    if let Some(config) = e2e {
        controller.e2e(config);
    }
    let (controller, events) = controller.start();
    (agent, controller, events)
}

/// A response as the readable text of its Message.
fn text<R: Clone + Into<Response<'static>>>(r: &R) -> String {
    Msg::response("t", r.clone()).to_string()
}

async fn recv_msg(raw: &mut MemoryMtp) -> Msg<'static> {
    let inbound = tokio::time::timeout(Duration::from_secs(30), raw.recv())
        .await
        .unwrap()
        .unwrap();
    let record = Record::decode(inbound.record).unwrap();
    let payload = record.no_session_context_payload().unwrap().clone();
    Msg::decode(&payload).unwrap().into_owned()
}

async fn send(raw: &mut MemoryMtp, msg: Msg<'_>) {
    let record = Record::no_session_context(agent_id(), controller_id(), msg.to_bytes()).unwrap();
    raw.send(Outbound::new(record.to_bytes(), MtpAddress::Memory))
        .await
        .unwrap();
}

async fn next_notify(events: &mut ControllerEvents) -> tr369::msg::Notify<'static> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), events.recv()).await {
            Ok(Some(ControllerEvent::Notify { notify, .. })) => return notify,
            Ok(Some(_)) => continue,
            other => panic!("no notification: {other:?}"),
        }
    }
}

#[tokio::test]
async fn get_set_add_delete_round_trip() {
    let (_agent, c, mut events) = memory_pair(None);
    let a = agent_id();

    let resp = c
        .get(
            &a,
            Get::new(["Device.DeviceInfo.", "Device.WiFi.SSID.*.SSID"]),
        )
        .await
        .unwrap();
    assert_eq!(
        resp.value("Device.DeviceInfo.SoftwareVersion"),
        Some("1.2.3")
    );
    assert_eq!(resp.value("Device.WiFi.SSID.1.SSID"), Some("one"));
    assert_eq!(resp.value("Device.WiFi.SSID.2.SSID"), Some("two"));

    let set = c
        .set(
            &a,
            Set::new().update("Device.WiFi.SSID.[Alias==\"b\"].", [("SSID", "renamed")]),
        )
        .await
        .unwrap();
    assert!(matches!(
        set.updated_obj_results[0].oper_status,
        Some(SetStatus::OperSuccess(_))
    ));
    let resp = c
        .get(&a, Get::new(["Device.WiFi.SSID.2.SSID"]))
        .await
        .unwrap();
    assert_eq!(resp.value("Device.WiFi.SSID.2.SSID"), Some("renamed"));

    let add = c
        .add(
            &a,
            Add::new().create("Device.WiFi.SSID.", [("SSID", "guest")]),
        )
        .await
        .unwrap();
    let created = text(&add);
    assert!(created.contains("Device.WiFi.SSID.3."), "{created}");
    // R-ADD.5: the unique key the Controller left out has a value.
    let keys = c
        .get_instances(&a, GetInstances::new(["Device.WiFi.SSID."]))
        .await
        .unwrap();
    let third = keys
        .instances()
        .find(|i| i.instantiated_obj_path == "Device.WiFi.SSID.3.")
        .unwrap();
    assert!(
        third
            .unique_keys
            .get("Alias")
            .is_some_and(|v| !v.is_empty())
    );
    // The Subscription on Device.WiFi.SSID. reports it.
    let n = next_notify(&mut events).await;
    assert!(
        matches!(&n.notification, Some(Notification::ObjCreation(o)) if o.obj_path == "Device.WiFi.SSID.3.")
    );

    let del = c
        .delete(&a, Delete::new(["Device.WiFi.SSID.3."]))
        .await
        .unwrap();
    assert!(matches!(
        &del.deleted_obj_results[0].oper_status,
        Some(DelStatus::OperSuccess(s)) if s.affected_paths == ["Device.WiFi.SSID.3."]
    ));
    let resp = c.get(&a, Get::new(["Device.WiFi.SSID.3."])).await.unwrap();
    assert!(text(&resp).contains("7026"), "{}", text(&resp));
}

#[tokio::test]
async fn r_set_1_without_allow_partial_a_failure_fails_all_and_changes_nothing() {
    let (_agent, c, _events) = memory_pair(None);
    let a = agent_id();
    let set = Set::new()
        .update("Device.DeviceInfo.", [("ProvisioningCode", "changed")])
        .update(
            "Device.WiFi.SSID.1.",
            [
                tr369::msg::request::set::UpdateParamSetting::new("SSID", "forbidden")
                    .required(true),
            ],
        );
    match c.set(&a, set).await {
        Err(Error::Usp { code, params, .. }) => {
            assert_eq!(code, ErrorCode::REQUIRED_PARAMETER_FAILED);
            assert_eq!(params[0].path, "Device.WiFi.SSID.1.SSID");
            assert_eq!(params[0].code, ErrorCode::INVALID_VALUE);
        }
        other => panic!("expected an Error message, got {other:?}"),
    }
    let resp = c
        .get(
            &a,
            Get::new([
                "Device.DeviceInfo.ProvisioningCode",
                "Device.WiFi.SSID.1.SSID",
            ]),
        )
        .await
        .unwrap();
    assert_eq!(resp.value("Device.DeviceInfo.ProvisioningCode"), Some(""));
    assert_eq!(resp.value("Device.WiFi.SSID.1.SSID"), Some("one"));
}

#[tokio::test]
async fn r_set_0_with_allow_partial_objects_succeed_or_fail_alone() {
    let (_agent, c, _events) = memory_pair(None);
    let a = agent_id();
    let set = Set::new()
        .allow_partial(true)
        .update(
            "Device.DeviceInfo.",
            [("ProvisioningCode", "changed"), ("SoftwareVersion", "9")],
        )
        .update(
            "Device.WiFi.SSID.1.",
            [
                tr369::msg::request::set::UpdateParamSetting::new("SSID", "forbidden")
                    .required(true),
            ],
        )
        .update("Device.DeviceInfo.", [("Counter", "-1")]);
    let resp = c.set(&a, set).await.unwrap();
    // First object: success, with the read-only parameter reported (7013), not fatal.
    let Some(SetStatus::OperSuccess(ok)) = &resp.updated_obj_results[0].oper_status else {
        panic!("{}", text(&resp))
    };
    let errs = &ok.updated_inst_results[0].param_errs;
    assert_eq!(errs[0].param, "SoftwareVersion");
    assert_eq!(errs[0].err_code, ErrorCode::PARAMETER_NOT_WRITABLE);
    // Second: a required parameter failed, so the object failed (R-SET.2).
    assert!(
        matches!(&resp.updated_obj_results[1].oper_status, Some(SetStatus::OperFailure(f)) if f.err_code == ErrorCode::REQUIRED_PARAMETER_FAILED)
    );
    // Third: an invalid unsignedInt, not required: success with a 7012 parameter error.
    let Some(SetStatus::OperSuccess(ok)) = &resp.updated_obj_results[2].oper_status else {
        panic!("{}", text(&resp))
    };
    assert_eq!(
        ok.updated_inst_results[0].param_errs[0].err_code,
        ErrorCode::INVALID_VALUE
    );
    let got = c.get(&a, Get::new(["Device.DeviceInfo."])).await.unwrap();
    assert_eq!(
        got.value("Device.DeviceInfo.ProvisioningCode"),
        Some("changed")
    );
    assert_eq!(got.value("Device.DeviceInfo.Counter"), Some("0"));
}

#[tokio::test]
async fn r_add_1_and_r_del_1_fail_whole_and_change_nothing() {
    let (_agent, c, _events) = memory_pair(None);
    let a = agent_id();
    let add = Add::new()
        .create("Device.WiFi.SSID.", [("SSID", "new")])
        .create("Device.Fixed.", [("Name", "x")]);
    match c.add(&a, add).await {
        Err(Error::Usp { code, .. }) => assert_eq!(code, ErrorCode::OBJECT_NOT_CREATABLE),
        other => panic!("{other:?}"),
    }
    let inst = c
        .get_instances(&a, GetInstances::new(["Device.WiFi.SSID."]))
        .await
        .unwrap();
    assert_eq!(
        inst.instances().count(),
        2,
        "the first object was rolled back"
    );
    // R-ADD.5 duplicates: a unique key that is taken.
    let dup = c
        .add(
            &a,
            Add::new()
                .allow_partial(true)
                .create("Device.WiFi.SSID.", [("Alias", "a")]),
        )
        .await
        .unwrap();
    assert!(text(&dup).contains("7025"), "{}", text(&dup));

    match c
        .delete(
            &a,
            Delete::new(["Device.WiFi.SSID.1.", "Device.WiFi.SSID.9."]),
        )
        .await
    {
        Err(Error::Usp { code, .. }) => assert_eq!(code, ErrorCode::OBJECT_DOES_NOT_EXIST),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        c.get_instances(&a, GetInstances::new(["Device.WiFi.SSID."]))
            .await
            .unwrap()
            .instances()
            .count(),
        2
    );
    // R-DEL.2a: a valid search that matches nothing is a success with nothing affected.
    let none = c
        .delete(
            &a,
            Delete::new(["Device.WiFi.SSID.[SSID==\"nothing\"]."]).allow_partial(true),
        )
        .await
        .unwrap();
    assert!(
        matches!(&none.deleted_obj_results[0].oper_status, Some(DelStatus::OperSuccess(s)) if s.affected_paths.is_empty())
    );
    // Fixed is not deletable.
    let fixed = c
        .delete(&a, Delete::new(["Device.Fixed.1."]).allow_partial(true))
        .await
        .unwrap();
    assert!(text(&fixed).contains("7024"), "{}", text(&fixed));
}

#[tokio::test]
async fn operate_sync_async_and_failure() {
    let (agent, c, _events) = memory_pair(None);
    let a = agent_id();
    let out = c
        .operate_and_wait(&a, Operate::new("Device.Echo()").arg("Text", "hi"))
        .await
        .unwrap();
    assert_eq!(out.get("Text"), Some("hi"));
    // R-OPR.0: an asynchronous command has a Request object while it runs, and its end
    // arrives in OperationComplete.
    let out = c
        .operate_and_wait(&a, Operate::new("Device.Slow()").command_key("k1"))
        .await
        .unwrap();
    assert_eq!(out.get("Done"), Some("yes"));
    match c
        .operate_and_wait(&a, Operate::new("Device.Broken()"))
        .await
    {
        Err(Error::Command { code, message }) => {
            assert_eq!(code, ErrorCode::COMMAND_FAILURE);
            assert_eq!(message, "it broke");
        }
        other => panic!("{other:?}"),
    }
    // The Request objects are gone once the commands ended.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let rows = c
        .get_instances(&a, GetInstances::new(["Device.LocalAgent.Request."]))
        .await
        .unwrap();
    assert_eq!(rows.instances().count(), 0);
    // A command that does not exist: the request itself fails (an Error Message).
    match c
        .operate(&a, Operate::new("Device.Nothing()").send_resp(true))
        .await
    {
        Err(Error::Usp { code, .. }) => assert_eq!(code, ErrorCode::INVALID_PATH),
        other => panic!("{other:?}"),
    }
    drop(agent);
}

#[tokio::test]
async fn get_supported_dm_protocol_and_unsupported_requests() {
    let (_agent, c, _events) = memory_pair(None);
    let a = agent_id();
    let dm = c
        .get_supported_dm(
            &a,
            GetSupportedDm::new(["Device.WiFi."])
                .return_params(true)
                .return_commands(true),
        )
        .await
        .unwrap();
    let paths: Vec<_> = dm
        .objects()
        .map(|o| o.supported_obj_path.to_string())
        .collect();
    assert_eq!(paths, ["Device.WiFi.", "Device.WiFi.SSID.{i}."]);
    let ssid = dm.objects().nth(1).unwrap();
    assert!(ssid.is_multi_instance);
    assert_eq!(ssid.supported_params.len(), 3);
    let proto = c
        .get_supported_protocol(
            &a,
            GetSupportedProtocol::new(&[tr369::types::UspVersion::V1_4]),
        )
        .await
        .unwrap();
    assert!(proto.agent_supported_protocol_versions.contains("1.4"));
    // A Controller-only request is refused with an Error message (R-MSG.1).
    match c.request(&a, tr369::msg::Deregister::all()).await {
        Err(Error::Usp { code, .. }) => assert_eq!(code, ErrorCode::MESSAGE_NOT_SUPPORTED),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn value_change_and_events_reach_subscribers() {
    let (agent, c, mut events) = memory_pair(None);
    let a = agent_id();
    // A Controller subscribes with Add; the Agent fills in Recipient.
    let sub = Add::new().create(
        "Device.LocalAgent.Subscription.",
        [
            ("ID", "vc"),
            ("Enable", "true"),
            ("NotifType", "ValueChange"),
            ("ReferenceList", "Device.DeviceInfo.ProvisioningCode"),
        ],
    );
    c.add(&a, sub).await.unwrap();
    agent
        .set_value("Device.DeviceInfo.ProvisioningCode", "from-app")
        .await
        .unwrap();
    let n = next_notify(&mut events).await;
    assert_eq!(n.subscription_id, "vc");
    let Some(Notification::ValueChange(v)) = &n.notification else {
        panic!("{n:?}")
    };
    assert_eq!(
        (v.param_path.as_ref(), v.param_value.as_ref()),
        ("Device.DeviceInfo.ProvisioningCode", "from-app")
    );
    // A change made by a Set triggers it too, whoever made it.
    c.set(
        &a,
        Set::new().update("Device.DeviceInfo.", [("ProvisioningCode", "from-set")]),
    )
    .await
    .unwrap();
    let n = next_notify(&mut events).await;
    assert!(
        matches!(&n.notification, Some(Notification::ValueChange(v)) if v.param_value == "from-set")
    );
    // Setting the same value again is no change.
    agent
        .set_value("Device.DeviceInfo.ProvisioningCode", "from-set")
        .await
        .unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(100), events.recv())
            .await
            .is_err()
    );
    // Unknown parameters are refused.
    assert!(
        agent
            .set_value("Device.DeviceInfo.Nope", "x")
            .await
            .is_err()
    );
}

/// A Controller that never answers NotifyResp gets the notification again, with the same
/// msg_id, after the R-NOT.1 wait; once it answers, the retries stop (R-NOT.3).
#[tokio::test]
async fn r_not_1_unanswered_notifications_are_retried_until_answered() {
    let (a, mut raw) = MemoryMtp::pair(64);
    let mut agent = agent_builder();
    let mtp = agent.mtp(a);
    agent
        .controller(controller_id(), Route::new(mtp, MtpAddress::Memory))
        .subscription(
            Subscription::new("boot", controller_id(), NotifType::Event, ["Device.Boot!"])
                .retry(true, 0),
        )
        .boot(Boot::new(
            "LocalReboot",
            ["Device.DeviceInfo.SoftwareVersion"],
        ));
    let agent = agent.start();
    let first = recv_msg(&mut raw).await;
    let Body::Request(Request::Notify(n)) = first.body() else {
        panic!("{first}")
    };
    assert!(n.send_resp);
    let Some(Notification::Event(e)) = &n.notification else {
        panic!()
    };
    assert_eq!(
        e.params.get("ParameterMap"),
        Some("{\"Device.DeviceInfo.SoftwareVersion\":\"1.2.3\"}")
    );
    // Make the retries short: USPNotifRetryMinimumWaitInterval = 1 s.
    let set = Msg::request(
        "set-1",
        Set::new().update(
            "Device.LocalAgent.Controller.1.",
            [("USPNotifRetryMinimumWaitInterval", "1")],
        ),
    );
    send(&mut raw, set).await;
    let set_resp = recv_msg(&mut raw).await;
    assert!(set_resp.as_response().is_some(), "{set_resp}");
    // The first retry was scheduled with the default 5 s; it comes within 10 s.
    let again = recv_msg(&mut raw).await;
    assert_eq!(again.msg_id(), first.msg_id());
    send(&mut raw, Msg::response(again.msg_id(), n.response())).await;
    // Answered: nothing more comes.
    let more = tokio::time::timeout(Duration::from_secs(3), raw.recv()).await;
    assert!(more.is_err(), "retried after the NotifyResp: {more:?}");
    drop(agent);
}

/// Counts the Records a transport sends, and the largest.
#[derive(Debug)]
struct Counting {
    inner: MemoryMtp,
    stats: Arc<Mutex<(usize, usize, usize)>>,
}

impl Mtp for Counting {
    fn kind(&self) -> tr369::mtp::MtpKind {
        self.inner.kind()
    }
    fn poll_recv(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<tr369::mtp::Inbound, tr369::mtp::MtpError>> {
        self.inner.poll_recv(cx)
    }
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), tr369::mtp::MtpError>> {
        self.inner.poll_ready(cx)
    }
    fn start_send(&mut self, outbound: Outbound) -> Result<(), tr369::mtp::MtpError> {
        let record = Record::decode(outbound.record.clone()).unwrap();
        let mut stats = self.stats.lock().unwrap();
        stats.0 += 1;
        stats.1 = stats.1.max(outbound.record.len());
        stats.2 += usize::from(record.session_context_fields().is_some());
        self.inner.start_send(outbound)
    }
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), tr369::mtp::MtpError>> {
        self.inner.poll_flush(cx)
    }
    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), tr369::mtp::MtpError>> {
        self.inner.poll_close(cx)
    }
}

/// E2E sessions on both sides with a small maximum Record size: every Message is
/// segmented and reassembled, transparently for both applications.
#[tokio::test]
async fn e2e_sessions_with_forced_segmentation() {
    let config = segmenting();
    let (a_side, c_side) = MemoryMtp::pair(1024);
    let agent_stats = Arc::new(Mutex::new((0, 0, 0)));
    let mut agent = agent_builder();
    let mtp = agent.mtp(Counting {
        inner: a_side,
        stats: agent_stats.clone(),
    });
    agent
        .controller(controller_id(), Route::new(mtp, MtpAddress::Memory))
        .subscription(Subscription::new(
            "ops",
            controller_id(),
            NotifType::OperationComplete,
            ["Device.Slow()"],
        ))
        .e2e(config.clone());
    let _agent = agent.start();
    let mut controller = Controller::builder(controller_id());
    let mtp = controller.mtp(c_side);
    controller
        .route(agent_id(), Route::new(mtp, MtpAddress::Memory))
        .e2e(config);
    let (c, _events) = controller.start();
    let a = agent_id();
    let long = "x".repeat(3000);
    c.set(
        &a,
        Set::new().update("Device.DeviceInfo.", [("ProvisioningCode", long.as_str())]),
    )
    .await
    .unwrap();
    let resp = c.get(&a, Get::new(["Device.DeviceInfo."])).await.unwrap();
    assert_eq!(
        resp.value("Device.DeviceInfo.ProvisioningCode"),
        Some(long.as_str())
    );
    let out = c
        .operate_and_wait(&a, Operate::new("Device.Slow()"))
        .await
        .unwrap();
    assert_eq!(out.get("Done"), Some("yes"));
    let (records, largest, in_session) = *agent_stats.lock().unwrap();
    assert!(
        records > 10,
        "the 3 KB GetResp is segmented: {records} Records"
    );
    assert_eq!(in_session, records, "every Record is in the session");
    assert!(largest <= tr369::e2e::MIN_RECORD_SIZE, "{largest} bytes");
}

/// Several requests in flight at once, answered in any order, matched by msg_id.
#[tokio::test]
async fn many_requests_in_flight() {
    let (_agent, c, _events) = memory_pair(None);
    let a = agent_id();
    let mut tasks = Vec::new();
    for i in 0..200u32 {
        let c = c.clone();
        let a = a.clone();
        tasks.push(tokio::spawn(async move {
            let text = i.to_string();
            let out = c
                .operate_and_wait(&a, Operate::new("Device.Echo()").arg("Text", text.as_str()))
                .await
                .unwrap();
            assert_eq!(out.get("Text"), Some(text.as_str()));
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test]
async fn requests_to_unknown_agents_and_timeouts_are_typed_errors() {
    let (_agent, c, _events) = memory_pair(None);
    let nobody: EndpointId = "self::nobody".parse().unwrap();
    assert!(
        matches!(c.get(&nobody, Get::new(["Device."])).await, Err(Error::NoRoute(id)) if id == nobody)
    );
    // An Agent that never answers: a memory transport whose other end is silent.
    let (mine, _silent) = MemoryMtp::pair(8);
    let mut b = Controller::builder(controller_id());
    let mtp = b.mtp(mine);
    b.route(agent_id(), Route::new(mtp, MtpAddress::Memory))
        .timeout(Duration::from_millis(200));
    let (c2, _e) = b.start();
    assert!(matches!(
        c2.get(&agent_id(), Get::new(["Device."])).await,
        Err(Error::Timeout(_))
    ));
}

/// A maximum Record size small enough that every Message is segmented.
fn segmenting() -> SessionConfig {
    let mut config = SessionConfig::default();
    config
        .max_record_size(Some(tr369::e2e::MIN_RECORD_SIZE))
        .unwrap();
    config
}

async fn over_transports(
    agent_mtp: impl Mtp,
    to_controller: MtpAddress,
    controller_mtp: impl Mtp,
    e2e: Option<SessionConfig>,
) {
    let mut agent = agent_builder();
    let mtp = agent.mtp(agent_mtp);
    agent
        .controller(controller_id(), Route::new(mtp, to_controller))
        .subscription(Subscription::new(
            "boot",
            controller_id(),
            NotifType::Event,
            ["Device.Boot!"],
        ))
        .boot(Boot::new("LocalReboot", Vec::<String>::new()));
    let mut controller = Controller::builder(controller_id());
    if let Some(config) = e2e.clone() {
        agent.e2e(config.clone());
        controller.e2e(config);
    }
    let agent = agent.start();
    controller.mtp(controller_mtp);
    controller.timeout(Duration::from_secs(5));
    let (c, mut events) = controller.start();
    // The Agent connects (Connect Record) and boots; then it can be asked.
    let mut seen_boot = false;
    let mut connected = false;
    while !(seen_boot && connected) {
        match tokio::time::timeout(Duration::from_secs(10), events.recv())
            .await
            .unwrap()
        {
            Some(ControllerEvent::AgentConnected { agent }) => {
                assert_eq!(agent, agent_id());
                connected = true;
            }
            Some(ControllerEvent::Notify { notify, .. }) => {
                assert!(
                    matches!(&notify.notification, Some(Notification::Event(e)) if e.event_name == "Boot!")
                );
                seen_boot = true;
            }
            other => panic!("{other:?}"),
        }
    }
    let resp = c
        .get(&agent_id(), Get::new(["Device.DeviceInfo.SoftwareVersion"]))
        .await
        .unwrap();
    assert_eq!(
        resp.value("Device.DeviceInfo.SoftwareVersion"),
        Some("1.2.3")
    );
    agent.close().await;
    c.close().await;
}

#[tokio::test]
async fn over_websocket() {
    websocket(None).await;
}

#[tokio::test]
async fn over_websocket_in_segmented_e2e_sessions() {
    websocket(Some(segmenting())).await;
}

async fn websocket(e2e: Option<SessionConfig>) {
    use tr369::mtp::websocket::{WsClient, WsClientConfig, WsServer, WsServerConfig};
    let server = WsServer::bind(
        "127.0.0.1:0".parse().unwrap(),
        WsServerConfig::new(controller_id()),
    )
    .await
    .unwrap();
    let url = format!("ws://{}/usp", server.local_addr());
    let client = WsClient::start(
        WsClientConfig::new(&url, agent_id())
            .unwrap()
            .peer_endpoint_id(controller_id()),
    )
    .unwrap();
    let to = MtpAddress::WebSocket {
        connection: ConnectionId::new(0),
        endpoint_id: Some(controller_id()),
    };
    over_transports(client, to, server, e2e).await;
}

#[cfg(unix)]
#[tokio::test]
async fn over_unix_domain_socket() {
    unix_domain_socket("plain", None).await;
}

#[cfg(unix)]
#[tokio::test]
async fn over_unix_domain_socket_in_segmented_e2e_sessions() {
    unix_domain_socket("e2e", Some(segmenting())).await;
}

#[cfg(unix)]
async fn unix_domain_socket(name: &str, e2e: Option<SessionConfig>) {
    use tr369::mtp::uds::{UdsClient, UdsClientConfig, UdsServer, UdsServerConfig};
    let dir = std::env::temp_dir().join(format!("tr369-uds-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broker_controller_path");
    let server = UdsServer::bind(UdsServerConfig::controller(controller_id(), &path)).unwrap();
    let client = UdsClient::new(UdsClientConfig::agent(agent_id(), &path)).unwrap();
    let to = MtpAddress::Uds {
        connection: ConnectionId::new(0),
        endpoint_id: Some(controller_id()),
    };
    over_transports(client, to, server, e2e).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// One Agent serves two Controllers on two transports; each gets its own answers and
/// only the notifications it subscribed to.
#[tokio::test]
async fn one_agent_two_controllers_on_two_transports() {
    let other: EndpointId = "self::second-controller".parse().unwrap();
    let (a1, c1) = MemoryMtp::pair(64);
    let (a2, c2) = MemoryMtp::pair(64);
    let mut agent = agent_builder();
    let m1 = agent.mtp(a1);
    let m2 = agent.mtp(a2);
    agent
        .controller(controller_id(), Route::new(m1, MtpAddress::Memory))
        .controller(other.clone(), Route::new(m2, MtpAddress::Memory))
        .subscription(Subscription::new(
            "second-only",
            other.clone(),
            NotifType::ValueChange,
            ["Device.DeviceInfo.ProvisioningCode"],
        ));
    let agent = agent.start();
    let start = |id: EndpointId, mtp: MemoryMtp| {
        let mut b = Controller::builder(id);
        let m = b.mtp(mtp);
        b.route(agent_id(), Route::new(m, MtpAddress::Memory))
            .timeout(Duration::from_secs(5));
        b.start()
    };
    let (first, mut first_events) = start(controller_id(), c1);
    let (second, mut second_events) = start(other, c2);
    let a = agent_id();
    let (r1, r2) = tokio::join!(
        first.get(&a, Get::new(["Device.DeviceInfo.SoftwareVersion"])),
        second.get(&a, Get::new(["Device.WiFi.SSID.1.SSID"])),
    );
    assert_eq!(
        r1.unwrap().value("Device.DeviceInfo.SoftwareVersion"),
        Some("1.2.3")
    );
    assert_eq!(r2.unwrap().value("Device.WiFi.SSID.1.SSID"), Some("one"));
    // The first Controller changes the value; only the second is subscribed.
    first
        .set(
            &agent_id(),
            Set::new().update("Device.DeviceInfo.", [("ProvisioningCode", "z")]),
        )
        .await
        .unwrap();
    let n = next_notify(&mut second_events).await;
    assert_eq!(n.subscription_id, "second-only");
    assert!(
        tokio::time::timeout(Duration::from_millis(200), first_events.recv())
            .await
            .is_err()
    );
    drop(agent);
}

/// Review findings, pinned: unique keys stay unique under Set (R-KEY.2, 7025), a
/// missing instance with allow_partial is a success that deletes nothing (R-DEL.2a), an
/// ObjectDeletion subscription on a search path still fires, and one command_key is
/// awaited once.
#[tokio::test]
async fn unique_keys_deletion_searches_and_command_keys() {
    let (_agent, c, mut events) = memory_pair(None);
    let a = agent_id();
    let resp = c
        .set(
            &a,
            Set::new()
                .allow_partial(true)
                .update("Device.WiFi.SSID.2.", [("Alias", "a")]),
        )
        .await
        .unwrap();
    let Some(SetStatus::OperSuccess(ok)) = &resp.updated_obj_results[0].oper_status else {
        panic!("{}", text(&resp))
    };
    assert_eq!(
        ok.updated_inst_results[0].param_errs[0].err_code,
        ErrorCode::DUPLICATE_UNIQUE_KEY
    );
    let got = c
        .get(&a, Get::new(["Device.WiFi.SSID.2.Alias"]))
        .await
        .unwrap();
    assert_eq!(got.value("Device.WiFi.SSID.2.Alias"), Some("b"));

    let none = c
        .delete(&a, Delete::new(["Device.WiFi.SSID.9."]).allow_partial(true))
        .await
        .unwrap();
    assert!(
        matches!(&none.deleted_obj_results[0].oper_status, Some(DelStatus::OperSuccess(s)) if s.affected_paths.is_empty())
    );

    c.add(
        &a,
        Add::new().create(
            "Device.LocalAgent.Subscription.",
            [
                ("ID", "gone"),
                ("Enable", "true"),
                ("NotifType", "ObjectDeletion"),
                ("ReferenceList", "Device.WiFi.SSID.[Alias==\"b\"]."),
            ],
        ),
    )
    .await
    .unwrap();
    // The Subscription row itself was created: ObjectCreation only watches SSIDs.
    c.delete(&a, Delete::new(["Device.WiFi.SSID.2."]))
        .await
        .unwrap();
    let n = next_notify(&mut events).await;
    assert_eq!(n.subscription_id, "gone");
    assert!(
        matches!(&n.notification, Some(Notification::ObjDeletion(d)) if d.obj_path == "Device.WiFi.SSID.2.")
    );

    let slow = |key: &'static str| {
        let c = c.clone();
        let a = a.clone();
        async move {
            c.operate_and_wait(&a, Operate::new("Device.Slow()").command_key(key))
                .await
        }
    };
    let (first, second) = tokio::join!(slow("same"), slow("same"));
    assert!(first.is_ok() != second.is_ok(), "{first:?} {second:?}");
}
