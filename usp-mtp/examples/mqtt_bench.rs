//! Request/response round trips per second through mosquitto with the MQTT MTP, for MQTT
//! 3.1.1 and 5: a Controller keeps `--inflight` requests (default 64) outstanding to an
//! Agent that echoes each one back to its reply-to address.
//!
//! ```text
//! cargo run --release -p usp-mtp --features mqtt --example mqtt_bench -- [--seconds 5]
//!     [--inflight 64] [--size 100] [--qos 0|1] [--broker HOST:PORT]
//! ```
//!
//! Without `--broker` it starts its own mosquitto (`/usr/sbin/mosquitto`, Debian package
//! `mosquitto`) on a free 127.0.0.1 port, as the tests do, and stops it at the end.

#[path = "../tests/mqtt_support/mod.rs"]
mod mqtt_support;

use std::collections::HashMap;
use std::future::poll_fn;
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};
use usp_mtp::mqtt::{MqttClient, MqttConfig, MqttQos, MqttVersion};
use usp_mtp::{Mtp, MtpAddress, MtpExt, Outbound};
use usp_record::{Record, RecordKind};
use usp_types::EndpointId;

struct Args {
    seconds: f64,
    inflight: usize,
    size: usize,
    qos: MqttQos,
    broker: Option<(String, u16)>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        seconds: 5.0,
        inflight: 64,
        size: 100,
        qos: MqttQos::AtLeastOnce,
        broker: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--seconds" => args.seconds = value()?.parse().map_err(|e| format!("{e}"))?,
            "--inflight" => args.inflight = value()?.parse().map_err(|e| format!("{e}"))?,
            "--size" => args.size = value()?.parse().map_err(|e| format!("{e}"))?,
            "--qos" => {
                args.qos = match value()?.as_str() {
                    "0" => MqttQos::AtMostOnce,
                    "1" => MqttQos::AtLeastOnce,
                    other => return Err(format!("--qos 0 or 1, not {other}")),
                }
            }
            "--broker" => {
                let v = value()?;
                let (host, port) = v.rsplit_once(':').ok_or("--broker HOST:PORT")?;
                args.broker = Some((host.to_owned(), port.parse().map_err(|e| format!("{e}"))?));
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.inflight == 0 || args.seconds <= 0.0 {
        return Err("--inflight and --seconds must be positive".into());
    }
    Ok(args)
}

fn payload_of(record: &Bytes) -> Bytes {
    match Record::decode(record.clone()).map(|r| r.kind().clone()) {
        Ok(RecordKind::NoSessionContext { payload }) => payload,
        _ => Bytes::new(),
    }
}

/// One run: returns (round trips, elapsed, latencies in microseconds).
async fn run(
    args: &Args,
    host: &str,
    port: u16,
    version: MqttVersion,
) -> Result<(u64, Duration, Vec<u64>), Box<dyn std::error::Error>> {
    let tag = match version {
        MqttVersion::V3_1_1 => "v311",
        _ => "v5",
    };
    let agent_id: EndpointId = format!("os::012345-BENCH{tag}").parse()?;
    let controller_id: EndpointId = "self::bench-controller".parse()?;
    let agent_topic = format!("usp/bench/{tag}/agent");
    let controller_topic = format!("usp/bench/{tag}/controller");
    let queue = args.inflight * 2;
    let agent_config = MqttConfig::new(agent_id.clone(), host, port)
        .version(version)
        .qos(args.qos)
        .reply_to_topic(&agent_topic)
        .peer(controller_id.clone(), &controller_topic)
        .send_connect_record(false)
        .send_queue(queue)
        .recv_queue(queue)
        .max_inflight(u16::try_from(queue).unwrap_or(u16::MAX));
    let controller_config = MqttConfig::new(controller_id.clone(), host, port)
        .version(version)
        .qos(args.qos)
        .reply_to_topic(&controller_topic)
        .send_queue(queue)
        .recv_queue(queue)
        .max_inflight(u16::try_from(queue).unwrap_or(u16::MAX));
    let mut agent = MqttClient::connect(agent_config).await?;
    let mut controller = MqttClient::connect(controller_config).await?;

    // The Agent: every Record back where it came from.
    let echo = tokio::spawn(async move {
        while let Ok(inbound) = agent.recv().await {
            if poll_fn(|cx| agent.poll_ready(cx)).await.is_err() {
                break;
            }
            if agent
                .start_send(Outbound::new(inbound.record, inbound.reply_to))
                .is_err()
            {
                break;
            }
        }
        agent
    });

    let to_agent = MtpAddress::Mqtt {
        topic: agent_topic,
        response_topic: None,
    };
    let padding = vec![0x55u8; args.size.saturating_sub(8)];
    let request = |seq: u64| -> Result<Bytes, Box<dyn std::error::Error>> {
        let mut payload = BytesMut::with_capacity(8 + padding.len());
        payload.put_u64(seq);
        payload.put_slice(&padding);
        Ok(
            Record::no_session_context(agent_id.clone(), controller_id.clone(), payload.freeze())?
                .to_bytes(),
        )
    };
    let mut sent_at: HashMap<u64, Instant> = HashMap::new();
    let mut next = 0u64;
    let mut send = async |controller: &mut MqttClient,
                          sent_at: &mut HashMap<u64, Instant>|
           -> Result<(), Box<dyn std::error::Error>> {
        poll_fn(|cx| controller.poll_ready(cx)).await?;
        controller.start_send(Outbound::new(request(next)?, to_agent.clone()))?;
        sent_at.insert(next, Instant::now());
        next += 1;
        Ok(())
    };
    for _ in 0..args.inflight {
        send(&mut controller, &mut sent_at).await?;
    }
    // Warm up for a second, then measure.
    let warm_until = Instant::now() + Duration::from_secs(1);
    let mut started = None;
    let mut done = 0u64;
    let mut latencies = Vec::new();
    let measure = Duration::from_secs_f64(args.seconds);
    loop {
        let inbound = tokio::time::timeout(Duration::from_secs(10), controller.recv())
            .await
            .map_err(|_| "no response for 10 s")??;
        let payload = payload_of(&inbound.record);
        let seq = payload
            .get(..8)
            .map(|b| u64::from_be_bytes(b.try_into().unwrap_or([0; 8])));
        let now = Instant::now();
        if let Some(at) = seq.and_then(|s| sent_at.remove(&s)) {
            match started {
                Some(start) => {
                    done += 1;
                    latencies.push(
                        u64::try_from(now.duration_since(at).as_micros()).unwrap_or(u64::MAX),
                    );
                    if now.duration_since(start) >= measure {
                        break;
                    }
                }
                None if now >= warm_until => started = Some(now),
                None => {}
            }
        }
        send(&mut controller, &mut sent_at).await?;
    }
    let elapsed = started.map_or(Duration::ZERO, |s| s.elapsed());
    eprintln!("  controller {:?}", controller.stats());
    controller.close().await?;
    echo.abort();
    Ok((done, elapsed, latencies))
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args().inspect_err(|_| {
        eprintln!(
            "usage: mqtt_bench [--seconds S] [--inflight N] [--size BYTES] [--qos 0|1] \
             [--broker HOST:PORT]"
        );
    })?;
    let broker = match &args.broker {
        Some(_) => None,
        None => Some(mqtt_support::Mosquitto::start()),
    };
    let (host, port) = match (&args.broker, &broker) {
        (Some((host, port)), _) => (host.clone(), *port),
        (None, Some(b)) => ("127.0.0.1".to_owned(), b.port()),
        (None, None) => unreachable!("a broker was started"),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!(
        "MQTT MTP round trips through {} at {host}:{port}: {} in flight, {}-byte payloads, QoS {}",
        if broker.is_some() {
            "mosquitto (started here)"
        } else {
            "the broker"
        },
        args.inflight,
        args.size,
        if args.qos == MqttQos::AtMostOnce {
            0
        } else {
            1
        },
    );
    for version in [MqttVersion::V3_1_1, MqttVersion::V5] {
        let (done, elapsed, mut latencies) = runtime.block_on(run(&args, &host, port, version))?;
        latencies.sort_unstable();
        let rate = done as f64 / elapsed.as_secs_f64().max(f64::MIN_POSITIVE);
        println!(
            "MQTT {:<5}: {rate:>8.0} round trips/s ({done} in {:.2} s), latency p50 {:.2} ms, p99 {:.2} ms",
            match version {
                MqttVersion::V3_1_1 => "3.1.1",
                _ => "5",
            },
            elapsed.as_secs_f64(),
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99),
        );
    }
    drop(broker);
    Ok(())
}
