//! USP protocol versions ("Major.Minor").

use std::fmt;
use std::str::FromStr;

/// A USP protocol version, `Major.Minor`, as in the `version` field of a USP Record and
/// the version lists of the GetSupportedProtocol Message.
///
/// Ordering compares the major version, then the minor version, so `1.10 > 1.9`.
///
/// # Text form
///
/// [`FromStr`] is strict: two decimal numbers separated by one `.`, each made only of the
/// ASCII digits `0`–`9` (no sign, no whitespace), without leading zeros (a lone `0` is
/// fine) and fitting in a `u16`. Nothing may precede or follow. [`Display`](fmt::Display)
/// writes the same form back, so the two round-trip exactly.
///
/// # Examples
///
/// ```
/// use usp_types::UspVersion;
///
/// let v: UspVersion = "1.3".parse()?;
/// assert_eq!(v, UspVersion::V1_3);
/// assert!(v < UspVersion::CURRENT);
/// assert_eq!(UspVersion::new(1, 10).to_string(), "1.10");
/// assert!("1.3.1".parse::<UspVersion>().is_err());
///
/// let list = UspVersion::parse_list("1.0, 1.1,1.2")?;
/// assert_eq!(UspVersion::format_list(&list), "1.0,1.1,1.2");
/// # Ok::<(), usp_types::InvalidVersion>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UspVersion {
    // Field order matters: the derived `Ord` compares `major` first.
    major: u16,
    minor: u16,
}

impl UspVersion {
    /// USP 1.0.
    pub const V1_0: Self = Self::new(1, 0);
    /// USP 1.1.
    pub const V1_1: Self = Self::new(1, 1);
    /// USP 1.2.
    pub const V1_2: Self = Self::new(1, 2);
    /// USP 1.3.
    pub const V1_3: Self = Self::new(1, 3);
    /// USP 1.4.
    pub const V1_4: Self = Self::new(1, 4);
    /// USP 1.5.
    pub const V1_5: Self = Self::new(1, 5);

    /// The version this workspace implements: 1.5.
    ///
    /// The specification text the crates are written against is TR-369 1.4.1; the
    /// protocol buffer schema is that of 1.5, which adds `originator_id` and
    /// `destination_id` to the USP Record.
    pub const CURRENT: Self = Self::V1_5;

    /// The most items [`parse_list`](Self::parse_list) accepts, so that a peer cannot make
    /// it allocate without bound.
    pub const MAX_LIST_LEN: usize = 64;

    /// Makes a version from its two numbers.
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor }
    }

    /// The major version.
    pub const fn major(self) -> u16 {
        self.major
    }

    /// The minor version.
    pub const fn minor(self) -> u16 {
        self.minor
    }

    /// Parses a comma-separated list of versions, as in the
    /// `controller_supported_protocol_versions` and `agent_supported_protocol_versions`
    /// fields of GetSupportedProtocol.
    ///
    /// ASCII whitespace around each item is ignored; each item must be a version in the
    /// strict form of [`FromStr`]. The order is kept and duplicates are not removed.
    ///
    /// # Errors
    ///
    /// Fails on an empty item (so also on an empty string or a trailing comma), on an
    /// item that is not a version, and on more than
    /// [`MAX_LIST_LEN`](Self::MAX_LIST_LEN) items. The offset is counted from the start
    /// of `s`.
    ///
    /// # Examples
    ///
    /// ```
    /// use usp_types::UspVersion;
    ///
    /// let list = UspVersion::parse_list(" 1.3 ,1.4 ")?;
    /// assert_eq!(list, [UspVersion::V1_3, UspVersion::V1_4]);
    /// assert_eq!(UspVersion::parse_list("1.3,,1.4").unwrap_err().offset(), 4);
    /// # Ok::<(), usp_types::InvalidVersion>(())
    /// ```
    pub fn parse_list(s: &str) -> Result<Vec<Self>, InvalidVersion> {
        let mut versions = Vec::new();
        let mut item_start = 0;
        for item in s.split(',') {
            let leading = item.len() - item.trim_start_matches(is_ascii_ws).len();
            let trimmed = item.trim_matches(is_ascii_ws);
            let start = item_start + leading;
            if versions.len() == Self::MAX_LIST_LEN {
                return Err(InvalidVersion::new(
                    start,
                    "more than 64 versions in the list",
                ));
            }
            if trimmed.is_empty() {
                return Err(InvalidVersion::new(start, "empty list item"));
            }
            versions.push(parse_at(trimmed, start)?);
            item_start += item.len() + 1;
        }
        Ok(versions)
    }

    /// Formats versions as a comma-separated list without spaces, e.g. `1.0,1.1`, the
    /// inverse of [`parse_list`](Self::parse_list).
    pub fn format_list(versions: &[Self]) -> String {
        let mut s = String::with_capacity(versions.len() * 4);
        for (i, v) in versions.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&v.to_string());
        }
        s
    }
}

fn is_ascii_ws(c: char) -> bool {
    c.is_ascii_whitespace()
}

impl FromStr for UspVersion {
    type Err = InvalidVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_at(s, 0)
    }
}

impl fmt::Display for UspVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl fmt::Debug for UspVersion {
    /// `UspVersion(1.5)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UspVersion({}.{})", self.major, self.minor)
    }
}

/// Parses one version; `base` is added to error offsets.
fn parse_at(s: &str, base: usize) -> Result<UspVersion, InvalidVersion> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(InvalidVersion::new(base, "empty version"));
    }
    let (major, dot) = parse_number(b, 0, base, "expected the major version")?;
    match b.get(dot) {
        Some(b'.') => {}
        Some(_) => return Err(InvalidVersion::new(base + dot, "expected '.'")),
        None => {
            return Err(InvalidVersion::new(
                base + dot,
                "missing '.' and minor version",
            ));
        }
    }
    let (minor, end) = parse_number(b, dot + 1, base, "expected the minor version")?;
    if end != b.len() {
        return Err(InvalidVersion::new(
            base + end,
            "unexpected text after the minor version",
        ));
    }
    Ok(UspVersion::new(major, minor))
}

/// Parses the digits starting at `start`; returns the value and the index after them.
fn parse_number(
    b: &[u8],
    start: usize,
    base: usize,
    missing: &'static str,
) -> Result<(u16, usize), InvalidVersion> {
    let digits = b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return Err(InvalidVersion::new(base + start, missing));
    }
    if digits > 1 && b[start] == b'0' {
        return Err(InvalidVersion::new(base + start, "leading zero"));
    }
    let mut value: u16 = 0;
    for &d in &b[start..start + digits] {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u16::from(d - b'0')))
            .ok_or_else(|| InvalidVersion::new(base + start, "number larger than 65535"))?;
    }
    Ok((value, start + digits))
}

/// The error returned when a text is not a valid [`UspVersion`] or version list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidVersion {
    offset: usize,
    reason: &'static str,
}

impl InvalidVersion {
    fn new(offset: usize, reason: &'static str) -> Self {
        Self { offset, reason }
    }

    /// The byte offset in the input at which the fault was found.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for InvalidVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid USP version at byte {}: {}",
            self.offset, self.reason
        )
    }
}

impl std::error::Error for InvalidVersion {}

const _: fn() = || {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<InvalidVersion>();
};

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_and_display_valid() {
        for (s, major, minor) in [
            ("1.0", 1, 0),
            ("1.5", 1, 5),
            ("0.0", 0, 0),
            ("1.10", 1, 10),
            ("65535.65535", 65535, 65535),
        ] {
            let v: UspVersion = s.parse().unwrap();
            assert_eq!((v.major(), v.minor()), (major, minor));
            assert_eq!(v.to_string(), s);
        }
        assert_eq!(format!("{:?}", UspVersion::V1_5), "UspVersion(1.5)");
        assert_eq!(UspVersion::CURRENT, UspVersion::V1_5);
        assert!(UspVersion::new(1, 10) > UspVersion::new(1, 9));
        assert!(UspVersion::new(2, 0) > UspVersion::new(1, 99));
    }

    #[test]
    fn parse_invalid() {
        for (s, offset) in [
            ("", 0),
            ("1", 1),
            ("1.", 2),
            (".1", 0),
            ("01.3", 0),
            ("1.03", 2),
            ("1.3.1", 3),
            ("+1.3", 0),
            ("-1.3", 0),
            ("1.+3", 2),
            ("1.99999", 2),
            ("65536.0", 0),
            (" 1.3", 0),
            ("1.3 ", 3),
            ("1,3", 1),
            ("1.3a", 3),
            ("١.٣", 0),
        ] {
            let e = s.parse::<UspVersion>().expect_err(s);
            assert_eq!(e.offset(), offset, "{s:?}: {e}");
            assert!(e.to_string().starts_with("invalid USP version at byte"));
        }
    }

    #[test]
    fn lists() {
        assert_eq!(UspVersion::parse_list("1.0").unwrap(), [UspVersion::V1_0]);
        assert_eq!(
            UspVersion::parse_list("1.0,1.1,\t1.2 , 1.3\n").unwrap(),
            [
                UspVersion::V1_0,
                UspVersion::V1_1,
                UspVersion::V1_2,
                UspVersion::V1_3
            ]
        );
        for (s, offset) in [
            ("", 0),
            ("  ", 2),
            ("1.0,", 4),
            (",1.0", 0),
            ("1.0, ,1.1", 5),
            ("1.0,1", 5),
            ("1.0, 1.x", 7),
            ("1.0;1.1", 3),
        ] {
            let e = UspVersion::parse_list(s).expect_err(s);
            assert_eq!(e.offset(), offset, "{s:?}: {e}");
        }
        let max = vec!["1.0"; UspVersion::MAX_LIST_LEN].join(",");
        assert_eq!(
            UspVersion::parse_list(&max).unwrap().len(),
            UspVersion::MAX_LIST_LEN
        );
        let over = format!("{max},1.1");
        assert_eq!(
            UspVersion::parse_list(&over).unwrap_err().offset(),
            max.len() + 1
        );
        assert_eq!(UspVersion::format_list(&[]), "");
        assert_eq!(
            UspVersion::format_list(&[UspVersion::V1_4, UspVersion::new(2, 10)]),
            "1.4,2.10"
        );
    }

    proptest! {
        #[test]
        fn version_round_trip(major: u16, minor: u16) {
            let v = UspVersion::new(major, minor);
            let s = v.to_string();
            prop_assert_eq!(s.parse::<UspVersion>().unwrap(), v);
        }

        #[test]
        fn list_round_trip(list in prop::collection::vec((any::<u16>(), any::<u16>()), 1..=64)) {
            let versions: Vec<UspVersion> =
                list.into_iter().map(|(a, b)| UspVersion::new(a, b)).collect();
            let s = UspVersion::format_list(&versions);
            prop_assert_eq!(UspVersion::parse_list(&s).unwrap(), versions);
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            if let Ok(v) = s.parse::<UspVersion>() {
                prop_assert_eq!(v.to_string(), s.clone());
            }
            let _ = UspVersion::parse_list(&s);
        }
    }
}
