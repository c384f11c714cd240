//! One UDS connection, client or server side: the handshake (R-UDS.16 to R-UDS.21), the
//! Connect and Disconnect Records of an Agent (R-MTP.6 to R-MTP.8), Records both ways
//! (R-UDS.22, R-UDS.23), and the Error TLV then close on bad input (R-UDS.21, R-UDS.23 to
//! R-UDS.25).
//!
//! A connection is two futures run by one task: the reader (decodes Frames, answers the
//! handshake, passes Records up) and the writer (writes the handshake, the Agent's Connect
//! Record, then the queued Records). Writes go through a buffer that remembers how far each
//! Frame got, so that stopping the writer at any point leaves the Frame stream intact: an
//! Error TLV sent after it still starts on a Frame boundary, and a client knows which
//! Records to send again on its next connection.

use std::collections::VecDeque;
use std::io;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{Instant, timeout, timeout_at};
use usp_record::{Record, RecordError, RecordKind};
use usp_types::{EndpointId, ErrorCode};

use super::codec::{FrameCodec, Tlv};
use super::config::{Common, UdsRole};
use super::queue::{Outbox, Outgoing};
use crate::{ConnectionId, Inbound, MtpAddress};

/// The bound on Frames received before the peer's Handshake: enough for a Handshake (an
/// Endpoint ID is at most 1024 bytes) and for the Records R-UDS.20 has us ignore, and no
/// more, so that a peer that has not said who it is cannot make us reserve a large buffer.
const PRE_HANDSHAKE_MAX_FRAME_LEN: usize = 64 * 1024;

/// Write at most this much before looking for more Records to batch.
const WRITE_BATCH: usize = 64 * 1024;

/// Read in pieces of this size.
const READ_CHUNK: usize = 8 * 1024;

/// Bound on the text of an Error TLV we send.
const MAX_ERROR_LEN: usize = 512;

/// Which end of the connection we are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Client,
    Server,
}

/// How a connection ended.
#[derive(Debug)]
pub(crate) enum End {
    /// Closed on our side, gracefully: queued Records written, then the Agent's
    /// `DisconnectRecord`. Also when the handle is gone.
    Closed,
    /// The peer closed the socket.
    PeerClosed,
    /// The peer sent an Error TLV (R-UDS.25).
    PeerError,
    /// The peer broke a rule, or did not complete the handshake in time: we sent an Error
    /// TLV with this text and closed (R-UDS.21, R-UDS.23, R-UDS.24).
    Refused(String),
    /// Reading or writing failed (including a write that made no progress in time).
    Io,
}

/// Runs one connection until it ends. Returns how, and the Records taken from `outbox` that
/// were not completely written (in order), which a client sends again on its next
/// connection.
///
/// `on_handshake` is called with the peer's Endpoint ID once its Handshake is accepted; an
/// `Err` refuses the peer with that text.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run(
    stream: UnixStream,
    side: Side,
    connection: ConnectionId,
    params: &Common,
    outbox: &mut Outbox,
    inbound: &mpsc::Sender<Inbound>,
    shutdown: &mut watch::Receiver<bool>,
    on_handshake: impl FnMut(&EndpointId) -> Result<(), String> + Send,
) -> (End, Vec<Outgoing>) {
    let (mut rd, mut wr) = stream.into_split();
    let mut out = OutBuf::new(params.max_frame_len);
    let (hs_tx, hs_rx) = oneshot::channel();
    let deadline = Instant::now() + params.handshake_timeout;
    let end = {
        let reader = read_side(
            &mut rd,
            connection,
            params,
            inbound,
            hs_tx,
            on_handshake,
            deadline,
        );
        let writer = write_side(&mut wr, &mut out, side, params, outbox, hs_rx, shutdown);
        tokio::select! {
            end = reader => end,
            end = writer => end,
        }
    };
    if let End::Refused(message) = &end {
        // Whatever Frame was being written is finished first, so the Error TLV starts on a
        // Frame boundary.
        out.push_tlv(&Tlv::error(truncate(message)));
        while out.has_pending() {
            if write_some(&mut wr, &mut out, params).await.is_err() {
                break;
            }
        }
    }
    if !matches!(end, End::Closed) {
        let _ = timeout(params.write_timeout, wr.shutdown()).await;
    }
    (end, out.take_unsent())
}

/// Reads Frames and acts on their TLVs, in order.
async fn read_side(
    rd: &mut OwnedReadHalf,
    connection: ConnectionId,
    params: &Common,
    inbound: &mpsc::Sender<Inbound>,
    hs_tx: oneshot::Sender<EndpointId>,
    mut on_handshake: impl FnMut(&EndpointId) -> Result<(), String>,
    deadline: Instant,
) -> End {
    let mut codec =
        FrameCodec::new().with_max_frame_len(params.max_frame_len.min(PRE_HANDSHAKE_MAX_FRAME_LEN));
    let mut buf = BytesMut::with_capacity(READ_CHUNK);
    let mut hs_tx = Some(hs_tx);
    let mut peer: Option<EndpointId> = None;
    loop {
        loop {
            let frame = match codec.decode(&mut buf) {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                // R-UDS.24: a Frame that cannot be parsed.
                Err(e) => return End::Refused(e.to_string()),
            };
            for tlv in frame.tlvs() {
                match tlv {
                    // R-UDS.25
                    Tlv::Error(_) => return End::PeerError,
                    // R-UDS.19 (which says "Type 2 (Handshake)", meaning Type 1): a
                    // Handshake after the first one is ignored.
                    Tlv::Handshake(_) if peer.is_some() => {}
                    Tlv::Handshake(value) => {
                        // R-UDS.21: a Handshake that cannot be processed.
                        let id = match handshake_endpoint_id(&value) {
                            Ok(id) => id,
                            Err(message) => return End::Refused(message),
                        };
                        if let Err(message) = on_handshake(&id) {
                            return End::Refused(message);
                        }
                        if let Some(tx) = hs_tx.take() {
                            let _ = tx.send(id.clone());
                        }
                        codec = codec.with_max_frame_len(params.max_frame_len);
                        peer = Some(id);
                    }
                    Tlv::Record(record) => {
                        // R-UDS.20: Records before the handshake are ignored.
                        let Some(id) = &peer else { continue };
                        // R-UDS.23: a Record that cannot be extracted.
                        if let Err(message) = check_record(&record) {
                            return End::Refused(message);
                        }
                        let reply_to = MtpAddress::Uds {
                            connection,
                            endpoint_id: Some(id.clone()),
                        };
                        if inbound.send(Inbound::new(record, reply_to)).await.is_err() {
                            return End::Closed;
                        }
                    }
                }
            }
        }
        if buf.capacity() - buf.len() < READ_CHUNK / 2 {
            buf.reserve(READ_CHUNK);
        }
        let read = if peer.is_none() {
            match timeout_at(deadline, rd.read_buf(&mut buf)).await {
                Ok(read) => read,
                Err(_) => {
                    return End::Refused(format!(
                        "handshake timeout: no Handshake TLV within {} ms",
                        params.handshake_timeout.as_millis()
                    ));
                }
            }
        } else {
            rd.read_buf(&mut buf).await
        };
        match read {
            Ok(0) => return End::PeerClosed,
            Ok(_) => {}
            Err(_) => return End::Io,
        }
    }
}

/// The Endpoint ID of a Handshake TLV.
fn handshake_endpoint_id(value: &[u8]) -> Result<EndpointId, String> {
    let text = std::str::from_utf8(value)
        .map_err(|_| "invalid handshake: the Endpoint ID is not UTF-8".to_owned())?;
    EndpointId::lenient(text)
        .map_err(|e| format!("invalid handshake: {text:?} is not an Endpoint ID: {e}"))
}

/// Refuses a Record TLV that does not hold a protobuf Record at all (R-UDS.23). A Record
/// that decodes but breaks other rules goes up, for the Endpoint to answer (R-MTP.5).
fn check_record(record: &Bytes) -> Result<(), String> {
    match Record::decode(record.clone()) {
        Err(e @ (RecordError::Malformed { .. } | RecordError::InvalidUtf8 { .. })) => {
            Err(format!("the USP Record cannot be extracted: {e}"))
        }
        _ => Ok(()),
    }
}

/// What an Agent's writer needs to know of a Record it sends (R-MTP.8).
enum Sent {
    Disconnect,
    Connect,
    Other,
}

fn classify(record: &Bytes) -> Sent {
    match Record::decode(record.clone()).as_ref().map(Record::kind) {
        Ok(RecordKind::Disconnect(_)) => Sent::Disconnect,
        Ok(RecordKind::UdsConnect) => Sent::Connect,
        _ => Sent::Other,
    }
}

/// Resolves when the transport is closing (or its handle is gone).
pub(crate) async fn closing(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|closing| *closing).await;
}

/// Writes the handshake, the Agent's Connect Record, then queued Records; on closing,
/// writes what is queued and the Agent's Disconnect Record, then shuts the socket down.
async fn write_side(
    wr: &mut OwnedWriteHalf,
    out: &mut OutBuf,
    side: Side,
    params: &Common,
    outbox: &mut Outbox,
    mut hs_rx: oneshot::Receiver<EndpointId>,
    shutdown: &mut watch::Receiver<bool>,
) -> End {
    if *shutdown.borrow() {
        return End::Closed;
    }
    // R-UDS.16: the client speaks first.
    if side == Side::Client {
        out.push_tlv(&Tlv::handshake(&params.endpoint_id));
    }
    let peer = loop {
        tokio::select! {
            biased;
            () = closing(shutdown) => return End::Closed,
            peer = &mut hs_rx => match peer {
                Ok(peer) => break peer,
                // The reader has ended; the connection ends with it.
                Err(_) => std::future::pending().await,
            },
            written = write_some(wr, out, params), if out.has_pending() => {
                if written.is_err() {
                    return End::Io;
                }
            }
        }
    };
    // R-UDS.17: the server answers the client's Handshake.
    if side == Side::Server {
        out.push_tlv(&Tlv::handshake(&params.endpoint_id));
    }
    let mut agent = match params.role {
        UdsRole::Agent => Some(AgentRecords {
            local: params.endpoint_id.clone(),
            peer,
            needs_connect: true,
        }),
        UdsRole::Controller => None,
    };
    // R-MTP.6: the Agent's UDSConnectRecord comes first, once the handshake is done.
    if let Some(agent) = agent.as_mut() {
        agent.connect_if_needed(out);
    }
    let mut is_closing = false;
    loop {
        if !out.has_pending() {
            let next = if is_closing {
                outbox.next().await
            } else {
                tokio::select! {
                    biased;
                    () = closing(shutdown) => {
                        is_closing = true;
                        outbox.close();
                        continue;
                    }
                    next = outbox.next() => next,
                }
            };
            let Some(first) = next else {
                // Closed and drained: say goodbye (R-MTP.7), write everything, shut down.
                if let Some(agent) = agent.as_ref() {
                    agent.disconnect(out);
                }
                while out.has_pending() {
                    if write_some(wr, out, params).await.is_err() {
                        return End::Io;
                    }
                }
                let _ = timeout(params.write_timeout, wr.shutdown()).await;
                return End::Closed;
            };
            out.push_outgoing(first, agent.as_mut());
            while out.pending_len() < WRITE_BATCH {
                match outbox.try_next() {
                    Some(next) => out.push_outgoing(next, agent.as_mut()),
                    None => break,
                }
            }
        }
        if write_some(wr, out, params).await.is_err() {
            return End::Io;
        }
    }
}

/// The Records an Agent sends on its own on one connection.
struct AgentRecords {
    local: EndpointId,
    peer: EndpointId,
    /// A `UDSConnectRecord` is due before the next Record: at the start, and after a
    /// `DisconnectRecord` (R-MTP.8).
    needs_connect: bool,
}

impl AgentRecords {
    fn connect_if_needed(&mut self, out: &mut OutBuf) {
        if self.needs_connect {
            let record = Record::uds_connect(self.peer.clone(), self.local.clone());
            out.push_own_record(&record.to_bytes());
            self.needs_connect = false;
        }
    }

    fn disconnect(&self, out: &mut OutBuf) {
        let record = Record::disconnect(
            self.peer.clone(),
            self.local.clone(),
            ErrorCode::SESSION_CONTEXT_TERMINATED,
            "the USP Agent is closing the UNIX domain socket",
        );
        out.push_own_record(&record.to_bytes());
    }
}

/// Frames waiting to be written, with the Records they carry, so that it is known which
/// Records were written completely.
struct OutBuf {
    buf: BytesMut,
    codec: FrameCodec,
    /// Bytes ever appended to `buf`.
    appended: u64,
    /// Bytes ever written from `buf`.
    written: u64,
    /// Records in `buf`, each with the value of `appended` at the end of its Frame.
    in_flight: VecDeque<(Outgoing, u64)>,
}

impl OutBuf {
    fn new(max_frame_len: usize) -> Self {
        Self {
            buf: BytesMut::new(),
            codec: FrameCodec::new().with_max_frame_len(max_frame_len),
            appended: 0,
            written: 0,
            in_flight: VecDeque::new(),
        }
    }

    fn has_pending(&self) -> bool {
        !self.buf.is_empty()
    }

    fn pending_len(&self) -> usize {
        self.buf.len()
    }

    fn push_tlv(&mut self, tlv: &Tlv) {
        let before = self.buf.len();
        // Our own TLVs (Handshake, Error) are far below any bound.
        if self
            .codec
            .encode(std::slice::from_ref(tlv), &mut self.buf)
            .is_ok()
        {
            self.appended += (self.buf.len() - before) as u64;
        }
    }

    /// A Record the transport sends itself (Connect, Disconnect).
    fn push_own_record(&mut self, record: &[u8]) {
        let before = self.buf.len();
        if self.codec.encode_record(record, &mut self.buf).is_ok() {
            self.appended += (self.buf.len() - before) as u64;
        }
    }

    fn push_outgoing(&mut self, outgoing: Outgoing, agent: Option<&mut AgentRecords>) {
        if let Some(agent) = agent {
            match classify(&outgoing.record) {
                Sent::Disconnect => {
                    self.push_record(outgoing);
                    agent.needs_connect = true;
                    return;
                }
                Sent::Connect => agent.needs_connect = false,
                Sent::Other => agent.connect_if_needed(self),
            }
        }
        self.push_record(outgoing);
    }

    fn push_record(&mut self, outgoing: Outgoing) {
        let before = self.buf.len();
        // `start_send` refused Records above the bound, so this succeeds; if it did not,
        // dropping the Record counts it as finished with, and the stream stays intact.
        if self
            .codec
            .encode_record(&outgoing.record, &mut self.buf)
            .is_ok()
        {
            self.appended += (self.buf.len() - before) as u64;
            self.in_flight.push_back((outgoing, self.appended));
        }
    }

    /// `n` more bytes were written: the Records whose Frames are now complete are done.
    fn advance(&mut self, n: usize) {
        self.written += n as u64;
        while self
            .in_flight
            .front()
            .is_some_and(|(_, end)| *end <= self.written)
        {
            // Dropping the Record counts it as handed to the network.
            self.in_flight.pop_front();
        }
    }

    /// The Records not completely written.
    fn take_unsent(&mut self) -> Vec<Outgoing> {
        self.in_flight.drain(..).map(|(o, _)| o).collect()
    }
}

/// One write of what is pending; a write that makes no progress within the write timeout
/// is an error.
async fn write_some(wr: &mut OwnedWriteHalf, out: &mut OutBuf, params: &Common) -> io::Result<()> {
    let n = match timeout(params.write_timeout, wr.write_buf(&mut out.buf)).await {
        Ok(written) => written?,
        Err(_) => {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the peer does not read: write timed out",
            ));
        }
    };
    if n == 0 {
        return Err(io::ErrorKind::WriteZero.into());
    }
    out.advance(n);
    Ok(())
}

/// `message`, cut to [`MAX_ERROR_LEN`] bytes at a character boundary.
fn truncate(message: &str) -> String {
    if message.len() <= MAX_ERROR_LEN {
        return message.to_owned();
    }
    let mut end = MAX_ERROR_LEN;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    message[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_values_are_checked() {
        assert_eq!(
            handshake_endpoint_id(b"os::00256D-0123456789").unwrap(),
            "os::00256D-0123456789"
        );
        assert!(handshake_endpoint_id(b"\xff\xfe").is_err());
        assert!(handshake_endpoint_id(b"").is_err());
        assert!(handshake_endpoint_id(b"no colons").is_err());
    }

    #[test]
    fn only_records_that_cannot_be_extracted_are_refused() {
        assert!(check_record(&Bytes::from_static(b"this is text, not protobuf")).is_err());
        let a: EndpointId = "self::a".parse().unwrap();
        let b: EndpointId = "self::b".parse().unwrap();
        assert!(check_record(&Record::uds_connect(a, b).to_bytes()).is_ok());
        // Decodes as protobuf, but lacks the required fields: up to the Endpoint (R-MTP.5).
        assert!(check_record(&Bytes::new()).is_ok());
    }

    #[test]
    fn error_texts_are_bounded() {
        assert_eq!(truncate("short"), "short");
        let long = "é".repeat(400);
        let cut = truncate(&long);
        assert!(cut.len() <= MAX_ERROR_LEN);
        assert!(long.starts_with(&cut));
    }
}
