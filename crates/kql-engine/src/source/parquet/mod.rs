//! Parquet, through parquet's Arrow reader. Only the requested columns are decoded (a
//! projection mask over the file's top-level columns), and each is cast to its Kusto type's
//! Arrow type:
//!
//! | Parquet's Arrow type | Kusto type |
//! |---|---|
//! | `Timestamp` of any unit and zone, `Date32`, `Date64` | `datetime` (ns, UTC, whole ticks) |
//! | `Int8`, `Int16`, `UInt8`, `UInt16`, `Int32` | `int` |
//! | `UInt32`, `UInt64`, `Int64` | `long` (a `UInt64` above `i64::MAX` is an error) |
//! | `Float16`, `Float32`, `Float64`, `Decimal*` | `real` |
//! | `Utf8`, `LargeUtf8`, `Utf8View`, dictionaries of them | `string` (nulls become `""`) |
//! | `Duration` of any unit | `timespan` |
//!
//! A field tagged with a Kusto type ([`crate::types::KUSTO_TYPE_KEY`], as our own writers do)
//! keeps that type. With a table schema, the schema's type wins; text is then read with the
//! same rules as CSV text.

mod checks;
mod contain;
mod late;
mod prune;
mod thrift;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray, RecordBatch};
use arrow::compute::{CastOptions, can_cast_types, cast_with_options};
use arrow::datatypes::SchemaRef;
use arrow::datatypes::{
    ArrowTimestampType, DataType, DurationNanosecondType, Field, Schema, TimeUnit,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder, RowSelection,
};
use parquet::file::metadata::ParquetMetaData;
use parquet::schema::types::SchemaDescriptor;

use self::checks::{check_footer, check_page_headers};
use self::contain::contained;
pub use self::contain::panic_is_contained;
use super::convert::{convert, empty_array, to_strings};
use super::datetime::TICK_NANOS;
use super::infer::date_order;
use super::raw::{RawBatch, RawColumn, record_batch};
use super::{
    LoadError, LoadOptions, LoadedTable, PlannedColumn, SourceColumn, check_unique_names,
    plan_columns,
};
use crate::exec::stream::{BatchSource, ChainNeeds, Part, StreamError};
use crate::types::KustoType;

/// Loads a Parquet file.
pub(super) fn load(path: &Path, options: &LoadOptions) -> Result<LoadedTable, LoadError> {
    let (builder, reading) = prepare(path, options)?;
    let file = File::open(path).map_err(|e| LoadError::new(path, format!("cannot open: {e}")))?;
    for group in 0..builder.metadata().num_row_groups() {
        check_page_headers(path, &file, builder.metadata(), &reading.mask, group)?;
    }
    let builder = builder
        .with_projection(reading.mask.clone())
        .with_batch_size(options.effective_batch_size());
    let mut reader = contained(path, || builder.build())?.map_err(|e| unreadable(path, &e))?;
    let mut batches = Vec::new();
    let mut rows_before = 0;
    while let Some(batch) = contained(path, || reader.next())? {
        let batch = batch.map_err(|e| unreadable(path, &e))?;
        let num_rows = batch.num_rows();
        batches.push(reading.convert(path, &batch, rows_before)?);
        rows_before += num_rows;
    }
    Ok(LoadedTable {
        schema: reading.schema,
        batches,
        skipped: Vec::new(),
        notes: Vec::new(),
    })
}

fn unreadable(path: &Path, error: &dyn std::fmt::Display) -> LoadError {
    LoadError::new(path, format!("cannot read: {error}"))
}

/// How a file's columns are read: which, as what, under which schema.
struct Reading {
    plan: Vec<PlannedColumn>,
    types: Vec<KustoType>,
    /// The file columns read, in file order, as the projected batches hold them.
    roots: Vec<usize>,
    mask: ProjectionMask,
    schema: SchemaRef,
}

/// Opens the file and plans the reading of the requested columns.
fn prepare(
    path: &Path,
    options: &LoadOptions,
) -> Result<(ParquetRecordBatchReaderBuilder<File>, Reading), LoadError> {
    let (builder, sources) = open(path)?;
    let file_schema = builder.schema().clone();
    let plan = plan_columns(&sources, options);
    let mut types = Vec::with_capacity(plan.len());
    for column in &plan {
        let ty = planned_type(column, &file_schema)
            .map_err(|field| not_supported(path, &column.name, field.data_type(), None))?;
        types.push(ty);
    }
    let mut roots: Vec<usize> = plan.iter().filter_map(|c| c.source).collect();
    roots.sort_unstable();
    roots.dedup();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots.iter().copied());
    let fields: Vec<Field> = plan
        .iter()
        .zip(&types)
        .map(|(c, ty)| ty.field(c.name.as_str()))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let reading = Reading {
        plan,
        types,
        roots,
        mask,
        schema,
    };
    Ok((builder, reading))
}

impl Reading {
    /// Converts one projected batch whose first row is the file's row `rows_before`.
    fn convert(
        &self,
        path: &Path,
        batch: &RecordBatch,
        rows_before: usize,
    ) -> Result<RecordBatch, LoadError> {
        self.convert_rows(path, batch, &|row| rows_before + row)
    }

    /// Converts one projected batch whose row `i` is the file's row `file_row(i)` (from 0).
    fn convert_rows(
        &self,
        path: &Path,
        batch: &RecordBatch,
        file_row: &dyn Fn(usize) -> usize,
    ) -> Result<RecordBatch, LoadError> {
        let num_rows = batch.num_rows();
        let mut arrays = Vec::with_capacity(self.plan.len());
        for (column, &ty) in self.plan.iter().zip(&self.types) {
            let Some(source) = column.source else {
                arrays.push(empty_array(ty, num_rows));
                continue;
            };
            // The projected batch holds the requested roots in file order.
            let array = self
                .roots
                .binary_search(&source)
                .ok()
                .and_then(|i| batch.columns().get(i));
            let Some(array) = array else {
                let message = "internal error: a projected column is missing, please report";
                return Err(LoadError::new(path, message).with_column(&column.name));
            };
            let converted = convert_array(array, ty).map_err(|problem| match problem {
                Problem::NotSupported => {
                    not_supported(path, &column.name, array.data_type(), Some(ty))
                }
                Problem::Value { row, message } => {
                    let message = format!("{message} (row {})", file_row(row) + 1);
                    LoadError::new(path, message).with_column(&column.name)
                }
                Problem::Cast(message) => LoadError::new(path, message).with_column(&column.name),
            })?;
            arrays.push(converted);
        }
        record_batch(path, &self.schema, arrays, num_rows)
    }

    /// The same reading of only the output columns `read` picks (by index); the others come
    /// out as empty columns of their type.
    fn restricted(&self, parquet: &SchemaDescriptor, read: impl Fn(usize) -> bool) -> Reading {
        let plan: Vec<PlannedColumn> = self
            .plan
            .iter()
            .enumerate()
            .map(|(index, column)| PlannedColumn {
                source: column.source.filter(|_| read(index)),
                ..column.clone()
            })
            .collect();
        let mut roots: Vec<usize> = plan.iter().filter_map(|c| c.source).collect();
        roots.sort_unstable();
        roots.dedup();
        let mask = ProjectionMask::roots(parquet, roots.iter().copied());
        Reading {
            plan,
            types: self.types.clone(),
            roots,
            mask,
            schema: Arc::clone(&self.schema),
        }
    }
}

/// A Parquet file as parts of one row group each, which threads decode and convert in
/// parallel, each through its own file handle.
pub(super) struct ParquetParts {
    path: PathBuf,
    metadata: ArrowReaderMetadata,
    reading: Reading,
    batch_size: usize,
    /// The file row each row group starts at.
    first_rows: Vec<usize>,
    next: AtomicUsize,
}

/// The file as parts, one row group each.
pub(super) fn stream(
    path: &Path,
    options: &LoadOptions,
) -> Result<(SchemaRef, Arc<ParquetParts>), LoadError> {
    let (builder, reading) = prepare(path, options)?;
    let metadata = ArrowReaderMetadata::try_new(
        Arc::clone(builder.metadata()),
        ArrowReaderOptions::default(),
    )
    .map_err(|e| unreadable(path, &e))?;
    let mut first_rows = Vec::new();
    let mut rows = 0usize;
    for group in builder.metadata().row_groups() {
        first_rows.push(rows);
        rows += usize::try_from(group.num_rows()).unwrap_or(0);
    }
    let schema = Arc::clone(&reading.schema);
    let parts = ParquetParts {
        path: path.to_path_buf(),
        metadata,
        reading,
        batch_size: options.effective_batch_size(),
        first_rows,
        next: AtomicUsize::new(0),
    };
    Ok((schema, Arc::new(parts)))
}

impl ParquetParts {
    /// The decoded and converted batches of row group `group`.
    fn row_group(
        self: &Arc<Self>,
        group: usize,
    ) -> Result<impl Iterator<Item = Result<RecordBatch, LoadError>> + Send + use<>, LoadError>
    {
        let mut reader = self.group_reader(group, &self.reading.mask, None)?;
        let parts = Arc::clone(self);
        let mut rows_before = self.first_rows.get(group).copied().unwrap_or(0);
        // After an error or a panic nothing more is read: the crate's reader may give the same
        // error again forever, or be left mid-way by the panic.
        let mut failed = false;
        let batches = std::iter::from_fn(move || {
            if failed {
                return None;
            }
            let next = contained(&parts.path, || reader.next());
            failed = !matches!(next, Ok(Some(Ok(_))));
            next.transpose()
        });
        let parts = Arc::clone(self);
        Ok(batches.map(move |batch| {
            let batch = batch?.map_err(|e| unreadable(&parts.path, &e))?;
            let converted = parts.reading.convert(&parts.path, &batch, rows_before);
            rows_before += batch.num_rows();
            converted
        }))
    }
}

impl ParquetParts {
    /// A reader of the `mask` columns of row group `group` (of the `selection` rows only, when
    /// given), through a file handle of its own, once the group's page headers are checked.
    fn group_reader(
        &self,
        group: usize,
        mask: &ProjectionMask,
        selection: Option<RowSelection>,
    ) -> Result<ParquetRecordBatchReader, LoadError> {
        let path = &self.path;
        let file =
            File::open(path).map_err(|e| LoadError::new(path, format!("cannot open: {e}")))?;
        check_page_headers(path, &file, self.metadata.metadata(), mask, group)?;
        let mut builder =
            ParquetRecordBatchReaderBuilder::new_with_metadata(file, self.metadata.clone())
                .with_projection(mask.clone())
                .with_batch_size(self.batch_size)
                .with_row_groups(vec![group]);
        if let Some(selection) = selection {
            builder = builder.with_row_selection(selection);
        }
        contained(path, || builder.build())?.map_err(|e| unreadable(path, &e))
    }
}

impl BatchSource for Arc<ParquetParts> {
    fn next_part(&self, chain: &dyn ChainNeeds) -> Option<Part> {
        let order = self.next.fetch_add(1, Ordering::Relaxed);
        if order >= self.first_rows.len() {
            return None;
        }
        if self.holds_no_row_within(order, chain.bounds()) {
            return Some(Part {
                order,
                batches: Box::new(std::iter::empty()),
            });
        }
        if let Some(batches) = self.kept_rows(order, chain) {
            return Some(Part { order, batches });
        }
        let load = |error| StreamError::Load {
            error,
            early: false,
        };
        let batches: Box<dyn Iterator<Item = _> + Send> = match self.row_group(order) {
            Ok(batches) => Box::new(batches.map(move |batch| batch.map_err(load))),
            Err(error) => Box::new(std::iter::once(Err(load(error)))),
        };
        Some(Part { order, batches })
    }
}

/// The table's columns as [`load`] names and types them, from the file's metadata alone
/// (the footer: no column data is read), so the engine can bind a query before reading.
///
/// A column whose Parquet type kql cannot read yet (a `List`, a `Struct`) is typed `dynamic`,
/// what Kusto makes of nested values: a query that does not use it binds and runs, and one
/// that does fails when loading it, with the error [`load`] gives.
pub(super) fn columns(
    path: &Path,
    schema: Option<&crate::catalog::TableSchema>,
) -> Result<Vec<crate::catalog::ColumnSchema>, LoadError> {
    let (builder, sources) = open(path)?;
    let options = LoadOptions {
        schema,
        ..LoadOptions::default()
    };
    let plan = plan_columns(&sources, &options);
    Ok(plan
        .iter()
        .map(|column| {
            let ty = planned_type(column, builder.schema()).unwrap_or(KustoType::Dynamic);
            crate::catalog::ColumnSchema::new(column.name.clone(), ty)
        })
        .collect())
}

/// Opens the file and reads its metadata; the file's top-level columns are the sources.
fn open(
    path: &Path,
) -> Result<(ParquetRecordBatchReaderBuilder<File>, Vec<SourceColumn>), LoadError> {
    let mut file =
        File::open(path).map_err(|e| LoadError::new(path, format!("cannot open: {e}")))?;
    let length = file.metadata().map(|m| m.len()).ok();
    check_footer(path, &mut file)?;
    let builder = contained(path, || ParquetRecordBatchReaderBuilder::try_new(file))?
        .map_err(|e| LoadError::new(path, format!("cannot read: {e}")))?;
    check_chunk_ranges(path, builder.metadata(), length)?;
    let sources: Vec<SourceColumn> = builder
        .schema()
        .fields()
        .iter()
        .map(|field| SourceColumn {
            name: field.name().clone(),
            declared: None,
        })
        .collect();
    check_unique_names(path, &sources)?;
    Ok((builder, sources))
}

/// Checks that every row group claims a row count of zero or more and that every column
/// chunk the footer describes lies inside the file. The parquet crate panics on a negative
/// offset or size when it reads the chunk, and takes minutes over a 3 KB file whose row group
/// claims -10 rows (both found by the `load_parquet` fuzz target): a damaged footer must be an
/// error naming the file instead.
fn check_chunk_ranges(
    path: &Path,
    metadata: &ParquetMetaData,
    file_length: Option<u64>,
) -> Result<(), LoadError> {
    for (group_index, group) in metadata.row_groups().iter().enumerate() {
        if group.num_rows() < 0 {
            let message = format!(
                "cannot read: the footer is damaged: row group {} claims {} rows",
                group_index + 1,
                group.num_rows()
            );
            return Err(LoadError::new(path, message));
        }
        for chunk in group.columns() {
            let start = chunk
                .dictionary_page_offset()
                .unwrap_or_else(|| chunk.data_page_offset());
            let size = chunk.compressed_size();
            let end = u64::try_from(start)
                .ok()
                .zip(u64::try_from(size).ok())
                .and_then(|(start, size)| start.checked_add(size));
            let inside = match (end, file_length) {
                (Some(end), Some(length)) => end <= length,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if !inside {
                let message = format!(
                    "cannot read: the footer is damaged: row group {} puts column `{}` at \
                     bytes {start}..{start}+{size}, outside the file",
                    group_index + 1,
                    chunk.column_path().string().escape_debug()
                );
                return Err(LoadError::new(path, message));
            }
        }
    }
    Ok(())
}

/// The Kusto type of a planned column: the schema's, else the file field's natural type;
/// `Err` with the field when its type has no Kusto type yet.
fn planned_type<'f>(
    column: &PlannedColumn,
    file_schema: &'f Schema,
) -> Result<KustoType, &'f Field> {
    let field = column
        .source
        .and_then(|source| file_schema.fields().get(source));
    match (column.ty, field) {
        (Some(ty), _) => Ok(ty),
        (None, Some(field)) => natural_type(field).ok_or(field.as_ref()),
        (None, None) => Ok(KustoType::String),
    }
}

/// The Kusto type a Parquet column has without a table schema.
fn natural_type(field: &Field) -> Option<KustoType> {
    match field.data_type() {
        DataType::Dictionary(_, values) => KustoType::of_arrow(values),
        DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => Some(KustoType::Real),
        DataType::Null => Some(KustoType::String),
        _ => KustoType::of_field(field),
    }
}

fn not_supported(
    path: &Path,
    column: &str,
    data_type: &DataType,
    target: Option<KustoType>,
) -> LoadError {
    let target = target.map(|ty| format!(" as {ty}")).unwrap_or_default();
    let message =
        format!("not supported yet: parquet column `{column}` of type {data_type}{target}");
    LoadError::new(path, message)
}

enum Problem {
    NotSupported,
    Value { row: usize, message: String },
    Cast(String),
}

/// Casts one column to the Arrow type of `ty`.
fn convert_array(array: &ArrayRef, ty: KustoType) -> Result<ArrayRef, Problem> {
    let from = array.data_type();
    if from == &DataType::Null {
        return Ok(empty_array(ty, array.len()));
    }
    let text_source = matches!(
        from,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    ) || matches!(from, DataType::Dictionary(_, values)
            if matches!(**values, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View));
    match ty {
        KustoType::String => Ok(Arc::new(to_strings(&text_column(array)?))),
        // Guid and dynamic text is checked and normalized like CSV text.
        KustoType::Guid | KustoType::Dynamic => convert_text(&text_column(array)?, ty),
        _ if text_source => convert_text(&text_column(array)?, ty),
        KustoType::DateTime => to_datetime(array),
        _ => {
            let target = ty.to_arrow();
            if !can_cast_types(from, &target) {
                return Err(Problem::NotSupported);
            }
            let cast = cast_strict(array, &target, ty)?;
            let nanosecond_source = from == &DataType::Duration(TimeUnit::Nanosecond);
            if nanosecond_source {
                Ok(truncate_to_ticks(cast))
            } else {
                Ok(cast)
            }
        }
    }
}

/// Timestamps of any unit and zone, and dates, as nanoseconds in UTC.
///
/// Arrow stores zoned timestamps as UTC instants already, so the zone label is dropped without
/// touching the values, the unit is cast, and the result is labelled `UTC`. Casting to the
/// `UTC` label directly would need arrow's `chrono-tz` feature to parse it (and named zones such
/// as `Europe/Paris` too), and casting a zoned timestamp to a naive one would shift it to local
/// time. Naive timestamps and dates are taken as UTC.
fn to_datetime(array: &ArrayRef) -> Result<ArrayRef, Problem> {
    let naive = drop_zone(array);
    let target = DataType::Timestamp(TimeUnit::Nanosecond, None);
    if !can_cast_types(naive.data_type(), &target) {
        return Err(Problem::NotSupported);
    }
    let cast = cast_strict(&naive, &target, KustoType::DateTime)?;
    let nanos = cast
        .as_primitive_opt::<TimestampNanosecondType>()
        .ok_or(Problem::NotSupported)?;
    let utc = nanos.clone().with_timezone("UTC");
    let from_nanoseconds = matches!(
        array.data_type(),
        DataType::Timestamp(TimeUnit::Nanosecond, _)
    );
    Ok(if from_nanoseconds {
        truncate_to_ticks(Arc::new(utc))
    } else {
        Arc::new(utc)
    })
}

/// The same timestamps without their zone label (values unchanged); other arrays as they are.
fn drop_zone(array: &ArrayRef) -> ArrayRef {
    fn relabel<T: ArrowTimestampType>(array: &ArrayRef) -> Option<ArrayRef> {
        let naive = array
            .as_primitive_opt::<T>()?
            .clone()
            .with_timezone_opt(None::<Arc<str>>);
        Some(Arc::new(naive))
    }
    let relabelled = match array.data_type() {
        DataType::Timestamp(_, None) => None,
        DataType::Timestamp(TimeUnit::Second, _) => relabel::<TimestampSecondType>(array),
        DataType::Timestamp(TimeUnit::Millisecond, _) => relabel::<TimestampMillisecondType>(array),
        DataType::Timestamp(TimeUnit::Microsecond, _) => relabel::<TimestampMicrosecondType>(array),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => relabel::<TimestampNanosecondType>(array),
        _ => None,
    };
    relabelled.unwrap_or_else(|| array.clone())
}

/// A cast that fails on overflow instead of writing a null.
fn cast_strict(array: &ArrayRef, target: &DataType, ty: KustoType) -> Result<ArrayRef, Problem> {
    let options = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    cast_with_options(array, target, &options)
        .map_err(|e| Problem::Cast(format!("cannot read as {ty}: {e}")))
}

/// The column as text (`Utf8`), for the text conversions.
fn text_column(array: &ArrayRef) -> Result<RawColumn, Problem> {
    if !can_cast_types(array.data_type(), &DataType::Utf8) {
        return Err(Problem::NotSupported);
    }
    let text = cast_strict(array, &DataType::Utf8, KustoType::String)?;
    let values = text
        .as_string_opt::<i32>()
        .ok_or(Problem::NotSupported)?
        .clone();
    Ok(RawColumn {
        values,
        kinds: None,
    })
}

fn convert_text(raw: &RawColumn, ty: KustoType) -> Result<ArrayRef, Problem> {
    let batch = RawBatch {
        num_rows: raw.values.len(),
        first_row: 0,
        columns: vec![Some(raw.clone())],
        lines: None,
    };
    let order = date_order(std::slice::from_ref(&batch), 0);
    convert(raw, ty, order, None).map_err(|e| Problem::Value {
        row: e.row,
        message: e.message,
    })
}

/// Kusto holds datetimes and timespans in 100 ns ticks; nanosecond values are cut to whole
/// ticks so that they compare equal to the same instant read from text.
fn truncate_to_ticks(array: ArrayRef) -> ArrayRef {
    let off_tick = |v: &i64| v % TICK_NANOS != 0;
    if let Some(times) = array.as_primitive_opt::<TimestampNanosecondType>()
        && times.values().iter().any(off_tick)
    {
        let cut: PrimitiveArray<TimestampNanosecondType> =
            times.unary(|v| v - v.rem_euclid(TICK_NANOS));
        return Arc::new(cut.with_timezone("UTC"));
    }
    if let Some(spans) = array.as_primitive_opt::<DurationNanosecondType>()
        && spans.values().iter().any(off_tick)
    {
        let cut: PrimitiveArray<DurationNanosecondType> = spans.unary(|v| v - v % TICK_NANOS);
        return Arc::new(cut);
    }
    array
}
