//! Jupyter notebooks (nbformat 4): the code cells become one Python text, matched like a `.py`
//! file; findings are moved back to the line of the `.ipynb` file that holds the source line,
//! with the cell index and the line within the cell. Markdown and raw cells and all outputs are
//! never read. IPython magics (`%x`, `%%x` cells) and shell lines (`!x`, `v = !x`) are blanked,
//! so they are neither parse errors nor matched.

use serde::Deserialize;
use serde_json::value::RawValue;

/// One line of the Python text built from the code cells: where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// 1-based line of the `.ipynb` file holding the source line.
    pub line: usize,
    /// 1-based column of the source line's first character on that line (after the JSON quote).
    pub column: usize,
    /// 0-based index of the cell among all cells, as Jupyter numbers them.
    pub cell: usize,
    /// 1-based line within the cell.
    pub cell_line: usize,
}

/// The Python text of a notebook's code cells, with the origin of each of its lines.
#[derive(Debug, Default)]
pub struct NotebookText {
    pub python: String,
    pub origins: Vec<Origin>,
}

#[derive(Deserialize)]
struct Notebook<'a> {
    #[serde(borrow)]
    cells: Vec<Cell<'a>>,
    nbformat: Option<u32>,
}

#[derive(Deserialize)]
struct Cell<'a> {
    cell_type: String,
    #[serde(borrow)]
    source: &'a RawValue,
}

/// Reads a notebook's code cells; `None` when it is not an nbformat-4 notebook.
pub fn read(text: &str) -> Option<NotebookText> {
    let nb: Notebook = serde_json::from_str(text).ok()?;
    if nb.nbformat.is_some_and(|v| v < 4) {
        return None;
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect();
    // 1-based line and column (in code points) of a byte offset of `text`.
    let locate = |offset: usize| -> (usize, usize) {
        let row = line_starts.partition_point(|&s| s <= offset) - 1;
        let col = text[line_starts[row]..offset].chars().count() + 1;
        (row + 1, col)
    };
    let offset_of = |raw: &RawValue| raw.get().as_ptr() as usize - text.as_ptr() as usize;
    let mut out = NotebookText::default();
    for (index, cell) in nb.cells.iter().enumerate() {
        if cell.cell_type != "code" {
            continue;
        }
        // `source` is a list of strings (one per line, as Jupyter writes it) or one string.
        let parts: Vec<(String, usize)> =
            match serde_json::from_str::<Vec<&RawValue>>(cell.source.get()) {
                Ok(items) => items
                    .into_iter()
                    .map(|raw| Some((serde_json::from_str(raw.get()).ok()?, offset_of(raw))))
                    .collect::<Option<_>>()?,
                Err(_) => vec![(
                    serde_json::from_str(cell.source.get()).ok()?,
                    offset_of(cell.source),
                )],
            };
        let mut cell_line = 0;
        let mut magic_cell = false;
        for (part, offset) in parts {
            let (line, quote_col) = locate(offset);
            for (k, src_line) in part.split_inclusive('\n').enumerate() {
                cell_line += 1;
                if cell_line == 1 && src_line.trim_start().starts_with("%%") {
                    magic_cell = true;
                }
                let code = src_line.trim_end_matches(['\n', '\r']);
                let kept = if magic_cell || is_magic(code) {
                    ""
                } else {
                    code
                };
                out.python.push_str(kept);
                out.python.push('\n');
                out.origins.push(Origin {
                    // Lines after the first of one JSON string are on the same .ipynb line.
                    line,
                    column: if k == 0 { quote_col + 1 } else { 1 },
                    cell: index,
                    cell_line,
                });
            }
        }
        // Cells are separate statements.
        out.python.push('\n');
        out.origins.push(Origin {
            line: locate(offset_of(cell.source)).0,
            column: 1,
            cell: index,
            cell_line: cell_line + 1,
        });
    }
    Some(out)
}

/// Moves a notebook's findings, suppressed findings and notices from lines of its Python text to
/// the lines of the `.ipynb` file, and tells each finding its cell. The outline is dropped (its
/// lines are the Python text's; notebooks are not imported by other modules).
pub fn remap(analysis: &mut crate::analyze::FileAnalysis, origins: &[Origin]) {
    let at = |line: usize| origins.get(line.saturating_sub(1)).copied();
    let fix = |f: &mut crate::finding::Finding| {
        if let Some(o) = at(f.line) {
            f.line = o.line;
            f.column = o.column + f.column - 1;
            f.cell = Some(o.cell);
            f.cell_line = Some(o.cell_line);
        }
        if let Some(o) = at(f.end_line) {
            f.end_line = o.line;
            f.end_column = o.column + f.end_column - 1;
        }
    };
    analysis.findings.iter_mut().for_each(fix);
    analysis
        .suppressed
        .iter_mut()
        .for_each(|s| fix(&mut s.finding));
    for n in &mut analysis.notices {
        if let Some(o) = at(n.line) {
            n.line = o.line;
            n.column = o.column + n.column - 1;
        }
    }
    analysis.findings.sort();
    analysis.outline = Default::default();
}

/// IPython syntax that is not Python: `%magic`, `!shell`, `x = !shell`, `x = %magic`, `obj?`.
fn is_magic(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with(['%', '!']) || (t.ends_with('?') && !t.starts_with('#')) {
        return true;
    }
    // `files = !ls`, `t = %timeit -o f()`
    t.split_once('=').is_some_and(|(lhs, rhs)| {
        let lhs = lhs.trim();
        !lhs.is_empty()
            && lhs
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == ',' || c == ' ')
            && rhs.trim_start().starts_with(['!', '%'])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_cells_become_python_with_their_origins() {
        let nb = r##"{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# openai.OpenAI()\n"]},
  {
   "cell_type": "code",
   "metadata": {},
   "outputs": [{"output_type": "stream", "text": ["client.chat.completions.create()\n"]}],
   "source": [
    "%pip install openai\n",
    "import openai\n",
    "files = !ls\n",
    "client = openai.OpenAI()"
   ]
  },
  {"cell_type": "code", "metadata": {}, "source": "%%bash\necho openai\n"},
  {"cell_type": "code", "metadata": {}, "source": "x = 1\ny = 2"}
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}"##;
        let t = read(nb).unwrap();
        let lines: Vec<&str> = t.python.lines().collect();
        assert_eq!(
            lines,
            [
                "",
                "import openai",
                "",
                "client = openai.OpenAI()",
                "",
                "",
                "",
                "",
                "x = 1",
                "y = 2",
                ""
            ]
        );
        assert_eq!(t.origins.len(), lines.len());
        assert_eq!(
            t.origins[1],
            Origin {
                line: 10,
                column: 6,
                cell: 1,
                cell_line: 2
            }
        );
        assert_eq!(
            (t.origins[9].line, t.origins[9].cell, t.origins[9].cell_line),
            (16, 3, 2)
        );
        assert!(read("{\"cells\": 3}").is_none());
        assert!(read("not json").is_none());
    }
}
