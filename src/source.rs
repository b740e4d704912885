//! Reading one file: size cap, binary sniff, UTF-8 handling, and byte offset to line/column.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::Serialize;

/// Why a file that looked like source was not scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Larger than `--max-file-size`.
    TooLarge,
    /// Contains NUL bytes near its start: not text.
    Binary,
    /// Could not be opened or read (permissions, vanished during the walk, ...).
    Unreadable,
    /// Not a regular file (FIFO, socket, device): never opened.
    NotRegular,
    /// Named on the command line but does not exist (deleted since it was staged, say).
    Missing,
}

impl SkipReason {
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::TooLarge => "over the size limit",
            SkipReason::Binary => "binary",
            SkipReason::Unreadable => "unreadable",
            SkipReason::NotRegular => "not a regular file",
            SkipReason::Missing => "does not exist",
        }
    }
}

/// A file's text, ready to parse.
pub struct SourceText {
    pub text: String,
    /// Invalid UTF-8 was replaced with U+FFFD; the readable parts are still scanned.
    pub lossy: bool,
}

/// How many leading bytes are sniffed for NUL to call a file binary.
const SNIFF_LEN: usize = 8192;

/// Reads a file for scanning, or says why it is skipped. Never panics, never follows a
/// non-regular file (a FIFO would block forever).
pub fn read_source(path: &Path, max_size: u64) -> Result<SourceText, SkipReason> {
    let meta = std::fs::metadata(path).map_err(|_| SkipReason::Unreadable)?;
    if !meta.is_file() {
        return Err(SkipReason::NotRegular);
    }
    if meta.len() > max_size {
        return Err(SkipReason::TooLarge);
    }
    let mut file = File::open(path).map_err(|_| SkipReason::Unreadable)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    // Read at most one byte past the cap: the file may have grown since `metadata`.
    file.by_ref()
        .take(max_size + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| SkipReason::Unreadable)?;
    if bytes.len() as u64 > max_size {
        return Err(SkipReason::TooLarge);
    }
    decode(bytes)
}

/// Turns raw bytes into scannable text: binary is refused, a BOM is dropped, invalid UTF-8 is
/// replaced lossily.
pub fn decode(mut bytes: Vec<u8>) -> Result<SourceText, SkipReason> {
    if bytes[..bytes.len().min(SNIFF_LEN)].contains(&0) {
        return Err(SkipReason::Binary);
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    // A lone CR ends a line for editors but not for tree-sitter: make it a LF (same length, so
    // every offset and column stays put) and line numbers agree with what users see.
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceText { text, lossy: false }),
        Err(e) => Ok(SourceText {
            text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            lossy: true,
        }),
    }
}

/// The 1-based column of a byte offset within its line, counted in Unicode code points
/// (SARIF `columnKind: unicodeCodePoints`).
pub fn char_column(line_text: &str, byte_col: usize) -> usize {
    let mut cut = byte_col.min(line_text.len());
    while !line_text.is_char_boundary(cut) {
        cut -= 1;
    }
    line_text[..cut].chars().count() + 1
}

/// The text of the 0-based `row` of `src` (without its line terminator).
pub fn line_text(src: &str, row: usize) -> &str {
    src.split('\n')
        .nth(row)
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_bytes_make_a_file_binary() {
        assert!(matches!(
            decode(b"import os\0\0".to_vec()),
            Err(SkipReason::Binary)
        ));
    }

    #[test]
    fn bom_is_dropped_and_invalid_utf8_is_replaced() {
        let t = decode(b"\xEF\xBB\xBFx = 1".to_vec()).ok().unwrap();
        assert_eq!(t.text, "x = 1");
        assert!(!t.lossy);
        let t = decode(b"x = '\xff'".to_vec()).ok().unwrap();
        assert_eq!(t.text, "x = '\u{FFFD}'");
        assert!(t.lossy);
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        let t = decode(b"a = 1\rb = 2\r\nc = 3\r".to_vec()).ok().unwrap();
        assert_eq!(t.text, "a = 1\nb = 2\r\nc = 3\n");
    }

    #[test]
    fn columns_count_code_points() {
        assert_eq!(char_column("héllo = x", 0), 1);
        assert_eq!(char_column("héllo = x", 3), 3); // after 'h' and 'é' (2 bytes)
        assert_eq!(char_column("abc", 99), 4);
        assert_eq!(line_text("a\r\nb\nc", 1), "b");
        assert_eq!(line_text("a\r\nb\nc", 0), "a");
    }
}
