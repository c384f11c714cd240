//! Replays the `e2e_session` fuzz corpus (and any crash artifacts), then a deterministic set of
//! generated scripts, through the same checks the fuzzer runs.

use std::path::Path;

#[test]
fn corpus_replays() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut seen = 0;
    for dir in ["corpus/e2e_session", "artifacts/e2e_session"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            eprintln!("replaying {}", path.display());
            usp_e2e::fuzzing::e2e_session(&std::fs::read(&path).unwrap());
            seen += 1;
        }
    }
    assert!(seen >= 25, "only {seen} seeds found");
}

#[test]
fn generated_scripts() {
    let mut state = 0x1234_5678_9abc_def1_u64;
    for _ in 0..2000 {
        let mut script = Vec::new();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        for _ in 0..(state % 400) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            script.push(state as u8);
        }
        usp_e2e::fuzzing::e2e_session(&script);
    }
}
