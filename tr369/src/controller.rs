//! The Controller: requests to Agents, typed responses, notifications.

use std::collections::HashMap;
use std::future::poll_fn;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};
use usp_e2e::SessionConfig;
use usp_msg::request::notify::{Notification, OperationCompleteResult};
use usp_msg::response::operate::OperationResp;
use usp_msg::{
    Add, AddResp, Body, Delete, DeleteResp, Get, GetInstances, GetInstancesResp, GetResp,
    GetSupportedDm, GetSupportedDmResp, GetSupportedProtocol, GetSupportedProtocolResp, Msg,
    MsgType, Notify, NotifyResp, Operate, OperateResp, Params, Request, Response, Set, SetResp,
    UspError,
};
use usp_mtp::Mtp;
use usp_types::{EndpointId, ErrorCode};

use crate::node::{Node, NodeEvent, Via};
use crate::{Error, MtpId, Route};

/// Something an Agent did that the application of a [`Controller`] should know, read from
/// [`ControllerEvents`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ControllerEvent {
    /// An Agent announced itself on a transport (an MTP Connect Record): it can be sent
    /// requests now.
    AgentConnected {
        /// The Agent.
        agent: EndpointId,
    },
    /// An Agent sent a Disconnect Record.
    AgentDisconnected {
        /// The Agent.
        agent: EndpointId,
    },
    /// A notification. When the Agent asked for it (`send_resp`), the NotifyResp has
    /// already been sent.
    Notify {
        /// The Agent.
        agent: EndpointId,
        /// The notification.
        notify: Notify<'static>,
    },
}

/// The stream of [`ControllerEvent`]s of a [`Controller`].
#[derive(Debug)]
pub struct ControllerEvents {
    rx: mpsc::Receiver<ControllerEvent>,
}

impl ControllerEvents {
    /// The next event; `None` once the Controller has stopped.
    pub async fn recv(&mut self) -> Option<ControllerEvent> {
        self.rx.recv().await
    }

    /// The next event if one is waiting (`None` both when none is and once the Controller
    /// has stopped).
    pub fn try_recv(&mut self) -> Option<ControllerEvent> {
        self.rx.try_recv().ok()
    }
}

/// How to start a [`Controller`]; see [`Controller::builder`].
#[derive(Debug)]
#[must_use]
pub struct ControllerBuilder {
    local: EndpointId,
    mtps: Vec<Box<dyn Mtp>>,
    routes: HashMap<EndpointId, Route>,
    e2e: Option<SessionConfig>,
    timeout: Duration,
    operation_timeout: Duration,
    events: usize,
}

impl ControllerBuilder {
    /// Adds a transport; Agents are reached on the one they last sent a Record on.
    pub fn mtp(&mut self, mtp: impl Mtp) -> MtpId {
        self.mtps.push(Box::new(mtp));
        MtpId(self.mtps.len() - 1)
    }

    /// How to reach `agent` before it has sent anything (an MQTT topic, for instance).
    pub fn route(&mut self, agent: EndpointId, route: Route) -> &mut Self {
        self.routes.insert(agent, route);
        self
    }

    /// Talks to Agents in E2E sessions (specification section "End to End Message
    /// Exchange") with this configuration; segmentation follows its maximum Record
    /// size. Without it, Messages travel in `no_session_context` Records.
    pub fn e2e(&mut self, config: SessionConfig) -> &mut Self {
        self.e2e = Some(config);
        self
    }

    /// How long a request waits for its response (30 s by default).
    pub fn timeout(&mut self, timeout: Duration) -> &mut Self {
        self.timeout = timeout;
        self
    }

    /// How long [`Controller::operate_and_wait`] waits for an asynchronous command's
    /// OperationComplete (5 minutes by default).
    pub fn operation_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.operation_timeout = timeout;
        self
    }

    /// How many events may wait in [`ControllerEvents`] (1024 by default). A notification
    /// that finds the queue full is dropped without a NotifyResp, so an Agent that asked
    /// for one sends it again.
    pub fn event_capacity(&mut self, events: usize) -> &mut Self {
        self.events = events.max(1);
        self
    }

    /// Starts the Controller on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn start(self) -> (Controller, ControllerEvents) {
        let (cmd_tx, cmd_rx) = mpsc::channel(1024);
        let (event_tx, event_rx) = mpsc::channel(self.events);
        let driver = Driver {
            node: Node::new(self.local.clone(), self.mtps, self.routes, self.e2e, true),
            cmds: cmd_rx,
            events: event_tx,
            pending: HashMap::new(),
            operations: HashMap::new(),
        };
        tokio::spawn(driver.run());
        let controller = Controller {
            inner: Arc::new(Shared {
                local: self.local,
                cmds: cmd_tx,
                next_id: AtomicU64::new(1),
                id_prefix: crate::node::seed() as u32,
                timeout: self.timeout,
                operation_timeout: self.operation_timeout,
            }),
        };
        (controller, ControllerEvents { rx: event_rx })
    }
}

/// A USP Controller: sends requests to Agents over any [`Mtp`] and returns their typed
/// responses.
///
/// Cheap to clone; every clone drives the same Endpoint, and any number of requests may be
/// in flight at once (responses are matched by `msg_id`). A request fails with a typed
/// [`Error`]: the Agent's Error Message, a timeout, a transport error.
///
/// ```no_run
/// # async fn demo(server: impl usp_mtp::Mtp) -> Result<(), tr369::Error> {
/// use tr369::controller::{Controller, ControllerEvent};
/// use tr369::msg::{Get, Set};
///
/// let mut builder = Controller::builder("self::my-controller".parse().unwrap());
/// builder.mtp(server);
/// let (controller, mut events) = builder.start();
/// while let Some(event) = events.recv().await {
///     if let ControllerEvent::AgentConnected { agent } = event {
///         let resp = controller.get(&agent, Get::new(["Device.DeviceInfo."])).await?;
///         for (path, value) in resp.params() {
///             println!("{path} = {value}");
///         }
///         controller
///             .set(&agent, Set::new().update("Device.WiFi.SSID.1.", [("SSID", "home")]))
///             .await?;
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Controller {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    local: EndpointId,
    cmds: mpsc::Sender<Command>,
    next_id: AtomicU64,
    /// Makes msg_ids differ between runs, so that a late answer to an earlier run's
    /// request matches nothing.
    id_prefix: u32,
    timeout: Duration,
    operation_timeout: Duration,
}

type Reply<T> = oneshot::Sender<Result<T, Error>>;

#[derive(Debug)]
enum Command {
    Request {
        to: EndpointId,
        msg_id: String,
        payload: Bytes,
        reply: Reply<Msg<'static>>,
    },
    Send {
        to: EndpointId,
        payload: Bytes,
        reply: Reply<()>,
    },
    WaitOperation {
        agent: EndpointId,
        command_key: String,
        reply: Reply<Params<'static>>,
        /// Whether the key was free and is now awaited.
        registered: oneshot::Sender<bool>,
    },
    Route {
        agent: EndpointId,
        route: Route,
        reply: oneshot::Sender<()>,
    },
    Close {
        reply: oneshot::Sender<()>,
    },
}

macro_rules! typed_request {
    ($(#[$doc:meta])* $name:ident($req:ident) -> $resp:ident = $ty:ident) => {
        $(#[$doc])*
        pub async fn $name(
            &self,
            agent: &EndpointId,
            request: $req<'_>,
        ) -> Result<$resp<'static>, Error> {
            match self.request(agent, request).await? {
                Response::$resp(r) => Ok(r),
                other => Err(Error::UnexpectedResponse {
                    expected: MsgType::$ty,
                    got: other.msg_type(),
                }),
            }
        }
    };
}

impl Controller {
    /// A Controller whose Endpoint ID is `local`; add transports, then
    /// [`start`](ControllerBuilder::start) it.
    pub fn builder(local: EndpointId) -> ControllerBuilder {
        ControllerBuilder {
            local,
            mtps: Vec::new(),
            routes: HashMap::new(),
            e2e: None,
            timeout: Duration::from_secs(30),
            operation_timeout: Duration::from_secs(300),
            events: 1024,
        }
    }

    /// This Controller's Endpoint ID.
    pub fn endpoint_id(&self) -> &EndpointId {
        &self.inner.local
    }

    /// A new `msg_id`, unique for this Controller.
    pub fn next_msg_id(&self) -> String {
        let n = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        format!("tr369-{:08x}-{n}", self.inner.id_prefix)
    }

    async fn command<T>(
        &self,
        make: impl FnOnce(Reply<T>) -> Command,
        timeout: Duration,
    ) -> Result<T, Error> {
        let (tx, rx) = oneshot::channel();
        self.inner
            .cmds
            .send(make(tx))
            .await
            .map_err(|_| Error::Closed)?;
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(Error::Closed),
            Err(_) => Err(Error::Timeout(timeout)),
        }
    }

    /// Sends any request and returns the response, or the Agent's Error Message as
    /// [`Error::Usp`].
    pub async fn request(
        &self,
        agent: &EndpointId,
        request: impl Into<Request<'_>>,
    ) -> Result<Response<'static>, Error> {
        let msg_id = self.next_msg_id();
        let payload = Msg::request(msg_id.clone(), request).to_bytes();
        let msg = self
            .command(
                |reply| Command::Request {
                    to: agent.clone(),
                    msg_id,
                    payload,
                    reply,
                },
                self.inner.timeout,
            )
            .await?;
        match msg.into_body() {
            Body::Response(r) => Ok(r),
            Body::Error(e) => Err(Error::from_usp(&e)),
            other => Err(Error::UnexpectedResponse {
                expected: MsgType::ERROR,
                got: other.msg_type(),
            }),
        }
    }

    /// Sends a request that has no response (an Operate with `send_resp` false), once it
    /// is queued for its transport.
    pub async fn send(
        &self,
        agent: &EndpointId,
        request: impl Into<Request<'_>>,
    ) -> Result<(), Error> {
        let payload = Msg::request(self.next_msg_id(), request).to_bytes();
        self.command(
            |reply| Command::Send {
                to: agent.clone(),
                payload,
                reply,
            },
            self.inner.timeout,
        )
        .await
    }

    typed_request!(
        /// Get: parameter values (specification section "Get").
        get(Get) -> GetResp = GET_RESP
    );
    typed_request!(
        /// Set: updates parameters; see [`Set::allow_partial`] for how failures are
        /// reported.
        set(Set) -> SetResp = SET_RESP
    );
    typed_request!(
        /// Add: creates instances.
        add(Add) -> AddResp = ADD_RESP
    );
    typed_request!(
        /// Delete: removes instances.
        delete(Delete) -> DeleteResp = DELETE_RESP
    );
    typed_request!(
        /// Operate with `send_resp` true: the OperateResp (output arguments of a
        /// synchronous command, or the Request object of an asynchronous one). See
        /// [`operate_and_wait`](Self::operate_and_wait) to wait for the end of an
        /// asynchronous command too.
        operate(Operate) -> OperateResp = OPERATE_RESP
    );
    typed_request!(
        /// GetInstances: the instances of tables and their unique keys.
        get_instances(GetInstances) -> GetInstancesResp = GET_INSTANCES_RESP
    );
    typed_request!(
        /// GetSupportedDM: the Supported Data Model.
        get_supported_dm(GetSupportedDm) -> GetSupportedDmResp = GET_SUPPORTED_DM_RESP
    );
    typed_request!(
        /// GetSupportedProtocol: the USP versions the Agent supports.
        get_supported_protocol(GetSupportedProtocol) -> GetSupportedProtocolResp = GET_SUPPORTED_PROTO_RESP
    );

    /// Runs one command and returns its output arguments, whether it is synchronous (in
    /// the OperateResp) or asynchronous (in the OperationComplete notification that
    /// carries the same `command_key`, which is made unique when it is empty). The Agent
    /// sends OperationComplete only to Controllers subscribed to it
    /// (`Device.LocalAgent.Subscription.{i}.` with `NotifType` `OperationComplete`).
    ///
    /// A command path that addresses several commands is refused by the Agent or runs
    /// them all; only the first result counts here.
    pub async fn operate_and_wait(
        &self,
        agent: &EndpointId,
        operate: Operate<'_>,
    ) -> Result<Params<'static>, Error> {
        let mut operate = operate.send_resp(true);
        if operate.command_key.is_empty() {
            operate.command_key = self.next_msg_id().into();
        }
        let command_key = operate.command_key.to_string();
        // Registered before the Operate goes out: OperationComplete may overtake the
        // OperateResp.
        let (tx, rx) = oneshot::channel();
        let (registered_tx, registered) = oneshot::channel();
        self.inner
            .cmds
            .send(Command::WaitOperation {
                agent: agent.clone(),
                command_key: command_key.clone(),
                reply: tx,
                registered: registered_tx,
            })
            .await
            .map_err(|_| Error::Closed)?;
        if !registered.await.map_err(|_| Error::Closed)? {
            return Err(Error::Command {
                code: ErrorCode::INVALID_ARGUMENTS,
                message: format!(
                    "an OperationComplete for command_key {command_key:?} is already awaited"
                ),
            });
        }
        let resp = self.operate(agent, operate).await?;
        let Some(result) = resp.operation_results.into_iter().next() else {
            return Err(Error::Command {
                code: ErrorCode::COMMAND_FAILURE,
                message: "the OperateResp has no result".into(),
            });
        };
        match result.operation_resp {
            Some(OperationResp::ReqOutputArgs(args)) => Ok(args.output_args),
            Some(OperationResp::CmdFailure(f)) => Err(Error::Command {
                code: f.err_code,
                message: f.err_msg.into_owned(),
            }),
            Some(OperationResp::ReqObjPath(_)) => {
                let timeout = self.inner.operation_timeout;
                match tokio::time::timeout(timeout, rx).await {
                    Ok(Ok(result)) => result,
                    Ok(Err(_)) => Err(Error::Closed),
                    Err(_) => Err(Error::Timeout(timeout)),
                }
            }
            _ => Err(Error::Command {
                code: ErrorCode::COMMAND_FAILURE,
                message: "the OperateResp has an empty result".into(),
            }),
        }
    }

    /// Sets (or replaces) the route to `agent`.
    pub async fn set_route(&self, agent: EndpointId, route: Route) -> Result<(), Error> {
        let (tx, rx) = oneshot::channel();
        self.inner
            .cmds
            .send(Command::Route {
                agent,
                route,
                reply: tx,
            })
            .await
            .map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)
    }

    /// Stops the Controller: sends what is queued, closes the transports. Requests still
    /// waiting fail with [`Error::Closed`].
    pub async fn close(&self) {
        let (tx, rx) = oneshot::channel();
        if self
            .inner
            .cmds
            .send(Command::Close { reply: tx })
            .await
            .is_ok()
        {
            let _ = rx.await;
        }
    }
}

struct Driver {
    node: Node,
    cmds: mpsc::Receiver<Command>,
    events: mpsc::Sender<ControllerEvent>,
    /// Requests waiting for a response, by Agent and msg_id (R-MSG.9: a response from
    /// another Endpoint does not answer them).
    pending: HashMap<(EndpointId, String), Reply<Msg<'static>>>,
    operations: HashMap<(EndpointId, String), Reply<Params<'static>>>,
}

impl Driver {
    async fn run(mut self) {
        let close = poll_fn(|cx| {
            loop {
                match self.cmds.poll_recv(cx) {
                    Poll::Ready(Some(Command::Close { reply })) => return Poll::Ready(Some(reply)),
                    Poll::Ready(Some(cmd)) => {
                        self.command(cmd);
                        continue;
                    }
                    // Every handle is gone.
                    Poll::Ready(None) => return Poll::Ready(None),
                    Poll::Pending => {}
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

    fn command(&mut self, cmd: Command) {
        match cmd {
            Command::Request {
                to,
                msg_id,
                payload,
                reply,
            } => match self.node.send(&to, payload, Via::Default) {
                Ok(()) => {
                    if self.pending.len() >= 4096 {
                        self.pending.retain(|_, r| !r.is_closed());
                    }
                    self.pending.insert((to, msg_id), reply);
                }
                Err(e) => {
                    let _ = reply.send(Err(e));
                }
            },
            Command::Send { to, payload, reply } => {
                let _ = reply.send(self.node.send(&to, payload, Via::Default));
            }
            Command::WaitOperation {
                agent,
                command_key,
                reply,
                registered,
            } => {
                if self.operations.len() >= 4096 {
                    self.operations.retain(|_, r| !r.is_closed());
                }
                let key = (agent, command_key);
                let free = self.operations.get(&key).is_none_or(|r| r.is_closed());
                if free {
                    self.operations.insert(key, reply);
                }
                let _ = registered.send(free);
            }
            Command::Route {
                agent,
                route,
                reply,
            } => {
                self.node.set_route(agent, route);
                let _ = reply.send(());
            }
            Command::Close { reply } => {
                let _ = reply.send(());
            }
        }
    }

    fn event(&mut self, event: NodeEvent) {
        match event {
            NodeEvent::Message { from, payload, via } => self.message(from, &payload, via),
            NodeEvent::Connected { peer } => {
                self.emit(ControllerEvent::AgentConnected { agent: peer });
            }
            NodeEvent::Disconnected { peer } => {
                self.emit(ControllerEvent::AgentDisconnected { agent: peer });
            }
            NodeEvent::TransportClosed { mtp, error } => {
                log::warn!("{}: transport {mtp} closed: {error}", self.node.local());
            }
        }
    }

    fn emit(&mut self, event: ControllerEvent) -> bool {
        match self.events.try_send(event) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(e)) => {
                log::warn!("{}: event queue full, dropped {e:?}", self.node.local());
                false
            }
            // Nobody listens: not an error.
            Err(mpsc::error::TrySendError::Closed(_)) => true,
        }
    }

    fn message(&mut self, from: EndpointId, payload: &[u8], via: Via) {
        let msg = match Msg::decode(payload) {
            Ok(m) => m,
            Err(e) => {
                log::warn!(
                    "{}: undecodable Message from {from}: {e}",
                    self.node.local()
                );
                return;
            }
        };
        match msg.body() {
            Body::Response(_) | Body::Error(_) => match self
                .pending
                .remove(&(from.clone(), msg.msg_id().to_owned()))
            {
                Some(reply) => {
                    let _ = reply.send(Ok(msg.into_owned()));
                }
                None => log::debug!(
                    "{}: response {} from {from} matches no request",
                    self.node.local(),
                    msg.msg_id()
                ),
            },
            Body::Request(Request::Notify(notify)) => {
                let notify = notify.clone().into_owned();
                let msg_id = msg.msg_id().to_owned();
                self.notify(from, msg_id, notify, via);
            }
            other => {
                // A Controller serves no requests but Notify (R-MSG.2: answer with an
                // Error).
                let err = UspError::new(
                    ErrorCode::MESSAGE_NOT_SUPPORTED,
                    format!("a Controller does not serve {:?}", other.msg_type()),
                );
                let answer = Msg::error(msg.msg_id(), err).to_bytes();
                if let Err(e) = self.node.send(&from, answer, via) {
                    log::warn!("{}: cannot answer {from}: {e}", self.node.local());
                }
            }
        }
    }

    fn notify(&mut self, from: EndpointId, msg_id: String, notify: Notify<'static>, via: Via) {
        if let Some(Notification::OperComplete(done)) = &notify.notification {
            let key = (from.clone(), done.command_key.to_string());
            if let Some(reply) = self.operations.remove(&key) {
                let result = match &done.operation_resp {
                    Some(OperationCompleteResult::ReqOutputArgs(a)) => Ok(a.output_args.clone()),
                    Some(OperationCompleteResult::CmdFailure(f)) => Err(Error::Command {
                        code: f.err_code,
                        message: f.err_msg.to_string(),
                    }),
                    _ => Err(Error::Command {
                        code: ErrorCode::COMMAND_FAILURE,
                        message: "OperationComplete without a result".into(),
                    }),
                };
                let _ = reply.send(result);
            }
        }
        let send_resp = notify.send_resp;
        let subscription_id = notify.subscription_id.to_string();
        let delivered = self.emit(ControllerEvent::Notify {
            agent: from.clone(),
            notify,
        });
        if send_resp && delivered {
            let resp = Msg::response(msg_id, NotifyResp::new(subscription_id)).to_bytes();
            if let Err(e) = self.node.send(&from, resp, via) {
                log::warn!("{}: NotifyResp to {from} not sent: {e}", self.node.local());
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        for (_, reply) in self.pending.drain() {
            let _ = reply.send(Err(Error::Closed));
        }
    }
}
