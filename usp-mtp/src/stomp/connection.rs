//! One STOMP connection of the client: the `STOMP`/`CONNECTED` handshake, the
//! subscription, Records both ways with receipts, heart-beats, `ERROR` frames, closing.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use usp_record::{Record, StompVersion};
use usp_types::ErrorCode;

use super::client::{Status, StompClientState};
use super::codec::{Decoded, FrameCodec};
use super::frame::{Command, Frame};
use super::heartbeat::{HeartBeat, HeartBeatEvent, HeartBeatTimers};
use super::queue::Outgoing;
use super::{CONTENT_TYPE, StompConfig};
use crate::{ConnectionId, Inbound, MtpAddress, MtpError, MtpErrorKind};

/// The byte stream: TCP, or TLS over TCP.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// Bytes of `SEND` frames gathered before writing.
const WRITE_BATCH: usize = 64 * 1024;

/// How a connection ended.
#[derive(Debug)]
pub(crate) enum End {
    /// The client was closed.
    Closed,
    /// The connection failed or was lost; `subscribed` says whether it got as far as a
    /// subscription (which resets the retry count).
    Lost { error: MtpError, subscribed: bool },
}

/// What outlives connections: the configuration, the Records to send, the channel of
/// received ones, and the status shown to the handle.
pub(crate) struct Link {
    pub(crate) config: StompConfig,
    pub(crate) rx: mpsc::UnboundedReceiver<Outgoing>,
    /// Records taken from `rx` and not yet written on the current connection, oldest first
    /// (those of a lost connection without a receipt come back here).
    pub(crate) pending: VecDeque<Outgoing>,
    pub(crate) inbound: mpsc::Sender<Inbound>,
    pub(crate) status: watch::Sender<Status>,
    pub(crate) shutdown: watch::Receiver<bool>,
    pub(crate) connections: u64,
    pub(crate) next_receipt: u64,
}

impl Link {
    pub(crate) fn set_state(&self, state: StompClientState) {
        self.status.send_modify(|s| s.state = state);
    }

    /// Shows `error` as the last error.
    pub(crate) fn report(&self, error: &MtpError) {
        let entry = (error.kind(), error.to_string());
        self.status.send_modify(|s| {
            s.last_error = Some(entry);
            s.stats.errors += 1;
        });
    }

    fn receipt(&mut self) -> u64 {
        self.next_receipt += 1;
        self.next_receipt
    }
}

/// Resolves when the client is being closed (or its handle is gone).
pub(crate) async fn closing(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|closed| *closed).await;
}

/// Runs one connection, from TCP to its end.
pub(crate) async fn run(link: &mut Link) -> End {
    if *link.shutdown.borrow() {
        return End::Closed;
    }
    let config = &link.config;
    let attempt = tokio::time::timeout(config.connect_timeout, open_and_handshake(config));
    let opened = tokio::select! {
        opened = attempt => opened.unwrap_or_else(|_| {
            Err(MtpError::new(
                MtpErrorKind::Timeout,
                format!("STOMP: not connected within {:?}", config.connect_timeout),
            ))
        }),
        () = closing(&mut link.shutdown) => return End::Closed,
    };
    let (stream, handshake) = match opened {
        Ok(opened) => opened,
        Err(error) => {
            return End::Lost {
                error,
                subscribed: false,
            };
        }
    };
    link.connections += 1;
    let connection = ConnectionId::new(link.connections);
    let (rd, wr) = tokio::io::split(stream);
    let mut session = match Session::new(link, connection, handshake) {
        Ok(session) => session,
        Err(error) => {
            // R-STOMP.16: no destination; end the session politely and retry.
            let mut wr = wr;
            let mut bye = BytesMut::new();
            let _ = Frame::new(Command::Disconnect).encode(&mut bye);
            let _ = tokio::time::timeout(Duration::from_secs(1), async {
                wr.write_all(&bye).await?;
                wr.shutdown().await
            })
            .await;
            return End::Lost {
                error,
                subscribed: false,
            };
        }
    };
    let end = session.run(link, rd, wr).await;
    session.requeue(link);
    end
}

/// What the handshake leaves: the `CONNECTED` frame, and the codec and bytes already read.
struct Handshake {
    connected: Frame,
    codec: FrameCodec,
    rbuf: BytesMut,
}

async fn open_and_handshake(config: &StompConfig) -> Result<(Box<dyn Io>, Handshake), MtpError> {
    let tcp = TcpStream::connect((config.host.as_str(), config.port))
        .await
        .map_err(|e| {
            MtpError::new(
                MtpErrorKind::Connect,
                format!(
                    "STOMP: cannot connect to {}:{}: {e}",
                    config.host, config.port
                ),
            )
            .with_source(e)
        })?;
    let _ = tcp.set_nodelay(true);
    #[cfg(feature = "rustls")]
    let mut stream: Box<dyn Io> = if config.tls.enabled() {
        Box::new(config.tls.connect(&config.host, tcp).await?)
    } else {
        Box::new(tcp)
    };
    #[cfg(not(feature = "rustls"))]
    let mut stream: Box<dyn Io> = Box::new(tcp);
    let handshake = handshake(&mut stream, config).await?;
    Ok((stream, handshake))
}

/// The `STOMP` frame of R-STOMP.2 to R-STOMP.5 and R-STOMP.8 to R-STOMP.10.
fn stomp_frame(config: &StompConfig) -> Frame {
    let mut frame = Frame::new(Command::Stomp)
        .with_header("accept-version", "1.2")
        .with_header("endpoint-id", config.endpoint_id.as_str())
        .with_header("heart-beat", config.heart_beat.to_string());
    if let Some(host) = &config.virtual_host {
        frame.push_header("host", host.as_str());
    }
    if let Some(credentials) = &config.credentials {
        frame.push_header("login", credentials.login.as_str());
        frame.push_header("passcode", credentials.passcode.as_str());
    }
    frame
}

async fn handshake(stream: &mut Box<dyn Io>, config: &StompConfig) -> Result<Handshake, MtpError> {
    let mut out = BytesMut::new();
    stomp_frame(config).encode(&mut out)?;
    stream.write_all(&out).await?;
    stream.flush().await?;
    let mut codec = FrameCodec::new()
        .with_max_frame_len(config.max_frame_len)
        .with_max_header_len(config.max_header_len)
        .with_max_headers(config.max_headers);
    let mut rbuf = BytesMut::with_capacity(8 * 1024);
    loop {
        match codec.decode(&mut rbuf) {
            Ok(Some(Decoded::HeartBeat)) => continue,
            Ok(Some(Decoded::Frame(frame))) => {
                return match frame.command() {
                    Command::Connected => Ok(Handshake {
                        connected: frame,
                        codec,
                        rbuf,
                    }),
                    Command::Error => Err(MtpError::new(
                        MtpErrorKind::Connect,
                        format!(
                            "STOMP: the server refused the connection: {}",
                            error_text(&frame)
                        ),
                    )),
                    other => Err(MtpError::new(
                        MtpErrorKind::Protocol,
                        format!("STOMP: expected CONNECTED, got {other}"),
                    )),
                };
            }
            Ok(None) => {}
            Err(e) => return Err(e.into()),
        }
        if stream.read_buf(&mut rbuf).await? == 0 {
            return Err(MtpError::new(
                MtpErrorKind::Connect,
                "STOMP: the server closed the connection before CONNECTED",
            ));
        }
    }
}

/// The `message` header and the start of the body of an `ERROR` frame.
fn error_text(frame: &Frame) -> String {
    let message = frame.header("message").unwrap_or("(no message)");
    let body = String::from_utf8_lossy(&frame.body()[..frame.body().len().min(200)]);
    let body = body.trim();
    if body.is_empty() {
        message.to_owned()
    } else {
        format!("{message}: {body}")
    }
}

/// What a receipt is for.
enum InFlight {
    /// A Record of the handle's.
    Record(Outgoing),
    /// A Connect or Disconnect Record the client sent itself.
    Own,
}

/// Where closing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closing {
    /// Sending what is queued and waiting for the receipts.
    Draining,
    /// `DisconnectRecord`s and `DISCONNECT` sent; waiting for the `DISCONNECT` receipt.
    Disconnecting,
}

/// A STOMP receipt id: a letter for its kind and a number.
fn receipt_id(kind: char, n: u64) -> String {
    format!("{kind}-{n}")
}

fn parse_receipt(id: &str) -> Option<(char, u64)> {
    let (kind, n) = id.split_once('-')?;
    let mut chars = kind.chars();
    let kind = chars.next().filter(|_| chars.next().is_none())?;
    Some((kind, n.parse().ok()?))
}

/// One connection after `CONNECTED`.
struct Session {
    connection: ConnectionId,
    destination: String,
    codec: FrameCodec,
    rbuf: BytesMut,
    wbuf: BytesMut,
    needs_flush: bool,
    timers: HeartBeatTimers,
    subscribe_receipt: u64,
    subscribed: bool,
    /// When the subscription must be confirmed by.
    subscribe_deadline: Instant,
    in_flight: BTreeMap<u64, InFlight>,
    /// A received Record waiting for room in the inbound channel; reading stops meanwhile.
    held: Option<Inbound>,
    closing: Option<(Closing, Instant)>,
    disconnect_receipt: u64,
}

impl Session {
    /// Checks the `CONNECTED` frame, picks the destination, and queues the `SUBSCRIBE`.
    fn new(
        link: &mut Link,
        connection: ConnectionId,
        handshake: Handshake,
    ) -> Result<Self, MtpError> {
        let Handshake {
            connected,
            codec,
            rbuf,
        } = handshake;
        let protocol = |m: String| MtpError::new(MtpErrorKind::Protocol, m);
        if let Some(version) = connected.header("version")
            && version != "1.2"
        {
            return Err(protocol(format!(
                "STOMP: the server chose version {version}; USP uses 1.2"
            )));
        }
        let server_heart_beat = match connected.header("heart-beat") {
            Some(value) => value
                .parse::<HeartBeat>()
                .map_err(|e| protocol(format!("STOMP: CONNECTED: {e}")).with_source(e))?,
            None => HeartBeat::OFF,
        };
        let config = &link.config;
        let negotiated = config.heart_beat.negotiate(server_heart_beat);
        let timers = HeartBeatTimers::new(
            negotiated,
            config.heart_beat_tolerance,
            Instant::now().into_std(),
        );
        // R-STOMP.6, R-STOMP.14, R-STOMP.15, R-STOMP.16.
        let destination = connected
            .header("subscribe-dest")
            .filter(|d| !d.is_empty())
            .or(config.destination.as_deref())
            .ok_or_else(|| {
                MtpError::new(
                    MtpErrorKind::Config,
                    "STOMP: no destination to subscribe to: neither a subscribe-dest from \
                     the server nor a configured one (R-STOMP.16)",
                )
            })?
            .to_owned();
        let subscribe_deadline = Instant::now() + config.connect_timeout;
        let subscribe_receipt = link.receipt();
        // R-STOMP.12, R-STOMP.13, R-STOMP.17.
        let subscribe = Frame::new(Command::Subscribe)
            .with_header("id", format!("usp-{}", connection.get()))
            .with_header("destination", destination.as_str())
            .with_header("ack", "auto")
            .with_header("receipt", receipt_id('s', subscribe_receipt));
        let mut wbuf = BytesMut::new();
        subscribe.encode(&mut wbuf)?;
        Ok(Self {
            connection,
            destination,
            codec,
            rbuf,
            wbuf,
            needs_flush: false,
            timers,
            subscribe_receipt,
            subscribed: false,
            subscribe_deadline,
            in_flight: BTreeMap::new(),
            held: None,
            closing: None,
            disconnect_receipt: 0,
        })
    }

    fn lost(&self, error: MtpError) -> End {
        End::Lost {
            error,
            subscribed: self.subscribed,
        }
    }

    async fn run(
        &mut self,
        link: &mut Link,
        mut rd: ReadHalf<Box<dyn Io>>,
        mut wr: WriteHalf<Box<dyn Io>>,
    ) -> End {
        // Frames that came with CONNECTED.
        if let Err(end) = self.process_input(link) {
            return end;
        }
        loop {
            if let Err(end) = self.advance_closing(link) {
                return end;
            }
            self.fill(link);
            if self.rbuf.capacity() - self.rbuf.len() < 4096 {
                self.rbuf.reserve(16 * 1024);
            }
            let heart_beat = self.timers.poll_timeout().map(Instant::from_std);
            let close_deadline = self.closing.map(|(_, deadline)| deadline);
            let subscribe_deadline = (!self.subscribed).then_some(self.subscribe_deadline);
            let can_take = self.subscribed
                && self.closing.is_none()
                && link.pending.is_empty()
                && self.wbuf.len() < WRITE_BATCH;
            let writing = !self.wbuf.is_empty() || self.needs_flush;
            tokio::select! {
                () = closing(&mut link.shutdown), if self.closing.is_none() => {
                    if !self.subscribed {
                        return End::Closed;
                    }
                    let deadline = Instant::now() + link.config.close_timeout;
                    self.closing = Some((Closing::Draining, deadline));
                    // Reading must go on, for the receipts: a Record that still finds no
                    // room is dropped (the handle is closing).
                    if let Some(inbound) = self.held.take() {
                        let _ = link.inbound.try_send(inbound);
                    }
                    if let Err(end) = self.process_input(link) {
                        return end;
                    }
                }
                () = sleep_until(close_deadline), if close_deadline.is_some() => {
                    return End::Closed;
                }
                () = sleep_until(subscribe_deadline), if subscribe_deadline.is_some() => {
                    return self.lost(MtpError::new(
                        MtpErrorKind::Timeout,
                        "STOMP: the server did not confirm the SUBSCRIBE in time",
                    ));
                }
                read = rd.read_buf(&mut self.rbuf), if self.held.is_none() => {
                    match read {
                        Ok(0) => return self.eof(),
                        Ok(_) => {
                            self.timers.received(Instant::now().into_std());
                            if let Err(end) = self.process_input(link) {
                                return end;
                            }
                        }
                        Err(e) => return self.lost(e.into()),
                    }
                }
                written = write_some(&mut wr, &mut self.wbuf, &mut self.needs_flush), if writing => {
                    match written {
                        Ok(()) => self.timers.sent(Instant::now().into_std()),
                        Err(e) => return self.lost(e.into()),
                    }
                }
                outgoing = link.rx.recv(), if can_take => {
                    if let Some(outgoing) = outgoing {
                        link.pending.push_back(outgoing);
                    }
                }
                permit = link.inbound.clone().reserve_owned(), if self.held.is_some() => {
                    if let (Ok(permit), Some(inbound)) = (permit, self.held.take()) {
                        permit.send(inbound);
                    }
                    self.held = None;
                    self.timers.received(Instant::now().into_std());
                    if let Err(end) = self.process_input(link) {
                        return end;
                    }
                }
                () = sleep_until(heart_beat), if heart_beat.is_some() => {
                    let now = Instant::now().into_std();
                    match self.timers.poll(now) {
                        Some(HeartBeatEvent::Dead { silent_for }) if self.held.is_none() => {
                            return self.lost(MtpError::new(
                                MtpErrorKind::Timeout,
                                format!(
                                    "STOMP: nothing from the server for {silent_for:?}: \
                                     missed heart-beats (R-STOMP.11)"
                                ),
                            ));
                        }
                        // Not reading is the client's choice: not the server's silence.
                        Some(HeartBeatEvent::Dead { .. }) => self.timers.received(now),
                        Some(HeartBeatEvent::Send) => {
                            if self.wbuf.is_empty() {
                                self.codec.encode_heartbeat(&mut self.wbuf);
                            }
                            // Written, or already waiting to be: either way not due again.
                            self.timers.sent(now);
                        }
                        None => {}
                    }
                }
            }
        }
    }

    /// The server closed the connection.
    fn eof(&mut self) -> End {
        if self.closing.is_some() {
            return End::Closed;
        }
        let error = match self.codec.decode_eof(&mut self.rbuf) {
            Err(e) => MtpError::from(e),
            Ok(_) => MtpError::new(
                MtpErrorKind::Closed,
                "STOMP: the server closed the connection",
            ),
        };
        self.lost(error)
    }

    /// Decodes what was read, until more is needed or a Record waits for room.
    fn process_input(&mut self, link: &mut Link) -> Result<(), End> {
        while self.held.is_none() {
            match self.codec.decode(&mut self.rbuf) {
                Ok(None) => break,
                Ok(Some(Decoded::HeartBeat)) => {}
                Ok(Some(Decoded::Frame(frame))) => self.on_frame(link, frame)?,
                Err(e) if e.is_fatal() => return Err(self.lost(e.into())),
                Err(e) => {
                    link.status.send_modify(|s| s.stats.dropped += 1);
                    link.report(&e.into());
                }
            }
        }
        Ok(())
    }

    fn on_frame(&mut self, link: &mut Link, frame: Frame) -> Result<(), End> {
        match frame.command() {
            Command::Message => match inbound(frame) {
                Ok(inbound) => match link.inbound.try_send(inbound) {
                    Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
                    // Closing: the handle is not reading any more; the Record is dropped.
                    Err(mpsc::error::TrySendError::Full(_)) if self.closing.is_some() => {}
                    Err(mpsc::error::TrySendError::Full(inbound)) => self.held = Some(inbound),
                },
                Err(why) => {
                    link.status.send_modify(|s| s.stats.dropped += 1);
                    link.report(&MtpError::new(MtpErrorKind::Protocol, why));
                }
            },
            Command::Receipt => match frame.header("receipt-id").and_then(parse_receipt) {
                Some(('s', n)) if n == self.subscribe_receipt => self.on_subscribed(link),
                Some(('r' | 'o', n)) => {
                    // Dropping a Record finishes it for poll_flush.
                    self.in_flight.remove(&n);
                }
                Some(('d', n)) if n == self.disconnect_receipt => return Err(End::Closed),
                _ => link.report(&MtpError::new(
                    MtpErrorKind::Protocol,
                    format!(
                        "STOMP: a RECEIPT for nothing sent: {:?}",
                        frame.header("receipt-id")
                    ),
                )),
            },
            // R-STOMP.25: the server ends the connection after an ERROR; retry.
            Command::Error => {
                let mut message = format!("STOMP: ERROR from the server: {}", error_text(&frame));
                if let Some(refused) = self.refused(link, &frame) {
                    message.push_str("; ");
                    message.push_str(&refused);
                }
                return Err(self.lost(MtpError::new(MtpErrorKind::Protocol, message)));
            }
            other => link.report(&MtpError::new(
                MtpErrorKind::Protocol,
                format!("STOMP: unexpected {other} frame from the server: ignored"),
            )),
        }
        Ok(())
    }

    /// The subscription is in place: the connection is up. The Connect Records go first
    /// (R-MTP.6), then the Records waiting.
    fn on_subscribed(&mut self, link: &mut Link) {
        self.subscribed = true;
        let destination = self.destination.clone();
        link.status.send_modify(|s| {
            s.state = StompClientState::Connected {
                connection: self.connection,
                destination,
            };
            s.stats.connections += 1;
        });
        let from = link.config.endpoint_id.clone();
        let peers = link.config.connect_records.clone();
        for peer in peers {
            let record = Record::stomp_connect(
                peer.controller.clone(),
                from.clone(),
                StompVersion::V1_2,
                self.destination.as_str(),
            );
            match record {
                Ok(record) => self.send_own(link, record.to_bytes(), &peer.destination),
                Err(e) => link.report(
                    &MtpError::new(MtpErrorKind::Config, format!("STOMPConnectRecord: {e}"))
                        .with_source(e),
                ),
            }
        }
    }

    fn send_own(&mut self, link: &mut Link, record: Bytes, destination: &str) {
        let n = link.receipt();
        let receipt = receipt_id('o', n);
        let frame = send_frame(
            &link.config,
            record,
            destination,
            &self.destination,
            receipt,
        );
        match frame.encode(&mut self.wbuf) {
            Ok(()) => {
                self.in_flight.insert(n, InFlight::Own);
            }
            Err(e) => link.report(&e.into()),
        }
    }

    /// Moves waiting Records into the write buffer, while subscribed and not closing.
    fn fill(&mut self, link: &mut Link) {
        if !self.subscribed || matches!(self.closing, Some((Closing::Disconnecting, _))) {
            return;
        }
        while self.wbuf.len() < WRITE_BATCH {
            let Some(outgoing) = link.pending.pop_front().or_else(|| link.rx.try_recv().ok())
            else {
                return;
            };
            let n = link.receipt();
            let reply_to = outgoing.reply_to.as_deref().unwrap_or(&self.destination);
            let frame = send_frame(
                &link.config,
                outgoing.record.clone(),
                &outgoing.destination,
                reply_to,
                receipt_id('r', n),
            );
            match frame.encode(&mut self.wbuf) {
                Ok(()) => {
                    self.in_flight.insert(n, InFlight::Record(outgoing));
                }
                // Not representable (cannot happen with escaped headers): dropped, reported.
                Err(e) => link.report(&e.into()),
            }
        }
    }

    /// Closing: once everything is confirmed, the `DisconnectRecord`s and `DISCONNECT`.
    fn advance_closing(&mut self, link: &mut Link) -> Result<(), End> {
        let Some((Closing::Draining, deadline)) = self.closing else {
            return Ok(());
        };
        let drained = link.pending.is_empty()
            && link.rx.is_empty()
            && !self
                .in_flight
                .values()
                .any(|f| matches!(f, InFlight::Record(_)));
        if !drained {
            return Ok(());
        }
        if link.config.disconnect_on_close {
            let from = link.config.endpoint_id.clone();
            for peer in link.config.connect_records.clone() {
                let record = Record::disconnect(
                    peer.controller,
                    from.clone(),
                    ErrorCode::SESSION_CONTEXT_TERMINATED,
                    "the USP Agent is closing its STOMP connection",
                );
                self.send_own(link, record.to_bytes(), &peer.destination);
            }
        }
        self.disconnect_receipt = link.receipt();
        let disconnect = Frame::new(Command::Disconnect)
            .with_header("receipt", receipt_id('d', self.disconnect_receipt));
        if let Err(e) = disconnect.encode(&mut self.wbuf) {
            return Err(self.lost(e.into()));
        }
        self.closing = Some((Closing::Disconnecting, deadline));
        Ok(())
    }

    /// An `ERROR` frame: the Record it names by its receipt is refused; otherwise the
    /// oldest Record without a receipt counts one refusal (see
    /// [`StompConfig::max_refusals`]). Says which Record was dropped, if one was.
    fn refused(&mut self, link: &mut Link, error: &Frame) -> Option<String> {
        let named = error
            .header("receipt-id")
            .and_then(parse_receipt)
            .filter(|(kind, n)| *kind == 'r' && self.in_flight.contains_key(n))
            .map(|(_, n)| n);
        let max = link.config.max_refusals;
        let victim = match named {
            Some(n) => Some(n),
            None => self
                .in_flight
                .iter_mut()
                .find_map(|(n, f)| match f {
                    InFlight::Record(o) => Some((*n, o)),
                    InFlight::Own => None,
                })
                .and_then(|(n, o)| {
                    o.refusals += 1;
                    (o.refusals >= max).then_some(n)
                }),
        };
        let Some(InFlight::Record(o)) = victim.and_then(|n| self.in_flight.remove(&n)) else {
            return None;
        };
        link.status.send_modify(|s| s.stats.refused += 1);
        Some(format!(
            "a Record of {} bytes to {} was refused {} time(s) and is dropped",
            o.record.len(),
            o.destination,
            if named.is_some() { 1 } else { o.refusals }
        ))
    }

    /// The connection is over: Records without a receipt go back to the front of the
    /// queue, in order, to be sent again on the next connection.
    fn requeue(&mut self, link: &mut Link) {
        let in_flight = std::mem::take(&mut self.in_flight);
        let mut resent = 0;
        for outgoing in in_flight.into_values().rev().filter_map(|f| match f {
            InFlight::Record(o) => Some(o),
            InFlight::Own => None,
        }) {
            link.pending.push_front(outgoing);
            resent += 1;
        }
        if resent > 0 {
            link.status.send_modify(|s| s.stats.resent += resent);
        }
    }
}

/// The `SEND` frame of a Record (R-STOMP.18 to R-STOMP.22), asking for a receipt.
fn send_frame(
    config: &StompConfig,
    record: Bytes,
    destination: &str,
    reply_to: &str,
    receipt: String,
) -> Frame {
    let mut frame = Frame::new(Command::Send)
        .with_header("destination", destination)
        .with_header("content-type", CONTENT_TYPE)
        .with_header("content-length", record.len().to_string())
        .with_header("reply-to-dest", reply_to)
        .with_header("receipt", receipt);
    for (name, value) in &config.send_headers {
        frame.push_header(name.as_str(), value.as_str());
    }
    frame.with_body(record)
}

/// The Inbound of a `MESSAGE` frame, or why it holds no USP Record.
fn inbound(frame: Frame) -> Result<Inbound, String> {
    let content_type = frame.header("content-type");
    let media_type = content_type.map(|t| t.split(';').next().unwrap_or_default().trim());
    if !media_type.is_some_and(|t| t.eq_ignore_ascii_case(CONTENT_TYPE)) {
        return Err(format!(
            "STOMP: a MESSAGE with content-type {content_type:?} holds no USP Record: dropped"
        ));
    }
    let reply_to = frame.header("reply-to-dest").unwrap_or_default().to_owned();
    let body = frame.into_body();
    if body.is_empty() {
        return Err("STOMP: an empty MESSAGE holds no USP Record: dropped".into());
    }
    Ok(Inbound::new(
        body,
        MtpAddress::Stomp {
            destination: reply_to,
            reply_to: None,
        },
    ))
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Writes some of `buf`, or flushes once it is all written (TLS buffers).
async fn write_some(
    wr: &mut WriteHalf<Box<dyn Io>>,
    buf: &mut BytesMut,
    needs_flush: &mut bool,
) -> std::io::Result<()> {
    if buf.is_empty() {
        wr.flush().await?;
        *needs_flush = false;
        return Ok(());
    }
    let n = wr.write(buf).await?;
    if n == 0 {
        return Err(std::io::ErrorKind::WriteZero.into());
    }
    buf.advance(n);
    *needs_flush = true;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_ids_round_trip() {
        assert_eq!(parse_receipt(&receipt_id('r', 42)), Some(('r', 42)));
        assert_eq!(parse_receipt("rr-1"), None);
        assert_eq!(parse_receipt("r-x"), None);
        assert_eq!(parse_receipt("7"), None);
    }

    #[test]
    fn r_stomp_23_inbound_reply_to_is_the_reply_to_dest() {
        let frame = Frame::new(Command::Message)
            .with_header("content-type", "application/vnd.bbf.usp.msg")
            .with_header("reply-to-dest", "/queue/controller")
            .with_body(&b"record"[..]);
        let first = inbound(frame).unwrap();
        assert_eq!(&first.record[..], b"record");
        assert_eq!(
            first.reply_to,
            MtpAddress::Stomp {
                destination: "/queue/controller".into(),
                reply_to: None
            }
        );
        // Parameters and case of the media type do not matter.
        let frame = Frame::new(Command::Message)
            .with_header("content-type", "Application/VND.bbf.usp.msg; charset=x")
            .with_body(&b"r"[..]);
        let second = inbound(frame).unwrap();
        assert!(
            matches!(second.reply_to, MtpAddress::Stomp { ref destination, .. } if destination.is_empty())
        );
    }

    #[test]
    fn messages_without_a_usp_record_are_dropped() {
        for frame in [
            Frame::new(Command::Message).with_body(&b"r"[..]),
            Frame::new(Command::Message)
                .with_header("content-type", "text/plain")
                .with_body(&b"r"[..]),
            Frame::new(Command::Message).with_header("content-type", CONTENT_TYPE),
        ] {
            assert!(inbound(frame).is_err());
        }
    }

    #[test]
    fn r_stomp_2_to_5_the_stomp_frame() {
        let config = StompConfig::new("h", 1, "os::00256D-0044".parse().unwrap())
            .virtual_host("/vh")
            .credentials("user", "pass:word")
            .heart_beat(Duration::from_secs(1), Duration::from_secs(2));
        let frame = stomp_frame(&config);
        assert_eq!(frame.command(), Command::Stomp);
        assert_eq!(frame.header("accept-version"), Some("1.2"));
        assert_eq!(frame.header("endpoint-id"), Some("os::00256D-0044"));
        assert_eq!(frame.header("host"), Some("/vh"));
        assert_eq!(frame.header("login"), Some("user"));
        assert_eq!(frame.header("passcode"), Some("pass:word"));
        assert_eq!(frame.header("heart-beat"), Some("1000,2000"));
        let bare = stomp_frame(&StompConfig::new(
            "h",
            1,
            "os::00256D-0044".parse().unwrap(),
        ));
        assert_eq!(bare.header("host"), None);
        assert_eq!(bare.header("login"), None);
        assert_eq!(bare.header("heart-beat"), Some("0,0"), "R-STOMP.9");
    }

    #[test]
    fn error_text_has_the_message_and_the_body() {
        let e = Frame::new(Command::Error)
            .with_header("message", "Bad CONNECT")
            .with_body(&b"Access refused\n"[..]);
        assert_eq!(error_text(&e), "Bad CONNECT: Access refused");
        assert_eq!(error_text(&Frame::new(Command::Error)), "(no message)");
    }
}
