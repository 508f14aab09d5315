//! `matches regex` and `replace_regex`, with patterns compiled once when binding.

use std::sync::Arc;

use arrow::array::{Array, BooleanArray, StringArray};
use regex::Regex;

use super::Value;
use super::string_match::{string_at, strings};
use crate::error::DiagResult;

/// `haystack matches regex pattern`: an unanchored, case-sensitive search
/// (`K:matches-regex-operator`); Rust's `Regex::is_match` has exactly these semantics.
pub(crate) fn matches_regex(haystack: &Value, regex: &Regex) -> DiagResult<Value> {
    let haystacks = strings(haystack)?;
    let result: BooleanArray = (0..haystacks.len())
        .map(|row| Some(regex.is_match(string_at(haystacks, false, row))))
        .collect();
    Ok(Value::like(haystack.is_scalar(), Arc::new(result)))
}

/// `replace_regex(source, pattern, rewrite)`: every non-overlapping match replaced
/// (`K:replace-regex-function`). `rewrite` is already in the regex crate's syntax.
pub(crate) fn replace_regex(source: &Value, regex: &Regex, rewrite: &str) -> DiagResult<Value> {
    let sources = strings(source)?;
    let result: StringArray = (0..sources.len())
        .map(|row| Some(regex.replace_all(string_at(sources, false, row), rewrite)))
        .collect();
    Ok(Value::like(source.is_scalar(), Arc::new(result)))
}
