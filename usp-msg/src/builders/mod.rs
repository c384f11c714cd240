//! Constructors and chainable setters for the common cases, and reading helpers, one file
//! per message family (a request with its response).
//!
//! Conventions, the same for every Message:
//!
//! * A request has a constructor for its common case (`Get::new(paths)`,
//!   `Operate::new(command)`, `Notify::event(..)`) and chainable by-value setters for the
//!   rest (`.max_depth(2)`, `.send_resp(true)`), marked `#[must_use]`.
//! * A response starts empty (`AddResp::new()`) and takes one result per requested path
//!   through a setter named after the repeated field in the singular
//!   (`.created_obj_result(..)`), or is collected from an iterator of results. Each result
//!   type has `success` and `failure` constructors where the schema has an `oper_status`.
//! * Reading: `result()` on a per-path result gives a `Result` (success or failure),
//!   `results()` on the response pairs each with its requested path, and the `as_*`
//!   accessors open a oneof (`Notify::as_event`).
//! * Strings are anything that converts into `Cow<'a, str>` (`&str`, `String`, `Cow`);
//!   maps (parameters, arguments, unique keys) are any iterator of `(key, value)` pairs.

mod add;
mod delete;
mod deregister;
mod error;
mod get;
mod get_instances;
mod get_supported_dm;
mod get_supported_protocol;
mod notify;
mod operate;
mod register;
mod set;

use std::borrow::Cow;

/// Collects strings into the `Vec<Cow<str>>` of a repeated string field.
fn strings<'a, S: Into<Cow<'a, str>>>(items: impl IntoIterator<Item = S>) -> Vec<Cow<'a, str>> {
    items.into_iter().map(Into::into).collect()
}

/// The `err_msg` of the failure that the `result()` readers report when a result carries no
/// `oper_status` at all, which the schema does not allow.
const MISSING_STATUS: &str = "the result carries no oper_status";

/// What the five responses with a per-path `oper_status` (Add, Set, Delete, Register,
/// Deregister) share: adding and listing results, collecting them, and reading a result as a
/// `Result`. `OperationSuccess` and `OperationFailure` are the names of the calling module;
/// `$missing` is what a result without `oper_status` reads as.
macro_rules! oper_status_response {
    ($resp:ident, $field:ident, $push:ident, $result:ident, $what:literal, $missing:expr) => {
        impl<'a> $resp<'a> {
            #[doc = concat!("Adds the result of one ", $what, ".")]
            #[must_use]
            pub fn $push(mut self, result: $result<'a>) -> Self {
                self.$field.push(result);
                self
            }

            #[doc = concat!("Each requested path with its outcome (see [`", stringify!($result), "::result`]).")]
            pub fn results(
                &self,
            ) -> impl Iterator<Item = (&str, Result<&OperationSuccess<'a>, &OperationFailure<'a>>)> + '_
            {
                self.$field.iter().map(|r| (&*r.requested_path, r.result()))
            }
        }

        impl<'a> FromIterator<$result<'a>> for $resp<'a> {
            fn from_iter<I: IntoIterator<Item = $result<'a>>>(iter: I) -> Self {
                Self {
                    $field: iter.into_iter().collect(),
                }
            }
        }

        impl<'a> $result<'a> {
            /// The outcome: the success, or the failure. A result without `oper_status`,
            /// which the schema does not allow, reads as a failure with code 7000 *Message
            /// failed*.
            pub fn result(&self) -> Result<&OperationSuccess<'a>, &OperationFailure<'a>> {
                /// What a result without `oper_status` reads as.
                static MISSING: OperationFailure<'static> = $missing;
                match &self.oper_status {
                    Some(OperationStatus::OperSuccess(s)) => Ok(s),
                    Some(OperationStatus::OperFailure(f)) => Err(f),
                    None => Err(&MISSING),
                }
            }
        }
    };
}
use oper_status_response;

#[cfg(test)]
mod tests {
    use crate::response::{add, delete, deregister, register, set};
    use crate::{Deregister, ErrorCode, GetResp, GetSupportedDm, Set};

    #[test]
    fn a_result_without_oper_status_reads_as_a_failure() {
        let add = add::CreatedObjectResult::default();
        assert_eq!(
            add.result().unwrap_err().err_code,
            ErrorCode::MESSAGE_FAILED
        );
        let set = set::UpdatedObjectResult::default();
        assert_eq!(set.result().unwrap_err().err_msg, super::MISSING_STATUS);
        assert!(delete::DeletedObjectResult::default().result().is_err());
        assert!(register::RegisteredPathResult::default().result().is_err());
        assert!(
            deregister::DeregisteredPathResult::default()
                .result()
                .is_err()
        );
    }

    #[test]
    fn success_setters_leave_a_failure_alone() {
        let failure =
            add::CreatedObjectResult::failure("Device.X.", ErrorCode::OBJECT_NOT_CREATED, "no");
        let same = failure
            .clone()
            .unique_key("Alias", "a")
            .unique_keys([("ID", "1")])
            .param_err("P", ErrorCode::INVALID_VALUE, "bad");
        assert_eq!(same, failure);

        let success = set::UpdatedObjectResult::success("Device.X.1.", []);
        let same = success
            .clone()
            .updated_inst_failure(set::UpdatedInstanceFailure::new("Device.X.1."));
        assert_eq!(same, success);
        let failure =
            set::UpdatedObjectResult::failure("Device.X.1.", ErrorCode::OBJECT_NOT_UPDATED, "no");
        let same = failure
            .clone()
            .updated_inst_result(set::UpdatedInstanceResult::new("Device.X.1.", [("A", "1")]));
        assert_eq!(same, failure);

        let failure =
            delete::DeletedObjectResult::failure("Device.X.1.", ErrorCode::DELETE_FAILURE, "no");
        let same =
            failure
                .clone()
                .unaffected_path_err("Device.X.1.", ErrorCode::DELETE_FAILURE, "no");
        assert_eq!(same, failure);
    }

    #[test]
    fn get_resp_readers() {
        use crate::response::get::ResolvedPathResult;
        let resp = GetResp::new()
            .path_result(
                "Device.X.*.",
                [
                    ResolvedPathResult::new("Device.X.1.", [("A", "1")]),
                    ResolvedPathResult::new("Device.X.2.", [("A", "2")]).param("B", "3"),
                ],
            )
            .path_error("Device.Y.", ErrorCode::INVALID_PATH, "no");
        assert_eq!(resp.value("Device.X.2.B"), Some("3"));
        assert_eq!(resp.value("Device.X.3.A"), None);
        let params: Vec<_> = resp.params().collect();
        assert_eq!(params.len(), 3);
        assert_eq!(params[2], ("Device.X.2.B".to_owned(), "3"));
        let results: Vec<_> = resp.results().collect();
        assert_eq!(results[0].1.unwrap().len(), 2);
        assert_eq!(
            results[1],
            ("Device.Y.", Err((ErrorCode::INVALID_PATH, "no")))
        );
    }

    #[test]
    fn request_defaults() {
        let gsdm = GetSupportedDm::new(["Device."]);
        assert!(!gsdm.first_level_only);
        assert!(gsdm.return_commands && gsdm.return_events);
        assert!(gsdm.return_params && gsdm.return_unique_key_sets);
        assert_eq!(Deregister::all().paths, [""]);
        let set = Set::new().update("Device.X.1.", [("A", "1")]);
        assert!(!set.allow_partial && !set.update_objs[0].param_settings[0].required);
    }
}
