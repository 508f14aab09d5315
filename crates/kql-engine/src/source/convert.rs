//! Converting raw text columns to Kusto-typed Arrow arrays.
//!
//! Empty text is "no value": `""` in a `string` column, null in every other type. Surrounding
//! whitespace is ignored when reading a number, boolean, datetime, timespan or guid, and kept
//! in strings. Any value that cannot be read fails the whole load, naming the row.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, ArrowPrimitiveType, BooleanBuilder, PrimitiveBuilder, StringArray,
    StringBuilder,
};

use arrow::datatypes::{
    DurationNanosecondType, Float64Type, Int32Type, Int64Type, TimestampNanosecondType,
};
use serde::de::IgnoredAny;

use super::datetime::{DateOrder, parse_datetime, parse_timespan};
use super::quote_value;
use super::raw::{CellKind, RawColumn};
use crate::types::KustoType;

/// A value that cannot be read: its 0-based row within the batch and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CellError {
    pub row: usize,
    pub message: String,
}

/// Where the cells that cannot be converted go: with `None` the conversion fails at the first;
/// a list collects every one, and each such cell becomes null (for the caller to drop its row).
pub(crate) type Failures<'a> = Option<&'a mut Vec<CellError>>;

/// Records a failed cell, or fails when there is nowhere to record it.
fn failed(failures: &mut Failures, error: CellError) -> Result<(), CellError> {
    match failures {
        Some(list) => {
            list.push(error);
            Ok(())
        }
        None => Err(error),
    }
}

/// Converts a raw column to `ty`. `order` is used for `a/b/yyyy` datetimes.
pub(crate) fn convert(
    raw: &RawColumn,
    ty: KustoType,
    order: DateOrder,
    mut failures: Failures,
) -> Result<ArrayRef, CellError> {
    let failures = &mut failures;
    Ok(match ty {
        KustoType::String => Arc::new(to_strings(raw)),
        KustoType::Guid => Arc::new(to_guids(raw, failures)?),
        KustoType::Dynamic => Arc::new(to_dynamic(raw, failures)?),
        KustoType::Bool => Arc::new(to_bools(raw, failures)?),
        KustoType::Int => Arc::new(to_primitive::<Int32Type>(raw, ty, parse_int, failures)?),
        KustoType::Long => Arc::new(to_primitive::<Int64Type>(raw, ty, parse_long, failures)?),
        KustoType::Real | KustoType::Decimal => {
            Arc::new(to_primitive::<Float64Type>(raw, ty, parse_real, failures)?)
        }
        KustoType::DateTime => {
            let parse = |kind, text: &str| match kind {
                CellKind::Text => parse_datetime(text, order),
                _ => None,
            };
            let array = to_primitive::<TimestampNanosecondType>(raw, ty, parse, failures)?;
            Arc::new(array.with_timezone("UTC"))
        }
        KustoType::TimeSpan => {
            let parse = |kind, text: &str| match kind {
                CellKind::Text => parse_timespan(text),
                _ => None,
            };
            Arc::new(to_primitive::<DurationNanosecondType>(
                raw, ty, parse, failures,
            )?)
        }
    })
}

/// An all-empty column of `len` rows: `""` for strings, null otherwise.
pub(crate) fn empty_array(ty: KustoType, len: usize) -> ArrayRef {
    match ty {
        KustoType::String => crate::empty::empty_strings(len),
        _ => crate::empty::nulls(&ty.to_arrow(), len),
    }
}

fn cannot_read(row: usize, text: &str, ty: KustoType) -> CellError {
    CellError {
        row,
        message: format!("cannot read {} as {ty}", quote_value(text)),
    }
}

fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// Strings are never null: nulls become `""`. Numbers, booleans and nested JSON keep their JSON
/// text. An array without nulls is used as is.
pub(crate) fn to_strings(raw: &RawColumn) -> StringArray {
    if raw.values.null_count() == 0 {
        return raw.values.clone();
    }
    let mut builder = StringBuilder::with_capacity(raw.values.len(), raw.values.values().len());
    for value in raw.values.iter() {
        builder.append_value(value.unwrap_or_default());
    }
    builder.finish()
}

fn to_primitive<T: ArrowPrimitiveType>(
    raw: &RawColumn,
    ty: KustoType,
    parse: impl Fn(CellKind, &str) -> Option<T::Native>,
    failures: &mut Failures,
) -> Result<arrow::array::PrimitiveArray<T>, CellError> {
    let mut builder = PrimitiveBuilder::<T>::with_capacity(raw.values.len());
    for (row, cell) in raw.cells().enumerate() {
        match cell {
            None => builder.append_null(),
            Some((CellKind::Text, text)) if is_blank(text) => builder.append_null(),
            Some((kind, text)) => match parse(kind, text) {
                Some(value) => builder.append_value(value),
                None => {
                    failed(failures, cannot_read(row, text, ty))?;
                    builder.append_null();
                }
            },
        }
    }
    Ok(builder.finish())
}

fn parse_long(kind: CellKind, text: &str) -> Option<i64> {
    if !matches!(kind, CellKind::Text | CellKind::Number) {
        return None;
    }
    let text = text.trim();
    text.parse().ok().or_else(|| {
        // `4.0` and `4e3` are integers written as reals (a JSON writer may do that).
        let real: f64 = text.parse().ok()?;
        let in_range = real.fract() == 0.0 && real >= i64::MIN as f64 && real < i64::MAX as f64;
        in_range.then_some(real as i64)
    })
}

fn parse_int(kind: CellKind, text: &str) -> Option<i32> {
    parse_long(kind, text).and_then(|value| i32::try_from(value).ok())
}

fn parse_real(kind: CellKind, text: &str) -> Option<f64> {
    match kind {
        CellKind::Text | CellKind::Number => text.trim().parse().ok(),
        _ => None,
    }
}

/// `true`/`false` in any case, and `1`/`0`, as Kusto's ingestion reads them.
fn parse_bool(kind: CellKind, text: &str) -> Option<bool> {
    if kind == CellKind::Nested {
        return None;
    }
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") || text == "1" {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") || text == "0" {
        Some(false)
    } else {
        None
    }
}

fn to_bools(
    raw: &RawColumn,
    failures: &mut Failures,
) -> Result<arrow::array::BooleanArray, CellError> {
    let mut builder = BooleanBuilder::with_capacity(raw.values.len());
    for (row, cell) in raw.cells().enumerate() {
        match cell {
            None => builder.append_null(),
            Some((CellKind::Text, text)) if is_blank(text) => builder.append_null(),
            Some((kind, text)) => match parse_bool(kind, text) {
                Some(value) => builder.append_value(value),
                None => {
                    failed(failures, cannot_read(row, text, KustoType::Bool))?;
                    builder.append_null();
                }
            },
        }
    }
    Ok(builder.finish())
}

/// Guids are held as text in Kusto's canonical form: lowercase, hyphenated, no braces.
fn to_guids(raw: &RawColumn, failures: &mut Failures) -> Result<StringArray, CellError> {
    let mut builder = StringBuilder::with_capacity(raw.values.len(), raw.values.len() * 36);
    for (row, cell) in raw.cells().enumerate() {
        match cell {
            None => builder.append_null(),
            Some((CellKind::Text, text)) if is_blank(text) => builder.append_null(),
            Some((CellKind::Text, text)) => match normalize_guid(text) {
                Some(guid) => builder.append_value(guid),
                None => {
                    failed(failures, cannot_read(row, text, KustoType::Guid))?;
                    builder.append_null();
                }
            },
            Some((_, text)) => {
                failed(failures, cannot_read(row, text, KustoType::Guid))?;
                builder.append_null();
            }
        }
    }
    Ok(builder.finish())
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` or 32 bare hex digits, optionally in braces.
fn normalize_guid(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text);
    let hyphenated = text.len() == 36
        && text.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    let bare = text.len() == 32 && text.chars().all(|c| c.is_ascii_hexdigit());
    if !(hyphenated || bare) {
        return None;
    }
    let hex: String = text
        .chars()
        .filter(|c| *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let part = |range: std::ops::Range<usize>| hex.get(range).unwrap_or_default();
    Some(format!(
        "{}-{}-{}-{}-{}",
        part(0..8),
        part(8..12),
        part(12..16),
        part(16..20),
        part(20..32)
    ))
}

/// `dynamic` values are held as JSON text. CSV text is kept when it is valid JSON (the portal
/// writes property bags as JSON in quoted fields) and otherwise becomes a JSON string. A JSON
/// string is kept as JSON only when it holds an object or array (the Log Analytics API sends
/// dynamic columns as serialized JSON); any other string stays a string.
fn to_dynamic(raw: &RawColumn, failures: &mut Failures) -> Result<StringArray, CellError> {
    let text_is_json = raw.kinds.is_none();
    let mut builder = StringBuilder::with_capacity(raw.values.len(), raw.values.values().len());
    for (row, cell) in raw.cells().enumerate() {
        match cell {
            None => builder.append_null(),
            Some((CellKind::Text, text)) if is_blank(text) => builder.append_null(),
            Some((CellKind::Text, text)) => {
                let trimmed = text.trim();
                let maybe_json = text_is_json || trimmed.starts_with(['{', '[']);
                if maybe_json && serde_json::from_str::<IgnoredAny>(trimmed).is_ok() {
                    builder.append_value(trimmed);
                } else {
                    match serde_json::to_string(text) {
                        Ok(quoted) => builder.append_value(quoted),
                        Err(e) => {
                            let message =
                                format!("cannot write {} as JSON: {e}", quote_value(text));
                            failed(failures, CellError { row, message })?;
                            builder.append_null();
                        }
                    }
                }
            }
            Some((_, text)) => builder.append_value(text),
        }
    }
    Ok(builder.finish())
}

#[cfg(test)]
mod tests {
    use arrow::array::AsArray;
    use arrow::datatypes::DataType;

    use super::*;

    fn text_column(values: &[Option<&str>]) -> RawColumn {
        RawColumn {
            values: StringArray::from(values.to_vec()),
            kinds: None,
        }
    }

    #[test]
    fn empty_cells_are_empty_strings_or_nulls() {
        let raw = text_column(&[Some("7"), Some(""), Some("  "), None]);
        let longs = convert(&raw, KustoType::Long, DateOrder::MonthFirst, None).unwrap();
        assert_eq!(longs.null_count(), 3);
        let strings = convert(&raw, KustoType::String, DateOrder::MonthFirst, None).unwrap();
        let strings = strings.as_string::<i32>();
        assert_eq!(strings.null_count(), 0);
        assert_eq!(
            strings.iter().collect::<Vec<_>>(),
            [Some("7"), Some(""), Some("  "), Some("")]
        );
    }

    #[test]
    fn every_type_reads_its_text() {
        let cases: &[(KustoType, &str)] = &[
            (KustoType::Bool, "TRUE"),
            (KustoType::Bool, "0"),
            (KustoType::Int, "-12"),
            (KustoType::Long, "9007199254740993"),
            (KustoType::Long, "4.0"),
            (KustoType::Real, "1e-3"),
            (KustoType::Decimal, "2.5"),
            (KustoType::DateTime, "2023-10-18T14:37:28.2012261Z"),
            (KustoType::TimeSpan, "1.00:00:00"),
            (KustoType::Guid, "{802D39E1-9D70-404D-832C-2DE5E2478EDA}"),
            (KustoType::Dynamic, "{\"a\":1}"),
        ];
        for &(ty, text) in cases {
            let array = convert(&text_column(&[Some(text)]), ty, DateOrder::MonthFirst, None);
            let array = array.unwrap_or_else(|e| panic!("{ty} {text}: {}", e.message));
            assert_eq!(array.data_type(), &ty.to_arrow(), "{ty}");
            assert_eq!(array.null_count(), 0, "{ty} {text}");
        }
    }

    #[test]
    fn bad_values_name_their_row() {
        let cases: &[(KustoType, &str)] = &[
            (KustoType::Bool, "yes"),
            (KustoType::Int, "3000000000"),
            (KustoType::Long, "0x10"),
            (KustoType::Real, "1,5"),
            (KustoType::DateTime, "yesterday"),
            (KustoType::TimeSpan, "1 day"),
            (KustoType::Guid, "not-a-guid"),
        ];
        for &(ty, text) in cases {
            let raw = text_column(&[Some(""), Some(text)]);
            let error = convert(&raw, ty, DateOrder::MonthFirst, None).unwrap_err();
            assert_eq!(error.row, 1, "{ty}");
            assert_eq!(error.message, format!("cannot read `{text}` as {ty}"));
        }
    }

    #[test]
    fn guids_are_canonical() {
        assert_eq!(
            normalize_guid("802D39E19D70404D832C2DE5E2478EDA").as_deref(),
            Some("802d39e1-9d70-404d-832c-2de5e2478eda")
        );
        assert_eq!(normalize_guid("802d39e1-9d70-404d-832c2de5e2478edaa"), None);
        assert_eq!(normalize_guid("é02d39e1-9d70-404d-832c-2de5e2478ed"), None);
    }

    #[test]
    fn dynamic_keeps_json_and_quotes_other_text() {
        let raw = text_column(&[
            Some("{\"uniqueEventsAggregated\":2}"),
            Some("None"),
            Some("5"),
        ]);
        let array = convert(&raw, KustoType::Dynamic, DateOrder::MonthFirst, None).unwrap();
        let values: Vec<_> = array.as_string::<i32>().iter().flatten().collect();
        assert_eq!(values, ["{\"uniqueEventsAggregated\":2}", "\"None\"", "5"]);

        let json = RawColumn {
            values: StringArray::from(vec!["5", "[1]", "x"]),
            kinds: Some(vec![CellKind::Text, CellKind::Text, CellKind::Number]),
        };
        let array = convert(&json, KustoType::Dynamic, DateOrder::MonthFirst, None).unwrap();
        let values: Vec<_> = array.as_string::<i32>().iter().flatten().collect();
        assert_eq!(values, ["\"5\"", "[1]", "x"]);
    }

    #[test]
    fn datetimes_are_utc_nanoseconds() {
        let raw = text_column(&[Some("26/03/2026, 15:18:18.790")]);
        let array = convert(&raw, KustoType::DateTime, DateOrder::DayFirst, None).unwrap();
        assert_eq!(array.data_type(), &KustoType::DateTime.to_arrow());
        assert!(matches!(array.data_type(), DataType::Timestamp(_, Some(tz)) if &**tz == "UTC"));
        assert!(convert(&raw, KustoType::DateTime, DateOrder::MonthFirst, None).is_err());
    }

    #[test]
    fn empty_arrays() {
        let strings = empty_array(KustoType::String, 3);
        assert_eq!((strings.len(), strings.null_count()), (3, 0));
        let longs = empty_array(KustoType::Long, 3);
        assert_eq!((longs.len(), longs.null_count()), (3, 3));
    }
}
