//! The UNIX domain socket MTP (specification section "UNIX Domain Socket Binding"): the
//! internal MTP between a USP Broker and the USP Services of one device.
//!
//! - [`UdsServer`] listens on a path and serves any number of clients;
//! - [`UdsClient`] connects to one, and reconnects;
//! - [`FrameCodec`], [`Frame`] and [`Tlv`] are the Frame format, sans-IO.
//!
//! Both ends implement [`Mtp`](crate::Mtp) and move encoded Records with
//! [`MtpAddress::Uds`](crate::MtpAddress::Uds) addresses. Available with the `uds` feature,
//! on unix.
//!
//! # Who listens, who connects
//!
//! In the device modularization of the specification (appendix "Software Modularization
//! and USP-Enabled Applications"), the USP Broker listens on two well-known sockets and
//! every USP Service connects:
//!
//! | socket | server (in the Broker) | client (in each Service) |
//! | --- | --- | --- |
//! | `/var/run/usp/broker_controller_path` | [`UdsServerConfig::controller`] | [`UdsClientConfig::agent`] |
//! | `/var/run/usp/broker_agent_path` | [`UdsServerConfig::agent`] | [`UdsClientConfig::controller`] |
//!
//! Whichever end is the Agent sends the `UDSConnectRecord` once the handshake is done: the
//! Service's Agent as a client, the Broker's Agent as a server. The [`UdsRole`] of a
//! configuration says which.
//!
//! # What the transport does for the specification
//!
//! | requirement | what happens |
//! | --- | --- |
//! | R-UDS.2, R-UDS.3 | [`UdsServer::bind`] listens (replacing a stale socket file) and accepts every client, up to [`max_connections`](UdsServerConfig::max_connections) |
//! | R-UDS.4 | [`UdsClient`] connects a `SOCK_STREAM` socket |
//! | R-UDS.5 | after a failed or closed connection the client tries again after a random 1 to 5 s ([`reconnect_delay`](UdsClientConfig::reconnect_delay)), for as long as it is open; queued Records wait and none is lost |
//! | R-UDS.6 to R-UDS.14 | [`FrameCodec`]: the `_USP` sync bytes, a 4-byte big-endian length, TLVs of a 1-byte type and a 4-byte length; the transport sends one TLV per Frame |
//! | R-UDS.15 | TLVs of other types are skipped |
//! | R-UDS.16, R-UDS.17 | the client sends its Handshake at once, the server answers a client's Handshake with its own |
//! | R-UDS.18 | the client closes a connection whose server's Handshake has not come 30 s after its own ([`handshake_timeout`](UdsClientConfig::handshake_timeout)); the server gives clients the same time ([`UdsServerConfig::handshake_timeout`]); both send an Error TLV first |
//! | R-UDS.19 | a Handshake after the first one is ignored (the requirement says "Type 2 (Handshake)"; Type 1 is meant) |
//! | R-UDS.20 | Record TLVs before the handshake is done are ignored: not passed up, and the connection stays open |
//! | R-UDS.21 | a Handshake that is not a UTF-8 Endpoint ID (or, with [`expected_peer`](UdsClientConfig::expected_peer), not the expected one) gets an Error TLV, and the connection is closed |
//! | R-UDS.22 | every Record is sent in a Frame of one Record TLV |
//! | R-UDS.23 | a Record TLV whose value is not a protobuf Record (malformed, or invalid UTF-8 in a string) gets an Error TLV and the connection is closed; a Record that decodes but breaks other rules is passed up, for the Endpoint to answer (R-MTP.5) |
//! | R-UDS.24 | bytes that are not a Frame (wrong sync bytes, a length above [`max_frame_len`](UdsServerConfig::max_frame_len) or of 0, TLVs that do not tile the Frame) get an Error TLV and the connection is closed |
//! | R-UDS.25 | an Error TLV received closes the connection |
//! | R-MTP.6 | an Agent sends a `UDSConnectRecord` first after every handshake |
//! | R-MTP.7 | an Agent sends a `DisconnectRecord` (code 7105, "Session Context terminated") before closing the transport |
//! | R-MTP.8 | after a `DisconnectRecord` it sent on a connection it keeps, an Agent sends a new `UDSConnectRecord` before the next Record |
//!
//! TLS over the socket (R-UDS.23a, R-UDS.23b) is optional in the specification and not
//! implemented. Records received are passed up whatever their kind, Connect and Disconnect
//! Records included.
//!
//! # Resources
//!
//! Everything is bounded: the Frame size ([`max_frame_len`](UdsServerConfig::max_frame_len),
//! 16 MiB by default, and 64 KiB until the peer's Handshake has arrived), the Records queued
//! each way ([`send_queue`](UdsServerConfig::send_queue),
//! [`recv_queue`](UdsServerConfig::recv_queue)), the connections, and the time a peer may
//! take to do its handshake or to read what is written to it
//! ([`write_timeout`](UdsServerConfig::write_timeout)).
//!
//! # Example
//!
//! A USP Broker's Controller and a USP Service's Agent, on a socket in a temporary
//! directory:
//!
//! ```
//! use usp_mtp::uds::{UdsClient, UdsClientConfig, UdsServer, UdsServerConfig};
//! use usp_mtp::{MtpExt, Outbound};
//! use usp_record::{Record, RecordKind};
//! use usp_types::EndpointId;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let path = std::env::temp_dir().join(format!("usp-uds-doc-{}.sock", std::process::id()));
//! let broker: EndpointId = "doc::broker".parse()?;
//! let service: EndpointId = "doc::service".parse()?;
//!
//! let mut server = UdsServer::bind(UdsServerConfig::controller(broker.clone(), &path))?;
//! let mut client = UdsClient::new(UdsClientConfig::agent(service.clone(), &path))?;
//!
//! // After the handshake the Agent's UDSConnectRecord arrives first (R-MTP.6).
//! let connect = server.recv().await?;
//! let record = Record::decode(connect.record)?;
//! assert_eq!(record.kind(), &RecordKind::UdsConnect);
//! assert_eq!(record.from_id(), &service);
//! assert_eq!(connect.reply_to.endpoint_id(), Some(&service));
//!
//! // Records both ways.
//! let to_server = client.connected().await?;
//! let msg = bytes::Bytes::from_static(b"an encoded USP Message");
//! let hello = Record::no_session_context(broker.clone(), service.clone(), msg)?.to_bytes();
//! client.send(Outbound::new(hello.clone(), to_server)).await?;
//! let inbound = server.recv().await?;
//! assert_eq!(inbound.record, hello);
//! server.send(Outbound::new(hello.clone(), inbound.reply_to)).await?;
//! assert_eq!(client.recv().await?.record, hello);
//!
//! client.close().await?;
//! server.close().await?;
//! assert!(!path.exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

mod client;
mod codec;
mod config;
mod connection;
mod queue;
mod server;

/// Invariant checks for the `uds_frame_decode` fuzz target and its corpus replay test.
///
/// Not part of the public API: unstable, for fuzzing and tests only.
#[doc(hidden)]
pub mod fuzzing;

pub use client::UdsClient;
pub use codec::{
    DEFAULT_MAX_FRAME_LEN, Frame, FrameCodec, FrameError, HEADER_LEN, SYNC, TLV_HEADER_LEN, Tlv,
    Tlvs,
};
pub use config::{HANDSHAKE_TIMEOUT, RECONNECT_DELAY, UdsClientConfig, UdsRole, UdsServerConfig};
pub use server::UdsServer;
