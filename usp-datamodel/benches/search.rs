//! Resolution of a search expression over a table of 10,000 instances.
//!
//! * `search/ordering`: `Device.Host.[Count>9990&&Enable==true].Name` (typed numeric
//!   and boolean comparisons on every row).
//! * `search/string`: `Device.Host.[Name=="host-5000"].Count` (a string search).
//! * `search/reference`: `Device.Host.[Interface+.Name=="eth1"].Name` (reference
//!   following on every row).
//!
//! ```text
//! cargo bench -p usp-datamodel --bench search -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use usp_datamodel::{DataModel, MemoryInstances, ParamType, Path, SupportedModel};

const ROWS: u32 = 10_000;

fn model() -> (SupportedModel, MemoryInstances) {
    let mut b = SupportedModel::builder("Device");
    b.object("Device.Interface.{i}.")
        .unique_key(&["Name"])
        .param("Name", ParamType::string());
    b.object("Device.Host.{i}.")
        .unique_key(&["Name"])
        .param("Name", ParamType::string())
        .param("Count", ParamType::unsigned_int())
        .param("Enable", ParamType::boolean())
        .param("Interface", ParamType::strong_ref("Device.Interface.{i}."));
    let schema = b.build().expect("valid schema");
    let mut data = MemoryInstances::new();
    for name in ["eth0", "eth1"] {
        let n = data.add_instance("Device.Interface.");
        data.set(&format!("Device.Interface.{n}."), "Name", name);
    }
    for i in 0..ROWS {
        let n = data.add_instance("Device.Host.");
        let row = format!("Device.Host.{n}.");
        data.set(&row, "Name", format!("host-{i}"));
        data.set(&row, "Count", i.to_string());
        data.set(&row, "Enable", if i % 2 == 0 { "true" } else { "false" });
        data.set(&row, "Interface", format!("Device.Interface.{}", i % 2 + 1));
    }
    (schema, data)
}

fn search(c: &mut Criterion) {
    let (schema, data) = model();
    let dm = DataModel::new(&schema, &data);
    let mut group = c.benchmark_group("search");
    for (name, path, expected) in [
        ("ordering", "Device.Host.[Count>9990&&Enable==true].Name", 4),
        ("string", "Device.Host.[Name==\"host-5000\"].Count", 1),
        (
            "reference",
            "Device.Host.[Interface+.Name==\"eth1\"].Name",
            5000,
        ),
    ] {
        let path: Path = path.parse().expect("valid path");
        assert_eq!(dm.resolve(&path).expect("resolves").len(), expected);
        group.bench_function(name, |b| b.iter(|| dm.resolve(black_box(&path))));
    }
    group.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
