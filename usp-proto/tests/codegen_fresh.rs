//! The committed generated code must equal what prost-build makes from `proto/` today.
//!
//! Outside CI the test rewrites stale files (and still fails, so the change is noticed); with
//! `CI` set it only compares.

use std::path::{Path, PathBuf};

fn generate(out: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fds = protox::compile(["usp-msg.proto", "usp-record.proto"], [root.join("proto")])
        .expect("our .proto files compile");
    let mut config = prost_build::Config::new();
    config.bytes(["."]).out_dir(out);
    config.compile_fds(fds).expect("prost-build generates code");
}

#[test]
fn generated_code_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = std::env::temp_dir().join(format!("usp-proto-codegen-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    generate(&tmp);

    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    let mut stale = Vec::new();
    for name in ["usp.rs", "usp_record.rs"] {
        let fresh = std::fs::read_to_string(tmp.join(name)).unwrap();
        let committed: PathBuf = root.join("src/generated").join(name);
        let old = std::fs::read_to_string(&committed).unwrap_or_default();
        if old != fresh {
            stale.push(name);
            if !in_ci {
                std::fs::write(&committed, &fresh).unwrap();
            }
        }
    }
    std::fs::remove_dir_all(&tmp).ok();
    assert!(
        stale.is_empty(),
        "generated code in usp-proto/src/generated is stale: {stale:?}{}",
        if in_ci {
            ""
        } else {
            " (rewritten now: review and commit the change)"
        }
    );
}
