//! Segmentation and reassembly of a 1 MiB Message in Records of at most 4 KiB, through two
//! sessions: throughput (criterion), and the receiver's peak heap use, measured once with a
//! counting allocator and printed before the timings.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use usp_e2e::{Event, SessionConfig, SessionContext};
use usp_record::Record;

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // The system's realloc, as in production (large blocks grow without copying).
        if new_size >= layout.size() {
            let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                - layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const MESSAGE: usize = 1 << 20;
const RECORD: usize = 4096;

fn pair() -> (SessionContext, SessionContext) {
    let mut config = SessionConfig::default();
    config.max_record_size(Some(RECORD)).unwrap();
    let config = Arc::new(config);
    let a: usp_types::EndpointId = "os::00256D-0123456789".parse().unwrap();
    let b: usp_types::EndpointId = "self::controller".parse().unwrap();
    (
        SessionContext::new(a.clone(), b.clone(), config.clone(), 7),
        SessionContext::new(b, a, config, 9),
    )
}

/// Sends `message` from `tx` to `rx`; `wire` puts every Record through its encoding, as an
/// MTP would. Returns the delivered Message.
fn transfer(
    tx: &mut SessionContext,
    rx: &mut SessionContext,
    message: &Bytes,
    wire: bool,
    now: Instant,
) -> Bytes {
    tx.send(now, message.clone()).unwrap();
    while let Some(record) = tx.poll_transmit() {
        let record = if wire {
            Record::decode(record.to_bytes()).unwrap()
        } else {
            record
        };
        rx.handle_record(now, record).unwrap();
    }
    let mut delivered = None;
    while let Some(event) = rx.poll_event() {
        if let Event::Message(m) = event {
            delivered = Some(m);
        }
    }
    // The receiver acknowledges, so the sender's buffer empties between iterations.
    rx.send(now, Bytes::from_static(b"ack")).unwrap();
    while let Some(record) = rx.poll_transmit() {
        tx.handle_record(now, record).unwrap();
    }
    while tx.poll_event().is_some() {}
    delivered.expect("the Message is delivered")
}

fn peak_receiver_memory() {
    #[allow(clippy::disallowed_methods)]
    let now = Instant::now();
    let message = Bytes::from(vec![0x5a_u8; MESSAGE]);
    let (mut tx, mut rx) = pair();
    // Records as they arrive from an MTP: encoded bytes, decoded on the receiving side.
    tx.send(now, message.clone()).unwrap();
    let records: Vec<Bytes> = std::iter::from_fn(|| tx.poll_transmit())
        .map(|r| r.to_bytes())
        .collect();
    drop(tx);
    let count = records.len();
    let wire_bytes: usize = records.iter().map(Bytes::len).sum();
    let mut records = records.into_iter();
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    // Every Record handed over is then owned by the receiver only.
    let mut delivered = None;
    for bytes in records.by_ref() {
        rx.handle_record(now, Record::decode(bytes).unwrap())
            .unwrap();
        while let Some(event) = rx.poll_event() {
            if let Event::Message(m) = event {
                delivered = Some(m);
            }
        }
    }
    let peak = PEAK.load(Ordering::Relaxed) - base;
    assert_eq!(delivered.as_ref().map(Bytes::len), Some(MESSAGE));
    println!(
        "sar: 1 MiB in {count} Records of <= {RECORD} B ({wire_bytes} B on the wire); receiver heap peak {peak} B above the Records handed to it, {:.2}x the Message counting those Records too",
        (wire_bytes + peak) as f64 / MESSAGE as f64
    );
}

fn bench(c: &mut Criterion) {
    peak_receiver_memory();
    #[allow(clippy::disallowed_methods)]
    let now = Instant::now();
    let message = Bytes::from(vec![0x5a_u8; MESSAGE]);
    let mut group = c.benchmark_group("sar-1MiB-in-4KiB-records");
    group.throughput(Throughput::Bytes(MESSAGE as u64));
    group.sample_size(30);
    for (name, wire) in [("sessions", false), ("sessions+encode+decode", true)] {
        let (mut tx, mut rx) = pair();
        group.bench_function(name, |b| {
            b.iter(|| black_box(transfer(&mut tx, &mut rx, &message, wire, now)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
