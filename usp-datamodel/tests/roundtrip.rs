//! Property tests: paths generated from a model of the grammar parse to the structure
//! they were generated from and display back to the exact text; arbitrary and mutated
//! texts go through the fuzz target's checks.

use proptest::prelude::*;
use proptest::sample::select;
use usp_datamodel::{Path, PathKind, RelativePath, Segment};

/// A constant of an Expression Component, as written.
#[derive(Clone, Debug)]
enum Value {
    /// The content between the quotes, with its percent-escapes.
    Quoted(String),
    Bare(String),
}

#[derive(Clone, Debug)]
struct Comp {
    /// Names, each optionally followed by reference following (not the last).
    param: Vec<(String, Option<String>)>,
    ws_before: String,
    op: &'static str,
    ws_after: String,
    value: Value,
}

#[derive(Clone, Debug)]
enum Inst {
    Number(u32),
    Wildcard,
    Expression(Vec<Comp>),
}

#[derive(Clone, Debug)]
enum Step {
    /// `name.`
    Object(String),
    /// `name.inst.`
    Table(String, Inst),
    /// `name<ref>.`
    Reference(String, String),
}

#[derive(Clone, Debug)]
enum End {
    Dot,
    Param(String),
    Command(String),
    Event(String),
    /// `name.inst` without the trailing dot.
    Instance(String, Inst),
}

#[derive(Clone, Debug)]
struct Model {
    root: String,
    steps: Vec<Step>,
    end: End,
}

fn name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_-]{0,8}"
}

fn reference() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("+".to_owned()),
        (1u32..=2000).prop_map(|n| format!("#{n}+")),
        Just("#*+".to_owned()),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        r#"([^"%]|%2[25Cc]|%41){0,10}"#.prop_map(Value::Quoted),
        "[A-Za-z0-9+.:-]{1,12}".prop_map(Value::Bare),
    ]
}

fn comp() -> impl Strategy<Value = Comp> {
    let param = (
        prop::collection::vec((name(), prop::option::of(reference())), 0..3),
        name(),
    )
        .prop_map(|(mut init, last)| {
            init.push((last, None));
            init
        });
    (
        param,
        "[ \t]{0,2}",
        select(&["==", "!=", "~=", "<", ">", "<=", ">="][..]),
        "[ \t]{0,2}",
        value(),
    )
        .prop_map(|(param, ws_before, op, ws_after, value)| Comp {
            param,
            ws_before,
            op,
            ws_after,
            value,
        })
}

fn inst() -> impl Strategy<Value = Inst> {
    prop_oneof![
        (1u32..=u32::MAX).prop_map(Inst::Number),
        Just(Inst::Wildcard),
        prop::collection::vec(comp(), 1..4).prop_map(Inst::Expression),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        name().prop_map(Step::Object),
        (name(), inst()).prop_map(|(n, i)| Step::Table(n, i)),
        (name(), reference()).prop_map(|(n, r)| Step::Reference(n, r)),
    ]
}

fn end() -> impl Strategy<Value = End> {
    prop_oneof![
        Just(End::Dot),
        name().prop_map(End::Param),
        name().prop_map(End::Command),
        name().prop_map(End::Event),
        (name(), inst()).prop_map(|(n, i)| End::Instance(n, i)),
    ]
}

fn model() -> impl Strategy<Value = Model> {
    (name(), prop::collection::vec(step(), 0..6), end()).prop_map(|(root, steps, end)| Model {
        root,
        steps,
        end,
    })
}

impl Inst {
    fn render(&self) -> String {
        match self {
            Self::Number(n) => n.to_string(),
            Self::Wildcard => "*".to_owned(),
            Self::Expression(comps) => {
                let parts: Vec<String> = comps.iter().map(Comp::render).collect();
                format!("[{}]", parts.join("&&"))
            }
        }
    }

    fn is_search(&self) -> bool {
        !matches!(self, Self::Number(_))
    }
}

impl Comp {
    fn render(&self) -> String {
        let mut param = String::new();
        for (i, (name, reference)) in self.param.iter().enumerate() {
            if i > 0 {
                param.push('.');
            }
            param.push_str(name);
            if let Some(r) = reference {
                param.push_str(r);
            }
        }
        let value = match &self.value {
            Value::Quoted(content) => format!("\"{content}\""),
            Value::Bare(literal) => literal.clone(),
        };
        format!(
            "{param}{}{}{}{value}",
            self.ws_before, self.op, self.ws_after
        )
    }
}

impl Model {
    /// The text, and the segments as `Segment`'s `Display` writes them.
    fn render(&self) -> (String, Vec<String>, PathKind, bool) {
        let mut text = format!("{}.", self.root);
        let mut segments = vec![self.root.clone()];
        let mut search = false;
        let table = |text: &mut String, segments: &mut Vec<String>, n: &str, i: &Inst| {
            let rendered = i.render();
            text.push_str(&format!("{n}.{rendered}"));
            segments.push(n.to_owned());
            segments.push(rendered);
            i.is_search()
        };
        for step in &self.steps {
            match step {
                Step::Object(n) => {
                    text.push_str(&format!("{n}."));
                    segments.push(n.clone());
                }
                Step::Table(n, i) => {
                    search |= table(&mut text, &mut segments, n, i);
                    text.push('.');
                }
                Step::Reference(n, r) => {
                    text.push_str(&format!("{n}{r}."));
                    segments.push(n.clone());
                    segments.push(r.clone());
                    search |= r == "#*+";
                }
            }
        }
        let last_is_instance = matches!(self.steps.last(), Some(Step::Table(..)));
        let kind = match &self.end {
            End::Dot if last_is_instance => PathKind::ObjectInstance,
            End::Dot => PathKind::Object,
            End::Param(n) | End::Command(n) | End::Event(n) => {
                let suffix = match &self.end {
                    End::Command(_) => "()",
                    End::Event(_) => "!",
                    _ => "",
                };
                text.push_str(&format!("{n}{suffix}"));
                segments.push(n.clone());
                match &self.end {
                    End::Command(_) => PathKind::Command,
                    End::Event(_) => PathKind::Event,
                    _ => PathKind::Parameter,
                }
            }
            End::Instance(n, i) => {
                search |= table(&mut text, &mut segments, n, i);
                PathKind::ObjectInstance
            }
        };
        (text, segments, kind, search)
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 2000,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// `Display(FromStr(s)) == s`, and the parsed structure is the generated one.
    #[test]
    fn generated_paths_round_trip(model in model()) {
        let (text, segments, kind, search) = model.render();
        let path: Path = text.parse().map_err(|e| {
            TestCaseError::fail(format!("{text:?} rejected: {e}"))
        })?;
        prop_assert_eq!(path.to_string(), text.as_str());
        prop_assert_eq!(path.kind(), kind);
        prop_assert_eq!(path.is_search(), search);
        let shown: Vec<String> = path.segments().map(|s| s.to_string()).collect();
        prop_assert_eq!(&shown, &segments);

        let again: Path = path.to_string().parse().unwrap();
        prop_assert_eq!(&again, &path);
        prop_assert!(again.segments().eq(path.segments()));

        // The canonical form has the same structure, without whitespace.
        let canonical = path.to_canonical();
        prop_assert!(!canonical.has_whitespace());
        prop_assert_eq!(canonical.segments().len(), path.segments().len());
        prop_assert_eq!(canonical.to_string().parse::<Path>().unwrap(), canonical.clone());

        // Every path is also a relative path with the same structure.
        let relative: RelativePath = text.parse().unwrap();
        prop_assert!(relative.segments().eq(path.segments()));

        // Every expression constant decodes.
        for c in path.expressions().flat_map(|e| e.comparisons()) {
            let value = c.constant().value();
            prop_assert!(!value.contains('%') || c.constant().as_written().contains("%25"));
        }

        usp_datamodel::fuzzing::path_parse(text.as_bytes());
    }

    /// A concrete path matches the search paths made from it by replacing instance
    /// numbers with `*`.
    #[test]
    fn wildcards_match_their_instances(
        names in prop::collection::vec(name(), 2..6),
        numbers in prop::collection::vec(1u32..1000, 5),
        wild in prop::collection::vec(any::<bool>(), 5),
    ) {
        let mut concrete = format!("{}.", names[0]);
        let mut search = concrete.clone();
        for (i, n) in names[1..].iter().enumerate() {
            concrete.push_str(&format!("{n}.{}.", numbers[i]));
            let inst = if wild[i] { "*".to_owned() } else { numbers[i].to_string() };
            search.push_str(&format!("{n}.{inst}."));
        }
        let concrete: Path = concrete.parse().unwrap();
        let search: Path = search.parse().unwrap();
        prop_assert!(search.matches(&concrete).is_yes());
        prop_assert!(search.covers(&concrete).is_yes());
        let sdm = concrete.to_supported().unwrap();
        prop_assert!(sdm.matches(&concrete) && sdm.matches(&search));
        if let Some(parent) = concrete.parent() {
            prop_assert!(parent.covers(&concrete).is_yes());
            prop_assert!(!search.matches(&parent).is_yes());
        }
    }

    /// Arbitrary texts over the characters of paths never break the parser's promises.
    #[test]
    fn arbitrary_texts(text in r#"[A-Za-z0-9.*\[\]{}()!#+&=<>~" %_:\t-]{0,48}"#) {
        usp_datamodel::fuzzing::path_parse(text.as_bytes());
    }

    /// Nor do valid paths with one byte changed, inserted or removed.
    #[test]
    fn mutated_paths(
        model in model(),
        at in any::<prop::sample::Index>(),
        byte in select(&b".*[]{}()!#+&=<>~\" %0aZ-\xff"[..]),
        how in 0u8..3,
    ) {
        let (text, ..) = model.render();
        let mut bytes = text.into_bytes();
        let i = at.index(bytes.len() + 1);
        match how {
            0 if i < bytes.len() => bytes[i] = byte,
            1 if i < bytes.len() => { bytes.remove(i); }
            _ => bytes.insert(i, byte),
        }
        usp_datamodel::fuzzing::path_parse(&bytes);
    }
}

#[test]
fn hostile_lengths_are_bounded() {
    let long = format!("Device.{}", "A.".repeat(Path::MAX_LEN / 2));
    let err = long.parse::<Path>().unwrap_err();
    assert_eq!(err.offset(), Path::MAX_LEN);
    let at_limit = format!("Device.{}", "A.".repeat((Path::MAX_LEN - 7) / 2));
    assert!(at_limit.len() <= Path::MAX_LEN);
    let path: Path = at_limit.parse().unwrap();
    assert_eq!(path.segments().len(), (Path::MAX_LEN - 7) / 2 + 1);
    // Many expression components.
    let many = format!("Device.X.[{}A==1].", "A==1&&".repeat(5000));
    let path: Path = many.parse().unwrap();
    assert_eq!(path.expressions().next().unwrap().len(), 5001);
    usp_datamodel::fuzzing::path_parse(many.as_bytes());
    // Segment views of the expression stay cheap.
    assert!(matches!(
        path.segments().nth(2),
        Some(Segment::Expression(_))
    ));
}
