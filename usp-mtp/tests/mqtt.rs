//! The MQTT MTP against a real mosquitto (started per test on a free loopback port): Agent
//! and Controller over MQTT 5, over 3.1.1, and mixed; Content Types, garbage and oversize
//! payloads; the assigned ClientId; the broker killed mid-stream; a shared subscription
//! splitting the load. Every test is bounded in time.

mod mqtt_support;

use std::collections::{BTreeMap, BTreeSet};
use std::future::{Future, poll_fn};
use std::time::Duration;

use bytes::Bytes;
use mqtt_support::{Mosquitto, capture_logs, logged};
use usp_mtp::mqtt::{
    ConnectRetry, MqttClient, MqttClientState, MqttConfig, MqttQos, MqttVersion,
    shared_subscription,
};
use usp_mtp::{Inbound, Mtp, MtpAddress, MtpErrorKind, MtpExt, Outbound};
use usp_record::{Record, RecordKind};
use usp_types::EndpointId;

// ---------------------------------------------------------------------------------------
// Helpers

async fn bounded<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(90), test)
        .await
        .expect("the test took too long")
}

async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

fn controller_id() -> EndpointId {
    "self::controller".parse().unwrap()
}

fn agent_id(n: usize) -> EndpointId {
    format!("os::012345-AGENT{n}").parse().unwrap()
}

fn agent_topic(n: usize) -> String {
    format!("usp/agent/os::012345-AGENT{n}")
}

const CONTROLLER_TOPIC: &str = "usp/controller";

/// Quick retries, for tests that restart the broker.
fn fast_retry() -> ConnectRetry {
    ConnectRetry::new()
        .min_wait(Duration::from_millis(50))
        .multiplier(1000)
}

fn agent_config(broker: &Mosquitto, n: usize, version: MqttVersion) -> MqttConfig {
    MqttConfig::new(agent_id(n), "127.0.0.1", broker.port())
        .version(version)
        .reply_to_topic(agent_topic(n))
        .peer(controller_id(), CONTROLLER_TOPIC)
        .retry(fast_retry())
}

fn controller_config(broker: &Mosquitto, version: MqttVersion) -> MqttConfig {
    MqttConfig::new(controller_id(), "127.0.0.1", broker.port())
        .version(version)
        .reply_to_topic(CONTROLLER_TOPIC)
        .retry(fast_retry())
}

fn record(from: &EndpointId, to: &EndpointId, text: &str) -> Bytes {
    Record::no_session_context(to.clone(), from.clone(), Bytes::from(text.to_owned()))
        .unwrap()
        .to_bytes()
}

fn text_of(record: &Bytes) -> String {
    let r = Record::decode(record.clone()).unwrap();
    match r.kind() {
        RecordKind::NoSessionContext { payload } => String::from_utf8(payload.to_vec()).unwrap(),
        other => panic!("not a message Record: {other:?}"),
    }
}

fn mqtt(topic: &str) -> MtpAddress {
    MtpAddress::Mqtt {
        topic: topic.to_owned(),
        response_topic: None,
    }
}

fn reply_topic(inbound: &Inbound) -> &str {
    match &inbound.reply_to {
        MtpAddress::Mqtt {
            topic,
            response_topic,
        } => {
            assert_eq!(*response_topic, None);
            topic
        }
        other => panic!("not an MQTT address: {other}"),
    }
}

/// The next Record received that is not a Connect Record.
async fn recv_message(client: &mut MqttClient) -> Inbound {
    loop {
        let inbound = within("a Record", client.recv()).await.unwrap();
        let r = Record::decode(inbound.record.clone()).unwrap();
        if !matches!(r.kind(), RecordKind::MqttConnect(_)) {
            return inbound;
        }
    }
}

/// Receives the `MQTTConnectRecord` an Agent sends after connecting (R-MTP.6) and checks
/// it; returns the address to reach the Agent.
async fn expect_connect_record(
    controller: &mut MqttClient,
    agent: &EndpointId,
    version: MqttVersion,
    topic: &str,
) -> MtpAddress {
    let inbound = within("the MQTTConnectRecord", controller.recv())
        .await
        .unwrap();
    let r = Record::decode(inbound.record.clone()).unwrap();
    assert_eq!(r.from_id(), agent);
    assert_eq!(r.to_id(), &controller_id());
    match r.kind() {
        RecordKind::MqttConnect(c) => {
            assert_eq!(c.version(), version);
            assert_eq!(c.subscribed_topic(), topic);
        }
        other => panic!("expected an MQTTConnectRecord, got {other:?}"),
    }
    assert_eq!(reply_topic(&inbound), topic);
    inbound.reply_to
}

/// Controller and Agent exchange a request and a response both ways, and the Agent's
/// Notify-like Record reaches the Controller.
async fn round_trips(
    controller: &mut MqttClient,
    agent: &mut MqttClient,
    agent_n: usize,
    to_agent: MtpAddress,
) {
    let a = agent_id(agent_n);
    let c = controller_id();
    // Controller -> Agent, and the answer back.
    controller
        .send(Outbound::new(record(&c, &a, "get"), to_agent.clone()))
        .await
        .unwrap();
    let request = recv_message(agent).await;
    assert_eq!(text_of(&request.record), "get");
    assert_eq!(reply_topic(&request), CONTROLLER_TOPIC);
    agent
        .send(Outbound::new(record(&a, &c, "get-resp"), request.reply_to))
        .await
        .unwrap();
    let response = recv_message(controller).await;
    assert_eq!(text_of(&response.record), "get-resp");
    assert_eq!(response.reply_to, to_agent);
    // Agent -> Controller on its own (a Notify), and the answer back.
    let to_controller = agent.peer_address().unwrap();
    agent
        .send(Outbound::new(record(&a, &c, "notify"), to_controller))
        .await
        .unwrap();
    let notify = recv_message(controller).await;
    assert_eq!(text_of(&notify.record), "notify");
    controller
        .send(Outbound::new(
            record(&c, &a, "notify-resp"),
            notify.reply_to,
        ))
        .await
        .unwrap();
    assert_eq!(text_of(&recv_message(agent).await.record), "notify-resp");
}

// ---------------------------------------------------------------------------------------
// Agent and Controller, by version

#[tokio::test]
async fn r_mqtt_23_r_mqtt_26_mqtt5_agent_and_controller_both_ways() {
    bounded(async {
        let broker = Mosquitto::start();
        let mut controller = MqttClient::connect(controller_config(&broker, MqttVersion::V5))
            .await
            .unwrap();
        let mut agent = MqttClient::connect(agent_config(&broker, 1, MqttVersion::V5))
            .await
            .unwrap();
        assert_eq!(
            agent.reply_to_topic().as_deref(),
            Some(agent_topic(1).as_str())
        );
        let to_agent = expect_connect_record(
            &mut controller,
            &agent_id(1),
            MqttVersion::V5,
            &agent_topic(1),
        )
        .await;
        round_trips(&mut controller, &mut agent, 1, to_agent).await;

        // R-MTP.7: closing sends a DisconnectRecord to the Controller first.
        within("close", agent.close()).await.unwrap();
        assert_eq!(agent.state(), MqttClientState::Closed);
        let bye = within("the DisconnectRecord", controller.recv())
            .await
            .unwrap();
        let r = Record::decode(bye.record).unwrap();
        assert!(
            matches!(r.kind(), RecordKind::Disconnect(_)),
            "{:?}",
            r.kind()
        );
        assert_eq!(
            agent
                .send(Outbound::new(Bytes::from_static(b"x"), mqtt("t")))
                .await
                .unwrap_err()
                .kind(),
            MtpErrorKind::Closed
        );
        let stats = controller.stats();
        assert_eq!(stats.connections, 1);
        assert_eq!((stats.received, stats.published), (4, 2));
        within("close", controller.close()).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_mqtt_24_r_mqtt_25_mqtt311_agent_and_controller_both_ways() {
    bounded(async {
        let broker = Mosquitto::start();
        let mut controller = MqttClient::connect(controller_config(&broker, MqttVersion::V3_1_1))
            .await
            .unwrap();
        let mut agent = MqttClient::connect(agent_config(&broker, 1, MqttVersion::V3_1_1))
            .await
            .unwrap();
        // R-MQTT.8: a 3.1.1 client without a configured ClientId uses its Endpoint ID.
        assert_eq!(agent.client_id(), agent_id(1).as_str());
        let to_agent = expect_connect_record(
            &mut controller,
            &agent_id(1),
            MqttVersion::V3_1_1,
            &agent_topic(1),
        )
        .await;
        round_trips(&mut controller, &mut agent, 1, to_agent).await;
        // The broker saw 3.1.1 clients ("p2" in its log) subscribe to "<reply-to>/#".
        let log = broker.log();
        assert!(log.contains("(p2, c1"), "{log}");
        assert!(log.contains(&format!("{}/#", agent_topic(1))), "{log}");
        within("close", agent.close()).await.unwrap();
        within("close", controller.close()).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn mixed_fleet_controller_on_5_serves_agents_on_311_and_5_at_once() {
    bounded(async {
        let broker = Mosquitto::start();
        let config = controller_config(&broker, MqttVersion::V5).accept_mqtt311_peers(true);
        let mut controller = MqttClient::connect(config).await.unwrap();
        let mut old = MqttClient::connect(agent_config(&broker, 1, MqttVersion::V3_1_1))
            .await
            .unwrap();
        let to_old = expect_connect_record(
            &mut controller,
            &agent_id(1),
            MqttVersion::V3_1_1,
            &agent_topic(1),
        )
        .await;
        let mut new = MqttClient::connect(agent_config(&broker, 2, MqttVersion::V5))
            .await
            .unwrap();
        let to_new = expect_connect_record(
            &mut controller,
            &agent_id(2),
            MqttVersion::V5,
            &agent_topic(2),
        )
        .await;
        // Requests to both, interleaved; each Agent reads the Controller's reply-to its own
        // way, and each reply reaches the Controller.
        let c = controller_id();
        for round in 0..3 {
            for (n, to) in [(1, &to_old), (2, &to_new)] {
                let text = format!("get {round} to {n}");
                controller
                    .send(Outbound::new(record(&c, &agent_id(n), &text), to.clone()))
                    .await
                    .unwrap();
            }
            for (n, agent) in [(1, &mut old), (2, &mut new)] {
                let request = recv_message(agent).await;
                assert_eq!(text_of(&request.record), format!("get {round} to {n}"));
                assert_eq!(reply_topic(&request), CONTROLLER_TOPIC);
                let text = format!("resp {round} from {n}");
                agent
                    .send(Outbound::new(
                        record(&agent_id(n), &c, &text),
                        request.reply_to,
                    ))
                    .await
                    .unwrap();
            }
            let mut replies = BTreeMap::new();
            for _ in 0..2 {
                let reply = recv_message(&mut controller).await;
                replies.insert(text_of(&reply.record), reply.reply_to);
            }
            assert_eq!(replies.get(&format!("resp {round} from 1")), Some(&to_old));
            assert_eq!(replies.get(&format!("resp {round} from 2")), Some(&to_new));
        }
        // Both Agents' Notify-like Records reach the Controller too.
        round_trips(&mut controller, &mut old, 1, to_old).await;
        round_trips(&mut controller, &mut new, 2, to_new).await;
        for client in [&mut old, &mut new, &mut controller] {
            within("close", client.close()).await.unwrap();
        }
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// What is received: Content Types, garbage, oversize, no reply-to

/// A raw MQTT 5 client (rumqttc, not the transport) that publishes whatever the test says.
struct RawPublisher {
    client: rumqttc::v5::AsyncClient,
    task: tokio::task::JoinHandle<()>,
}

impl RawPublisher {
    async fn connect(broker: &Mosquitto) -> Self {
        let mut options =
            rumqttc::v5::MqttOptions::new("raw-publisher", "127.0.0.1", broker.port());
        options.set_max_packet_size(Some(16 << 20));
        let (client, mut eventloop) = rumqttc::v5::AsyncClient::new(options, 16);
        let (connected_tx, connected) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(async move {
            let mut connected_tx = Some(connected_tx);
            loop {
                match eventloop.poll().await {
                    Ok(rumqttc::v5::Event::Incoming(
                        rumqttc::v5::mqttbytes::v5::Packet::ConnAck(_),
                    )) => {
                        if let Some(tx) = connected_tx.take() {
                            let _ = tx.send(());
                        }
                    }
                    Ok(_) => {}
                    Err(e) => panic!("raw publisher: {e}"),
                }
            }
        });
        within("raw publisher", connected).await.unwrap();
        Self { client, task }
    }

    async fn publish(
        &self,
        topic: &str,
        payload: Bytes,
        content_type: Option<&str>,
        response_topic: Option<&str>,
    ) {
        let properties = rumqttc::v5::mqttbytes::v5::PublishProperties {
            content_type: content_type.map(str::to_owned),
            response_topic: response_topic.map(str::to_owned),
            ..Default::default()
        };
        self.client
            .publish_with_properties(
                topic,
                rumqttc::v5::mqttbytes::QoS::AtLeastOnce,
                false,
                payload,
                properties,
            )
            .await
            .unwrap();
    }
}

impl Drop for RawPublisher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test]
async fn r_mqtt_27a_content_types_and_dropped_publishes_leave_the_connection_alone() {
    bounded(async {
        capture_logs();
        let broker = Mosquitto::start();
        // A Controller-like client with no peer: a PUBLISH without reply-to has nowhere to go.
        let max = 64 << 10;
        let config = MqttConfig::new(controller_id(), "127.0.0.1", broker.port())
            .reply_to_topic("usp/r-mqtt-27a")
            .max_record_size(max);
        let mut receiver = MqttClient::connect(config).await.unwrap();
        let raw = RawPublisher::connect(&broker).await;
        let (a, c) = (agent_id(9), controller_id());
        let topic = "usp/r-mqtt-27a";

        // Both Content Types of R-MQTT.27a are USP Records.
        for (n, ct) in [(1, "usp.msg"), (2, "application/vnd.bbf.usp.msg")] {
            raw.publish(
                topic,
                record(&a, &c, &format!("ok {n}")),
                Some(ct),
                Some("usp/raw"),
            )
            .await;
            let inbound = within("a Record", receiver.recv()).await.unwrap();
            assert_eq!(text_of(&inbound.record), format!("ok {n}"));
            assert_eq!(reply_topic(&inbound), "usp/raw");
        }

        // Dropped, each with a log line: another Content Type, a payload that is not a
        // Record, an oversize Record, a Record with no reply-to at all.
        raw.publish(
            topic,
            record(&a, &c, "json"),
            Some("application/json"),
            Some("usp/raw"),
        )
        .await;
        raw.publish(
            topic,
            Bytes::from_static(b"\xff\xfe garbage"),
            Some("usp.msg"),
            Some("usp/raw"),
        )
        .await;
        raw.publish(
            topic,
            Bytes::from(vec![0u8; max + 1]),
            None,
            Some("usp/raw"),
        )
        .await;
        raw.publish(topic, record(&a, &c, "who am I"), Some("usp.msg"), None)
            .await;
        // And a good one after them: it arrives, on the same connection.
        raw.publish(topic, record(&a, &c, "still here"), None, Some("usp/raw"))
            .await;
        let inbound = within("the last Record", receiver.recv()).await.unwrap();
        assert_eq!(text_of(&inbound.record), "still here");

        let stats = receiver.stats();
        assert_eq!(stats.received, 3);
        assert_eq!(stats.dropped_not_usp, 2);
        assert_eq!(stats.dropped_too_large, 1);
        assert_eq!(stats.dropped_no_reply_to, 1);
        assert_eq!(stats.connections, 1, "the connection was not disturbed");
        assert!(matches!(
            receiver.state(),
            MqttClientState::Connected { .. }
        ));
        let lines = logged("usp/r-mqtt-27a");
        assert_eq!(lines.len(), 4, "{lines:#?}");
        assert!(
            lines.iter().any(|l| l.contains("application/json")),
            "{lines:#?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("not a USP Record")),
            "{lines:#?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("larger than the maximum")),
            "{lines:#?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("no \"reply to\" Topic")),
            "{lines:#?}"
        );
        within("close", receiver.close()).await.unwrap();
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// ClientId, subscriptions

#[tokio::test]
async fn r_mqtt_9_r_mqtt_11_assigned_client_identifier_is_kept_across_reconnections() {
    bounded(async {
        let mut broker = Mosquitto::start();
        let config = agent_config(&broker, 1, MqttVersion::V5).send_connect_record(false);
        let agent = MqttClient::connect(config).await.unwrap();
        // R-MQTT.8: no ClientId configured, so an empty one was sent and mosquitto assigned
        // one.
        let assigned = agent.client_id();
        assert!(assigned.starts_with("auto-"), "{assigned:?}");
        broker.restart();
        within("reconnection", async {
            while agent.stats().connections < 2
                || !matches!(agent.state(), MqttClientState::Connected { .. })
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert_eq!(
            agent.state(),
            MqttClientState::Connected {
                connection: usp_mtp::ConnectionId::new(2)
            }
        );
        assert_eq!(agent.client_id(), assigned);
        // The broker saw the same ClientId on both connections, and assigned no other.
        let log = broker.log();
        let connects: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("New client connected"))
            .collect();
        assert_eq!(connects.len(), 2, "{log}");
        assert!(
            connects
                .iter()
                .all(|l| l.contains(&format!(" as {assigned} "))),
            "{log}"
        );
        drop(agent);
    })
    .await;
}

#[tokio::test]
async fn r_mqtt_16_nothing_to_subscribe_disables_the_mtp() {
    bounded(async {
        let broker = Mosquitto::start();
        // No reply-to Topic, no subscription, and mosquitto sends neither Response
        // Information nor subscribe-topic.
        let config = MqttConfig::new(agent_id(1), "127.0.0.1", broker.port());
        let e = MqttClient::connect(config).await.unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Config);
        assert!(e.to_string().contains("R-MQTT.16"), "{e}");
        // And it does not connect again.
        let mut client = MqttClient::start(
            MqttConfig::new(agent_id(2), "127.0.0.1", broker.port()).retry(fast_retry()),
        )
        .unwrap();
        let e = within("disabled", client.wait_connected())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Config);
        assert_eq!(client.state(), MqttClientState::Disabled);
        let e = poll_fn(|cx| client.poll_ready(cx)).await.unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Config);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let connects = broker.log().matches("New client connected").count();
        assert_eq!(connects, 2, "one connection each, no retry");
    })
    .await;
}

#[tokio::test]
async fn r_mqtt_17_every_subscription_refused_means_no_publish_and_retry() {
    bounded(async {
        // mosquitto's dynamic security plugin, with subscriptions denied by default: the
        // SUBACK refuses every filter.
        let dir = std::env::temp_dir().join(format!("usp-mqtt-dynsec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dynsec = dir.join("dynamic-security.json");
        std::fs::write(
            &dynsec,
            r#"{"defaultACLAccess":{"publishClientSend":true,"publishClientReceive":true,"subscribe":false,"unsubscribe":true},"clients":[],"groups":[],"roles":[]}"#,
        )
        .unwrap();
        let broker = Mosquitto::start_with(
            None,
            &format!(
                "plugin {}\nplugin_opt_config_file {}",
                mqtt_support::dynamic_security_plugin().display(),
                dynsec.display()
            ),
        );
        let mut agent = MqttClient::start(agent_config(&broker, 1, MqttVersion::V5)).unwrap();
        // Records accepted meanwhile wait: they are never published on such a connection.
        poll_fn(|cx| agent.poll_ready(cx)).await.unwrap();
        let to = agent.peer_address().unwrap();
        agent
            .start_send(Outbound::new(record(&agent_id(1), &controller_id(), "held"), to))
            .unwrap();
        let waited = tokio::time::timeout(Duration::from_secs(20), async {
            while !matches!(agent.state(), MqttClientState::Waiting { retry_count: 2.., .. }) {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert!(waited.is_ok(), "{:?} {:?}\n{}", agent.state(), agent.last_error(), broker.log());
        let e = agent.last_error().unwrap();
        assert_eq!(e.kind(), MtpErrorKind::Protocol);
        assert!(e.to_string().contains("R-MQTT.17"), "{e}");
        assert_eq!(agent.stats().published, 0);
        assert_eq!(agent.stats().connections, 0);
        // R-MQTT.17: each time, a DISCONNECT. mosquitto logs it a moment after the client
        // has moved on, so its log is read until the lines are there (or 5 s have passed).
        let line = format!("Client {} disconnected.", agent.client_id());
        let clean = |log: &str| log.lines().filter(|l| l.contains(&line)).count();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while clean(&broker.log()) < 2 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let log = broker.log();
        assert!(clean(&log) >= 2, "{log}");
        drop(agent);
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// The broker killed mid-stream

/// The Controller streams QoS 1 Records to the Agent; the broker is killed (SIGKILL) with
/// Records in flight that it has not acknowledged, the Controller accepts more while it
/// is down, and it is started again: every Record accepted arrives, at least once (one
/// whose PUBACK died with the broker is sent again, and may arrive twice).
///
/// QoS 1 is hop by hop: a Record the broker acknowledged but had not forwarded yet when
/// killed dies with it, whatever the clients do (USP's E2E Session Context is what
/// retransmits end to end). So the test makes sure there is no such Record: before the
/// kill it waits until the Agent has everything acknowledged so far, then freezes the
/// broker (SIGSTOP) and has the Controller send a batch, which stays unacknowledged in the
/// dead connection. What it checks is the clients' part: nothing accepted and not
/// acknowledged is lost, what was written to the dead connection is sent again, what was
/// accepted while the broker was down waits for it, and the receiver passes up everything
/// it read.
async fn broker_killed_mid_stream(version: MqttVersion) {
    const BEFORE: usize = 100; // streamed, acknowledged and received before the kill
    const IN_FLIGHT: usize = 50; // written to the frozen broker, never acknowledged
    const WHILE_DOWN: usize = 50; // accepted while the broker is down
    const AFTER: usize = 100; // streamed after the restart
    let total = BEFORE + IN_FLIGHT + WHILE_DOWN + AFTER;
    let mut broker = Mosquitto::start();
    // The receiving Agent retries every 50 ms; the sending Controller waits about 2 s, so
    // that the Agent has subscribed again when the Records come (mosquitto keeps no
    // subscription across a restart here). The Agent's receive queue (the MQTT 5 Receive
    // Maximum) holds the whole stream, so the broker never queues Records for it.
    let config = agent_config(&broker, 1, version)
        .send_connect_record(false)
        .recv_queue(1024);
    let mut agent = MqttClient::connect(config).await.unwrap();
    let slow = ConnectRetry::new()
        .min_wait(Duration::from_millis(2000))
        .multiplier(1000);
    let config = controller_config(&broker, version)
        .retry(slow)
        .qos(MqttQos::AtLeastOnce)
        .send_queue(256);
    let mut controller = MqttClient::connect(config).await.unwrap();
    let (a, c) = (agent_id(1), controller_id());
    let to = mqtt(&agent_topic(1));
    let mut next = 0usize;
    let mut feed = |controller: &mut MqttClient, n: usize| {
        for _ in 0..n {
            controller
                .start_send(Outbound::new(
                    record(&c, &a, &format!("{next}")),
                    to.clone(),
                ))
                .unwrap();
            next += 1;
        }
    };
    let mut seen = BTreeSet::new();
    let mut duplicates = 0;
    let mut receive = async |agent: &mut MqttClient, seen: &mut BTreeSet<usize>, until: usize| {
        while seen.len() < until {
            let Ok(inbound) = tokio::time::timeout(Duration::from_secs(10), agent.recv()).await
            else {
                let missing: Vec<usize> = (0..until).filter(|n| !seen.contains(n)).collect();
                panic!("{version}: Records {missing:?} never arrived");
            };
            let n: usize = text_of(&inbound.unwrap().record).parse().unwrap();
            if !seen.insert(n) {
                duplicates += 1;
            }
        }
    };
    // 1. A stream, acknowledged by the broker and received by the Agent.
    for _ in 0..BEFORE {
        poll_fn(|cx| controller.poll_ready(cx)).await.unwrap();
        feed(&mut controller, 1);
    }
    within("flush", poll_fn(|cx| controller.poll_flush(cx)))
        .await
        .unwrap();
    receive(&mut agent, &mut seen, BEFORE).await;
    // 2. The broker stops answering; a batch goes out and stays unacknowledged.
    broker.freeze();
    for _ in 0..IN_FLIGHT {
        poll_fn(|cx| controller.poll_ready(cx)).await.unwrap();
        feed(&mut controller, 1);
    }
    // As many as the broker's flow control lets out without a PUBACK (an MQTT 5 broker
    // announces a Receive Maximum: mosquitto's is 20).
    within("written", async {
        while controller.stats().published < (BEFORE + 10) as u64 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let written = controller.stats().published - BEFORE as u64;
    // 3. Killed; more Records accepted while it is down.
    broker.kill();
    for _ in 0..WHILE_DOWN {
        poll_fn(|cx| controller.poll_ready(cx)).await.unwrap();
        feed(&mut controller, 1);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // 4. Started again; the stream goes on.
    let broker = tokio::task::spawn_blocking(move || {
        broker.start_again();
        broker
    })
    .await
    .unwrap();
    for _ in 0..AFTER {
        poll_fn(|cx| controller.poll_ready(cx)).await.unwrap();
        feed(&mut controller, 1);
    }
    receive(&mut agent, &mut seen, total).await;
    within("flush", poll_fn(|cx| controller.poll_flush(cx)))
        .await
        .unwrap();
    let stats = controller.stats();
    eprintln!("{version}: {duplicates} duplicates; controller {stats:?}");
    assert_eq!(seen.len(), total);
    assert_eq!(stats.connections, 2);
    // What was written to the frozen broker was sent again.
    assert!(
        stats.resent >= written,
        "{written} written to the frozen broker: {stats:?}"
    );
    assert!(stats.published >= total as u64 + written, "{stats:?}");
    assert_eq!(agent.stats().connections, 2);
    within("close", controller.close()).await.unwrap();
    within("close", agent.close()).await.unwrap();
    drop(broker);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_mqtt_33_broker_killed_mid_stream_loses_no_qos1_record_mqtt5() {
    bounded(broker_killed_mid_stream(MqttVersion::V5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_mqtt_33_broker_killed_mid_stream_loses_no_qos1_record_mqtt311() {
    bounded(broker_killed_mid_stream(MqttVersion::V3_1_1)).await;
}

#[tokio::test]
async fn records_sent_while_the_broker_is_down_wait_for_it() {
    bounded(async {
        let mut broker = Mosquitto::start();
        // The Agent waits 2 s before it tries again, the Controller 50 ms: the Controller has
        // subscribed again when the Agent's Records come (mosquitto keeps no subscription
        // across a restart here).
        let slow = ConnectRetry::new()
            .min_wait(Duration::from_millis(2000))
            .multiplier(1000);
        let config = agent_config(&broker, 1, MqttVersion::V5).retry(slow);
        let mut agent = MqttClient::connect(config).await.unwrap();
        let mut controller = MqttClient::connect(controller_config(&broker, MqttVersion::V5))
            .await
            .unwrap();
        // (The Agent's first Connect Record may or may not have reached the Controller.)
        broker.kill();
        within("disconnected", async {
            while matches!(agent.state(), MqttClientState::Connected { .. }) {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        let to = agent.peer_address().unwrap();
        for i in 0..10 {
            poll_fn(|cx| agent.poll_ready(cx)).await.unwrap();
            agent
                .start_send(Outbound::new(
                    record(&agent_id(1), &controller_id(), &format!("down {i}")),
                    to.clone(),
                ))
                .unwrap();
        }
        // Not sent yet: flush waits.
        assert!(
            tokio::time::timeout(
                Duration::from_millis(200),
                poll_fn(|cx| agent.poll_flush(cx))
            )
            .await
            .is_err()
        );
        broker.start_again();
        within("flush", poll_fn(|cx| agent.poll_flush(cx)))
            .await
            .unwrap();
        let mut got = Vec::new();
        while got.len() < 10 {
            got.push(text_of(&recv_message(&mut controller).await.record));
        }
        // In order, after the new Connect Record (R-MTP.8), which recv_message skipped.
        assert_eq!(
            got,
            (0..10).map(|i| format!("down {i}")).collect::<Vec<_>>()
        );
        within("close", agent.close()).await.unwrap();
        within("close", controller.close()).await.unwrap();
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Controller scale-out

#[tokio::test]
async fn shared_subscription_splits_the_load_between_two_controllers() {
    bounded(async {
        let broker = Mosquitto::start();
        let shared = shared_subscription("usp-controllers", CONTROLLER_TOPIC).unwrap();
        let mut controllers = Vec::new();
        for instance in 0..2 {
            let config = MqttConfig::new(controller_id(), "127.0.0.1", broker.port())
                .client_id(format!("controller-{instance}"))
                .subscribe(shared.clone(), MqttQos::AtLeastOnce)
                .reply_to_topic(format!("usp/controller-instance/{instance}"));
            controllers.push(MqttClient::connect(config).await.unwrap());
        }
        let mut agent = MqttClient::connect(
            agent_config(&broker, 1, MqttVersion::V5).send_connect_record(false),
        )
        .await
        .unwrap();
        let total = 100usize;
        let to = agent.peer_address().unwrap();
        for i in 0..total {
            let r = record(&agent_id(1), &controller_id(), &format!("{i}"));
            agent.send(Outbound::new(r, to.clone())).await.unwrap();
        }
        // Each controller drains what it got.
        let mut counts = Vec::new();
        let mut all = BTreeSet::new();
        let mut pending = total;
        let mut c1 = controllers.pop().unwrap();
        let mut c0 = controllers.pop().unwrap();
        let (mut n0, mut n1) = (0usize, 0usize);
        while pending > 0 {
            let (inbound, which) = within("a shared Record", async {
                tokio::select! {
                    r = c0.recv() => (r.unwrap(), 0),
                    r = c1.recv() => (r.unwrap(), 1),
                }
            })
            .await;
            let n: usize = text_of(&inbound.record).parse().unwrap();
            assert!(all.insert(n), "Record {n} came twice");
            assert_eq!(reply_topic(&inbound), agent_topic(1));
            if which == 0 {
                n0 += 1;
            } else {
                n1 += 1;
            }
            pending -= 1;
        }
        counts.push(n0);
        counts.push(n1);
        eprintln!("shared subscription split: {counts:?}");
        assert_eq!(all.len(), total);
        assert!(n0 > 0 && n1 > 0, "both controllers got some: {counts:?}");
        // A response from either goes straight back to the Agent; a request from one gets
        // its response at that one's own reply-to Topic.
        let req = record(&controller_id(), &agent_id(1), "from 1");
        c1.send(Outbound::new(req, mqtt(&agent_topic(1))))
            .await
            .unwrap();
        let request = recv_message(&mut agent).await;
        assert_eq!(reply_topic(&request), "usp/controller-instance/1");
        agent
            .send(Outbound::new(
                record(&agent_id(1), &controller_id(), "to 1"),
                request.reply_to,
            ))
            .await
            .unwrap();
        assert_eq!(text_of(&recv_message(&mut c1).await.record), "to 1");
        for client in [&mut agent, &mut c0, &mut c1] {
            within("close", client.close()).await.unwrap();
        }
    })
    .await;
}
