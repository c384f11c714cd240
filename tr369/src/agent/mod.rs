//! The Agent: serves Controllers from a data model, and notifies them.
//!
//! An [`Agent`] owns a Supported Data Model ([`SupportedModel`]) and the values of its
//! Instantiated Data Model ([`MemoryInstances`]), and answers every request from them:
//! Get, GetInstances, GetSupportedDM and GetSupportedProtocol by itself; Set, Add, Delete
//! and Operate after asking the application's [`Handler`]. It serves any number of
//! Controllers over any number of transports, with or without E2E sessions (it answers
//! in the kind of Record the request came in, R-MSG.0a).
//!
//! The application changes values with [`Agent::set_value`], creates and deletes
//! instances and emits events with the other methods of [`Agent`]; the Agent notifies
//! the Controllers whose `Device.LocalAgent.Subscription.{i}.` rows ask for it
//! (ValueChange, ObjectCreation, ObjectDeletion, OperationComplete, Event), retrying
//! per R-NOT.1 when `NotifRetry` is set. A [`boot`](AgentBuilder::boot) configuration
//! sends `Device.Boot!` when the Agent starts.
//!
//! Access control (TR-181 `Device.LocalAgent.ControllerTrust.`) is not applied: every
//! Controller may do everything. `Persistent` and `TimeToLive` of Subscriptions are
//! stored but not acted on (the Agent keeps no state across restarts).
//!
//! The Agent's task ends when the last [`Agent`] handle (and every pending
//! [`Completion`]) is dropped, or on [`Agent::close`].

mod handler;
mod model;
mod notify;
mod serve;

use std::collections::{BTreeMap, HashMap};
use std::future::poll_fn;
use std::task::Poll;

use tokio::sync::{mpsc, oneshot};
use usp_datamodel::{Instances, MemoryInstances, Node as DmNode, SupportedModel};
use usp_e2e::SessionConfig;
use usp_msg::response::operate::OperationResult;
use usp_msg::{
    Body, GetSupportedProtocolResp, Msg, Operate, OperateResp, Request, Response, UspError,
};
use usp_mtp::Mtp;
use usp_types::{EndpointId, ErrorCode, UspVersion};

pub use handler::{CommandReply, CommandRequest, Completion, Fault, Handler, NoHandler};
pub use model::{NotifType, Subscription, local_agent_model};

use crate::node::{Node, NodeEvent, Via};
use crate::{Error, MtpId, Route};
use model::{REQUEST_TABLE, SUBSCRIPTION_TABLE};
use notify::Outbox;
use serve::{Change, Core};

/// What `Device.Boot!` says when the Agent starts; see [`AgentBuilder::boot`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Boot {
    /// `Cause`: `LocalReboot`, `RemoteReboot`, `FactoryReset`, `LocalFactoryReset` or
    /// `RemoteFactoryReset`.
    pub cause: String,
    /// `CommandKey` of the Reboot() or FactoryReset() that caused it, if any.
    pub command_key: String,
    /// `FirmwareUpdated`.
    pub firmware_updated: bool,
    /// The parameters whose values `ParameterMap` carries (TR-181 `BootParameter`).
    pub parameters: Vec<String>,
}

impl Boot {
    /// A boot for `cause`, reporting these parameters.
    pub fn new<S: Into<String>>(
        cause: impl Into<String>,
        parameters: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            cause: cause.into(),
            command_key: String::new(),
            firmware_updated: false,
            parameters: parameters.into_iter().map(Into::into).collect(),
        }
    }
}

/// How to start an [`Agent`]; see [`Agent::builder`].
#[must_use]
pub struct AgentBuilder {
    local: EndpointId,
    core: Core,
    mtps: Vec<Box<dyn Mtp>>,
    routes: HashMap<EndpointId, Route>,
    e2e: Option<SessionConfig>,
    boot: Option<Boot>,
    subscriptions: Vec<Subscription>,
    versions: Vec<UspVersion>,
}

impl std::fmt::Debug for AgentBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentBuilder")
            .field("local", &self.local)
            .field("mtps", &self.mtps.len())
            .finish_non_exhaustive()
    }
}

impl AgentBuilder {
    /// Adds a transport.
    pub fn mtp(&mut self, mtp: impl Mtp) -> MtpId {
        self.mtps.push(Box::new(mtp));
        MtpId(self.mtps.len() - 1)
    }

    /// A Controller of this Agent, reached by `route` until it sends something: a row of
    /// `Device.LocalAgent.Controller.{i}.` is created for it.
    pub fn controller(&mut self, id: EndpointId, route: Route) -> &mut Self {
        self.core.controller_row(&id);
        self.routes.insert(id, route);
        self
    }

    /// The application's handler (by default [`NoHandler`]).
    pub fn handler(&mut self, handler: impl Handler) -> &mut Self {
        self.core.handler = Box::new(handler);
        self
    }

    /// A Subscription the Agent starts with.
    pub fn subscription(&mut self, subscription: Subscription) -> &mut Self {
        self.subscriptions.push(subscription);
        self
    }

    /// Accepts E2E sessions from Controllers, with this configuration. Without it, a
    /// Controller that starts one gets a Disconnect Record (R-E2E.6a).
    pub fn e2e(&mut self, mut config: SessionConfig) -> &mut Self {
        config.allowed(true);
        self.e2e = Some(config);
        self
    }

    /// Sends `Device.Boot!` to the subscribed Controllers when the Agent starts.
    pub fn boot(&mut self, boot: Boot) -> &mut Self {
        self.boot = Some(boot);
        self
    }

    /// The USP versions announced in GetSupportedProtocol (1.3, 1.4 and 1.5 by default).
    pub fn supported_versions(&mut self, versions: Vec<UspVersion>) -> &mut Self {
        self.versions = versions;
        self
    }

    /// Starts the Agent on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn start(mut self) -> Agent {
        let local = self.local.clone();
        self.core
            .data
            .set("Device.LocalAgent.", "EndpointID", local.as_str());
        let versions = std::mem::take(&mut self.versions);
        // The MTPs this Agent runs, in TR-181's names.
        let mut protocols: Vec<&str> = self
            .mtps
            .iter()
            .filter_map(|m| match m.kind() {
                usp_mtp::MtpKind::WebSocket => Some("WebSocket"),
                usp_mtp::MtpKind::Mqtt => Some("MQTT"),
                usp_mtp::MtpKind::Stomp => Some("STOMP"),
                usp_mtp::MtpKind::Uds => Some("UDS"),
                usp_mtp::MtpKind::Coap => Some("CoAP"),
                _ => None,
            })
            .collect();
        protocols.sort_unstable();
        protocols.dedup();
        self.core.data.set(
            "Device.LocalAgent.",
            "SupportedProtocols",
            protocols.join(","),
        );
        for s in std::mem::take(&mut self.subscriptions) {
            let recipient = self.core.controller_row(&s.recipient);
            let n = self.core.data.add_instance(SUBSCRIPTION_TABLE);
            let row = format!("{SUBSCRIPTION_TABLE}{n}.");
            let d = &mut self.core.data;
            d.set(&row, "Alias", format!("cpe-sub-{n}"));
            d.set(&row, "Enable", "true");
            d.set(&row, "ID", s.id);
            d.set(&row, "Recipient", recipient);
            d.set(&row, "NotifType", s.notif_type.as_str());
            d.set(&row, "ReferenceList", s.reference_list.join(","));
            d.set(&row, "NotifRetry", s.notif_retry.to_string());
            d.set(&row, "NotifExpiration", s.notif_expiration.to_string());
            d.set(&row, "Persistent", "true");
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let mut driver = Driver {
            node: Node::new(local.clone(), self.mtps, self.routes, self.e2e, false),
            core: self.core,
            cmds: rx,
            tx: tx.downgrade(),
            outbox: Outbox::new(),
            operations: HashMap::new(),
            next_op: 0,
            versions,
        };
        if let Some(boot) = self.boot {
            driver.boot(&boot);
        }
        tokio::spawn(driver.run());
        Agent { local, tx }
    }
}

/// A USP Agent: answers Controllers from its data model and notifies them. See the
/// [module documentation](self), which also says what is not done yet (access control).
///
/// Cheap to clone: the clones talk to the same Agent task.
///
/// ```no_run
/// # async fn demo(client: impl usp_mtp::Mtp, route: tr369::Route) -> Result<(), tr369::Error> {
/// use tr369::agent::{local_agent_model, Agent, Boot, NotifType, Subscription};
/// use tr369::datamodel::{MemoryInstances, ParamType, SupportedModel};
///
/// let mut schema = SupportedModel::builder("Device");
/// schema.object("Device.DeviceInfo.").param("SoftwareVersion", ParamType::string());
/// local_agent_model(&mut schema);
/// let mut data = MemoryInstances::new();
/// data.set("Device.DeviceInfo.", "SoftwareVersion", "1.0");
///
/// let controller: tr369::types::EndpointId = "self::controller".parse().unwrap();
/// let mut builder = Agent::builder("os::00256D-0123456789".parse().unwrap(), schema.build().unwrap(), data);
/// builder.mtp(client);
/// builder
///     .controller(controller.clone(), route)
///     .subscription(Subscription::new("boot", controller, NotifType::Event, ["Device.Boot!"]))
///     .boot(Boot::new("LocalReboot", ["Device.DeviceInfo.SoftwareVersion"]));
/// let agent = builder.start();
/// agent.set_value("Device.DeviceInfo.SoftwareVersion", "1.1").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Agent {
    local: EndpointId,
    tx: mpsc::UnboundedSender<Cmd>,
}

#[derive(Debug)]
pub(crate) enum Cmd {
    SetValue {
        path: String,
        value: String,
        reply: oneshot::Sender<Result<(), Fault>>,
    },
    AddInstance {
        table: String,
        params: BTreeMap<String, String>,
        reply: oneshot::Sender<Result<String, Fault>>,
    },
    DeleteInstance {
        path: String,
        reply: oneshot::Sender<Result<(), Fault>>,
    },
    Event {
        path: String,
        args: BTreeMap<String, String>,
    },
    Value {
        path: String,
        reply: oneshot::Sender<Option<String>>,
    },
    Complete {
        id: u64,
        outcome: Result<BTreeMap<String, String>, Fault>,
    },
    Close {
        reply: oneshot::Sender<()>,
    },
}

impl Agent {
    /// An Agent with Endpoint ID `local`, this Supported Data Model (which should include
    /// [`local_agent_model`] for subscriptions and asynchronous commands to work) and these
    /// values.
    pub fn builder(
        local: EndpointId,
        schema: SupportedModel,
        data: MemoryInstances,
    ) -> AgentBuilder {
        AgentBuilder {
            local,
            core: Core {
                schema,
                data,
                handler: Box::new(NoHandler),
                assigned: 0,
            },
            mtps: Vec::new(),
            routes: HashMap::new(),
            e2e: None,
            boot: None,
            subscriptions: Vec::new(),
            versions: vec![UspVersion::V1_3, UspVersion::V1_4, UspVersion::V1_5],
        }
    }

    /// This Agent's Endpoint ID.
    pub fn endpoint_id(&self) -> &EndpointId {
        &self.local
    }

    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Cmd) -> Result<T, Error> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(make(tx)).map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)
    }

    /// Sets a parameter (`Device.DeviceInfo.UpTime`) from the application side, and
    /// sends ValueChange to the subscribed Controllers if the value changed. The
    /// parameter must be in the Supported Data Model and its object must exist.
    pub async fn set_value(&self, path: &str, value: impl Into<String>) -> Result<(), Error> {
        let value = value.into();
        let path = path.to_owned();
        self.ask(|reply| Cmd::SetValue { path, value, reply })
            .await?
            .map_err(fault_error)
    }

    /// The value of a parameter, if it has one.
    pub async fn value(&self, path: &str) -> Result<Option<String>, Error> {
        let path = path.to_owned();
        self.ask(|reply| Cmd::Value { path, reply }).await
    }

    /// Creates an instance of `table` (`Device.WiFi.AccessPoint.1.AssociatedDevice.`)
    /// from the application side, with these values, and sends ObjectCreation. Returns
    /// its path.
    pub async fn add_instance(
        &self,
        table: &str,
        params: BTreeMap<String, String>,
    ) -> Result<String, Error> {
        let table = table.to_owned();
        self.ask(|reply| Cmd::AddInstance {
            table,
            params,
            reply,
        })
        .await?
        .map_err(fault_error)
    }

    /// Deletes an instance from the application side, and sends ObjectDeletion.
    pub async fn delete_instance(&self, path: &str) -> Result<(), Error> {
        let path = path.to_owned();
        self.ask(|reply| Cmd::DeleteInstance { path, reply })
            .await?
            .map_err(fault_error)
    }

    /// Emits an event (`Device.LocalAgent.Threshold.1.Triggered!`) to the subscribed
    /// Controllers.
    pub fn emit_event(&self, path: &str, args: BTreeMap<String, String>) -> Result<(), Error> {
        self.tx
            .send(Cmd::Event {
                path: path.to_owned(),
                args,
            })
            .map_err(|_| Error::Closed)
    }

    /// Stops the Agent: sends what is queued and closes the transports.
    pub async fn close(&self) {
        let _ = self.ask(|reply| Cmd::Close { reply }).await;
    }
}

fn fault_error(f: Fault) -> Error {
    Error::Usp {
        code: f.code,
        message: f.message,
        params: Vec::new(),
    }
}

/// An asynchronous command that is running.
#[derive(Debug)]
struct Operation {
    request_row: String,
    command: String,
    command_key: String,
}

struct Driver {
    node: Node,
    core: Core,
    cmds: mpsc::UnboundedReceiver<Cmd>,
    /// Weak, so that the task ends once every [`Agent`] handle and [`Completion`] is gone.
    tx: mpsc::WeakUnboundedSender<Cmd>,
    outbox: Outbox,
    operations: HashMap<u64, Operation>,
    next_op: u64,
    versions: Vec<UspVersion>,
}

impl Driver {
    async fn run(mut self) {
        let close = poll_fn(|cx| {
            loop {
                match self.cmds.poll_recv(cx) {
                    Poll::Ready(Some(Cmd::Close { reply })) => return Poll::Ready(Some(reply)),
                    Poll::Ready(Some(cmd)) => {
                        self.command(cmd);
                        continue;
                    }
                    // Every handle is gone: stop.
                    Poll::Ready(None) => return Poll::Ready(None),
                    Poll::Pending => {}
                }
                if let Some(due) = self.outbox.poll_due(cx, crate::node::now()) {
                    for (to, payload) in due {
                        if let Err(e) = self.node.send(&to, payload, Via::Default) {
                            log::info!(
                                "{}: notification to {to} not sent yet: {e}",
                                self.node.local()
                            );
                        }
                    }
                    continue;
                }
                match self.node.poll(cx) {
                    Poll::Ready(event) => self.event(event),
                    Poll::Pending => return Poll::Pending,
                }
            }
        })
        .await;
        self.node.close().await;
        if let Some(reply) = close {
            let _ = reply.send(());
        }
    }

    fn command(&mut self, cmd: Cmd) {
        let mut changes = Vec::new();
        match cmd {
            Cmd::SetValue { path, value, reply } => {
                let result = self.local_set(&path, &value, &mut changes);
                let _ = reply.send(result);
            }
            Cmd::Value { path, reply } => {
                let _ = reply.send(self.core.value_of(&path));
            }
            Cmd::AddInstance {
                table,
                params,
                reply,
            } => {
                let n = self.core.data.add_instance(&table);
                let path = format!("{table}{n}.");
                for (k, v) in &params {
                    self.core.data.set(&path, k, v.clone());
                }
                let keys = self.unique_keys(&path);
                changes.push(Change::Created {
                    path: path.clone(),
                    keys,
                });
                let _ = reply.send(Ok(path));
            }
            Cmd::DeleteInstance { path, reply } => {
                let result = match self.core.delete_instance(&path) {
                    Some(change) => {
                        changes.push(change);
                        Ok(())
                    }
                    _ => Err(Fault::new(
                        ErrorCode::OBJECT_DOES_NOT_EXIST,
                        format!("{path} does not exist"),
                    )),
                };
                let _ = reply.send(result);
            }
            Cmd::Event { path, args } => self.event_notify(&path, &args),
            Cmd::Complete { id, outcome } => self.complete(id, outcome, &mut changes),
            Cmd::Close { reply } => {
                let _ = reply.send(());
            }
        }
        self.changed(changes);
    }

    fn local_set(
        &mut self,
        path: &str,
        value: &str,
        changes: &mut Vec<Change>,
    ) -> Result<(), Fault> {
        let Some(dot) = path.rfind('.') else {
            return Err(Fault::new(
                ErrorCode::INVALID_PATH,
                format!("{path} is not a parameter path"),
            ));
        };
        let (object, param) = (&path[..=dot], &path[dot + 1..]);
        let def = serve::supported(path).and_then(|s| match self.core.schema.lookup(&s) {
            Some(DmNode::Parameter(_, def)) => Some(def.param_type().clone()),
            _ => None,
        });
        let Some(ty) = def else {
            return Err(Fault::new(
                ErrorCode::UNSUPPORTED_PARAMETER,
                format!("{path} is not supported"),
            ));
        };
        if !ty.accepts(value) {
            return Err(Fault::new(
                ErrorCode::INVALID_VALUE,
                format!("{value:?} is not a valid {ty}"),
            ));
        }
        // The object must exist: every instance on the way must.
        let exists = serve::parse_path(object)
            .and_then(|p| self.core.model().resolve(&p))
            .is_ok_and(|t| !t.is_empty());
        if !exists {
            return Err(Fault::new(
                ErrorCode::OBJECT_DOES_NOT_EXIST,
                format!("{object} does not exist"),
            ));
        }
        if self.core.data.value(object, param).as_deref() != Some(value) {
            self.core.data.set(object, param, value);
            changes.push(Change::Value {
                path: path.to_owned(),
                value: value.to_owned(),
            });
        }
        Ok(())
    }

    fn unique_keys(&self, path: &str) -> BTreeMap<String, String> {
        let Some(id) = serve::supported(path).and_then(|s| self.core.schema.object_by_path(&s))
        else {
            return BTreeMap::new();
        };
        self.core
            .schema
            .object(id)
            .unique_keys()
            .iter()
            .flatten()
            .filter_map(|k| Some((k.clone(), self.core.data.value(path, k)?.into_owned())))
            .collect()
    }

    fn event(&mut self, event: NodeEvent) {
        match event {
            NodeEvent::Message { from, payload, via } => self.message(from, &payload, via),
            NodeEvent::Connected { peer } => {
                // A Controller that (re)connects gets its waiting notifications now.
                for payload in self.outbox.due_for(&peer) {
                    if let Err(e) = self.node.send(&peer, payload, Via::Default) {
                        log::info!(
                            "{}: notification to {peer} not sent: {e}",
                            self.node.local()
                        );
                    }
                }
            }
            NodeEvent::Disconnected { .. } => {}
            NodeEvent::TransportClosed { mtp, error } => {
                log::warn!("{}: transport {mtp} closed: {error}", self.node.local());
            }
        }
    }

    fn message(&mut self, from: EndpointId, payload: &[u8], via: Via) {
        let msg = match Msg::decode(payload) {
            Ok(m) => m,
            Err(e) => {
                // R-MSG.1: a Message that cannot be understood gets an Error when its
                // msg_id is known; here it is not.
                log::warn!(
                    "{}: undecodable Message from {from}: {e}",
                    self.node.local()
                );
                return;
            }
        };
        let msg_id = msg.msg_id().to_owned();
        let mut changes = Vec::new();
        let answer: Option<Result<Response<'static>, UspError<'static>>> = match msg.body() {
            Body::Request(request) => match request {
                Request::Get(r) => Some(Ok(self.core.get(r).into())),
                Request::GetInstances(r) => Some(Ok(self.core.get_instances(r).into())),
                Request::GetSupportedDm(r) => Some(Ok(self.core.get_supported_dm(r).into())),
                Request::GetSupportedProtocol(_) => {
                    Some(Ok(GetSupportedProtocolResp::new(&self.versions).into()))
                }
                Request::Set(r) => Some(self.core.set(r, &mut changes).map(Into::into)),
                Request::Add(r) => Some(self.core.add(r, &from, &mut changes).map(Into::into)),
                Request::Delete(r) => Some(self.core.delete(r, &mut changes).map(Into::into)),
                Request::Operate(r) => self
                    .operate(r, &from, &mut changes)
                    .map(|r| r.map(Into::into)),
                other => Some(Err(UspError::new(
                    ErrorCode::MESSAGE_NOT_SUPPORTED,
                    format!("this Agent does not serve {:?}", other.msg_type()),
                ))),
            },
            Body::Response(Response::NotifyResp(_)) => {
                self.outbox.delivered(&from, &msg_id);
                None
            }
            Body::Error(e) => {
                // The Controller got the notification and refused it: retrying would not
                // help.
                log::info!(
                    "{}: {from} answered {msg_id} with error {}",
                    self.node.local(),
                    e.err_code
                );
                self.outbox.delivered(&from, &msg_id);
                None
            }
            _ => {
                log::debug!(
                    "{}: unexpected response {msg_id} from {from}",
                    self.node.local()
                );
                None
            }
        };
        if let Some(answer) = answer {
            let reply = match answer {
                Ok(resp) => Msg::response(msg_id, resp),
                Err(err) => Msg::error(msg_id, err),
            };
            if let Err(e) = self.node.send(&from, reply.to_bytes(), via) {
                log::warn!("{}: answer to {from} not sent: {e}", self.node.local());
            }
        }
        self.changed(changes);
    }

    /// Operate (R-OPR.0 to R-OPR.7). `None` when no response is wanted.
    fn operate(
        &mut self,
        req: &Operate<'_>,
        from: &EndpointId,
        changes: &mut Vec<Change>,
    ) -> Option<Result<OperateResp<'static>, UspError<'static>>> {
        let commands = serve::parse_path(&req.command).and_then(|p| self.core.model().commands(&p));
        let commands = match commands {
            Ok(c) => c,
            // The request itself fails (a path that is not a command): an Error Message,
            // when an answer is wanted (R-OPR.4).
            Err(e) => {
                return req
                    .send_resp
                    .then(|| Err(UspError::new(e.code(), e.to_string())));
            }
        };
        let input: BTreeMap<String, String> = req
            .input_args
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let mut results = Vec::new();
        for path in commands {
            let is_async = serve::supported(&path)
                .and_then(|s| match self.core.schema.lookup(&s) {
                    Some(DmNode::Command(_, def)) => Some(def.is_async()),
                    _ => None,
                })
                .unwrap_or(false);
            let mut request = CommandRequest {
                path: path.clone(),
                command_key: req.command_key.to_string(),
                input: input.clone(),
                controller: from.clone(),
                completion: None,
            };
            if !is_async {
                let result = match self.core.handler.operate(request) {
                    CommandReply::Done(out) => OperationResult::output_args(path, out),
                    CommandReply::Failed(f) => {
                        OperationResult::cmd_failure(path, f.code, f.message)
                    }
                    CommandReply::Started => OperationResult::cmd_failure(
                        path,
                        ErrorCode::COMMAND_FAILURE,
                        "a synchronous command cannot run in the background",
                    ),
                };
                results.push(result);
                continue;
            }
            // R-OPR.0, R-OPR.2: one Request instance per asynchronous command.
            let n = self.core.data.add_instance(REQUEST_TABLE);
            let row = format!("{REQUEST_TABLE}{n}.");
            for (k, v) in [
                ("Originator", from.as_str()),
                ("Command", path.as_str()),
                ("CommandKey", &req.command_key),
                ("Status", "Active"),
            ] {
                self.core.data.set(&row, k, v);
            }
            changes.push(Change::Created {
                path: row.clone(),
                keys: BTreeMap::new(),
            });
            self.next_op += 1;
            let id = self.next_op;
            self.operations.insert(
                id,
                Operation {
                    request_row: row.clone(),
                    command: path.clone(),
                    command_key: req.command_key.to_string(),
                },
            );
            request.completion = Some(Completion {
                id,
                tx: self.tx.upgrade(),
            });
            match self.core.handler.operate(request) {
                CommandReply::Started => {
                    results.push(OperationResult::req_obj_path(path, row));
                }
                CommandReply::Done(out) => {
                    results.push(OperationResult::req_obj_path(path, row));
                    // Reported after the OperateResp, which is sent first.
                    if let Some(tx) = self.tx.upgrade() {
                        let _ = tx.send(Cmd::Complete {
                            id,
                            outcome: Ok(out),
                        });
                    }
                }
                CommandReply::Failed(f) => {
                    self.operations.remove(&id);
                    changes.extend(self.core.delete_instance(&row));
                    results.push(OperationResult::cmd_failure(path, f.code, f.message));
                }
            }
        }
        req.send_resp.then(|| Ok(results.into_iter().collect()))
    }

    fn complete(
        &mut self,
        id: u64,
        outcome: Result<BTreeMap<String, String>, Fault>,
        changes: &mut Vec<Change>,
    ) {
        let Some(op) = self.operations.remove(&id) else {
            return;
        };
        changes.extend(self.core.delete_instance(&op.request_row));
        self.operation_complete(&op, &outcome);
    }

    fn boot(&mut self, boot: &Boot) {
        let mut map = String::from("{");
        for p in &boot.parameters {
            if let Some(value) = self.core.value_of(p) {
                if map.len() > 1 {
                    map.push(',');
                }
                notify::json_string(&mut map, p);
                map.push(':');
                notify::json_string(&mut map, &value);
            }
        }
        map.push('}');
        let args = BTreeMap::from([
            ("CommandKey".to_owned(), boot.command_key.clone()),
            ("Cause".to_owned(), boot.cause.clone()),
            (
                "FirmwareUpdated".to_owned(),
                boot.firmware_updated.to_string(),
            ),
            ("ParameterMap".to_owned(), map),
        ]);
        self.event_notify("Device.Boot!", &args);
    }
}
