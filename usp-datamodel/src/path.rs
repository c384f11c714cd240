//! [`Path`], a path of the Instantiated Data Model, and [`RelativePath`].

use std::fmt;
use std::str::FromStr;

use crate::error::{PathError, PathErrorKind};
use crate::parse::{self, Mode};
use crate::repr::{Flags, Repr, SegKind};
use crate::search::Expression;
use crate::segment::{Segment, Segments};
use crate::supported::SupportedPath;

/// What a path addresses, decided by how it ends (architecture, "Path Names").
///
/// ```
/// use usp_datamodel::{Path, PathKind};
///
/// let kind = |s: &str| s.parse::<Path>().map(|p| p.kind());
/// assert_eq!(kind("Device.IP.Interface."), Ok(PathKind::Object));
/// assert_eq!(kind("Device.IP.Interface.3."), Ok(PathKind::ObjectInstance));
/// assert_eq!(kind("Device.IP.Interface.3.Name"), Ok(PathKind::Parameter));
/// assert_eq!(kind("Device.IP.Interface.3.Reset()"), Ok(PathKind::Command));
/// assert_eq!(kind("Device.Boot!"), Ok(PathKind::Event));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathKind {
    /// An Object Path: ends with a name (or reference following) and `.`, such as
    /// `Device.IP.Interface.` (a table) or `Device.DeviceInfo.`.
    Object,
    /// An Object Instance Path: ends with an Instance Identifier, normally followed by `.`,
    /// such as `Device.IP.Interface.3.`, `Device.IP.Interface.*.` or
    /// `Device.IP.Interface.[Name=="eth0"].`.
    ObjectInstance,
    /// A Parameter Path: ends with a name, such as `Device.IP.Interface.3.Name`.
    Parameter,
    /// A Command Path: ends with a name and `()`, such as `Device.Reboot()`.
    Command,
    /// An Event Path: ends with a name and `!`, such as `Device.Boot!`.
    Event,
}

impl PathKind {
    /// Whether this is an Object or Object Instance Path, a "Partial Path".
    ///
    /// ```
    /// use usp_datamodel::PathKind;
    ///
    /// assert!(PathKind::ObjectInstance.is_partial());
    /// assert!(!PathKind::Parameter.is_partial());
    /// ```
    pub const fn is_partial(self) -> bool {
        matches!(self, Self::Object | Self::ObjectInstance)
    }

    /// The kind in words, as in error messages.
    ///
    /// ```
    /// use usp_datamodel::PathKind;
    ///
    /// assert_eq!(PathKind::Command.as_str(), "a command path");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Object => "an object path",
            Self::ObjectInstance => "an object instance path",
            Self::Parameter => "a parameter path",
            Self::Command => "a command path",
            Self::Event => "an event path",
        }
    }
}

impl fmt::Display for PathKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Path Name of the Instantiated Data Model: any of the six kinds of the specification
/// (architecture, "Path Names").
///
/// A `Path` is immutable. It keeps the text exactly as parsed together with an index of
/// its segments, in one reference-counted allocation: cloning is a reference-count
/// increment, [`Display`](fmt::Display) writes the original text, and equality, ordering
/// and hashing compare the text byte by byte (so `Path` can be looked up by `&str` in a
/// `HashMap`). Two texts that differ only in the whitespace tolerated around expression
/// operators are different paths; [`to_canonical`](Self::to_canonical) removes it.
///
/// What the path ends at is its [`kind`](Self::kind); whether it searches is
/// [`is_search`](Self::is_search). The typed wrappers [`ObjectPath`](crate::ObjectPath),
/// [`ObjectInstancePath`](crate::ObjectInstancePath), [`ParamPath`](crate::ParamPath),
/// [`CommandPath`](crate::CommandPath), [`EventPath`](crate::EventPath) and
/// [`SearchPath`](crate::SearchPath) accept only paths of their kind.
///
/// # Examples
///
/// ```
/// use usp_datamodel::{Path, PathKind, Segment};
///
/// let path: Path = "Device.IP.Interface.[Name==\"eth0\"].IPv4Address.*.IPAddress".parse()?;
/// assert_eq!(path.kind(), PathKind::Parameter);
/// assert!(path.is_search());
/// assert!(path.has_wildcard() && path.has_expression());
/// assert_eq!(path.name(), Some("IPAddress"));
/// assert_eq!(path.segments().len(), 7);
/// assert_eq!(path.to_string(), "Device.IP.Interface.[Name==\"eth0\"].IPv4Address.*.IPAddress");
/// assert_eq!(path, "Device.IP.Interface.[Name==\"eth0\"].IPv4Address.*.IPAddress");
/// # Ok::<(), usp_datamodel::PathError>(())
/// ```
#[derive(Clone)]
pub struct Path(pub(crate) Repr);

impl Path {
    /// The maximum length of a path in bytes: 64 KiB. The specification sets no limit;
    /// this one bounds what a peer can make us parse and store.
    pub const MAX_LEN: usize = parse::MAX_LEN;

    /// Parses a path; the same as [`FromStr`].
    ///
    /// # Errors
    ///
    /// [`PathError`] with the byte offset of the first fault.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// assert!(Path::parse("Device.LocalAgent.Subscription.*.Enable").is_ok());
    /// assert_eq!(Path::parse("Device.IP.Interface.0.").unwrap_err().offset(), 20);
    /// ```
    pub fn parse(text: &str) -> Result<Self, PathError> {
        parse::parse(text, Mode::Instantiated).map(Self)
    }

    /// The text, exactly as parsed.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.IP.Interface.[Type == \"Normal\"].".parse()?;
    /// assert_eq!(path.as_str(), "Device.IP.Interface.[Type == \"Normal\"].");
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        self.0.text()
    }

    /// What the path addresses.
    ///
    /// ```
    /// use usp_datamodel::{Path, PathKind};
    ///
    /// assert_eq!("Device.LocalAgent.Periodic!".parse::<Path>()?.kind(), PathKind::Event);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn kind(&self) -> PathKind {
        self.0.kind()
    }

    /// The segments: names, Instance Identifiers and reference following.
    ///
    /// ```
    /// use usp_datamodel::{InstanceNumber, Path, Segment};
    ///
    /// let path: Path = "Device.IP.Interface.3.Name".parse()?;
    /// let segments: Vec<Segment<'_>> = path.segments().collect();
    /// assert_eq!(segments[3], Segment::Instance(InstanceNumber::new(3).unwrap()));
    /// assert_eq!(segments[4], Segment::Name("Name"));
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn segments(&self) -> Segments<'_> {
        self.0.segments()
    }

    /// The search expressions (and unique-key addresses) of the path, in order.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.IP.Interface.[Name==\"eth0\"].IPv4Address.[Status==\"Enabled\"].IPAddress".parse()?;
    /// let exprs: Vec<&str> = path.expressions().map(|e| e.as_str()).collect();
    /// assert_eq!(exprs, ["Name==\"eth0\"", "Status==\"Enabled\""]);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn expressions(&self) -> impl DoubleEndedIterator<Item = Expression<'_>> + '_ {
        self.segments().filter_map(|segment| match segment {
            Segment::Expression(expr) => Some(expr),
            _ => None,
        })
    }

    /// The name the path ends with: the Parameter, Command (without `()`) or Event
    /// (without `!`) name, or the Object's name for an Object Path; `None` for an Object
    /// Instance Path and for an Object Path that ends with reference following.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let name = |s: &str| s.parse::<Path>().unwrap().name().map(str::to_owned);
    /// assert_eq!(name("Device.IP.Interface.1.Reset()").as_deref(), Some("Reset"));
    /// assert_eq!(name("Device.IP.Interface.").as_deref(), Some("Interface"));
    /// assert_eq!(name("Device.IP.Interface.1."), None);
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.0.last_name()
    }

    /// Whether this is a Search Path (architecture, "Path Names"): it contains a wildcard
    /// `*`, a reference list wildcard `#*+`, or a search expression.
    ///
    /// Unique Key addressing (`[Name=="eth0"]`) uses the syntax of a search expression, so
    /// it counts here; see [`Expression::addresses_unique_key`] to tell them apart once
    /// the table's unique keys are known.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// assert!("Device.IP.Interface.*.Type".parse::<Path>()?.is_search());
    /// assert!(!"Device.IP.Interface.1.Type".parse::<Path>()?.is_search());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn is_search(&self) -> bool {
        self.has_wildcard() || self.has_expression()
    }

    /// Whether the path contains the wildcard `*` as an Instance Identifier, or the list
    /// wildcard `#*+` of reference following.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// assert!("Device.WiFi.SSID.1.LowerLayers#*+.Name".parse::<Path>()?.has_wildcard());
    /// assert!(!"Device.WiFi.SSID.[Enable==true].".parse::<Path>()?.has_wildcard());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn has_wildcard(&self) -> bool {
        self.0.has(Flags::WILDCARD)
    }

    /// Whether the path contains a search expression (or unique-key address).
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// assert!("Device.WiFi.SSID.[Enable==true].".parse::<Path>()?.has_expression());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn has_expression(&self) -> bool {
        self.0.has(Flags::EXPRESSION)
    }

    /// Whether the path follows a reference (`+`, `#n+` or `#*+`) outside search
    /// expressions.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// assert!("Device.NAT.PortMapping.1.Interface+.Name".parse::<Path>()?.has_reference());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn has_reference(&self) -> bool {
        self.0.has(Flags::REFERENCE)
    }

    /// Whether the path is made of names and Instance Numbers only: no wildcard, no
    /// expression, no reference following. Such a path names at most one thing and can
    /// be looked up without evaluating anything; it is what an Agent reports back.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// assert!("Device.IP.Interface.3.Name".parse::<Path>()?.is_concrete());
    /// assert!(!"Device.IP.Interface.[Name==\"eth0\"].".parse::<Path>()?.is_concrete());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn is_concrete(&self) -> bool {
        !self.is_search() && !self.has_reference()
    }

    /// Whether this is an Object or Object Instance Path (a "Partial Path").
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// assert!("Device.WiFi.".parse::<Path>()?.is_partial());
    /// assert!(!"Device.WiFi.RadioNumberOfEntries".parse::<Path>()?.is_partial());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn is_partial(&self) -> bool {
        self.kind().is_partial()
    }

    /// Whether the path ends with `.`. Object and Object Instance Paths do, "except when
    /// used in a reference Parameter" (architecture, "Path Names"): this parser also
    /// accepts an Object Instance Path that ends with its Instance Identifier, such as
    /// `Device.IP.Interface.3`, as the specification's own examples write them.
    ///
    /// ```
    /// use usp_datamodel::{Path, PathKind};
    ///
    /// let path: Path = "Device.IP.Interface.3".parse()?;
    /// assert_eq!(path.kind(), PathKind::ObjectInstance);
    /// assert!(!path.ends_with_dot());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn ends_with_dot(&self) -> bool {
        self.is_partial() && !self.0.has(Flags::NO_TRAILING_DOT)
    }

    /// Whether the path contains whitespace around an expression operator (tolerated per
    /// R-ARC.9a; Controllers SHOULD NOT send it, R-ARC.9b).
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// assert!("Device.X.[A == 1].".parse::<Path>()?.has_whitespace());
    /// assert!(!"Device.X.[A==\"a b\"].".parse::<Path>()?.has_whitespace());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn has_whitespace(&self) -> bool {
        self.0.has(Flags::WHITESPACE)
    }

    /// The same path without whitespace around expression operators, which is the only
    /// whitespace a path can contain outside string constants.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.IP.Interface.[Type == \"Normal\"].Status".parse()?;
    /// assert_eq!(path.to_canonical(), "Device.IP.Interface.[Type==\"Normal\"].Status");
    /// assert_ne!(path, path.to_canonical());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn to_canonical(&self) -> Self {
        if !self.has_whitespace() {
            return self.clone();
        }
        let text = self.as_str();
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for comp in self.0.comps() {
            // Whitespace only sits between the parameter, the operator and the constant.
            let pieces = [
                (last, comp.param.end()),
                (comp.op_span.start(), comp.op_span.end()),
                (comp.value.start(), comp.value.end()),
            ];
            for (from, to) in pieces {
                out.push_str(text.get(from..to).unwrap_or(""));
            }
            last = comp.value.end();
        }
        out.push_str(text.get(last..).unwrap_or(""));
        // Removing tolerated whitespace keeps a valid path valid.
        Self::parse(&out).unwrap_or_else(|_| self.clone())
    }

    /// The path of the Object that contains what this path addresses: the Object of a
    /// Parameter, Command or Event, the table of an Object Instance, the parent of an
    /// Object. `None` for a top-level Object such as `Device.`, and when the path ends
    /// with reference following (whose parent depends on the reference's value).
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let parent = |s: &str| s.parse::<Path>().unwrap().parent().map(|p| p.to_string());
    /// assert_eq!(parent("Device.IP.Interface.3.Name").as_deref(), Some("Device.IP.Interface.3."));
    /// assert_eq!(parent("Device.IP.Interface.3.").as_deref(), Some("Device.IP.Interface."));
    /// assert_eq!(parent("Device.IP.Interface.").as_deref(), Some("Device.IP."));
    /// assert_eq!(parent("Device."), None);
    /// ```
    pub fn parent(&self) -> Option<Self> {
        let segs = self.0.segs();
        let last = segs.last()?;
        if segs.len() < 2 || matches!(last.kind, SegKind::Reference(_)) {
            return None;
        }
        // Every segment but the first starts right after a `.`.
        let cut = last.span.start();
        Self::parse(self.as_str().get(..cut)?).ok()
    }

    /// Appends a Relative Path to this Object or Object Instance Path (architecture,
    /// "Relative Paths").
    ///
    /// # Errors
    ///
    /// [`PathErrorKind::NotPartialPath`] if this path does not end with `.`, or
    /// [`PathErrorKind::TooLong`] if the result is longer than [`Path::MAX_LEN`].
    ///
    /// ```
    /// use usp_datamodel::{Path, RelativePath};
    ///
    /// let base: Path = "Device.WiFi.Radio.1.".parse()?;
    /// let rel: RelativePath = "Stats.BytesSent".parse()?;
    /// assert_eq!(base.join(&rel)?, "Device.WiFi.Radio.1.Stats.BytesSent");
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn join(&self, relative: &RelativePath) -> Result<Self, PathError> {
        if !self.ends_with_dot() {
            return Err(PathError::new(
                PathErrorKind::NotPartialPath,
                self.as_str().len(),
            ));
        }
        let mut text = String::with_capacity(self.as_str().len() + relative.as_str().len());
        text.push_str(self.as_str());
        text.push_str(relative.as_str());
        Self::parse(&text)
    }

    /// The rest of this path below `base`, an Object or Object Instance Path ending with
    /// `.` that this path starts with. `None` otherwise, if nothing is left, or if the rest
    /// is not a Relative Path (it starts with an Instance Identifier, as below a table).
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.WiFi.Radio.1.Stats.BytesSent".parse()?;
    /// let base: Path = "Device.WiFi.Radio.1.".parse()?;
    /// assert_eq!(path.strip_prefix(&base).unwrap(), "Stats.BytesSent");
    /// let table: Path = "Device.WiFi.Radio.".parse()?;
    /// assert_eq!(path.strip_prefix(&table), None);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn strip_prefix(&self, base: &Self) -> Option<RelativePath> {
        if !base.ends_with_dot() {
            return None;
        }
        // A valid base ending with `.` ends at a segment boundary of any path it prefixes.
        let rest = self.as_str().strip_prefix(base.as_str())?;
        RelativePath::parse(rest).ok()
    }

    /// The Supported Data Model path this path is an instance of: every Instance
    /// Identifier replaced by `{i}`, e.g. for looking up a Parameter's definition. `None`
    /// if the path follows a reference (the definition depends on the reference's value).
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.IP.Interface.[Name==\"eth0\"].IPv4Address.2.IPAddress".parse()?;
    /// assert_eq!(
    ///     path.to_supported().unwrap(),
    ///     "Device.IP.Interface.{i}.IPv4Address.{i}.IPAddress"
    /// );
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn to_supported(&self) -> Option<SupportedPath> {
        if self.has_reference() {
            return None;
        }
        let text = self.as_str();
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for seg in self.0.segs() {
            if matches!(
                seg.kind,
                SegKind::Instance(_) | SegKind::Wildcard | SegKind::Expression { .. }
            ) {
                out.push_str(text.get(last..seg.span.start())?);
                out.push_str("{i}");
                last = seg.span.end();
            }
        }
        out.push_str(text.get(last..)?);
        SupportedPath::parse(&out).ok()
    }
}

impl FromStr for Path {
    type Err = PathError;

    fn from_str(s: &str) -> Result<Self, PathError> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for Path {
    type Error = PathError;

    fn try_from(s: &str) -> Result<Self, PathError> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Path {
    type Error = PathError;

    fn try_from(s: String) -> Result<Self, PathError> {
        Self::parse(&s)
    }
}

impl From<Path> for String {
    fn from(path: Path) -> Self {
        path.as_str().to_owned()
    }
}

/// Implements the text-based traits shared by all path types: `Display` (the text),
/// `Debug` (`Name("text")`), `PartialEq`/`Eq`/`Ord`/`Hash` on the text, `AsRef<str>`,
/// `Borrow<str>` and comparisons with `str`.
macro_rules! text_traits {
    ($ty:ident) => {
        impl std::fmt::Display for $ty {
            /// The text exactly as parsed.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_tuple(stringify!($ty))
                    .field(&self.as_str())
                    .finish()
            }
        }

        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl Eq for $ty {}

        impl PartialOrd for $ty {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $ty {
            /// Byte-wise order of the texts (consistent with `Eq`; `10` sorts before `9`).
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl std::hash::Hash for $ty {
            /// Hashes like the text, so that `Borrow<str>` lookups work.
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                std::hash::Hash::hash(self.as_str(), state);
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl std::borrow::Borrow<str> for $ty {
            fn borrow(&self) -> &str {
                self.as_str()
            }
        }

        impl PartialEq<str> for $ty {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $ty {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<$ty> for str {
            fn eq(&self, other: &$ty) -> bool {
                self == other.as_str()
            }
        }

        impl PartialEq<$ty> for &str {
            fn eq(&self, other: &$ty) -> bool {
                *self == other.as_str()
            }
        }
    };
}
pub(crate) use text_traits;

text_traits!(Path);

/// A Relative Path (architecture, "Relative Paths"): the part of a path below a given
/// Object or Object Instance Path, such as `Status`, `Stats.BytesSent` or
/// `IPv4Address.1.IPAddress`, as used by the Add and Set Messages and in responses.
///
/// It follows the grammar of [`Path`] except that it may be a single name, and that its
/// first name may be a table (followed by an Instance Identifier). Join it to a base with
/// [`Path::join`].
///
/// ```
/// use usp_datamodel::{PathKind, RelativePath};
///
/// let rel: RelativePath = "Status".parse()?;
/// assert_eq!(rel.kind(), PathKind::Parameter);
/// let rel: RelativePath = "IPv4Address.1.".parse()?;
/// assert_eq!(rel.kind(), PathKind::ObjectInstance);
/// assert!("1.Name".parse::<RelativePath>().is_err());
/// # Ok::<(), usp_datamodel::PathError>(())
/// ```
#[derive(Clone)]
pub struct RelativePath(Repr);

impl RelativePath {
    /// Parses a Relative Path; the same as [`FromStr`].
    ///
    /// # Errors
    ///
    /// [`PathError`] with the byte offset of the first fault.
    ///
    /// ```
    /// use usp_datamodel::RelativePath;
    ///
    /// assert!(RelativePath::parse("Stats.BytesSent").is_ok());
    /// assert!(RelativePath::parse(".Stats").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, PathError> {
        parse::parse(text, Mode::Relative).map(Self)
    }

    /// The text, exactly as parsed.
    ///
    /// ```
    /// use usp_datamodel::RelativePath;
    ///
    /// assert_eq!("Stats.BytesSent".parse::<RelativePath>()?.as_str(), "Stats.BytesSent");
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        self.0.text()
    }

    /// What the path addresses below its base.
    ///
    /// ```
    /// use usp_datamodel::{PathKind, RelativePath};
    ///
    /// assert_eq!("Stats.".parse::<RelativePath>()?.kind(), PathKind::Object);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn kind(&self) -> PathKind {
        self.0.kind()
    }

    /// The segments; see [`Path::segments`].
    ///
    /// ```
    /// use usp_datamodel::{RelativePath, Segment};
    ///
    /// let rel: RelativePath = "Stats.BytesSent".parse()?;
    /// assert_eq!(rel.segments().next_back(), Some(Segment::Name("BytesSent")));
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn segments(&self) -> Segments<'_> {
        self.0.segments()
    }

    /// Whether the path contains a wildcard, search expression or `#*+`; see
    /// [`Path::is_search`].
    ///
    /// ```
    /// use usp_datamodel::RelativePath;
    ///
    /// assert!("IPv4Address.*.IPAddress".parse::<RelativePath>()?.is_search());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn is_search(&self) -> bool {
        self.0.has(Flags::WILDCARD) || self.0.has(Flags::EXPRESSION)
    }
}

impl FromStr for RelativePath {
    type Err = PathError;

    fn from_str(s: &str) -> Result<Self, PathError> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for RelativePath {
    type Error = PathError;

    fn try_from(s: &str) -> Result<Self, PathError> {
        Self::parse(s)
    }
}

text_traits!(RelativePath);
