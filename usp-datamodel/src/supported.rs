//! [`SupportedPath`]: paths of the Supported Data Model, with `{i}` placeholders.

use std::str::FromStr;

use crate::error::PathError;
use crate::parse::{self, Mode};
use crate::path::{Path, PathKind, text_traits};
use crate::repr::{Repr, SegKind};
use crate::segment::{Segment, Segments};

/// A Path Name of the Supported Data Model, as used by GetSupportedDM and in data model
/// definitions: Multi-Instance Objects are written with the placeholder `{i}`, such as
/// `Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.` (architecture, "Path Names" and
/// "Data Model Path Grammar", sdmpath).
///
/// Like the BNF, it allows Instance Numbers too (for mounted objects such as
/// `Device.ProxiedDevice.1.WiFi.Radio.`) and no searches or reference following. Beyond
/// the BNF it allows Command (`Device.LocalAgent.Request.{i}.Cancel()`) and Event
/// (`Device.LocalAgent.Threshold.{i}.Triggered!`) paths, as the specification writes
/// them, and `{i}` at the end without `.`.
///
/// [`matches`](Self::matches) tells whether an instantiated path is an instance of it;
/// [`Path::to_supported`] goes the other way.
///
/// ```
/// use usp_datamodel::{Path, PathKind, SupportedPath};
///
/// let sdm: SupportedPath = "Device.IP.Interface.{i}.Stats.BytesSent".parse()?;
/// assert_eq!(sdm.kind(), PathKind::Parameter);
/// assert!(sdm.matches(&"Device.IP.Interface.3.Stats.BytesSent".parse::<Path>()?));
/// assert!(sdm.matches(&"Device.IP.Interface.*.Stats.BytesSent".parse::<Path>()?));
/// assert!(!sdm.matches(&"Device.IP.Interface.3.Stats.BytesReceived".parse::<Path>()?));
/// assert!("Device.IP.Interface.*.".parse::<SupportedPath>().is_err());
/// # Ok::<(), usp_datamodel::PathError>(())
/// ```
#[derive(Clone)]
pub struct SupportedPath(Repr);

impl SupportedPath {
    /// Parses a Supported Data Model path; the same as [`FromStr`].
    ///
    /// # Errors
    ///
    /// [`PathError`] with the byte offset of the first fault.
    ///
    /// ```
    /// use usp_datamodel::SupportedPath;
    ///
    /// assert!(SupportedPath::parse("Device.LocalAgent.Controller.{i}.ScheduleTimer()").is_ok());
    /// assert_eq!(SupportedPath::parse("Device.LocalAgent.{j}.").unwrap_err().offset(), 19);
    /// ```
    pub fn parse(text: &str) -> Result<Self, PathError> {
        parse::parse(text, Mode::Supported).map(Self)
    }

    /// The text, exactly as parsed.
    ///
    /// ```
    /// use usp_datamodel::SupportedPath;
    ///
    /// let sdm: SupportedPath = "Device.WiFi.SSID.{i}.".parse()?;
    /// assert_eq!(sdm.as_str(), "Device.WiFi.SSID.{i}.");
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        self.0.text()
    }

    /// What the path addresses; a path ending with `{i}.` is an
    /// [`ObjectInstance`](PathKind::ObjectInstance) path.
    ///
    /// ```
    /// use usp_datamodel::{PathKind, SupportedPath};
    ///
    /// assert_eq!("Device.WiFi.SSID.{i}.".parse::<SupportedPath>()?.kind(), PathKind::ObjectInstance);
    /// assert_eq!("Device.WiFi.SSID.".parse::<SupportedPath>()?.kind(), PathKind::Object);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn kind(&self) -> PathKind {
        self.0.kind()
    }

    /// The segments: names, [`Segment::Placeholder`] and [`Segment::Instance`].
    ///
    /// ```
    /// use usp_datamodel::{Segment, SupportedPath};
    ///
    /// let sdm: SupportedPath = "Device.WiFi.SSID.{i}.".parse()?;
    /// assert_eq!(sdm.segments().next_back(), Some(Segment::Placeholder));
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn segments(&self) -> Segments<'_> {
        self.0.segments()
    }

    /// The name the path ends with; see [`Path::name`].
    ///
    /// ```
    /// use usp_datamodel::SupportedPath;
    ///
    /// let sdm: SupportedPath = "Device.LocalAgent.Request.{i}.Cancel()".parse()?;
    /// assert_eq!(sdm.name(), Some("Cancel"));
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.0.last_name()
    }

    /// Whether `path` addresses something defined by this Supported Data Model path: the
    /// same kind, the same names, and in place of each `{i}` any Instance Identifier
    /// (number, `*` or expression); an Instance Number here only matches the same
    /// number. A path with reference following never matches (its definition depends on
    /// the reference's value).
    ///
    /// ```
    /// use usp_datamodel::{Path, SupportedPath};
    ///
    /// let table: SupportedPath = "Device.WiFi.SSID.{i}.".parse()?;
    /// assert!(table.matches(&"Device.WiFi.SSID.[SSID==\"home\"].".parse::<Path>()?));
    /// assert!(!table.matches(&"Device.WiFi.SSID.".parse::<Path>()?));
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn matches(&self, path: &Path) -> bool {
        if self.kind() != path.kind() || path.has_reference() {
            return false;
        }
        let (ours, theirs) = (self.0.segs(), path.0.segs());
        ours.len() == theirs.len()
            && self.segments().zip(path.segments()).all(|pair| match pair {
                (Segment::Name(a), Segment::Name(b)) => a == b,
                (Segment::Instance(a), Segment::Instance(b)) => a == b,
                (Segment::Placeholder, other) => other.is_instance_identifier(),
                _ => false,
            })
    }

    /// Whether the path contains `{i}`.
    ///
    /// ```
    /// use usp_datamodel::SupportedPath;
    ///
    /// assert!("Device.WiFi.SSID.{i}.".parse::<SupportedPath>()?.has_placeholder());
    /// assert!(!"Device.DeviceInfo.".parse::<SupportedPath>()?.has_placeholder());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn has_placeholder(&self) -> bool {
        self.0
            .segs()
            .iter()
            .any(|seg| seg.kind == SegKind::Placeholder)
    }
}

impl FromStr for SupportedPath {
    type Err = PathError;

    fn from_str(s: &str) -> Result<Self, PathError> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for SupportedPath {
    type Error = PathError;

    fn try_from(s: &str) -> Result<Self, PathError> {
        Self::parse(s)
    }
}

text_traits!(SupportedPath);
