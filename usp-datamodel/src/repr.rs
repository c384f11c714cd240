//! The parsed form shared by every path type: the original text plus an index of its
//! segments and expression components as byte ranges into the text.
//!
//! Keeping the text makes `Display` exact and free, and makes equality, ordering and
//! hashing plain string operations. The index makes every accessor a slice of the text,
//! so parsing allocates the text, one vector of segments and (only when there are search
//! expressions) one vector of components, inside one reference-counted block: cloning a
//! path never copies.

use std::sync::Arc;

use crate::PathKind;
use crate::search::Operator;
use crate::segment::{InstanceNumber, ReferenceIndex};

/// A byte range of the text. Paths are at most `Path::MAX_LEN` (64 KiB) long, so `u32`
/// offsets suffice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Self {
        // Offsets are bounded by `Path::MAX_LEN`, checked before parsing starts.
        Self {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The text this span covers, or `""` if it is out of range (it never is: spans are
    /// made by the parser of this very text).
    pub(crate) fn of(self, text: &str) -> &str {
        text.get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }

    pub(crate) fn start(self) -> usize {
        self.start as usize
    }

    pub(crate) fn end(self) -> usize {
        self.end as usize
    }
}

/// One segment: what it is and where its text is (for an expression, the brackets
/// included; for a reference, `+`, `#n+` or `#*+`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Seg {
    pub(crate) kind: SegKind,
    pub(crate) span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SegKind {
    Name,
    Instance(InstanceNumber),
    Wildcard,
    /// Components `first..first + count` of the component list.
    Expression {
        first: u32,
        count: u32,
    },
    Placeholder,
    Reference(ReferenceIndex),
}

/// One Expression Component: `param oper value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Comp {
    /// The whole component, from the parameter to the end of the constant.
    pub(crate) span: Span,
    /// The Expression Parameter (a relative path of names and reference following).
    pub(crate) param: Span,
    pub(crate) op: Operator,
    pub(crate) op_span: Span,
    /// The Expression Constant as written, quotes included.
    pub(crate) value: Span,
    /// Whether the constant is a quoted string.
    pub(crate) quoted: bool,
    /// Whether the quoted string contains percent-escapes.
    pub(crate) escaped: bool,
}

/// Facts about a path gathered while parsing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Flags(u8);

impl Flags {
    /// An instance wildcard `*`, or a list wildcard `#*+` outside expressions.
    pub(crate) const WILDCARD: Self = Self(1 << 0);
    /// A search expression (or unique-key address).
    pub(crate) const EXPRESSION: Self = Self(1 << 1);
    /// Reference following outside expressions.
    pub(crate) const REFERENCE: Self = Self(1 << 2);
    /// Whitespace around an expression operator.
    pub(crate) const WHITESPACE: Self = Self(1 << 4);
    /// An Object Instance Path that ends with its instance identifier, without `.`.
    pub(crate) const NO_TRAILING_DOT: Self = Self(1 << 5);

    pub(crate) fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    pub(crate) fn insert(&mut self, other: Self) {
        self.0 |= other.0;
    }
}

/// What the parser produces.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Inner {
    pub(crate) text: Box<str>,
    pub(crate) segs: Vec<Seg>,
    pub(crate) comps: Vec<Comp>,
    pub(crate) kind: PathKind,
    pub(crate) flags: Flags,
}

/// The shared, immutable parsed form behind every path type.
#[derive(Clone, Debug)]
pub(crate) struct Repr(pub(crate) Arc<Inner>);

impl Repr {
    pub(crate) fn text(&self) -> &str {
        &self.0.text
    }

    pub(crate) fn segs(&self) -> &[Seg] {
        &self.0.segs
    }

    pub(crate) fn comps(&self) -> &[Comp] {
        &self.0.comps
    }

    pub(crate) fn kind(&self) -> PathKind {
        self.0.kind
    }

    pub(crate) fn has(&self, flag: Flags) -> bool {
        self.0.flags.contains(flag)
    }

    /// The segments as the public view.
    pub(crate) fn segments(&self) -> crate::Segments<'_> {
        crate::Segments::new(self.text(), self.segs(), self.comps())
    }

    /// The name the path ends with, if its last segment is a name.
    pub(crate) fn last_name(&self) -> Option<&str> {
        match self.segs().last() {
            Some(Seg {
                kind: SegKind::Name,
                span,
            }) if self.kind() != PathKind::ObjectInstance => Some(span.of(self.text())),
            _ => None,
        }
    }
}
