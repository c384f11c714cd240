//! Replays the fuzz corpus of `stomp_frame_decode` (and any crash the fuzzer left in
//! `fuzz/artifacts`) through the same check the fuzz target runs, so that a plain
//! `cargo test` covers it without nightly features or libFuzzer.

use std::path::{Path, PathBuf};

/// Every file of `dir`, sorted; none when `dir` does not exist and `required` is false.
fn files(dir: &Path, required: bool) -> Vec<PathBuf> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => panic!("cannot read {}: {e}", dir.display()),
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn stomp_frame_decode_corpus() {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let seeds = files(&fuzz.join("corpus/stomp_frame_decode"), true);
    assert!(
        seeds.len() >= 20,
        "expected at least 20 seeds in fuzz/corpus/stomp_frame_decode, found {}",
        seeds.len()
    );
    let artifacts = files(&fuzz.join("artifacts/stomp_frame_decode"), false);
    for path in seeds.iter().chain(&artifacts) {
        let data =
            std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        eprintln!("{}", path.display());
        usp_mtp::stomp::fuzzing::frame_decode(&data);
    }
}
