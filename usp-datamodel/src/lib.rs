//! User Services Platform (USP, TR-369) path names and search expressions, the
//! foundation of a data-model engine.
//!
//! USP addresses everything in an Agent's data model with Path Names (TR-369,
//! architecture chapter, "Path Names"). This crate parses, checks, inspects and matches
//! them, and answers every syntax error with the byte offset of the fault and USP error
//! `7008` *Invalid path syntax*.
//!
//! # The kinds of paths
//!
//! | kind | example | type |
//! | :--- | :------ | :--- |
//! | Object Path | `Device.IP.Interface.` | [`ObjectPath`] |
//! | Object Instance Path | `Device.IP.Interface.3.` | [`ObjectInstancePath`] |
//! | Parameter Path | `Device.IP.Interface.3.Status` | [`ParamPath`] |
//! | Command Path | `Device.IP.Interface.3.Reset()` | [`CommandPath`] |
//! | Event Path | `Device.Boot!` | [`EventPath`] |
//! | Search Path | `Device.IP.Interface.[Type=="Normal"].Status` | [`SearchPath`] |
//! | Supported Data Model path | `Device.IP.Interface.{i}.Status` | [`SupportedPath`] |
//! | Relative Path | `Stats.BytesSent` | [`RelativePath`] |
//!
//! [`Path`] holds any path of the Instantiated Data Model; its [`kind`](Path::kind)
//! ([`PathKind`]) says what it ends at, and [`is_search`](Path::is_search) whether it
//! searches. A Search Path can end at anything (`Device.IP.Interface.*.Reset()` is a
//! command search), so the typed wrappers fix the kind only, except [`SearchPath`],
//! which requires a search. A path is a sequence of [`Segment`]s: names, Instance
//! Identifiers (an [`InstanceNumber`], the wildcard `*`, or an [`Expression`] in square
//! brackets) and reference following (`+`, `#2+`, `#*+`, see [`ReferenceIndex`]).
//!
//! ```
//! use usp_datamodel::{Operator, Path, PathKind, Segment};
//!
//! let path: Path =
//!     "Device.IP.Interface.[Name==\"eth0\"].IPv4Address.[Status==\"Enabled\"].IPAddress".parse()?;
//! assert_eq!(path.kind(), PathKind::Parameter);
//! assert!(path.is_search());
//! assert_eq!(path.name(), Some("IPAddress"));
//!
//! let exprs: Vec<_> = path.expressions().collect();
//! let first = exprs[0].comparisons().next().unwrap();
//! assert_eq!(first.parameter(), "Name");
//! assert_eq!(first.operator(), Operator::Eq);
//! assert_eq!(first.constant().value(), "eth0");
//! assert!(exprs[0].addresses_unique_key(&["Name"]));
//!
//! // Exact round trip: the text is kept as given.
//! assert_eq!(path.to_string(), "Device.IP.Interface.[Name==\"eth0\"].IPv4Address.[Status==\"Enabled\"].IPAddress");
//!
//! // Every rejection says where and why, and maps to 7008.
//! let err = "Device.IP.Interface.[].".parse::<Path>().unwrap_err();
//! assert_eq!(err.offset(), 20);
//! assert_eq!(err.to_string(), "invalid path at byte 20: the search expression is empty");
//! assert_eq!(err.code().get(), 7008);
//! # Ok::<(), usp_datamodel::PathError>(())
//! ```
//!
//! # Matching, and where a data-model engine plugs in
//!
//! [`Path::matches`] tells whether a concrete path (names and Instance Numbers only)
//! is one of the paths a search path addresses, and [`Path::covers`] whether it is or
//! lies below one. The structural part needs only the two paths; a search expression or
//! unique-key address needs the data model's values, so matching returns
//! [`Match::NeedsEvaluation`] for it. [`Path::matches_with`] takes an evaluator,
//! `FnMut(instance_path, &Expression) -> bool`, which is where a data-model engine plugs
//! in; it uses [`Comparison::check_type`] to apply the type rules (such as "`~=` only for
//! lists"). [`Path::to_supported`] gives the Supported Data Model path of a path, to look
//! up definitions.
//!
//! ```
//! use usp_datamodel::{Match, Path};
//!
//! let search: Path = "Device.IP.Interface.*.IPv6Address.[ValidLifetime<2021-06-06T08:00:00Z].IPAddress".parse()?;
//! let concrete: Path = "Device.IP.Interface.2.IPv6Address.1.IPAddress".parse()?;
//! assert_eq!(search.matches(&concrete), Match::NeedsEvaluation);
//! assert_eq!(search.matches_with(&concrete, |_instance, _expr| true), Match::Yes);
//! assert_eq!(search.to_supported().unwrap(), "Device.IP.Interface.{i}.IPv6Address.{i}.IPAddress");
//! # Ok::<(), usp_datamodel::PathError>(())
//! ```
//!
//! # Text, equality and round trip
//!
//! Every path type keeps its text exactly as parsed: `Display` writes it back, so
//! `s.parse::<Path>()?.to_string() == s` for every valid `s`, including the whitespace
//! tolerated around expression operators (R-ARC.9a). Equality, ordering and hashing
//! compare the text, so `[Type == "Normal"]` and `[Type=="Normal"]` are different paths;
//! [`Path::to_canonical`] removes that whitespace (R-ARC.9b says Controllers should not
//! send it). Cloning is a reference-count increment.
//!
//! # Decisions where the specification leaves room
//!
//! The grammar is the BNF of "Data Model Path Grammar", widened where the prose of the
//! same chapter (or TR-106, which R-ARC.7 refers to) uses paths the BNF cannot produce:
//!
//! * **Expression Constants** are a quoted string (anything but `"`, with percent-escapes
//!   such as `%22` and `%25`) or an unquoted run of `[A-Za-z0-9+.:-]`: the BNF's
//!   `number` has no sign and no leading zeros, but the prose uses `true`, `08`, `+123`,
//!   `0123` and `2021-06-06T08:00:00Z`. Whether a constant suits its parameter needs the
//!   parameter's type, so [`Comparison::check_type`] checks that once the type is known;
//!   this is how `[Enable=="true"]` is rejected for a `boolean`.
//! * **Percent-escapes**: every `%HH` in a string is decoded (not just `%22` and `%25`);
//!   a `%` not followed by two hexadecimal digits is rejected, since "a literal percent
//!   character has to be quoted as %25", and so are escapes that decode to invalid UTF-8.
//! * **Whitespace** (spaces and tabs) is accepted on either side of an Expression Operator
//!   (`==`, `!=`, `~=`, `<`, `>`, `<=`, `>=`) only, which is what R-ARC.9a names; not
//!   around `&&`, not after `[` or before `]`, and nowhere else.
//! * **Object Instance Paths without the trailing `.`**, such as `Device.IP.Interface.3` and
//!   `Device.IP.Interface.[Name=="eth0"]`, are accepted: the specification writes them
//!   so in "Addressing by Instance Number" and "Addressing by Unique Key", and reference
//!   values have no trailing dot. [`Path::ends_with_dot`] tells them apart. An Object Path
//!   without its dot (`Device.IP.Interface`) cannot be told from a Parameter Path and
//!   parses as one.
//! * **Reference following** is accepted after any name but the first, as `+`, `#n+` or
//!   `#*+`, and must be followed by `.`: `Device.NAT.PortMapping.1.Interface+.Name` (which
//!   the BNF cannot produce as a Parameter Path) and `...Interface+.` (the referenced
//!   Object; its kind is [`PathKind::Object`]) are valid, a trailing `Interface+` is not.
//!   After `+.` comes a name. `#*+` counts as a wildcard ("use a wildcard ... to follow
//!   all references"), so it makes a Search Path.
//! * **Names** are `[A-Za-z_][A-Za-z0-9_-]*`: the BNF has no `-`, but TR-106 vendor
//!   prefixes built from domain names contain one (`X_EXAMPLE-COM_Foo`).
//! * **Instance Numbers** and list item numbers are 1 to 4294967295, without leading
//!   zeros (`01` and `0` are rejected).
//! * **The first name** of an absolute path is followed by `.` and is never a table, as in
//!   the BNF: `Device`, `Device!` and `Device.1.` are rejected.
//! * **Unique keys vs searches**: they share one syntax, so both are [`Expression`]s and
//!   both make [`Path::is_search`] true; [`Expression::addresses_unique_key`] decides once
//!   the table's unique key is known.
//! * **Supported Data Model paths** also allow `()` and `!` endings and a final `{i}`
//!   without `.`, as the specification writes them.
//! * **Relative Paths** start with a name and may be a single name; the first name may be
//!   followed by an Instance Identifier (`IPv4Address.1.IPAddress`).
//!
//! # Limits and panics
//!
//! Paths are at most [`Path::MAX_LEN`] (64 KiB) long. The grammar has no nesting, and the
//! parser is a single pass without recursion or backtracking that allocates in
//! proportion to the input. Nothing in this crate panics on any input, whether it comes
//! from a peer or from the caller; a fuzz target (`fuzz/fuzz_targets/path_parse.rs`)
//! checks that.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
mod matching;
mod model;
mod parse;
mod path;
mod repr;
mod search;
mod segment;
mod supported;
mod typed;
mod types;

/// Not part of the public API: unstable, for fuzzing and tests only.
#[doc(hidden)]
pub mod fuzzing;

pub use error::{Expected, PathError, PathErrorKind};
pub use matching::Match;
pub use model::fixture;
pub use model::instances::{Instances, MemoryInstances};
pub use model::resolve::{
    CurrInstance, DataModel, GetResult, ResolveError, ResolveErrorKind, Target,
};
pub use model::schema::{
    CommandDef, EventDef, Node, ObjectAccess, ObjectBuilder, ObjectDef, ObjectId, ParamAccess,
    ParamDef, ParamType, ReferenceKind, SchemaError, SupportedModel, SupportedModelBuilder,
};
pub use model::value::evaluate;
pub use path::{Path, PathKind, RelativePath};
pub use search::{Comparison, Comparisons, Constant, Expression, Operator, ParameterSegments};
pub use segment::{InstanceNumber, ReferenceIndex, Segment, Segments};
pub use supported::SupportedPath;
pub use typed::{CommandPath, EventPath, ObjectInstancePath, ObjectPath, ParamPath, SearchPath};
pub use types::DataType;

/// Runs the README example as a doctest, so that it stays correct.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
