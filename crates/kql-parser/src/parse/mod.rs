//! From query text to AST: pest produces pairs, one builder function per grammar rule turns
//! them into AST nodes.

pub(crate) mod column_names;
mod errors;
mod expr;
pub(crate) mod literal;
mod operator;
mod query;
mod unsupported;

use pest::Parser;
use pest::iterators::{Pair, Pairs};

use crate::ast::Query;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// The pest parser generated from `kql.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "kql.pest"]
pub struct KqlParser;

/// How deeply brackets and unary signs may nest before the parser refuses the query.
/// pest parses by recursive descent, and each bracket level costs several stack frames, so
/// without this limit 10,000 nested parentheses, or a chain of 10,000 signs `- - - x`, would
/// overflow the stack instead of giving an error.
pub const MAX_NESTING: usize = 64;

/// How deep the syntax tree may grow. Long chains nest too: `T | where a | where b` is a pipe
/// inside a pipe, and `a or b or c` an `or` inside an `or`. The parser measures an upper bound
/// of the depth on pest's pairs before it builds the AST, and refuses deeper queries, so that
/// code walking the AST by recursion (printing, comparing, evaluating) has a bounded depth.
pub const MAX_DEPTH: usize = 1_000;

/// Result of a builder function.
pub(crate) type BuildResult<T> = Result<T, Diagnostic>;

/// Parses a whole query.
pub fn parse_query(text: &str) -> Result<Query, Diagnostic> {
    check_nesting(text)?;
    let mut pairs =
        KqlParser::parse(Rule::query, text).map_err(|error| errors::from_pest(error, text))?;
    let pair = pairs
        .next()
        .ok_or_else(|| Diagnostic::internal("pest returned no query"))?;
    check_depth(&pair)?;
    query::query(pair)
}

/// Rejects text whose brackets and runs of unary signs nest deeper than [`MAX_NESTING`],
/// skipping string literals, comments and the raw text of `datetime(...)` and its kin, so
/// that what is inside them does not count. This runs before pest, to spare it the work;
/// [`check_depth`] checks the same on the parsed pairs, exactly.
///
/// Each bracket level counts one, and so does each sign of the last run of `-` and `+`
/// seen at every open level: `-(-(- -x))` nests six deep. This over-counts binary minus
/// (`a - b` counts one), which is harmless at this limit.
fn check_nesting(text: &str) -> Result<(), Diagnostic> {
    let bytes = text.as_bytes();
    // The length of the last run of signs at each open bracket level, and their sum.
    let mut runs: Vec<usize> = vec![0];
    let mut signs = 0usize;
    let mut in_run = false;
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'(' if raw_literal_before(bytes, i) => {
                i = bytes
                    .iter()
                    .skip(i)
                    .position(|b| *b == b')')
                    .map_or(bytes.len(), |end| i + end);
                in_run = false;
            }
            b'(' | b'[' | b'{' => {
                runs.push(0);
                in_run = false;
                if runs.len() - 1 + signs > MAX_NESTING {
                    return Err(too_nested("brackets", i));
                }
            }
            b')' | b']' | b'}' => {
                if runs.len() > 1 {
                    signs -= runs.pop().unwrap_or(0);
                }
                in_run = false;
            }
            b'-' | b'+' => {
                if let Some(run) = runs.last_mut() {
                    let old = *run;
                    *run = if in_run { old + 1 } else { 1 };
                    signs = signs - old + *run;
                }
                in_run = true;
                if runs.len() - 1 + signs > MAX_NESTING {
                    return Err(too_nested("unary `-` and `+` signs", i));
                }
            }
            _ => {
                i = skip_trivia_or_string(text, i);
                in_run = false;
            }
        }
        i += 1;
    }
    Ok(())
}

/// Whether the `(` at `open` starts the raw text of a literal such as `datetime(...)`,
/// which runs to the next `)` whatever it holds.
fn raw_literal_before(bytes: &[u8], open: usize) -> bool {
    // The last piece after splitting at every byte that cannot be in a word is the word
    // that ends at `open`, empty when there is none.
    let word = bytes
        .get(..open)
        .and_then(|before| {
            before
                .rsplit(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .next()
        })
        .unwrap_or_default();
    [
        &b"datetime"[..],
        b"date",
        b"timespan",
        b"time",
        b"guid",
        b"uuid",
        b"uniqueid",
        b"decimal",
    ]
    .contains(&word)
}

/// When a comment or a string literal starts at `i`, the index of its last byte;
/// otherwise `i`.
fn skip_trivia_or_string(text: &str, i: usize) -> usize {
    let bytes = text.as_bytes();
    let Some(&byte) = bytes.get(i) else {
        return i;
    };
    match byte {
        b'/' if bytes.get(i + 1) == Some(&b'/') => bytes
            .iter()
            .skip(i)
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |end| i + end),
        quote @ (b'\'' | b'"') => {
            let verbatim = i > 0 && bytes.get(i - 1) == Some(&b'@');
            let mut j = i + 1;
            while let Some(&b) = bytes.get(j).filter(|b| **b != b'\n') {
                if b == b'\\' && !verbatim {
                    j += 1;
                } else if b == quote {
                    if !(verbatim && bytes.get(j + 1) == Some(&quote)) {
                        return j;
                    }
                    j += 1;
                }
                j += 1;
            }
            j
        }
        fence @ (b'`' | b'~') if bytes.get(i..i + 3) == Some(&[fence; 3][..]) => {
            let closing = if fence == b'`' { "```" } else { "~~~" };
            text.get(i + 3..)
                .and_then(|rest| rest.find(closing))
                .map_or(bytes.len(), |end| i + 3 + end + 2)
        }
        _ => i,
    }
}

/// The error for text nesting deeper than [`MAX_NESTING`] at byte `at`.
fn too_nested(what: &str, at: usize) -> Diagnostic {
    Diagnostic::syntax(
        format!("{what} nest more than {MAX_NESTING} levels deep"),
        Span::new(at, at + 1),
    )
    .with_hint("split the query into `let` statements")
}

/// Rejects a parsed query whose AST would be deeper than [`MAX_DEPTH`]. The walk is
/// iterative, and counts for every pair the chain it sits in: the operators of a pipeline,
/// the accessors of a term, the height of an expression's operator tree.
fn check_depth(query: &Pair<'_, Rule>) -> Result<(), Diagnostic> {
    // Each entry: a pair, its depth, and how many brackets and signs enclose it.
    let mut stack = vec![(query.clone(), 0usize, 0usize)];
    while let Some((pair, depth, nesting)) = stack.pop() {
        let nesting = nesting + usize::from(opens_bracket(pair.as_rule()));
        if nesting > MAX_NESTING {
            return Err(too_nested(
                "brackets and unary signs",
                pair.as_span().start(),
            ));
        }
        if depth > MAX_DEPTH {
            let span = span_of(&pair);
            let message = format!("the query nests more than {MAX_DEPTH} levels deep");
            return Err(
                Diagnostic::syntax(message, Span::new(span.start, span.start + 1)).with_hint(
                    "long chains of `|` operators or of `and` and `or` count as nesting: \
                     split them with `let` statements, or test many values with `in (...)`",
                ),
            );
        }
        let children = pair.clone().into_inner();
        let (weight, signs) = match pair.as_rule() {
            Rule::pipe_expr | Rule::term => (children.len(), 0),
            Rule::expr => (
                1 + operator_tree_height(children.clone()),
                longest_sign_run(&pair),
            ),
            _ => (1, 0),
        };
        stack.extend(children.map(|child| (child, depth + weight, nesting + signs)));
    }
    Ok(())
}

/// Whether a rule's pairs hold a bracketed part that may nest: `(...)`, `f(...)`, `[...]`.
fn opens_bracket(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::paren_expr
            | Rule::arguments
            | Rule::index_access
            | Rule::dot_index_access
            | Rule::list_postfix
            | Rule::between_postfix
            | Rule::datatable
            | Rule::externaldata
            | Rule::function_def
            | Rule::tabular_param_type
            | Rule::dynamic_literal
            | Rule::dynamic_array
            | Rule::dynamic_bag
            | Rule::join_right
            | Rule::union_table
    )
}

/// The longest run of unary signs among an `expr`'s children.
fn longest_sign_run(expr: &Pair<'_, Rule>) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for child in expr.clone().into_inner() {
        run = if matches!(child.as_rule(), Rule::neg | Rule::plus) {
            run + 1
        } else {
            0
        };
        longest = longest.max(run);
    }
    longest
}

/// The height of the operator tree the Pratt parser builds from an `expr`'s children,
/// worked out with a stack instead of recursion (shunting-yard).
fn operator_tree_height(children: Pairs<'_, Rule>) -> usize {
    let mut heights: Vec<usize> = Vec::new();
    let mut operators: Vec<u8> = Vec::new();
    let mut prefixes = 0;
    for child in children {
        match child.as_rule() {
            Rule::neg | Rule::plus => prefixes += 1,
            Rule::term => heights.push(std::mem::take(&mut prefixes)),
            Rule::list_postfix | Rule::between_postfix => {
                reduce(&mut heights, &mut operators, COMPARISON);
                if let Some(top) = heights.last_mut() {
                    *top += 1;
                }
            }
            rule => {
                let precedence = infix_precedence(rule);
                reduce(&mut heights, &mut operators, precedence);
                operators.push(precedence);
            }
        }
    }
    reduce(&mut heights, &mut operators, 0);
    heights.pop().unwrap_or(0)
}

/// The precedence of comparisons, string predicates, `in` and `between`.
const COMPARISON: u8 = 3;

/// The precedence of an infix operator, as in the Pratt parser of `expr.rs`.
fn infix_precedence(rule: Rule) -> u8 {
    match rule {
        Rule::op_or => 1,
        Rule::op_and => 2,
        Rule::op_add | Rule::op_sub => 4,
        Rule::op_mul | Rule::op_div | Rule::op_mod => 5,
        _ => COMPARISON,
    }
}

/// Folds the operators on the stack that bind at least as tightly as `precedence`.
fn reduce(heights: &mut Vec<usize>, operators: &mut Vec<u8>, precedence: u8) {
    while operators.last().is_some_and(|top| *top >= precedence) {
        operators.pop();
        let right = heights.pop().unwrap_or(0);
        let left = heights.pop().unwrap_or(0);
        heights.push(left.max(right) + 1);
    }
}

/// The span of a pair, without the whitespace and comments pest leaves at its end: in
/// `primary ~ accessor*`, pest skips the blanks after `primary` before it finds no accessor,
/// and counts them in the pair.
pub(crate) fn span_of(pair: &Pair<'_, Rule>) -> Span {
    Span::new(pair.as_span().start(), content_end(pair))
}

/// Where the last token of a pair ends. Text after a pair's last child holds only the
/// grammar's literal tokens (`)`, `]`, `;`) and trivia; when there is no token there, the
/// end is the last child's end, found the same way.
fn content_end(pair: &Pair<'_, Rule>) -> usize {
    let input = pair.get_input();
    let end = pair.as_span().end();
    // Trailing trivia ends in whitespace (a comment runs to a line break), unless it runs
    // to the end of the query: most pairs need no walk.
    let last = pair.as_str().chars().next_back();
    if end < input.len() && last.is_some_and(|c| !c.is_whitespace() && c != '\u{feff}') {
        return end;
    }
    let mut current = pair.clone();
    loop {
        let end = current.as_span().end();
        let Some(last) = current.clone().into_inner().last() else {
            return end;
        };
        if let Some(token_end) = last_token_end(input, last.as_span().end(), end) {
            return token_end;
        }
        current = last;
    }
}

/// The end of the last character in `input[from..to]` that is neither whitespace nor part
/// of a `//` comment.
fn last_token_end(input: &str, from: usize, to: usize) -> Option<usize> {
    let region = input.get(from..to)?;
    let mut end = None;
    let mut chars = region.char_indices();
    while let Some((index, c)) = chars.next() {
        if c.is_whitespace() || c == '\u{feff}' {
            continue;
        }
        if c == '/'
            && region
                .get(index + 1..)
                .is_some_and(|rest| rest.starts_with('/'))
        {
            chars.by_ref().find(|(_, c)| *c == '\n' || *c == '\r');
            continue;
        }
        end = Some(from + index + c.len_utf8());
    }
    end
}

/// The children of a pair that carry meaning: keyword pairs are dropped.
pub(crate) fn children<'i>(pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pair.into_inner()
        .filter(|child| !is_keyword(child.as_rule()))
}

/// The first meaningful child, or an internal error naming the parent rule.
pub(crate) fn first_child(pair: Pair<'_, Rule>) -> BuildResult<Pair<'_, Rule>> {
    let rule = pair.as_rule();
    children(pair).next().ok_or_else(|| missing(rule))
}

/// An internal error for a rule whose expected child is missing.
pub(crate) fn missing(rule: Rule) -> Diagnostic {
    Diagnostic::internal(format!(
        "the grammar rule `{rule:?}` has an unexpected shape"
    ))
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
            | Rule::kw_externaldata
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs pest alone, then the depth check, skipping the text check before pest.
    fn depth_of(text: &str) -> Result<(), Diagnostic> {
        let mut pairs = KqlParser::parse(Rule::query, text).map_err(|error| {
            Diagnostic::internal(format!("the test query does not parse: {error}"))
        })?;
        let pair = pairs
            .next()
            .ok_or_else(|| Diagnostic::internal("no query"))?;
        check_depth(&pair)
    }

    #[test]
    fn the_pair_check_counts_brackets_exactly() {
        let deep = |n: usize| format!("print {}1{}", "f(".repeat(n), ")".repeat(n));
        assert!(depth_of(&deep(MAX_NESTING)).is_ok());
        let error = depth_of(&deep(MAX_NESTING + 1)).unwrap_err();
        assert_eq!(
            error.message,
            "brackets and unary signs nest more than 64 levels deep"
        );
        let signs = |n: usize| format!("print {}x", "-".repeat(n));
        assert!(depth_of(&signs(MAX_NESTING)).is_ok());
        assert!(depth_of(&signs(MAX_NESTING + 1)).is_err());
    }

    #[test]
    fn the_pair_check_counts_chains_as_depth() {
        let pipes = |n: usize| format!("T{}", " | take 1".repeat(n));
        assert!(depth_of(&pipes(MAX_DEPTH - 10)).is_ok());
        let error = depth_of(&pipes(MAX_DEPTH)).unwrap_err();
        assert_eq!(error.message, "the query nests more than 1000 levels deep");
    }

    #[test]
    fn operator_trees_have_the_height_the_pratt_parser_builds() {
        let height = |text: &str| {
            let pairs = KqlParser::parse(Rule::expr, text).map(|mut pairs| pairs.next());
            match pairs {
                Ok(Some(pair)) => operator_tree_height(pair.into_inner()),
                _ => usize::MAX,
            }
        };
        assert_eq!(height("a"), 0);
        assert_eq!(height("a or b or c or d"), 3);
        assert_eq!(height("a == 1 or b == 2 or c == 3"), 3);
        assert_eq!(height("a + b * c"), 2);
        assert_eq!(height("- - a"), 2);
        assert_eq!(height("a in (1) and b between (1 .. 2)"), 2);
    }

    #[test]
    fn the_text_check_skips_strings_comments_and_raw_literals() {
        let brackets = "(".repeat(100);
        for text in [
            format!("print '{brackets}'"),
            format!("print @'it''s {brackets}'"),
            format!("print \"\\\"{brackets}\""),
            format!("print 1 // {brackets}"),
            format!("print ```\n{brackets}\n```"),
            format!("print datetime({brackets})"),
        ] {
            assert!(check_nesting(&text).is_ok(), "{text}");
        }
        // A quote inside raw literal text does not hide the brackets after it.
        let hidden = format!("print datetime(') + {brackets}1");
        assert!(check_nesting(&hidden).is_err());
        let hidden = format!("print @'a''\\' + {brackets}1");
        assert!(check_nesting(&hidden).is_err());
    }

    #[test]
    fn spans_end_at_the_last_token() {
        assert_eq!(last_token_end("a // c\n  ", 0, 9), Some(1));
        assert_eq!(last_token_end("  )  ", 0, 5), Some(3));
        assert_eq!(last_token_end("   ", 0, 3), None);
    }
}
