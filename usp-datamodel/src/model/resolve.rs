//! Resolution of paths against a Supported and an Instantiated Data Model.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use usp_types::ErrorCode;

use crate::model::instances::Instances;
use crate::model::schema::{Node, ObjectId, SupportedModel};
use crate::model::value::TypedComparison;
use crate::{Expression, InstanceNumber, Path, PathError, PathKind, ReferenceIndex, Segment};

/// What went wrong resolving a path; see [`ResolveError`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolveErrorKind {
    /// The path is not valid syntax, or a search expression does not suit the type of
    /// its parameter (`[Enable=="true"]` for a `boolean`).
    Syntax(PathError),
    /// The path (or an expression parameter, or a reference) is not in the Supported
    /// Data Model.
    NotSupported,
    /// The path addresses (without searching) an object instance that does not exist,
    /// or follows a reference that is empty or dangling.
    NoSuchInstance,
    /// The operation needs a table and the path names a single-instance object.
    NotATable,
    /// The path is in the model but of a kind the operation does not take (a Command
    /// Path in a Get, an Object Path in an Operate).
    WrongKind,
}

/// A path that did not resolve, with the USP error code of the message that asked.
///
/// ```
/// use usp_datamodel::{DataModel, Path, fixture};
///
/// let (schema, data) = fixture::tr181();
/// let model = DataModel::new(&schema, &data);
/// let err = model.resolve(&"Device.Nope.".parse::<Path>()?).unwrap_err();
/// assert_eq!(err.code().get(), 7026);
/// let err = model.resolve(&"Device.IP.Interface.99.".parse::<Path>()?).unwrap_err();
/// assert_eq!(err.code().get(), 7016);
/// # Ok::<(), usp_datamodel::PathError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ResolveError {
    kind: ResolveErrorKind,
    code: ErrorCode,
    message: String,
}

impl ResolveError {
    fn new(kind: ResolveErrorKind, message: String) -> Self {
        let code = match &kind {
            ResolveErrorKind::Syntax(e) => e.code(),
            ResolveErrorKind::NoSuchInstance => ErrorCode::OBJECT_DOES_NOT_EXIST,
            ResolveErrorKind::NotATable => ErrorCode::NOT_A_TABLE,
            _ => ErrorCode::INVALID_PATH,
        };
        Self {
            kind,
            code,
            message,
        }
    }

    fn not_supported(path: &str) -> Self {
        Self::new(
            ResolveErrorKind::NotSupported,
            format!("{path} is not in the supported data model"),
        )
    }

    fn syntax(e: PathError) -> Self {
        let message = e.to_string();
        Self::new(ResolveErrorKind::Syntax(e), message)
    }

    fn wrong_kind(path: &str, what: &str) -> Self {
        Self::new(ResolveErrorKind::WrongKind, format!("{path} is not {what}"))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ResolveErrorKind {
        &self.kind
    }

    /// The USP error code for the response: 7008 (syntax), 7026 (not in the Supported
    /// Data Model, wrong kind, or, in a Get, not instantiated per R-GET.0), 7016 (object
    /// does not exist) or 7018 (not a table).
    pub fn code(&self) -> ErrorCode {
        self.code
    }
}

impl From<PathError> for ResolveError {
    fn from(e: PathError) -> Self {
        Self::syntax(e)
    }
}

/// What a path resolved to; see [`DataModel::resolve`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Target {
    /// An object or object instance (`Device.IP.Interface.1.`, `Device.DeviceInfo.`).
    Object {
        /// The concrete path, with a trailing dot.
        path: String,
        /// Its definition.
        object: ObjectId,
    },
    /// A table under concrete parents (`Device.IP.Interface.1.IPv4Address.`).
    Table {
        /// The concrete path, with a trailing dot.
        path: String,
        /// Its definition.
        object: ObjectId,
    },
    /// A parameter.
    Parameter {
        /// The concrete object path, with a trailing dot.
        object_path: String,
        /// The parameter name.
        name: String,
    },
    /// A command.
    Command {
        /// The concrete object path, with a trailing dot.
        object_path: String,
        /// The command name, without `()`.
        name: String,
    },
    /// An event.
    Event {
        /// The concrete object path, with a trailing dot.
        object_path: String,
        /// The event name, without `!`.
        name: String,
    },
}

impl Target {
    /// The concrete path: `Device.IP.Interface.1.`, `Device.IP.Interface.1.Name`,
    /// `Device.Reboot()`, `Device.Boot!`.
    pub fn path(&self) -> String {
        match self {
            Self::Object { path, .. } | Self::Table { path, .. } => path.clone(),
            Self::Parameter { object_path, name } => format!("{object_path}{name}"),
            Self::Command { object_path, name } => format!("{object_path}{name}()"),
            Self::Event { object_path, name } => format!("{object_path}{name}!"),
        }
    }
}

/// One `resolved_path_result` of a Get response: an object and its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetResult {
    /// The Object (Instance) Path, with a trailing dot.
    pub resolved_path: String,
    /// Parameter names (relative to `resolved_path`) and values.
    pub params: BTreeMap<String, String>,
}

/// One `CurrInstance` of a GetInstances response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CurrInstance {
    /// The Object Instance Path, with a trailing dot.
    pub path: String,
    /// The values of all unique key parameters.
    pub unique_keys: BTreeMap<String, String>,
}

/// A Supported Data Model together with an Instantiated Data Model: resolves paths the
/// way USP messages need.
///
/// ```
/// use usp_datamodel::{DataModel, Path, fixture};
///
/// let (schema, data) = fixture::tr181();
/// let model = DataModel::new(&schema, &data);
/// let path: Path = "Device.IP.Interface.[Type==\"Normal\"].IPv4Address.[AddressingType==\"Static\"].IPAddress".parse()?;
/// let results = model.get(&path, 0)?;
/// assert_eq!(results[0].resolved_path, "Device.IP.Interface.1.IPv4Address.1.");
/// assert_eq!(results[0].params["IPAddress"], "192.168.1.1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct DataModel<'a, I: ?Sized> {
    schema: &'a SupportedModel,
    data: &'a I,
    /// Reference values already resolved during the current call (cleared by
    /// [`DataModel::resolve`], which every query goes through): a search that follows
    /// references from thousands of rows resolves each distinct value once.
    references: RefCell<HashMap<(String, ObjectId), Option<String>>>,
}

/// The cursors of a resolution: concrete paths (with trailing dot) that all share one
/// definition.
struct State {
    object: ObjectId,
    /// The paths name a table whose Instance Identifier comes next.
    table: bool,
    paths: Vec<String>,
}

/// One step of an expression parameter (`Stats.ErrorsSent`, `SSIDReference+.SSID`).
enum Step<'p> {
    Child(&'p str),
    Follow(&'p str, ReferenceIndex, ObjectId),
}

struct CompiledComparison<'p> {
    steps: Vec<Step<'p>>,
    param: &'p str,
    test: TypedComparison,
}

impl<'a, I: Instances + ?Sized> DataModel<'a, I> {
    /// Pairs a Supported Data Model with instances of it.
    pub fn new(schema: &'a SupportedModel, data: &'a I) -> Self {
        Self {
            schema,
            data,
            references: RefCell::new(HashMap::new()),
        }
    }

    /// The Supported Data Model.
    pub fn schema(&self) -> &'a SupportedModel {
        self.schema
    }

    /// Resolves any path to what it addresses, in instance order: wildcards, search
    /// expressions (typed, R-ARC.9), unique-key addressing, reference following (`+`,
    /// `#n+`, `#*+`, R-ARC.11, lists of references). A Search Path that matches nothing
    /// gives an empty list (R-GET.1a); a path that addresses (without searching) an
    /// instance that does not exist is [`ResolveErrorKind::NoSuchInstance`].
    pub fn resolve(&self, path: &Path) -> Result<Vec<Target>, ResolveError> {
        self.references.borrow_mut().clear();
        let mut searching = false;
        let mut missing = None;
        let targets = self.resolve_inner(path, &mut searching, &mut missing)?;
        if targets.is_empty()
            && !searching
            && let Some(err) = missing
        {
            return Err(err);
        }
        Ok(targets)
    }

    fn resolve_inner(
        &self,
        path: &Path,
        searching: &mut bool,
        missing: &mut Option<ResolveError>,
    ) -> Result<Vec<Target>, ResolveError> {
        let text = path.as_str();
        let segments: Vec<Segment<'_>> = path.segments().collect();
        let root = self.schema.root();
        let root_path = self.schema.object(root).path();
        match segments.first() {
            Some(Segment::Name(name))
                if root_path.len() == name.len() + 1 && root_path.starts_with(name) => {}
            _ => return Err(ResolveError::not_supported(text)),
        }
        let mut state = State {
            object: root,
            table: false,
            paths: vec![root_path.to_owned()],
        };
        let kind = path.kind();
        let mut i = 1;
        while i < segments.len() {
            let last = i + 1 == segments.len();
            match segments[i] {
                Segment::Name(name) => {
                    if state.table {
                        return Err(ResolveError::not_supported(text));
                    }
                    let def = self.schema.object(state.object);
                    if let Some(child) = def.child(name) {
                        if last && kind != PathKind::Object {
                            return Err(ResolveError::not_supported(text));
                        }
                        for p in &mut state.paths {
                            p.push_str(name);
                            p.push('.');
                        }
                        state.object = child;
                        state.table = self.schema.object(child).is_multi_instance();
                    } else if let Some(Segment::Reference(index)) = segments.get(i + 1) {
                        let target = def
                            .param(name)
                            .and_then(|p| p.param_type().reference_target())
                            .and_then(|t| self.schema.object_by_path(t))
                            .ok_or_else(|| ResolveError::not_supported(text))?;
                        if *index == ReferenceIndex::All {
                            *searching = true;
                        }
                        let mut seen = HashSet::new();
                        let mut paths = Vec::new();
                        for p in &state.paths {
                            for r in self.follow(p, name, *index, target, missing) {
                                if seen.insert(r.clone()) {
                                    paths.push(r);
                                }
                            }
                        }
                        state = State {
                            object: target,
                            table: false,
                            paths,
                        };
                        i += 1;
                    } else if last {
                        let found = match kind {
                            PathKind::Parameter => def.param(name).is_some(),
                            PathKind::Command => def.command(name).is_some(),
                            PathKind::Event => def.event(name).is_some(),
                            _ => false,
                        };
                        if !found {
                            return Err(ResolveError::not_supported(text));
                        }
                        let make = |object_path: String| {
                            let name = name.to_owned();
                            match kind {
                                PathKind::Parameter => Target::Parameter { object_path, name },
                                PathKind::Command => Target::Command { object_path, name },
                                _ => Target::Event { object_path, name },
                            }
                        };
                        return Ok(state.paths.into_iter().map(make).collect());
                    } else {
                        return Err(ResolveError::not_supported(text));
                    }
                }
                Segment::Instance(n) => {
                    if !state.table {
                        return Err(ResolveError::not_supported(text));
                    }
                    let before = state.paths.len();
                    state.paths.retain_mut(|p| {
                        let exists = self.data.has_instance(p, n);
                        if exists {
                            let _ = write!(p, "{n}.");
                        }
                        exists
                    });
                    if state.paths.len() < before && missing.is_none() {
                        *missing = Some(ResolveError::new(
                            ResolveErrorKind::NoSuchInstance,
                            format!("{text}: instance {n} does not exist"),
                        ));
                    }
                    state.table = false;
                }
                Segment::Wildcard => {
                    if !state.table {
                        return Err(ResolveError::not_supported(text));
                    }
                    *searching = true;
                    state.paths = self.expand(&state.paths, |_, _| true);
                    state.table = false;
                }
                Segment::Expression(expr) => {
                    if !state.table {
                        return Err(ResolveError::not_supported(text));
                    }
                    let def = self.schema.object(state.object);
                    let unique = def.unique_keys().iter().any(|key| {
                        let key: Vec<&str> = key.iter().map(String::as_str).collect();
                        expr.addresses_unique_key(&key)
                    });
                    if !unique {
                        *searching = true;
                    }
                    let compiled = self.compile(text, state.object, &expr)?;
                    state.paths = self.search(&state.paths, &compiled);
                    if unique && state.paths.is_empty() && missing.is_none() {
                        *missing = Some(ResolveError::new(
                            ResolveErrorKind::NoSuchInstance,
                            format!("{text}: no instance has the unique key [{expr}]"),
                        ));
                    }
                    state.table = false;
                }
                _ => return Err(ResolveError::not_supported(text)),
            }
            i += 1;
        }
        let object = state.object;
        let table = state.table;
        Ok(state
            .paths
            .into_iter()
            .map(|path| {
                if table {
                    Target::Table { path, object }
                } else {
                    Target::Object { path, object }
                }
            })
            .collect())
    }

    /// Every row of every table in `tables` that passes `keep(table, n)`.
    fn expand(
        &self,
        tables: &[String],
        mut keep: impl FnMut(&str, InstanceNumber) -> bool,
    ) -> Vec<String> {
        let mut out = Vec::new();
        for table in tables {
            for n in self.data.instance_numbers(table) {
                if keep(table, n) {
                    let mut p = String::with_capacity(table.len() + 11);
                    p.push_str(table);
                    let _ = write!(p, "{n}.");
                    out.push(p);
                }
            }
        }
        out
    }

    /// The rows of `tables` that satisfy every comparison. The first comparison of a row's
    /// own parameter reads its whole column ([`Instances::column`]); the others are read
    /// row by row, only for the rows still in, so a selective first comparison makes the
    /// rest cheap.
    fn search(&self, tables: &[String], compiled: &[CompiledComparison<'_>]) -> Vec<String> {
        let first = compiled.iter().position(|c| c.steps.is_empty());
        let mut out = Vec::new();
        for table in tables {
            let candidates: Vec<InstanceNumber> = match first {
                Some(i) => {
                    let c = &compiled[i];
                    self.data
                        .column(table, c.param)
                        .into_iter()
                        .filter(|(_, v)| v.as_deref().is_some_and(|v| c.test.matches(v)))
                        .map(|(n, _)| n)
                        .collect()
                }
                None => self.data.instance_numbers(table),
            };
            for n in candidates {
                let rest_ok = compiled
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| Some(*i) != first)
                    .all(|(_, c)| self.test(table, n, std::slice::from_ref(c)));
                if rest_ok {
                    let mut p = String::with_capacity(table.len() + 11);
                    p.push_str(table);
                    let _ = write!(p, "{n}.");
                    out.push(p);
                }
            }
        }
        out
    }

    /// Follows reference parameter `param` of `object`: the referenced object instances
    /// (normalized to Instance Numbers) that exist and have definition `target`.
    fn follow(
        &self,
        object: &str,
        param: &str,
        index: ReferenceIndex,
        target: ObjectId,
        missing: &mut Option<ResolveError>,
    ) -> Vec<String> {
        let value = self.data.value(object, param).unwrap_or_default();
        let items: Vec<&str> = value.split(',').map(str::trim).collect();
        let chosen: Vec<&str> = match index.item() {
            // Out of range is an empty reference.
            Some(n) => vec![items.get(n.get() as usize - 1).copied().unwrap_or("")],
            None => items,
        };
        let mut out = Vec::new();
        for item in chosen {
            match self.reference(item, target) {
                Some(p) => out.push(p),
                None if index == ReferenceIndex::All && item.is_empty() => {}
                None => {
                    if missing.is_none() {
                        *missing = Some(ResolveError::new(
                            ResolveErrorKind::NoSuchInstance,
                            format!("{object}{param} does not reference an existing object"),
                        ));
                    }
                }
            }
        }
        out
    }

    /// The object a reference value (`Device.IP.Interface.1`, or with a unique key,
    /// R-ARC.11) names, if it exists and has definition `target`.
    fn reference(&self, value: &str, target: ObjectId) -> Option<String> {
        if value.is_empty() {
            return None;
        }
        let key = (value.to_owned(), target);
        if let Some(known) = self.references.borrow().get(&key) {
            return known.clone();
        }
        let resolved = self.reference_uncached(value, target);
        self.references.borrow_mut().insert(key, resolved.clone());
        resolved
    }

    fn reference_uncached(&self, value: &str, target: ObjectId) -> Option<String> {
        let path: Path = if value.ends_with('.') {
            value.parse().ok()?
        } else {
            format!("{value}.").parse().ok()?
        };
        if path.has_reference() || path.has_wildcard() {
            return None;
        }
        let (mut searching, mut missing) = (false, None);
        let targets = self
            .resolve_inner(&path, &mut searching, &mut missing)
            .ok()?;
        match targets.as_slice() {
            [Target::Object { path, object }] if *object == target && !searching => {
                Some(path.clone())
            }
            _ => None,
        }
    }

    /// Checks an expression against the definition of its table.
    fn compile<'p>(
        &self,
        text: &str,
        table: ObjectId,
        expr: &Expression<'p>,
    ) -> Result<Vec<CompiledComparison<'p>>, ResolveError> {
        let mut out = Vec::new();
        for comparison in expr.comparisons() {
            let segments: Vec<Segment<'p>> = comparison.parameter_segments().collect();
            let mut object = table;
            let mut steps = Vec::new();
            let mut j = 0;
            let unsupported =
                || ResolveError::not_supported(&format!("{text} ({})", comparison.parameter()));
            let (param, ty) = loop {
                let Some(Segment::Name(name)) = segments.get(j).copied() else {
                    return Err(unsupported());
                };
                let def = self.schema.object(object);
                if let Some(Segment::Reference(index)) = segments.get(j + 1).copied() {
                    object = def
                        .param(name)
                        .and_then(|p| p.param_type().reference_target())
                        .and_then(|t| self.schema.object_by_path(t))
                        .ok_or_else(unsupported)?;
                    steps.push(Step::Follow(name, index, object));
                    j += 2;
                } else if j + 1 == segments.len() {
                    let p = def.param(name).ok_or_else(unsupported)?;
                    break (name, p.param_type());
                } else {
                    let child = def.child(name).ok_or_else(unsupported)?;
                    if self.schema.object(child).is_multi_instance() {
                        return Err(unsupported());
                    }
                    object = child;
                    steps.push(Step::Child(name));
                    j += 1;
                }
            };
            let test = TypedComparison::new(&comparison, ty)?;
            out.push(CompiledComparison { steps, param, test });
        }
        Ok(out)
    }

    /// Whether the instance `path` satisfies every comparison; a comparison that follows
    /// `#*+` holds if it holds for any of the referenced objects.
    fn test(&self, table: &str, n: InstanceNumber, compiled: &[CompiledComparison<'_>]) -> bool {
        compiled.iter().all(|c| {
            if c.steps.is_empty() {
                return self
                    .data
                    .row_value(table, n, c.param)
                    .is_some_and(|v| c.test.matches(&v));
            }
            let mut objects = vec![format!("{table}{n}.")];
            for step in &c.steps {
                objects = match step {
                    Step::Child(name) => {
                        objects.into_iter().map(|o| format!("{o}{name}.")).collect()
                    }
                    Step::Follow(param, index, target) => {
                        let mut ignored = None;
                        objects
                            .iter()
                            .flat_map(|o| self.follow(o, param, *index, *target, &mut ignored))
                            .collect()
                    }
                };
            }
            objects.iter().any(|o| {
                self.data
                    .value(o, c.param)
                    .is_some_and(|v| c.test.matches(&v))
            })
        })
    }

    /// The Get message (R-GET.0 to R-GET.5): one result per object, with the values of
    /// its parameters. A Parameter Path gives its object and that parameter only; a
    /// Partial Path gives the object and its sub-objects down to `max_depth` levels
    /// (`0`: all; `1`: the object's own parameters; a table's instances count as the
    /// first level). Objects without parameter values are left out (R-GET.1b). An
    /// instance that does not exist is error 7026 (R-GET.0).
    pub fn get(&self, path: &Path, max_depth: u32) -> Result<Vec<GetResult>, ResolveError> {
        let targets = self.resolve(path).map_err(|mut e| {
            if e.kind == ResolveErrorKind::NoSuchInstance {
                e.code = ErrorCode::INVALID_PATH;
            }
            e
        })?;
        let depth = if max_depth == 0 { u32::MAX } else { max_depth };
        let mut out = Vec::new();
        for target in targets {
            match target {
                Target::Parameter { object_path, name } => {
                    if let Some(v) = self.data.value(&object_path, &name) {
                        let mut params = BTreeMap::new();
                        params.insert(name, v.into_owned());
                        out.push(GetResult {
                            resolved_path: object_path,
                            params,
                        });
                    }
                }
                Target::Object { path, object } => self.collect(&path, object, depth, &mut out),
                Target::Table { path, object } => {
                    for n in self.data.instance_numbers(&path) {
                        self.collect(&format!("{path}{n}."), object, depth, &mut out);
                    }
                }
                Target::Command { .. } | Target::Event { .. } => {
                    return Err(ResolveError::wrong_kind(
                        path.as_str(),
                        "an object or parameter path",
                    ));
                }
            }
        }
        Ok(out)
    }

    fn collect(&self, path: &str, object: ObjectId, depth: u32, out: &mut Vec<GetResult>) {
        let def = self.schema.object(object);
        let params: BTreeMap<String, String> = def
            .params()
            .filter_map(|p| {
                let v = self.data.value(path, p.name())?;
                Some((p.name().to_owned(), v.into_owned()))
            })
            .collect();
        if !params.is_empty() {
            out.push(GetResult {
                resolved_path: path.to_owned(),
                params,
            });
        }
        if depth <= 1 {
            return;
        }
        for child in def.children() {
            let child_def = self.schema.object(child);
            let child_path = format!("{path}{}.", child_def.name());
            if child_def.is_multi_instance() {
                for n in self.data.instance_numbers(&child_path) {
                    self.collect(&format!("{child_path}{n}."), child, depth - 1, out);
                }
            } else {
                self.collect(&child_path, child, depth - 1, out);
            }
        }
    }

    /// The GetInstances message: the instances (with their unique keys) of the tables
    /// and instances a path addresses, and with `first_level_only` false those of every
    /// table below them. A single-instance object gives the instances below it; with
    /// `first_level_only` it is error 7018.
    pub fn get_instances(
        &self,
        path: &Path,
        first_level_only: bool,
    ) -> Result<Vec<CurrInstance>, ResolveError> {
        let mut out = Vec::new();
        for target in self.resolve(path)? {
            match target {
                Target::Table { path, object } => {
                    for n in self.data.instance_numbers(&path) {
                        let p = format!("{path}{n}.");
                        self.instance(&p, object, first_level_only, &mut out);
                    }
                }
                Target::Object { path: p, object } => {
                    if self.schema.object(object).is_multi_instance() {
                        self.instance(&p, object, first_level_only, &mut out);
                    } else if first_level_only {
                        return Err(ResolveError::new(
                            ResolveErrorKind::NotATable,
                            format!("{p} is not a table"),
                        ));
                    } else {
                        self.below(&p, object, &mut out);
                    }
                }
                _ => {
                    return Err(ResolveError::wrong_kind(path.as_str(), "an object path"));
                }
            }
        }
        Ok(out)
    }

    fn instance(
        &self,
        path: &str,
        object: ObjectId,
        first_level_only: bool,
        out: &mut Vec<CurrInstance>,
    ) {
        let def = self.schema.object(object);
        let unique_keys = def
            .unique_keys()
            .iter()
            .flatten()
            .filter_map(|k| Some((k.clone(), self.data.value(path, k)?.into_owned())))
            .collect();
        out.push(CurrInstance {
            path: path.to_owned(),
            unique_keys,
        });
        if !first_level_only {
            self.below(path, object, out);
        }
    }

    fn below(&self, path: &str, object: ObjectId, out: &mut Vec<CurrInstance>) {
        for child in self.schema.object(object).children() {
            let child_def = self.schema.object(child);
            let child_path = format!("{path}{}.", child_def.name());
            if child_def.is_multi_instance() {
                for n in self.data.instance_numbers(&child_path) {
                    self.instance(&format!("{child_path}{n}."), child, false, out);
                }
            } else {
                self.below(&child_path, child, out);
            }
        }
    }

    /// For Set: the objects and object instances a path addresses (it must be a Partial
    /// Path that does not end at a table).
    pub fn objects(&self, path: &Path) -> Result<Vec<String>, ResolveError> {
        self.resolve(path)?
            .into_iter()
            .map(|t| match t {
                Target::Object { path, .. } => Ok(path),
                _ => Err(ResolveError::wrong_kind(
                    path.as_str(),
                    "an object or object instance path",
                )),
            })
            .collect()
    }

    /// For Add: the tables a path addresses (`Device.IP.Interface.`,
    /// `Device.IP.Interface.*.IPv4Address.`); a single-instance object is error 7018.
    pub fn tables(&self, path: &Path) -> Result<Vec<String>, ResolveError> {
        self.resolve(path)?
            .into_iter()
            .map(|t| match t {
                Target::Table { path, .. } => Ok(path),
                Target::Object { path: p, object }
                    if !self.schema.object(object).is_multi_instance() =>
                {
                    Err(ResolveError::new(
                        ResolveErrorKind::NotATable,
                        format!("{p} is not a table"),
                    ))
                }
                _ => Err(ResolveError::wrong_kind(path.as_str(), "a table path")),
            })
            .collect()
    }

    /// For Delete: the object instances a path addresses; a single-instance object is
    /// error 7018.
    pub fn instances(&self, path: &Path) -> Result<Vec<String>, ResolveError> {
        self.resolve(path)?
            .into_iter()
            .map(|t| match t {
                Target::Object { path: p, object } => {
                    if self.schema.object(object).is_multi_instance() {
                        Ok(p)
                    } else {
                        Err(ResolveError::new(
                            ResolveErrorKind::NotATable,
                            format!("{p} is not a table"),
                        ))
                    }
                }
                _ => Err(ResolveError::wrong_kind(
                    path.as_str(),
                    "an object instance path",
                )),
            })
            .collect()
    }

    /// For Operate: the concrete Command Paths a path addresses.
    pub fn commands(&self, path: &Path) -> Result<Vec<String>, ResolveError> {
        self.resolve(path)?
            .into_iter()
            .map(|t| match t {
                Target::Command { .. } => Ok(t.path()),
                _ => Err(ResolveError::wrong_kind(path.as_str(), "a command path")),
            })
            .collect()
    }
}

impl SupportedModel {
    /// The GetSupportedDM message: the objects a Supported Data Model path (the final
    /// `{i}.` may be left out) or an instantiated path (mapped to its Supported Data
    /// Model path) names, and with `first_level_only` false all objects below. A
    /// Parameter, Command or Event Path gives its object. Error 7026 if the path is not
    /// in the model.
    ///
    /// ```
    /// use usp_datamodel::fixture;
    ///
    /// let (schema, _) = fixture::tr181();
    /// let objects = schema.get_supported_dm("Device.WiFi.", true)?;
    /// let paths: Vec<&str> = objects.iter().map(|&id| schema.object(id).path()).collect();
    /// assert_eq!(paths, ["Device.WiFi.", "Device.WiFi.AccessPoint.{i}.", "Device.WiFi.Radio.{i}.", "Device.WiFi.SSID.{i}."]);
    /// # Ok::<(), usp_datamodel::ResolveError>(())
    /// ```
    pub fn get_supported_dm(
        &self,
        path: &str,
        first_level_only: bool,
    ) -> Result<Vec<ObjectId>, ResolveError> {
        let Some(node) = self.lookup(path) else {
            if let Err(e) = path.parse::<Path>()
                && path.parse::<crate::SupportedPath>().is_err()
            {
                return Err(ResolveError::syntax(e));
            }
            return Err(ResolveError::not_supported(path));
        };
        let id = match node {
            Node::Object(id, _) => id,
            Node::Parameter(id, _) | Node::Command(id, _) | Node::Event(id, _) => {
                return Ok(vec![id]);
            }
        };
        let mut out = vec![id];
        if first_level_only {
            out.extend(self.object(id).children());
        } else {
            let mut stack: Vec<ObjectId> = self.object(id).children().collect();
            stack.reverse();
            while let Some(next) = stack.pop() {
                out.push(next);
                let len = stack.len();
                stack.extend(self.object(next).children());
                stack[len..].reverse();
            }
        }
        Ok(out)
    }
}
