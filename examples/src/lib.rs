//! Shared pieces of the example programs: a small CPE data model and its handler, and the
//! batch writer of the telemetry pipeline.

pub mod batch;

use std::collections::BTreeMap;
use std::time::Duration;

use tr369::agent::{CommandReply, CommandRequest, Fault, Handler, local_agent_model};
use tr369::datamodel::{MemoryInstances, ObjectAccess, ParamType, SupportedModel};
use tr369::types::ErrorCode;

/// A small CPE: device information, Wi-Fi SSIDs, a reboot and a self-test.
pub fn cpe_model() -> (SupportedModel, MemoryInstances) {
    let mut m = SupportedModel::builder("Device");
    m.object("Device.DeviceInfo.")
        .param("Manufacturer", ParamType::string())
        .param("ModelName", ParamType::string())
        .param("SoftwareVersion", ParamType::string())
        .param("UpTime", ParamType::unsigned_int())
        .writable("ProvisioningCode", ParamType::string());
    m.object("Device.WiFi.");
    m.object("Device.WiFi.SSID.{i}.")
        .access(ObjectAccess::AddDelete)
        .unique_key(&["Alias"])
        .writable("Alias", ParamType::string())
        .writable("Enable", ParamType::boolean())
        .writable("SSID", ParamType::string());
    m.command("Device.Reboot()", false, &[], &[]);
    m.command(
        "Device.SelfTestDiagnostics()",
        true,
        &[],
        &["Status", "Results"],
    );
    local_agent_model(&mut m);
    let schema = m.build().expect("the quickstart model is valid");

    let mut data = MemoryInstances::new();
    for (p, v) in [
        ("Manufacturer", "Example Networks"),
        ("ModelName", "HomeGateway 9000"),
        ("SoftwareVersion", "4.2.1"),
        ("UpTime", "42"),
        ("ProvisioningCode", ""),
    ] {
        data.set("Device.DeviceInfo.", p, v);
    }
    let n = data.add_instance("Device.WiFi.SSID.");
    let row = format!("Device.WiFi.SSID.{n}.");
    data.set(&row, "Alias", "cpe-main");
    data.set(&row, "Enable", "true");
    data.set(&row, "SSID", "HomeNetwork");
    (schema, data)
}

/// The CPE's application side: runs the two commands.
#[derive(Debug, Clone, Copy)]
#[allow(clippy::exhaustive_structs)] // a unit handler, built by name in the examples
pub struct Cpe;

impl Handler for Cpe {
    fn operate(&mut self, request: CommandRequest) -> CommandReply {
        match request.path.as_str() {
            "Device.Reboot()" => CommandReply::Done(BTreeMap::new()),
            "Device.SelfTestDiagnostics()" => {
                let Some(completion) = request.completion else {
                    return CommandReply::Failed(Fault::new(
                        ErrorCode::COMMAND_FAILURE,
                        "no completion",
                    ));
                };
                // A long test runs on its own task and reports when done.
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    completion.complete(Ok(BTreeMap::from([
                        ("Status".to_owned(), "Complete".to_owned()),
                        (
                            "Results".to_owned(),
                            "memory ok, flash ok, radio ok".to_owned(),
                        ),
                    ])));
                });
                CommandReply::Started
            }
            other => CommandReply::Failed(Fault::new(
                ErrorCode::COMMAND_FAILURE,
                format!("{other} is not implemented"),
            )),
        }
    }
}
