//! Windows event logs (`.evtx`), read with the `evtx` crate, one record at a time.
//!
//! Records are rendered as JSON one chunk (64 KiB of the file) at a time and turned into
//! rows of Arrow batches of [`LoadOptions::batch_size`] rows as they come, so memory grows
//! with the batches, not with a second copy of the whole log. Which table the log is read
//! as, and so which records are rows and how they fill the columns, depends on the table
//! name it is registered under: see [`shape`].
//!
//! Chunk checksums are checked, so a damaged chunk is an error rather than rows of garbage.
//! A chunk or a record that cannot be read fails the load, naming the chunk or the record;
//! with [`LoadOptions::skip_bad_rows`] it is listed in [`LoadedTable::skipped`] instead.

mod columns;
mod layout;
mod record;
mod shape;

use std::path::Path;

use ::evtx::err::EvtxError;
use ::evtx::err::Result as EvtxResult;
use ::evtx::{EvtxParser, EvtxRecord, ParserSettings, SerializedEvtxRecord};
use serde_json::Value;

use self::columns::{CellError, Columns};
use self::layout::{check_header, chunk_records, cut_short};
use self::record::Event;
use self::shape::Shape;
use super::{LoadError, LoadOptions, LoadedTable};
use crate::catalog::Catalog;

/// Reads a `.evtx` file as the table `options.schema` names (see [`shape`]).
pub(super) fn load(path: &Path, options: &LoadOptions) -> Result<LoadedTable, LoadError> {
    let shape = Shape::for_table(options.schema.map(|schema| schema.name.as_str()));
    let catalog = Catalog::builtin();
    let Some(schema) = catalog.get(shape.table()) else {
        let message = format!("the built-in schema of `{}` is missing", shape.table());
        return Err(LoadError::new(path, message));
    };
    let wanted = schema
        .columns
        .iter()
        .filter(|column| options.wants(&column.name))
        .cloned()
        .collect();
    let mut columns = Columns::new(wanted);

    check_header(path)?;
    let settings = ParserSettings::new().validate_checksums(true);
    let mut parser = EvtxParser::from_path(path)
        .map_err(|error| LoadError::new(path, format!("cannot open: {}", describe(&error))))?
        .with_configuration(settings);

    // The crate stops quietly at a chunk cut short: its records would be lost unsaid. Without
    // skip_bad_rows that fails the load before any record is read.
    let cut = match cut_short(path, parser.header().chunk_count)? {
        Some(error) if !options.skip_bad_rows => return Err(error),
        cut => cut,
    };

    let batch_size = options.effective_batch_size();
    let mut table = LoadedTable {
        schema: columns.schema(),
        batches: Vec::new(),
        skipped: Vec::new(),
        notes: Vec::new(),
    };
    let mut left_out = 0usize;
    for record in parser.serialized_records(json_value) {
        let outcome = record
            .map_err(|error| record_error(path, &error))
            .and_then(|record| {
                let id = record.event_record_id;
                let event = Event::from_json(record.data).ok_or_else(|| {
                    LoadError::new(
                        path,
                        format!("record {id}: the record has no `System` part"),
                    )
                })?;
                if !shape.keeps(&event) {
                    left_out += 1;
                    return Ok(());
                }
                let mut row = columns.row();
                shape.fill(&event, &mut row);
                let cells = row.into_cells();
                columns
                    .push(cells)
                    .map_err(|error| cell_error(path, id, error))
            });
        match outcome {
            Ok(()) => {}
            Err(error) if options.skip_bad_rows => table.skipped.push(error),
            Err(error) => return Err(error),
        }
        if columns.len() >= batch_size {
            table.batches.push(finish(path, &mut columns)?);
        }
    }
    if columns.len() > 0 {
        table.batches.push(finish(path, &mut columns)?);
    }
    if let Some(error) = cut {
        table.skipped.push(error);
    }
    if left_out > 0 {
        let (count, verb, rows) = match left_out {
            1 => ("1 record".to_string(), "is", "a row"),
            n => (format!("{n} records"), "are", "rows"),
        };
        table.notes.push(format!(
            "{}: {count} {verb} not {} and {verb} not {rows} of `{}`",
            path.display(),
            shape.kept(left_out == 1),
            shape.table()
        ));
    }
    Ok(table)
}

/// A record as the crate's JSON value. The crate's rendering errors do not say which record
/// failed (`serde_json` failed: control character ...): they are tied to its id here.
fn json_value(record: EvtxResult<EvtxRecord<'_>>) -> EvtxResult<SerializedEvtxRecord<Value>> {
    let record = record?;
    let record_id = record.event_record_id;
    record.into_json_value().map_err(|error| match error {
        EvtxError::FailedToParseRecord { .. } => error,
        other => EvtxError::FailedToParseRecord {
            record_id,
            source: Box::new(other),
        },
    })
}

fn finish(path: &Path, columns: &mut Columns) -> Result<arrow::array::RecordBatch, LoadError> {
    columns
        .finish()
        .map_err(|error| LoadError::new(path, format!("cannot build a batch: {error}")))
}

fn cell_error(path: &Path, id: u64, error: CellError) -> LoadError {
    LoadError::new(path, format!("record {id}: {}", error.message)).with_column(error.column)
}

/// A chunk or record the crate could not read, located by chunk or record as it says. A whole
/// chunk left out is one entry of the skipped-rows report: its place says how many records
/// went with it.
fn record_error(path: &Path, error: &EvtxError) -> LoadError {
    let (place, cause): (String, &(dyn std::error::Error + 'static)) = match error {
        EvtxError::FailedToParseChunk { chunk_id, source } => {
            let place = match chunk_records(path, *chunk_id) {
                Some((first, last)) => {
                    let count = last - first + 1;
                    format!("chunk {chunk_id} (its {count} records, {first} to {last}): ")
                }
                None => format!("chunk {chunk_id}: "),
            };
            (place, source.as_ref())
        }
        EvtxError::FailedToParseRecord { record_id, source } => {
            (format!("record {record_id}: "), source.as_ref())
        }
        EvtxError::FailedToReadRecordAt {
            chunk: Some(chunk),
            offset,
            source,
        } => (
            format!("chunk {chunk}, offset {offset:#x}: "),
            source.as_ref(),
        ),
        other => (String::new(), other),
    };
    LoadError::new(path, format!("{place}{}", describe(cause)))
}

/// The error and its causes, in lowercase without final periods, as `LoadError` messages
/// are: `chunk data CRC32 invalid (stored 0x14639a5d, computed 0xb198d903)`.
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut current = Some(error);
    while let Some(error) = current {
        let text = error.to_string();
        let text = text.trim().trim_end_matches('.');
        let mut chars = text.chars();
        let lowered = match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => String::new(),
        };
        if !lowered.is_empty() && !parts.contains(&lowered) {
            parts.push(lowered);
        }
        current = error.source();
    }
    parts.join(": ")
}
