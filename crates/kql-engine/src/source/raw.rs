//! Columns as read from a text format, before they are typed.
//!
//! CSV and JSON loaders first collect each needed column as an Arrow `StringArray` per batch
//! (JSON cells also remember whether they were a string, number, boolean or nested value).
//! Types can then be inferred from the whole file before any value is converted, and the
//! conversion runs column by column over whole batches. A `string` column needs no conversion
//! at all: its raw array is the final one.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayBuilder, ArrayRef, BooleanArray, RecordBatch, RecordBatchOptions, StringArray,
    StringBuilder,
};
use arrow::compute::filter;
use arrow::datatypes::{Schema, SchemaRef};

use super::convert::{CellError, convert, empty_array};
use super::infer::{date_order, infer_type};
use super::{LoadError, LoadedTable, PlannedColumn};
use crate::types::KustoType;

/// What a JSON cell was before it became text. CSV cells are all `Text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CellKind {
    /// A string (JSON) or any CSV field.
    Text,
    /// A JSON number, kept as its JSON text.
    Number,
    /// A JSON boolean, as `true`/`false`.
    Bool,
    /// A JSON object or array, as compact JSON text.
    Nested,
}

/// One column of one batch, untyped. A null value is a JSON `null` or a missing key.
#[derive(Debug, Clone)]
pub(crate) struct RawColumn {
    pub values: StringArray,
    /// `None` when every cell is `Text` (CSV).
    pub kinds: Option<Vec<CellKind>>,
}

impl RawColumn {
    /// Every cell with its kind; `None` for nulls.
    pub fn cells(&self) -> impl Iterator<Item = Option<(CellKind, &str)>> + '_ {
        self.values.iter().enumerate().map(|(row, value)| {
            let kind = match &self.kinds {
                Some(kinds) => kinds.get(row).copied().unwrap_or(CellKind::Text),
                None => CellKind::Text,
            };
            value.map(|text| (kind, text))
        })
    }
}

/// One batch of raw columns, indexed by file column. A column that is `None` (or past the end)
/// was not read, or (JSON) had no value in this batch.
#[derive(Debug)]
pub(crate) struct RawBatch {
    pub num_rows: usize,
    /// Index of the batch's first row in the file, 0-based.
    pub first_row: usize,
    pub columns: Vec<Option<RawColumn>>,
    /// The line each row starts on, for formats that know it cheaply.
    pub lines: Option<Vec<usize>>,
}

impl RawBatch {
    pub fn column(&self, source: usize) -> Option<&RawColumn> {
        self.columns.get(source).and_then(Option::as_ref)
    }
}

/// Builds one raw column.
pub(crate) struct RawColumnBuilder {
    values: StringBuilder,
    kinds: Option<Vec<CellKind>>,
}

impl RawColumnBuilder {
    fn new(with_kinds: bool, capacity: usize) -> Self {
        RawColumnBuilder {
            values: StringBuilder::with_capacity(capacity, capacity * 8),
            kinds: with_kinds.then(|| Vec::with_capacity(capacity)),
        }
    }

    pub fn append(&mut self, kind: CellKind, text: &str) {
        self.values.append_value(text);
        if let Some(kinds) = &mut self.kinds {
            kinds.push(kind);
        }
    }

    pub fn append_null(&mut self) {
        self.values.append_null();
        if let Some(kinds) = &mut self.kinds {
            kinds.push(CellKind::Text);
        }
    }

    fn len(&self) -> usize {
        self.values.len()
    }

    fn finish(mut self) -> RawColumn {
        RawColumn {
            values: self.values.finish(),
            kinds: self.kinds,
        }
    }
}

/// Collects rows into raw batches of `batch_size` rows.
pub(crate) struct RawTableBuilder {
    batch_size: usize,
    with_kinds: bool,
    needed: Vec<bool>,
    columns: Vec<Option<RawColumnBuilder>>,
    rows: usize,
    first_row: usize,
    lines: Option<Vec<usize>>,
    batches: Vec<RawBatch>,
}

impl RawTableBuilder {
    /// `needed[i]` says whether file column `i` is read; `with_kinds` is for JSON cells;
    /// `with_lines` records the line of every row.
    pub fn new(needed: Vec<bool>, batch_size: usize, with_kinds: bool, with_lines: bool) -> Self {
        RawTableBuilder {
            batch_size: batch_size.max(1),
            with_kinds,
            columns: needed.iter().map(|_| None).collect(),
            needed,
            rows: 0,
            first_row: 0,
            lines: with_lines.then(Vec::new),
            batches: Vec::new(),
        }
    }

    /// Adds a file column discovered while reading (a new JSON key) and returns its index.
    pub fn add_source(&mut self, needed: bool) -> usize {
        self.needed.push(needed);
        self.columns.push(None);
        self.needed.len() - 1
    }

    /// The builder of a needed column for the current row; `None` for a column not read.
    pub fn column(&mut self, source: usize) -> Option<&mut RawColumnBuilder> {
        if !self.needed.get(source).copied().unwrap_or(false) {
            return None;
        }
        let slot = self.columns.get_mut(source)?;
        let (with_kinds, rows, capacity) = (self.with_kinds, self.rows, self.batch_size);
        Some(slot.get_or_insert_with(|| {
            // A column first seen mid-batch (a JSON key) is null in the rows before.
            let mut builder = RawColumnBuilder::new(with_kinds, capacity);
            for _ in 0..rows {
                builder.append_null();
            }
            builder
        }))
    }

    /// Ends the current row: columns it had no value for get a null.
    pub fn end_row(&mut self, line: Option<usize>) {
        let filled = self.rows + 1;
        for builder in self.columns.iter_mut().flatten() {
            if builder.len() < filled {
                builder.append_null();
            }
        }
        self.rows = filled;
        if let (Some(lines), Some(line)) = (&mut self.lines, line) {
            lines.push(line);
        }
        if self.rows >= self.batch_size {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let columns = self
            .columns
            .iter_mut()
            .map(|c| c.take().map(RawColumnBuilder::finish));
        let lines = self.lines.as_mut().map(std::mem::take);
        self.batches.push(RawBatch {
            num_rows: self.rows,
            first_row: self.first_row,
            columns: columns.collect(),
            lines,
        });
        self.first_row += self.rows;
        self.rows = 0;
    }

    pub fn finish(mut self) -> Vec<RawBatch> {
        if self.rows > 0 {
            self.flush();
        }
        self.batches
    }
}

/// Types and converts raw batches into the planned columns.
///
/// `locate` maps a 0-based row of the file to its line when batches carry no lines (JSON
/// documents, where finding a row's line needs a scan that is only worth doing for an error).
///
/// `skipped` is `None` to fail on the first value that cannot be converted; otherwise it holds
/// the rows the reader already left out, and rows with such values are left out too and
/// added, in file order.
pub(crate) fn into_table(
    path: &Path,
    plan: &[PlannedColumn],
    batches: Vec<RawBatch>,
    locate: &mut dyn FnMut(usize) -> Option<usize>,
    mut skipped: Option<Vec<LoadError>>,
) -> Result<LoadedTable, LoadError> {
    let types: Vec<KustoType> = plan
        .iter()
        .map(|column| match (column.ty, column.source) {
            (Some(ty), _) => ty,
            (None, Some(source)) => infer_type(&batches, source),
            (None, None) => KustoType::String,
        })
        .collect();
    let orders: Vec<_> = plan
        .iter()
        .zip(&types)
        .map(|(column, ty)| match (ty, column.source) {
            (KustoType::DateTime, Some(source)) => date_order(&batches, source),
            _ => Default::default(),
        })
        .collect();
    let schema = planned_schema(plan, &types);

    let mut out = Vec::with_capacity(batches.len());
    for batch in batches {
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(plan.len());
        // The bad cells of this batch, by row, when they are skipped: the first one of a row
        // is the reason given for leaving it out.
        let mut bad_rows: BTreeMap<usize, LoadError> = BTreeMap::new();
        for ((column, &ty), &order) in plan.iter().zip(&types).zip(&orders) {
            let raw = column.source.and_then(|source| batch.column(source));
            let mut error_at = |e: CellError| {
                let line = match &batch.lines {
                    Some(lines) => lines.get(e.row).copied(),
                    None => locate(batch.first_row + e.row),
                };
                let error = LoadError::new(path, e.message).with_column(&column.name);
                match line {
                    Some(line) => error.with_line(line),
                    None => error,
                }
            };
            let array = match raw {
                Some(raw) if skipped.is_some() => {
                    let mut failures = Vec::new();
                    let array =
                        convert(raw, ty, order, Some(&mut failures)).map_err(&mut error_at)?;
                    for failure in failures {
                        let row = failure.row;
                        bad_rows.entry(row).or_insert_with(|| error_at(failure));
                    }
                    array
                }
                Some(raw) => convert(raw, ty, order, None).map_err(&mut error_at)?,
                None => empty_array(ty, batch.num_rows),
            };
            arrays.push(array);
        }
        let mut rows = batch.num_rows;
        if let (Some(skipped), false) = (skipped.as_mut(), bad_rows.is_empty()) {
            let keep: BooleanArray = (0..rows)
                .map(|row| Some(!bad_rows.contains_key(&row)))
                .collect();
            arrays = arrays
                .iter()
                .map(|array| filter(array, &keep))
                .collect::<Result<_, _>>()
                .map_err(|e| LoadError::new(path, format!("internal error: {e}")))?;
            rows -= bad_rows.len();
            skipped.extend(bad_rows.into_values());
        }
        out.push(record_batch(path, &schema, arrays, rows)?);
    }
    let mut skipped = skipped.unwrap_or_default();
    // The reader's own skips come first in the list, but the file order is by line.
    skipped.sort_by_key(|error| error.line);
    Ok(LoadedTable {
        schema,
        batches: out,
        skipped,
        notes: Vec::new(),
    })
}

/// The schema of the planned columns with these types.
pub(crate) fn planned_schema(plan: &[PlannedColumn], types: &[KustoType]) -> SchemaRef {
    let fields: Vec<_> = plan
        .iter()
        .zip(types)
        .map(|(c, ty)| ty.field(c.name.as_str()))
        .collect();
    Arc::new(Schema::new(fields))
}

/// Converts one raw batch whose column types are known and whose datetimes need no day/month
/// order (see `into_table`), failing on the first value that does not convert.
pub(crate) fn convert_batch(
    path: &Path,
    plan: &[PlannedColumn],
    types: &[KustoType],
    schema: &SchemaRef,
    batch: &RawBatch,
) -> Result<RecordBatch, LoadError> {
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(plan.len());
    for (column, &ty) in plan.iter().zip(types) {
        let array = match column.source.and_then(|source| batch.column(source)) {
            Some(raw) => convert(raw, ty, Default::default(), None).map_err(|e| {
                let line = batch
                    .lines
                    .as_ref()
                    .and_then(|lines| lines.get(e.row).copied());
                let error = LoadError::new(path, e.message).with_column(&column.name);
                match line {
                    Some(line) => error.with_line(line),
                    None => error,
                }
            })?,
            None => empty_array(ty, batch.num_rows),
        };
        arrays.push(array);
    }
    record_batch(path, schema, arrays, batch.num_rows)
}

/// A record batch that keeps its row count even with no columns (a projection may ask for none,
/// and `count` still needs the rows).
pub(crate) fn record_batch(
    path: &Path,
    schema: &Arc<Schema>,
    arrays: Vec<ArrayRef>,
    num_rows: usize,
) -> Result<RecordBatch, LoadError> {
    let options = RecordBatchOptions::new().with_row_count(Some(num_rows));
    RecordBatch::try_new_with_options(schema.clone(), arrays, &options).map_err(|e| {
        LoadError::new(
            path,
            format!("internal error: cannot build a batch, please report: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_first_seen_mid_batch_are_null_before() {
        let mut table = RawTableBuilder::new(vec![true], 2, true, false);
        table.column(0).unwrap().append(CellKind::Number, "1");
        table.end_row(None);
        let late = table.add_source(true);
        table.column(late).unwrap().append(CellKind::Text, "x");
        table.end_row(None);
        table.column(0).unwrap().append(CellKind::Number, "3");
        table.end_row(None);
        let batches = table.finish();
        assert_eq!(batches.len(), 2);
        let first: Vec<_> = batches[0].column(late).unwrap().cells().collect();
        assert_eq!(first, [None, Some((CellKind::Text, "x"))]);
        assert!(batches[1].column(late).is_none());
        assert_eq!(batches[1].first_row, 2);
    }
}
