//! A parser for the Kusto Query Language (KQL).
//!
//! [`parse`] turns query text into a typed [`ast::Query`] whose nodes carry byte [`Span`]s.
//! Errors are [`Diagnostic`]s that point at the text and render with a caret:
//!
//! ```
//! let query = kql_parser::parse("SecurityEvent\n| where EventID == 4688\n| take 10").unwrap();
//! assert_eq!(query.statements.len(), 1);
//! // The AST prints back as canonical KQL.
//! assert_eq!(query.to_string(), "SecurityEvent\n| where EventID == 4688\n| take 10");
//!
//! let error = kql_parser::parse("T | wher x").unwrap_err();
//! assert_eq!(error.message, "expected a tabular operator such as `where`, found `wher`");
//! ```
//!
//! The grammar is `src/kql.pest`; one builder function per grammar rule turns pest's pairs
//! into the AST (`src/parse/`), and operator precedence is applied with pest's Pratt parser.
//! The parser knows nothing of tables or types: names are resolved by `kql-engine`.

#![warn(missing_docs)]
// Query text and files from users reach this code: a malformed input must become an error,
// never a panic. Tests may still unwrap and index freely.
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

pub mod ast;
mod diagnostic;
mod display;
mod parse;
mod render;
mod span;

pub use diagnostic::{Diagnostic, DiagnosticKind, Label, Severity, line_col};
pub use parse::{MAX_DEPTH, MAX_NESTING};
pub use span::Span;

/// Parses a whole query: `let` and `set` statements and tabular expressions separated
/// by `;`.
///
/// Brackets and signs nested deeper than [`MAX_NESTING`], and queries whose syntax tree would
/// be deeper than [`MAX_DEPTH`] (long `|` or `or` chains count), are rejected with a
/// diagnostic rather than risking the stack.
pub fn parse(text: &str) -> Result<ast::Query, Diagnostic> {
    parse::parse_query(text)
}

/// Reads the body of a `timespan(...)` literal (`1d`, `15 seconds`, `1.02:03:04`, `2`) into
/// ticks of 100 ns, as the parser does; `None` when it is not a timespan.
///
/// ```
/// assert_eq!(kql_parser::parse_timespan_body("00:01:00"), Some(600_000_000));
/// ```
pub fn parse_timespan_body(body: &str) -> Option<i64> {
    parse::literal::timespan_body(body)
}
