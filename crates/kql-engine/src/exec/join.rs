//! `join`: a hash join on equality keys, for every Kusto join kind (`K:join-operator`).
//!
//! Rules that differ from SQL habits, from kql-semantics §8:
//! - the default kind, `innerunique`, keeps one left row per key before joining;
//! - a null key matches other null keys: the docs are silent, and Kusto's recorded answers
//!   join null to null (tests/conformance, `agent-joins-lookup-union` cases); empty strings
//!   are ordinary keys too;
//! - cells of the missing side of an outer join are null, except strings, which are `""`.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, RecordBatch, StringArray, UInt32Array};
use arrow::compute::{concat_batches, take};
use arrow::datatypes::DataType;
use arrow::row::{RowConverter, Rows, SortField};

use super::{Batches, make_batch};
use crate::error::{DiagResult, arrow_error};
use crate::limits::RunLimits;
use crate::plan::{Columns, JoinKind, JoinPlan, arrow_schema};
use crate::types::KustoType;

/// Joins the two sides' batches into one output batch of `columns`. Fails, before building
/// the output, when it would have more rows than the join budget of `limits`.
pub(crate) fn hash_join(
    join: &JoinPlan,
    columns: &Columns,
    left: &Batches,
    right: &Batches,
    limits: &RunLimits,
) -> DiagResult<Batches> {
    let left = concat_batches(&arrow_schema(&join.left.columns), left).map_err(arrow_error)?;
    let right = concat_batches(&arrow_schema(&join.right.columns), right).map_err(arrow_error)?;

    let (left_rows, right_rows) = key_rows(join, &left, &right)?;

    // Right rows by key, in row order.
    let mut right_by_key: HashMap<&[u8], Vec<u32>> = HashMap::new();
    for row in 0..right.num_rows() {
        right_by_key
            .entry(right_rows.row(row).data())
            .or_default()
            .push(row as u32);
    }

    let budget = Budget {
        limits,
        span: join.span,
        inputs: (left.num_rows(), right.num_rows()),
    };
    let pairs = match_rows(
        join.kind,
        &left_rows,
        left.num_rows(),
        &right_by_key,
        right.num_rows(),
        &budget,
    )?;
    let (with_left, with_right) = join.kind.output_sides();
    let mut arrays = Vec::with_capacity(columns.len());
    if with_left {
        arrays.extend(take_columns(&left, &join.left.columns, &pairs.left)?);
    }
    if with_right {
        arrays.extend(take_columns(&right, &join.right.columns, &pairs.right)?);
    }
    let rows = pairs.left.len().max(pairs.right.len());
    Ok(vec![make_batch(columns, arrays, rows)?])
}

/// Row indexes of the output, per side; a null index is a missing side of an outer join.
struct Pairs {
    left: UInt32Array,
    right: UInt32Array,
}

/// What a join may spend, and what its errors name.
struct Budget<'a> {
    limits: &'a RunLimits,
    span: kql_parser::Span,
    /// The row counts of the left and right inputs.
    inputs: (usize, usize),
}

impl Budget<'_> {
    fn check(&self, output_rows: usize) -> DiagResult<()> {
        self.limits
            .check_join_rows(output_rows, self.inputs, self.span)
    }
}

/// How much work (left rows looked up, pairs stored) is done between two checks of the time
/// budget: counting pairs too keeps the checks frequent when one key matches many rows.
const WORK_PER_TIME_CHECK: usize = 1 << 16;

/// Pairs left and right rows according to the join kind, within the budget.
fn match_rows(
    kind: JoinKind,
    left_rows: &Rows,
    left_count: usize,
    right_by_key: &HashMap<&[u8], Vec<u32>>,
    right_count: usize,
    budget: &Budget,
) -> DiagResult<Pairs> {
    // Right rows come from `0..right_count`; one outside would be a bug.
    let lost =
        |right: u32| kql_parser::Diagnostic::internal(format!("the join lost right row {right}"));
    let mut left_out: Vec<Option<u32>> = Vec::new();
    let mut right_out: Vec<Option<u32>> = Vec::new();
    let mut right_matched = vec![false; right_count];
    let mut seen_left_keys: std::collections::HashSet<&[u8]> = std::collections::HashSet::new();

    let mut work_since_check = 0;
    for row in 0..left_count {
        let row_index = row as u32;
        let key = left_rows.row(row).data();
        if kind == JoinKind::InnerUnique && !seen_left_keys.insert(key) {
            continue; // innerunique keeps the first left row of each key
        }
        let matches = right_by_key.get(key);
        work_since_check += 1 + matches.map_or(0, Vec::len);
        if work_since_check >= WORK_PER_TIME_CHECK {
            budget.limits.check_time()?;
            work_since_check = 0;
        }
        match (kind, matches) {
            (JoinKind::LeftSemi, Some(_)) | (JoinKind::LeftAnti, None) => {
                left_out.push(Some(row_index));
            }
            (JoinKind::LeftSemi | JoinKind::LeftAnti, _) => {}
            // Right semi and anti joins only need to know which right rows have a match.
            (JoinKind::RightSemi | JoinKind::RightAnti, Some(rights)) => {
                for right in rights {
                    *right_matched
                        .get_mut(*right as usize)
                        .ok_or_else(|| lost(*right))? = true;
                }
            }
            (_, Some(rights)) => {
                // Checked before the pairs are stored: the budget bounds memory.
                budget.check(left_out.len() + rights.len())?;
                for right in rights {
                    left_out.push(Some(row_index));
                    right_out.push(Some(*right));
                    *right_matched
                        .get_mut(*right as usize)
                        .ok_or_else(|| lost(*right))? = true;
                }
            }
            (JoinKind::LeftOuter | JoinKind::FullOuter, None) => {
                budget.check(left_out.len() + 1)?;
                left_out.push(Some(row_index));
                right_out.push(None);
            }
            (_, None) => {}
        }
    }

    match kind {
        JoinKind::RightSemi | JoinKind::RightAnti => {
            let want = kind == JoinKind::RightSemi;
            right_out = right_matched
                .iter()
                .enumerate()
                .filter(|(_, matched)| **matched == want)
                .map(|(row, _)| Some(row as u32))
                .collect();
        }
        JoinKind::RightOuter | JoinKind::FullOuter => {
            let unmatched = right_matched.iter().filter(|matched| !**matched).count();
            budget.check(left_out.len() + unmatched)?;
            for (row, matched) in right_matched.iter().enumerate() {
                if !matched {
                    left_out.push(None);
                    right_out.push(Some(row as u32));
                }
            }
        }
        _ => {}
    }
    Ok(Pairs {
        left: UInt32Array::from(left_out),
        right: UInt32Array::from(right_out),
    })
}

/// The key columns of both sides as comparable rows, cast to the bound key types.
fn key_rows(join: &JoinPlan, left: &RecordBatch, right: &RecordBatch) -> DiagResult<(Rows, Rows)> {
    let fields = join
        .key_types
        .iter()
        .map(|ty| SortField::new(ty.to_arrow()))
        .collect();
    let converter = RowConverter::new(fields).map_err(arrow_error)?;
    let keys = |batch: &RecordBatch, indexes: &[usize]| -> DiagResult<Vec<ArrayRef>> {
        indexes
            .iter()
            .zip(&join.key_types)
            .map(|(index, ty)| {
                let column = batch.column(*index);
                arrow::compute::cast(column, &ty.to_arrow()).map_err(arrow_error)
            })
            .collect()
    };
    let left_rows = converter
        .convert_columns(&keys(left, &join.left_keys)?)
        .map_err(arrow_error)?;
    let right_rows = converter
        .convert_columns(&keys(right, &join.right_keys)?)
        .map_err(arrow_error)?;
    Ok((left_rows, right_rows))
}

/// Gathers rows of every column; null indexes give null cells, and `""` for strings.
fn take_columns(
    batch: &RecordBatch,
    columns: &Columns,
    indexes: &UInt32Array,
) -> DiagResult<Vec<ArrayRef>> {
    batch
        .columns()
        .iter()
        .zip(columns)
        .map(|(array, column)| {
            let taken = take(array.as_ref(), indexes, None).map_err(arrow_error)?;
            let is_string = column.ty == KustoType::String;
            Ok(if is_string && indexes.null_count() > 0 {
                empty_strings_for_nulls(taken)
            } else {
                taken
            })
        })
        .collect()
}

/// Kusto strings are never null: a string cell of a missing outer-join side is `""`.
fn empty_strings_for_nulls(array: ArrayRef) -> ArrayRef {
    if array.data_type() != &DataType::Utf8 || array.null_count() == 0 {
        return array;
    }
    match array.as_any().downcast_ref::<StringArray>() {
        Some(strings) => Arc::new(
            strings
                .iter()
                .map(|v| Some(v.unwrap_or("")))
                .collect::<StringArray>(),
        ),
        None => array,
    }
}
