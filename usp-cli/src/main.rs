//! `usp`: decode and encode USP Records and Messages, and send requests to Agents.
//!
//! Exit status: 0 on success, 1 when the Agent answered with an error, 2 for bad
//! arguments or input, 3 for a transport failure or a timeout.

use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use bytes::Bytes;
use clap::{Args, Parser, Subcommand, ValueEnum};
use tr369::controller::{Controller, ControllerEvent};
use tr369::msg::json::{self, JsonOptions};
use tr369::msg::request::set::UpdateParamSetting;
use tr369::msg::{
    Add, Body, Delete, Get, GetInstances, GetSupportedDm, GetSupportedProtocol, Msg, Operate,
    Request, Response, Set,
};
use tr369::mtp::{ConnectionId, MtpAddress};
use tr369::record::{Record, RecordKind};
use tr369::types::{EndpointId, UspVersion};
use tr369::{Error, Route};

mod encoding;

#[derive(Debug, Parser)]
#[command(
    name = "usp",
    version,
    about = "USP (TR-369) Records and Messages: decode, encode, send"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum InputFormat {
    /// Hexadecimal, hexadecimal or base64 text, or raw bytes, whichever fits.
    Auto,
    Binary,
    Hex,
    Base64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutputFormat {
    Binary,
    Hex,
    Base64,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decodes a Record (or a Message) to readable text or canonical JSON.
    Decode {
        /// File to read; standard input when absent or `-`.
        file: Option<String>,
        /// How the input is written.
        #[arg(long, value_enum, default_value = "auto")]
        input: InputFormat,
        /// Canonical protobuf JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Decode a Message, not a Record.
        #[arg(long)]
        msg: bool,
    },
    /// Encodes a Message or a Record from its JSON (as `decode --json` prints it).
    Encode {
        /// File to read; standard input when absent or `-`.
        file: Option<String>,
        /// How to write the bytes.
        #[arg(long, value_enum, default_value = "hex")]
        output: OutputFormat,
    },
    /// Get: parameter values.
    Get {
        #[command(flatten)]
        conn: Conn,
        /// Paths to get.
        #[arg(required = true)]
        paths: Vec<String>,
        /// Depth of sub-objects (0: all).
        #[arg(long, default_value_t = 0)]
        max_depth: u32,
    },
    /// Set: `Object.Param=value` assignments (grouped by object).
    Set {
        #[command(flatten)]
        conn: Conn,
        /// `Device.WiFi.SSID.1.SSID=home` (add `!` before `=` for a required parameter).
        #[arg(required = true)]
        assignments: Vec<String>,
        #[arg(long)]
        allow_partial: bool,
    },
    /// Add: an instance of a table, with `Param=value` settings.
    Add {
        #[command(flatten)]
        conn: Conn,
        /// The table (`Device.NAT.PortMapping.`).
        table: String,
        /// `Param=value` settings.
        params: Vec<String>,
    },
    /// Delete: object instances.
    Delete {
        #[command(flatten)]
        conn: Conn,
        #[arg(required = true)]
        paths: Vec<String>,
        #[arg(long)]
        allow_partial: bool,
    },
    /// Operate: runs a command with `Arg=value` inputs.
    Operate {
        #[command(flatten)]
        conn: Conn,
        /// The command (`Device.Reboot()`).
        command: String,
        /// `Arg=value` input arguments.
        args: Vec<String>,
        /// Wait for the OperationComplete of an asynchronous command (the Agent needs a
        /// subscription for it).
        #[arg(long)]
        wait: bool,
    },
    /// GetInstances: instances and their unique keys.
    GetInstances {
        #[command(flatten)]
        conn: Conn,
        #[arg(required = true)]
        paths: Vec<String>,
        #[arg(long)]
        first_level_only: bool,
    },
    /// GetSupportedDM: the Supported Data Model.
    GetSupportedDm {
        #[command(flatten)]
        conn: Conn,
        #[arg(required = true)]
        paths: Vec<String>,
        #[arg(long)]
        first_level_only: bool,
    },
    /// GetSupportedProtocol: the USP versions the Agent supports.
    GetSupportedProtocol {
        #[command(flatten)]
        conn: Conn,
    },
    /// Sends any request, read as a Message in JSON.
    Send {
        #[command(flatten)]
        conn: Conn,
        /// The Message's JSON file; standard input when absent or `-`.
        file: Option<String>,
    },
}

/// How to reach the Agent.
#[derive(Debug, Args)]
struct Conn {
    /// Connect to an Agent's WebSocket server (`ws://host:port/path`).
    #[arg(long, group = "transport")]
    connect: Option<String>,
    /// Listen for the Agent's WebSocket connection on this address (`127.0.0.1:8080`).
    #[arg(long, group = "transport")]
    listen: Option<String>,
    /// Connect to a USP Broker's agent socket (UNIX domain socket MTP).
    #[arg(long, group = "transport")]
    uds: Option<String>,
    /// Connect to an MQTT broker (`host:port`); the Agent listens on `--agent-topic`.
    #[arg(long, group = "transport")]
    mqtt: Option<String>,
    /// The Agent's MQTT topic (with --mqtt).
    #[arg(long)]
    agent_topic: Option<String>,
    /// MQTT 3.1.1 instead of 5.
    #[arg(long)]
    mqtt311: bool,
    /// The Agent's Endpoint ID.
    #[arg(long)]
    agent: String,
    /// This Controller's Endpoint ID.
    #[arg(long, default_value = "self::usp-cli")]
    id: String,
    /// Seconds to wait for the connection and for the response.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// Print the response as canonical JSON.
    #[arg(long)]
    json: bool,
}

/// A failure, with the exit status it gives.
#[derive(Debug)]
struct Failure {
    status: u8,
    message: String,
}

impl Failure {
    fn input(message: impl Into<String>) -> Self {
        Self {
            status: 2,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let status = match e {
            Error::Usp { .. } | Error::Command { .. } => 1,
            Error::Decode(_) | Error::UnexpectedResponse { .. } => 1,
            _ => 3,
        };
        let mut message = e.to_string();
        if let Error::Usp { params, .. } = &e {
            for p in params {
                message.push_str(&format!("\n  {p}"));
            }
        }
        Self { status, message }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("usp: cannot start: {e}");
            return ExitCode::from(3);
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("usp: {}", f.message);
            ExitCode::from(f.status)
        }
    }
}

fn read_input(file: Option<&str>) -> Result<Vec<u8>, Failure> {
    let mut buf = Vec::new();
    match file {
        None | Some("-") => std::io::stdin().read_to_end(&mut buf).map(|_| ()),
        Some(path) => std::fs::read(path).map(|b| buf = b),
    }
    .map_err(|e| {
        Failure::input(format!(
            "cannot read {}: {e}",
            file.unwrap_or("standard input")
        ))
    })?;
    Ok(buf)
}

fn write_out(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Failure {
            status: 3,
            message: format!("cannot write: {e}"),
        })
}

async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Decode {
            file,
            input,
            json,
            msg,
        } => {
            let raw = read_input(file.as_deref())?;
            let bytes = encoding::decode_input(&raw, input)?;
            let text = if msg {
                let m = Msg::decode(&bytes)
                    .map_err(|e| Failure::input(format!("not a Message: {e}")))?;
                if json {
                    json::msg_to_string(&m, &pretty())
                } else {
                    m.to_string()
                }
            } else {
                let record = Record::decode(Bytes::from(bytes.clone()));
                match record {
                    Ok(r) if json => serde_json::to_string_pretty(&json::record_to_value_with_msg(
                        &r,
                        &JsonOptions::default(),
                    ))
                    .map_err(|e| Failure::input(e.to_string()))?,
                    Ok(r) => describe(&r),
                    Err(record_err) => match Msg::decode(&bytes) {
                        Ok(m) if json => json::msg_to_string(&m, &pretty()),
                        Ok(m) => m.to_string(),
                        Err(_) => {
                            return Err(Failure::input(format!(
                                "neither a Record nor a Message: {record_err}"
                            )));
                        }
                    },
                }
            };
            write_out(format!("{}\n", text.trim_end()).as_bytes())
        }
        Command::Encode { file, output } => {
            let raw = read_input(file.as_deref())?;
            let text =
                String::from_utf8(raw).map_err(|_| Failure::input("the JSON is not UTF-8"))?;
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| Failure::input(format!("invalid JSON: {e}")))?;
            let options = JsonOptions::default();
            let bytes = if value.get("record").is_some()
                || value.get("to_id").is_some()
                || value.get("toId").is_some()
            {
                let record_value = value.get("record").unwrap_or(&value);
                json::record_from_value(record_value, &options)
                    .map_err(|e| Failure::input(format!("not a Record: {e}")))?
                    .to_bytes()
                    .to_vec()
            } else {
                json::msg_from_value(&value, &options)
                    .map_err(|e| Failure::input(format!("not a Message: {e}")))?
                    .encode_to_vec()
            };
            write_out(&encoding::encode_output(&bytes, output))
        }
        Command::Get {
            conn,
            paths,
            max_depth,
        } => request(&conn, Get::new(paths).max_depth(max_depth)).await,
        Command::Set {
            conn,
            assignments,
            allow_partial,
        } => {
            let mut set = Set::new().allow_partial(allow_partial);
            for (object, settings) in group_assignments(&assignments)? {
                set = set.update(object, settings);
            }
            request(&conn, set).await
        }
        Command::Add {
            conn,
            table,
            params,
        } => {
            let settings = params
                .iter()
                .map(|p| split_assignment(p))
                .collect::<Result<Vec<_>, _>>()?;
            request(&conn, Add::new().create(table, settings)).await
        }
        Command::Delete {
            conn,
            paths,
            allow_partial,
        } => request(&conn, Delete::new(paths).allow_partial(allow_partial)).await,
        Command::Operate {
            conn,
            command,
            args,
            wait,
        } => {
            let args = args
                .iter()
                .map(|p| split_assignment(p))
                .collect::<Result<Vec<_>, _>>()?;
            let operate = Operate::new(command).send_resp(true).args(args);
            if wait {
                let (controller, agent) = connect(&conn).await?;
                let out = controller.operate_and_wait(&agent, operate).await?;
                for (k, v) in out.iter() {
                    println!("{k} = {v}");
                }
                controller.close().await;
                Ok(())
            } else {
                request(&conn, operate).await
            }
        }
        Command::GetInstances {
            conn,
            paths,
            first_level_only,
        } => {
            request(
                &conn,
                GetInstances::new(paths).first_level_only(first_level_only),
            )
            .await
        }
        Command::GetSupportedDm {
            conn,
            paths,
            first_level_only,
        } => {
            let req = GetSupportedDm::new(paths)
                .first_level_only(first_level_only)
                .return_commands(true)
                .return_events(true)
                .return_params(true)
                .return_unique_key_sets(true);
            request(&conn, req).await
        }
        Command::GetSupportedProtocol { conn } => {
            request(
                &conn,
                GetSupportedProtocol::new(&[UspVersion::V1_3, UspVersion::V1_4, UspVersion::V1_5]),
            )
            .await
        }
        Command::Send { conn, file } => {
            let raw = read_input(file.as_deref())?;
            let text =
                String::from_utf8(raw).map_err(|_| Failure::input("the JSON is not UTF-8"))?;
            let msg = json::msg_from_str(&text, &JsonOptions::default())
                .map_err(|e| Failure::input(format!("not a Message: {e}")))?;
            let Body::Request(req) = msg.into_body() else {
                return Err(Failure::input("the Message is not a request"));
            };
            request(&conn, req).await
        }
    }
}

fn pretty() -> JsonOptions {
    JsonOptions::default().pretty(true)
}

/// `Device.WiFi.SSID.1.SSID=home` → (`Device.WiFi.SSID.1.`, `SSID`, `home`, required).
fn group_assignments(
    assignments: &[String],
) -> Result<Vec<(String, Vec<UpdateParamSetting<'static>>)>, Failure> {
    let mut out: Vec<(String, Vec<UpdateParamSetting<'static>>)> = Vec::new();
    for a in assignments {
        let (path, value) = a
            .split_once('=')
            .ok_or_else(|| Failure::input(format!("{a:?} is not Path=value")))?;
        let (path, required) = match path.strip_suffix('!') {
            Some(p) => (p, true),
            None => (path, false),
        };
        let dot = path
            .rfind('.')
            .filter(|&d| d + 1 < path.len())
            .ok_or_else(|| Failure::input(format!("{path:?} is not a parameter path")))?;
        let (object, param) = (&path[..=dot], &path[dot + 1..]);
        let setting =
            UpdateParamSetting::new(param.to_owned(), value.to_owned()).required(required);
        match out.iter_mut().find(|(o, _)| o == object) {
            Some((_, settings)) => settings.push(setting),
            None => out.push((object.to_owned(), vec![setting])),
        }
    }
    Ok(out)
}

fn split_assignment(a: &str) -> Result<(String, String), Failure> {
    a.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| Failure::input(format!("{a:?} is not Name=value")))
}

/// Starts a Controller on the chosen transport and waits until the Agent can be reached.
async fn connect(conn: &Conn) -> Result<(Controller, EndpointId), Failure> {
    use tr369::mtp::websocket::{WsClient, WsClientConfig, WsServer, WsServerConfig};
    let agent: EndpointId =
        EndpointId::lenient(&conn.agent).map_err(|e| Failure::input(format!("--agent: {e}")))?;
    let id: EndpointId = conn
        .id
        .parse()
        .map_err(|e| Failure::input(format!("--id: {e}")))?;
    let timeout = Duration::from_secs(conn.timeout);
    let transport = |e: tr369::mtp::MtpError| Failure {
        status: 3,
        message: e.to_string(),
    };
    let mut builder = Controller::builder(id.clone());
    builder.timeout(timeout);
    let wait_for_agent = if let Some(url) = &conn.connect {
        let config = WsClientConfig::new(url, id)
            .map_err(|e| Failure::input(format!("--connect: {e}")))?
            .peer_endpoint_id(agent.clone());
        let client = WsClient::start(config).map_err(transport)?;
        connected_within(timeout, url, client.wait_connected()).await?;
        let mtp = builder.mtp(client);
        builder.route(
            agent.clone(),
            Route::new(
                mtp,
                MtpAddress::WebSocket {
                    connection: ConnectionId::new(0),
                    endpoint_id: Some(agent.clone()),
                },
            ),
        );
        false
    } else if let Some(addr) = &conn.listen {
        let addr = addr
            .parse()
            .map_err(|e| Failure::input(format!("--listen: {e}")))?;
        let server = WsServer::bind(addr, WsServerConfig::new(id))
            .await
            .map_err(transport)?;
        eprintln!(
            "usp: listening on ws://{}/ for {agent}",
            server.local_addr()
        );
        builder.mtp(server);
        true
    } else if let Some(path) = &conn.uds {
        use tr369::mtp::uds::{UdsClient, UdsClientConfig};
        let client = UdsClient::new(UdsClientConfig::controller(id, path)).map_err(transport)?;
        connected_within(timeout, path, client.connected()).await?;
        let mtp = builder.mtp(client);
        builder.route(
            agent.clone(),
            Route::new(
                mtp,
                MtpAddress::Uds {
                    connection: ConnectionId::new(0),
                    endpoint_id: Some(agent.clone()),
                },
            ),
        );
        false
    } else if let Some(broker) = &conn.mqtt {
        use tr369::mtp::mqtt::{MqttClient, MqttConfig, MqttVersion};
        let topic = conn
            .agent_topic
            .clone()
            .ok_or_else(|| Failure::input("--mqtt needs --agent-topic"))?;
        let (host, port) = broker
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h, p.parse::<u16>().ok()?)))
            .ok_or_else(|| Failure::input("--mqtt is host:port"))?;
        let version = if conn.mqtt311 {
            MqttVersion::V3_1_1
        } else {
            MqttVersion::V5
        };
        let config = MqttConfig::new(id, host, port)
            .version(version)
            .reply_to_topic(format!("usp/usp-cli/{}", std::process::id()));
        let client = connected_within(timeout, broker, MqttClient::connect(config)).await?;
        let mtp = builder.mtp(client);
        builder.route(
            agent.clone(),
            Route::new(
                mtp,
                MtpAddress::Mqtt {
                    topic,
                    response_topic: None,
                },
            ),
        );
        false
    } else {
        return Err(Failure::input(
            "choose a transport: --connect, --listen, --uds or --mqtt",
        ));
    };
    let (controller, mut events) = builder.start();
    if wait_for_agent {
        let wait = async {
            while let Some(event) = events.recv().await {
                if matches!(&event, ControllerEvent::AgentConnected { agent: a } if *a == agent) {
                    return true;
                }
            }
            false
        };
        if !tokio::time::timeout(timeout, wait).await.unwrap_or(false) {
            return Err(Failure {
                status: 3,
                message: format!("{agent} did not connect within {timeout:?}"),
            });
        }
    }
    Ok((controller, agent))
}

/// Waits up to `timeout` for a transport to connect to `peer`.
async fn connected_within<T>(
    timeout: Duration,
    peer: &str,
    connecting: impl Future<Output = Result<T, tr369::mtp::MtpError>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(timeout, connecting).await {
        Ok(Ok(t)) => Ok(t),
        Ok(Err(e)) => Err(Failure {
            status: 3,
            message: e.to_string(),
        }),
        Err(_) => Err(Failure {
            status: 3,
            message: format!("no connection to {peer} within {timeout:?}"),
        }),
    }
}

async fn request(conn: &Conn, req: impl Into<Request<'static>>) -> Result<(), Failure> {
    let (controller, agent) = connect(conn).await?;
    let result = controller.request(&agent, req).await;
    controller.close().await;
    let resp = result?;
    print_response(&resp, conn.json);
    Ok(())
}

fn print_response(resp: &Response<'static>, as_json: bool) {
    let msg = Msg::response("response", resp.clone());
    if as_json {
        println!("{}", json::msg_to_string(&msg, &pretty()));
    } else {
        print!("{msg}");
        if !msg.to_string().ends_with('\n') {
            println!();
        }
    }
}

/// A Record as text: its header, and its Message when it carries a whole one.
fn describe(record: &Record) -> String {
    let mut out = format!(
        "Record v{} {} -> {} [{}]\n",
        record.version(),
        record.from_id(),
        record.to_id(),
        record.kind().name()
    );
    match record.kind() {
        RecordKind::NoSessionContext { payload } => match Msg::decode(payload) {
            Ok(m) => out.push_str(&m.to_string()),
            Err(e) => out.push_str(&format!(
                "payload of {} bytes, not a Message: {e}\n",
                payload.len()
            )),
        },
        RecordKind::SessionContext(s) => {
            out.push_str(&format!("{s:?}\n"));
        }
        other => out.push_str(&format!("{other:?}\n")),
    }
    out
}
