//! Load: how many Get requests per second one of our Agents answers, with 64 in flight
//! from one Controller, over the chosen transport.
//!
//! ```text
//! cargo run --release -p usp-examples --bin agent_load -- --transport ws --seconds 5
//! cargo run --release -p usp-examples --bin agent_load -- --transport mqtt5
//! ```
//!
//! The MQTT transports start their own mosquitto on a free loopback port (the Debian
//! package's `/usr/sbin/mosquitto`), or use `--broker host:port`.

#[path = "../../../usp-mtp/tests/mqtt_support/mod.rs"]
mod mqtt_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use tr369::Route;
use tr369::agent::Agent;
use tr369::controller::Controller;
use tr369::msg::Get;
use tr369::mtp::websocket::{WsClient, WsClientConfig, WsServer, WsServerConfig};
use tr369::mtp::{ConnectionId, MemoryMtp, MtpAddress};
use tr369::types::EndpointId;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Transport {
    /// The in-process pair: the cost of the endpoint layer alone.
    Memory,
    /// Loopback WebSocket.
    Ws,
    /// MQTT 5 through one mosquitto.
    Mqtt5,
    /// MQTT 3.1.1 through one mosquitto.
    Mqtt311,
}

#[derive(Debug, Parser)]
struct Options {
    #[arg(long, value_enum, default_value = "ws")]
    transport: Transport,
    /// Requests in flight.
    #[arg(long, default_value_t = 64)]
    in_flight: usize,
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// An MQTT broker to use instead of starting one.
    #[arg(long)]
    broker: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = Options::parse();
    let agent_id: EndpointId = "os::00256D-load".parse()?;
    let controller_id: EndpointId = "self::load-controller".parse()?;
    let (schema, data) = usp_examples::cpe_model();
    let mut agent = Agent::builder(agent_id.clone(), schema, data);
    let mut controller = Controller::builder(controller_id.clone());
    let mut _broker = None;
    match o.transport {
        Transport::Memory => {
            let (a, c) = MemoryMtp::pair(1024);
            let mtp = agent.mtp(a);
            agent.controller(controller_id.clone(), Route::new(mtp, MtpAddress::Memory));
            let mtp = controller.mtp(c);
            controller.route(agent_id.clone(), Route::new(mtp, MtpAddress::Memory));
        }
        Transport::Ws => {
            let server = WsServer::bind(
                "127.0.0.1:0".parse()?,
                WsServerConfig::new(controller_id.clone()),
            )
            .await?;
            let url = format!("ws://{}/usp", server.local_addr());
            controller.mtp(server);
            let client = WsClient::connect(
                WsClientConfig::new(&url, agent_id.clone())?
                    .peer_endpoint_id(controller_id.clone()),
            )
            .await?;
            let to = MtpAddress::WebSocket {
                connection: ConnectionId::new(0),
                endpoint_id: Some(controller_id.clone()),
            };
            let mtp = agent.mtp(client);
            agent.controller(controller_id.clone(), Route::new(mtp, to));
        }
        Transport::Mqtt5 | Transport::Mqtt311 => {
            use tr369::mtp::mqtt::{MqttClient, MqttConfig, MqttQos, MqttVersion};
            let (host, port) = match &o.broker {
                Some(b) => {
                    let (h, p) = b.rsplit_once(':').ok_or("--broker is host:port")?;
                    (h.to_owned(), p.parse()?)
                }
                None => {
                    let broker = mqtt_support::Mosquitto::start();
                    let port = broker.port();
                    _broker = Some(broker);
                    ("127.0.0.1".to_owned(), port)
                }
            };
            let version = if matches!(o.transport, Transport::Mqtt5) {
                MqttVersion::V5
            } else {
                MqttVersion::V3_1_1
            };
            let c = MqttConfig::new(controller_id.clone(), host.clone(), port)
                .version(version)
                .qos(MqttQos::AtLeastOnce)
                .reply_to_topic("usp/load/controller");
            controller.mtp(MqttClient::connect(c).await?);
            let a = MqttConfig::new(agent_id.clone(), host, port)
                .version(version)
                .qos(MqttQos::AtLeastOnce)
                .reply_to_topic("usp/load/agent")
                .peer(controller_id.clone(), "usp/load/controller");
            let mtp = agent.mtp(MqttClient::connect(a).await?);
            let to = MtpAddress::Mqtt {
                topic: "usp/load/controller".into(),
                response_topic: None,
            };
            agent.controller(controller_id.clone(), Route::new(mtp, to));
        }
    }
    let _agent = agent.start();
    let (controller, mut events) = controller.start();
    if !matches!(o.transport, Transport::Memory) {
        // The route to the Agent is learned from its WebSocketConnectRecord.
        tokio::time::timeout(Duration::from_secs(5), events.recv()).await?;
    }
    // Warm up, then measure.
    controller
        .get(&agent_id, Get::new(["Device.DeviceInfo."]))
        .await?;
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(o.seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..o.in_flight {
        let (c, a, done) = (controller.clone(), agent_id.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let resp = c
                    .get(&a, Get::new(["Device.DeviceInfo."]))
                    .await
                    .expect("Get answered");
                assert!(resp.value("Device.DeviceInfo.ModelName").is_some());
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let n = done.load(Ordering::Relaxed);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{:?}: {n} Gets answered in {secs:.2} s = {:.0} Gets/s ({} in flight, 5 parameters each)",
        o.transport,
        n as f64 / secs,
        o.in_flight
    );
    Ok(())
}
