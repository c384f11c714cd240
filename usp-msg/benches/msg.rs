//! Message decode and encode against rusp-lib, in the same run, on the same bytes.
//!
//! Cases: a GetResp with 100 parameters over 10 resolved paths, the Boot! Notify captured
//! from obuspa, and a Set with 20 parameters. Before timing, both libraries must decode the
//! same content and our encoding must give back the input bytes.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

mod cases;

fn bench(c: &mut Criterion) {
    for (name, wire) in &cases::all() {
        // Like with like: both decode the same bytes, ours re-encodes them byte for byte,
        // and rusp's encoding (its map order and empty-value handling differ) reads back
        // with ours as the same Message.
        let ours = usp_msg::Msg::decode(wire).unwrap();
        assert_eq!(&ours.encode_to_vec(), wire, "{name}");
        let theirs = rusp_lib::usp_decoder::try_decode_msg(wire).unwrap();
        let rusp_wire = theirs.to_vec().unwrap();
        let back = usp_msg::Msg::decode(&rusp_wire).unwrap();
        assert_eq!(
            (back.msg_id(), back.msg_type()),
            (ours.msg_id(), ours.msg_type()),
            "{name}"
        );

        let mut group = c.benchmark_group(format!("decode/{name}"));
        group.throughput(Throughput::Bytes(wire.len() as u64));
        group.bench_function(BenchmarkId::from_parameter("usp-msg"), |b| {
            b.iter(|| usp_msg::Msg::decode(black_box(wire)).unwrap())
        });
        group.bench_function(BenchmarkId::from_parameter("rusp-lib"), |b| {
            b.iter(|| rusp_lib::usp_decoder::try_decode_msg(black_box(wire)).unwrap())
        });
        group.finish();

        let mut group = c.benchmark_group(format!("encode/{name}"));
        group.throughput(Throughput::Bytes(wire.len() as u64));
        group.bench_function(BenchmarkId::from_parameter("usp-msg"), |b| {
            b.iter(|| black_box(&ours).encode_to_vec())
        });
        group.bench_function(BenchmarkId::from_parameter("rusp-lib"), |b| {
            b.iter(|| black_box(&theirs).to_vec().unwrap())
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
