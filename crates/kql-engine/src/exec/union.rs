//! `union`: every input's rows, with their columns placed by the binder's mapping.

use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray, new_null_array};

use super::{Batches, make_batch};
use crate::error::DiagResult;
use crate::plan::Columns;
use crate::types::KustoType;

/// One input's batches mapped onto the union's columns. A column the input lacks is empty:
/// null, or `""` for strings. `source` fills the `withsource` column.
pub(crate) fn map_input(
    columns: &Columns,
    batches: Batches,
    mapping: &[Option<usize>],
    source: Option<&str>,
) -> DiagResult<Batches> {
    let mut out = Vec::with_capacity(batches.len());
    for batch in batches {
        let rows = batch.num_rows();
        let arrays = columns
            .iter()
            .zip(mapping)
            .enumerate()
            .map(|(position, (column, from))| -> ArrayRef {
                match (from, source) {
                    (Some(index), _) => Arc::clone(batch.column(*index)),
                    (None, Some(name)) if position == 0 => Arc::new(StringArray::from_iter_values(
                        std::iter::repeat_n(name, rows),
                    )),
                    (None, _) if column.ty == KustoType::String => {
                        Arc::new(StringArray::from_iter_values(std::iter::repeat_n("", rows)))
                    }
                    (None, _) => new_null_array(&column.ty.to_arrow(), rows),
                }
            })
            .collect();
        out.push(make_batch(columns, arrays, rows)?);
    }
    Ok(out)
}
