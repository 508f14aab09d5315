//! A run of records read in two passes: every record is split and checked, but only the
//! fields a chain computes with are taken; then the fields it only carries are taken from
//! the records it keeps ([`ChainNeeds`]).
//!
//! A hunt keeps a record in a thousand, so most of the fields of a CSV export are split but
//! never copied or converted. The chain then runs again over the kept rows, whole, so its
//! answer is the one a whole read gives.
//!
//! Errors: every record is still split and checked (its field count, its UTF-8) in the first
//! pass, and `datetime` fields are taken from every record, since the day/month order of their
//! text may depend on all of them. When the first pass meets any error, the run is read again
//! the usual way, which meets the errors in the order a whole read does. A value that does not
//! convert in a carried column is only met in a kept record, like a column the query does not
//! use. When the chain keeps many records, the run is read the usual way.

use arrow::array::RecordBatch;

use super::{Chunk, CsvParts, RecordReader, append_record};
use crate::exec::stream::{ChainNeeds, StreamError};
use crate::source::raw::{RawBatch, RawTableBuilder};
use crate::types::KustoType;

/// The batches of a part, as the stream takes them.
type Batches = Box<dyn Iterator<Item = Result<RecordBatch, StreamError>> + Send>;

/// Past this share of kept records, a run is read in one pass.
const MAX_KEPT_SHARE: usize = 8;

/// What the first pass found: each record's place in the run and its line, and the rows the
/// chain keeps.
struct FirstPass {
    spans: Vec<(std::ops::Range<usize>, usize)>,
    kept: Vec<bool>,
}

impl CsvParts {
    /// The records of `chunk` that `chain` keeps, read in two passes; the chunk back when it
    /// is to be read the usual way.
    pub(super) fn kept_rows(&self, chunk: Chunk, chain: &dyn ChainNeeds) -> Result<Batches, Chunk> {
        let computed = chain.computed_columns();
        let mut first_needed = vec![false; self.needed.len()];
        for (index, (column, &ty)) in self.plan.iter().zip(&self.types).enumerate() {
            let taken_first = computed.binary_search(&index).is_ok() || ty == KustoType::DateTime;
            if let (Some(source), true) = (column.source, taken_first)
                && let Some(slot) = first_needed.get_mut(source)
            {
                *slot = true;
            }
        }
        // Two passes pay only when the first leaves some fields out.
        if first_needed == self.needed || !first_needed.contains(&true) {
            return Err(chunk);
        }
        let first_line = chunk.first_line;
        let mut records = RecordReader::of_records(std::io::empty(), chunk.bytes, first_line);
        let first = self.first_pass(&mut records, first_needed, chain);
        let Some(bytes) = records.into_records() else {
            let lost = "internal error: the CSV reader lost a run of records";
            let error = StreamError::Failed(kql_parser::Diagnostic::internal(lost));
            return Ok(Box::new(std::iter::once(Err(error))));
        };
        let Some(first) = first else {
            return Err(Chunk { bytes, first_line });
        };
        Ok(Box::new(self.second_pass(&bytes, &first).into_iter()))
    }

    /// Splits and checks every record, takes the `needed` fields and asks `chain` which rows
    /// it keeps; `None` on any error, or when too many rows are kept.
    fn first_pass(
        &self,
        records: &mut RecordReader<std::io::Empty>,
        needed: Vec<bool>,
        chain: &dyn ChainNeeds,
    ) -> Option<FirstPass> {
        let wanted: Vec<usize> = (0..needed.len())
            .filter(|&i| needed.get(i) == Some(&true))
            .collect();
        let mut table = RawTableBuilder::new(needed, self.batch_size, false, true);
        let mut spans = Vec::new();
        while records.next_record().ok()? {
            append_record(&self.path, records, &self.sources, &wanted, &mut table).ok()?;
            spans.push((records.record_span(), records.line));
        }
        let mut kept = Vec::with_capacity(spans.len());
        for raw in table.finish() {
            let batch = self.convert(&raw).ok()?;
            let mask = chain.kept_rows(&batch).ok()?;
            kept.extend((0..mask.len()).map(|row| mask.value(row)));
        }
        let kept_count = kept.iter().filter(|&&k| k).count();
        if kept.len() != spans.len() || kept_count * MAX_KEPT_SHARE > kept.len() {
            return None;
        }
        Some(FirstPass { spans, kept })
    }

    /// The kept records with every wanted field, converted.
    fn second_pass(
        &self,
        bytes: &[u8],
        first: &FirstPass,
    ) -> Vec<Result<RecordBatch, StreamError>> {
        // Sized for the kept rows: the batch is the output's, and a builder's spare capacity
        // would stay with it.
        let count = first.kept.iter().filter(|&&kept| kept).count();
        let mut table = RawTableBuilder::new(self.needed.clone(), count, false, true);
        let kept = first
            .spans
            .iter()
            .zip(&first.kept)
            .filter(|(_, kept)| **kept);
        for ((span, line), _) in kept {
            let record = bytes.get(span.clone()).unwrap_or_default().to_vec();
            let mut reader = RecordReader::of_records(std::io::empty(), record, *line);
            // The first pass read this record without error: it reads the same again.
            match reader.next_record() {
                Ok(true) => {}
                _ => return vec![Err(lost_record())],
            }
            if append_record(&self.path, &reader, &self.sources, &self.wanted, &mut table).is_err()
            {
                return vec![Err(lost_record())];
            }
        }
        let batches: Vec<RawBatch> = table.finish();
        batches.iter().map(|raw| self.convert(raw)).collect()
    }
}

fn lost_record() -> StreamError {
    StreamError::Failed(kql_parser::Diagnostic::internal(
        "a CSV record read once could not be read again",
    ))
}
