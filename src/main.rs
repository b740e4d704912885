use std::process::ExitCode;

use clap::Parser;
use lockin::cli::Cli;

/// mimalloc for Rust and for tree-sitter's C code: parsing allocates a node at a time, and
/// glibc malloc costs about a tenth of a scan (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // SAFETY: called first, on the only thread, before any tree-sitter object exists; the four
    // functions are mimalloc's, which return malloc-aligned memory and null only on exhaustion.
    unsafe {
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc: libmimalloc_sys::mi_malloc,
            calloc: libmimalloc_sys::mi_calloc,
            realloc: libmimalloc_sys::mi_realloc,
            free: libmimalloc_sys::mi_free,
        }));
    }
    let cli = Cli::parse();
    let color = lockin::stderr_color(&cli);
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(miette::MietteHandlerOpts::new().color(color).build())
    }));
    match lockin::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let code = err.exit_code();
            eprintln!("{:?}", miette::Report::new(err));
            ExitCode::from(code)
        }
    }
}
