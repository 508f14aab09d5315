//! A row group read in two passes: first the columns a chain computes with, then the columns
//! it only carries, for the rows it keeps ([`ChainNeeds`]).
//!
//! A hunt keeps a row in a thousand, so the second pass reads a few rows of each carried
//! column: the parquet crate skips the pages that hold none of them without decompressing
//! them. The chain then runs again over the kept rows, so its answer is the one a whole read
//! gives.
//!
//! Errors: when the first pass meets any (a value that does not convert, a damaged page, an
//! evaluation error), the group is read again the usual way, which meets the errors in the
//! order a whole read does. A value that does not convert in a carried column is only met in
//! a kept row; in a dropped row it is not read, like a column the query does not use. When the
//! chain keeps many rows, two passes cost more than one: the group is then read the usual way.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, RecordBatch};
use arrow::compute::{concat_batches, filter_record_batch};
use parquet::arrow::arrow_reader::RowSelection;

use super::contain::contained;
use super::{ParquetParts, Reading, unreadable};
use crate::exec::stream::{ChainNeeds, StreamError};
use crate::source::LoadError;
use crate::source::raw::record_batch;

/// The batches of a part, as the stream takes them.
type Batches = Box<dyn Iterator<Item = Result<RecordBatch, StreamError>> + Send>;

/// Past this share of kept rows, a group is read in one pass.
const MAX_KEPT_SHARE: usize = 8;

impl ParquetParts {
    /// Row group `group`'s rows that `chain` keeps, read in two passes; `None` when the group
    /// is to be read the usual way.
    pub(super) fn kept_rows(
        self: &Arc<Self>,
        group: usize,
        chain: &dyn ChainNeeds,
    ) -> Option<Batches> {
        let computed = chain.computed_columns();
        let is_computed = |index: usize| computed.binary_search(&index).is_ok();
        let parquet = self.metadata.metadata().file_metadata().schema_descr();
        let first = self.reading.restricted(parquet, is_computed);
        let second = self
            .reading
            .restricted(parquet, |index| !is_computed(index));
        // Two passes pay only when both read something, and read different columns.
        if first.roots.is_empty()
            || second.roots.is_empty()
            || first.roots.iter().any(|root| second.roots.contains(root))
        {
            return None;
        }
        let (kept, masks) = self.first_pass(group, &first, chain)?;
        if kept.num_rows() == 0 {
            return Some(Box::new(std::iter::empty()));
        }
        let carried = match self.second_pass(group, &second, masks) {
            Ok(carried) => carried,
            Err(error) => return Some(Box::new(std::iter::once(Err(load(error))))),
        };
        Some(Box::new(stitch(Arc::clone(self), kept, carried, second)))
    }

    /// The computed columns of the rows `chain` keeps, and which rows those are, batch by
    /// batch; `None` on any error or when too many rows are kept.
    fn first_pass(
        &self,
        group: usize,
        first: &Reading,
        chain: &dyn ChainNeeds,
    ) -> Option<(RecordBatch, Vec<BooleanArray>)> {
        let path = &self.path;
        let mut reader = self.group_reader(group, &first.mask, None).ok()?;
        let mut rows_before = self.first_rows.get(group).copied().unwrap_or(0);
        let (mut rows, mut kept_rows) = (0, 0);
        let mut kept = Vec::new();
        let mut masks = Vec::new();
        while let Some(batch) = contained(path, || reader.next()).ok()? {
            let batch = first.convert(path, &batch.ok()?, rows_before).ok()?;
            rows_before += batch.num_rows();
            let mask = chain.kept_rows(&batch).ok()?;
            rows += batch.num_rows();
            kept_rows += mask.true_count();
            if kept_rows * MAX_KEPT_SHARE > rows {
                return None;
            }
            if mask.true_count() > 0 {
                kept.push(filter_record_batch(&batch, &mask).ok()?);
            }
            masks.push(mask);
        }
        let kept = concat_batches(&self.reading.schema, &kept).ok()?;
        Some((kept, masks))
    }

    /// The carried columns of the rows the `masks` keep, as read, with each row's place in
    /// the file.
    fn second_pass(
        &self,
        group: usize,
        second: &Reading,
        masks: Vec<BooleanArray>,
    ) -> Result<Carried, LoadError> {
        let first_row = self.first_rows.get(group).copied().unwrap_or(0);
        let mut file_rows = Vec::new();
        let mut offset = first_row;
        for mask in &masks {
            file_rows.extend(
                (0..mask.len())
                    .filter(|&i| mask.value(i))
                    .map(|i| offset + i),
            );
            offset += mask.len();
        }
        let selection = RowSelection::from_filters(&masks);
        let reader = self.group_reader(group, &second.mask, Some(selection))?;
        Ok(Carried {
            reader: Box::new(reader),
            file_rows,
        })
    }
}

/// The second pass: its reader, and the file row of each row it gives.
struct Carried {
    reader: Box<dyn Iterator<Item = Result<RecordBatch, arrow::error::ArrowError>> + Send>,
    file_rows: Vec<usize>,
}

fn load(error: LoadError) -> StreamError {
    StreamError::Load {
        error,
        early: false,
    }
}

/// The kept rows whole: the computed columns from `kept`, the carried ones from the second
/// pass, batch by batch as the second pass gives them.
fn stitch(
    parts: Arc<ParquetParts>,
    kept: RecordBatch,
    mut carried: Carried,
    second: Reading,
) -> impl Iterator<Item = Result<RecordBatch, StreamError>> + Send {
    let mut done = 0;
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed {
            return None;
        }
        let path = &parts.path;
        let next = match contained(path, || carried.reader.next()) {
            Ok(None) => return None,
            Ok(Some(batch)) => batch.map_err(|e| unreadable(path, &e)),
            Err(error) => Err(error),
        };
        let result = next
            .and_then(|batch| {
                let rows = &carried.file_rows;
                let start = done;
                let file_row = |i: usize| rows.get(start + i).copied().unwrap_or(start + i);
                second.convert_rows(path, &batch, &file_row)
            })
            .and_then(|batch| {
                let rows = batch.num_rows();
                if done + rows > kept.num_rows() {
                    let message = "internal error: the two passes over a row group disagree";
                    return Err(LoadError::new(path, message));
                }
                let computed = kept.slice(done, rows);
                done += rows;
                let columns: Option<Vec<ArrayRef>> = (0..batch.num_columns())
                    .map(|index| {
                        let from = match second.plan.get(index).and_then(|c| c.source) {
                            Some(_) => &batch,
                            None => &computed,
                        };
                        from.columns().get(index).cloned()
                    })
                    .collect();
                let columns = columns.ok_or_else(|| {
                    LoadError::new(path, "internal error: a column of a pass is missing")
                })?;
                record_batch(path, &parts.reading.schema, columns, rows)
            });
        failed = result.is_err();
        Some(result.map_err(load))
    })
}
