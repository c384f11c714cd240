//! Notify and NotifyResp.

use std::borrow::Cow;

use usp_types::{ErrorCode, InvalidVersion, UspVersion};

use crate::request::notify::{
    CommandFailure, Event, Notification, ObjectCreation, ObjectDeletion, OnBoardRequest,
    OperationComplete, OperationCompleteResult, OutputArgs, ValueChange,
};
use crate::{Notify, NotifyResp, Params};

impl<'a> Notify<'a> {
    /// A Notify for the subscription whose `ID` is `subscription_id`, with `send_resp`
    /// false. The constructors below build each kind of notification in one call.
    ///
    /// `send_resp` follows the subscription's `NotifRetry`: set it with
    /// [`send_resp`](Self::send_resp) when the Agent wants the delivery acknowledged and
    /// retries until it is.
    pub fn new(
        subscription_id: impl Into<Cow<'a, str>>,
        notification: impl Into<Notification<'a>>,
    ) -> Self {
        Self {
            subscription_id: subscription_id.into(),
            send_resp: false,
            notification: Some(notification.into()),
        }
    }

    /// An Event notification: `obj_path` emitted `event_name` (ending in `!`) with these
    /// arguments.
    ///
    /// ```
    /// use usp_msg::{Msg, Notify};
    ///
    /// let boot = Notify::event(
    ///     "boot-sub",
    ///     "Device.",
    ///     "Boot!",
    ///     [("Cause", "LocalReboot"), ("FirmwareUpdated", "false")],
    /// )
    /// .send_resp(true);
    /// let event = boot.as_event().unwrap();
    /// assert_eq!(event.params.get("Cause"), Some("LocalReboot"));
    /// let wire = Msg::request("notify-1", boot).encode_to_vec();
    /// # assert!(!wire.is_empty());
    /// ```
    pub fn event(
        subscription_id: impl Into<Cow<'a, str>>,
        obj_path: impl Into<Cow<'a, str>>,
        event_name: impl Into<Cow<'a, str>>,
        params: impl IntoIterator<Item = (impl Into<Cow<'a, str>>, impl Into<Cow<'a, str>>)>,
    ) -> Self {
        Self::new(subscription_id, Event::new(obj_path, event_name, params))
    }

    /// A ValueChange notification: the parameter `param_path` now has `param_value`.
    ///
    /// ```
    /// let n = usp_msg::Notify::value_change("vc-1", "Device.WiFi.SSID.1.SSID", "home");
    /// assert_eq!(n.as_value_change().unwrap().param_value, "home");
    /// ```
    pub fn value_change(
        subscription_id: impl Into<Cow<'a, str>>,
        param_path: impl Into<Cow<'a, str>>,
        param_value: impl Into<Cow<'a, str>>,
    ) -> Self {
        Self::new(subscription_id, ValueChange::new(param_path, param_value))
    }

    /// An ObjectCreation notification: the instance `obj_path` was created, with these
    /// unique keys.
    ///
    /// ```
    /// let n = usp_msg::Notify::object_creation(
    ///     "oc-1",
    ///     "Device.NAT.PortMapping.3.",
    ///     [("Alias", "cpe-3")],
    /// );
    /// assert_eq!(n.as_object_creation().unwrap().unique_keys.get("Alias"), Some("cpe-3"));
    /// ```
    pub fn object_creation(
        subscription_id: impl Into<Cow<'a, str>>,
        obj_path: impl Into<Cow<'a, str>>,
        unique_keys: impl IntoIterator<Item = (impl Into<Cow<'a, str>>, impl Into<Cow<'a, str>>)>,
    ) -> Self {
        Self::new(subscription_id, ObjectCreation::new(obj_path, unique_keys))
    }

    /// An ObjectDeletion notification: the instance `obj_path` was deleted.
    ///
    /// ```
    /// let n = usp_msg::Notify::object_deletion("od-1", "Device.NAT.PortMapping.3.");
    /// assert_eq!(n.as_object_deletion().unwrap().obj_path, "Device.NAT.PortMapping.3.");
    /// ```
    pub fn object_deletion(
        subscription_id: impl Into<Cow<'a, str>>,
        obj_path: impl Into<Cow<'a, str>>,
    ) -> Self {
        Self::new(subscription_id, ObjectDeletion::new(obj_path))
    }

    /// An OperationComplete notification for an asynchronous command that succeeded:
    /// `command_name` (relative, such as `Download()`) of the object `obj_path`, started by
    /// the Operate whose command key was `command_key`, with its output arguments.
    ///
    /// ```
    /// use usp_msg::{ErrorCode, Notify};
    ///
    /// let done = Notify::operation_complete_success(
    ///     "oc-sub",
    ///     "Device.DeviceInfo.FirmwareImage.2.",
    ///     "Download()",
    ///     "dl-1",
    ///     Vec::<(&str, &str)>::new(),
    /// );
    /// let failed = Notify::operation_complete_failure(
    ///     "oc-sub",
    ///     "Device.DeviceInfo.FirmwareImage.2.",
    ///     "Download()",
    ///     "dl-2",
    ///     ErrorCode::COMMAND_FAILURE,
    ///     "checksum mismatch",
    /// );
    /// assert!(done.as_operation_complete().unwrap().as_output_args().is_some());
    /// let failure = failed.as_operation_complete().unwrap().as_cmd_failure().unwrap();
    /// assert_eq!(failure.err_code, ErrorCode::COMMAND_FAILURE);
    /// ```
    pub fn operation_complete_success(
        subscription_id: impl Into<Cow<'a, str>>,
        obj_path: impl Into<Cow<'a, str>>,
        command_name: impl Into<Cow<'a, str>>,
        command_key: impl Into<Cow<'a, str>>,
        output_args: impl IntoIterator<Item = (impl Into<Cow<'a, str>>, impl Into<Cow<'a, str>>)>,
    ) -> Self {
        Self::new(
            subscription_id,
            OperationComplete::output_args(obj_path, command_name, command_key, output_args),
        )
    }

    /// An OperationComplete notification for an asynchronous command that failed, for
    /// example with 7022 *Command failure* or 7023 *Command canceled*.
    pub fn operation_complete_failure(
        subscription_id: impl Into<Cow<'a, str>>,
        obj_path: impl Into<Cow<'a, str>>,
        command_name: impl Into<Cow<'a, str>>,
        command_key: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        Self::new(
            subscription_id,
            OperationComplete::cmd_failure(obj_path, command_name, command_key, err_code, err_msg),
        )
    }

    /// An OnBoardRequest notification. It has no subscription, so `subscription_id` is
    /// empty (R-NOT.7), and it must be acknowledged, so `send_resp` is true (R-NOT.6).
    ///
    /// ```
    /// use usp_msg::{Notify, UspVersion};
    ///
    /// let n = Notify::on_board_request("00256D", "STB", "0123456789", &[UspVersion::V1_3, UspVersion::V1_4]);
    /// assert!(n.send_resp && n.subscription_id.is_empty());
    /// assert_eq!(n.as_on_board_request().unwrap().versions()?, [UspVersion::V1_3, UspVersion::V1_4]);
    /// # Ok::<(), usp_msg::InvalidVersion>(())
    /// ```
    pub fn on_board_request(
        oui: impl Into<Cow<'a, str>>,
        product_class: impl Into<Cow<'a, str>>,
        serial_number: impl Into<Cow<'a, str>>,
        versions: &[UspVersion],
    ) -> Self {
        Self::new(
            "",
            OnBoardRequest::new(oui, product_class, serial_number, versions),
        )
        .send_resp(true)
    }

    /// Whether the Controller must answer with a NotifyResp (R-NOT.8: with `false` it
    /// should not).
    #[must_use]
    pub fn send_resp(mut self, send_resp: bool) -> Self {
        self.send_resp = send_resp;
        self
    }

    /// The NotifyResp that acknowledges this Notify (R-NOT.10: same `subscription_id`).
    ///
    /// ```
    /// use usp_msg::{Msg, Notify};
    ///
    /// let notify = Notify::object_deletion("od-1", "Device.NAT.PortMapping.3.").send_resp(true);
    /// if notify.send_resp {
    ///     let ack = Msg::response("notify-7", notify.response());
    /// #   let _ = ack;
    /// }
    /// ```
    pub fn response(&self) -> NotifyResp<'a> {
        NotifyResp::new(self.subscription_id.clone())
    }

    /// The Event, if this Notify carries one.
    pub fn as_event(&self) -> Option<&Event<'a>> {
        match &self.notification {
            Some(Notification::Event(n)) => Some(n),
            _ => None,
        }
    }

    /// The ValueChange, if this Notify carries one.
    pub fn as_value_change(&self) -> Option<&ValueChange<'a>> {
        match &self.notification {
            Some(Notification::ValueChange(n)) => Some(n),
            _ => None,
        }
    }

    /// The ObjectCreation, if this Notify carries one.
    pub fn as_object_creation(&self) -> Option<&ObjectCreation<'a>> {
        match &self.notification {
            Some(Notification::ObjCreation(n)) => Some(n),
            _ => None,
        }
    }

    /// The ObjectDeletion, if this Notify carries one.
    pub fn as_object_deletion(&self) -> Option<&ObjectDeletion<'a>> {
        match &self.notification {
            Some(Notification::ObjDeletion(n)) => Some(n),
            _ => None,
        }
    }

    /// The OperationComplete, if this Notify carries one.
    pub fn as_operation_complete(&self) -> Option<&OperationComplete<'a>> {
        match &self.notification {
            Some(Notification::OperComplete(n)) => Some(n),
            _ => None,
        }
    }

    /// The OnBoardRequest, if this Notify carries one.
    pub fn as_on_board_request(&self) -> Option<&OnBoardRequest<'a>> {
        match &self.notification {
            Some(Notification::OnBoardReq(n)) => Some(n),
            _ => None,
        }
    }
}

impl<'a> NotifyResp<'a> {
    /// A NotifyResp acknowledging the Notify with this `subscription_id` (R-NOT.10); see
    /// also [`Notify::response`].
    pub fn new(subscription_id: impl Into<Cow<'a, str>>) -> Self {
        Self {
            subscription_id: subscription_id.into(),
        }
    }
}

impl<'a> Event<'a> {
    /// An event `event_name` emitted by `obj_path`, with its arguments.
    pub fn new(
        obj_path: impl Into<Cow<'a, str>>,
        event_name: impl Into<Cow<'a, str>>,
        params: impl IntoIterator<Item = (impl Into<Cow<'a, str>>, impl Into<Cow<'a, str>>)>,
    ) -> Self {
        Self {
            obj_path: obj_path.into(),
            event_name: event_name.into(),
            params: params.into_iter().collect::<Params<'a>>(),
        }
    }
}

impl<'a> ValueChange<'a> {
    /// The parameter `param_path` now has `param_value`.
    pub fn new(param_path: impl Into<Cow<'a, str>>, param_value: impl Into<Cow<'a, str>>) -> Self {
        Self {
            param_path: param_path.into(),
            param_value: param_value.into(),
        }
    }
}

impl<'a> ObjectCreation<'a> {
    /// The instance `obj_path` was created, with these unique keys.
    pub fn new(
        obj_path: impl Into<Cow<'a, str>>,
        unique_keys: impl IntoIterator<Item = (impl Into<Cow<'a, str>>, impl Into<Cow<'a, str>>)>,
    ) -> Self {
        Self {
            obj_path: obj_path.into(),
            unique_keys: unique_keys.into_iter().collect::<Params<'a>>(),
        }
    }
}

impl<'a> ObjectDeletion<'a> {
    /// The instance `obj_path` was deleted.
    pub fn new(obj_path: impl Into<Cow<'a, str>>) -> Self {
        Self {
            obj_path: obj_path.into(),
        }
    }
}

impl<'a> OperationComplete<'a> {
    /// An asynchronous command that succeeded, with its output arguments.
    pub fn output_args(
        obj_path: impl Into<Cow<'a, str>>,
        command_name: impl Into<Cow<'a, str>>,
        command_key: impl Into<Cow<'a, str>>,
        output_args: impl IntoIterator<Item = (impl Into<Cow<'a, str>>, impl Into<Cow<'a, str>>)>,
    ) -> Self {
        let args = OutputArgs {
            output_args: output_args.into_iter().collect::<Params<'a>>(),
        };
        Self {
            obj_path: obj_path.into(),
            command_name: command_name.into(),
            command_key: command_key.into(),
            operation_resp: Some(OperationCompleteResult::ReqOutputArgs(args)),
        }
    }

    /// An asynchronous command that failed.
    pub fn cmd_failure(
        obj_path: impl Into<Cow<'a, str>>,
        command_name: impl Into<Cow<'a, str>>,
        command_key: impl Into<Cow<'a, str>>,
        err_code: ErrorCode,
        err_msg: impl Into<Cow<'a, str>>,
    ) -> Self {
        let failure = CommandFailure {
            err_code,
            err_msg: err_msg.into(),
        };
        Self {
            obj_path: obj_path.into(),
            command_name: command_name.into(),
            command_key: command_key.into(),
            operation_resp: Some(OperationCompleteResult::CmdFailure(failure)),
        }
    }

    /// The output arguments, when the command succeeded.
    pub fn as_output_args(&self) -> Option<&Params<'a>> {
        match &self.operation_resp {
            Some(OperationCompleteResult::ReqOutputArgs(a)) => Some(&a.output_args),
            _ => None,
        }
    }

    /// The failure, when the command failed.
    pub fn as_cmd_failure(&self) -> Option<&CommandFailure<'a>> {
        match &self.operation_resp {
            Some(OperationCompleteResult::CmdFailure(f)) => Some(f),
            _ => None,
        }
    }
}

impl<'a> OnBoardRequest<'a> {
    /// An on-boarding request from the Agent identified by OUI, product class and serial
    /// number, telling the versions it supports.
    pub fn new(
        oui: impl Into<Cow<'a, str>>,
        product_class: impl Into<Cow<'a, str>>,
        serial_number: impl Into<Cow<'a, str>>,
        versions: &[UspVersion],
    ) -> Self {
        Self {
            oui: oui.into(),
            product_class: product_class.into(),
            serial_number: serial_number.into(),
            agent_supported_protocol_versions: Cow::Owned(UspVersion::format_list(versions)),
        }
    }

    /// The versions the Agent supports, parsed from the comma-separated list.
    ///
    /// # Errors
    ///
    /// Fails when the list is not a list of `Major.Minor` versions
    /// ([`UspVersion::parse_list`]).
    pub fn versions(&self) -> Result<Vec<UspVersion>, InvalidVersion> {
        UspVersion::parse_list(&self.agent_supported_protocol_versions)
    }
}
