//! Typed wrappers around [`Path`] that accept one kind of path only.

use std::ops::Deref;
use std::str::FromStr;

use crate::error::{PathError, PathErrorKind};
use crate::path::{Path, PathKind, text_traits};

/// Defines a wrapper around `Path` whose constructor checks `$check`.
macro_rules! typed_path {
    (
        $(#[$doc:meta])*
        $ty:ident, |$path:ident| $check:expr
    ) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $ty(Path);

        impl $ty {
            /// Parses the text and checks its kind; the same as [`FromStr`]. The type's
            /// own documentation has examples.
            ///
            /// # Errors
            ///
            /// [`PathError`] if the text is not a path, or not of this kind; for the
            /// wrong kind, the offset is the length of the text.
            pub fn parse(text: &str) -> Result<Self, PathError> {
                Self::try_from(Path::parse(text)?)
            }

            /// The text, exactly as parsed.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// The untyped path (also reachable through `Deref`).
            pub fn as_path(&self) -> &Path {
                &self.0
            }

            /// Unwraps the untyped path.
            pub fn into_path(self) -> Path {
                self.0
            }
        }

        impl TryFrom<Path> for $ty {
            type Error = PathError;

            /// Checks the kind of `path`.
            fn try_from($path: Path) -> Result<Self, PathError> {
                let checked: Result<(), PathErrorKind> = $check;
                match checked {
                    Ok(()) => Ok(Self($path)),
                    // The fault is the path as a whole; point at its end, where the kind
                    // shows.
                    Err(kind) => Err(PathError::new(kind, $path.as_str().len())),
                }
            }
        }

        impl FromStr for $ty {
            type Err = PathError;

            fn from_str(s: &str) -> Result<Self, PathError> {
                Self::parse(s)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = PathError;

            fn try_from(s: &str) -> Result<Self, PathError> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = PathError;

            fn try_from(s: String) -> Result<Self, PathError> {
                Self::parse(&s)
            }
        }

        impl From<$ty> for Path {
            fn from(typed: $ty) -> Self {
                typed.0
            }
        }

        impl Deref for $ty {
            type Target = Path;

            fn deref(&self) -> &Path {
                &self.0
            }
        }

        impl AsRef<Path> for $ty {
            fn as_ref(&self) -> &Path {
                &self.0
            }
        }

        text_traits!($ty);
    };
}

/// The check of a wrapper that requires `kind`.
fn require(path: &Path, kind: PathKind) -> Result<(), PathErrorKind> {
    if path.kind() == kind {
        Ok(())
    } else {
        Err(PathErrorKind::WrongKind {
            expected: kind,
            found: path.kind(),
        })
    }
}

typed_path! {
    /// An Object Path: a Single-Instance Object or a table (Multi-Instance Object), ending
    /// with a name and `.` (architecture, "Path Names", kind 1), such as
    /// `Device.IP.Interface.` or `Device.IP.Interface.[Name=="eth0"].IPv4Address.`.
    ///
    /// Like every typed path it fixes what the path ends at, not how instances on the way
    /// are addressed: it may contain wildcards or search expressions
    /// ([`is_search`](Path::is_search) tells). It dereferences to [`Path`].
    ///
    /// ```
    /// use usp_datamodel::{ObjectPath, PathErrorKind, PathKind};
    ///
    /// let obj: ObjectPath = "Device.LocalAgent.Controller.".parse()?;
    /// assert_eq!(obj.name(), Some("Controller")); // a `Path` method, through `Deref`
    /// assert_eq!(obj.as_str(), "Device.LocalAgent.Controller.");
    /// assert_eq!(obj.as_path().kind(), PathKind::Object);
    /// let path: usp_datamodel::Path = obj.clone().into_path();
    /// assert_eq!(ObjectPath::try_from(path)?, obj);
    /// let err = "Device.LocalAgent.Controller.1.".parse::<ObjectPath>().unwrap_err();
    /// assert_eq!(
    ///     err.kind(),
    ///     PathErrorKind::WrongKind { expected: PathKind::Object, found: PathKind::ObjectInstance }
    /// );
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    ObjectPath, |path| require(&path, PathKind::Object)
}

typed_path! {
    /// An Object Instance Path: a row of a table, ending with an Instance Identifier
    /// (architecture, "Path Names", kind 2), such as `Device.IP.Interface.3.`,
    /// `Device.IP.Interface.[Name=="eth0"].` or, as a search, `Device.IP.Interface.*.`.
    ///
    /// ```
    /// use usp_datamodel::{ObjectInstancePath, Segment};
    ///
    /// let row: ObjectInstancePath = "Device.IP.Interface.3.".parse()?;
    /// assert!(matches!(row.segments().next_back(), Some(Segment::Instance(n)) if n.get() == 3));
    /// assert!("Device.IP.Interface.".parse::<ObjectInstancePath>().is_err());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    ObjectInstancePath, |path| require(&path, PathKind::ObjectInstance)
}

typed_path! {
    /// A Parameter Path (architecture, "Path Names", kind 3), such as
    /// `Device.DeviceInfo.SoftwareVersion` or `Device.IP.Interface.*.Status`.
    ///
    /// ```
    /// use usp_datamodel::ParamPath;
    ///
    /// let param: ParamPath = "Device.LocalAgent.EndpointID".parse()?;
    /// assert_eq!(param.param_name(), "EndpointID");
    /// assert!("Device.LocalAgent.".parse::<ParamPath>().is_err());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    ParamPath, |path| require(&path, PathKind::Parameter)
}

typed_path! {
    /// A Command Path: an Operation, ending with `()` (architecture, "Operations and
    /// Command Path Names"), such as `Device.IP.Interface.[Name=="eth0"].Reset()`.
    ///
    /// ```
    /// use usp_datamodel::CommandPath;
    ///
    /// let cmd: CommandPath = "Device.IP.Interface.[Name==\"eth0\"].Reset()".parse()?;
    /// assert_eq!(cmd.command_name(), "Reset");
    /// assert!("Device.Reboot".parse::<CommandPath>().is_err());
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    CommandPath, |path| require(&path, PathKind::Command)
}

typed_path! {
    /// An Event Path, ending with `!` (architecture, "Event Path Names"), such as
    /// `Device.Boot!`.
    ///
    /// ```
    /// use usp_datamodel::EventPath;
    ///
    /// let event: EventPath = "Device.Boot!".parse()?;
    /// assert_eq!(event.event_name(), "Boot");
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    EventPath, |path| require(&path, PathKind::Event)
}

typed_path! {
    /// A Search Path (architecture, "Path Names", kind 6): a path of any kind with a
    /// wildcard, a search expression (or unique-key address) or `#*+`, which may resolve
    /// to many instances.
    ///
    /// ```
    /// use usp_datamodel::{PathErrorKind, PathKind, SearchPath};
    ///
    /// let search: SearchPath = "Device.IP.Interface.[Type==\"Normal\"].Status".parse()?;
    /// assert_eq!(search.kind(), PathKind::Parameter);
    /// let err = "Device.IP.Interface.1.Status".parse::<SearchPath>().unwrap_err();
    /// assert_eq!(err.kind(), PathErrorKind::NotSearchPath);
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    SearchPath, |path| if path.is_search() { Ok(()) } else { Err(PathErrorKind::NotSearchPath) }
}

impl ParamPath {
    /// The Parameter's name.
    ///
    /// ```
    /// use usp_datamodel::ParamPath;
    ///
    /// let param: ParamPath = "Device.NAT.PortMapping.1.Interface+.Name".parse()?;
    /// assert_eq!(param.param_name(), "Name");
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn param_name(&self) -> &str {
        self.0.name().unwrap_or("")
    }
}

impl CommandPath {
    /// The Command's name, without `()`.
    ///
    /// ```
    /// use usp_datamodel::CommandPath;
    ///
    /// let cmd: CommandPath = "Device.LocalAgent.Controller.1.ScheduleTimer()".parse()?;
    /// assert_eq!(cmd.command_name(), "ScheduleTimer");
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn command_name(&self) -> &str {
        self.0.name().unwrap_or("")
    }
}

impl EventPath {
    /// The Event's name, without `!`.
    ///
    /// ```
    /// use usp_datamodel::EventPath;
    ///
    /// let event: EventPath = "Device.LocalAgent.Threshold.2.Triggered!".parse()?;
    /// assert_eq!(event.event_name(), "Triggered");
    /// # Ok::<(), usp_datamodel::PathError>(())
    /// ```
    pub fn event_name(&self) -> &str {
        self.0.name().unwrap_or("")
    }
}
