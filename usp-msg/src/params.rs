//! `map<string, string>` fields: parameters, arguments and unique keys.

use std::borrow::Cow;
use std::fmt;

use usp_record::__private::wire::{self, Reader, WireType};

use crate::DecodeError;
use crate::codec::{Ctx, Field, text};
use crate::owned::IntoOwned;

/// A protobuf `map<string, string>`: parameter values, command arguments, unique keys.
///
/// Entries keep the order they were received or inserted in, so a decoded Message encodes
/// back to the same bytes. A peer may repeat a key; as in protobuf, the last value wins for
/// [`get`](Self::get), and [`iter`](Self::iter) yields every entry as received.
///
/// ```
/// use usp_msg::Params;
///
/// let mut p: Params<'_> = [("Enable", "true"), ("Alias", "cpe-1")].into_iter().collect();
/// p.insert("Enable", "false");
/// assert_eq!(p.get("Enable"), Some("false"));
/// assert_eq!(p.len(), 2);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params<'a> {
    entries: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Params<'a> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key` (the last one, should a peer have sent it twice).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| &**v)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// Sets `key` to `value`, replacing any value it had.
    pub fn insert(&mut self, key: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) {
        let key = key.into();
        self.entries.retain(|(k, _)| *k != key);
        self.entries.push((key, value.into()));
    }

    /// The entries in order, as `(key, value)`.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.entries.iter().map(|(k, v)| (&**k, &**v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Converts every borrowed string into an owned one.
    pub fn into_owned(self) -> Params<'static> {
        IntoOwned::into_owned(self)
    }

    fn push_entry(
        &mut self,
        ctx: &mut Ctx<'a>,
        range: std::ops::Range<usize>,
        field: &'static str,
    ) -> Result<(), DecodeError> {
        let (key, value) = match fast_entry(ctx, range.clone()) {
            Some(kv) => kv,
            None => slow_entry(ctx, range, field)?,
        };
        // Kept in wire order; duplicates are resolved by `get` (last wins).
        self.entries
            .push((Cow::Borrowed(key), Cow::Borrowed(value)));
        Ok(())
    }

    fn entry_len(k: &str, v: &str) -> usize {
        wire::opt_len_field_len(1, k.len()) + wire::opt_len_field_len(2, v.len())
    }
}

impl<'a, K: Into<Cow<'a, str>>, V: Into<Cow<'a, str>>> FromIterator<(K, V)> for Params<'a> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut p = Self::new();
        p.extend(iter);
        p
    }
}

impl<'a, K: Into<Cow<'a, str>>, V: Into<Cow<'a, str>>> Extend<(K, V)> for Params<'a> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<'a> IntoIterator for Params<'a> {
    type Item = (Cow<'a, str>, Cow<'a, str>);
    type IntoIter = std::vec::IntoIter<(Cow<'a, str>, Cow<'a, str>)>;

    /// The entries in order, so that a `Params` can be passed wherever pairs are taken.
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl fmt::Debug for Params<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl IntoOwned for Params<'_> {
    type Owned = Params<'static>;
    fn into_owned(self) -> Params<'static> {
        Params {
            entries: self
                .entries
                .into_iter()
                .map(|(k, v)| (IntoOwned::into_owned(k), IntoOwned::into_owned(v)))
                .collect(),
        }
    }
}

/// The layout every implementation writes, `0x0a len key 0x12 len value` with lengths below
/// 128 (or one of the two fields left out when empty), parsed without the general loop.
/// Such an entry is valid UTF-8 as a whole when its strings are, so it is looked up once and
/// the key and value are cut from it.
#[inline]
fn fast_entry<'a>(ctx: &mut Ctx<'a>, range: std::ops::Range<usize>) -> Option<(&'a str, &'a str)> {
    let entry = ctx.str_at(range)?;
    let b = entry.as_bytes();
    let (mut key, mut value) = ("", "");
    let mut i = 0;
    if b.first() == Some(&0x0a) {
        let len = usize::from(*b.get(1).filter(|l| **l < 0x80)?);
        key = entry.get(2..2 + len)?;
        i = 2 + len;
    }
    if i < b.len() {
        if b[i] != 0x12 {
            return None;
        }
        let len = usize::from(*b.get(i + 1).filter(|l| **l < 0x80)?);
        value = entry.get(i + 2..i + 2 + len)?;
        i += 2 + len;
    }
    (i == b.len()).then_some((key, value))
}

/// Any other layout of a map entry: fields in any order, repeated, unknown ones skipped.
fn slow_entry<'a>(
    ctx: &mut Ctx<'a>,
    range: std::ops::Range<usize>,
    field: &'static str,
) -> Result<(&'a str, &'a str), DecodeError> {
    let mut entry = Reader::within(ctx.buf, range, 0);
    let (mut key, mut value) = ("", "");
    while !entry.is_empty() {
        match entry.key()? {
            (1, WireType::Len) => key = text(&mut entry, ctx, field)?,
            (2, WireType::Len) => value = text(&mut entry, ctx, field)?,
            (n, wt) => entry.skip(n, wt)?,
        }
    }
    Ok((key, value))
}

impl<'a> Field<'a> for Params<'a> {
    fn merge(
        &mut self,
        number: u32,
        field: &'static str,
        wire_type: WireType,
        reader: &mut Reader<'a>,
        ctx: &mut Ctx<'a>,
    ) -> Result<bool, DecodeError> {
        if wire_type != WireType::Len {
            return Ok(false);
        }
        let before = reader.position();
        let range = reader.len_delimited()?;
        if self.entries.is_empty() {
            // The entries of a map come one after the other and are alike in size: estimate
            // their number from what is left of the message, to allocate once. A wrong
            // estimate only costs a reallocation or some spare room, never more than the
            // remaining input can hold.
            let entry = (reader.position() - before + 1).max(4);
            self.entries.reserve(1 + reader.remaining() / entry);
        }
        self.push_entry(ctx, range, field)?;
        // The following entries of the same map usually come right after: take them here,
        // without going back through the message's field loop.
        if number < 16 {
            let key = (number << 3 | 2) as u8;
            while reader.rest().0.first() == Some(&key) {
                reader.key()?;
                let range = reader.len_delimited()?;
                self.push_entry(ctx, range, field)?;
            }
        }
        Ok(true)
    }

    fn size(&self, number: u32, _: &mut Vec<u32>) -> usize {
        self.entries
            .iter()
            .map(|(k, v)| wire::len_field_len(number, Self::entry_len(k, v)))
            .sum()
    }

    fn write(&self, number: u32, out: &mut Vec<u8>, _: &[u32], _: &mut usize) {
        for (k, v) in &self.entries {
            // Like protobuf-c and prost, an empty key or value is left out of the entry.
            wire::put_len_header(out, number, Self::entry_len(k, v));
            wire::put_opt_bytes(out, 1, k.as_bytes());
            wire::put_opt_bytes(out, 2, v.as_bytes());
        }
    }
}
