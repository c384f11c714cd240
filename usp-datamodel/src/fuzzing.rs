//! Checks run by the fuzz targets in `fuzz/` and by the corpus replay test.
//!
//! Each function takes arbitrary bytes and panics only when the crate breaks one of its
//! promises, so the fuzzer and a plain `cargo test` exercise exactly the same code.

use crate::{
    CommandPath, DataType, EventPath, Match, ObjectInstancePath, ObjectPath, ParamPath, Path,
    PathError, PathKind, RelativePath, SearchPath, Segment, SupportedPath,
};

/// Parses `data` (as UTF-8, invalid sequences replaced) as every kind of path and checks
/// the parser's promises.
///
/// - Parsing never panics.
/// - A rejected text gives an error whose offset lies within the text on a character
///   boundary, with code 7008.
/// - An accepted path displays as exactly the text, which parses to an equal path with the
///   same segments; the canonical form is a fixed point of parsing and canonicalisation.
/// - The typed wrappers accept exactly the paths of their kind; a concrete path matches
///   and covers itself; the Supported Data Model form of a path matches it.
/// - The accessors of expressions and the type checks do not panic.
///
/// # Panics
///
/// When one of these promises does not hold.
pub fn path_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    match Path::parse(text) {
        Ok(path) => check_path(text, &path),
        Err(error) => check_error(text, &error),
    }
    match RelativePath::parse(text) {
        Ok(rel) => {
            let shown = rel.to_string();
            assert_eq!(shown, text, "RelativePath display");
            assert_eq!(RelativePath::parse(&shown).as_ref(), Ok(&rel));
        }
        Err(error) => {
            check_error(text, &error);
            // The absolute grammar is the relative one with a stricter start.
            assert!(
                Path::parse(text).is_err(),
                "{text:?}: absolute but not relative"
            );
        }
    }
    match SupportedPath::parse(text) {
        Ok(sdm) => {
            let shown = sdm.to_string();
            assert_eq!(shown, text, "SupportedPath display");
            assert_eq!(SupportedPath::parse(&shown).as_ref(), Ok(&sdm));
            for segment in sdm.segments() {
                assert!(matches!(
                    segment,
                    Segment::Name(_) | Segment::Instance(_) | Segment::Placeholder
                ));
            }
        }
        Err(error) => check_error(text, &error),
    }
}

fn check_error(text: &str, error: &PathError) {
    let offset = error.offset();
    assert!(
        offset <= text.len() && text.is_char_boundary(offset),
        "{text:?}: offset {offset} of {error:?} is not a boundary within the text"
    );
    assert_eq!(error.code().get(), 7008, "{error:?}");
    assert!(!error.to_string().is_empty());
}

fn check_path(text: &str, path: &Path) {
    // Exact round trip.
    let shown = path.to_string();
    assert_eq!(shown, text, "Display(FromStr(s)) != s");
    let again = match Path::parse(&shown) {
        Ok(again) => again,
        Err(error) => panic!("{shown:?} displays a path that does not parse: {error:?}"),
    };
    assert_eq!(&again, path);
    assert_eq!(again.kind(), path.kind());
    assert!(again.segments().eq(path.segments()), "segments differ");

    // Canonical form: no whitespace, and a fixed point.
    let canonical = path.to_canonical();
    assert!(
        !canonical.has_whitespace(),
        "{canonical:?} keeps whitespace"
    );
    assert_eq!(canonical.kind(), path.kind());
    assert_eq!(canonical.to_canonical(), canonical);
    assert_eq!(
        canonical.segments().len(),
        path.segments().len(),
        "canonicalisation changed the structure of {text:?}"
    );

    // Typed wrappers agree with the kind.
    let kind = path.kind();
    assert_eq!(ObjectPath::parse(text).is_ok(), kind == PathKind::Object);
    assert_eq!(
        ObjectInstancePath::parse(text).is_ok(),
        kind == PathKind::ObjectInstance
    );
    assert_eq!(ParamPath::parse(text).is_ok(), kind == PathKind::Parameter);
    assert_eq!(CommandPath::parse(text).is_ok(), kind == PathKind::Command);
    assert_eq!(EventPath::parse(text).is_ok(), kind == PathKind::Event);
    assert_eq!(SearchPath::parse(text).is_ok(), path.is_search());

    // Matching.
    if path.is_concrete() {
        assert_eq!(
            path.matches(path),
            Match::Yes,
            "{text:?} does not match itself"
        );
        assert_eq!(
            path.covers(path),
            Match::Yes,
            "{text:?} does not cover itself"
        );
    }
    let evaluated = path.matches_with(path, |_, _| true);
    assert!(evaluated != Match::No || !path.is_concrete());
    if let Some(sdm) = path.to_supported() {
        assert!(sdm.matches(path), "{sdm:?} does not match {path:?}");
    }
    if let Some(parent) = path.parent() {
        assert!(parent.is_partial());
        assert!(text.starts_with(parent.as_str()));
    }

    // Expressions: accessors and type checks.
    for expr in path.expressions() {
        assert!(!expr.is_empty());
        assert!(expr.offset() < text.len());
        for c in expr.comparisons() {
            let _ = (c.parameter_segments().count(), c.constant().value());
            let _ = (
                c.constant().as_i64(),
                c.constant().as_u64(),
                c.constant().as_bool(),
            );
            for ty in [
                DataType::String,
                DataType::Boolean,
                DataType::Int,
                DataType::UnsignedLong,
                DataType::Decimal,
                DataType::DateTime,
                DataType::HexBinary,
                DataType::Base64,
            ] {
                for list in [false, true] {
                    if let Err(error) = c.check_type(ty, list) {
                        check_error(text, &error);
                    }
                }
            }
        }
    }
}
