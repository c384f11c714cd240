//! Load figures for the WebSocket MTP: Records per second over one connection, and the
//! server's memory per idle connection.
//!
//! ```text
//! ulimit -n 20000   # 10,000 connections need that many descriptors, in each process
//! cargo run --release -p usp-mtp --features websocket --example ws_load            # both
//! cargo run --release -p usp-mtp --features websocket --example ws_load -- throughput 10 4096
//! cargo run --release -p usp-mtp --features websocket --example ws_load -- idle 10000
//! cargo run --release -p usp-mtp --features websocket,rustls --example ws_load -- idle-tls 10000
//! ```
//!
//! * `throughput SECONDS RECORD_BYTES`: one client and one server in this process, on
//!   127.0.0.1. The sender keeps its queue full (`poll_ready`/`start_send`, one flush at the
//!   end), the receiver counts; once client to server, once server to client. Every Record
//!   is a real `no_session_context` Record, so the receiving side's parseability check
//!   (`Record::decode`, R-WS.16) is included.
//! * `idle CONNECTIONS`: a server in this process; the clients in a child process (this
//!   program again, `clients ADDR N`), so that only the server's memory is measured. The
//!   server's resident set (`VmRSS` of `/proc/self/status`) is read before the clients
//!   connect and once they all are connected, have sent their Connect Record and the
//!   server has received them all; the difference divided by the number of connections is
//!   the cost of one idle connection (socket buffers live in the kernel and are not in it).
//!   `idle-tls` does the same over `wss`, with certificates made by rcgen.
use std::future::poll_fn;
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use usp_mtp::websocket::{WsClient, WsClientConfig, WsServer, WsServerConfig};
use usp_mtp::{Mtp, MtpAddress, MtpExt, Outbound};
use usp_record::Record;
use usp_types::EndpointId;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: u64| -> Result<u64, Error> {
        Ok(args
            .get(i)
            .map(|a| a.parse())
            .transpose()?
            .unwrap_or(default))
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    match args.first().map(String::as_str) {
        Some("throughput") => runtime.block_on(throughput(arg(1, 10)?, arg(2, 4096)?)),
        Some("idle") => runtime.block_on(idle(arg(1, 10_000)?, false)),
        Some("idle-tls") => runtime.block_on(idle(arg(1, 10_000)?, true)),
        Some("clients") => {
            let addr: SocketAddr = args.get(1).ok_or("clients ADDR N [CA]")?.parse()?;
            runtime.block_on(clients(addr, arg(2, 10_000)?, args.get(3).cloned()))
        }
        None => {
            runtime.block_on(throughput(10, 4096))?;
            runtime.block_on(idle(10_000, false))
        }
        Some(other) => Err(format!("unknown mode {other:?}: throughput, idle").into()),
    }
}

fn controller() -> EndpointId {
    "self::controller".parse().expect("a valid Endpoint ID")
}

fn agent(n: u64) -> EndpointId {
    format!("os::012345-LOAD{n:06}")
        .parse()
        .expect("a valid Endpoint ID")
}

/// Records per second over one connection, each way.
async fn throughput(seconds: u64, size: u64) -> Result<(), Error> {
    let duration = Duration::from_secs(seconds);
    let size = usize::try_from(size)?;
    let mut server = WsServer::bind(
        "127.0.0.1:0".parse()?,
        WsServerConfig::new(controller())
            .read_buffer_size(64 << 10)
            .recv_queue_capacity(256)
            .send_queue_capacity(256),
    )
    .await?;
    let me = agent(0);
    let config = WsClientConfig::new(&format!("ws://{}/usp", server.local_addr()), me.clone())?
        .peer_endpoint_id(controller())
        .read_buffer_size(64 << 10)
        .send_queue_capacity(256)
        .recv_queue_capacity(256);
    let client = WsClient::connect(config).await?;
    let connect = server.recv().await?; // the Connect Record
    let to_server = client.peer_address().ok_or("not connected")?;
    let to_client = connect.reply_to;

    let up = Record::no_session_context(controller(), me.clone(), Bytes::from(vec![7u8; size]))?
        .to_bytes();
    let down =
        Record::no_session_context(me, controller(), Bytes::from(vec![9u8; size]))?.to_bytes();
    println!(
        "throughput: one connection on 127.0.0.1, {} byte Records ({size} byte payload), {seconds} s each way",
        up.len()
    );

    let (n, elapsed, client_back, server_back) =
        pump(client, server, to_server, up, duration).await?;
    report("client -> server", n, elapsed, size);
    let (n, elapsed, _, _) = pump(server_back, client_back, to_client, down, duration).await?;
    report("server -> client", n, elapsed, size);
    Ok(())
}

fn report(direction: &str, n: u64, elapsed: Duration, size: usize) {
    let secs = elapsed.as_secs_f64();
    let rate = n as f64 / secs;
    let mib = rate * size as f64 / f64::from(1 << 20);
    println!(
        "  {direction}: {n} Records in {secs:.2} s = {rate:.0} Records/s ({mib:.1} MiB/s of payload)"
    );
}

/// `from` sends `record` to `to` for `duration`, as fast as `to` receives; returns the count
/// received, the time taken, and both transports.
async fn pump<A, B>(
    mut from: A,
    mut to: B,
    address: MtpAddress,
    record: Bytes,
    duration: Duration,
) -> Result<(u64, Duration, A, B), Error>
where
    A: Mtp,
    B: Mtp,
{
    let start = Instant::now();
    let sender = tokio::spawn(async move {
        let mut sent = 0u64;
        while start.elapsed() < duration {
            poll_fn(|cx| from.poll_ready(cx)).await?;
            from.start_send(Outbound::new(record.clone(), address.clone()))?;
            sent += 1;
        }
        poll_fn(|cx| from.poll_flush(cx)).await?;
        Ok::<_, usp_mtp::MtpError>((sent, from))
    });
    let mut sender = sender;
    let mut received = 0u64;
    let (sent, from) = loop {
        tokio::select! {
            r = to.recv() => {
                r?;
                received += 1;
            }
            done = &mut sender => break done??,
        }
    };
    while received < sent {
        to.recv().await?;
        received += 1;
    }
    Ok((received, start.elapsed(), from, to))
}

/// Resident memory of this process, in KiB.
fn rss_kib() -> Result<u64, Error> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS in /proc/self/status")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .ok_or("bad VmRSS line")?
        .parse()?)
}

/// A client of the server at `addr`, over TLS when given the CA's PEM file.
fn client_config(
    addr: SocketAddr,
    me: EndpointId,
    ca: Option<&str>,
) -> Result<WsClientConfig, Error> {
    let Some(ca) = ca else {
        return Ok(
            WsClientConfig::new(&format!("ws://{addr}/usp"), me)?.peer_endpoint_id(controller())
        );
    };
    #[cfg(feature = "rustls")]
    {
        let tls = usp_mtp::websocket::TlsClientConfig::new()
            .add_root_certificates_pem(&std::fs::read(ca)?)?;
        Ok(WsClientConfig::new(&format!("wss://{addr}/usp"), me)?
            .peer_endpoint_id(controller())
            .tls(tls))
    }
    #[cfg(not(feature = "rustls"))]
    {
        let _ = ca;
        Err("TLS needs the rustls feature".into())
    }
}

/// A CA (written to a PEM file) and a server certificate for 127.0.0.1 that it signed.
#[cfg(feature = "rustls")]
fn test_pki() -> Result<(String, usp_mtp::websocket::TlsServerConfig), Error> {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate()?;
    let ca_pem = ca.self_signed(&ca_key)?.pem();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate()?;
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])?.signed_by(&key, &issuer)?;
    let path = std::env::temp_dir().join(format!("ws_load_ca_{}.pem", std::process::id()));
    std::fs::write(&path, ca_pem)?;
    let tls = usp_mtp::websocket::TlsServerConfig::from_pem(
        cert.pem().as_bytes(),
        key.serialize_pem().as_bytes(),
    )?;
    Ok((path.to_string_lossy().into_owned(), tls))
}

/// The server's memory per idle connection.
async fn idle(connections: u64, tls: bool) -> Result<(), Error> {
    let n = usize::try_from(connections)?;
    let config = WsServerConfig::new(controller())
        .max_connections(n + 100)
        .recv_queue_capacity(1024);
    let (config, ca) = if tls {
        #[cfg(feature = "rustls")]
        {
            let (ca, tls) = test_pki()?;
            (config.tls(tls), Some(ca))
        }
        #[cfg(not(feature = "rustls"))]
        return Err("idle-tls needs the rustls feature".into());
    } else {
        (config, None)
    };
    let mut server = WsServer::bind("127.0.0.1:0".parse()?, config).await?;
    let addr = server.local_addr();
    // Warm up the allocator and the runtime with a few connections first, so that the
    // baseline already holds what any server holds.
    let mut warm = Vec::new();
    for i in 0..10 {
        let c = client_config(addr, agent(1_000_000 + i), ca.as_deref())?;
        warm.push(WsClient::connect(c).await?);
        server.recv().await?;
    }
    for mut c in warm {
        c.close().await?;
        server.recv().await?; // its DisconnectRecord
    }
    while server.connection_count() > 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss_kib()?;

    let started = Instant::now();
    let mut args = vec![
        "clients".to_owned(),
        addr.to_string(),
        connections.to_string(),
    ];
    args.extend(ca.clone());
    let mut child = Command::new(std::env::current_exe()?)
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut connects = 0;
    while connects < n {
        server.recv().await?;
        connects += 1;
    }
    let setup = started.elapsed();
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let ready = tokio::task::spawn_blocking(move || {
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map(|_| line)
    })
    .await??;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib()?;
    let open = server.connection_count();
    let per = (after.saturating_sub(before)) as f64 * 1024.0 / open as f64;
    println!(
        "idle{}: {open} connections open ({connects} Connect Records received) in {:.1} s; client side: {}",
        if tls { " (wss)" } else { "" },
        setup.as_secs_f64(),
        ready.trim()
    );
    println!(
        "  server RSS {before} KiB before, {after} KiB after: {:.1} KiB per idle connection (target <= 64 KiB)",
        per / 1024.0
    );
    // Closing the child's stdin tells it to exit.
    drop(child.stdin.take());
    child.wait()?;
    server.close().await?;
    if let Some(ca) = ca {
        let _ = std::fs::remove_file(ca);
    }
    Ok(())
}

/// The child: `n` clients that connect and then stay idle until stdin closes.
async fn clients(addr: SocketAddr, n: u64, ca: Option<String>) -> Result<(), Error> {
    let mut all = Vec::new();
    let mut pending = tokio::task::JoinSet::new();
    for i in 0..n {
        let config = client_config(addr, agent(i), ca.as_deref())?;
        pending.spawn(WsClient::connect(config));
        // At most 256 handshakes at a time, to stay within the listen backlog.
        while pending.len() >= 256 {
            if let Some(c) = pending.join_next().await {
                all.push(c??);
            }
        }
    }
    while let Some(c) = pending.join_next().await {
        all.push(c??);
    }
    let mut out = std::io::stdout();
    writeln!(
        out,
        "{} clients connected, RSS {} KiB",
        all.len(),
        rss_kib()?
    )?;
    out.flush()?;
    // Idle until the parent closes our stdin.
    tokio::task::spawn_blocking(|| {
        let mut sink = String::new();
        let _ = std::io::stdin().read_line(&mut sink);
    })
    .await?;
    drop(all);
    Ok(())
}
