use std::process::ExitCode;

use clap::Parser;
use lockin::cli::Cli;

fn main() -> ExitCode {
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
