//! Agent and Controller through a real mosquitto (started on a free loopback port), over
//! MQTT 5 and 3.1.1, with and without segmented E2E sessions.

#[path = "../../usp-mtp/tests/mqtt_support/mod.rs"]
mod mqtt_support;

use std::time::Duration;

use mqtt_support::Mosquitto;
use tr369::Route;
use tr369::agent::{Agent, Boot, NotifType, Subscription, local_agent_model};
use tr369::controller::{Controller, ControllerEvent};
use tr369::datamodel::{MemoryInstances, ParamType, SupportedModel};
use tr369::e2e::SessionConfig;
use tr369::msg::request::notify::Notification;
use tr369::msg::{Get, Set};
use tr369::mtp::MtpAddress;
use tr369::mtp::mqtt::{MqttClient, MqttConfig, MqttVersion};
use tr369::types::EndpointId;

const CONTROLLER_TOPIC: &str = "usp/controller";

fn model() -> (SupportedModel, MemoryInstances) {
    let mut m = SupportedModel::builder("Device");
    m.object("Device.DeviceInfo.")
        .param("SoftwareVersion", ParamType::string())
        .writable("ProvisioningCode", ParamType::string());
    local_agent_model(&mut m);
    let mut data = MemoryInstances::new();
    data.set("Device.DeviceInfo.", "SoftwareVersion", "5.0");
    data.set("Device.DeviceInfo.", "ProvisioningCode", "");
    (m.build().unwrap(), data)
}

/// Starts an Agent on `version` that announces itself to the Controller's topic.
fn agent(
    broker: &Mosquitto,
    id: &EndpointId,
    controller: &EndpointId,
    version: MqttVersion,
    e2e: Option<SessionConfig>,
) -> Agent {
    let config = MqttConfig::new(id.clone(), "127.0.0.1", broker.port())
        .version(version)
        .reply_to_topic(format!("usp/agent/{}", id.as_str().replace(':', "_")))
        .peer(controller.clone(), CONTROLLER_TOPIC);
    let (schema, data) = model();
    let mut agent = Agent::builder(id.clone(), schema, data);
    let mtp = agent.mtp(MqttClient::start(config).unwrap());
    let to = MtpAddress::Mqtt {
        topic: CONTROLLER_TOPIC.into(),
        response_topic: None,
    };
    agent
        .controller(controller.clone(), Route::new(mtp, to))
        .subscription(
            Subscription::new(
                "boot",
                controller.clone(),
                NotifType::Event,
                ["Device.Boot!"],
            )
            .retry(true, 0),
        )
        .boot(Boot::new(
            "LocalReboot",
            ["Device.DeviceInfo.SoftwareVersion"],
        ));
    if let Some(config) = e2e {
        agent.e2e(config);
    }
    agent.start()
}

async fn exchange(
    agent_versions: &[MqttVersion],
    controller_version: MqttVersion,
    e2e: Option<SessionConfig>,
) {
    let broker = Mosquitto::start();
    let controller_id: EndpointId = "self::mqtt-controller".parse().unwrap();
    let config = MqttConfig::new(controller_id.clone(), "127.0.0.1", broker.port())
        .version(controller_version)
        .reply_to_topic(CONTROLLER_TOPIC)
        .accept_mqtt311_peers(true);
    let mut builder = Controller::builder(controller_id.clone());
    builder.mtp(MqttClient::connect(config).await.unwrap());
    builder.timeout(Duration::from_secs(10));
    if let Some(config) = e2e.clone() {
        builder.e2e(config);
    }
    let (controller, mut events) = builder.start();
    let mut agents = Vec::new();
    let mut ids = Vec::new();
    for (i, version) in agent_versions.iter().enumerate() {
        let id: EndpointId = format!("os::00256D-mqtt{i}").parse().unwrap();
        agents.push(agent(&broker, &id, &controller_id, *version, e2e.clone()));
        ids.push(id);
    }
    // Every Agent announces itself (MQTTConnectRecord) and boots.
    let mut booted = Vec::new();
    while booted.len() < ids.len() {
        match tokio::time::timeout(Duration::from_secs(15), events.recv())
            .await
            .expect("Boot! arrives")
        {
            Some(ControllerEvent::Notify { agent, notify }) => {
                assert!(
                    matches!(&notify.notification, Some(Notification::Event(e)) if e.event_name == "Boot!")
                );
                booted.push(agent);
            }
            Some(_) => {}
            None => panic!("the controller stopped"),
        }
    }
    for id in &ids {
        assert!(booted.contains(id), "{id} booted");
        let long = format!("{id}-{}", "p".repeat(1500));
        controller
            .set(
                id,
                Set::new().update("Device.DeviceInfo.", [("ProvisioningCode", long.as_str())]),
            )
            .await
            .unwrap();
        let resp = controller
            .get(id, Get::new(["Device.DeviceInfo."]))
            .await
            .unwrap();
        assert_eq!(
            resp.value("Device.DeviceInfo.ProvisioningCode"),
            Some(long.as_str())
        );
        assert_eq!(resp.value("Device.DeviceInfo.SoftwareVersion"), Some("5.0"));
    }
    for a in &agents {
        a.close().await;
    }
    controller.close().await;
}

fn segmenting() -> SessionConfig {
    let mut config = SessionConfig::default();
    config
        .max_record_size(Some(tr369::e2e::MIN_RECORD_SIZE))
        .unwrap();
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_mqtt5() {
    exchange(&[MqttVersion::V5], MqttVersion::V5, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_mqtt311() {
    exchange(&[MqttVersion::V3_1_1], MqttVersion::V3_1_1, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_fleet_one_controller() {
    exchange(
        &[MqttVersion::V5, MqttVersion::V3_1_1, MqttVersion::V5],
        MqttVersion::V5,
        None,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_mqtt5_in_segmented_e2e_sessions() {
    exchange(&[MqttVersion::V5], MqttVersion::V5, Some(segmenting())).await;
}
