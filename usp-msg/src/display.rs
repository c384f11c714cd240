//! Human-readable text for Messages: `Display` for [`Msg`], [`Body`], [`Request`],
//! [`Response`] and [`UspError`]. The format is described on the `Display` implementation
//! of [`Msg`].

use std::fmt::{self, Debug, Display, Formatter};

use usp_types::ErrorCode;

use crate::request::notify::{Notification, OperationCompleteResult};
use crate::response::{add, delete, deregister, operate, register, set};
use crate::*;

/// Writes a Message as text; [`Msg`]'s `Display` documents the format.
///
/// The first line is written as the pieces come; every later line starts with `line`. In
/// summary mode (`{:#}`) everything from the first `line` on is dropped.
struct Out<'a, 'b> {
    f: &'a mut Formatter<'b>,
    summary: bool,
    dropping: bool,
}

impl<'a, 'b> Out<'a, 'b> {
    fn new(f: &'a mut Formatter<'b>) -> Self {
        let summary = f.alternate();
        Self {
            f,
            summary,
            dropping: false,
        }
    }

    /// Appends to the current line.
    fn put(&mut self, args: fmt::Arguments<'_>) -> fmt::Result {
        if self.dropping {
            return Ok(());
        }
        self.f.write_fmt(args)
    }

    /// Starts a new line, indented by two spaces per `depth`.
    fn line(&mut self, depth: usize, args: fmt::Arguments<'_>) -> fmt::Result {
        self.dropping = self.summary;
        if self.dropping {
            return Ok(());
        }
        self.f.write_str("\n")?;
        for _ in 0..depth {
            self.f.write_str("  ")?;
        }
        self.f.write_fmt(args)
    }

    /// Appends ` name` when `on`.
    fn flag(&mut self, on: bool, name: &str) -> fmt::Result {
        if on {
            self.put(format_args!(" {name}"))?;
        }
        Ok(())
    }

    /// Appends ` name=value` when `value` is not empty.
    fn opt(&mut self, name: &str, value: &str) -> fmt::Result {
        if !value.is_empty() {
            self.put(format_args!(" {name}={}", Tok(value)))?;
        }
        Ok(())
    }

    /// One line per path.
    fn paths<S: AsRef<str>>(&mut self, depth: usize, paths: &[S]) -> fmt::Result {
        for path in paths {
            self.line(depth, format_args!("{}", Tok(path.as_ref())))?;
        }
        Ok(())
    }

    /// One line per entry: `name = "value"`, with `prefix` before the name.
    fn params(&mut self, depth: usize, prefix: &str, params: &Params<'_>) -> fmt::Result {
        for (name, value) in params.iter() {
            self.line(
                depth,
                format_args!("{prefix}{} = {}", Tok(name), Quoted(value)),
            )?;
        }
        Ok(())
    }

    /// A line `label a b c` when `names` is not empty.
    fn names<S: AsRef<str>>(&mut self, depth: usize, label: &str, names: &[S]) -> fmt::Result {
        if names.is_empty() {
            return Ok(());
        }
        self.line(depth, format_args!("{label}"))?;
        for name in names {
            self.put(format_args!(" {}", Tok(name.as_ref())))?;
        }
        Ok(())
    }

    /// Appends ` -> error CODE: "message"`.
    fn error(&mut self, code: ErrorCode, msg: &str) -> fmt::Result {
        self.put(format_args!(" -> error {}", Failure(code, msg)))
    }

    /// A line `path -> error CODE: "message"`.
    fn failure(&mut self, depth: usize, path: &str, code: ErrorCode, msg: &str) -> fmt::Result {
        self.line(
            depth,
            format_args!("{} -> error {}", Tok(path), Failure(code, msg)),
        )
    }
}

/// A name, path or identifier: written as is when it is non-empty printable ASCII without
/// spaces and does not start with a quote, quoted with Rust's escapes otherwise.
struct Tok<'s>(&'s str);

impl Display for Tok<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let s = self.0;
        if !s.is_empty() && !s.starts_with('"') && s.bytes().all(|b| b.is_ascii_graphic()) {
            f.write_str(s)
        } else {
            write!(f, "{s:?}")
        }
    }
}

/// A value: always quoted, with Rust's escapes.
struct Quoted<'s>(&'s str);

impl Display for Quoted<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// `7026 (Invalid path): "message"`, or just the code when the message is empty.
struct Failure<'s>(ErrorCode, &'s str);

impl Display for Failure<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        if !self.1.is_empty() {
            write!(f, ": {:?}", self.1)?;
        }
        Ok(())
    }
}

/// An open enumeration value: its schema name, or `Type(number)` when the schema does not
/// define it.
struct Named<T>(T, Option<&'static str>);

impl<T: Debug> Display for Named<T> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(name) => f.write_str(name),
            None => write!(f, "{:?}", self.0),
        }
    }
}

macro_rules! named {
    ($value:expr) => {{
        let value = $value;
        Named(value, value.name())
    }};
}

/// Whether a result that carries an optional error (`err_code`, `err_msg`) reports one.
fn failed(code: ErrorCode, msg: &str) -> bool {
    code.get() != 0 || !msg.is_empty()
}

/// Human-readable, multi-line text: one line per logical item, two spaces of indentation
/// per level, no trailing newline. The alternate form (`{:#}`) writes the first line only,
/// a one-line summary for logs.
///
/// The text is deterministic: items and parameters appear in their stored order (the wire
/// order for a decoded Message), children of an item in the schema's field order. It is
/// meant for people (logs, debugging, command-line tools), not for parsing.
///
/// - The first line is the body's `MsgType`, `id=` the Message identifier, then the
///   body's own scalar fields that are set: `name=value`, or the bare name of a `bool`
///   that is true (`allow_partial`, `send_resp`...); for an Error, its code and message.
///   When the header's `msg_type` disagrees with the body, `header_msg_type=` shows it.
/// - Each further line is one item: a path, a parameter `Name = "value"`, a unique key
///   `key Name = "value"`, a result `requested path -> outcome` (`-> error 7026 (Invalid
///   path): "message"`, `-> created ...`, `-> output`...). GetResp and GetInstancesResp
///   list the objects found, `resolved path (requested path)`.
/// - Fields left at their default (empty string, `false`, 0, `None`) are not shown,
///   except the items of a list, the path or name an item's line starts with, and the code
///   of an Error.
/// - Values and messages are always quoted; names, paths and identifiers are bare when they
///   are printable ASCII without spaces (and do not start with `"`), quoted otherwise.
///   Quoting uses Rust's `{:?}` escapes, so no control character reaches a terminal.
/// - An enumeration value the schema does not define shows as `MsgType(42)`.
///
/// ```
/// use usp_msg::response::get::{RequestedPathResult, ResolvedPathResult};
/// use usp_msg::{ErrorCode, GetResp, Msg};
///
/// let mut found = ResolvedPathResult::default();
/// found.resolved_path = "Device.DeviceInfo.".into();
/// found.result_params = [("SoftwareVersion", "1.0"), ("UpTime", "758")].into_iter().collect();
/// let mut ok = RequestedPathResult::default();
/// ok.requested_path = "Device.DeviceInfo.".into();
/// ok.resolved_path_results = vec![found];
/// let mut bad = RequestedPathResult::default();
/// bad.requested_path = "Device.Foo.".into();
/// bad.err_code = ErrorCode::INVALID_PATH;
/// bad.err_msg = "no such object".into();
/// let mut resp = GetResp::default();
/// resp.req_path_results = vec![ok, bad];
/// let msg = Msg::response("get-1", resp);
///
/// assert_eq!(
///     msg.to_string(),
///     r#"GET_RESP id=get-1
///   Device.DeviceInfo. (requested Device.DeviceInfo.)
///     SoftwareVersion = "1.0"
///     UpTime = "758"
///   Device.Foo. -> error 7026 (Invalid path): "no such object""#
/// );
/// assert_eq!(format!("{msg:#}"), "GET_RESP id=get-1");
/// ```
impl Display for Msg<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut out = Out::new(f);
        out.put(format_args!(
            "{} id={}",
            named!(self.msg_type()),
            Tok(self.msg_id())
        ))?;
        if self.header_msg_type() != self.msg_type() {
            out.put(format_args!(
                " header_msg_type={}",
                named!(self.header_msg_type())
            ))?;
        }
        body(&mut out, self.body())
    }
}

/// The text of a [`Msg`] holding this body, without its `id=`; see [`Msg`]'s `Display`.
impl Display for Body<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut out = Out::new(f);
        out.put(format_args!("{}", named!(self.msg_type())))?;
        body(&mut out, self)
    }
}

/// The text of a [`Msg`] holding this request, without its `id=`; see [`Msg`]'s `Display`.
impl Display for Request<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut out = Out::new(f);
        out.put(format_args!("{}", named!(self.msg_type())))?;
        request(&mut out, self)
    }
}

/// The text of a [`Msg`] holding this response, without its `id=`; see [`Msg`]'s `Display`.
impl Display for Response<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut out = Out::new(f);
        out.put(format_args!("{}", named!(self.msg_type())))?;
        response(&mut out, self)
    }
}

/// The text of a [`Msg`] holding this Error, without its `id=`:
/// `ERROR 7004 (Invalid arguments): "message"`, then one line per parameter error; see
/// [`Msg`]'s `Display`.
impl Display for UspError<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut out = Out::new(f);
        out.put(format_args!("{}", named!(MsgType::ERROR)))?;
        error(&mut out, self)
    }
}

fn body(out: &mut Out<'_, '_>, body: &Body<'_>) -> fmt::Result {
    match body {
        Body::Request(r) => request(out, r),
        Body::Response(r) => response(out, r),
        Body::Error(e) => error(out, e),
    }
}

fn error(out: &mut Out<'_, '_>, e: &UspError<'_>) -> fmt::Result {
    out.put(format_args!(" {}", Failure(e.err_code, &e.err_msg)))?;
    for p in &e.param_errs {
        out.failure(1, &p.param_path, p.err_code, &p.err_msg)?;
    }
    Ok(())
}

fn request(out: &mut Out<'_, '_>, r: &Request<'_>) -> fmt::Result {
    match r {
        Request::Get(m) => {
            if m.max_depth != 0 {
                out.put(format_args!(" max_depth={}", m.max_depth))?;
            }
            out.paths(1, &m.param_paths)
        }
        Request::GetSupportedDm(m) => {
            out.flag(m.first_level_only, "first_level_only")?;
            out.flag(m.return_commands, "return_commands")?;
            out.flag(m.return_events, "return_events")?;
            out.flag(m.return_params, "return_params")?;
            out.flag(m.return_unique_key_sets, "return_unique_key_sets")?;
            out.paths(1, &m.obj_paths)
        }
        Request::GetInstances(m) => {
            out.flag(m.first_level_only, "first_level_only")?;
            out.paths(1, &m.obj_paths)
        }
        Request::Set(m) => {
            out.flag(m.allow_partial, "allow_partial")?;
            for o in &m.update_objs {
                out.line(1, format_args!("{}", Tok(&o.obj_path)))?;
                for p in &o.param_settings {
                    setting(out, &p.param, &p.value, p.required)?;
                }
            }
            Ok(())
        }
        Request::Add(m) => {
            out.flag(m.allow_partial, "allow_partial")?;
            for o in &m.create_objs {
                out.line(1, format_args!("{}", Tok(&o.obj_path)))?;
                for p in &o.param_settings {
                    setting(out, &p.param, &p.value, p.required)?;
                }
            }
            Ok(())
        }
        Request::Delete(m) => {
            out.flag(m.allow_partial, "allow_partial")?;
            out.paths(1, &m.obj_paths)
        }
        Request::Operate(m) => {
            out.opt("command", &m.command)?;
            out.opt("command_key", &m.command_key)?;
            out.flag(m.send_resp, "send_resp")?;
            out.params(1, "", &m.input_args)
        }
        Request::Notify(m) => {
            out.opt("subscription_id", &m.subscription_id)?;
            out.flag(m.send_resp, "send_resp")?;
            match &m.notification {
                Some(n) => notification(out, n),
                None => Ok(()),
            }
        }
        Request::GetSupportedProtocol(m) => {
            out.opt("versions", &m.controller_supported_protocol_versions)
        }
        Request::Register(m) => {
            out.flag(m.allow_partial, "allow_partial")?;
            for p in &m.reg_paths {
                out.line(1, format_args!("{}", Tok(&p.path)))?;
            }
            Ok(())
        }
        Request::Deregister(m) => out.paths(1, &m.paths),
    }
}

/// A parameter of a Set or Add: `Name = "value"`, then `required` when it is.
fn setting(out: &mut Out<'_, '_>, param: &str, value: &str, required: bool) -> fmt::Result {
    out.line(2, format_args!("{} = {}", Tok(param), Quoted(value)))?;
    out.flag(required, "required")
}

fn notification(out: &mut Out<'_, '_>, n: &Notification<'_>) -> fmt::Result {
    match n {
        Notification::Event(e) => {
            out.line(
                1,
                format_args!("Event {} {}", Tok(&e.obj_path), Tok(&e.event_name)),
            )?;
            out.params(2, "", &e.params)
        }
        Notification::ValueChange(v) => out.line(
            1,
            format_args!(
                "ValueChange {} = {}",
                Tok(&v.param_path),
                Quoted(&v.param_value)
            ),
        ),
        Notification::ObjCreation(c) => {
            out.line(1, format_args!("ObjectCreation {}", Tok(&c.obj_path)))?;
            out.params(2, "key ", &c.unique_keys)
        }
        Notification::ObjDeletion(d) => {
            out.line(1, format_args!("ObjectDeletion {}", Tok(&d.obj_path)))
        }
        Notification::OperComplete(c) => {
            out.line(
                1,
                format_args!(
                    "OperationComplete {} {}",
                    Tok(&c.obj_path),
                    Tok(&c.command_name)
                ),
            )?;
            out.opt("command_key", &c.command_key)?;
            match &c.operation_resp {
                Some(OperationCompleteResult::ReqOutputArgs(o)) => {
                    out.put(format_args!(" -> output"))?;
                    out.params(2, "", &o.output_args)
                }
                Some(OperationCompleteResult::CmdFailure(e)) => out.error(e.err_code, &e.err_msg),
                None => Ok(()),
            }
        }
        Notification::OnBoardReq(o) => {
            out.line(1, format_args!("OnBoardRequest"))?;
            out.opt("oui", &o.oui)?;
            out.opt("product_class", &o.product_class)?;
            out.opt("serial_number", &o.serial_number)?;
            out.opt("versions", &o.agent_supported_protocol_versions)
        }
    }
}

fn response(out: &mut Out<'_, '_>, r: &Response<'_>) -> fmt::Result {
    match r {
        Response::GetResp(m) => {
            for r in &m.req_path_results {
                if failed(r.err_code, &r.err_msg) {
                    out.failure(1, &r.requested_path, r.err_code, &r.err_msg)?;
                } else if r.resolved_path_results.is_empty() {
                    out.line(1, format_args!("{} -> no objects", Tok(&r.requested_path)))?;
                }
                for o in &r.resolved_path_results {
                    out.line(
                        1,
                        format_args!(
                            "{} (requested {})",
                            Tok(&o.resolved_path),
                            Tok(&r.requested_path)
                        ),
                    )?;
                    out.params(2, "", &o.result_params)?;
                }
            }
            Ok(())
        }
        Response::GetSupportedDmResp(m) => {
            for r in &m.req_obj_results {
                out.line(1, format_args!("{}", Tok(&r.req_obj_path)))?;
                out.opt("data_model", &r.data_model_inst_uri)?;
                if failed(r.err_code, &r.err_msg) {
                    out.error(r.err_code, &r.err_msg)?;
                }
                for o in &r.supported_objs {
                    out.line(
                        2,
                        format_args!("{} {}", Tok(&o.supported_obj_path), named!(o.access)),
                    )?;
                    out.flag(o.is_multi_instance, "is_multi_instance")?;
                    for c in &o.supported_commands {
                        out.line(3, format_args!("command {}", Tok(&c.command_name)))?;
                        if c.command_type != CmdType::CMD_UNKNOWN {
                            out.put(format_args!(" {}", named!(c.command_type)))?;
                        }
                        out.names(4, "input", &c.input_arg_names)?;
                        out.names(4, "output", &c.output_arg_names)?;
                    }
                    for e in &o.supported_events {
                        out.line(3, format_args!("event {}", Tok(&e.event_name)))?;
                        out.names(4, "args", &e.arg_names)?;
                    }
                    for p in &o.supported_params {
                        out.line(
                            3,
                            format_args!("param {} {}", Tok(&p.param_name), named!(p.access)),
                        )?;
                        if p.value_type != ParamValueType::PARAM_UNKNOWN {
                            out.put(format_args!(" {}", named!(p.value_type)))?;
                        }
                        if p.value_change != ValueChangeType::VALUE_CHANGE_UNKNOWN {
                            out.put(format_args!(" {}", named!(p.value_change)))?;
                        }
                    }
                    for d in &o.divergent_paths {
                        out.line(3, format_args!("divergent {}", Tok(d)))?;
                    }
                    for k in &o.unique_key_sets {
                        out.line(3, format_args!("unique_key"))?;
                        for name in &k.key_names {
                            out.put(format_args!(" {}", Tok(name)))?;
                        }
                    }
                }
            }
            Ok(())
        }
        Response::GetInstancesResp(m) => {
            for r in &m.req_path_results {
                if failed(r.err_code, &r.err_msg) {
                    out.failure(1, &r.requested_path, r.err_code, &r.err_msg)?;
                } else if r.curr_insts.is_empty() {
                    out.line(
                        1,
                        format_args!("{} -> no instances", Tok(&r.requested_path)),
                    )?;
                }
                for i in &r.curr_insts {
                    out.line(
                        1,
                        format_args!(
                            "{} (requested {})",
                            Tok(&i.instantiated_obj_path),
                            Tok(&r.requested_path)
                        ),
                    )?;
                    out.params(2, "key ", &i.unique_keys)?;
                }
            }
            Ok(())
        }
        Response::SetResp(m) => {
            for r in &m.updated_obj_results {
                out.line(1, format_args!("{}", Tok(&r.requested_path)))?;
                match &r.oper_status {
                    Some(set::OperationStatus::OperFailure(e)) => {
                        out.error(e.err_code, &e.err_msg)?;
                        for i in &e.updated_inst_failures {
                            out.line(2, format_args!("{}", Tok(&i.affected_path)))?;
                            for p in &i.param_errs {
                                out.failure(3, &p.param, p.err_code, &p.err_msg)?;
                            }
                        }
                    }
                    Some(set::OperationStatus::OperSuccess(s)) => {
                        out.put(format_args!(" -> updated"))?;
                        for i in &s.updated_inst_results {
                            out.line(2, format_args!("{}", Tok(&i.affected_path)))?;
                            for p in &i.param_errs {
                                out.failure(3, &p.param, p.err_code, &p.err_msg)?;
                            }
                            out.params(3, "", &i.updated_params)?;
                        }
                    }
                    None => {}
                }
            }
            Ok(())
        }
        Response::AddResp(m) => {
            for r in &m.created_obj_results {
                out.line(1, format_args!("{}", Tok(&r.requested_path)))?;
                match &r.oper_status {
                    Some(add::OperationStatus::OperFailure(e)) => {
                        out.error(e.err_code, &e.err_msg)?;
                    }
                    Some(add::OperationStatus::OperSuccess(s)) => {
                        out.put(format_args!(" -> created {}", Tok(&s.instantiated_path)))?;
                        for p in &s.param_errs {
                            out.failure(2, &p.param, p.err_code, &p.err_msg)?;
                        }
                        out.params(2, "key ", &s.unique_keys)?;
                    }
                    None => {}
                }
            }
            Ok(())
        }
        Response::DeleteResp(m) => {
            for r in &m.deleted_obj_results {
                out.line(1, format_args!("{}", Tok(&r.requested_path)))?;
                match &r.oper_status {
                    Some(delete::OperationStatus::OperFailure(e)) => {
                        out.error(e.err_code, &e.err_msg)?;
                    }
                    Some(delete::OperationStatus::OperSuccess(s)) => {
                        out.put(format_args!(" -> deleted"))?;
                        out.paths(2, &s.affected_paths)?;
                        for u in &s.unaffected_path_errs {
                            out.failure(2, &u.unaffected_path, u.err_code, &u.err_msg)?;
                        }
                    }
                    None => {}
                }
            }
            Ok(())
        }
        Response::OperateResp(m) => {
            for r in &m.operation_results {
                out.line(1, format_args!("{}", Tok(&r.executed_command)))?;
                match &r.operation_resp {
                    Some(operate::OperationResp::ReqObjPath(p)) => {
                        out.put(format_args!(" -> request {}", Tok(p)))?;
                    }
                    Some(operate::OperationResp::ReqOutputArgs(o)) => {
                        out.put(format_args!(" -> output"))?;
                        out.params(2, "", &o.output_args)?;
                    }
                    Some(operate::OperationResp::CmdFailure(e)) => {
                        out.error(e.err_code, &e.err_msg)?;
                    }
                    None => {}
                }
            }
            Ok(())
        }
        Response::NotifyResp(m) => out.opt("subscription_id", &m.subscription_id),
        Response::GetSupportedProtocolResp(m) => {
            out.opt("versions", &m.agent_supported_protocol_versions)
        }
        Response::RegisterResp(m) => {
            for r in &m.registered_path_results {
                out.line(1, format_args!("{}", Tok(&r.requested_path)))?;
                match &r.oper_status {
                    Some(register::OperationStatus::OperFailure(e)) => {
                        out.error(e.err_code, &e.err_msg)?;
                    }
                    Some(register::OperationStatus::OperSuccess(s)) => {
                        out.put(format_args!(" -> registered {}", Tok(&s.registered_path)))?;
                    }
                    None => {}
                }
            }
            Ok(())
        }
        Response::DeregisterResp(m) => {
            for r in &m.deregistered_path_results {
                out.line(1, format_args!("{}", Tok(&r.requested_path)))?;
                match &r.oper_status {
                    Some(deregister::OperationStatus::OperFailure(e)) => {
                        out.error(e.err_code, &e.err_msg)?;
                    }
                    Some(deregister::OperationStatus::OperSuccess(s)) => {
                        out.put(format_args!(" -> deregistered"))?;
                        out.paths(2, &s.deregistered_path)?;
                    }
                    None => {}
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::request::add::{CreateObject, CreateParamSetting};
    use crate::request::notify::{
        CommandFailure, Event, ObjectCreation, ObjectDeletion, OnBoardRequest, OperationComplete,
        OutputArgs, ValueChange,
    };
    use crate::request::register::RegistrationPath;
    use crate::request::set::{UpdateObject, UpdateParamSetting};
    use crate::response::error::ParamError;
    use crate::response::get::{RequestedPathResult, ResolvedPathResult};
    use crate::response::get_instances::{self, CurrInstance};
    use crate::response::get_supported_dm::{
        RequestedObjectResult, SupportedCommandResult, SupportedEventResult, SupportedObjectResult,
        SupportedParamResult, SupportedUniqueKeySet,
    };

    fn params(pairs: &[(&'static str, &'static str)]) -> Params<'static> {
        pairs.iter().copied().collect()
    }

    fn strings(items: &[&'static str]) -> Vec<Cow<'static, str>> {
        items.iter().map(|s| Cow::Borrowed(*s)).collect()
    }

    fn notify(
        id: &'static str,
        send_resp: bool,
        n: impl Into<Notification<'static>>,
    ) -> Msg<'static> {
        Msg::request(
            id,
            Notify {
                subscription_id: "sub-1".into(),
                send_resp,
                notification: Some(n.into()),
            },
        )
    }

    /// Every example: (name, Message, its text). The names are also the names of the seeds
    /// of `fuzz/corpus/msg_decode` made from them.
    fn examples() -> Vec<(&'static str, Msg<'static>, &'static str)> {
        vec![
            (
                "get",
                Msg::request(
                    "get-1",
                    Get::new([
                        "Device.DeviceInfo.",
                        "Device.LocalAgent.Controller.*.EndpointID",
                    ])
                    .max_depth(2),
                ),
                "GET id=get-1 max_depth=2
  Device.DeviceInfo.
  Device.LocalAgent.Controller.*.EndpointID",
            ),
            (
                "get-resp",
                Msg::response(
                    "py-get-1",
                    GetResp {
                        req_path_results: vec![
                            RequestedPathResult {
                                requested_path: "Device.DeviceInfo.".into(),
                                resolved_path_results: vec![ResolvedPathResult {
                                    resolved_path: "Device.DeviceInfo.".into(),
                                    result_params: params(&[
                                        ("Manufacturer", "Manufacturer"),
                                        ("SoftwareVersion", ""),
                                        ("ProductClass", "USP Agent"),
                                    ]),
                                }],
                                ..Default::default()
                            },
                            RequestedPathResult {
                                requested_path: "Device.IP.Interface.[Name==\"none\"].".into(),
                                ..Default::default()
                            },
                            RequestedPathResult {
                                requested_path: "Device.Foo.".into(),
                                err_code: ErrorCode::INVALID_PATH,
                                err_msg: "Invalid path Device.Foo.".into(),
                                ..Default::default()
                            },
                        ],
                    },
                ),
                r#"GET_RESP id=py-get-1
  Device.DeviceInfo. (requested Device.DeviceInfo.)
    Manufacturer = "Manufacturer"
    SoftwareVersion = ""
    ProductClass = "USP Agent"
  Device.IP.Interface.[Name=="none"]. -> no objects
  Device.Foo. -> error 7026 (Invalid path): "Invalid path Device.Foo.""#,
            ),
            (
                "get-supported-dm",
                Msg::request(
                    "gsdm-1",
                    GetSupportedDm {
                        obj_paths: strings(&["Device.LocalAgent.", "Device.Reboot()"]),
                        first_level_only: true,
                        return_commands: true,
                        return_events: true,
                        return_params: true,
                        return_unique_key_sets: true,
                    },
                ),
                "GET_SUPPORTED_DM id=gsdm-1 first_level_only return_commands return_events \
                 return_params return_unique_key_sets
  Device.LocalAgent.
  Device.Reboot()",
            ),
            (
                "get-supported-dm-resp",
                Msg::response(
                    "gsdm-1",
                    GetSupportedDmResp {
                        req_obj_results: vec![
                            RequestedObjectResult {
                                req_obj_path: "Device.".into(),
                                data_model_inst_uri: "urn:broadband-forum-org:tr-181-2-17-0-usp"
                                    .into(),
                                supported_objs: vec![
                                    SupportedObjectResult {
                                        supported_obj_path: "Device.".into(),
                                        supported_commands: vec![
                                            SupportedCommandResult {
                                                command_name: "Reboot()".into(),
                                                command_type: CmdType::CMD_ASYNC,
                                                ..Default::default()
                                            },
                                            SupportedCommandResult {
                                                command_name: "ScheduleTimer()".into(),
                                                input_arg_names: strings(&["DelaySeconds"]),
                                                output_arg_names: strings(&["A", "B"]),
                                                ..Default::default()
                                            },
                                        ],
                                        supported_events: vec![SupportedEventResult {
                                            event_name: "Boot!".into(),
                                            arg_names: strings(&["Cause", "FirmwareUpdated"]),
                                        }],
                                        ..Default::default()
                                    },
                                    SupportedObjectResult {
                                        supported_obj_path: "Device.LocalAgent.Subscription.{i}."
                                            .into(),
                                        access: ObjAccessType::OBJ_ADD_DELETE,
                                        is_multi_instance: true,
                                        supported_params: vec![
                                            SupportedParamResult {
                                                param_name: "Enable".into(),
                                                access: ParamAccessType::PARAM_READ_WRITE,
                                                value_type: ParamValueType::PARAM_BOOLEAN,
                                                value_change: ValueChangeType::VALUE_CHANGE_ALLOWED,
                                            },
                                            SupportedParamResult {
                                                param_name: "ID".into(),
                                                ..Default::default()
                                            },
                                            SupportedParamResult {
                                                param_name: "Future".into(),
                                                access: ParamAccessType::from_i32(9),
                                                value_type: ParamValueType::from_i32(-1),
                                                value_change: ValueChangeType::from_i32(3),
                                            },
                                        ],
                                        divergent_paths: strings(&[
                                            "Device.LocalAgent.Subscription.{i}.X.",
                                        ]),
                                        unique_key_sets: vec![
                                            SupportedUniqueKeySet {
                                                key_names: strings(&["ID"]),
                                            },
                                            SupportedUniqueKeySet {
                                                key_names: strings(&["Recipient", "Alias"]),
                                            },
                                        ],
                                        ..Default::default()
                                    },
                                ],
                                ..Default::default()
                            },
                            RequestedObjectResult {
                                req_obj_path: "Device.Nope.".into(),
                                err_code: ErrorCode::INVALID_PATH,
                                ..Default::default()
                            },
                        ],
                    },
                ),
                r#"GET_SUPPORTED_DM_RESP id=gsdm-1
  Device. data_model=urn:broadband-forum-org:tr-181-2-17-0-usp
    Device. OBJ_READ_ONLY
      command Reboot() CMD_ASYNC
      command ScheduleTimer()
        input DelaySeconds
        output A B
      event Boot!
        args Cause FirmwareUpdated
    Device.LocalAgent.Subscription.{i}. OBJ_ADD_DELETE is_multi_instance
      param Enable PARAM_READ_WRITE PARAM_BOOLEAN VALUE_CHANGE_ALLOWED
      param ID PARAM_READ_ONLY
      param Future ParamAccessType(9) ParamValueType(-1) ValueChangeType(3)
      divergent Device.LocalAgent.Subscription.{i}.X.
      unique_key ID
      unique_key Recipient Alias
  Device.Nope. -> error 7026 (Invalid path)"#,
            ),
            (
                "get-instances",
                Msg::request(
                    "gi-1",
                    GetInstances {
                        obj_paths: strings(&["Device.LocalAgent.Subscription."]),
                        first_level_only: true,
                    },
                ),
                "GET_INSTANCES id=gi-1 first_level_only
  Device.LocalAgent.Subscription.",
            ),
            (
                "get-instances-resp",
                Msg::response(
                    "gi-1",
                    GetInstancesResp {
                        req_path_results: vec![
                            get_instances::RequestedPathResult {
                                requested_path: "Device.LocalAgent.Subscription.".into(),
                                curr_insts: vec![
                                    CurrInstance {
                                        instantiated_obj_path: "Device.LocalAgent.Subscription.1."
                                            .into(),
                                        unique_keys: params(&[("ID", "boot"), ("Alias", "cpe-1")]),
                                    },
                                    CurrInstance {
                                        instantiated_obj_path: "Device.LocalAgent.Subscription.2."
                                            .into(),
                                        unique_keys: Params::new(),
                                    },
                                ],
                                ..Default::default()
                            },
                            get_instances::RequestedPathResult {
                                requested_path: "Device.IP.Interface.".into(),
                                ..Default::default()
                            },
                            get_instances::RequestedPathResult {
                                requested_path: "Device.DeviceInfo.".into(),
                                err_code: ErrorCode::NOT_A_TABLE,
                                err_msg: "not a table".into(),
                                ..Default::default()
                            },
                        ],
                    },
                ),
                r#"GET_INSTANCES_RESP id=gi-1
  Device.LocalAgent.Subscription.1. (requested Device.LocalAgent.Subscription.)
    key ID = "boot"
    key Alias = "cpe-1"
  Device.LocalAgent.Subscription.2. (requested Device.LocalAgent.Subscription.)
  Device.IP.Interface. -> no instances
  Device.DeviceInfo. -> error 7018 (Object is not a table): "not a table""#,
            ),
            (
                "set",
                Msg::request(
                    "py-set-11",
                    Set {
                        allow_partial: true,
                        update_objs: vec![UpdateObject {
                            obj_path: "Device.LocalAgent.Subscription.[ID==\"py-valuechange\"]."
                                .into(),
                            param_settings: vec![
                                UpdateParamSetting {
                                    param: "NotifRetry".into(),
                                    value: "true".into(),
                                    required: true,
                                },
                                UpdateParamSetting {
                                    param: "Persistent".into(),
                                    value: "false".into(),
                                    required: false,
                                },
                            ],
                        }],
                    },
                ),
                r#"SET id=py-set-11 allow_partial
  Device.LocalAgent.Subscription.[ID=="py-valuechange"].
    NotifRetry = "true" required
    Persistent = "false""#,
            ),
            (
                "set-resp-success",
                Msg::response(
                    "py-set-11",
                    SetResp {
                        updated_obj_results: vec![set::UpdatedObjectResult {
                            requested_path:
                                "Device.LocalAgent.Subscription.[ID==\"py-valuechange\"].".into(),
                            oper_status: Some(
                                set::OperationSuccess {
                                    updated_inst_results: vec![set::UpdatedInstanceResult {
                                        affected_path: "Device.LocalAgent.Subscription.3.".into(),
                                        param_errs: vec![set::ParameterError {
                                            param: "Enable".into(),
                                            err_code: ErrorCode::INVALID_VALUE,
                                            err_msg: "".into(),
                                        }],
                                        updated_params: params(&[
                                            ("NotifRetry", "true"),
                                            ("Persistent", "false"),
                                        ]),
                                    }],
                                }
                                .into(),
                            ),
                        }],
                    },
                ),
                r#"SET_RESP id=py-set-11
  Device.LocalAgent.Subscription.[ID=="py-valuechange"]. -> updated
    Device.LocalAgent.Subscription.3.
      Enable -> error 7012 (Invalid value)
      NotifRetry = "true"
      Persistent = "false""#,
            ),
            (
                "set-resp-failure",
                Msg::response(
                    "set-2",
                    SetResp {
                        updated_obj_results: vec![
                            set::UpdatedObjectResult {
                                requested_path: "Device.LocalAgent.Controller.*.".into(),
                                oper_status: Some(
                                    set::OperationFailure {
                                        err_code: ErrorCode::REQUIRED_PARAMETER_FAILED,
                                        err_msg: "could not set".into(),
                                        updated_inst_failures: vec![set::UpdatedInstanceFailure {
                                            affected_path: "Device.LocalAgent.Controller.1.".into(),
                                            param_errs: vec![set::ParameterError {
                                                param: "NoSuchParam".into(),
                                                err_code: ErrorCode::UNSUPPORTED_PARAMETER,
                                                err_msg: "no such parameter".into(),
                                            }],
                                        }],
                                    }
                                    .into(),
                                ),
                            },
                            set::UpdatedObjectResult {
                                requested_path: "Device.Empty.".into(),
                                oper_status: None,
                            },
                        ],
                    },
                ),
                r#"SET_RESP id=set-2
  Device.LocalAgent.Controller.*. -> error 7021 (Required parameter failed): "could not set"
    Device.LocalAgent.Controller.1.
      NoSuchParam -> error 7010 (Unsupported parameter): "no such parameter"
  Device.Empty."#,
            ),
            (
                "add",
                Msg::request(
                    "add-1",
                    Add {
                        allow_partial: false,
                        create_objs: vec![CreateObject {
                            obj_path: "Device.LocalAgent.Subscription.".into(),
                            param_settings: vec![
                                CreateParamSetting {
                                    param: "ID".into(),
                                    value: "py-boot".into(),
                                    required: true,
                                },
                                CreateParamSetting {
                                    param: "ReferenceList".into(),
                                    value: "Device.Boot!".into(),
                                    required: false,
                                },
                            ],
                        }],
                    },
                ),
                r#"ADD id=add-1
  Device.LocalAgent.Subscription.
    ID = "py-boot" required
    ReferenceList = "Device.Boot!""#,
            ),
            (
                "add-resp",
                Msg::response(
                    "add-1",
                    AddResp {
                        created_obj_results: vec![
                            add::CreatedObjectResult {
                                requested_path: "Device.LocalAgent.Subscription.".into(),
                                oper_status: Some(
                                    add::OperationSuccess {
                                        instantiated_path: "Device.LocalAgent.Subscription.4."
                                            .into(),
                                        param_errs: vec![add::ParameterError {
                                            param: "Persistent".into(),
                                            err_code: ErrorCode::INVALID_VALUE,
                                            err_msg: "not a boolean".into(),
                                        }],
                                        unique_keys: params(&[("ID", "py-boot")]),
                                    }
                                    .into(),
                                ),
                            },
                            add::CreatedObjectResult {
                                requested_path: "Device.DeviceInfo.".into(),
                                oper_status: Some(
                                    add::OperationFailure {
                                        err_code: ErrorCode::NOT_A_TABLE,
                                        err_msg: "".into(),
                                    }
                                    .into(),
                                ),
                            },
                        ],
                    },
                ),
                r#"ADD_RESP id=add-1
  Device.LocalAgent.Subscription. -> created Device.LocalAgent.Subscription.4.
    Persistent -> error 7012 (Invalid value): "not a boolean"
    key ID = "py-boot"
  Device.DeviceInfo. -> error 7018 (Object is not a table)"#,
            ),
            (
                "delete",
                Msg::request(
                    "del-1",
                    Delete {
                        allow_partial: true,
                        obj_paths: strings(&["Device.LocalAgent.Subscription.3.", ""]),
                    },
                ),
                r#"DELETE id=del-1 allow_partial
  Device.LocalAgent.Subscription.3.
  """#,
            ),
            (
                "delete-resp",
                Msg::response(
                    "del-1",
                    DeleteResp {
                        deleted_obj_results: vec![
                            delete::DeletedObjectResult {
                                requested_path: "Device.LocalAgent.Subscription.*.".into(),
                                oper_status: Some(
                                    delete::OperationSuccess {
                                        affected_paths: strings(&[
                                            "Device.LocalAgent.Subscription.3.",
                                            "Device.LocalAgent.Subscription.4.",
                                        ]),
                                        unaffected_path_errs: vec![delete::UnaffectedPathError {
                                            unaffected_path: "Device.LocalAgent.Subscription.1."
                                                .into(),
                                            err_code: ErrorCode::DELETE_FAILURE,
                                            err_msg: "in use".into(),
                                        }],
                                    }
                                    .into(),
                                ),
                            },
                            delete::DeletedObjectResult {
                                requested_path: "Device.DeviceInfo.".into(),
                                oper_status: Some(
                                    delete::OperationFailure {
                                        err_code: ErrorCode::NOT_A_TABLE,
                                        err_msg: "not a table".into(),
                                    }
                                    .into(),
                                ),
                            },
                        ],
                    },
                ),
                r#"DELETE_RESP id=del-1
  Device.LocalAgent.Subscription.*. -> deleted
    Device.LocalAgent.Subscription.3.
    Device.LocalAgent.Subscription.4.
    Device.LocalAgent.Subscription.1. -> error 7024 (Delete failure): "in use"
  Device.DeviceInfo. -> error 7018 (Object is not a table): "not a table""#,
            ),
            (
                "operate",
                Msg::request(
                    "op-1",
                    Operate {
                        command: "Device.ScheduleTimer()".into(),
                        command_key: "timer-1".into(),
                        send_resp: true,
                        input_args: params(&[("DelaySeconds", "5")]),
                    },
                ),
                r#"OPERATE id=op-1 command=Device.ScheduleTimer() command_key=timer-1 send_resp
  DelaySeconds = "5""#,
            ),
            (
                "operate-resp",
                Msg::response(
                    "op-1",
                    OperateResp {
                        operation_results: vec![
                            operate::OperationResult {
                                executed_command: "Device.ScheduleTimer()".into(),
                                operation_resp: Some(operate::OperationResp::ReqObjPath(
                                    "Device.LocalAgent.Request.1.".into(),
                                )),
                            },
                            operate::OperationResult {
                                executed_command: "Device.IP.Diagnostics.IPPing()".into(),
                                operation_resp: Some(
                                    operate::OutputArgs {
                                        output_args: params(&[
                                            ("SuccessCount", "3"),
                                            ("Status", "Complete"),
                                        ]),
                                    }
                                    .into(),
                                ),
                            },
                            operate::OperationResult {
                                executed_command: "Device.Reboot()".into(),
                                operation_resp: Some(
                                    operate::CommandFailure {
                                        err_code: ErrorCode::COMMAND_FAILURE,
                                        err_msg: "not now".into(),
                                    }
                                    .into(),
                                ),
                            },
                            operate::OperationResult {
                                executed_command: "Device.FactoryReset()".into(),
                                operation_resp: None,
                            },
                        ],
                    },
                ),
                r#"OPERATE_RESP id=op-1
  Device.ScheduleTimer() -> request Device.LocalAgent.Request.1.
  Device.IP.Diagnostics.IPPing() -> output
    SuccessCount = "3"
    Status = "Complete"
  Device.Reboot() -> error 7022 (Command failure): "not now"
  Device.FactoryReset()"#,
            ),
            (
                "notify-event",
                notify(
                    "ev-1",
                    true,
                    Event {
                        obj_path: "Device.".into(),
                        event_name: "Boot!".into(),
                        params: params(&[
                            ("Cause", "LocalReboot"),
                            (
                                "ParameterMap",
                                "{\"Device.DeviceInfo.SoftwareVersion\":\"1.0\"}",
                            ),
                        ]),
                    },
                ),
                r#"NOTIFY id=ev-1 subscription_id=sub-1 send_resp
  Event Device. Boot!
    Cause = "LocalReboot"
    ParameterMap = "{\"Device.DeviceInfo.SoftwareVersion\":\"1.0\"}""#,
            ),
            (
                "notify-value-change",
                notify(
                    "vc-1",
                    false,
                    ValueChange {
                        param_path: "Device.DeviceInfo.FriendlyName".into(),
                        param_value: "my box".into(),
                    },
                ),
                r#"NOTIFY id=vc-1 subscription_id=sub-1
  ValueChange Device.DeviceInfo.FriendlyName = "my box""#,
            ),
            (
                "notify-obj-creation",
                notify(
                    "oc-1",
                    false,
                    ObjectCreation {
                        obj_path: "Device.LocalAgent.Subscription.5.".into(),
                        unique_keys: params(&[("ID", "new")]),
                    },
                ),
                r#"NOTIFY id=oc-1 subscription_id=sub-1
  ObjectCreation Device.LocalAgent.Subscription.5.
    key ID = "new""#,
            ),
            (
                "notify-obj-deletion",
                notify(
                    "od-1",
                    false,
                    ObjectDeletion {
                        obj_path: "Device.LocalAgent.Subscription.5.".into(),
                    },
                ),
                "NOTIFY id=od-1 subscription_id=sub-1
  ObjectDeletion Device.LocalAgent.Subscription.5.",
            ),
            (
                "notify-oper-complete-output",
                notify(
                    "oco-1",
                    false,
                    OperationComplete {
                        obj_path: "Device.".into(),
                        command_name: "ScheduleTimer()".into(),
                        command_key: "timer-1".into(),
                        operation_resp: Some(
                            OutputArgs {
                                output_args: params(&[("Result", "ok")]),
                            }
                            .into(),
                        ),
                    },
                ),
                r#"NOTIFY id=oco-1 subscription_id=sub-1
  OperationComplete Device. ScheduleTimer() command_key=timer-1 -> output
    Result = "ok""#,
            ),
            (
                "notify-oper-complete-failure",
                notify(
                    "ocf-1",
                    false,
                    OperationComplete {
                        obj_path: "Device.".into(),
                        command_name: "Reboot()".into(),
                        command_key: "".into(),
                        operation_resp: Some(
                            CommandFailure {
                                err_code: ErrorCode::COMMAND_CANCELED,
                                err_msg: "cancelled".into(),
                            }
                            .into(),
                        ),
                    },
                ),
                r#"NOTIFY id=ocf-1 subscription_id=sub-1
  OperationComplete Device. Reboot() -> error 7023 (Command canceled): "cancelled""#,
            ),
            (
                "notify-on-board",
                notify(
                    "ob-1",
                    true,
                    OnBoardRequest {
                        oui: "012345".into(),
                        product_class: "USP Agent".into(),
                        serial_number: "obuspa-peer".into(),
                        agent_supported_protocol_versions: "1.3,1.4".into(),
                    },
                ),
                r#"NOTIFY id=ob-1 subscription_id=sub-1 send_resp
  OnBoardRequest oui=012345 product_class="USP Agent" serial_number=obuspa-peer versions=1.3,1.4"#,
            ),
            (
                "notify-resp",
                Msg::response(
                    "ev-1",
                    NotifyResp {
                        subscription_id: "sub-1".into(),
                    },
                ),
                "NOTIFY_RESP id=ev-1 subscription_id=sub-1",
            ),
            (
                "get-supported-protocol",
                Msg::request(
                    "gsp-1",
                    GetSupportedProtocol {
                        controller_supported_protocol_versions: "1.0,1.4".into(),
                    },
                ),
                "GET_SUPPORTED_PROTO id=gsp-1 versions=1.0,1.4",
            ),
            (
                "get-supported-protocol-resp",
                Msg::response(
                    "gsp-1",
                    GetSupportedProtocolResp {
                        agent_supported_protocol_versions: "1.0,1.1,1.2,1.3,1.4".into(),
                    },
                ),
                "GET_SUPPORTED_PROTO_RESP id=gsp-1 versions=1.0,1.1,1.2,1.3,1.4",
            ),
            (
                "register",
                Msg::request(
                    "reg-1",
                    Register {
                        allow_partial: true,
                        reg_paths: vec![
                            RegistrationPath {
                                path: "Device.Service.".into(),
                            },
                            RegistrationPath {
                                path: "Device.Other.".into(),
                            },
                        ],
                    },
                ),
                "REGISTER id=reg-1 allow_partial
  Device.Service.
  Device.Other.",
            ),
            (
                "register-resp",
                Msg::response(
                    "reg-1",
                    RegisterResp {
                        registered_path_results: vec![
                            register::RegisteredPathResult {
                                requested_path: "Device.Service.".into(),
                                oper_status: Some(
                                    register::OperationSuccess {
                                        registered_path: "Device.Service.".into(),
                                    }
                                    .into(),
                                ),
                            },
                            register::RegisteredPathResult {
                                requested_path: "Device.Other.".into(),
                                oper_status: Some(
                                    register::OperationFailure {
                                        err_code: ErrorCode::PATH_ALREADY_REGISTERED,
                                        err_msg: "taken".into(),
                                    }
                                    .into(),
                                ),
                            },
                        ],
                    },
                ),
                r#"REGISTER_RESP id=reg-1
  Device.Service. -> registered Device.Service.
  Device.Other. -> error 7031 (Path already registered): "taken""#,
            ),
            (
                "deregister",
                Msg::request(
                    "dereg-1",
                    Deregister {
                        paths: strings(&["Device.Service.", ""]),
                    },
                ),
                r#"DEREGISTER id=dereg-1
  Device.Service.
  """#,
            ),
            (
                "deregister-resp",
                Msg::response(
                    "dereg-1",
                    DeregisterResp {
                        deregistered_path_results: vec![
                            deregister::DeregisteredPathResult {
                                requested_path: "".into(),
                                oper_status: Some(
                                    deregister::OperationSuccess {
                                        deregistered_path: strings(&[
                                            "Device.Service.",
                                            "Device.Other.",
                                        ]),
                                    }
                                    .into(),
                                ),
                            },
                            deregister::DeregisteredPathResult {
                                requested_path: "Device.Nope.".into(),
                                oper_status: Some(
                                    deregister::OperationFailure {
                                        err_code: ErrorCode::DEREGISTER_FAILURE,
                                        err_msg: "not registered".into(),
                                    }
                                    .into(),
                                ),
                            },
                        ],
                    },
                ),
                r#"DEREGISTER_RESP id=dereg-1
  "" -> deregistered
    Device.Service.
    Device.Other.
  Device.Nope. -> error 7030 (Deregister failure): "not registered""#,
            ),
            (
                "error",
                Msg::error(
                    "py-set-23",
                    UspError {
                        err_code: ErrorCode::INVALID_ARGUMENTS,
                        err_msg: "Path is invalid: Device.LocalAgent.Controller.1.NoSuchParam"
                            .into(),
                        param_errs: vec![
                            ParamError {
                                param_path: "Device.LocalAgent.Controller.1.NoSuchParam".into(),
                                err_code: ErrorCode::UNSUPPORTED_PARAMETER,
                                err_msg: "Path is invalid".into(),
                            },
                            ParamError {
                                param_path: "Device.LocalAgent.Controller.1.Alias".into(),
                                err_code: ErrorCode::new(7801),
                                err_msg: "".into(),
                            },
                        ],
                    },
                ),
                r#"ERROR id=py-set-23 7004 (Invalid arguments): "Path is invalid: Device.LocalAgent.Controller.1.NoSuchParam"
  Device.LocalAgent.Controller.1.NoSuchParam -> error 7010 (Unsupported parameter): "Path is invalid"
  Device.LocalAgent.Controller.1.Alias -> error 7801"#,
            ),
            (
                "error-empty",
                Msg::error("e-0", UspError::default()),
                "ERROR id=e-0 0",
            ),
            (
                "quoting",
                Msg::request(
                    "id with space",
                    Set {
                        allow_partial: false,
                        update_objs: vec![UpdateObject {
                            obj_path: "Device.\u{1b}[2J.".into(),
                            param_settings: vec![
                                UpdateParamSetting {
                                    param: "\"quoted".into(),
                                    value: "line\nbreak\ttab\u{7}bell\u{202e}rtl".into(),
                                    required: false,
                                },
                                UpdateParamSetting {
                                    param: "Caf\u{e9}".into(),
                                    value: "\u{e9}t\u{e9} \u{1f600}".into(),
                                    required: false,
                                },
                                UpdateParamSetting {
                                    param: "".into(),
                                    value: "".into(),
                                    required: false,
                                },
                            ],
                        }],
                    },
                ),
                r#"SET id="id with space"
  "Device.\u{1b}[2J."
    "\"quoted" = "line\nbreak\ttab\u{7}bell\u{202e}rtl"
    "Café" = "été 😀"
    "" = """#,
            ),
        ]
    }

    #[test]
    fn every_example_has_its_exact_text() {
        for (name, msg, expected) in examples() {
            assert_eq!(msg.to_string(), expected, "{name}");
            let first = expected.lines().next().unwrap();
            assert_eq!(format!("{msg:#}"), first, "{name}: summary");
        }
    }

    #[test]
    fn a_decoded_message_reads_as_the_one_encoded() {
        for (name, msg, expected) in examples() {
            let wire = msg.encode_to_vec();
            let back = Msg::decode(&wire).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(back.to_string(), expected, "{name}");
        }
    }

    #[test]
    fn the_parts_read_like_the_message_without_its_id() {
        for (name, msg, expected) in examples() {
            let (first, rest) = expected.split_once('\n').unwrap_or((expected, ""));
            let prefix = format!(
                "{} id={}",
                msg.msg_type().name().unwrap(),
                Tok(msg.msg_id())
            );
            let head = first.strip_prefix(&prefix).unwrap();
            let without_id = match rest {
                "" => format!("{}{head}", msg.msg_type().name().unwrap()),
                rest => format!("{}{head}\n{rest}", msg.msg_type().name().unwrap()),
            };
            assert_eq!(msg.body().to_string(), without_id, "{name}: Body");
            let part = match msg.body() {
                Body::Request(r) => r.to_string(),
                Body::Response(r) => r.to_string(),
                Body::Error(e) => e.to_string(),
            };
            assert_eq!(part, without_id, "{name}: part");
            assert_eq!(
                format!("{:#}", msg.body()),
                without_id.lines().next().unwrap(),
                "{name}: Body summary"
            );
        }
    }

    #[test]
    fn a_header_that_disagrees_with_the_body_is_shown() {
        // Header { msg_id "x", msg_type GET (1) }, Body { response { get_resp {} } }.
        let wire = [
            0x0a, 0x05, 0x0a, 0x01, b'x', 0x10, 0x01, 0x12, 0x04, 0x12, 0x02, 0x0a, 0x00,
        ];
        let msg = Msg::decode(&wire).unwrap();
        assert_eq!(msg.to_string(), "GET_RESP id=x header_msg_type=GET");
        let mut unknown = wire;
        unknown[6] = 42;
        let msg = Msg::decode(&unknown).unwrap();
        assert_eq!(msg.to_string(), "GET_RESP id=x header_msg_type=MsgType(42)");
        assert_eq!(
            format!("{msg:#}"),
            "GET_RESP id=x header_msg_type=MsgType(42)"
        );
    }

    #[test]
    fn tokens_are_bare_only_when_unambiguous() {
        for (raw, shown) in [
            ("Device.X.", "Device.X."),
            (
                "Device.X.[Alias==\"a b\"].",
                "\"Device.X.[Alias==\\\"a b\\\"].\"",
            ),
            ("Device.X.[Alias==\"ab\"].", "Device.X.[Alias==\"ab\"]."),
            ("\"lead", "\"\\\"lead\""),
            ("", "\"\""),
            ("a b", "\"a b\""),
            ("tab\there", "\"tab\\there\""),
            ("\u{7f}", "\"\\u{7f}\""),
            ("\u{e9}", "\"\u{e9}\""),
        ] {
            assert_eq!(Tok(raw).to_string(), shown, "{raw:?}");
        }
    }
}
