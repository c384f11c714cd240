//! Path parsing throughput, in paths per second, on a realistic mix of TR-181 paths.
//!
//! The mix is weighted the way a Controller's requests and an Agent's notifications use
//! paths: mostly plain Parameter Paths and Object Instance Paths, then wildcards,
//! unique keys and search expressions, commands and events. Criterion reports the
//! throughput in elements (paths) per second.
//!
//! * `parse/mix`: every path of the mix once per iteration.
//! * `parse/<category>`: one category of the mix.
//! * `match/wildcard`: `Path::matches` of a wildcard search against a concrete path.
//!
//! ```text
//! cargo bench -p usp-datamodel --bench path -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use usp_datamodel::Path;

/// The mix, by category; the number of paths per category is its weight.
const MIX: &[(&str, &[&str])] = &[
    (
        "parameter",
        &[
            "Device.DeviceInfo.SoftwareVersion",
            "Device.DeviceInfo.UpTime",
            "Device.LocalAgent.EndpointID",
            "Device.WiFi.Radio.1.Channel",
            "Device.WiFi.SSID.2.SSID",
            "Device.WiFi.AccessPoint.1.AssociatedDevice.3.SignalStrength",
            "Device.IP.Interface.1.IPv4Address.1.IPAddress",
            "Device.Ethernet.Interface.4.Stats.BytesReceived",
            "Device.LocalAgent.Controller.1.MTP.1.MQTT.Topic",
            "Device.DeviceInfo.TemperatureStatus.TemperatureSensor.2.Value",
        ],
    ),
    (
        "object",
        &[
            "Device.DeviceInfo.",
            "Device.WiFi.SSID.",
            "Device.IP.Interface.3.",
            "Device.LocalAgent.Subscription.12.",
            "Device.WiFi.AccessPoint.1.AssociatedDevice.7.Stats.",
        ],
    ),
    (
        "wildcard",
        &[
            "Device.WiFi.SSID.*.Status",
            "Device.IP.Interface.*.IPv4Address.*.IPAddress",
            "Device.WiFi.AccessPoint.*.AssociatedDevice.*.",
            "Device.Hosts.Host.*.PhysAddress",
        ],
    ),
    (
        "unique-key",
        &[
            r#"Device.IP.Interface.[Name=="eth0"].Status"#,
            r#"Device.WiFi.SSID.[Alias=="cpe-ssid-1"].Enable"#,
            r#"Device.NAT.PortMapping.[RemoteHost==""&&ExternalPort==8080&&Protocol=="TCP"]."#,
        ],
    ),
    (
        "search",
        &[
            r#"Device.IP.Interface.[Type=="Normal"&&Stats.ErrorsSent>0].IPv4Address.[AddressingType=="Static"].IPAddress"#,
            "Device.LocalAgent.Subscription.[Enable==true].",
            "Device.IP.Interface.*.IPv6Address.[ValidLifetime<2021-06-06T08:00:00Z].IPAddress",
            r#"Device.WiFi.AccessPoint.[SSIDReference+.SSID=="MyHome"].AssociatedDevice.[OperatingStandard=="ac"].SignalStrength"#,
        ],
    ),
    (
        "command",
        &[
            "Device.Reboot()",
            "Device.IP.Diagnostics.TraceRoute()",
            "Device.LocalAgent.Controller.1.ScheduleTimer()",
        ],
    ),
    (
        "event",
        &[
            "Device.Boot!",
            "Device.LocalAgent.Periodic!",
            "Device.LocalAgent.Threshold.2.Triggered!",
        ],
    ),
];

/// Parses every path; returns the number of segments (so nothing is optimised away).
fn parse_all(paths: &[&str]) -> usize {
    paths
        .iter()
        .map(|text| match Path::parse(black_box(text)) {
            Ok(path) => path.segments().len(),
            Err(_) => 0,
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let mix: Vec<&str> = MIX
        .iter()
        .flat_map(|(_, paths)| paths.iter().copied())
        .collect();
    for text in &mix {
        assert!(Path::parse(text).is_ok(), "{text} must parse");
    }

    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Elements(mix.len() as u64));
    group.bench_function("mix", |b| b.iter(|| parse_all(&mix)));
    for (category, paths) in MIX {
        group.throughput(Throughput::Elements(paths.len() as u64));
        group.bench_function(*category, |b| b.iter(|| parse_all(paths)));
    }
    group.finish();

    let search: Path = "Device.IP.Interface.*.IPv4Address.*.IPAddress"
        .parse()
        .unwrap();
    let concrete: Path = "Device.IP.Interface.3.IPv4Address.1.IPAddress"
        .parse()
        .unwrap();
    let mut group = c.benchmark_group("match");
    group.throughput(Throughput::Elements(1));
    group.bench_function("wildcard", |b| {
        b.iter(|| black_box(&search).matches(black_box(&concrete)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
