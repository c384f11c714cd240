//! Every valid and invalid example of the path sections of the TR-369 architecture chapter
//! ("Path Names" to "BNF Diagrams for Supported Data Model"), each under the heading that
//! gives it, plus the paths the TP-469 test plan uses (section 1, "Messages and Path
//! Names").
//!
//! `corpus_holds_every_spec_example` checks that each of them is also a seed of the
//! `path_parse` fuzz target.

use std::collections::BTreeSet;
use std::path::PathBuf;

use usp_datamodel::{
    CommandPath, DataType, EventPath, Expected, InstanceNumber, Match, ObjectInstancePath,
    ObjectPath, Operator, ParamPath, Path, PathErrorKind, PathKind, ReferenceIndex, RelativePath,
    SearchPath, Segment, SupportedPath,
};

/// Parses a path the specification gives as valid, checks the round trip and its kind.
fn valid(text: &str, kind: PathKind) -> Path {
    let path: Path = text
        .parse()
        .unwrap_or_else(|e| panic!("{text:?} must be valid: {e}"));
    assert_eq!(path.to_string(), text, "round trip of {text:?}");
    assert_eq!(path.kind(), kind, "kind of {text:?}");
    path
}

/// Parses a path the specification gives as invalid; checks the error and its offset.
fn invalid(text: &str, kind: PathErrorKind, offset: usize) {
    let err = text
        .parse::<Path>()
        .expect_err(&format!("{text:?} must be rejected"));
    assert_eq!(
        (err.kind(), err.offset()),
        (kind, offset),
        "{text:?}: {err}"
    );
    assert_eq!(err.code(), usp_types::ErrorCode::INVALID_PATH_SYNTAX);
}

/// The single comparison of the single expression of `path`.
fn only_comparison(path: &Path) -> usp_datamodel::Comparison<'_> {
    let mut exprs = path.expressions();
    let expr = exprs.next().expect("an expression");
    assert!(exprs.next().is_none());
    let mut comps = expr.comparisons();
    let c = comps.next().expect("a comparison");
    assert!(comps.next().is_none());
    c
}

// ---- "Path Names" ------------------------------------------------------------------

/// "the following Path Name uses Unique Key Addressing for the Interface table but a
/// Search Expression for the IPv4Address table".
#[test]
fn path_names_mixed_addressing() {
    let path = valid(
        r#"Device.IP.Interface.[Name=="eth0"].IPv4Address.[Status=="Enabled"].IPAddress"#,
        PathKind::Parameter,
    );
    assert!(path.is_search() && !path.has_wildcard());
    let exprs: Vec<_> = path.expressions().collect();
    assert!(exprs[0].addresses_unique_key(&["Name"]));
    assert!(!exprs[1].addresses_unique_key(&["IPAddress"]));
    assert!(ParamPath::parse(path.as_str()).is_ok());
    assert!(SearchPath::parse(path.as_str()).is_ok());
}

/// The six kinds, as listed in "Path Names", with the examples of the other sections.
#[test]
fn path_names_six_kinds() {
    let obj = ObjectPath::parse("Device.IP.Interface.").unwrap();
    assert_eq!(obj.name(), Some("Interface"));
    let row = ObjectInstancePath::parse("Device.WiFi.Radio.1.").unwrap();
    assert!(row.is_concrete());
    let param = ParamPath::parse("Device.IP.Interface.1.Name").unwrap();
    assert_eq!(param.param_name(), "Name");
    let cmd = CommandPath::parse(r#"Device.IP.Interface.[Name=="eth0"].Reset()"#).unwrap();
    assert_eq!(cmd.command_name(), "Reset");
    let event = EventPath::parse("Device.Boot!").unwrap();
    assert_eq!(event.event_name(), "Boot");
    let search = SearchPath::parse("Device.IP.Interface.*.Type").unwrap();
    assert_eq!(search.kind(), PathKind::Parameter);
}

// ---- "Relative Paths" ----------------------------------------------------------------

#[test]
fn relative_paths() {
    let base = valid("Device.WiFi.Radio.1.", PathKind::ObjectInstance);
    for (rel, kind) in [
        ("Status", PathKind::Parameter),
        ("SupportedStandards", PathKind::Parameter),
        ("OperatingStandards", PathKind::Parameter),
        ("Stats.BytesSent", PathKind::Parameter),
        ("Stats.BytesReceived", PathKind::Parameter),
    ] {
        let relative: RelativePath = rel.parse().unwrap();
        assert_eq!(relative.kind(), kind);
        assert_eq!(relative.to_string(), rel);
        let joined = base.join(&relative).unwrap();
        assert_eq!(joined, format!("Device.WiFi.Radio.1.{rel}").as_str());
        assert_eq!(joined.strip_prefix(&base).unwrap(), relative);
    }
    // "This Relative Path may include instance identifiers".
    let rel: RelativePath = "IPv4Address.1.IPAddress".parse().unwrap();
    assert_eq!(
        rel.segments().nth(1),
        Some(Segment::Instance(InstanceNumber::ONE))
    );
    // A Relative Path is relative: it cannot start with a `.` or an instance.
    assert!(".Status".parse::<RelativePath>().is_err());
    assert!("1.Status".parse::<RelativePath>().is_err());
    // Joining needs a base that ends with `.`.
    let param = valid("Device.WiFi.Radio.1.Status", PathKind::Parameter);
    let err = param.join(&"Stats".parse().unwrap()).unwrap_err();
    assert_eq!(err.kind(), PathErrorKind::NotPartialPath);
}

// ---- "Addressing by Instance Number" ---------------------------------------------------

#[test]
fn addressing_by_instance_number() {
    // "would be addressed with the following Path Name: `Device.IP.Interface.3`".
    let path = valid("Device.IP.Interface.3", PathKind::ObjectInstance);
    assert!(!path.ends_with_dot());
    assert!(path.is_concrete());
    assert_eq!(
        path.segments().next_back(),
        Some(Segment::Instance(InstanceNumber::new(3).unwrap()))
    );
    // "a positive integer (>=1) with no additional surrounding characters".
    invalid("Device.IP.Interface.0.", PathErrorKind::ZeroNumber, 20);
    invalid("Device.IP.Interface.03.", PathErrorKind::LeadingZero, 20);
    invalid(
        "Device.IP.Interface.+3.",
        unexpected('+', INSTANCE_OR_NAME),
        20,
    );
    invalid(
        "Device.IP.Interface.-3.",
        unexpected('-', INSTANCE_OR_NAME),
        20,
    );
    invalid(
        "Device.IP.Interface.(3).",
        unexpected('(', INSTANCE_OR_NAME),
        20,
    );
    invalid("Device.IP.Interface.3a.", unexpected('a', DOT_OR_END), 21);
    invalid(
        "Device.IP.Interface.4294967296.",
        PathErrorKind::NumberTooLarge,
        20,
    );
    valid("Device.IP.Interface.4294967295.", PathKind::ObjectInstance);
}

const INSTANCE_OR_NAME: Expected = Expected::NAME
    .union(Expected::END)
    .union(Expected::INSTANCE_NUMBER)
    .union(Expected::WILDCARD)
    .union(Expected::EXPRESSION);
const DOT_OR_END: Expected = Expected::DOT.union(Expected::END);

fn unexpected(found: char, expected: Expected) -> PathErrorKind {
    PathErrorKind::UnexpectedChar { found, expected }
}

// ---- "Addressing by Unique Key" -----------------------------------------------------

#[test]
fn addressing_by_unique_key() {
    for (text, key, value) in [
        (r#"Device.IP.Interface.[Name=="eth0"]"#, "Name", "eth0"),
        (r#"Device.IP.Interface.[Alias=="WAN"]"#, "Alias", "WAN"),
    ] {
        let path = valid(text, PathKind::ObjectInstance);
        assert!(!path.ends_with_dot());
        let c = only_comparison(&path);
        assert_eq!((c.parameter(), c.operator()), (key, Operator::Eq));
        assert_eq!(c.constant().value(), value);
        assert!(
            path.expressions()
                .next()
                .unwrap()
                .addresses_unique_key(&[key])
        );
        assert!(c.check_type(DataType::String, false).is_ok());
    }

    // The multi-parameter key of Device.NAT.PortMapping; "the Parameter order is not
    // significant", and omitting one makes it a search.
    let path = valid(
        r#"Device.NAT.PortMapping.[RemoteHost==""&&ExternalPort==0&&Protocol=="TCP"]."#,
        PathKind::ObjectInstance,
    );
    let expr = path.expressions().next().unwrap();
    assert!(expr.addresses_unique_key(&["Protocol", "RemoteHost", "ExternalPort"]));
    let partial = valid(
        r#"Device.NAT.PortMapping.[RemoteHost==""&&Protocol=="TCP"]."#,
        PathKind::ObjectInstance,
    );
    let expr = partial.expressions().next().unwrap();
    assert!(!expr.addresses_unique_key(&["RemoteHost", "ExternalPort", "Protocol"]));
    let types = [DataType::String, DataType::UnsignedInt, DataType::String];
    for (c, ty) in path.expressions().next().unwrap().comparisons().zip(types) {
        assert!(c.check_type(ty, false).is_ok(), "{c:?}");
    }
    let empty = path
        .expressions()
        .next()
        .unwrap()
        .comparisons()
        .next()
        .unwrap();
    assert_eq!(empty.constant().value(), "");
}

// ---- "Searching with Expressions" ----------------------------------------------------

/// The "basic format" templates are not paths as written (`<expression>` is a
/// placeholder); filled in, they are.
#[test]
fn search_templates() {
    for template in [
        "Device.IP.Interface.[<expression>].Status",
        "Device.IP.Interface.[<expression component>&&<expression component>].Status",
        "Device.IP.Interface.[<expression parameter><expression operator><expression constant>].Status",
    ] {
        invalid(template, unexpected('<', Expected::NAME), 21);
    }
    valid(
        r#"Device.IP.Interface.[Type=="Normal"&&Enable==true].Status"#,
        PathKind::Parameter,
    );
}

/// "An example of an Expression with whitespace would be `[Type == "Normal"]` (which would
/// be `[Type=="Normal"]` without whitespace)"; R-ARC.9a.
#[test]
fn search_whitespace_r_arc_9a() {
    let spaced = valid(
        r#"Device.IP.Interface.[Type == "Normal"].Status"#,
        PathKind::Parameter,
    );
    let tight = valid(
        r#"Device.IP.Interface.[Type=="Normal"].Status"#,
        PathKind::Parameter,
    );
    assert!(spaced.has_whitespace() && !tight.has_whitespace());
    assert_ne!(spaced, tight);
    assert_eq!(spaced.to_canonical(), tight);
    assert_eq!(only_comparison(&spaced).constant().value(), "Normal");
    assert_eq!(only_comparison(&spaced).parameter(), "Type");
    // Every operator, tabs too.
    for op in ["==", "!=", "~=", "<", ">", "<=", ">="] {
        let text = format!("Device.X.[A \t{op}  5].");
        let path = valid(&text, PathKind::ObjectInstance);
        assert_eq!(only_comparison(&path).operator().as_str(), op);
        assert_eq!(path.to_canonical(), format!("Device.X.[A{op}5].").as_str());
    }
    // Only around Expression Operators (decision: not around `&&`, not in the brackets).
    invalid(
        "Device.X.[A==1 && B==2].",
        unexpected(' ', Expected::AND | Expected::CLOSE_BRACKET),
        14,
    );
    invalid("Device.X.[ A==1].", unexpected(' ', Expected::NAME), 10);
    invalid(
        "Device.X.[A==1 ].",
        unexpected(' ', Expected::AND | Expected::CLOSE_BRACKET),
        14,
    );
    invalid("Device.X .Y", unexpected(' ', ALL_AFTER_NAME), 8);
}

const ALL_AFTER_NAME: Expected = Expected::DOT
    .union(Expected::COMMAND)
    .union(Expected::EVENT)
    .union(Expected::REFERENCE)
    .union(Expected::END);

/// "quote characters can be percent-escaped as %22 (double quote). Therefore, a literal
/// percent character has to be quoted as %25."
#[test]
fn search_string_escapes() {
    let path = valid(
        r#"Device.X.[Name=="say %22hi%22 at 100%25"]."#,
        PathKind::ObjectInstance,
    );
    assert_eq!(
        only_comparison(&path).constant().value(),
        "say \"hi\" at 100%"
    );
    invalid(
        r#"Device.X.[Name=="100%"]."#,
        PathErrorKind::InvalidEscape,
        20,
    );
    invalid(
        r#"Device.X.[Name=="100%2"]."#,
        PathErrorKind::InvalidEscape,
        20,
    );
    invalid(
        r#"Device.X.[Name=="%FF"]."#,
        PathErrorKind::InvalidEscape,
        17,
    );
    // A raw quote ends the string.
    invalid(
        r#"Device.X.[Name=="a"b"]."#,
        unexpected('b', Expected::AND | Expected::CLOSE_BRACKET),
        19,
    );
    invalid(
        r#"Device.X.[Name=="abc]."#,
        PathErrorKind::UnterminatedString,
        16,
    );
    // Anything else, `]`, `&&` and `.` included, is literal.
    let path = valid(r#"Device.X.[Name=="a]&&b.c"].Y"#, PathKind::Parameter);
    assert_eq!(only_comparison(&path).constant().value(), "a]&&b.c");
}

/// "*Valid Searches:*", in order, with the TR-181 types of their parameters.
#[test]
fn valid_searches() {
    /// The type of each comparison's parameter, and whether it is a list.
    type Types = &'static [(DataType, bool)];
    let cases: [(&str, PathKind, Types); 9] = [
        (
            r#"Device.IP.Interface.[Type=="Normal"].Status"#,
            PathKind::Parameter,
            &[(DataType::String, false)],
        ),
        (
            r#"Device.IP.Interface.[Type=="Normal"].IPv4Address.[AddressingType=="Static"].IPAddress"#,
            PathKind::Parameter,
            &[(DataType::String, false), (DataType::String, false)],
        ),
        (
            r#"Device.IP.Interface.[Type=="Normal"&&Stats.ErrorsSent>0].IPv4Address.[AddressingType=="Static"].IPAddress"#,
            PathKind::Parameter,
            &[
                (DataType::String, false),
                (DataType::UnsignedLong, false),
                (DataType::String, false),
            ],
        ),
        (
            "Device.DSL.Line.[Enable==true].CurrentProfile",
            PathKind::Parameter,
            &[(DataType::Boolean, false)],
        ),
        (
            "Device.DSL.Line.[Enable==1].CurrentProfile",
            PathKind::Parameter,
            &[(DataType::Boolean, false)],
        ),
        (
            "Device.IP.Interface.*.IPv6Address.[ValidLifetime<2021-06-06T08:00:00Z].IPAddress",
            PathKind::Parameter,
            &[(DataType::DateTime, false)],
        ),
        (
            // DeviceClass is hexBinary(1): 08 is the class 0x08.
            "Device.USB.USBHosts.Host.*.Device.[DeviceClass==08].",
            PathKind::ObjectInstance,
            &[(DataType::HexBinary, false)],
        ),
        (
            // Capabilities is a list of strings.
            r#"Device.PCP.Client.*.Server.[Capabilities~="IPv6Firewall"]."#,
            PathKind::ObjectInstance,
            &[(DataType::String, true)],
        ),
        (
            // SampleSeconds is a list of unsignedInt.
            "Device.PeriodicStatistics.SampleSet.[SampleSeconds~=5].",
            PathKind::ObjectInstance,
            &[(DataType::UnsignedInt, true)],
        ),
    ];
    for (text, kind, types) in cases {
        let path = valid(text, kind);
        assert!(path.is_search(), "{text}");
        let comparisons: Vec<_> = path.expressions().flat_map(|e| e.comparisons()).collect();
        assert_eq!(comparisons.len(), types.len(), "{text}");
        for (c, &(ty, list)) in comparisons.iter().zip(types) {
            assert!(c.check_type(ty, list).is_ok(), "{text}: {c:?} as {ty}");
        }
    }

    // Details the examples show.
    let path: Path = "Device.IP.Interface.[Type==\"Normal\"&&Stats.ErrorsSent>0]."
        .parse()
        .unwrap();
    let c = path
        .expressions()
        .next()
        .unwrap()
        .comparisons()
        .nth(1)
        .unwrap();
    assert_eq!(
        c.parameter_segments().collect::<Vec<_>>(),
        [Segment::Name("Stats"), Segment::Name("ErrorsSent")]
    );
    assert_eq!(
        (c.operator(), c.constant().as_u64()),
        (Operator::Gt, Some(0))
    );
    let one: Path = "Device.DSL.Line.[Enable==1].CurrentProfile"
        .parse()
        .unwrap();
    let true_: Path = "Device.DSL.Line.[Enable==true].CurrentProfile"
        .parse()
        .unwrap();
    assert_eq!(
        only_comparison(&one).constant().as_bool(),
        only_comparison(&true_).constant().as_bool()
    );
}

/// "*Searches that are NOT VALID:*", in order.
#[test]
fn invalid_searches() {
    // "Invalid because the Expression is empty".
    invalid(
        "Device.IP.Interface.[].",
        PathErrorKind::EmptyExpression,
        20,
    );

    // "Invalid because the Expression Component has an Expression Parameter that descends
    // into a child table": the offset is that of the `*`.
    let text =
        r#"Device.IP.Interface.[Type=="Normal"&&IPv4Address.*.AddressingType=="Static"].Status"#;
    invalid(
        text,
        PathErrorKind::TableInExpression,
        text.find('*').unwrap(),
    );
    invalid(
        r#"Device.IP.Interface.[IPv4Address.1.AddressingType=="Static"].Status"#,
        PathErrorKind::TableInExpression,
        33,
    );
    invalid(
        r#"Device.IP.Interface.[IPv4Address.[Enable==true].AddressingType=="Static"].Status"#,
        PathErrorKind::TableInExpression,
        33,
    );

    // "Invalid because the search expression uses curly brackets".
    invalid(
        r#"Device.IP.Interface.{Type=="Normal"}.Status"#,
        PathErrorKind::CurlyBrackets,
        20,
    );

    // "Invalid because the `Enable` Parameter is of type `boolean` and not a `string`": the
    // syntax is fine, the type check rejects it.
    let text = r#"Device.DSL.Line.[Enable=="true"].CurrentProfile"#;
    let path = valid(text, PathKind::Parameter);
    let err = only_comparison(&path)
        .check_type(DataType::Boolean, false)
        .unwrap_err();
    assert_eq!(err.kind(), PathErrorKind::ConstantType);
    assert_eq!(err.offset(), text.find("\"true\"").unwrap());
    assert_eq!(err.code(), usp_types::ErrorCode::INVALID_PATH_SYNTAX);
}

/// "For string and boolean types, and also the Unknown Time dateTime value, only the '=='
/// and '!=' operators are valid"; "The '~=' operator is only valid for comma-separated
/// lists".
#[test]
fn operator_type_rules() {
    let check = |text: &str, ty, list| {
        let path: Path = text.parse().unwrap();
        only_comparison(&path)
            .check_type(ty, list)
            .map_err(|e| (e.kind(), e.offset()))
    };
    let op = PathErrorKind::OperatorNotAllowed;
    assert_eq!(
        check(r#"Device.X.[Name<"b"]."#, DataType::String, false),
        Err((op, 14))
    );
    assert_eq!(
        check("Device.X.[Enable>=false].", DataType::Boolean, false),
        Err((op, 16))
    );
    assert_eq!(
        check(
            "Device.X.[LastChange>0001-01-01T00:00:00Z].",
            DataType::DateTime,
            false
        ),
        Err((op, 20))
    );
    assert_eq!(
        check("Device.X.[Count~=5].", DataType::UnsignedInt, false),
        Err((op, 15))
    );
    // "For example, for a list of integers, the Expression Constant must also be an
    // integer."
    assert_eq!(
        check(r#"Device.X.[Counts~="5"]."#, DataType::Int, true),
        Err((PathErrorKind::ConstantType, 18))
    );
    // "int values 123, +123 and 0123 all represent the same value".
    for constant in ["123", "+123", "0123"] {
        let text = format!("Device.X.[Count=={constant}].");
        assert_eq!(check(&text, DataType::Int, false), Ok(()));
        let path: Path = text.parse().unwrap();
        assert_eq!(only_comparison(&path).constant().as_i64(), Some(123));
    }
}

// ---- "Searching by Wildcard" ---------------------------------------------------------

#[test]
fn searching_by_wildcard() {
    let all = valid("Device.IP.Interface.*.", PathKind::ObjectInstance);
    assert!(all.has_wildcard() && all.is_search());
    let types = valid("Device.IP.Interface.*.Type", PathKind::Parameter);
    assert!(types.has_wildcard());
    let one: Path = "Device.IP.Interface.3.Type".parse().unwrap();
    assert_eq!(types.matches(&one), Match::Yes);
    assert_eq!(all.covers(&one), Match::Yes);
    invalid("Device.IP.Interface.**.", unexpected('*', DOT_OR_END), 21);
    invalid(
        "Device.*.",
        unexpected('*', Expected::NAME | Expected::END),
        7,
    );
}

// ---- "Reference Following" -----------------------------------------------------------

#[test]
fn reference_following() {
    let sdm: SupportedPath = "Device.NAT.PortMapping.{i}.Interface".parse().unwrap();
    assert_eq!(sdm.kind(), PathKind::Parameter);
    let sdm: SupportedPath = "Device.IP.Interface.{i}.".parse().unwrap();
    assert_eq!(sdm.kind(), PathKind::ObjectInstance);

    let path = valid(
        "Device.NAT.PortMapping.1.Interface+.Name",
        PathKind::Parameter,
    );
    assert!(path.has_reference() && !path.is_search() && !path.is_concrete());
    assert_eq!(
        path.segments().collect::<Vec<_>>(),
        [
            Segment::Name("Device"),
            Segment::Name("NAT"),
            Segment::Name("PortMapping"),
            Segment::Instance(InstanceNumber::ONE),
            Segment::Name("Interface"),
            Segment::Reference(ReferenceIndex::First),
            Segment::Name("Name"),
        ]
    );
    // It "is the equivalent of using `Device.IP.Interface.1.Name`": matching it needs the
    // reference's value.
    let resolved = valid("Device.IP.Interface.1.Name", PathKind::Parameter);
    assert_eq!(path.matches(&resolved), Match::NeedsEvaluation);
    assert_eq!(
        path.matches_with(&resolved, |_, _| true),
        Match::NeedsEvaluation
    );
    let other: Path = "Device.IP.Interface.1.Alias".parse().unwrap();
    assert_eq!(path.matches(&other), Match::No);
    // The value retrieved, "Device.IP.Interface.1", is an Object Instance Path without
    // its dot.
    valid("Device.IP.Interface.1", PathKind::ObjectInstance);
    // "Replace the preceding Path Name (`Device.NAT.PortMapping.1.Interface+`)": a
    // fragment; as a whole path the `+` must be followed by "." (decision).
    invalid(
        "Device.NAT.PortMapping.1.Interface+",
        PathErrorKind::UnexpectedEnd {
            expected: Expected::DOT,
        },
        35,
    );
    // "`+` ... referencing the Object followed by a `.`": the referenced Object itself.
    let obj = valid("Device.NAT.PortMapping.1.Interface+.", PathKind::Object);
    assert_eq!(obj.name(), None);
    assert_eq!(obj.parent(), None);

    // R-ARC.11: the reference values of the example.
    valid("Object.SomeReferenceParameter", PathKind::Parameter);
    valid("Object.FooObject.5", PathKind::ObjectInstance);
    let by_key = valid(
        r#"Object.FooObject.[KeyParam=="KeyValueForInstance5"]"#,
        PathKind::ObjectInstance,
    );
    assert!(
        by_key
            .expressions()
            .next()
            .unwrap()
            .addresses_unique_key(&["KeyParam"])
    );

    // Where reference following cannot appear.
    invalid("Device+.Name", unexpected('+', Expected::DOT), 6);
    invalid(
        "Device.NAT.PortMapping.1+.Name",
        unexpected('+', DOT_OR_END),
        24,
    );
    invalid(
        "Device.NAT.PortMapping.1.Interface+.2.",
        unexpected('2', Expected::NAME | Expected::END),
        36,
    );
    invalid(
        "Device.NAT.PortMapping.1.Interface+Name",
        unexpected('N', Expected::DOT),
        35,
    );
}

#[test]
fn list_of_references() {
    let sdm: SupportedPath = "Device.WiFi.SSID.{i}.LowerLayers".parse().unwrap();
    assert_eq!(sdm.kind(), PathKind::Parameter);
    let sdm: SupportedPath = "Device.WiFi.Radio.{i}.".parse().unwrap();
    assert_eq!(sdm.kind(), PathKind::ObjectInstance);
    // "Retrieve the appropriate `Device.WiFi.SSID.{i}` instance" (no trailing dot).
    let sdm: SupportedPath = "Device.WiFi.SSID.{i}".parse().unwrap();
    assert_eq!(sdm.kind(), PathKind::ObjectInstance);

    let path = valid(
        "Device.WiFi.SSID.1.LowerLayers#1+.Name",
        PathKind::Parameter,
    );
    let reference = path.segments().nth(5).unwrap();
    let Segment::Reference(index) = reference else {
        panic!("{reference:?}")
    };
    assert_eq!(index.item().map(|n| n.get()), Some(1));
    // "`ReferenceParameter+` means the same as `ReferenceParameter#1+`".
    let plus = valid("Device.WiFi.SSID.1.LowerLayers+.Name", PathKind::Parameter);
    let Some(Segment::Reference(first)) = plus.segments().nth(5) else {
        panic!()
    };
    assert_eq!(first.item(), index.item());
    // "To follow *all* references in the list, use a wildcard".
    let all = valid(
        "Device.WiFi.SSID.1.LowerLayers#*+.Name",
        PathKind::Parameter,
    );
    assert!(all.is_search() && all.has_wildcard());
    assert_eq!(
        all.segments().nth(5),
        Some(Segment::Reference(ReferenceIndex::All))
    );

    // The list value "Device.WiFi.Radio.1, Device.WiFi.Radio.2" is a list of paths, not a
    // path; each item is one.
    assert!(
        "Device.WiFi.Radio.1, Device.WiFi.Radio.2"
            .parse::<Path>()
            .is_err()
    );
    for item in "Device.WiFi.Radio.1, Device.WiFi.Radio.2".split(", ") {
        valid(item, PathKind::ObjectInstance);
    }
    valid("Device.WiFi.Radio.1.Name", PathKind::Parameter);

    invalid(
        "Device.WiFi.SSID.1.LowerLayers#0+.Name",
        PathErrorKind::ZeroNumber,
        31,
    );
    invalid(
        "Device.WiFi.SSID.1.LowerLayers#01+.Name",
        PathErrorKind::LeadingZero,
        31,
    );
    invalid(
        "Device.WiFi.SSID.1.LowerLayers#1.Name",
        unexpected('.', Expected::PLUS),
        32,
    );
    invalid(
        "Device.WiFi.SSID.1.LowerLayers#+.Name",
        unexpected('+', Expected::LIST_ITEM),
        31,
    );
}

#[test]
fn search_expressions_and_reference_following() {
    let path = valid(
        r#"Device.WiFi.AccessPoint.[SSIDReference+.SSID=="MyHome"].AssociatedDevice.[OperatingStandard=="ac"].SignalStrength"#,
        PathKind::Parameter,
    );
    assert!(
        !path.has_reference(),
        "the reference is inside the expression"
    );
    let first = path.expressions().next().unwrap();
    let c = first.comparisons().next().unwrap();
    assert!(c.follows_reference());
    assert_eq!(
        c.parameter_segments().collect::<Vec<_>>(),
        [
            Segment::Name("SSIDReference"),
            Segment::Reference(ReferenceIndex::First),
            Segment::Name("SSID"),
        ]
    );
    valid(
        r#"Device.WiFi.SSID.[LowerLayers#2+.Name=="wl0"]."#,
        PathKind::ObjectInstance,
    );
    // Inside an expression the reference is followed by "." and a name too.
    invalid(
        r#"Device.WiFi.AccessPoint.[SSIDReference+=="x"]."#,
        unexpected('=', Expected::DOT),
        39,
    );
}

// ---- "Operations and Command Path Names", "Event Path Names" --------------------------

#[test]
fn commands_and_events() {
    let cmd = valid(
        r#"Device.IP.Interface.[Name=="eth0"].Reset()"#,
        PathKind::Command,
    );
    assert_eq!(cmd.name(), Some("Reset"));
    let event = valid("Device.Boot!", PathKind::Event);
    assert_eq!(event.name(), Some("Boot"));
    invalid(
        "Device.Reboot(",
        PathErrorKind::UnexpectedEnd {
            expected: Expected::CLOSE_PAREN,
        },
        14,
    );
    invalid(
        "Device.Reboot(x)",
        unexpected('x', Expected::CLOSE_PAREN),
        14,
    );
    invalid("Device.Reboot().", unexpected('.', Expected::END), 15);
    invalid("Device.Boot!.", unexpected('.', Expected::END), 12);
    invalid("Device!", unexpected('!', Expected::DOT), 6);
    invalid("Device()", unexpected('(', Expected::DOT), 6);
}

// ---- "Data Model Path Grammar" (BNF) ----------------------------------------------------

#[test]
fn bnf_idmpath() {
    // objpath ::= name '.' ( name ( '.' inst | reffollow '.' name )? '.' )*
    valid("Device.", PathKind::Object);
    valid("Device.LocalAgent.", PathKind::Object);
    valid("Device.A.1.B.2.C.", PathKind::Object);
    valid("Device.A.1.B.2.", PathKind::ObjectInstance);
    valid("Device.A.*.B.[X==1].C", PathKind::Parameter);
    valid("_x.y_1.Z9", PathKind::Parameter);
    // name ::= [A-Za-z_] [A-Za-z_0-9]*  (widened with '-' after the first character)
    valid("Device.X_EXAMPLE-COM_Foo.Bar", PathKind::Parameter);
    invalid("9Device.", unexpected('9', Expected::NAME), 0);
    invalid("-Device.", unexpected('-', Expected::NAME), 0);
    invalid(
        "Device.-X",
        unexpected('-', Expected::NAME | Expected::END),
        7,
    );
    invalid("Device.Wi Fi.", unexpected(' ', ALL_AFTER_NAME), 9);
    invalid(
        "Device.Ünicode",
        unexpected('Ü', Expected::NAME | Expected::END),
        7,
    );
    invalid("", PathErrorKind::Empty, 0);
    invalid(
        "Device",
        PathErrorKind::UnexpectedEnd {
            expected: Expected::DOT,
        },
        6,
    );
    invalid(".", unexpected('.', Expected::NAME), 0);
    invalid(
        "Device..",
        unexpected('.', Expected::NAME | Expected::END),
        7,
    );
    invalid(
        "Device.1.",
        unexpected('1', Expected::NAME | Expected::END),
        7,
    );
    invalid(
        "Device.A.1.2.",
        unexpected('2', Expected::NAME | Expected::END),
        11,
    );
    // inst ::= posnum | expr | '*'
    invalid(
        "Device.IP.Interface.{i}.",
        PathErrorKind::PlaceholderInInstantiatedPath,
        20,
    );
    // expr ::= '[' exprcomp ( '&&' exprcomp )* ']'
    invalid("Device.X.[A==1&&].", unexpected(']', Expected::NAME), 16);
    invalid(
        "Device.X.[A==1&B==2].",
        unexpected('&', Expected::AND | Expected::CLOSE_BRACKET),
        14,
    );
    invalid(
        "Device.X.[A==1||B==2].",
        unexpected('|', Expected::AND | Expected::CLOSE_BRACKET),
        14,
    );
    invalid(
        "Device.X.[A==1",
        PathErrorKind::UnexpectedEnd {
            expected: Expected::AND.union(Expected::CLOSE_BRACKET),
        },
        14,
    );
    // oper ::= '==' | '!=' | '~=' | '<' | '>' | '<=' | '>='
    invalid(
        "Device.X.[A=1].",
        unexpected(
            '=',
            Expected::OPERATOR | Expected::DOT | Expected::REFERENCE,
        ),
        11,
    );
    invalid("Device.X.[A<>1].", unexpected('>', Expected::CONSTANT), 12);
    invalid("Device.X.[A===1].", unexpected('=', Expected::CONSTANT), 13);
    // value ::= literal | number (widened: see the crate docs)
    for constant in [
        "0", "-1", "42", "\"\"", "\"x\"", "true", "08", "+123", "1.5",
    ] {
        valid(
            &format!("Device.X.[A=={constant}]."),
            PathKind::ObjectInstance,
        );
    }
    invalid("Device.X.[A==].", unexpected(']', Expected::CONSTANT), 13);
    invalid(
        "Device.X.[A==x/y].",
        unexpected('/', Expected::AND | Expected::CLOSE_BRACKET),
        14,
    );
}

#[test]
fn bnf_sdmpath() {
    // sdmpath ::= name '.' ( name '.' ( ( posnum | '{i}' ) '.' )? )* name?
    for (text, kind) in [
        ("Device.", PathKind::Object),
        (
            "Device.WiFi.AccessPoint.{i}.AC.{i}.Stats.",
            PathKind::Object,
        ),
        ("Device.WiFi.AccessPoint.{i}.", PathKind::ObjectInstance),
        ("Device.BulkData.Profile.{i}.Enable", PathKind::Parameter),
        ("Device.ProxiedDevice.1.WiFi.Radio.", PathKind::Object),
        // Beyond the BNF, as the specification writes them.
        ("Device.LocalAgent.Request.{i}.Cancel()", PathKind::Command),
        (
            "Device.LocalAgent.Threshold.{i}.Triggered!",
            PathKind::Event,
        ),
    ] {
        let sdm: SupportedPath = text.parse().unwrap();
        assert_eq!((sdm.to_string().as_str(), sdm.kind()), (text, kind));
    }
    let err = |text: &str| {
        let e = text.parse::<SupportedPath>().unwrap_err();
        (e.kind(), e.offset())
    };
    let after_table =
        Expected::NAME | Expected::END | Expected::INSTANCE_NUMBER | Expected::PLACEHOLDER;
    assert_eq!(
        err("Device.WiFi.SSID.*."),
        (unexpected('*', after_table), 17)
    );
    assert_eq!(
        err("Device.WiFi.SSID.[SSID==\"x\"]."),
        (unexpected('[', after_table), 17)
    );
    assert_eq!(
        err("Device.{i}."),
        (unexpected('{', Expected::NAME | Expected::END), 7)
    );
    assert_eq!(
        err("Device.WiFi.SSID.{i}.{i}."),
        (unexpected('{', Expected::NAME | Expected::END), 21)
    );
    assert_eq!(
        err("Device.WiFi.SSID.{j}."),
        (unexpected('j', Expected::PLACEHOLDER), 18)
    );
    assert_eq!(
        err("Device.WiFi.SSID.{i."),
        (unexpected('.', Expected::CLOSE_BRACE), 19)
    );
    assert_eq!(
        err("Device.WiFi.SSID.1.LowerLayers+.Name").0,
        unexpected(
            '+',
            Expected::DOT | Expected::COMMAND | Expected::EVENT | Expected::END
        )
    );
}

// ---- TP-469, section 1 ----------------------------------------------------------------

/// The paths of the TP-469 test cases (1.18 to 1.99) parse to the kinds the tests use.
#[test]
fn tp_469_paths() {
    for (text, kind) in [
        (
            "Device.LocalAgent.Subscription.*.Enable",
            PathKind::Parameter,
        ),
        (
            "Device.LocalAgent.Subscription.[Enable==true].",
            PathKind::ObjectInstance,
        ),
        (
            "Device.LocalAgent.Subscription.[Enable==false].",
            PathKind::ObjectInstance,
        ),
        (
            "Device.LocalAgent.Subscription.[Enable!=true].",
            PathKind::ObjectInstance,
        ),
        (
            "Device.LocalAgent.Subscription.[NotifExpiration>0].",
            PathKind::ObjectInstance,
        ),
        (
            "Device.LocalAgent.Subscription.[NotifExpiration>10].",
            PathKind::ObjectInstance,
        ),
        (
            "Device.LocalAgent.Subscription.[NotifExpiration<10].",
            PathKind::ObjectInstance,
        ),
        (
            "Device.LocalAgent.Subscription.[NotifExpiration>=10].",
            PathKind::ObjectInstance,
        ),
        (
            "Device.LocalAgent.Subscription.[NotifExpiration<=10].",
            PathKind::ObjectInstance,
        ),
        (
            r#"Device.LocalAgent.Subscription.[Recipient=="InvalidValue"]."#,
            PathKind::ObjectInstance,
        ),
        (
            "Device.LocalAgent.Controller.*.BootParameter.",
            PathKind::Object,
        ),
        (
            "Device.LocalAgent.Controller.[Enable==true].BootParameter.",
            PathKind::Object,
        ),
        ("Device.LocalAgent.EndpointID", PathKind::Parameter),
        ("Device.LocalAgent.SoftwareVersion", PathKind::Parameter),
        ("Device.LocalAgent.Periodic!", PathKind::Event),
        ("Device.IP.Diagnostics.TraceRoute()", PathKind::Command),
        ("Device.ScheduleTimer()", PathKind::Command),
        ("Device.Reboot()", PathKind::Command),
        ("Device.LocalAgent.InvalidObject.", PathKind::Object),
    ] {
        valid(text, kind);
    }
    for text in [
        "Device.LocalAgent.Controller.{i}.ScheduleTimer()",
        "Device.LocalAgent.Controller.{i}.SendOnBoardRequest()",
        "Device.LocalAgent.Controller.{i}.OnBoardingComplete",
        "Device.LocalAgent.Subscription.{i}.",
    ] {
        assert!(text.parse::<SupportedPath>().is_ok(), "{text}");
    }
}

// ---- The fuzz corpus holds every example ------------------------------------------------

/// Every path text used above.
const SPEC_EXAMPLES: &[&str] = &[
    r#"Device.IP.Interface.[Name=="eth0"].IPv4Address.[Status=="Enabled"].IPAddress"#,
    "Device.WiFi.Radio.1.",
    "Status",
    "SupportedStandards",
    "OperatingStandards",
    "Stats.BytesSent",
    "Stats.BytesReceived",
    "Device.IP.Interface.3",
    r#"Device.IP.Interface.[Name=="eth0"]"#,
    r#"Device.IP.Interface.[Alias=="WAN"]"#,
    r#"Device.NAT.PortMapping.[RemoteHost==""&&ExternalPort==0&&Protocol=="TCP"]."#,
    "Device.IP.Interface.[<expression>].Status",
    "Device.IP.Interface.[<expression component>&&<expression component>].Status",
    "Device.IP.Interface.[<expression parameter><expression operator><expression constant>].Status",
    r#"Device.IP.Interface.[Type == "Normal"].Status"#,
    r#"Device.IP.Interface.[Type=="Normal"].Status"#,
    r#"Device.IP.Interface.[Type=="Normal"].IPv4Address.[AddressingType=="Static"].IPAddress"#,
    r#"Device.IP.Interface.[Type=="Normal"&&Stats.ErrorsSent>0].IPv4Address.[AddressingType=="Static"].IPAddress"#,
    "Device.DSL.Line.[Enable==true].CurrentProfile",
    "Device.DSL.Line.[Enable==1].CurrentProfile",
    "Device.IP.Interface.*.IPv6Address.[ValidLifetime<2021-06-06T08:00:00Z].IPAddress",
    "Device.USB.USBHosts.Host.*.Device.[DeviceClass==08].",
    r#"Device.PCP.Client.*.Server.[Capabilities~="IPv6Firewall"]."#,
    "Device.PeriodicStatistics.SampleSet.[SampleSeconds~=5].",
    "Device.IP.Interface.[].",
    r#"Device.IP.Interface.[Type=="Normal"&&IPv4Address.*.AddressingType=="Static"].Status"#,
    r#"Device.IP.Interface.{Type=="Normal"}.Status"#,
    r#"Device.DSL.Line.[Enable=="true"].CurrentProfile"#,
    "Device.IP.Interface.*.",
    "Device.IP.Interface.*.Type",
    "Device.NAT.PortMapping.{i}.Interface",
    "Device.IP.Interface.{i}.",
    "Device.NAT.PortMapping.1.Interface+.Name",
    "Device.IP.Interface.1.Name",
    "Device.IP.Interface.1",
    "Device.NAT.PortMapping.1.Interface+",
    "Object.SomeReferenceParameter",
    "Object.FooObject.5",
    r#"Object.FooObject.[KeyParam=="KeyValueForInstance5"]"#,
    "Device.WiFi.SSID.{i}.LowerLayers",
    "Device.WiFi.Radio.{i}.",
    "Device.WiFi.SSID.1.LowerLayers#1+.Name",
    "Device.WiFi.SSID.1.LowerLayers#*+.Name",
    "Device.WiFi.Radio.1, Device.WiFi.Radio.2",
    "Device.WiFi.SSID.{i}",
    "Device.WiFi.Radio.1.Name",
    r#"Device.WiFi.AccessPoint.[SSIDReference+.SSID=="MyHome"].AssociatedDevice.[OperatingStandard=="ac"].SignalStrength"#,
    r#"Device.IP.Interface.[Name=="eth0"].Reset()"#,
    "Device.Boot!",
    "Device.WiFi.AccessPoint.{i}.AC.{i}.Stats.",
    "Device.ProxiedDevice.1.WiFi.Radio.",
    "Device.LocalAgent.Request.{i}.Cancel()",
    "Device.LocalAgent.Threshold.{i}.Triggered!",
    "Device.LocalAgent.Subscription.[NotifExpiration<=10].",
    "Device.LocalAgent.Subscription.[Enable!=true].",
    "Device.LocalAgent.Controller.*.BootParameter.",
    "Device.LocalAgent.Controller.{i}.ScheduleTimer()",
];

#[test]
fn corpus_holds_every_spec_example() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/path_parse");
    let seeds: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .collect();
    for example in SPEC_EXAMPLES {
        assert!(seeds.contains(*example), "no seed holds {example:?}");
    }
}
