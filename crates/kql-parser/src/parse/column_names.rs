//! Keywords that cannot name a new column unless bracketed.
//!
//! Kusto rejects `extend first = 1`, `project last = x`, `extend asc = ...`, `extend has =
//! ...`, `extend where = ...` and `parse s with ... to:string` (recorded conformance cases
//! such as `test-reg2/l-negidx` and `r3-nested-pipelines-let-cte/agent-nested-pipelines-let-
//! cte-0034`), but accepts `extend from = ...`, `extend order = ...` and `extend select = ...`
//! (`r2-nested-pipelines-let-cte/agent-nested-pipelines-let-cte-0022`). That is the line
//! Kusto.Language draws: its keywords marked as unable to be identifiers (`SyntaxFacts`) need
//! brackets, `['first']`, where a column is declared. The list below is the part of that set
//! that reads as a query word: sort words, clause words and string operators (not `kind`
//! and `title`, which Kusto.Language allows as names in some places).

use pest::iterators::Pair;

use super::expr::name;
use super::{BuildResult, Rule};
use crate::ast::Ident;
use crate::diagnostic::Diagnostic;

/// Keywords that need brackets to name a column.
pub(crate) const BRACKETED_KEYWORDS: &[&str] = &[
    // Sort words.
    "asc",
    "desc",
    "first",
    "last",
    // Clause words.
    "by",
    "of",
    "to",
    "where",
    // String and set operators.
    "has",
    "has_cs",
    "has_any",
    "has_all",
    "hasprefix",
    "hasprefix_cs",
    "hassuffix",
    "hassuffix_cs",
    "contains",
    "contains_cs",
    "startswith",
    "startswith_cs",
    "endswith",
    "endswith_cs",
    "in",
    "between",
    "like",
    "matches",
];

/// The name a column is declared with (`Name = ...` or a `parse` column): like [`name`], but
/// a keyword of [`BRACKETED_KEYWORDS`] written without brackets is an error.
pub(crate) fn column_name(pair: Pair<'_, Rule>) -> BuildResult<Ident> {
    let bracketed = pair.as_str().starts_with('[');
    let ident = name(pair)?;
    if !bracketed && BRACKETED_KEYWORDS.contains(&ident.name.as_str()) {
        let word = &ident.name;
        return Err(Diagnostic::syntax(
            format!("`{word}` is a keyword: it cannot name a column without brackets"),
            ident.span,
        )
        .with_hint(format!("write `['{word}']`")));
    }
    Ok(ident)
}
