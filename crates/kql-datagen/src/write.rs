//! Writing batches as CSV (RFC 4180, ISO 8601 times as the portal exports them) and Parquet
//! (Snappy, row groups of [`ROW_GROUP_ROWS`] rows, so readers can split a file across cores).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Int32Type, SchemaRef, TimestampMicrosecondType};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

/// Rows per Parquet row group.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

/// A writer of one output file.
pub enum Sink {
    /// A CSV file.
    Csv(BufWriter<File>),
    /// A Parquet file.
    Parquet(Box<ArrowWriter<File>>),
}

impl Sink {
    /// Creates a CSV file and writes its header.
    pub fn csv(path: &Path, schema: &SchemaRef) -> io::Result<Sink> {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        writeln!(out, "{}", names.join(","))?;
        Ok(Sink::Csv(out))
    }

    /// Creates a Parquet file.
    pub fn parquet(path: &Path, schema: &SchemaRef) -> io::Result<Sink> {
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let writer = ArrowWriter::try_new(File::create(path)?, schema.clone(), Some(properties))
            .map_err(io::Error::other)?;
        Ok(Sink::Parquet(Box::new(writer)))
    }

    /// Appends a batch.
    pub fn write(&mut self, batch: &RecordBatch) -> io::Result<()> {
        match self {
            Sink::Csv(out) => write_csv(out, batch),
            Sink::Parquet(writer) => writer.write(batch).map_err(io::Error::other),
        }
    }

    /// Flushes and closes the file.
    pub fn finish(self) -> io::Result<()> {
        match self {
            Sink::Csv(mut out) => out.flush(),
            Sink::Parquet(writer) => writer.close().map(|_| ()).map_err(io::Error::other),
        }
    }
}

fn write_csv(out: &mut impl Write, batch: &RecordBatch) -> io::Result<()> {
    let mut line = String::with_capacity(2048);
    for row in 0..batch.num_rows() {
        line.clear();
        for (index, column) in batch.columns().iter().enumerate() {
            if index > 0 {
                line.push(',');
            }
            cell(&mut line, column.as_ref(), row);
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Appends one cell's CSV text; nulls are empty.
fn cell(line: &mut String, column: &dyn Array, row: usize) {
    if column.is_null(row) {
        return;
    }
    match column.data_type() {
        DataType::Timestamp(..) => {
            let micros = column.as_primitive::<TimestampMicrosecondType>().value(row);
            if let Some(time) = chrono::DateTime::from_timestamp_micros(micros) {
                line.push_str(&time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
            }
        }
        DataType::Int32 => {
            line.push_str(&column.as_primitive::<Int32Type>().value(row).to_string())
        }
        _ => quoted(line, column.as_string::<i32>().value(row)),
    }
}

/// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
fn quoted(line: &mut String, text: &str) {
    if !text.contains([',', '"', '\n', '\r']) {
        line.push_str(text);
        return;
    }
    line.push('"');
    line.push_str(&text.replace('"', "\"\""));
    line.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        let mut line = String::new();
        quoted(&mut line, "plain");
        line.push(',');
        quoted(&mut line, "cmd /c \"a, b\"");
        assert_eq!(line, "plain,\"cmd /c \"\"a, b\"\"\"");
    }
}
