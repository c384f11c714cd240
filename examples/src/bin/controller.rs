//! A template USP Controller: waits for Agents, reads their device information, and
//! prints their notifications. Copy it and put your logic where the Get is.
//!
//! ```text
//! cargo run -p usp-examples --bin controller -- --ws-listen 127.0.0.1:8080
//! cargo run -p usp-examples --bin controller -- --ws-connect ws://127.0.0.1:8081/ --agent os::00256D-0000000001
//! cargo run -p usp-examples --bin controller -- --uds /var/run/usp/broker_agent_path --agent os::...
//! cargo run -p usp-examples --bin controller -- --mqtt 127.0.0.1:1883 --topic usp/controller
//! cargo run -p usp-examples --bin controller -- --stomp 127.0.0.1:61613 --dest /queue/usp.controller
//! ```

use std::time::Duration;

use clap::Parser;
use tr369::Route;
use tr369::controller::{Controller, ControllerEvent};
use tr369::msg::{Get, Msg};
use tr369::mtp::mqtt::{MqttClient, MqttConfig, MqttVersion};
use tr369::mtp::stomp::{StompClient, StompConfig};
use tr369::mtp::uds::{UdsClient, UdsClientConfig};
use tr369::mtp::websocket::{WsClient, WsClientConfig, WsServer, WsServerConfig};
use tr369::mtp::{ConnectionId, MtpAddress};
use tr369::types::EndpointId;

#[derive(Debug, Parser)]
#[command(about = "A template USP Controller")]
struct Options {
    /// This Controller's Endpoint ID.
    #[arg(long, default_value = "self::example-controller")]
    id: EndpointId,
    /// Listen for Agents' WebSocket connections on this address.
    #[arg(long, group = "transport")]
    ws_listen: Option<String>,
    /// Connect to an Agent's WebSocket server (needs --agent).
    #[arg(long, group = "transport")]
    ws_connect: Option<String>,
    /// Connect to a USP Broker's agent socket (needs --agent).
    #[arg(long, group = "transport")]
    uds: Option<String>,
    /// Connect to an MQTT broker (`host:port`) and serve Agents on `--topic`.
    #[arg(long, group = "transport")]
    mqtt: Option<String>,
    /// The Controller's MQTT topic.
    #[arg(long, default_value = "usp/controller")]
    topic: String,
    /// MQTT 3.1.1 instead of 5.
    #[arg(long)]
    mqtt311: bool,
    /// Connect to a STOMP broker (`host:port`) and serve Agents on `--dest`.
    #[arg(long, group = "transport")]
    stomp: Option<String>,
    /// The Controller's STOMP destination.
    #[arg(long, default_value = "/queue/usp.controller")]
    dest: String,
    /// STOMP login and passcode.
    #[arg(long, default_value = "guest")]
    login: String,
    #[arg(long, default_value = "guest")]
    passcode: String,
    /// The Agent to manage, with the client transports.
    #[arg(long)]
    agent: Option<EndpointId>,
    /// Stop after this many Agents have been read (default: run until interrupted).
    #[arg(long)]
    agents: Option<usize>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = Options::parse();
    let mut builder = Controller::builder(o.id.clone());
    builder.timeout(Duration::from_secs(10));
    let mut known = None;
    if let Some(addr) = &o.ws_listen {
        let server = WsServer::bind(addr.parse()?, WsServerConfig::new(o.id.clone())).await?;
        println!(
            "controller {} listening on ws://{}/",
            o.id,
            server.local_addr()
        );
        builder.mtp(server);
    } else if let Some(broker) = &o.mqtt {
        let (host, port) = broker.rsplit_once(':').ok_or("--mqtt is host:port")?;
        let version = if o.mqtt311 {
            MqttVersion::V3_1_1
        } else {
            MqttVersion::V5
        };
        let config = MqttConfig::new(o.id.clone(), host, port.parse()?)
            .version(version)
            .reply_to_topic(o.topic.clone())
            .accept_mqtt311_peers(true);
        builder.mtp(MqttClient::connect(config).await?);
        println!("controller {} on mqtt://{broker} topic {}", o.id, o.topic);
    } else if let Some(broker) = &o.stomp {
        let (host, port) = broker.rsplit_once(':').ok_or("--stomp is host:port")?;
        let config = StompConfig::new(host, port.parse()?, o.id.clone())
            .credentials(o.login.clone(), o.passcode.clone())
            .destination(o.dest.clone());
        builder.mtp(StompClient::connect(config).await?);
        println!(
            "controller {} on stomp://{broker} destination {}",
            o.id, o.dest
        );
    } else {
        let agent = o
            .agent
            .clone()
            .ok_or("the client transports need --agent")?;
        let (mtp, address) = if let Some(url) = &o.ws_connect {
            let client = WsClient::start(
                WsClientConfig::new(url, o.id.clone())?.peer_endpoint_id(agent.clone()),
            )?;
            client.wait_connected().await?;
            let to = MtpAddress::WebSocket {
                connection: ConnectionId::new(0),
                endpoint_id: Some(agent.clone()),
            };
            (builder.mtp(client), to)
        } else if let Some(path) = &o.uds {
            let client = UdsClient::new(UdsClientConfig::controller(o.id.clone(), path))?;
            client.connected().await?;
            let to = MtpAddress::Uds {
                connection: ConnectionId::new(0),
                endpoint_id: Some(agent.clone()),
            };
            (builder.mtp(client), to)
        } else {
            return Err(
                "choose a transport: --ws-listen, --ws-connect, --uds, --mqtt or --stomp".into(),
            );
        };
        builder.route(agent.clone(), Route::new(mtp, address));
        known = Some(agent);
    }
    let (controller, mut events) = builder.start();
    let mut done = 0;
    let manage = |agent: EndpointId| {
        let controller = controller.clone();
        async move {
            match controller
                .get(&agent, Get::new(["Device.DeviceInfo."]))
                .await
            {
                Ok(resp) => {
                    println!("{agent}:");
                    for (path, value) in resp.params() {
                        println!("  {path} = {value}");
                    }
                }
                Err(e) => println!("{agent}: {e}"),
            }
        }
    };
    if let Some(agent) = known {
        manage(agent).await;
        done += 1;
    }
    while o.agents.is_none_or(|n| done < n) {
        tokio::select! {
            event = events.recv() => match event {
                Some(ControllerEvent::AgentConnected { agent }) => {
                    println!("{agent} connected");
                    manage(agent).await;
                    done += 1;
                }
                Some(ControllerEvent::Notify { agent, notify }) => {
                    println!("{agent} notifies:\n{}", Msg::request("notify", notify));
                }
                Some(other) => println!("{other:?}"),
                None => break,
            },
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    controller.close().await;
    Ok(())
}
