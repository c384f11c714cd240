//! USP Endpoint Identifiers (TR-369 section "Endpoint Identifier", R-ARC.2a to R-ARC.6).

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::Arc;

/// The prefix of the URN form of an Endpoint ID, as used in certificates.
const URN_PREFIX: &str = "urn:bbf:usp:id:";

/// An Endpoint Identifier: `authority-scheme ":" [authority-id] ":" instance-id`.
///
/// Endpoint IDs name USP Endpoints in the `to_id` and `from_id` of a USP Record and in
/// several Message fields. An `EndpointId` is immutable and stores the text in an
/// [`Arc<str>`] together with the positions of its two separating colons, so cloning is a
/// reference-count increment and the accessors are free.
///
/// # Strict and lenient construction
///
/// There are two ways to build one:
///
/// * [`EndpointId::new`] (and [`FromStr`], [`TryFrom`]) applies **every** rule of the
///   specification: the per-scheme rules of the R-ARC.2a table, the character set of
///   R-ARC.5 and the length limit of R-ARC.6. Use it for Endpoint IDs this endpoint
///   creates or is configured with.
/// * [`EndpointId::lenient`] only checks the general shape. Use it for Endpoint IDs
///   received from peers (the `from_id` of a Record, for example), because deployed
///   implementations sometimes get the finer rules slightly wrong and rejecting them
///   would make the peer unreachable. [`EndpointId::check_conformance`] tells whether a
///   leniently accepted ID would also pass the strict check.
///
/// Either way the ID is kept exactly as given: nothing is normalised (no case folding, no
/// percent-decoding), and equality, ordering and hashing compare the text byte by byte.
/// This matches the specification, which treats an Endpoint ID as an opaque string once it
/// is assigned.
///
/// # Decisions where the specification leaves room
///
/// * **"non-reserved characters"** (the `authority-id` of `self`, `user`, `proto` and
///   `doc`) is read as the RFC 3986 `unreserved` set: ASCII letters, digits, `-`, `.`, `_`
///   and `~`. (R-ARC.5 defines its own, narrower, `unreserved` without `~` for the
///   `instance-id`; that narrower set is used for the `instance-id`.)
/// * **R-ARC.6 length** is counted on the text as it appears, so a percent-encoded
///   character such as `%2F` counts as 3 characters. The instance-id is at most
///   [`MAX_INSTANCE_ID_LEN`](Self::MAX_INSTANCE_ID_LEN) (50) characters long.
/// * **OUIs** are hexadecimal digits of either case (`00256D` and `00256d` are both
///   accepted, but they are different Endpoint IDs). The OUI inside an `os` or `ops`
///   instance-id is "as defined above" in the table, so it may also have 6, 7 or 9 digits.
/// * **`pen`** is a decimal number without leading zeros that fits in 32 bits.
/// * **`uuid`** is the RFC 4122 textual form `8-4-4-4-12` in hexadecimal digits of either
///   case; the version and variant bits are not checked.
/// * **`imei`** is 15 decimal digits (an IMEI). 16 digits (an IMEISV, which carries a
///   software version instead of the check digit) are accepted too. The Luhn check digit
///   is not verified: the specification's own example, `imei::990000862471854`, does not
///   pass it.
/// * **`fqdn`** is a fully qualified domain name: at least two labels separated by `.`,
///   each 1 to 63 ASCII letters, digits or `-` that neither starts nor ends with `-`, the
///   last label not all digits, no trailing root `.`, at most 253 characters in total.
///   Wildcards (`*`) are not allowed. (R-ARC.6 limits the length to 50 anyway.)
/// * **Lenient IDs** may contain any Unicode character except control characters and
///   whitespace, with at most [`MAX_LEN`](Self::MAX_LEN) (1024) bytes in total.
///
/// Wildcarded instance-ids, which R-SEC.11 allows in certificates, are not Endpoint IDs
/// and are rejected by both constructors.
///
/// # Examples
///
/// ```
/// use usp_types::{AuthorityScheme, EndpointId};
///
/// let id: EndpointId = "os::00256D-0123456789".parse()?;
/// assert_eq!(id.authority_scheme(), AuthorityScheme::Os);
/// assert_eq!(id.authority_id(), "");
/// assert_eq!(id.instance_id(), "00256D-0123456789");
/// assert_eq!(id.to_urn(), "urn:bbf:usp:id:os::00256D-0123456789");
/// assert!(id.uses_bbf_reserved_authority());
///
/// // A peer's ID that breaks R-ARC.5 (':' in the instance-id) is still usable.
/// let peer = EndpointId::lenient("proto::agent:1")?;
/// assert!(!peer.is_conformant());
/// assert!(EndpointId::new("proto::agent:1").is_err());
/// # Ok::<(), usp_types::InvalidEndpointId>(())
/// ```
#[derive(Clone)]
pub struct EndpointId {
    id: Arc<str>,
    /// Byte offset of the colon after the authority-scheme.
    first_colon: usize,
    /// Byte offset of the colon after the authority-id.
    second_colon: usize,
}

impl EndpointId {
    /// The maximum length of an Endpoint ID in bytes, for both constructors.
    ///
    /// The specification sets no overall limit; this one bounds what a peer can make us
    /// store. A strictly valid ID is far shorter (see [`MAX_INSTANCE_ID_LEN`](Self::MAX_INSTANCE_ID_LEN)).
    pub const MAX_LEN: usize = 1024;

    /// The maximum length of an instance-id in the strict check (R-ARC.6), counting a
    /// percent-encoded character as the 3 characters it occupies.
    pub const MAX_INSTANCE_ID_LEN: usize = 50;

    /// The maximum length of the authority-scheme accepted by [`EndpointId::lenient`].
    pub const MAX_SCHEME_LEN: usize = 16;

    /// Parses an Endpoint ID, applying every rule of the specification.
    ///
    /// The checks are, in order: not empty and at most [`MAX_LEN`](Self::MAX_LEN) bytes; no
    /// control or whitespace characters; two `:` separators; a known authority-scheme;
    /// the authority-id rules of the R-ARC.2a table; a non-empty instance-id made only of
    /// the characters of R-ARC.5 with well-formed percent-encodings; at most 50
    /// characters (R-ARC.6); and the instance-id format required by the scheme (`os`,
    /// `ops`, `uuid`, `imei`, `fqdn`). See the [type docs](Self) for how the open points
    /// of the specification are decided.
    ///
    /// # Errors
    ///
    /// Returns [`InvalidEndpointId`] naming the first rule broken and its byte offset.
    ///
    /// # Examples
    ///
    /// ```
    /// use usp_types::{EndpointId, EndpointIdErrorKind};
    ///
    /// assert!(EndpointId::new("self::my-Agent").is_ok());
    /// let err = EndpointId::new("oui:00256:x").unwrap_err();
    /// assert_eq!(err.kind(), EndpointIdErrorKind::InvalidAuthorityId);
    /// assert_eq!(err.offset(), 4);
    /// ```
    pub fn new(s: impl AsRef<str>) -> Result<Self, InvalidEndpointId> {
        let s = s.as_ref();
        let (first_colon, second_colon) = split(s)?;
        check_strict(s, first_colon, second_colon)?;
        Ok(Self::from_parts(s, first_colon, second_colon))
    }

    /// Parses an Endpoint ID received from a peer, checking only its general shape.
    ///
    /// Accepted is `scheme ":" authority ":" instance`, split at the **first** two colons,
    /// where:
    ///
    /// * `scheme` is 1 to [`MAX_SCHEME_LEN`](Self::MAX_SCHEME_LEN) ASCII lowercase letters
    ///   or digits, whether or not it is a scheme the specification knows;
    /// * `authority` is any text without `:` (possibly empty);
    /// * `instance` is any non-empty text, and may contain `:`;
    /// * nowhere a control character or whitespace; other non-ASCII characters are allowed;
    /// * at most [`MAX_LEN`](Self::MAX_LEN) bytes in total.
    ///
    /// # Errors
    ///
    /// Returns [`InvalidEndpointId`] if the shape above is not met.
    ///
    /// # Examples
    ///
    /// ```
    /// use usp_types::{AuthorityScheme, EndpointId};
    ///
    /// let id = EndpointId::lenient("foo:bar:baz:1")?;
    /// assert_eq!(id.authority_scheme().as_str(), "foo");
    /// assert_eq!(id.authority_id(), "bar");
    /// assert_eq!(id.instance_id(), "baz:1");
    /// assert!(EndpointId::lenient("no-colons").is_err());
    /// # Ok::<(), usp_types::InvalidEndpointId>(())
    /// ```
    pub fn lenient(s: impl AsRef<str>) -> Result<Self, InvalidEndpointId> {
        let s = s.as_ref();
        let (first_colon, second_colon) = split(s)?;
        Ok(Self::from_parts(s, first_colon, second_colon))
    }

    /// Parses the URN form `urn:bbf:usp:id:<Endpoint ID>` used in the `subjectAltName` of
    /// certificates (R-SEC.0a), applying the strict rules of [`EndpointId::new`] to the
    /// Endpoint ID.
    ///
    /// The prefix `urn:bbf:usp:id:` is matched without regard to ASCII case. Strictly, RFC
    /// 8141 only makes `urn` and the namespace identifier `bbf` case-insensitive, but no
    /// other reading of a differently cased `usp:id:` is possible, so accepting it costs
    /// nothing. The Endpoint ID itself is kept exactly as written.
    ///
    /// # Errors
    ///
    /// [`EndpointIdErrorKind::MissingUrnPrefix`] if the prefix is absent; otherwise the
    /// errors of [`EndpointId::new`], with offsets counted from the start of the URN.
    ///
    /// # Examples
    ///
    /// ```
    /// use usp_types::EndpointId;
    ///
    /// let id = EndpointId::from_urn("urn:bbf:usp:id:self::my-Agent")?;
    /// assert_eq!(id, "self::my-Agent");
    /// assert_eq!(id.to_urn(), "urn:bbf:usp:id:self::my-Agent");
    /// # Ok::<(), usp_types::InvalidEndpointId>(())
    /// ```
    pub fn from_urn(s: &str) -> Result<Self, InvalidEndpointId> {
        let bytes = s.as_bytes();
        let prefix = URN_PREFIX.as_bytes();
        if let Some(i) = (0..prefix.len()).find(|&i| {
            bytes
                .get(i)
                .is_none_or(|b| !b.eq_ignore_ascii_case(&prefix[i]))
        }) {
            return Err(InvalidEndpointId::new(
                EndpointIdErrorKind::MissingUrnPrefix,
                i,
                "expected `urn:bbf:usp:id:`",
            ));
        }
        // The prefix matched ASCII bytes, so its end is a character boundary.
        let rest = &s[prefix.len()..];
        Self::new(rest).map_err(|e| e.shifted(prefix.len()))
    }

    /// Validated text becomes the shared `Arc<str>`: one allocation, one copy.
    fn from_parts(s: &str, first_colon: usize, second_colon: usize) -> Self {
        Self {
            id: Arc::from(s),
            first_colon,
            second_colon,
        }
    }

    /// The Endpoint ID as text, exactly as it was given.
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// The authority-scheme.
    ///
    /// For a known scheme this is a field-less variant. An ID accepted by
    /// [`EndpointId::lenient`] may carry a scheme the specification does not define; it is
    /// returned as [`AuthorityScheme::Other`], which allocates a copy of the (at most 16
    /// byte) scheme text. Use [`scheme_str`](Self::scheme_str) to look at the text without
    /// allocating.
    pub fn authority_scheme(&self) -> AuthorityScheme {
        let s = self.scheme_str();
        AuthorityScheme::from_known(s).unwrap_or_else(|| AuthorityScheme::Other(s.into()))
    }

    /// The authority-scheme as text, e.g. `"oui"`.
    pub fn scheme_str(&self) -> &str {
        &self.id[..self.first_colon]
    }

    /// The authority-id, which may be empty (as it must be for `os`, `ops`, `uuid`, `imei`
    /// and `fqdn`).
    pub fn authority_id(&self) -> &str {
        &self.id[self.first_colon + 1..self.second_colon]
    }

    /// The instance-id, never empty.
    pub fn instance_id(&self) -> &str {
        &self.id[self.second_colon + 1..]
    }

    /// Applies the strict rules of [`EndpointId::new`] to this ID.
    ///
    /// Always succeeds for an ID built with [`EndpointId::new`]; useful for one accepted
    /// with [`EndpointId::lenient`], for example to log that a peer's ID breaks R-ARC.2a,
    /// R-ARC.5 or R-ARC.6.
    ///
    /// # Errors
    ///
    /// The error [`EndpointId::new`] would have returned for the same text.
    pub fn check_conformance(&self) -> Result<(), InvalidEndpointId> {
        check_strict(&self.id, self.first_colon, self.second_colon)
    }

    /// Whether [`check_conformance`](Self::check_conformance) succeeds.
    pub fn is_conformant(&self) -> bool {
        self.check_conformance().is_ok()
    }

    /// The URN form, `urn:bbf:usp:id:` followed by the ID, as required in the
    /// `subjectAltName` extension of certificates (R-SEC.0a).
    pub fn to_urn(&self) -> String {
        let mut urn = String::with_capacity(URN_PREFIX.len() + self.id.len());
        urn.push_str(URN_PREFIX);
        urn.push_str(&self.id);
        urn
    }

    /// Whether the authority-scheme may be used in production (R-ARC.4).
    ///
    /// `false` for `proto` and `doc`, which are for prototyping and documentation only;
    /// `true` for every other scheme, including schemes this crate does not know.
    pub fn is_for_production(&self) -> bool {
        !matches!(self.scheme_str(), "proto" | "doc")
    }

    /// Whether the ID uses an authority reserved for the Broadband Forum (R-ARC.3): the
    /// BBF OUI `00256D` (as the authority-id of `oui`, or as the OUI at the start of an
    /// `os` or `ops` instance-id) or the BBF Private Enterprise Number `3561` (`pen`).
    ///
    /// The OUI is compared without regard to ASCII case. Such IDs belong in BBF
    /// documentation and prototypes only.
    pub fn uses_bbf_reserved_authority(&self) -> bool {
        const BBF_OUI: &str = "00256D";
        const BBF_PEN: &str = "3561";
        match self.scheme_str() {
            "oui" => self.authority_id().eq_ignore_ascii_case(BBF_OUI),
            "pen" => self.authority_id() == BBF_PEN,
            "os" | "ops" => {
                let inst = self.instance_id().as_bytes();
                inst.get(..BBF_OUI.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(BBF_OUI.as_bytes()))
                    && inst.get(BBF_OUI.len()) == Some(&b'-')
            }
            _ => false,
        }
    }
}

impl FromStr for EndpointId {
    type Err = InvalidEndpointId;

    /// Strict parsing, as [`EndpointId::new`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for EndpointId {
    type Error = InvalidEndpointId;

    /// Strict parsing, as [`EndpointId::new`].
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl TryFrom<&str> for EndpointId {
    type Error = InvalidEndpointId;

    /// Strict parsing, as [`EndpointId::new`].
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl From<EndpointId> for String {
    fn from(id: EndpointId) -> Self {
        id.id.as_ref().to_owned()
    }
}

impl From<EndpointId> for Arc<str> {
    fn from(id: EndpointId) -> Self {
        id.id
    }
}

impl fmt::Display for EndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

impl fmt::Debug for EndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("EndpointId").field(&self.as_str()).finish()
    }
}

impl PartialEq for EndpointId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for EndpointId {}

impl PartialOrd for EndpointId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for EndpointId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for EndpointId {
    // Must hash like `str` for `Borrow<str>` to be correct.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl AsRef<str> for EndpointId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for EndpointId {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for EndpointId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for EndpointId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<EndpointId> for str {
    fn eq(&self, other: &EndpointId) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<EndpointId> for &str {
    fn eq(&self, other: &EndpointId) -> bool {
        *self == other.as_str()
    }
}

/// The authority-scheme of an [`EndpointId`] (R-ARC.2a).
///
/// The twelve schemes of TR-369 1.4 are field-less variants, so matching on them and
/// comparing them is cheap. A scheme outside that list can only come from
/// [`EndpointId::lenient`] and is kept as [`Other`](Self::Other) with its text.
/// [`EndpointId::authority_scheme`] never returns `Other` for one of the known
/// schemes; build values from an ID rather than by hand to keep that property.
///
/// `#[non_exhaustive]`: later versions of the specification may add schemes, which would
/// then move out of `Other`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AuthorityScheme {
    /// `oui`: authority-id is an IEEE OUI (MAC Address Block) of 6, 7 or 9 hex digits; the
    /// OUI owner defines the instance-id. Example: `oui:00256D:my-unique-bbf-id-42`.
    Oui,
    /// `cid`: authority-id is an IEEE CID of 6 hex digits; the CID owner defines the
    /// instance-id. Example: `cid:3AA3F8:my-unique-usp-id-42`.
    Cid,
    /// `pen`: authority-id is an IANA Private Enterprise Number in decimal; its owner
    /// defines the instance-id. Example: `pen:3561:my-unique-bbf-id-42`.
    Pen,
    /// `self`: the Endpoint generates its own ID; the optional authority-id has up to 6
    /// non-reserved characters. Example: `self::my-Agent`.
    SelfAssigned,
    /// `user`: assigned through a user or management interface; authority-id of 0 to 6
    /// non-reserved characters.
    User,
    /// `os`: empty authority-id; instance-id is `<OUI> "-" <SerialNumber>`.
    /// Example: `os::00256D-0123456789`.
    Os,
    /// `ops`: empty authority-id; instance-id is `<OUI> "-" <ProductClass> "-"
    /// <SerialNumber>`. Example: `ops::00256D-STB-0123456789`.
    Ops,
    /// `uuid`: empty authority-id; instance-id is an RFC 4122 UUID.
    /// Example: `uuid::f81d4fae-7dec-11d0-a765-00a0c91e6bf6`.
    Uuid,
    /// `imei`: empty authority-id; instance-id is a GSMA IMEI.
    /// Example: `imei::990000862471854`.
    Imei,
    /// `proto`: prototyping only, never in production (R-ARC.4); authority-id of 0 to 6
    /// non-reserved characters other than `.`. Example: `proto::my-Agent`.
    Proto,
    /// `doc`: documentation only, never in production (R-ARC.4); authority-id of 0 to 6
    /// non-reserved characters.
    Doc,
    /// `fqdn`: empty authority-id; instance-id is a fully qualified domain name without
    /// wildcards. Example: `fqdn::www.example.org`.
    Fqdn,
    /// A scheme not defined by the specification, accepted only by
    /// [`EndpointId::lenient`]: 1 to 16 ASCII lowercase letters or digits.
    Other(Box<str>),
}

impl AuthorityScheme {
    /// The schemes defined by the specification, in the order of the R-ARC.2a table.
    pub const KNOWN: &'static [Self] = &[
        Self::Oui,
        Self::Cid,
        Self::Pen,
        Self::SelfAssigned,
        Self::User,
        Self::Os,
        Self::Ops,
        Self::Uuid,
        Self::Imei,
        Self::Proto,
        Self::Doc,
        Self::Fqdn,
    ];

    /// The scheme as it appears in an Endpoint ID, e.g. `"self"` for
    /// [`SelfAssigned`](Self::SelfAssigned).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Oui => "oui",
            Self::Cid => "cid",
            Self::Pen => "pen",
            Self::SelfAssigned => "self",
            Self::User => "user",
            Self::Os => "os",
            Self::Ops => "ops",
            Self::Uuid => "uuid",
            Self::Imei => "imei",
            Self::Proto => "proto",
            Self::Doc => "doc",
            Self::Fqdn => "fqdn",
            Self::Other(s) => s,
        }
    }

    /// Whether this is one of the schemes defined by the specification (not
    /// [`Other`](Self::Other)).
    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Other(_))
    }

    fn from_known(s: &str) -> Option<Self> {
        Some(match s {
            "oui" => Self::Oui,
            "cid" => Self::Cid,
            "pen" => Self::Pen,
            "self" => Self::SelfAssigned,
            "user" => Self::User,
            "os" => Self::Os,
            "ops" => Self::Ops,
            "uuid" => Self::Uuid,
            "imei" => Self::Imei,
            "proto" => Self::Proto,
            "doc" => Self::Doc,
            "fqdn" => Self::Fqdn,
            _ => return None,
        })
    }
}

impl fmt::Display for AuthorityScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error returned when a text is not a valid [`EndpointId`].
///
/// It says which rule was broken ([`kind`](Self::kind)) and where
/// ([`offset`](Self::offset)); its [`Display`](fmt::Display) adds a short explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidEndpointId {
    kind: EndpointIdErrorKind,
    offset: usize,
    detail: &'static str,
}

impl InvalidEndpointId {
    fn new(kind: EndpointIdErrorKind, offset: usize, detail: &'static str) -> Self {
        Self {
            kind,
            offset,
            detail,
        }
    }

    fn shifted(mut self, by: usize) -> Self {
        self.offset += by;
        self
    }

    /// Which rule was broken.
    pub fn kind(&self) -> EndpointIdErrorKind {
        self.kind
    }

    /// The byte offset in the input at which the fault was found. For a component that is
    /// too long this is where the excess starts; for a malformed component as a whole (a
    /// wrong length, say) it is the start of that component; for a missing part it is the
    /// end of the input.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for InvalidEndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid Endpoint ID at byte {}: {}",
            self.offset, self.kind
        )?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidEndpointId {}

/// What was wrong with an Endpoint ID; see [`InvalidEndpointId::kind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EndpointIdErrorKind {
    /// The input is empty.
    Empty,
    /// The input is longer than [`EndpointId::MAX_LEN`] bytes.
    TooLong,
    /// The input contains a control character (such as NUL, TAB or DEL).
    ControlCharacter,
    /// The input contains a whitespace character.
    Whitespace,
    /// One or both `:` separators are missing.
    MissingSeparator,
    /// The authority-scheme is empty, too long, or has a character other than an ASCII
    /// lowercase letter or digit.
    InvalidScheme,
    /// The authority-scheme is well formed but not defined by the specification (strict
    /// parsing only).
    UnknownScheme,
    /// The authority-id breaks the rule of its scheme (R-ARC.2a).
    InvalidAuthorityId,
    /// The instance-id is empty.
    EmptyInstanceId,
    /// The instance-id has a character outside R-ARC.5, or does not have the format its
    /// scheme requires (R-ARC.2a).
    InvalidInstanceId,
    /// A `%` in the instance-id is not followed by two hexadecimal digits (R-ARC.5).
    InvalidPercentEncoding,
    /// The instance-id is longer than 50 characters (R-ARC.6).
    InstanceIdTooLong,
    /// [`EndpointId::from_urn`] did not find the `urn:bbf:usp:id:` prefix.
    MissingUrnPrefix,
}

impl fmt::Display for EndpointIdErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "empty input",
            Self::TooLong => "longer than 1024 bytes",
            Self::ControlCharacter => "control character",
            Self::Whitespace => "whitespace character",
            Self::MissingSeparator => "missing ':' separator",
            Self::InvalidScheme => "invalid authority-scheme",
            Self::UnknownScheme => "unknown authority-scheme",
            Self::InvalidAuthorityId => "invalid authority-id (R-ARC.2a)",
            Self::EmptyInstanceId => "empty instance-id",
            Self::InvalidInstanceId => "invalid instance-id",
            Self::InvalidPercentEncoding => "invalid percent-encoding in instance-id (R-ARC.5)",
            Self::InstanceIdTooLong => "instance-id longer than 50 characters (R-ARC.6)",
            Self::MissingUrnPrefix => "missing URN prefix",
        })
    }
}

const _: fn() = || {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<InvalidEndpointId>();
    assert_send_sync::<EndpointId>();
};

type Result<T, E = InvalidEndpointId> = std::result::Result<T, E>;

fn err<T>(kind: EndpointIdErrorKind, offset: usize, detail: &'static str) -> Result<T> {
    Err(InvalidEndpointId::new(kind, offset, detail))
}

/// The checks shared by both constructors. Returns the offsets of the two colons.
fn split(s: &str) -> Result<(usize, usize)> {
    use EndpointIdErrorKind as K;

    if s.is_empty() {
        return err(K::Empty, 0, "");
    }
    if s.len() > EndpointId::MAX_LEN {
        return err(K::TooLong, EndpointId::MAX_LEN, "");
    }
    // Printable ASCII other than space (what every real ID is) has no control character
    // and no whitespace; only other text needs the Unicode tables.
    let bytes = s.as_bytes();
    // Branch-free, so the compiler can check many bytes at once.
    let printable_ascii = bytes
        .iter()
        .fold(true, |ok, &b| ok & (b.wrapping_sub(0x21) < 0x5e));
    let first = bytes.iter().position(|&b| b == b':');
    let second = first.and_then(|f| {
        bytes[f + 1..]
            .iter()
            .position(|&b| b == b':')
            .map(|i| i + f + 1)
    });
    if !printable_ascii
        && let Some((i, c)) = s
            .char_indices()
            .find(|&(_, c)| c.is_control() || c.is_whitespace())
    {
        return if c.is_control() {
            err(K::ControlCharacter, i, "")
        } else {
            err(K::Whitespace, i, "")
        };
    }
    let Some(first_colon) = first else {
        return err(
            K::MissingSeparator,
            s.len(),
            "expected `scheme:authority:instance`",
        );
    };
    let scheme = &s.as_bytes()[..first_colon];
    if scheme.is_empty() {
        return err(K::InvalidScheme, 0, "the authority-scheme is empty");
    }
    if let Some(i) = scheme
        .iter()
        .position(|b| !(b.is_ascii_lowercase() || b.is_ascii_digit()))
    {
        return err(
            K::InvalidScheme,
            i,
            "only ASCII lowercase letters and digits are allowed",
        );
    }
    if scheme.len() > EndpointId::MAX_SCHEME_LEN {
        return err(
            K::InvalidScheme,
            EndpointId::MAX_SCHEME_LEN,
            "longer than 16 characters",
        );
    }
    let Some(second_colon) = second else {
        return err(
            K::MissingSeparator,
            s.len(),
            "expected `:` after the authority-id",
        );
    };
    if second_colon + 1 == s.len() {
        return err(K::EmptyInstanceId, s.len(), "");
    }
    Ok((first_colon, second_colon))
}

/// The strict rules, applied to text that already passed [`split`].
fn check_strict(s: &str, first_colon: usize, second_colon: usize) -> Result<()> {
    let Some(scheme) = AuthorityScheme::from_known(&s[..first_colon]) else {
        return err(
            EndpointIdErrorKind::UnknownScheme,
            0,
            "not one of oui, cid, pen, self, user, os, ops, uuid, imei, proto, doc, fqdn",
        );
    };
    let auth_start = first_colon + 1;
    check_authority(&scheme, &s[auth_start..second_colon], auth_start)?;
    let inst_start = second_colon + 1;
    let instance = &s[inst_start..];
    check_instance_chars(instance, inst_start)?;
    check_instance_format(&scheme, instance, inst_start)
}

/// RFC 3986 `unreserved`, the reading of "non-reserved characters" in R-ARC.2a.
fn is_rfc3986_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// The `unreserved` set of R-ARC.5 (RFC 3986 without `~`).
fn is_instance_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')
}

/// Checks that `s` is 6, 7 or 9 hexadecimal digits (an OUI / MAC Address Block).
/// Returns the relative offset and detail of the fault.
fn check_oui(s: &str) -> std::result::Result<(), (usize, &'static str)> {
    const DETAIL: &str = "an OUI is 6, 7 or 9 hexadecimal digits";
    if let Some(i) = s.bytes().position(|b| !b.is_ascii_hexdigit()) {
        return Err((i, DETAIL));
    }
    if matches!(s.len(), 6 | 7 | 9) {
        Ok(())
    } else {
        Err((0, DETAIL))
    }
}

fn check_authority(scheme: &AuthorityScheme, auth: &str, start: usize) -> Result<()> {
    use AuthorityScheme as S;
    let bad = |rel: usize, detail: &'static str| {
        err(EndpointIdErrorKind::InvalidAuthorityId, start + rel, detail)
    };
    let short_text = |allowed: fn(u8) -> bool, detail: &'static str| {
        if let Some(i) = auth.bytes().position(|b| !allowed(b)) {
            return bad(i, detail);
        }
        if auth.len() > 6 {
            return bad(6, detail);
        }
        Ok(())
    };
    match scheme {
        S::Oui => check_oui(auth).or_else(|(i, d)| bad(i, d)),
        S::Cid => {
            const DETAIL: &str = "a CID is 6 hexadecimal digits";
            if let Some(i) = auth.bytes().position(|b| !b.is_ascii_hexdigit()) {
                return bad(i, DETAIL);
            }
            if auth.len() != 6 {
                return bad(0, DETAIL);
            }
            Ok(())
        }
        S::Pen => {
            const DETAIL: &str = "a Private Enterprise Number is a decimal number";
            if let Some(i) = auth.bytes().position(|b| !b.is_ascii_digit()) {
                return bad(i, DETAIL);
            }
            if auth.is_empty() || (auth.len() > 1 && auth.starts_with('0')) {
                return bad(
                    0,
                    "a Private Enterprise Number is a decimal number without leading zeros",
                );
            }
            if auth.parse::<u32>().is_err() {
                return bad(0, "a Private Enterprise Number must fit in 32 bits");
            }
            Ok(())
        }
        S::SelfAssigned | S::User | S::Doc => short_text(
            is_rfc3986_unreserved,
            "at most 6 non-reserved characters (letters, digits, '-', '.', '_', '~')",
        ),
        S::Proto => short_text(
            |b| b != b'.' && is_rfc3986_unreserved(b),
            "at most 6 non-reserved characters other than '.'",
        ),
        S::Os | S::Ops | S::Uuid | S::Imei | S::Fqdn => {
            if auth.is_empty() {
                Ok(())
            } else {
                bad(0, "must be empty for this authority-scheme")
            }
        }
        S::Other(_) => Ok(()),
    }
}

/// R-ARC.5 (character set, percent-encoding) and R-ARC.6 (length).
fn check_instance_chars(inst: &str, start: usize) -> Result<()> {
    let bytes = inst.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return err(
                    EndpointIdErrorKind::InvalidPercentEncoding,
                    start + i,
                    "'%' must be followed by two hexadecimal digits",
                );
            }
            i += 3;
        } else if is_instance_unreserved(b) {
            i += 1;
        } else {
            return err(
                EndpointIdErrorKind::InvalidInstanceId,
                start + i,
                "only letters, digits, '-', '.', '_' and %-encodings are allowed (R-ARC.5)",
            );
        }
    }
    if inst.len() > EndpointId::MAX_INSTANCE_ID_LEN {
        return err(
            EndpointIdErrorKind::InstanceIdTooLong,
            start + EndpointId::MAX_INSTANCE_ID_LEN,
            "",
        );
    }
    Ok(())
}

/// The instance-id formats that R-ARC.2a prescribes for some schemes. The text already
/// passed [`check_instance_chars`], so it is ASCII.
fn check_instance_format(scheme: &AuthorityScheme, inst: &str, start: usize) -> Result<()> {
    use AuthorityScheme as S;
    let bad = |rel: usize, detail: &'static str| {
        err(EndpointIdErrorKind::InvalidInstanceId, start + rel, detail)
    };
    match scheme {
        S::Os => {
            const DETAIL: &str = "expected `<OUI>-<SerialNumber>`";
            let Some(dash) = inst.find('-') else {
                return bad(inst.len(), DETAIL);
            };
            check_oui(&inst[..dash]).or_else(|(i, d)| bad(i, d))?;
            if dash + 1 == inst.len() {
                return bad(inst.len(), "the SerialNumber is empty");
            }
            Ok(())
        }
        S::Ops => {
            const DETAIL: &str = "expected `<OUI>-<ProductClass>-<SerialNumber>`";
            let Some(dash1) = inst.find('-') else {
                return bad(inst.len(), DETAIL);
            };
            check_oui(&inst[..dash1]).or_else(|(i, d)| bad(i, d))?;
            let Some(dash2) = inst[dash1 + 1..].find('-').map(|i| i + dash1 + 1) else {
                return bad(inst.len(), DETAIL);
            };
            if dash2 == dash1 + 1 {
                return bad(dash2, "the ProductClass is empty");
            }
            if dash2 + 1 == inst.len() {
                return bad(inst.len(), "the SerialNumber is empty");
            }
            Ok(())
        }
        S::Uuid => {
            const DETAIL: &str = "expected a UUID (8-4-4-4-12 hexadecimal digits)";
            for (i, b) in inst.bytes().enumerate() {
                let ok = if matches!(i, 8 | 13 | 18 | 23) {
                    b == b'-'
                } else {
                    b.is_ascii_hexdigit()
                };
                if !ok || i >= 36 {
                    return bad(i, DETAIL);
                }
            }
            if inst.len() != 36 {
                return bad(inst.len(), DETAIL);
            }
            Ok(())
        }
        S::Imei => {
            const DETAIL: &str = "expected an IMEI (15 digits) or IMEISV (16 digits)";
            if let Some(i) = inst.bytes().position(|b| !b.is_ascii_digit()) {
                return bad(i, DETAIL);
            }
            if !matches!(inst.len(), 15 | 16) {
                return bad(0, DETAIL);
            }
            Ok(())
        }
        S::Fqdn => check_fqdn(inst).or_else(|(i, d)| bad(i, d)),
        _ => Ok(()),
    }
}

/// Checks a fully qualified domain name; see the decisions in the [`EndpointId`] docs.
fn check_fqdn(name: &str) -> std::result::Result<(), (usize, &'static str)> {
    if name.len() > 253 {
        return Err((253, "a domain name is at most 253 characters"));
    }
    let mut start = 0;
    let mut labels = 0;
    let mut last_all_digits = false;
    for label in name.split('.') {
        let bytes = label.as_bytes();
        if bytes.is_empty() {
            return Err((start, "empty domain name label"));
        }
        if let Some(i) = bytes
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-'))
        {
            return Err((
                start + i,
                "a domain name label has only letters, digits and '-'",
            ));
        }
        if bytes.len() > 63 {
            return Err((start + 63, "a domain name label is at most 63 characters"));
        }
        if bytes[0] == b'-' {
            return Err((start, "a domain name label must not start with '-'"));
        }
        if bytes[bytes.len() - 1] == b'-' {
            return Err((
                start + bytes.len() - 1,
                "a domain name label must not end with '-'",
            ));
        }
        last_all_digits = bytes.iter().all(u8::is_ascii_digit);
        labels += 1;
        start += bytes.len() + 1;
    }
    if labels < 2 {
        return Err((0, "a fully qualified domain name has at least two labels"));
    }
    if last_all_digits {
        return Err((
            name.rfind('.').map_or(0, |i| i + 1),
            "the top-level label must not be all digits",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
