//! Typed USP Records (TR-369, schema 1.5): decode, validate, build and encode the unit that
//! every Message Transfer Protocol carries.
//!
//! A [`Record`] holds the addressing (`to_id`, `from_id`, and since 1.5 `originator_id` and
//! `destination_id`), the protocol version, the security metadata and one [`RecordKind`]:
//! a Message outside a session ([`RecordKind::NoSessionContext`]), a Record of an E2E
//! Session Context ([`SessionContext`]), one of the MTP connect Records, or a
//! [`Disconnect`].
//!
//! ```
//! use usp_record::{Record, RecordKind};
//! use usp_types::EndpointId;
//!
//! let agent: EndpointId = "os::00256D-0123456789".parse()?;
//! let controller: EndpointId = "self::controller".parse()?;
//! let encoded_msg = bytes::Bytes::from_static(b"\x0a\x06\x0a\x02id\x10\x01");
//!
//! // Sending: build and encode.
//! let record = Record::no_session_context(controller.clone(), agent, encoded_msg.clone())?;
//! let wire = record.to_bytes();
//!
//! // Receiving: decode (the payload shares `wire`), check it is for us, act on it.
//! let received = Record::decode(wire)?;
//! received.check_addressing(&controller)?;
//! assert_eq!(received.no_session_context_payload(), Some(&encoded_msg));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! Decoding never panics. Input that is not a Record, or a Record that breaks the
//! specification (missing version or Endpoint IDs, no `record_type`, an empty
//! `no_session_context` payload per R-E2E.26, enum values the schema does not define,
//! inconsistent segmentation states) gives a [`RecordError`]; [`RecordError::code`] is the
//! USP error code, 7100 to 7106, to report it with. No allocation is ever larger than the
//! input, whatever length prefixes it holds.
//!
//! Received Endpoint IDs are checked with [`EndpointId::lenient`](usp_types::EndpointId::lenient),
//! because deployed implementations use IDs that bend the rules of R-ARC.2a;
//! [`EndpointId::check_conformance`](usp_types::EndpointId::check_conformance) applies the strict
//! rules when a deployment wants them.
//!
//! # What this crate does not do
//!
//! It never looks inside a payload: the Message schema is `usp-msg`'s, and the E2E Session
//! Context rules (sequence numbers, segmentation, retransmission) are `usp-e2e`'s.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod codec;
mod connect;
mod disconnect;
mod error;
/// Invariant checks for the fuzz targets and the corpus replay test.
///
/// Not part of the public API: unstable, for fuzzing and tests only.
#[doc(hidden)]
pub mod fuzzing;
mod record;
mod session_context;
mod wire;

pub use connect::{MqttConnect, MqttVersion, StompConnect, StompVersion};
pub use disconnect::Disconnect;
pub use error::{Malformed, RecordError};
pub use record::{Ignored, PayloadSecurity, Record, RecordKind};
pub use session_context::{Payload, SarState, SessionContext};

/// Internals shared with the sibling crates of the workspace (`usp-msg`). Not a public API:
/// it may change in any release.
#[doc(hidden)]
pub mod __private {
    /// Protobuf wire primitives.
    pub mod wire {
        pub use crate::wire::*;
    }
}
