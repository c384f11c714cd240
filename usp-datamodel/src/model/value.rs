//! TR-106 typed values and the comparisons of search expressions.

use std::cmp::Ordering;

use crate::model::schema::ParamType;
use crate::types::DataType;
use crate::{Comparison, Operator, PathError};

/// A TR-106 literal read as its type, so that `0123`, `+123` and `123` compare equal
/// ("Searching with Expressions").
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Scalar {
    Str(String),
    Bool(bool),
    Signed(i64),
    Unsigned(u64),
    Decimal(f64),
    /// Seconds and nanoseconds since 1970-01-01T00:00:00Z.
    Time(i64, u32),
    /// Lowercased hexadecimal digits.
    Hex(String),
    Base64(String),
}

impl Scalar {
    /// Reads `s` as a literal of `ty`; `None` if it is not one.
    pub(crate) fn parse(ty: DataType, s: &str) -> Option<Self> {
        Some(match ty {
            DataType::String => Self::Str(s.to_owned()),
            DataType::Boolean => Self::Bool(match s {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => return None,
            }),
            DataType::Int => Self::Signed(i64::from(s.parse::<i32>().ok()?)),
            DataType::Long => Self::Signed(s.parse::<i64>().ok()?),
            DataType::UnsignedInt => Self::Unsigned(u64::from(parse_unsigned::<u32>(s)?)),
            DataType::UnsignedLong => Self::Unsigned(parse_unsigned::<u64>(s)?),
            DataType::Decimal => {
                let body = s.strip_prefix(['+', '-']).unwrap_or(s);
                let digits = body.bytes().filter(u8::is_ascii_digit).count();
                let ok = digits > 0
                    && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                    && body.bytes().filter(|&b| b == b'.').count() <= 1;
                if !ok {
                    return None;
                }
                Self::Decimal(s.parse::<f64>().ok()?)
            }
            DataType::DateTime => {
                let (secs, nanos) = parse_date_time(s)?;
                Self::Time(secs, nanos)
            }
            DataType::HexBinary => {
                let ok = s.len().is_multiple_of(2) && s.bytes().all(|b| b.is_ascii_hexdigit());
                if !ok {
                    return None;
                }
                Self::Hex(s.to_ascii_lowercase())
            }
            DataType::Base64 => Self::Base64(s.to_owned()),
        })
    }

    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Self::Signed(a), Self::Signed(b)) => Some(a.cmp(b)),
            (Self::Unsigned(a), Self::Unsigned(b)) => Some(a.cmp(b)),
            (Self::Decimal(a), Self::Decimal(b)) => a.partial_cmp(b),
            (Self::Time(a, an), Self::Time(b, bn)) => Some((a, an).cmp(&(b, bn))),
            _ => None,
        }
    }

    fn equals(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Str(a), Self::Str(b))
            | (Self::Hex(a), Self::Hex(b))
            | (Self::Base64(a), Self::Base64(b)) => a == b,
            (Self::Bool(a), Self::Bool(b)) => a == b,
            _ => self.partial_cmp(other) == Some(Ordering::Equal),
        }
    }
}

/// `+`-signed or plain decimal digits, leading zeros allowed, into an unsigned type.
fn parse_unsigned<T: std::str::FromStr>(s: &str) -> Option<T> {
    let s = s.strip_prefix('+').unwrap_or(s);
    if s == "-0" {
        return "0".parse().ok();
    }
    s.parse().ok()
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A TR-106 `dateTime` (`2021-06-06T08:00:00Z`, with optional fraction and offset; no
/// offset is read as UTC) as seconds and nanoseconds since the epoch.
pub(crate) fn parse_date_time(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let valid = year >= 1
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 60;
    if !valid {
        return None;
    }
    let mut rest = s.get(19..)?;
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return None;
        }
        for (i, d) in fraction.bytes().take(9).take(len).enumerate() {
            nanos += u32::from(d - b'0') * 10u32.pow(8 - i as u32);
        }
        rest = &fraction[len..];
    }
    let offset = match rest.as_bytes() {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digits = [h1, h2, m1, m2];
            if !digits.iter().all(|d| d.is_ascii_digit()) {
                return None;
            }
            let v = |a: &u8, b: &u8| i64::from(a - b'0') * 10 + i64::from(b - b'0');
            let minutes = v(h1, h2) * 60 + v(m1, m2);
            if *sign == b'-' { -minutes } else { minutes }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset * 60;
    Some((secs, nanos))
}

/// A comparison of a search expression, checked against the parameter's type and with
/// its constant read once.
#[derive(Clone, Debug)]
pub(crate) struct TypedComparison {
    op: Operator,
    base: DataType,
    list: bool,
    /// `None` never matches (cannot happen after `check_type`).
    constant: Option<Scalar>,
}

impl TypedComparison {
    /// Applies the type rules of "Searching with Expressions" through
    /// [`Comparison::check_type`].
    pub(crate) fn new(comparison: &Comparison<'_>, ty: &ParamType) -> Result<Self, PathError> {
        comparison.check_type(ty.data_type(), ty.is_list())?;
        let op = comparison.operator();
        let whole_list = ty.is_list() && op != Operator::Contains;
        let base = if whole_list {
            DataType::String
        } else {
            ty.data_type()
        };
        let constant = Scalar::parse(base, &comparison.constant().value());
        Ok(Self {
            op,
            base,
            list: ty.is_list() && op == Operator::Contains,
            constant,
        })
    }

    /// Whether `value` (a literal of the parameter's type) satisfies the comparison. A
    /// value that is not a literal of its type satisfies none.
    pub(crate) fn matches(&self, value: &str) -> bool {
        let Some(constant) = &self.constant else {
            return false;
        };
        if let Scalar::Str(constant) = constant {
            // Strings compare as written: no need to read the value first.
            return match (self.list, self.op) {
                (true, _) => value.split(',').any(|item| item.trim() == constant),
                (false, Operator::Eq) => value == constant,
                (false, Operator::Ne) => value != constant,
                _ => false,
            };
        }
        if self.list {
            return value
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .filter_map(|item| Scalar::parse(self.base, item))
                .any(|item| item.equals(constant));
        }
        let Some(value) = Scalar::parse(self.base, value) else {
            return false;
        };
        match self.op {
            Operator::Eq => value.equals(constant),
            Operator::Ne => !value.equals(constant),
            op => match value.partial_cmp(constant) {
                Some(ordering) => match op {
                    Operator::Lt => ordering == Ordering::Less,
                    Operator::Gt => ordering == Ordering::Greater,
                    Operator::Le => ordering != Ordering::Greater,
                    Operator::Ge => ordering != Ordering::Less,
                    _ => false,
                },
                None => false,
            },
        }
    }
}

/// Evaluates one comparison of a search expression against a parameter value of type
/// `ty`, with the typing rules of TR-369 "Searching with Expressions": `string`,
/// `boolean`, `hexBinary`, `base64` and the Unknown Time take `==` and `!=` only, `~=`
/// is list membership and needs a list, numbers and `dateTime` are ordered by value.
/// A type error is the [`PathError`] of [`Comparison::check_type`] (USP 7008).
///
/// ```
/// use usp_datamodel::{DataType, ParamType, Path, evaluate};
///
/// let path: Path = "Device.X.[A>=0100].".parse()?;
/// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
/// let ty = ParamType::new(DataType::UnsignedInt);
/// assert!(evaluate(&c, &ty, "100")?);
/// assert!(!evaluate(&c, &ty, "99")?);
/// assert!(evaluate(&c, &ParamType::string(), "x").is_err()); // `>=` on a string
/// # Ok::<(), usp_datamodel::PathError>(())
/// ```
pub fn evaluate(
    comparison: &Comparison<'_>,
    ty: &ParamType,
    value: &str,
) -> Result<bool, PathError> {
    Ok(TypedComparison::new(comparison, ty)?.matches(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_compare_as_instants() {
        let a = parse_date_time("2021-06-06T08:00:00Z").unwrap();
        let b = parse_date_time("2021-06-06T10:00:00+02:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(parse_date_time("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(
            parse_date_time("1970-01-01T00:00:01.5Z"),
            Some((1, 500_000_000))
        );
        assert!(parse_date_time("2021-06-06").is_none());
        assert!(parse_date_time("2021-06-06T08:00:00X").is_none());
    }

    #[test]
    fn numbers_read_by_value() {
        assert!(
            Scalar::parse(DataType::Int, "+0123")
                .unwrap()
                .equals(&Scalar::Signed(123))
        );
        assert!(Scalar::parse(DataType::UnsignedInt, "-1").is_none());
        assert!(Scalar::parse(DataType::UnsignedInt, "4294967296").is_none());
        assert!(Scalar::parse(DataType::Decimal, "1e5").is_none());
        assert!(Scalar::parse(DataType::Decimal, "-.5").is_some());
        assert!(
            Scalar::parse(DataType::Boolean, "1")
                .unwrap()
                .equals(&Scalar::Bool(true))
        );
        assert!(
            Scalar::parse(DataType::HexBinary, "0A")
                .unwrap()
                .equals(&Scalar::Hex("0a".into()))
        );
    }
}
