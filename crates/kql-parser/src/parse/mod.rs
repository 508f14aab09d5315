//! From query text to AST: pest produces pairs, one builder function per grammar rule turns
//! them into AST nodes.

mod errors;
mod expr;
pub(crate) mod literal;
mod operator;
mod query;

use pest::Parser;
use pest::iterators::Pair;

use crate::ast::Query;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// The pest parser generated from `kql.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "kql.pest"]
pub struct KqlParser;

/// How deeply brackets may nest before the parser refuses the query. pest parses by
/// recursive descent, and each bracket level costs several stack frames, so without this
/// limit 10,000 nested parentheses would overflow the stack instead of giving an error.
pub const MAX_NESTING: usize = 64;

/// Result of a builder function.
pub(crate) type BuildResult<T> = Result<T, Diagnostic>;

/// Parses a whole query.
pub fn parse_query(text: &str) -> Result<Query, Diagnostic> {
    check_nesting(text)?;
    let mut pairs = KqlParser::parse(Rule::query, text).map_err(|error| errors::from_pest(error, text))?;
    let pair = pairs.next().ok_or_else(|| Diagnostic::internal("pest returned no query"))?;
    query::query(pair)
}

/// Rejects text whose brackets nest deeper than [`MAX_NESTING`], skipping string literals
/// and comments so that brackets inside them do not count.
fn check_nesting(text: &str) -> Result<(), Diagnostic> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Diagnostic::syntax(
                        format!("brackets nest more than {MAX_NESTING} levels deep"),
                        Span::new(i, i + 1),
                    )
                    .with_hint("split the query into `let` statements"));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            quote @ (b'\'' | b'"') => {
                let verbatim = i > 0 && bytes[i - 1] == b'@';
                i += 1;
                while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' && !verbatim {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' if text.get(i..i + 3) == Some("```") => {
                i = text.get(i + 3..).and_then(|rest| rest.find("```")).map_or(bytes.len(), |end| i + 3 + end + 2);
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// The span of a pair.
pub(crate) fn span_of(pair: &Pair<'_, Rule>) -> Span {
    Span::from(pair.as_span())
}

/// The children of a pair that carry meaning: keyword pairs are dropped.
pub(crate) fn children<'i>(pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pair.into_inner().filter(|child| !is_keyword(child.as_rule()))
}

/// The first meaningful child, or an internal error naming the parent rule.
pub(crate) fn first_child(pair: Pair<'_, Rule>) -> BuildResult<Pair<'_, Rule>> {
    let rule = pair.as_rule();
    children(pair).next().ok_or_else(|| missing(rule))
}

/// An internal error for a rule whose expected child is missing.
pub(crate) fn missing(rule: Rule) -> Diagnostic {
    Diagnostic::internal(format!("the grammar rule `{rule:?}` has an unexpected shape"))
}

/// An internal error for a rule the builder did not expect here.
pub(crate) fn unexpected(pair: &Pair<'_, Rule>) -> Diagnostic {
    Diagnostic::internal(format!("unexpected grammar rule `{:?}`", pair.as_rule()))
        .with_span(span_of(pair))
}

/// True for the keyword rules (`kw_*`), whose pairs only mark where a keyword was.
pub(crate) fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_let
            | Rule::kw_set
            | Rule::kw_print
            | Rule::kw_range
            | Rule::kw_from
            | Rule::kw_to
            | Rule::kw_step
            | Rule::kw_union
            | Rule::kw_where
            | Rule::kw_filter
            | Rule::kw_extend
            | Rule::kw_project
            | Rule::kw_project_away
            | Rule::kw_project_keep
            | Rule::kw_project_rename
            | Rule::kw_project_reorder
            | Rule::kw_summarize
            | Rule::kw_by
            | Rule::kw_count
            | Rule::kw_take
            | Rule::kw_limit
            | Rule::kw_top
            | Rule::kw_sort
            | Rule::kw_order
            | Rule::kw_nulls
            | Rule::kw_distinct
            | Rule::kw_join
            | Rule::kw_on
            | Rule::kw_lookup
            | Rule::kw_mv_expand
            | Rule::kw_typeof
            | Rule::kw_parse
            | Rule::kw_with
            | Rule::kw_as
            | Rule::kw_render
            | Rule::kw_invoke
            | Rule::kw_evaluate
            | Rule::kw_getschema
            | Rule::kw_serialize
            | Rule::kw_datatable
    )
}
