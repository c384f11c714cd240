//! TLS for MQTT (R-MQTT.48, R-MQTT.49) with rustls and its `ring` provider. No rustls type
//! appears in the public API: certificates and keys go in as PEM or DER bytes.

use std::fmt;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore};

use crate::{MtpError, MtpErrorKind};

fn config_error(message: impl Into<String>) -> MtpError {
    MtpError::new(MtpErrorKind::Config, message)
}

fn certs_from_pem(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, MtpError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| config_error(format!("{what}: invalid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(config_error(format!("{what}: no CERTIFICATE in the PEM")));
    }
    Ok(certs)
}

/// TLS settings of an [`MqttClient`](super::MqttClient): the roots the broker's certificate
/// must chain to, and for mutual TLS the client's certificate and key.
///
/// The broker is authenticated with these roots only (USP deployments use their own CAs)
/// and the broker host of the [`MqttConfig`](super::MqttConfig), a DNS name or an IP
/// address, which the certificate must name (wildcard DNS names accepted, R-MQTT.49). TLS
/// 1.2 and 1.3 are offered (R-MQTT.48).
///
/// ```no_run
/// use usp_mtp::mqtt::{MqttConfig, MqttTlsConfig};
///
/// let tls = MqttTlsConfig::new()
///     .add_root_certificates_pem(&std::fs::read("ca.pem")?)?
///     .identity_pem(&std::fs::read("agent.pem")?, &std::fs::read("agent.key")?)?;
/// let config = MqttConfig::new("os::012345-ABC".parse()?, "broker.example", 8883).tls(tls);
/// # let _ = config;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Default)]
#[non_exhaustive]
pub struct MqttTlsConfig {
    roots: Vec<CertificateDer<'static>>,
    identity: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
}

impl Clone for MqttTlsConfig {
    fn clone(&self) -> Self {
        Self {
            roots: self.roots.clone(),
            identity: self
                .identity
                .as_ref()
                .map(|(chain, key)| (chain.clone(), key.clone_key())),
        }
    }
}

impl fmt::Debug for MqttTlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MqttTlsConfig")
            .field("roots", &self.roots.len())
            .field("client_certificate", &self.identity.is_some())
            .finish()
    }
}

impl MqttTlsConfig {
    /// No roots yet: add at least one.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts a root certificate, in DER.
    #[must_use]
    pub fn add_root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.roots.push(CertificateDer::from(der.into()));
        self
    }

    /// Trusts every certificate of a PEM file.
    ///
    /// # Errors
    ///
    /// [`MtpErrorKind::Config`] if the PEM holds no certificate or is malformed.
    pub fn add_root_certificates_pem(mut self, pem: &[u8]) -> Result<Self, MtpError> {
        self.roots.extend(certs_from_pem(pem, "root certificates")?);
        Ok(self)
    }

    /// Presents this certificate chain (leaf first) and key, in PEM, to the broker: mutual
    /// TLS.
    ///
    /// # Errors
    ///
    /// [`MtpErrorKind::Config`] if either PEM holds nothing usable.
    pub fn identity_pem(mut self, cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, MtpError> {
        let chain = certs_from_pem(cert_chain_pem, "client certificate chain")?;
        let key = PrivateKeyDer::from_pem_slice(key_pem)
            .map_err(|e| config_error(format!("private key: no usable key in the PEM: {e}")))?;
        self.identity = Some((chain, key));
        Ok(self)
    }

    /// Presents this certificate chain (DER, leaf first) and private key (PKCS#8, PKCS#1 or
    /// SEC1 DER) to the broker: mutual TLS.
    ///
    /// # Errors
    ///
    /// [`MtpErrorKind::Config`] if the chain is empty or the key is not recognised.
    pub fn identity_der(
        mut self,
        cert_chain: Vec<Vec<u8>>,
        key: Vec<u8>,
    ) -> Result<Self, MtpError> {
        if cert_chain.is_empty() {
            return Err(config_error("client certificate chain: empty"));
        }
        let key = PrivateKeyDer::try_from(key).map_err(|e| {
            config_error(format!(
                "private key: not a PKCS#8, PKCS#1 or SEC1 key: {e}"
            ))
        })?;
        self.identity = Some((
            cert_chain.into_iter().map(CertificateDer::from).collect(),
            key,
        ));
        Ok(self)
    }

    /// The rustls client configuration, with the `ring` provider.
    pub(crate) fn build(&self) -> Result<Arc<ClientConfig>, MtpError> {
        if self.roots.is_empty() {
            return Err(config_error(
                "TLS: no root certificate to verify the broker with",
            ));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut store = RootCertStore::empty();
        for root in &self.roots {
            store
                .add(root.clone())
                .map_err(|e| config_error(format!("TLS: unusable root certificate: {e}")))?;
        }
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
                .build()
                .map_err(|e| config_error(format!("TLS: {e}")))?;
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| MtpError::new(MtpErrorKind::Tls, e.to_string()).with_source(e))?
            .with_webpki_verifier(verifier);
        let config = match &self.identity {
            Some((chain, key)) => builder
                .with_client_auth_cert(chain.clone(), key.clone_key())
                .map_err(|e| config_error(format!("TLS: client certificate: {e}")))?,
            None => builder.with_no_client_auth(),
        };
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_inputs_are_configuration_errors() {
        assert_eq!(
            MqttTlsConfig::new().build().unwrap_err().kind(),
            MtpErrorKind::Config
        );
        let e = MqttTlsConfig::new()
            .add_root_certificates_pem(b"no pem here")
            .unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Config);
        let e = MqttTlsConfig::new()
            .identity_der(Vec::new(), vec![1, 2, 3])
            .unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Config);
        let e = MqttTlsConfig::new().identity_pem(b"", b"").unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Config);
        // A root that is not a certificate is refused when the configuration is built.
        let e = MqttTlsConfig::new()
            .add_root_certificate_der(vec![0u8; 8])
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Config);
        assert!(format!("{:?}", MqttTlsConfig::new().clone()).contains("roots"));
    }
}
