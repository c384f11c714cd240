//! The part of the data model an Agent keeps for itself: `Device.LocalAgent.` (its
//! Controllers, Subscriptions and Requests) and `Device.Boot!`.

use std::fmt;

use usp_datamodel::{ObjectAccess, ParamType, SupportedModelBuilder};
use usp_types::EndpointId;

pub(crate) const CONTROLLER_TABLE: &str = "Device.LocalAgent.Controller.";
pub(crate) const SUBSCRIPTION_TABLE: &str = "Device.LocalAgent.Subscription.";
pub(crate) const REQUEST_TABLE: &str = "Device.LocalAgent.Request.";

/// Adds to a Supported Data Model what an [`Agent`](super::Agent) manages itself, as
/// TR-181 defines it: `Device.LocalAgent.` with `EndpointID` and `SupportedProtocols`,
/// the `Controller.{i}.` table (with the notification retry parameters of R-NOT.1),
/// the `Subscription.{i}.` table, the `Request.{i}.` table of running asynchronous
/// commands (R-OPR.0), and the `Device.Boot!` event. Call it once on a builder that
/// does not define these objects already.
///
/// ```
/// use usp_datamodel::{ParamType, SupportedModel};
///
/// let mut builder = SupportedModel::builder("Device");
/// builder.object("Device.DeviceInfo.").param("SoftwareVersion", ParamType::string());
/// tr369::agent::local_agent_model(&mut builder);
/// let schema = builder.build()?;
/// assert!(schema.object_by_path("Device.LocalAgent.Subscription.{i}.").is_some());
/// # Ok::<(), usp_datamodel::SchemaError>(())
/// ```
pub fn local_agent_model(builder: &mut SupportedModelBuilder) {
    let s = ParamType::string;
    let b = ParamType::boolean;
    let u = ParamType::unsigned_int;
    builder
        .object("Device.LocalAgent.")
        .param("EndpointID", s())
        .param("SupportedProtocols", s());
    builder
        .object("Device.LocalAgent.Controller.{i}.")
        .access(ObjectAccess::AddDelete)
        .unique_key(&["Alias"])
        .unique_key(&["EndpointID"])
        .writable("Alias", s())
        .writable("Enable", b())
        .writable("EndpointID", s())
        .writable("USPNotifRetryMinimumWaitInterval", u())
        .writable("USPNotifRetryIntervalMultiplier", u());
    builder
        .object("Device.LocalAgent.Subscription.{i}.")
        .access(ObjectAccess::AddDelete)
        .unique_key(&["Alias"])
        .unique_key(&["Recipient", "ID"])
        .writable("Alias", s())
        .writable("Enable", b())
        .writable("ID", s())
        .writable(
            "Recipient",
            ParamType::strong_ref("Device.LocalAgent.Controller.{i}."),
        )
        .writable("NotifType", s())
        .writable("ReferenceList", s().list())
        .writable("Persistent", b())
        .writable("TimeToLive", u())
        .writable("NotifRetry", b())
        .writable("NotifExpiration", u());
    builder
        .object("Device.LocalAgent.Request.{i}.")
        .param("Originator", s())
        .param("Command", s())
        .param("CommandKey", s())
        .param("Status", s());
    builder.event(
        "Device.Boot!",
        &["CommandKey", "Cause", "FirmwareUpdated", "ParameterMap"],
    );
}

/// The kinds of notification a Subscription asks for (`NotifType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotifType {
    /// A parameter changed.
    ValueChange,
    /// An instance was created.
    ObjectCreation,
    /// An instance was deleted.
    ObjectDeletion,
    /// An asynchronous command finished.
    OperationComplete,
    /// An event, such as `Device.Boot!`.
    Event,
}

impl NotifType {
    /// The value of the `NotifType` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ValueChange => "ValueChange",
            Self::ObjectCreation => "ObjectCreation",
            Self::ObjectDeletion => "ObjectDeletion",
            Self::OperationComplete => "OperationComplete",
            Self::Event => "Event",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "ValueChange" => Self::ValueChange,
            "ObjectCreation" => Self::ObjectCreation,
            "ObjectDeletion" => Self::ObjectDeletion,
            "OperationComplete" => Self::OperationComplete,
            "Event" => Self::Event,
            _ => return None,
        })
    }
}

impl fmt::Display for NotifType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Subscription the Agent starts with (its factory configuration), as a row of
/// `Device.LocalAgent.Subscription.{i}.`. Controllers add their own with Add requests.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Subscription {
    /// `ID`.
    pub id: String,
    /// The Controller that receives the notifications.
    pub recipient: EndpointId,
    /// `NotifType`.
    pub notif_type: NotifType,
    /// `ReferenceList`: the paths the subscription watches.
    pub reference_list: Vec<String>,
    /// `NotifRetry`: notifications are sent with `send_resp` and retried until the
    /// Controller answers (R-NOT.1).
    pub notif_retry: bool,
    /// `NotifExpiration`: seconds after which a notification is no longer retried (0:
    /// never).
    pub notif_expiration: u32,
}

impl Subscription {
    /// An enabled subscription of `recipient` to `notif_type` on `references`, without
    /// retry.
    pub fn new<S: Into<String>>(
        id: impl Into<String>,
        recipient: EndpointId,
        notif_type: NotifType,
        references: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            id: id.into(),
            recipient,
            notif_type,
            reference_list: references.into_iter().map(Into::into).collect(),
            notif_retry: false,
            notif_expiration: 0,
        }
    }

    /// Sets `NotifRetry` and `NotifExpiration`.
    #[must_use]
    pub fn retry(mut self, retry: bool, expiration_secs: u32) -> Self {
        self.notif_retry = retry;
        self.notif_expiration = expiration_secs;
        self
    }
}
