//! `--format json`: the `Report` serialised as one object (schema in docs/output.md).

use std::io::{self, Write};

use super::{Emitter, Report};

pub struct Json;

impl Emitter for Json {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        out.write_all(b"\n")
    }
}
