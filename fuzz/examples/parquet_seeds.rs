//! Writes small Parquet files into a folder, as seeds for the `load_parquet` target: the
//! repository holds no Parquet data, and libFuzzer finds little from bytes alone.
//!
//! `cargo run --manifest-path fuzz/Cargo.toml --example parquet_seeds -- fuzz/corpus/load_parquet`

use std::error::Error;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, DurationSecondArray, Float32Array,
    Int16Array, Int32Array, Int64Array, ListArray, RecordBatch, StringArray,
    TimestampMicrosecondArray, TimestampMillisecondArray, UInt64Array,
};
use arrow::datatypes::Int32Type;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

fn main() -> Result<(), Box<dyn Error>> {
    let out = std::env::args()
        .nth(1)
        .ok_or("usage: parquet_seeds <folder>")?;
    let out = Path::new(&out);
    std::fs::create_dir_all(out)?;
    let plain = WriterProperties::builder()
        .set_compression(Compression::UNCOMPRESSED)
        .set_dictionary_enabled(false)
        .build();
    write(&out.join("types.parquet"), &types()?, plain.clone())?;
    write(
        &out.join("security_event.parquet"),
        &security_event()?,
        plain,
    )?;
    // The same rows compressed, dictionary-encoded and cut into row groups of two rows, so
    // that the decoders of those features are reached too.
    let packed = |compression| {
        WriterProperties::builder()
            .set_compression(compression)
            .set_max_row_group_row_count(Some(2))
            .build()
    };
    let snappy = packed(Compression::SNAPPY);
    write(
        &out.join("security_event_snappy.parquet"),
        &security_event()?,
        snappy,
    )?;
    let zstd = packed(Compression::ZSTD(ZstdLevel::default()));
    write(&out.join("text_zstd.parquet"), &text_columns()?, zstd)?;
    Ok(())
}

fn write(path: &Path, batch: &RecordBatch, props: WriterProperties) -> Result<(), Box<dyn Error>> {
    let mut writer = ArrowWriter::try_new(File::create(path)?, batch.schema(), Some(props))?;
    writer.write(batch)?;
    writer.close()?;
    Ok(())
}

/// A column of each Arrow type the loader converts, one it cannot, and nulls.
fn types() -> Result<RecordBatch, Box<dyn Error>> {
    let dict: DictionaryArray<Int32Type> = vec![Some("a"), None, Some("a")].into_iter().collect();
    let list = vec![Some(vec![Some(1), None]), None, Some(vec![])];
    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "Millis",
            Arc::new(
                TimestampMillisecondArray::from(vec![Some(1_700_000_000_123), None, Some(0)])
                    .with_timezone("+01:00"),
            ),
        ),
        (
            "Micros",
            Arc::new(TimestampMicrosecondArray::from(vec![
                Some(-1),
                Some(i64::MAX),
                None,
            ])),
        ),
        (
            "Small",
            Arc::new(Int16Array::from(vec![Some(-7), None, Some(i16::MAX)])),
        ),
        (
            "Unsigned",
            Arc::new(UInt64Array::from(vec![Some(u64::MAX), Some(1), None])),
        ),
        (
            "Float",
            Arc::new(Float32Array::from(vec![Some(f32::NAN), Some(0.5), None])),
        ),
        (
            "Flag",
            Arc::new(BooleanArray::from(vec![Some(true), None, Some(false)])),
        ),
        (
            "Day",
            Arc::new(Date32Array::from(vec![Some(-1), None, Some(20_000)])),
        ),
        (
            "Span",
            Arc::new(DurationSecondArray::from(vec![Some(90), None, Some(-1)])),
        ),
        ("Dict", Arc::new(dict)),
        (
            "List",
            Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(list)),
        ),
    ];
    Ok(RecordBatch::try_from_iter(columns)?)
}

/// Columns of the `SecurityEvent` schema with their Kusto types, and one extra column.
fn security_event() -> Result<RecordBatch, Box<dyn Error>> {
    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "TimeGenerated",
            Arc::new(
                TimestampMicrosecondArray::from(vec![1_795_000_000_000_000, 1_795_000_060_000_000])
                    .with_timezone("UTC"),
            ),
        ),
        (
            "Computer",
            Arc::new(StringArray::from(vec!["WS-FIN-07", ""])),
        ),
        ("EventID", Arc::new(Int32Array::from(vec![4688, 4624]))),
        (
            "CommandLine",
            Arc::new(StringArray::from(vec![
                Some("bitsadmin /transfer j /download"),
                None,
            ])),
        ),
        ("Extra", Arc::new(Int64Array::from(vec![None, Some(-5)]))),
    ];
    Ok(RecordBatch::try_from_iter(columns)?)
}

/// `SecurityEvent` columns held as text, which a schema makes the loader parse.
fn text_columns() -> Result<RecordBatch, Box<dyn Error>> {
    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "TimeGenerated",
            Arc::new(StringArray::from(vec![
                "2026-11-20T09:14:03.512Z",
                "",
                "yesterday",
            ])),
        ),
        (
            "EventID",
            Arc::new(StringArray::from(vec!["4688", "x", ""])),
        ),
        (
            "Computer",
            Arc::new(StringArray::from(vec!["DC01", "DC01", "DC02"])),
        ),
    ];
    Ok(RecordBatch::try_from_iter(columns)?)
}
