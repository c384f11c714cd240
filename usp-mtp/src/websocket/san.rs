//! Endpoint IDs in certificates (R-SEC.0a): the `subjectAltName` extension read with a
//! small DER walker.
//!
//! Only the path to that one extension is parsed: Certificate, TBSCertificate, the `[3]`
//! extensions, the extension with OID 2.5.29.17, and its `uniformResourceIdentifier` and
//! `dNSName` entries. The certificates looked at have already been verified by rustls and
//! webpki, and the walker checks every length against what is left, so malformed input only
//! gives an error. A full X.509 parser (x509-parser and its nom, asn1-rs, der-parser,
//! oid-registry and time dependencies) would be ten crates for these forty lines.

use usp_types::EndpointId;

use crate::{MtpError, MtpErrorKind};

/// The URN form's prefix (R-SEC.0a, `EndpointId::to_urn`).
const URN_PREFIX: &str = "urn:bbf:usp:id:";

/// The DER encoding of OID 2.5.29.17, `id-ce-subjectAltName`.
const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1D, 0x11];

const SEQUENCE: u8 = 0x30;
const OID: u8 = 0x06;
const OCTET_STRING: u8 = 0x04;
const EXTENSIONS: u8 = 0xA3; // [3] EXPLICIT, constructed
const DNS_NAME: u8 = 0x82; // [2] IMPLICIT IA5String
const URI: u8 = 0x86; // [6] IMPLICIT IA5String

/// A `subjectAltName` entry this module cares about.
#[derive(Debug, PartialEq, Eq)]
enum Name<'a> {
    Uri(&'a str),
    Dns(&'a str),
}

/// A reader of DER TLVs over a byte slice.
struct Der<'a>(&'a [u8]);

impl<'a> Der<'a> {
    /// The next TLV: its tag and its value.
    fn next(&mut self) -> Result<(u8, &'a [u8]), &'static str> {
        let (&tag, rest) = self.0.split_first().ok_or("truncated")?;
        if tag & 0x1F == 0x1F {
            return Err("multi-byte tags are not used in certificates");
        }
        let (&first, mut rest) = rest.split_first().ok_or("truncated")?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7F);
            if n == 0 || n > 4 || rest.len() < n {
                return Err("bad length");
            }
            let (bytes, after) = rest.split_at(n);
            rest = after;
            bytes
                .iter()
                .fold(0usize, |len, &b| len << 8 | usize::from(b))
        };
        if rest.len() < len {
            return Err("truncated");
        }
        let (value, after) = rest.split_at(len);
        self.0 = after;
        Ok((tag, value))
    }

    /// The next TLV, which must have `tag`.
    fn expect(&mut self, tag: u8) -> Result<&'a [u8], &'static str> {
        match self.next()? {
            (t, value) if t == tag => Ok(value),
            _ => Err("unexpected element"),
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The URI and DNS names of a DER certificate's `subjectAltName` extension.
fn subject_alt_names(cert: &[u8]) -> Result<Vec<Name<'_>>, &'static str> {
    let certificate = Der(cert).expect(SEQUENCE)?;
    let tbs = Der(certificate).expect(SEQUENCE)?;
    let mut fields = Der(tbs);
    let mut names = Vec::new();
    while !fields.is_empty() {
        let (tag, value) = fields.next()?;
        if tag != EXTENSIONS {
            continue;
        }
        let mut extensions = Der(Der(value).expect(SEQUENCE)?);
        while !extensions.is_empty() {
            let mut extension = Der(extensions.expect(SEQUENCE)?);
            if extension.expect(OID)? != SUBJECT_ALT_NAME {
                continue;
            }
            // `critical BOOLEAN DEFAULT FALSE` may come before the value.
            let mut value = extension.next()?;
            if value.0 != OCTET_STRING {
                value = extension.next()?;
            }
            if value.0 != OCTET_STRING {
                return Err("subjectAltName without a value");
            }
            let mut general_names = Der(Der(value.1).expect(SEQUENCE)?);
            while !general_names.is_empty() {
                let (tag, value) = general_names.next()?;
                let text = || std::str::from_utf8(value).map_err(|_| "a name is not text");
                match tag {
                    URI => names.push(Name::Uri(text()?)),
                    DNS_NAME => names.push(Name::Dns(text()?)),
                    _ => {}
                }
            }
        }
    }
    Ok(names)
}

fn not_a_certificate(why: &str) -> MtpError {
    MtpError::new(
        MtpErrorKind::Tls,
        format!("not a DER X.509 certificate: {why}"),
    )
}

/// The Endpoint ID of a `urn:bbf:usp:id:` URI (prefix compared without regard to case).
fn urn_endpoint_id(uri: &str) -> Option<&str> {
    let prefix = uri.get(..URN_PREFIX.len())?;
    prefix
        .eq_ignore_ascii_case(URN_PREFIX)
        .then(|| &uri[URN_PREFIX.len()..])
}

/// The Endpoint IDs a DER certificate names in its `subjectAltName` extension as
/// `urn:bbf:usp:id:` URIs (R-SEC.0a), in order. IDs are taken leniently
/// ([`EndpointId::lenient`]), as everything received from peers; URIs that are not Endpoint
/// IDs are skipped.
///
/// # Errors
///
/// [`MtpErrorKind::Tls`] if `cert_der` is not a DER certificate.
///
/// # Examples
///
/// ```no_run
/// # fn f(server: &usp_mtp::websocket::WsServer, connection: usp_mtp::ConnectionId) -> Result<(), usp_mtp::MtpError> {
/// if let Some(cert) = server.peer_certificate(connection) {
///     for id in usp_mtp::websocket::certificate_endpoint_ids(&cert)? {
///         println!("the certificate names {id}");
///     }
/// }
/// # Ok(())
/// # }
/// ```
pub fn certificate_endpoint_ids(cert_der: &[u8]) -> Result<Vec<EndpointId>, MtpError> {
    let names = subject_alt_names(cert_der).map_err(not_a_certificate)?;
    Ok(names
        .into_iter()
        .filter_map(|n| match n {
            Name::Uri(uri) => urn_endpoint_id(uri).and_then(|id| EndpointId::lenient(id).ok()),
            Name::Dns(_) => None,
        })
        .collect())
}

/// Whether a DER certificate authenticates the Endpoint `id` per R-SEC.0a: its
/// `subjectAltName` holds the URN form of `id` as a `uniformResourceIdentifier`, or, when
/// `id` has the authority-scheme `fqdn`, its instance-id as a `dNSName` (compared without
/// regard to ASCII case, as DNS names are).
///
/// Wildcarded Endpoint IDs in shared certificates (R-SEC.11, R-SEC.12) are not matched:
/// Controllers are not required to support them, and the specification leaves their exact
/// form open. Anything that is not a certificate gives `false`.
pub fn certificate_matches_endpoint_id(cert_der: &[u8], id: &EndpointId) -> bool {
    let Ok(names) = subject_alt_names(cert_der) else {
        return false;
    };
    names.iter().any(|name| match name {
        Name::Uri(uri) => urn_endpoint_id(uri) == Some(id.as_str()),
        Name::Dns(dns) => id.scheme_str() == "fqdn" && dns.eq_ignore_ascii_case(id.instance_id()),
    })
}

#[cfg(test)]
mod tests {
    use rcgen::{CertificateParams, KeyPair, SanType};

    use super::*;

    fn cert(sans: Vec<SanType>) -> Vec<u8> {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.subject_alt_names = sans;
        let key = KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    fn uri(s: &str) -> SanType {
        SanType::URI(s.try_into().unwrap())
    }

    fn id(s: &str) -> EndpointId {
        EndpointId::lenient(s).unwrap()
    }

    #[test]
    fn urn_uris_name_endpoint_ids() {
        let der = cert(vec![
            SanType::DnsName("agent.example".try_into().unwrap()),
            uri("urn:bbf:usp:id:os::012345-ABC"),
            uri("https://example.com/"),
            uri("URN:BBF:USP:ID:self::second"),
            SanType::IpAddress("127.0.0.1".parse().unwrap()),
        ]);
        assert_eq!(
            subject_alt_names(&der).unwrap(),
            vec![
                Name::Dns("agent.example"),
                Name::Uri("urn:bbf:usp:id:os::012345-ABC"),
                Name::Uri("https://example.com/"),
                Name::Uri("URN:BBF:USP:ID:self::second"),
            ]
        );
        assert_eq!(
            certificate_endpoint_ids(&der).unwrap(),
            vec![id("os::012345-ABC"), id("self::second")]
        );
        assert!(certificate_matches_endpoint_id(&der, &id("os::012345-ABC")));
        assert!(certificate_matches_endpoint_id(&der, &id("self::second")));
        assert!(!certificate_matches_endpoint_id(
            &der,
            &id("os::012345-ABD")
        ));
        assert!(!certificate_matches_endpoint_id(
            &der,
            &id("os::012345-abc")
        ));
    }

    #[test]
    fn fqdn_endpoint_ids_match_dns_names() {
        let der = cert(vec![SanType::DnsName(
            "Controller.Example.com".try_into().unwrap(),
        )]);
        assert!(certificate_matches_endpoint_id(
            &der,
            &id("fqdn::controller.example.com")
        ));
        assert!(!certificate_matches_endpoint_id(
            &der,
            &id("self::controller.example.com")
        ));
        assert!(certificate_endpoint_ids(&der).unwrap().is_empty());
    }

    #[test]
    fn no_subject_alt_name_and_garbage() {
        let der = cert(vec![]);
        assert!(certificate_endpoint_ids(&der).unwrap().is_empty());
        for bad in [
            &b""[..],
            b"\x30",
            b"\x30\x84\xff\xff\xff\xff",
            b"\x1f\x00",
            b"\x30\x80",
        ] {
            assert_eq!(
                certificate_endpoint_ids(bad).unwrap_err().kind(),
                MtpErrorKind::Tls
            );
            assert!(!certificate_matches_endpoint_id(bad, &id("self::x")));
        }
        // Every truncation of a real certificate is refused or read without panicking.
        let der = cert(vec![uri("urn:bbf:usp:id:self::x")]);
        for n in 0..der.len() {
            let _ = certificate_endpoint_ids(&der[..n]);
        }
    }
}
