//! A small TR-181-shaped data model, for tests, examples and benchmarks.
//!
//! [`schema`] describes part of the Device:2 data model: `DeviceInfo` (with
//! `TemperatureStatus.TemperatureSensor.{i}.`), `LocalAgent` (`Controller`, `MTP`,
//! `Subscription`), `IP.Interface` (with `Stats`, `IPv4Address` and `IPv6Address`),
//! `WiFi` (`Radio`, `SSID` with `Stats`, `AccessPoint` with `AssociatedDevice`),
//! `NAT.PortMapping`, `DSL.Line`, `USB.USBHosts.Host.{i}.Device`, `PCP.Client.{i}.Server`,
//! `PeriodicStatistics.SampleSet`, the commands `Device.Reboot()`,
//! `Device.ScheduleTimer()` and `Device.IP.Interface.{i}.Reset()`, and the event
//! `Device.Boot!`. [`tr181`] adds instances chosen so that every search example of the
//! specification ("Search Expression Examples") matches something and misses something.

use crate::model::instances::MemoryInstances;
use crate::model::schema::{ObjectAccess, ParamType, SupportedModel};
use crate::types::DataType;

/// The Supported Data Model of the fixture.
///
/// # Panics
///
/// Never: the description is fixed and tested.
pub fn schema() -> SupportedModel {
    use DataType as T;
    let s = ParamType::string;
    let b = ParamType::boolean;
    let u = ParamType::unsigned_int;
    let add_delete = ObjectAccess::AddDelete;
    let mut m = SupportedModel::builder("Device");
    m.object("Device.DeviceInfo.")
        .param("Manufacturer", s())
        .param("ModelName", s())
        .param("SoftwareVersion", s())
        .param("UpTime", u());
    m.object("Device.DeviceInfo.TemperatureStatus.");
    m.object("Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.")
        .unique_key(&["Name"])
        .param("Name", s())
        .param("Value", ParamType::new(T::Int));
    m.object("Device.LocalAgent.").param("EndpointID", s());
    m.object("Device.LocalAgent.Controller.{i}.")
        .access(add_delete)
        .unique_key(&["Alias"])
        .unique_key(&["EndpointID"])
        .writable("Alias", s())
        .writable("Enable", b())
        .writable("EndpointID", s());
    m.object("Device.LocalAgent.MTP.{i}.")
        .access(add_delete)
        .unique_key(&["Alias"])
        .writable("Alias", s())
        .writable("Enable", b())
        .writable("Protocol", s());
    m.object("Device.LocalAgent.Subscription.{i}.")
        .access(add_delete)
        .unique_key(&["Alias"])
        .unique_key(&["Recipient", "ID"])
        .writable("Alias", s())
        .writable("Enable", b())
        .writable("ID", s())
        .writable("NotifType", s())
        .writable("ReferenceList", s().list())
        .param(
            "Recipient",
            ParamType::strong_ref("Device.LocalAgent.Controller.{i}."),
        );
    m.object("Device.IP.");
    m.object("Device.IP.Interface.{i}.")
        .access(add_delete)
        .unique_key(&["Name"])
        .unique_key(&["Alias"])
        .writable("Alias", s())
        .param("Name", s())
        .writable("Enable", b())
        .param("Status", s())
        .writable("Type", s());
    m.object("Device.IP.Interface.{i}.Stats.")
        .param("ErrorsSent", u())
        .param("BytesSent", ParamType::new(T::UnsignedLong));
    m.object("Device.IP.Interface.{i}.IPv4Address.{i}.")
        .access(add_delete)
        .unique_key(&["Alias"])
        .unique_key(&["IPAddress"])
        .writable("Alias", s())
        .writable("Enable", b())
        .writable("IPAddress", s())
        .param("AddressingType", s());
    m.object("Device.IP.Interface.{i}.IPv6Address.{i}.")
        .access(add_delete)
        .unique_key(&["IPAddress"])
        .writable("IPAddress", s())
        .writable("ValidLifetime", ParamType::new(T::DateTime));
    m.object("Device.WiFi.");
    m.object("Device.WiFi.Radio.{i}.")
        .unique_key(&["Name"])
        .param("Name", s())
        .writable("Enable", b())
        .param("Channel", u());
    m.object("Device.WiFi.SSID.{i}.")
        .access(add_delete)
        .unique_key(&["Name"])
        .unique_key(&["BSSID"])
        .param("Name", s())
        .writable("Enable", b())
        .param("Status", s())
        .writable("SSID", s())
        .param("BSSID", s())
        .writable(
            "LowerLayers",
            ParamType::strong_ref("Device.WiFi.Radio.{i}.").list(),
        );
    m.object("Device.WiFi.SSID.{i}.Stats.")
        .param("BytesSent", ParamType::new(T::UnsignedLong))
        .param("BytesReceived", ParamType::new(T::UnsignedLong));
    m.object("Device.WiFi.AccessPoint.{i}.")
        .access(add_delete)
        .unique_key(&["SSIDReference"])
        .writable("Enable", b())
        .writable(
            "SSIDReference",
            ParamType::strong_ref("Device.WiFi.SSID.{i}."),
        );
    m.object("Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.")
        .unique_key(&["MACAddress"])
        .param("MACAddress", s())
        .param("OperatingStandard", s())
        .param("SignalStrength", ParamType::new(T::Int));
    m.object("Device.NAT.");
    m.object("Device.NAT.PortMapping.{i}.")
        .access(add_delete)
        .unique_key(&["RemoteHost", "ExternalPort", "Protocol"])
        .writable("RemoteHost", s())
        .writable("ExternalPort", u())
        .writable("Protocol", s())
        .writable(
            "Interface",
            ParamType::strong_ref("Device.IP.Interface.{i}."),
        )
        .writable("Monitor", ParamType::weak_ref("Device.IP.Interface.{i}."));
    m.object("Device.DSL.");
    m.object("Device.DSL.Line.{i}.")
        .unique_key(&["Name"])
        .param("Name", s())
        .writable("Enable", b())
        .param("CurrentProfile", s());
    m.object("Device.USB.");
    m.object("Device.USB.USBHosts.");
    m.object("Device.USB.USBHosts.Host.{i}.")
        .unique_key(&["Name"])
        .param("Name", s());
    m.object("Device.USB.USBHosts.Host.{i}.Device.{i}.")
        .unique_key(&["DeviceNumber"])
        .param("DeviceNumber", u())
        .param("DeviceClass", ParamType::new(T::HexBinary));
    m.object("Device.PCP.");
    m.object("Device.PCP.Client.{i}.")
        .unique_key(&["Alias"])
        .param("Alias", s());
    m.object("Device.PCP.Client.{i}.Server.{i}.")
        .unique_key(&["ServerNameOrAddress"])
        .param("ServerNameOrAddress", s())
        .param("Capabilities", s().list());
    m.object("Device.PeriodicStatistics.");
    m.object("Device.PeriodicStatistics.SampleSet.{i}.")
        .unique_key(&["Name"])
        .param("Name", s())
        .param("SampleSeconds", u().list());
    m.command("Device.Reboot()", false, &[], &[]);
    m.command("Device.ScheduleTimer()", true, &["DelaySeconds"], &[]);
    m.command("Device.IP.Interface.{i}.Reset()", false, &[], &[]);
    m.event(
        "Device.Boot!",
        &["CommandKey", "Cause", "FirmwareUpdated", "ParameterMap"],
    );
    m.build().expect("the fixture schema is valid")
}

/// An interface of the fixture: values, `Stats.ErrorsSent`, IPv4 addresses (address,
/// addressing type, enable) and IPv6 addresses (address, valid lifetime).
type Interface<'a> = (
    &'a [(&'a str, &'a str)],
    &'a str,
    &'a [(&'a str, &'a str, &'a str)],
    &'a [(&'a str, &'a str)],
);

/// The fixture: [`schema`] and instances of it.
///
/// ```
/// use usp_datamodel::{Instances, fixture};
///
/// let (_schema, data) = fixture::tr181();
/// assert_eq!(data.value("Device.IP.Interface.1.", "Name").as_deref(), Some("eth0"));
/// ```
pub fn tr181() -> (SupportedModel, MemoryInstances) {
    let mut d = MemoryInstances::new();
    let row = |d: &mut MemoryInstances, table: &str, values: &[(&str, &str)]| {
        let n = d.add_instance(table);
        let object = format!("{table}{n}.");
        for (k, v) in values {
            d.set(&object, k, *v);
        }
        object
    };
    let info = "Device.DeviceInfo.";
    d.set(info, "Manufacturer", "Example Inc.");
    d.set(info, "ModelName", "X1");
    d.set(info, "SoftwareVersion", "1.2.3");
    d.set(info, "UpTime", "3600");
    let sensors = "Device.DeviceInfo.TemperatureStatus.TemperatureSensor.";
    row(&mut d, sensors, &[("Name", "cpu"), ("Value", "45")]);

    d.set("Device.LocalAgent.", "EndpointID", "proto::agent-1");
    let controllers = "Device.LocalAgent.Controller.";
    row(
        &mut d,
        controllers,
        &[
            ("Alias", "cpe-1"),
            ("Enable", "true"),
            ("EndpointID", "proto::controller-1"),
        ],
    );
    row(
        &mut d,
        controllers,
        &[
            ("Alias", "cpe-2"),
            ("Enable", "false"),
            ("EndpointID", "proto::controller-2"),
        ],
    );
    row(
        &mut d,
        "Device.LocalAgent.MTP.",
        &[
            ("Alias", "ws"),
            ("Enable", "true"),
            ("Protocol", "WebSocket"),
        ],
    );
    let subs = "Device.LocalAgent.Subscription.";
    row(
        &mut d,
        subs,
        &[
            ("Alias", "sub-1"),
            ("Enable", "true"),
            ("ID", "sub-1"),
            ("NotifType", "ValueChange"),
            (
                "ReferenceList",
                "Device.DeviceInfo.SoftwareVersion,Device.WiFi.SSID.1.SSID",
            ),
            ("Recipient", "Device.LocalAgent.Controller.1"),
        ],
    );
    // R-ARC.11: a reference by unique key.
    row(
        &mut d,
        subs,
        &[
            ("Alias", "sub-2"),
            ("Enable", "false"),
            ("ID", "sub-2"),
            ("NotifType", "Event"),
            ("ReferenceList", "Device.Boot!"),
            (
                "Recipient",
                "Device.LocalAgent.Controller.[EndpointID==\"proto::controller-2\"]",
            ),
        ],
    );

    let ifaces = "Device.IP.Interface.";
    let interfaces: [Interface<'_>; 3] = [
        (
            &[
                ("Alias", "WAN"),
                ("Name", "eth0"),
                ("Enable", "true"),
                ("Status", "Up"),
                ("Type", "Normal"),
            ],
            "3",
            &[
                ("192.168.1.1", "Static", "true"),
                ("10.0.0.5", "DHCP", "true"),
            ],
            &[
                ("2001:db8::1", "2021-06-01T00:00:00Z"),
                ("2001:db8::2", "2030-01-01T00:00:00Z"),
            ],
        ),
        (
            &[
                ("Alias", "LO"),
                ("Name", "lo"),
                ("Enable", "true"),
                ("Status", "Up"),
                ("Type", "Loopback"),
            ],
            "0",
            &[("127.0.0.1", "Static", "true")],
            &[("::1", "9999-12-31T23:59:59Z")],
        ),
        (
            &[
                ("Alias", "LAN"),
                ("Name", "eth1"),
                ("Enable", "false"),
                ("Status", "Down"),
                ("Type", "Normal"),
            ],
            "0",
            &[("192.168.2.1", "Static", "false")],
            &[("2001:db8:1::1", "2021-06-06T07:59:59+00:00")],
        ),
    ];
    for (values, errors, v4, v6) in interfaces {
        let iface = row(&mut d, ifaces, values);
        d.set(&format!("{iface}Stats."), "ErrorsSent", errors);
        d.set(&format!("{iface}Stats."), "BytesSent", "1000");
        for (addr, kind, enable) in v4 {
            let table = format!("{iface}IPv4Address.");
            let alias = format!("cpe-{addr}");
            row(
                &mut d,
                &table,
                &[
                    ("Alias", &alias),
                    ("IPAddress", addr),
                    ("AddressingType", kind),
                    ("Enable", enable),
                ],
            );
        }
        for (addr, lifetime) in v6 {
            let table = format!("{iface}IPv6Address.");
            row(
                &mut d,
                &table,
                &[("IPAddress", addr), ("ValidLifetime", lifetime)],
            );
        }
    }

    let radios = "Device.WiFi.Radio.";
    row(
        &mut d,
        radios,
        &[("Name", "wifi0"), ("Enable", "true"), ("Channel", "6")],
    );
    row(
        &mut d,
        radios,
        &[("Name", "wifi1"), ("Enable", "true"), ("Channel", "36")],
    );
    let ssids = "Device.WiFi.SSID.";
    let ssid1 = row(
        &mut d,
        ssids,
        &[
            ("Name", "ssid0"),
            ("Enable", "true"),
            ("Status", "Up"),
            ("SSID", "MyHome"),
            ("BSSID", "00:11:22:33:44:55"),
            ("LowerLayers", "Device.WiFi.Radio.1, Device.WiFi.Radio.2"),
        ],
    );
    d.set(&format!("{ssid1}Stats."), "BytesSent", "24901567");
    d.set(&format!("{ssid1}Stats."), "BytesReceived", "892806908296");
    row(
        &mut d,
        ssids,
        &[
            ("Name", "ssid1"),
            ("Enable", "false"),
            ("Status", "Down"),
            ("SSID", "Guest"),
            ("BSSID", "00:11:22:33:44:66"),
            ("LowerLayers", "Device.WiFi.Radio.2"),
        ],
    );
    let aps = "Device.WiFi.AccessPoint.";
    let ap1 = row(
        &mut d,
        aps,
        &[("Enable", "true"), ("SSIDReference", "Device.WiFi.SSID.1")],
    );
    let ap2 = row(
        &mut d,
        aps,
        &[("Enable", "true"), ("SSIDReference", "Device.WiFi.SSID.2")],
    );
    for (ap, devices) in [
        (
            ap1,
            &[
                ("aa:00:00:00:00:01", "ac", "-40"),
                ("aa:00:00:00:00:02", "n", "-60"),
            ][..],
        ),
        (ap2, &[("aa:00:00:00:00:03", "ac", "-70")][..]),
    ] {
        let table = format!("{ap}AssociatedDevice.");
        for (mac, standard, signal) in devices {
            row(
                &mut d,
                &table,
                &[
                    ("MACAddress", mac),
                    ("OperatingStandard", standard),
                    ("SignalStrength", signal),
                ],
            );
        }
    }

    let maps = "Device.NAT.PortMapping.";
    row(
        &mut d,
        maps,
        &[
            ("RemoteHost", ""),
            ("ExternalPort", "0"),
            ("Protocol", "TCP"),
            ("Interface", "Device.IP.Interface.1"),
            ("Monitor", "Device.IP.Interface.9"),
        ],
    );
    row(
        &mut d,
        maps,
        &[
            ("RemoteHost", "198.51.100.1"),
            ("ExternalPort", "8080"),
            ("Protocol", "TCP"),
            ("Interface", "Device.IP.Interface.[Name==\"eth1\"]"),
            ("Monitor", ""),
        ],
    );

    let lines = "Device.DSL.Line.";
    row(
        &mut d,
        lines,
        &[
            ("Name", "dsl0"),
            ("Enable", "true"),
            ("CurrentProfile", "17a"),
        ],
    );
    row(
        &mut d,
        lines,
        &[
            ("Name", "dsl1"),
            ("Enable", "false"),
            ("CurrentProfile", "8b"),
        ],
    );

    let host = row(&mut d, "Device.USB.USBHosts.Host.", &[("Name", "usb0")]);
    let usb = format!("{host}Device.");
    row(
        &mut d,
        &usb,
        &[("DeviceNumber", "1"), ("DeviceClass", "08")],
    );
    row(
        &mut d,
        &usb,
        &[("DeviceNumber", "2"), ("DeviceClass", "03")],
    );

    let client = row(&mut d, "Device.PCP.Client.", &[("Alias", "pcp")]);
    let servers = format!("{client}Server.");
    row(
        &mut d,
        &servers,
        &[
            ("ServerNameOrAddress", "pcp1"),
            ("Capabilities", "PortForwarding,IPv6Firewall"),
        ],
    );
    row(
        &mut d,
        &servers,
        &[
            ("ServerNameOrAddress", "pcp2"),
            ("Capabilities", "PortForwarding"),
        ],
    );

    let sets = "Device.PeriodicStatistics.SampleSet.";
    row(
        &mut d,
        sets,
        &[("Name", "fast"), ("SampleSeconds", "5,5,10")],
    );
    row(
        &mut d,
        sets,
        &[("Name", "slow"), ("SampleSeconds", "50,15")],
    );

    (schema(), d)
}
