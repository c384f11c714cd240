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
/// A decoded map whose entries came one after the other in the layout every encoder writes
/// keeps them as that stretch of the input: decoding checks every entry (layout, UTF-8) and
/// counts them, and reading splits them into keys and values as it goes, without allocating.
/// The first change ([`insert`](Self::insert), [`extend`](Extend::extend)) turns the map
/// into a list of its entries. Either way the map behaves the same.
///
/// ```
/// use usp_msg::Params;
///
/// let mut p: Params<'_> = [("Enable", "true"), ("Alias", "cpe-1")].into_iter().collect();
/// p.insert("Enable", "false");
/// assert_eq!(p.get("Enable"), Some("false"));
/// assert_eq!(p.len(), 2);
/// ```
#[derive(Clone, Default)]
pub struct Params<'a> {
    repr: Repr<'a>,
}

/// How a [`Params`] holds its entries.
#[derive(Clone)]
enum Repr<'a> {
    /// Entries built, edited, or decoded in another layout, in order.
    List(Vec<(Cow<'a, str>, Cow<'a, str>)>),
    /// Entries as decoded (see [`Run`]).
    Run(Run<'a>),
}

impl Default for Repr<'_> {
    fn default() -> Self {
        Self::List(Vec::new())
    }
}

/// A run of map entries as they were received: `text` goes from the length of the first
/// entry to the end of the last, with the field's key (`key`) between entries; every entry
/// has the layout [`fast_entry`] reads, which decoding checked.
#[derive(Clone, Copy)]
struct Run<'a> {
    text: &'a str,
    len: usize,
    key: u8,
}

impl<'a> Run<'a> {
    fn iter(self) -> RunIter<'a> {
        RunIter {
            text: self.text,
            at: 0,
            left: self.len,
        }
    }
}

/// The entries of a [`Run`], split as they are read.
struct RunIter<'a> {
    text: &'a str,
    at: usize,
    left: usize,
}

impl<'a> Iterator for RunIter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        // Decoding checked every entry: this finds each one.
        let (key, value, end) = fast_entry(self.text.as_bytes(), self.text, self.at)?;
        self.at = end + 1;
        self.left -= 1;
        Some((key, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

/// The entries of a [`Params`], as `(key, value)`.
enum Iter<'p> {
    List(std::slice::Iter<'p, (Cow<'p, str>, Cow<'p, str>)>),
    Run(RunIter<'p>),
}

impl<'p> Iterator for Iter<'p> {
    type Item = (&'p str, &'p str);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::List(entries) => entries.next().map(|(k, v)| (&**k, &**v)),
            Self::Run(run) => run.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Self::List(entries) => entries.size_hint(),
            Self::Run(run) => run.size_hint(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> Params<'a> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key` (the last one, should a peer have sent it twice).
    pub fn get(&self, key: &str) -> Option<&str> {
        match &self.repr {
            Repr::List(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| &**v),
            Repr::Run(run) => run.iter().filter(|(k, _)| *k == key).last().map(|(_, v)| v),
        }
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.iter().any(|(k, _)| k == key)
    }

    /// Sets `key` to `value`, replacing any value it had.
    pub fn insert(&mut self, key: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) {
        let key = key.into();
        let mut entries = self.take_list();
        entries.retain(|(k, _)| *k != key);
        entries.push((key, value.into()));
        self.repr = Repr::List(entries);
    }

    /// The entries in order, as `(key, value)`.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        match &self.repr {
            Repr::List(entries) => Iter::List(entries.iter()),
            Repr::Run(run) => Iter::Run(run.iter()),
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::List(entries) => entries.len(),
            Repr::Run(run) => run.len,
        }
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries as a list, taken out of `self` (a run is split into one), for a change
    /// after which the caller puts the list back.
    fn take_list(&mut self) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
        match std::mem::take(&mut self.repr) {
            Repr::List(entries) => entries,
            Repr::Run(run) => run
                .iter()
                .map(|(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v)))
                .collect(),
        }
    }

    /// Converts every borrowed string into an owned one.
    pub fn into_owned(self) -> Params<'static> {
        IntoOwned::into_owned(self)
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
    fn into_iter(mut self) -> Self::IntoIter {
        self.take_list().into_iter()
    }
}

impl fmt::Debug for Params<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Entries in the same order, each with the same key and value.
impl PartialEq for Params<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Params<'_> {}

impl IntoOwned for Params<'_> {
    type Owned = Params<'static>;
    fn into_owned(self) -> Params<'static> {
        let entries = match self.repr {
            // Strings already owned are moved, not copied.
            Repr::List(entries) => entries
                .into_iter()
                .map(|(k, v)| (IntoOwned::into_owned(k), IntoOwned::into_owned(v)))
                .collect(),
            Repr::Run(run) => run
                .iter()
                .map(|(k, v)| (Cow::Owned(k.to_owned()), Cow::Owned(v.to_owned())))
                .collect(),
        };
        Params {
            repr: Repr::List(entries),
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
    // `i < end`: an empty entry is followed by the next key, 0x0a itself for a map in field 1.
    if i < end && b.get(i) == Some(&0x0a) {
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

/// Reads the entries of a map into `entries`, from the one whose key was just read, in any
/// layout; the entries that follow it with the same one-byte key (`run`) are read here
/// too, without going back through the message's field loop.
fn decode_list<'a>(
    entries: &mut Vec<(Cow<'a, str>, Cow<'a, str>)>,
    d: &mut Decoder<'a>,
    run: Option<u8>,
    field: &'static str,
) -> Result<(), DecodeError> {
    reserve_run(entries, d, run);
    loop {
        if let Some(rest) = d.rest_str() {
            let (read, left) = fast_entries(entries, rest, run);
            d.advance(read);
            if !left {
                return Ok(());
            }
        }
        let range = d.len_delimited()?;
        let (key, value) = slow_entry(d, range, field)?;
        // Kept in wire order; duplicates are resolved by `get` (last wins).
        entries.push((Cow::Borrowed(key), Cow::Borrowed(value)));
        if !d.next_is(run) {
            return Ok(());
        }
    }
}

/// The run of map entries at the start of `b`, which starts with the length of the first
/// entry (its key was read): where it ends and how many entries it has, when every entry
/// has the layout the encoder writes (`0x0a len key 0x12 len value`, lengths below 128, a
/// field left out exactly when it is empty) and the next one follows with the key `key`.
///
/// In valid UTF-8 no character holds a byte below 0x80 and no continuation byte follows
/// one, so in such a run every string starts and ends on a character boundary but the
/// last, which ends where the run does.
fn scan_run(b: &[u8], key: u8) -> Option<(usize, usize)> {
    let mut at = 0;
    let mut count = 0;
    loop {
        let end = canonical_entry(b, at)?;
        count += 1;
        if b.get(end) != Some(&key) {
            return Some((end, count));
        }
        at = end + 1;
    }
}

/// The end of the entry whose length is at `at` in `b`, when it has the layout the encoder
/// writes (see [`scan_run`]). The same layout as [`fast_entry`] reads, which must accept
/// every entry this does (a run is read back with it), checked on bytes only: one parser
/// serving both measured 3% slower decoding and 8% slower reading.
#[inline(always)]
fn canonical_entry(b: &[u8], at: usize) -> Option<usize> {
    let len = usize::from(*b.get(at).filter(|len| **len < 0x80)?);
    let end = at + 1 + len;
    if end > b.len() {
        return None;
    }
    let mut i = at + 1;
    for tag in [0x0a, 0x12] {
        if i < end && b.get(i) == Some(&tag) {
            let len = usize::from(*b.get(i + 1).filter(|len| (1..0x80).contains(*len))?);
            i += 2 + len;
        }
    }
    (i == end).then_some(end)
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
        let run = one_byte_key(key);
        // The common case: the map is read in one run, in the layout every encoder writes,
        // from the valid UTF-8 stretch. It is checked and kept as it is.
        if let (Repr::List(entries), Some(run_key), Some(rest)) = (&self.repr, run, d.rest_str())
            && entries.is_empty()
            && let Some((read, len)) = scan_run(rest.as_bytes(), run_key)
            // `get` checks that the run ends on a character boundary: then so does every
            // string in it (see `scan_run`).
            && let Some(text) = rest.get(..read)
        {
            self.repr = Repr::Run(Run {
                text,
                len,
                key: run_key,
            });
            d.advance(read);
            return Ok(());
        }
        let mut entries = self.take_list();
        let result = decode_list(&mut entries, d, run, field);
        self.repr = Repr::List(entries);
        result
    }

    fn size(&self, number: u32, _: &mut Vec<u32>) -> usize {
        match &self.repr {
            // A run read from this field is written back as it is: its layout is the one
            // written below.
            Repr::Run(run) if u32::from(run.key) == number << 3 | LEN => 1 + run.text.len(),
            _ => self
                .iter()
                .map(|(k, v)| wire::len_field_len(number, Self::entry_len(k, v)))
                .sum(),
        }
    }

    fn write(&self, number: u32, out: &mut Vec<u8>, _: &[u32], _: &mut usize) {
        if let Repr::Run(run) = &self.repr
            && u32::from(run.key) == number << 3 | LEN
        {
            out.push(run.key);
            out.extend_from_slice(run.text.as_bytes());
            return;
        }
        for (k, v) in self.iter() {
            // Like protobuf-c and prost, an empty key or value is left out of the entry.
            wire::put_len_header(out, number, Self::entry_len(k, v));
            wire::put_opt_bytes(out, 1, k.as_bytes());
            wire::put_opt_bytes(out, 2, v.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_run_scan_run_accepts_reads_back_whole() {
        // Byte strings over the bytes that matter (keys, small lengths, text): whenever
        // `scan_run` accepts a run, iterating it gives exactly its count of entries, and
        // the list reading (`fast_entries`) agrees.
        const BYTES: &[u8] = &[0x0a, 0x12, 0x1a, 0, 1, 2, 3, b'a', b'b'];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut accepted = 0;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 12) as usize;
            let b: Vec<u8> = (0..len)
                .map(|i| BYTES[((state >> (4 * i + 8)) % BYTES.len() as u64) as usize])
                .collect();
            let text = std::str::from_utf8(&b).unwrap();
            for key in [0x0a, 0x12, 0x1a] {
                let Some((read, count)) = scan_run(&b, key) else {
                    continue;
                };
                accepted += 1;
                let run = Run {
                    text: &text[..read],
                    len: count,
                    key,
                };
                let entries: Vec<_> = run.iter().collect();
                assert_eq!(entries.len(), count, "{b:02x?} key {key:#x}");
                let mut list = Vec::new();
                let (list_read, left) = fast_entries(&mut list, text, Some(key));
                assert!(!left && list_read == read, "{b:02x?} key {key:#x}");
                let list: Vec<_> = list.iter().map(|(k, v)| (&**k, &**v)).collect();
                assert_eq!(entries, list, "{b:02x?} key {key:#x}");
            }
        }
        assert!(accepted > 1000, "{accepted}");
    }
}
