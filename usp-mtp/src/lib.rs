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
//!
//! Errors are an opaque [`MtpError`] with a [`kind`](MtpError::kind), so that no
//! dependency's types (tungstenite, rumqttc, rustls) appear in this API.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod address;
mod error;
mod memory;
mod mtp;
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
