//! Search expressions: `[Type=="Normal"&&Stats.ErrorsSent>0]` (architecture, "Searching
//! with Expressions").

use std::borrow::Cow;
use std::fmt;
use std::iter::FusedIterator;

use crate::repr::{Comp, Span};
use crate::segment::{ReferenceIndex, Segment, is_name_char, parse_posnum};

/// An Expression Operator (architecture, "Searching with Expressions").
///
/// ```
/// use usp_datamodel::Operator;
///
/// assert_eq!(Operator::Contains.as_str(), "~=");
/// assert!(Operator::Le.is_ordering());
/// assert!(!Operator::Ne.is_ordering());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operator {
    /// `==`, equals.
    Eq,
    /// `!=`, not equals.
    Ne,
    /// `~=`, contains: the comma-separated list value has an element equal to the
    /// constant. Only valid for list-valued Parameters.
    Contains,
    /// `<`, less than.
    Lt,
    /// `>`, greater than.
    Gt,
    /// `<=`, less than or equal.
    Le,
    /// `>=`, greater than or equal.
    Ge,
}

impl Operator {
    /// The operator as written.
    ///
    /// ```
    /// use usp_datamodel::Operator;
    ///
    /// assert_eq!(Operator::Ge.as_str(), ">=");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Contains => "~=",
            Self::Lt => "<",
            Self::Gt => ">",
            Self::Le => "<=",
            Self::Ge => ">=",
        }
    }

    /// Whether this is one of the ordering operators `<`, `>`, `<=`, `>=`, which the
    /// specification does not allow for strings, booleans and the Unknown Time.
    ///
    /// ```
    /// use usp_datamodel::Operator;
    ///
    /// assert!(Operator::Gt.is_ordering());
    /// assert!(!Operator::Eq.is_ordering());
    /// ```
    pub const fn is_ordering(self) -> bool {
        matches!(self, Self::Lt | Self::Gt | Self::Le | Self::Ge)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A search expression (or unique-key address) in square brackets, as found in a path.
///
/// Syntactically, Unique Key addressing and searching are the same thing (architecture,
/// "Addressing by Unique Key": "Addressing by Unique Key uses the same syntax as Searching
/// with Expressions"); whether `[Name=="eth0"]` addresses at most one instance depends on
/// the table's unique keys, which [`addresses_unique_key`](Self::addresses_unique_key)
/// checks once the caller knows them.
///
/// ```
/// use usp_datamodel::{Operator, Path};
///
/// let path: Path =
///     "Device.NAT.PortMapping.[RemoteHost==\"\"&&ExternalPort==0&&Protocol==\"TCP\"].".parse()?;
/// let expr = path.expressions().next().unwrap();
/// assert_eq!(expr.len(), 3);
/// assert_eq!(expr.as_str(), "RemoteHost==\"\"&&ExternalPort==0&&Protocol==\"TCP\"");
/// let port = expr.comparisons().nth(1).unwrap();
/// assert_eq!(port.parameter(), "ExternalPort");
/// assert_eq!(port.operator(), Operator::Eq);
/// assert_eq!(port.constant().as_u64(), Some(0));
/// assert!(expr.addresses_unique_key(&["RemoteHost", "ExternalPort", "Protocol"]));
/// assert!(!expr.addresses_unique_key(&["Alias"]));
/// # Ok::<(), usp_datamodel::PathError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Expression<'a> {
    text: &'a str,
    span: Span,
    comps: &'a [Comp],
}

impl<'a> Expression<'a> {
    pub(crate) fn new(text: &'a str, span: Span, comps: &'a [Comp]) -> Self {
        Self { text, span, comps }
    }

    /// The expression as written, without its brackets.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.IP.Interface.[Type == \"Normal\"].Status".parse()?;
    /// assert_eq!(path.expressions().next().unwrap().as_str(), "Type == \"Normal\"");
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn as_str(&self) -> &'a str {
        let inner = Span::new(self.span.start() + 1, self.span.end().saturating_sub(1));
        inner.of(self.text)
    }

    /// The byte offset of the opening `[` in the path.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.IP.Interface.[Name==\"eth0\"].".parse()?;
    /// assert_eq!(path.expressions().next().unwrap().offset(), 20);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn offset(&self) -> usize {
        self.span.start()
    }

    /// The number of Expression Components (at least 1).
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.IP.Interface.[Type==\"Normal\"&&Enable==true].".parse()?;
    /// assert_eq!(path.expressions().next().unwrap().len(), 2);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.comps.len()
    }

    /// Always `false`: an expression has at least one component (`[]` is rejected).
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.X.[A==1].".parse()?;
    /// assert!(!path.expressions().next().unwrap().is_empty());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.comps.is_empty()
    }

    /// The Expression Components, joined by `&&` (all must hold).
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.IP.Interface.[Type==\"Normal\"&&Stats.ErrorsSent>0].".parse()?;
    /// let params: Vec<_> = path
    ///     .expressions()
    ///     .flat_map(|e| e.comparisons())
    ///     .map(|c| c.parameter())
    ///     .collect();
    /// assert_eq!(params, ["Type", "Stats.ErrorsSent"]);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn comparisons(&self) -> Comparisons<'a> {
        Comparisons {
            text: self.text,
            comps: self.comps.iter(),
        }
    }

    /// Whether this expression addresses at most one instance of a table whose unique key
    /// is made of the Parameters `key`: every key Parameter is compared with `==`
    /// (architecture, "Addressing by Unique Key": an expression that "omits any of the
    /// key's Parameters ... is a search"). Further components only narrow the match.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.IP.Interface.[Name==\"eth0\"].".parse()?;
    /// let expr = path.expressions().next().unwrap();
    /// assert!(expr.addresses_unique_key(&["Name"]));
    /// assert!(!expr.addresses_unique_key(&["Alias"]));
    /// assert!(!expr.addresses_unique_key(&[]));
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn addresses_unique_key(&self, key: &[&str]) -> bool {
        !key.is_empty()
            && key.iter().all(|param| {
                self.comparisons()
                    .any(|c| c.operator() == Operator::Eq && c.parameter() == *param)
            })
    }
}

impl PartialEq for Expression<'_> {
    /// Compares the text between the brackets.
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Expression<'_> {}

impl fmt::Debug for Expression<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expression").field(&self.as_str()).finish()
    }
}

impl fmt::Display for Expression<'_> {
    /// The expression with its brackets, as written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.as_str())
    }
}

/// The components of an [`Expression`]; see [`Expression::comparisons`].
#[derive(Clone, Debug)]
pub struct Comparisons<'a> {
    text: &'a str,
    comps: std::slice::Iter<'a, Comp>,
}

impl<'a> Iterator for Comparisons<'a> {
    type Item = Comparison<'a>;

    fn next(&mut self) -> Option<Comparison<'a>> {
        let comp = self.comps.next()?;
        Some(Comparison {
            text: self.text,
            comp: *comp,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.comps.size_hint()
    }
}

impl DoubleEndedIterator for Comparisons<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let comp = self.comps.next_back()?;
        Some(Comparison {
            text: self.text,
            comp: *comp,
        })
    }
}

impl ExactSizeIterator for Comparisons<'_> {}

impl FusedIterator for Comparisons<'_> {}

/// One Expression Component: an Expression Parameter, an Expression Operator and an
/// Expression Constant, as in `Stats.ErrorsSent>0`.
///
/// ```
/// use usp_datamodel::{Operator, Path};
///
/// let path: Path = "Device.WiFi.AccessPoint.[SSIDReference+.SSID==\"MyHome\"].".parse()?;
/// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
/// assert_eq!(c.as_str(), "SSIDReference+.SSID==\"MyHome\"");
/// assert_eq!(c.parameter(), "SSIDReference+.SSID");
/// assert!(c.follows_reference());
/// assert_eq!(c.operator(), Operator::Eq);
/// assert_eq!(c.constant().value(), "MyHome");
/// # Ok::<(), usp_datamodel::PathError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Comparison<'a> {
    text: &'a str,
    comp: Comp,
}

impl<'a> Comparison<'a> {
    /// The component as written, from the parameter to the end of the constant.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.X.[A==1&&B <= 2].".parse()?;
    /// let texts: Vec<_> = path.expressions().next().unwrap().comparisons().map(|c| c.as_str()).collect();
    /// assert_eq!(texts, ["A==1", "B <= 2"]);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn as_str(&self) -> &'a str {
        self.comp.span.of(self.text)
    }

    /// The byte offset of the component in the path.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.DSL.Line.[Enable==true].".parse()?;
    /// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
    /// assert_eq!(c.offset(), 17);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn offset(&self) -> usize {
        self.comp.span.start()
    }

    /// The Expression Parameter, a path relative to the instance being tested, such as
    /// `Type`, `Stats.ErrorsSent` or `SSIDReference+.SSID`.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.IP.Interface.[Stats.ErrorsSent>0].".parse()?;
    /// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
    /// assert_eq!(c.parameter(), "Stats.ErrorsSent");
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn parameter(&self) -> &'a str {
        self.comp.param.of(self.text)
    }

    /// The Expression Parameter's segments: names and reference following.
    ///
    /// ```
    /// use usp_datamodel::{Path, ReferenceIndex, Segment};
    ///
    /// let path: Path = "Device.WiFi.SSID.[LowerLayers#*+.Name==\"wl0\"].".parse()?;
    /// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
    /// let segments: Vec<_> = c.parameter_segments().collect();
    /// assert_eq!(
    ///     segments,
    ///     [
    ///         Segment::Name("LowerLayers"),
    ///         Segment::Reference(ReferenceIndex::All),
    ///         Segment::Name("Name"),
    ///     ]
    /// );
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn parameter_segments(&self) -> ParameterSegments<'a> {
        ParameterSegments {
            text: self.parameter(),
            p: 0,
        }
    }

    /// Whether the Expression Parameter follows a reference (`+`, `#n+` or `#*+`).
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.WiFi.SSID.[LowerLayers#1+.Name==\"wl0\"].".parse()?;
    /// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
    /// assert!(c.follows_reference());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn follows_reference(&self) -> bool {
        self.parameter().contains('+')
    }

    /// The Expression Operator.
    ///
    /// ```
    /// use usp_datamodel::{Operator, Path};
    ///
    /// let path: Path = "Device.PCP.Client.*.Server.[Capabilities~=\"IPv6Firewall\"].".parse()?;
    /// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
    /// assert_eq!(c.operator(), Operator::Contains);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn operator(&self) -> Operator {
        self.comp.op
    }

    /// The byte offset of the operator in the path.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.X.[A >= 1].".parse()?;
    /// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
    /// assert_eq!(c.operator_offset(), 12);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn operator_offset(&self) -> usize {
        self.comp.op_span.start()
    }

    /// The Expression Constant.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.X.[A==-7].".parse()?;
    /// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
    /// assert_eq!(c.constant().as_i64(), Some(-7));
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn constant(&self) -> Constant<'a> {
        Constant {
            raw: self.comp.value.of(self.text),
            offset: self.comp.value.start(),
            quoted: self.comp.quoted,
            escaped: self.comp.escaped,
        }
    }
}

impl fmt::Debug for Comparison<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Comparison")
            .field("parameter", &self.parameter())
            .field("operator", &self.operator())
            .field("constant", &self.constant())
            .finish()
    }
}

/// The segments of an Expression Parameter; see [`Comparison::parameter_segments`].
#[derive(Clone, Debug)]
pub struct ParameterSegments<'a> {
    text: &'a str,
    p: usize,
}

impl<'a> Iterator for ParameterSegments<'a> {
    type Item = Segment<'a>;

    fn next(&mut self) -> Option<Segment<'a>> {
        let b = self.text.as_bytes();
        if b.get(self.p) == Some(&b'.') {
            self.p += 1;
        }
        match b.get(self.p)? {
            b'+' => {
                self.p += 1;
                Some(Segment::Reference(ReferenceIndex::First))
            }
            b'#' => {
                self.p += 1;
                let index = if b.get(self.p) == Some(&b'*') {
                    self.p += 1;
                    ReferenceIndex::All
                } else {
                    // The parser validated the number.
                    let (n, end) = parse_posnum(b, self.p).ok()?;
                    self.p = end;
                    ReferenceIndex::Item(n.get_non_zero())
                };
                // The `+`.
                self.p += 1;
                Some(Segment::Reference(index))
            }
            _ => {
                let start = self.p;
                self.p += 1;
                while b.get(self.p).copied().is_some_and(is_name_char) {
                    self.p += 1;
                }
                self.text.get(start..self.p).map(Segment::Name)
            }
        }
    }
}

impl FusedIterator for ParameterSegments<'_> {}

/// An Expression Constant: a quoted string such as `"Normal"` or an unquoted literal
/// such as `0`, `-5`, `true`, `08` or `2021-06-06T08:00:00Z`.
///
/// The parser only checks its form; which literals are valid depends on the type of the
/// Expression Parameter, which [`Comparison::check_type`] checks once it is known.
///
/// ```
/// use usp_datamodel::Path;
///
/// let path: Path = "Device.X.[A==\"50%25 %22off%22\"&&B==+0123&&C==true].".parse()?;
/// let constants: Vec<_> = path
///     .expressions()
///     .flat_map(|e| e.comparisons())
///     .map(|c| c.constant())
///     .collect();
/// assert!(constants[0].is_string());
/// assert_eq!(constants[0].value(), "50% \"off\"");
/// assert_eq!(constants[0].as_written(), "\"50%25 %22off%22\"");
/// assert_eq!(constants[1].as_i64(), Some(123));
/// assert_eq!(constants[2].as_bool(), Some(true));
/// # Ok::<(), usp_datamodel::PathError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Constant<'a> {
    raw: &'a str,
    offset: usize,
    quoted: bool,
    escaped: bool,
}

impl<'a> Constant<'a> {
    /// The constant as written, with its quotes if it is a string.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.X.[A==\"x%25\"].".parse()?;
    /// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
    /// assert_eq!(c.constant().as_written(), "\"x%25\"");
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn as_written(&self) -> &'a str {
        self.raw
    }

    /// The byte offset of the constant in the path.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.X.[A== 5].".parse()?;
    /// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
    /// assert_eq!(c.constant().offset(), 14);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Whether the constant is a quoted string.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.X.[A==\"5\"&&B==5].".parse()?;
    /// let strings: Vec<bool> = path
    ///     .expressions()
    ///     .flat_map(|e| e.comparisons())
    ///     .map(|c| c.constant().is_string())
    ///     .collect();
    /// assert_eq!(strings, [true, false]);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn is_string(&self) -> bool {
        self.quoted
    }

    /// The value: for a string, the text between the quotes with `%22`, `%25` and any other
    /// percent-escape decoded (borrowed when there is none); otherwise the literal as
    /// written.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.X.[A==\"a%22b\"].".parse()?;
    /// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
    /// assert_eq!(c.constant().value(), "a\"b");
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn value(&self) -> Cow<'a, str> {
        if !self.quoted {
            return Cow::Borrowed(self.raw);
        }
        let inner = self
            .raw
            .get(1..self.raw.len().saturating_sub(1))
            .unwrap_or("");
        if !self.escaped {
            return Cow::Borrowed(inner);
        }
        // The parser checked that the escapes decode to UTF-8.
        match percent_decode(inner.as_bytes()) {
            Some(decoded) => Cow::Owned(decoded),
            None => Cow::Borrowed(inner),
        }
    }

    /// The unquoted literal as a TR-106 `boolean`: `true`, `false`, `1` or `0`.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.DSL.Line.[Enable==1].".parse()?;
    /// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
    /// assert_eq!(c.constant().as_bool(), Some(true));
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn as_bool(&self) -> Option<bool> {
        match (self.quoted, self.raw) {
            (false, "true" | "1") => Some(true),
            (false, "false" | "0") => Some(false),
            _ => None,
        }
    }

    /// The unquoted literal as a signed integer: an optional `+` or `-` and decimal
    /// digits, leading zeros allowed (`123`, `+123` and `0123` are the same value, per the
    /// note in "Searching with Expressions").
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.X.[A>-0042].".parse()?;
    /// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
    /// assert_eq!(c.constant().as_i64(), Some(-42));
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        let (negative, magnitude) = self.integer()?;
        if negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        }
    }

    /// The unquoted literal as an unsigned integer; like [`as_i64`](Self::as_i64), and
    /// `-0` is 0.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let path: Path = "Device.PeriodicStatistics.SampleSet.[SampleSeconds~=5].".parse()?;
    /// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
    /// assert_eq!(c.constant().as_u64(), Some(5));
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn as_u64(&self) -> Option<u64> {
        match self.integer()? {
            (true, 0) => Some(0),
            (true, _) => None,
            (false, n) => Some(n),
        }
    }

    /// The sign and magnitude of an unquoted integer literal.
    fn integer(&self) -> Option<(bool, u64)> {
        if self.quoted {
            return None;
        }
        parse_integer(self.raw)
    }
}

/// Sign and magnitude of `[+-]?[0-9]+`, or `None`.
pub(crate) fn parse_integer(s: &str) -> Option<(bool, u64)> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n: u64 = 0;
    for d in digits.bytes() {
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some((negative, n))
}

impl fmt::Debug for Constant<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Constant").field(&self.raw).finish()
    }
}

/// Decodes the percent-escapes `%HH` of a string constant's content; `None` if one is
/// malformed or the result is not UTF-8.
pub(crate) fn percent_decode(content: &[u8]) -> Option<String> {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(content.len());
    let mut i = 0;
    while let Some(&b) = content.get(i) {
        if b == b'%' {
            let hi = hex(*content.get(i + 1)?)?;
            let lo = hex(*content.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode(b"a%22b%25c").as_deref(), Some("a\"b%c"));
        assert_eq!(percent_decode(b"%c3%A9").as_deref(), Some("é"));
        assert_eq!(percent_decode(b"%ff"), None);
        assert_eq!(percent_decode(b"%2"), None);
        assert_eq!(percent_decode(b"%zz"), None);
    }

    #[test]
    fn integers() {
        assert_eq!(parse_integer("0123"), Some((false, 123)));
        assert_eq!(parse_integer("+123"), Some((false, 123)));
        assert_eq!(parse_integer("-5"), Some((true, 5)));
        assert_eq!(
            parse_integer("18446744073709551615"),
            Some((false, u64::MAX))
        );
        assert_eq!(parse_integer("18446744073709551616"), None);
        assert_eq!(parse_integer("-"), None);
        assert_eq!(parse_integer("1.5"), None);
        assert_eq!(parse_integer(""), None);
    }
}
