//! `sort`, `top` and `take`.

use arrow::array::RecordBatch;
use arrow::compute::{
    SortColumn, SortOptions, concat_batches, lexsort_to_indices, take_record_batch,
};

use super::Batches;
use crate::error::{DiagResult, arrow_error};
use crate::eval::evaluate;
use crate::plan::{Columns, SortKey, arrow_schema};

/// The first `count` rows, in input order.
pub(crate) fn take(batches: Batches, count: usize) -> Batches {
    let mut left = count;
    let mut out = Vec::new();
    for batch in batches {
        if left == 0 {
            break;
        }
        let rows = batch.num_rows().min(left);
        left -= rows;
        out.push(if rows == batch.num_rows() {
            batch
        } else {
            batch.slice(0, rows)
        });
    }
    out
}

/// All rows ordered by `keys`; with `limit`, only the first rows of that order are kept.
pub(crate) fn sort(
    columns: &Columns,
    batches: &Batches,
    keys: &[SortKey],
    limit: Option<usize>,
) -> DiagResult<Batches> {
    let batch: RecordBatch =
        concat_batches(&arrow_schema(columns), batches).map_err(arrow_error)?;
    let rows = batch.num_rows();
    let sort_columns = keys
        .iter()
        .map(|key| {
            let values = evaluate(&key.expr, &batch)?.into_array(rows)?;
            let options = SortOptions {
                descending: key.descending,
                nulls_first: key.nulls_first,
            };
            Ok(SortColumn {
                values,
                options: Some(options),
            })
        })
        .collect::<DiagResult<Vec<_>>>()?;
    let indices = lexsort_to_indices(&sort_columns, limit).map_err(arrow_error)?;
    Ok(vec![
        take_record_batch(&batch, &indices).map_err(arrow_error)?,
    ])
}
