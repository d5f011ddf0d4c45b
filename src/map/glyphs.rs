//! Map label glyphs: SDF glyph ranges (`/fonts/{fontstack}/{start}-{end}.pbf`, the protobuf
//! format MapLibre reads) generated from the open-licence fonts built into the binary, so labels
//! render offline and in any MapLibre renderer that reads the style. A range is generated on
//! first request and kept by the response cache.

use std::sync::OnceLock;

/// The font stack the styles use for area and school names.
pub const REGULAR: &str = "Noto Sans Regular";
/// The font stack for the names of the areas of the layer on view.
pub const BOLD: &str = "Noto Sans Bold";

/// The fonts built in: stack name and TrueType bytes (SIL Open Font License, `web/fonts/OFL.txt`).
const FONTS: &[(&str, &[u8])] = &[
    (
        REGULAR,
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/fonts/NotoSans-Regular.ttf")),
    ),
    (
        BOLD,
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/fonts/NotoSans-Bold.ttf")),
    ),
];

/// Highest code point a range may start at (MapLibre asks for the Basic Multilingual Plane).
const LAST_RANGE_START: u32 = 0xFF00;

/// Why a glyph range could not be given.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GlyphError {
    /// No font of the stack is built in.
    #[error("no font {stack:?}; the fonts are {}", font_names())]
    UnknownFont {
        /// The stack asked for.
        stack: String,
    },
    /// The range is not `N-(N+255)` with N a multiple of 256.
    #[error("glyph range {range:?} is not START-END with START a multiple of 256 up to 65280 and END = START + 255 (e.g. 0-255.pbf)")]
    BadRange {
        /// The range asked for.
        range: String,
    },
    /// A built-in font could not be read (a build fault).
    #[error("font {0} could not be read")]
    Font(String),
}

/// The built-in font stack names, comma-separated.
#[must_use]
pub fn font_names() -> String {
    FONTS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

fn faces() -> &'static [Result<glyphore_core::FontFace, String>] {
    static FACES: OnceLock<Vec<Result<glyphore_core::FontFace, String>>> = OnceLock::new();
    FACES.get_or_init(|| {
        FONTS
            .iter()
            .map(|(n, bytes)| glyphore_core::FontFace::parse(bytes).map_err(|e| format!("{n}: {e}")))
            .collect()
    })
}

/// Parses `0-255` (with or without `.pbf`) into its start.
fn range_start(range: &str) -> Option<u32> {
    let (a, b) = range.strip_suffix(".pbf").unwrap_or(range).split_once('-')?;
    let (start, end) = (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?);
    (start.is_multiple_of(256) && start <= LAST_RANGE_START && end == start + 255).then_some(start)
}

/// The glyph range `range` of `stack`. A stack of several fonts (`A,B`) is answered by its first
/// built-in font: they cover the same characters.
///
/// # Errors
/// [`GlyphError`].
pub fn glyph_range(stack: &str, range: &str) -> Result<Vec<u8>, GlyphError> {
    let start = range_start(range).ok_or_else(|| GlyphError::BadRange { range: range.to_owned() })?;
    let i = stack
        .split(',')
        .find_map(|s| FONTS.iter().position(|(n, _)| *n == s.trim()))
        .ok_or_else(|| GlyphError::UnknownFont { stack: stack.to_owned() })?;
    let face = faces()[i].as_ref().map_err(|e| GlyphError::Font(e.clone()))?;
    glyphore_core::generate_range(face, start).map_err(|e| GlyphError::Font(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_checked() {
        assert_eq!(range_start("0-255.pbf"), Some(0));
        assert_eq!(range_start("8192-8447"), Some(8192));
        assert_eq!(range_start("65280-65535.pbf"), Some(65280));
        for bad in ["0-256", "1-256", "65536-65791", "a-b", "0", "-255", "../0-255"] {
            assert_eq!(range_start(bad), None, "{bad}");
        }
    }

    #[test]
    fn fonts_are_found_by_stack() {
        assert!(matches!(glyph_range("Arial", "0-255"), Err(GlyphError::UnknownFont { .. })));
        assert!(matches!(glyph_range(REGULAR, "0-100"), Err(GlyphError::BadRange { .. })));
        let pbf = glyph_range(&format!("Open Sans Bold,{BOLD}"), "0-255").expect("glyphs");
        // The PBF names its stack and range.
        let has = |needle: &[u8]| pbf.windows(needle.len()).any(|w| w == needle);
        assert!(has(BOLD.as_bytes()) && has(b"0-255"));
        // … and holds the bitmaps of the Latin letters (a signed distance field each, kilobytes).
        assert!(pbf.len() > 20_000, "{} bytes", pbf.len());
    }
}
