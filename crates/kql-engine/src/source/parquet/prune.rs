//! Row groups that a streamed chain needs none of, told from the statistics in the footer.
//!
//! A writer keeps each column chunk's smallest and largest value. For a `datetime` column read
//! from a Parquet timestamp, the values kql reads are those numbers in nanoseconds: if the
//! range a chain's first `where` keeps ([`RowBounds`]) misses them all, no row of the group
//! can be kept: that column alone is read to confirm it, and the rest of the group is not.
//! Anything less certain (another physical type, a unit the Arrow schema reads differently, no
//! statistics, a product that overflows, which reading would report) reads the group as usual.

use arrow::datatypes::{DataType, TimeUnit as ArrowUnit};
use parquet::basic::{ConvertedType, LogicalType, TimeUnit};
use parquet::file::metadata::ParquetMetaData;
use parquet::file::statistics::Statistics;

use arrow::array::AsArray;
use arrow::datatypes::TimestampNanosecondType;
use parquet::arrow::arrow_reader::ArrowReaderMetadata;
use parquet::schema::types::SchemaDescriptor;

use super::contain::contained;
use super::{ParquetParts, Reading};
use crate::exec::stream::{DatetimeRange, RowBounds};
use crate::source::datetime::TICK_NANOS;
use crate::types::KustoType;

/// The output column (by index) whose statistics in row group `group` show that none of the
/// group's rows lies within `bounds`, with its range. `file_types` are the Arrow types the
/// file's top-level columns are read as.
pub(super) fn ruled_out_by(
    metadata: &ParquetMetaData,
    file_types: &[&DataType],
    reading: &Reading,
    group: usize,
    bounds: &RowBounds,
) -> Option<(usize, DatetimeRange)> {
    reading
        .plan
        .iter()
        .zip(&reading.types)
        .enumerate()
        .find_map(|(index, (column, &ty))| {
            let range = *bounds.datetime(&column.name)?;
            let root = column.source?;
            if ty != KustoType::DateTime {
                return None;
            }
            let file_type = file_types.get(root).copied()?;
            let (smallest, largest) = extremes(metadata, file_type, group, root)?;
            range.excludes(smallest, largest).then_some((index, range))
        })
}

impl ParquetParts {
    /// True when row group `group` holds no row within `bounds`: the statistics of one of
    /// its `datetime` columns say so, and that column, read alone, agrees. Statistics are the
    /// writer's word, and a damaged footer can hold wrong ones (the fuzz target found a
    /// maximum below the minimum): reading the one column costs a small part of reading the
    /// group, and keeps the answer exact.
    pub(super) fn holds_no_row_within(&self, group: usize, bounds: &RowBounds) -> bool {
        let schema = self.metadata.schema();
        let file_types: Vec<&DataType> = schema.fields().iter().map(|f| f.data_type()).collect();
        let metadata = self.metadata.metadata();
        let Some((index, range)) =
            ruled_out_by(metadata, &file_types, &self.reading, group, bounds)
        else {
            return false;
        };
        self.column_outside(group, index, &range).unwrap_or(false)
    }

    /// Whether every value of output column `index` in row group `group` is null or outside
    /// `range`; `None` when the column cannot be read.
    fn column_outside(&self, group: usize, index: usize, range: &DatetimeRange) -> Option<bool> {
        let path = &self.path;
        let parquet = metadata_schema(&self.metadata);
        let alone = self.reading.restricted(parquet, |i| i == index);
        let mut reader = self.group_reader(group, &alone.mask, None).ok()?;
        let mut rows_before = self.first_rows.get(group).copied().unwrap_or(0);
        while let Some(batch) = contained(path, || reader.next()).ok()? {
            let batch = alone.convert(path, &batch.ok()?, rows_before).ok()?;
            rows_before += batch.num_rows();
            let times = batch
                .columns()
                .get(index)?
                .as_primitive_opt::<TimestampNanosecondType>()?;
            if times
                .iter()
                .flatten()
                .any(|time| !range.excludes(time, time))
            {
                return Some(false);
            }
        }
        Some(true)
    }
}

fn metadata_schema(metadata: &ArrowReaderMetadata) -> &SchemaDescriptor {
    metadata.metadata().file_metadata().schema_descr()
}

/// The smallest and largest nanoseconds kql can read from top-level column `root` in row
/// group `group`, when its statistics tell them for certain.
fn extremes(
    metadata: &ParquetMetaData,
    file_type: &DataType,
    group: usize,
    root: usize,
) -> Option<(i64, i64)> {
    let schema = metadata.file_metadata().schema_descr();
    let mut leaves =
        (0..schema.num_columns()).filter(|&leaf| schema.get_column_root_idx(leaf) == root);
    let (Some(leaf), None) = (leaves.next(), leaves.next()) else {
        return None;
    };
    let descriptor = schema.column(leaf);
    let unit = match (descriptor.logical_type_ref(), descriptor.converted_type()) {
        (Some(LogicalType::Timestamp(timestamp)), _) => match timestamp.unit {
            TimeUnit::MILLIS => ArrowUnit::Millisecond,
            TimeUnit::MICROS => ArrowUnit::Microsecond,
            TimeUnit::NANOS => ArrowUnit::Nanosecond,
        },
        (None, ConvertedType::TIMESTAMP_MILLIS) => ArrowUnit::Millisecond,
        (None, ConvertedType::TIMESTAMP_MICROS) => ArrowUnit::Microsecond,
        _ => return None,
    };
    // An Arrow schema stored in the file may read the numbers in another unit.
    if !matches!(file_type, DataType::Timestamp(read_as, _) if *read_as == unit) {
        return None;
    }
    let row_group = metadata.row_groups().get(group)?;
    let Some(Statistics::Int64(values)) = row_group.columns().get(leaf)?.statistics() else {
        return None;
    };
    let (smallest, largest) = (*values.min_opt()?, *values.max_opt()?);
    match unit {
        ArrowUnit::Millisecond => Some((
            smallest.checked_mul(1_000_000)?,
            largest.checked_mul(1_000_000)?,
        )),
        ArrowUnit::Microsecond => Some((smallest.checked_mul(1_000)?, largest.checked_mul(1_000)?)),
        // Nanoseconds are cut to whole ticks when read: down by less than a tick.
        _ => Some((smallest.checked_sub(TICK_NANOS)?, largest)),
    }
}
