//! TLS for the STOMP client (R-STOMP.36, R-STOMP.37), with rustls. rustls types appear in
//! the API only in [`StompConfig::tls_client_config`].

use std::fmt;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::StompConfig;
use crate::{MtpError, MtpErrorKind};

/// The TLS settings of a client: the rustls configuration (none: plain TCP), and the name
/// to check in the server's certificate.
#[derive(Clone, Default)]
pub(crate) struct StompTls {
    client: Option<Arc<ClientConfig>>,
    server_name: Option<String>,
}

impl fmt::Debug for StompTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StompTls")
            .field("enabled", &self.client.is_some())
            .field("server_name", &self.server_name)
            .finish()
    }
}

impl StompTls {
    pub(crate) fn enabled(&self) -> bool {
        self.client.is_some()
    }

    /// The server name the certificate must carry, checked before connecting.
    pub(crate) fn server_name(&self, host: &str) -> Result<ServerName<'static>, MtpError> {
        let name = self.server_name.as_deref().unwrap_or(host);
        ServerName::try_from(name.to_owned()).map_err(|e| {
            MtpError::new(
                MtpErrorKind::Config,
                format!("STOMP TLS: invalid server name {name:?}"),
            )
            .with_source(e)
        })
    }

    /// Runs the TLS handshake over `tcp` (a configuration error without TLS settings).
    pub(crate) async fn connect(
        &self,
        host: &str,
        tcp: TcpStream,
    ) -> Result<TlsStream<TcpStream>, MtpError> {
        let Some(client) = &self.client else {
            return Err(MtpError::new(
                MtpErrorKind::Config,
                "STOMP: no TLS configuration",
            ));
        };
        let name = self.server_name(host)?;
        let connector = tokio_rustls::TlsConnector::from(Arc::clone(client));
        let stream = connector.connect(name, tcp).await.map_err(|e| {
            MtpError::new(MtpErrorKind::Tls, format!("STOMP TLS handshake: {e}")).with_source(e)
        })?;
        Ok(stream)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
impl StompConfig {
    /// Connects with TLS, configured by this rustls client configuration (R-STOMP.36: TLS
    /// 1.2 or later, which rustls always is). Client certificates, roots, and the handling
    /// of certificate times (R-MTP.2) are the configuration's.
    #[must_use]
    pub fn tls_client_config(mut self, config: Arc<ClientConfig>) -> Self {
        self.tls.client = Some(config);
        self
    }

    /// Connects with TLS, authenticating the server with the certificates of `pem` as
    /// roots (rustls with its ring provider, TLS 1.2 and 1.3, no client certificate).
    /// Wildcard names in the server's certificate are accepted (R-STOMP.37).
    ///
    /// # Errors
    ///
    /// [`MtpErrorKind::Config`] if the PEM holds no usable certificate.
    pub fn tls_roots_pem(self, pem: &[u8]) -> Result<Self, MtpError> {
        let config_error = |m: String| MtpError::new(MtpErrorKind::Config, m);
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| config_error(format!("STOMP TLS roots: invalid PEM: {e}")))?;
        if certs.is_empty() {
            return Err(config_error(
                "STOMP TLS roots: no CERTIFICATE in the PEM".into(),
            ));
        }
        let mut roots = RootCertStore::empty();
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| config_error(format!("STOMP TLS roots: unusable certificate: {e}")))?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| MtpError::new(MtpErrorKind::Tls, e.to_string()).with_source(e))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(self.tls_client_config(Arc::new(config)))
    }

    /// The name the server's certificate must carry, instead of the configured host.
    #[must_use]
    pub fn tls_server_name(mut self, name: impl Into<String>) -> Self {
        self.tls.server_name = Some(name.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_roots_and_names_are_configuration_errors() {
        let config = StompConfig::new("h", 1, "proto::a".parse().unwrap());
        let e = config.clone().tls_roots_pem(b"no pem here").unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Config);
        assert!(!config.tls.enabled());
        let named = config.tls_server_name("bad name!");
        assert_eq!(
            named.tls.server_name("h").unwrap_err().kind(),
            MtpErrorKind::Config
        );
        assert!(format!("{:?}", named.tls).contains("bad name!"));
    }
}
