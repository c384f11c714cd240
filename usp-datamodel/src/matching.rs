//! Matching concrete paths against search paths.
//!
//! Matching has a structural part, which needs nothing but the two paths (names must be
//! equal, `*` matches any Instance Number, a number matches itself), and an evaluated
//! part, which needs the data model's values: whether an instance satisfies a search
//! expression or unique-key address, and where a reference points. This module does the
//! structural part and hands each expression to a caller-supplied evaluator; a data-model
//! engine plugs in there.

use std::borrow::Cow;

use crate::Segment;
use crate::path::Path;
use crate::repr::{Seg, SegKind};
use crate::search::Expression;
use crate::segment::segment;

/// The outcome of matching a path against a concrete path; see [`Path::matches`].
///
/// ```
/// use usp_datamodel::{Match, Path};
///
/// let search: Path = "Device.IP.Interface.[Type==\"Normal\"].Status".parse()?;
/// let concrete: Path = "Device.IP.Interface.3.Status".parse()?;
/// assert_eq!(search.matches(&concrete), Match::NeedsEvaluation);
/// assert!(Match::Yes.is_yes());
/// # Ok::<(), usp_datamodel::PathError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Match {
    /// The concrete path is not matched.
    No,
    /// The concrete path is matched.
    Yes,
    /// The structure matches, but the answer depends on values of the data model: a
    /// search expression or unique-key address to evaluate, or reference following to
    /// resolve.
    NeedsEvaluation,
}

impl Match {
    /// Whether this is [`Match::Yes`].
    ///
    /// ```
    /// use usp_datamodel::Match;
    ///
    /// assert!(Match::Yes.is_yes() && !Match::NeedsEvaluation.is_yes());
    /// ```
    pub fn is_yes(self) -> bool {
        self == Self::Yes
    }

    /// Whether this is [`Match::No`].
    ///
    /// ```
    /// use usp_datamodel::Match;
    ///
    /// assert!(Match::No.is_no() && !Match::NeedsEvaluation.is_no());
    /// ```
    pub fn is_no(self) -> bool {
        self == Self::No
    }
}

impl Path {
    /// Whether `candidate`, a concrete path (names and Instance Numbers only, such as an
    /// Agent reports), is one of the paths this path addresses, as far as that can be
    /// told without the data model.
    ///
    /// Both paths must be of the same [`kind`](Path::kind) and have the same number of
    /// segments; names must be equal; an Instance Number matches itself and `*` matches any
    /// Instance Number. A search expression (or unique-key address) over an Instance
    /// Number gives [`Match::NeedsEvaluation`] if everything else matches; so does
    /// reference following in this path. A candidate that is not concrete never matches.
    /// Whether the candidate's Object Instance Path ends with `.` does not matter.
    ///
    /// ```
    /// use usp_datamodel::{Match, Path};
    ///
    /// let p = |s: &str| s.parse::<Path>().unwrap();
    /// let search = p("Device.IP.Interface.*.IPv4Address.*.IPAddress");
    /// assert_eq!(search.matches(&p("Device.IP.Interface.1.IPv4Address.2.IPAddress")), Match::Yes);
    /// assert_eq!(search.matches(&p("Device.IP.Interface.1.IPv4Address.2.")), Match::No);
    /// assert_eq!(p("Device.IP.Interface.2.").matches(&p("Device.IP.Interface.3.")), Match::No);
    /// ```
    pub fn matches(&self, candidate: &Self) -> Match {
        structural(self, candidate, false).outcome()
    }

    /// Like [`matches`](Self::matches), evaluating each search expression (and unique-key
    /// address) with `eval` once the structure matches.
    ///
    /// `eval(instance, expression)` answers whether the Object Instance addressed by the
    /// concrete Object Instance Path `instance` (such as `Device.IP.Interface.3.`, always
    /// ending with `.`) satisfies `expression`; it is called from left to right, and not
    /// again after a `false`. This is the hook of a data-model engine: it looks the
    /// instance up, reads each [`Comparison`](crate::Comparison)'s parameter below it
    /// (following references if the parameter has `+`), checks the comparison's type
    /// with [`check_type`](crate::Comparison::check_type) and compares.
    ///
    /// The result is [`Match::NeedsEvaluation`] only when this path follows a reference
    /// outside expressions: the engine resolves those first (replacing `Param+` by the
    /// reference's value) and matches the resolved path.
    ///
    /// ```
    /// use usp_datamodel::{Match, Path};
    ///
    /// // A toy data model: the Type of each IP Interface.
    /// let types = [("Device.IP.Interface.1.", "Normal"), ("Device.IP.Interface.2.", "Loopback")];
    /// let eval = |instance: &str, expr: &usp_datamodel::Expression<'_>| {
    ///     expr.comparisons().all(|c| {
    ///         c.parameter() == "Type"
    ///             && types.iter().any(|(i, t)| *i == instance && c.constant().value() == *t)
    ///     })
    /// };
    ///
    /// let search: Path = "Device.IP.Interface.[Type==\"Normal\"].Status".parse()?;
    /// let one: Path = "Device.IP.Interface.1.Status".parse()?;
    /// let two: Path = "Device.IP.Interface.2.Status".parse()?;
    /// assert_eq!(search.matches_with(&one, eval), Match::Yes);
    /// assert_eq!(search.matches_with(&two, eval), Match::No);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn matches_with<F>(&self, candidate: &Self, eval: F) -> Match
    where
        F: FnMut(&str, &Expression<'_>) -> bool,
    {
        structural(self, candidate, false).evaluate(eval)
    }

    /// Whether `candidate` is one of the paths this path addresses or lies below one of
    /// them: like [`matches`](Self::matches) when this is a Parameter, Command or Event
    /// Path; for an Object or Object Instance Path, also every concrete path below it
    /// (what a Get of this path returns, or a subscription to it covers).
    ///
    /// ```
    /// use usp_datamodel::{Match, Path};
    ///
    /// let p = |s: &str| s.parse::<Path>().unwrap();
    /// let all = p("Device.IP.Interface.*.");
    /// assert_eq!(all.covers(&p("Device.IP.Interface.4.Stats.BytesSent")), Match::Yes);
    /// assert_eq!(all.covers(&p("Device.IP.Interface.4.")), Match::Yes);
    /// assert_eq!(all.covers(&p("Device.IP.Interface.")), Match::No);
    /// assert_eq!(all.covers(&p("Device.IP.InterfaceStackNumberOfEntries")), Match::No);
    /// ```
    pub fn covers(&self, candidate: &Self) -> Match {
        structural(self, candidate, true).outcome()
    }

    /// [`covers`](Self::covers) with an evaluator, as [`matches_with`](Self::matches_with).
    ///
    /// ```
    /// use usp_datamodel::{Match, Path};
    ///
    /// let eth0: Path = "Device.IP.Interface.[Name==\"eth0\"].".parse()?;
    /// let param: Path = "Device.IP.Interface.7.Stats.BytesSent".parse()?;
    /// let is_eth0 = |instance: &str, _: &usp_datamodel::Expression<'_>| instance == "Device.IP.Interface.7.";
    /// assert_eq!(eth0.covers_with(&param, is_eth0), Match::Yes);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn covers_with<F>(&self, candidate: &Self, eval: F) -> Match
    where
        F: FnMut(&str, &Expression<'_>) -> bool,
    {
        structural(self, candidate, true).evaluate(eval)
    }
}

/// The structural comparison, with what remains to evaluate.
enum Structural<'a> {
    No,
    /// The pattern follows references: nothing can be decided here.
    Unresolved,
    /// The structure matches; expressions of the pattern at these segment positions
    /// (paired with the candidate's segment) remain.
    Pending {
        pattern: &'a Path,
        candidate: &'a Path,
        expressions: bool,
    },
}

impl Structural<'_> {
    fn outcome(&self) -> Match {
        match self {
            Self::No => Match::No,
            Self::Unresolved => Match::NeedsEvaluation,
            Self::Pending {
                expressions: false, ..
            } => Match::Yes,
            Self::Pending { .. } => Match::NeedsEvaluation,
        }
    }

    fn evaluate<F>(&self, mut eval: F) -> Match
    where
        F: FnMut(&str, &Expression<'_>) -> bool,
    {
        let Self::Pending {
            pattern,
            candidate,
            expressions: true,
        } = self
        else {
            return self.outcome();
        };
        let (text, comps) = (pattern.as_str(), pattern.0.comps());
        let ctext = candidate.as_str();
        for (p, c) in pattern.0.segs().iter().zip(candidate.0.segs()) {
            let Segment::Expression(expr) = segment(text, p, comps) else {
                continue;
            };
            let end = c.span.end();
            let instance: Cow<'_, str> = match ctext.get(..=end) {
                Some(prefix) if prefix.ends_with('.') => Cow::Borrowed(prefix),
                _ => Cow::Owned(format!("{}.", ctext.get(..end).unwrap_or(""))),
            };
            if !eval(&instance, &expr) {
                return Match::No;
            }
        }
        Match::Yes
    }
}

/// Compares the structure of `pattern` and `candidate`; with `prefix`, a partial
/// `pattern` may be shorter than `candidate`.
fn structural<'a>(pattern: &'a Path, candidate: &'a Path, prefix: bool) -> Structural<'a> {
    if !candidate.is_concrete() {
        return Structural::No;
    }
    let (ps, cs) = (pattern.0.segs(), candidate.0.segs());
    let shape_ok = if prefix && pattern.is_partial() {
        ps.len() < cs.len() || (ps.len() == cs.len() && pattern.kind() == candidate.kind())
    } else {
        ps.len() == cs.len() && pattern.kind() == candidate.kind()
    };
    if pattern.has_reference() {
        // `Param+` stands for the reference's value, which replaces everything before it:
        // only what follows the last reference lines up with the candidate's end.
        if prefix && pattern.is_partial() {
            return Structural::Unresolved;
        }
        let tail = ps
            .iter()
            .rev()
            .take_while(|s| !matches!(s.kind, SegKind::Reference(_)))
            .count();
        let (text, ctext) = (pattern.as_str(), candidate.as_str());
        // `Param+.` is the referenced Object itself, which may be an Object Instance.
        let kind_ok = if tail == 0 {
            candidate.is_partial()
        } else {
            pattern.kind() == candidate.kind()
        };
        let tail_ok = kind_ok
            && tail <= cs.len()
            && ps[ps.len() - tail..]
                .iter()
                .zip(&cs[cs.len() - tail..])
                .all(|(p, c)| seg_match(text, p, ctext, c) != Some(false));
        return if tail_ok {
            Structural::Unresolved
        } else {
            Structural::No
        };
    }
    if !shape_ok {
        return Structural::No;
    }
    let (text, ctext) = (pattern.as_str(), candidate.as_str());
    let mut expressions = false;
    for (p, c) in ps.iter().zip(cs) {
        match seg_match(text, p, ctext, c) {
            Some(true) => {}
            Some(false) => return Structural::No,
            None => expressions = true,
        }
    }
    Structural::Pending {
        pattern,
        candidate,
        expressions,
    }
}

/// Whether pattern segment `p` matches concrete segment `c`: `None` when an expression
/// must be evaluated.
fn seg_match(text: &str, p: &Seg, ctext: &str, c: &Seg) -> Option<bool> {
    match (p.kind, c.kind) {
        (SegKind::Name, SegKind::Name) => Some(p.span.of(text) == c.span.of(ctext)),
        (SegKind::Instance(a), SegKind::Instance(b)) => Some(a == b),
        (SegKind::Wildcard, SegKind::Instance(_)) => Some(true),
        (SegKind::Expression { .. }, SegKind::Instance(_)) => None,
        _ => Some(false),
    }
}
