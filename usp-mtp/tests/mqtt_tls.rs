//! The MQTT MTP over TLS (R-MQTT.48, R-MQTT.49) against a real mosquitto with a TLS
//! listener, certificates made by rcgen at test time: server authentication, mutual TLS,
//! an untrusted broker, a name mismatch, a client without a certificate. Every test is
//! bounded in time.

mod mqtt_support;

use std::future::Future;
use std::time::Duration;

use mqtt_support::{Mosquitto, TlsListener};
use rcgen::{
    BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use usp_mtp::mqtt::{ConnectRetry, MqttClient, MqttConfig, MqttTlsConfig, MqttVersion};
use usp_mtp::{MtpErrorKind, MtpExt, Outbound};
use usp_record::{Record, RecordKind};
use usp_types::EndpointId;

async fn bounded<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .expect("the test took too long")
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

    /// A leaf certificate and key (PEM).
    fn leaf(&self, sans: Vec<SanType>, usage: ExtendedKeyUsagePurpose) -> (String, String) {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.subject_alt_names = sans;
        params.extended_key_usages = vec![usage];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    /// A TLS listener whose certificate names 127.0.0.1 and `*.usp.test` (a wildcard,
    /// R-MQTT.49); with `mutual`, clients need a certificate from this CA.
    fn listener(&self, mutual: bool) -> TlsListener {
        let (cert, key) = self.leaf(
            vec![
                SanType::IpAddress("127.0.0.1".parse().unwrap()),
                SanType::DnsName("*.usp.test".try_into().unwrap()),
            ],
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        TlsListener {
            ca: self.pem.clone(),
            cert,
            key,
            require_certificate: mutual,
        }
    }

    fn trust(&self) -> MqttTlsConfig {
        MqttTlsConfig::new()
            .add_root_certificates_pem(self.pem.as_bytes())
            .unwrap()
    }

    fn client(&self, id: &EndpointId) -> MqttTlsConfig {
        let (cert, key) = self.leaf(
            vec![SanType::URI(
                format!("urn:bbf:usp:id:{id}").try_into().unwrap(),
            )],
            ExtendedKeyUsagePurpose::ClientAuth,
        );
        self.trust()
            .identity_pem(cert.as_bytes(), key.as_bytes())
            .unwrap()
    }
}

fn controller_id() -> EndpointId {
    "self::controller".parse().unwrap()
}

fn agent_id() -> EndpointId {
    "os::012345-TLS".parse().unwrap()
}

fn config(broker: &Mosquitto, id: EndpointId, topic: &str, tls: MqttTlsConfig) -> MqttConfig {
    MqttConfig::new(id, "127.0.0.1", broker.port())
        .reply_to_topic(topic)
        .retry(ConnectRetry::new().min_wait(Duration::from_millis(100)))
        .connect_timeout(Duration::from_secs(5))
        .tls(tls)
}

/// An Agent and a Controller exchange a Record each way over the broker.
async fn exchange(mut controller: MqttClient, mut agent: MqttClient) {
    let connect = agent_connect_record(&mut controller).await;
    let request = Record::no_session_context(agent_id(), controller_id(), &b"get"[..])
        .unwrap()
        .to_bytes();
    controller
        .send(Outbound::new(request.clone(), connect))
        .await
        .unwrap();
    let got = agent.recv().await.unwrap();
    assert_eq!(got.record, request);
    let response = Record::no_session_context(controller_id(), agent_id(), &b"resp"[..])
        .unwrap()
        .to_bytes();
    agent
        .send(Outbound::new(response.clone(), got.reply_to))
        .await
        .unwrap();
    assert_eq!(controller.recv().await.unwrap().record, response);
    agent.close().await.unwrap();
    controller.close().await.unwrap();
}

/// The Agent's MQTTConnectRecord, and where it says the Agent is.
async fn agent_connect_record(controller: &mut MqttClient) -> usp_mtp::MtpAddress {
    let inbound = controller.recv().await.unwrap();
    let r = Record::decode(inbound.record).unwrap();
    assert!(
        matches!(r.kind(), RecordKind::MqttConnect(_)),
        "{:?}",
        r.kind()
    );
    inbound.reply_to
}

#[tokio::test]
async fn r_mqtt_48_tls_with_server_authentication_mqtt5_and_311() {
    bounded(async {
        let ca = Ca::new("usp test CA");
        let broker = Mosquitto::start_tls(&ca.listener(false));
        for version in [MqttVersion::V5, MqttVersion::V3_1_1] {
            let controller = MqttClient::connect(
                config(&broker, controller_id(), "usp/c-tls", ca.trust()).version(version),
            )
            .await
            .unwrap();
            let agent = MqttClient::connect(
                config(&broker, agent_id(), "usp/a-tls", ca.trust())
                    .version(version)
                    .peer(controller_id(), "usp/c-tls"),
            )
            .await
            .unwrap();
            exchange(controller, agent).await;
        }
    })
    .await;
}

#[tokio::test]
async fn r_mqtt_48_mutual_tls_needs_the_client_certificate() {
    bounded(async {
        let ca = Ca::new("usp test CA");
        let broker = Mosquitto::start_tls(&ca.listener(true));
        let controller = MqttClient::connect(config(
            &broker,
            controller_id(),
            "usp/c-mtls",
            ca.client(&controller_id()),
        ))
        .await
        .unwrap();
        let agent = MqttClient::connect(
            config(&broker, agent_id(), "usp/a-mtls", ca.client(&agent_id()))
                .peer(controller_id(), "usp/c-mtls"),
        )
        .await
        .unwrap();
        exchange(controller, agent).await;

        // Without a certificate the broker refuses the handshake.
        let e = MqttClient::connect(config(&broker, agent_id(), "usp/x", ca.trust()))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Tls, "{e:?}");
        // With one from another CA too.
        let other = Ca::new("another CA");
        let stranger = other
            .client(&agent_id())
            .add_root_certificates_pem(ca.pem.as_bytes())
            .unwrap();
        let e = MqttClient::connect(config(&broker, agent_id(), "usp/x", stranger))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Tls, "{e:?}");
    })
    .await;
}

#[tokio::test]
async fn an_untrusted_or_misnamed_broker_is_refused() {
    bounded(async {
        let ca = Ca::new("usp test CA");
        let broker = Mosquitto::start_tls(&ca.listener(false));
        let other = Ca::new("another CA");
        let e = MqttClient::connect(config(&broker, agent_id(), "usp/x", other.trust()))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Tls, "{e:?}");
        assert!(e.to_string().contains("UnknownIssuer"), "{e}");
        // The certificate names 127.0.0.1 and *.usp.test, not "localhost".
        let misnamed = MqttConfig::new(agent_id(), "localhost", broker.port())
            .reply_to_topic("usp/x")
            .connect_timeout(Duration::from_secs(5))
            .tls(ca.trust());
        let e = MqttClient::connect(misnamed).await.unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Tls, "{e:?}");
        // A plain client on a TLS listener does not get through either.
        let plain = MqttConfig::new(agent_id(), "127.0.0.1", broker.port())
            .reply_to_topic("usp/x")
            .connect_timeout(Duration::from_secs(2));
        assert!(MqttClient::connect(plain).await.is_err());
        // Nothing to trust at all is a configuration error.
        let e = MqttClient::start(config(&broker, agent_id(), "usp/x", MqttTlsConfig::new()))
            .unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Config);
    })
    .await;
}
