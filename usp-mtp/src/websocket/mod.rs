//! The WebSocket MTP (TR-369 section "WebSocket Binding"), on tokio-tungstenite.
//!
//! [`WsClient`] connects out (the usual Agent side, R-WS.5) and reconnects by itself with the
//! R-WS.19 retry algorithm; [`WsServer`] accepts many peers (the usual Controller side, and
//! the Agent side of R-WS.6). Both implement [`Mtp`](crate::Mtp) and need a tokio runtime.
//!
//! # Design
//!
//! Each WebSocket connection is driven by one background tokio task. The handle (the
//! `WsClient` or `WsServer` value) talks to the tasks over bounded channels only, and its
//! `poll_*` methods poll those channels, so the handle is cheap, `Send`, and usable as a
//! `Box<dyn Mtp>`:
//!
//! ```text
//!   handle ──start_send──▶ [bounded queue] ──▶ connection task ──▶ socket
//!   handle ◀──poll_recv─── [bounded queue] ◀── connection task ◀── socket
//! ```
//!
//! * A full outbound queue makes [`poll_ready`](crate::Mtp::poll_ready) wait: nothing is
//!   dropped for lack of room. [`poll_flush`](crate::Mtp::poll_flush) waits until every
//!   Record accepted so far has been written to the socket.
//! * A full inbound queue makes the connection tasks stop reading their sockets, so TCP flow
//!   control slows the peers down.
//! * Ping and Pong, the close handshake and the Connect Record are handled by the tasks.
//!
//! # What the transport does, requirement by requirement
//!
//! | requirement | where |
//! | --- | --- |
//! | R-WS.1, R-WS.2: a `ws://` or `wss://` URI with a path | [`WsClientConfig::new`], [`WsServerConfig::path`] |
//! | R-WS.4: one session per pair of Endpoints | [`WsServer`]: a new connection from an Endpoint replaces its older one |
//! | R-WS.5, R-WS.6: originate and accept | [`WsClient`], [`WsServer`] |
//! | R-WS.7, R-WS.8, R-WS.13: handshake, close, control frames | tungstenite; close codes below |
//! | R-WS.9 to R-WS.12a: subprotocol `v1.usp` both ways | client fails without it; server answers HTTP 400 |
//! | R-WS.10a (deprecated), R-WS.11a to R-WS.11c: `bbf-usp-protocol` extension | optional on the client; parsed leniently and answered by the server |
//! | R-WS.10b, R-WS.10c: `eid` query parameter, percent-encoded | client adds it; server reads it |
//! | R-WS.14, R-WS.14a, R-WS.14b: binary frames, unfragmented out, fragmented in | yes |
//! | R-WS.16: close 1003 on a Record that cannot be extracted | text frames and unparseable Records |
//! | R-WS.17, R-WS.18: keepalive with a configurable interval | [`WsClientConfig::ping_interval`], [`WsServerConfig::ping_interval`] |
//! | R-WS.19 to R-WS.21: session retry | [`SessionRetry`] |
//! | R-WS.22 to R-WS.24: TLS, absolute time, wildcard names | feature `rustls`: `TlsClientConfig`, `TlsServerConfig` |
//! | R-MTP.6, R-MTP.8: `WebSocketConnectRecord` first on every connection | [`WsClientConfig::send_connect_record`] |
//! | R-MTP.7: `DisconnectRecord` before closing | [`WsClientConfig::disconnect_on_close`] |
//!
//! Close codes: 1003 for a text frame or a binary message that is not a USP Record (R-WS.16),
//! 1009 for a message larger than the configured maximum (RFC 6455 section 7.4.1: the USP
//! specification names no code for this case), 1002 for other WebSocket protocol errors,
//! 1000 for a normal close and for a connection replaced by a newer one from the same
//! Endpoint, 1001 when a server shuts down, 1011 when a keepalive times out.
//!
//! The transport never looks inside a Record: it calls
//! [`Record::decode`](usp_record::Record::decode) only to tell whether a received message is a
//! Record at all (R-WS.16). Checking the Records' `from_id` against the certificate
//! (R-SEC.0a) is the Endpoint's job: the server gives the peer certificate with
//! `WsServer::peer_certificate` and the helper `certificate_matches_endpoint_id` compares it.

mod client;
mod config;
mod handshake;
mod retry;
mod server;
mod session;
mod stream;
mod util;

#[cfg(feature = "rustls")]
mod san;
#[cfg(feature = "rustls")]
mod tls;

pub use client::{WsClient, WsClientState};
pub use config::{WsClientConfig, WsServerConfig};
pub use retry::{RetrySchedule, SessionRetry};
pub use server::WsServer;

#[cfg(feature = "rustls")]
pub use san::{certificate_endpoint_ids, certificate_matches_endpoint_id};
#[cfg(feature = "rustls")]
pub use tls::{TlsClientConfig, TlsServerConfig};

/// The WebSocket subprotocol for USP Records encoded with protocol buffers (R-WS.9).
pub const SUBPROTOCOL: &str = "v1.usp";
