//! Type checks of Expression Components against the Expression Parameter's data type: the
//! part of the rules of "Searching with Expressions" that the syntax alone cannot check.

use crate::error::{PathError, PathErrorKind};
use crate::search::{Comparison, Constant, Operator, parse_integer};

/// A TR-106 primitive data type, as the data model defines it for a Parameter; the input
/// of [`Comparison::check_type`].
///
/// ```
/// use usp_datamodel::DataType;
///
/// assert_eq!(DataType::UnsignedInt.to_string(), "unsignedInt");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataType {
    /// `string` (and the types derived from it, such as `Alias` or `IPAddress`).
    String,
    /// `boolean`: `true`, `false`, `1` or `0`.
    Boolean,
    /// `int`: a signed 32-bit integer.
    Int,
    /// `unsignedInt`: an unsigned 32-bit integer.
    UnsignedInt,
    /// `long`: a signed 64-bit integer.
    Long,
    /// `unsignedLong`: an unsigned 64-bit integer.
    UnsignedLong,
    /// `decimal`: a decimal number such as `-1.25`.
    Decimal,
    /// `dateTime`: `YYYY-MM-DDThh:mm:ss`, optional fraction and time zone; the Unknown
    /// Time is `0001-01-01T00:00:00Z`.
    DateTime,
    /// `hexBinary`: hexadecimal digits, two per byte, such as `08`.
    HexBinary,
    /// `base64`: Base64-encoded binary.
    Base64,
}

impl DataType {
    /// The TR-106 name of the type.
    ///
    /// ```
    /// use usp_datamodel::DataType;
    ///
    /// assert_eq!(DataType::DateTime.as_str(), "dateTime");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Boolean => "boolean",
            Self::Int => "int",
            Self::UnsignedInt => "unsignedInt",
            Self::Long => "long",
            Self::UnsignedLong => "unsignedLong",
            Self::Decimal => "decimal",
            Self::DateTime => "dateTime",
            Self::HexBinary => "hexBinary",
            Self::Base64 => "base64",
        }
    }
}

impl std::fmt::Display for DataType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Comparison<'_> {
    /// Checks this component against the data type of its Expression Parameter, as the
    /// data model defines it: `ty` is the type of the Parameter, or of the elements of a
    /// comma-separated list when `list` is true.
    ///
    /// The rules (architecture, "Searching with Expressions"):
    ///
    /// * `~=` is only valid for lists, and its constant must be a literal of the element
    ///   type. Any other operator on a list compares the whole list as a `string`.
    /// * For `string` and `boolean`, and for the Unknown Time `0001-01-01T00:00:00Z`, only
    ///   `==` and `!=` are valid; likewise for `hexBinary` and `base64`, which have no
    ///   order.
    /// * A `string` constant is quoted; a `boolean`, number or `dateTime` is not: so
    ///   `[Enable=="true"]` is invalid for the `boolean` `Enable` ("Search Expression
    ///   Examples"). Numbers may have a sign and leading zeros (`+123`, `0123`) and must
    ///   fit the type. `hexBinary` may be written either way (`[DeviceClass==08]` in the
    ///   examples is the `hexBinary(1)` USB device class 0x08).
    ///
    /// # Errors
    ///
    /// [`PathErrorKind::OperatorNotAllowed`] at the operator, or
    /// [`PathErrorKind::ConstantType`] at the constant. Both map to 7008.
    ///
    /// ```
    /// use usp_datamodel::{DataType, Path, PathErrorKind};
    ///
    /// let text = "Device.DSL.Line.[Enable==\"true\"].CurrentProfile";
    /// let path: Path = text.parse()?; // the syntax is fine ...
    /// let c = path.expressions().next().unwrap().comparisons().next().unwrap();
    /// let err = c.check_type(DataType::Boolean, false).unwrap_err(); // ... the type is not
    /// assert_eq!(err.kind(), PathErrorKind::ConstantType);
    /// assert_eq!(&text[err.offset()..], "\"true\"].CurrentProfile");
    ///
    /// let ok: Path = "Device.DSL.Line.[Enable==true].CurrentProfile".parse()?;
    /// let c = ok.expressions().next().unwrap().comparisons().next().unwrap();
    /// assert!(c.check_type(DataType::Boolean, false).is_ok());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn check_type(&self, ty: DataType, list: bool) -> Result<(), PathError> {
        let op = self.operator();
        let constant = self.constant();
        let operator_error = || {
            Err(PathError::new(
                PathErrorKind::OperatorNotAllowed,
                self.operator_offset(),
            ))
        };
        let constant_error = || {
            Err(PathError::new(
                PathErrorKind::ConstantType,
                constant.offset(),
            ))
        };
        if op == Operator::Contains && !list {
            return operator_error();
        }
        // The whole value of a list is a string.
        let ty = if list && op != Operator::Contains {
            DataType::String
        } else {
            ty
        };
        let unordered = matches!(
            ty,
            DataType::String | DataType::Boolean | DataType::HexBinary | DataType::Base64
        ) || (ty == DataType::DateTime && constant.as_written() == UNKNOWN_TIME);
        if op.is_ordering() && unordered {
            return operator_error();
        }
        if is_literal_of(&constant, ty) {
            Ok(())
        } else {
            constant_error()
        }
    }
}

/// The Unknown Time of TR-106 section 3.2.1.
const UNKNOWN_TIME: &str = "0001-01-01T00:00:00Z";

/// Whether `constant` is a literal of `ty`.
fn is_literal_of(constant: &Constant<'_>, ty: DataType) -> bool {
    let raw = constant.as_written();
    if constant.is_string() {
        return match ty {
            DataType::String => true,
            DataType::HexBinary => is_hex_binary(&constant.value()),
            DataType::Base64 => is_base64(&constant.value()),
            _ => false,
        };
    }
    let signed = |min: i64, max: i64| {
        parse_integer(raw).is_some_and(|(negative, n)| {
            let magnitude = i128::from(n);
            let value = if negative { -magnitude } else { magnitude };
            (i128::from(min)..=i128::from(max)).contains(&value)
        })
    };
    match ty {
        DataType::String => false,
        DataType::Boolean => constant.as_bool().is_some(),
        DataType::Int => signed(i32::MIN.into(), i32::MAX.into()),
        DataType::UnsignedInt => constant.as_u64().is_some_and(|n| n <= u32::MAX.into()),
        DataType::Long => constant.as_i64().is_some(),
        DataType::UnsignedLong => constant.as_u64().is_some(),
        DataType::Decimal => is_decimal(raw),
        DataType::DateTime => is_date_time(raw),
        DataType::HexBinary => is_hex_binary(raw),
        DataType::Base64 => is_base64(raw),
    }
}

/// `[+-]? ( digits ( '.' digits? )? | '.' digits )`.
fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty())
}

/// `YYYY-MM-DDThh:mm:ss`, an optional fraction `.s+`, an optional zone `Z` or `±hh:mm`
/// (the XML Schema form TR-106 uses), with the fields in range.
fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let fields = (|| {
        let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
        let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
        let shape = at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':');
        let ok = shape
            && year >= 1
            && (1..=12).contains(&month)
            && (1..=31).contains(&day)
            && hour <= 23
            && minute <= 59
            && second <= 60;
        ok.then_some(())
    })();
    if fields.is_none() {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &fraction[digits..];
    }
    match rest.as_bytes() {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let all_digits = [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit());
            all_digits
                && (h1 - b'0') * 10 + (h2 - b'0') <= 14
                && (m1 - b'0') * 10 + (m2 - b'0') <= 59
        }
        _ => false,
    }
}

/// An even number of hexadecimal digits.
fn is_hex_binary(s: &str) -> bool {
    s.len().is_multiple_of(2) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Base64 characters with at most two `=` of padding at the end.
fn is_base64(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    s.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Path;

    /// Checks `[P<op><constant>]` against `ty`; returns the error kind, if any.
    fn check(expr: &str, ty: DataType, list: bool) -> Option<PathErrorKind> {
        let path: Path = format!("Device.X.[{expr}].").parse().unwrap();
        let expression = path.expressions().next().unwrap();
        let c = expression.comparisons().next().unwrap();
        c.check_type(ty, list).err().map(|e| e.kind())
    }

    const OP: Option<PathErrorKind> = Some(PathErrorKind::OperatorNotAllowed);
    const CONST: Option<PathErrorKind> = Some(PathErrorKind::ConstantType);

    #[test]
    fn strings_and_booleans_only_compare_for_equality() {
        assert_eq!(check("A==\"x\"", DataType::String, false), None);
        assert_eq!(check("A!=\"x\"", DataType::String, false), None);
        assert_eq!(check("A<\"x\"", DataType::String, false), OP);
        assert_eq!(check("A==x", DataType::String, false), CONST);
        assert_eq!(check("A==true", DataType::Boolean, false), None);
        assert_eq!(check("A==1", DataType::Boolean, false), None);
        assert_eq!(check("A!=0", DataType::Boolean, false), None);
        assert_eq!(check("A==2", DataType::Boolean, false), CONST);
        assert_eq!(check("A>=true", DataType::Boolean, false), OP);
        assert_eq!(check("A==\"true\"", DataType::Boolean, false), CONST);
    }

    #[test]
    fn contains_needs_a_list() {
        assert_eq!(check("A~=\"x\"", DataType::String, false), OP);
        assert_eq!(check("A~=\"x\"", DataType::String, true), None);
        assert_eq!(check("A~=5", DataType::UnsignedInt, true), None);
        assert_eq!(check("A~=\"5\"", DataType::UnsignedInt, true), CONST);
        assert_eq!(check("A==\"1,2\"", DataType::UnsignedInt, true), None);
        assert_eq!(check("A==5", DataType::UnsignedInt, true), CONST);
        assert_eq!(check("A<\"1\"", DataType::UnsignedInt, true), OP);
    }

    #[test]
    fn numbers_fit_their_type() {
        assert_eq!(check("A>0", DataType::UnsignedInt, false), None);
        assert_eq!(check("A>+0123", DataType::Int, false), None);
        assert_eq!(check("A>-2147483648", DataType::Int, false), None);
        assert_eq!(check("A>-2147483649", DataType::Int, false), CONST);
        assert_eq!(check("A>2147483648", DataType::Int, false), CONST);
        assert_eq!(check("A>4294967295", DataType::UnsignedInt, false), None);
        assert_eq!(check("A>4294967296", DataType::UnsignedInt, false), CONST);
        assert_eq!(check("A>-1", DataType::UnsignedInt, false), CONST);
        assert_eq!(check("A>-0", DataType::UnsignedInt, false), None);
        assert_eq!(check("A>-9223372036854775808", DataType::Long, false), None);
        assert_eq!(check("A>9223372036854775808", DataType::Long, false), CONST);
        assert_eq!(
            check("A>18446744073709551615", DataType::UnsignedLong, false),
            None
        );
        assert_eq!(check("A>1.5", DataType::UnsignedLong, false), CONST);
        assert_eq!(check("A>1.5", DataType::Decimal, false), None);
        assert_eq!(check("A>-.5", DataType::Decimal, false), None);
        assert_eq!(check("A>7.", DataType::Decimal, false), None);
        assert_eq!(check("A>.", DataType::Decimal, false), CONST);
        assert_eq!(check("A>1e5", DataType::Decimal, false), CONST);
    }

    #[test]
    fn date_times() {
        let dt = DataType::DateTime;
        assert_eq!(check("A<2021-06-06T08:00:00Z", dt, false), None);
        assert_eq!(check("A<2021-06-06T08:00:00.123Z", dt, false), None);
        assert_eq!(check("A<2021-06-06T08:00:00+01:00", dt, false), None);
        assert_eq!(check("A<2021-06-06T08:00:00", dt, false), None);
        assert_eq!(check("A<2021-13-06T08:00:00Z", dt, false), CONST);
        assert_eq!(check("A<2021-06-06T08:00:00.Z", dt, false), CONST);
        assert_eq!(check("A<2021-06-06", dt, false), CONST);
        assert_eq!(check("A<\"2021-06-06T08:00:00Z\"", dt, false), CONST);
        // The Unknown Time only compares for equality.
        assert_eq!(check("A==0001-01-01T00:00:00Z", dt, false), None);
        assert_eq!(check("A>0001-01-01T00:00:00Z", dt, false), OP);
    }

    #[test]
    fn binary_types() {
        assert_eq!(check("A==08", DataType::HexBinary, false), None);
        assert_eq!(check("A==\"0a0B\"", DataType::HexBinary, false), None);
        assert_eq!(check("A==008", DataType::HexBinary, false), CONST);
        assert_eq!(check("A<08", DataType::HexBinary, false), OP);
        assert_eq!(check("A==\"AAE=\"", DataType::Base64, false), None);
        assert_eq!(check("A==\"A===\"", DataType::Base64, false), CONST);
        assert_eq!(check("A==AAE", DataType::Base64, false), None);
    }
}
