//! `matches regex` and `replace_regex`, with patterns compiled once when binding.

use std::borrow::Cow;
use std::sync::Arc;

use arrow::array::{Array, BooleanArray, StringArray, StringBuilder};
use arrow::buffer::BooleanBuffer;
use regex::Regex;

use super::Value;
use super::pattern::{ReplacePattern, SearchPattern, delete_bytes};
use super::string_match::{string_at, strings};
use crate::error::DiagResult;
use crate::types::KustoType;

/// `haystack matches regex pattern`: an unanchored, case-sensitive search
/// (`K:matches-regex-operator`); Rust's `Regex::is_match` has exactly these semantics.
pub(crate) fn matches_regex(haystack: &Value, pattern: &SearchPattern) -> DiagResult<Value> {
    let haystacks = strings(haystack)?;
    let bits = BooleanBuffer::collect_bool(haystacks.len(), |row| {
        pattern.is_match(string_at(haystacks, false, row))
    });
    let result = BooleanArray::new(bits, None);
    Ok(Value::like(haystack.is_scalar(), Arc::new(result)))
}

/// `replace_regex(source, pattern, rewrite)`: every non-overlapping match replaced
/// (`K:replace-regex-function`). The rewrite is already in the regex crate's syntax.
///
/// A column none of whose values the pattern changes (and without nulls, which become `""`)
/// is returned as it is, without copying. Otherwise the values are copied once, through one
/// reused buffer for the changed ones.
pub(crate) fn replace_regex(source: &Value, pattern: &ReplacePattern) -> DiagResult<Value> {
    let sources = strings(source)?;
    let mut buffer = String::new();
    let rewrite = |text: &str, buffer: &mut String| -> bool {
        buffer.clear();
        match pattern.deleted() {
            Some(deleted) => delete_bytes(text, deleted, buffer),
            None => match pattern.regex.replace_all(text, pattern.rewrite.as_str()) {
                Cow::Borrowed(_) => false,
                Cow::Owned(replaced) => {
                    *buffer = replaced;
                    true
                }
            },
        }
    };
    let rows = sources.len();
    let mut first_change = None;
    if sources.null_count() == 0 {
        first_change = (0..rows).find(|&row| rewrite(sources.value(row), &mut buffer));
        let Some(_) = first_change else {
            return Ok(Value::like(source.is_scalar(), Arc::clone(source.array())));
        };
    }
    let mut builder = StringBuilder::with_capacity(rows, sources.values().len());
    let start = first_change.unwrap_or(0);
    for row in 0..start {
        builder.append_value(sources.value(row));
    }
    if first_change.is_some() {
        builder.append_value(&buffer); // the first changed value, already rewritten
    }
    let rest = if first_change.is_some() {
        start + 1
    } else {
        start
    };
    for row in rest..rows {
        let text = string_at(sources, false, row);
        if rewrite(text, &mut buffer) {
            builder.append_value(&buffer);
        } else {
            builder.append_value(text);
        }
    }
    Ok(Value::like(source.is_scalar(), Arc::new(builder.finish())))
}

/// One column of the `parse` operator.
pub(crate) struct Capture<'a> {
    /// The whole pattern.
    pub regex: &'a Regex,
    /// This column's capture group.
    pub group: usize,
    /// Every column's group and type.
    pub all: &'a [(usize, KustoType)],
    /// Whether a value that does not convert empties the whole row (`simple`, `regex`).
    pub strict: bool,
}

/// Whether captured text converts to `ty` the way [`parse_capture`] converts it.
fn converts(text: &str, ty: KustoType) -> bool {
    use crate::source::datetime::{DateOrder, parse_datetime, parse_timespan};
    match ty {
        KustoType::Long | KustoType::Int => text.trim().parse::<i64>().is_ok(),
        KustoType::Real | KustoType::Decimal => text.trim().parse::<f64>().is_ok(),
        KustoType::Bool => matches!(text.to_ascii_lowercase().as_str(), "true" | "false"),
        KustoType::DateTime => parse_datetime(text, DateOrder::MonthFirst).is_some(),
        KustoType::TimeSpan => parse_timespan(text).is_some(),
        _ => true,
    }
}

/// One `parse` column: its capture group of the first match, converted to `ty`; nothing
/// when the pattern does not match or, in strict modes, when any column does not convert.
pub(crate) fn parse_capture(
    source: &Value,
    capture: &Capture<'_>,
    ty: KustoType,
) -> DiagResult<Value> {
    use crate::source::datetime::{DateOrder, parse_datetime, parse_timespan};
    use arrow::array::{
        BooleanArray, DurationNanosecondArray, Float64Array, Int32Array, Int64Array,
        TimestampNanosecondArray,
    };
    let sources = strings(source)?;
    let captured: Vec<Option<&str>> = (0..sources.len())
        .map(|row| {
            let captures = capture.regex.captures(string_at(sources, false, row))?;
            let text = |group: usize| captures.get(group).map_or("", |found| found.as_str());
            if capture.strict
                && !capture
                    .all
                    .iter()
                    .all(|(group, ty)| converts(text(*group), *ty))
            {
                return None;
            }
            captures.get(capture.group).map(|found| found.as_str())
        })
        .collect();
    let array: arrow::array::ArrayRef = match ty {
        KustoType::Long => Arc::new(
            captured
                .iter()
                .map(|t| t.and_then(|t| t.trim().parse().ok()))
                .collect::<Int64Array>(),
        ),
        KustoType::Int => Arc::new(
            captured
                .iter()
                .map(|t| t.and_then(|t| t.trim().parse().ok()))
                .collect::<Int32Array>(),
        ),
        KustoType::Real | KustoType::Decimal => Arc::new(
            captured
                .iter()
                .map(|t| t.and_then(|t| t.trim().parse().ok()))
                .collect::<Float64Array>(),
        ),
        KustoType::Bool => Arc::new(
            captured
                .iter()
                .map(|t| {
                    t.and_then(|t| match t.to_ascii_lowercase().as_str() {
                        "true" => Some(true),
                        "false" => Some(false),
                        _ => None,
                    })
                })
                .collect::<BooleanArray>(),
        ),
        KustoType::DateTime => Arc::new(
            captured
                .iter()
                .map(|t| t.and_then(|t| parse_datetime(t, DateOrder::MonthFirst)))
                .collect::<TimestampNanosecondArray>()
                .with_timezone("UTC"),
        ),
        KustoType::TimeSpan => Arc::new(
            captured
                .iter()
                .map(|t| t.and_then(parse_timespan))
                .collect::<DurationNanosecondArray>(),
        ),
        KustoType::Dynamic => Arc::new(
            captured
                .iter()
                .map(|t| {
                    t.map(|t| {
                        serde_json::from_str::<serde_json::Value>(t)
                            .unwrap_or_else(|_| serde_json::Value::String(t.to_string()))
                            .to_string()
                    })
                })
                .collect::<StringArray>(),
        ),
        KustoType::String | KustoType::Guid => Arc::new(
            captured
                .iter()
                .map(|t| Some(t.unwrap_or("")))
                .collect::<StringArray>(),
        ),
    };
    Ok(Value::like(source.is_scalar(), array))
}
