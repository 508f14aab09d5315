//! `summarize`: grouping rows by key and computing aggregates per group.
//!
//! Rules from `K:summarize-operator` and the aggregation pages: aggregates ignore nulls;
//! without `by`, an empty input still gives one row (count 0, sums 0, `make_*` `[]`, other
//! aggregates null); with `by`, an empty input gives no rows. Null keys form their own group.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanArray, DurationNanosecondArray, Float64Array, Int64Array, RecordBatch,
    StringArray, UInt32Array, make_comparator,
};
use arrow::compute::{SortOptions, concat_batches, take};
use arrow::datatypes::DataType;
use arrow::row::{RowConverter, SortField};
use kql_parser::Diagnostic;

use super::{Batches, make_batch};
use crate::error::{DiagResult, arrow_error};
use crate::eval::evaluate;
use crate::plan::{Aggregate, AggregateFunction, AggregatePlan, Columns, arrow_schema};
use crate::types::KustoType;

/// Groups of a batch: the group of each row and the first row of each group.
struct Groups {
    of_row: Vec<usize>,
    first_rows: Vec<u32>,
}

impl Groups {
    fn count(&self) -> usize {
        self.first_rows.len()
    }
}

/// The entry of `group` in a vector with one entry per group. [`group`] numbers groups from
/// 0 up, one below [`Groups::count`], so a miss is a bug.
fn group_slot<T>(per_group: &mut [T], group: usize) -> DiagResult<&mut T> {
    per_group
        .get_mut(group)
        .ok_or_else(|| Diagnostic::internal(format!("group {group} is out of range")))
}

/// Runs a `summarize` over all input batches.
pub(crate) fn summarize(
    plan: &AggregatePlan,
    columns: &Columns,
    batches: &Batches,
) -> DiagResult<Batches> {
    let batch = concat_batches(&arrow_schema(&plan.input.columns), batches).map_err(arrow_error)?;
    let rows = batch.num_rows();
    let keys = plan
        .keys
        .iter()
        .map(|key| evaluate(key, &batch)?.into_array(rows))
        .collect::<DiagResult<Vec<ArrayRef>>>()?;
    let groups = group(&keys, rows)?;

    let first_rows = UInt32Array::from(groups.first_rows.clone());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len());
    for key in &keys {
        arrays.push(take(key.as_ref(), &first_rows, None).map_err(arrow_error)?);
    }
    for aggregate in &plan.aggregates {
        arrays.extend(compute(aggregate, &batch, &groups)?);
    }
    Ok(vec![make_batch(columns, arrays, groups.count())?])
}

/// Assigns rows to groups by key; without keys, every row (and an empty input) is one group.
fn group(keys: &[ArrayRef], rows: usize) -> DiagResult<Groups> {
    if keys.is_empty() {
        return Ok(Groups {
            of_row: vec![0; rows],
            first_rows: vec![0],
        });
    }
    let fields = keys
        .iter()
        .map(|key| SortField::new(key.data_type().clone()))
        .collect();
    let converter = RowConverter::new(fields).map_err(arrow_error)?;
    let converted = converter.convert_columns(keys).map_err(arrow_error)?;
    let mut ids: HashMap<&[u8], usize> = HashMap::new();
    let mut of_row = Vec::with_capacity(rows);
    let mut first_rows = Vec::new();
    for row in 0..rows {
        let next = first_rows.len();
        let id = *ids.entry(converted.row(row).data()).or_insert(next);
        if id == next {
            first_rows.push(row as u32);
        }
        of_row.push(id);
    }
    Ok(Groups { of_row, first_rows })
}

/// The output columns of one aggregate.
fn compute(
    aggregate: &Aggregate,
    batch: &RecordBatch,
    groups: &Groups,
) -> DiagResult<Vec<ArrayRef>> {
    use AggregateFunction::*;
    let rows = batch.num_rows();
    let args = aggregate
        .args
        .iter()
        .map(|arg| evaluate(arg, batch)?.into_array(rows))
        .collect::<DiagResult<Vec<ArrayRef>>>()?;
    let predicate = match aggregate.function {
        CountIf => args.first().map(as_mask).transpose()?,
        DCountIf | SumIf | AvgIf | MinIf | MaxIf | MakeSetIf | MakeListIf => {
            args.get(1).map(as_mask).transpose()?
        }
        _ => None,
    };
    let selected = |row: usize| predicate.as_ref().is_none_or(|mask| mask.value(row));
    let value = args.first();
    let value_ty = aggregate.args.first().map(|arg| arg.ty);
    let mut counts = vec![0i64; groups.count()];

    let output: ArrayRef = match aggregate.function {
        Count | CountIf => {
            // `count(x)` counts rows, nulls included, like `count()` (recorded Kusto answers).
            for (row, &group) in groups.of_row.iter().enumerate() {
                if selected(row) {
                    *group_slot(&mut counts, group)? += 1;
                }
            }
            Arc::new(Int64Array::from(counts))
        }
        DCount | DCountIf => {
            let value = required(value)?;
            let converter = RowConverter::new(vec![SortField::new(value.data_type().clone())])
                .map_err(arrow_error)?;
            let converted = converter
                .convert_columns(std::slice::from_ref(value))
                .map_err(arrow_error)?;
            let mut seen: HashSet<(usize, &[u8])> = HashSet::new();
            for (row, &group) in groups.of_row.iter().enumerate() {
                if value.is_valid(row)
                    && selected(row)
                    && seen.insert((group, converted.row(row).data()))
                {
                    *group_slot(&mut counts, group)? += 1;
                }
            }
            Arc::new(Int64Array::from(counts))
        }
        Sum | SumIf | Avg | AvgIf => {
            let value = required(value)?;
            let average = matches!(aggregate.function, Avg | AvgIf);
            sum_or_average(value, value_ty, groups, &selected, average)?
        }
        Min | Max | MinIf | MaxIf | ArgMax | ArgMin => {
            let value = required(value)?;
            let want = if matches!(aggregate.function, Max | MaxIf | ArgMax) {
                Ordering::Greater
            } else {
                Ordering::Less
            };
            let any_row = matches!(aggregate.function, ArgMax | ArgMin);
            let best = extreme_rows(value, value_ty, groups, &selected, want, any_row)?;
            let mut out = vec![take(value.as_ref(), &best, None).map_err(arrow_error)?];
            for column in &aggregate.carried {
                out.push(take(batch.column(*column).as_ref(), &best, None).map_err(arrow_error)?);
            }
            return Ok(out);
        }
        TakeAny => {
            let value = required(value)?;
            let mut chosen: Vec<Option<u32>> = vec![None; groups.count()];
            for (row, &group) in groups.of_row.iter().enumerate() {
                let slot = group_slot(&mut chosen, group)?;
                if slot.is_none() && value.is_valid(row) {
                    *slot = Some(row as u32);
                }
            }
            take(value.as_ref(), &UInt32Array::from(chosen), None).map_err(arrow_error)?
        }
        MakeSet | MakeSetIf | MakeList | MakeListIf => {
            let value = required(value)?;
            let distinct = matches!(aggregate.function, MakeSet | MakeSetIf);
            let ty = value_ty.unwrap_or(KustoType::Dynamic);
            let mut lists: Vec<Vec<serde_json::Value>> = vec![Vec::new(); groups.count()];
            for (row, &group) in groups.of_row.iter().enumerate() {
                if !selected(row) || value.is_null(row) {
                    continue;
                }
                let list = group_slot(&mut lists, group)?;
                if list.len() >= aggregate.max_size {
                    continue;
                }
                // A dynamic array contributes its elements, not itself (recorded answers of
                // `make_list` and `make_set` over arrays).
                let items = match crate::functions::json_value(value, ty, row)? {
                    serde_json::Value::Array(elements) => elements,
                    item => vec![item],
                };
                for item in items {
                    if list.len() < aggregate.max_size && !(distinct && list.contains(&item)) {
                        list.push(item);
                    }
                }
            }
            let texts: StringArray = lists
                .into_iter()
                .map(|list| Some(serde_json::Value::Array(list).to_string()))
                .collect();
            Arc::new(texts)
        }
    };
    Ok(vec![output])
}

fn required(value: Option<&ArrayRef>) -> DiagResult<&ArrayRef> {
    value.ok_or_else(|| Diagnostic::internal("an aggregate is missing its argument"))
}

fn as_mask(array: &ArrayRef) -> DiagResult<BooleanArray> {
    let mask = array
        .as_any()
        .downcast_ref::<BooleanArray>()
        .ok_or_else(|| Diagnostic::internal("an aggregate predicate is not boolean"))?;
    Ok(crate::eval::null_as_false(mask))
}

/// `sum`/`avg` per group. Integer sums stay `long` and wrap on overflow, and so does the sum
/// behind an integer average (Kusto's recorded answers show both); reals and timespans add
/// as they are; averages are reals (timespans for timespans), NaN when there is no value.
fn sum_or_average(
    value: &ArrayRef,
    ty: Option<KustoType>,
    groups: &Groups,
    selected: &dyn Fn(usize) -> bool,
    average: bool,
) -> DiagResult<ArrayRef> {
    let n = groups.count();
    let mut counts = vec![0i64; n];
    match ty {
        Some(KustoType::Int | KustoType::Long) => {
            let longs = arrow::compute::cast(value, &DataType::Int64).map_err(arrow_error)?;
            let longs = downcast::<Int64Array>(&longs)?;
            let mut sums = vec![0i64; n];
            for (row, group) in groups.of_row.iter().enumerate() {
                if longs.is_valid(row) && selected(row) {
                    let sum = group_slot(&mut sums, *group)?;
                    *sum = sum.wrapping_add(longs.value(row));
                    *group_slot(&mut counts, *group)? += 1;
                }
            }
            if !average {
                return Ok(Arc::new(Int64Array::from(sums)));
            }
            let averages = sums.iter().zip(&counts).map(|(sum, count)| {
                Some(if *count > 0 {
                    *sum as f64 / *count as f64
                } else {
                    f64::NAN
                })
            });
            Ok(Arc::new(averages.collect::<Float64Array>()))
        }
        Some(KustoType::TimeSpan) => {
            let spans = downcast::<DurationNanosecondArray>(value)?;
            let mut sums = vec![0i128; n];
            for (row, group) in groups.of_row.iter().enumerate() {
                if spans.is_valid(row) && selected(row) {
                    *group_slot(&mut sums, *group)? += i128::from(spans.value(row));
                    *group_slot(&mut counts, *group)? += 1;
                }
            }
            let values = sums.iter().zip(&counts).map(|(sum, count)| {
                let total = if average {
                    (*count > 0).then(|| sum / i128::from(*count))
                } else {
                    Some(*sum)
                };
                total.and_then(|t| i64::try_from(t).ok())
            });
            Ok(Arc::new(values.collect::<DurationNanosecondArray>()))
        }
        _ => {
            let reals = arrow::compute::cast(value, &DataType::Float64).map_err(arrow_error)?;
            let reals = downcast::<Float64Array>(&reals)?;
            let mut sums = vec![0f64; n];
            for (row, group) in groups.of_row.iter().enumerate() {
                if reals.is_valid(row) && selected(row) {
                    *group_slot(&mut sums, *group)? += reals.value(row);
                    *group_slot(&mut counts, *group)? += 1;
                }
            }
            let values = sums.iter().zip(&counts).map(|(sum, count)| {
                if !average {
                    Some(*sum)
                } else if *count > 0 {
                    Some(sum / *count as f64)
                } else {
                    Some(f64::NAN)
                }
            });
            Ok(Arc::new(values.collect::<Float64Array>()))
        }
    }
}

/// Per group, the row whose value compares as `want` against all others (the first such
/// row on ties); null for groups without a non-null value.
///
/// A NaN wins over every number for both `min` and `max`, as in Kusto's recorded answers.
/// With `any_row`, a group without a usable value still gets its first row (`arg_max`
/// returns a row even when every value is null).
fn extreme_rows(
    value: &ArrayRef,
    ty: Option<KustoType>,
    groups: &Groups,
    selected: &dyn Fn(usize) -> bool,
    want: Ordering,
    any_row: bool,
) -> DiagResult<UInt32Array> {
    let reals = value.as_any().downcast_ref::<Float64Array>();
    let is_nan = |row: usize| reals.is_some_and(|reals| reals.value(row).is_nan());
    let compare = make_comparator(value.as_ref(), value.as_ref(), SortOptions::default())
        .map_err(arrow_error)?;
    let strings = (ty == Some(KustoType::String))
        .then(|| value.as_any().downcast_ref::<StringArray>())
        .flatten();
    let mut best: Vec<Option<u32>> = vec![None; groups.count()];
    let mut first: Vec<Option<u32>> = vec![None; groups.count()];
    for (row, group) in groups.of_row.iter().enumerate() {
        if !selected(row) {
            continue;
        }
        group_slot(&mut first, *group)?.get_or_insert(row as u32);
        // Empty strings are Kusto's "no value" and do not take part.
        let empty = strings.is_some_and(|s| s.value(row).is_empty());
        if value.is_null(row) || empty {
            continue;
        }
        let slot = group_slot(&mut best, *group)?;
        match slot {
            Some(current) if is_nan(*current as usize) => {}
            Some(_) if is_nan(row) => *slot = Some(row as u32),
            Some(current) if compare(row, *current as usize) != want => {}
            _ => *slot = Some(row as u32),
        }
    }
    if any_row {
        for (slot, first) in best.iter_mut().zip(first) {
            if slot.is_none() {
                *slot = first;
            }
        }
    }
    Ok(UInt32Array::from(best))
}

fn downcast<T: 'static>(array: &ArrayRef) -> DiagResult<&T> {
    array
        .as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| Diagnostic::internal("an aggregate got an unexpected array type"))
}
