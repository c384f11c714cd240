//! The load program runs and reports a rate (the figures themselves are measured in
//! release builds, by hand: see the README).

use std::process::Command;

#[test]
fn agent_load_reports_gets_per_second() {
    let out = Command::new(env!("CARGO_BIN_EXE_agent_load"))
        .args([
            "--transport",
            "memory",
            "--seconds",
            "1",
            "--in-flight",
            "8",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rate: f64 = stdout
        .split(" = ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("no rate in {stdout:?}"));
    assert!(rate > 0.0, "{stdout}");
}
