//! Round trips per second through RabbitMQ for the STOMP MTP.
//!
//! ```text
//! cargo run --release -p usp-mtp --features stomp --example stomp_bench
//! cargo run --release -p usp-mtp --features stomp --example stomp_bench -- \
//!     --seconds 10 --in-flight 64 --size 512 --broker 127.0.0.1:61613
//! ```
//!
//! Without `--broker` it starts a private RabbitMQ the way the tests do (the Debian package
//! `rabbitmq-server` must be installed) and stops it at the end; with it, it uses that
//! broker as `guest`/`guest`.
//!
//! A Controller and an Agent, each a `StompClient` subscribed to its own queue. The
//! Controller keeps `--in-flight` requests outstanding (64 by default): each one a real
//! `no_session_context` Record of `--size` payload bytes sent to the Agent's queue. The
//! Agent echoes every Record it receives to the `reply-to-dest` it came with. The
//! Controller counts the answers over `--seconds` seconds after a one-second warm-up, and
//! reports round trips per second and the mean round-trip time. Every `SEND` is confirmed
//! by a broker receipt before it counts as delivered (the client's at-least-once
//! guarantee), so both sides' receipts are part of the figure.

#[path = "../tests/stomp_support/mod.rs"]
mod stomp_support;

use std::collections::HashMap;
use std::future::poll_fn;
use std::time::{Duration, Instant};

use bytes::Bytes;
use usp_mtp::stomp::{StompClient, StompConfig};
use usp_mtp::{Mtp, MtpAddress, MtpExt, Outbound};
use usp_record::Record;
use usp_types::EndpointId;

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Options {
    seconds: u64,
    in_flight: usize,
    size: usize,
    broker: Option<(String, u16)>,
}

fn options() -> Result<Options, Error> {
    let mut o = Options {
        seconds: 5,
        in_flight: 64,
        size: 256,
        broker: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--seconds" => o.seconds = value()?.parse()?,
            "--in-flight" => o.in_flight = value()?.parse()?,
            "--size" => o.size = value()?.parse()?,
            "--broker" => {
                let v = value()?;
                let (host, port) = v.rsplit_once(':').ok_or("--broker HOST:PORT")?;
                o.broker = Some((host.to_owned(), port.parse()?));
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(o)
}

fn main() -> Result<(), Error> {
    let o = options()?;
    let mut own_broker = None;
    let (host, port) = match &o.broker {
        Some(broker) => broker.clone(),
        None => {
            let broker = stomp_support::RabbitMq::start();
            let port = broker.stomp_port();
            own_broker = Some(broker);
            ("127.0.0.1".to_owned(), port)
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(run(&o, &host, port));
    drop(runtime);
    drop(own_broker);
    result
}

async fn run(o: &Options, host: &str, port: u16) -> Result<(), Error> {
    let agent_id: EndpointId = "os::012345-BENCH".parse()?;
    let controller_id: EndpointId = "self::bench-controller".parse()?;
    let agent_queue = format!("/queue/bench-agent-{}", std::process::id());
    let controller_queue = format!("/queue/bench-controller-{}", std::process::id());
    let config = |id: &EndpointId, queue: &str| {
        StompConfig::new(host, port, id.clone())
            .credentials("guest", "guest")
            .destination(queue)
            .send_queue(o.in_flight.max(1) * 2)
            .recv_queue(o.in_flight.max(1) * 2)
    };
    let mut controller = StompClient::connect(config(&controller_id, &controller_queue)).await?;
    let mut agent = StompClient::connect(config(&agent_id, &agent_queue)).await?;

    // The Agent: echo every Record to where it came from, without waiting for receipts.
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

    let to_agent = MtpAddress::Stomp {
        destination: agent_queue.clone(),
        reply_to: None,
    };
    let filler = "x".repeat(o.size.saturating_sub(8));
    let mut sent_at: HashMap<u64, Instant> = HashMap::new();
    let mut next = 0u64;
    let mut send = |controller: &mut StompClient, sent_at: &mut HashMap<u64, Instant>| {
        let payload = format!("{next:08}{filler}");
        let record = Record::no_session_context(
            agent_id.clone(),
            controller_id.clone(),
            Bytes::from(payload),
        )
        .map(|r| r.to_bytes());
        sent_at.insert(next, Instant::now());
        next += 1;
        record.map(|r| controller.start_send(Outbound::new(r, to_agent.clone())))
    };
    for _ in 0..o.in_flight.max(1) {
        poll_fn(|cx| controller.poll_ready(cx)).await?;
        send(&mut controller, &mut sent_at)??;
    }

    let warm_up = Instant::now() + Duration::from_secs(1);
    let end = warm_up + Duration::from_secs(o.seconds);
    let (mut count, mut total_rtt) = (0u64, Duration::ZERO);
    let mut measuring_since = None;
    while Instant::now() < end {
        let inbound = controller.recv().await?;
        let record = Record::decode(inbound.record)?;
        let payload = record.no_session_context_payload().ok_or("no payload")?;
        let id: u64 = std::str::from_utf8(&payload[..8])?.parse()?;
        let rtt = sent_at.remove(&id).map(|t| t.elapsed()).unwrap_or_default();
        let now = Instant::now();
        if now >= warm_up {
            measuring_since.get_or_insert(now);
            count += 1;
            total_rtt += rtt;
        }
        poll_fn(|cx| controller.poll_ready(cx)).await?;
        send(&mut controller, &mut sent_at)??;
    }
    let elapsed = measuring_since.map_or(Duration::ZERO, |t| t.elapsed());
    let rate = count as f64 / elapsed.as_secs_f64().max(f64::EPSILON);
    let mean = total_rtt
        .checked_div(u32::try_from(count.max(1))?)
        .unwrap_or_default();
    println!(
        "STOMP through RabbitMQ: {count} round trips in {elapsed:.2?}: {rate:.0} round trips/s \
         ({in_flight} in flight, {size}-byte payloads, mean round trip {mean:.2?})",
        in_flight = o.in_flight,
        size = o.size,
    );

    controller.close().await?;
    // Dropping the Agent (with its task) closes it.
    echo.abort();
    Ok(())
}
