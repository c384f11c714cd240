//! Agent and Controller through a real RabbitMQ (private node on free loopback ports) over
//! STOMP 1.2, with and without segmented E2E sessions.

#[path = "../../usp-mtp/tests/stomp_support/mod.rs"]
mod stomp_support;

use std::time::Duration;

use stomp_support::{RabbitMq, unique_queue};
use tr369::Route;
use tr369::agent::{Agent, Boot, NotifType, Subscription, local_agent_model};
use tr369::controller::{Controller, ControllerEvent};
use tr369::datamodel::{MemoryInstances, ParamType, SupportedModel};
use tr369::e2e::SessionConfig;
use tr369::msg::request::notify::Notification;
use tr369::msg::{Get, Set};
use tr369::mtp::MtpAddress;
use tr369::mtp::stomp::{StompClient, StompConfig};
use tr369::types::EndpointId;

fn config(port: u16, id: EndpointId, destination: &str) -> StompConfig {
    StompConfig::new("127.0.0.1", port, id)
        .credentials("guest", "guest")
        .destination(destination)
        .connect_timeout(Duration::from_secs(10))
}

async fn exchange(e2e: Option<SessionConfig>) {
    let broker = RabbitMq::shared();
    let port = broker.stomp_port();
    let controller_id: EndpointId = "self::stomp-controller".parse().unwrap();
    let agent_id: EndpointId = "os::00256D-stomp".parse().unwrap();
    let controller_dest = unique_queue("controller");
    let agent_dest = unique_queue("agent");

    let mut builder = Controller::builder(controller_id.clone());
    builder.mtp(
        StompClient::connect(config(port, controller_id.clone(), &controller_dest))
            .await
            .unwrap(),
    );
    builder.timeout(Duration::from_secs(10));
    if let Some(c) = e2e.clone() {
        builder.e2e(c);
    }
    let (controller, mut events) = builder.start();

    let mut m = SupportedModel::builder("Device");
    m.object("Device.DeviceInfo.")
        .param("SoftwareVersion", ParamType::string())
        .writable("ProvisioningCode", ParamType::string());
    local_agent_model(&mut m);
    let mut data = MemoryInstances::new();
    data.set("Device.DeviceInfo.", "SoftwareVersion", "stomp-1");
    data.set("Device.DeviceInfo.", "ProvisioningCode", "");
    let mut agent = Agent::builder(agent_id.clone(), m.build().unwrap(), data);
    let client = StompClient::connect(
        config(port, agent_id.clone(), &agent_dest)
            .connect_record(controller_id.clone(), controller_dest.as_str()),
    )
    .await
    .unwrap();
    let mtp = agent.mtp(client);
    let to = MtpAddress::Stomp {
        destination: controller_dest.clone(),
        reply_to: None,
    };
    agent
        .controller(controller_id.clone(), Route::new(mtp, to))
        .subscription(
            Subscription::new(
                "boot",
                controller_id.clone(),
                NotifType::Event,
                ["Device.Boot!"],
            )
            .retry(true, 0),
        )
        .boot(Boot::new(
            "LocalReboot",
            ["Device.DeviceInfo.SoftwareVersion"],
        ));
    if let Some(c) = e2e {
        agent.e2e(c);
    }
    let agent = agent.start();

    loop {
        match tokio::time::timeout(Duration::from_secs(20), events.recv())
            .await
            .expect("Boot! arrives")
        {
            Some(ControllerEvent::Notify { agent, notify }) => {
                assert_eq!(agent, agent_id);
                assert!(
                    matches!(&notify.notification, Some(Notification::Event(e)) if e.event_name == "Boot!")
                );
                break;
            }
            Some(_) => {}
            None => panic!("the controller stopped"),
        }
    }
    let long = "s".repeat(1800);
    controller
        .set(
            &agent_id,
            Set::new().update("Device.DeviceInfo.", [("ProvisioningCode", long.as_str())]),
        )
        .await
        .unwrap();
    let resp = controller
        .get(&agent_id, Get::new(["Device.DeviceInfo."]))
        .await
        .unwrap();
    assert_eq!(
        resp.value("Device.DeviceInfo.ProvisioningCode"),
        Some(long.as_str())
    );
    assert_eq!(
        resp.value("Device.DeviceInfo.SoftwareVersion"),
        Some("stomp-1")
    );
    agent.close().await;
    controller.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_stomp_through_rabbitmq() {
    exchange(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_stomp_in_segmented_e2e_sessions() {
    let mut c = SessionConfig::default();
    c.max_record_size(Some(tr369::e2e::MIN_RECORD_SIZE))
        .unwrap();
    exchange(Some(c)).await;
}
