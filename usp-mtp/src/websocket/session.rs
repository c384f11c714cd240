//! One established WebSocket connection, client or server: the task body that moves Records
//! between the socket and the handle's queues, answers and sends Pings, and closes with the
//! right status code.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep, sleep_until, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};
use usp_record::Record;

use super::config::ConnSettings;
use super::stream::Stream;
use super::util::{Progress, timed_out, ws_error};
use crate::{Inbound, MtpAddress, MtpError, MtpErrorKind};

/// A WebSocket over TCP or TLS.
pub(crate) type Ws = WebSocketStream<Stream>;

/// No Ping sent yet.
const NEVER: u64 = u64::MAX;

/// How long a Close frame to a peer that stopped answering may take to write.
const DEAD_PEER_GRACE: Duration = Duration::from_millis(100);

/// The most Records written before one flush.
const MAX_BATCH: usize = 64;

/// What a connection works with. The queues and `pending` outlive the connection on the
/// client side, so that nothing accepted is lost across reconnections.
pub(crate) struct Session<'a> {
    /// The address Records received here are tagged with.
    pub(crate) reply_to: MtpAddress,
    pub(crate) settings: &'a ConnSettings,
    pub(crate) in_tx: &'a mpsc::Sender<Inbound>,
    pub(crate) out_rx: &'a mut mpsc::Receiver<Bytes>,
    /// Records taken from `out_rx` but not yet known to be written: sent first.
    pub(crate) pending: &'a mut VecDeque<Bytes>,
    pub(crate) progress: &'a Progress,
    /// The Connect Record, sent before anything else (R-MTP.6, R-MTP.8).
    pub(crate) first: Option<Bytes>,
    /// Called once the connection stops carrying Records, before the close handshake (which
    /// can take up to the close timeout with a peer that does not answer).
    pub(crate) on_closing: Option<Box<dyn FnOnce() + Send + 'a>>,
}

/// Why the owner wants the connection closed.
#[derive(Debug)]
pub(crate) struct Stop {
    pub(crate) code: CloseCode,
    pub(crate) reason: &'static str,
    /// Written after the queued Records, before the Close frame (a `DisconnectRecord`).
    pub(crate) last: Option<Bytes>,
}

/// How a connection ended.
#[derive(Debug)]
pub(crate) enum End {
    /// The peer closed it, or the connection broke; the error says how.
    Lost(MtpError),
    /// This side closed it because the peer broke a rule or stopped answering.
    Failed(MtpError),
    /// The owner asked for it to close, and it did.
    Stopped,
    /// The handle is gone: nobody takes received Records any more.
    HandleGone,
}

enum Outcome {
    PeerClosed(Option<CloseFrame>),
    Broken(MtpError),
    Reject(CloseCode, &'static str, MtpErrorKind),
    Stop(Stop),
    HandleGone,
}

/// Runs a connection until it ends; `stop` resolves when the owner wants it closed.
pub(crate) async fn run(ws: Ws, s: Session<'_>, stop: impl Future<Output = Stop>) -> End {
    let Session {
        reply_to,
        settings,
        in_tx,
        out_rx,
        pending,
        progress,
        first,
        on_closing,
    } = s;
    let (mut sink, mut stream) = ws.split();
    // Times as nanoseconds since `start` in atomics (the futures below share them and must
    // be `Send`); all of them run in this one task, so relaxed ordering is enough.
    let start = Instant::now();
    let since_start = move || u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let last_rx = AtomicU64::new(0);
    let ping_sent = AtomicU64::new(NEVER);
    let delivering = AtomicBool::new(false);

    let outcome = {
        let reader = async {
            loop {
                let message = match stream.next().await {
                    None => return Outcome::Broken(MtpError::closed()),
                    Some(Ok(m)) => m,
                    Some(Err(e)) => return read_error(e),
                };
                last_rx.store(since_start(), Relaxed);
                match message {
                    Message::Binary(record) => {
                        // R-WS.16: a Record that cannot be extracted closes with 1003. The
                        // Record is decoded only to know that; it is passed on as received.
                        if Record::decode(record.clone()).is_err() {
                            return Outcome::Reject(
                                CloseCode::Unsupported,
                                "the message is not a USP Record",
                                MtpErrorKind::Protocol,
                            );
                        }
                        delivering.store(true, Relaxed);
                        let sent = in_tx.send(Inbound::new(record, reply_to.clone())).await;
                        delivering.store(false, Relaxed);
                        last_rx.store(since_start(), Relaxed);
                        if sent.is_err() {
                            return Outcome::HandleGone;
                        }
                    }
                    Message::Text(_) => {
                        return Outcome::Reject(
                            CloseCode::Unsupported,
                            "USP Records travel in binary frames (R-WS.14)",
                            MtpErrorKind::Protocol,
                        );
                    }
                    Message::Close(frame) => return Outcome::PeerClosed(frame),
                    // tungstenite queues the Pong and sends it with the next write or read.
                    Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
                }
            }
        };

        let writer = async {
            if let Some(first) = first
                && let Err(e) = sink.send(Message::Binary(first)).await
            {
                return Outcome::Broken(ws_error(e));
            }
            let mut next_ping = settings.ping_interval.map(|i| Instant::now() + i);
            loop {
                if let (Some(at), Some(interval)) = (next_ping, settings.ping_interval)
                    && Instant::now() >= at
                {
                    if let Err(e) = sink.send(Message::Ping(Bytes::new())).await {
                        return Outcome::Broken(ws_error(e));
                    }
                    // `ping_sent` is the oldest Ping not answered yet.
                    let outstanding = ping_sent.load(Relaxed);
                    if outstanding == NEVER || last_rx.load(Relaxed) >= outstanding {
                        ping_sent.store(since_start(), Relaxed);
                    }
                    next_ping = Some(Instant::now() + interval);
                }
                if pending.is_empty() {
                    let ping_due = async {
                        match next_ping {
                            Some(at) => sleep_until(at).await,
                            None => std::future::pending().await,
                        }
                    };
                    tokio::select! {
                        biased;
                        record = out_rx.recv() => match record {
                            Some(r) => pending.push_back(r),
                            // The handle closed the queue; the stop signal says how to close.
                            None => std::future::pending().await,
                        },
                        () = ping_due => continue,
                    }
                    while pending.len() < MAX_BATCH {
                        match out_rx.try_recv() {
                            Ok(r) => pending.push_back(r),
                            Err(_) => break,
                        }
                    }
                }
                if let Err(e) = write_batch(&mut sink, pending, progress).await {
                    return Outcome::Broken(ws_error(e));
                }
            }
        };

        let watchdog = async {
            let Some(interval) = settings.ping_interval else {
                return std::future::pending().await;
            };
            loop {
                match ping_sent.load(Relaxed) {
                    NEVER => sleep(interval).await,
                    sent => {
                        let sent_at = start + Duration::from_nanos(sent);
                        sleep_until(sent_at + settings.pong_timeout).await;
                        // A Ping is answered by anything received after it; a peer is not
                        // blamed while this side is the one not reading (`delivering`).
                        if last_rx.load(Relaxed) < sent && !delivering.load(Relaxed) {
                            return Outcome::Reject(
                                CloseCode::Error,
                                "keepalive: no answer to Ping",
                                MtpErrorKind::Timeout,
                            );
                        }
                        if ping_sent.load(Relaxed) == sent {
                            sleep(interval.min(settings.pong_timeout)).await;
                        }
                    }
                }
            }
        };

        tokio::select! {
            biased;
            s = stop => Outcome::Stop(s),
            o = reader => o,
            o = writer => o,
            o = watchdog => o,
        }
    };

    // Both halves are free again.
    if let Some(f) = on_closing {
        f();
    }
    // The halves come from the same `split` above, so this cannot fail.
    let Ok(mut ws) = stream.reunite(sink) else {
        return End::Lost(MtpError::closed());
    };
    let close_timeout = settings.close_timeout;
    match outcome {
        Outcome::PeerClosed(frame) => {
            // tungstenite has queued the Close reply: send it.
            let _ = timeout(close_timeout, ws.flush()).await;
            let message = match frame {
                Some(f) => format!("the peer closed the connection ({} {})", f.code, f.reason),
                None => "the peer closed the connection".to_owned(),
            };
            End::Lost(MtpError::new(MtpErrorKind::Closed, message))
        }
        Outcome::Broken(e) => End::Lost(e),
        Outcome::Reject(code, reason, kind) => {
            if kind == MtpErrorKind::Timeout {
                // The peer does not answer: tell it why, but do not wait for its Close.
                let frame = CloseFrame {
                    code,
                    reason: reason.into(),
                };
                let _ = timeout(DEAD_PEER_GRACE, ws.send(Message::Close(Some(frame)))).await;
            } else {
                close(&mut ws, code, reason, close_timeout).await;
            }
            End::Failed(MtpError::new(
                kind,
                format!("closed the connection with {code}: {reason}"),
            ))
        }
        Outcome::HandleGone => {
            close(&mut ws, CloseCode::Away, "", close_timeout).await;
            End::HandleGone
        }
        Outcome::Stop(stop) => {
            let deadline = Instant::now() + close_timeout;
            let drained = timeout(
                close_timeout,
                drain(&mut ws, pending, out_rx, progress, stop.last),
            )
            .await;
            let left = deadline.saturating_duration_since(Instant::now());
            if matches!(drained, Ok(Ok(()))) {
                close(&mut ws, stop.code, stop.reason, left).await;
            }
            End::Stopped
        }
    }
}

/// Writes `pending` as one batch and flushes it; the Records count as done only then.
async fn write_batch<S>(
    sink: &mut S,
    pending: &mut VecDeque<Bytes>,
    progress: &Progress,
) -> Result<(), tungstenite::Error>
where
    S: futures_util::Sink<Message, Error = tungstenite::Error> + Unpin,
{
    for record in pending.iter() {
        sink.feed(Message::Binary(record.clone())).await?;
    }
    sink.flush().await?;
    let n = pending.len();
    pending.clear();
    progress.advance(n);
    Ok(())
}

/// Writes everything still queued, then `last`.
async fn drain<S>(
    sink: &mut S,
    pending: &mut VecDeque<Bytes>,
    out_rx: &mut mpsc::Receiver<Bytes>,
    progress: &Progress,
    last: Option<Bytes>,
) -> Result<(), tungstenite::Error>
where
    S: futures_util::Sink<Message, Error = tungstenite::Error> + Unpin,
{
    loop {
        while pending.len() < MAX_BATCH {
            match out_rx.try_recv() {
                Ok(r) => pending.push_back(r),
                Err(_) => break,
            }
        }
        if pending.is_empty() {
            break;
        }
        write_batch(sink, pending, progress).await?;
    }
    if let Some(last) = last {
        sink.send(Message::Binary(last)).await?;
    }
    Ok(())
}

/// Sends a Close frame and waits, a bounded time, for the peer's Close (RFC 6455 section 7).
///
/// When the peer's Close does not come (the read side failed, for example on a message that
/// is too large, whose rest is still unread), this side shuts its write side and reads what
/// is left until the peer closes: closing a socket with unread data would reset the
/// connection, and the peer could lose the Close frame and its status code.
async fn close(ws: &mut Ws, code: CloseCode, reason: &str, within: Duration) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = timeout(within, async {
        if ws.send(Message::Close(Some(frame))).await.is_err() {
            return;
        }
        // Whatever arrives before the peer's Close is discarded.
        loop {
            match ws.next().await {
                Some(Ok(m)) if m.is_close() => return,
                Some(Ok(_)) => {}
                _ => break,
            }
        }
        let raw = ws.get_mut();
        if raw.shutdown().await.is_err() {
            return;
        }
        let mut buf = vec![0; 4096];
        while matches!(raw.read(&mut buf).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// What a read error means for the connection.
fn read_error(e: tungstenite::Error) -> Outcome {
    use tungstenite::Error as E;
    match e {
        E::Capacity(_) => Outcome::Reject(
            CloseCode::Size,
            "the message is larger than the maximum Record size",
            MtpErrorKind::TooLarge,
        ),
        // A text frame that is not even UTF-8 is still a text frame (R-WS.16).
        E::Utf8(_) => Outcome::Reject(
            CloseCode::Unsupported,
            "USP Records travel in binary frames (R-WS.14)",
            MtpErrorKind::Protocol,
        ),
        E::Protocol(_) => Outcome::Reject(
            CloseCode::Protocol,
            "WebSocket protocol error",
            MtpErrorKind::Protocol,
        ),
        e => Outcome::Broken(ws_error(e)),
    }
}

/// Runs `f` within the handshake timeout.
pub(crate) async fn within<T>(
    limit: Duration,
    what: &str,
    f: impl Future<Output = Result<T, MtpError>>,
) -> Result<T, MtpError> {
    timeout(limit, f)
        .await
        .unwrap_or_else(|_| Err(timed_out(what)))
}
