//! Literals: from the AST's values to one-element Arrow arrays of their Kusto type.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanArray, DurationNanosecondArray, Float64Array, Int32Array, Int64Array,
    StringArray, TimestampNanosecondArray, new_null_array,
};
use kql_parser::ast::{DynamicValue, Literal};
use kql_parser::{Diagnostic, Span};

use crate::error::{DiagResult, semantic};
use crate::source::datetime::{DateOrder, parse_datetime};
use crate::types::KustoType;

/// Nanoseconds per Kusto tick.
const TICK_NANOS: i64 = 100;

/// A literal as a one-element array and its type.
pub(crate) fn literal_array(literal: &Literal, span: Span) -> DiagResult<(ArrayRef, KustoType)> {
    Ok(match literal {
        Literal::Bool(value) => (Arc::new(BooleanArray::from(vec![*value])), KustoType::Bool),
        Literal::Int(value) => (Arc::new(Int32Array::from(vec![*value])), KustoType::Int),
        Literal::Long(value) => (Arc::new(Int64Array::from(vec![*value])), KustoType::Long),
        Literal::Real(value) => (Arc::new(Float64Array::from(vec![*value])), KustoType::Real),
        Literal::String(string) => (
            Arc::new(StringArray::from(vec![string.value.as_str()])),
            KustoType::String,
        ),
        Literal::DateTime(text) => {
            let nanos = parse_datetime_literal(text).ok_or_else(|| {
                if out_of_range_year(text) {
                    // Arrow's nanosecond timestamps span the years 1677 to 2262.
                    return crate::error::not_supported("a datetime before 1678 or after 2261")
                        .with_span(span);
                }
                semantic(format!("`{text}` is not a datetime kql can read"))
                    .with_span(span)
                    .with_hint("write ISO 8601, such as `datetime(2024-01-31 13:45:00)`")
            })?;
            (datetime_array(nanos), KustoType::DateTime)
        }
        Literal::TimeSpan(ticks) => {
            // Kusto's timespans reach 10675199 days (i64 ticks); Arrow's nanosecond
            // durations reach only about 106751 days.
            let nanos = ticks.checked_mul(TICK_NANOS).ok_or_else(|| {
                crate::error::not_supported("a timespan longer than 106751 days").with_span(span)
            })?;
            (
                Arc::new(DurationNanosecondArray::from(vec![nanos])),
                KustoType::TimeSpan,
            )
        }
        Literal::Guid(text) => {
            let array = StringArray::from(vec![text.to_ascii_lowercase()]);
            (Arc::new(array), KustoType::Guid)
        }
        Literal::Dynamic(value) => {
            let json = dynamic_json(value, span)?.to_string();
            (Arc::new(StringArray::from(vec![json])), KustoType::Dynamic)
        }
        Literal::Decimal(_) => {
            return Err(crate::error::not_supported("the `decimal` type").with_span(span));
        }
        Literal::Null(type_name) => {
            let ty: KustoType = type_name.name.parse().map_err(|_| {
                semantic(format!("unknown type `{}`", type_name.name)).with_span(span)
            })?;
            (null_of(ty), ty)
        }
    })
}

/// A one-element null array of a type; for `string`, the empty string (strings are never
/// null in Kusto).
pub(crate) fn null_of(ty: KustoType) -> ArrayRef {
    match ty {
        KustoType::String => Arc::new(StringArray::from(vec![""])),
        other => new_null_array(&other.to_arrow(), 1),
    }
}

fn datetime_array(nanos: i64) -> ArrayRef {
    Arc::new(TimestampNanosecondArray::from(vec![nanos]).with_timezone("UTC"))
}

/// Reads the text of `datetime(...)` into nanoseconds since 1970.
///
/// The text may be quoted: `datetime("2015-01-01")`, be a year, month and day separated by
/// commas: `datetime(2025, 6, 14)`, which Kusto reads as 2025-06-14
/// (`endofweek-function-01`), or have blanks around a date's dashes.
pub fn parse_datetime_literal(text: &str) -> Option<i64> {
    let unquoted = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .or_else(|| text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')))
        .unwrap_or(text);
    parse_datetime(unquoted, DateOrder::MonthFirst)
        .or_else(|| comma_date(unquoted))
        .or_else(|| spaced_date(unquoted))
}

/// `2017 - 08 - 01`: a date with blanks around its dashes, which Kusto reads as 2017-08-01
/// (`sliding-window-counts-plugin-00`, whose output starts on that day).
fn spaced_date(text: &str) -> Option<i64> {
    let parts: Vec<&str> = text.split('-').map(str::trim).collect();
    let well_formed = parts.len() == 3
        && parts
            .iter()
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed || parts.first().is_none_or(|year| year.len() != 4) {
        return None;
    }
    parse_datetime(&parts.join("-"), DateOrder::MonthFirst)
}

/// `2025, 6, 14`: midnight of that date.
fn comma_date(text: &str) -> Option<i64> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    let digits = |part: &str, most: usize| {
        (!part.is_empty() && part.len() <= most && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let (year, month, day) = (digits(year, 4)?, digits(month, 2)?, digits(day, 2)?);
    if year < 1000 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_nanos_opt()
}

/// Whether a datetime text starts with a year outside what kql can hold.
fn out_of_range_year(text: &str) -> bool {
    let year: String = text
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    year.len() == 4
        && year
            .parse::<u32>()
            .is_ok_and(|year| !(1678..=2261).contains(&year))
}

/// A `dynamic(...)` value as JSON. Datetimes and timespans become strings as Kusto prints
/// them inside dynamic values.
fn dynamic_json(value: &DynamicValue, span: Span) -> DiagResult<serde_json::Value> {
    use serde_json::Value;
    Ok(match value {
        DynamicValue::Null => Value::Null,
        DynamicValue::Bool(value) => Value::Bool(*value),
        DynamicValue::Long(value) => Value::from(*value),
        DynamicValue::Real(value) => serde_json::Number::from_f64(*value)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        DynamicValue::String(value) => Value::String(value.clone()),
        DynamicValue::DateTime(_) | DynamicValue::TimeSpan(_) => {
            return Err(
                crate::error::not_supported("a datetime or timespan inside `dynamic`")
                    .with_span(span),
            );
        }
        DynamicValue::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| dynamic_json(item, span))
                .collect::<Result<_, _>>()?,
        ),
        DynamicValue::Bag(entries) => {
            let mut map = serde_json::Map::new();
            for (key, value) in entries {
                map.insert(key.clone(), dynamic_json(value, span)?);
            }
            Value::Object(map)
        }
    })
}

/// A constant as a non-negative count, for options such as `truncationmaxrecords`.
pub(crate) fn as_usize(array: &ArrayRef) -> Option<usize> {
    let array = array.as_any().downcast_ref::<Int64Array>()?;
    if array.is_null(0) {
        return None;
    }
    usize::try_from(array.value(0)).ok()
}

/// A constant datetime in nanoseconds.
pub(crate) fn as_datetime(array: &ArrayRef) -> Option<i64> {
    let array = array.as_any().downcast_ref::<TimestampNanosecondArray>()?;
    (!array.is_empty() && array.is_valid(0)).then(|| array.value(0))
}

/// A constant string.
pub(crate) fn as_str(array: &ArrayRef) -> Option<&str> {
    let array = array.as_any().downcast_ref::<StringArray>()?;
    (!array.is_empty() && array.is_valid(0)).then(|| array.value(0))
}

/// The error for an argument that must be a constant.
pub(crate) fn must_be_constant(what: &str, span: Span) -> Diagnostic {
    semantic(format!("{what} must be a constant")).with_span(span)
}
