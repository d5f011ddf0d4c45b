//! Where input files come from: a folder on disk (paths relative to the manifest) or the
//! demo borough embedded in the binary.

use std::path::{Path, PathBuf};

/// A place to read input files from.
#[derive(Clone, Debug)]
pub enum FileSource {
    /// Files relative to a directory (the manifest's folder).
    Disk(PathBuf),
    /// Files compiled into the binary: `(relative path, bytes)`.
    Embedded(&'static [(&'static str, &'static [u8])]),
}

impl FileSource {
    /// Reads `rel`.
    ///
    /// # Errors
    /// The I/O error, or `NotFound` for an embedded file that does not exist.
    pub fn read(&self, rel: &str) -> std::io::Result<Vec<u8>> {
        match self {
            FileSource::Disk(base) => std::fs::read(base.join(rel)),
            FileSource::Embedded(files) => files
                .iter()
                .find(|(p, _)| *p == rel)
                .map(|(_, b)| b.to_vec())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, format!("{rel} is not embedded"))),
        }
    }

    /// True when `rel` exists.
    #[must_use]
    pub fn exists(&self, rel: &str) -> bool {
        match self {
            FileSource::Disk(base) => base.join(rel).is_file(),
            FileSource::Embedded(files) => files.iter().any(|(p, _)| *p == rel),
        }
    }

    /// How to name `rel` in messages (the path as written in the manifest, or `demo:`).
    #[must_use]
    pub fn display(&self, rel: &str) -> String {
        match self {
            FileSource::Disk(_) => rel.to_owned(),
            FileSource::Embedded(_) => format!("demo:{rel}"),
        }
    }
}

/// Replaces the extension of a relative path (`a/b.shp` → `a/b.dbf`).
#[must_use]
pub fn with_extension(rel: &str, ext: &str) -> String {
    Path::new(rel).with_extension(ext).to_string_lossy().into_owned()
}
