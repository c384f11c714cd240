//! The WebSocket MTP over real loopback sockets: Records both ways with many clients, the
//! Connect Record, reconnection with the R-WS.19 retry algorithm, and the reaction to every
//! kind of bad peer (close codes and HTTP statuses), which leaves the other connections
//! alone. Raw tokio-tungstenite peers play the misbehaving side. Every test is bounded in
//! time. Named after the requirements (R-WS.n) and TP-469 cases (7.n) they check.

use std::future::{Future, poll_fn};
use std::net::SocketAddr;
use std::task::Poll;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Response as ClientResponse;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::{self, Message};
use usp_mtp::websocket::{
    SessionRetry, WsClient, WsClientConfig, WsClientState, WsServer, WsServerConfig,
};
use usp_mtp::{ConnectionId, Inbound, Mtp, MtpAddress, MtpErrorKind, MtpExt, MtpKind, Outbound};
use usp_record::{Record, RecordKind};
use usp_types::EndpointId;

// ---------------------------------------------------------------------------------------
// Helpers

const LIMIT: Duration = Duration::from_secs(30);

/// Runs `test` with a time limit, so that nothing hangs CI.
async fn bounded<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(LIMIT, test)
        .await
        .expect("the test took too long")
}

/// Awaits `f` for at most 10 seconds.
async fn soon<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), f)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

fn controller() -> EndpointId {
    "self::controller".parse().unwrap()
}

fn agent(n: usize) -> EndpointId {
    format!("os::012345-AGENT{n}").parse().unwrap()
}

/// An encoded Record from `from` to `to` carrying `text`.
fn record(from: &EndpointId, to: &EndpointId, text: &str) -> Bytes {
    Record::no_session_context(to.clone(), from.clone(), Bytes::from(text.to_owned()))
        .unwrap()
        .to_bytes()
}

/// The text a [`record`] carries.
fn text_of(record: &Bytes) -> String {
    let r = Record::decode(record.clone()).unwrap();
    String::from_utf8(r.no_session_context_payload().unwrap().to_vec()).unwrap()
}

fn kind_of(record: &Bytes) -> RecordKind {
    Record::decode(record.clone()).unwrap().into_kind()
}

fn from_of(record: &Bytes) -> EndpointId {
    Record::decode(record.clone()).unwrap().from_id().clone()
}

fn server_config() -> WsServerConfig {
    WsServerConfig::new(controller())
}

async fn server(config: WsServerConfig) -> WsServer {
    WsServer::bind("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap()
}

fn fast_retry() -> SessionRetry {
    SessionRetry::new()
        .min_wait(Duration::from_millis(100))
        .multiplier(2000)
        .seed(7)
}

fn client_config(addr: SocketAddr, me: &EndpointId) -> WsClientConfig {
    WsClientConfig::new(&format!("ws://{addr}/usp"), me.clone())
        .unwrap()
        .peer_endpoint_id(controller())
        .session_retry(fast_retry())
}

/// Receives the next Record, which must be the `WebSocketConnectRecord` of `from`.
async fn expect_connect_record(server: &mut WsServer, from: &EndpointId) -> Inbound {
    let inbound = soon("the Connect Record", server.recv()).await.unwrap();
    assert_eq!(kind_of(&inbound.record), RecordKind::WebSocketConnect);
    assert_eq!(&from_of(&inbound.record), from);
    assert_eq!(inbound.reply_to.endpoint_id(), Some(from));
    inbound
}

/// A raw WebSocket client: `protocol` for `Sec-WebSocket-Protocol`, `query` after `?`.
async fn raw_client(
    addr: SocketAddr,
    path_and_query: &str,
    headers: &[(&'static str, &str)],
) -> Result<(WebSocketStream<TcpStream>, ClientResponse), tungstenite::Error> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let mut request = format!("ws://{addr}{path_and_query}")
        .into_client_request()
        .unwrap();
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(*name, HeaderValue::from_str(value).unwrap());
    }
    tokio_tungstenite::client_async(request, tcp).await
}

/// A raw client that offers `v1.usp` and names itself `me`.
async fn raw_usp_client(addr: SocketAddr, me: &EndpointId) -> WebSocketStream<TcpStream> {
    let (ws, response) = raw_client(
        addr,
        &format!("/usp?eid={me}"),
        &[("Sec-WebSocket-Protocol", "v1.usp")],
    )
    .await
    .unwrap();
    assert_eq!(response.headers()["Sec-WebSocket-Protocol"], "v1.usp");
    ws
}

/// Reads until a Close frame (or the end) and returns its code, after sending the Close
/// reply.
async fn close_code(ws: &mut WebSocketStream<TcpStream>) -> Option<CloseCode> {
    soon("a Close frame", async {
        while let Some(message) = ws.next().await {
            match message {
                Ok(Message::Close(frame)) => {
                    let _ = ws.flush().await;
                    return frame.map(|f| f.code);
                }
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    })
    .await
}

/// One Record from a fresh client to the server and back, proving the server still works.
async fn round_trip(server: &mut WsServer, addr: SocketAddr, n: usize) {
    let me = agent(n);
    let mut client = soon("connect", WsClient::connect(client_config(addr, &me)))
        .await
        .unwrap();
    expect_connect_record(server, &me).await;
    let to = client.peer_address().unwrap();
    client
        .send(Outbound::new(record(&me, &controller(), "ping"), to))
        .await
        .unwrap();
    let inbound = soon("a Record", server.recv()).await.unwrap();
    assert_eq!(text_of(&inbound.record), "ping");
    server
        .send(Outbound::new(
            record(&controller(), &me, "pong"),
            inbound.reply_to,
        ))
        .await
        .unwrap();
    let back = soon("the answer", client.recv()).await.unwrap();
    assert_eq!(text_of(&back.record), "pong");
    client.close().await.unwrap();
}

/// Polls until `f` holds, every 10 ms.
async fn until(what: &str, mut f: impl FnMut() -> bool) {
    soon(what, async {
        while !f() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Sessions and Records

/// R-MTP.6, TP-469 7.10 and 7.1: the `WebSocketConnectRecord` (to the Controller, from the
/// Agent) is the first Record on the connection; then Records flow both ways, each with the
/// address to answer on.
#[tokio::test(flavor = "multi_thread")]
async fn r_mtp_6_connect_record_first_then_records_both_ways() {
    bounded(async {
        let mut server = server(server_config()).await;
        let me = agent(1);
        let mut client = WsClient::connect(client_config(server.local_addr(), &me))
            .await
            .unwrap();
        assert_eq!(client.kind(), MtpKind::WebSocket);
        let connect = expect_connect_record(&mut server, &me).await;
        let decoded = Record::decode(connect.record).unwrap();
        assert_eq!(decoded.to_id(), &controller());
        let MtpAddress::WebSocket { connection, .. } = connect.reply_to else {
            panic!("not a WebSocket address")
        };
        assert_eq!(server.connection_count(), 1);
        assert_eq!(server.address_of(&me), Some(connect.reply_to.clone()));

        let to = client.peer_address().unwrap();
        assert_eq!(to.endpoint_id(), Some(&controller()));
        client
            .send(Outbound::new(record(&me, &controller(), "get"), to))
            .await
            .unwrap();
        let inbound = server.recv().await.unwrap();
        assert_eq!(text_of(&inbound.record), "get");
        assert_eq!(
            inbound.reply_to,
            MtpAddress::WebSocket {
                connection,
                endpoint_id: Some(me.clone())
            }
        );
        server
            .send(Outbound::new(
                record(&controller(), &me, "get-response"),
                inbound.reply_to,
            ))
            .await
            .unwrap();
        let back = client.recv().await.unwrap();
        assert_eq!(text_of(&back.record), "get-response");
        assert_eq!(back.reply_to.endpoint_id(), Some(&controller()));
        client.close().await.unwrap();
        assert_eq!(client.state(), WsClientState::Closed);
        server.close().await.unwrap();
    })
    .await;
}

/// A server with 100 concurrent clients: each sends 5 Records and gets each echoed back on
/// its own connection, and only its own.
#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_clients_exchange_records_both_ways() {
    const CLIENTS: usize = 100;
    const RECORDS: usize = 5;
    bounded(async {
        let mut server = server(server_config().max_connections(1000)).await;
        let addr = server.local_addr();
        let echo = tokio::spawn(async move {
            let (mut connects, mut echoed) = (0, 0);
            while echoed < CLIENTS * RECORDS {
                let inbound = server.recv().await.unwrap();
                if kind_of(&inbound.record) == RecordKind::WebSocketConnect {
                    connects += 1;
                    continue;
                }
                let from = from_of(&inbound.record);
                let text = format!("echo {}", text_of(&inbound.record));
                server
                    .send(Outbound::new(
                        record(&controller(), &from, &text),
                        inbound.reply_to,
                    ))
                    .await
                    .unwrap();
                echoed += 1;
            }
            (server, connects)
        });
        let mut clients = Vec::new();
        for n in 0..CLIENTS {
            clients.push(tokio::spawn(async move {
                let me = agent(n);
                let mut client = WsClient::connect(client_config(addr, &me)).await.unwrap();
                let to = client.peer_address().unwrap();
                for i in 0..RECORDS {
                    let text = format!("{n}/{i}");
                    client
                        .send(Outbound::new(record(&me, &controller(), &text), to.clone()))
                        .await
                        .unwrap();
                }
                for i in 0..RECORDS {
                    let back = client.recv().await.unwrap();
                    assert_eq!(text_of(&back.record), format!("echo {n}/{i}"));
                }
                client
            }));
        }
        let mut done = Vec::new();
        for c in clients {
            done.push(c.await.unwrap());
        }
        let (mut server, connects) = echo.await.unwrap();
        assert_eq!(connects, CLIENTS);
        assert_eq!(server.connection_count(), CLIENTS);
        let mut ids: Vec<_> = server
            .connections()
            .iter()
            .map(|a| a.endpoint_id().unwrap().clone())
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CLIENTS);
        // Each client says goodbye with a DisconnectRecord (R-MTP.7), all at once; the
        // server keeps receiving, or the Close frames would queue behind the Records.
        let closing: Vec<_> = done
            .into_iter()
            .map(|mut c| tokio::spawn(async move { c.close().await }))
            .collect();
        let mut disconnects = 0;
        while disconnects < CLIENTS {
            let inbound = server.recv().await.unwrap();
            assert!(matches!(
                kind_of(&inbound.record),
                RecordKind::Disconnect(_)
            ));
            disconnects += 1;
        }
        for c in closing {
            c.await.unwrap().unwrap();
        }
        until("all gone", || server.connection_count() == 0).await;
        server.close().await.unwrap();
    })
    .await;
}

/// R-WS.14b, TP-469 7.12: a Record split over several frames is reassembled.
#[tokio::test(flavor = "multi_thread")]
async fn r_ws_14b_fragmented_records_are_reassembled() {
    bounded(async {
        let mut server = server(server_config()).await;
        let me = agent(1);
        let mut ws = raw_usp_client(server.local_addr(), &me).await;
        let whole = record(&me, &controller(), &"x".repeat(3000));
        let (a, rest) = whole.split_at(1000);
        let (b, c) = rest.split_at(1000);
        for (part, opcode, fin) in [
            (a, OpCode::Data(Data::Binary), false),
            (b, OpCode::Data(Data::Continue), false),
            (c, OpCode::Data(Data::Continue), true),
        ] {
            let frame = Frame::message(Bytes::copy_from_slice(part), opcode, fin);
            ws.send(Message::Frame(frame)).await.unwrap();
        }
        let inbound = soon("the reassembled Record", server.recv()).await.unwrap();
        assert_eq!(inbound.record, whole);
        drop(ws);
        server.close().await.unwrap();
    })
    .await;
}

/// A server that sends nothing lets records reach it in order, and one client's records
/// never reach another.
#[tokio::test(flavor = "multi_thread")]
async fn records_for_a_stale_connection_follow_the_endpoint_and_bad_addresses_are_refused() {
    bounded(async {
        let mut server = server(server_config()).await;
        let addr = server.local_addr();
        let me = agent(1);
        let mut first = raw_usp_client(addr, &me).await;
        until("registered", || server.connection_count() == 1).await;
        let old = server.address_of(&me).unwrap();
        first.close(None).await.unwrap();
        until("gone", || server.connection_count() == 0).await;

        // The stale address is refused while the Endpoint has no connection...
        let err = server
            .send(Outbound::new(record(&controller(), &me, "x"), old.clone()))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::InvalidAddress);
        // ...and follows the Endpoint to its new connection.
        let mut second = raw_usp_client(addr, &me).await;
        until("registered again", || server.connection_count() == 1).await;
        assert_ne!(server.address_of(&me), Some(old.clone()));
        server
            .send(Outbound::new(record(&controller(), &me, "follows"), old))
            .await
            .unwrap();
        let Some(Ok(Message::Binary(b))) = soon("a Record", second.next()).await else {
            panic!("expected a binary message")
        };
        assert_eq!(text_of(&b), "follows");
        drop(second);

        // Another transport's address, an unknown connection without an Endpoint ID.
        for to in [
            MtpAddress::Memory,
            MtpAddress::WebSocket {
                connection: ConnectionId::new(999),
                endpoint_id: None,
            },
        ] {
            let err = server
                .send(Outbound::new(record(&controller(), &me, "x"), to))
                .await
                .unwrap_err();
            assert_eq!(err.kind(), MtpErrorKind::InvalidAddress);
        }
        server.close().await.unwrap();
    })
    .await;
}

/// Works as a `Box<dyn Mtp>` chosen at run time.
#[tokio::test(flavor = "multi_thread")]
async fn works_as_boxed_trait_objects() {
    bounded(async {
        let server = server(server_config()).await;
        let addr = server.local_addr();
        let me = agent(1);
        let client = WsClient::connect(client_config(addr, &me)).await.unwrap();
        let to = client.peer_address().unwrap();
        let (mut server, mut client): (Box<dyn Mtp>, Box<dyn Mtp>) =
            (Box::new(server), Box::new(client));
        let connect = server.recv().await.unwrap();
        client
            .send(Outbound::new(record(&me, &controller(), "dyn"), to))
            .await
            .unwrap();
        let inbound = server.recv().await.unwrap();
        assert_eq!(text_of(&inbound.record), "dyn");
        assert_eq!(inbound.reply_to, connect.reply_to);
        client.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Handshake: subprotocol, Endpoint ID, extension, path

/// R-WS.12a, TP-469 7.5: a request without `v1.usp` is refused with HTTP 400, and no
/// session exists; one offering several subprotocols including `v1.usp` gets `v1.usp`. The
/// other connections are untouched.
#[tokio::test(flavor = "multi_thread")]
async fn r_ws_12a_a_missing_or_wrong_subprotocol_is_refused_with_400() {
    bounded(async {
        let mut server = server(server_config()).await;
        let addr = server.local_addr();
        let me = agent(1);
        let mut bystander = WsClient::connect(client_config(addr, &me)).await.unwrap();
        expect_connect_record(&mut server, &me).await;

        for headers in [
            &[][..],
            &[("Sec-WebSocket-Protocol", "v2.usp")][..],
            &[("Sec-WebSocket-Protocol", "V1.USP")][..],
        ] {
            match raw_client(addr, "/usp?eid=os::012345-X", headers).await {
                Err(tungstenite::Error::Http(response)) => {
                    assert_eq!(response.status(), 400, "{headers:?}");
                }
                other => panic!("{headers:?}: expected HTTP 400, got {other:?}"),
            }
        }
        let (mut ws, response) = raw_client(
            addr,
            "/usp?eid=os::012345-Y",
            &[("Sec-WebSocket-Protocol", "chat, v1.usp")],
        )
        .await
        .unwrap();
        assert_eq!(response.headers()["Sec-WebSocket-Protocol"], "v1.usp");
        ws.close(None).await.unwrap();

        let to = bystander.peer_address().unwrap();
        bystander
            .send(Outbound::new(record(&me, &controller(), "still here"), to))
            .await
            .unwrap();
        let inbound = soon("a Record", server.recv()).await.unwrap();
        assert_eq!(text_of(&inbound.record), "still here");
        bystander.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

/// R-WS.12: the client does not establish a session with a server that does not select
/// `v1.usp`; `connect` reports a protocol error and the client retries later.
#[tokio::test(flavor = "multi_thread")]
async fn r_ws_12_the_client_refuses_a_server_without_the_subprotocol() {
    bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let plain_server = tokio::spawn(async move {
            loop {
                let (tcp, _) = listener.accept().await.unwrap();
                // Accepts the WebSocket, without any subprotocol.
                if let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await {
                    let _ = ws.next().await;
                }
            }
        });
        let err = WsClient::connect(client_config(addr, &agent(1)))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::Protocol, "{err}");

        // A started client keeps retrying, with the same error.
        let client = WsClient::start(client_config(addr, &agent(1))).unwrap();
        until("a failed attempt", || {
            matches!(client.state(), WsClientState::Waiting { .. })
        })
        .await;
        assert_eq!(client.last_error().unwrap().kind(), MtpErrorKind::Protocol);
        plain_server.abort();
    })
    .await;
}

/// R-WS.10b, R-WS.10c: the server reads the client's Endpoint ID from the percent-encoded
/// `eid` query parameter; one that is not an Endpoint ID is refused with 400, a request with
/// none is accepted without an Endpoint ID, or refused when the server requires one.
#[tokio::test(flavor = "multi_thread")]
async fn r_ws_10b_the_eid_query_parameter_names_the_client() {
    bounded(async {
        let server = server(server_config()).await;
        let addr = server.local_addr();
        let protocol = [("Sec-WebSocket-Protocol", "v1.usp")];

        let (mut ws, _) = raw_client(addr, "/usp?x=1&eid=doc::agent%2521", &protocol)
            .await
            .unwrap();
        let expected: EndpointId = "doc::agent%21".parse().unwrap();
        until("registered", || server.address_of(&expected).is_some()).await;
        ws.close(None).await.unwrap();

        match raw_client(addr, "/usp?eid=no-colons", &protocol).await {
            Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 400),
            other => panic!("expected HTTP 400, got {other:?}"),
        }

        let (mut anonymous, _) = raw_client(addr, "/usp", &protocol).await.unwrap();
        until("anonymous registered", || {
            server
                .connections()
                .iter()
                .any(|a| a.endpoint_id().is_none())
        })
        .await;
        anonymous.close(None).await.unwrap();

        let strict = self::server(server_config().require_endpoint_id(true)).await;
        match raw_client(strict.local_addr(), "/usp", &protocol).await {
            Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 400),
            other => panic!("expected HTTP 400, got {other:?}"),
        }
    })
    .await;
}

/// R-WS.10a (deprecated), R-WS.11a to R-WS.11c: the `bbf-usp-protocol` extension, with the
/// quoting real Agents use, names the client; the server answers it with its own Endpoint
/// ID, and a client that was not told the Controller's ID learns it from there.
#[tokio::test(flavor = "multi_thread")]
async fn r_ws_11a_the_deprecated_extension_is_tolerated_and_answered() {
    bounded(async {
        let mut server = server(server_config()).await;
        let addr = server.local_addr();
        let (mut ws, response) = raw_client(
            addr,
            "/usp",
            &[
                ("Sec-WebSocket-Protocol", "v1.usp"),
                (
                    "Sec-WebSocket-Extensions",
                    r#"bbf-usp-protocol; eid="os::012345-EXT""#,
                ),
            ],
        )
        .await
        .unwrap();
        assert_eq!(
            response.headers()["Sec-WebSocket-Extensions"],
            r#"bbf-usp-protocol; eid="self::controller""#
        );
        let ext: EndpointId = "os::012345-EXT".parse().unwrap();
        until("registered", || server.address_of(&ext).is_some()).await;
        ws.close(None).await.unwrap();

        // R-WS.11c: no extension is no error (every other test); R-WS.11b: the client does
        // not need it either. Here the client sends it and learns the server's ID from it.
        let me = agent(2);
        let config = WsClientConfig::new(&format!("ws://{addr}/usp"), me.clone())
            .unwrap()
            .send_extension_header(true);
        let mut client = WsClient::connect(config).await.unwrap();
        assert_eq!(
            client.peer_address().unwrap().endpoint_id(),
            Some(&controller())
        );
        let connect = expect_connect_record(&mut server, &me).await;
        assert_eq!(
            Record::decode(connect.record).unwrap().to_id(),
            &controller()
        );
        client.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

/// R-WS.2: a server configured with a path refuses others with 404.
#[tokio::test(flavor = "multi_thread")]
async fn r_ws_2_the_server_serves_its_path_only() {
    bounded(async {
        let server = server(server_config().path("/usp")).await;
        let protocol = [("Sec-WebSocket-Protocol", "v1.usp")];
        match raw_client(server.local_addr(), "/other?eid=self::a", &protocol).await {
            Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 404),
            other => panic!("expected HTTP 404, got {other:?}"),
        }
        let (mut ws, _) = raw_client(server.local_addr(), "/usp?eid=self::a", &protocol)
            .await
            .unwrap();
        ws.close(None).await.unwrap();
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Bad frames: R-WS.16 and the size limit

/// R-WS.16, TP-469 7.6: a text frame, or a binary message that is not a USP Record, closes
/// that connection with 1003; the other connection goes on.
#[tokio::test(flavor = "multi_thread")]
async fn r_ws_16_text_frames_and_unparseable_records_close_with_1003() {
    bounded(async {
        let mut server = server(server_config()).await;
        let addr = server.local_addr();
        let me = agent(1);
        let mut bystander = WsClient::connect(client_config(addr, &me)).await.unwrap();
        expect_connect_record(&mut server, &me).await;

        let bad_messages = [
            Message::text("hello"),
            Message::binary(Bytes::from_static(b"\xff\xff\xff not protobuf")),
            // A well-formed protobuf that is not a valid Record (no version, no IDs).
            Message::binary(Bytes::from_static(b"\x0a\x00")),
        ];
        for (i, bad) in bad_messages.into_iter().enumerate() {
            let mut ws = raw_usp_client(addr, &agent(10 + i)).await;
            ws.send(bad).await.unwrap();
            assert_eq!(close_code(&mut ws).await, Some(CloseCode::Unsupported));
        }

        let to = bystander.peer_address().unwrap();
        bystander
            .send(Outbound::new(record(&me, &controller(), "unharmed"), to))
            .await
            .unwrap();
        let inbound = soon("a Record", server.recv()).await.unwrap();
        assert_eq!(text_of(&inbound.record), "unharmed");
        bystander.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

/// A Record larger than the configured maximum, in one frame or in fragments, closes that
/// connection with 1009 (RFC 6455 "message too big"); the others go on.
#[tokio::test(flavor = "multi_thread")]
async fn oversize_records_close_with_1009() {
    bounded(async {
        let mut server = server(server_config().max_record_size(1024)).await;
        let addr = server.local_addr();
        let big = record(&agent(9), &controller(), &"x".repeat(2000));

        let mut ws = raw_usp_client(addr, &agent(9)).await;
        ws.send(Message::binary(big.clone())).await.unwrap();
        assert_eq!(close_code(&mut ws).await, Some(CloseCode::Size));
        drop(ws);

        let mut ws = raw_usp_client(addr, &agent(8)).await;
        for (i, part) in big.chunks(700).enumerate() {
            let opcode = if i == 0 {
                OpCode::Data(Data::Binary)
            } else {
                OpCode::Data(Data::Continue)
            };
            let frame = Frame::message(Bytes::copy_from_slice(part), opcode, false);
            if ws.send(Message::Frame(frame)).await.is_err() {
                break;
            }
        }
        assert_eq!(close_code(&mut ws).await, Some(CloseCode::Size));
        drop(ws);

        round_trip(&mut server, addr, 1).await;
        server.close().await.unwrap();
    })
    .await;
}

/// The client applies R-WS.16 too: a text frame from the server closes with 1003.
#[tokio::test(flavor = "multi_thread")]
async fn r_ws_16_the_client_closes_with_1003_on_a_text_frame() {
    bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let me = agent(1);
        let client = WsClient::start(client_config(addr, &me).ping_interval(None)).unwrap();
        let mut ws = accept_usp(&listener).await;
        let Some(Ok(Message::Binary(connect))) = ws.next().await else {
            panic!("expected the Connect Record")
        };
        assert_eq!(kind_of(&connect), RecordKind::WebSocketConnect);
        ws.send(Message::text("not a record")).await.unwrap();
        let Some(Ok(Message::Close(Some(frame)))) = soon("Close", ws.next()).await else {
            panic!("expected a Close frame")
        };
        assert_eq!(frame.code, CloseCode::Unsupported);
        drop(ws);
        until("the client notices", || {
            matches!(
                client.state(),
                WsClientState::Waiting { .. } | WsClientState::Connecting { .. }
            )
        })
        .await;
        assert_eq!(client.last_error().unwrap().kind(), MtpErrorKind::Protocol);
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Keepalive and closing

/// A raw server that accepts with `v1.usp`.
async fn accept_usp(listener: &TcpListener) -> WebSocketStream<TcpStream> {
    let (tcp, _) = soon("a connection", listener.accept()).await.unwrap();
    #[allow(clippy::result_large_err)] // tungstenite's callback type
    let callback = |_: &Request, mut response: Response| {
        response
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("v1.usp"));
        Ok(response)
    };
    tokio_tungstenite::accept_hdr_async(tcp, callback)
        .await
        .unwrap()
}

/// TP-469 7.7: a Ping is answered with a Pong, and an unsolicited Pong does not end the
/// connection.
#[tokio::test(flavor = "multi_thread")]
async fn tp_469_7_7_pings_are_answered_and_unsolicited_pongs_tolerated() {
    bounded(async {
        let mut server = server(server_config()).await;
        let me = agent(1);
        let mut ws = raw_usp_client(server.local_addr(), &me).await;
        ws.send(Message::Ping(Bytes::from_static(b"hi")))
            .await
            .unwrap();
        let Some(Ok(Message::Pong(payload))) = soon("a Pong", ws.next()).await else {
            panic!("expected a Pong")
        };
        assert_eq!(&payload[..], b"hi");
        ws.send(Message::Pong(Bytes::from_static(b"unasked")))
            .await
            .unwrap();
        ws.send(Message::binary(record(&me, &controller(), "after pong")))
            .await
            .unwrap();
        let inbound = soon("a Record", server.recv()).await.unwrap();
        assert_eq!(text_of(&inbound.record), "after pong");
        drop(ws);
        server.close().await.unwrap();
    })
    .await;
}

/// R-WS.17, R-WS.18: the client sends Pings at the configured interval, and a peer that
/// stops answering is given up after the pong timeout, then retried (R-WS.19).
#[tokio::test(flavor = "multi_thread")]
async fn r_ws_17_the_client_pings_and_gives_up_on_a_silent_peer() {
    bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let config = client_config(addr, &agent(1))
            .ping_interval(Some(Duration::from_millis(100)))
            .pong_timeout(Duration::from_millis(300));
        let client = WsClient::start(config).unwrap();

        // A peer that reads (and so answers Pings automatically) sees them coming.
        let mut ws = accept_usp(&listener).await;
        let mut pings = 0;
        let started = Instant::now();
        while pings < 3 {
            if let Some(Ok(Message::Ping(_))) = soon("a Ping", ws.next()).await {
                pings += 1;
            }
        }
        assert!(started.elapsed() >= Duration::from_millis(150));
        assert!(matches!(client.state(), WsClientState::Connected { .. }));

        // A peer that stops reading answers nothing: the client gives up and reconnects.
        let connection = client.wait_connected().await.unwrap();
        until("the keepalive to fail", || {
            !matches!(client.state(), WsClientState::Connected { connection: c } if c == connection)
        })
        .await;
        assert_eq!(client.last_error().unwrap().kind(), MtpErrorKind::Timeout);
        drop(ws);
        let mut again = accept_usp(&listener).await;
        let Some(Ok(Message::Binary(connect))) = soon("a Record", again.next()).await else {
            panic!("expected the Connect Record")
        };
        assert_eq!(kind_of(&connect), RecordKind::WebSocketConnect);
    })
    .await;
}

/// R-MTP.7, R-WS.8, TP-469 7.4: closing the client sends the queued Records, a
/// `DisconnectRecord`, then Close 1000; and a Close from the server is answered.
#[tokio::test(flavor = "multi_thread")]
async fn r_mtp_7_close_sends_a_disconnect_record_then_close_1000() {
    bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let me = agent(1);
        let mut client = WsClient::start(client_config(addr, &me).ping_interval(None)).unwrap();
        let mut ws = accept_usp(&listener).await;
        let to = soon("connected", client.wait_connected()).await.unwrap();
        let to = MtpAddress::WebSocket {
            connection: to,
            endpoint_id: Some(controller()),
        };
        client
            .send(Outbound::new(record(&me, &controller(), "last words"), to))
            .await
            .unwrap();
        let closing = tokio::spawn(async move {
            client.close().await.unwrap();
            client
        });
        let mut kinds = Vec::new();
        let code = loop {
            match soon("a message", ws.next()).await {
                Some(Ok(Message::Binary(r))) => kinds.push(kind_of(&r)),
                Some(Ok(Message::Close(frame))) => break frame.map(|f| f.code),
                other => panic!("unexpected {other:?}"),
            }
        };
        assert_eq!(code, Some(CloseCode::Normal));
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        assert_eq!(kinds[0], RecordKind::WebSocketConnect);
        assert!(matches!(kinds[1], RecordKind::NoSessionContext { .. }));
        let RecordKind::Disconnect(d) = &kinds[2] else {
            panic!("expected a DisconnectRecord, got {:?}", kinds[2])
        };
        assert_eq!(d.reason_code().get(), 7105);
        drop(ws);
        let client = closing.await.unwrap();
        assert_eq!(client.state(), WsClientState::Closed);

        // TP-469 7.4: the server closes; the client answers with a Close frame.
        let mut client = WsClient::start(client_config(addr, &me).ping_interval(None)).unwrap();
        let mut ws = accept_usp(&listener).await;
        let _connect = ws.next().await;
        ws.send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        })))
        .await
        .unwrap();
        let reply = soon("the Close reply", async {
            loop {
                match ws.next().await {
                    Some(Ok(Message::Close(frame))) => return frame,
                    Some(Ok(_)) => {}
                    other => panic!("unexpected {other:?}"),
                }
            }
        })
        .await;
        assert_eq!(reply.map(|f| f.code), Some(CloseCode::Normal));
        client.close().await.unwrap();
    })
    .await;
}

/// Closing the server closes every connection with 1001, and ends its stream of Records.
#[tokio::test(flavor = "multi_thread")]
async fn closing_the_server_closes_its_connections_with_1001() {
    bounded(async {
        let mut server = server(server_config()).await;
        let mut ws = raw_usp_client(server.local_addr(), &agent(1)).await;
        until("registered", || server.connection_count() == 1).await;
        let closing = tokio::spawn(async move {
            server.close().await.unwrap();
            server
        });
        assert_eq!(close_code(&mut ws).await, Some(CloseCode::Away));
        drop(ws);
        let mut server = closing.await.unwrap();
        assert_eq!(
            server.recv().await.unwrap_err().kind(),
            MtpErrorKind::Closed
        );
        let err = server
            .send(Outbound::new(
                Bytes::from_static(b"x"),
                MtpAddress::WebSocket {
                    connection: ConnectionId::new(1),
                    endpoint_id: None,
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::Closed);
    })
    .await;
}

/// R-WS.4, TP-469 7.2: a second connection from the same Endpoint replaces the first, which
/// is closed (1000); a client vanishing without a close does not disturb the others.
#[tokio::test(flavor = "multi_thread")]
async fn r_ws_4_one_session_per_endpoint_and_abrupt_drops_are_contained() {
    bounded(async {
        let mut server = server(server_config()).await;
        let addr = server.local_addr();
        let me = agent(1);
        let mut first = raw_usp_client(addr, &me).await;
        until("registered", || server.connection_count() == 1).await;
        let old = server.address_of(&me).unwrap();
        let mut second = raw_usp_client(addr, &me).await;
        assert_eq!(close_code(&mut first).await, Some(CloseCode::Normal));
        until("replaced", || {
            server.connection_count() == 1 && server.address_of(&me).as_ref() != Some(&old)
        })
        .await;

        // Another client just vanishes (no Close frame, the TCP connection dropped).
        let vanishing = raw_usp_client(addr, &agent(2)).await;
        until("two", || server.connection_count() == 2).await;
        drop(vanishing);
        until("one again", || server.connection_count() == 1).await;

        second
            .send(Message::binary(record(&me, &controller(), "survivor")))
            .await
            .unwrap();
        let inbound = soon("a Record", server.recv()).await.unwrap();
        assert_eq!(text_of(&inbound.record), "survivor");
        drop((first, second));
        round_trip(&mut server, addr, 3).await;
        server.close().await.unwrap();
    })
    .await;
}

/// R-WS.6 with R-MTP.6 and R-MTP.7: an Agent that accepts a Controller's connection sends
/// the `WebSocketConnectRecord` first, and a `DisconnectRecord` when it closes; the
/// Controller's client sends no Connect Record of its own.
#[tokio::test(flavor = "multi_thread")]
async fn r_ws_6_an_agent_side_server_sends_connect_and_disconnect_records() {
    bounded(async {
        let me = agent(1);
        let config = WsServerConfig::new(me.clone())
            .send_connect_record(true)
            .disconnect_on_close(true);
        let mut agent_server = server(config).await;
        let config = WsClientConfig::new(
            &format!("ws://{}/", agent_server.local_addr()),
            controller(),
        )
        .unwrap()
        .peer_endpoint_id(me.clone())
        .send_connect_record(false)
        .disconnect_on_close(false);
        let mut controller_client = WsClient::connect(config).await.unwrap();
        let first = soon("the Connect Record", controller_client.recv())
            .await
            .unwrap();
        let decoded = Record::decode(first.record).unwrap();
        assert_eq!(decoded.kind(), &RecordKind::WebSocketConnect);
        assert_eq!(decoded.from_id(), &me);
        assert_eq!(decoded.to_id(), &controller());

        let to = controller_client.peer_address().unwrap();
        controller_client
            .send(Outbound::new(record(&controller(), &me, "get"), to))
            .await
            .unwrap();
        let inbound = soon("a Record", agent_server.recv()).await.unwrap();
        assert_eq!(text_of(&inbound.record), "get");
        assert_eq!(inbound.reply_to.endpoint_id(), Some(&controller()));

        agent_server.close().await.unwrap();
        let last = soon("the DisconnectRecord", controller_client.recv())
            .await
            .unwrap();
        assert!(matches!(kind_of(&last.record), RecordKind::Disconnect(_)));
        controller_client.close().await.unwrap();
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Reconnection: R-WS.19 to R-WS.21

/// R-WS.19 to R-WS.21, TP-469 7.8: the server stops and a new one starts on the same port;
/// the client reconnects by itself after the retry wait, sends the Connect Record first
/// again, then delivers the Record that was sent while it was down.
#[tokio::test(flavor = "multi_thread")]
async fn r_ws_19_reconnects_after_a_server_restart_without_losing_records() {
    bounded(async {
        let mut server = server(server_config()).await;
        let addr = server.local_addr();
        let me = agent(1);
        let mut client = WsClient::connect(client_config(addr, &me)).await.unwrap();
        expect_connect_record(&mut server, &me).await;
        let before = client.peer_address().unwrap();

        server.close().await.unwrap();
        drop(server);
        let down = Instant::now();
        until("the client notices", || client.peer_address().is_none()).await;

        // Sent while down: accepted, queued, not flushed.
        poll_fn(|cx| client.poll_ready(cx)).await.unwrap();
        client
            .start_send(Outbound::new(
                record(&me, &controller(), "while down"),
                before,
            ))
            .unwrap();
        let flushed = poll_fn(|cx| Poll::Ready(client.poll_flush(cx).is_ready())).await;
        assert!(!flushed, "nothing can be written while disconnected");

        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut server = WsServer::bind(addr, server_config()).await.unwrap();
        expect_connect_record(&mut server, &me).await;
        let reconnected = down.elapsed();
        let inbound = soon("the queued Record", server.recv()).await.unwrap();
        assert_eq!(text_of(&inbound.record), "while down");
        soon("flushed", poll_fn(|cx| client.poll_flush(cx)))
            .await
            .unwrap();
        // Not before the minimum wait of the first retry (R-WS.19).
        assert!(reconnected >= Duration::from_millis(100), "{reconnected:?}");
        assert_eq!(
            client.state(),
            WsClientState::Connected {
                connection: ConnectionId::new(2)
            }
        );

        // And the new session works both ways.
        server
            .send(Outbound::new(
                record(&controller(), &me, "welcome back"),
                inbound.reply_to,
            ))
            .await
            .unwrap();
        assert_eq!(
            text_of(&client.recv().await.unwrap().record),
            "welcome back"
        );
        client.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

/// R-WS.19: with nobody listening, the waits before retries 1, 2, 3 fall in
/// m..m·k, m·k..m·k², m·k²..m·k³ (k in thousandths), and are exactly those the policy's
/// schedule draws from the same seed. R-WS.20: the count restarts after a session.
#[tokio::test(flavor = "multi_thread")]
async fn r_ws_19_retry_waits_follow_the_algorithm() {
    bounded(async {
        let addr = {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            l.local_addr().unwrap()
        };
        let policy = SessionRetry::new()
            .min_wait(Duration::from_millis(40))
            .multiplier(2000)
            .seed(1234);
        let expected: Vec<Duration> = policy.schedule().take(3).collect();
        let client = WsClient::start(client_config(addr, &agent(1)).session_retry(policy)).unwrap();
        let mut seen: Vec<(u32, Duration, Instant)> = Vec::new();
        soon("three retries", async {
            while seen.len() < 3 {
                if let WsClientState::Waiting { retry_count, wait } = client.state()
                    && seen.last().map(|s| s.0) != Some(retry_count)
                {
                    seen.push((retry_count, wait, Instant::now()));
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
        .await;
        for (i, (n, wait, _)) in seen.iter().enumerate() {
            assert_eq!(*n, u32::try_from(i).unwrap() + 1);
            assert_eq!(*wait, expected[i]);
            assert!(policy.wait_range(*n).contains(wait), "#{n}: {wait:?}");
        }
        // The client really waited (half of wait #1, as the observations can be late).
        assert!(seen[1].2 - seen[0].2 >= seen[0].1 / 2);
        assert_eq!(client.last_error().unwrap().kind(), MtpErrorKind::Connect);

        // R-WS.20: once a session is established the count goes back to zero.
        let mut server = WsServer::bind(addr, server_config()).await.unwrap();
        expect_connect_record(&mut server, &agent(1)).await;
        drop(server);
        until("retrying again", || {
            matches!(client.state(), WsClientState::Waiting { .. })
        })
        .await;
        let WsClientState::Waiting { retry_count, .. } = client.state() else {
            unreachable!()
        };
        assert_eq!(retry_count, 1);
    })
    .await;
}

/// Records sent while disconnected wait in a bounded queue: `poll_ready` applies
/// backpressure when it is full, and they all arrive, in order, after the connection.
#[tokio::test(flavor = "multi_thread")]
async fn the_send_queue_is_bounded_and_delivered_in_order_after_connecting() {
    bounded(async {
        let addr = {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            l.local_addr().unwrap()
        };
        let me = agent(1);
        let config = client_config(addr, &me).send_queue_capacity(3);
        let mut client = WsClient::start(config).unwrap();
        let to = MtpAddress::WebSocket {
            connection: ConnectionId::new(1),
            endpoint_id: None,
        };
        for i in 0..3 {
            poll_fn(|cx| client.poll_ready(cx)).await.unwrap();
            client
                .start_send(Outbound::new(
                    record(&me, &controller(), &i.to_string()),
                    to.clone(),
                ))
                .unwrap();
        }
        let ready = poll_fn(|cx| Poll::Ready(client.poll_ready(cx).is_ready())).await;
        assert!(!ready, "a full queue makes poll_ready wait");

        let mut server = WsServer::bind(addr, server_config()).await.unwrap();
        expect_connect_record(&mut server, &me).await;
        for i in 0..3 {
            let inbound = soon("a queued Record", server.recv()).await.unwrap();
            assert_eq!(text_of(&inbound.record), i.to_string());
        }
        soon("ready again", poll_fn(|cx| client.poll_ready(cx)))
            .await
            .unwrap();
        client
            .start_send(Outbound::new(record(&me, &controller(), "3"), to))
            .unwrap();
        soon("flushed", poll_fn(|cx| client.poll_flush(cx)))
            .await
            .unwrap();
        assert_eq!(text_of(&server.recv().await.unwrap().record), "3");

        // An address for another Endpoint than the server's is refused.
        let other = MtpAddress::WebSocket {
            connection: ConnectionId::new(1),
            endpoint_id: Some(agent(5)),
        };
        let err = client
            .send(Outbound::new(record(&me, &agent(5), "x"), other))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::InvalidAddress);
        client.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}
