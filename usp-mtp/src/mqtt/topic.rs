//! Topic names and filters: the 3.1.1 "reply to" part of a Topic Name (R-MQTT.24,
//! R-MQTT.25), topic filter matching (for R-MQTT.15), shared subscriptions, and validation.
//! Pure functions, no I/O.

use crate::{MtpError, MtpErrorKind};

/// What precedes the "reply to" Topic at the end of an MQTT 3.1.1 Topic Name (R-MQTT.24).
pub const REPLY_TO_MARKER: &str = "/reply-to=";

/// The longest Topic Name or Topic Filter MQTT can carry: a two-byte length prefix.
pub const MAX_TOPIC_LEN: usize = 65_535;

/// The Topic Name an MQTT 3.1.1 Endpoint publishes to: `topic`, then `/reply-to=`, then
/// `reply_to` with every `/` replaced by `%2F` (R-MQTT.24).
///
/// ```
/// use usp_mtp::mqtt::encode_reply_to;
///
/// assert_eq!(
///     encode_reply_to(
///         "usp/agents/cid:3AA3F8:my-unique-usp-id-42",
///         "usp/controllers/oui:00256D:my-unique-bbf-id-42",
///     ),
///     "usp/agents/cid:3AA3F8:my-unique-usp-id-42/reply-to=usp%2Fcontrollers%2Foui:00256D:my-unique-bbf-id-42",
/// );
/// ```
pub fn encode_reply_to(topic: &str, reply_to: &str) -> String {
    let slashes = reply_to.bytes().filter(|b| *b == b'/').count();
    let mut name =
        String::with_capacity(topic.len() + REPLY_TO_MARKER.len() + reply_to.len() + 2 * slashes);
    name.push_str(topic);
    name.push_str(REPLY_TO_MARKER);
    for (i, part) in reply_to.split('/').enumerate() {
        if i > 0 {
            name.push_str("%2F");
        }
        name.push_str(part);
    }
    name
}

/// Splits a received Topic Name into the topic it was published to and the "reply to"
/// Topic: the part after the last `/reply-to=`, with every `%2F` (or `%2f`) turned back
/// into `/` (R-MQTT.25). `None` when there is no `/reply-to=` or nothing after it.
///
/// ```
/// use usp_mtp::mqtt::decode_reply_to;
///
/// assert_eq!(
///     decode_reply_to("usp/agents/a1/reply-to=usp%2Fcontrollers%2Fc1"),
///     Some(("usp/agents/a1", "usp/controllers/c1".to_owned())),
/// );
/// assert_eq!(decode_reply_to("usp/agents/a1"), None);
/// assert_eq!(decode_reply_to("usp/agents/a1/reply-to="), None);
/// ```
pub fn decode_reply_to(topic_name: &str) -> Option<(&str, String)> {
    let at = topic_name.rfind(REPLY_TO_MARKER)?;
    let encoded = &topic_name[at + REPLY_TO_MARKER.len()..];
    if encoded.is_empty() {
        return None;
    }
    let mut reply_to = String::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some(i) = rest.find('%') {
        reply_to.push_str(&rest[..i]);
        let escape = rest.get(i..i + 3);
        if escape.is_some_and(|e| e.eq_ignore_ascii_case("%2F")) {
            reply_to.push('/');
            rest = &rest[i + 3..];
        } else {
            reply_to.push('%');
            rest = &rest[i + 1..];
        }
    }
    reply_to.push_str(rest);
    Some((&topic_name[..at], reply_to))
}

/// Whether the Topic Filter `filter` matches the Topic Name `topic` (MQTT 5.0 section 4.7:
/// `+` matches one level, a final `#` matches any number of levels including none, and
/// filters starting with a wildcard do not match topics starting with `$`).
///
/// A shared subscription (`$share/{group}/{filter}`) is matched with its `{filter}`.
///
/// ```
/// use usp_mtp::mqtt::filter_matches;
///
/// assert!(filter_matches("usp/agents/+", "usp/agents/a1"));
/// assert!(filter_matches("usp/agents/a1/#", "usp/agents/a1"));
/// assert!(filter_matches("usp/agents/a1/#", "usp/agents/a1/reply-to=c"));
/// assert!(!filter_matches("usp/agents/+", "usp/agents/a1/x"));
/// assert!(filter_matches("$share/g/usp/c/#", "usp/c/x"));
/// assert!(!filter_matches("#", "$SYS/broker/uptime"));
/// ```
pub fn filter_matches(filter: &str, topic: &str) -> bool {
    let filter = shared_subscription_filter(filter).map_or(filter, |(_, f)| f);
    if topic.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#')) {
        return false;
    }
    let mut levels = topic.split('/');
    for part in filter.split('/') {
        match part {
            "#" => return true,
            "+" => {
                if levels.next().is_none() {
                    return false;
                }
            }
            exact => {
                if levels.next() != Some(exact) {
                    return false;
                }
            }
        }
    }
    levels.next().is_none()
}

/// For a shared subscription `$share/{group}/{filter}`, the group and the filter.
///
/// ```
/// use usp_mtp::mqtt::shared_subscription_filter;
///
/// assert_eq!(
///     shared_subscription_filter("$share/controllers/usp/controller/#"),
///     Some(("controllers", "usp/controller/#")),
/// );
/// assert_eq!(shared_subscription_filter("usp/controller"), None);
/// ```
pub fn shared_subscription_filter(filter: &str) -> Option<(&str, &str)> {
    let rest = filter.strip_prefix("$share/")?;
    let (group, filter) = rest.split_once('/')?;
    (!group.is_empty() && !filter.is_empty()).then_some((group, filter))
}

/// The Topic Filter of an MQTT 5 shared subscription: `$share/{group}/{filter}`. The Clients
/// that subscribe with the same group and filter share the messages matching `filter`:
/// the broker gives each message to one of them.
///
/// # Errors
///
/// [`MtpErrorKind::Config`] if `group` is empty or has `/`, `+` or `#`, or `filter` is not a
/// valid Topic Filter.
///
/// ```
/// use usp_mtp::mqtt::shared_subscription;
///
/// let filter = shared_subscription("usp-controllers", "usp/controller/#")?;
/// assert_eq!(filter, "$share/usp-controllers/usp/controller/#");
/// assert!(shared_subscription("a/b", "usp/controller").is_err());
/// # Ok::<(), usp_mtp::MtpError>(())
/// ```
pub fn shared_subscription(group: &str, filter: &str) -> Result<String, MtpError> {
    if group.is_empty() || group.contains(['/', '+', '#']) {
        return Err(MtpError::new(
            MtpErrorKind::Config,
            format!("invalid shared subscription group name {group:?}"),
        ));
    }
    check_filter(filter)?;
    let shared = format!("$share/{group}/{filter}");
    check_filter(&shared)?;
    Ok(shared)
}

/// Checks a Topic Name to publish to: not empty, no wildcard, no NUL, at most 65,535 bytes.
pub(crate) fn check_topic(topic: &str) -> Result<(), MtpError> {
    let problem = if topic.is_empty() {
        Some("is empty")
    } else if topic.contains(['+', '#']) {
        Some("has a wildcard")
    } else if topic.contains('\0') {
        Some("has a NUL character")
    } else if topic.len() > MAX_TOPIC_LEN {
        Some("is longer than 65535 bytes")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(MtpError::new(
            MtpErrorKind::InvalidAddress,
            format!("the MQTT topic {:?} {problem}", truncated(topic)),
        )),
        None => Ok(()),
    }
}

/// Checks a Topic Filter to subscribe to: not empty, `#` only as the last level, `+` only as
/// a whole level, no NUL, at most 65,535 bytes; a shared subscription needs a group name and
/// a filter.
pub(crate) fn check_filter(filter: &str) -> Result<(), MtpError> {
    let bad = |why: &str| {
        Err(MtpError::new(
            MtpErrorKind::Config,
            format!("the MQTT topic filter {:?} {why}", truncated(filter)),
        ))
    };
    if filter.is_empty() {
        return bad("is empty");
    }
    if filter.len() > MAX_TOPIC_LEN {
        return bad("is longer than 65535 bytes");
    }
    if filter.contains('\0') {
        return bad("has a NUL character");
    }
    let inner = if filter.starts_with("$share/") {
        match shared_subscription_filter(filter) {
            Some((group, inner)) if !group.contains(['+', '#']) => inner,
            _ => return bad("is not a valid shared subscription ($share/{group}/{filter})"),
        }
    } else {
        filter
    };
    let levels: Vec<&str> = inner.split('/').collect();
    for (i, level) in levels.iter().enumerate() {
        if level.contains('#') && (*level != "#" || i + 1 != levels.len()) {
            return bad("has a '#' that is not the whole last level");
        }
        if level.contains('+') && *level != "+" {
            return bad("has a '+' that is not a whole level");
        }
    }
    Ok(())
}

/// The first 64 characters of a topic, for messages.
fn truncated(topic: &str) -> &str {
    match topic.char_indices().nth(64) {
        Some((i, _)) => &topic[..i],
        None => topic,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn r_mqtt_24_spec_example() {
        let name = encode_reply_to(
            "usp/agents/cid:3AA3F8:my-unique-usp-id-42",
            "usp/controllers/oui:00256D:my-unique-bbf-id-42",
        );
        assert_eq!(
            name,
            "usp/agents/cid:3AA3F8:my-unique-usp-id-42/reply-to=usp%2Fcontrollers%2Foui:00256D:my-unique-bbf-id-42"
        );
    }

    #[test]
    fn r_mqtt_25_uses_the_last_marker_and_decodes_only_2f() {
        let (topic, reply) = decode_reply_to("a/reply-to=x/b/reply-to=c%2fd%2Fe%20f%").unwrap();
        assert_eq!(topic, "a/reply-to=x/b");
        assert_eq!(reply, "c/d/e%20f%");
        // A reply-to topic that itself contains "/reply-to=" survives the round trip.
        let name = encode_reply_to("t", "odd/reply-to=name");
        assert_eq!(
            decode_reply_to(&name).unwrap(),
            ("t", "odd/reply-to=name".into())
        );
        assert_eq!(decode_reply_to("reply-to=x"), None);
        assert_eq!(decode_reply_to(""), None);
    }

    #[test]
    fn filters_match_like_the_mqtt_specification() {
        let cases = [
            ("sport/tennis/player1/#", "sport/tennis/player1", true),
            (
                "sport/tennis/player1/#",
                "sport/tennis/player1/ranking",
                true,
            ),
            (
                "sport/tennis/player1/#",
                "sport/tennis/player1/score/wimbledon",
                true,
            ),
            ("sport/#", "sport", true),
            ("#", "sport/tennis", true),
            ("sport/tennis/+", "sport/tennis/player1", true),
            ("sport/tennis/+", "sport/tennis/player1/ranking", false),
            ("sport/+", "sport", false),
            ("sport/+", "sport/", true),
            ("+/+", "/finance", true),
            ("/+", "/finance", true),
            ("+", "/finance", false),
            ("#", "$SYS/x", false),
            ("+/monitor/Clients", "$SYS/monitor/Clients", false),
            ("$SYS/#", "$SYS/x", true),
            ("a/b", "a/b", true),
            ("a/b", "a/b/c", false),
            ("a/b/c", "a/b", false),
        ];
        for (filter, topic, expected) in cases {
            assert_eq!(
                filter_matches(filter, topic),
                expected,
                "{filter} vs {topic}"
            );
        }
    }

    #[test]
    fn filters_and_topics_are_checked() {
        for good in ["a", "a/+/b", "a/#", "#", "+", "$share/g/a/#", "/", "a//b"] {
            check_filter(good).unwrap();
        }
        for bad in [
            "",
            "a#",
            "a/#/b",
            "a+/b",
            "$share/g",
            "$share//a",
            "$share/g+/a",
            "a\0",
        ] {
            assert_eq!(
                check_filter(bad).unwrap_err().kind(),
                MtpErrorKind::Config,
                "{bad:?}"
            );
        }
        check_topic("usp/agent/a1").unwrap();
        for bad in ["", "a/+", "a/#", "a\0b"] {
            assert_eq!(
                check_topic(bad).unwrap_err().kind(),
                MtpErrorKind::InvalidAddress
            );
        }
        assert!(check_topic(&"a".repeat(MAX_TOPIC_LEN)).is_ok());
        assert!(check_topic(&"a".repeat(MAX_TOPIC_LEN + 1)).is_err());
        assert_eq!(shared_subscription("g", "a/#").unwrap(), "$share/g/a/#");
        assert!(shared_subscription("", "a").is_err());
        assert!(shared_subscription("g", "a/#/b").is_err());
    }

    proptest! {
        /// R-MQTT.24 then R-MQTT.25 gives back the reply-to Topic, for any topic without
        /// "%2F" of its own (the encoding cannot tell those apart).
        #[test]
        fn reply_to_round_trip(
            topic in "[a-z0-9:/=.-]{0,40}",
            reply in "[a-zA-Z0-9:/=%._-]{1,40}",
        ) {
            prop_assume!(!reply.to_ascii_lowercase().contains("%2f"));
            let name = encode_reply_to(&topic, &reply);
            let (t, r) = decode_reply_to(&name).expect("a reply-to");
            prop_assert_eq!(t, topic.as_str());
            prop_assert_eq!(r, reply);
        }

        /// Decoding never panics and never returns more than it was given.
        #[test]
        fn decoding_any_topic_is_total(name in "\\PC{0,80}") {
            if let Some((topic, reply)) = decode_reply_to(&name) {
                prop_assert!(topic.len() + reply.len() <= name.len());
                prop_assert!(!reply.is_empty());
            }
        }

        /// A filter without wildcards matches exactly itself; `<t>/#` matches `<t>` and
        /// everything under it.
        #[test]
        fn plain_filters_match_themselves(topic in "[a-z]{1,5}(/[a-z]{0,5}){0,4}", sub in "[a-z]{1,5}") {
            prop_assert!(filter_matches(&topic, &topic));
            let under = format!("{topic}/{sub}");
            prop_assert!(!filter_matches(&topic, &under));
            let wild = format!("{topic}/#");
            prop_assert!(filter_matches(&wild, &topic));
            prop_assert!(filter_matches(&wild, &under));
        }
    }
}
