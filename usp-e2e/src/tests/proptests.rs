//! Properties: segmentation is lossless, and delivery survives any fault schedule.

use std::time::Duration;

use bytes::Bytes;
use proptest::prelude::*;

use super::pair::{Faults, Pair};
use crate::SessionConfig;

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn segment_then_reassemble_is_identity(
        payload in proptest::collection::vec(any::<u8>(), 1..20_000),
        max in 256usize..4096,
    ) {
        let mut c = SessionConfig::default();
        c.max_record_size(Some(max)).unwrap();
        let mut p = Pair::new(c);
        let payload = Bytes::from(payload);
        p.send_a(payload.clone());
        p.drive();
        prop_assert!(p.a.sent.iter().all(|r| r.encoded_len() <= max));
        prop_assert_eq!(p.b.messages(), vec![payload]);
    }

    #[test]
    fn every_message_arrives_once_in_order_whatever_the_link_does(
        sizes in proptest::collection::vec(1usize..3000, 1..12),
        drop in 0u8..30,
        duplicate in 0u8..30,
        jitter_ms in 0u64..200,
    ) {
        let mut c = SessionConfig::default();
        c.max_record_size(Some(1024)).unwrap()
            .max_retransmit_tries(1000)
            .ack_delay(Some(Duration::from_millis(50)))
            .resend_timeout(Some(Duration::from_millis(500)))
            .session_expiration(None);
        let mut p = Pair::new(c);
        p.faults = Faults { drop, duplicate, jitter_ms, max_size: None };
        let messages: Vec<Bytes> = sizes.iter().enumerate()
            .map(|(i, n)| Bytes::from(vec![i as u8; *n]))
            .collect();
        for m in &messages {
            p.send_a(m.clone());
        }
        p.drive_for(Duration::from_secs(3600));
        prop_assert_eq!(p.b.messages(), messages);
    }
}
