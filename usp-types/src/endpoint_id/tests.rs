//! Unit tests for `EndpointId`, kept apart because they are long.

use super::*;
use EndpointIdErrorKind as K;
use proptest::prelude::*;
use std::collections::HashSet;

#[track_caller]
fn strict_err(s: &str) -> (EndpointIdErrorKind, usize) {
    let e = EndpointId::new(s).expect_err(s);
    (e.kind(), e.offset())
}

#[track_caller]
fn lenient_err(s: &str) -> (EndpointIdErrorKind, usize) {
    let e = EndpointId::lenient(s).expect_err(s);
    (e.kind(), e.offset())
}

/// Every example of the R-ARC.2a table, plus IDs seen from real implementations.
const SPEC_EXAMPLES: &[(&str, AuthorityScheme, &str, &str)] = &[
    (
        "oui:00256D:my-unique-bbf-id-42",
        AuthorityScheme::Oui,
        "00256D",
        "my-unique-bbf-id-42",
    ),
    (
        "cid:3AA3F8:my-unique-usp-id-42",
        AuthorityScheme::Cid,
        "3AA3F8",
        "my-unique-usp-id-42",
    ),
    (
        "pen:3561:my-unique-bbf-id-42",
        AuthorityScheme::Pen,
        "3561",
        "my-unique-bbf-id-42",
    ),
    (
        "self::my-Agent",
        AuthorityScheme::SelfAssigned,
        "",
        "my-Agent",
    ),
    (
        "os::00256D-0123456789",
        AuthorityScheme::Os,
        "",
        "00256D-0123456789",
    ),
    (
        "ops::00256D-STB-0123456789",
        AuthorityScheme::Ops,
        "",
        "00256D-STB-0123456789",
    ),
    (
        "uuid::f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
        AuthorityScheme::Uuid,
        "",
        "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
    ),
    (
        "imei::990000862471854",
        AuthorityScheme::Imei,
        "",
        "990000862471854",
    ),
    ("proto::my-Agent", AuthorityScheme::Proto, "", "my-Agent"),
    (
        "fqdn::www.example.org",
        AuthorityScheme::Fqdn,
        "",
        "www.example.org",
    ),
    (
        "os::012345-obuspa-peer",
        AuthorityScheme::Os,
        "",
        "012345-obuspa-peer",
    ),
    (
        "self::py-controller",
        AuthorityScheme::SelfAssigned,
        "",
        "py-controller",
    ),
];

#[test]
fn spec_examples_are_strictly_valid() {
    for (s, scheme, auth, inst) in SPEC_EXAMPLES {
        let id = EndpointId::new(*s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(id.as_str(), *s);
        assert_eq!(&id.authority_scheme(), scheme, "{s}");
        assert_eq!(id.scheme_str(), scheme.as_str());
        assert_eq!(id.authority_id(), *auth, "{s}");
        assert_eq!(id.instance_id(), *inst, "{s}");
        assert!(id.is_conformant());
        assert_eq!(id.to_string(), *s);
        assert_eq!(EndpointId::lenient(*s).unwrap(), id);
    }
}

#[test]
fn other_valid_ids() {
    for s in [
        "oui:00256d:x",
        "oui:00256D1:x",
        "oui:00256D123:x",
        "pen:1:x",
        "pen:4294967295:x",
        "self:abc~-_:x",
        "self:ab.c:x",
        "user::x",
        "user:u1:x",
        "doc:A.b:x",
        "proto:abc:x",
        "oui:00256D:a%2Fb%2f",
        "uuid::F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6",
        "imei::9900008624718541",
        "fqdn::a.b",
        "fqdn::xn--bcher-kva.example",
        "os::00256D1-x",
        "ops::00256D-a-b-c",
        "oui:00256D:12345678901234567890123456789012345678901234567890",
    ] {
        EndpointId::new(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    }
}

#[test]
fn invalid_ids_report_kind_and_offset() {
    let long_instance = format!("oui:00256D:{}", "a".repeat(51));
    let cases: &[(&str, EndpointIdErrorKind, usize)] = &[
        ("", K::Empty, 0),
        (&long_instance, K::InstanceIdTooLong, 11 + 50),
        ("oui:00256D:a%2", K::InvalidPercentEncoding, 12),
        ("oui:00256D:a%G0", K::InvalidPercentEncoding, 12),
        ("oui:00256D:%", K::InvalidPercentEncoding, 11),
        ("self::my Agent", K::Whitespace, 8),
        ("self::my\tAgent", K::ControlCharacter, 8),
        ("self::my\u{a0}Agent", K::Whitespace, 8),
        ("self:my-Agent", K::MissingSeparator, 13),
        ("selfmy-Agent", K::MissingSeparator, 12),
        ("oui:00256:x", K::InvalidAuthorityId, 4),
        ("oui:00256D12:x", K::InvalidAuthorityId, 4),
        ("oui:00256G:x", K::InvalidAuthorityId, 9),
        ("oui::x", K::InvalidAuthorityId, 4),
        ("cid:3AA3F:x", K::InvalidAuthorityId, 4),
        ("pen:03561:x", K::InvalidAuthorityId, 4),
        ("pen:35a1:x", K::InvalidAuthorityId, 6),
        ("pen::x", K::InvalidAuthorityId, 4),
        ("pen:4294967296:x", K::InvalidAuthorityId, 4),
        ("os:00256D:00256D-1", K::InvalidAuthorityId, 3),
        ("ops:x:00256D-a-b", K::InvalidAuthorityId, 4),
        (
            "uuid:x:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
            K::InvalidAuthorityId,
            5,
        ),
        ("imei:x:990000862471854", K::InvalidAuthorityId, 5),
        ("fqdn:x:www.example.org", K::InvalidAuthorityId, 5),
        ("self:abcdefg:x", K::InvalidAuthorityId, 11),
        ("self:a/b:x", K::InvalidAuthorityId, 6),
        ("proto:a.b:x", K::InvalidAuthorityId, 7),
        ("foo::x", K::UnknownScheme, 0),
        ("OUI:00256D:x", K::InvalidScheme, 0),
        (":00256D:x", K::InvalidScheme, 0),
        ("self::", K::EmptyInstanceId, 6),
        ("self::a:b", K::InvalidInstanceId, 7),
        ("self::a/b", K::InvalidInstanceId, 7),
        ("self::a~b", K::InvalidInstanceId, 7),
        ("self::a*", K::InvalidInstanceId, 7),
        ("self::é", K::InvalidInstanceId, 6),
        ("os::00256D", K::InvalidInstanceId, 10),
        ("os::00256D-", K::InvalidInstanceId, 11),
        ("os::0025-1", K::InvalidInstanceId, 4),
        ("os::00256X-1", K::InvalidInstanceId, 9),
        ("ops::00256D-STB", K::InvalidInstanceId, 15),
        ("ops::00256D--1", K::InvalidInstanceId, 12),
        ("ops::00256D-STB-", K::InvalidInstanceId, 16),
        (
            "uuid::f81d4fae-7dec-11d0-a765-00a0c91e6bf",
            K::InvalidInstanceId,
            41,
        ),
        (
            "uuid::f81d4fae-7dec-11d0-a765-00a0c91e6bf6a",
            K::InvalidInstanceId,
            42,
        ),
        (
            "uuid::f81d4fae7dec-11d0-a765-00a0c91e6bf6a",
            K::InvalidInstanceId,
            14,
        ),
        (
            "uuid::g81d4fae-7dec-11d0-a765-00a0c91e6bf6",
            K::InvalidInstanceId,
            6,
        ),
        ("imei::99000086247185", K::InvalidInstanceId, 6),
        ("imei::99000086247185412", K::InvalidInstanceId, 6),
        ("imei::99000086247185a", K::InvalidInstanceId, 20),
        ("fqdn::localhost", K::InvalidInstanceId, 6),
        ("fqdn::www.example.org.", K::InvalidInstanceId, 22),
        ("fqdn::www..org", K::InvalidInstanceId, 10),
        ("fqdn::-www.example.org", K::InvalidInstanceId, 6),
        ("fqdn::www-.example.org", K::InvalidInstanceId, 9),
        ("fqdn::www_a.example.org", K::InvalidInstanceId, 9),
        ("fqdn::192.168.1.1", K::InvalidInstanceId, 16),
        ("fqdn::a%2Eb.org", K::InvalidInstanceId, 7),
    ];
    for (s, kind, offset) in cases {
        assert_eq!(strict_err(s), (*kind, *offset), "{s:?}");
    }
}

#[test]
fn too_long_and_error_display() {
    let s = format!("proto::{}", "a".repeat(EndpointId::MAX_LEN));
    assert_eq!(strict_err(&s), (K::TooLong, EndpointId::MAX_LEN));
    assert_eq!(lenient_err(&s), (K::TooLong, EndpointId::MAX_LEN));
    let long_label = format!("fqdn::{}.org", "a".repeat(64));
    assert_eq!(strict_err(&long_label).0, K::InstanceIdTooLong);

    let e = EndpointId::new("oui:00256:x").unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("byte 4"), "{msg}");
    assert!(msg.contains("authority-id"), "{msg}");
    assert!(msg.contains("OUI"), "{msg}");
    let _: &dyn std::error::Error = &e;
}

#[test]
fn lenient_accepts_what_strict_rejects() {
    for (s, scheme, auth, inst) in [
        ("proto::agent:1", "proto", "", "agent:1"),
        ("foo::x", "foo", "", "x"),
        ("oui:bad:a:b:c", "oui", "bad", "a:b:c"),
        ("os:x:é~*", "os", "x", "é~*"),
        ("self::a%zz", "self", "", "a%zz"),
        ("x1:!:#", "x1", "!", "#"),
    ] {
        assert!(EndpointId::new(s).is_err(), "{s}");
        let id = EndpointId::lenient(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(id.scheme_str(), scheme);
        assert_eq!(id.authority_scheme().as_str(), scheme);
        assert_eq!(id.authority_id(), auth);
        assert_eq!(id.instance_id(), inst);
        assert!(!id.is_conformant());
        assert_eq!(
            id.check_conformance().unwrap_err(),
            EndpointId::new(s).unwrap_err()
        );
    }
    let other = EndpointId::lenient("foo::x").unwrap();
    assert_eq!(
        other.authority_scheme(),
        AuthorityScheme::Other("foo".into())
    );
    assert!(!other.authority_scheme().is_known());
    assert!(other.is_for_production());
}

#[test]
fn lenient_rejects_malformed() {
    assert_eq!(lenient_err(""), (K::Empty, 0));
    assert_eq!(lenient_err("abc"), (K::MissingSeparator, 3));
    assert_eq!(lenient_err("abc:def"), (K::MissingSeparator, 7));
    assert_eq!(lenient_err("abc:def:"), (K::EmptyInstanceId, 8));
    assert_eq!(lenient_err("self::a\0b"), (K::ControlCharacter, 7));
    assert_eq!(lenient_err("self::a\x7fb"), (K::ControlCharacter, 7));
    assert_eq!(lenient_err("self::a\u{85}b"), (K::ControlCharacter, 7));
    assert_eq!(lenient_err("self::a\nb"), (K::ControlCharacter, 7));
    assert_eq!(lenient_err("self::a b"), (K::Whitespace, 7));
    assert_eq!(lenient_err("::x"), (K::InvalidScheme, 0));
    assert_eq!(lenient_err("Self::x"), (K::InvalidScheme, 0));
    assert_eq!(lenient_err("se-lf::x"), (K::InvalidScheme, 2));
    assert_eq!(
        lenient_err("abcdefghijklmnopq::x"),
        (K::InvalidScheme, EndpointId::MAX_SCHEME_LEN)
    );
    assert!(EndpointId::lenient("abcdefghijklmnop::x").is_ok());
}

#[test]
fn urn_round_trip() {
    for (s, ..) in SPEC_EXAMPLES {
        let id = EndpointId::new(*s).unwrap();
        let urn = id.to_urn();
        assert_eq!(urn, format!("urn:bbf:usp:id:{s}"));
        assert_eq!(EndpointId::from_urn(&urn).unwrap(), id);
    }
    let id = EndpointId::from_urn("URN:BBF:USP:ID:self::x").unwrap();
    assert_eq!(id, "self::x");
    let e = |s: &str| {
        let e = EndpointId::from_urn(s).unwrap_err();
        (e.kind(), e.offset())
    };
    assert_eq!(e("self::x"), (K::MissingUrnPrefix, 0));
    assert_eq!(e("urn:bbf:usp:self::x"), (K::MissingUrnPrefix, 12));
    assert_eq!(e("urn:bbf:usp:id"), (K::MissingUrnPrefix, 14));
    assert_eq!(e("urné"), (K::MissingUrnPrefix, 3));
    assert_eq!(e("urn:bbf:usp:id:"), (K::Empty, 15));
    assert_eq!(e("urn:bbf:usp:id:oui:00256:x"), (K::InvalidAuthorityId, 19));
    assert_eq!(e("urn:bbf:usp:id:proto::a:b"), (K::InvalidInstanceId, 23));
}

#[test]
fn production_and_reserved() {
    let id = |s: &str| EndpointId::new(s).unwrap();
    assert!(!id("proto::x").is_for_production());
    assert!(!id("doc::x").is_for_production());
    assert!(id("self::x").is_for_production());
    assert!(id("oui:00256D:x").uses_bbf_reserved_authority());
    assert!(id("oui:00256d:x").uses_bbf_reserved_authority());
    assert!(!id("oui:00256E:x").uses_bbf_reserved_authority());
    assert!(!id("oui:00256D1:x").uses_bbf_reserved_authority());
    assert!(id("pen:3561:x").uses_bbf_reserved_authority());
    assert!(!id("pen:35610:x").uses_bbf_reserved_authority());
    assert!(id("os::00256d-1").uses_bbf_reserved_authority());
    assert!(id("ops::00256D-STB-1").uses_bbf_reserved_authority());
    assert!(!id("os::00256D1-1").uses_bbf_reserved_authority());
    assert!(!id("self::00256D-1").uses_bbf_reserved_authority());
    assert!(!id("cid:00256D:x").uses_bbf_reserved_authority());
}

#[test]
fn traits() {
    let a = EndpointId::new("os::00256D-123").unwrap();
    assert_eq!(format!("{a:?}"), r#"EndpointId("os::00256D-123")"#);
    assert_eq!(format!("{a}"), "os::00256D-123");
    let b: EndpointId = "os::00256D-123".parse().unwrap();
    let c = EndpointId::try_from(String::from("os::00256D-124")).unwrap();
    let d = EndpointId::try_from("os::00256D-123").unwrap();
    assert!(EndpointId::try_from("nope").is_err());
    assert_eq!(a, b);
    assert_eq!(a, d);
    assert!(a < c);
    assert_eq!(a, "os::00256D-123");
    assert_eq!(&a, "os::00256D-123");
    assert_eq!(*"os::00256D-123", a);
    assert_eq!("os::00256D-123", a);
    assert_eq!(AsRef::<str>::as_ref(&a), "os::00256D-123");
    let set: HashSet<EndpointId> = [a.clone(), c.clone()].into_iter().collect();
    assert!(set.contains("os::00256D-123"));
    assert!(!set.contains("os::00256D-125"));
    assert_eq!(String::from(a.clone()), "os::00256D-123");
    assert_eq!(&*Arc::<str>::from(a), "os::00256D-123");
    assert_eq!(AuthorityScheme::SelfAssigned.to_string(), "self");
    assert_eq!(AuthorityScheme::KNOWN.len(), 12);
    for s in AuthorityScheme::KNOWN {
        assert_eq!(AuthorityScheme::from_known(s.as_str()).as_ref(), Some(s));
    }
}

fn unreserved_token() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9._-]{1,8}",
        1 => "%[0-9A-Fa-f]{2}",
    ]
}

/// A free-form R-ARC.5 instance-id of 1 to 50 characters.
fn free_instance() -> impl Strategy<Value = String> {
    prop::collection::vec(unreserved_token(), 1..8).prop_map(|tokens| {
        let mut s = String::new();
        for t in tokens {
            if s.len() + t.len() > EndpointId::MAX_INSTANCE_ID_LEN {
                break;
            }
            s.push_str(&t);
        }
        if s.is_empty() { "x".to_owned() } else { s }
    })
}

fn oui() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9A-Fa-f]{6}", "[0-9A-F]{7}", "[0-9A-F]{9}"]
}

fn label() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?"
}

fn valid_id() -> impl Strategy<Value = String> {
    prop_oneof![
        (oui(), free_instance()).prop_map(|(a, i)| format!("oui:{a}:{i}")),
        ("[0-9A-F]{6}", free_instance()).prop_map(|(a, i)| format!("cid:{a}:{i}")),
        (1..=u32::MAX, free_instance()).prop_map(|(a, i)| format!("pen:{a}:{i}")),
        ("[A-Za-z0-9._~-]{0,6}", free_instance()).prop_map(|(a, i)| format!("self:{a}:{i}")),
        ("[A-Za-z0-9._~-]{0,6}", free_instance()).prop_map(|(a, i)| format!("user:{a}:{i}")),
        ("[A-Za-z0-9_~-]{0,6}", free_instance()).prop_map(|(a, i)| format!("proto:{a}:{i}")),
        ("[A-Za-z0-9._~-]{0,6}", free_instance()).prop_map(|(a, i)| format!("doc:{a}:{i}")),
        (oui(), "[A-Za-z0-9._-]{1,30}").prop_map(|(o, s)| format!("os::{o}-{s}")),
        (oui(), "[A-Za-z0-9._]{1,10}", "[A-Za-z0-9._-]{1,20}")
            .prop_map(|(o, p, s)| format!("ops::{o}-{p}-{s}")),
        "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
            .prop_map(|u| format!("uuid::{u}")),
        "[0-9]{15,16}".prop_map(|i| format!("imei::{i}")),
        (prop::collection::vec(label(), 1..4), "[a-z][a-z0-9]{1,5}")
            .prop_map(|(ls, tld)| format!("fqdn::{}.{tld}", ls.join("."))),
    ]
}

proptest! {
    #[test]
    fn valid_ids_round_trip(s in valid_id()) {
        let id = EndpointId::new(s.as_str()).map_err(|e| TestCaseError::fail(format!("{s}: {e}")))?;
        prop_assert_eq!(id.as_str(), s.as_str());
        let again: EndpointId = id.to_string().parse().unwrap();
        prop_assert_eq!(&again, &id);
        prop_assert_eq!(EndpointId::from_urn(&id.to_urn()).unwrap(), id.clone());
        prop_assert_eq!(EndpointId::lenient(s.as_str()).unwrap(), id.clone());
        prop_assert!(id.authority_scheme().is_known());
        prop_assert_eq!(
            format!("{}:{}:{}", id.scheme_str(), id.authority_id(), id.instance_id()),
            s
        );
    }

    #[test]
    fn strict_implies_lenient_and_never_panics(s in "\\PC{0,40}|[a-z]{1,5}:[^:]{0,8}:.{0,60}") {
        let strict = EndpointId::new(s.as_str());
        let lenient = EndpointId::lenient(s.as_str());
        let _ = EndpointId::from_urn(&s);
        if let Ok(id) = &strict {
            prop_assert_eq!(lenient.as_ref().ok(), Some(id));
        }
        if let Ok(id) = &lenient {
            prop_assert_eq!(id.is_conformant(), strict.is_ok());
            prop_assert_eq!(id.to_string(), s.clone());
        }
        if let Err(e) = strict.and(lenient) {
            prop_assert!(e.offset() <= s.len());
        }
    }
}
