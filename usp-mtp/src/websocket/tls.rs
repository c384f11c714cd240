//! TLS for `wss` (R-WS.22 to R-WS.24), with rustls and its `ring` provider. No rustls type
//! appears in the public API: certificates and keys go in as PEM or DER bytes.

use std::fmt;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::{NoClientAuth, WebPkiClientVerifier};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, DistinguishedName, RootCertStore,
    ServerConfig, SignatureScheme,
};

use crate::{MtpError, MtpErrorKind};

fn config_error(message: impl Into<String>) -> MtpError {
    MtpError::new(MtpErrorKind::Config, message)
}

fn tls_error(e: rustls::Error) -> MtpError {
    MtpError::new(MtpErrorKind::Tls, e.to_string()).with_source(e)
}

/// The only crypto provider this crate uses (no aws-lc-rs: it needs a C toolchain and cmake).
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
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

fn key_from_pem(pem: &[u8]) -> Result<PrivateKeyDer<'static>, MtpError> {
    PrivateKeyDer::from_pem_slice(pem)
        .map_err(|e| config_error(format!("private key: no usable key in the PEM: {e}")))
}

fn key_from_der(der: Vec<u8>) -> Result<PrivateKeyDer<'static>, MtpError> {
    PrivateKeyDer::try_from(der).map_err(|e| {
        config_error(format!(
            "private key: not a PKCS#8, PKCS#1 or SEC1 key: {e}"
        ))
    })
}

/// A certificate chain and its private key.
struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl Clone for Identity {
    fn clone(&self) -> Self {
        Self {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

/// TLS settings of a [`WsClient`](crate::websocket::WsClient) for `wss://` URIs.
///
/// The server is authenticated with the given root certificates (there are no built-in
/// roots: USP deployments use their own CAs) and the host of the URI, or
/// [`server_name`](Self::server_name). Wildcard DNS names in the server's certificate are
/// accepted per RFC 6125 (R-WS.24). A client certificate makes it mutual TLS.
///
/// ```no_run
/// use usp_mtp::websocket::{TlsClientConfig, WsClientConfig};
///
/// let tls = TlsClientConfig::new()
///     .add_root_certificates_pem(&std::fs::read("ca.pem")?)?
///     .identity_pem(&std::fs::read("agent.pem")?, &std::fs::read("agent.key")?)?
///     .verify_peer_endpoint_id(true);
/// let config = WsClientConfig::new("wss://controller.example/usp", "os::012345-ABC".parse()?)?
///     .peer_endpoint_id("self::controller".parse()?)
///     .tls(tls);
/// # let _ = config;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct TlsClientConfig {
    roots: Vec<CertificateDer<'static>>,
    identity: Option<Identity>,
    server_name: Option<String>,
    verify_peer_endpoint_id: bool,
    ignore_validity_period: bool,
}

impl fmt::Debug for TlsClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsClientConfig")
            .field("roots", &self.roots.len())
            .field("client_certificate", &self.identity.is_some())
            .field("server_name", &self.server_name)
            .field("verify_peer_endpoint_id", &self.verify_peer_endpoint_id)
            .field("ignore_validity_period", &self.ignore_validity_period)
            .finish()
    }
}

impl TlsClientConfig {
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

    /// Presents this certificate chain (leaf first) and key to the server: mutual TLS.
    ///
    /// # Errors
    ///
    /// [`MtpErrorKind::Config`] if either PEM holds nothing usable.
    pub fn identity_pem(mut self, cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, MtpError> {
        self.identity = Some(Identity {
            chain: certs_from_pem(cert_chain_pem, "certificate chain")?,
            key: key_from_pem(key_pem)?,
        });
        Ok(self)
    }

    /// Presents this certificate chain (DER, leaf first) and key (PKCS#8, PKCS#1 or SEC1
    /// DER) to the server: mutual TLS.
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
            return Err(config_error("certificate chain: empty"));
        }
        self.identity = Some(Identity {
            chain: cert_chain.into_iter().map(CertificateDer::from).collect(),
            key: key_from_der(key)?,
        });
        Ok(self)
    }

    /// The name the server's certificate must carry, instead of the URI's host.
    #[must_use]
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = Some(name.into());
        self
    }

    /// Also requires the server's certificate to name the peer's Endpoint ID
    /// ([`WsClientConfig::peer_endpoint_id`](crate::websocket::WsClientConfig::peer_endpoint_id)) in its
    /// `subjectAltName` (R-SEC.0a, R-SEC.3), as
    /// [`certificate_matches_endpoint_id`](crate::websocket::certificate_matches_endpoint_id) checks.
    /// Default `false`.
    #[must_use]
    pub fn verify_peer_endpoint_id(mut self, verify: bool) -> Self {
        self.verify_peer_endpoint_id = verify;
        self
    }

    /// Ignores the certificates' not-before and not-after times, for an Endpoint that does not
    /// have accurate absolute time yet (R-WS.23, R-SEC.19). Everything else is still checked.
    /// Default `false`.
    #[must_use]
    pub fn ignore_validity_period(mut self, ignore: bool) -> Self {
        self.ignore_validity_period = ignore;
        self
    }

    pub(crate) fn verifies_peer_endpoint_id(&self) -> bool {
        self.verify_peer_endpoint_id
    }

    /// The rustls connector for connecting to `host`.
    pub(crate) fn build(&self, host: &str) -> Result<ClientTls, MtpError> {
        if self.roots.is_empty() {
            return Err(config_error(
                "TLS: no root certificate to verify the server with",
            ));
        }
        let provider = provider();
        let mut store = RootCertStore::empty();
        for root in &self.roots {
            store
                .add(root.clone())
                .map_err(|e| config_error(format!("TLS: unusable root certificate: {e}")))?;
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
            .build()
            .map_err(|e| config_error(format!("TLS: {e}")))?;
        let verifier: Arc<dyn ServerCertVerifier> = if self.ignore_validity_period {
            Arc::new(TimeTolerant(webpki))
        } else {
            webpki
        };
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let config = match &self.identity {
            Some(id) => builder
                .with_client_auth_cert(id.chain.clone(), id.key.clone_key())
                .map_err(|e| config_error(format!("TLS: client certificate: {e}")))?,
            None => builder.with_no_client_auth(),
        };
        let name = self.server_name.as_deref().unwrap_or(host);
        let server_name = ServerName::try_from(name.to_owned())
            .map_err(|e| config_error(format!("TLS: invalid server name {name:?}: {e}")))?;
        Ok(ClientTls {
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
            server_name,
        })
    }
}

/// A built client TLS configuration.
#[derive(Clone)]
pub(crate) struct ClientTls {
    pub(crate) connector: tokio_rustls::TlsConnector,
    pub(crate) server_name: ServerName<'static>,
}

impl fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientTls")
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

/// TLS settings of a [`WsServer`](crate::websocket::WsServer): its certificate and key, and, for mutual
/// TLS, the roots that client certificates must chain to.
///
/// ```no_run
/// use usp_mtp::websocket::{TlsServerConfig, WsServerConfig};
///
/// let tls = TlsServerConfig::from_pem(&std::fs::read("controller.pem")?, &std::fs::read("controller.key")?)?
///     .client_auth_roots_pem(&std::fs::read("agents-ca.pem")?)?
///     .verify_peer_endpoint_id(true);
/// let config = WsServerConfig::new("self::controller".parse()?).tls(tls);
/// # let _ = config;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct TlsServerConfig {
    identity: Identity,
    client_roots: Vec<CertificateDer<'static>>,
    client_auth_optional: bool,
    verify_peer_endpoint_id: bool,
    ignore_validity_period: bool,
}

impl fmt::Debug for TlsServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsServerConfig")
            .field("chain", &self.identity.chain.len())
            .field("client_roots", &self.client_roots.len())
            .field("client_auth_optional", &self.client_auth_optional)
            .field("verify_peer_endpoint_id", &self.verify_peer_endpoint_id)
            .field("ignore_validity_period", &self.ignore_validity_period)
            .finish()
    }
}

impl TlsServerConfig {
    /// The server's certificate chain (leaf first) and private key, in PEM.
    ///
    /// # Errors
    ///
    /// [`MtpErrorKind::Config`] if either PEM holds nothing usable.
    pub fn from_pem(cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, MtpError> {
        Ok(Self::with_identity(Identity {
            chain: certs_from_pem(cert_chain_pem, "certificate chain")?,
            key: key_from_pem(key_pem)?,
        }))
    }

    /// The server's certificate chain (DER, leaf first) and private key (PKCS#8, PKCS#1 or
    /// SEC1 DER).
    ///
    /// # Errors
    ///
    /// [`MtpErrorKind::Config`] if the chain is empty or the key is not recognised.
    pub fn from_der(cert_chain: Vec<Vec<u8>>, key: Vec<u8>) -> Result<Self, MtpError> {
        if cert_chain.is_empty() {
            return Err(config_error("certificate chain: empty"));
        }
        Ok(Self::with_identity(Identity {
            chain: cert_chain.into_iter().map(CertificateDer::from).collect(),
            key: key_from_der(key)?,
        }))
    }

    fn with_identity(identity: Identity) -> Self {
        Self {
            identity,
            client_roots: Vec::new(),
            client_auth_optional: false,
            verify_peer_endpoint_id: false,
            ignore_validity_period: false,
        }
    }

    /// Asks clients for a certificate chaining to this root (DER): mutual TLS.
    #[must_use]
    pub fn add_client_auth_root_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.client_roots.push(CertificateDer::from(der.into()));
        self
    }

    /// Asks clients for a certificate chaining to one of the certificates of this PEM:
    /// mutual TLS.
    ///
    /// # Errors
    ///
    /// [`MtpErrorKind::Config`] if the PEM holds no certificate or is malformed.
    pub fn client_auth_roots_pem(mut self, pem: &[u8]) -> Result<Self, MtpError> {
        self.client_roots
            .extend(certs_from_pem(pem, "client root certificates")?);
        Ok(self)
    }

    /// With client roots: whether clients without a certificate are still let in (a client
    /// that presents one must still present a valid one). Default `false`: a certificate is
    /// required.
    #[must_use]
    pub fn client_auth_optional(mut self, optional: bool) -> Self {
        self.client_auth_optional = optional;
        self
    }

    /// Requires each client's certificate to name, in its `subjectAltName`, the Endpoint ID
    /// the client gave in the handshake (`eid`); others get HTTP 403 (R-SEC.0a). Default
    /// `false`.
    #[must_use]
    pub fn verify_peer_endpoint_id(mut self, verify: bool) -> Self {
        self.verify_peer_endpoint_id = verify;
        self
    }

    /// Ignores the client certificates' not-before and not-after times (R-WS.23). Default
    /// `false`.
    #[must_use]
    pub fn ignore_validity_period(mut self, ignore: bool) -> Self {
        self.ignore_validity_period = ignore;
        self
    }

    pub(crate) fn verifies_peer_endpoint_id(&self) -> bool {
        self.verify_peer_endpoint_id
    }

    /// The rustls acceptor.
    pub(crate) fn build(&self) -> Result<tokio_rustls::TlsAcceptor, MtpError> {
        let provider = provider();
        let verifier: Arc<dyn ClientCertVerifier> = if self.client_roots.is_empty() {
            Arc::new(NoClientAuth)
        } else {
            let mut store = RootCertStore::empty();
            for root in &self.client_roots {
                store.add(root.clone()).map_err(|e| {
                    config_error(format!("TLS: unusable client root certificate: {e}"))
                })?;
            }
            let mut builder =
                WebPkiClientVerifier::builder_with_provider(Arc::new(store), provider.clone());
            if self.client_auth_optional {
                builder = builder.allow_unauthenticated();
            }
            let webpki = builder
                .build()
                .map_err(|e| config_error(format!("TLS: {e}")))?;
            if self.ignore_validity_period {
                Arc::new(TimeTolerant(webpki))
            } else {
                webpki
            }
        };
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?
            .with_client_cert_verifier(verifier)
            .with_single_cert(self.identity.chain.clone(), self.identity.key.clone_key())
            .map_err(|e| config_error(format!("TLS: server certificate: {e}")))?;
        Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
    }
}

/// A verifier that ignores validity periods (R-WS.23): it verifies at a time the
/// certificates are valid at. When verification fails only because a certificate is expired
/// or not valid yet, it is repeated at that certificate's `notAfter` or `notBefore`; every
/// other check (chain, signatures, names, usages) stays.
#[derive(Debug)]
struct TimeTolerant<V: ?Sized>(Arc<V>);

/// Retries `verify` at the boundary of the validity period it complained about; a few
/// times, for chains whose certificates have different periods.
fn at_a_valid_time<T>(
    mut now: UnixTime,
    verify: impl Fn(UnixTime) -> Result<T, rustls::Error>,
) -> Result<T, rustls::Error> {
    for _ in 0..8 {
        match verify(now) {
            Err(rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
                not_after,
                ..
            })) => now = not_after,
            Err(rustls::Error::InvalidCertificate(CertificateError::NotValidYetContext {
                not_before,
                ..
            })) => now = not_before,
            other => return other,
        }
    }
    verify(now)
}

impl ServerCertVerifier for TimeTolerant<WebPkiServerVerifier> {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        at_a_valid_time(now, |t| {
            self.0
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, t)
        })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

impl ClientCertVerifier for TimeTolerant<dyn ClientCertVerifier> {
    fn offer_client_auth(&self) -> bool {
        self.0.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.0.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.0.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        at_a_valid_time(now, |t| {
            self.0.verify_client_cert(end_entity, intermediates, t)
        })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_is_moved_into_the_validity_period_only_for_time_errors() {
        let expired = |t: UnixTime| {
            if t.as_secs() > 100 {
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::ExpiredContext {
                        time: t,
                        not_after: UnixTime::since_unix_epoch(std::time::Duration::from_secs(100)),
                    },
                ))
            } else {
                Ok(t.as_secs())
            }
        };
        let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(5000));
        assert_eq!(at_a_valid_time(now, expired).unwrap(), 100);
        let unknown = |_| -> Result<(), _> {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            ))
        };
        assert!(at_a_valid_time(now, unknown).is_err());
    }

    #[test]
    fn bad_pem_is_a_configuration_error() {
        let e = TlsClientConfig::new()
            .add_root_certificates_pem(b"nothing")
            .unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Config);
        let e = TlsServerConfig::from_pem(b"", b"").unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Config);
        let e = TlsClientConfig::new().build("h").unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Config);
    }
}
