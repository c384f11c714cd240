//! Replays the fuzz corpus of `msg_decode` (and any crash the fuzzer left in
//! `fuzz/artifacts`) through the same check the fuzz target runs, so that a plain
//! `cargo test` covers it without nightly features or libFuzzer.

use std::path::{Path, PathBuf};

use usp_msg::Msg;

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

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

#[test]
fn msg_decode_corpus() {
    let fuzz = fuzz_dir();
    let seeds = files(&fuzz.join("corpus/msg_decode"), true);
    assert!(
        seeds.len() >= 35,
        "expected at least 35 seeds in fuzz/corpus/msg_decode, found {}",
        seeds.len()
    );
    let artifacts = files(&fuzz.join("artifacts/msg_decode"), false);

    for path in seeds.iter().chain(&artifacts) {
        let data =
            std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        // `--nocapture` shows what each input is.
        match Msg::decode(&data) {
            Ok(msg) => eprintln!("{}: {msg:#}", path.display()),
            Err(e) => eprintln!("{}: {e}", path.display()),
        }
        usp_msg::fuzzing::msg_decode(&data);
    }
}

#[test]
fn the_corpus_holds_every_obuspa_message_and_every_kind_of_message() {
    let seeds = files(&fuzz_dir().join("corpus/msg_decode"), true);
    let mut kinds = std::collections::BTreeSet::new();
    let mut obuspa = 0;
    for path in &seeds {
        let data = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        if name.starts_with(|c: char| c.is_ascii_digit()) || name.starts_with("e2e-") {
            obuspa += 1;
            Msg::decode(&data).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        if let Ok(msg) = Msg::decode(&data) {
            kinds.insert(msg.msg_type());
        }
    }
    assert_eq!(obuspa, 19, "the 19 Messages of fixtures/obuspa-sample");
    let missing: Vec<_> = usp_msg::MsgType::ALL
        .iter()
        .filter(|t| !kinds.contains(t))
        .collect();
    assert!(missing.is_empty(), "no seed decodes to {missing:?}");
}
