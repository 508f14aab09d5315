//! `matches regex` and `replace_regex`, with patterns compiled once when binding.

use std::fmt::Write;
use std::sync::Arc;

use arrow::array::{Array, BooleanArray, StringArray, StringBuilder};
use arrow::buffer::BooleanBuffer;
use regex::Regex;

use super::Value;
use super::pattern::{ReplacePattern, SearchPattern};
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
/// A column none of whose values the pattern matches (and without nulls, which become `""`)
/// is returned as it is, without copying. Otherwise the values are copied once; a deletion
/// (see [`ReplacePattern`]) writes the kept runs straight into the result.
pub(crate) fn replace_regex(source: &Value, pattern: &ReplacePattern) -> DiagResult<Value> {
    let sources = strings(source)?;
    let rows = sources.len();
    let unchanged = |changes: &dyn Fn(&str) -> bool| {
        sources.null_count() == 0 && !(0..rows).any(|row| changes(sources.value(row)))
    };
    let mut builder = StringBuilder::with_capacity(rows, sources.values().len());
    match pattern.deleted() {
        Some(deleted) => {
            if unchanged(&|text| deleted.any_in(text)) {
                return Ok(Value::like(source.is_scalar(), Arc::clone(source.array())));
            }
            for row in 0..rows {
                let text = string_at(sources, false, row);
                // The kept runs go straight into the builder's value bytes.
                deleted.for_each_kept(text, |run| {
                    let _ = builder.write_str(run);
                });
                builder.append_value("");
            }
        }
        None => {
            let rewrite = pattern.rewrite.as_str();
            if unchanged(&|text| pattern.regex.is_match(text)) {
                return Ok(Value::like(source.is_scalar(), Arc::clone(source.array())));
            }
            for row in 0..rows {
                let text = string_at(sources, false, row);
                builder.append_value(pattern.regex.replace_all(text, rewrite));
            }
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
