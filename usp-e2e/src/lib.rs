//! The USP E2E Session Context (TR-369 section "End to End Message Exchange") as a sans-IO
//! state machine: sequence and expected identifiers, retransmission, segmentation and
//! reassembly, restarts, expiry and the retry policy, with no I/O and no clock.
//!
//! [`SessionContext`] handles one (local, remote) pair; [`E2eEndpoint`] routes Records
//! from several peers (an Agent with several Controllers) to their sessions. Payloads are
//! opaque [`bytes::Bytes`]: encoded Messages, produced and read by `usp-msg` or anything
//! else.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Instant;
//! use bytes::Bytes;
//! use usp_e2e::{Event, SessionConfig, SessionContext};
//!
//! let agent: usp_types::EndpointId = "os::00256D-0123456789".parse()?;
//! let controller: usp_types::EndpointId = "self::controller".parse()?;
//! let mut config = SessionConfig::default();
//! config.max_record_size(Some(512))?;
//! let config = Arc::new(config);
//! let mut a = SessionContext::new(agent.clone(), controller.clone(), config.clone(), 7);
//! let mut c = SessionContext::new(controller, agent, config, 9);
//!
//! // A 2 KiB Message is segmented into Records of at most 512 bytes...
//! let now = Instant::now();
//! a.send(now, Bytes::from(vec![b'x'; 2048]))?;
//! while let Some(record) = a.poll_transmit() {
//!     assert!(record.encoded_len() <= 512);
//!     c.handle_record(now, record)?;
//! }
//! // ...and delivered whole, once.
//! let messages: Vec<_> = std::iter::from_fn(|| c.poll_event())
//!     .filter_map(|e| match e { Event::Message(m) => Some(m), _ => None })
//!     .collect();
//! assert_eq!(messages, [Bytes::from(vec![b'x'; 2048])]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Not yet here
//!
//! Record integrity (`mac_signature`, R-E2E.28 to R-E2E.39) and TLS payload encapsulation
//! (`TLS12`, R-E2E.40 to R-E2E.43) are a later step: the session keeps `payload_security`
//! constant and lets a caller fail it ([`SessionContext::fail`]) when an integrity check
//! it does itself fails (R-E2E.23).
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod config;
mod endpoint;
mod error;
mod event;
mod retry;
mod sar;
mod session;

/// Not part of the public API: unstable, for fuzzing and tests only.
#[doc(hidden)]
pub mod fuzzing;
#[cfg(test)]
mod tests;

pub use config::{ConfigError, MIN_RECORD_SIZE, SessionConfig};
pub use endpoint::E2eEndpoint;
pub use error::E2eError;
pub use event::Event;
pub use session::{SEQUENCE_MARGIN, SessionContext};
