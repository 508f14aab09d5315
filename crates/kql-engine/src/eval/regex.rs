//! `matches regex` and `replace_regex`, with patterns compiled once when binding.

use std::fmt::Write;
use std::sync::Arc;

use arrow::array::{Array, BooleanArray, StringArray, StringBuilder};
use arrow::buffer::{BooleanBuffer, Buffer, OffsetBuffer, ScalarBuffer};
use regex::Regex;

use super::Value;
use super::pattern::{ByteSet, ReplacePattern, SearchPattern};
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
        Some(deleted) if sources.null_count() == 0 => {
            return Ok(match delete_bytes(sources, deleted)? {
                Some(result) => Value::like(source.is_scalar(), Arc::new(result)),
                None => Value::like(source.is_scalar(), Arc::clone(source.array())),
            });
        }
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

/// `sources` without the bytes of `deleted`, or `None` when it holds none of them. The
/// values are taken as one byte string: the set's bytes are found with SIMD searches over all
/// of it, the runs between them are copied, and each row's end moves back by the bytes
/// deleted before it. `sources` has no nulls.
fn delete_bytes(sources: &StringArray, deleted: &ByteSet) -> DiagResult<Option<StringArray>> {
    let offsets = sources.value_offsets();
    let first = offsets.first().copied().unwrap_or(0);
    let ends = offsets.get(1..).unwrap_or_default();
    let start = usize::try_from(first).unwrap_or(0);
    let end = usize::try_from(offsets.last().copied().unwrap_or(0)).unwrap_or(0);
    let bytes = sources.value_data().get(start..end).unwrap_or_default();
    let mut positions = deleted.positions(bytes).peekable();
    if positions.peek().is_none() {
        return Ok(None);
    }
    let mut kept = Vec::with_capacity(bytes.len());
    let mut new_ends = Vec::with_capacity(offsets.len());
    new_ends.push(0i32);
    let mut ends = ends.iter().map(|&end| end - first).peekable();
    let mut removed = 0i32;
    let mut run_start = 0;
    for position in positions {
        // Rows that end at or before the deleted byte are complete.
        let at = i32::try_from(position).unwrap_or(i32::MAX);
        while let Some(end) = ends.next_if(|&end| end <= at) {
            new_ends.push(end - removed);
        }
        kept.extend_from_slice(bytes.get(run_start..position).unwrap_or_default());
        run_start = position + 1;
        removed += 1;
    }
    kept.extend_from_slice(bytes.get(run_start..).unwrap_or_default());
    new_ends.extend(ends.map(|end| end - removed));
    let offsets = OffsetBuffer::new(ScalarBuffer::from(new_ends));
    // Only ASCII bytes are deleted, so the values stay UTF-8; `try_new` checks it again.
    StringArray::try_new(offsets, Buffer::from_vec(kept), None)
        .map(Some)
        .map_err(|e| kql_parser::Diagnostic::internal(format!("replace_regex: {e}")))
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

#[cfg(test)]
mod tests {
    use arrow::array::ArrayRef;

    use super::*;

    const CLEAR_OBF: &str = r#"(\^|(")+|\$|%|\+|("\+"))"#;

    /// Each row as the regex's own `replace_all` rewrites it.
    fn expected(regex: &Regex, texts: &StringArray) -> Vec<String> {
        (0..texts.len())
            .map(|row| {
                regex
                    .replace_all(string_at(texts, false, row), "")
                    .into_owned()
            })
            .collect()
    }

    fn got(array: &ArrayRef) -> Vec<String> {
        let array = array.as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(array.null_count(), 0);
        (0..array.len())
            .map(|row| array.value(row).to_string())
            .collect()
    }

    #[test]
    fn a_deletion_over_a_whole_column_agrees_with_the_regex() {
        let texts = [
            "",
            "plain",
            "^",
            r#"cmd /c b^i^t^s "Start-"+"Bits" $env:TEMP %TEMP% ""x"""#,
            "é^ü\"",
            "ends with a deletion %",
            "%starts with one",
            "",
            "none here either",
        ];
        // Seven bytes: more than the SIMD searches take, so found one by one.
        for pattern in [CLEAR_OBF, r"[ab]+", r"(a|b)", r"[a-g]"] {
            let prepared =
                ReplacePattern::new(Arc::new(Regex::new(pattern).unwrap()), String::new());
            assert!(prepared.deleted().is_some(), "{pattern}");
            let column = StringArray::from(texts.to_vec());
            // A slice starts its offsets past zero.
            for (offset, length) in [(0, texts.len()), (2, 5), (3, 0), (8, 1)] {
                let slice = column.slice(offset, length);
                let source = Value::Array(Arc::new(slice.clone()));
                let result = replace_regex(&source, &prepared).unwrap();
                assert_eq!(
                    got(result.array()),
                    expected(&prepared.regex, &slice),
                    "{pattern}"
                );
            }
        }
    }

    #[test]
    fn a_column_without_deleted_bytes_is_returned_as_it_is() {
        let prepared = ReplacePattern::new(Arc::new(Regex::new(CLEAR_OBF).unwrap()), String::new());
        let column: ArrayRef = Arc::new(StringArray::from(vec!["a", "b c", ""]));
        let result = replace_regex(&Value::Array(Arc::clone(&column)), &prepared).unwrap();
        assert!(Arc::ptr_eq(result.array(), &column));
        // Nulls become "" (Kusto strings are never null), so a column with one is rewritten.
        let with_null: ArrayRef = Arc::new(StringArray::from(vec![Some("a^"), None]));
        let result = replace_regex(&Value::Array(with_null), &prepared).unwrap();
        assert_eq!(got(result.array()), ["a", ""]);
    }
}
