//! Turning pest's errors into diagnostics in words a user understands.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::Rule;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// Converts a pest error: "expected a tabular operator such as `where`, found `wher`".
pub(crate) fn from_pest(error: Error<Rule>, text: &str) -> Diagnostic {
    let position = match error.location {
        InputLocation::Pos(position) => position,
        InputLocation::Span((start, _)) => start,
    };
    let found = found_at(text, position);
    let span = Span::new(position, position + found.len());

    let expected = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => describe_expected(positives),
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let found_text = match found.as_str() {
        "" => "the end of the query".to_string(),
        "\n" | "\r" => "a line break".to_string(),
        token => format!("`{token}`"),
    };
    let mut diagnostic =
        Diagnostic::syntax(format!("expected {expected}, found {found_text}"), span);
    if let Some(hint) = hint_for(text, position, &found) {
        diagnostic = diagnostic.with_hint(hint);
    }
    diagnostic
}

/// The token at `position`: a word, an operator character, or nothing at the end.
fn found_at(text: &str, position: usize) -> String {
    let rest = text.get(position..).unwrap_or("");
    let rest = rest.trim_start_matches([' ', '\t']);
    let mut chars = rest.chars();
    let Some(first) = chars.next() else { return String::new() };
    if first.is_alphanumeric() || first == '_' || first == '$' {
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == '$')
            .collect()
    } else {
        first.to_string()
    }
}

/// Words for what the parser expected, from the rules it tried.
fn describe_expected(rules: &[Rule]) -> String {
    let mut words: Vec<&str> = Vec::new();
    for rule in rules {
        let word = rule_words(*rule);
        if !words.contains(&word) {
            words.push(word);
        }
    }
    match words.as_slice() {
        [] => "something else".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A rule in words a user understands.
fn rule_words(rule: Rule) -> &'static str {
    match rule {
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
        Rule::name | Rule::ident | Rule::bracketed_name | Rule::member_name => "a name",
        Rule::column_pattern | Rule::wildcard_name => "a column name",
        Rule::assignment => "a column or `Name = expression`",
        Rule::literal
        | Rule::string_literal
        | Rule::long_literal
        | Rule::real_literal
        | Rule::timespan_literal
        | Rule::bool_literal => "a literal",
        Rule::type_name => "a type such as `string` or `long`",
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
        Rule::dynamic_value => "a dynamic value",
        Rule::parse_part => "a parse pattern part",
        Rule::function_def => "a function definition",
        Rule::param => "a parameter `name:type`",
        Rule::column_decl => "a column `name:type`",
        _ => "something else",
    }
}

/// Advice for common mistakes.
fn hint_for(text: &str, position: usize, found: &str) -> Option<String> {
    let lower = found.to_ascii_lowercase();
    let operators = ["where", "extend", "project", "summarize", "join", "take", "sort", "top"];
    if found != lower && operators.contains(&lower.as_str()) {
        return Some(format!("keywords are case-sensitive: write `{lower}`"));
    }
    let before = text.get(..position).unwrap_or("").trim_end();
    if before.ends_with(';') && found == ";" {
        return Some("remove the empty statement `;;`".to_string());
    }
    None
}
