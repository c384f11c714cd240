//! The Supported Data Model: object, parameter, command and event definitions, and a
//! builder to describe them in code.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::types::DataType;
use crate::{Path, PathKind, Segment, SupportedPath};

/// Whether a reference parameter is strong or weak (TR-106; R-ARC.12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReferenceKind {
    /// A strong reference: it always refers to an existing object, or is empty.
    Strong,
    /// A weak reference: it may refer to an object that does not exist.
    Weak,
}

/// The type of a parameter: a TR-106 base type, whether it is a comma-separated list,
/// and whether (and to which object) it refers.
///
/// ```
/// use usp_datamodel::{DataType, ParamType};
///
/// let t = ParamType::new(DataType::UnsignedInt).list();
/// assert!(t.is_list());
/// assert_eq!(t.data_type(), DataType::UnsignedInt);
/// assert_eq!(t.to_string(), "list of unsignedInt");
/// let r = ParamType::strong_ref("Device.WiFi.Radio.{i}.").list();
/// assert_eq!(r.reference_target(), Some("Device.WiFi.Radio.{i}."));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamType {
    base: DataType,
    list: bool,
    reference: Option<(ReferenceKind, String)>,
}

impl ParamType {
    /// A single value of `base`.
    pub fn new(base: DataType) -> Self {
        Self {
            base,
            list: false,
            reference: None,
        }
    }

    /// A `string` parameter.
    pub fn string() -> Self {
        Self::new(DataType::String)
    }

    /// A `boolean` parameter.
    pub fn boolean() -> Self {
        Self::new(DataType::Boolean)
    }

    /// An `unsignedInt` parameter.
    pub fn unsigned_int() -> Self {
        Self::new(DataType::UnsignedInt)
    }

    /// A strong reference (a `string`) to an object of the Supported Data Model path
    /// `target`, such as `Device.WiFi.Radio.{i}.`.
    pub fn strong_ref(target: &str) -> Self {
        Self::reference(ReferenceKind::Strong, target)
    }

    /// A weak reference (a `string`) to an object of `target`.
    pub fn weak_ref(target: &str) -> Self {
        Self::reference(ReferenceKind::Weak, target)
    }

    fn reference(kind: ReferenceKind, target: &str) -> Self {
        Self {
            base: DataType::String,
            list: false,
            reference: Some((kind, normalize_object(target))),
        }
    }

    /// The same type as a comma-separated list.
    #[must_use]
    pub fn list(mut self) -> Self {
        self.list = true;
        self
    }

    /// The base type (of each item, for a list).
    pub fn data_type(&self) -> DataType {
        self.base
    }

    /// Whether the value is a comma-separated list.
    pub fn is_list(&self) -> bool {
        self.list
    }

    /// Strong or weak, for a reference.
    pub fn reference_kind(&self) -> Option<ReferenceKind> {
        self.reference.as_ref().map(|(k, _)| *k)
    }

    /// The Supported Data Model path of the object a reference refers to.
    pub fn reference_target(&self) -> Option<&str> {
        self.reference.as_ref().map(|(_, t)| t.as_str())
    }

    /// Whether `value` is a literal of this type (TR-106): each item of a list, the whole
    /// value otherwise. An empty list is accepted; so is any string for `string`.
    ///
    /// ```
    /// use usp_datamodel::ParamType;
    ///
    /// assert!(ParamType::boolean().accepts("true"));
    /// assert!(!ParamType::boolean().accepts("yes"));
    /// assert!(ParamType::unsigned_int().list().accepts("1,2,3"));
    /// assert!(!ParamType::unsigned_int().list().accepts("1,-2"));
    /// ```
    pub fn accepts(&self, value: &str) -> bool {
        if self.list {
            value.is_empty()
                || value
                    .split(',')
                    .all(|item| super::value::Scalar::parse(self.base, item.trim()).is_some())
        } else {
            super::value::Scalar::parse(self.base, value).is_some()
        }
    }
}

impl fmt::Display for ParamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.list {
            f.write_str("list of ")?;
        }
        match &self.reference {
            Some((ReferenceKind::Strong, t)) => write!(f, "strong reference to {t}"),
            Some((ReferenceKind::Weak, t)) => write!(f, "weak reference to {t}"),
            None => write!(f, "{}", self.base),
        }
    }
}

/// Read and write access of a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParamAccess {
    /// Read only.
    ReadOnly,
    /// Readable and writable.
    ReadWrite,
    /// Write only (read as empty).
    WriteOnly,
}

/// Which of Add and Delete an object supports (GetSupportedDM `access`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectAccess {
    /// Neither Add nor Delete.
    ReadOnly,
    /// Add only.
    AddOnly,
    /// Delete only.
    DeleteOnly,
    /// Add and Delete.
    AddDelete,
}

/// A parameter definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamDef {
    name: String,
    ty: ParamType,
    access: ParamAccess,
}

impl ParamDef {
    /// The parameter's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The parameter's type.
    pub fn param_type(&self) -> &ParamType {
        &self.ty
    }
    /// The parameter's access.
    pub fn access(&self) -> ParamAccess {
        self.access
    }
}

/// A command definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandDef {
    name: String,
    asynchronous: bool,
    input: Vec<String>,
    output: Vec<String>,
}

impl CommandDef {
    /// The command's name, without `()`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Whether the command is asynchronous.
    pub fn is_async(&self) -> bool {
        self.asynchronous
    }
    /// Names of the input arguments.
    pub fn input_args(&self) -> &[String] {
        &self.input
    }
    /// Names of the output arguments.
    pub fn output_args(&self) -> &[String] {
        &self.output
    }
}

/// An event definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventDef {
    name: String,
    args: Vec<String>,
}

impl EventDef {
    /// The event's name, without `!`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Names of the event's arguments.
    pub fn args(&self) -> &[String] {
        &self.args
    }
}

/// Identifies an object of a [`SupportedModel`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId(pub(crate) usize);

/// An object definition: single-instance object or table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectDef {
    path: String,
    name: String,
    multi: bool,
    access: ObjectAccess,
    unique_keys: Vec<Vec<String>>,
    params: BTreeMap<String, ParamDef>,
    commands: BTreeMap<String, CommandDef>,
    events: BTreeMap<String, EventDef>,
    children: BTreeMap<String, ObjectId>,
    parent: Option<ObjectId>,
}

impl ObjectDef {
    /// The Supported Data Model path, such as `Device.IP.Interface.{i}.`.
    pub fn path(&self) -> &str {
        &self.path
    }
    /// The object's name, such as `Interface`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Whether this is a Multi-Instance Object (a table).
    pub fn is_multi_instance(&self) -> bool {
        self.multi
    }
    /// Add and Delete access.
    pub fn access(&self) -> ObjectAccess {
        self.access
    }
    /// The unique key sets, each a list of parameter names.
    pub fn unique_keys(&self) -> &[Vec<String>] {
        &self.unique_keys
    }
    /// The parameters, by name.
    pub fn params(&self) -> impl ExactSizeIterator<Item = &ParamDef> {
        self.params.values()
    }
    /// One parameter.
    pub fn param(&self, name: &str) -> Option<&ParamDef> {
        self.params.get(name)
    }
    /// The commands, by name.
    pub fn commands(&self) -> impl ExactSizeIterator<Item = &CommandDef> {
        self.commands.values()
    }
    /// One command (name without `()`).
    pub fn command(&self, name: &str) -> Option<&CommandDef> {
        self.commands.get(name)
    }
    /// The events, by name.
    pub fn events(&self) -> impl ExactSizeIterator<Item = &EventDef> {
        self.events.values()
    }
    /// One event (name without `!`).
    pub fn event(&self, name: &str) -> Option<&EventDef> {
        self.events.get(name)
    }
    /// The child objects, by name.
    pub fn children(&self) -> impl ExactSizeIterator<Item = ObjectId> + '_ {
        self.children.values().copied()
    }
    /// One child object.
    pub fn child(&self, name: &str) -> Option<ObjectId> {
        self.children.get(name).copied()
    }
    /// The parent object, `None` for the root.
    pub fn parent(&self) -> Option<ObjectId> {
        self.parent
    }
}

/// What a Supported Data Model path names; see [`SupportedModel::lookup`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Node<'a> {
    /// An object (or table).
    Object(ObjectId, &'a ObjectDef),
    /// A parameter of an object.
    Parameter(ObjectId, &'a ParamDef),
    /// A command of an object.
    Command(ObjectId, &'a CommandDef),
    /// An event of an object.
    Event(ObjectId, &'a EventDef),
}

/// An error in a data model description; see [`SupportedModelBuilder::build`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// A path is not a valid Supported Data Model path of the expected kind.
    #[error("invalid supported path {0:?}")]
    InvalidPath(String),
    /// An object is defined before its parent.
    #[error("the parent of {0:?} is not defined")]
    MissingParent(String),
    /// A name is defined twice in an object.
    #[error("{0:?} is defined twice")]
    Duplicate(String),
    /// A unique key names a parameter the object does not have.
    #[error("unique key {key:?} of {object:?} is not a parameter")]
    UnknownKey {
        /// The object.
        object: String,
        /// The key parameter.
        key: String,
    },
    /// A reference's target is not a defined object.
    #[error("reference {param:?} targets {target:?}, which is not an object")]
    UnknownTarget {
        /// The reference parameter.
        param: String,
        /// Its target.
        target: String,
    },
}

/// The Supported Data Model of an Agent: a tree of [`ObjectDef`]s under one root object
/// (normally `Device.`).
///
/// ```
/// use usp_datamodel::{Node, ObjectAccess, ParamType, SupportedModel};
///
/// let mut b = SupportedModel::builder("Device");
/// b.object("Device.IP.")
///     .param("IPv4Enable", ParamType::boolean());
/// b.object("Device.IP.Interface.{i}.")
///     .access(ObjectAccess::AddDelete)
///     .unique_key(&["Name"])
///     .param("Name", ParamType::string());
/// b.command("Device.Reboot()", false, &[], &[]);
/// let model = b.build()?;
/// let table = model.lookup("Device.IP.Interface.{i}.").unwrap();
/// assert!(matches!(table, Node::Object(_, def) if def.is_multi_instance()));
/// // Instantiated paths look up through their Supported Data Model path.
/// assert!(matches!(model.lookup("Device.IP.Interface.3.Name"), Some(Node::Parameter(..))));
/// assert!(model.lookup("Device.IP.Nope").is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct SupportedModel {
    objects: Vec<ObjectDef>,
    by_path: HashMap<String, ObjectId>,
}

impl SupportedModel {
    /// A builder for a model whose root object is `root` (such as `Device`).
    pub fn builder(root: &str) -> SupportedModelBuilder {
        let mut builder = SupportedModelBuilder {
            objects: Vec::new(),
            by_path: HashMap::new(),
            errors: Vec::new(),
        };
        builder.insert_object(&format!("{root}."), ObjectAccess::ReadOnly);
        builder
    }

    /// The root object.
    pub fn root(&self) -> ObjectId {
        ObjectId(0)
    }

    /// The definition of an object.
    ///
    /// # Panics
    ///
    /// If `id` comes from another model.
    pub fn object(&self, id: ObjectId) -> &ObjectDef {
        &self.objects[id.0]
    }

    /// The object of a Supported Data Model object path (`Device.IP.Interface.{i}.`;
    /// the final `{i}.` may be left out).
    pub fn object_by_path(&self, path: &str) -> Option<ObjectId> {
        if let Some(id) = self.by_path.get(path) {
            return Some(*id);
        }
        self.by_path.get(&format!("{path}{{i}}.")).copied()
    }

    /// Every object, in definition order (parents before children).
    pub fn objects(&self) -> impl ExactSizeIterator<Item = (ObjectId, &ObjectDef)> {
        self.objects
            .iter()
            .enumerate()
            .map(|(i, o)| (ObjectId(i), o))
    }

    /// Looks up a Supported Data Model path (`Device.IP.Interface.{i}.Name`), or an
    /// instantiated path without search or reference following
    /// (`Device.IP.Interface.3.Name`, `Device.IP.Interface.*.`), to its definition. The
    /// final `{i}.` of a table may be left out, as GetSupportedDM allows.
    pub fn lookup(&self, path: &str) -> Option<Node<'_>> {
        let supported: SupportedPath = match path.parse::<SupportedPath>() {
            Ok(p) => p,
            Err(_) => {
                let p: Path = path.parse().ok()?;
                if p.has_reference() || p.has_expression() {
                    return None;
                }
                p.to_supported()?
            }
        };
        self.lookup_supported(&supported)
    }

    fn lookup_supported(&self, path: &SupportedPath) -> Option<Node<'_>> {
        let segments: Vec<Segment<'_>> = path.segments().collect();
        let mut id = self.root();
        let Some(Segment::Name(first)) = segments.first() else {
            return None;
        };
        if format!("{first}.") != self.object(id).path {
            return None;
        }
        let mut pending_instance = false;
        let kind = path.kind();
        for (i, segment) in segments.iter().enumerate().skip(1) {
            let last = i + 1 == segments.len();
            match *segment {
                Segment::Placeholder | Segment::Instance(_) | Segment::Wildcard
                    if pending_instance =>
                {
                    pending_instance = false;
                }
                Segment::Name(_) if pending_instance => return None,
                Segment::Name(name) => {
                    let obj = self.object(id);
                    if last && kind == PathKind::Parameter {
                        return obj.param(name).map(|p| Node::Parameter(id, p));
                    }
                    if last && kind == PathKind::Command {
                        return obj.command(name).map(|c| Node::Command(id, c));
                    }
                    if last && kind == PathKind::Event {
                        return obj.event(name).map(|e| Node::Event(id, e));
                    }
                    id = obj.child(name)?;
                    pending_instance = self.object(id).multi;
                }
                _ => return None,
            }
        }
        Some(Node::Object(id, self.object(id)))
    }
}

/// Builds a [`SupportedModel`]; see [`SupportedModel::builder`].
///
/// Objects are given by their Supported Data Model path and must be defined after their
/// parent; a path ending in `{i}.` defines a table. Mistakes are collected and reported
/// by [`build`](Self::build).
#[derive(Debug)]
pub struct SupportedModelBuilder {
    objects: Vec<ObjectDef>,
    by_path: HashMap<String, ObjectId>,
    errors: Vec<SchemaError>,
}

impl SupportedModelBuilder {
    fn insert_object(&mut self, path: &str, access: ObjectAccess) -> Option<ObjectId> {
        let path = normalize_object(path);
        if self.by_path.contains_key(&path) {
            self.errors.push(SchemaError::Duplicate(path));
            return None;
        }
        let (body, multi) = match path.strip_suffix("{i}.") {
            Some(body) => (body, true),
            None => (path.as_str(), false),
        };
        let trimmed = body.strip_suffix('.').unwrap_or(body);
        let (parent_path, name) = match trimmed.rsplit_once('.') {
            Some((parent, name)) => (Some(format!("{parent}.")), name),
            None => (None, trimmed),
        };
        let valid = !name.is_empty()
            && (parent_path.is_some() || !multi)
            && path.parse::<SupportedPath>().is_ok();
        if !valid {
            self.errors.push(SchemaError::InvalidPath(path));
            return None;
        }
        let parent = match parent_path {
            None => None,
            Some(parent_path) => match self.by_path.get(&parent_path) {
                Some(id) => Some(*id),
                None => {
                    self.errors.push(SchemaError::MissingParent(path));
                    return None;
                }
            },
        };
        let id = ObjectId(self.objects.len());
        if let Some(parent) = parent {
            let siblings = &mut self.objects[parent.0];
            if siblings.params.contains_key(name) || siblings.children.contains_key(name) {
                self.errors.push(SchemaError::Duplicate(path));
                return None;
            }
            siblings.children.insert(name.to_owned(), id);
        }
        self.objects.push(ObjectDef {
            path: path.clone(),
            name: name.to_owned(),
            multi,
            access: if multi {
                access
            } else {
                ObjectAccess::ReadOnly
            },
            unique_keys: Vec::new(),
            params: BTreeMap::new(),
            commands: BTreeMap::new(),
            events: BTreeMap::new(),
            children: BTreeMap::new(),
            parent,
        });
        self.by_path.insert(path, id);
        Some(id)
    }

    /// Defines an object (`Device.DeviceInfo.`) or a table (`Device.IP.Interface.{i}.`,
    /// with [`ObjectAccess::ReadOnly`] until [`ObjectBuilder::access`] says otherwise).
    pub fn object(&mut self, path: &str) -> ObjectBuilder<'_> {
        let id = self.insert_object(path, ObjectAccess::ReadOnly);
        ObjectBuilder { builder: self, id }
    }

    /// Opens an object defined before, to add to it.
    pub fn extend(&mut self, path: &str) -> ObjectBuilder<'_> {
        let id = self.by_path.get(&normalize_object(path)).copied();
        if id.is_none() {
            self.errors.push(SchemaError::InvalidPath(path.to_owned()));
        }
        ObjectBuilder { builder: self, id }
    }

    /// Defines a command such as `Device.Reboot()` (sync) or
    /// `Device.ScheduleTimer()` (`asynchronous`), with its argument names.
    pub fn command(&mut self, path: &str, asynchronous: bool, input: &[&str], output: &[&str]) {
        let Some((object, name)) = split_leaf(path, "()") else {
            self.errors.push(SchemaError::InvalidPath(path.to_owned()));
            return;
        };
        let def = CommandDef {
            name: name.to_owned(),
            asynchronous,
            input: input.iter().map(|s| (*s).to_owned()).collect(),
            output: output.iter().map(|s| (*s).to_owned()).collect(),
        };
        self.extend(object).add_command(def);
    }

    /// Defines an event such as `Device.Boot!` with its argument names.
    pub fn event(&mut self, path: &str, args: &[&str]) {
        let Some((object, name)) = split_leaf(path, "!") else {
            self.errors.push(SchemaError::InvalidPath(path.to_owned()));
            return;
        };
        let def = EventDef {
            name: name.to_owned(),
            args: args.iter().map(|s| (*s).to_owned()).collect(),
        };
        self.extend(object).add_event(def);
    }

    /// Checks unique keys and reference targets and returns the model, or the first
    /// mistake.
    pub fn build(mut self) -> Result<SupportedModel, SchemaError> {
        for object in &self.objects {
            for key in object.unique_keys.iter().flatten() {
                if !object.params.contains_key(key) {
                    self.errors.push(SchemaError::UnknownKey {
                        object: object.path.clone(),
                        key: key.clone(),
                    });
                }
            }
            for param in object.params.values() {
                if let Some(target) = param.ty.reference_target()
                    && !self.by_path.contains_key(target)
                {
                    self.errors.push(SchemaError::UnknownTarget {
                        param: format!("{}{}", object.path, param.name),
                        target: target.to_owned(),
                    });
                }
            }
        }
        if let Some(error) = self.errors.into_iter().next() {
            return Err(error);
        }
        Ok(SupportedModel {
            objects: self.objects,
            by_path: self.by_path,
        })
    }
}

/// Adds to one object; see [`SupportedModelBuilder::object`].
#[derive(Debug)]
pub struct ObjectBuilder<'a> {
    builder: &'a mut SupportedModelBuilder,
    id: Option<ObjectId>,
}

impl ObjectBuilder<'_> {
    fn def(&mut self) -> Option<&mut ObjectDef> {
        self.id.map(|id| &mut self.builder.objects[id.0])
    }

    /// Sets the Add/Delete access of a table (ignored for a single-instance object).
    pub fn access(mut self, access: ObjectAccess) -> Self {
        if let Some(def) = self.def()
            && def.multi
        {
            def.access = access;
        }
        self
    }

    /// Adds a unique key set.
    pub fn unique_key(mut self, params: &[&str]) -> Self {
        if let Some(def) = self.def() {
            def.unique_keys
                .push(params.iter().map(|s| (*s).to_owned()).collect());
        }
        self
    }

    /// Adds a read-only parameter.
    pub fn param(self, name: &str, ty: ParamType) -> Self {
        self.param_with(name, ty, ParamAccess::ReadOnly)
    }

    /// Adds a read-write parameter.
    pub fn writable(self, name: &str, ty: ParamType) -> Self {
        self.param_with(name, ty, ParamAccess::ReadWrite)
    }

    /// Adds a parameter with the given access.
    pub fn param_with(self, name: &str, ty: ParamType, access: ParamAccess) -> Self {
        let Some(id) = self.id else { return self };
        let def = &mut self.builder.objects[id.0];
        if def.params.contains_key(name) || def.children.contains_key(name) {
            let path = format!("{}{name}", def.path);
            self.builder.errors.push(SchemaError::Duplicate(path));
            return self;
        }
        let param = ParamDef {
            name: name.to_owned(),
            ty,
            access,
        };
        def.params.insert(name.to_owned(), param);
        self
    }

    fn add_command(self, def: CommandDef) {
        let Some(id) = self.id else { return };
        let obj = &mut self.builder.objects[id.0];
        if obj.commands.contains_key(&def.name) {
            let path = format!("{}{}()", obj.path, def.name);
            self.builder.errors.push(SchemaError::Duplicate(path));
        } else {
            obj.commands.insert(def.name.clone(), def);
        }
    }

    fn add_event(self, def: EventDef) {
        let Some(id) = self.id else { return };
        let obj = &mut self.builder.objects[id.0];
        if obj.events.contains_key(&def.name) {
            let path = format!("{}{}!", obj.path, def.name);
            self.builder.errors.push(SchemaError::Duplicate(path));
        } else {
            obj.events.insert(def.name.clone(), def);
        }
    }
}

/// `Device.IP.Interface.{i}` and `Device.IP.Interface.{i}.` → the latter.
fn normalize_object(path: &str) -> String {
    if path.ends_with('.') {
        path.to_owned()
    } else {
        format!("{path}.")
    }
}

/// `Device.X.Reset()` → (`Device.X.`, `Reset`).
fn split_leaf<'p>(path: &'p str, suffix: &str) -> Option<(&'p str, &'p str)> {
    let body = path.strip_suffix(suffix)?;
    let dot = body.rfind('.')?;
    let name = &body[dot + 1..];
    (!name.is_empty()).then(|| (&body[..=dot], name))
}
