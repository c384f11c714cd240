//! A template USP Agent: the small CPE model of `usp_examples`, served over the transport
//! chosen on the command line. Copy it and replace the model and the handler.
//!
//! ```text
//! cargo run -p usp-examples --bin agent -- --controller self::ctl --ws-connect ws://127.0.0.1:8080/usp
//! cargo run -p usp-examples --bin agent -- --ws-listen 127.0.0.1:8081
//! cargo run -p usp-examples --bin agent -- --controller self::ctl --uds /var/run/usp/broker_controller_path
//! cargo run -p usp-examples --bin agent -- --controller self::ctl --mqtt 127.0.0.1:1883
//! cargo run -p usp-examples --bin agent -- --controller self::ctl --stomp 127.0.0.1:61613
//! ```

use std::time::Duration;

use clap::Parser;
use tr369::Route;
use tr369::agent::{Agent, Boot, NotifType, Subscription};
use tr369::mtp::mqtt::{MqttClient, MqttConfig, MqttVersion};
use tr369::mtp::stomp::{StompClient, StompConfig};
use tr369::mtp::uds::{UdsClient, UdsClientConfig};
use tr369::mtp::websocket::{WsClient, WsClientConfig, WsServer, WsServerConfig};
use tr369::mtp::{ConnectionId, MtpAddress};
use tr369::types::EndpointId;

#[derive(Debug, Parser)]
#[command(about = "A template USP Agent serving a small CPE data model")]
struct Options {
    /// This Agent's Endpoint ID.
    #[arg(long, default_value = "os::00256D-0000000001")]
    id: EndpointId,
    /// The Controller to announce to (Boot!, notifications). Needed with the client
    /// transports.
    #[arg(long)]
    controller: Option<EndpointId>,
    /// Connect to a Controller's WebSocket server.
    #[arg(long, group = "transport")]
    ws_connect: Option<String>,
    /// Be a WebSocket server on this address (R-WS.6).
    #[arg(long, group = "transport")]
    ws_listen: Option<String>,
    /// Connect to a USP Broker's controller socket (UNIX domain socket MTP).
    #[arg(long, group = "transport")]
    uds: Option<String>,
    /// Connect to an MQTT broker (`host:port`); the Controller listens on
    /// `--controller-topic`.
    #[arg(long, group = "transport")]
    mqtt: Option<String>,
    /// The Controller's MQTT topic.
    #[arg(long, default_value = "usp/controller")]
    controller_topic: String,
    /// This Agent's MQTT topic.
    #[arg(long, default_value = "usp/agent/example")]
    agent_topic: String,
    /// MQTT 3.1.1 instead of 5.
    #[arg(long)]
    mqtt311: bool,
    /// Connect to a STOMP broker (`host:port`); the Controller listens on
    /// `--controller-dest`.
    #[arg(long, group = "transport")]
    stomp: Option<String>,
    /// The Controller's STOMP destination.
    #[arg(long, default_value = "/queue/usp.controller")]
    controller_dest: String,
    /// This Agent's STOMP destination.
    #[arg(long, default_value = "/queue/usp.agent")]
    agent_dest: String,
    /// STOMP login and passcode.
    #[arg(long, default_value = "guest")]
    login: String,
    #[arg(long, default_value = "guest")]
    passcode: String,
    /// Stop after this many seconds (default: run until interrupted).
    #[arg(long)]
    run_for: Option<u64>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = Options::parse();
    let (schema, data) = usp_examples::cpe_model();
    let mut agent = Agent::builder(o.id.clone(), schema, data);
    agent.handler(usp_examples::Cpe);
    let connection = ConnectionId::new(0);
    let route_to = |id: &EndpointId, uds: bool| {
        let endpoint_id = Some(id.clone());
        if uds {
            MtpAddress::Uds {
                connection,
                endpoint_id,
            }
        } else {
            MtpAddress::WebSocket {
                connection,
                endpoint_id,
            }
        }
    };
    if let Some(url) = &o.ws_connect {
        let controller = o
            .controller
            .clone()
            .ok_or("--ws-connect needs --controller")?;
        let mtp = agent.mtp(WsClient::start(
            WsClientConfig::new(url, o.id.clone())?.peer_endpoint_id(controller.clone()),
        )?);
        agent.controller(
            controller.clone(),
            Route::new(mtp, route_to(&controller, false)),
        );
    } else if let Some(addr) = &o.ws_listen {
        let server = WsServer::bind(addr.parse()?, WsServerConfig::new(o.id.clone())).await?;
        println!("agent {} listening on ws://{}/", o.id, server.local_addr());
        agent.mtp(server);
    } else if let Some(path) = &o.uds {
        let controller = o.controller.clone().ok_or("--uds needs --controller")?;
        let mtp = agent.mtp(UdsClient::new(UdsClientConfig::agent(o.id.clone(), path))?);
        agent.controller(
            controller.clone(),
            Route::new(mtp, route_to(&controller, true)),
        );
    } else if let Some(broker) = &o.mqtt {
        let controller = o.controller.clone().ok_or("--mqtt needs --controller")?;
        let (host, port) = broker.rsplit_once(':').ok_or("--mqtt is host:port")?;
        let version = if o.mqtt311 {
            MqttVersion::V3_1_1
        } else {
            MqttVersion::V5
        };
        let config = MqttConfig::new(o.id.clone(), host, port.parse()?)
            .version(version)
            .reply_to_topic(o.agent_topic.clone())
            .peer(controller.clone(), o.controller_topic.clone());
        let mtp = agent.mtp(MqttClient::start(config)?);
        let to = MtpAddress::Mqtt {
            topic: o.controller_topic.clone(),
            response_topic: None,
        };
        agent.controller(controller.clone(), Route::new(mtp, to));
    } else if let Some(broker) = &o.stomp {
        let controller = o.controller.clone().ok_or("--stomp needs --controller")?;
        let (host, port) = broker.rsplit_once(':').ok_or("--stomp is host:port")?;
        let config = StompConfig::new(host, port.parse()?, o.id.clone())
            .credentials(o.login.clone(), o.passcode.clone())
            .destination(o.agent_dest.clone())
            .connect_record(controller.clone(), o.controller_dest.clone());
        let mtp = agent.mtp(StompClient::start(config)?);
        let to = MtpAddress::Stomp {
            destination: o.controller_dest.clone(),
            reply_to: None,
        };
        agent.controller(controller.clone(), Route::new(mtp, to));
    } else {
        return Err(
            "choose a transport: --ws-connect, --ws-listen, --uds, --mqtt or --stomp".into(),
        );
    }
    if let Some(controller) = &o.controller {
        agent
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
    }
    let agent = agent.start();
    println!("agent {} started", o.id);
    match o.run_for {
        Some(secs) => tokio::time::sleep(Duration::from_secs(secs)).await,
        None => tokio::signal::ctrl_c().await?,
    }
    agent.close().await;
    Ok(())
}
