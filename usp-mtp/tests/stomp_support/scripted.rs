//! A scripted STOMP server: the test plays the broker, frame by frame, for what RabbitMQ
//! never does on demand (`subscribe-dest`, `ERROR` frames, silence, malformed frames).

use std::time::{Duration, Instant};

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use usp_mtp::stomp::{Command, Decoded, Frame, FrameCodec};

/// How long a scripted step may wait for the client.
pub(crate) const STEP: Duration = Duration::from_secs(10);

/// A listening scripted server on 127.0.0.1.
pub(crate) struct Scripted {
    listener: TcpListener,
}

impl Scripted {
    /// Listens on a free port.
    pub(crate) async fn bind() -> Self {
        Self {
            listener: TcpListener::bind("127.0.0.1:0").await.expect("bind"),
        }
    }

    /// Listens on `port` (one that was free).
    pub(crate) async fn on_port(port: u16) -> Self {
        Self {
            listener: TcpListener::bind(("127.0.0.1", port)).await.expect("bind"),
        }
    }

    /// The port.
    pub(crate) fn port(&self) -> u16 {
        self.listener.local_addr().expect("local address").port()
    }

    /// The next connection of the client.
    pub(crate) async fn accept(&self) -> Conn {
        let (stream, _) = tokio::time::timeout(STEP, self.listener.accept())
            .await
            .expect("no connection from the client in time")
            .expect("accept");
        Conn {
            stream,
            codec: FrameCodec::new(),
            buf: BytesMut::new(),
            raw: Vec::new(),
            heart_beats: 0,
            last_sent: Instant::now(),
        }
    }

    /// Whether the client connects again within `wait`.
    pub(crate) async fn accepts_within(&self, wait: Duration) -> Option<Conn> {
        match tokio::time::timeout(wait, self.listener.accept()).await {
            Ok(Ok((stream, _))) => Some(Conn {
                stream,
                codec: FrameCodec::new(),
                buf: BytesMut::new(),
                raw: Vec::new(),
                heart_beats: 0,
                last_sent: Instant::now(),
            }),
            _ => None,
        }
    }
}

/// One client connection, seen from the server.
pub(crate) struct Conn {
    stream: TcpStream,
    codec: FrameCodec,
    buf: BytesMut,
    raw: Vec<u8>,
    heart_beats: usize,
    last_sent: Instant,
}

impl Conn {
    /// Everything the client sent so far.
    pub(crate) fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// Heart-beat EOLs received so far.
    pub(crate) fn heart_beats(&self) -> usize {
        self.heart_beats
    }

    /// When the server last wrote to the client.
    pub(crate) fn last_sent(&self) -> Instant {
        self.last_sent
    }

    /// The next item from the client within `wait`: `Some(None)` at EOF, `None` on
    /// timeout.
    async fn item(&mut self, wait: Duration) -> Option<Option<Decoded>> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(item) = self.codec.decode(&mut self.buf).expect("client framing") {
                if item == Decoded::HeartBeat {
                    self.heart_beats += 1;
                }
                return Some(Some(item));
            }
            let mut chunk = [0u8; 4096];
            let read = tokio::time::timeout_at(deadline, self.stream.read(&mut chunk)).await;
            match read {
                Err(_) => return None,
                Ok(Ok(0)) | Ok(Err(_)) => return Some(None),
                Ok(Ok(n)) => {
                    self.raw.extend_from_slice(&chunk[..n]);
                    self.buf.extend_from_slice(&chunk[..n]);
                }
            }
        }
    }

    /// The next frame from the client, heart-beats skipped (and counted).
    pub(crate) async fn frame(&mut self) -> Frame {
        loop {
            match self.item(STEP).await {
                Some(Some(Decoded::Frame(frame))) => return frame,
                Some(Some(_)) => {}
                Some(None) => panic!("the client closed the connection"),
                None => panic!("no frame from the client in time"),
            }
        }
    }

    /// The next frame, which must be a `command`.
    pub(crate) async fn expect(&mut self, command: Command) -> Frame {
        let frame = self.frame().await;
        assert_eq!(frame.command(), command, "{frame:?}");
        frame
    }

    /// Waits up to `wait` for the client to close the connection, heart-beats skipped;
    /// the frames it sent meanwhile.
    pub(crate) async fn until_closed(&mut self, wait: Duration) -> Option<Vec<Frame>> {
        let mut frames = Vec::new();
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.item(left).await {
                Some(Some(Decoded::Frame(frame))) => frames.push(frame),
                Some(Some(_)) => {}
                Some(None) => return Some(frames),
                None => return None,
            }
        }
    }

    /// Counts the heart-beats that arrive within `wait` (frames are not expected).
    pub(crate) async fn heart_beats_within(&mut self, wait: Duration) -> usize {
        let before = self.heart_beats;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.item(left).await {
                Some(Some(Decoded::HeartBeat)) => {}
                Some(Some(Decoded::Frame(frame))) => panic!("unexpected {frame:?}"),
                Some(Some(_)) => {}
                Some(None) => panic!("the client closed the connection"),
                None => return self.heart_beats - before,
            }
        }
    }

    /// Sends raw bytes.
    pub(crate) async fn send_raw(&mut self, bytes: &[u8]) {
        self.stream
            .write_all(bytes)
            .await
            .expect("write to the client");
        self.last_sent = Instant::now();
    }

    /// Sends a frame.
    pub(crate) async fn send(&mut self, frame: &Frame) {
        let mut wire = BytesMut::new();
        frame.encode(&mut wire).expect("encodable frame");
        self.send_raw(&wire).await;
    }

    /// Answers a frame that asked for a receipt.
    pub(crate) async fn receipt_for(&mut self, frame: &Frame) {
        let id = frame.header("receipt").expect("a receipt header");
        self.send(&Frame::new(Command::Receipt).with_header("receipt-id", id))
            .await;
    }

    /// Plays the start of a session: reads the `STOMP` frame, answers `CONNECTED` with
    /// `version:1.2` and `extra` headers, reads the `SUBSCRIBE` and confirms it. Returns
    /// the two frames.
    pub(crate) async fn open_session(&mut self, extra: &[(&str, &str)]) -> (Frame, Frame) {
        let stomp = self.expect(Command::Stomp).await;
        let mut connected = Frame::new(Command::Connected).with_header("version", "1.2");
        for (name, value) in extra {
            connected.push_header(*name, *value);
        }
        self.send(&connected).await;
        let subscribe = self.expect(Command::Subscribe).await;
        self.receipt_for(&subscribe).await;
        (stomp, subscribe)
    }

    /// A `MESSAGE` carrying `record`, as a broker delivers a USP Record.
    pub(crate) fn message(record: &[u8], reply_to: Option<&str>) -> Frame {
        let mut frame = Frame::new(Command::Message)
            .with_header("subscription", "usp-1")
            .with_header("message-id", "m-1")
            .with_header("destination", "/queue/whatever")
            .with_header("content-type", "application/vnd.bbf.usp.msg")
            .with_header("content-length", record.len().to_string());
        if let Some(reply_to) = reply_to {
            frame.push_header("reply-to-dest", reply_to);
        }
        frame.with_body(bytes::Bytes::copy_from_slice(record))
    }
}
