//! USP error codes (TR-369 "Error Codes" and "USP Record Errors").

use std::fmt;

/// A USP error code, as carried in the `err_code` of an Error Message, the `err_code` of
/// per-path failures in responses, the `err_code` of `CommandFailure` and the
/// `reason_code` of a Disconnect Record.
///
/// USP uses one code space, 7000 to 7999, for both Controller and Agent errors:
///
/// | range | [`ErrorCategory`] | defined by |
/// | :---- | :---------------- | :--------- |
/// | 7000–7099 | [`Message`](ErrorCategory::Message) | the Messages chapter (7000–7031 so far) |
/// | 7100–7199 | [`Record`](ErrorCategory::Record) | "USP Record Errors" (7100–7106 so far) |
/// | 7200–7299 | [`DataModel`](ErrorCategory::DataModel) | the data model |
/// | 7300–7799 | [`Reserved`](ErrorCategory::Reserved) | nobody yet |
/// | 7800–7999 | [`Vendor`](ErrorCategory::Vendor) | implementations, without requirements on their content |
///
/// Like h2's `Reason`, this is a newtype over the wire value with an associated constant
/// for every code the specification names. Any `u32` is representable, so a code received
/// from a peer is never lost, even outside the USP range; use
/// [`is_valid_usp`](Self::is_valid_usp) and [`category`](Self::category) to classify it.
///
/// The per-constant docs give the specification's name and description, the
/// "Applicability" column of its table, and the Messages whose "supported error codes"
/// lists include the code. Every list also includes the vendor range 7800–7999.
///
/// # Examples
///
/// ```
/// use usp_types::{ErrorCategory, ErrorCode};
///
/// let code = ErrorCode::from(7026);
/// assert_eq!(code, ErrorCode::INVALID_PATH);
/// assert_eq!(code.name(), Some("Invalid path"));
/// assert_eq!(code.to_string(), "7026 (Invalid path)");
/// assert_eq!(format!("{code:?}"), "ErrorCode::INVALID_PATH");
///
/// let vendor = ErrorCode::new(7801);
/// assert!(vendor.is_vendor());
/// assert_eq!(vendor.category(), ErrorCategory::Vendor);
/// assert_eq!(vendor.name(), None);
/// assert_eq!(format!("{vendor:?} {vendor}"), "ErrorCode(7801) 7801");
/// ```
///
/// The default is 0, the value Messages carry in an `err_code` field when there is no
/// error (protobuf's default for a `fixed32`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ErrorCode(u32);

impl ErrorCode {
    /// Wraps a wire value. Every `u32` is accepted.
    pub const fn new(code: u32) -> Self {
        Self(code)
    }

    /// The wire value.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// The specification's name for this code, e.g. `"Invalid path syntax"` for 7008, or
    /// `None` if the specification does not name it.
    pub fn name(self) -> Option<&'static str> {
        known(self.0).map(|(_, name)| name)
    }

    /// The range this code falls in.
    pub const fn category(self) -> ErrorCategory {
        match self.0 {
            7000..=7099 => ErrorCategory::Message,
            7100..=7199 => ErrorCategory::Record,
            7200..=7299 => ErrorCategory::DataModel,
            7300..=7799 => ErrorCategory::Reserved,
            7800..=7999 => ErrorCategory::Vendor,
            _ => ErrorCategory::OutOfRange,
        }
    }

    /// Whether this is a vendor-defined code (7800–7999). Implementations MAY define
    /// their own codes in this range for Errors and Responses; the specification puts no
    /// requirements on their content.
    pub const fn is_vendor(self) -> bool {
        matches!(self.0, 7800..=7999)
    }

    /// Whether this is a USP Record error code (7100–7199), used when a Record cannot be
    /// processed (R-MTP.5) and as the `reason_code` of a Disconnect Record.
    pub const fn is_record_error(self) -> bool {
        matches!(self.0, 7100..=7199)
    }

    /// Whether this code lies in the USP code space, 7000–7999.
    pub const fn is_valid_usp(self) -> bool {
        matches!(self.0, 7000..=7999)
    }
}

impl From<u32> for ErrorCode {
    fn from(code: u32) -> Self {
        Self(code)
    }
}

impl From<ErrorCode> for u32 {
    fn from(code: ErrorCode) -> Self {
        code.0
    }
}

impl fmt::Debug for ErrorCode {
    /// `ErrorCode::INVALID_PATH` for a named code, `ErrorCode(7345)` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match known(self.0) {
            Some((konst, _)) => write!(f, "ErrorCode::{konst}"),
            None => f.debug_tuple("ErrorCode").field(&self.0).finish(),
        }
    }
}

impl fmt::Display for ErrorCode {
    /// `7026 (Invalid path)` for a named code, just the number otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} ({name})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

/// The range an [`ErrorCode`] falls in; see [`ErrorCode::category`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCategory {
    /// 7000–7099: errors defined by the Messages chapter of the specification.
    Message,
    /// 7100–7199: USP Record errors.
    Record,
    /// 7200–7299: errors defined by the data model.
    DataModel,
    /// 7300–7799: inside the USP code space but not assigned to anyone.
    Reserved,
    /// 7800–7999: vendor-defined errors.
    Vendor,
    /// Outside 7000–7999: not a USP error code.
    OutOfRange,
}

/// Defines the named codes once: the constants, [`ErrorCode::ALL_NAMED`] and the lookup
/// table behind `name()` and `Debug`.
macro_rules! named_codes {
    ($( $(#[$doc:meta])* $konst:ident = $code:literal, $name:literal; )*) => {
        impl ErrorCode {
            $(
                $(#[$doc])*
                #[doc = concat!("\n\nSpec name: \"", $name, "\".")]
                pub const $konst: Self = Self($code);
            )*

            /// Every code the specification names, in ascending order.
            pub const ALL_NAMED: &'static [Self] = &[$(Self::$konst),*];
        }

        /// The constant name and the spec name of a named code.
        fn known(code: u32) -> Option<(&'static str, &'static str)> {
            match code {
                $($code => Some((stringify!($konst), $name)),)*
                _ => None,
            }
        }
    };
}

named_codes! {
    /// 7000: a general failure, described in the `err_msg` field.
    ///
    /// Applicability: the Error Message. Listed for Add, Set, Delete, Get, GetInstances,
    /// GetSupportedDM, Register, Deregister, Notify and Operate.
    MESSAGE_FAILED = 7000, "Message failed";

    /// 7001: the attempted Message was not understood by the target Endpoint. Also the
    /// suggested answer to Messages from a Record with a higher version than supported.
    ///
    /// Applicability: the Error Message. Listed for Add, Set, Delete, Get, GetInstances,
    /// GetSupportedDM, Register, Deregister, Notify and Operate.
    MESSAGE_NOT_SUPPORTED = 7001, "Message not supported";

    /// 7002: the target Endpoint cannot or will not process the Message or operation.
    ///
    /// Applicability: any. Listed for Add, Set, Delete, Get, GetInstances, GetSupportedDM,
    /// Register, Deregister, Notify, Operate and `CommandFailure`.
    REQUEST_DENIED = 7002, "Request denied (no reason specified)";

    /// 7003: the Message or operation failed for internal hardware or software reasons.
    ///
    /// Applicability: any. Listed for Add, Set, Delete, Get, GetInstances, GetSupportedDM,
    /// Register, Deregister, Notify, Operate and `CommandFailure`.
    INTERNAL_ERROR = 7003, "Internal error";

    /// 7004: the Message or operation failed because of invalid values in the USP
    /// Message. Also the error for a Message that breaks the `oneof` rule (R-ENC.5).
    ///
    /// Applicability: any. Listed for Add, Set, Delete, Get, GetInstances, GetSupportedDM,
    /// Register, Deregister, Notify, Operate and `CommandFailure`.
    INVALID_ARGUMENTS = 7004, "Invalid arguments";

    /// 7005: the Message or operation failed because of memory or processing limits on
    /// the target Endpoint.
    ///
    /// Applicability: any. Listed for Add, Set, Delete, Get, GetInstances, GetSupportedDM,
    /// Register, Deregister, Notify, Operate and `CommandFailure`.
    RESOURCES_EXCEEDED = 7005, "Resources exceeded";

    /// 7006: the source Endpoint is not authorized for this action.
    ///
    /// Applicability: any. Listed for Add, Set, Delete, Get, GetInstances, GetSupportedDM,
    /// Register, Deregister, Notify, Operate and `CommandFailure`.
    PERMISSION_DENIED = 7006, "Permission denied";

    /// 7007: processing the Message would put the target Endpoint in an invalid or
    /// unrecoverable state.
    ///
    /// Applicability: any. Listed for Add, Set, Delete, Register, Deregister, Operate and
    /// `CommandFailure`.
    INVALID_CONFIGURATION = 7007, "Invalid configuration";

    /// 7008: the Path Name was not understood by the target Endpoint.
    ///
    /// Applicability: any `requested_path`. Listed for Add, Set, Delete, Get,
    /// GetInstances, GetSupportedDM, Register, Deregister, Operate and `CommandFailure`.
    INVALID_PATH_SYNTAX = 7008, "Invalid path syntax";

    /// 7009: a Parameter failed to update for a general reason described in `err_msg`.
    ///
    /// Applicability: Set. Listed for Add and Set.
    PARAMETER_ACTION_FAILED = 7009, "Parameter action failed";

    /// 7010: the requested Path Name of a `ParamError` or `ParameterError` did not match
    /// any instantiated Parameter.
    ///
    /// Applicability: Add, Set. Listed for Add, Set and Get.
    UNSUPPORTED_PARAMETER = 7010, "Unsupported parameter";

    /// 7011: the received string cannot be read as a value of the Parameter's type.
    ///
    /// Applicability: Add, Set. Listed for Add and Set.
    INVALID_TYPE = 7011, "Invalid type";

    /// 7012: the requested value is outside the acceptable values of the Parameter.
    ///
    /// Applicability: Add, Set. Listed for Add and Set.
    INVALID_VALUE = 7012, "Invalid value";

    /// 7013: the source Endpoint tried to update a Parameter that is not writable.
    ///
    /// Applicability: Add, Set. Listed for Add and Set.
    PARAMETER_NOT_WRITABLE = 7013, "Attempt to update non-writeable parameter";

    /// 7014: the requested value would make the configuration invalid given other
    /// Parameter values.
    ///
    /// Applicability: Add, Set. Listed for Add and Set.
    VALUE_CONFLICT = 7014, "Value conflict";

    /// 7015: a general failure to create, update or delete an Object, described in
    /// `err_msg`.
    ///
    /// Applicability: Add, Set, Delete. Listed for Add, Set and Delete.
    OPERATION_ERROR = 7015, "Operation error";

    /// 7016: the requested Path Name does not address an Object in the Agent's
    /// Instantiated Data Model.
    ///
    /// Applicability: any. Listed for Add, Set, Delete, Get, GetInstances, GetSupportedDM,
    /// Register, Deregister, Operate and `CommandFailure`.
    OBJECT_DOES_NOT_EXIST = 7016, "Object does not exist";

    /// 7017: the operation failed to create an instance of the Object.
    ///
    /// Applicability: Add. Listed for Add.
    OBJECT_NOT_CREATED = 7017, "Object could not be created";

    /// 7018: the requested Path Name is not a Multi-Instance Object.
    ///
    /// Applicability: Add, GetInstances. Listed for Add, Delete and GetInstances.
    NOT_A_TABLE = 7018, "Object is not a table";

    /// 7019: the source Endpoint tried to create an Object that is not creatable.
    ///
    /// Applicability: Add. Listed for Add.
    OBJECT_NOT_CREATABLE = 7019, "Attempt to create non-creatable object";

    /// 7020: the requested Object of a Set request failed to update.
    ///
    /// Applicability: Set. Listed for Set.
    OBJECT_NOT_UPDATED = 7020, "Object could not be updated";

    /// 7021: the request failed on this Object because one or more required Parameters
    /// failed to update; the associated `ParamError` or `ParameterError` gives details.
    ///
    /// Applicability: Add, Set. Listed for Set (the Add list stops at 7019).
    REQUIRED_PARAMETER_FAILED = 7021, "Required parameter failed";

    /// 7022: a command started by an Operate Request failed to complete, for reasons
    /// given in `err_msg`.
    ///
    /// Applicability: Operate. Listed for Operate and `CommandFailure`.
    COMMAND_FAILURE = 7022, "Command failure";

    /// 7023: an asynchronous command started by an Operate Request did not complete
    /// because it was cancelled with the `Cancel()` operation. Reserved for asynchronous
    /// operations.
    ///
    /// Applicability: Operate. Listed for `CommandFailure`.
    COMMAND_CANCELED = 7023, "Command canceled";

    /// 7024: the Object Instance failed to be deleted.
    ///
    /// Applicability: Delete. Listed for Delete.
    DELETE_FAILURE = 7024, "Delete failure";

    /// 7025: an Object already exists with the Unique Keys given in an Add or Set
    /// Message.
    ///
    /// Applicability: Add, Set. (Not in the Add or Set lists of the 1.4 text.)
    DUPLICATE_UNIQUE_KEY = 7025, "Object exists with duplicate key";

    /// 7026: the Object, Parameter or Command Path Name does not match anything in the
    /// Agent's Supported Data Model (R-GET.0 also uses it for Get).
    ///
    /// Applicability: any. Listed for Add, Set, Delete, Get, GetInstances, GetSupportedDM
    /// and Operate.
    INVALID_PATH = 7026, "Invalid path";

    /// 7027: an Operate Message failed because of invalid or unknown command arguments.
    ///
    /// Applicability: Operate. Listed for Operate.
    INVALID_COMMAND_ARGUMENTS = 7027, "Invalid command arguments";

    /// 7028: a path in a Register Request failed to be registered, for reasons given in
    /// `err_msg`.
    ///
    /// Applicability: Register. Listed for Register.
    REGISTER_FAILURE = 7028, "Register failure";

    /// 7029: a path in a Register Request failed to be registered because a different
    /// USP Agent registered it.
    ///
    /// Applicability: Register. Listed for Register.
    ALREADY_IN_USE = 7029, "Already in use";

    /// 7030: a path in a Deregister Request failed to be deregistered, for reasons given
    /// in `err_msg`.
    ///
    /// Applicability: Deregister. Listed for Deregister.
    DEREGISTER_FAILURE = 7030, "Deregister failure";

    /// 7031: a path in a Deregister Request failed to be deregistered because a different
    /// USP Agent registered it.
    ///
    /// Applicability: Deregister. (Not in the Deregister list of the 1.4 text.)
    PATH_ALREADY_REGISTERED = 7031, "Path already registered";

    /// 7100: the received USP Record could not be parsed.
    ///
    /// A USP Record error (R-MTP.5): sent in an Error Message when the Record's sender and
    /// a return path are known.
    RECORD_NOT_PARSED = 7100, "Record could not be parsed";

    /// 7101: USP layer secure message exchange is required.
    ///
    /// A USP Record error (R-MTP.5).
    SECURE_SESSION_REQUIRED = 7101, "Secure session required";

    /// 7102: USP layer secure message exchange was indicated in the received Record but
    /// is not supported by the receiving Endpoint.
    ///
    /// A USP Record error (R-MTP.5).
    SECURE_SESSION_NOT_SUPPORTED = 7102, "Secure session not supported";

    /// 7103: segmentation and reassembly was indicated in the received Record but is not
    /// supported by the receiving Endpoint.
    ///
    /// A USP Record error (R-MTP.5).
    SAR_NOT_SUPPORTED = 7103, "Segmentation and reassembly not supported";

    /// 7104: the value of at least one Record field was invalid.
    ///
    /// A USP Record error (R-MTP.5).
    INVALID_RECORD_VALUE = 7104, "Invalid Record value";

    /// 7105: an existing Session Context is being terminated.
    ///
    /// A USP Record error; the `reason_code` of the Disconnect Record an Agent sends to
    /// end a Session Context without closing the MTP connection (R-E2E.6b).
    SESSION_CONTEXT_TERMINATED = 7105, "Session Context terminated";

    /// 7106: use of Session Context is not allowed or not supported.
    ///
    /// A USP Record error; the `reason_code` of the Disconnect Record an Agent sends in
    /// reply to a Record that starts a Session Context it does not allow (R-E2E.6a).
    SESSION_CONTEXT_NOT_ALLOWED = 7106, "Session Context not allowed";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_codes_match_the_spec_tables() {
        assert_eq!(ErrorCode::ALL_NAMED.len(), 32 + 7);
        let mut expected: Vec<u32> = (7000..=7031).collect();
        expected.extend(7100..=7106);
        let got: Vec<u32> = ErrorCode::ALL_NAMED.iter().map(|c| c.get()).collect();
        assert_eq!(got, expected);
        for code in ErrorCode::ALL_NAMED {
            assert!(code.name().is_some());
            assert!(code.is_valid_usp());
            assert!(!code.is_vendor());
            let debug = format!("{code:?}");
            assert!(debug.starts_with("ErrorCode::"), "{debug}");
            assert!(!debug.contains('('), "{debug}");
        }
        assert_eq!(ErrorCode::MESSAGE_FAILED.get(), 7000);
        assert_eq!(ErrorCode::INVALID_PATH_SYNTAX.get(), 7008);
        assert_eq!(ErrorCode::PARAMETER_NOT_WRITABLE.get(), 7013);
        assert_eq!(ErrorCode::DUPLICATE_UNIQUE_KEY.get(), 7025);
        assert_eq!(ErrorCode::PATH_ALREADY_REGISTERED.get(), 7031);
        assert_eq!(ErrorCode::RECORD_NOT_PARSED.get(), 7100);
        assert_eq!(ErrorCode::SAR_NOT_SUPPORTED.get(), 7103);
        assert_eq!(ErrorCode::SESSION_CONTEXT_NOT_ALLOWED.get(), 7106);
    }

    #[test]
    fn names() {
        assert_eq!(
            ErrorCode::INVALID_PATH_SYNTAX.name(),
            Some("Invalid path syntax")
        );
        assert_eq!(
            ErrorCode::REQUEST_DENIED.name(),
            Some("Request denied (no reason specified)")
        );
        assert_eq!(
            ErrorCode::SAR_NOT_SUPPORTED.name(),
            Some("Segmentation and reassembly not supported")
        );
        for unnamed in [
            0,
            6999,
            7032,
            7099,
            7107,
            7200,
            7345,
            7800,
            7999,
            8000,
            u32::MAX,
        ] {
            assert_eq!(ErrorCode::new(unnamed).name(), None, "{unnamed}");
        }
    }

    #[test]
    fn categories() {
        use ErrorCategory as C;
        for (code, cat) in [
            (0, C::OutOfRange),
            (6999, C::OutOfRange),
            (7000, C::Message),
            (7099, C::Message),
            (7100, C::Record),
            (7199, C::Record),
            (7200, C::DataModel),
            (7299, C::DataModel),
            (7300, C::Reserved),
            (7799, C::Reserved),
            (7800, C::Vendor),
            (7999, C::Vendor),
            (8000, C::OutOfRange),
            (u32::MAX, C::OutOfRange),
        ] {
            let c = ErrorCode::new(code);
            assert_eq!(c.category(), cat, "{code}");
            assert_eq!(c.is_vendor(), cat == C::Vendor);
            assert_eq!(c.is_record_error(), cat == C::Record);
            assert_eq!(c.is_valid_usp(), cat != C::OutOfRange);
        }
    }

    #[test]
    fn formatting_and_conversions() {
        assert_eq!(
            format!("{:?}", ErrorCode::INVALID_PATH),
            "ErrorCode::INVALID_PATH"
        );
        assert_eq!(format!("{:?}", ErrorCode::new(7345)), "ErrorCode(7345)");
        assert_eq!(ErrorCode::INVALID_PATH.to_string(), "7026 (Invalid path)");
        assert_eq!(ErrorCode::new(7345).to_string(), "7345");
        assert_eq!(ErrorCode::from(7004), ErrorCode::INVALID_ARGUMENTS);
        assert_eq!(u32::from(ErrorCode::INVALID_ARGUMENTS), 7004);
        assert!(ErrorCode::MESSAGE_FAILED < ErrorCode::RECORD_NOT_PARSED);
        const C: ErrorCode = ErrorCode::new(7900);
        const _: () = assert!(C.is_vendor() && C.get() == 7900);
    }
}
