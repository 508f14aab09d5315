//! kql's result cells in the case files' JSON conventions, and comparing them with the
//! recorded answer.
//!
//! | Kusto type           | JSON                                                        |
//! |----------------------|-------------------------------------------------------------|
//! | `bool`               | `true` / `false`                                            |
//! | `int`, `long`        | a number                                                    |
//! | `real`, `decimal`    | a number; `"NaN"`, `"Infinity"`, `"-Infinity"`              |
//! | `string`, `guid`     | a string                                                    |
//! | `datetime`           | `"2016-12-31T23:59:59.9999999Z"` ([`format::datetime`])      |
//! | `timespan`           | `"1.00:00:00"` ([`format::timespan`])                        |
//! | `dynamic`            | the JSON value itself (kql keeps it as JSON text)            |
//! | any, when null       | `null`                                                      |
//!
//! Numbers compare by value (`1` equals `1.0`), reals within a relative tolerance.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{
    DataType, DurationNanosecondType, Float64Type, Int32Type, Int64Type, TimeUnit,
    TimestampNanosecondType,
};
use kql_engine::ResultTable;
use kql_engine::format;
use kql_engine::types::KustoType;
use serde_json::Value;

#[path = "ordering.rs"]
pub mod ordering;

use ordering::same_modulo_ties;

/// The relative tolerance for reals: the same computation in .NET and Rust may differ in
/// the last bits.
pub const REAL_TOLERANCE: f64 = 1e-9;

/// The relative tolerance for every number of an `approximate` case (`dcount`,
/// `percentile`...), whose algorithms are only specified up to an error bound.
pub const APPROXIMATE_TOLERANCE: f64 = 0.05;

/// The most rows of each kind a mismatch description lists.
const SHOWN_ROWS: usize = 5;

/// The Kusto type of each column of a result, `None` for an Arrow type Kusto has no name for.
pub fn column_types(table: &ResultTable) -> Vec<Option<KustoType>> {
    table
        .schema
        .fields()
        .iter()
        .map(|field| KustoType::of_field(field))
        .collect()
}

/// Every row of a result, each cell converted by [`cell`].
pub fn table_rows(table: &ResultTable) -> Vec<Vec<Value>> {
    let types = column_types(table);
    let mut rows = Vec::with_capacity(table.num_rows());
    for batch in &table.batches {
        for row in 0..batch.num_rows() {
            let cells = batch
                .columns()
                .iter()
                .zip(&types)
                .map(|(column, ty)| cell(column.as_ref(), *ty, row))
                .collect();
            rows.push(cells);
        }
    }
    rows
}

/// One cell of a kql result as the case files write it. An Arrow type the engine should never
/// produce becomes a string saying so, which then fails the comparison.
pub fn cell(array: &dyn Array, ty: Option<KustoType>, row: usize) -> Value {
    if array.is_null(row) {
        return Value::Null;
    }
    match (ty, array.data_type()) {
        (Some(KustoType::Dynamic), DataType::Utf8) => {
            let text = array.as_string::<i32>().value(row);
            serde_json::from_str(text)
                .unwrap_or_else(|_| Value::String(format!("<dynamic that is not JSON: {text}>")))
        }
        (_, DataType::Utf8) => Value::String(array.as_string::<i32>().value(row).to_string()),
        (_, DataType::Boolean) => Value::Bool(array.as_boolean().value(row)),
        (_, DataType::Int32) => Value::from(array.as_primitive::<Int32Type>().value(row)),
        (_, DataType::Int64) => Value::from(array.as_primitive::<Int64Type>().value(row)),
        (_, DataType::Float64) => real(array.as_primitive::<Float64Type>().value(row)),
        (_, DataType::Timestamp(TimeUnit::Nanosecond, _)) => Value::String(format::datetime(
            array.as_primitive::<TimestampNanosecondType>().value(row),
        )),
        (_, DataType::Duration(TimeUnit::Nanosecond)) => Value::String(format::timespan(
            array.as_primitive::<DurationNanosecondType>().value(row),
        )),
        (_, other) => Value::String(format!("<unexpected Arrow type {other}>")),
    }
}

/// A real as a JSON number, or Kusto's text for NaN and the infinities.
fn real(x: f64) -> Value {
    match format::non_finite(x) {
        Some(text) => Value::String(text.to_string()),
        None => Value::from(x),
    }
}

/// True when kql's column type `got` is the recorded type or one of the recorded family
/// (`int|long`, `real|decimal`).
pub fn type_matches(expected: &str, got: Option<KustoType>) -> bool {
    let Some(got) = got else { return false };
    let got = got.to_string();
    expected.split('|').any(|name| name == got)
}

/// How rows must be ordered.
#[derive(Debug, Clone, Copy)]
pub enum Order<'a> {
    /// Any order: rows compare as multisets.
    Any,
    /// The recorded order, except among rows equal in these sort-key columns (`sort` leaves
    /// the order of ties unspecified); with no keys known, exactly the recorded order.
    Sorted(Option<&'a [usize]>),
}

/// Compares kql's rows with the recorded ones. `types` are the recorded column types.
/// Returns a description of the difference: a summary line, then details.
pub fn compare_rows(
    expected: &[Vec<Value>],
    got: &[Vec<Value>],
    types: &[&str],
    order: Order<'_>,
    tolerance: f64,
) -> Result<(), String> {
    let same = |e: &[Value], g: &[Value]| rows_match(e, g, types, tolerance);
    if let Order::Sorted(keys) = order {
        let first_difference = expected
            .iter()
            .zip(got)
            .position(|(e, g)| !same(e, g))
            .or((expected.len() != got.len()).then(|| expected.len().min(got.len())));
        let Some(index) = first_difference else {
            return Ok(());
        };
        if let Some(keys) = keys
            && same_modulo_ties(expected, got, keys, &same, tolerance)
        {
            return Ok(());
        }
        let mut text = format!(
            "{} rows expected, {} returned; row {index}: expected {}, got {}",
            expected.len(),
            got.len(),
            show(expected.get(index)),
            show(got.get(index))
        );
        if multiset_difference(expected, got, &same).is_none() {
            text.push_str(" (the same rows in another order)");
        }
        return Err(text);
    }
    match multiset_difference(expected, got, &same) {
        None => Ok(()),
        Some((missing, extra)) => {
            let mut text = format!(
                "{} rows expected, {} returned; expected {}, got {}",
                expected.len(),
                got.len(),
                show(missing.first().copied()),
                show(extra.first().copied())
            );
            list_rows(&mut text, "expected, not returned", &missing);
            list_rows(&mut text, "returned, not expected", &extra);
            Err(text)
        }
    }
}

/// Borrowed rows of a result.
type Rows<'a> = Vec<&'a Vec<Value>>;

/// The expected rows nothing matched and the returned rows left over, or `None` when the
/// two are the same multiset. Matching is greedy: tolerance makes "equal" not quite an
/// equivalence, but the cases hold no values that close together.
pub fn multiset_difference<'a>(
    expected: &'a [Vec<Value>],
    got: &'a [Vec<Value>],
    same: &dyn Fn(&[Value], &[Value]) -> bool,
) -> Option<(Rows<'a>, Rows<'a>)> {
    let mut used = vec![false; got.len()];
    let mut missing = Vec::new();
    for e in expected {
        let found = got
            .iter()
            .enumerate()
            .position(|(i, g)| !used[i] && same(e, g));
        match found {
            Some(i) => used[i] = true,
            None => missing.push(e),
        }
    }
    let extra: Vec<_> = got
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(g, _)| g)
        .collect();
    (!missing.is_empty() || !extra.is_empty()).then_some((missing, extra))
}

fn list_rows(text: &mut String, title: &str, rows: &[&Vec<Value>]) {
    if rows.is_empty() {
        return;
    }
    text.push_str(&format!("\n  {title} ({}):", rows.len()));
    for row in rows.iter().take(SHOWN_ROWS) {
        text.push_str(&format!("\n    {}", show(Some(row))));
    }
    if rows.len() > SHOWN_ROWS {
        text.push_str(&format!("\n    ... and {} more", rows.len() - SHOWN_ROWS));
    }
}

/// A row as compact JSON, or `(none)`.
pub fn show(row: Option<&Vec<Value>>) -> String {
    match row {
        Some(row) => serde_json::to_string(row).unwrap_or_default(),
        None => "(none)".to_string(),
    }
}

fn rows_match(expected: &[Value], got: &[Value], types: &[&str], tolerance: f64) -> bool {
    expected.len() == got.len()
        && expected
            .iter()
            .zip(got)
            .zip(types.iter().copied().chain(std::iter::repeat("")))
            .all(|((e, g), ty)| cells_match(e, g, ty, tolerance))
}

/// Compares one cell: a `decimal` is recorded as a string and compares as a number.
fn cells_match(expected: &Value, got: &Value, ty: &str, tolerance: f64) -> bool {
    if ty.split('|').any(|t| t == "decimal")
        && let (Value::String(e), Value::Number(g)) = (expected, got)
        && let (Ok(e), Some(g)) = (e.parse::<f64>(), g.as_f64())
    {
        return floats_match(e, g, tolerance);
    }
    values_match(expected, got, tolerance)
}

/// Compares JSON values: numbers by value within `tolerance` (integers exactly unless the
/// tolerance is [`APPROXIMATE_TOLERANCE`]), arrays in order, property bags by key.
pub fn values_match(expected: &Value, got: &Value, tolerance: f64) -> bool {
    match (expected, got) {
        (Value::Number(e), Value::Number(g)) => match (e.as_i64(), g.as_i64()) {
            (Some(e), Some(g)) if tolerance < APPROXIMATE_TOLERANCE => e == g,
            _ => match (e.as_f64(), g.as_f64()) {
                (Some(e), Some(g)) => floats_match(e, g, tolerance),
                _ => false,
            },
        },
        (Value::Array(e), Value::Array(g)) => {
            e.len() == g.len() && e.iter().zip(g).all(|(e, g)| values_match(e, g, tolerance))
        }
        (Value::Object(e), Value::Object(g)) => {
            e.len() == g.len()
                && e.iter()
                    .all(|(key, e)| g.get(key).is_some_and(|g| values_match(e, g, tolerance)))
        }
        (e, g) => e == g,
    }
}

/// Equal, or within `tolerance` of the larger magnitude.
fn floats_match(expected: f64, got: f64, tolerance: f64) -> bool {
    expected == got || (expected - got).abs() <= tolerance * expected.abs().max(got.abs())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn numbers_compare_by_value_and_reals_with_tolerance() {
        assert!(values_match(&json!(1), &json!(1.0), REAL_TOLERANCE));
        assert!(values_match(
            &json!(0.1),
            &json!(0.1 + 1e-17),
            REAL_TOLERANCE
        ));
        assert!(!values_match(&json!(1), &json!(2), REAL_TOLERANCE));
        assert!(values_match(
            &json!(100),
            &json!(102),
            APPROXIMATE_TOLERANCE
        ));
        assert!(!values_match(&json!("1"), &json!(1), REAL_TOLERANCE));
        assert!(values_match(
            &json!({"a": [1, 2]}),
            &json!({"a": [1, 2.0]}),
            REAL_TOLERANCE
        ));
    }

    #[test]
    fn unordered_rows_compare_as_multisets() {
        let e = vec![vec![json!(1)], vec![json!(1)], vec![json!(2)]];
        let g = vec![vec![json!(2)], vec![json!(1)], vec![json!(1)]];
        assert!(compare_rows(&e, &g, &["long"], Order::Any, REAL_TOLERANCE).is_ok());
        assert!(compare_rows(&e, &g, &["long"], Order::Sorted(None), REAL_TOLERANCE).is_err());
        let short = &g[..2];
        assert!(compare_rows(&e, short, &["long"], Order::Any, REAL_TOLERANCE).is_err());
    }

    #[test]
    fn decimals_recorded_as_strings_compare_as_numbers() {
        let e = vec![vec![json!("1.5")]];
        let g = vec![vec![json!(1.5)]];
        assert!(compare_rows(&e, &g, &["decimal"], Order::Any, REAL_TOLERANCE).is_ok());
        assert!(compare_rows(&e, &g, &["string"], Order::Any, REAL_TOLERANCE).is_err());
    }
}
