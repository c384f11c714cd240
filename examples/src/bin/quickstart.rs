//! The quickstart: a USP Agent and a Controller talking over loopback WebSocket, in one
//! process, with no broker.
//!
//! ```text
//! cargo run -p usp-examples --bin quickstart
//! ```
//!
//! The Controller listens on `ws://127.0.0.1:<free port>/usp`; the Agent connects to it,
//! announces itself and sends `Device.Boot!`. The Controller then sends Get, Set, Add,
//! Delete and Operate (a synchronous and an asynchronous command) and prints every
//! exchange.

use std::time::Duration;

use tr369::agent::{Agent, Boot, NotifType, Subscription};
use tr369::controller::{Controller, ControllerEvent};
use tr369::msg::response::add::OperationStatus;
use tr369::msg::{Add, Delete, Get, Msg, Operate, Request, Set};
use tr369::mtp::websocket::{WsClient, WsClientConfig, WsServer, WsServerConfig};
use tr369::mtp::{ConnectionId, MtpAddress};
use tr369::types::EndpointId;
use tr369::{Error, Route};

/// Prints a request about to be sent.
fn show<R: Clone + Into<Request<'static>>>(to: &EndpointId, request: &R) {
    let msg = Msg::request("(request)", request.clone());
    println!("\n-> {to}\n{}", indent(&msg.to_string()));
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("   {l}\n")).collect()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let agent_id: EndpointId = "os::00256D-0123456789".parse()?;
    let controller_id: EndpointId = "self::quickstart-controller".parse()?;

    // The Controller: a WebSocket server on a free loopback port.
    let server = WsServer::bind(
        "127.0.0.1:0".parse()?,
        WsServerConfig::new(controller_id.clone()).path("/usp"),
    )
    .await?;
    let url = format!("ws://{}/usp", server.local_addr());
    let mut controller = Controller::builder(controller_id.clone());
    controller.mtp(server);
    controller.timeout(Duration::from_secs(5));
    let (controller, mut events) = controller.start();
    println!("Controller {controller_id} listening on {url}");

    // The Agent: a WebSocket client of the Controller, subscribed for it to Boot!,
    // new SSIDs and the end of asynchronous commands.
    let (schema, data) = usp_examples::cpe_model();
    let mut agent = Agent::builder(agent_id.clone(), schema, data);
    let ws = agent.mtp(WsClient::start(
        WsClientConfig::new(&url, agent_id.clone())?.peer_endpoint_id(controller_id.clone()),
    )?);
    let to_controller = MtpAddress::WebSocket {
        connection: ConnectionId::new(0),
        endpoint_id: Some(controller_id.clone()),
    };
    agent
        .controller(controller_id.clone(), Route::new(ws, to_controller))
        .handler(usp_examples::Cpe)
        .subscription(
            Subscription::new(
                "boot",
                controller_id.clone(),
                NotifType::Event,
                ["Device.Boot!"],
            )
            .retry(true, 0),
        )
        .subscription(Subscription::new(
            "new-ssid",
            controller_id.clone(),
            NotifType::ObjectCreation,
            ["Device.WiFi.SSID."],
        ))
        .subscription(Subscription::new(
            "done",
            controller_id.clone(),
            NotifType::OperationComplete,
            ["Device.SelfTestDiagnostics()"],
        ))
        .boot(Boot::new(
            "LocalReboot",
            [
                "Device.DeviceInfo.SoftwareVersion",
                "Device.DeviceInfo.ModelName",
            ],
        ));
    let agent = agent.start();
    println!("Agent {agent_id} connecting");

    // The Agent announces itself, then Boot! arrives.
    let mut booted = false;
    let mut connected = false;
    while !(booted && connected) {
        match tokio::time::timeout(Duration::from_secs(5), events.recv()).await? {
            Some(ControllerEvent::AgentConnected { agent }) => {
                println!("\n<- {agent} connected (WebSocketConnectRecord)");
                connected = true;
            }
            Some(ControllerEvent::Notify { agent, notify }) => {
                println!(
                    "\n<- {agent}\n{}",
                    indent(&Msg::request("(notify)", notify).to_string())
                );
                booted = true;
            }
            Some(other) => println!("\n<- {other:?}"),
            None => return Err("the controller stopped".into()),
        }
    }

    let a = &agent_id;
    let get = Get::new(["Device.DeviceInfo.", "Device.WiFi.SSID.*.SSID"]);
    show(a, &get);
    print_response(controller.get(a, get).await.map(Into::into));

    let set = Set::new().update("Device.DeviceInfo.", [("ProvisioningCode", "QUICKSTART")]);
    show(a, &set);
    print_response(controller.set(a, set).await.map(Into::into));

    let add = Add::new().create("Device.WiFi.SSID.", [("SSID", "Guest"), ("Enable", "true")]);
    show(a, &add);
    let added = controller.add(a, add).await;
    let new_path = added.as_ref().ok().and_then(|r| {
        r.created_obj_results
            .first()
            .and_then(|c| match &c.oper_status {
                Some(OperationStatus::OperSuccess(s)) => Some(s.instantiated_path.to_string()),
                _ => None,
            })
    });
    print_response(added.map(Into::into));
    if let Ok(Some(ControllerEvent::Notify { agent, notify })) =
        tokio::time::timeout(Duration::from_secs(5), events.recv()).await
    {
        println!(
            "\n<- {agent}\n{}",
            indent(&Msg::request("(notify)", notify).to_string())
        );
    }

    if let Some(path) = new_path {
        let delete = Delete::new([path]);
        show(a, &delete);
        print_response(controller.delete(a, delete).await.map(Into::into));
    }

    let reboot = Operate::new("Device.Reboot()").send_resp(true);
    show(a, &reboot);
    print_response(controller.operate(a, reboot).await.map(Into::into));

    let test = Operate::new("Device.SelfTestDiagnostics()")
        .command_key("selftest-1")
        .send_resp(true);
    show(a, &test);
    match controller.operate_and_wait(a, test).await {
        Ok(output) => {
            println!("\n<- {a} OperationComplete for selftest-1:");
            for (k, v) in output.iter() {
                println!("   {k} = {v}");
            }
        }
        Err(e) => println!("\n<- {a} failed: {e}"),
    }

    let bad = Get::new(["Device.NoSuchObject."]);
    show(a, &bad);
    print_response(controller.get(a, bad).await.map(Into::into));

    agent.close().await;
    controller.close().await;
    println!("\ndone");
    Ok(())
}

fn print_response(result: Result<tr369::msg::Response<'static>, Error>) {
    match result {
        Ok(resp) => println!(
            "<-\n{}",
            indent(&Msg::response("(response)", resp).to_string())
        ),
        Err(e) => println!("<- error: {e}"),
    }
}
