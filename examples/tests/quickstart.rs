//! The README's main command runs, and shows every exchange it promises.

use std::process::Command;

#[test]
fn quickstart_runs_agent_and_controller_over_loopback_websocket() {
    let out = Command::new(env!("CARGO_BIN_EXE_quickstart"))
        .output()
        .expect("the quickstart starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "connected (WebSocketConnectRecord)",
        "Event Device. Boot!",
        "GET_RESP",
        "SoftwareVersion = \"4.2.1\"",
        "SET_RESP",
        "ADD_RESP",
        "ObjectCreation Device.WiFi.SSID.2.",
        "DELETE_RESP",
        "OPERATE_RESP",
        "OperationComplete for selftest-1",
        "Status = Complete",
        "error 7026",
        "done",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}
