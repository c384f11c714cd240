//! The MTP connect Records: `MQTTConnectRecord` and `STOMPConnectRecord` (the WebSocket and
//! UDS ones have no fields and are plain [`RecordKind`](crate::RecordKind) variants).

use std::fmt;

/// MQTT protocol version announced in an [`MqttConnect`] Record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum MqttVersion {
    /// `V3_1_1` (0): MQTT 3.1.1, protocol level 4.
    #[default]
    V3_1_1,
    /// `V5` (1): MQTT 5.0.
    V5,
}

impl MqttVersion {
    /// The value on the wire.
    pub const fn as_i32(self) -> i32 {
        match self {
            Self::V3_1_1 => 0,
            Self::V5 => 1,
        }
    }

    /// The version for a wire value, `None` for values the schema does not define.
    pub const fn from_i32(value: i32) -> Option<Self> {
        match value {
            0 => Some(Self::V3_1_1),
            1 => Some(Self::V5),
            _ => None,
        }
    }

    /// The schema's name of the value (`"V3_1_1"` or `"V5"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V3_1_1 => "V3_1_1",
            Self::V5 => "V5",
        }
    }
}

impl fmt::Display for MqttVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// STOMP protocol version announced in a [`StompConnect`] Record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum StompVersion {
    /// `V1_2` (0): STOMP 1.2.
    #[default]
    V1_2,
}

impl StompVersion {
    /// The value on the wire.
    pub const fn as_i32(self) -> i32 {
        match self {
            Self::V1_2 => 0,
        }
    }

    /// The version for a wire value, `None` for values the schema does not define.
    pub const fn from_i32(value: i32) -> Option<Self> {
        match value {
            0 => Some(Self::V1_2),
            _ => None,
        }
    }

    /// The schema's name of the value (`"V1_2"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V1_2 => "V1_2",
        }
    }
}

impl fmt::Display for StompVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `MQTTConnectRecord`: sent first on a new MQTT connection (specification section
/// "MQTTConnectRecord fields", R-MQTT.*).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MqttConnect {
    version: MqttVersion,
    subscribed_topic: String,
}

impl MqttConnect {
    /// The sender uses MQTT `version` and can be reached at `subscribed_topic` (a topic it
    /// is subscribed to, without wildcards).
    pub fn new(version: MqttVersion, subscribed_topic: impl Into<String>) -> Self {
        Self {
            version,
            subscribed_topic: subscribed_topic.into(),
        }
    }

    /// The MQTT version of the sender.
    pub fn version(&self) -> MqttVersion {
        self.version
    }

    /// The topic the sender can be reached at.
    pub fn subscribed_topic(&self) -> &str {
        &self.subscribed_topic
    }
}

/// `STOMPConnectRecord`: sent first on a new STOMP connection (specification section
/// "STOMPConnectRecord fields", R-STOMP.*).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StompConnect {
    version: StompVersion,
    subscribed_destination: String,
}

impl StompConnect {
    /// The sender uses STOMP `version` and can be reached at `subscribed_destination`.
    pub fn new(version: StompVersion, subscribed_destination: impl Into<String>) -> Self {
        Self {
            version,
            subscribed_destination: subscribed_destination.into(),
        }
    }

    /// The STOMP version of the sender.
    pub fn version(&self) -> StompVersion {
        self.version
    }

    /// The destination the sender can be reached at.
    pub fn subscribed_destination(&self) -> &str {
        &self.subscribed_destination
    }
}
