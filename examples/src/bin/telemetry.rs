//! The telemetry pipeline: a Controller that receives Boot! and the other notifications
//! of many Agents over MQTT, answers them (`send_resp`), turns each into canonical JSON,
//! and writes them in batches to newline-delimited JSON files, flushed on size or on time
//! like a Firehose delivery stream.
//!
//! ```text
//! cargo run -p usp-examples --bin telemetry -- --broker 127.0.0.1:1883 --topic usp/controller --out ./telemetry
//! ```
//!
//! Several copies share the Agents' notifications when started with the same
//! `--share-group` (MQTT 5 shared subscription): adding copies adds capacity.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use tr369::controller::{Controller, ControllerEvent};
use tr369::msg::Msg;
use tr369::msg::json::{self, JsonOptions};
use tr369::mtp::mqtt::{MqttClient, MqttConfig, MqttQos, MqttVersion, shared_subscription};
use tr369::types::EndpointId;
use usp_examples::batch::{BatchLimits, BatchWriter};

#[derive(Debug, Parser)]
#[command(about = "USP notifications from MQTT to batched NDJSON files")]
struct Options {
    /// The MQTT broker, `host:port`.
    #[arg(long, default_value = "127.0.0.1:1883")]
    broker: String,
    /// MQTT 3.1.1 instead of 5 (shared subscriptions need 5).
    #[arg(long)]
    mqtt311: bool,
    /// The Controller Topic the Agents publish to.
    #[arg(long, default_value = "usp/controller")]
    topic: String,
    /// Share the Topic with the other copies of this group (MQTT 5 shared subscription).
    #[arg(long)]
    share_group: Option<String>,
    /// This Controller's Endpoint ID.
    #[arg(long, default_value = "self::telemetry")]
    id: EndpointId,
    /// Where the NDJSON files go.
    #[arg(long, default_value = "telemetry")]
    out: String,
    /// Records per file at most.
    #[arg(long, default_value_t = 500)]
    batch_records: usize,
    /// Bytes per file, about.
    #[arg(long, default_value_t = 1 << 20)]
    batch_bytes: usize,
    /// Seconds a record waits at most before its file is written.
    #[arg(long, default_value_t = 60)]
    flush_secs: u64,
    /// Stop after this many notifications (for tests and demos).
    #[arg(long)]
    exit_after: Option<u64>,
}

fn unix_millis() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = Options::parse();
    let (host, port) = o.broker.rsplit_once(':').ok_or("--broker is host:port")?;
    let mut config = MqttConfig::new(o.id.clone(), host, port.parse()?)
        .version(if o.mqtt311 {
            MqttVersion::V3_1_1
        } else {
            MqttVersion::V5
        })
        .accept_mqtt311_peers(true);
    config = match &o.share_group {
        Some(group) => config
            .subscribe(
                shared_subscription(group, &format!("{}/#", o.topic))?,
                MqttQos::AtLeastOnce,
            )
            .subscribe(o.topic.clone(), MqttQos::AtLeastOnce)
            .reply_to_topic(format!("{}-instance/{}", o.topic, std::process::id())),
        None => config.reply_to_topic(o.topic.clone()),
    };
    let client = MqttClient::start(config)?;
    let mut builder = Controller::builder(o.id.clone());
    builder.mtp(client);
    let (controller, mut events) = builder.start();
    let limits = BatchLimits::new(
        o.batch_records,
        o.batch_bytes,
        Duration::from_secs(o.flush_secs),
    );
    let mut writer = BatchWriter::new(&o.out, "usp-notify", limits)?;
    let options = JsonOptions::default();
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut seen = 0u64;
    println!(
        "telemetry {} on {} -> {}",
        o.id,
        o.topic,
        writer.dir().display()
    );
    loop {
        tokio::select! {
            event = events.recv() => {
                let Some(event) = event else { break };
                let line = match event {
                    ControllerEvent::Notify { agent, notify } => {
                        seen += 1;
                        let msg = json::msg_to_value(&Msg::request("notify", notify), &options);
                        let body = &msg["body"]["request"]["notify"];
                        serde_json::json!({ "agent": agent.as_str(), "received_ms": unix_millis() as u64, "notify": body })
                    }
                    ControllerEvent::AgentConnected { agent } => {
                        serde_json::json!({ "agent": agent.as_str(), "received_ms": unix_millis() as u64, "connected": true })
                    }
                    other => {
                        println!("{other:?}");
                        continue;
                    }
                };
                if let Some(file) = writer.push(&line.to_string(), Instant::now())? {
                    println!("wrote {}", file.display());
                }
                if o.exit_after.is_some_and(|n| seen >= n) {
                    break;
                }
            }
            _ = tick.tick() => {
                if let Some(file) = writer.tick(Instant::now())? {
                    println!("wrote {}", file.display());
                }
            }
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    if let Some(file) = writer.flush()? {
        println!("wrote {}", file.display());
    }
    controller.close().await;
    Ok(())
}
