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

/// A place to read input files from.
#[derive(Clone, Debug)]
pub enum FileSource {
    /// Files relative to a directory (the manifest's folder).
    Disk(PathBuf),
    /// Files compiled into the binary: `(relative path, bytes)`.
    Embedded(&'static [(&'static str, &'static [u8])]),
    /// Files held in memory: `(relative path, bytes)` (tests, fuzzing, uploads).
    Memory(std::sync::Arc<Vec<(String, Vec<u8>)>>),
}

impl FileSource {
    /// Reads `rel`, at most [`MAX_INPUT_BYTES`].
    ///
    /// # Errors
    /// The I/O error, [`too_large`], or `NotFound` for an embedded file that does not exist.
    pub fn read(&self, rel: &str) -> std::io::Result<Vec<u8>> {
        match self {
            FileSource::Disk(base) => {
                let f = std::fs::File::open(base.join(rel))?;
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
                read_bounded(f, if meta.is_file() { meta.len() } else { 0 })
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
        }
    }

    /// True when `rel` exists.
    #[must_use]
    pub fn exists(&self, rel: &str) -> bool {
        match self {
            FileSource::Disk(base) => base.join(rel).is_file(),
            FileSource::Embedded(files) => files.iter().any(|(p, _)| *p == rel),
            FileSource::Memory(files) => files.iter().any(|(p, _)| p == rel),
        }
    }

    /// How to name `rel` in messages (the path as written in the manifest, or `demo:`).
    #[must_use]
    pub fn display(&self, rel: &str) -> String {
        match self {
            FileSource::Disk(_) | FileSource::Memory(_) => rel.to_owned(),
            FileSource::Embedded(_) => format!("demo:{rel}"),
        }
    }
}

/// Replaces the extension of a relative path (`a/b.shp` → `a/b.dbf`).
#[must_use]
pub fn with_extension(rel: &str, ext: &str) -> String {
    Path::new(rel).with_extension(ext).to_string_lossy().into_owned()
}
