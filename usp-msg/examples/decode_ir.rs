//! Instructions per decode and per encode, usp-msg against rusp-lib on the same bytes,
//! counted by callgrind: unlike wall-clock time, the counts are the same from run to run.
//!
//! ```text
//! cargo run --release -p usp-msg --example decode_ir             # every case
//! cargo run --release -p usp-msg --example decode_ir -- set-20   # the cases whose name has "set-20"
//! ```
//!
//! The cases are those of `cargo bench -p usp-msg` (`benches/cases/mod.rs`): a GetResp of 100
//! parameters over 10 resolved paths, the Boot! Notify captured from obuspa, a Set of 20
//! parameters. For each case, operation and library, the program runs itself under
//! `valgrind --tool=callgrind`, collecting only inside the loop that repeats the operation
//! [`ITERATIONS`] times, and divides. A decode is measured with the drop of its result, like
//! criterion's `iter` does: each library decodes into its own typed form (ours borrows the
//! input's strings, rusp-lib copies each into a `String`). The callgrind files are kept, for
//! `callgrind_annotate`, in the directory the program prints. Valgrind must be installed.
//!
//! Building with `CARGO_PROFILE_RELEASE_DEBUG=true` gives `callgrind_annotate` source lines.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

#[path = "../benches/cases/mod.rs"]
mod cases;

/// How many times the measured loop repeats the operation.
const ITERATIONS: u64 = 1000;

/// The libraries compared, as named on the command line of the measured child.
const LIBS: [&str; 2] = ["usp-msg", "rusp-lib"];

/// The operations measured. `decode+read` is a decode followed by reading every entry of
/// every map (usp-msg splits a map into keys and values as it is read), and is measured
/// for usp-msg only: it is compared with rusp-lib's `decode`, which builds its maps.
const OPS: [&str; 3] = ["decode", "decode+read", "encode"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--child") => child(&args[1..]),
        filter => parent(filter.unwrap_or("")),
    }
}

/// The loop callgrind collects in (`--toggle-collect`): everything else, building the
/// input, checking it and warming up, is left out of the count.
#[inline(never)]
fn measured_loop(op: &str, lib: &str, wire: &[u8], iterations: u64) {
    repeat(op, lib, wire, iterations);
}

/// Repeats one operation of one library.
#[inline(never)]
fn repeat(op: &str, lib: &str, wire: &[u8], iterations: u64) {
    match (op, lib) {
        ("decode", "usp-msg") => {
            for _ in 0..iterations {
                drop(black_box(usp_msg::Msg::decode(black_box(wire)).unwrap()));
            }
        }
        ("decode+read", "usp-msg") => {
            for _ in 0..iterations {
                let msg = usp_msg::Msg::decode(black_box(wire)).unwrap();
                black_box(read_maps(&msg));
                drop(black_box(msg));
            }
        }
        ("decode" | "decode+read", "rusp-lib") => {
            for _ in 0..iterations {
                drop(black_box(
                    rusp_lib::usp_decoder::try_decode_msg(black_box(wire)).unwrap(),
                ));
            }
        }
        ("encode", "usp-msg") => {
            let msg = usp_msg::Msg::decode(wire).unwrap();
            for _ in 0..iterations {
                drop(black_box(black_box(&msg).encode_to_vec()));
            }
        }
        ("encode", "rusp-lib") => {
            let msg = rusp_lib::usp_decoder::try_decode_msg(wire).unwrap();
            for _ in 0..iterations {
                drop(black_box(black_box(&msg).to_vec().unwrap()));
            }
        }
        other => panic!("unknown operation or library {other:?}"),
    }
}

/// Reads every entry of the maps of the Messages the cases hold (Event arguments, GetResp
/// parameters); returns the total length of keys and values.
fn read_maps(msg: &usp_msg::Msg<'_>) -> usize {
    use usp_msg::{Body, Request, Response};
    let entries = |p: &usp_msg::Params<'_>| p.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
    match msg.body() {
        Body::Request(Request::Notify(n)) => n.as_event().map_or(0, |e| entries(&e.params)),
        Body::Response(Response::GetResp(r)) => r
            .req_path_results
            .iter()
            .flat_map(|r| &r.resolved_path_results)
            .map(|r| entries(&r.result_params))
            .sum(),
        _ => 0,
    }
}

/// Runs one operation of one library on one case: `--child <op> <lib> <case>`.
fn child(args: &[String]) -> ExitCode {
    let [op, lib, case] = args else {
        eprintln!("usage: decode_ir --child <op> <lib> <case>");
        return ExitCode::FAILURE;
    };
    let Some(wire) = cases::by_name(case) else {
        eprintln!("no case {case}");
        return ExitCode::FAILURE;
    };
    // The allocator's state depends on what ran before; the same number of operations
    // before the measured ones brings it to the steady state they keep.
    repeat(op, lib, &wire, ITERATIONS);
    measured_loop(op, lib, &wire, ITERATIONS);
    ExitCode::SUCCESS
}

/// Checks that both libraries read the case alike, as the criterion benchmark does.
fn check(name: &str, wire: &[u8]) {
    let ours = usp_msg::Msg::decode(wire).unwrap();
    assert_eq!(
        ours.encode_to_vec(),
        wire,
        "{name}: ours re-encodes differently"
    );
    let theirs = rusp_lib::usp_decoder::try_decode_msg(wire).unwrap();
    let back_wire = theirs.to_vec().unwrap();
    let back = usp_msg::Msg::decode(&back_wire).unwrap();
    // rusp-lib writes map entries in its HashMap's order; everything else must be equal.
    assert_eq!(back.msg_id(), ours.msg_id(), "{name}");
    assert_eq!(back.msg_type(), ours.msg_type(), "{name}");
    assert_eq!(back.encoded_len(), ours.encoded_len(), "{name}");
}

/// Runs every selected measurement under callgrind and prints the table.
fn parent(filter: &str) -> ExitCode {
    let exe = std::env::current_exe().expect("path of this program");
    let out_dir = std::env::temp_dir().join("usp-msg-decode-ir");
    std::fs::create_dir_all(&out_dir).expect("output directory");
    println!(
        "{:<14} {:<7} {:>12} {:>12} {:>8}",
        "case", "op", "usp-msg Ir", "rusp-lib Ir", "ratio"
    );
    for (name, wire) in cases::all() {
        if !name.contains(filter) {
            continue;
        }
        check(name, &wire);
        for op in OPS {
            let mut counts = [0u64; LIBS.len()];
            for (count, lib) in counts.iter_mut().zip(LIBS) {
                let out = out_dir.join(format!("callgrind.{op}.{name}.{lib}.out"));
                match callgrind(&exe, op, lib, name, &out) {
                    Ok(total) => *count = total / ITERATIONS,
                    Err(e) => {
                        eprintln!("{op} {name} {lib}: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            }
            let [ours, theirs] = counts;
            println!(
                "{name:<14} {op:<7} {ours:>12} {theirs:>12} {:>7.2}x",
                theirs as f64 / ours.max(1) as f64
            );
        }
    }
    println!(
        "instructions per operation ({ITERATIONS} runs each); callgrind files in {}",
        out_dir.display()
    );
    ExitCode::SUCCESS
}

/// Runs the child under callgrind and returns the instructions counted in the loop.
fn callgrind(exe: &Path, op: &str, lib: &str, case: &str, out: &PathBuf) -> Result<u64, String> {
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg("--toggle-collect=*measured_loop*")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg("--quiet")
        .arg(exe)
        .args(["--child", op, lib, case])
        .status()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    if !status.success() {
        return Err(format!("valgrind exited with {status}"));
    }
    let text = std::fs::read_to_string(out).map_err(|e| format!("{}: {e}", out.display()))?;
    // `summary:` (or `totals:`) holds the collected event counts; Ir is the first event.
    text.lines()
        .find_map(|line| {
            line.strip_prefix("summary:")
                .or_else(|| line.strip_prefix("totals:"))
        })
        .and_then(|counts| counts.split_whitespace().next())
        .and_then(|ir| ir.parse().ok())
        .ok_or_else(|| format!("no instruction count in {}", out.display()))
}
