//! The `usp` tool: decoding captures, encoding JSON back to the same bytes, requests to a
//! live Agent, and exit statuses.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use tr369::agent::{Agent, local_agent_model};
use tr369::datamodel::{MemoryInstances, ParamType, SupportedModel};
use tr369::mtp::websocket::{WsServer, WsServerConfig};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/obuspa-sample");

fn usp(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_usp"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("usp starts");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn decodes_captured_records_as_text_and_json() {
    let boot = format!("{FIXTURES}/02-notify-event-boot.record.bin");
    let out = usp(&["decode", &boot], b"");
    assert!(out.status.success());
    let t = text(&out);
    assert!(
        t.starts_with("Record v1.3 os::012345-obuspa-peer -> self::py-controller"),
        "{t}"
    );
    assert!(t.contains("Cause = \"LocalFactoryReset\""), "{t}");

    let out = usp(&["decode", "--json", &boot], b"");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["msg"]["header"]["msg_type"], "NOTIFY");
    assert_eq!(v["record"]["to_id"], "self::py-controller");
}

#[test]
fn every_capture_round_trips_through_json_to_the_same_bytes() {
    let mut n = 0;
    for entry in std::fs::read_dir(FIXTURES).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".record.bin") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let json = usp(&["decode", "--json", path.to_str().unwrap()], b"");
        assert!(json.status.success(), "{path:?}");
        let hex = usp(&["encode", "--output", "hex"], &json.stdout);
        assert!(
            hex.status.success(),
            "{path:?}: {}",
            String::from_utf8_lossy(&hex.stderr)
        );
        let back = usp(&["decode", "--input", "hex", "--json"], &hex.stdout);
        assert_eq!(back.stdout, json.stdout, "{path:?}");
        let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(text(&hex).trim(), expected, "{path:?}");
        n += 1;
    }
    assert_eq!(n, 23);
}

#[test]
fn hex_and_base64_input_are_detected() {
    let bytes = std::fs::read(format!("{FIXTURES}/03-get-deviceinfo-req.record.bin")).unwrap();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let from_hex = usp(&["decode"], hex.as_bytes());
    assert!(
        text(&from_hex).contains("GET id=py-get-1"),
        "{}",
        text(&from_hex)
    );
    let b64 = usp(
        &["encode", "--output", "base64"],
        &usp(&["decode", "--json"], hex.as_bytes()).stdout,
    );
    let from_b64 = usp(&["decode"], &b64.stdout);
    assert_eq!(text(&from_b64), text(&from_hex));
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let out = usp(&["decode", "--input", "hex"], b"not hex at all");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not hexadecimal"));
    let out = usp(&["decode"], b"\x0a\xff\xff");
    assert_eq!(out.status.code(), Some(2));
    let out = usp(&["encode"], b"{\"header\": 3}");
    assert_eq!(out.status.code(), Some(2));
    let out = usp(&["get", "--agent", "os::x", "Device."], b"");
    assert_eq!(out.status.code(), Some(2), "no transport chosen");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_to_an_agent_over_websocket() {
    let agent_id: tr369::types::EndpointId = "os::00256D-cli".parse().unwrap();
    let mut m = SupportedModel::builder("Device");
    m.object("Device.DeviceInfo.")
        .param("SoftwareVersion", ParamType::string())
        .writable("ProvisioningCode", ParamType::string());
    local_agent_model(&mut m);
    let mut data = MemoryInstances::new();
    data.set("Device.DeviceInfo.", "SoftwareVersion", "7.7");
    data.set("Device.DeviceInfo.", "ProvisioningCode", "");
    // The Agent is a WebSocket server (R-WS.6); the tool connects to it.
    let server = WsServer::bind(
        "127.0.0.1:0".parse().unwrap(),
        WsServerConfig::new(agent_id.clone()),
    )
    .await
    .unwrap();
    let url = format!("ws://{}/usp", server.local_addr());
    let mut agent = Agent::builder(agent_id.clone(), m.build().unwrap(), data);
    agent.mtp(server);
    let _agent = agent.start();

    let run = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            usp(&args, b"")
        })
    };
    let common = |cmd: &str| {
        vec![
            cmd.to_owned(),
            "--connect".into(),
            url.clone(),
            "--agent".into(),
            agent_id.to_string(),
        ]
    };

    let mut set = common("set");
    set.push("Device.DeviceInfo.ProvisioningCode=from-cli".into());
    let out = run(set).await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut get = common("get");
    get.extend(["Device.DeviceInfo.".into(), "--json".into()]);
    let out = run(get).await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let params = &v["body"]["response"]["get_resp"]["req_path_results"][0]["resolved_path_results"]
        [0]["result_params"];
    assert_eq!(params["ProvisioningCode"], "from-cli");
    assert_eq!(params["SoftwareVersion"], "7.7");

    // The Agent's Error message: exit status 1, the error on standard error.
    let mut bad = common("set");
    bad.push("Device.DeviceInfo.SoftwareVersion!=8".into());
    let out = run(bad).await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("7021"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Nobody listening: exit status 3.
    let out = tokio::task::spawn_blocking(|| {
        usp(
            &[
                "get",
                "--connect",
                "ws://127.0.0.1:9/usp",
                "--agent",
                "os::x",
                "--timeout",
                "1",
                "Device.",
            ],
            b"",
        )
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(3));
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[path = "../../usp-mtp/tests/mqtt_support/mod.rs"]
mod mqtt_support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_through_mosquitto() {
    use tr369::mtp::mqtt::{MqttClient, MqttConfig};
    let broker = mqtt_support::Mosquitto::start();
    let agent_id: tr369::types::EndpointId = "os::00256D-climqtt".parse().unwrap();
    let mut m = SupportedModel::builder("Device");
    m.object("Device.DeviceInfo.")
        .param("SoftwareVersion", ParamType::string());
    local_agent_model(&mut m);
    let mut data = MemoryInstances::new();
    data.set("Device.DeviceInfo.", "SoftwareVersion", "mqtt-1");
    let config = MqttConfig::new(agent_id.clone(), "127.0.0.1", broker.port())
        .reply_to_topic("usp/agent/cli");
    let mut agent = Agent::builder(agent_id.clone(), m.build().unwrap(), data);
    agent.mtp(MqttClient::connect(config).await.unwrap());
    let _agent = agent.start();
    let port = broker.port().to_string();
    let out = tokio::task::spawn_blocking(move || {
        usp(
            &[
                "get",
                "--mqtt",
                &format!("127.0.0.1:{port}"),
                "--agent-topic",
                "usp/agent/cli",
                "--agent",
                "os::00256D-climqtt",
                "Device.DeviceInfo.SoftwareVersion",
            ],
            b"",
        )
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text(&out).contains("SoftwareVersion = \"mqtt-1\""),
        "{}",
        text(&out)
    );
}
