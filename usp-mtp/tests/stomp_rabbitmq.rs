//! The STOMP client against a real RabbitMQ with its STOMP plugin, started by the tests as
//! a private node on loopback (see `stomp_support`). One broker is shared by the tests of
//! this file; the restart test runs its own. Every test is bounded in time.

mod stomp_support;

use std::collections::BTreeSet;
use std::future::{Future, poll_fn};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use stomp_support::{RabbitMq, unique_queue};
use usp_mtp::stomp::{ServerRetry, StompClient, StompClientState, StompConfig};
use usp_mtp::{Mtp, MtpAddress, MtpErrorKind, MtpExt, Outbound};
use usp_record::{Record, RecordKind};
use usp_types::EndpointId;

async fn bounded<T>(limit: Duration, test: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, test)
        .await
        .expect("the test took too long")
}

/// The shared broker (started by the first test that needs it, off the runtime's threads).
async fn broker() -> &'static RabbitMq {
    tokio::task::spawn_blocking(RabbitMq::shared)
        .await
        .expect("start RabbitMQ")
}

fn agent_id() -> EndpointId {
    "os::012345-STOMPAGENT".parse().unwrap()
}

fn controller_id() -> EndpointId {
    "self::stomp-controller".parse().unwrap()
}

fn fast_retry() -> ServerRetry {
    ServerRetry::new()
        .initial_interval(Duration::from_millis(100))
        .max_interval(Duration::from_millis(500))
}

fn config(port: u16, id: EndpointId, destination: &str) -> StompConfig {
    StompConfig::new("127.0.0.1", port, id)
        .credentials("guest", "guest")
        .destination(destination)
        .retry(fast_retry())
        .connect_timeout(Duration::from_secs(5))
}

fn record(from: &EndpointId, to: &EndpointId, text: &str) -> Bytes {
    Record::no_session_context(to.clone(), from.clone(), Bytes::from(text.to_owned()))
        .unwrap()
        .to_bytes()
}

fn payload(record: &Bytes) -> String {
    let record = Record::decode(record.clone()).unwrap();
    let payload = record.no_session_context_payload().expect("a payload");
    String::from_utf8(payload.to_vec()).unwrap()
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

#[tokio::test]
async fn r_stomp_12_to_23_agent_and_controller_exchange_records_both_ways() {
    let port = broker().await.stomp_port();
    bounded(Duration::from_secs(60), async {
        let controller_queue = unique_queue("controller");
        let agent_queue = unique_queue("agent");
        let mut controller = StompClient::connect(config(port, controller_id(), &controller_queue))
            .await
            .unwrap();
        let agent_config = config(port, agent_id(), &agent_queue)
            .connect_record(controller_id(), controller_queue.as_str());
        let mut agent = StompClient::connect(agent_config).await.unwrap();
        assert_eq!(agent.destination().as_deref(), Some(agent_queue.as_str()));

        // R-MTP.6: the Agent's STOMPConnectRecord comes first and says where it is.
        let connect = controller.recv().await.unwrap();
        let connect_record = Record::decode(connect.record.clone()).unwrap();
        assert_eq!(connect_record.from_id(), &agent_id());
        match connect_record.kind() {
            RecordKind::StompConnect(c) => assert_eq!(c.subscribed_destination(), agent_queue),
            other => panic!("{other:?}"),
        }
        assert_eq!(connect.reply_to, to(&agent_queue));

        // Requests one way, responses the other, each to the received reply-to-dest.
        const N: usize = 50;
        let agent_side = async {
            for _ in 0..N {
                let request = agent.recv().await.unwrap();
                assert_eq!(request.reply_to, to(&controller_queue));
                let text = payload(&request.record).replace("request", "response");
                let response = record(&agent_id(), &controller_id(), &text);
                agent
                    .send(Outbound::new(response, request.reply_to))
                    .await
                    .unwrap();
            }
        };
        let controller_side = async {
            for i in 0..N {
                let request = record(&controller_id(), &agent_id(), &format!("request {i}"));
                queue(&mut controller, request, &agent_queue).await;
            }
            for i in 0..N {
                let response = controller.recv().await.unwrap();
                assert_eq!(payload(&response.record), format!("response {i}"));
                assert_eq!(response.reply_to, to(&agent_queue));
            }
        };
        tokio::join!(agent_side, controller_side);
        for client in [&agent, &controller] {
            let stats = client.stats();
            assert_eq!((stats.connections, stats.resent, stats.dropped), (1, 0, 0));
            assert!(client.last_error().is_none(), "{:?}", client.last_error());
        }
        agent.close().await.unwrap();
        // R-MTP.7: the Agent's DisconnectRecord.
        let bye = Record::decode(controller.recv().await.unwrap().record).unwrap();
        assert!(matches!(bye.kind(), RecordKind::Disconnect(_)), "{bye:?}");
        controller.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_stomp_3_and_5_rabbitmq_refuses_bad_credentials_and_unknown_virtual_hosts() {
    let port = broker().await.stomp_port();
    bounded(Duration::from_secs(30), async {
        let queue = unique_queue("refused");
        let bad_password = config(port, agent_id(), &queue).credentials("guest", "wrong");
        let error = StompClient::connect(bad_password).await.unwrap_err();
        assert_eq!(error.kind(), MtpErrorKind::Connect);
        assert!(error.to_string().contains("Access refused"), "{error}");

        let unknown_host = config(port, agent_id(), &queue).virtual_host("/nowhere");
        let error = StompClient::connect(unknown_host).await.unwrap_err();
        assert_eq!(error.kind(), MtpErrorKind::Connect);
        assert!(error.to_string().contains("/nowhere"), "{error}");

        let default_host = config(port, agent_id(), &queue).virtual_host("/");
        let mut client = StompClient::connect(default_host).await.unwrap();
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_stomp_8_to_11_heart_beats_keep_an_idle_connection_up() {
    let port = broker().await.stomp_port();
    bounded(Duration::from_secs(30), async {
        let queue = unique_queue("heart-beats");
        // RabbitMQ answers 300,300: both sides beat every 300 ms, and an idle connection
        // would be found dead after 600 ms without them.
        let config = config(port, agent_id(), &queue)
            .heart_beat(Duration::from_millis(300), Duration::from_millis(300));
        let mut client = StompClient::connect(config).await.unwrap();
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(matches!(client.state(), StompClientState::Connected { .. }));
        assert_eq!(client.stats().connections, 1);
        assert!(client.last_error().is_none(), "{:?}", client.last_error());
        let hello = record(&agent_id(), &agent_id(), "to myself");
        client
            .send(Outbound::new(hello.clone(), to(&queue)))
            .await
            .unwrap();
        assert_eq!(client.recv().await.unwrap().record, hello);
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_stomp_25_a_record_rabbitmq_refuses_is_dropped_and_the_next_go_through() {
    let port = broker().await.stomp_port();
    bounded(Duration::from_secs(30), async {
        let queue_name = unique_queue("refusals");
        let config = config(port, agent_id(), &queue_name).max_refusals(2);
        let mut client = StompClient::connect(config).await.unwrap();
        // RabbitMQ answers a SEND to an unknown kind of destination with an ERROR.
        queue(
            &mut client,
            record(&agent_id(), &agent_id(), "bad"),
            "/nowhere/x",
        )
        .await;
        let good = record(&agent_id(), &agent_id(), "good");
        queue(&mut client, good.clone(), &queue_name).await;
        poll_fn(|cx| client.poll_flush(cx)).await.unwrap();
        let stats = client.stats();
        assert_eq!(stats.refused, 1);
        assert!(stats.connections >= 2, "{stats:?}");
        // The good Record arrives (perhaps more than once: at least once).
        assert_eq!(client.recv().await.unwrap().record, good);
        client.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_oversized_message_is_skipped_and_the_subscription_stays_up() {
    let port = broker().await.stomp_port();
    bounded(Duration::from_secs(30), async {
        let small_queue = unique_queue("small");
        let mut small =
            StompClient::connect(config(port, agent_id(), &small_queue).max_frame_len(2048))
                .await
                .unwrap();
        let mut sender = StompClient::connect(config(port, controller_id(), &unique_queue("big")))
            .await
            .unwrap();
        let big = record(&controller_id(), &agent_id(), &"x".repeat(4000));
        let fine = record(&controller_id(), &agent_id(), "fine");
        sender
            .send(Outbound::new(big, to(&small_queue)))
            .await
            .unwrap();
        sender
            .send(Outbound::new(fine.clone(), to(&small_queue)))
            .await
            .unwrap();
        assert_eq!(small.recv().await.unwrap().record, fine);
        let stats = small.stats();
        assert_eq!((stats.dropped, stats.connections), (1, 1));
        assert_eq!(small.last_error().unwrap().kind(), MtpErrorKind::TooLarge);
        small.close().await.unwrap();
        sender.close().await.unwrap();
    })
    .await;
}

#[cfg(feature = "rustls")]
#[tokio::test]
async fn r_stomp_36_records_through_rabbitmq_over_tls() {
    let broker = broker().await;
    let port = broker.stomp_tls_port();
    bounded(Duration::from_secs(30), async {
        let queue = unique_queue("tls");
        let tls_config = |ca: &str| {
            StompConfig::new("localhost", port, agent_id())
                .credentials("guest", "guest")
                .destination(queue.as_str())
                .retry(fast_retry())
                .connect_timeout(Duration::from_secs(5))
                .tls_roots_pem(ca.as_bytes())
                .unwrap()
        };
        let mut client = StompClient::connect(tls_config(&broker.tls().ca_pem))
            .await
            .unwrap();
        let hello = record(&agent_id(), &agent_id(), "over TLS");
        client
            .send(Outbound::new(hello.clone(), to(&queue)))
            .await
            .unwrap();
        assert_eq!(client.recv().await.unwrap().record, hello);
        client.close().await.unwrap();

        // A server whose certificate does not chain to the roots is refused.
        let error = StompClient::connect(tls_config(&broker.tls().other_ca_pem))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), MtpErrorKind::Tls, "{error}");
    })
    .await;
}

/// The broker hangs, then crashes, and restarts, while an Agent streams Records: every
/// Record it accepted reaches the Controller's queue (persistent messages in a durable
/// queue), and the Agent is subscribed again afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_stomp_7_broker_restart_mid_stream_loses_no_accepted_record() {
    let mut broker = tokio::task::spawn_blocking(RabbitMq::start).await.unwrap();
    let port = broker.stomp_port();
    let controller_queue = unique_queue("restart-controller");
    let agent_queue = unique_queue("restart-agent");
    const N: usize = 300;

    // The Controller creates its (durable) queue, then leaves while the Agent streams.
    let mut controller = StompClient::connect(config(port, controller_id(), &controller_queue))
        .await
        .unwrap();
    controller.close().await.unwrap();

    let agent_config = config(port, agent_id(), &agent_queue)
        .send_header("persistent", "true")
        .heart_beat(Duration::from_millis(500), Duration::from_millis(500))
        .connect_timeout(Duration::from_secs(2));
    let mut agent = StompClient::connect(agent_config).await.unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let sender = {
        let accepted = Arc::clone(&accepted);
        let controller_queue = controller_queue.clone();
        tokio::spawn(async move {
            for i in 0..N {
                let r = record(&agent_id(), &controller_id(), &format!("record {i}"));
                queue(&mut agent, r, &controller_queue).await;
                accepted.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            poll_fn(|cx| agent.poll_flush(cx)).await.unwrap();
            agent
        })
    };

    while accepted.load(Ordering::SeqCst) < N / 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Hung: Records go out and no receipt comes back; the Agent finds it dead by its
    // missed heart-beats. Then it crashes and comes back.
    let broker = tokio::task::spawn_blocking(move || {
        broker.freeze();
        std::thread::sleep(Duration::from_millis(1500));
        broker.kill();
        broker.run();
        broker
    })
    .await
    .unwrap();

    let mut agent = bounded(Duration::from_secs(60), sender).await.unwrap();
    let stats = agent.stats();
    assert!(stats.connections >= 2, "{stats:?}");
    assert!(stats.resent >= 1, "{stats:?}");

    let mut controller = StompClient::connect(config(port, controller_id(), &controller_queue))
        .await
        .unwrap();
    let mut seen = BTreeSet::new();
    let mut duplicates = 0;
    let mut last_reply_to = None;
    bounded(Duration::from_secs(30), async {
        while seen.len() < N {
            let inbound = controller.recv().await.unwrap();
            let text = payload(&inbound.record);
            let i: usize = text["record ".len()..].parse().unwrap();
            if !seen.insert(i) {
                duplicates += 1;
            }
            last_reply_to = Some(inbound.reply_to);
        }
    })
    .await;
    assert_eq!(seen, (0..N).collect::<BTreeSet<_>>());
    eprintln!("{N} Records, {duplicates} duplicates, agent {stats:?}");

    // The Agent subscribed again after the restart: it gets the Controller's answer.
    let answer = record(&controller_id(), &agent_id(), "after the restart");
    controller
        .send(Outbound::new(answer.clone(), last_reply_to.unwrap()))
        .await
        .unwrap();
    let got = bounded(Duration::from_secs(10), agent.recv())
        .await
        .unwrap();
    assert_eq!(got.record, answer);
    controller.close().await.unwrap();
    agent.close().await.unwrap();
    tokio::task::spawn_blocking(move || drop(broker))
        .await
        .unwrap();
}
