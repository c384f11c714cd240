//! The data-model engine against the TR-181-shaped fixture: each rule of TR-369
//! architecture "Path Names" and of the Get, GetInstances and GetSupportedDM messages.

use usp_datamodel::{
    DataModel, MemoryInstances, Path, ResolveErrorKind, SupportedModel, Target, fixture,
};

fn fixture() -> (SupportedModel, MemoryInstances) {
    fixture::tr181()
}

/// The concrete paths a path resolves to.
fn resolve(path: &str) -> Vec<String> {
    let (schema, data) = fixture();
    let model = DataModel::new(&schema, &data);
    let path: Path = path.parse().expect("valid syntax");
    model
        .resolve(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .iter()
        .map(Target::path)
        .collect()
}

/// The USP error code of a path that does not resolve.
fn error(path: &str) -> u32 {
    let (schema, data) = fixture();
    let model = DataModel::new(&schema, &data);
    let path: Path = path.parse().expect("valid syntax");
    model.resolve(&path).expect_err(path.as_str()).code().get()
}

#[test]
fn fixture_schema_is_consistent() {
    let schema = fixture::schema();
    assert!(schema.objects().len() > 20);
    let reboot = schema.lookup("Device.Reboot()");
    assert!(matches!(reboot, Some(usp_datamodel::Node::Command(_, c)) if !c.is_async()));
    match schema.lookup("Device.ScheduleTimer()") {
        Some(usp_datamodel::Node::Command(_, c)) => {
            assert!(c.is_async());
            assert_eq!(c.input_args(), ["DelaySeconds"]);
        }
        other => panic!("{other:?}"),
    }
    match schema.lookup("Device.Boot!") {
        Some(usp_datamodel::Node::Event(_, e)) => assert_eq!(e.args().len(), 4),
        other => panic!("{other:?}"),
    }
}

/// "Addressing by Instance Number" and the kinds of paths.
#[test]
fn instance_numbers() {
    assert_eq!(
        resolve("Device.IP.Interface.1.Name"),
        ["Device.IP.Interface.1.Name"]
    );
    assert_eq!(
        resolve("Device.IP.Interface.2."),
        ["Device.IP.Interface.2."]
    );
    assert_eq!(resolve("Device.IP.Interface."), ["Device.IP.Interface."]);
    assert_eq!(resolve("Device.DeviceInfo."), ["Device.DeviceInfo."]);
    assert_eq!(resolve("Device.Reboot()"), ["Device.Reboot()"]);
    assert_eq!(resolve("Device.Boot!"), ["Device.Boot!"]);
    assert_eq!(
        resolve("Device.IP.Interface.3.Reset()"),
        ["Device.IP.Interface.3.Reset()"]
    );
}

/// "Addressing by Unique Key", including a multi-parameter key.
#[test]
fn unique_keys() {
    assert_eq!(
        resolve("Device.IP.Interface.[Name==\"eth0\"]."),
        ["Device.IP.Interface.1."]
    );
    assert_eq!(
        resolve("Device.IP.Interface.[Alias==\"LAN\"].Name"),
        ["Device.IP.Interface.3.Name"]
    );
    assert_eq!(
        resolve("Device.NAT.PortMapping.[RemoteHost==\"\"&&ExternalPort==0&&Protocol==\"TCP\"]."),
        ["Device.NAT.PortMapping.1."]
    );
    // A unique key that matches nothing is an address that does not exist...
    assert_eq!(error("Device.IP.Interface.[Name==\"eth9\"]."), 7016);
    // ...while a partial key is a search, which may match nothing (R-GET.1a).
    assert!(resolve("Device.NAT.PortMapping.[Protocol==\"UDP\"].").is_empty());
}

/// "Search Expression Examples", each against fixture data that it matches and misses.
#[test]
fn spec_search_examples() {
    assert_eq!(
        resolve("Device.IP.Interface.[Type==\"Normal\"].Status"),
        [
            "Device.IP.Interface.1.Status",
            "Device.IP.Interface.3.Status"
        ]
    );
    assert_eq!(
        resolve(
            "Device.IP.Interface.[Type==\"Normal\"].IPv4Address.[AddressingType==\"Static\"].IPAddress"
        ),
        [
            "Device.IP.Interface.1.IPv4Address.1.IPAddress",
            "Device.IP.Interface.3.IPv4Address.1.IPAddress"
        ]
    );
    assert_eq!(
        resolve(
            "Device.IP.Interface.[Type==\"Normal\"&&Stats.ErrorsSent>0].IPv4Address.[AddressingType==\"Static\"].IPAddress"
        ),
        ["Device.IP.Interface.1.IPv4Address.1.IPAddress"]
    );
    for path in [
        "Device.DSL.Line.[Enable==true].CurrentProfile",
        "Device.DSL.Line.[Enable==1].CurrentProfile",
    ] {
        assert_eq!(resolve(path), ["Device.DSL.Line.1.CurrentProfile"]);
    }
    assert_eq!(
        resolve("Device.IP.Interface.*.IPv6Address.[ValidLifetime<2021-06-06T08:00:00Z].IPAddress"),
        [
            "Device.IP.Interface.1.IPv6Address.1.IPAddress",
            "Device.IP.Interface.3.IPv6Address.1.IPAddress"
        ]
    );
    assert_eq!(
        resolve("Device.USB.USBHosts.Host.*.Device.[DeviceClass==08]."),
        ["Device.USB.USBHosts.Host.1.Device.1."]
    );
    assert_eq!(
        resolve("Device.PCP.Client.*.Server.[Capabilities~=\"IPv6Firewall\"]."),
        ["Device.PCP.Client.1.Server.1."]
    );
    assert_eq!(
        resolve("Device.PeriodicStatistics.SampleSet.[SampleSeconds~=5]."),
        ["Device.PeriodicStatistics.SampleSet.1."]
    );
    // R-ARC.9a: whitespace around operators is tolerated.
    assert_eq!(
        resolve("Device.IP.Interface.[Type == \"Normal\"&&Enable != false].Name"),
        ["Device.IP.Interface.1.Name"]
    );
}

/// "Searches that are NOT VALID" and the typing rules: 7008 once the type is known.
#[test]
fn search_type_rules() {
    assert_eq!(
        error("Device.DSL.Line.[Enable==\"true\"].CurrentProfile"),
        7008
    );
    assert_eq!(error("Device.IP.Interface.[Name<\"eth\"]."), 7008);
    assert_eq!(error("Device.DSL.Line.[Enable>=true]."), 7008);
    assert_eq!(error("Device.IP.Interface.[Name~=\"eth0\"]."), 7008);
    assert_eq!(
        error("Device.PeriodicStatistics.SampleSet.[SampleSeconds~=\"5\"]."),
        7008
    );
    assert_eq!(error("Device.IP.Interface.[Stats.ErrorsSent>-1]."), 7008);
    // An expression parameter that is not in the model, or that is a table.
    assert_eq!(error("Device.IP.Interface.[Nope==1]."), 7026);
    assert_eq!(
        error("Device.IP.Interface.[IPv4Address.Enable==true]."),
        7026
    );
    // Numbers compare by value: 0123 == 123; lists compare whole with ==.
    assert_eq!(
        resolve("Device.IP.Interface.[Stats.ErrorsSent==+003].Name"),
        ["Device.IP.Interface.1.Name"]
    );
    assert_eq!(
        resolve("Device.PeriodicStatistics.SampleSet.[SampleSeconds==\"50,15\"]."),
        ["Device.PeriodicStatistics.SampleSet.2."]
    );
    assert_eq!(
        resolve("Device.WiFi.AccessPoint.*.AssociatedDevice.[SignalStrength>=-60].MACAddress")
            .len(),
        2
    );
}

/// "Searching by Wildcard" (R-ARC.10).
#[test]
fn wildcards() {
    assert_eq!(resolve("Device.IP.Interface.*.").len(), 3);
    assert_eq!(
        resolve("Device.IP.Interface.*.IPv4Address.*.IPAddress").len(),
        4
    );
    assert_eq!(error("Device.LocalAgent.Controller.*.Boot!"), 7026);
    assert_eq!(
        resolve("Device.WiFi.AccessPoint.*.AssociatedDevice.*.").len(),
        3
    );
    // A wildcard needs a table.
    assert_eq!(error("Device.DeviceInfo.*."), 7026);
}

/// "Reference Following" and "List of References", with references by unique key
/// (R-ARC.11) and weak references that dangle.
#[test]
fn reference_following() {
    assert_eq!(
        resolve("Device.NAT.PortMapping.1.Interface+.Name"),
        ["Device.IP.Interface.1.Name"]
    );
    assert_eq!(
        resolve("Device.NAT.PortMapping.2.Interface+.Name"),
        ["Device.IP.Interface.3.Name"]
    );
    assert_eq!(
        resolve("Device.NAT.PortMapping.1.Interface+."),
        ["Device.IP.Interface.1."]
    );
    assert_eq!(
        resolve("Device.WiFi.SSID.1.LowerLayers#1+.Name"),
        ["Device.WiFi.Radio.1.Name"]
    );
    assert_eq!(
        resolve("Device.WiFi.SSID.1.LowerLayers+.Name"),
        ["Device.WiFi.Radio.1.Name"]
    );
    assert_eq!(
        resolve("Device.WiFi.SSID.1.LowerLayers#2+.Name"),
        ["Device.WiFi.Radio.2.Name"]
    );
    assert_eq!(
        resolve("Device.WiFi.SSID.*.LowerLayers#*+.Name"),
        ["Device.WiFi.Radio.1.Name", "Device.WiFi.Radio.2.Name"]
    );
    assert_eq!(
        resolve("Device.LocalAgent.Subscription.2.Recipient+.EndpointID"),
        ["Device.LocalAgent.Controller.2.EndpointID"]
    );
    // A weak reference to an instance that does not exist, an empty reference.
    assert_eq!(error("Device.NAT.PortMapping.1.Monitor+.Name"), 7016);
    assert_eq!(error("Device.NAT.PortMapping.2.Monitor+.Name"), 7016);
    assert_eq!(error("Device.WiFi.SSID.2.LowerLayers#2+.Name"), 7016);
    assert!(resolve("Device.NAT.PortMapping.*.Monitor+.Name").is_empty());
    // Not a reference.
    assert_eq!(error("Device.IP.Interface.1.Name+.Name"), 7026);
    // "Search Expressions and Reference Following".
    assert_eq!(
        resolve(
            "Device.WiFi.AccessPoint.[SSIDReference+.SSID==\"MyHome\"].AssociatedDevice.[OperatingStandard==\"ac\"].SignalStrength"
        ),
        ["Device.WiFi.AccessPoint.1.AssociatedDevice.1.SignalStrength"]
    );
    assert_eq!(
        resolve("Device.WiFi.SSID.[LowerLayers#*+.Name==\"wifi0\"].SSID"),
        ["Device.WiFi.SSID.1.SSID"]
    );
    assert_eq!(
        resolve("Device.WiFi.SSID.[LowerLayers#*+.Name==\"wifi1\"].SSID"),
        ["Device.WiFi.SSID.1.SSID", "Device.WiFi.SSID.2.SSID"]
    );
}

/// Paths outside the Supported Data Model are 7026; missing instances 7016 (7026 in
/// a Get, R-GET.0).
#[test]
fn errors() {
    assert_eq!(error("Device.Nope."), 7026);
    assert_eq!(error("Other.IP."), 7026);
    assert_eq!(error("Device.IP.Interface.1.Nope"), 7026);
    assert_eq!(error("Device.IP.Interface.Name"), 7026);
    assert_eq!(error("Device.DeviceInfo.1."), 7026);
    assert_eq!(error("Device.IP"), 7026);
    assert_eq!(error("Device.Nope()"), 7026);
    assert_eq!(error("Device.IP.Interface.9."), 7016);
    // A search below a missing instance matches nothing.
    assert!(resolve("Device.IP.Interface.9.IPv4Address.*.").is_empty());
    let (schema, data) = fixture();
    let model = DataModel::new(&schema, &data);
    let err = model
        .get(&"Device.IP.Interface.9.Name".parse().unwrap(), 0)
        .unwrap_err();
    assert_eq!(err.code().get(), 7026);
    assert_eq!(err.kind(), &ResolveErrorKind::NoSuchInstance);
    // A search that matches no instance is not an error (R-GET.1a).
    assert!(
        model
            .get(
                &"Device.IP.Interface.[Type==\"Tunnel\"].".parse().unwrap(),
                0
            )
            .unwrap()
            .is_empty()
    );
}

/// R-GET.2/3 (a Parameter Path gives its object and that parameter), R-GET.5 and the
/// `max_depth` table of "Get Examples".
#[test]
fn get_and_max_depth() {
    let (schema, data) = fixture();
    let model = DataModel::new(&schema, &data);
    let get = |path: &str, depth: u32| -> Vec<String> {
        model
            .get(&path.parse().unwrap(), depth)
            .unwrap()
            .into_iter()
            .map(|r| r.resolved_path)
            .collect()
    };
    let one = model
        .get(&"Device.DeviceInfo.ModelName".parse().unwrap(), 0)
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].resolved_path, "Device.DeviceInfo.");
    assert_eq!(one[0].params.len(), 1);
    assert_eq!(one[0].params["ModelName"], "X1");

    let all = [
        "Device.DeviceInfo.",
        "Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.",
    ];
    assert_eq!(get("Device.DeviceInfo.", 0), all);
    assert_eq!(get("Device.DeviceInfo.", 1), ["Device.DeviceInfo."]);
    // TemperatureStatus. has no parameters, so depth 2 adds nothing (R-GET.1b).
    assert_eq!(get("Device.DeviceInfo.", 2), ["Device.DeviceInfo."]);
    assert_eq!(get("Device.DeviceInfo.", 3), all);

    // The SSID example: max_depth 2 includes Stats, 1 does not.
    let ssid = "Device.WiFi.SSID.[SSID==\"MyHome\"&&BSSID==\"00:11:22:33:44:55\"].";
    assert_eq!(
        get(ssid, 2),
        ["Device.WiFi.SSID.1.", "Device.WiFi.SSID.1.Stats."]
    );
    assert_eq!(get(ssid, 1), ["Device.WiFi.SSID.1."]);
    let results = model.get(&ssid.parse().unwrap(), 2).unwrap();
    assert_eq!(results[0].params["SSID"], "MyHome");
    assert_eq!(results[1].params["BytesReceived"], "892806908296");

    // A table path gives its instances.
    assert_eq!(
        get("Device.LocalAgent.Controller.", 1),
        [
            "Device.LocalAgent.Controller.1.",
            "Device.LocalAgent.Controller.2."
        ]
    );
    assert_eq!(
        model
            .get(&"Device.Reboot()".parse().unwrap(), 0)
            .unwrap_err()
            .code()
            .get(),
        7026
    );
}

#[test]
fn get_instances() {
    let (schema, data) = fixture();
    let model = DataModel::new(&schema, &data);
    let gi = |path: &str, first: bool| model.get_instances(&path.parse().unwrap(), first);
    let first = gi("Device.IP.Interface.", true).unwrap();
    assert_eq!(first.len(), 3);
    assert_eq!(first[0].path, "Device.IP.Interface.1.");
    assert_eq!(first[0].unique_keys["Name"], "eth0");
    assert_eq!(first[0].unique_keys["Alias"], "WAN");
    let all = gi("Device.IP.Interface.", false).unwrap();
    // 3 interfaces, 4 IPv4 and 4 IPv6 addresses.
    assert_eq!(all.len(), 11);
    assert_eq!(all[1].path, "Device.IP.Interface.1.IPv4Address.1.");
    let subs = gi("Device.LocalAgent.Subscription.*.", true).unwrap();
    assert_eq!(subs[1].unique_keys.len(), 3);
    assert_eq!(gi("Device.LocalAgent.", false).unwrap().len(), 5);
    assert_eq!(
        gi("Device.LocalAgent.", true).unwrap_err().code().get(),
        7018
    );
    assert_eq!(
        gi("Device.IP.Interface.1.Name", true)
            .unwrap_err()
            .code()
            .get(),
        7026
    );
}

#[test]
fn get_supported_dm() {
    let schema = fixture::schema();
    let paths = |path: &str, first: bool| -> Vec<String> {
        schema
            .get_supported_dm(path, first)
            .unwrap()
            .into_iter()
            .map(|id| schema.object(id).path().to_owned())
            .collect()
    };
    assert_eq!(
        paths("Device.IP.Interface.{i}.", true),
        [
            "Device.IP.Interface.{i}.",
            "Device.IP.Interface.{i}.IPv4Address.{i}.",
            "Device.IP.Interface.{i}.IPv6Address.{i}.",
            "Device.IP.Interface.{i}.Stats.",
        ]
    );
    // The final {i}. may be left out; instantiated paths map to supported ones.
    assert_eq!(
        paths("Device.IP.Interface.", true),
        paths("Device.IP.Interface.{i}.", true)
    );
    assert_eq!(
        paths("Device.IP.Interface.2.", false),
        paths("Device.IP.Interface.{i}.", false)
    );
    assert_eq!(paths("Device.IP.", false).len(), 5);
    assert_eq!(paths("Device.", false).len(), schema.objects().len());
    assert_eq!(paths("Device.Reboot()", false), ["Device."]);
    let unique: Vec<_> = schema
        .object(
            schema
                .object_by_path("Device.LocalAgent.Subscription.{i}.")
                .unwrap(),
        )
        .unique_keys()
        .to_vec();
    assert_eq!(
        unique,
        [
            vec!["Alias".to_owned()],
            vec!["Recipient".to_owned(), "ID".to_owned()]
        ]
    );
    assert_eq!(
        schema
            .get_supported_dm("Device.Nope.", false)
            .unwrap_err()
            .code()
            .get(),
        7026
    );
    assert_eq!(
        schema
            .get_supported_dm("Device..", false)
            .unwrap_err()
            .code()
            .get(),
        7008
    );
}

/// What Set, Add, Delete and Operate need.
#[test]
fn write_targets() {
    let (schema, data) = fixture();
    let model = DataModel::new(&schema, &data);
    let p = |s: &str| s.parse::<Path>().unwrap();
    assert_eq!(
        model
            .objects(&p("Device.LocalAgent.Controller.[Enable==true]."))
            .unwrap(),
        ["Device.LocalAgent.Controller.1."]
    );
    assert_eq!(
        model
            .tables(&p("Device.IP.Interface.*.IPv4Address."))
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        model
            .tables(&p("Device.DeviceInfo."))
            .unwrap_err()
            .code()
            .get(),
        7018
    );
    assert_eq!(
        model
            .instances(&p("Device.IP.Interface.[Type==\"Normal\"]."))
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        model
            .instances(&p("Device.DeviceInfo."))
            .unwrap_err()
            .code()
            .get(),
        7018
    );
    assert_eq!(
        model.commands(&p("Device.IP.Interface.*.Reset()")).unwrap(),
        [
            "Device.IP.Interface.1.Reset()",
            "Device.IP.Interface.2.Reset()",
            "Device.IP.Interface.3.Reset()"
        ]
    );
    assert_eq!(
        model.commands(&p("Device.ScheduleTimer()")).unwrap(),
        ["Device.ScheduleTimer()"]
    );
    assert_eq!(
        model.commands(&p("Device.IP.")).unwrap_err().code().get(),
        7026
    );
}

#[test]
fn schema_errors() {
    use usp_datamodel::{ParamType, SchemaError};
    let mut b = SupportedModel::builder("Device");
    b.object("Device.A.B.");
    assert!(matches!(b.build(), Err(SchemaError::MissingParent(_))));
    let mut b = SupportedModel::builder("Device");
    b.object("Device.T.{i}.").unique_key(&["Nope"]);
    assert!(matches!(b.build(), Err(SchemaError::UnknownKey { .. })));
    let mut b = SupportedModel::builder("Device");
    b.object("Device.T.")
        .param("R", ParamType::weak_ref("Device.X.{i}."));
    assert!(matches!(b.build(), Err(SchemaError::UnknownTarget { .. })));
    let mut b = SupportedModel::builder("Device");
    b.object("Device.T.")
        .param("A", ParamType::string())
        .param("A", ParamType::string());
    assert!(matches!(b.build(), Err(SchemaError::Duplicate(_))));
}
