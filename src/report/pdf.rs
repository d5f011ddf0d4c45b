//! Printing report pages to PDF with a local Chromium (`--headless --print-to-pdf`), when one is
//! installed: `PLACEPLAN_CHROMIUM`, else `chromium`, `chromium-browser` or `google-chrome` on PATH.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Why a PDF could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// Chromium could not be started.
    #[error("could not start {browser}: {source}")]
    Start {
        /// The executable.
        browser: String,
        /// The error.
        source: std::io::Error,
    },
    /// Chromium ran but wrote no PDF.
    #[error("{browser} did not write {pdf}: {stderr}")]
    NoOutput {
        /// The executable.
        browser: String,
        /// The PDF path.
        pdf: String,
        /// What it printed.
        stderr: String,
    },
}

/// The Chromium to print with, if any.
#[must_use]
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PLACEPLAN_CHROMIUM") {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

/// Prints `html` (a local file) to `pdf` on A4 as the page's print CSS lays it out.
///
/// # Errors
/// Chromium failing to start or to write the file.
pub fn print(chromium: &Path, html: &Path, pdf: &Path) -> Result<(), PdfError> {
    let browser = chromium.display().to_string();
    let profile = tempfile_dir(pdf);
    let _ = std::fs::remove_file(pdf);
    let abs = std::fs::canonicalize(html).unwrap_or_else(|_| html.to_path_buf());
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", abs.display()))
        .output()
        .map_err(|source| PdfError::Start {
            browser: browser.clone(),
            source,
        })?;
    let _ = std::fs::remove_dir_all(&profile);
    if pdf.is_file() {
        Ok(())
    } else {
        Err(PdfError::NoOutput {
            browser,
            pdf: pdf.display().to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).lines().take(5).collect::<Vec<_>>().join(" / "),
        })
    }
}

/// A fresh, private Chromium profile folder beside the output (removed after printing).
fn tempfile_dir(pdf: &Path) -> PathBuf {
    let stem = pdf.file_stem().map_or_else(|| "page".into(), |s| s.to_string_lossy().into_owned());
    std::env::temp_dir().join(format!("placeplan-chromium-{}-{stem}", std::process::id()))
}
