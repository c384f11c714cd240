//! Which MQTT version the Endpoint behind a topic speaks, so that a client serves 3.1.1 and
//! 5 peers at once: declared in the configuration, or learned (bounded) from what peers send.

use std::collections::{HashMap, VecDeque};

use usp_record::MqttVersion;

/// Topics longer than this are not remembered (it bounds the memory to about
/// `capacity` KiB).
const MAX_REMEMBERED_TOPIC: usize = 1024;

/// Peer versions by topic: declared ones, and at most `capacity` learned ones, the oldest
/// forgotten first.
#[derive(Debug)]
pub(crate) struct PeerVersions {
    declared: HashMap<String, MqttVersion>,
    learned: HashMap<String, MqttVersion>,
    order: VecDeque<String>,
    capacity: usize,
}

impl PeerVersions {
    pub(crate) fn new(declared: &[(String, MqttVersion)], capacity: usize) -> Self {
        Self {
            declared: declared.iter().cloned().collect(),
            learned: HashMap::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    /// The version of the peer at `topic`, if known.
    pub(crate) fn get(&self, topic: &str) -> Option<MqttVersion> {
        self.declared
            .get(topic)
            .or_else(|| self.learned.get(topic))
            .copied()
    }

    /// Remembers what a peer showed (declared versions are not overridden).
    pub(crate) fn learn(&mut self, topic: String, version: MqttVersion) {
        if self.capacity == 0
            || topic.len() > MAX_REMEMBERED_TOPIC
            || self.declared.contains_key(&topic)
        {
            return;
        }
        if let Some(known) = self.learned.get_mut(&topic) {
            *known = version;
            return;
        }
        while self.learned.len() >= self.capacity {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.learned.remove(&oldest);
        }
        self.order.push_back(topic.clone());
        self.learned.insert(topic, version);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learned_versions_are_bounded_and_declared_ones_win() {
        let mut p = PeerVersions::new(&[("fixed".into(), MqttVersion::V5)], 2);
        p.learn("fixed".into(), MqttVersion::V3_1_1);
        assert_eq!(p.get("fixed"), Some(MqttVersion::V5));
        p.learn("a".into(), MqttVersion::V3_1_1);
        p.learn("b".into(), MqttVersion::V5);
        p.learn("a".into(), MqttVersion::V5); // an update, not a new entry
        assert_eq!(p.get("a"), Some(MqttVersion::V5));
        p.learn("c".into(), MqttVersion::V3_1_1); // forgets the oldest, "a"
        assert_eq!(p.get("a"), None);
        assert_eq!(p.get("b"), Some(MqttVersion::V5));
        assert_eq!(p.get("c"), Some(MqttVersion::V3_1_1));
        p.learn("x".repeat(MAX_REMEMBERED_TOPIC + 1), MqttVersion::V5);
        assert_eq!(p.get(&"x".repeat(MAX_REMEMBERED_TOPIC + 1)), None);
        let mut none = PeerVersions::new(&[], 0);
        none.learn("a".into(), MqttVersion::V5);
        assert_eq!(none.get("a"), None);
    }
}
