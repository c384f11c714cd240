//! GetSupportedProtocol and GetSupportedProtocolResp.

use std::borrow::Cow;

use usp_types::{InvalidVersion, UspVersion};

use crate::{GetSupportedProtocol, GetSupportedProtocolResp};

impl GetSupportedProtocol<'_> {
    /// A GetSupportedProtocol telling the versions the Controller supports.
    ///
    /// ```
    /// use usp_msg::{GetSupportedProtocol, UspVersion};
    ///
    /// let req = GetSupportedProtocol::new(&[UspVersion::V1_3, UspVersion::V1_4]);
    /// assert_eq!(req.controller_supported_protocol_versions, "1.3,1.4");
    /// assert_eq!(req.versions()?, [UspVersion::V1_3, UspVersion::V1_4]);
    /// # Ok::<(), usp_msg::InvalidVersion>(())
    /// ```
    pub fn new(versions: &[UspVersion]) -> Self {
        Self {
            controller_supported_protocol_versions: Cow::Owned(UspVersion::format_list(versions)),
        }
    }

    /// The versions the Controller supports, parsed from the comma-separated list.
    ///
    /// # Errors
    ///
    /// Fails when the list is not a list of `Major.Minor` versions
    /// ([`UspVersion::parse_list`]).
    pub fn versions(&self) -> Result<Vec<UspVersion>, InvalidVersion> {
        UspVersion::parse_list(&self.controller_supported_protocol_versions)
    }
}

impl GetSupportedProtocolResp<'_> {
    /// A GetSupportedProtocolResp telling the versions the Agent supports.
    ///
    /// ```
    /// use usp_msg::{GetSupportedProtocolResp, UspVersion};
    ///
    /// let resp = GetSupportedProtocolResp::new(&[UspVersion::V1_0, UspVersion::CURRENT]);
    /// assert_eq!(resp.agent_supported_protocol_versions, "1.0,1.5");
    /// ```
    pub fn new(versions: &[UspVersion]) -> Self {
        Self {
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
