//! Message Transfer Protocols for USP (TR-369): the [`Mtp`] trait that Agents and
//! Controllers program against, and its transports.
//!
//! An [`Mtp`] moves encoded USP Records: [`Inbound`] ones with the address to reply to,
//! [`Outbound`] ones to an [`MtpAddress`]. Transports never parse USP Messages; they send
//! their own Connect Record where the specification requires it (R-MTP.6) and pass
//! `DisconnectRecord`s up. The same Endpoint code runs over any transport chosen at run time,
//! as a `Box<dyn Mtp>`.
//!
//! | transport | type | feature |
//! | --- | --- | --- |
//! | in-process pair | [`MemoryMtp`] | always |
//! | WebSocket client and server, `ws://` | `websocket::WsClient`, `websocket::WsServer` | `websocket` |
//! | the same over TLS, `wss://`, mutual TLS | `websocket::TlsClientConfig`, `websocket::TlsServerConfig` | `websocket` and `rustls` (rustls with its ring provider) |
//! | UNIX domain socket, client and server | `uds::UdsClient`, `uds::UdsServer` | `uds` (unix only) |
//! | STOMP 1.2 client (through a broker such as RabbitMQ), TLS with rustls | `stomp::StompClient`, `stomp::FrameCodec` | `stomp` (TLS: and `rustls`) |
//! | MQTT 3.1.1 and 5 client (Agents and Controllers), `mqtts` and mutual TLS with `rustls` | `mqtt::MqttClient`, `mqtt::MqttTlsConfig` | `mqtt` (and `rustls`) |
//!
//! Errors are an opaque [`MtpError`] with a [`kind`](MtpError::kind), so that no
//! dependency's types (tungstenite, rumqttc, rustls) appear in this API.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod address;
mod error;
mod memory;
#[cfg(feature = "mqtt")]
#[cfg_attr(docsrs, doc(cfg(feature = "mqtt")))]
pub mod mqtt;
mod mtp;
mod poll_sender;
#[cfg(feature = "stomp")]
#[cfg_attr(docsrs, doc(cfg(feature = "stomp")))]
pub mod stomp;
#[cfg(all(feature = "uds", unix))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "uds", unix))))]
pub mod uds;
#[cfg(feature = "websocket")]
#[cfg_attr(docsrs, doc(cfg(feature = "websocket")))]
pub mod websocket;

pub use address::{ConnectionId, MtpAddress};
pub use error::{MtpError, MtpErrorKind};
pub use memory::MemoryMtp;
pub use mtp::{Inbound, Mtp, MtpExt, MtpKind, Outbound};
