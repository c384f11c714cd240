//! The elements a path is made of: names, instance identifiers and reference following.

use std::fmt;
use std::iter::FusedIterator;
use std::num::NonZeroU32;
use std::str::FromStr;

use crate::error::{Expected, PathError, PathErrorKind};
use crate::repr::{Comp, Seg, SegKind};
use crate::search::Expression;

/// An Instance Number: the positive integer (>= 1) that addresses one Object Instance
/// (architecture, "Addressing by Instance Number"), as in `Device.IP.Interface.3.`.
///
/// The text form has no leading zeros and no sign (posnum ::= `[1-9] [0-9]*`), and the
/// value fits in 32 bits (TR-181 instance numbers are `unsignedInt`).
///
/// ```
/// use usp_datamodel::InstanceNumber;
///
/// let n: InstanceNumber = "42".parse()?;
/// assert_eq!(n.get(), 42);
/// assert_eq!(n.to_string(), "42");
/// assert!("042".parse::<InstanceNumber>().is_err());
/// assert!("0".parse::<InstanceNumber>().is_err());
/// assert_eq!(InstanceNumber::new(0), None);
/// # Ok::<(), usp_datamodel::PathError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceNumber(NonZeroU32);

impl InstanceNumber {
    /// The first Instance Number, 1.
    pub const ONE: Self = Self(NonZeroU32::MIN);

    /// Wraps `n`, or `None` for 0.
    ///
    /// ```
    /// use usp_datamodel::InstanceNumber;
    ///
    /// assert_eq!(InstanceNumber::new(7).map(InstanceNumber::get), Some(7));
    /// ```
    pub const fn new(n: u32) -> Option<Self> {
        match NonZeroU32::new(n) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    /// The number.
    ///
    /// ```
    /// use usp_datamodel::InstanceNumber;
    ///
    /// assert_eq!(InstanceNumber::ONE.get(), 1);
    /// ```
    pub const fn get(self) -> u32 {
        self.0.get()
    }

    /// The number as a [`NonZeroU32`].
    ///
    /// ```
    /// use usp_datamodel::InstanceNumber;
    ///
    /// assert_eq!(InstanceNumber::ONE.get_non_zero().get(), 1);
    /// ```
    pub const fn get_non_zero(self) -> NonZeroU32 {
        self.0
    }
}

impl From<NonZeroU32> for InstanceNumber {
    fn from(n: NonZeroU32) -> Self {
        Self(n)
    }
}

impl From<InstanceNumber> for u32 {
    fn from(n: InstanceNumber) -> Self {
        n.get()
    }
}

impl FromStr for InstanceNumber {
    type Err = PathError;

    /// Parses a posnum: `[1-9] [0-9]*`, at most 4294967295.
    fn from_str(s: &str) -> Result<Self, PathError> {
        let (n, end) = parse_posnum(s.as_bytes(), 0)?;
        match s.as_bytes().get(end) {
            None => Ok(n),
            Some(_) => Err(unexpected(s, end, Expected::END)),
        }
    }
}

impl fmt::Display for InstanceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for InstanceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InstanceNumber({})", self.0)
    }
}

/// Which item of a list-valued reference Parameter is followed (architecture, "List of
/// References"): `+` is [`First`](Self::First), `#2+` is [`Item`](Self::Item), `#*+` is
/// [`All`](Self::All).
///
/// ```
/// use usp_datamodel::{Path, ReferenceIndex, Segment};
///
/// let path: Path = "Device.WiFi.SSID.1.LowerLayers#1+.Name".parse()?;
/// let reference = path.segments().find_map(|s| match s {
///     Segment::Reference(index) => Some(index),
///     _ => None,
/// });
/// assert_eq!(reference.and_then(|r| r.item()).map(|n| n.get()), Some(1));
/// # Ok::<(), usp_datamodel::PathError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReferenceIndex {
    /// `+` without a list item: the first (or only) reference, the same as `#1+`.
    First,
    /// `#n+`: the n-th item of the list, counting from 1.
    Item(NonZeroU32),
    /// `#*+`: every reference in the list; this makes the path a Search Path.
    All,
}

impl ReferenceIndex {
    /// The 1-based list item followed, or `None` for [`All`](Self::All): `+` gives 1.
    ///
    /// ```
    /// use usp_datamodel::ReferenceIndex;
    ///
    /// assert_eq!(ReferenceIndex::First.item().map(|n| n.get()), Some(1));
    /// assert_eq!(ReferenceIndex::All.item(), None);
    /// ```
    pub fn item(self) -> Option<NonZeroU32> {
        match self {
            Self::First => Some(NonZeroU32::MIN),
            Self::Item(n) => Some(n),
            Self::All => None,
        }
    }
}

impl fmt::Display for ReferenceIndex {
    /// The text form: `+`, `#n+` or `#*+`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::First => f.write_str("+"),
            Self::Item(n) => write!(f, "#{n}+"),
            Self::All => f.write_str("#*+"),
        }
    }
}

/// One element of a path, as yielded by [`Path::segments`](crate::Path::segments).
///
/// The separators are not elements: `Device.IP.Interface.3.Name` is the five segments
/// `Name("Device")`, `Name("IP")`, `Name("Interface")`, `Instance(3)`, `Name("Name")`, and
/// what the path ends with (`.`, `()` or `!`) is its [`PathKind`](crate::PathKind).
/// Reference following is a segment of its own after the name of the reference
/// Parameter: `Interface+.Name` is `Name("Interface")`, `Reference(First)`, `Name("Name")`.
///
/// ```
/// use usp_datamodel::{Path, Segment};
///
/// let path: Path = "Device.IP.Interface.*.IPv4Address.[Status==\"Enabled\"].IPAddress".parse()?;
/// let shape: Vec<String> = path
///     .segments()
///     .map(|s| match s {
///         Segment::Name(name) => name.to_owned(),
///         Segment::Wildcard => "*".to_owned(),
///         Segment::Expression(e) => format!("[{} component]", e.len()),
///         other => format!("{other}"),
///     })
///     .collect();
/// assert_eq!(
///     shape,
///     ["Device", "IP", "Interface", "*", "IPv4Address", "[1 component]", "IPAddress"]
/// );
/// # Ok::<(), usp_datamodel::PathError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Segment<'a> {
    /// An Object, Parameter, Command or Event name.
    Name(&'a str),
    /// An Instance Number.
    Instance(InstanceNumber),
    /// The wildcard `*` in place of an Instance Identifier (architecture, "Searching by
    /// Wildcard").
    Wildcard,
    /// A search expression or unique-key address in square brackets.
    Expression(Expression<'a>),
    /// The `{i}` placeholder of a Supported Data Model path.
    Placeholder,
    /// Reference following after the preceding name (architecture, "Reference
    /// Following").
    Reference(ReferenceIndex),
}

impl Segment<'_> {
    /// Whether this is an Instance Identifier: a number, `*`, an expression or `{i}`.
    ///
    /// ```
    /// use usp_datamodel::Segment;
    ///
    /// assert!(Segment::Wildcard.is_instance_identifier());
    /// assert!(!Segment::Name("Device").is_instance_identifier());
    /// ```
    pub fn is_instance_identifier(&self) -> bool {
        matches!(
            self,
            Self::Instance(_) | Self::Wildcard | Self::Expression(_) | Self::Placeholder
        )
    }
}

impl fmt::Display for Segment<'_> {
    /// The segment as written in the path (an expression with its brackets).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(name) => f.write_str(name),
            Self::Instance(n) => write!(f, "{n}"),
            Self::Wildcard => f.write_str("*"),
            Self::Expression(e) => write!(f, "[{}]", e.as_str()),
            Self::Placeholder => f.write_str("{i}"),
            Self::Reference(r) => write!(f, "{r}"),
        }
    }
}

/// The segments of a path; see [`Path::segments`](crate::Path::segments).
#[derive(Clone, Debug)]
pub struct Segments<'a> {
    text: &'a str,
    segs: std::slice::Iter<'a, Seg>,
    comps: &'a [Comp],
}

impl<'a> Segments<'a> {
    pub(crate) fn new(text: &'a str, segs: &'a [Seg], comps: &'a [Comp]) -> Self {
        Self {
            text,
            segs: segs.iter(),
            comps,
        }
    }

    fn view(&self, seg: &'a Seg) -> Segment<'a> {
        segment(self.text, seg, self.comps)
    }
}

/// The public view of an internal segment.
pub(crate) fn segment<'a>(text: &'a str, seg: &Seg, comps: &'a [Comp]) -> Segment<'a> {
    match seg.kind {
        SegKind::Name => Segment::Name(seg.span.of(text)),
        SegKind::Instance(n) => Segment::Instance(n),
        SegKind::Wildcard => Segment::Wildcard,
        SegKind::Placeholder => Segment::Placeholder,
        SegKind::Reference(index) => Segment::Reference(index),
        SegKind::Expression { first, count } => {
            let first = first as usize;
            let comps = comps.get(first..first + count as usize).unwrap_or(&[]);
            Segment::Expression(Expression::new(text, seg.span, comps))
        }
    }
}

impl<'a> Iterator for Segments<'a> {
    type Item = Segment<'a>;

    fn next(&mut self) -> Option<Segment<'a>> {
        let seg = self.segs.next()?;
        Some(self.view(seg))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.segs.size_hint()
    }
}

impl DoubleEndedIterator for Segments<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let seg = self.segs.next_back()?;
        Some(self.view(seg))
    }
}

impl ExactSizeIterator for Segments<'_> {}

impl FusedIterator for Segments<'_> {}

/// Whether `b` may start a name (`[A-Za-z_]`).
pub(crate) fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// Whether `b` may continue a name (`[A-Za-z0-9_-]`; see the crate docs on `-`).
pub(crate) fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Parses a posnum (`[1-9] [0-9]*`, at most `u32::MAX`) at `at`; returns it and the offset
/// after it. The caller has checked nothing; errors point at `at`.
pub(crate) fn parse_posnum(b: &[u8], at: usize) -> Result<(InstanceNumber, usize), PathError> {
    let mut p = at;
    let mut value: u64 = 0;
    while let Some(&d) = b.get(p) {
        if !d.is_ascii_digit() {
            break;
        }
        if p == at && d == b'0' {
            let kind = match b.get(p + 1) {
                Some(next) if next.is_ascii_digit() => PathErrorKind::LeadingZero,
                _ => PathErrorKind::ZeroNumber,
            };
            return Err(PathError::new(kind, at));
        }
        value = value * 10 + u64::from(d - b'0');
        if value > u64::from(u32::MAX) {
            return Err(PathError::new(PathErrorKind::NumberTooLarge, at));
        }
        p += 1;
    }
    if p == at {
        return Err(match b.get(at) {
            None => PathError::new(
                PathErrorKind::UnexpectedEnd {
                    expected: Expected::INSTANCE_NUMBER,
                },
                at,
            ),
            Some(_) => PathError::new(
                PathErrorKind::UnexpectedChar {
                    found: char_at_bytes(b, at),
                    expected: Expected::INSTANCE_NUMBER,
                },
                at,
            ),
        });
    }
    // `value` is in 1..=u32::MAX: it has no leading zero and passed the bound check.
    let n = u32::try_from(value).ok().and_then(InstanceNumber::new);
    match n {
        Some(n) => Ok((n, p)),
        None => Err(PathError::new(PathErrorKind::NumberTooLarge, at)),
    }
}

/// The error for an unexpected character (or the end) at `at` in `text`.
pub(crate) fn unexpected(text: &str, at: usize, expected: Expected) -> PathError {
    unexpected_bytes(text.as_bytes(), at, expected)
}

/// [`unexpected`] on bytes that are known to be UTF-8.
pub(crate) fn unexpected_bytes(b: &[u8], at: usize, expected: Expected) -> PathError {
    if at >= b.len() {
        PathError::new(PathErrorKind::UnexpectedEnd { expected }, b.len())
    } else {
        PathError::new(
            PathErrorKind::UnexpectedChar {
                found: char_at_bytes(b, at),
                expected,
            },
            at,
        )
    }
}

/// The character starting at byte `at` of UTF-8 bytes, or U+FFFD if there is none.
fn char_at_bytes(b: &[u8], at: usize) -> char {
    let end = b.len().min(at.saturating_add(4));
    let tail = b.get(at..end).unwrap_or(&[]);
    let valid = match std::str::from_utf8(tail) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&tail[..e.valid_up_to()]).unwrap_or(""),
    };
    valid.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posnum_rules() {
        assert_eq!("1".parse::<InstanceNumber>().map(|n| n.get()), Ok(1));
        assert_eq!(
            "4294967295".parse::<InstanceNumber>().map(|n| n.get()),
            Ok(u32::MAX)
        );
        let kind = |s: &str| s.parse::<InstanceNumber>().unwrap_err().kind();
        assert_eq!(kind("4294967296"), PathErrorKind::NumberTooLarge);
        assert_eq!(
            kind("99999999999999999999999"),
            PathErrorKind::NumberTooLarge
        );
        assert_eq!(kind("0"), PathErrorKind::ZeroNumber);
        assert_eq!(kind("00"), PathErrorKind::LeadingZero);
        assert_eq!(kind("07"), PathErrorKind::LeadingZero);
        assert_eq!(
            kind("-1"),
            PathErrorKind::UnexpectedChar {
                found: '-',
                expected: Expected::INSTANCE_NUMBER
            }
        );
        assert_eq!(
            kind(""),
            PathErrorKind::UnexpectedEnd {
                expected: Expected::INSTANCE_NUMBER
            }
        );
        let err = "12x".parse::<InstanceNumber>().unwrap_err();
        assert_eq!(err.offset(), 2);
    }

    #[test]
    fn char_at_handles_multibyte() {
        assert_eq!(char_at_bytes("aé".as_bytes(), 1), 'é');
        assert_eq!(char_at_bytes(b"a", 5), char::REPLACEMENT_CHARACTER);
        assert_eq!(char_at_bytes(&[0xff], 0), char::REPLACEMENT_CHARACTER);
    }

    #[test]
    fn reference_index_display() {
        assert_eq!(ReferenceIndex::First.to_string(), "+");
        assert_eq!(
            ReferenceIndex::Item(NonZeroU32::new(3).unwrap()).to_string(),
            "#3+"
        );
        assert_eq!(ReferenceIndex::All.to_string(), "#*+");
    }
}
