//! What a client does after a CONNACK, decided without I/O: its "reply to" Topic
//! (R-MQTT.21), the Topic Filters of its SUBSCRIBE (R-MQTT.15, R-MQTT.16) and the ClientId to
//! keep (R-MQTT.9, R-MQTT.11).

use usp_record::MqttVersion;

use super::properties::ConnAckInfo;
use super::topic::{REPLY_TO_MARKER, check_filter, check_topic, filter_matches};
use super::{MqttConfig, MqttQos};
use crate::{MtpError, MtpErrorKind};

/// The outcome of a CONNACK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Where peers reply: put in every PUBLISH (R-MQTT.22).
    pub(crate) reply_to: String,
    /// Every Topic Filter of the SUBSCRIBE, in order, without duplicates.
    pub(crate) filters: Vec<(String, MqttQos)>,
    /// The ClientId for this and every later connection.
    pub(crate) client_id: String,
}

/// Decides the [`Plan`] of a connection of `version` whose CONNACK said `connack`, for a
/// client that connected with `client_id`.
///
/// - Filters: the configured ones, then (MQTT 5) each `subscribe-topic` of the CONNACK
///   (R-MQTT.15 bullets 1 and 2).
/// - "Reply to" Topic: the Response Information of an MQTT 5 CONNACK (R-MQTT.21), else the
///   configured one, else the first subscribed Topic Filter that is a plain topic (no
///   wildcard, not shared).
/// - The reply-to Topic is added to the filters unless one of them, not a shared
///   subscription (a shared one gives the broker the choice of the receiving client), covers
///   it: exactly, or as `<topic>/#` for MQTT 3.1.1 or
///   [`accept_mqtt311_peers`](MqttConfig::accept_mqtt311_peers) (R-MQTT.15 bullets 3 and
///   4).
///
/// # Errors
///
/// [`MtpErrorKind::Config`] when nothing can be subscribed (R-MQTT.16: the MTP is then
/// disabled), when there is no "reply to" Topic at all (R-MQTT.22 cannot be met), or when
/// the broker's values are not valid topics.
pub(crate) fn plan(
    config: &MqttConfig,
    connack: &ConnAckInfo,
    client_id: &str,
) -> Result<Plan, MtpError> {
    let v5 = config.version == MqttVersion::V5;
    let mut filters: Vec<(String, MqttQos)> = Vec::new();
    let mut add = |filter: &str, qos: MqttQos| {
        if !filters.iter().any(|(f, _)| f == filter) {
            filters.push((filter.to_owned(), qos));
        }
    };
    for (filter, qos) in &config.subscriptions {
        add(filter, *qos);
    }
    if v5 {
        for filter in &connack.subscribe_topics {
            check_filter(filter).map_err(|e| broker_error("subscribe-topic", &e))?;
            add(filter, config.qos);
        }
    }
    let response_information = connack
        .response_information
        .as_deref()
        .filter(|r| v5 && !r.is_empty());
    if let Some(info) = response_information {
        check_topic(info).map_err(|e| broker_error("Response Information", &e))?;
    }
    let reply_to = response_information
        .or(config.reply_to.as_deref())
        .or_else(|| {
            filters.iter().map(|(f, _)| f.as_str()).find(|f| {
                !f.starts_with("$share/") && !f.contains(['+', '#']) && check_topic(f).is_ok()
            })
        })
        .map(str::to_owned);
    let Some(reply_to) = reply_to else {
        let why = if filters.is_empty() {
            "no Topic to subscribe to: no configured subscription, no subscribe-topic and no \
             Response Information in the CONNACK, no reply-to Topic (R-MQTT.16)"
        } else {
            "no \"reply to\" Topic: no Response Information in the CONNACK, none configured, \
             and every subscription is a Topic Filter with wildcards (R-MQTT.22)"
        };
        return Err(MtpError::new(MtpErrorKind::Config, why));
    };
    let topic_suffix = !v5 || config.accept_mqtt311_peers;
    let with_suffix = format!("{reply_to}{REPLY_TO_MARKER}x");
    let covered = filters.iter().any(|(f, _)| {
        !f.starts_with("$share/")
            && filter_matches(f, &reply_to)
            && (!topic_suffix || filter_matches(f, &with_suffix))
    });
    if !covered {
        let filter = if topic_suffix {
            format!("{reply_to}/#")
        } else {
            reply_to.clone()
        };
        filters.push((filter, config.qos));
    }
    let client_id = match &connack.assigned_client_id {
        Some(assigned) if v5 && !assigned.is_empty() => assigned.clone(),
        _ => client_id.to_owned(),
    };
    Ok(Plan {
        reply_to,
        filters,
        client_id,
    })
}

fn broker_error(what: &str, e: &MtpError) -> MtpError {
    MtpError::new(
        MtpErrorKind::Protocol,
        format!("the broker's {what} is unusable: {e}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(version: MqttVersion) -> MqttConfig {
        MqttConfig::new("os::012345-A".parse().unwrap(), "h", 1).version(version)
    }

    fn connack() -> ConnAckInfo {
        ConnAckInfo::default()
    }

    fn filters(plan: &Plan) -> Vec<&str> {
        plan.filters.iter().map(|(f, _)| f.as_str()).collect()
    }

    #[test]
    fn r_mqtt_21_response_information_is_the_reply_to_topic_and_is_subscribed() {
        let c = config(MqttVersion::V5).reply_to_topic("configured/topic");
        let ack = ConnAckInfo {
            response_information: Some("broker/given/agent-1".into()),
            ..connack()
        };
        let p = plan(&c, &ack, "").unwrap();
        assert_eq!(p.reply_to, "broker/given/agent-1");
        // R-MQTT.15 bullet 3: not covered by any filter, so it is subscribed (exactly, MQTT 5).
        assert_eq!(filters(&p), ["broker/given/agent-1"]);
    }

    #[test]
    fn r_mqtt_15_subscribe_topic_properties_are_subscribed_and_can_cover_the_reply_to() {
        let c = config(MqttVersion::V5).subscribe("configured/#", MqttQos::AtMostOnce);
        let ack = ConnAckInfo {
            response_information: Some("usp/agent/a1".into()),
            subscribe_topics: vec!["usp/agent/+".into(), "configured/#".into()],
            ..connack()
        };
        let p = plan(&c, &ack, "").unwrap();
        assert_eq!(p.reply_to, "usp/agent/a1");
        // usp/agent/+ covers the Response Information: nothing added; duplicates dropped.
        assert_eq!(filters(&p), ["configured/#", "usp/agent/+"]);
        assert_eq!(p.filters[0].1, MqttQos::AtMostOnce);
        assert_eq!(p.filters[1].1, MqttQos::AtLeastOnce);
    }

    #[test]
    fn a_3_1_1_client_ignores_v5_properties_and_subscribes_with_a_wildcard() {
        let c = config(MqttVersion::V3_1_1).reply_to_topic("usp/agent/a1");
        let ack = ConnAckInfo {
            response_information: Some("ignored".into()),
            subscribe_topics: vec!["ignored/too".into()],
            assigned_client_id: Some("ignored-id".into()),
            ..connack()
        };
        let p = plan(&c, &ack, "os::012345-A").unwrap();
        assert_eq!(p.reply_to, "usp/agent/a1");
        assert_eq!(filters(&p), ["usp/agent/a1/#"]);
        assert_eq!(p.client_id, "os::012345-A");
    }

    #[test]
    fn r_mqtt_15_an_exact_filter_does_not_cover_3_1_1_topics_and_shared_ones_never_cover() {
        let c = config(MqttVersion::V5)
            .reply_to_topic("usp/c")
            .subscribe("usp/c", MqttQos::AtLeastOnce)
            .accept_mqtt311_peers(true);
        assert_eq!(
            filters(&plan(&c, &connack(), "").unwrap()),
            ["usp/c", "usp/c/#"]
        );
        let c = config(MqttVersion::V5)
            .reply_to_topic("usp/c")
            .subscribe("$share/g/usp/c", MqttQos::AtLeastOnce);
        assert_eq!(
            filters(&plan(&c, &connack(), "").unwrap()),
            ["$share/g/usp/c", "usp/c"]
        );
        let c = config(MqttVersion::V5)
            .reply_to_topic("usp/c")
            .subscribe("usp/c", MqttQos::AtLeastOnce);
        assert_eq!(filters(&plan(&c, &connack(), "").unwrap()), ["usp/c"]);
    }

    #[test]
    fn without_a_reply_to_the_first_plain_filter_serves() {
        let c = config(MqttVersion::V5)
            .subscribe("$share/g/usp/c", MqttQos::AtLeastOnce)
            .subscribe("usp/+/x", MqttQos::AtLeastOnce)
            .subscribe("usp/plain", MqttQos::AtLeastOnce);
        let p = plan(&c, &connack(), "").unwrap();
        assert_eq!(p.reply_to, "usp/plain");
        assert_eq!(filters(&p).len(), 3);
    }

    #[test]
    fn r_mqtt_16_nothing_to_subscribe_disables_the_mtp() {
        let e = plan(&config(MqttVersion::V5), &connack(), "").unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Config);
        assert!(e.to_string().contains("R-MQTT.16"), "{e}");
        let wild_only = config(MqttVersion::V5).subscribe("usp/+", MqttQos::AtLeastOnce);
        let e = plan(&wild_only, &connack(), "").unwrap_err();
        assert!(e.to_string().contains("R-MQTT.22"), "{e}");
        let bad = ConnAckInfo {
            subscribe_topics: vec!["a/#/b".into()],
            ..connack()
        };
        let e = plan(&config(MqttVersion::V5), &bad, "").unwrap_err();
        assert_eq!(e.kind(), MtpErrorKind::Protocol);
    }

    #[test]
    fn r_mqtt_9_an_assigned_client_identifier_is_kept() {
        let c = config(MqttVersion::V5).reply_to_topic("t");
        let ack = ConnAckInfo {
            assigned_client_id: Some("auto-1234".into()),
            ..connack()
        };
        assert_eq!(plan(&c, &ack, "").unwrap().client_id, "auto-1234");
        // R-MQTT.11: without an assignment the ClientId used stays.
        assert_eq!(
            plan(&c, &connack(), "auto-1234").unwrap().client_id,
            "auto-1234"
        );
    }
}
