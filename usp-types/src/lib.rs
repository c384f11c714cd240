//! Shared identifiers for the User Services Platform (USP, Broadband Forum TR-369).
//!
//! This is the bottom crate of the `usp-*` family. It holds the small value types that
//! must mean the same thing in every layer:
//!
//! * [`EndpointId`]: the `authority-scheme:authority-id:instance-id` names of USP
//!   Endpoints, with a strict constructor implementing R-ARC.2a to R-ARC.6 and a lenient
//!   one for IDs received from peers, plus [`AuthorityScheme`] and [`InvalidEndpointId`];
//! * [`ErrorCode`]: the USP error code space 7000–7999 as a newtype with a constant for
//!   every code the specification names, plus [`ErrorCategory`];
//! * [`UspVersion`]: the `Major.Minor` protocol version of Records and of
//!   GetSupportedProtocol, plus [`InvalidVersion`].
//!
//! # Why a separate crate
//!
//! USP has one error code space shared by two layers: the Record layer (`usp-record`,
//! codes 7100–7199, R-MTP.5) and the Message layer (`usp-msg`, codes 7000–7099). A code
//! produced by either ends up in the same `err_code` field, so [`ErrorCode`] has to live
//! below both. Endpoint IDs and versions are used by every layer from the Record up to
//! the transports in the same way. Keeping these types in a tiny crate with no
//! dependencies of its own lets it stay stable while the layers above change.
//!
//! # Example
//!
//! ```
//! use usp_types::{AuthorityScheme, EndpointId, ErrorCategory, ErrorCode, UspVersion};
//!
//! // Our own identity is checked against every rule of the specification.
//! let me = EndpointId::new("ops::00256D-STB-0123456789")?;
//! assert_eq!(me.authority_scheme(), AuthorityScheme::Ops);
//! assert_eq!(me.to_urn(), "urn:bbf:usp:id:ops::00256D-STB-0123456789");
//!
//! // A peer's ID only needs the right shape.
//! let peer = EndpointId::lenient("self::controller:1")?;
//! assert_eq!(peer.instance_id(), "controller:1");
//! assert!(!peer.is_conformant());
//!
//! // Error codes from both layers share one type.
//! let code = ErrorCode::from(7103);
//! assert_eq!(code, ErrorCode::SAR_NOT_SUPPORTED);
//! assert_eq!(code.category(), ErrorCategory::Record);
//! assert_eq!(code.to_string(), "7103 (Segmentation and reassembly not supported)");
//!
//! // Versions parse strictly and order numerically.
//! let theirs: UspVersion = "1.3".parse()?;
//! assert!(theirs < UspVersion::CURRENT);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Panics
//!
//! Nothing in this crate panics on any input, whether it comes from a peer or from the
//! caller.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod endpoint_id;
mod error_code;
mod version;

pub use endpoint_id::{AuthorityScheme, EndpointId, EndpointIdErrorKind, InvalidEndpointId};
pub use error_code::{ErrorCategory, ErrorCode};
pub use version::{InvalidVersion, UspVersion};

/// Runs the README example as a doctest, so that it stays correct.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
