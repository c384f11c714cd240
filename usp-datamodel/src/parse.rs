//! The path parser: one left-to-right pass over the bytes, without recursion or
//! backtracking, that builds the segment index of [`Inner`].
//!
//! The grammar implemented, as an extension of the BNF of the architecture chapter ("Data
//! Model Path Grammar"); the crate docs explain each difference:
//!
//! ```text
//! path      ::= name '.' tail?                       (absolute: Path, SupportedPath)
//! relpath   ::= name ( inst-end | step-end | ref-end | end-of-name )   (RelativePath)
//! tail      ::= step* ( name end-of-name )?
//! step      ::= name ( '.' inst )? '.'  |  name reffollow '.'
//! inst      ::= posnum | '*' | expr                  ('{i}' and posnum in SupportedPath)
//!             | ( posnum | '*' | expr ) <end>        (an Object Instance Path without '.')
//! end-of-name ::= <end> | '()' | '!'                 (Parameter, Command, Event)
//! reffollow ::= ( '#' ( posnum | '*' ) )? '+'
//! expr      ::= '[' exprcomp ( '&&' exprcomp )* ']'
//! exprcomp  ::= exprparam ws* oper ws* value
//! exprparam ::= name ( reffollow? '.' name )*
//! oper      ::= '==' | '!=' | '~=' | '<=' | '>=' | '<' | '>'
//! value     ::= '"' [^"]* '"' | [A-Za-z0-9+.:-]+
//! name      ::= [A-Za-z_] [A-Za-z0-9_-]*
//! ws        ::= ' ' | '\t'
//! ```

use std::sync::Arc;

use crate::PathKind;
use crate::error::{Expected, PathError, PathErrorKind};
use crate::repr::{Comp, Flags, Inner, Repr, Seg, SegKind, Span};
use crate::search::Operator;
use crate::segment::{ReferenceIndex, is_name_char, is_name_start, parse_posnum, unexpected_bytes};

/// The maximum length of a path in bytes; see [`Path::MAX_LEN`](crate::Path::MAX_LEN).
pub(crate) const MAX_LEN: usize = 64 * 1024;

/// Which grammar to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// An absolute path of the Instantiated Data Model.
    Instantiated,
    /// A Relative Path: may be a single name, its first name may be a table.
    Relative,
    /// An absolute path of the Supported Data Model: `{i}` and instance numbers only, no
    /// searches, no reference following.
    Supported,
}

/// What came before the current element, which decides what may follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prev {
    /// The first name of an absolute path: never a table, so no instance may follow.
    Root,
    /// A name followed by `.`: an Object that may be a table.
    Name,
    /// An Instance Identifier followed by `.`.
    Instance,
    /// Reference following followed by `.`: the referenced Object.
    Reference,
}

/// Parses `text` in `mode`.
pub(crate) fn parse(text: &str, mode: Mode) -> Result<Repr, PathError> {
    if text.is_empty() {
        return Err(PathError::new(PathErrorKind::Empty, 0));
    }
    if text.len() > MAX_LEN {
        return Err(PathError::new(PathErrorKind::TooLong, MAX_LEN));
    }
    let mut parser = Parser {
        b: text.as_bytes(),
        p: 0,
        mode,
        // One segment per `.` plus the last one is exact for paths without expressions
        // and an over-estimate otherwise, so the vector never grows.
        segs: Vec::with_capacity(text.bytes().filter(|&b| b == b'.').count() + 1),
        comps: Vec::new(),
        flags: Flags::default(),
    };
    let kind = parser.path()?;
    Ok(Repr(Arc::new(Inner {
        text: text.into(),
        segs: parser.segs,
        comps: parser.comps,
        kind,
        flags: parser.flags,
    })))
}

struct Parser<'a> {
    b: &'a [u8],
    p: usize,
    mode: Mode,
    segs: Vec<Seg>,
    comps: Vec<Comp>,
    flags: Flags,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.p).copied()
    }

    fn peek_at(&self, at: usize) -> Option<u8> {
        self.b.get(at).copied()
    }

    fn at_end(&self) -> bool {
        self.p >= self.b.len()
    }

    fn unexpected(&self, expected: Expected) -> PathError {
        unexpected_bytes(self.b, self.p, expected)
    }

    fn error(&self, kind: PathErrorKind) -> PathError {
        PathError::new(kind, self.p)
    }

    fn push(&mut self, kind: SegKind, start: usize) {
        self.segs.push(Seg {
            kind,
            span: Span::new(start, self.p),
        });
    }

    /// The whole path; returns its kind.
    fn path(&mut self) -> Result<PathKind, PathError> {
        let mut prev = None::<Prev>;
        loop {
            // At the start of an element: the beginning of the text or just after a `.`.
            let Some(c) = self.peek() else {
                // After a `.` (the empty text was rejected up front).
                return Ok(match prev {
                    Some(Prev::Instance) => PathKind::ObjectInstance,
                    _ => PathKind::Object,
                });
            };
            if is_name_start(c) {
                let start = self.p;
                self.p += 1;
                while self.peek().is_some_and(is_name_char) {
                    self.p += 1;
                }
                self.push(SegKind::Name, start);
                let root = prev.is_none() && self.mode != Mode::Relative;
                match self.after_name(root)? {
                    AfterName::Dot => {
                        prev = Some(if root { Prev::Root } else { Prev::Name });
                    }
                    AfterName::Reference => prev = Some(Prev::Reference),
                    AfterName::End(kind) => return Ok(kind),
                }
            } else if let Some(result) = self.curly(c) {
                result?;
                // `{i}` in a Supported Data Model path, after a table name.
                match self.after_instance()? {
                    Some(kind) => return Ok(kind),
                    None => prev = Some(Prev::Instance),
                }
            } else if matches!(prev, Some(Prev::Name)) && self.instance_start(c) {
                self.instance(c)?;
                match self.after_instance()? {
                    Some(kind) => return Ok(kind),
                    None => prev = Some(Prev::Instance),
                }
            } else {
                let mut expected = Expected::NAME;
                if prev.is_some() {
                    expected = expected | Expected::END;
                }
                if matches!(prev, Some(Prev::Name)) {
                    expected = expected
                        | match self.mode {
                            Mode::Supported => Expected::INSTANCE_NUMBER | Expected::PLACEHOLDER,
                            _ => {
                                Expected::INSTANCE_NUMBER
                                    | Expected::WILDCARD
                                    | Expected::EXPRESSION
                            }
                        };
                }
                return Err(self.unexpected(expected));
            }
        }
    }

    /// What follows a name: `.`, reference following and `.`, or the end of the path.
    fn after_name(&mut self, root: bool) -> Result<AfterName, PathError> {
        let Some(c) = self.peek() else {
            if root {
                return Err(self.unexpected(Expected::DOT));
            }
            return Ok(AfterName::End(PathKind::Parameter));
        };
        if root && c != b'.' {
            return Err(self.unexpected(Expected::DOT));
        }
        match c {
            b'.' => {
                self.p += 1;
                Ok(AfterName::Dot)
            }
            b'(' => {
                self.p += 1;
                if self.peek() != Some(b')') {
                    return Err(self.unexpected(Expected::CLOSE_PAREN));
                }
                self.p += 1;
                self.expect_end()?;
                Ok(AfterName::End(PathKind::Command))
            }
            b'!' => {
                self.p += 1;
                self.expect_end()?;
                Ok(AfterName::End(PathKind::Event))
            }
            b'+' | b'#' if self.mode != Mode::Supported => {
                let index = self.reference()?;
                if index == ReferenceIndex::All {
                    self.flags.insert(Flags::WILDCARD);
                }
                self.flags.insert(Flags::REFERENCE);
                if self.peek() != Some(b'.') {
                    return Err(self.unexpected(Expected::DOT));
                }
                self.p += 1;
                Ok(AfterName::Reference)
            }
            _ => {
                let mut expected = Expected::DOT | Expected::COMMAND | Expected::EVENT;
                if self.mode != Mode::Supported {
                    expected = expected | Expected::REFERENCE;
                }
                Err(self.unexpected(expected | Expected::END))
            }
        }
    }

    fn expect_end(&self) -> Result<(), PathError> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.unexpected(Expected::END))
        }
    }

    /// Reference following at `+` or `#`: pushes the segment and returns its index.
    fn reference(&mut self) -> Result<ReferenceIndex, PathError> {
        let start = self.p;
        let index = if self.peek() == Some(b'#') {
            self.p += 1;
            let index = match self.peek() {
                Some(b'*') => {
                    self.p += 1;
                    ReferenceIndex::All
                }
                Some(d) if d.is_ascii_digit() => {
                    let (n, end) = parse_posnum(self.b, self.p)?;
                    self.p = end;
                    ReferenceIndex::Item(n.get_non_zero())
                }
                _ => return Err(self.unexpected(Expected::LIST_ITEM)),
            };
            if self.peek() != Some(b'+') {
                return Err(self.unexpected(Expected::PLUS));
            }
            index
        } else {
            ReferenceIndex::First
        };
        // At the `+`.
        self.p += 1;
        self.push(SegKind::Reference(index), start);
        Ok(index)
    }

    /// Whether `c` starts an Instance Identifier in this mode.
    fn instance_start(&self, c: u8) -> bool {
        match self.mode {
            Mode::Supported => c.is_ascii_digit(),
            _ => c.is_ascii_digit() || c == b'*' || c == b'[',
        }
    }

    /// Handles `{` at the start of an element: `Some(Ok)` after pushing `{i}` in a
    /// Supported Data Model path right after a table name, `Some(Err)` for a curly
    /// bracket anywhere else, `None` when `c` is not `{`.
    fn curly(&mut self, c: u8) -> Option<Result<(), PathError>> {
        if c != b'{' {
            return None;
        }
        let placeholder = self.b.get(self.p..self.p + 3) == Some(b"{i}");
        if self.mode != Mode::Supported {
            let kind = if placeholder {
                PathErrorKind::PlaceholderInInstantiatedPath
            } else {
                PathErrorKind::CurlyBrackets
            };
            return Some(Err(self.error(kind)));
        }
        let after_table = matches!(
            self.segs.last(),
            Some(Seg {
                kind: SegKind::Name,
                ..
            })
        ) && self.segs.len() > 1;
        if !after_table {
            let expected = if self.segs.is_empty() {
                Expected::NAME
            } else {
                Expected::NAME | Expected::END
            };
            return Some(Err(self.unexpected(expected)));
        }
        if !placeholder {
            let at = self.p + 1;
            let expected = if self.peek_at(at) == Some(b'i') {
                Expected::CLOSE_BRACE
            } else {
                Expected::PLACEHOLDER
            };
            let at = if expected == Expected::CLOSE_BRACE {
                at + 1
            } else {
                at
            };
            return Some(Err(unexpected_bytes(self.b, at, expected)));
        }
        let start = self.p;
        self.p += 3;
        self.push(SegKind::Placeholder, start);
        Some(Ok(()))
    }

    /// An Instance Identifier starting with `c` (a digit, `*` or `[`).
    fn instance(&mut self, c: u8) -> Result<(), PathError> {
        let start = self.p;
        match c {
            b'*' => {
                self.p += 1;
                self.flags.insert(Flags::WILDCARD);
                self.push(SegKind::Wildcard, start);
            }
            b'[' => {
                let first = self.comps.len();
                self.expression()?;
                self.flags.insert(Flags::EXPRESSION);
                let count = self.comps.len() - first;
                self.push(
                    SegKind::Expression {
                        first: first as u32,
                        count: count as u32,
                    },
                    start,
                );
            }
            _ => {
                let (n, end) = parse_posnum(self.b, self.p)?;
                self.p = end;
                self.push(SegKind::Instance(n), start);
            }
        }
        Ok(())
    }

    /// What follows an Instance Identifier: `.` (returns `None`) or the end of the path
    /// (an Object Instance Path without its trailing dot).
    fn after_instance(&mut self) -> Result<Option<PathKind>, PathError> {
        match self.peek() {
            None => {
                self.flags.insert(Flags::NO_TRAILING_DOT);
                Ok(Some(PathKind::ObjectInstance))
            }
            Some(b'.') => {
                self.p += 1;
                Ok(None)
            }
            Some(_) => Err(self.unexpected(Expected::DOT | Expected::END)),
        }
    }

    /// A search expression, from `[` to after `]`.
    fn expression(&mut self) -> Result<(), PathError> {
        let open = self.p;
        self.p += 1;
        if self.peek() == Some(b']') {
            return Err(PathError::new(PathErrorKind::EmptyExpression, open));
        }
        loop {
            self.component()?;
            match self.peek() {
                Some(b']') => {
                    self.p += 1;
                    return Ok(());
                }
                Some(b'&') if self.peek_at(self.p + 1) == Some(b'&') => self.p += 2,
                _ => return Err(self.unexpected(Expected::AND | Expected::CLOSE_BRACKET)),
            }
        }
    }

    /// One Expression Component: parameter, operator, constant.
    fn component(&mut self) -> Result<(), PathError> {
        let start = self.p;
        self.expression_parameter()?;
        let param = Span::new(start, self.p);
        let spaced = self.whitespace();
        let op_start = self.p;
        let op = match (self.peek(), self.peek_at(self.p + 1)) {
            (Some(b'='), Some(b'=')) => Operator::Eq,
            (Some(b'!'), Some(b'=')) => Operator::Ne,
            (Some(b'~'), Some(b'=')) => Operator::Contains,
            (Some(b'<'), Some(b'=')) => Operator::Le,
            (Some(b'>'), Some(b'=')) => Operator::Ge,
            (Some(b'<'), _) => Operator::Lt,
            (Some(b'>'), _) => Operator::Gt,
            _ => {
                let mut expected = Expected::OPERATOR;
                if !spaced {
                    expected = expected | Expected::DOT | Expected::REFERENCE;
                }
                return Err(self.unexpected(expected));
            }
        };
        self.p += op.as_str().len();
        let op_span = Span::new(op_start, self.p);
        self.whitespace();
        let value_start = self.p;
        let (quoted, escaped) = match self.peek() {
            Some(b'"') => (true, self.string()?),
            Some(c) if is_bare_char(c) => {
                while self.peek().is_some_and(is_bare_char) {
                    self.p += 1;
                }
                (false, false)
            }
            _ => return Err(self.unexpected(Expected::CONSTANT)),
        };
        self.comps.push(Comp {
            span: Span::new(start, self.p),
            param,
            op,
            op_span,
            value: Span::new(value_start, self.p),
            quoted,
            escaped,
        });
        Ok(())
    }

    /// Skips spaces and tabs; returns whether there were any.
    fn whitespace(&mut self) -> bool {
        let start = self.p;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.p += 1;
        }
        let any = self.p > start;
        if any {
            self.flags.insert(Flags::WHITESPACE);
        }
        any
    }

    /// An Expression Parameter: names joined by `.`, each optionally followed by reference
    /// following; no Instance Identifiers (R-ARC "Searching with Expressions": it "can't
    /// include any child tables").
    fn expression_parameter(&mut self) -> Result<(), PathError> {
        loop {
            match self.peek() {
                Some(c) if is_name_start(c) => {}
                Some(c) if c == b'*' || c == b'[' || c == b'{' || c.is_ascii_digit() => {
                    // A dot was just passed (a leading instance is not a name either).
                    if self.p > 0 && self.b.get(self.p - 1) == Some(&b'.') {
                        return Err(self.error(PathErrorKind::TableInExpression));
                    }
                    return Err(self.unexpected(Expected::NAME));
                }
                _ => return Err(self.unexpected(Expected::NAME)),
            }
            self.p += 1;
            while self.peek().is_some_and(is_name_char) {
                self.p += 1;
            }
            match self.peek() {
                Some(b'+' | b'#') => {
                    self.reference_in_expression()?;
                    if self.peek() != Some(b'.') {
                        return Err(self.unexpected(Expected::DOT));
                    }
                    self.p += 1;
                    // The referenced Object's children are names again.
                    if !self.peek().is_some_and(is_name_start) {
                        return Err(self.unexpected(Expected::NAME));
                    }
                }
                Some(b'.') => self.p += 1,
                _ => return Ok(()),
            }
        }
    }

    /// Reference following inside an expression: like [`Self::reference`] without
    /// pushing a segment.
    fn reference_in_expression(&mut self) -> Result<(), PathError> {
        if self.peek() == Some(b'#') {
            self.p += 1;
            match self.peek() {
                Some(b'*') => self.p += 1,
                Some(d) if d.is_ascii_digit() => {
                    let (_, end) = parse_posnum(self.b, self.p)?;
                    self.p = end;
                }
                _ => return Err(self.unexpected(Expected::LIST_ITEM)),
            }
            if self.peek() != Some(b'+') {
                return Err(self.unexpected(Expected::PLUS));
            }
        }
        self.p += 1;
        Ok(())
    }

    /// A quoted string constant from its opening `"` to after the closing one; returns
    /// whether it contains percent-escapes.
    fn string(&mut self) -> Result<bool, PathError> {
        let open = self.p;
        self.p += 1;
        let mut first_escape = None;
        loop {
            match self.peek() {
                None => return Err(PathError::new(PathErrorKind::UnterminatedString, open)),
                Some(b'"') => break,
                Some(b'%') => {
                    let hex = |at| self.peek_at(at).is_some_and(|b: u8| b.is_ascii_hexdigit());
                    if !(hex(self.p + 1) && hex(self.p + 2)) {
                        return Err(self.error(PathErrorKind::InvalidEscape));
                    }
                    first_escape.get_or_insert(self.p);
                    self.p += 3;
                }
                Some(_) => self.p += 1,
            }
        }
        let content = &self.b[open + 1..self.p];
        self.p += 1;
        if let Some(at) = first_escape {
            if crate::search::percent_decode(content).is_none() {
                return Err(PathError::new(PathErrorKind::InvalidEscape, at));
            }
            return Ok(true);
        }
        Ok(false)
    }
}

/// What [`Parser::after_name`] found.
enum AfterName {
    Dot,
    Reference,
    End(PathKind),
}

/// Whether `b` may appear in an unquoted Expression Constant: the characters of the
/// TR-106 literals of numbers, booleans, dateTimes and hexBinary.
pub(crate) fn is_bare_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.' | b':')
}
