//! Diagnostics: errors and warnings that point at the query text, and their plain-text
//! rendering.
//!
//! ```
//! use kql_parser::{Diagnostic, DiagnosticKind, Span};
//!
//! let query = "T\n| where Duraton > 10m";
//! let diagnostic = Diagnostic::new(DiagnosticKind::Semantic, "unknown column `Duraton`")
//!     .with_span(Span::new(10, 17))
//!     .with_hint("did you mean `Duration`?");
//! let text = diagnostic.render(query, "query");
//! assert!(text.contains("2 | | where Duraton > 10m"));
//! assert!(text.contains("^^^^^^^"));
//! ```

use std::fmt;

use crate::span::Span;

/// What went wrong, in the categories users and exit codes care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiagnosticKind {
    /// The text is not valid KQL: `T | where`.
    Syntax,
    /// Valid KQL that does not make sense here: an unknown column, a wrong argument type.
    Semantic,
    /// A failure while running: a regex from column data that does not compile.
    Runtime,
    /// Valid KQL that kql does not run yet: `T | make-series ...`.
    NotSupported,
    /// A resource limit of the run was reached: a join's row budget, the time budget. As a
    /// warning: a result cut to Kusto's result limits.
    Limit,
    /// A bug in kql; the message asks for a report.
    Internal,
}

impl DiagnosticKind {
    /// A lowercase name for the kind: `syntax error`, `not supported`...
    pub fn label(self) -> &'static str {
        match self {
            DiagnosticKind::Syntax => "syntax error",
            DiagnosticKind::Semantic => "semantic error",
            DiagnosticKind::Runtime => "runtime error",
            DiagnosticKind::NotSupported => "not supported",
            DiagnosticKind::Limit => "limit reached",
            DiagnosticKind::Internal => "internal error",
        }
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The query cannot run.
    Error,
    /// The query runs, but something deserves attention.
    Warning,
}

/// A secondary location with a note: "the column was declared here".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say about it.
    pub message: String,
}

/// An error or warning about a query, with the place it concerns.
///
/// Messages start lowercase, end without a period and put names in backticks; advice goes
/// in hints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The category.
    pub kind: DiagnosticKind,
    /// Error or warning.
    pub severity: Severity,
    /// What went wrong: "unknown column `Duraton`".
    pub message: String,
    /// The main place, if there is one.
    pub span: Option<Span>,
    /// A short note under the carets of the main place.
    pub span_label: Option<String>,
    /// Further places with notes.
    pub labels: Vec<Label>,
    /// Advice: "did you mean `Duration`?".
    pub hints: Vec<String>,
}

impl Diagnostic {
    /// An error of `kind` with a message and no place yet.
    pub fn new(kind: DiagnosticKind, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            kind,
            severity: Severity::Error,
            message: message.into(),
            span: None,
            span_label: None,
            labels: Vec::new(),
            hints: Vec::new(),
        }
    }

    /// A syntax error at `span`.
    pub fn syntax(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::new(DiagnosticKind::Syntax, message).with_span(span)
    }

    /// An internal error (a bug in kql).
    pub fn internal(message: impl Into<String>) -> Diagnostic {
        let message = message.into();
        Diagnostic::new(DiagnosticKind::Internal, message)
            .with_hint("this is a bug in kql: please report it with the query")
    }

    /// Makes this diagnostic a warning.
    pub fn warning(mut self) -> Diagnostic {
        self.severity = Severity::Warning;
        self
    }

    /// Sets the main place.
    pub fn with_span(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    /// Sets the main place only when none is set yet.
    pub fn with_span_fallback(mut self, span: Span) -> Diagnostic {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    /// Sets the note under the main place's carets.
    pub fn with_span_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.span_label = Some(label.into());
        self
    }

    /// Adds a secondary place.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hints.push(hint.into());
        self
    }

    /// Renders the diagnostic as plain text with the query line and carets, rustc-style.
    ///
    /// `origin` names the query in the `-->` line (a file name, or `query`).
    pub fn render(&self, source: &str, origin: &str) -> String {
        crate::render::render(self, source, origin, false)
    }

    /// Like [`Diagnostic::render`], with ANSI colours for a terminal.
    pub fn render_colored(&self, source: &str, origin: &str) -> String {
        crate::render::render(self, source, origin, true)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.label(), self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// Line and column (both 1-based, column in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}
