//! Why a path was rejected, where, and the USP error code that says so.

use std::fmt;

use usp_types::ErrorCode;

use crate::PathKind;

/// A path that could not be parsed, or that does not satisfy a requirement placed on it.
///
/// It carries what went wrong ([`kind`](Self::kind)) and the byte offset of the fault in
/// the text ([`offset`](Self::offset)), so a message can point at it:
///
/// ```
/// use usp_datamodel::{Expected, Path, PathErrorKind};
///
/// let err = "Device.IP.Interface.01.".parse::<Path>().unwrap_err();
/// assert_eq!(err.kind(), PathErrorKind::LeadingZero);
/// assert_eq!(err.offset(), 20);
/// assert_eq!(
///     err.to_string(),
///     "invalid path at byte 20: an instance number has a leading zero"
/// );
///
/// let err = "Device".parse::<Path>().unwrap_err();
/// assert_eq!(err.offset(), 6);
/// assert_eq!(
///     err.kind(),
///     PathErrorKind::UnexpectedEnd { expected: Expected::DOT }
/// );
/// ```
///
/// Every error maps to a USP error code through [`code`](Self::code): today that is
/// always `7008` *Invalid path syntax*, the code the specification gives for "a Path Name
/// that was not understood by the target Endpoint".
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("invalid path at byte {offset}: {kind}")]
pub struct PathError {
    kind: PathErrorKind,
    offset: usize,
}

impl PathError {
    pub(crate) fn new(kind: PathErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What was wrong.
    ///
    /// ```
    /// use usp_datamodel::{Path, PathErrorKind};
    ///
    /// let err = "Device.IP.Interface.[].".parse::<Path>().unwrap_err();
    /// assert_eq!(err.kind(), PathErrorKind::EmptyExpression);
    /// ```
    pub fn kind(&self) -> PathErrorKind {
        self.kind
    }

    /// The byte offset of the fault in the text: where the unexpected character, or the
    /// element that broke a rule, starts. It equals the length of the text when the text
    /// ended too early, and is always on a character boundary.
    ///
    /// ```
    /// use usp_datamodel::Path;
    ///
    /// let text = "Device.IP.Interface.{Type==\"Normal\"}.Status";
    /// let err = text.parse::<Path>().unwrap_err();
    /// assert_eq!(&text[err.offset()..err.offset() + 1], "{");
    /// ```
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The USP error code that reports this error to the peer: `7008`
    /// ([`ErrorCode::INVALID_PATH_SYNTAX`]) for every kind of error today.
    ///
    /// ```
    /// use usp_datamodel::Path;
    /// use usp_types::ErrorCode;
    ///
    /// let err = "Device..".parse::<Path>().unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::INVALID_PATH_SYNTAX);
    /// assert_eq!(err.code().get(), 7008);
    /// ```
    pub fn code(&self) -> ErrorCode {
        match self.kind {
            PathErrorKind::Empty
            | PathErrorKind::TooLong
            | PathErrorKind::UnexpectedChar { .. }
            | PathErrorKind::UnexpectedEnd { .. }
            | PathErrorKind::LeadingZero
            | PathErrorKind::ZeroNumber
            | PathErrorKind::NumberTooLarge
            | PathErrorKind::EmptyExpression
            | PathErrorKind::TableInExpression
            | PathErrorKind::CurlyBrackets
            | PathErrorKind::PlaceholderInInstantiatedPath
            | PathErrorKind::UnterminatedString
            | PathErrorKind::InvalidEscape
            | PathErrorKind::WrongKind { .. }
            | PathErrorKind::NotSearchPath
            | PathErrorKind::NotPartialPath
            | PathErrorKind::OperatorNotAllowed
            | PathErrorKind::ConstantType => ErrorCode::INVALID_PATH_SYNTAX,
        }
    }
}

/// What was wrong with a path; see [`PathError`].
///
/// `#[non_exhaustive]`: finer kinds may be split out later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum PathErrorKind {
    /// The text is empty.
    #[error("the path is empty")]
    Empty,
    /// The text is longer than [`Path::MAX_LEN`](crate::Path::MAX_LEN) bytes; the offset is
    /// the limit.
    #[error("the path is longer than {} bytes", crate::Path::MAX_LEN)]
    TooLong,
    /// A character that cannot appear at this place.
    #[error("expected {expected}, found {found:?}")]
    UnexpectedChar {
        /// The character found.
        found: char,
        /// What could have appeared instead.
        expected: Expected,
    },
    /// The text ends where something else must follow.
    #[error("expected {expected}, found the end of the path")]
    UnexpectedEnd {
        /// What must follow.
        expected: Expected,
    },
    /// An instance number or list item number with a leading zero, such as `01`
    /// (posnum ::= `[1-9] [0-9]*`).
    #[error("an instance number has a leading zero")]
    LeadingZero,
    /// An instance number or list item number `0`; they start at 1.
    #[error("instance numbers start at 1")]
    ZeroNumber,
    /// An instance number or list item number above 4294967295 (TR-181 instance numbers
    /// are `unsignedInt`).
    #[error("an instance number is larger than 4294967295")]
    NumberTooLarge,
    /// A search expression without components: `[]` (architecture, "Search Expression
    /// Examples": "Invalid because the Expression is empty").
    #[error("the search expression is empty")]
    EmptyExpression,
    /// An Expression Parameter that descends into a child table, such as
    /// `[IPv4Address.*.AddressingType=="Static"]` (architecture, "Search Expression
    /// Examples"); the offset is that of the instance identifier.
    #[error("an expression parameter cannot descend into a child table")]
    TableInExpression,
    /// A search expression in curly brackets, such as `{Type=="Normal"}` (architecture,
    /// "Search Expression Examples"); expressions use square brackets.
    #[error("search expressions use square brackets, not curly brackets")]
    CurlyBrackets,
    /// The `{i}` placeholder in a path of the Instantiated Data Model; it belongs to
    /// Supported Data Model paths ([`SupportedPath`](crate::SupportedPath)).
    #[error("'{{i}}' is only valid in Supported Data Model paths")]
    PlaceholderInInstantiatedPath,
    /// A string constant without its closing `"`; the offset is that of the opening one.
    #[error("the string constant has no closing '\"'")]
    UnterminatedString,
    /// A `%` in a string constant that is not followed by two hexadecimal digits, or
    /// escapes that decode to invalid UTF-8 (a literal `%` is written `%25`).
    #[error("invalid percent-escape in a string constant")]
    InvalidEscape,
    /// A path of another kind than required, e.g. a Parameter Path where an
    /// [`ObjectPath`](crate::ObjectPath) is expected.
    #[error("expected {expected}, found {found}")]
    WrongKind {
        /// The kind required.
        expected: PathKind,
        /// The kind of the path given.
        found: PathKind,
    },
    /// A path without wildcard, search expression or reference wildcard where a
    /// [`SearchPath`](crate::SearchPath) is required.
    #[error("expected a search path (with '*' or a search expression)")]
    NotSearchPath,
    /// A path that does not end with `.` where a Partial Path is required (to join a
    /// Relative Path to it).
    #[error("expected a partial path ending with '.'")]
    NotPartialPath,
    /// An Expression Operator that is not valid for the type of the Expression Parameter:
    /// ordering operators on strings or booleans, `~=` on a parameter that is not a list
    /// (architecture, "Searching with Expressions"). The offset is that of the operator.
    #[error("the operator is not valid for the parameter's type")]
    OperatorNotAllowed,
    /// An Expression Constant that is not a literal of the parameter's type, such as
    /// `"true"` for a `boolean` (architecture, "Search Expression Examples"). The offset is
    /// that of the constant.
    #[error("the constant is not a value of the parameter's type")]
    ConstantType,
}

/// The set of things that could have appeared where a path went wrong; see
/// [`PathErrorKind::UnexpectedChar`] and [`PathErrorKind::UnexpectedEnd`].
///
/// A small set with a constant per element; `Display` lists them in words.
///
/// ```
/// use usp_datamodel::Expected;
///
/// let set = Expected::NAME | Expected::END;
/// assert!(set.contains(Expected::NAME));
/// assert!(!set.contains(Expected::DOT));
/// assert_eq!(set.to_string(), "a name or the end of the path");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Expected(u32);

impl Expected {
    /// A name: `[A-Za-z_]` followed by `[A-Za-z0-9_-]`.
    pub const NAME: Self = Self(1 << 0);
    /// `.`.
    pub const DOT: Self = Self(1 << 1);
    /// An instance number (`1`, `2`, ...).
    pub const INSTANCE_NUMBER: Self = Self(1 << 2);
    /// The wildcard `*`.
    pub const WILDCARD: Self = Self(1 << 3);
    /// A search expression `[...]`.
    pub const EXPRESSION: Self = Self(1 << 4);
    /// The Supported Data Model placeholder `{i}`.
    pub const PLACEHOLDER: Self = Self(1 << 5);
    /// `()`, the end of a Command Path.
    pub const COMMAND: Self = Self(1 << 6);
    /// `!`, the end of an Event Path.
    pub const EVENT: Self = Self(1 << 7);
    /// Reference following: `+`, `#n+` or `#*+`.
    pub const REFERENCE: Self = Self(1 << 8);
    /// `+`, closing a reference following with a list item.
    pub const PLUS: Self = Self(1 << 9);
    /// A list item number or `*` after `#`.
    pub const LIST_ITEM: Self = Self(1 << 10);
    /// An Expression Operator: `==`, `!=`, `~=`, `<`, `>`, `<=` or `>=`.
    pub const OPERATOR: Self = Self(1 << 11);
    /// An Expression Constant: a quoted string or a literal such as `0`, `true` or a
    /// dateTime.
    pub const CONSTANT: Self = Self(1 << 12);
    /// `&&` between Expression Components.
    pub const AND: Self = Self(1 << 13);
    /// `]`, the end of a search expression.
    pub const CLOSE_BRACKET: Self = Self(1 << 14);
    /// `)`.
    pub const CLOSE_PAREN: Self = Self(1 << 15);
    /// `}`.
    pub const CLOSE_BRACE: Self = Self(1 << 16);
    /// The end of the path.
    pub const END: Self = Self(1 << 17);

    /// The elements in display order, with their descriptions.
    const WORDS: [(Self, &'static str); 18] = [
        (Self::NAME, "a name"),
        (Self::INSTANCE_NUMBER, "an instance number"),
        (Self::WILDCARD, "'*'"),
        (Self::EXPRESSION, "'['"),
        (Self::PLACEHOLDER, "'{i}'"),
        (Self::LIST_ITEM, "a list item number or '*'"),
        (Self::OPERATOR, "an operator (== != ~= < > <= >=)"),
        (Self::CONSTANT, "a constant"),
        (Self::DOT, "'.'"),
        (Self::COMMAND, "'()'"),
        (Self::EVENT, "'!'"),
        (Self::REFERENCE, "'+'/'#'"),
        (Self::PLUS, "'+'"),
        (Self::AND, "'&&'"),
        (Self::CLOSE_BRACKET, "']'"),
        (Self::CLOSE_PAREN, "')'"),
        (Self::CLOSE_BRACE, "'}'"),
        (Self::END, "the end of the path"),
    ];

    /// Whether every element of `other` is in this set.
    ///
    /// ```
    /// use usp_datamodel::Expected;
    ///
    /// assert!((Expected::DOT | Expected::END).contains(Expected::END));
    /// ```
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The union of two sets, usable in constants.
    ///
    /// ```
    /// use usp_datamodel::Expected;
    ///
    /// const AFTER_NAME: Expected = Expected::DOT.union(Expected::END);
    /// assert_eq!(AFTER_NAME, Expected::DOT | Expected::END);
    /// ```
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

impl std::ops::BitOr for Expected {
    type Output = Self;

    fn bitor(self, other: Self) -> Self {
        self.union(other)
    }
}

impl fmt::Display for Expected {
    /// The elements in words, joined by commas and a final "or".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut words = Self::WORDS
            .iter()
            .filter(|(element, _)| self.contains(*element))
            .map(|(_, word)| *word)
            .peekable();
        let mut first = true;
        while let Some(word) = words.next() {
            if !first {
                f.write_str(if words.peek().is_some() { ", " } else { " or " })?;
            }
            f.write_str(word)?;
            first = false;
        }
        if first {
            f.write_str("nothing")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expected({self})")
    }
}

/// Errors cross threads (house style: every error is `Send + Sync + 'static`).
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<PathError>();
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_lists_in_words() {
        assert_eq!(Expected::DOT.to_string(), "'.'");
        assert_eq!(
            (Expected::DOT | Expected::COMMAND | Expected::END).to_string(),
            "'.', '()' or the end of the path"
        );
        assert_eq!(Expected(0).to_string(), "nothing");
        assert_eq!(format!("{:?}", Expected::AND), "Expected('&&')");
    }

    #[test]
    fn every_kind_is_7008() {
        let err = PathError::new(PathErrorKind::ConstantType, 3);
        assert_eq!(err.code(), ErrorCode::INVALID_PATH_SYNTAX);
        assert_eq!(err.offset(), 3);
    }
}
