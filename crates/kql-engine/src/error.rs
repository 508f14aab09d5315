//! The engine's error type: query diagnostics, data loading failures and limits.

use kql_parser::{Diagnostic, DiagnosticKind};

use crate::source::LoadError;

/// Why a query could not produce a result.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The query is wrong or not supported: syntax, unknown names, types, regexes...
    /// Each diagnostic points at the query text.
    #[error("{}", first_message(.0))]
    Query(Vec<Diagnostic>),
    /// A table file could not be read.
    #[error(transparent)]
    Load(#[from] LoadError),
}

fn first_message(diagnostics: &[Diagnostic]) -> String {
    match diagnostics {
        [] => "the query failed".to_string(),
        [only] => only.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}

impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Error {
        Error::Query(vec![diagnostic])
    }
}

impl Error {
    /// The diagnostics of a query error; empty for other errors.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Query(diagnostics) => diagnostics,
            Error::Load(_) => &[],
        }
    }
}

/// Result of engine operations that fail with a [`Diagnostic`].
pub type DiagResult<T> = Result<T, Diagnostic>;

/// A "not supported yet" diagnostic.
pub fn not_supported(what: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::new(
        DiagnosticKind::NotSupported,
        format!("{what} is not supported yet"),
    )
}

/// A semantic error.
pub fn semantic(message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(DiagnosticKind::Semantic, message)
}

/// A runtime error.
pub fn runtime(message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(DiagnosticKind::Runtime, message)
}

/// Wraps an Arrow error that reached the engine: the kernels are given checked inputs, so
/// one is a bug unless it reports an arithmetic failure on data.
pub fn arrow_error(error: arrow::error::ArrowError) -> Diagnostic {
    match error {
        arrow::error::ArrowError::DivideByZero => runtime("division by zero"),
        arrow::error::ArrowError::ArithmeticOverflow(message) => {
            runtime(format!("arithmetic overflow: {message}"))
        }
        other => Diagnostic::internal(format!("arrow kernel failed: {other}")),
    }
}
