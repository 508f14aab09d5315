//! Everything printed on standard error: diagnostics, warnings, progress.

use std::io::{self, IsTerminal, Write};

use kql_parser::{Diagnostic, Severity, line_col};

use crate::cli::DiagnosticFormat;
use crate::commands::QueryText;
use crate::progress::Spinner;

/// Prints diagnostics and progress to standard error.
pub struct Reporter {
    /// Text or JSON diagnostics.
    pub format: DiagnosticFormat,
    /// Colour: only when standard error is a terminal.
    pub color: bool,
    /// No warnings or progress.
    pub quiet: bool,
}

impl Reporter {
    /// A reporter for standard error.
    pub fn new(format: DiagnosticFormat, quiet: bool) -> Reporter {
        Reporter {
            format,
            color: io::stderr().is_terminal(),
            quiet,
        }
    }

    /// Prints diagnostics of a query.
    pub fn diagnostics(&self, diagnostics: &[Diagnostic], text: &str, origin: &str) {
        let mut err = io::stderr().lock();
        for diagnostic in diagnostics {
            let rendered = match self.format {
                DiagnosticFormat::Json => json(diagnostic, text, origin) + "\n",
                DiagnosticFormat::Text if self.color => diagnostic.render_colored(text, origin),
                DiagnosticFormat::Text => diagnostic.render(text, origin),
            };
            let _ = err.write_all(rendered.as_bytes());
        }
    }

    /// Prints warnings unless quiet.
    pub fn warnings(&self, warnings: &[Diagnostic], query: &QueryText) {
        if !self.quiet {
            self.diagnostics(warnings, &query.text, &query.origin);
        }
    }

    /// A plain error line, `kql: message`; `kind` names it in JSON (`input`, `usage`...).
    pub fn error(&self, kind: &str, message: &str) {
        match self.format {
            DiagnosticFormat::Json => {
                let value =
                    serde_json::json!({"severity": "error", "kind": kind, "message": message});
                eprintln!("{value}");
            }
            DiagnosticFormat::Text => eprintln!("kql: {message}"),
        }
    }

    /// Shows `message` with a spinner while the returned guard lives, once the work takes
    /// longer than a moment; only on a terminal, and not when quiet.
    pub fn progress(&self, message: impl Into<String>) -> Spinner {
        Spinner::start(message.into(), !self.quiet && self.color)
    }
}

/// A diagnostic as one JSON object, with 1-based line and column of its span.
fn json(diagnostic: &Diagnostic, text: &str, origin: &str) -> String {
    let position = |offset: usize| {
        let (line, column) = line_col(text, offset);
        serde_json::json!({"offset": offset, "line": line, "column": column})
    };
    let span = diagnostic
        .span
        .map(|span| serde_json::json!({"start": position(span.start), "end": position(span.end)}));
    let severity = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let value = serde_json::json!({
        "severity": severity,
        "kind": kind_token(diagnostic.kind),
        "message": diagnostic.message,
        "origin": origin,
        "span": span,
        "label": diagnostic.span_label,
        "hints": diagnostic.hints,
    });
    value.to_string()
}

/// A diagnostic kind as a stable token for tools: `syntax`, `semantic`, `runtime`,
/// `not-supported`, `limit`, `internal`. Counting `not-supported` over a query collection
/// measures how much of it kql runs.
fn kind_token(kind: kql_parser::DiagnosticKind) -> &'static str {
    match kind {
        kql_parser::DiagnosticKind::Syntax => "syntax",
        kql_parser::DiagnosticKind::Semantic => "semantic",
        kql_parser::DiagnosticKind::Runtime => "runtime",
        kql_parser::DiagnosticKind::NotSupported => "not-supported",
        kql_parser::DiagnosticKind::Limit => "limit",
        kql_parser::DiagnosticKind::Internal => "internal",
    }
}
