//! `map<string, string>` fields: parameters, arguments and unique keys.

use std::borrow::Cow;
use std::fmt;

use usp_record::__private::wire;

use crate::DecodeError;
use crate::codec::{Field, reserve_run};
use crate::decode::{Decoder, LEN, one_byte_key};
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

    /// Reads one entry, the body of a map field, in any layout.
    fn push_entry(&mut self, d: &mut Decoder<'a>, field: &'static str) -> Result<(), DecodeError> {
        let range = d.len_delimited()?;
        let (key, value) = slow_entry(d, range, field)?;
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

/// Reads entries of a map from `rest`, the rest of a message that lies in a valid UTF-8
/// stretch, starting with the length of an entry (its key was read), as long as they have
/// the layout every implementation writes: `0x0a len key 0x12 len value` with lengths below
/// 128, or one of the two fields left out when empty. Follows with the next entry when the
/// next byte is `run`. Returns where it stopped, and whether that is an entry it left to
/// [`slow_entry`] (else it is after the last entry of the run).
#[inline(always)]
fn fast_entries<'a>(
    entries: &mut Vec<(Cow<'a, str>, Cow<'a, str>)>,
    rest: &'a str,
    run: Option<u8>,
) -> (usize, bool) {
    let b = rest.as_bytes();
    let mut at = 0;
    loop {
        let Some((key, value, end)) = fast_entry(b, rest, at) else {
            return (at, true);
        };
        // Kept in wire order; duplicates are resolved by `get` (last wins).
        entries.push((Cow::Borrowed(key), Cow::Borrowed(value)));
        if run.is_none() || b.get(end) != run.as_ref() {
            return (end, false);
        }
        at = end + 1;
    }
}

/// The entry whose length is at `at` in `b` (`rest` as bytes), when it has the common layout
/// (see [`fast_entries`]): its key, its value and where it ends.
#[inline(always)]
fn fast_entry<'a>(b: &[u8], rest: &'a str, at: usize) -> Option<(&'a str, &'a str, usize)> {
    let len = usize::from(*b.get(at).filter(|len| **len < 0x80)?);
    let end = at + 1 + len;
    let mut i = at + 1;
    let (mut key, mut value) = ("", "");
    if b.get(i) == Some(&0x0a) {
        let len = usize::from(*b.get(i + 1).filter(|len| **len < 0x80)?);
        // `get` checks the bounds and the character boundaries; the end check below, that
        // the strings stay inside the entry.
        key = rest.get(i + 2..i + 2 + len)?;
        i += 2 + len;
    }
    if i < end {
        if b.get(i) != Some(&0x12) {
            return None;
        }
        let len = usize::from(*b.get(i + 1).filter(|len| **len < 0x80)?);
        value = rest.get(i + 2..i + 2 + len)?;
        i += 2 + len;
    }
    (i == end).then_some((key, value, end))
}

/// Any other layout of a map entry: fields in any order, repeated, unknown ones skipped.
#[inline(never)]
fn slow_entry<'a>(
    d: &mut Decoder<'a>,
    range: std::ops::Range<usize>,
    field: &'static str,
) -> Result<(&'a str, &'a str), DecodeError> {
    let (mut key, mut value) = ("", "");
    d.within(range, |d| {
        while let Some(k) = d.next_key()? {
            match k {
                0x0a => key = d.string(field)?,
                0x12 => value = d.string(field)?,
                _ => d.skip(k)?,
            }
        }
        Ok(())
    })?;
    Ok((key, value))
}

impl<'a> Field<'a> for Params<'a> {
    const WIRE: u32 = LEN;
    fn decode(
        &mut self,
        d: &mut Decoder<'a>,
        key: u32,
        field: &'static str,
    ) -> Result<(), DecodeError> {
        if key & 7 != LEN {
            return d.skip(key);
        }
        // The entries of a map come one after the other: make room for them all at once,
        // and take them here without going back through the message's field loop, straight
        // from the valid UTF-8 stretch when the message lies in it.
        let run = one_byte_key(key);
        reserve_run(&mut self.entries, d, run);
        loop {
            if let Some(rest) = d.rest_str() {
                let (read, left) = fast_entries(&mut self.entries, rest, run);
                d.advance(read);
                if !left {
                    return Ok(());
                }
            }
            self.push_entry(d, field)?;
            if !d.next_is(run) {
                return Ok(());
            }
        }
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
