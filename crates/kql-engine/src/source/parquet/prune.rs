//! Row groups that a streamed chain needs none of, told from the statistics in the footer.
//!
//! A writer keeps each column chunk's smallest and largest value. For a `datetime` column read
//! from a Parquet timestamp, the values kql reads are those numbers in nanoseconds: if the
//! range a chain's first `where` keeps ([`RowBounds`]) misses them all, no row of the group
//! can be kept and the group is not read. Anything less certain (another physical type, a unit
//! the Arrow schema reads differently, no statistics, a product that overflows, which reading
//! would report) reads the group as usual.

use arrow::datatypes::{DataType, TimeUnit as ArrowUnit};
use parquet::basic::{ConvertedType, LogicalType, TimeUnit};
use parquet::file::metadata::ParquetMetaData;
use parquet::file::statistics::Statistics;

use super::Reading;
use crate::exec::stream::RowBounds;
use crate::source::datetime::TICK_NANOS;
use crate::types::KustoType;

/// True when the statistics of row group `group` show that none of its rows lies within
/// `bounds`. `file_types` are the Arrow types the file's top-level columns are read as.
pub(super) fn needs_no_row(
    metadata: &ParquetMetaData,
    file_types: &[&DataType],
    reading: &Reading,
    group: usize,
    bounds: &RowBounds,
) -> bool {
    reading
        .plan
        .iter()
        .zip(&reading.types)
        .any(|(column, &ty)| {
            let (Some(range), Some(root)) = (bounds.datetime(&column.name), column.source) else {
                return false;
            };
            if ty != KustoType::DateTime {
                return false;
            }
            let file_type = file_types.get(root).copied();
            match file_type.and_then(|file_type| extremes(metadata, file_type, group, root)) {
                Some((smallest, largest)) => range.excludes(smallest, largest),
                None => false,
            }
        })
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
