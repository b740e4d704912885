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
    /// Minified code: a `.min.` name or very long lines (`--include-generated` scans it).
    Minified,
    /// Compiled or bundled output: a source map beside it or a `sourceMappingURL` comment
    /// (`--include-generated` scans it).
    Generated,
    /// Parsing took longer than `--parse-timeout`.
    ParseTimeout,
    /// A `.ipynb` file that is not an nbformat-4 notebook.
    MalformedNotebook,
}

impl SkipReason {
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::TooLarge => "over the size limit",
            SkipReason::Binary => "binary",
            SkipReason::Unreadable => "unreadable",
            SkipReason::NotRegular => "not a regular file",
            SkipReason::Missing => "does not exist",
            SkipReason::Minified => "minified",
            SkipReason::Generated => "generated (has a source map)",
            SkipReason::ParseTimeout => "parse took longer than --parse-timeout",
            SkipReason::MalformedNotebook => "not an nbformat 4 notebook",
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
    let lone: Vec<usize> = memchr::memchr_iter(b'\r', &bytes)
        .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
        .collect();
    for i in lone {
        bytes[i] = b'\n';
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceText { text, lossy: false }),
        Err(e) => Ok(SourceText {
            text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            lossy: true,
        }),
    }
}

/// Files at least this large are checked for minification by their line lengths.
const MINIFIED_MIN_LEN: usize = 4096;
/// Mean bytes per line above which a file is minified.
const MINIFIED_MEAN_LINE: usize = 250;
/// A line this long makes a file minified whatever its mean.
const MINIFIED_LONG_LINE: usize = 32 * 1024;

/// Whether a source file is minified or generated output rather than code someone maintains:
/// a `.min.` or `.bundle.` name, very long lines, a source map beside it or a trailing
/// `sourceMappingURL` comment.
pub fn generated(path: &Path, text: &str) -> Option<SkipReason> {
    let name = path.file_name()?.to_str()?;
    if name.contains(".min.") || name.contains(".bundle.") {
        return Some(SkipReason::Minified);
    }
    if text.len() >= MINIFIED_MIN_LEN {
        let lines = 1 + memchr::memchr_iter(b'\n', text.as_bytes()).count();
        if text.len() / lines > MINIFIED_MEAN_LINE
            || has_line_of(text.as_bytes(), MINIFIED_LONG_LINE)
        {
            return Some(SkipReason::Minified);
        }
    }
    let mut tail_start = text.len().saturating_sub(512);
    while !text.is_char_boundary(tail_start) {
        tail_start += 1;
    }
    let tail = &text[tail_start..];
    if tail.contains("# sourceMappingURL=") {
        return Some(SkipReason::Generated);
    }
    let mut map = path.as_os_str().to_owned();
    map.push(".map");
    if Path::new(&map).is_file() {
        return Some(SkipReason::Generated);
    }
    None
}

/// Whether some line of `bytes` is `len` bytes long or longer (`len` > 0): one backwards search
/// per `len` bytes instead of one search per line.
fn has_line_of(bytes: &[u8], len: usize) -> bool {
    let mut start = 0;
    while start + len <= bytes.len() {
        match memchr::memrchr(b'\n', &bytes[start..start + len]) {
            // (every line starting in the window before its last newline ends inside it)
            Some(i) => start += i + 1,
            None => return true,
        }
    }
    false
}

/// Type stubs (`.d.ts`, `.pyi`): scanned for their imports alone.
pub fn is_declaration(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        n.ends_with(".pyi")
            || [".d.ts", ".d.mts", ".d.cts"]
                .iter()
                .any(|ext| n.ends_with(ext))
    })
}

/// The text with everything but import statements blanked out (every byte of other lines made a
/// space, newlines kept), so that line and column numbers are unchanged.
pub fn keep_imports(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    // Lines left in the statement being kept (at most 50), and whether it is a parenthesised
    // Python `from x import (...)`.
    let mut open = 0usize;
    let mut paren = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if open == 0 {
            let python = t.starts_with("from ") || t.starts_with("import ");
            let js_reexport = ["export {", "export{", "export *", "export type {"]
                .iter()
                .any(|p| t.starts_with(p));
            if python || js_reexport || t.starts_with("import{") {
                open = 50;
                paren = t.starts_with("from ") && t.contains('(') && !t.contains(')');
            }
        }
        if open == 0 {
            out.extend(line.bytes().map(|b| if b == b'\n' { b'\n' } else { b' ' }));
            continue;
        }
        out.extend_from_slice(line.as_bytes());
        let ends = if paren {
            line.contains(')')
        } else {
            // A JS import ends with its module specifier, a Python one with its line.
            line.contains('"')
                || line.contains('\'')
                || !(line.trim_end().ends_with('{')
                    || line.trim_end().ends_with(',')
                    || line.trim_end().ends_with('\\'))
        };
        open = if ends { 0 } else { open - 1 };
    }
    // Whole lines were replaced by ASCII spaces, so the bytes are still UTF-8.
    String::from_utf8(out).unwrap_or_default()
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
    fn a_long_line_is_found_by_windows() {
        let longest = |b: &[u8]| b.split(|c| *c == b'\n').map(<[u8]>::len).max().unwrap_or(0);
        let mut seed = 7u64;
        for case in 0..2000 {
            let n = (case % 60) as usize;
            let bytes: Vec<u8> = (0..n)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    if (seed >> 33).is_multiple_of(5) {
                        b'\n'
                    } else {
                        b'x'
                    }
                })
                .collect();
            for len in 1..12 {
                assert_eq!(
                    has_line_of(&bytes, len),
                    longest(&bytes) >= len,
                    "{:?} {len}",
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
    }

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
    fn minified_and_generated_files() {
        let p = Path::new("x/app.js");
        assert_eq!(
            generated(Path::new("x/app.min.js"), "a"),
            Some(SkipReason::Minified)
        );
        let long = format!("var a={};\n", "b".repeat(5000));
        assert_eq!(generated(p, &long), Some(SkipReason::Minified));
        let normal = "const a = 1;\n".repeat(1000);
        assert_eq!(generated(p, &normal), None);
        let mapped = format!("{normal}//# sourceMappingURL=app.js.map\n");
        assert_eq!(generated(p, &mapped), Some(SkipReason::Generated));
    }

    #[test]
    fn declarations_keep_their_imports_only() {
        let src = "import { OpenAI } from \"openai\";\nimport {\n  A,\n} from './a';\ndeclare const x: \"gpt-4o\";\nexport * from \"./b\";\n";
        let kept = keep_imports(src);
        assert_eq!(kept.len(), src.len());
        assert_eq!(kept.lines().count(), src.lines().count());
        assert!(kept.contains("from \"openai\""));
        assert!(kept.contains("} from './a';"));
        assert!(!kept.contains("gpt-4o"));
        assert!(kept.contains("export * from \"./b\";"));
        assert!(is_declaration(Path::new("a/index.d.ts")));
        assert!(is_declaration(Path::new("a/x.pyi")));
        assert!(!is_declaration(Path::new("a/x.ts")));
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
