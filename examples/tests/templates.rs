//! The agent and controller templates find each other over each transport.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn controller_reads_agent(controller_args: &[&str], agent_args: &[&str]) {
    let controller = Command::new(env!("CARGO_BIN_EXE_controller"))
        .args(controller_args)
        .args(["--agents", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let _agent = Killed(
        Command::new(env!("CARGO_BIN_EXE_agent"))
            .args(agent_args)
            .args(["--run-for", "20"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    let mut controller = Killed(controller);
    loop {
        if let Some(status) = controller.0.try_wait().unwrap() {
            let out = std::mem::replace(&mut controller.0, Command::new("true").spawn().unwrap())
                .wait_with_output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                status.success(),
                "{stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                stdout.contains("Device.DeviceInfo.ModelName = HomeGateway 9000"),
                "{stdout}"
            );
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the controller did not finish"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn agent_connects_to_controller_over_websocket() {
    let addr = format!("127.0.0.1:{}", free_port());
    let url = format!("ws://{addr}/usp");
    controller_reads_agent(
        &["--ws-listen", &addr],
        &[
            "--controller",
            "self::example-controller",
            "--ws-connect",
            &url,
        ],
    );
}

#[test]
fn controller_connects_to_agent_websocket_server() {
    let addr = format!("127.0.0.1:{}", free_port());
    let _agent = Killed(
        Command::new(env!("CARGO_BIN_EXE_agent"))
            .args(["--ws-listen", &addr, "--run-for", "20"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(Duration::from_millis(300));
    let out = Command::new(env!("CARGO_BIN_EXE_controller"))
        .args([
            "--ws-connect",
            &format!("ws://{addr}/"),
            "--agent",
            "os::00256D-0000000001",
            "--agents",
            "1",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Device.DeviceInfo.SoftwareVersion = 4.2.1"),
        "{stdout}"
    );
}

#[path = "../../usp-mtp/tests/mqtt_support/mod.rs"]
mod mqtt_support;

#[test]
fn agent_and_controller_through_mosquitto() {
    let broker = mqtt_support::Mosquitto::start();
    let addr = format!("127.0.0.1:{}", broker.port());
    controller_reads_agent(
        &["--mqtt", &addr, "--topic", "usp/controller"],
        &["--controller", "self::example-controller", "--mqtt", &addr],
    );
}

#[test]
fn agent_on_mqtt311_and_controller_on_mqtt5() {
    let broker = mqtt_support::Mosquitto::start();
    let addr = format!("127.0.0.1:{}", broker.port());
    controller_reads_agent(
        &["--mqtt", &addr, "--topic", "usp/controller"],
        &[
            "--controller",
            "self::example-controller",
            "--mqtt",
            &addr,
            "--mqtt311",
        ],
    );
}

#[path = "../../usp-mtp/tests/stomp_support/mod.rs"]
mod stomp_support;

#[test]
fn agent_and_controller_through_rabbitmq_stomp() {
    let broker = stomp_support::RabbitMq::shared();
    let addr = format!("127.0.0.1:{}", broker.stomp_port());
    let controller_dest = stomp_support::unique_queue("template-controller");
    let agent_dest = stomp_support::unique_queue("template-agent");
    controller_reads_agent(
        &["--stomp", &addr, "--dest", &controller_dest],
        &[
            "--controller",
            "self::example-controller",
            "--stomp",
            &addr,
            "--controller-dest",
            &controller_dest,
            "--agent-dest",
            &agent_dest,
        ],
    );
}
