//! Turning pest's errors into diagnostics in words a user understands.
//!
//! pest reports the grammar rules it tried at the furthest position it reached. Those are
//! renamed here ("a tabular operator such as `where`"). pest does not report the
//! punctuation it expected (`)`, `,`, `|`), so a failed parse is run a second time with
//! pest's error detail on, which lists every token it tried; the punctuation among them is
//! added to the message. Errors are rare, so the second run costs nothing in the common case.

use std::sync::{Mutex, PoisonError};

use pest::Parser;
use pest::error::{Error, ErrorVariant, InputLocation};

use super::{KqlParser, MAX_NESTING, Rule};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// Converts a pest error: "expected a tabular operator such as `where`, found `wher`".
pub(crate) fn from_pest(error: Error<Rule>, text: &str) -> Diagnostic {
    let position = match error.location {
        InputLocation::Pos(position) => position,
        InputLocation::Span((start, _)) => start,
    };
    let positives = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        // pest's own guard against deep recursion: "stack limit reached".
        ErrorVariant::CustomError { .. } => return too_deep(text, position),
    };
    if let Some(diagnostic) = unterminated_string(text, position) {
        return diagnostic;
    }
    let (position, expected) = expected_words(text, position, &positives);
    syntax_error(text, position, &expected)
}

/// Where the error is and what was expected there, in words: the rules pest reports, with
/// the punctuation its detail run found.
fn expected_words(text: &str, position: usize, positives: &[Rule]) -> (usize, Vec<String>) {
    let mut expected = describe_rules(positives);
    match detailed_attempts(text) {
        Some((furthest, tokens))
            if furthest > position && !describe_tokens(&tokens, true).is_empty() =>
        {
            // pest's rule report stops at the last rule it entered; the detail run knows the
            // literal token that failed after it, further on.
            (furthest, describe_tokens(&tokens, true))
        }
        Some((furthest, tokens)) if furthest == position => {
            for word in describe_tokens(&tokens, false) {
                if !expected.contains(&word) {
                    expected.push(word);
                }
            }
            (position, expected)
        }
        _ => (position, expected),
    }
}

/// "expected `by`, found `x`" at `position`, with a label on an unclosed bracket and a hint
/// for common mistakes.
fn syntax_error(text: &str, position: usize, expected: &[String]) -> Diagnostic {
    let found = found_at(text, position);
    let start = if found.is_empty() {
        // Point just past the last token rather than at a blank last line.
        text.trim_end().len().min(position)
    } else {
        position + leading_blanks(text, position)
    };
    let span = Span::new(start, start + found.len());
    // A Kusto operator kql does not parse yet, where an operator belongs, is valid KQL that
    // kql does not support: say so, rather than call it a syntax error.
    let after_pipe = text.get(..start).unwrap_or("").trim_end().ends_with('|');
    if after_pipe && OTHER_OPERATORS.contains(&found.as_str()) {
        return Diagnostic::new(
            crate::DiagnosticKind::NotSupported,
            format!("the `{found}` operator is not supported yet"),
        )
        .with_span(span);
    }
    if let Some(what) = super::unsupported::unsupported_syntax(text, start, &found) {
        let diagnostic = Diagnostic::new(
            crate::DiagnosticKind::NotSupported,
            format!("{what} is not supported yet"),
        )
        .with_span(span);
        return match hint_for(text, start, &found, expected) {
            Some(hint) => diagnostic.with_hint(hint),
            None => diagnostic,
        };
    }
    let found_text = match found.as_str() {
        "" => "the end of the query".to_string(),
        "\n" | "\r" => "a line break".to_string(),
        token => format!("`{token}`"),
    };
    let message = match expected {
        [] => format!("unexpected {found_text}"),
        [one] => format!("expected {one}, found {found_text}"),
        [init @ .., last] => format!("expected {} or {last}, found {found_text}", init.join(", ")),
    };
    let mut diagnostic = Diagnostic::syntax(message, span);
    if let Some((opener, closer)) = unclosed_bracket(text, position)
        && expected.iter().any(|word| *word == format!("`{closer}`"))
    {
        let bracket = text.get(opener..opener + 1).unwrap_or("(");
        let label = format!("this `{bracket}` is not closed");
        diagnostic = diagnostic.with_label(Span::new(opener, opener + 1), label);
    }
    if let Some(hint) = hint_for(text, start, &found, expected) {
        diagnostic = diagnostic.with_hint(hint);
    }
    diagnostic
}

/// The error for input that pest's recursion guard refused.
fn too_deep(text: &str, position: usize) -> Diagnostic {
    let end = (position + 1).min(text.len());
    Diagnostic::syntax(
        format!("the query nests too deeply to parse (the limit is {MAX_NESTING} levels)"),
        Span::new(position.min(end), end),
    )
    .with_hint("split the query into `let` statements")
}

/// Serialises the parses that turn pest's error detail on: the switch is global, and two
/// threads flipping it under each other would lose detail.
static DETAIL: Mutex<()> = Mutex::new(());

/// Parses `text` again with pest's error detail on, and returns the furthest position
/// reached and the tokens expected there, as text.
fn detailed_attempts(text: &str) -> Option<(usize, Vec<String>)> {
    let error = {
        let _guard = DETAIL.lock().unwrap_or_else(PoisonError::into_inner);
        pest::set_error_detail(true);
        let result = KqlParser::parse(Rule::query, text);
        pest::set_error_detail(false);
        result.err()?
    };
    let attempts = error.parse_attempts()?;
    let tokens = attempts
        .expected_tokens()
        .iter()
        .map(ToString::to_string)
        .collect();
    Some((attempts.max_position, tokens))
}

/// Punctuation worth naming in a message.
const PUNCTUATION: &[&str] = &[")", "]", "}", ",", ";", "|", "=", ":", "..", "{"];
/// Keywords worth naming when a literal token is all the parser was missing.
const KEYWORDS: &[&str] = &[
    "by", "on", "with", "to", "from", "step", "regex", "typeof", "null", "first", "last",
];

/// The tokens from pest's detail run worth naming, in backticks. When they are all the
/// message has (`alone`), opening brackets and keywords count too.
fn describe_tokens(tokens: &[String], alone: bool) -> Vec<String> {
    let mut words = Vec::new();
    for token in tokens {
        let wanted = PUNCTUATION.contains(&token.as_str())
            || (alone && (token == "(" || token == "[" || KEYWORDS.contains(&token.as_str())));
        if wanted {
            words.push(format!("`{token}`"));
        }
    }
    words
}

/// Words for what the parser expected, from the rules it tried.
fn describe_rules(rules: &[Rule]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in rules.iter().filter_map(|rule| rule_words(*rule)) {
        if !words.iter().any(|known| known == word) {
            words.push(word.to_string());
        }
    }
    words
}

/// A rule in words a user understands; `None` for rules not worth naming.
fn rule_words(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the query",
        Rule::statement | Rule::pipe_expr | Rule::pipe_source => "a statement",
        Rule::tabular_operator => "a tabular operator such as `where`",
        Rule::expr | Rule::term | Rule::primary | Rule::neg | Rule::plus | Rule::argument => {
            "an expression"
        }
        Rule::infix_op
        | Rule::op_or
        | Rule::op_and
        | Rule::compare_op
        | Rule::string_op
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_mod
        | Rule::list_op
        | Rule::between_op => "an operator",
        Rule::name
        | Rule::ident
        | Rule::bracketed_name
        | Rule::member_name
        | Rule::name_or_call => "a name",
        Rule::column_pattern | Rule::wildcard_name | Rule::reorder_column => "a column name",
        Rule::union_table => "a table",
        Rule::assignment | Rule::mv_expand_column => "a column or `Name = expression`",
        Rule::summarize_aggregates => "an aggregation such as `count()`",
        Rule::rename => "`NewName = ExistingName`",
        Rule::literal
        | Rule::string_literal
        | Rule::long_literal
        | Rule::real_literal
        | Rule::timespan_literal
        | Rule::bool_literal => "a literal",
        Rule::type_name => "a type such as `string` or `long`",
        Rule::tabular_param_type => "a table schema such as `(*)`",
        Rule::operator_param | Rule::param_name => "a parameter such as `kind=`",
        Rule::sort_key => "a sort expression",
        Rule::sort_order => "`asc` or `desc`",
        Rule::nulls_position => "`nulls first` or `nulls last`",
        Rule::join_on => "`on` and the join columns",
        Rule::join_right => "the right side of the join in parentheses",
        Rule::summarize_by | Rule::kw_by => "`by`",
        Rule::kw_with => "`with`",
        Rule::kw_on => "`on`",
        Rule::kw_from => "`from`",
        Rule::kw_to => "`to`",
        Rule::kw_step => "`step`",
        Rule::kw_null => "`null`",
        Rule::kw_let => "`let`",
        Rule::kw_set => "`set`",
        Rule::set_name => "an option name",
        Rule::star | Rule::star_argument => "`*`",
        Rule::dynamic_value | Rule::dynamic_array | Rule::dynamic_bag => "a dynamic value",
        Rule::parse_part | Rule::parse_column => "a parse pattern: a string, `*` or a column",
        Rule::function_def => "a function definition",
        Rule::param => "a parameter `name:type`",
        Rule::column_decl => "a column `name:type`",
        Rule::render_property => "a property `name=value`",
        _ => return None,
    })
}

/// Spaces and tabs at `position`: the error points past them, at the token.
fn leading_blanks(text: &str, position: usize) -> usize {
    let rest = text.get(position..).unwrap_or("");
    rest.len() - rest.trim_start_matches([' ', '\t']).len()
}

/// The token at `position`: a word, an operator character, or nothing at the end.
fn found_at(text: &str, position: usize) -> String {
    let rest = text.get(position..).unwrap_or("");
    let rest = rest.trim_start_matches([' ', '\t']);
    let mut chars = rest.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    if first.is_alphanumeric() || first == '_' || first == '$' {
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == '$')
            .collect()
    } else if rest.starts_with("```") {
        "```".to_string()
    } else {
        first.to_string()
    }
}

/// A diagnostic for a string literal that starts at `position` and never ends.
fn unterminated_string(text: &str, position: usize) -> Option<Diagnostic> {
    let rest = text.get(position..)?.trim_start_matches([' ', '\t']);
    let start = text.len() - rest.len();
    for fence in ["```", "~~~"] {
        if let Some(body) = rest.strip_prefix(fence) {
            if body.contains(fence) {
                return None;
            }
            return Some(
                Diagnostic::syntax(
                    format!(
                        "unterminated string: expected a closing {fence} before the end of \
                         the query"
                    ),
                    Span::new(start, start + 3),
                )
                .with_span_label("the string starts here"),
            );
        }
    }
    let body = rest.strip_prefix(['h', 'H']).unwrap_or(rest);
    let (body, verbatim) = match body.strip_prefix('@') {
        Some(body) => (body, true),
        None => (body, false),
    };
    let mut chars = body.chars();
    let quote = chars.next().filter(|c| *c == '\'' || *c == '"')?;
    let line = chars.as_str().split(['\n', '\r']).next().unwrap_or("");
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && !verbatim {
            chars.next();
        } else if c == quote {
            if verbatim && chars.peek() == Some(&quote) {
                chars.next();
            } else {
                return None;
            }
        }
    }
    let end = start + (rest.len() - body.len()) + 1 + line.len();
    Some(
        Diagnostic::syntax(
            format!("unterminated string: expected a closing `{quote}` before the end of the line"),
            Span::new(start, end.max(start + 1)),
        )
        .with_hint(
            "a quoted string ends on the line it starts on; use ```...``` for text over \
                    several lines",
        ),
    )
}

/// The innermost bracket opened before `position` and not closed, with the character
/// that would close it. Strings and comments are skipped.
fn unclosed_bracket(text: &str, position: usize) -> Option<(usize, char)> {
    let bytes = text.as_bytes().get(..position)?;
    let mut open: Vec<(usize, char)> = Vec::new();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'(' => open.push((i, ')')),
            b'[' => open.push((i, ']')),
            b'{' => open.push((i, '}')),
            b')' | b']' | b'}' => {
                open.pop();
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|b| *b != b'\n') {
                    i += 1;
                }
            }
            quote @ (b'\'' | b'"') => {
                let verbatim = i > 0 && bytes.get(i - 1) == Some(&b'@');
                i += 1;
                while let Some(&b) = bytes.get(i).filter(|b| **b != quote && **b != b'\n') {
                    if b == b'\\' && !verbatim {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    open.pop()
}

/// The tabular operators kql parses.
const OPERATORS: &[&str] = &[
    "where",
    "filter",
    "extend",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "summarize",
    "count",
    "take",
    "limit",
    "top",
    "sort",
    "order",
    "distinct",
    "union",
    "join",
    "lookup",
    "mv-expand",
    "parse",
    "as",
    "render",
    "invoke",
    "evaluate",
    "getschema",
    "serialize",
];

/// Kusto operators that kql does not parse.
const OTHER_OPERATORS: &[&str] = &[
    "consume",
    "execute-and-cache",
    "externaldata",
    "facet",
    "find",
    "fork",
    "graph-match",
    "graph-to-table",
    "make-graph",
    "make-series",
    "mv-apply",
    "parse-kv",
    "parse-where",
    "partition",
    "project-by-names",
    "reduce",
    "sample",
    "sample-distinct",
    "scan",
    "search",
    "top-hitters",
    "top-nested",
];

/// Other keywords users write in the wrong case.
const OTHER_KEYWORDS: &[&str] = &[
    "and", "or", "by", "on", "let", "set", "print", "range", "kind", "with", "asc", "desc",
];

/// Advice for common mistakes. `start` is where the found token begins.
fn hint_for(text: &str, start: usize, found: &str, expected: &[String]) -> Option<String> {
    let before = text.get(..start).unwrap_or("").trim_end();
    let previous = last_word(before);
    if before.ends_with(';') && found == ";" {
        return Some("remove the empty statement `;;`".to_string());
    }
    for word in [found, previous] {
        let lower = word.to_ascii_lowercase();
        let keyword =
            OPERATORS.contains(&lower.as_str()) || OTHER_KEYWORDS.contains(&lower.as_str());
        if word != lower && keyword {
            return Some(format!("keywords are case-sensitive: write `{lower}`"));
        }
    }
    if previous == "not" && found != "(" {
        return Some("`not` is a function in KQL: write `not(...)`".to_string());
    }
    if found == "{" && before.ends_with(')') {
        let open = before.rfind('(').unwrap_or(0);
        if last_word(before.get(..open).unwrap_or("").trim_end()) == "view" {
            return Some("kql does not support `view` functions yet: remove `view`".to_string());
        }
    }
    if found == "```" && (before.ends_with('h') || before.ends_with('H')) {
        return Some("a ```...``` string cannot be obfuscated with `h`".to_string());
    }
    if found == "matches" || previous == "matches" {
        return Some("the regex operator is written `matches regex`".to_string());
    }
    if found == "=" && expected.iter().any(|word| word == "an operator") {
        return Some("compare with `==`; a single `=` names a column".to_string());
    }
    if found == "&" {
        return Some("write `and` to combine conditions".to_string());
    }
    if found == "|" && before.ends_with('|') {
        return Some("write `or` to combine conditions".to_string());
    }
    if matches!(found, ")" | "]" | "}") && unclosed_bracket(text, start).is_none() {
        return Some(format!("this `{found}` has no opening bracket to close"));
    }
    if found == "by" && previous == "count" {
        return Some("to count rows per group, write `summarize count() by ...`".to_string());
    }
    if before.ends_with('|') && !found.is_empty() {
        if OTHER_OPERATORS.contains(&found) {
            return Some(format!("kql does not support the `{found}` operator yet"));
        }
        let closest = OPERATORS
            .iter()
            .map(|operator| (edit_distance(operator, found), *operator))
            .min()
            .filter(|(distance, _)| *distance <= 2)?;
        return Some(format!("did you mean `{}`?", closest.1));
    }
    None
}

/// The word at the end of `text`.
fn last_word(text: &str) -> &str {
    let start = text
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '-'))
        .map_or(0, |(index, c)| index + c.len_utf8());
    text.get(start..).unwrap_or("")
}

/// The Levenshtein distance between two words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        // `row` always holds `b.len() + 1` cells, so it has a first one.
        let Some((first, rest)) = row.split_first_mut() else {
            break;
        };
        let mut diagonal = *first;
        *first = i + 1;
        let mut left = *first;
        for (cb, cell) in b.iter().zip(rest) {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = *cell;
            *cell = substitute.min(left + 1).min(*cell + 1);
            left = *cell;
        }
    }
    row.last().copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_rule_name_leaks_into_words() {
        for rule in Rule::all_rules() {
            if let Some(words) = rule_words(*rule) {
                let outside_backticks: String =
                    words.split('`').step_by(2).collect::<Vec<_>>().concat();
                assert!(!outside_backticks.contains('_'), "{rule:?}: {words}");
            }
        }
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("where", "wher"), 1);
        assert_eq!(edit_distance("extend", "extned"), 2);
        assert_eq!(edit_distance("take", "take"), 0);
    }

    #[test]
    fn last_word_takes_dashes() {
        assert_eq!(last_word("T | project-away"), "project-away");
        assert_eq!(last_word("T |"), "");
    }
}
