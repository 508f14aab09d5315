//! Failures of a command and their exit codes.

use std::io;

use kql_parser::Diagnostic;

/// Why a command failed; each kind has its own exit code.
#[derive(Debug)]
pub enum Failure {
    /// The query is invalid or not supported (exit 1).
    Query {
        /// The query text, for rendering carets.
        text: String,
        /// Where the text came from (a file name or `query`).
        origin: String,
        /// What is wrong.
        diagnostics: Vec<Diagnostic>,
    },
    /// A file could not be read or has bad data (exit 2).
    Input(String),
    /// The command line is wrong (exit 3).
    Usage(String),
    /// Writing the output failed.
    Output(io::Error),
}

impl Failure {
    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Query { .. } => 1,
            Failure::Input(_) | Failure::Output(_) => 2,
            Failure::Usage(_) => 3,
        }
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Failure {
        Failure::Output(error)
    }
}
