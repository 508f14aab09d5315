//! `mv-expand`: one output row per element of the expanded dynamic values.
//!
//! Per `K:mv-expand-operator`: a null value gives one row with null; an empty array or bag
//! gives no row; several expanded values are expanded in parallel, the shorter ones padded
//! with null; `to typeof(T)` casts elements, and an element that is not a `T` becomes null.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanArray, DurationNanosecondArray, Float64Array, Int32Array, Int64Array,
    StringArray, TimestampNanosecondArray, UInt32Array,
};
use arrow::compute::{concat_batches, take};
use serde_json::Value as Json;

use super::{Batches, make_batch};
use crate::error::{DiagResult, arrow_error};
use crate::eval::evaluate;
use crate::plan::{Columns, MvExpandPlan, arrow_schema};
use crate::source::datetime::{DateOrder, parse_datetime, parse_timespan};
use crate::types::KustoType;

/// Expands the input batches.
pub(crate) fn mv_expand(
    plan: &MvExpandPlan,
    columns: &Columns,
    batches: &Batches,
) -> DiagResult<Batches> {
    let batch = concat_batches(&arrow_schema(&plan.input.columns), batches).map_err(arrow_error)?;
    let rows = batch.num_rows();
    let values = plan
        .expansions
        .iter()
        .map(|expansion| evaluate(&expansion.expr, &batch)?.into_array(rows))
        .collect::<DiagResult<Vec<ArrayRef>>>()?;

    let mut source_rows: Vec<u32> = Vec::new();
    let mut item_index: Vec<i64> = Vec::new();
    let mut elements: Vec<Vec<Option<Json>>> = vec![Vec::new(); values.len()];
    for row in 0..rows {
        let expanded: Vec<Option<Vec<Json>>> = values
            .iter()
            .map(|array| elements_of(array, row, plan.bags_as_arrays))
            .collect();
        let count = expanded
            .iter()
            .map(|items| items.as_ref().map_or(1, Vec::len))
            .max()
            .unwrap_or(0)
            .min(plan.limit);
        for index in 0..count {
            source_rows.push(row as u32);
            item_index.push(index as i64);
            for (items, column) in expanded.iter().zip(&mut elements) {
                let element = items.as_ref().and_then(|items| items.get(index).cloned());
                column.push(element);
            }
        }
    }

    let indices = UInt32Array::from(source_rows);
    let mut arrays = Vec::with_capacity(columns.len());
    for (position, _) in columns.iter().enumerate() {
        let mut expanded = plan.expansions.iter().zip(&elements);
        if let Some((expansion, items)) = expanded.find(|(e, _)| e.column == position) {
            arrays.push(typed_column(items, expansion.ty));
        } else if Some(position) == plan.index_column {
            arrays.push(Arc::new(Int64Array::from(item_index.clone())) as ArrayRef);
        } else {
            let source = batch.column(position);
            arrays.push(take(source.as_ref(), &indices, None).map_err(arrow_error)?);
        }
    }
    Ok(vec![make_batch(columns, arrays, indices.len())?])
}

/// The elements one row expands to; `None` for a null value (one row of null).
fn elements_of(array: &ArrayRef, row: usize, bags_as_arrays: bool) -> Option<Vec<Json>> {
    let texts = array.as_any().downcast_ref::<StringArray>()?;
    if texts.is_null(row) {
        return None;
    }
    let value: Json = serde_json::from_str(texts.value(row)).unwrap_or(Json::Null);
    Some(match value {
        Json::Array(items) => items,
        Json::Object(bag) => bag
            .into_iter()
            .map(|(key, value)| {
                if bags_as_arrays {
                    Json::Array(vec![Json::String(key), value])
                } else {
                    Json::Object(std::iter::once((key, value)).collect())
                }
            })
            .collect(),
        Json::Null => return None,
        scalar => vec![scalar],
    })
}

/// Elements as a column of `ty`: dynamic keeps the JSON; other types take elements that
/// already are of that type, else null.
fn typed_column(elements: &[Option<Json>], ty: KustoType) -> ArrayRef {
    match ty {
        KustoType::Long => Arc::new(
            elements
                .iter()
                .map(|e| e.as_ref().and_then(Json::as_i64))
                .collect::<Int64Array>(),
        ),
        KustoType::Int => Arc::new(
            elements
                .iter()
                .map(|e| {
                    e.as_ref()
                        .and_then(Json::as_i64)
                        .and_then(|v| i32::try_from(v).ok())
                })
                .collect::<Int32Array>(),
        ),
        KustoType::Real | KustoType::Decimal => Arc::new(
            elements
                .iter()
                .map(|e| e.as_ref().and_then(Json::as_f64))
                .collect::<Float64Array>(),
        ),
        KustoType::Bool => Arc::new(
            elements
                .iter()
                .map(|e| e.as_ref().and_then(Json::as_bool))
                .collect::<BooleanArray>(),
        ),
        KustoType::String | KustoType::Guid => Arc::new(
            elements
                .iter()
                .map(|e| Some(e.as_ref().and_then(Json::as_str).unwrap_or("").to_string()))
                .collect::<StringArray>(),
        ),
        KustoType::DateTime => Arc::new(
            elements
                .iter()
                .map(|e| {
                    e.as_ref()
                        .and_then(Json::as_str)
                        .and_then(|t| parse_datetime(t, DateOrder::MonthFirst))
                })
                .collect::<TimestampNanosecondArray>()
                .with_timezone("UTC"),
        ),
        KustoType::TimeSpan => Arc::new(
            elements
                .iter()
                .map(|e| e.as_ref().and_then(Json::as_str).and_then(parse_timespan))
                .collect::<DurationNanosecondArray>(),
        ),
        KustoType::Dynamic => Arc::new(
            elements
                .iter()
                .map(|e| e.as_ref().map(Json::to_string))
                .collect::<StringArray>(),
        ),
    }
}
