//! Putting a streamed chain's output back in table order as it comes in, merging the few
//! rows that survive each batch into batches of a useful size.
//!
//! A hunt keeps a handful of rows per batch of 8,192. Kept as they are, those tiny batches
//! cost far more than their rows (every column of every batch is a few allocations), and
//! memory would grow with the table. Merged as soon as they are next in order, the output
//! holds one batch per [`MERGED_ROWS`] rows. Batch boundaries mean nothing to a query's
//! answer; the row order is the table's.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use arrow::array::RecordBatch;
use arrow::compute::concat_batches;
use kql_parser::Diagnostic;

use crate::error::arrow_error;

/// Rows gathered before they are merged into one batch.
const MERGED_ROWS: usize = 8192;
/// Batches gathered before they are merged, however few their rows.
const MERGED_BATCHES: usize = 64;

/// The output of one streamed run, collected from its threads.
#[derive(Default)]
pub(super) struct Collector {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Results that came before their turn, by place: (part, batch within the part).
    waiting: BTreeMap<(usize, usize), Option<RecordBatch>>,
    /// How many batches each finished part had.
    part_sizes: HashMap<usize, usize>,
    /// The place whose result comes next.
    next: (usize, usize),
    /// Results in order, not merged yet.
    pending: Vec<RecordBatch>,
    pending_rows: usize,
    output: Vec<RecordBatch>,
    error: Option<Diagnostic>,
}

impl Collector {
    /// The result of the batch at `place`: what survived it, if anything.
    pub fn add(&self, place: (usize, usize), batch: Option<RecordBatch>) {
        if let Ok(mut state) = self.state.lock() {
            state.waiting.insert(place, batch);
            state.advance();
        }
    }

    /// Part `order` is done and had `batches` batches.
    pub fn end_part(&self, order: usize, batches: usize) {
        if let Ok(mut state) = self.state.lock() {
            state.part_sizes.insert(order, batches);
            state.advance();
        }
    }

    /// Every batch, in order, once all threads are done.
    pub fn finish(self) -> Result<Vec<RecordBatch>, Diagnostic> {
        let mut state = match self.state.into_inner() {
            Ok(state) => state,
            Err(poisoned) => poisoned.into_inner(),
        };
        state.advance();
        // Should a part never have been ended, its batches are still given in order.
        let rest: Vec<_> = std::mem::take(&mut state.waiting)
            .into_values()
            .flatten()
            .collect();
        for batch in rest {
            state.push(batch);
        }
        state.merge();
        match state.error {
            Some(error) => Err(error),
            None => Ok(state.output),
        }
    }
}

impl State {
    /// Takes the results that are next in order.
    fn advance(&mut self) {
        loop {
            if let Some(batch) = self.waiting.remove(&self.next) {
                if let Some(batch) = batch {
                    self.push(batch);
                }
                self.next.1 += 1;
            } else if self.part_sizes.get(&self.next.0) == Some(&self.next.1) {
                self.part_sizes.remove(&self.next.0);
                self.next = (self.next.0 + 1, 0);
            } else {
                return;
            }
        }
    }

    fn push(&mut self, batch: RecordBatch) {
        self.pending_rows += batch.num_rows();
        self.pending.push(batch);
        if self.pending_rows >= MERGED_ROWS || self.pending.len() >= MERGED_BATCHES {
            self.merge();
        }
    }

    fn merge(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        self.pending_rows = 0;
        match pending.as_slice() {
            [] => {}
            [_] => self.output.extend(pending),
            [first, ..] => match concat_batches(&first.schema(), &pending) {
                Ok(merged) => self.output.push(merged),
                Err(error) => {
                    self.error.get_or_insert(arrow_error(error));
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Array, AsArray, Int64Array};
    use arrow::datatypes::{DataType, Field, Int64Type, Schema};

    use super::*;

    fn batch(values: &[i64]) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, true)]));
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(values.to_vec()))]).unwrap()
    }

    fn values(batches: &[RecordBatch]) -> Vec<i64> {
        batches
            .iter()
            .flat_map(|b| b.column(0).as_primitive::<Int64Type>().values().to_vec())
            .collect()
    }

    #[test]
    fn results_come_out_in_table_order_whatever_order_they_come_in() {
        let collector = Collector::default();
        collector.add((1, 0), Some(batch(&[3])));
        collector.add((0, 1), None);
        collector.end_part(1, 2);
        collector.add((1, 1), Some(batch(&[4, 5])));
        collector.add((0, 0), Some(batch(&[1, 2])));
        collector.end_part(0, 2);
        collector.add((2, 0), Some(batch(&[6])));
        collector.end_part(2, 1);
        let batches = collector.finish().unwrap();
        assert_eq!(values(&batches), [1, 2, 3, 4, 5, 6]);
        assert_eq!(batches.len(), 1, "small batches are merged");
    }

    #[test]
    fn merged_batches_keep_to_their_size() {
        let collector = Collector::default();
        for order in 0..200 {
            collector.add((order, 0), Some(batch(&[order as i64])));
            collector.end_part(order, 1);
        }
        let batches = collector.finish().unwrap();
        assert_eq!(values(&batches), (0..200).collect::<Vec<_>>());
        assert!(batches.iter().all(|b| b.num_rows() <= MERGED_BATCHES));
        assert!(batches[0].column(0).len() == MERGED_BATCHES);
    }
}
