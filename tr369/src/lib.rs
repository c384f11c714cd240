//! USP (TR-369) Agents and Controllers in a few lines.
//!
//! This crate is the endpoint layer of the usp-rs family, and its front door: it
//! re-exports the other crates ([`types`], [`record`], [`msg`], [`datamodel`], [`e2e`],
//! [`mtp`]) and adds the two roles of the User Services Platform:
//!
//! * a [`Controller`](controller::Controller) sends Get, Set, Add, Delete, Operate,
//!   GetInstances, GetSupportedDM and GetSupportedProtocol requests to Agents and returns
//!   their typed responses (or a typed [`Error`]), with any number in flight; it receives
//!   notifications as [`ControllerEvent`](controller::ControllerEvent)s and answers
//!   `send_resp` by itself;
//! * an [`Agent`](agent::Agent) answers them from a data model
//!   ([`datamodel::SupportedModel`] and [`datamodel::MemoryInstances`]), asks the
//!   application's [`Handler`](agent::Handler) before writes and to run commands, and
//!   notifies subscribed Controllers (Boot!, ValueChange, ObjectCreation,
//!   ObjectDeletion, OperationComplete, events), retrying per R-NOT.1.
//!
//! Not yet: access control on the Agent side (every Controller may do everything), and
//! persistence of Subscriptions across restarts.
//!
//! Both run over any number of [`mtp::Mtp`] transports at once, chosen at run time, with
//! or without E2E sessions (segmentation included: give the session a maximum Record
//! size). Records go out in the kind of Record the peer used (R-MSG.0a); a peer is
//! reached on the transport and address it last sent from, or on a configured
//! [`Route`].
//!
//! # Features
//!
//! | feature | what it adds |
//! | --- | --- |
//! | `websocket` | `mtp::websocket`: WebSocket client and server |
//! | `uds` | `mtp::uds`: UNIX domain socket client and server |
//! | `mqtt` | `mtp::mqtt`: MQTT 3.1.1 and 5 client (rumqttc) |
//! | `stomp` | `mtp::stomp`: STOMP 1.2 client (our own codec) |
//! | `rustls` | TLS for the transports (`wss://`), with rustls and its ring provider |
//! | `json` | `msg::json`: canonical protobuf JSON for Messages |
//!
//! # Example
//!
//! An Agent and a Controller in one process, over an in-memory transport pair (the
//! `quickstart` example does the same over WebSocket):
//!
//! ```
//! use tr369::agent::{Agent, local_agent_model};
//! use tr369::controller::Controller;
//! use tr369::datamodel::{MemoryInstances, ParamType, SupportedModel};
//! use tr369::msg::{Get, Set};
//! use tr369::mtp::{MemoryMtp, MtpAddress};
//! use tr369::{MtpId, Route};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let agent_id: tr369::types::EndpointId = "os::00256D-0123456789".parse()?;
//! let controller_id: tr369::types::EndpointId = "self::controller".parse()?;
//!
//! // The Agent's data model.
//! let mut schema = SupportedModel::builder("Device");
//! schema
//!     .object("Device.DeviceInfo.")
//!     .param("SoftwareVersion", ParamType::string())
//!     .writable("ProvisioningCode", ParamType::string());
//! local_agent_model(&mut schema);
//! let mut data = MemoryInstances::new();
//! data.set("Device.DeviceInfo.", "SoftwareVersion", "1.0.3");
//!
//! let (agent_side, controller_side) = MemoryMtp::pair(64);
//! let mut agent = Agent::builder(agent_id.clone(), schema.build()?, data);
//! let mtp = agent.mtp(agent_side);
//! agent.controller(controller_id.clone(), Route::new(mtp, MtpAddress::Memory));
//! let _agent = agent.start();
//!
//! let mut controller = Controller::builder(controller_id);
//! let mtp = controller.mtp(controller_side);
//! controller.route(agent_id.clone(), Route::new(mtp, MtpAddress::Memory));
//! let (controller, _events) = controller.start();
//!
//! controller
//!     .set(&agent_id, Set::new().update("Device.DeviceInfo.", [("ProvisioningCode", "ABC")]))
//!     .await?;
//! let resp = controller.get(&agent_id, Get::new(["Device.DeviceInfo."])).await?;
//! assert_eq!(resp.value("Device.DeviceInfo.ProvisioningCode"), Some("ABC"));
//! assert_eq!(resp.value("Device.DeviceInfo.SoftwareVersion"), Some("1.0.3"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod agent;
pub mod controller;
mod error;
mod node;

pub use error::{Error, ParamFailure};
pub use node::{MtpId, Route};

/// Endpoint IDs, error codes, protocol versions (the `usp-types` crate).
pub use usp_types as types;

/// USP Records (the `usp-record` crate).
pub use usp_record as record;

/// USP Messages with builders (the `usp-msg` crate).
pub use usp_msg as msg;

/// Path names, search expressions and the data-model engine (the `usp-datamodel` crate).
pub use usp_datamodel as datamodel;

/// The E2E session context (the `usp-e2e` crate).
pub use usp_e2e as e2e;

/// The transports (the `usp-mtp` crate).
pub use usp_mtp as mtp;
