//! `MqttClient`: the handle of an MQTT client transport, for Agents and Controllers alike.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::MqttConfig;
use super::backend::Params;
use super::peers::PeerVersions;
use super::queue::{Outgoing, SendQueue};
use super::stats::{Counters, MqttStats};
use super::task::{Status, Task};
use super::topic::check_topic;
use crate::{ConnectionId, Inbound, Mtp, MtpAddress, MtpError, MtpErrorKind, MtpKind, Outbound};

/// Where an [`MqttClient`] is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MqttClientState {
    /// Connecting: TCP, TLS, CONNECT and SUBSCRIBE.
    Connecting {
        /// Retries since the last connection that came up.
        retry_count: u32,
    },
    /// Connected and subscribed: Records flow.
    Connected {
        /// The connection, numbered from 1 in the order of establishment.
        connection: ConnectionId,
    },
    /// Waiting before retry number `retry_count` (R-MQTT.10, R-MQTT.33).
    Waiting {
        /// The retry about to happen, counted from 1.
        retry_count: u32,
        /// The wait drawn for it.
        wait: Duration,
    },
    /// Given up for good: nothing can be subscribed (R-MQTT.16) or the broker's answer
    /// leaves no "reply to" Topic. [`MqttClient::last_error`] says why.
    Disabled,
    /// Closed.
    Closed,
}

/// The MQTT MTP: a client of an MQTT broker (3.1.1 or 5) that carries USP Records, for an
/// Agent or a Controller.
///
/// [`start`](Self::start) spawns a task on the current tokio runtime that connects, sends
/// CONNECT (with the `usp-endpoint-id` User Property and Request Response Information in
/// MQTT 5, R-MQTT.12, R-MQTT.13), subscribes (R-MQTT.15 to R-MQTT.17), sends the
/// `MQTTConnectRecord` to the configured [`peer`](MqttConfig::peer) (R-MTP.6), and then
/// carries Records. When the connection fails or ends it waits as the
/// [`ConnectRetry`](super::ConnectRetry) policy says and connects again with the same
/// ClientId (the broker's assigned one included, R-MQTT.9, R-MQTT.11), for as long as the
/// client lives.
///
/// # Sending
///
/// [`Outbound::to`] is an [`MtpAddress::Mqtt`]: the PUBLISH goes to its `topic`, and asks
/// for replies at its `response_topic`, or this client's "reply to" Topic when it is
/// `None` (R-MQTT.22): in the Response Topic with MQTT 5 (R-MQTT.23, Content Type `usp.msg`,
/// R-MQTT.27), after `/reply-to=` in the Topic Name with MQTT 3.1.1 (R-MQTT.24), and both
/// ways from an MQTT 5 client to a peer known to speak 3.1.1. Answering a Record is
/// sending to its [`Inbound::reply_to`] unchanged.
///
/// No Record accepted by [`start_send`](Mtp::start_send) is lost to a broken connection:
/// it waits in a bounded queue ([`send_queue`](MqttConfig::send_queue)) while the client is
/// not connected, and with QoS 1 it is kept until the broker acknowledges it; one not
/// acknowledged when a connection ends is sent again, in order, on the next one (so it may
/// arrive twice: USP Endpoints ignore duplicates, R-E2E.25, R-MSG.4). `poll_ready` waits
/// while the queue is full; [`poll_flush`](Mtp::poll_flush) waits until every accepted
/// Record is acknowledged (QoS 1) or written (QoS 0). With QoS 0 a Record written to a
/// connection that then breaks can be lost. QoS 1 is hop by hop: a Record the broker has
/// acknowledged is the broker's to deliver (a broker that dies holding it loses it; the
/// E2E Session Context is what retransmits end to end).
///
/// [`close`](crate::MtpExt::close) sends the `DisconnectRecord`, waits at most
/// [`close_timeout`](MqttConfig::close_timeout) for the Records not yet acknowledged, and
/// sends DISCONNECT (R-MQTT.35); closing while not connected gives up the Records still
/// queued (counted in [`MqttStats::abandoned`]).
///
/// # Receiving
///
/// A PUBLISH is passed up as an [`Inbound`] whose `reply_to` is
/// `MtpAddress::Mqtt { topic: <the "reply to" Topic>, response_topic: None }`: the MQTT 5
/// Response Topic (R-MQTT.26), else the part of the Topic Name after `/reply-to=`
/// (R-MQTT.25), else the configured [`peer`](MqttConfig::peer)'s topic. A PUBLISH with none
/// of these, with an MQTT 5 Content Type other than `usp.msg` or
/// `application/vnd.bbf.usp.msg` (R-MQTT.27a), whose payload is not a USP Record, or larger
/// than [`max_record_size`](MqttConfig::max_record_size), is dropped with a log line (`log`
/// crate, target `usp_mtp::mqtt`) and counted in [`stats`](Self::stats); the connection
/// carries on. Connect and Disconnect Records are passed up like any other.
///
/// QoS 1 PUBLISHes are acknowledged when they enter the receive queue
/// ([`recv_queue`](MqttConfig::recv_queue)), which is also the Receive Maximum of an MQTT 5
/// CONNECT: while the queue is full the broker holds further messages back.
///
/// ```no_run
/// use usp_mtp::mqtt::{MqttClient, MqttConfig};
/// use usp_mtp::{MtpExt, Outbound};
///
/// # async fn agent(notify: bytes::Bytes) -> Result<(), Box<dyn std::error::Error>> {
/// let config = MqttConfig::new("os::012345-ABC".parse()?, "broker.example", 1883)
///     .reply_to_topic("usp/agent/os::012345-ABC")
///     .peer("self::controller".parse()?, "usp/controller");
/// let mut agent = MqttClient::connect(config).await?; // the MQTTConnectRecord is on its way
/// let controller = agent.peer_address().expect("configured");
/// agent.send(Outbound::new(notify, controller)).await?;
/// loop {
///     let request = agent.recv().await?;
///     // ... decode, act, and answer where it says:
///     let response = request.record.clone();
///     agent.send(Outbound::new(response, request.reply_to)).await?;
/// }
/// # }
/// ```
pub struct MqttClient {
    out: Option<mpsc::UnboundedSender<Outgoing>>,
    queue: SendQueue,
    in_rx: mpsc::Receiver<Inbound>,
    status: watch::Receiver<Status>,
    counters: Arc<Counters>,
    task: Option<JoinHandle<()>>,
    max_record_size: usize,
    peer_topic: Option<String>,
}

impl fmt::Debug for MqttClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.status.borrow();
        f.debug_struct("MqttClient")
            .field("state", &status.state)
            .field("client_id", &status.client_id)
            .field("reply_to", &status.reply_to)
            .field("queue", &self.queue)
            .finish_non_exhaustive()
    }
}

impl MqttClient {
    /// Starts the client: connecting, subscribing and reconnecting happen in a task spawned
    /// on the current tokio runtime. Records can be sent at once; they wait for the
    /// connection.
    ///
    /// # Errors
    ///
    /// [`MtpErrorKind::Config`] outside a tokio runtime, for invalid topics or filters in
    /// the configuration, or an unusable TLS configuration.
    pub fn start(config: MqttConfig) -> Result<Self, MtpError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|e| {
            MtpError::new(MtpErrorKind::Config, "MqttClient needs a tokio runtime").with_source(e)
        })?;
        config.validate()?;
        #[cfg(feature = "rustls")]
        let tls = config
            .tls
            .as_ref()
            .map(super::MqttTlsConfig::build)
            .transpose()?;
        let client_id = match (&config.client_id, config.version) {
            (Some(id), _) => id.clone(),
            // R-MQTT.8: an MQTT 5 client without a ClientId sends an empty one; a 3.1.1
            // client uses its Endpoint ID.
            (None, usp_record::MqttVersion::V5) => String::new(),
            (None, _) => config.endpoint_id.as_str().to_owned(),
        };
        let (out_tx, out_rx) = mpsc::unbounded_channel();
        let (in_tx, in_rx) = mpsc::channel(config.recv_queue);
        let (status_tx, status) = watch::channel(Status {
            state: MqttClientState::Connecting { retry_count: 0 },
            last_error: None,
            client_id: client_id.clone(),
            reply_to: None,
        });
        let counters = Arc::new(Counters::default());
        let queue = SendQueue::new(config.send_queue);
        let max_record_size = config.max_record_size;
        let peer_topic = config.peer.as_ref().map(|(_, t)| t.clone());
        let params = Params {
            client_id,
            requests: 16 + config.recv_queue + 4,
            #[cfg(feature = "rustls")]
            tls,
        };
        let task = Task {
            peers: PeerVersions::new(&config.peer_versions, config.known_peers),
            config,
            params,
            status: status_tx,
            counters: Arc::clone(&counters),
            out_rx,
            in_tx,
            waiting: VecDeque::new(),
            inbound: VecDeque::new(),
            closing: false,
            connections: 0,
        };
        let task = runtime.spawn(task.run());
        Ok(Self {
            out: Some(out_tx),
            queue,
            in_rx,
            status,
            counters,
            task: Some(task),
            max_record_size,
            peer_topic,
        })
    }

    /// Starts the client and waits until its first connection is up and subscribed.
    ///
    /// # Errors
    ///
    /// The errors of [`start`](Self::start), and the failure of the first attempt
    /// ([`Connect`](MtpErrorKind::Connect), [`Tls`](MtpErrorKind::Tls),
    /// [`Timeout`](MtpErrorKind::Timeout), [`Protocol`](MtpErrorKind::Protocol),
    /// [`Io`](MtpErrorKind::Io), or [`Config`](MtpErrorKind::Config) when the MTP is
    /// disabled, R-MQTT.16); the client is stopped then.
    pub async fn connect(config: MqttConfig) -> Result<Self, MtpError> {
        let client = Self::start(config)?;
        let mut status = client.status.clone();
        let outcome = status
            .wait_for(|s| !matches!(s.state, MqttClientState::Connecting { .. }))
            .await
            .map(|s| (s.state.clone(), s.last_error.clone()));
        match outcome {
            Ok((MqttClientState::Connected { .. }, _)) => Ok(client),
            Ok((_, Some((kind, message)))) => Err(MtpError::new(kind, message)),
            _ => Err(MtpError::closed()),
        }
    }

    /// Where the client is now.
    pub fn state(&self) -> MqttClientState {
        self.status.borrow().state.clone()
    }

    /// Why the last connection ended or the last attempt failed (a copy: kind and message).
    pub fn last_error(&self) -> Option<MtpError> {
        let status = self.status.borrow();
        status
            .last_error
            .as_ref()
            .map(|(kind, message)| MtpError::new(*kind, message.clone()))
    }

    /// The ClientId the client connects with: the configured one, the Endpoint ID (3.1.1),
    /// or the one the broker assigned (MQTT 5, R-MQTT.9), which an Agent saves in
    /// `Device.MQTT.Client.{i}.ClientID`. Empty until an MQTT 5 broker assigned one.
    pub fn client_id(&self) -> String {
        self.status.borrow().client_id.clone()
    }

    /// This client's "reply to" Topic, once a connection decided it (Response Information,
    /// or the configured one, R-MQTT.21).
    pub fn reply_to_topic(&self) -> Option<String> {
        self.status.borrow().reply_to.clone()
    }

    /// The address of the configured [`peer`](MqttConfig::peer) (an Agent's Controller).
    pub fn peer_address(&self) -> Option<MtpAddress> {
        self.peer_topic.as_ref().map(|topic| MtpAddress::Mqtt {
            topic: topic.clone(),
            response_topic: None,
        })
    }

    /// Counters of what the client received, dropped and sent.
    pub fn stats(&self) -> MqttStats {
        self.counters.snapshot()
    }

    /// Waits until the client is connected and subscribed (at once if it is).
    ///
    /// # Errors
    ///
    /// [`Closed`](MtpErrorKind::Closed) if the client closes first, or the error that
    /// disabled it.
    pub async fn wait_connected(&self) -> Result<ConnectionId, MtpError> {
        let mut status = self.status.clone();
        let state = status
            .wait_for(|s| {
                matches!(
                    s.state,
                    MqttClientState::Connected { .. }
                        | MqttClientState::Closed
                        | MqttClientState::Disabled
                )
            })
            .await
            .map(|s| s.state.clone());
        match state {
            Ok(MqttClientState::Connected { connection }) => Ok(connection),
            Ok(MqttClientState::Disabled) => Err(self.disabled_error()),
            _ => Err(MtpError::closed()),
        }
    }

    fn disabled_error(&self) -> MtpError {
        self.last_error()
            .unwrap_or_else(|| MtpError::new(MtpErrorKind::Config, "the MQTT MTP is disabled"))
    }

    /// The error of a client that has stopped for good.
    fn ended(&self) -> Option<MtpError> {
        let state = self.status.borrow().state.clone();
        match state {
            MqttClientState::Closed => Some(MtpError::closed()),
            MqttClientState::Disabled => Some(self.disabled_error()),
            _ => None,
        }
    }
}

impl Mtp for MqttClient {
    fn kind(&self) -> MtpKind {
        MtpKind::Mqtt
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<Inbound, MtpError>> {
        match self.in_rx.poll_recv(cx) {
            Poll::Ready(Some(inbound)) => Poll::Ready(Ok(inbound)),
            Poll::Ready(None) => Poll::Ready(Err(self.ended().unwrap_or_else(MtpError::closed))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        if self.out.is_none() {
            return Poll::Ready(Err(MtpError::closed()));
        }
        if let Some(e) = self.ended() {
            return Poll::Ready(Err(e));
        }
        self.queue.poll_ready(cx)
    }

    fn start_send(&mut self, outbound: Outbound) -> Result<(), MtpError> {
        let MtpAddress::Mqtt {
            topic,
            response_topic,
        } = outbound.to
        else {
            return Err(MtpError::new(
                MtpErrorKind::InvalidAddress,
                format!("{} is not an MQTT address", outbound.to),
            ));
        };
        check_topic(&topic)?;
        if let Some(r) = &response_topic {
            check_topic(r)?;
        }
        if outbound.record.len() > self.max_record_size {
            return Err(MtpError::new(
                MtpErrorKind::TooLarge,
                format!(
                    "a Record of {} bytes is larger than the maximum, {} bytes",
                    outbound.record.len(),
                    self.max_record_size
                ),
            ));
        }
        let Some(out) = &self.out else {
            return Err(MtpError::closed());
        };
        let outgoing = self.queue.take(outbound.record, topic, response_topic)?;
        out.send(outgoing).map_err(|_| MtpError::closed())
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        if self.queue.poll_flush(cx).is_ready() {
            return Poll::Ready(Ok(()));
        }
        match self.ended() {
            Some(e) => Poll::Ready(Err(e)),
            None => Poll::Pending,
        }
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        if self.out.take().is_some() {
            self.queue.close();
        }
        if let Some(task) = self.task.as_mut() {
            if Pin::new(task).poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.task = None;
        }
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_outside_a_runtime_is_a_configuration_error() {
        let config = MqttConfig::new("self::a".parse().unwrap(), "localhost", 1883);
        assert_eq!(
            MqttClient::start(config).unwrap_err().kind(),
            MtpErrorKind::Config
        );
    }

    #[tokio::test]
    async fn addresses_and_sizes_are_checked_before_queueing() {
        let config = MqttConfig::new("self::a".parse().unwrap(), "127.0.0.1", 1)
            .max_record_size(4)
            .reply_to_topic("usp/a");
        let mut client = MqttClient::start(config).unwrap();
        assert_eq!(client.kind(), MtpKind::Mqtt);
        let record = bytes::Bytes::from_static(b"abc");
        let cases = [
            (MtpAddress::Memory, MtpErrorKind::InvalidAddress),
            (
                MtpAddress::Mqtt {
                    topic: "usp/+".into(),
                    response_topic: None,
                },
                MtpErrorKind::InvalidAddress,
            ),
            (
                MtpAddress::Mqtt {
                    topic: "usp/b".into(),
                    response_topic: Some(String::new()),
                },
                MtpErrorKind::InvalidAddress,
            ),
        ];
        for (to, kind) in cases {
            let e = client
                .start_send(Outbound::new(record.clone(), to))
                .unwrap_err();
            assert_eq!(e.kind(), kind);
        }
        let to = MtpAddress::Mqtt {
            topic: "usp/b".into(),
            response_topic: None,
        };
        let e = client
            .start_send(Outbound::new(
                bytes::Bytes::from_static(b"too long"),
                to.clone(),
            ))
            .unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::TooLarge);
        // Without poll_ready first.
        let e = client.start_send(Outbound::new(record, to)).unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Config);
        assert_eq!(client.client_id(), "");
        assert_eq!(client.peer_address(), None);
        assert!(format!("{client:?}").contains("MqttClient"));
    }
}
