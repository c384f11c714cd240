//! The Instantiated Data Model: which instances exist and what their parameters hold.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use crate::InstanceNumber;

/// Read access to an Instantiated Data Model, the part an Agent implements over its
/// real state.
///
/// Paths are concrete and use Instance Numbers only: a table is named by its Object
/// Path under concrete parents (`Device.IP.Interface.1.IPv4Address.`), an object by its
/// Object (Instance) Path with the trailing dot (`Device.IP.Interface.1.`). The engine
/// only asks about paths that the [`SupportedModel`](crate::SupportedModel) defines, and
/// only about tables under instances that exist.
pub trait Instances {
    /// The Instance Numbers of the rows of `table`, in ascending order; empty if none.
    fn instance_numbers(&self, table: &str) -> Vec<InstanceNumber>;

    /// Whether row `n` of `table` exists. The default asks
    /// [`instance_numbers`](Self::instance_numbers).
    fn has_instance(&self, table: &str, n: InstanceNumber) -> bool {
        self.instance_numbers(table).binary_search(&n).is_ok()
    }

    /// The value of parameter `param` of `object`, as a TR-106 literal; `None` if the
    /// object does not report it.
    fn value(&self, object: &str, param: &str) -> Option<Cow<'_, str>>;

    /// The value of parameter `param` of row `n` of `table`: the same as
    /// [`value`](Self::value) of `{table}{n}.`, which the default asks. Searches call it
    /// for every row, so an implementation can answer it without building the path.
    fn row_value(&self, table: &str, n: InstanceNumber, param: &str) -> Option<Cow<'_, str>> {
        self.value(&format!("{table}{n}."), param)
    }

    /// The rows of `table` in ascending order, each with its value of `param`: what a
    /// search reads. The default asks [`instance_numbers`](Self::instance_numbers) and
    /// [`row_value`](Self::row_value); a store that keeps rows together can answer in
    /// one pass.
    fn column(&self, table: &str, param: &str) -> Vec<(InstanceNumber, Option<Cow<'_, str>>)> {
        self.instance_numbers(table)
            .into_iter()
            .map(|n| (n, self.row_value(table, n, param)))
            .collect()
    }
}

impl<T: Instances + ?Sized> Instances for &T {
    fn instance_numbers(&self, table: &str) -> Vec<InstanceNumber> {
        (**self).instance_numbers(table)
    }
    fn has_instance(&self, table: &str, n: InstanceNumber) -> bool {
        (**self).has_instance(table, n)
    }
    fn value(&self, object: &str, param: &str) -> Option<Cow<'_, str>> {
        (**self).value(object, param)
    }
    fn row_value(&self, table: &str, n: InstanceNumber, param: &str) -> Option<Cow<'_, str>> {
        (**self).row_value(table, n, param)
    }
    fn column(&self, table: &str, param: &str) -> Vec<(InstanceNumber, Option<Cow<'_, str>>)> {
        (**self).column(table, param)
    }
}

/// An in-memory Instantiated Data Model.
///
/// It does not check against a Supported Data Model: it stores what it is told.
///
/// ```
/// use usp_datamodel::{InstanceNumber, Instances, MemoryInstances};
///
/// let mut data = MemoryInstances::new();
/// data.set("Device.DeviceInfo.", "ModelName", "X1");
/// let n = data.add_instance("Device.IP.Interface.");
/// assert_eq!(n.get(), 1);
/// data.set("Device.IP.Interface.1.", "Name", "eth0");
/// assert_eq!(data.value("Device.IP.Interface.1.", "Name").as_deref(), Some("eth0"));
/// assert_eq!(data.instance_numbers("Device.IP.Interface."), [n]);
/// assert!(data.delete_instance("Device.IP.Interface.", n));
/// assert!(data.value("Device.IP.Interface.1.", "Name").is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct MemoryInstances {
    /// Rows by table, with the values of each row.
    tables: HashMap<String, BTreeMap<InstanceNumber, Values>>,
    next: HashMap<String, u32>,
    /// Values of objects that are not rows (`Device.DeviceInfo.`, `...1.Stats.`).
    values: HashMap<String, Values>,
}

type Values = BTreeMap<String, String>;

/// `Device.IP.Interface.3.` → (`Device.IP.Interface.`, 3).
fn split_row(object: &str) -> Option<(&str, InstanceNumber)> {
    let body = object.strip_suffix('.')?;
    let dot = body.rfind('.')?;
    let n = body[dot + 1..].parse().ok()?;
    Some((&object[..=dot], n))
}

impl MemoryInstances {
    /// An empty model.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a row to `table` (`Device.IP.Interface.`) with the next unused Instance
    /// Number (never reused, R-ARC.8) and returns it.
    ///
    /// # Panics
    ///
    /// After 4294967295 rows.
    pub fn add_instance(&mut self, table: &str) -> InstanceNumber {
        let next = self.next.entry(table.to_owned()).or_insert(1);
        let n = InstanceNumber::new(*next).expect("Instance Numbers exhausted");
        *next = next.saturating_add(1);
        self.tables
            .entry(table.to_owned())
            .or_default()
            .insert(n, Values::new());
        n
    }

    /// Adds row `n` to `table`; `false` if it exists.
    pub fn insert_instance(&mut self, table: &str, n: InstanceNumber) -> bool {
        let next = self.next.entry(table.to_owned()).or_insert(1);
        *next = (*next).max(n.get().saturating_add(1));
        let rows = self.tables.entry(table.to_owned()).or_default();
        if rows.contains_key(&n) {
            return false;
        }
        rows.insert(n, Values::new());
        true
    }

    /// Deletes row `n` of `table`, its values and everything below it; `false` if it
    /// does not exist.
    pub fn delete_instance(&mut self, table: &str, n: InstanceNumber) -> bool {
        let removed = self
            .tables
            .get_mut(table)
            .is_some_and(|rows| rows.remove(&n).is_some());
        if removed {
            let prefix = format!("{table}{n}.");
            self.values.retain(|path, _| !path.starts_with(&prefix));
            self.tables.retain(|path, _| !path.starts_with(&prefix));
        }
        removed
    }

    /// Sets parameter `param` of `object` (`Device.IP.Interface.1.`).
    pub fn set(&mut self, object: &str, param: &str, value: impl Into<String>) {
        if let Some((table, n)) = split_row(object)
            && let Some(row) = self.tables.get_mut(table).and_then(|rows| rows.get_mut(&n))
        {
            row.insert(param.to_owned(), value.into());
            return;
        }
        self.values
            .entry(object.to_owned())
            .or_default()
            .insert(param.to_owned(), value.into());
    }
}

impl Instances for MemoryInstances {
    fn instance_numbers(&self, table: &str) -> Vec<InstanceNumber> {
        self.tables
            .get(table)
            .map(|rows| rows.keys().copied().collect())
            .unwrap_or_default()
    }

    fn has_instance(&self, table: &str, n: InstanceNumber) -> bool {
        self.tables
            .get(table)
            .is_some_and(|rows| rows.contains_key(&n))
    }

    fn value(&self, object: &str, param: &str) -> Option<Cow<'_, str>> {
        if let Some((table, n)) = split_row(object)
            && let Some(row) = self.tables.get(table).and_then(|rows| rows.get(&n))
        {
            return row.get(param).map(|v| Cow::Borrowed(v.as_str()));
        }
        self.values
            .get(object)?
            .get(param)
            .map(|v| Cow::Borrowed(v.as_str()))
    }

    fn row_value(&self, table: &str, n: InstanceNumber, param: &str) -> Option<Cow<'_, str>> {
        let v = self.tables.get(table)?.get(&n)?.get(param)?;
        Some(Cow::Borrowed(v.as_str()))
    }

    fn column(&self, table: &str, param: &str) -> Vec<(InstanceNumber, Option<Cow<'_, str>>)> {
        let Some(rows) = self.tables.get(table) else {
            return Vec::new();
        };
        rows.iter()
            .map(|(n, row)| (*n, row.get(param).map(|v| Cow::Borrowed(v.as_str()))))
            .collect()
    }
}
