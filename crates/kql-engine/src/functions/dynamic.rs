//! The `dynamic` type's functions: `parse_json`, property and index access, and the array
//! and property-bag functions.
//!
//! A dynamic value is held as its JSON text in a Utf8 column (see [`crate::types`]); a null
//! dynamic is a null cell. Functions parse the text of each row they need, so they cost a
//! JSON parse per row; that is the price of the simple representation.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Int64Array, StringArray};
use kql_parser::Span;
use serde_json::Value as Json;

use super::{Call, Function, call, check_arity, downcast};
use crate::error::{DiagResult, semantic};
use crate::plan::{BoundExpr, ExprKind};
use crate::types::KustoType;

/// The names of this family.
pub(super) const NAMES: &[&str] = &[
    "parse_json",
    "todynamic",
    "array_length",
    "pack_array",
    "bag_pack",
    "pack",
    "bag_keys",
    "set_union",
    "set_intersect",
    "set_difference",
    "array_sort_asc",
    "array_sort_desc",
    "strcat_array",
    "array_concat",
    "array_slice",
    "array_index_of",
    "gettype",
];

/// The dynamic functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DynamicFn {
    /// `parse_json(s)` / `todynamic(s)`: the JSON value of a string; a string that is not
    /// JSON becomes a dynamic string (`K:parse-json-function`).
    ParseJson,
    /// `d.key`, `d['key']`, `d[0]`: a property or element; null when absent.
    Get,
    /// The text of a dynamic value as `tostring` gives it: a JSON string without quotes,
    /// anything else as compact JSON, null as `""`.
    ToText,
    /// A dynamic value as a real, for comparisons with numbers; null when not a number.
    ToReal,
    /// `array_length(a)`: null when `a` is not an array.
    ArrayLength,
    /// `pack_array(v1, v2, ...)`.
    PackArray,
    /// `bag_pack(k1, v1, ...)` / `pack(...)`.
    BagPack,
    /// `bag_keys(b)`.
    BagKeys,
    /// `set_union(a1, a2, ...)`: distinct elements of all arrays.
    SetUnion,
    /// `set_intersect(a1, a2, ...)`: distinct elements in every array.
    SetIntersect,
    /// `set_difference(a1, a2, ...)`: distinct elements of `a1` in no other array.
    SetDifference,
    /// `array_sort_asc(a)`.
    ArraySortAsc,
    /// `array_sort_desc(a)`.
    ArraySortDesc,
    /// `strcat_array(a, delimiter)`.
    StrcatArray,
    /// `array_concat(a1, a2, ...)`.
    ArrayConcat,
    /// `array_slice(a, start, end)`: inclusive bounds, negative from the end.
    ArraySlice,
    /// `array_index_of(a, value)`: -1 when absent.
    ArrayIndexOf,
    /// `gettype(x)`: the type name of a value; for `dynamic`, of what it holds
    /// (`array`, `dictionary`, `long`...).
    GetType,
}

/// A call of `function` on `args` with type `ty`.
pub(crate) fn dynamic_call(
    function: DynamicFn,
    args: Vec<BoundExpr>,
    ty: KustoType,
    span: Span,
) -> BoundExpr {
    call(Function::Dynamic(function), args, ty, span)
}

pub(super) fn bind(name: &str, args: Vec<BoundExpr>, span: Span) -> DiagResult<BoundExpr> {
    use DynamicFn::*;
    let (function, arity, ty) = match name {
        "parse_json" | "todynamic" => (ParseJson, 1..=1, KustoType::Dynamic),
        "array_length" => (ArrayLength, 1..=1, KustoType::Long),
        "pack_array" => (PackArray, 1..=64, KustoType::Dynamic),
        "bag_pack" | "pack" => (BagPack, 2..=64, KustoType::Dynamic),
        "bag_keys" => (BagKeys, 1..=1, KustoType::Dynamic),
        "set_union" => (SetUnion, 2..=64, KustoType::Dynamic),
        "set_intersect" => (SetIntersect, 2..=64, KustoType::Dynamic),
        "set_difference" => (SetDifference, 2..=64, KustoType::Dynamic),
        "array_sort_asc" => (ArraySortAsc, 1..=2, KustoType::Dynamic),
        "array_sort_desc" => (ArraySortDesc, 1..=2, KustoType::Dynamic),
        "strcat_array" => (StrcatArray, 2..=2, KustoType::String),
        "array_concat" => (ArrayConcat, 1..=64, KustoType::Dynamic),
        "array_slice" => (ArraySlice, 3..=3, KustoType::Dynamic),
        "array_index_of" => (ArrayIndexOf, 2..=2, KustoType::Long),
        "gettype" => (GetType, 1..=1, KustoType::String),
        _ => {
            return Err(kql_parser::Diagnostic::internal(format!(
                "`{name}` is not a dynamic function"
            )));
        }
    };
    check_arity(name, &args, arity, span)?;
    if function == BagPack && !args.len().is_multiple_of(2) {
        return Err(semantic("`bag_pack` takes pairs of key and value").with_span(span));
    }
    if matches!(function, ArraySortAsc | ArraySortDesc)
        && let Some(second) = args.get(1)
        && second.ty != KustoType::Bool
    {
        return Err(
            crate::error::not_supported("sorting several arrays together").with_span(second.span),
        );
    }
    let array_args = match function {
        ArrayLength | BagKeys | SetUnion | SetIntersect | SetDifference | ArrayConcat => args.len(),
        StrcatArray | ArraySlice | ArrayIndexOf | ArraySortAsc | ArraySortDesc => 1,
        _ => 0,
    };
    for arg in args.iter().take(array_args) {
        if arg.ty != KustoType::Dynamic && !matches!(arg.kind, ExprKind::Missing(_)) {
            return Err(semantic(format!(
                "`{name}` expects a `dynamic` array, found `{}`",
                arg.ty
            ))
            .with_span(arg.span));
        }
    }
    Ok(dynamic_call(function, args, ty, span))
}

pub(super) fn evaluate(function: DynamicFn, call: &Call<'_>) -> DiagResult<ArrayRef> {
    use DynamicFn::*;
    let len = call.len;
    let json_args: Vec<Vec<Option<Json>>> = (0..call.arrays.len())
        .map(|index| {
            column_json(
                call.arg(index)?,
                call.types.get(index).copied().unwrap_or(KustoType::Dynamic),
                len,
            )
        })
        .collect::<DiagResult<_>>()?;
    let arg = |index: usize, row: usize| {
        json_args
            .get(index)
            .and_then(|column| column.get(row))
            .cloned()
            .flatten()
    };

    let result: ArrayRef = match function {
        ParseJson => {
            let first_ty = call.types.first().copied().unwrap_or(KustoType::String);
            let texts = downcast::<StringArray>(call.arg(0)?)?;
            let out: StringArray = (0..len)
                .map(|row| {
                    if texts.is_null(row) {
                        return None;
                    }
                    let text = texts.value(row);
                    if first_ty == KustoType::Dynamic {
                        return Some(text.to_string());
                    }
                    let value = serde_json::from_str::<Json>(text)
                        .unwrap_or_else(|_| Json::String(text.to_string()));
                    // `parse_json("")` and `parse_json("null")` are null.
                    (!text.is_empty() && !value.is_null()).then(|| value.to_string())
                })
                .collect();
            Arc::new(out)
        }
        Get => to_dynamic((0..len).map(|row| get(arg(0, row), arg(1, row)))),
        ToText => {
            let out: StringArray = (0..len)
                .map(|row| {
                    Some(match arg(0, row) {
                        None | Some(Json::Null) => String::new(),
                        Some(Json::String(text)) => text,
                        Some(other) => other.to_string(),
                    })
                })
                .collect();
            Arc::new(out)
        }
        ToReal => {
            let out: arrow::array::Float64Array = (0..len)
                .map(|row| match arg(0, row) {
                    Some(Json::Number(number)) => number.as_f64(),
                    Some(Json::String(text)) => text.parse().ok(),
                    _ => None,
                })
                .collect();
            Arc::new(out)
        }
        ArrayLength => {
            let out: Int64Array = (0..len)
                .map(|row| match arg(0, row) {
                    Some(Json::Array(items)) => i64::try_from(items.len()).ok(),
                    _ => None,
                })
                .collect();
            Arc::new(out)
        }
        PackArray => to_dynamic((0..len).map(|row| {
            Some(Json::Array(
                (0..call.arrays.len())
                    .map(|i| arg(i, row).unwrap_or(Json::Null))
                    .collect(),
            ))
        })),
        BagPack => to_dynamic((0..len).map(|row| {
            let mut bag = serde_json::Map::new();
            for pair in 0..call.arrays.len() / 2 {
                let key = match arg(2 * pair, row) {
                    Some(Json::String(key)) => key,
                    Some(other) => other.to_string(),
                    None => continue,
                };
                bag.insert(key, arg(2 * pair + 1, row).unwrap_or(Json::Null));
            }
            Some(Json::Object(bag))
        })),
        BagKeys => to_dynamic((0..len).map(|row| match arg(0, row) {
            Some(Json::Object(bag)) => {
                Some(Json::Array(bag.keys().cloned().map(Json::String).collect()))
            }
            _ => None,
        })),
        SetUnion | SetIntersect | SetDifference | ArrayConcat => to_dynamic((0..len).map(|row| {
            // `array_concat` skips values that are not arrays; the set functions give null.
            let arrays: Vec<Vec<Json>> = (0..call.arrays.len())
                .map(|i| match arg(i, row) {
                    Some(Json::Array(items)) => Some(items),
                    _ if function == ArrayConcat => Some(Vec::new()),
                    _ => None,
                })
                .collect::<Option<_>>()?;
            Some(Json::Array(combine(function, arrays)))
        })),
        ArraySortAsc | ArraySortDesc => to_dynamic((0..len).map(|row| match arg(0, row) {
            Some(Json::Array(items)) => {
                // The optional second argument, `nulls_last`, is true by default.
                let nulls_last = !matches!(arg(1, row), Some(Json::Bool(false)));
                Some(Json::Array(sort_array(items, function, nulls_last)))
            }
            _ => None,
        })),
        StrcatArray => {
            let out: StringArray = (0..len)
                .map(|row| {
                    let delimiter = match arg(1, row) {
                        Some(Json::String(text)) => text,
                        Some(other) => other.to_string(),
                        None => String::new(),
                    };
                    let text = match arg(0, row) {
                        Some(Json::Array(items)) => items
                            .iter()
                            .map(json_text)
                            .collect::<Vec<_>>()
                            .join(&delimiter),
                        _ => String::new(),
                    };
                    Some(text)
                })
                .collect();
            Arc::new(out)
        }
        ArraySlice => to_dynamic((0..len).map(|row| {
            let Some(Json::Array(items)) = arg(0, row) else {
                return None;
            };
            let count = items.len() as i64;
            let bound = |value: Option<Json>| {
                value
                    .and_then(|v| v.as_i64())
                    .map(|i| if i < 0 { i + count } else { i })
            };
            let (start, end) = (
                bound(arg(1, row))?.max(0),
                bound(arg(2, row))?.min(count - 1),
            );
            let slice = if start > end {
                Vec::new()
            } else {
                // `0 <= start <= end < count` here, so the range is always inside `items`.
                let range = start as usize..=end as usize;
                items.get(range).unwrap_or_default().to_vec()
            };
            Some(Json::Array(slice))
        })),
        GetType => {
            let ty = call.types.first().copied().unwrap_or(KustoType::Dynamic);
            let out: StringArray = (0..len)
                .map(|row| {
                    if ty != KustoType::Dynamic {
                        return Some(ty.to_string());
                    }
                    Some(match arg(0, row) {
                        None | Some(Json::Null) => "null".to_string(),
                        Some(Json::Array(_)) => "array".to_string(),
                        Some(Json::Object(_)) => "dictionary".to_string(),
                        Some(Json::Bool(_)) => "bool".to_string(),
                        Some(Json::String(_)) => "string".to_string(),
                        // Kusto names a real held in a dynamic value `double`.
                        Some(Json::Number(n)) if n.is_f64() => "double".to_string(),
                        Some(Json::Number(_)) => "long".to_string(),
                    })
                })
                .collect();
            Arc::new(out)
        }
        ArrayIndexOf => {
            let out: Int64Array = (0..len)
                .map(|row| match (arg(0, row), arg(1, row)) {
                    (Some(Json::Array(items)), Some(needle)) => Some(
                        items
                            .iter()
                            .position(|item| *item == needle)
                            .map_or(-1, |i| i as i64),
                    ),
                    _ => None,
                })
                .collect();
            Arc::new(out)
        }
    };
    Ok(result)
}

/// Dynamic values as a JSON-text column.
///
/// A JSON `null` becomes a null cell, so that `isnull` sees it, as in Kusto.
fn to_dynamic(values: impl Iterator<Item = Option<Json>>) -> ArrayRef {
    let texts = values.map(|value| value.filter(|v| !v.is_null()).map(|v| v.to_string()));
    Arc::new(texts.collect::<StringArray>())
}

/// `d[key]`: a property of a bag or an element of an array (negative indexes count from
/// the end); null when absent.
fn get(value: Option<Json>, key: Option<Json>) -> Option<Json> {
    match (value?, key?) {
        (Json::Object(mut bag), Json::String(key)) => bag.remove(&key),
        (Json::Array(mut items), Json::Number(index)) => {
            let index = index.as_i64()?;
            let index = if index < 0 {
                index + items.len() as i64
            } else {
                index
            };
            let index = usize::try_from(index).ok()?;
            (index < items.len()).then(|| items.swap_remove(index))
        }
        _ => None,
    }
}

/// The set and concatenation functions on the arrays of one row.
fn combine(function: DynamicFn, arrays: Vec<Vec<Json>>) -> Vec<Json> {
    let mut arrays = arrays.into_iter();
    let first = arrays.next().unwrap_or_default();
    let rest: Vec<Vec<Json>> = arrays.collect();
    let distinct = |items: Vec<Json>| {
        let mut out: Vec<Json> = Vec::new();
        for item in items {
            if !out.contains(&item) {
                out.push(item);
            }
        }
        out
    };
    match function {
        DynamicFn::ArrayConcat => first
            .into_iter()
            .chain(rest.into_iter().flatten())
            .collect(),
        DynamicFn::SetUnion => distinct(
            first
                .into_iter()
                .chain(rest.into_iter().flatten())
                .collect(),
        ),
        DynamicFn::SetIntersect => distinct(
            first
                .into_iter()
                .filter(|item| rest.iter().all(|other| other.contains(item)))
                .collect(),
        ),
        _ => distinct(
            first
                .into_iter()
                .filter(|item| rest.iter().all(|other| !other.contains(item)))
                .collect(),
        ),
    }
}

/// Sorts an array as `array_sort_asc`/`array_sort_desc` do (Kusto's recorded answers):
/// numbers first, then strings, then other values, each group in the asked order, and
/// nulls last in both orders unless `nulls_last` is false.
fn sort_array(items: Vec<Json>, function: DynamicFn, nulls_last: bool) -> Vec<Json> {
    let group = |value: &Json| match value {
        Json::Null if !nulls_last => -1,
        Json::Number(_) => 0,
        Json::String(_) => 1,
        Json::Null => 3,
        _ => 2,
    };
    let mut items = items;
    items.sort_by(|a, b| {
        group(a).cmp(&group(b)).then_with(|| {
            let order = compare_json(a, b);
            if function == DynamicFn::ArraySortDesc {
                order.reverse()
            } else {
                order
            }
        })
    });
    items
}

/// Orders JSON values: numbers by value before strings by text, then others by their JSON
/// text.
fn compare_json(a: &Json, b: &Json) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Json::Number(_), Json::String(_)) => Ordering::Less,
        (Json::String(_), Json::Number(_)) => Ordering::Greater,
        (Json::Number(x), Json::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(std::cmp::Ordering::Equal),
        (Json::String(x), Json::String(y)) => x.cmp(y),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// An element's text inside `strcat_array`: strings without quotes.
fn json_text(value: &Json) -> String {
    match value {
        Json::String(text) => text.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

/// Every cell of a column as a JSON value (a dynamic column is parsed; other types are
/// converted as they appear inside dynamic values).
fn column_json(array: &ArrayRef, ty: KustoType, len: usize) -> DiagResult<Vec<Option<Json>>> {
    (0..len.min(array.len()))
        .map(|row| {
            if array.is_null(row) {
                return Ok(None);
            }
            if ty == KustoType::Dynamic {
                let text = downcast::<StringArray>(array)?.value(row);
                return Ok(Some(
                    serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.to_string())),
                ));
            }
            json_value(array, ty, row).map(Some)
        })
        .collect()
}

/// One cell of any type as a JSON value, as it appears inside a `dynamic` array: datetimes
/// and timespans as their Kusto text.
pub(crate) fn json_value(array: &ArrayRef, ty: KustoType, row: usize) -> DiagResult<Json> {
    use arrow::array::{
        BooleanArray, DurationNanosecondArray, Float64Array, Int32Array, TimestampNanosecondArray,
    };
    if array.is_null(row) {
        return Ok(Json::Null);
    }
    Ok(match ty {
        KustoType::Bool => Json::Bool(downcast::<BooleanArray>(array)?.value(row)),
        KustoType::Int => Json::from(downcast::<Int32Array>(array)?.value(row)),
        KustoType::Long => Json::from(downcast::<Int64Array>(array)?.value(row)),
        KustoType::Real | KustoType::Decimal => {
            let x = downcast::<Float64Array>(array)?.value(row);
            serde_json::Number::from_f64(x)
                .map_or_else(|| Json::String(crate::format::real(x)), Json::Number)
        }
        KustoType::String | KustoType::Guid => {
            Json::String(downcast::<StringArray>(array)?.value(row).to_string())
        }
        KustoType::Dynamic => {
            let text = downcast::<StringArray>(array)?.value(row);
            serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.to_string()))
        }
        // Inside dynamic values a datetime has all seven fraction digits, as `tostring`
        // prints it (recorded answers of `make_list` over datetimes).
        KustoType::DateTime => Json::String(super::text::datetime_with_ticks(
            downcast::<TimestampNanosecondArray>(array)?.value(row),
        )),
        KustoType::TimeSpan => Json::String(crate::format::timespan(
            downcast::<DurationNanosecondArray>(array)?.value(row),
        )),
    })
}
