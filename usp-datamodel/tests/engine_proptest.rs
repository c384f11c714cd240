//! Resolution agrees with a naive reference resolver on random small models.
//!
//! The model is `Device.T.{i}.` (`A` unsignedInt, `B` string, `R` strong reference to
//! `Device.U.{i}.`, child table `Sub.{i}.` with `C` unsignedInt) and `Device.U.{i}.`
//! (`N` unsignedInt). The reference resolver does not parse anything: it walks the
//! random rows as plain vectors and applies each selector as a Rust predicate.

use std::collections::BTreeSet;

use proptest::prelude::*;
use usp_datamodel::{
    DataModel, DataType, MemoryInstances, ParamType, Path, ResolveErrorKind, SupportedModel, Target,
};

#[derive(Clone, Debug)]
struct Row {
    a: u32,
    b: &'static str,
    r: u32,
    sub: Vec<u32>,
}

#[derive(Clone, Debug)]
struct Data {
    rows: Vec<Row>,
    /// `N` of `Device.U.1.`, `Device.U.2.`, ...
    us: Vec<u32>,
}

#[derive(Clone, Debug)]
enum Sel {
    All,
    Number(u32),
    AEq(u32),
    AGt(u32),
    BEq(&'static str),
    ALtAndBNe(u32, &'static str),
    RefNEq(u32),
}

#[derive(Clone, Debug)]
enum Tail {
    A,
    Object,
    SubAll,
    SubGe(u32),
    RefN,
}

fn data() -> impl Strategy<Value = Data> {
    let row = (
        0u32..4,
        prop::sample::select(vec!["x", "y"]),
        1u32..5,
        prop::collection::vec(0u32..4, 0..3),
    )
        .prop_map(|(a, b, r, sub)| Row { a, b, r, sub });
    (
        prop::collection::vec(row, 0..5),
        prop::collection::vec(0u32..4, 0..4),
    )
        .prop_map(|(rows, us)| Data { rows, us })
}

fn sel() -> impl Strategy<Value = Sel> {
    prop_oneof![
        Just(Sel::All),
        (1u32..6).prop_map(Sel::Number),
        (0u32..4).prop_map(Sel::AEq),
        (0u32..4).prop_map(Sel::AGt),
        prop::sample::select(vec!["x", "y"]).prop_map(Sel::BEq),
        (0u32..4, prop::sample::select(vec!["x", "y"])).prop_map(|(a, b)| Sel::ALtAndBNe(a, b)),
        (0u32..4).prop_map(Sel::RefNEq),
    ]
}

fn tail() -> impl Strategy<Value = Tail> {
    prop_oneof![
        Just(Tail::A),
        Just(Tail::Object),
        Just(Tail::SubAll),
        (0u32..4).prop_map(Tail::SubGe),
        Just(Tail::RefN),
    ]
}

fn render(sel: &Sel, tail: &Tail) -> String {
    let sel = match sel {
        Sel::All => "*".to_owned(),
        Sel::Number(n) => n.to_string(),
        Sel::AEq(k) => format!("[A=={k}]"),
        Sel::AGt(k) => format!("[A>{k}]"),
        Sel::BEq(b) => format!("[B==\"{b}\"]"),
        Sel::ALtAndBNe(k, b) => format!("[A<{k}&&B!=\"{b}\"]"),
        Sel::RefNEq(k) => format!("[R+.N=={k}]"),
    };
    let tail = match tail {
        Tail::A => "A".to_owned(),
        Tail::Object => String::new(),
        Tail::SubAll => "Sub.*.C".to_owned(),
        Tail::SubGe(k) => format!("Sub.[C>={k}].C"),
        Tail::RefN => "R+.N".to_owned(),
    };
    format!("Device.T.{sel}.{tail}")
}

fn build(data: &Data) -> (SupportedModel, MemoryInstances) {
    let mut b = SupportedModel::builder("Device");
    b.object("Device.U.{i}.")
        .param("N", ParamType::new(DataType::UnsignedInt));
    b.object("Device.T.{i}.")
        .param("A", ParamType::unsigned_int())
        .param("B", ParamType::string())
        .param("R", ParamType::strong_ref("Device.U.{i}."));
    b.object("Device.T.{i}.Sub.{i}.")
        .param("C", ParamType::unsigned_int());
    let schema = b.build().unwrap();
    let mut d = MemoryInstances::new();
    for n in &data.us {
        let i = d.add_instance("Device.U.");
        d.set(&format!("Device.U.{i}."), "N", n.to_string());
    }
    for row in &data.rows {
        let i = d.add_instance("Device.T.");
        let t = format!("Device.T.{i}.");
        d.set(&t, "A", row.a.to_string());
        d.set(&t, "B", row.b);
        d.set(&t, "R", format!("Device.U.{}", row.r));
        for c in &row.sub {
            let j = d.add_instance(&format!("{t}Sub."));
            d.set(&format!("{t}Sub.{j}."), "C", c.to_string());
        }
    }
    (schema, d)
}

/// The reference resolver.
fn naive(data: &Data, sel: &Sel, tail: &Tail) -> BTreeSet<String> {
    let u_n = |r: u32| data.us.get(r as usize - 1).copied();
    let mut out = BTreeSet::new();
    for (index, row) in data.rows.iter().enumerate() {
        let i = index as u32 + 1;
        let keep = match sel {
            Sel::All => true,
            Sel::Number(n) => *n == i,
            Sel::AEq(k) => row.a == *k,
            Sel::AGt(k) => row.a > *k,
            Sel::BEq(b) => row.b == *b,
            Sel::ALtAndBNe(k, b) => row.a < *k && row.b != *b,
            Sel::RefNEq(k) => u_n(row.r) == Some(*k),
        };
        if !keep {
            continue;
        }
        let t = format!("Device.T.{i}.");
        match tail {
            Tail::A => {
                out.insert(format!("{t}A"));
            }
            Tail::Object => {
                out.insert(t);
            }
            Tail::SubAll | Tail::SubGe(_) => {
                for (j, c) in row.sub.iter().enumerate() {
                    let min = if let Tail::SubGe(k) = tail { *k } else { 0 };
                    if *c >= min {
                        out.insert(format!("{t}Sub.{}.C", j + 1));
                    }
                }
            }
            Tail::RefN => {
                if u_n(row.r).is_some() {
                    out.insert(format!("Device.U.{}.N", row.r));
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn resolution_agrees_with_naive(data in data(), sel in sel(), tail in tail()) {
        let (schema, instances) = build(&data);
        let model = DataModel::new(&schema, &instances);
        let text = render(&sel, &tail);
        let path: Path = text.parse().unwrap();
        let got: BTreeSet<String> = match model.resolve(&path) {
            Ok(targets) => targets.iter().map(Target::path).collect(),
            // A path that addresses (without searching) something missing.
            Err(e) if *e.kind() == ResolveErrorKind::NoSuchInstance => BTreeSet::new(),
            Err(e) => panic!("{text}: {e}"),
        };
        prop_assert_eq!(got, naive(&data, &sel, &tail), "{}", text);
    }
}
