//! Batches of newline-delimited JSON written to files, flushed on size or on age, the way a
//! Firehose delivery stream delivers: each flush is one new file, written whole (under a
//! temporary name, then renamed), so a reader never sees half a batch.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// When a batch is flushed.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct BatchLimits {
    /// At most this many records per file.
    pub records: usize,
    /// At most about this many bytes per file (a batch is flushed once it reaches it).
    pub bytes: usize,
    /// A batch is flushed when its first record is this old.
    pub age: Duration,
}

impl BatchLimits {
    /// Limits of `records` records, `bytes` bytes and `age`.
    pub fn new(records: usize, bytes: usize, age: Duration) -> Self {
        Self {
            records: records.max(1),
            bytes: bytes.max(1),
            age,
        }
    }
}

/// Collects JSON lines and writes them out in batches.
#[derive(Debug)]
pub struct BatchWriter {
    dir: PathBuf,
    prefix: String,
    limits: BatchLimits,
    buf: Vec<u8>,
    records: usize,
    first_at: Option<Instant>,
    files: u64,
}

impl BatchWriter {
    /// Writes `<prefix>-<n>.ndjson` files into `dir` (created if missing).
    pub fn new(dir: impl Into<PathBuf>, prefix: &str, limits: BatchLimits) -> io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(Self {
            dir,
            prefix: prefix.to_owned(),
            limits,
            buf: Vec::new(),
            records: 0,
            first_at: None,
            files: 0,
        })
    }

    /// Adds one record (a JSON value on one line); flushes when the batch is full.
    /// Returns the file written, if any.
    pub fn push(&mut self, json_line: &str, now: Instant) -> io::Result<Option<PathBuf>> {
        debug_assert!(!json_line.contains('\n'));
        self.buf.extend_from_slice(json_line.as_bytes());
        self.buf.push(b'\n');
        self.records += 1;
        self.first_at.get_or_insert(now);
        if self.records >= self.limits.records || self.buf.len() >= self.limits.bytes {
            return self.flush();
        }
        Ok(None)
    }

    /// When the current batch must be flushed by age, if there is one.
    pub fn deadline(&self) -> Option<Instant> {
        self.first_at.map(|t| t + self.limits.age)
    }

    /// Flushes the batch if it is old enough.
    pub fn tick(&mut self, now: Instant) -> io::Result<Option<PathBuf>> {
        match self.deadline() {
            Some(d) if d <= now => self.flush(),
            _ => Ok(None),
        }
    }

    /// Writes the current batch, if it has records, to a new file.
    pub fn flush(&mut self) -> io::Result<Option<PathBuf>> {
        if self.records == 0 {
            return Ok(None);
        }
        self.files += 1;
        let name = format!("{}-{:06}.ndjson", self.prefix, self.files);
        let path = self.dir.join(&name);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, &self.buf)?;
        std::fs::rename(&tmp, &path)?;
        self.buf.clear();
        self.records = 0;
        self.first_at = None;
        Ok(Some(path))
    }

    /// The folder the files go to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("usp-batch-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn flushes_on_count_size_and_age() {
        let dir = temp("limits");
        let t0 = Instant::now();
        let mut w = BatchWriter::new(
            &dir,
            "t",
            BatchLimits::new(3, 1000, Duration::from_secs(60)),
        )
        .unwrap();
        assert!(w.push("{\"a\":1}", t0).unwrap().is_none());
        assert!(w.push("{\"a\":2}", t0).unwrap().is_none());
        let first = w
            .push("{\"a\":3}", t0)
            .unwrap()
            .expect("three records fill a batch");
        assert_eq!(
            std::fs::read_to_string(&first).unwrap(),
            "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n"
        );

        // Age: nothing before the deadline, a file at it.
        w.push("{\"b\":1}", t0).unwrap();
        assert!(w.tick(t0 + Duration::from_secs(59)).unwrap().is_none());
        let aged = w
            .tick(t0 + Duration::from_secs(60))
            .unwrap()
            .expect("old enough");
        assert_eq!(std::fs::read_to_string(&aged).unwrap(), "{\"b\":1}\n");
        assert!(
            w.tick(t0 + Duration::from_secs(600)).unwrap().is_none(),
            "empty batches are not written"
        );

        // Size.
        let mut w = BatchWriter::new(
            &dir,
            "s",
            BatchLimits::new(100, 10, Duration::from_secs(60)),
        )
        .unwrap();
        assert!(w.push("{\"long\":\"value\"}", t0).unwrap().is_some());
        let files = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(files, 3, "no temporary file is left behind");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
