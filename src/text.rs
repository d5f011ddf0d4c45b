//! Turning input bytes into text the way councils' files actually arrive:
//! gzip or not, UTF-8 with or without a BOM, Latin-1 from old Excel exports,
//! and Windows (CRLF) or classic-Mac (CR-only) line endings.

use crate::problem::{Problem, Severity};
use std::io::Read;

/// Decodes `bytes` (named `file` in messages) to text with `\n` line endings.
///
/// Gzip is recognised by its magic number, so `.csv.gz` and mislabelled files both work.
/// Invalid UTF-8 is read as Latin-1 (ISO-8859-1) and reported as a warning.
///
/// # Errors
/// A fatal [`Problem`] when the file is empty or the gzip stream is corrupt.
pub fn decode(bytes: &[u8], file: &str, problems: &mut Vec<Problem>) -> Result<String, Problem> {
    let raw: std::borrow::Cow<'_, [u8]> = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map_err(|e| Problem::fatal(file, format!("gzip data is corrupt or truncated ({e})")))?;
        out.into()
    } else {
        bytes.into()
    };
    let body = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&raw);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::fatal(file, "file is empty"));
    }
    let text = match std::str::from_utf8(body) {
        Ok(s) => s.to_owned(),
        Err(e) => {
            problems.push(Problem::new(
                Severity::Warning,
                file,
                format!("byte {}", e.valid_up_to()),
                "-",
                "file is not valid UTF-8; read it as Latin-1 (ISO-8859-1). Save as UTF-8 to silence this",
            ));
            body.iter().map(|&b| char::from(b)).collect()
        }
    };
    Ok(normalise_newlines(&text))
}

/// Converts CRLF and lone CR line endings to LF.
#[must_use]
pub fn normalise_newlines(s: &str) -> String {
    if !s.contains('\r') {
        return s.to_owned();
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
    let cleaned: String = t.chars().filter(|c| *c != ',' && *c != '%' && *c != ' ').collect();
    match cleaned.parse::<f64>() {
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
}
