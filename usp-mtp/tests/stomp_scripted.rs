//! The STOMP client against a scripted STOMP server: the frames on the wire, and what
//! RabbitMQ never does on demand (`subscribe-dest`, `ERROR` frames, silence, malformed
//! frames). Every test is bounded in time.

mod stomp_support;

use std::future::{Future, poll_fn};
use std::time::{Duration, Instant};

use bytes::Bytes;
use stomp_support::scripted::{Conn, Scripted};
use usp_mtp::stomp::{Command, ServerRetry, StompClient, StompClientState, StompConfig};
use usp_mtp::{Mtp, MtpAddress, MtpErrorKind, MtpExt, Outbound};
use usp_record::{Record, RecordKind};
use usp_types::{EndpointId, ErrorCode};

async fn bounded<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), test)
        .await
        .expect("the test took too long")
}

fn agent() -> EndpointId {
    "os::012345-AGENT".parse().unwrap()
}

fn controller() -> EndpointId {
    "self::controller".parse().unwrap()
}

fn fast_retry() -> ServerRetry {
    ServerRetry::new()
        .initial_interval(Duration::from_millis(50))
        .max_interval(Duration::from_millis(200))
        .seed(1)
}

fn config(server: &Scripted) -> StompConfig {
    StompConfig::new("127.0.0.1", server.port(), agent())
        .destination("/queue/agent")
        .retry(fast_retry())
        .connect_timeout(Duration::from_secs(5))
        // The scripted server mostly does not answer DISCONNECT: do not wait long for it.
        .close_timeout(Duration::from_millis(300))
}

fn record(text: &str) -> Bytes {
    Record::no_session_context(controller(), agent(), Bytes::from(text.to_owned()))
        .unwrap()
        .to_bytes()
}

fn to(destination: &str) -> MtpAddress {
    MtpAddress::Stomp {
        destination: destination.into(),
        reply_to: None,
    }
}

/// Accepts a Record for sending without waiting for its receipt.
async fn queue(client: &mut StompClient, record: Bytes, destination: &str) {
    poll_fn(|cx| client.poll_ready(cx)).await.unwrap();
    client
        .start_send(Outbound::new(record, to(destination)))
        .unwrap();
}

async fn flush(client: &mut StompClient) {
    poll_fn(|cx| client.poll_flush(cx)).await.unwrap();
}

/// Waits until the client's state satisfies `f`.
async fn state_until(client: &StompClient, f: impl Fn(&StompClientState) -> bool) {
    while !f(&client.state()) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn r_stomp_2_3_4_5_the_stomp_frame_on_the_wire() {
    bounded(async {
        let server = Scripted::bind().await;
        let config = config(&server)
            .virtual_host("/usp")
            .credentials("agent", "pa:ss")
            .heart_beat(Duration::from_secs(1), Duration::from_secs(2));
        let mut client = StompClient::start(config).unwrap();
        let mut conn = server.accept().await;
        let stomp = conn.expect(Command::Stomp).await;
        let wire = String::from_utf8_lossy(conn.raw()).into_owned();
        assert!(wire.starts_with("STOMP\n"), "{wire}");
        // R-STOMP.4: the colons of the Endpoint ID are escaped.
        assert!(
            wire.contains("\nendpoint-id:os\\c\\c012345-AGENT\n"),
            "{wire}"
        );
        assert!(wire.contains("\npasscode:pa\\css\n"), "{wire}");
        assert_eq!(stomp.header("endpoint-id"), Some("os::012345-AGENT"));
        assert_eq!(stomp.header("accept-version"), Some("1.2"));
        assert_eq!(stomp.header("host"), Some("/usp"));
        assert_eq!(stomp.header("login"), Some("agent"));
        assert_eq!(stomp.header("passcode"), Some("pa:ss"));
        assert_eq!(stomp.header("heart-beat"), Some("1000,2000"));
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_stomp_9_no_heart_beats_unless_configured() {
    bounded(async {
        let server = Scripted::bind().await;
        let mut client = StompClient::start(config(&server)).unwrap();
        let mut conn = server.accept().await;
        let (stomp, _) = conn.open_session(&[("heart-beat", "100,100")]).await;
        assert_eq!(stomp.header("heart-beat"), Some("0,0"));
        client.wait_connected().await.unwrap();
        assert_eq!(conn.heart_beats_within(Duration::from_millis(400)).await, 0);
        assert_eq!(client.stats().connections, 1);
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_stomp_6_14_subscribe_dest_overrides_the_configured_destination() {
    bounded(async {
        let server = Scripted::bind().await;
        let config = config(&server)
            .destination("/queue/configured")
            .connect_record(controller(), "/queue/controller");
        let mut client = StompClient::start(config).unwrap();
        let mut conn = server.accept().await;
        let (_, subscribe) = conn
            .open_session(&[("subscribe-dest", "/queue/from-server")])
            .await;
        // R-STOMP.12, R-STOMP.13, R-STOMP.17.
        assert_eq!(subscribe.header("destination"), Some("/queue/from-server"));
        assert_eq!(subscribe.header("ack"), Some("auto"));
        assert!(subscribe.header("id").is_some());

        // R-MTP.6: the STOMPConnectRecord names the destination actually subscribed to.
        let connect = conn.expect(Command::Send).await;
        assert_eq!(connect.header("destination"), Some("/queue/controller"));
        assert_eq!(connect.header("reply-to-dest"), Some("/queue/from-server"));
        let connect_record = Record::decode(connect.body().clone()).unwrap();
        assert_eq!(connect_record.to_id(), &controller());
        assert_eq!(connect_record.from_id(), &agent());
        match connect_record.kind() {
            RecordKind::StompConnect(c) => {
                assert_eq!(c.subscribed_destination(), "/queue/from-server");
            }
            other => panic!("{other:?}"),
        }
        conn.receipt_for(&connect).await;
        assert_eq!(client.wait_connected().await.unwrap(), "/queue/from-server");
        assert_eq!(client.destination().as_deref(), Some("/queue/from-server"));

        // R-STOMP.18 to R-STOMP.22: the SEND frame of a Record.
        let notify = record("notify");
        let (sent, send) = tokio::join!(
            client.send(Outbound::new(notify.clone(), to("/queue/controller"))),
            async {
                let send = conn.expect(Command::Send).await;
                conn.receipt_for(&send).await;
                send
            }
        );
        sent.unwrap();
        assert_eq!(send.header("destination"), Some("/queue/controller"));
        assert_eq!(
            send.header("content-type"),
            Some("application/vnd.bbf.usp.msg")
        );
        let length = notify.len().to_string();
        assert_eq!(send.header("content-length"), Some(length.as_str()));
        assert_eq!(send.header("reply-to-dest"), Some("/queue/from-server"));
        assert_eq!(send.body(), &notify);

        // An explicit reply_to is used as reply-to-dest.
        let custom = MtpAddress::Stomp {
            destination: "/queue/controller".into(),
            reply_to: Some("/queue/elsewhere".into()),
        };
        let (sent, send) =
            tokio::join!(client.send(Outbound::new(notify.clone(), custom)), async {
                let send = conn.expect(Command::Send).await;
                conn.receipt_for(&send).await;
                send
            });
        sent.unwrap();
        assert_eq!(send.header("reply-to-dest"), Some("/queue/elsewhere"));

        // R-STOMP.23: a received Record is answered at its reply-to-dest.
        let request = record("request");
        conn.send(&Conn::message(&request, Some("/queue/controller")))
            .await;
        let inbound = client.recv().await.unwrap();
        assert_eq!(inbound.record, request);
        assert_eq!(inbound.reply_to, to("/queue/controller"));
        let response = record("response");
        let (sent, send) = tokio::join!(
            client.send(Outbound::new(response.clone(), inbound.reply_to)),
            async {
                let send = conn.expect(Command::Send).await;
                conn.receipt_for(&send).await;
                send
            }
        );
        sent.unwrap();
        assert_eq!(send.header("destination"), Some("/queue/controller"));
        assert_eq!(send.body(), &response);
        assert_eq!(client.stats().connections, 1);
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_stomp_16_no_destination_at_all_disconnects_and_retries() {
    bounded(async {
        let server = Scripted::bind().await;
        let config = StompConfig::new("127.0.0.1", server.port(), agent()).retry(fast_retry());
        let mut client = StompClient::start(config).unwrap();
        let mut conn = server.accept().await;
        conn.expect(Command::Stomp).await;
        conn.send(&usp_mtp::stomp::Frame::new(Command::Connected).with_header("version", "1.2"))
            .await;
        conn.expect(Command::Disconnect).await;
        let rest = conn.until_closed(Duration::from_secs(5)).await;
        assert_eq!(
            rest.map(|f| f.len()),
            Some(0),
            "the client closes the connection"
        );
        // R-STOMP.7: the retry state, then a new attempt.
        let mut again = server.accept().await;
        again.expect(Command::Stomp).await;
        let error = client.last_error().unwrap();
        assert_eq!(error.kind(), MtpErrorKind::Config);
        assert!(error.to_string().contains("R-STOMP.16"), "{error}");
        assert!(!matches!(
            client.state(),
            StompClientState::Connected { .. }
        ));
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_stomp_12_a_subscription_never_confirmed_times_out_and_retries() {
    bounded(async {
        let server = Scripted::bind().await;
        let config = config(&server).connect_timeout(Duration::from_millis(500));
        let mut client = StompClient::start(config).unwrap();
        let mut conn = server.accept().await;
        conn.expect(Command::Stomp).await;
        conn.send(&usp_mtp::stomp::Frame::new(Command::Connected).with_header("version", "1.2"))
            .await;
        conn.expect(Command::Subscribe).await;
        // No RECEIPT: the client gives up on this connection and tries again.
        let mut again = server.accept().await;
        assert_eq!(client.last_error().unwrap().kind(), MtpErrorKind::Timeout);
        again.open_session(&[]).await;
        client.wait_connected().await.unwrap();
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_stomp_7_failed_attempts_enter_the_retry_state() {
    bounded(async {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let retry = ServerRetry::new()
            .initial_interval(Duration::from_millis(100))
            .max_interval(Duration::from_millis(400))
            .seed(2);
        let config = StompConfig::new("127.0.0.1", port, agent())
            .destination("/queue/agent")
            .retry(retry)
            .close_timeout(Duration::from_millis(300));
        let mut client = StompClient::start(config).unwrap();
        state_until(
            &client,
            |s| matches!(s, StompClientState::Waiting { retry_count, .. } if *retry_count >= 2),
        )
        .await;
        if let StompClientState::Waiting { retry_count, wait } = client.state() {
            assert!(retry.wait_range(retry_count).contains(&wait), "{wait:?}");
        }
        assert_eq!(client.last_error().unwrap().kind(), MtpErrorKind::Connect);
        // The server comes up: the next retry connects.
        let server = Scripted::on_port(port).await;
        let mut conn = server.accept().await;
        conn.open_session(&[]).await;
        assert_eq!(client.wait_connected().await.unwrap(), "/queue/agent");
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_stomp_25_an_error_frame_reconnects_and_loses_no_queued_record() {
    bounded(async {
        let server = Scripted::bind().await;
        let mut client = StompClient::start(config(&server)).unwrap();
        let mut first = server.accept().await;
        first.open_session(&[]).await;
        client.wait_connected().await.unwrap();
        let records: Vec<Bytes> = ["a", "b", "c"].into_iter().map(record).collect();
        for r in &records {
            queue(&mut client, r.clone(), "/queue/controller").await;
        }
        let a = first.expect(Command::Send).await;
        assert_eq!(a.body(), &records[0]);
        first.receipt_for(&a).await;
        assert_eq!(first.expect(Command::Send).await.body(), &records[1]);
        assert_eq!(first.expect(Command::Send).await.body(), &records[2]);
        first
            .send(
                &usp_mtp::stomp::Frame::new(Command::Error)
                    .with_header("message", "boom")
                    .with_body(&b"the broker fell over"[..]),
            )
            .await;
        drop(first);

        // R-STOMP.25: the retry state, then a new connection where b and c go again.
        let mut second = server.accept().await;
        second.open_session(&[]).await;
        for r in &records[1..] {
            let send = second.expect(Command::Send).await;
            assert_eq!(send.body(), r);
            second.receipt_for(&send).await;
        }
        flush(&mut client).await;
        let stats = client.stats();
        assert_eq!((stats.connections, stats.resent, stats.refused), (2, 2, 0));
        let error = client.last_error().unwrap();
        assert_eq!(error.kind(), MtpErrorKind::Protocol);
        assert!(
            error.to_string().contains("boom: the broker fell over"),
            "{error}"
        );
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_stomp_25_a_record_the_broker_keeps_refusing_is_dropped() {
    bounded(async {
        let server = Scripted::bind().await;
        let mut client = StompClient::start(config(&server).max_refusals(2)).unwrap();

        // An ERROR that names the receipt of a Record refuses it at once.
        let mut conn = server.accept().await;
        conn.open_session(&[]).await;
        queue(&mut client, record("named"), "/queue/nowhere").await;
        let send = conn.expect(Command::Send).await;
        let receipt = send.header("receipt").unwrap();
        conn.send(
            &usp_mtp::stomp::Frame::new(Command::Error)
                .with_header("message", "no such destination")
                .with_header("receipt-id", receipt),
        )
        .await;
        drop(conn);
        flush(&mut client).await;
        assert_eq!(client.stats().refused, 1);
        let error = client.last_error().unwrap().to_string();
        assert!(
            error.contains("refused 1 time(s) and is dropped"),
            "{error}"
        );

        // An ERROR that names nothing counts against the oldest Record without a receipt.
        let mut conn = server.accept().await;
        conn.open_session(&[]).await;
        queue(&mut client, record("poison"), "/queue/nowhere").await;
        for _ in 0..2 {
            let send = conn.expect(Command::Send).await;
            assert_eq!(send.body(), &record("poison"));
            conn.send(&usp_mtp::stomp::Frame::new(Command::Error).with_header("message", "no"))
                .await;
            drop(conn);
            conn = server.accept().await;
            conn.open_session(&[]).await;
        }
        flush(&mut client).await;
        assert_eq!(client.stats().refused, 2);
        let error = client.last_error().unwrap().to_string();
        assert!(
            error.contains("refused 2 time(s) and is dropped"),
            "{error}"
        );
        // What follows goes through.
        queue(&mut client, record("fine"), "/queue/controller").await;
        let send = conn.expect(Command::Send).await;
        assert_eq!(send.body(), &record("fine"));
        conn.receipt_for(&send).await;
        flush(&mut client).await;
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_stomp_11_a_silent_server_is_detected_within_the_negotiated_window() {
    bounded(async {
        let server = Scripted::bind().await;
        // The client sends every max(100, 100) ms and wants the server's every
        // max(200, 200) ms: dead after 400 ms of silence (the default tolerance: 100 %).
        let config =
            config(&server).heart_beat(Duration::from_millis(100), Duration::from_millis(200));
        let mut client = StompClient::start(config).unwrap();
        let mut conn = server.accept().await;
        conn.open_session(&[("heart-beat", "200,100")]).await;
        client.wait_connected().await.unwrap();

        // While the server beats every 150 ms, the connection stays, and the client beats.
        let mut client_beats = 0;
        for _ in 0..8 {
            conn.send_raw(b"\n").await;
            client_beats += conn.heart_beats_within(Duration::from_millis(150)).await;
        }
        assert!(
            client_beats >= 5,
            "{client_beats} heart-beats from the client in 1.2 s"
        );
        assert_eq!(client.stats().connections, 1);
        assert!(matches!(client.state(), StompClientState::Connected { .. }));

        // Then the server falls silent, the connection still open.
        let silent_since = conn.last_sent();
        let again = server.accepts_within(Duration::from_secs(10)).await;
        let detected_after = silent_since.elapsed();
        assert!(again.is_some(), "the client did not reconnect");
        assert!(
            detected_after >= Duration::from_millis(400),
            "declared dead after {detected_after:?} only"
        );
        assert!(
            detected_after < Duration::from_secs(5),
            "{detected_after:?}"
        );
        assert_eq!(client.last_error().unwrap().kind(), MtpErrorKind::Timeout);
        drop(conn);
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_slow_reader_is_not_taken_for_a_dead_server() {
    bounded(async {
        let server = Scripted::bind().await;
        let config = config(&server)
            .heart_beat(Duration::ZERO, Duration::from_millis(100))
            .recv_queue(1);
        let mut client = StompClient::start(config).unwrap();
        let mut conn = server.accept().await;
        conn.open_session(&[("heart-beat", "100,0")]).await;
        client.wait_connected().await.unwrap();
        for i in 0..5 {
            conn.send(&Conn::message(&record(&format!("r{i}")), Some("/queue/c")))
                .await;
        }
        // The client does not read for 600 ms (dead after 200 ms of silence, were it the
        // server's): the server beats on, but its beats wait behind the Records.
        for _ in 0..12 {
            conn.send_raw(b"\n").await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for i in 0..5 {
            assert_eq!(
                client.recv().await.unwrap().record,
                record(&format!("r{i}"))
            );
        }
        assert_eq!(client.stats().connections, 1);
        assert!(
            server
                .accepts_within(Duration::from_millis(100))
                .await
                .is_none()
        );
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn bad_frames_give_typed_errors_and_the_subscription_stays_up() {
    bounded(async {
        let server = Scripted::bind().await;
        let mut client = StompClient::start(config(&server).max_frame_len(1024)).unwrap();
        let mut conn = server.accept().await;
        conn.open_session(&[]).await;
        client.wait_connected().await.unwrap();

        // An unknown command: the frame is dropped.
        conn.send_raw(b"BOGUS\nx:y\n\n\0").await;
        // Not a USP Record: silently dropped (specification, "Handling Errors").
        let text = usp_mtp::stomp::Frame::new(Command::Message)
            .with_header("content-type", "text/plain")
            .with_body(&b"hello"[..]);
        conn.send(&text).await;
        // Over the size limit: skipped without being buffered.
        let mut big =
            b"MESSAGE\ncontent-type:application/vnd.bbf.usp.msg\ncontent-length:5000\n\n".to_vec();
        big.extend_from_slice(&[7u8; 5000]);
        big.push(0);
        conn.send_raw(&big).await;
        // And a good one.
        let good = record("good");
        conn.send(&Conn::message(&good, Some("/queue/c"))).await;
        assert_eq!(client.recv().await.unwrap().record, good);
        let stats = client.stats();
        assert_eq!((stats.dropped, stats.connections), (3, 1));
        assert!(stats.errors >= 3);
        assert_eq!(client.last_error().unwrap().kind(), MtpErrorKind::TooLarge);
        assert!(
            server
                .accepts_within(Duration::from_millis(200))
                .await
                .is_none()
        );

        // An undefined escape is fatal (STOMP 1.2): the client reconnects.
        conn.send_raw(b"MESSAGE\nx:a\\tb\n\n\0").await;
        let mut again = server.accept().await;
        assert_eq!(client.last_error().unwrap().kind(), MtpErrorKind::Protocol);
        again.open_session(&[]).await;
        let after = record("after");
        again.send(&Conn::message(&after, Some("/queue/c"))).await;
        assert_eq!(client.recv().await.unwrap().record, after);
        assert_eq!(client.stats().connections, 2);
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_stomp_23_a_record_without_reply_to_dest_cannot_be_answered() {
    bounded(async {
        let server = Scripted::bind().await;
        let mut client = StompClient::start(config(&server)).unwrap();
        let mut conn = server.accept().await;
        conn.open_session(&[]).await;
        let notify = record("no reply");
        conn.send(&Conn::message(&notify, None)).await;
        let inbound = client.recv().await.unwrap();
        assert_eq!(inbound.record, notify);
        assert_eq!(inbound.reply_to, to(""));
        poll_fn(|cx| client.poll_ready(cx)).await.unwrap();
        let error = client
            .start_send(Outbound::new(record("x"), inbound.reply_to))
            .unwrap_err();
        assert_eq!(error.kind(), MtpErrorKind::InvalidAddress);
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_mtp_7_closing_confirms_records_then_disconnects() {
    bounded(async {
        let server = Scripted::bind().await;
        let config = config(&server)
            .connect_record(controller(), "/queue/controller")
            .close_timeout(Duration::from_secs(5));
        let mut client = StompClient::start(config).unwrap();
        let mut conn = server.accept().await;
        conn.open_session(&[]).await;
        let connect = conn.expect(Command::Send).await;
        conn.receipt_for(&connect).await;
        client.wait_connected().await.unwrap();
        let last = record("last");
        queue(&mut client, last.clone(), "/queue/controller").await;
        let started = Instant::now();
        let (closed, ()) = tokio::join!(client.close(), async {
            let send = conn.expect(Command::Send).await;
            assert_eq!(send.body(), &last);
            conn.receipt_for(&send).await;
            // R-MTP.7: a DisconnectRecord, then DISCONNECT (R-STOMP.28).
            let bye = conn.expect(Command::Send).await;
            assert_eq!(bye.header("destination"), Some("/queue/controller"));
            let disconnect_record = Record::decode(bye.body().clone()).unwrap();
            match disconnect_record.kind() {
                RecordKind::Disconnect(d) => {
                    assert_eq!(d.reason_code(), ErrorCode::SESSION_CONTEXT_TERMINATED);
                }
                other => panic!("{other:?}"),
            }
            conn.receipt_for(&bye).await;
            let disconnect = conn.expect(Command::Disconnect).await;
            conn.receipt_for(&disconnect).await;
        });
        closed.unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "close waited for its timeout"
        );
        assert_eq!(client.state(), StompClientState::Closed);
        assert_eq!(
            client.recv().await.unwrap_err().kind(),
            MtpErrorKind::Closed
        );
    })
    .await;
}
