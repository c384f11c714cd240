//! The WebSocket MTP over TLS (R-WS.22 to R-WS.24, R-SEC.0a, TP-469 7.9) with certificates
//! made by rcgen at test time: server authentication, mutual TLS, the Endpoint ID in the
//! `subjectAltName` checked both ways, untrusted and expired certificates. Every test is
//! bounded in time.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use rcgen::{
    BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use usp_mtp::websocket::{
    SessionRetry, TlsClientConfig, TlsServerConfig, WsClient, WsClientConfig, WsServer,
    WsServerConfig, certificate_endpoint_ids,
};
use usp_mtp::{MtpAddress, MtpErrorKind, MtpExt, Outbound};
use usp_record::{Record, RecordKind};
use usp_types::EndpointId;

// ---------------------------------------------------------------------------------------
// Helpers

async fn bounded<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), test)
        .await
        .expect("the test took too long")
}

fn controller() -> EndpointId {
    "self::controller".parse().unwrap()
}

fn agent(n: usize) -> EndpointId {
    format!("os::012345-AGENT{n}").parse().unwrap()
}

fn record(from: &EndpointId, to: &EndpointId, text: &str) -> Bytes {
    Record::no_session_context(to.clone(), from.clone(), Bytes::from(text.to_owned()))
        .unwrap()
        .to_bytes()
}

fn text_of(record: &Bytes) -> String {
    let r = Record::decode(record.clone()).unwrap();
    String::from_utf8(r.no_session_context_payload().unwrap().to_vec()).unwrap()
}

/// A certificate authority.
struct Ca {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Self {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A leaf certificate and key (PEM) with these names, for `usage`, optionally expired.
    fn leaf(
        &self,
        sans: Vec<SanType>,
        usage: ExtendedKeyUsagePurpose,
        expired: bool,
    ) -> (String, String) {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.subject_alt_names = sans;
        params.extended_key_usages = vec![usage];
        if expired {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    /// The controller's server certificate: 127.0.0.1 and `urn:bbf:usp:id:self::controller`.
    fn server(&self, expired: bool) -> TlsServerConfig {
        let (cert, key) = self.leaf(
            vec![
                SanType::IpAddress("127.0.0.1".parse().unwrap()),
                urn(&controller()),
            ],
            ExtendedKeyUsagePurpose::ServerAuth,
            expired,
        );
        TlsServerConfig::from_pem(cert.as_bytes(), key.as_bytes()).unwrap()
    }

    /// An agent's client certificate naming `id`.
    fn client(&self, id: &EndpointId, expired: bool) -> (String, String) {
        self.leaf(vec![urn(id)], ExtendedKeyUsagePurpose::ClientAuth, expired)
    }

    fn trust(&self) -> TlsClientConfig {
        TlsClientConfig::new()
            .add_root_certificates_pem(self.pem.as_bytes())
            .unwrap()
    }
}

fn urn(id: &EndpointId) -> SanType {
    SanType::URI(id.to_urn().try_into().unwrap())
}

async fn tls_server(tls: TlsServerConfig) -> WsServer {
    let config = WsServerConfig::new(controller()).tls(tls);
    WsServer::bind("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap()
}

fn client_config(addr: SocketAddr, me: &EndpointId, tls: TlsClientConfig) -> WsClientConfig {
    WsClientConfig::new(&format!("wss://{addr}/usp"), me.clone())
        .unwrap()
        .peer_endpoint_id(controller())
        .session_retry(SessionRetry::new().min_wait(Duration::from_millis(50)))
        .tls(tls)
}

/// The Connect Record, then one Record each way.
async fn exchange(server: &mut WsServer, client: &mut WsClient, me: &EndpointId) -> MtpAddress {
    let connect = server.recv().await.unwrap();
    assert_eq!(
        Record::decode(connect.record).unwrap().into_kind(),
        RecordKind::WebSocketConnect
    );
    let to = client.peer_address().unwrap();
    client
        .send(Outbound::new(record(me, &controller(), "over tls"), to))
        .await
        .unwrap();
    let inbound = server.recv().await.unwrap();
    assert_eq!(text_of(&inbound.record), "over tls");
    assert_eq!(inbound.reply_to.endpoint_id(), Some(me));
    server
        .send(Outbound::new(
            record(&controller(), me, "secure answer"),
            inbound.reply_to.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(
        text_of(&client.recv().await.unwrap().record),
        "secure answer"
    );
    inbound.reply_to
}

fn connection_of(address: &MtpAddress) -> usp_mtp::ConnectionId {
    match address {
        MtpAddress::WebSocket { connection, .. } => *connection,
        other => panic!("not a WebSocket address: {other}"),
    }
}

// ---------------------------------------------------------------------------------------
// Tests

/// R-WS.22, TP-469 7.9: `wss` with the server authenticated by a private CA; the client
/// also checks the Controller's Endpoint ID in the server certificate (R-SEC.3).
#[tokio::test(flavor = "multi_thread")]
async fn tp_469_7_9_wss_with_server_authentication() {
    bounded(async {
        let ca = Ca::new("usp test CA");
        let mut server = tls_server(ca.server(false)).await;
        let me = agent(1);
        let tls = ca.trust().verify_peer_endpoint_id(true);
        let mut client = WsClient::connect(client_config(server.local_addr(), &me, tls))
            .await
            .unwrap();
        let address = exchange(&mut server, &mut client, &me).await;
        // No client certificate was asked for.
        assert_eq!(server.peer_certificate(connection_of(&address)), None);
        client.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

/// Mutual TLS: the server requires a client certificate from its CA, and that the
/// certificate names the Endpoint ID the client gives in `eid` (R-SEC.0a). The certificate
/// is available to the Endpoint afterwards.
#[tokio::test(flavor = "multi_thread")]
async fn mutual_tls_with_a_matching_endpoint_id() {
    bounded(async {
        let ca = Ca::new("usp test CA");
        let tls = ca
            .server(false)
            .client_auth_roots_pem(ca.pem.as_bytes())
            .unwrap()
            .verify_peer_endpoint_id(true);
        let mut server = tls_server(tls).await;
        let me = agent(1);
        let (cert, key) = ca.client(&me, false);
        let tls = ca
            .trust()
            .identity_pem(cert.as_bytes(), key.as_bytes())
            .unwrap();
        let mut client = WsClient::connect(client_config(server.local_addr(), &me, tls))
            .await
            .unwrap();
        let address = exchange(&mut server, &mut client, &me).await;
        let der = server.peer_certificate(connection_of(&address)).unwrap();
        assert_eq!(certificate_endpoint_ids(&der).unwrap(), vec![me.clone()]);
        client.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

/// Mutual TLS refusals, each leaving the established connection alone: a certificate for
/// another Endpoint ID than the `eid` (HTTP 403), and no certificate at all (TLS).
#[tokio::test(flavor = "multi_thread")]
async fn mutual_tls_refuses_a_certificate_for_another_endpoint_and_no_certificate() {
    bounded(async {
        let ca = Ca::new("usp test CA");
        let tls = ca
            .server(false)
            .client_auth_roots_pem(ca.pem.as_bytes())
            .unwrap()
            .verify_peer_endpoint_id(true);
        let mut server = tls_server(tls).await;
        let addr = server.local_addr();

        let good = agent(1);
        let (cert, key) = ca.client(&good, false);
        let good_tls = ca
            .trust()
            .identity_pem(cert.as_bytes(), key.as_bytes())
            .unwrap();
        let mut client = WsClient::connect(client_config(addr, &good, good_tls.clone()))
            .await
            .unwrap();
        exchange(&mut server, &mut client, &good).await;

        // Agent 1's certificate, presented by a client calling itself agent 2.
        let err = WsClient::connect(client_config(addr, &agent(2), good_tls))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::Connect, "{err}");
        assert!(err.to_string().contains("403"), "{err}");

        // No client certificate: the TLS handshake fails (in TLS 1.3 the client learns it
        // from the alert that answers its first Record, the WebSocket request).
        let err = WsClient::connect(client_config(addr, &agent(3), ca.trust()))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::Tls, "{err}");
        assert!(err.to_string().contains("CertificateRequired"), "{err}");

        // The first agent is unharmed.
        let to = client.peer_address().unwrap();
        client
            .send(Outbound::new(record(&good, &controller(), "still"), to))
            .await
            .unwrap();
        assert_eq!(text_of(&server.recv().await.unwrap().record), "still");
        client.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

/// The client refuses a server whose certificate does not name the Controller it expects,
/// and one whose certificate does not chain to its roots.
#[tokio::test(flavor = "multi_thread")]
async fn the_client_refuses_a_wrong_or_untrusted_server_certificate() {
    bounded(async {
        let ca = Ca::new("usp test CA");
        let server = tls_server(ca.server(false)).await;
        let addr = server.local_addr();

        let tls = ca.trust().verify_peer_endpoint_id(true);
        let config =
            client_config(addr, &agent(1), tls).peer_endpoint_id("self::other".parse().unwrap());
        let err = WsClient::connect(config).await.unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::Tls, "{err}");
        assert!(err.to_string().contains("self::other"), "{err}");

        let stranger = Ca::new("another CA");
        let err = WsClient::connect(client_config(addr, &agent(1), stranger.trust()))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::Tls, "{err}");

        // Checking the server's Endpoint ID needs to know it.
        let config = WsClientConfig::new(&format!("wss://{addr}/usp"), agent(1))
            .unwrap()
            .tls(ca.trust().verify_peer_endpoint_id(true));
        assert_eq!(
            WsClient::start(config).unwrap_err().kind(),
            MtpErrorKind::Config
        );
    })
    .await;
}

/// R-WS.23 (R-SEC.19): expired certificates are refused, unless the Endpoint is told it has
/// no accurate time, and then only their validity period is ignored.
#[tokio::test(flavor = "multi_thread")]
async fn r_ws_23_the_validity_period_is_ignored_only_when_asked() {
    bounded(async {
        let ca = Ca::new("usp test CA");
        let mut server = tls_server(
            ca.server(true)
                .client_auth_roots_pem(ca.pem.as_bytes())
                .unwrap()
                .ignore_validity_period(true),
        )
        .await;
        let addr = server.local_addr();
        let me = agent(1);
        let (cert, key) = ca.client(&me, true);
        let tls = ca
            .trust()
            .identity_pem(cert.as_bytes(), key.as_bytes())
            .unwrap();

        let err = WsClient::connect(client_config(addr, &me, tls.clone()))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::Tls, "{err}");
        assert!(err.to_string().to_lowercase().contains("expired"), "{err}");

        let mut client =
            WsClient::connect(client_config(addr, &me, tls.ignore_validity_period(true)))
                .await
                .unwrap();
        exchange(&mut server, &mut client, &me).await;

        // An expired certificate from an untrusted CA stays refused.
        let stranger = Ca::new("another CA");
        let err = WsClient::connect(client_config(
            addr,
            &me,
            stranger.trust().ignore_validity_period(true),
        ))
        .await
        .unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::Tls, "{err}");
        client.close().await.unwrap();
        server.close().await.unwrap();
    })
    .await;
}

/// `wss` needs a TLS configuration, and a TLS configuration needs `wss`.
#[tokio::test(flavor = "multi_thread")]
async fn the_scheme_and_the_tls_configuration_must_agree() {
    let ca = Ca::new("usp test CA");
    let wss = WsClientConfig::new("wss://127.0.0.1:1/usp", agent(1)).unwrap();
    assert_eq!(
        WsClient::start(wss).unwrap_err().kind(),
        MtpErrorKind::Config
    );
    let ws = WsClientConfig::new("ws://127.0.0.1:1/usp", agent(1))
        .unwrap()
        .tls(ca.trust());
    assert_eq!(
        WsClient::start(ws).unwrap_err().kind(),
        MtpErrorKind::Config
    );
}
