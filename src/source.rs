//! Where input files come from: a folder on disk (paths relative to the manifest) or the
//! demo borough embedded in the binary.

use std::path::{Path, PathBuf};

/// The largest input file placeplan reads (after decompression, for gzip): 2 GiB. A bigger
/// file, or one that never ends (a device, a pipe), is refused with this in words.
pub const MAX_INPUT_BYTES: u64 = 2 << 30;

/// The error for an input over [`MAX_INPUT_BYTES`].
#[must_use]
pub fn too_large() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::FileTooLarge,
        format!(
            "larger than {} GiB, the most placeplan reads from one file; use generalised boundaries (BGC/BSC) or split it",
            MAX_INPUT_BYTES >> 30
        ),
    )
}

/// Reads at most [`MAX_INPUT_BYTES`] from `r`.
///
/// # Errors
/// The I/O error, or [`too_large`].
pub fn read_bounded(r: impl std::io::Read, size_hint: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    if size_hint > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    let mut out = Vec::with_capacity(usize::try_from(size_hint).unwrap_or(0));
    r.take(MAX_INPUT_BYTES + 1).read_to_end(&mut out)?;
    if out.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    Ok(out)
}

/// Opens `path` for reading as a data file, with its length: not a folder or a device.
fn open_data_file(path: &Path) -> std::io::Result<(std::fs::File, u64)> {
    let f = std::fs::File::open(path)?;
    let meta = f.metadata()?;
    if meta.is_dir() {
        return Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a folder, not a file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_char_device() || t.is_block_device() || t.is_socket() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "is a device, not a data file",
            ));
        }
    }
    Ok((f, if meta.is_file() { meta.len() } else { 0 }))
}

/// A place to read input files from.
#[derive(Clone, Debug)]
pub enum FileSource {
    /// Files relative to a directory (the manifest's folder).
    Disk(PathBuf),
    /// Files compiled into the binary: `(relative path, bytes)`.
    Embedded(&'static [(&'static str, &'static [u8])]),
    /// Files held in memory: `(relative path, bytes)` (tests, fuzzing, uploads).
    Memory(std::sync::Arc<Vec<(String, Vec<u8>)>>),
    /// Files relative to a directory, as [`FileSource::Disk`], with a note of every file asked
    /// for and a hash of what it held: what a snapshot of the load depends on.
    Watched(std::sync::Arc<Watched>),
}

/// What a load asked of a folder: each file, and whether it was there and what it held.
#[derive(Debug)]
pub struct Watched {
    /// The folder (the manifest's).
    pub dir: PathBuf,
    seen: std::sync::Mutex<Vec<(String, Seen)>>,
}

/// What one file was when a load asked for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// Not there (or not readable).
    Absent,
    /// There; only its presence was asked.
    Present,
    /// Read: its bytes' 64-bit XXH3 hash.
    Read(u64),
}

impl Watched {
    /// A watch over `dir`, with nothing seen yet.
    #[must_use]
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            seen: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn note(&self, rel: &str, seen: Seen) {
        if let Ok(mut v) = self.seen.lock() {
            v.push((rel.to_owned(), seen));
        }
    }

    /// Every file asked for, once each (the strongest note kept: a read over a presence).
    #[must_use]
    pub fn seen(&self) -> Vec<(String, Seen)> {
        let mut by: std::collections::BTreeMap<String, Seen> = std::collections::BTreeMap::new();
        for (rel, s) in self.seen.lock().map(|v| v.clone()).unwrap_or_default() {
            let e = by.entry(rel).or_insert(s);
            if matches!(s, Seen::Read(_)) || *e == Seen::Absent {
                *e = s;
            }
        }
        by.into_iter().collect()
    }

    /// What `rel` is now, as [`Seen`] would say after asking as `was` was asked.
    #[must_use]
    pub fn now(&self, rel: &str, was: Seen) -> Seen {
        match was {
            Seen::Absent | Seen::Present => {
                if self.dir.join(rel).is_file() {
                    Seen::Present
                } else {
                    Seen::Absent
                }
            }
            Seen::Read(_) => self.hashed(rel),
        }
    }

    /// `rel` read now and hashed: what [`FileSource::read`] would give, hashed as it streams
    /// through one buffer rather than held whole (all England's inputs are 150 MB).
    fn hashed(&self, rel: &str) -> Seen {
        use std::hash::Hasher as _;
        use std::io::Read as _;
        let Ok((f, len)) = open_data_file(&self.dir.join(rel)) else {
            return Seen::Absent;
        };
        if len > MAX_INPUT_BYTES {
            return Seen::Absent;
        }
        let mut h = twox_hash::XxHash3_64::with_seed(0);
        let mut r = f.take(MAX_INPUT_BYTES + 1);
        let mut buf = vec![0u8; 1 << 20];
        let mut total = 0u64;
        loop {
            match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    h.write(&buf[..n]);
                    total += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Seen::Absent,
            }
        }
        if total > MAX_INPUT_BYTES {
            return Seen::Absent;
        }
        Seen::Read(h.finish())
    }
}

/// The 64-bit XXH3 hash of `bytes` (what a snapshot checks its inputs by).
#[must_use]
pub fn hash(bytes: &[u8]) -> u64 {
    twox_hash::XxHash3_64::oneshot(bytes)
}

impl FileSource {
    /// Reads `rel`, at most [`MAX_INPUT_BYTES`].
    ///
    /// # Errors
    /// The I/O error, [`too_large`], or `NotFound` for an embedded file that does not exist.
    pub fn read(&self, rel: &str) -> std::io::Result<Vec<u8>> {
        match self {
            FileSource::Disk(base) => {
                let (f, len) = open_data_file(&base.join(rel))?;
                read_bounded(f, len)
            }
            FileSource::Embedded(files) => files
                .iter()
                .find(|(p, _)| *p == rel)
                .map(|(_, b)| b.to_vec())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, format!("{rel} is not embedded"))),
            FileSource::Memory(files) => files
                .iter()
                .find(|(p, _)| p == rel)
                .map(|(_, b)| b.clone())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, format!("{rel} is not there"))),
            FileSource::Watched(w) => {
                let r = FileSource::Disk(w.dir.clone()).read(rel);
                w.note(rel, r.as_ref().map_or(Seen::Absent, |b| Seen::Read(hash(b))));
                r
            }
        }
    }

    /// The file on disk that `rel` names, for a reader that opens files itself (SQLite): `None`
    /// for embedded and in-memory files, which are read with [`FileSource::read`].
    #[must_use]
    pub fn local_path(&self, rel: &str) -> Option<PathBuf> {
        match self {
            FileSource::Disk(base) => Some(base.join(rel)),
            FileSource::Watched(w) => {
                w.note(rel, w.hashed(rel));
                Some(w.dir.join(rel))
            }
            FileSource::Embedded(_) | FileSource::Memory(_) => None,
        }
    }

    /// True when `rel` exists.
    #[must_use]
    pub fn exists(&self, rel: &str) -> bool {
        match self {
            FileSource::Disk(base) => base.join(rel).is_file(),
            FileSource::Embedded(files) => files.iter().any(|(p, _)| *p == rel),
            FileSource::Memory(files) => files.iter().any(|(p, _)| p == rel),
            FileSource::Watched(w) => {
                let there = w.dir.join(rel).is_file();
                w.note(rel, if there { Seen::Present } else { Seen::Absent });
                there
            }
        }
    }

    /// How to name `rel` in messages (the path as written in the manifest, or `demo:`).
    #[must_use]
    pub fn display(&self, rel: &str) -> String {
        match self {
            FileSource::Disk(_) | FileSource::Memory(_) | FileSource::Watched(_) => rel.to_owned(),
            FileSource::Embedded(_) => format!("demo:{rel}"),
        }
    }
}

/// Replaces the extension of a relative path (`a/b.shp` → `a/b.dbf`).
#[must_use]
pub fn with_extension(rel: &str, ext: &str) -> String {
    Path::new(rel).with_extension(ext).to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file hashed as it streams gives what hashing its bytes whole gives, whatever its size
    /// against the buffer: the snapshot's check and its write agree.
    #[test]
    fn streamed_hash_is_the_hash_of_the_whole() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut rng = crate::stats::rng::SplitMix::new(7);
        for (name, len) in [("empty", 0usize), ("small", 100), ("mid", 241), ("big", (1 << 20) * 2 + 12_345)] {
            let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
            std::fs::write(dir.path().join(name), &bytes).expect("written");
            let w = Watched::new(dir.path().to_path_buf());
            assert_eq!(w.hashed(name), Seen::Read(hash(&bytes)), "{name}");
        }
        let w = Watched::new(dir.path().to_path_buf());
        assert_eq!(w.hashed("not-there"), Seen::Absent);
        assert_eq!(w.hashed("."), Seen::Absent);
    }
}
