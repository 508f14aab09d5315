//! CSV: a header row, then one record per row, RFC 4180 quoting.
//!
//! The reader is our own rather than arrow-csv's or the `csv` crate's because errors must name
//! the line a record starts on even after quoted fields with embedded newlines, and an
//! unterminated quote must be an error, not the rest of the file swallowed into one field.
//! It streams the file through a buffer, so memory holds the needed columns, not the file.
//!
//! Accepted: LF, CRLF or CR line ends, a UTF-8 byte order mark, a last line without a line end.
//! Quoted fields may hold commas, doubled quotes and line breaks. A quote inside an unquoted
//! field, or text after a closing quote, is kept as text, as Excel and most readers do. Blank
//! lines hold no record and are skipped; every other record must have as many fields as the
//! header.

mod late;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;

use super::datetime::is_year_first;
use super::raw::{CellKind, RawBatch, RawTableBuilder, convert_batch, into_table, planned_schema};
use super::{
    LoadError, LoadOptions, LoadedTable, PlannedColumn, SourceColumn, check_unique_names,
    column_name_from_header, needed_sources, plan_columns,
};
use crate::exec::stream::{BatchSource, ChainNeeds, Part, StreamError};
use crate::types::KustoType;

/// Loads a CSV file.
pub(super) fn load(path: &Path, options: &LoadOptions) -> Result<LoadedTable, LoadError> {
    let (mut records, sources) = open(path)?;
    let plan = plan_columns(&sources, options);
    let needed = needed_sources(&plan, sources.len());
    let wanted: Vec<usize> = needed
        .iter()
        .enumerate()
        .filter_map(|(i, &needed)| needed.then_some(i))
        .collect();
    let mut table = RawTableBuilder::new(needed, options.effective_batch_size(), false, true);
    let mut skipped = options.skip_bad_rows.then(Vec::new);

    while records
        .next_record()
        .map_err(|e| e.into_load_error(path, &sources))?
    {
        // A record that cannot be read is an error, or with `skip_bad_rows` left out.
        if let Err(error) = append_record(path, &records, &sources, &wanted, &mut table) {
            match skipped.as_mut() {
                Some(skipped) => skipped.push(error),
                None => return Err(error),
            }
        }
    }

    into_table(path, &plan, table.finish(), &mut |_| None, skipped)
}

/// Adds the current record's wanted fields to `table` as a row; the error for a record with
/// the wrong number of fields or invalid UTF-8, of which nothing is added.
fn append_record<R: Read>(
    path: &Path,
    records: &RecordReader<R>,
    sources: &[SourceColumn],
    wanted: &[usize],
    table: &mut RawTableBuilder,
) -> Result<(), LoadError> {
    let line = records.line;
    if records.ends.len() != sources.len() {
        let message = format!(
            "expected {} fields as in the header, found {}",
            sources.len(),
            records.ends.len()
        );
        return Err(LoadError::new(path, message).with_line(line));
    }
    let text = records
        .text()
        .map_err(|field| invalid_utf8(path, line, sources.get(field).map(|s| s.name.as_str())))?;
    for &index in wanted {
        // `text` is valid UTF-8, so every field is: no partial row can be left behind.
        let value = records
            .field(text, index)
            .ok_or_else(|| invalid_utf8(path, line, sources.get(index).map(|s| s.name.as_str())))?;
        if let Some(column) = table.column(index) {
            column.append(CellKind::Text, value);
        }
    }
    table.end_row(Some(line));
    Ok(())
}

/// A CSV file of known column types, read a batch of records at a time by whichever thread
/// asks next; each batch's values are converted by the thread that took it.
pub(super) struct CsvParts {
    path: PathBuf,
    plan: Vec<PlannedColumn>,
    types: Vec<KustoType>,
    schema: SchemaRef,
    needed: Vec<bool>,
    wanted: Vec<usize>,
    batch_size: usize,
    sources: Vec<SourceColumn>,
    reader: Mutex<CsvReaderState>,
}

struct CsvReaderState {
    records: RecordReader<File>,
    next_order: usize,
    done: bool,
}

/// The file as parts, when every column's type is known without reading the values (a
/// table schema names them all) and bad rows are not skipped; `None` otherwise.
pub(super) fn stream(
    path: &Path,
    options: &LoadOptions,
) -> Result<Option<(SchemaRef, CsvParts)>, LoadError> {
    if options.skip_bad_rows {
        return Ok(None);
    }
    let (records, sources) = open(path)?;
    let plan = plan_columns(&sources, options);
    let types: Option<Vec<KustoType>> = plan
        .iter()
        .map(|column| match (column.ty, column.source) {
            (Some(ty), _) => Some(ty),
            (None, Some(_)) => None, // inferred from all its values
            (None, None) => Some(KustoType::String),
        })
        .collect();
    let Some(types) = types else {
        return Ok(None);
    };
    let needed = needed_sources(&plan, sources.len());
    let wanted = needed
        .iter()
        .enumerate()
        .filter_map(|(i, &needed)| needed.then_some(i))
        .collect();
    let schema = planned_schema(&plan, &types);
    let parts = CsvParts {
        path: path.to_path_buf(),
        plan,
        types,
        schema: Arc::clone(&schema),
        needed,
        wanted,
        batch_size: options.effective_batch_size(),
        sources,
        reader: Mutex::new(CsvReaderState {
            records,
            next_order: 0,
            done: false,
        }),
    };
    Ok(Some((schema, parts)))
}

/// A run of whole records cut from the file, with the line its first byte is on.
struct Chunk {
    bytes: Vec<u8>,
    first_line: usize,
}

impl CsvParts {
    /// Cuts the next run of `batch_size` records from the file: only their boundaries are
    /// found here, under the lock; the thread that takes the run splits them into fields.
    fn cut(&self) -> Option<(usize, Result<Chunk, LoadError>)> {
        let mut state = self.reader.lock().ok()?;
        if state.done {
            return None;
        }
        let order = state.next_order;
        state.next_order += 1;
        let state = &mut *state;
        let first_line = state.records.next_line;
        state.records.keep_bytes();
        for _ in 0..self.batch_size {
            match state.records.next_record() {
                Ok(true) => {}
                Ok(false) => {
                    state.done = true;
                    break;
                }
                Err(error) => {
                    state.done = true;
                    return Some((order, Err(error.into_load_error(&self.path, &self.sources))));
                }
            }
        }
        let bytes = state.records.kept.take().unwrap_or_default();
        Some((order, Ok(Chunk { bytes, first_line })))
    }

    /// Splits a run of records into the raw batch of the wanted fields.
    fn split(&self, chunk: Chunk) -> Result<Vec<RawBatch>, LoadError> {
        let sources = &self.sources;
        let mut records = RecordReader::of_records(std::io::empty(), chunk.bytes, chunk.first_line);
        let mut table = RawTableBuilder::new(self.needed.clone(), self.batch_size, false, true);
        while records
            .next_record()
            .map_err(|e| e.into_load_error(&self.path, sources))?
        {
            append_record(&self.path, &records, sources, &self.wanted, &mut table)?;
        }
        Ok(table.finish())
    }

    /// Converts a raw batch; `WholeTable` when a datetime value's reading could depend on the
    /// day/month order decided from the whole column.
    fn convert(&self, raw: &RawBatch) -> Result<RecordBatch, StreamError> {
        for (column, ty) in self.plan.iter().zip(&self.types) {
            let values = column.source.and_then(|source| raw.column(source));
            if let (KustoType::DateTime, Some(values)) = (ty, values)
                && !values.values.iter().flatten().all(order_free)
            {
                return Err(StreamError::WholeTable);
            }
        }
        convert_batch(&self.path, &self.plan, &self.types, &self.schema, raw).map_err(|error| {
            StreamError::Load {
                error,
                early: false,
            }
        })
    }
}

/// A datetime text read the same in either day/month order.
fn order_free(text: &str) -> bool {
    let text = text.trim();
    text.is_empty() || is_year_first(text)
}

impl BatchSource for Arc<CsvParts> {
    // Text has no statistics: every record is read, but a chain's carried columns may be
    // taken from the records it keeps only (see `late.rs`).
    fn next_part(&self, chain: &dyn ChainNeeds) -> Option<Part> {
        let (order, chunk) = self.cut()?;
        let chunk = match chunk {
            Ok(chunk) => match self.kept_rows(chunk, chain) {
                Ok(batches) => return Some(Part { order, batches }),
                Err(chunk) => Ok(chunk),
            },
            Err(error) => Err(error),
        };
        let parts = Arc::clone(self);
        let early = |error| StreamError::Load { error, early: true };
        let batches: Box<dyn Iterator<Item = _> + Send> = match chunk {
            Err(error) => Box::new(std::iter::once(Err(early(error)))),
            Ok(chunk) => match parts.split(chunk) {
                Err(error) => Box::new(std::iter::once(Err(early(error)))),
                Ok(raw) => Box::new(raw.into_iter().map(move |raw| parts.convert(&raw))),
            },
        };
        Some(Part { order, batches })
    }
}

/// The file's columns, from its header alone: what [`load`] names them (see
/// [`column_name_from_header`]) and the errors it gives on a bad header, without reading rows.
/// The engine uses it to know a table's columns before a query says which ones to read.
pub(super) fn header_columns(path: &Path) -> Result<Vec<SourceColumn>, LoadError> {
    open(path).map(|(_, sources)| sources)
}

/// Opens the file and reads its header: the reader is left at the first data record.
fn open(path: &Path) -> Result<(RecordReader<File>, Vec<SourceColumn>), LoadError> {
    let file = File::open(path).map_err(|e| LoadError::new(path, format!("cannot open: {e}")))?;
    let mut records = RecordReader::new(file);
    let sources = if records
        .next_record()
        .map_err(|e| e.into_load_error(path, &[]))?
    {
        header(path, &records)?
    } else {
        // A file with not even a header names no columns: most likely an export that failed,
        // which must not pass for a table without rows (a detection test would then pass
        // on no data). A header-only file is a table without rows.
        return Err(LoadError::new(
            path,
            "the file is empty: a CSV file needs at least its header row",
        ));
    };
    check_unique_names(path, &sources)?;
    Ok((records, sources))
}

/// The column names of the header record.
fn header(path: &Path, records: &RecordReader<File>) -> Result<Vec<SourceColumn>, LoadError> {
    let line = records.line;
    let text = records.text().map_err(|_| invalid_utf8(path, line, None))?;
    (0..records.ends.len())
        .map(|index| {
            let cell = records
                .field(text, index)
                .ok_or_else(|| invalid_utf8(path, line, None))?;
            let name = column_name_from_header(cell, index + 1);
            Ok(SourceColumn {
                name,
                declared: None,
            })
        })
        .collect()
}

fn invalid_utf8(path: &Path, line: usize, column: Option<&str>) -> LoadError {
    let error = LoadError::new(path, "invalid UTF-8").with_line(line);
    match column {
        Some(column) => error.with_column(column),
        None => error,
    }
}

/// A record the reader could not finish.
#[derive(Debug)]
enum RecordError {
    Io(io::Error),
    /// The file ends inside a quoted field.
    Unterminated {
        line: usize,
        quote_line: usize,
        field: usize,
    },
}

impl RecordError {
    fn into_load_error(self, path: &Path, sources: &[SourceColumn]) -> LoadError {
        match self {
            RecordError::Io(e) => LoadError::new(path, format!("cannot read: {e}")),
            RecordError::Unterminated {
                line,
                quote_line,
                field,
            } => {
                let message = if quote_line == line {
                    "unterminated quoted field: the file ends before its closing quote".to_string()
                } else {
                    format!(
                        "unterminated quoted field (opened on line {quote_line}): the file ends \
                         before its closing quote"
                    )
                };
                let error = LoadError::new(path, message).with_line(line);
                match sources.get(field) {
                    Some(source) => error.with_column(&source.name),
                    None => error,
                }
            }
        }
    }
}

const INITIAL_BUFFER: usize = 256 * 1024;
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// Reads CSV records from a byte stream, one at a time, remembering the line each starts on.
struct RecordReader<R> {
    input: R,
    /// Bytes read but not consumed are `buf[start..end]`.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    at_file_start: bool,
    /// The line `buf[start]` is on.
    next_line: usize,
    /// The current record: its fields' unquoted bytes back to back, and where each field ends.
    data: Vec<u8>,
    ends: Vec<usize>,
    /// The line the current record starts on.
    line: usize,
    /// Where the current record's bytes start in `buf` (they end at `start`).
    record_start: usize,
    /// Whether bytes were ever moved within `buf` or read into it, since it was given.
    refilled: bool,
    /// The bytes of the records read, when asked for (see [`Self::keep_bytes`]).
    kept: Option<Vec<u8>>,
}

impl<R: Read> RecordReader<R> {
    fn new(input: R) -> Self {
        RecordReader::with_buffer(input, vec![0; INITIAL_BUFFER])
    }

    fn with_buffer(input: R, buf: Vec<u8>) -> Self {
        RecordReader {
            input,
            buf,
            start: 0,
            end: 0,
            eof: false,
            at_file_start: true,
            next_line: 1,
            data: Vec::new(),
            ends: Vec::new(),
            line: 0,
            record_start: 0,
            refilled: false,
            kept: None,
        }
    }

    /// A reader of a run of whole records cut from a file (see [`Self::kept`]), whose first
    /// byte is on line `first_line`: the bytes are its buffer, and nothing follows them.
    fn of_records(input: R, bytes: Vec<u8>, first_line: usize) -> Self {
        let end = bytes.len();
        let mut reader = RecordReader::with_buffer(input, bytes);
        reader.end = end;
        reader.eof = true;
        reader.at_file_start = false;
        reader.next_line = first_line;
        reader
    }

    /// Appends the bytes of the records (and blank lines) read from now on to `kept`.
    fn keep_bytes(&mut self) {
        self.kept = Some(Vec::new());
    }

    fn keep(&mut self, consumed: usize) {
        if let Some(kept) = &mut self.kept {
            let bytes = self.buf.get(self.start..self.start + consumed);
            kept.extend_from_slice(bytes.unwrap_or_default());
        }
    }

    /// Reads the next record; false at the end of the input.
    fn next_record(&mut self) -> Result<bool, RecordError> {
        if self.at_file_start {
            while self.end - self.start < BYTE_ORDER_MARK.len() && !self.eof {
                self.fill().map_err(RecordError::Io)?;
            }
            let unread = self.buf.get(self.start..self.end).unwrap_or_default();
            if unread.starts_with(BYTE_ORDER_MARK) {
                self.start += BYTE_ORDER_MARK.len();
            }
            self.at_file_start = false;
        }
        loop {
            // `start <= end <= buf.len()` always holds; should it not, fail rather than crash.
            let Some(input) = self.buf.get(self.start..self.end) else {
                let lost = io::Error::other("the CSV reader lost its place in its buffer");
                return Err(RecordError::Io(lost));
            };
            let scan = if self.kept.is_some() {
                // Cutting runs of records: their fields are split later, by another reader.
                match record_end(input, self.eof) {
                    // For the error's field, read the record field by field.
                    Scan::Unterminated { .. } => {
                        scan_record(input, self.eof, &mut Counted::default(), &mut self.ends)
                    }
                    scan => scan,
                }
            } else {
                scan_record(input, self.eof, &mut self.data, &mut self.ends)
            };
            match scan {
                Scan::End => return Ok(false),
                Scan::NeedMore => self.fill().map_err(RecordError::Io)?,
                Scan::Blank { consumed } => {
                    self.keep(consumed);
                    self.start += consumed;
                    self.next_line += 1;
                }
                Scan::Record { consumed, newlines } => {
                    self.keep(consumed);
                    self.line = self.next_line;
                    self.next_line += newlines;
                    self.record_start = self.start;
                    self.start += consumed;
                    return Ok(true);
                }
                Scan::Unterminated {
                    field,
                    newlines_before_quote,
                } => {
                    let line = self.next_line;
                    let quote_line = line + newlines_before_quote;
                    return Err(RecordError::Unterminated {
                        line,
                        quote_line,
                        field,
                    });
                }
            }
        }
    }

    /// Moves unconsumed bytes to the front and reads until the buffer is full or the input
    /// ends. The buffer doubles when a record fills it, so a record is rescanned at most
    /// O(log n) times and reading stays linear.
    fn fill(&mut self) -> io::Result<()> {
        self.refilled = true;
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        while let Some(free) = self.buf.get_mut(self.end..).filter(|free| !free.is_empty()) {
            match self.input.read(free) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Where the current record's bytes are in the buffer, its line end included.
    fn record_span(&self) -> std::ops::Range<usize> {
        self.record_start..self.start
    }

    /// The buffer of a reader made with [`Self::of_records`], as given: `None` when it had
    /// to read more, which a run of whole records never needs.
    fn into_records(self) -> Option<Vec<u8>> {
        (!self.refilled).then_some(self.buf)
    }

    /// The current record as text, or the index of the field holding invalid UTF-8.
    fn text(&self) -> Result<&str, usize> {
        std::str::from_utf8(&self.data).map_err(|e| {
            let offset = e.valid_up_to();
            self.ends
                .iter()
                .position(|&end| end > offset)
                .unwrap_or(self.ends.len())
        })
    }

    /// Field `index` of the current record, given its text; `None` when a field boundary
    /// splits a character (each field alone is then invalid UTF-8).
    fn field<'t>(&self, text: &'t str, index: usize) -> Option<&'t str> {
        let start = if index == 0 {
            0
        } else {
            *self.ends.get(index - 1)?
        };
        let end = *self.ends.get(index)?;
        text.get(start..end)
    }
}

/// The outcome of scanning for one record at the start of the unconsumed input.
#[derive(Debug, PartialEq, Eq)]
enum Scan {
    /// No input left.
    End,
    /// The record may continue past the input read so far.
    NeedMore,
    /// An empty line.
    Blank { consumed: usize },
    /// A whole record, `newlines` line breaks long (its own line end included).
    Record { consumed: usize, newlines: usize },
    /// The input ends inside the quoted field `field`.
    Unterminated {
        field: usize,
        newlines_before_quote: usize,
    },
}

/// Where a record's unquoted field bytes go: kept, or (finding record boundaries only)
/// just counted. The scan is the same either way, so both find the same records.
trait FieldBytes {
    fn clear(&mut self);
    fn len(&self) -> usize;
    fn extend_from_slice(&mut self, bytes: &[u8]);
    fn push(&mut self, byte: u8);
}

impl FieldBytes for Vec<u8> {
    fn clear(&mut self) {
        Vec::clear(self);
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        Vec::extend_from_slice(self, bytes);
    }
    fn push(&mut self, byte: u8) {
        Vec::push(self, byte);
    }
}

/// Field bytes counted, not kept.
#[derive(Default)]
struct Counted(usize);

impl FieldBytes for Counted {
    fn clear(&mut self) {
        self.0 = 0;
    }
    fn len(&self) -> usize {
        self.0
    }
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
    fn push(&mut self, _: u8) {
        self.0 += 1;
    }
}

/// What `input` holds when it does not start a record: nothing (yet), or a blank line.
fn no_record(input: &[u8], eof: bool) -> Option<Scan> {
    match line_break(input, 0, eof) {
        Break::None if input.is_empty() => Some(if eof { Scan::End } else { Scan::NeedMore }),
        Break::Unknown => Some(Scan::NeedMore),
        Break::At(consumed) => Some(Scan::Blank { consumed }),
        Break::None => None,
    }
}

/// Scans one record from `input` into `data`/`ends`. `eof` says no input follows.
fn scan_record(input: &[u8], eof: bool, data: &mut impl FieldBytes, ends: &mut Vec<usize>) -> Scan {
    data.clear();
    ends.clear();
    if let Some(scan) = no_record(input, eof) {
        return scan;
    }

    let mut pos = 0;
    let mut newlines = 0;
    loop {
        if input.get(pos) == Some(&b'"') {
            let newlines_before_quote = newlines;
            match scan_quoted(input, pos + 1, eof, data, &mut newlines) {
                Quoted::Closed(after) => pos = after,
                Quoted::NeedMore => return Scan::NeedMore,
                Quoted::Unterminated => {
                    return Scan::Unterminated {
                        field: ends.len(),
                        newlines_before_quote,
                    };
                }
            }
        }
        // The unquoted field, or whatever follows a closing quote, up to the next separator.
        let rest = input.get(pos..).unwrap_or_default();
        let field = match memchr::memchr3(b',', b'\n', b'\r', rest) {
            Some(end) => rest.get(..end).unwrap_or_default(),
            None => rest,
        };
        data.extend_from_slice(field);
        pos += field.len();
        ends.push(data.len());

        if input.get(pos) == Some(&b',') {
            pos += 1;
            continue;
        }
        return match line_break(input, pos, eof) {
            Break::At(after) => Scan::Record {
                consumed: after,
                newlines: newlines + 1,
            },
            Break::Unknown => Scan::NeedMore,
            Break::None if eof => Scan::Record {
                consumed: pos,
                newlines,
            },
            Break::None => Scan::NeedMore,
        };
    }
}

/// What [`scan_record`] finds at the start of `input`, without splitting the fields: the end
/// of the record is the first line break outside quotes, so only quotes and line breaks are
/// searched for, not commas. A quote opens a quoted field only at a field's start (the
/// record's start or just after a comma), as in `scan_record`. An unterminated quote gives
/// `Scan::Unterminated` with field 0: the caller reads the record again for the real field.
fn record_end(input: &[u8], eof: bool) -> Scan {
    if let Some(scan) = no_record(input, eof) {
        return scan;
    }
    let mut pos = 0;
    let mut newlines = 0;
    loop {
        let rest = input.get(pos..).unwrap_or_default();
        let Some(found) = memchr::memchr3(b'"', b'\n', b'\r', rest) else {
            return if eof {
                Scan::Record {
                    consumed: input.len(),
                    newlines,
                }
            } else {
                Scan::NeedMore
            };
        };
        let at = pos + found;
        if input.get(at) == Some(&b'"') {
            let opens = at == 0 || input.get(at - 1) == Some(&b',');
            if !opens {
                pos = at + 1;
                continue;
            }
            let before = newlines;
            match scan_quoted(input, at + 1, eof, &mut Counted::default(), &mut newlines) {
                Quoted::Closed(after) => pos = after,
                Quoted::NeedMore => return Scan::NeedMore,
                Quoted::Unterminated => {
                    return Scan::Unterminated {
                        field: 0,
                        newlines_before_quote: before,
                    };
                }
            }
            continue;
        }
        return match line_break(input, at, eof) {
            Break::At(after) => Scan::Record {
                consumed: after,
                newlines: newlines + 1,
            },
            Break::Unknown => Scan::NeedMore,
            // Not reached: `at` holds a line break.
            Break::None => Scan::Record {
                consumed: at,
                newlines,
            },
        };
    }
}

enum Break {
    /// A line break ends at this offset.
    At(usize),
    /// No line break here.
    None,
    /// A CR at the end of the input so far: it may be half of a CRLF.
    Unknown,
}

fn line_break(input: &[u8], pos: usize, eof: bool) -> Break {
    match (input.get(pos), input.get(pos + 1)) {
        (Some(b'\n'), _) => Break::At(pos + 1),
        (Some(b'\r'), Some(b'\n')) => Break::At(pos + 2),
        (Some(b'\r'), None) if !eof => Break::Unknown,
        (Some(b'\r'), _) => Break::At(pos + 1),
        _ => Break::None,
    }
}

enum Quoted {
    /// The offset just past the closing quote.
    Closed(usize),
    NeedMore,
    Unterminated,
}

/// Reads a quoted field's content starting just after its opening quote.
fn scan_quoted(
    input: &[u8],
    mut pos: usize,
    eof: bool,
    data: &mut impl FieldBytes,
    newlines: &mut usize,
) -> Quoted {
    loop {
        let rest = input.get(pos..).unwrap_or_default();
        // The bytes before the next quote or line break: all of `rest` when there is none.
        let chunk = match memchr::memchr3(b'"', b'\n', b'\r', rest) {
            Some(end) => rest.get(..end).unwrap_or_default(),
            None => rest,
        };
        data.extend_from_slice(chunk);
        if chunk.len() == rest.len() {
            return if eof {
                Quoted::Unterminated
            } else {
                Quoted::NeedMore
            };
        }
        pos += chunk.len();
        match (input.get(pos), input.get(pos + 1)) {
            (Some(b'"'), Some(b'"')) => {
                data.push(b'"');
                pos += 2;
            }
            (Some(b'"'), None) if !eof => return Quoted::NeedMore,
            (Some(b'"'), _) => return Quoted::Closed(pos + 1),
            (Some(&byte), _) => {
                // A line break inside the field: kept in the value, counted for line numbers.
                match line_break(input, pos, eof) {
                    Break::At(after) => {
                        data.extend_from_slice(input.get(pos..after).unwrap_or_default());
                        *newlines += 1;
                        pos = after;
                    }
                    Break::Unknown => return Quoted::NeedMore,
                    Break::None => {
                        data.push(byte);
                        pos += 1;
                    }
                }
            }
            (None, _) => {
                return if eof {
                    Quoted::Unterminated
                } else {
                    Quoted::NeedMore
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `input`, read one byte per `read` call into a buffer that starts at one
    /// byte, so records are split at many points and the refill path is exercised.
    fn records(input: &[u8]) -> Result<Vec<(usize, Vec<String>)>, String> {
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                match (self.0.split_first(), buf.first_mut()) {
                    (Some((&byte, rest)), Some(slot)) => {
                        *slot = byte;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let mut reader = RecordReader::new(OneByte(input));
        reader.buf = vec![0; 1];
        let split = read_all(reader);
        // Reading the whole input in one go must give the same records.
        assert_eq!(split, read_all(RecordReader::new(input)), "{input:?}");
        split
    }

    fn read_all<R: Read>(mut reader: RecordReader<R>) -> Result<Vec<(usize, Vec<String>)>, String> {
        let mut out = Vec::new();
        while reader.next_record().map_err(|e| format!("{e:?}"))? {
            let text = reader
                .text()
                .map_err(|field| format!("utf8 in field {field}"))?;
            let fields = (0..reader.ends.len())
                .map(|i| reader.field(text, i).unwrap_or("<split>").to_string())
                .collect();
            out.push((reader.line, fields));
        }
        Ok(out)
    }

    fn fields(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn quoting_and_line_numbers() {
        let input = b"a,b\n\"x, \"\"y\"\"\",2\r\n\"multi\nline\",3\n\n4,\"\"\nlast,5";
        let expected = vec![
            (1, fields(&["a", "b"])),
            (2, fields(&["x, \"y\"", "2"])),
            (3, fields(&["multi\nline", "3"])),
            (6, fields(&["4", ""])),
            (7, fields(&["last", "5"])),
        ];
        assert_eq!(records(input).unwrap(), expected);
    }

    #[test]
    fn byte_order_mark_and_cr_line_ends() {
        let input = b"\xEF\xBB\xBFa,b\r1,2\r";
        let expected = vec![(1, fields(&["a", "b"])), (2, fields(&["1", "2"]))];
        assert_eq!(records(input).unwrap(), expected);
    }

    #[test]
    fn trailing_comma_is_an_empty_field() {
        assert_eq!(records(b"a,\n").unwrap(), vec![(1, fields(&["a", ""]))]);
        assert_eq!(records(b"a,").unwrap(), vec![(1, fields(&["a", ""]))]);
    }

    #[test]
    fn stray_quotes_are_text() {
        let input = b"ab\"c,\"q\"tail\n";
        assert_eq!(
            records(input).unwrap(),
            vec![(1, fields(&["ab\"c", "qtail"]))]
        );
    }

    #[test]
    fn unterminated_quote() {
        let error = records(b"a,b\n1,\"open\nmore\n").unwrap_err();
        assert_eq!(error, "Unterminated { line: 2, quote_line: 2, field: 1 }");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let alphabet = b"a,\"\r\n\xC3\xA9\xFF";
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..5_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 24) as usize;
            let input: Vec<u8> = (0..len)
                .map(|i| {
                    alphabet[(state.rotate_left(i as u32 * 3) % alphabet.len() as u64) as usize]
                })
                .collect();
            let _ = records(&input);
        }
    }

    /// The boundary search of the cut agrees with the full scan on every prefix of random
    /// inputs made of the bytes that matter, ended or not.
    #[test]
    fn record_ends_agree_with_the_full_scan() {
        let alphabet = b"a,\"\r\n";
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut inputs = vec![b"a\"b\n\"\n".to_vec(), b"\"a\"b\"\n,\n".to_vec()];
        for _ in 0..20_000 {
            let len = (next() % 16) as usize;
            let input = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            inputs.push(input);
        }
        for input in inputs {
            for eof in [false, true] {
                let full = scan_record(&input, eof, &mut Counted::default(), &mut Vec::new());
                let fast = record_end(&input, eof);
                match (full, fast) {
                    (
                        Scan::Unterminated {
                            newlines_before_quote: a,
                            ..
                        },
                        Scan::Unterminated {
                            newlines_before_quote: b,
                            ..
                        },
                    ) => assert_eq!(a, b, "{input:?} {eof}"),
                    (full, fast) => assert_eq!(full, fast, "{input:?} {eof}"),
                }
            }
        }
    }

    #[test]
    fn split_characters_are_invalid_per_field() {
        // `é` is C3 A9; a comma between its bytes makes both fields invalid UTF-8.
        let out = records(b"\xC3,\xA9\n").unwrap();
        assert_eq!(out, vec![(1, fields(&["<split>", "<split>"]))]);
        assert_eq!(records(b"ok,\xFF\n").unwrap_err(), "utf8 in field 1");
    }
}
