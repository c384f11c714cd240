//! The telemetry pipeline end to end: Agents on MQTT 5 and 3.1.1 boot and change values,
//! the telemetry Controller answers and writes the notifications as NDJSON batches.

#[path = "../../usp-mtp/tests/mqtt_support/mod.rs"]
mod mqtt_support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tr369::Route;
use tr369::agent::{Agent, Boot, NotifType, Subscription};
use tr369::mtp::MtpAddress;
use tr369::mtp::mqtt::{MqttClient, MqttConfig, MqttVersion};
use tr369::types::EndpointId;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_reach_batched_ndjson_files() {
    let broker = mqtt_support::Mosquitto::start();
    let out = std::env::temp_dir().join(format!("usp-telemetry-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let telemetry = Command::new(env!("CARGO_BIN_EXE_telemetry"))
        .args(["--broker", &format!("127.0.0.1:{}", broker.port())])
        .args([
            "--out",
            out.to_str().unwrap(),
            "--batch-records",
            "3",
            "--flush-secs",
            "1",
            "--exit-after",
            "4",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let controller: EndpointId = "self::telemetry".parse().unwrap();
    let mut agents = Vec::new();
    for (i, version) in [MqttVersion::V5, MqttVersion::V3_1_1]
        .into_iter()
        .enumerate()
    {
        let id: EndpointId = format!("os::00256D-tele{i}").parse().unwrap();
        let config = MqttConfig::new(id.clone(), "127.0.0.1", broker.port())
            .version(version)
            .reply_to_topic(format!("usp/agent/tele{i}"))
            .peer(controller.clone(), "usp/controller");
        let (schema, data) = usp_examples::cpe_model();
        let mut agent = Agent::builder(id, schema, data);
        let mtp = agent.mtp(MqttClient::start(config).unwrap());
        let to = MtpAddress::Mqtt {
            topic: "usp/controller".into(),
            response_topic: None,
        };
        agent
            .controller(controller.clone(), Route::new(mtp, to))
            .subscription(
                Subscription::new(
                    "boot",
                    controller.clone(),
                    NotifType::Event,
                    ["Device.Boot!"],
                )
                .retry(true, 0),
            )
            .subscription(Subscription::new(
                "code",
                controller.clone(),
                NotifType::ValueChange,
                ["Device.DeviceInfo.ProvisioningCode"],
            ))
            .boot(Boot::new(
                "LocalReboot",
                ["Device.DeviceInfo.SoftwareVersion"],
            ));
        agents.push(agent.start());
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for (i, a) in agents.iter().enumerate() {
        a.set_value("Device.DeviceInfo.ProvisioningCode", format!("batch-{i}"))
            .await
            .unwrap();
    }

    let mut telemetry = telemetry;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = telemetry.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "telemetry did not finish"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success());
    let mut files: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 2, "batches of 3 records: {files:?}");
    let lines: Vec<serde_json::Value> = files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect::<Vec<_>>()
        })
        .collect();
    let boots = lines
        .iter()
        .filter(|l| l["notify"]["event"]["event_name"] == "Boot!")
        .count();
    let changes: Vec<_> = lines
        .iter()
        .filter_map(|l| l["notify"]["value_change"]["param_value"].as_str())
        .collect();
    assert_eq!(boots, 2, "{lines:#?}");
    assert!(
        changes.contains(&"batch-0") && changes.contains(&"batch-1"),
        "{lines:#?}"
    );
    for a in &agents {
        a.close().await;
    }
    let _ = std::fs::remove_dir_all(&out);
}
