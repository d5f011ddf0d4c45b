//! The snapshot cache: a joined base written once and read back by the next command on the same
//! manifest, so that reading, repairing and joining (seconds on all England) happen once.
//!
//! A snapshot is keyed on everything a load depends on besides its files: this format, the
//! placeplan build (its version and its executable's size and time), the manifest's folder and
//! the manifest as read (settings included). Inside, it lists every file the load asked for —
//! shapefile sidecars and absent optional files too ([`crate::source::Watched`]) — with a hash of
//! what each held; it is used only when every one is still the same, and its own bytes hash to
//! what was written. Anything else is a miss, and the data loads afresh (and a new snapshot is
//! written). The base comes back exactly ([`crate::codec`]): every figure is the same as a fresh
//! load's, to the last bit.
//!
//! Where: `PLACEPLAN_CACHE_DIR`, else `$XDG_CACHE_HOME/placeplan`, else `~/.cache/placeplan`;
//! the newest [`KEEP`] snapshots are kept. `--no-cache` reads and writes none.

use crate::base::Base;
use crate::codec::{Codec, DecodeError, Reader};
use crate::manifest::Manifest;
use crate::source::{Seen, Watched};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The snapshot format; a change to [`crate::codec`] or to what [`Base::encode`] writes bumps it.
pub const FORMAT: u32 = 2;

/// How many snapshots a cache folder keeps (the newest).
pub const KEEP: usize = 4;

const MAGIC: &[u8; 8] = b"PPSNAP\r\n";

/// A folder of snapshots.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

/// Why a snapshot was not used.
#[derive(Debug, thiserror::Error)]
pub enum Miss {
    /// None was written for this manifest and build.
    #[error("no snapshot for this manifest and build")]
    None,
    /// An input is not what it was.
    #[error("{0} changed since the snapshot")]
    Changed(String),
    /// The file is not a whole snapshot of this format.
    #[error("the snapshot is damaged ({0})")]
    Damaged(String),
}

impl From<DecodeError> for Miss {
    fn from(e: DecodeError) -> Self {
        Miss::Damaged(e.to_string())
    }
}

impl Cache {
    /// The cache folder of this user: `PLACEPLAN_CACHE_DIR`, `$XDG_CACHE_HOME/placeplan` or
    /// `~/.cache/placeplan`; `None` when none is set.
    #[must_use]
    pub fn of_user() -> Option<Self> {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let dir = env("PLACEPLAN_CACHE_DIR")
            .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("placeplan")))
            .or_else(|| env("HOME").map(|h| h.join(".cache").join("placeplan")))?;
        Some(Self { dir })
    }

    /// A cache in `dir`.
    #[must_use]
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// The folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: u128) -> PathBuf {
        self.dir.join(format!("{key:032x}.snap"))
    }

    /// The base of `manifest` (its files in `dir`) as a snapshot holds it, when one does and
    /// every input is unchanged.
    ///
    /// # Errors
    /// [`Miss`]: why there was none to use.
    pub fn read(&self, manifest: &Manifest, dir: &Path) -> Result<Base, Miss> {
        let t = std::time::Instant::now();
        let bytes = std::fs::read(self.path(key(manifest, dir))).map_err(|_| Miss::None)?;
        tracing::debug!(ms = t.elapsed().as_millis(), bytes = bytes.len(), "snapshot read");
        let mut r = Reader::new(&bytes);
        if r.take(MAGIC.len())? != MAGIC || u32::decode(&mut r)? != FORMAT {
            return Err(Miss::Damaged("not a snapshot of this format".into()));
        }
        if u128::from_le_bytes(r.take(16)?.try_into().map_err(|_| DecodeError::Truncated)?) != key(manifest, dir) {
            return Err(Miss::Damaged("written for another manifest".into()));
        }
        let seen: Vec<(String, Seen)> = Codec::decode(&mut r)?;
        let watch = Watched::new(dir.to_path_buf());
        if let Some((rel, _)) = seen.par_iter().find_any(|(rel, was)| watch.now(rel, *was) != *was) {
            return Err(Miss::Changed(rel.clone()));
        }
        tracing::debug!(ms = t.elapsed().as_millis(), inputs = seen.len(), "snapshot inputs checked");
        let sum = u64::decode(&mut r)?;
        let len = r.len(1)?;
        let payload = r.take(len)?;
        if crate::source::hash(payload) != sum {
            return Err(Miss::Damaged("its bytes do not hash to what was written".into()));
        }
        tracing::debug!(ms = t.elapsed().as_millis(), "snapshot hashed");
        let mut p = Reader::new(payload);
        let base = Base::decode(&mut p, manifest.settings.clone())?;
        tracing::debug!(ms = t.elapsed().as_millis(), "snapshot decoded");
        if p.remaining() != 0 {
            return Err(Miss::Damaged("bytes after the base".into()));
        }
        Ok(base)
    }

    /// Writes the snapshot of `base`, loaded from `manifest` through `watched`, and keeps the
    /// newest [`KEEP`] snapshots of the folder. Written whole to a temporary file first, so a
    /// reader never sees half of one.
    ///
    /// # Errors
    /// The I/O error.
    pub fn write(&self, manifest: &Manifest, watched: &Watched, base: &Base) -> std::io::Result<PathBuf> {
        let mut payload = Vec::new();
        base.encode(&mut payload);
        let mut out = Vec::with_capacity(payload.len() + 4096);
        out.extend_from_slice(MAGIC);
        FORMAT.encode(&mut out);
        out.extend_from_slice(&key(manifest, &watched.dir).to_le_bytes());
        watched.seen().encode(&mut out);
        crate::source::hash(&payload).encode(&mut out);
        payload.len().encode(&mut out);
        out.extend_from_slice(&payload);
        drop(payload);
        std::fs::create_dir_all(&self.dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        std::io::Write::write_all(&mut tmp, &out)?;
        let path = self.path(key(manifest, &watched.dir));
        tmp.persist(&path).map_err(|e| e.error)?;
        self.prune();
        Ok(path)
    }

    /// Removes all but the newest [`KEEP`] snapshots.
    fn prune(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return };
        let mut snaps: Vec<(std::time::SystemTime, PathBuf)> = entries
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "snap"))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        snaps.sort_by_key(|s| std::cmp::Reverse(s.0));
        for (_, p) in snaps.into_iter().skip(KEEP) {
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Codec for Seen {
    fn encode(&self, out: &mut Vec<u8>) {
        match *self {
            Seen::Absent => out.push(0),
            Seen::Present => out.push(1),
            Seen::Read(h) => {
                out.push(2);
                h.encode(out);
            }
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match u8::decode(r)? {
            0 => Ok(Seen::Absent),
            1 => Ok(Seen::Present),
            2 => u64::decode(r).map(Seen::Read),
            _ => Err(DecodeError::Invalid("file note")),
        }
    }
}

/// What a snapshot is keyed on besides its files: format, build, folder and manifest.
fn key(manifest: &Manifest, dir: &Path) -> u128 {
    let mut h = twox_hash::XxHash3_128::new();
    h.write(MAGIC);
    h.write(&FORMAT.to_le_bytes());
    h.write(env!("CARGO_PKG_VERSION").as_bytes());
    if let Some(m) = std::env::current_exe().ok().and_then(|p| p.metadata().ok()) {
        h.write(&m.len().to_le_bytes());
        let t = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        h.write(&t.map_or(0, |d| d.as_nanos()).to_le_bytes());
    }
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    h.write(dir.to_string_lossy().as_bytes());
    h.write(format!("{manifest:?}").as_bytes());
    h.finish_128()
}
