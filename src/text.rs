//! Turning input bytes into text the way councils' files actually arrive:
//! gzip or not, UTF-8 with or without a BOM, Latin-1 from old Excel exports,
//! and Windows (CRLF) or classic-Mac (CR-only) line endings.

use crate::problem::{Problem, Severity};

/// Decodes `bytes` (named `file` in messages) to text with `\n` line endings.
///
/// Gzip is recognised by its magic number, so `.csv.gz` and mislabelled files both work.
/// The encoding is told by the byte-order mark (UTF-8, UTF-16 LE or BE), else by the NUL
/// bytes of UTF-16 without one (a warning), else UTF-8; bytes that are not UTF-8 are read as
/// Windows-1252, the encoding of Excel's "CSV" on English Windows (a warning).
///
/// # Errors
/// A fatal [`Problem`] when the file is empty or the gzip stream is corrupt.
pub fn decode(bytes: impl Into<Vec<u8>>, file: &str, problems: &mut Vec<Problem>) -> Result<String, Problem> {
    let bytes = bytes.into();
    let raw = if bytes.starts_with(&[0x1f, 0x8b]) {
        crate::source::read_bounded(flate2::read::MultiGzDecoder::new(&bytes[..]), 0).map_err(|e| match e.kind() {
            std::io::ErrorKind::FileTooLarge => Problem::fatal(file, format!("uncompressed, the file is {e}")),
            _ => Problem::fatal(file, format!("gzip data is corrupt or truncated ({e})")),
        })?
    } else {
        bytes
    };
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::fatal(file, "file is empty"));
    }
    if encoding_rs::Encoding::for_bom(&raw).is_none() && utf16_without_bom(&raw).is_none() && looks_binary(&raw) {
        return Err(Problem::fatal(
            file,
            "this is binary data, not text (a CSV was expected): is it the right file, or a spreadsheet (.xlsx) to save as CSV?",
        ));
    }
    let text = to_text(raw, file, problems);
    if text.trim().is_empty() {
        return Err(Problem::fatal(file, "file is empty"));
    }
    // UTF-8 with Unix line ends, the usual case, is handed on as read, without a copy.
    Ok(normalise_newlines(text))
}

/// Bytes to text by the rules of [`decode`].
fn to_text(raw: Vec<u8>, file: &str, problems: &mut Vec<Problem>) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(&raw) {
        let (text, bad) = encoding.decode_without_bom_handling(&raw[bom..]);
        if bad {
            problems.push(Problem::new(
                Severity::Warning,
                file,
                "file",
                "-",
                format!(
                    "the file starts with a {} byte-order mark but has bytes that are not {0}; they read as the replacement character \u{fffd}",
                    encoding.name()
                ),
            ));
        }
        return text.into_owned();
    }
    if let Some(encoding) = utf16_without_bom(&raw) {
        problems.push(Problem::new(
            Severity::Warning,
            file,
            "file",
            "-",
            format!(
                "read as {} (it has no byte-order mark); save as UTF-8 to silence this",
                encoding.name()
            ),
        ));
        return encoding.decode_without_bom_handling(&raw).0.into_owned();
    }
    match String::from_utf8(raw) {
        Ok(s) => s,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let raw = e.into_bytes();
            problems.push(Problem::new(
                Severity::Warning,
                file,
                format!("byte {valid}"),
                "-",
                "file is not valid UTF-8; read it as Windows-1252 (Excel's \"CSV\" on English Windows, a superset of \
                 Latin-1). Save as \"CSV UTF-8\" to silence this",
            ));
            encoding_rs::WINDOWS_1252.decode_without_bom_handling(&raw).0.into_owned()
        }
    }
}

/// More than 1% of the first 64 kB are control bytes that text never holds (NUL, the C0
/// controls other than tab and line ends, DEL).
fn looks_binary(raw: &[u8]) -> bool {
    let head = &raw[..raw.len().min(64 * 1024)];
    let odd = head
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
        .count();
    odd * 100 > head.len()
}

/// UTF-16 without a byte-order mark, told by NUL bytes: text of Latin letters in UTF-16 has a
/// NUL in every other byte (odd positions for little-endian).
fn utf16_without_bom(raw: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &raw[..raw.len().min(4096) & !1];
    if head.len() < 4 {
        return None;
    }
    let pairs = head.len() / 2;
    let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if odd * 10 >= pairs * 9 && even * 10 < pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 >= pairs * 9 && odd * 10 < pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Converts CRLF and lone CR line endings to LF; text without a CR comes back as it was, uncopied.
#[must_use]
pub fn normalise_newlines(s: String) -> String {
    if !s.contains('\r') {
        return s;
    }
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// An academic year by its first calendar year: `2027` → `"2027/28"`.
#[must_use]
pub fn year_label(y: i32) -> String {
    format!("{y}/{:02}", (y + 1).rem_euclid(100))
}

/// `n` rounded to a whole number with thousands separators: `5109.4` → `"5,109"`, `-1234` → `"-1,234"`.
#[must_use]
pub fn thousands(n: f64) -> String {
    let r = n.round();
    let digits = format!("{:.0}", r.abs());
    let mut out = String::new();
    if r < 0.0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Parses a number as councils' spreadsheets write it: `"29,199"`, ` 12 `, `12.0`, `45%`.
/// Returns `Ok(None)` for an empty cell and `Err(())` for text that is not a number.
///
/// # Errors
/// `Err(())` when the cell holds something other than a number.
pub fn parse_number(cell: &str) -> Result<Option<f64>, ()> {
    let t = cell.trim().trim_matches('"').trim();
    if t.is_empty() || t.eq_ignore_ascii_case("na") || t.eq_ignore_ascii_case("n/a") || t == "-" {
        return Ok(None);
    }
    let grouped = |c: char| c == ',' || c == '%' || c == ' ';
    // Most cells are plain numbers: parsed where they lie, without a cleaned copy.
    let parsed = if t.contains(grouped) {
        t.chars().filter(|c| !grouped(*c)).collect::<String>().parse::<f64>()
    } else {
        t.parse::<f64>()
    };
    match parsed {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_cr_only_lines_are_normalised() {
        let mut p = Vec::new();
        let s = decode(b"\xEF\xBB\xBFa,b\rc,d\r", "x.csv", &mut p).expect("decodes");
        assert_eq!(s, "a,b\nc,d\n");
        assert!(p.is_empty());
    }

    #[test]
    fn latin1_is_read_with_a_warning() {
        let mut p = Vec::new();
        let s = decode(b"name\nSt Mary\xe9s\n", "x.csv", &mut p).expect("decodes");
        assert!(s.contains("St Mary\u{e9}s"));
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(5109.4), "5,109");
        assert_eq!(thousands(-1234.0), "-1,234");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_000_000.0), "1,000,000");
        assert_eq!(thousands(-0.2), "0");
    }

    #[test]
    fn thousands_separators_parse() {
        assert_eq!(parse_number("\"29,199\""), Ok(Some(29199.0)));
        assert_eq!(parse_number(""), Ok(None));
        assert_eq!(parse_number("12.5%"), Ok(Some(12.5)));
        assert!(parse_number("twelve").is_err());
    }

    #[test]
    fn empty_and_corrupt_gzip_are_fatal() {
        let mut p = Vec::new();
        assert!(decode(b"  \n", "e.csv", &mut p).is_err());
        assert!(decode(&[0x1f, 0x8b, 8, 0, 1, 2], "g.csv.gz", &mut p).is_err());
    }

    #[test]
    fn windows_1252_not_latin1_for_bytes_that_are_not_utf8() {
        // Excel's curly apostrophe, en dash and quotes: 0x92 0x96 0x93 0x94.
        let mut p = Vec::new();
        let s = decode(b"name\nSt Mary\x92s \x96 \x93Ark\x94\n", "x.csv", &mut p).expect("decodes");
        assert!(s.contains("St Mary\u{2019}s \u{2013} \u{201c}Ark\u{201d}"), "{s:?}");
        assert!(p[0].message.contains("Windows-1252"));
    }

    #[test]
    fn utf16_with_and_without_a_bom() {
        let text = "URN,Name\n100,St Mary\u{2019}s\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for (bytes, warned) in [
            ([&[0xFF, 0xFE][..], &le].concat(), false),
            ([&[0xFE, 0xFF][..], &be].concat(), false),
            (le.clone(), true),
            (be.clone(), true),
        ] {
            let mut p = Vec::new();
            assert_eq!(decode(&bytes[..], "u.csv", &mut p).expect("decodes"), text);
            assert_eq!(!p.is_empty(), warned, "{p:?}");
        }
    }

    #[test]
    fn binary_data_is_refused_as_not_text() {
        let mut p = Vec::new();
        let junk: Vec<u8> = (0..10_000_u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let e = decode(&junk[..], "r.csv", &mut p).expect_err("binary");
        assert!(e.message.contains("binary"), "{e}");
    }
}
