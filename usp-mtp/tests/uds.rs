//! The UNIX domain socket MTP over real sockets in the temporary directory: handshakes,
//! Connect and Disconnect Records, many clients, reconnection, and the reaction to every
//! kind of bad input (an Error TLV, then the connection is closed, R-UDS.21 to R-UDS.25),
//! which leaves the other connections alone. Every test is bounded in time.
#![cfg(unix)]

use std::future::{Future, poll_fn};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::Poll;
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use usp_mtp::uds::{
    Frame, FrameCodec, Tlv, UdsClient, UdsClientConfig, UdsRole, UdsServer, UdsServerConfig,
};
use usp_mtp::{ConnectionId, Mtp, MtpAddress, MtpErrorKind, MtpExt, MtpKind, Outbound};
use usp_record::{Record, RecordKind};
use usp_types::{EndpointId, ErrorCode};

// ---------------------------------------------------------------------------------------
// Helpers

/// Runs `test` with a time limit, so that nothing hangs CI.
async fn bounded<T>(limit: Duration, test: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, test)
        .await
        .expect("the test took too long")
}

/// A socket path in the temporary directory, unique to this process and call, removed when
/// dropped.
struct SocketPath(PathBuf);

impl SocketPath {
    fn new(name: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("usp-uds-{}-{n}-{name}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        Self(path)
    }
}

impl std::ops::Deref for SocketPath {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for SocketPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn id(s: &str) -> EndpointId {
    s.parse().expect("a valid Endpoint ID")
}

fn broker() -> EndpointId {
    id("doc::broker")
}

/// An encoded no_session_context Record from `from` to `to` whose payload is `text`.
fn record(to: &EndpointId, from: &EndpointId, text: &str) -> Bytes {
    Record::no_session_context(to.clone(), from.clone(), Bytes::from(text.to_owned()))
        .expect("a Record")
        .to_bytes()
}

fn payload(record: &Bytes) -> String {
    let record = Record::decode(record.clone()).expect("a Record");
    let payload = record
        .no_session_context_payload()
        .expect("a no_session_context Record");
    String::from_utf8(payload.to_vec()).expect("UTF-8")
}

fn kind(record: &Bytes) -> RecordKind {
    Record::decode(record.clone())
        .expect("a Record")
        .into_kind()
}

/// A Frame of TLVs of any type, as bytes.
fn raw_frame(tlvs: &[(u8, &[u8])]) -> Vec<u8> {
    let body: usize = tlvs.iter().map(|(_, v)| 5 + v.len()).sum();
    let mut out = b"_USP".to_vec();
    out.put_u32(body as u32);
    for (t, v) in tlvs {
        out.put_u8(*t);
        out.put_u32(v.len() as u32);
        out.extend_from_slice(v);
    }
    out
}

/// A client configuration with short delays for tests.
fn client_config(role: UdsRole, endpoint_id: EndpointId, path: &Path) -> UdsClientConfig {
    let mut config = UdsClientConfig::new(role, endpoint_id, path);
    config.reconnect_delay(Duration::from_millis(10), Duration::from_millis(50));
    config
}

fn server_config(role: UdsRole, path: &Path) -> UdsServerConfig {
    let mut config = UdsServerConfig::new(role, broker(), path);
    config.handshake_timeout(Duration::from_secs(5));
    config
}

/// Waits until `server` has `n` handshaken clients.
async fn wait_for_peers(server: &UdsServer, n: usize) {
    while server.peers().len() != n {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A peer speaking raw Frames, to send what a well-behaved transport never would.
struct Raw {
    stream: UnixStream,
    buf: BytesMut,
    codec: FrameCodec,
}

impl Raw {
    async fn connect(path: &Path) -> Self {
        Self::from(UnixStream::connect(path).await.expect("connect"))
    }

    fn from(stream: UnixStream) -> Self {
        Self {
            stream,
            buf: BytesMut::new(),
            codec: FrameCodec::new(),
        }
    }

    async fn send_bytes(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write");
    }

    async fn send(&mut self, tlvs: &[Tlv]) {
        let mut wire = BytesMut::new();
        self.codec.encode(tlvs, &mut wire).expect("encode");
        self.send_bytes(&wire).await;
    }

    async fn handshake(&mut self, endpoint_id: &EndpointId) {
        self.send(&[Tlv::handshake(endpoint_id)]).await;
    }

    /// The next Frame; `None` when the peer closes the connection.
    async fn frame(&mut self) -> Option<Frame> {
        loop {
            if let Some(frame) = self.codec.decode(&mut self.buf).expect("a valid Frame") {
                return Some(frame);
            }
            match self.stream.read_buf(&mut self.buf).await {
                Ok(0) | Err(_) => {
                    assert!(self.buf.is_empty(), "the stream ended inside a Frame");
                    return None;
                }
                Ok(_) => {}
            }
        }
    }

    /// The single TLV of the next Frame.
    async fn tlv(&mut self) -> Tlv {
        let frame = self.frame().await.expect("a Frame, not the end");
        let mut tlvs: Vec<Tlv> = frame.tlvs().collect();
        assert_eq!(tlvs.len(), 1, "one TLV per Frame: {frame:?}");
        tlvs.remove(0)
    }

    async fn expect_handshake(&mut self, endpoint_id: &EndpointId) {
        assert_eq!(self.tlv().await, Tlv::handshake(endpoint_id));
    }

    async fn expect_record(&mut self) -> Bytes {
        match self.tlv().await {
            Tlv::Record(record) => record,
            other => panic!("expected a Record TLV, got {other:?}"),
        }
    }

    /// R-UDS.21/23/24: an Error TLV, then the connection is closed. Returns the error text.
    async fn expect_error_then_close(&mut self) -> String {
        let text = match self.tlv().await {
            Tlv::Error(text) => String::from_utf8(text.to_vec()).expect("UTF-8"),
            other => panic!("expected an Error TLV, got {other:?}"),
        };
        assert!(self.frame().await.is_none(), "the connection stays open");
        text
    }

    async fn expect_close(&mut self) {
        assert!(self.frame().await.is_none(), "the connection stays open");
    }
}

/// A well-behaved client of `server`, used to check that bad connections leave the others
/// alone.
struct Witness {
    client: UdsClient,
    id: EndpointId,
}

impl Witness {
    async fn new(server: &mut UdsServer, path: &Path) -> Self {
        let id = id("doc::witness");
        let client =
            UdsClient::new(client_config(UdsRole::Controller, id.clone(), path)).expect("client");
        client.connected().await.expect("connected");
        let mut witness = Self { client, id };
        witness.round_trip(server).await;
        witness
    }

    /// A Record each way.
    async fn round_trip(&mut self, server: &mut UdsServer) {
        let to = self.client.peer().expect("still connected");
        let out = record(&broker(), &self.id, "ping");
        self.client
            .send(Outbound::new(out.clone(), to))
            .await
            .unwrap();
        let inbound = server.recv().await.unwrap();
        assert_eq!(inbound.record, out);
        assert_eq!(inbound.reply_to.endpoint_id(), Some(&self.id));
        let back = record(&self.id, &broker(), "pong");
        server
            .send(Outbound::new(back.clone(), inbound.reply_to))
            .await
            .unwrap();
        assert_eq!(self.client.recv().await.unwrap().record, back);
    }
}

const LIMIT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------
// Handshake, Connect Records, Records both ways

#[tokio::test]
async fn an_agent_client_sends_its_connect_record_after_the_handshake() {
    bounded(LIMIT, async {
        let path = SocketPath::new("agent-client");
        let mut server = UdsServer::bind(server_config(UdsRole::Controller, &path)).unwrap();
        let service = id("doc::service");
        let mut client =
            UdsClient::new(client_config(UdsRole::Agent, service.clone(), &path)).unwrap();
        assert_eq!(client.kind(), MtpKind::Uds);
        assert_eq!(server.kind(), MtpKind::Uds);

        // R-MTP.6: the first Record is the UDSConnectRecord, to the server, from the client.
        let connect = server.recv().await.unwrap();
        let decoded = Record::decode(connect.record).unwrap();
        assert_eq!(decoded.kind(), &RecordKind::UdsConnect);
        assert_eq!(decoded.to_id(), &broker());
        assert_eq!(decoded.from_id(), &service);
        let MtpAddress::Uds {
            connection,
            endpoint_id,
        } = connect.reply_to.clone()
        else {
            panic!("a UDS address");
        };
        assert_eq!(endpoint_id, Some(service.clone()));
        assert_eq!(server.peers(), vec![connect.reply_to.clone()]);
        assert_eq!(server.address_of(&service), Some(connect.reply_to.clone()));

        let to_server = client.connected().await.unwrap();
        assert_eq!(to_server.endpoint_id(), Some(&broker()));
        for i in 0..10 {
            let out = record(&broker(), &service, &format!("up {i}"));
            client
                .send(Outbound::new(out, to_server.clone()))
                .await
                .unwrap();
        }
        for i in 0..10 {
            let inbound = server.recv().await.unwrap();
            assert_eq!(payload(&inbound.record), format!("up {i}"));
            let back = record(&service, &broker(), &format!("down {i}"));
            let reply_to = MtpAddress::Uds {
                connection,
                endpoint_id: None,
            };
            server.send(Outbound::new(back, reply_to)).await.unwrap();
        }
        for i in 0..10 {
            let inbound = client.recv().await.unwrap();
            assert_eq!(payload(&inbound.record), format!("down {i}"));
            assert_eq!(inbound.reply_to, to_server);
        }
        client.close().await.unwrap();
        server.close().await.unwrap();
        assert!(!path.exists(), "closing the server removes the socket file");
    })
    .await;
}

#[tokio::test]
async fn an_agent_server_sends_its_connect_record_to_a_controller_client() {
    bounded(LIMIT, async {
        // The USP Broker's Agent socket, a USP Service's Controller connecting to it.
        let path = SocketPath::new("agent-server");
        let mut server = UdsServer::bind(server_config(UdsRole::Agent, &path)).unwrap();
        let controller = id("doc::service");
        let mut client = UdsClient::new(client_config(
            UdsRole::Controller,
            controller.clone(),
            &path,
        ))
        .unwrap();
        let connect = client.recv().await.unwrap();
        let decoded = Record::decode(connect.record).unwrap();
        assert_eq!(decoded.kind(), &RecordKind::UdsConnect);
        assert_eq!(decoded.to_id(), &controller);
        assert_eq!(decoded.from_id(), &broker());

        // The controller client sends no Record of its own: the first one the server gets
        // is the one the application sent.
        let out = record(&broker(), &controller, "gsdm");
        client
            .send(Outbound::new(out.clone(), connect.reply_to))
            .await
            .unwrap();
        assert_eq!(server.recv().await.unwrap().record, out);

        // R-MTP.7: closing the Agent server sends a DisconnectRecord to every client.
        server.close().await.unwrap();
        let disconnect = client.recv().await.unwrap();
        match kind(&disconnect.record) {
            RecordKind::Disconnect(d) => {
                assert_eq!(d.reason_code(), ErrorCode::SESSION_CONTEXT_TERMINATED);
            }
            other => panic!("expected a DisconnectRecord, got {other:?}"),
        }
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_handshake_and_connect_record_on_the_wire() {
    bounded(LIMIT, async {
        // A raw server, to see exactly what an Agent client writes.
        let path = SocketPath::new("wire");
        let listener = UnixListener::bind(&*path).unwrap();
        let service = id("doc::service");
        let mut client =
            UdsClient::new(client_config(UdsRole::Agent, service.clone(), &path)).unwrap();
        // Sent before the connection: waits for it, behind the Connect Record.
        let early = record(&broker(), &service, "early");
        let to = MtpAddress::Uds {
            connection: ConnectionId::new(0),
            endpoint_id: None,
        };
        poll_fn(|cx| client.poll_ready(cx)).await.unwrap();
        client
            .start_send(Outbound::new(early.clone(), to.clone()))
            .unwrap();

        let mut raw = Raw::from(listener.accept().await.unwrap().0);
        // R-UDS.16: the client's Handshake comes first.
        raw.expect_handshake(&service).await;
        raw.handshake(&broker()).await;
        let connect = raw.expect_record().await;
        assert_eq!(kind(&connect), RecordKind::UdsConnect);
        assert_eq!(raw.expect_record().await, early);
        poll_fn(|cx| client.poll_flush(cx)).await.unwrap();

        // R-MTP.8: after a DisconnectRecord on a kept connection, a new Connect Record comes
        // before the next Record.
        let disconnect = Record::disconnect(
            broker(),
            service.clone(),
            ErrorCode::SESSION_CONTEXT_TERMINATED,
            "restarting the session",
        )
        .to_bytes();
        client
            .send(Outbound::new(disconnect.clone(), to.clone()))
            .await
            .unwrap();
        let after = record(&broker(), &service, "after");
        client
            .send(Outbound::new(after.clone(), to.clone()))
            .await
            .unwrap();
        assert_eq!(raw.expect_record().await, disconnect);
        assert_eq!(kind(&raw.expect_record().await), RecordKind::UdsConnect);
        assert_eq!(raw.expect_record().await, after);

        // R-MTP.7: closing the Agent client sends a DisconnectRecord, then closes.
        client.close().await.unwrap();
        assert!(matches!(
            kind(&raw.expect_record().await),
            RecordKind::Disconnect(_)
        ));
        raw.expect_close().await;
        assert_eq!(
            client.recv().await.unwrap_err().kind(),
            MtpErrorKind::Closed
        );
        assert_eq!(
            client
                .send(Outbound::new(after, to))
                .await
                .unwrap_err()
                .kind(),
            MtpErrorKind::Closed
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Many clients

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_with_100_concurrent_clients_exchanges_records_both_ways() {
    bounded(Duration::from_secs(60), async {
        const CLIENTS: usize = 100;
        const RECORDS: usize = 10;
        let path = SocketPath::new("hundred");
        let mut server = UdsServer::bind(server_config(UdsRole::Controller, &path)).unwrap();

        // The server echoes every Record back to where it came from, with a new payload.
        let echo = tokio::spawn(async move {
            let mut connects = 0;
            let mut echoed = 0;
            while echoed < CLIENTS * RECORDS {
                let inbound = server.recv().await.unwrap();
                let decoded = Record::decode(inbound.record.clone()).unwrap();
                if decoded.kind() == &RecordKind::UdsConnect {
                    connects += 1;
                    continue;
                }
                let from = decoded.from_id().clone();
                assert_eq!(inbound.reply_to.endpoint_id(), Some(&from));
                let back = record(
                    &from,
                    &broker(),
                    &format!("echo {}", payload(&inbound.record)),
                );
                server
                    .send(Outbound::new(back, inbound.reply_to))
                    .await
                    .unwrap();
                echoed += 1;
            }
            assert_eq!(connects, CLIENTS);
            assert_eq!(server.peers().len(), CLIENTS);
            server
        });

        let mut clients = Vec::new();
        for c in 0..CLIENTS {
            let path = path.to_path_buf();
            clients.push(tokio::spawn(async move {
                let me = id(&format!("doc::service-{c}"));
                let mut client =
                    UdsClient::new(client_config(UdsRole::Agent, me.clone(), &path)).unwrap();
                let to = client.connected().await.unwrap();
                for i in 0..RECORDS {
                    let out = record(&broker(), &me, &format!("{c}/{i}"));
                    client.send(Outbound::new(out, to.clone())).await.unwrap();
                }
                for i in 0..RECORDS {
                    let inbound = client.recv().await.unwrap();
                    assert_eq!(payload(&inbound.record), format!("echo {c}/{i}"));
                }
                client
            }));
        }
        let mut done = Vec::new();
        for client in clients {
            done.push(client.await.unwrap());
        }
        let mut server = echo.await.unwrap();
        for mut client in done {
            client.close().await.unwrap();
        }
        server.close().await.unwrap();
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Reconnection and the send queue

#[tokio::test]
async fn the_client_reconnects_after_a_server_restart_and_delivers_what_was_sent_meanwhile() {
    bounded(LIMIT, async {
        let path = SocketPath::new("restart");
        let service = id("doc::service");
        let mut server = UdsServer::bind(server_config(UdsRole::Controller, &path)).unwrap();
        let mut client =
            UdsClient::new(client_config(UdsRole::Agent, service.clone(), &path)).unwrap();
        let first = client.connected().await.unwrap();
        assert_eq!(
            kind(&server.recv().await.unwrap().record),
            RecordKind::UdsConnect
        );

        // The server goes away.
        server.close().await.unwrap();
        drop(server);
        while client.peer().is_some() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }

        // Records accepted while it is down wait (the client keeps trying to connect).
        for i in 0..3 {
            poll_fn(|cx| client.poll_ready(cx)).await.unwrap();
            let out = record(&broker(), &service, &format!("while down {i}"));
            client
                .start_send(Outbound::new(out, first.clone()))
                .unwrap();
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        let flushed = poll_fn(|cx| Poll::Ready(client.poll_flush(cx).is_ready())).await;
        assert!(!flushed, "nothing to flush to while the server is down");

        // A new server on the same path: the client reconnects, sends its Connect Record
        // first (R-MTP.6), then the Records, in order.
        let mut server = UdsServer::bind(server_config(UdsRole::Controller, &path)).unwrap();
        let connect = server.recv().await.unwrap();
        assert_eq!(kind(&connect.record), RecordKind::UdsConnect);
        for i in 0..3 {
            let inbound = server.recv().await.unwrap();
            assert_eq!(payload(&inbound.record), format!("while down {i}"));
        }
        poll_fn(|cx| client.poll_flush(cx)).await.unwrap();
        let second = client.peer().unwrap();
        assert_ne!(first, second, "a new connection");

        client.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_full_send_queue_makes_poll_ready_wait_instead_of_dropping() {
    bounded(LIMIT, async {
        let path = SocketPath::new("backpressure");
        let service = id("doc::service");
        let mut config = client_config(UdsRole::Controller, service.clone(), &path);
        config.send_queue(2);
        let mut client = UdsClient::new(config).unwrap();
        let to = MtpAddress::Uds {
            connection: ConnectionId::new(0),
            endpoint_id: None,
        };
        for i in 0..2 {
            poll_fn(|cx| client.poll_ready(cx)).await.unwrap();
            let out = record(&broker(), &service, &format!("{i}"));
            client.start_send(Outbound::new(out, to.clone())).unwrap();
        }
        let ready = poll_fn(|cx| Poll::Ready(client.poll_ready(cx).is_ready())).await;
        assert!(!ready, "a third Record waits for room");

        // Once a server is there, the two are delivered and there is room again.
        let mut server = UdsServer::bind(server_config(UdsRole::Controller, &path)).unwrap();
        for i in 0..2 {
            assert_eq!(
                payload(&server.recv().await.unwrap().record),
                format!("{i}")
            );
        }
        poll_fn(|cx| client.poll_ready(cx)).await.unwrap();
        client.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_client_times_out_a_silent_server_then_reconnects() {
    bounded(LIMIT, async {
        // R-UDS.18 (with a short timeout), then R-UDS.5.
        let path = SocketPath::new("silent-server");
        let listener = UnixListener::bind(&*path).unwrap();
        let service = id("doc::service");
        let mut config = client_config(UdsRole::Agent, service.clone(), &path);
        config.handshake_timeout(Duration::from_millis(200));
        let mut client = UdsClient::new(config).unwrap();

        let mut raw = Raw::from(listener.accept().await.unwrap().0);
        raw.expect_handshake(&service).await;
        let started = tokio::time::Instant::now();
        let text = raw.expect_error_then_close().await;
        assert!(text.contains("handshake timeout"), "{text}");
        assert!(started.elapsed() >= Duration::from_millis(150));

        // It tries again, and this time the server answers.
        let mut raw = Raw::from(listener.accept().await.unwrap().0);
        raw.expect_handshake(&service).await;
        raw.handshake(&broker()).await;
        assert_eq!(kind(&raw.expect_record().await), RecordKind::UdsConnect);
        client.connected().await.unwrap();
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_client_refuses_a_bad_or_unexpected_server_handshake() {
    bounded(LIMIT, async {
        let path = SocketPath::new("bad-server");
        let listener = UnixListener::bind(&*path).unwrap();
        let service = id("doc::service");
        let mut config = client_config(UdsRole::Agent, service.clone(), &path);
        config.expected_peer(broker());
        let mut client = UdsClient::new(config).unwrap();

        // R-UDS.21: not an Endpoint ID.
        let mut raw = Raw::from(listener.accept().await.unwrap().0);
        raw.expect_handshake(&service).await;
        raw.send(&[Tlv::Handshake(Bytes::from_static(b"not an id"))])
            .await;
        let text = raw.expect_error_then_close().await;
        assert!(text.contains("invalid handshake"), "{text}");

        // Not the expected server.
        let mut raw = Raw::from(listener.accept().await.unwrap().0);
        raw.expect_handshake(&service).await;
        raw.handshake(&id("doc::impostor")).await;
        let text = raw.expect_error_then_close().await;
        assert!(text.contains("doc::broker"), "{text}");

        // The expected one.
        let mut raw = Raw::from(listener.accept().await.unwrap().0);
        raw.expect_handshake(&service).await;
        raw.handshake(&broker()).await;
        assert_eq!(kind(&raw.expect_record().await), RecordKind::UdsConnect);
        client.close().await.unwrap();
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Bad input reaching the server: an Error TLV, then close; other connections untouched

/// Starts a server and a witness client; runs `bad` against the server with a raw
/// connection; checks that the witness still works.
async fn with_witness<F, Fut>(name: &str, bad: F)
where
    F: FnOnce(PathBuf) -> Fut,
    Fut: Future<Output = ()>,
{
    let path = SocketPath::new(name);
    let mut config = server_config(UdsRole::Controller, &path);
    config
        .handshake_timeout(Duration::from_millis(300))
        .max_frame_len(64 * 1024);
    let mut server = UdsServer::bind(config).unwrap();
    let mut witness = Witness::new(&mut server, &path).await;
    bad(path.to_path_buf()).await;
    witness.round_trip(&mut server).await;
    wait_for_peers(&server, 1).await; // only the witness is left
    witness.client.close().await.unwrap();
    server.close().await.unwrap();
}

#[tokio::test]
async fn wrong_sync_bytes_get_an_error_tlv_then_close() {
    bounded(
        LIMIT,
        with_witness("bad-sync", |path| async move {
            // R-UDS.8, R-UDS.24
            let mut raw = Raw::connect(&path).await;
            raw.send_bytes(b"_UXP\x00\x00\x00\x05\x01\x00\x00\x00\x00")
                .await;
            let text = raw.expect_error_then_close().await;
            assert!(text.contains("sync"), "{text}");

            // After a good handshake too.
            let mut raw = Raw::connect(&path).await;
            raw.handshake(&id("doc::raw")).await;
            raw.expect_handshake(&broker()).await;
            raw.send_bytes(b"GET / HTTP/1.1\r\n\r\n").await;
            raw.expect_error_then_close().await;
        }),
    )
    .await;
}

#[tokio::test]
async fn an_oversize_length_gets_an_error_tlv_then_close() {
    bounded(
        LIMIT,
        with_witness("oversize", |path| async move {
            // Before the handshake (bounded to 64 KiB) and after it (the configured 64 KiB).
            let mut raw = Raw::connect(&path).await;
            raw.send_bytes(b"_USP\xff\xff\xff\xff").await;
            let text = raw.expect_error_then_close().await;
            assert!(text.contains("too large"), "{text}");

            let mut raw = Raw::connect(&path).await;
            raw.handshake(&id("doc::raw")).await;
            raw.expect_handshake(&broker()).await;
            let mut header = BytesMut::from(&b"_USP"[..]);
            header.put_u32(64 * 1024 + 1);
            raw.send_bytes(&header).await;
            let text = raw.expect_error_then_close().await;
            assert!(text.contains("too large"), "{text}");
        }),
    )
    .await;
}

#[tokio::test]
async fn malformed_tlvs_get_an_error_tlv_then_close() {
    bounded(
        LIMIT,
        with_witness("bad-tlv", |path| async move {
            // R-UDS.24: a TLV running past its Frame, and an empty Frame.
            let mut raw = Raw::connect(&path).await;
            raw.send_bytes(b"_USP\x00\x00\x00\x06\x01\x00\x00\x00\x09x")
                .await;
            raw.expect_error_then_close().await;
            let mut raw = Raw::connect(&path).await;
            raw.send_bytes(b"_USP\x00\x00\x00\x00").await;
            raw.expect_error_then_close().await;
        }),
    )
    .await;
}

#[tokio::test]
async fn records_before_the_handshake_are_ignored() {
    bounded(
        LIMIT,
        with_witness("early-record", |path| async move {
            // R-UDS.20: ignored, not an error; the handshake can still follow.
            let raw_id = id("doc::raw");
            let mut raw = Raw::connect(&path).await;
            raw.send(&[Tlv::record(record(&broker(), &raw_id, "too early"))])
                .await;
            raw.send(&[Tlv::record(Bytes::from_static(b"not even a Record"))])
                .await;
            raw.handshake(&raw_id).await;
            raw.expect_handshake(&broker()).await;
            // The witness's round trip (run after this) shows that the early Records were not
            // passed up: the next Record the server receives is the witness's.
            drop(raw);
        }),
    )
    .await;
}

#[tokio::test]
async fn a_silent_client_gets_an_error_tlv_then_close_after_the_handshake_timeout() {
    bounded(
        LIMIT,
        with_witness("silent-client", |path| async move {
            let mut raw = Raw::connect(&path).await;
            let started = tokio::time::Instant::now();
            let text = raw.expect_error_then_close().await;
            assert!(text.contains("handshake timeout"), "{text}");
            assert!(started.elapsed() >= Duration::from_millis(250));
        }),
    )
    .await;
}

#[tokio::test]
async fn an_invalid_handshake_gets_an_error_tlv_then_close() {
    bounded(
        LIMIT,
        with_witness("bad-handshake", |path| async move {
            // R-UDS.21
            for bad in [&b"\xff\xfe"[..], b"", b"no-colons", b"has space::x"] {
                let mut raw = Raw::connect(&path).await;
                raw.send(&[Tlv::Handshake(Bytes::copy_from_slice(bad))])
                    .await;
                let text = raw.expect_error_then_close().await;
                assert!(text.contains("invalid handshake"), "{text}");
            }
        }),
    )
    .await;
}

#[tokio::test]
async fn a_record_that_cannot_be_extracted_gets_an_error_tlv_then_close() {
    bounded(
        LIMIT,
        with_witness("bad-record", |path| async move {
            // R-UDS.23: text instead of a protobuf Record.
            let mut raw = Raw::connect(&path).await;
            raw.handshake(&id("doc::raw")).await;
            raw.expect_handshake(&broker()).await;
            raw.send(&[Tlv::record(Bytes::from_static(b"this is not protobuf"))])
                .await;
            let text = raw.expect_error_then_close().await;
            assert!(text.contains("cannot be extracted"), "{text}");
        }),
    )
    .await;
}

#[tokio::test]
async fn an_error_tlv_closes_the_connection() {
    bounded(
        LIMIT,
        with_witness("peer-error", |path| async move {
            // R-UDS.25, before and after the handshake; no Error TLV is sent back.
            let mut raw = Raw::connect(&path).await;
            raw.send(&[Tlv::error("giving up")]).await;
            raw.expect_close().await;

            let mut raw = Raw::connect(&path).await;
            raw.handshake(&id("doc::raw")).await;
            raw.expect_handshake(&broker()).await;
            raw.send(&[Tlv::error("giving up")]).await;
            raw.expect_close().await;
        }),
    )
    .await;
}

#[tokio::test]
async fn unknown_tlvs_and_repeated_handshakes_are_ignored() {
    let path = SocketPath::new("ignored");
    bounded(LIMIT, async {
        let mut server = UdsServer::bind(server_config(UdsRole::Controller, &path)).unwrap();
        let raw_id = id("doc::raw");
        let mut raw = Raw::connect(&path).await;
        // A Frame with an unknown TLV before the Handshake (R-UDS.15), and a Frame of
        // unknown TLVs only.
        raw.send_bytes(&raw_frame(&[(9, b""), (Tlv::HANDSHAKE, b"doc::raw")]))
            .await;
        raw.expect_handshake(&broker()).await;
        raw.send_bytes(&raw_frame(&[(0xfe, b""), (0, b"zero")]))
            .await;
        // A second Handshake (R-UDS.19), even naming someone else.
        raw.handshake(&id("doc::other")).await;
        // Two Records in one Frame.
        let (a, b) = (
            record(&broker(), &raw_id, "a"),
            record(&broker(), &raw_id, "b"),
        );
        raw.send(&[Tlv::record(a.clone()), Tlv::record(b.clone())])
            .await;
        let first = server.recv().await.unwrap();
        assert_eq!(first.record, a);
        assert_eq!(first.reply_to.endpoint_id(), Some(&raw_id));
        assert_eq!(server.recv().await.unwrap().record, b);
        assert_eq!(server.address_of(&raw_id), Some(first.reply_to.clone()));
        assert_eq!(server.address_of(&id("doc::other")), None);

        // And the server's Records reach it.
        let back = record(&raw_id, &broker(), "back");
        server
            .send(Outbound::new(back.clone(), first.reply_to))
            .await
            .unwrap();
        assert_eq!(raw.expect_record().await, back);
        server.close().await.unwrap();
        raw.expect_close().await;
    })
    .await;
}

#[tokio::test]
async fn connections_above_the_limit_get_an_error_tlv_then_close() {
    bounded(LIMIT, async {
        let path = SocketPath::new("limit");
        let mut config = server_config(UdsRole::Controller, &path);
        config.max_connections(1);
        let mut server = UdsServer::bind(config).unwrap();
        let mut witness = Witness::new(&mut server, &path).await;
        let mut raw = Raw::connect(&path).await;
        let text = raw.expect_error_then_close().await;
        assert!(text.contains("too many"), "{text}");
        witness.round_trip(&mut server).await;
        witness.client.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_client_that_does_not_read_is_dropped_after_the_write_timeout() {
    bounded(LIMIT, async {
        let path = SocketPath::new("stuck");
        let mut config = server_config(UdsRole::Controller, &path);
        config.write_timeout(Duration::from_millis(200));
        let mut server = UdsServer::bind(config).unwrap();
        let mut witness = Witness::new(&mut server, &path).await;

        let raw_id = id("doc::raw");
        let mut raw = Raw::connect(&path).await;
        raw.handshake(&raw_id).await;
        raw.expect_handshake(&broker()).await;
        wait_for_peers(&server, 2).await;
        let to = server.address_of(&raw_id).unwrap();
        // Far more than the socket buffers hold; the raw peer never reads.
        let big =
            Record::no_session_context(raw_id.clone(), broker(), Bytes::from(vec![b'x'; 60_000]))
                .unwrap()
                .to_bytes();
        for _ in 0..100 {
            match server.send(Outbound::new(big.clone(), to.clone())).await {
                Ok(()) => {}
                Err(e) => {
                    // The connection was dropped: what is left is refused.
                    assert!(
                        matches!(
                            e.kind(),
                            MtpErrorKind::InvalidAddress | MtpErrorKind::Closed
                        ),
                        "{e}"
                    );
                    break;
                }
            }
        }
        wait_for_peers(&server, 1).await;
        witness.round_trip(&mut server).await;
        drop(raw);
        witness.client.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Addressing, limits, the socket file

#[tokio::test]
async fn records_are_routed_by_connection_then_by_endpoint_id() {
    bounded(LIMIT, async {
        let path = SocketPath::new("routing");
        let mut server = UdsServer::bind(server_config(UdsRole::Controller, &path)).unwrap();
        let (a_id, b_id) = (id("doc::a"), id("doc::b"));
        let mut a =
            UdsClient::new(client_config(UdsRole::Controller, a_id.clone(), &path)).unwrap();
        let mut b =
            UdsClient::new(client_config(UdsRole::Controller, b_id.clone(), &path)).unwrap();
        a.connected().await.unwrap();
        b.connected().await.unwrap();
        wait_for_peers(&server, 2).await;
        let a_addr = server.address_of(&a_id).unwrap();
        let MtpAddress::Uds {
            connection: a_conn, ..
        } = a_addr
        else {
            panic!("a UDS address")
        };

        // By Endpoint ID alone, with a connection that does not exist.
        let stale = MtpAddress::Uds {
            connection: ConnectionId::new(999),
            endpoint_id: Some(b_id.clone()),
        };
        let to_b = record(&b_id, &broker(), "to b");
        server
            .send(Outbound::new(to_b.clone(), stale))
            .await
            .unwrap();
        assert_eq!(b.recv().await.unwrap().record, to_b);

        // A connection whose client is not the Endpoint ID given: the Endpoint ID wins.
        let mixed = MtpAddress::Uds {
            connection: a_conn,
            endpoint_id: Some(b_id.clone()),
        };
        server
            .send(Outbound::new(to_b.clone(), mixed))
            .await
            .unwrap();
        assert_eq!(b.recv().await.unwrap().record, to_b);

        // Nobody.
        let nobody = MtpAddress::Uds {
            connection: ConnectionId::new(999),
            endpoint_id: Some(id("doc::nobody")),
        };
        let err = server
            .send(Outbound::new(to_b.clone(), nobody))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::InvalidAddress);
        let err = server
            .send(Outbound::new(to_b.clone(), MtpAddress::Memory))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::InvalidAddress);
        let err = a
            .send(Outbound::new(to_b.clone(), MtpAddress::Memory))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::InvalidAddress);

        // A client that goes away is no longer listed.
        a.close().await.unwrap();
        wait_for_peers(&server, 1).await;
        assert_eq!(server.address_of(&a_id), None);
        b.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn records_larger_than_a_frame_are_refused() {
    bounded(LIMIT, async {
        let path = SocketPath::new("too-large");
        let mut config = server_config(UdsRole::Controller, &path);
        config.max_frame_len(1000);
        let mut server = UdsServer::bind(config).unwrap();
        let mut config = client_config(UdsRole::Controller, id("doc::c"), &path);
        config.max_frame_len(1000);
        let mut client = UdsClient::new(config).unwrap();
        let to = client.connected().await.unwrap();
        let err = client
            .send(Outbound::new(Bytes::from(vec![0; 996]), to.clone()))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::TooLarge);
        let fits = record(&broker(), &id("doc::c"), &"x".repeat(900));
        assert!(fits.len() <= 995);
        client.send(Outbound::new(fits.clone(), to)).await.unwrap();
        assert_eq!(server.recv().await.unwrap().record, fits);
        client.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_stale_socket_file_is_replaced_and_a_live_one_is_not() {
    bounded(LIMIT, async {
        let path = SocketPath::new("stale");
        // A socket file nobody listens on.
        drop(std::os::unix::net::UnixListener::bind(&*path).unwrap());
        assert!(path.exists());
        let mut server = UdsServer::bind(server_config(UdsRole::Controller, &path)).unwrap();
        let err = UdsServer::bind(server_config(UdsRole::Controller, &path)).unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::Connect);
        server.close().await.unwrap();

        // A file that is not a socket is left alone.
        std::fs::write(&*path, b"not a socket").unwrap();
        let err = UdsServer::bind(server_config(UdsRole::Controller, &path)).unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::Connect);
        assert_eq!(std::fs::read(&*path).unwrap(), b"not a socket");
    })
    .await;
}

#[tokio::test]
async fn client_and_server_work_as_boxed_trait_objects() {
    bounded(LIMIT, async {
        let path = SocketPath::new("dyn");
        let server = UdsServer::bind(server_config(UdsRole::Controller, &path)).unwrap();
        let client =
            UdsClient::new(client_config(UdsRole::Controller, id("doc::c"), &path)).unwrap();
        let to = client.connected().await.unwrap();
        let (mut server, mut client): (Box<dyn Mtp>, Box<dyn Mtp>) =
            (Box::new(server), Box::new(client));
        let out = record(&broker(), &id("doc::c"), "dyn");
        client.send(Outbound::new(out.clone(), to)).await.unwrap();
        let inbound = server.recv().await.unwrap();
        assert_eq!(inbound.record, out);
        assert!(format!("{server:?}").contains("UdsServer"));
        assert!(format!("{client:?}").contains("UdsClient"));
        client.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

#[test]
fn outside_a_runtime_construction_is_a_config_error() {
    let path = SocketPath::new("no-runtime");
    let result = std::thread::spawn({
        let path = path.to_path_buf();
        move || {
            let server = UdsServer::bind(UdsServerConfig::controller(broker(), &path));
            let client = UdsClient::new(UdsClientConfig::agent(id("doc::c"), &path));
            (
                server.map(|_| ()).map_err(|e| e.kind()),
                client.map(|_| ()).map_err(|e| e.kind()),
            )
        }
    })
    .join()
    .unwrap();
    assert_eq!(result.0, Err(MtpErrorKind::Config));
    assert_eq!(result.1, Err(MtpErrorKind::Config));
}
