//! The STOMP MTP (specification section "STOMP Binding"): USP Records through a STOMP 1.2
//! message broker, such as RabbitMQ with its STOMP plugin.
//!
//! - [`StompClient`] connects to the broker, subscribes to this Endpoint's destination,
//!   and implements [`Mtp`](crate::Mtp) with [`MtpAddress::Stomp`](crate::MtpAddress::Stomp)
//!   addresses, for Agents and Controllers alike;
//! - [`FrameCodec`], [`Frame`] and [`Command`] are the STOMP 1.2 framing, sans-IO;
//! - [`HeartBeat`] and [`HeartBeatTimers`] are heart-beating, sans-IO;
//! - [`ServerRetry`] is the retry state's policy.
//!
//! Available with the `stomp` feature; TLS with the `rustls` feature too.
//!
//! # Destinations
//!
//! Each Endpoint subscribes to one destination, where the others send it Records. The
//! broker may assign it in the `CONNECTED` frame (`subscribe-dest`), which then wins over
//! the configured one. Every `SEND` names the sender's destination in `reply-to-dest`, and
//! replies go there. With RabbitMQ, USP deployments use durable queues, `/queue/<name>`:
//! Records sent to an Endpoint that is not connected wait for it.
//!
//! # What the client does for the specification
//!
//! | requirement | what happens |
//! | --- | --- |
//! | R-STOMP.2 | the session starts with a `STOMP` frame, `accept-version:1.2` |
//! | R-STOMP.3 | `login` and `passcode` from [`StompConfig::credentials`] |
//! | R-STOMP.4 | an `endpoint-id` header, escaped (`os\c\c0044...`) like every header of the `STOMP` frame |
//! | R-STOMP.5 | a `host` header from [`StompConfig::virtual_host`], when set |
//! | R-STOMP.6, R-STOMP.14 to R-STOMP.16 | the destination is `CONNECTED`'s `subscribe-dest`, else the configured one; with neither, `DISCONNECT` and the retry state |
//! | R-STOMP.7, R-STOMP.25 | a failed attempt, a lost connection or an `ERROR` frame lead to the retry state of [`ServerRetry`] |
//! | R-STOMP.8 to R-STOMP.11 | `heart-beat` from [`StompConfig::heart_beat`] (`0,0` by default), negotiated with `CONNECTED`, then sent and checked: see [`HeartBeatTimers`] |
//! | R-STOMP.12, R-STOMP.13, R-STOMP.17 | `SUBSCRIBE` with `destination` and `ack:auto` (and a receipt: the client counts as connected once it arrives, which must be within [`connect_timeout`](StompConfig::connect_timeout)) |
//! | R-STOMP.18 to R-STOMP.22 | every Record in a `SEND` with `content-length`, `content-type: application/vnd.bbf.usp.msg` and `reply-to-dest` |
//! | R-STOMP.23 | a received Record's [`reply_to`](crate::Inbound::reply_to) is its `reply-to-dest` |
//! | "Handling Errors" | `MESSAGE` frames of another `content-type` or empty are silently dropped (and counted); Records are passed up whole, for the Endpoint to parse and answer errors (R-MTP.5) |
//! | R-STOMP.26, R-STOMP.27 | no `BEGIN`, `COMMIT`, `ABORT`, `ACK` or `NACK` is ever sent |
//! | R-STOMP.28 | closing sends `DISCONNECT` (with a receipt, waited for) |
//! | R-STOMP.30 | receipts are asked for and used: Records are at-least-once |
//! | R-STOMP.36, R-STOMP.37 | TLS with rustls (feature `rustls`): `StompConfig::tls_roots_pem`, `StompConfig::tls_client_config` |
//! | R-MTP.6 | a `STOMPConnectRecord` to each [`connect_record`](StompConfig::connect_record) Controller once subscribed, on every connection |
//! | R-MTP.7 | a `DisconnectRecord` (7105) to each of them when closed |
//!
//! R-STOMP.29 (re-subscribing when the configured destination changes) is the Endpoint's:
//! start a new client with the new destination. R-STOMP.31 to R-STOMP.35 are for DNS-SD
//! and the broker. R-MTP.8 after a `DisconnectRecord` that the Endpoint sends itself on a
//! connection it keeps is the Endpoint's too: the client sends `STOMPConnectRecord`s only
//! on new connections.
//!
//! # Frames from the broker that are not right
//!
//! The codec's limits ([`StompConfig::max_frame_len`], [`max_header_len`](StompConfig::max_header_len),
//! [`max_headers`](StompConfig::max_headers)) bound what is buffered. A frame that breaks
//! them, or is malformed, is reported in [`StompClient::last_error`] with a typed
//! [`FrameError`] behind it. When the stream can be resynchronised (a `MESSAGE` over the
//! size limit is skipped, not buffered; an unknown command or a bad header drops that
//! frame) the connection and its subscription stay up; otherwise
//! ([`FrameError::is_fatal`]) the client reconnects.
//!
//! # Example
//!
//! An Agent and a Controller through a broker (here the broker is left out):
//!
//! ```no_run
//! use usp_mtp::stomp::{StompClient, StompConfig};
//! use usp_mtp::{MtpAddress, MtpExt, Outbound};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let agent_id = "os::012345-ABC".parse()?;
//! let controller_id = "self::controller".parse()?;
//! let mut controller = StompClient::connect(
//!     StompConfig::new("127.0.0.1", 61613, controller_id)
//!         .credentials("guest", "guest")
//!         .destination("/queue/usp-controller"),
//! )
//! .await?;
//! let mut agent = StompClient::connect(
//!     StompConfig::new("127.0.0.1", 61613, agent_id)
//!         .credentials("guest", "guest")
//!         .destination("/queue/usp-agent")
//!         .connect_record("self::controller".parse()?, "/queue/usp-controller"),
//! )
//! .await?;
//!
//! // The STOMPConnectRecord arrives first, and tells where the Agent is.
//! let connect = controller.recv().await?;
//! assert_eq!(
//!     connect.reply_to,
//!     MtpAddress::Stomp { destination: "/queue/usp-agent".into(), reply_to: None }
//! );
//! # let request = connect.record.clone();
//! controller.send(Outbound::new(request, connect.reply_to)).await?;
//! let received = agent.recv().await?;
//! # let response = received.record.clone();
//! agent.send(Outbound::new(response, received.reply_to)).await?; // to /queue/usp-controller
//! # Ok(())
//! # }
//! ```

mod client;
mod codec;
mod config;
mod connection;
mod frame;
mod heartbeat;
mod queue;
mod retry;
#[cfg(feature = "rustls")]
mod tls;

/// Invariant checks for the `stomp_frame_decode` fuzz target and its corpus replay test.
///
/// Not part of the public API: unstable, for fuzzing and tests only.
#[doc(hidden)]
pub mod fuzzing;

pub use client::{StompClient, StompClientState, StompStats};
pub use codec::{
    DEFAULT_MAX_FRAME_LEN, DEFAULT_MAX_HEADER_LEN, DEFAULT_MAX_HEADERS, Decoded, FrameCodec,
    FrameError,
};
pub use config::StompConfig;
pub use frame::{Command, Frame, escape, unescape};
pub use heartbeat::{HeartBeat, HeartBeatEvent, HeartBeatTimers, InvalidHeartBeat, Negotiated};
pub use retry::{ServerRetry, ServerRetrySchedule};

/// The `content-type` of a `SEND` frame carrying a USP Record (R-STOMP.20).
pub const CONTENT_TYPE: &str = "application/vnd.bbf.usp.msg";
