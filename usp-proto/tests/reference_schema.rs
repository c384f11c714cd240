//! Our `.proto` files must describe exactly the wire schema of the Broadband Forum's USP 1.5
//! files: same packages, messages, nesting, field names, numbers, types, labels, oneofs, map
//! entries and enum values. Comments, order and layout may differ.
//!
//! The reference files live outside the repository (`../shared/reference/proto/v1.5`). When
//! they are absent the test prints why and passes, except in CI (`CI` set), where it fails.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorSet};

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/proto/v1.5")
}

/// A flat, comparable description of a schema: one line per fact, keyed by full name.
fn flatten(set: &FileDescriptorSet) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for file in &set.file {
        let package = file.package();
        out.insert(
            format!("file {package}"),
            format!("syntax={}", file.syntax()),
        );
        for message in &file.message_type {
            flatten_message(&mut out, package, message);
        }
        for e in &file.enum_type {
            flatten_enum(&mut out, package, e);
        }
        assert!(file.service.is_empty(), "no services expected");
    }
    out
}

fn flatten_message(out: &mut BTreeMap<String, String>, scope: &str, m: &DescriptorProto) {
    let name = format!("{scope}.{}", m.name());
    let map_entry = m
        .options
        .as_ref()
        .and_then(|o| o.map_entry)
        .unwrap_or(false);
    let oneofs: Vec<&str> = m.oneof_decl.iter().map(|o| o.name()).collect();
    out.insert(
        format!("message {name}"),
        format!(
            "map_entry={map_entry} oneofs={oneofs:?} ext={}",
            m.extension.len()
        ),
    );
    for f in &m.field {
        let oneof = f.oneof_index.map(|i| oneofs[i as usize]);
        out.insert(
            format!("field {name}.{}", f.name()),
            format!(
                "number={} label={:?} type={:?} type_name={} oneof={oneof:?} proto3_optional={:?} json_name={:?} default={:?} packed={:?}",
                f.number(),
                f.label(),
                f.r#type(),
                f.type_name(),
                f.proto3_optional,
                f.json_name(),
                f.default_value,
                f.options.as_ref().and_then(|o| o.packed),
            ),
        );
    }
    for nested in &m.nested_type {
        flatten_message(out, &name, nested);
    }
    for e in &m.enum_type {
        flatten_enum(out, &name, e);
    }
}

fn flatten_enum(out: &mut BTreeMap<String, String>, scope: &str, e: &EnumDescriptorProto) {
    let name = format!("{scope}.{}", e.name());
    out.insert(format!("enum {name}"), String::new());
    for v in &e.value {
        out.insert(format!("value {name}.{}", v.name()), v.number().to_string());
    }
}

fn compile(dir: &Path, files: &[&str]) -> FileDescriptorSet {
    protox::compile(files, [dir]).unwrap_or_else(|e| panic!("compiling {files:?}: {e}"))
}

#[test]
fn schema_matches_bbf_usp_1_5() {
    let reference = reference_dir();
    if !reference.join("usp-msg-1-5.proto").exists() {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
        assert!(
            !ci,
            "reference schema missing at {} (CI must have ../shared beside the checkout)",
            reference.display()
        );
        eprintln!(
            "SKIPPED schema_matches_bbf_usp_1_5: no reference schema at {}",
            reference.display()
        );
        return;
    }
    let theirs = flatten(&compile(
        &reference,
        &["usp-msg-1-5.proto", "usp-record-1-5.proto"],
    ));
    let ours = flatten(&compile(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("proto"),
        &["usp-msg.proto", "usp-record.proto"],
    ));

    let mut report = String::new();
    for (key, value) in &theirs {
        match ours.get(key) {
            None => writeln!(report, "missing in ours: {key} ({value})").unwrap(),
            Some(v) if v != value => {
                writeln!(report, "differs: {key}\n  ours:   {v}\n  theirs: {value}").unwrap();
            }
            Some(_) => {}
        }
    }
    for key in ours.keys().filter(|k| !theirs.contains_key(*k)) {
        writeln!(report, "extra in ours: {key}").unwrap();
    }
    assert!(
        report.is_empty(),
        "schema differs from BBF USP 1.5:\n{report}"
    );
    // Guard against a comparison that compares nothing.
    assert!(theirs.keys().filter(|k| k.starts_with("field ")).count() > 200);
}

#[test]
fn record_adds_originator_and_destination_in_1_5() {
    let ours = flatten(&compile(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("proto"),
        &["usp-record.proto"],
    ));
    assert!(ours["field usp_record.Record.originator_id"].starts_with("number=14 "));
    assert!(ours["field usp_record.Record.destination_id"].starts_with("number=15 "));
}
