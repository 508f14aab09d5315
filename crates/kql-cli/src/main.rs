//! `kql`: run and check KQL queries on local files.

// Rule and test-case YAML files from users reach this code: a malformed file must become a
// message, never a panic. Tests may still unwrap and index freely.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::todo,
        clippy::unimplemented,
        clippy::unreachable
    )
)]

mod cli;
mod commands;
mod failure;
mod progress;
mod render;
mod report;
mod rule;
mod testing;

use std::io;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, DiagnosticFormat};
use crate::failure::Failure;
use crate::report::Reporter;

fn main() -> ExitCode {
    // A damaged Parquet file can make the parquet crate panic; the engine turns that panic
    // into a load error naming the file, which is all a user needs to see.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !kql_engine::source::panic_is_contained() {
            default_hook(info);
        }
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // Help and version requests are not errors; usage mistakes exit with 3.
            return ExitCode::from(if error.use_stderr() { 3 } else { 0 });
        }
    };
    let reporter = match &cli.command {
        Command::Run(args) => Reporter::new(args.diagnostics, args.quiet),
        Command::Check(args) => Reporter::new(args.diagnostics, false),
        Command::Test(_) => Reporter::new(DiagnosticFormat::Text, false),
    };
    let result = match &cli.command {
        Command::Run(args) => commands::run::run(args, &reporter).map(|()| ExitCode::SUCCESS),
        Command::Check(args) => commands::check::check(args, &reporter).map(|()| ExitCode::SUCCESS),
        // Failing cases are reported by the command itself, with its own exit code.
        Command::Test(args) => commands::test::test(args).map(ExitCode::from),
    };
    match result {
        Ok(code) => code,
        // `kql run ... | head` closes the pipe early: that is success, and silent.
        Err(Failure::Output(error)) if error.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(failure) => {
            report(&failure, &reporter);
            ExitCode::from(u8::try_from(failure.exit_code()).unwrap_or(1))
        }
    }
}

fn report(failure: &Failure, reporter: &Reporter) {
    match failure {
        Failure::Query {
            text,
            origin,
            diagnostics,
        } => reporter.diagnostics(diagnostics, text, origin),
        Failure::Input(message) => reporter.error("input", message),
        Failure::Usage(message) => reporter.error("usage", message),
        Failure::Output(error) => {
            reporter.error("output", &format!("cannot write the result: {error}"))
        }
    }
}
