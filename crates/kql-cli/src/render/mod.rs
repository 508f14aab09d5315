//! Rendering query results as an aligned table, CSV, JSON or JSON Lines.
//!
//! All four formats print values the way Kusto does (see [`value`]): a `datetime` as
//! `2017-01-01T00:00:00.5Z`, a `timespan` as `1.00:00:00`, a null as an empty cell (or `null`
//! in JSON). CSV, JSON and JSON Lines are written row by row as they are read; the table
//! needs every row before it can size its columns.

mod csv;
mod json;
mod table;
mod value;

use std::fmt;
use std::io::{self, BufWriter, Write};
use std::str::FromStr;

use arrow::datatypes::Schema;
use arrow::record_batch::RecordBatch;

use value::ColumnReader;

/// An output format of `kql run --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// An aligned table for reading on a terminal.
    Table,
    /// CSV with a header row, quoted as RFC 4180 says.
    Csv,
    /// One JSON array of row objects, keys in column order.
    Json,
    /// One JSON object per line.
    #[value(name = "jsonl")]
    JsonLines,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 4] = [Format::Table, Format::Csv, Format::Json, Format::JsonLines];

    /// The name `--format` takes: `table`, `csv`, `json` or `jsonl`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::JsonLines => "jsonl",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing a format name that is not one of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown format `{}`, expected `table`, `csv`, `json` or `jsonl`",
            self.0
        )
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// Parses a format name as `--format` spells it.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.name() == name)
            .ok_or_else(|| UnknownFormat(name.to_string()))
    }
}

/// How [`Format::Table`] fits a result on the screen; the other formats ignore it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableOptions {
    /// The terminal width in columns. When a result is wider, columns empty in every row
    /// are hidden first, then the leading columns that fit are shown, and a note says how
    /// many were left out.
    pub max_width: usize,
    /// The most characters a cell (or a column name) shows before it is cut short with `…`.
    pub max_cell_width: usize,
    /// Whether to make the header bold with ANSI escape codes.
    pub color: bool,
}

impl Default for TableOptions {
    /// 120 columns wide, 40 characters a cell, no color.
    fn default() -> Self {
        TableOptions {
            max_width: 120,
            max_cell_width: 40,
            color: false,
        }
    }
}

/// Writes a query result to `out` in `format`.
///
/// `schema` names the columns and gives their Kusto types; every batch should have that
/// schema. A batch with fewer columns than `schema` shows nulls in the missing ones, and a
/// column of an Arrow type Kusto has no counterpart for is shown in Arrow's display form.
/// Output is buffered here, so `out` need not be; the only errors are those of `out`.
pub fn render(
    schema: &Schema,
    batches: &[RecordBatch],
    format: Format,
    options: &TableOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    match format {
        Format::Table => table::write_table(schema, batches, options, &mut out)?,
        Format::Csv => csv::write_csv(schema, batches, &mut out)?,
        Format::Json => json::write_json(schema, batches, &mut out)?,
        Format::JsonLines => json::write_json_lines(schema, batches, &mut out)?,
    }
    out.flush()
}

/// A reader for each column of `schema`, over the arrays of `batch`.
fn readers<'a>(schema: &Schema, batch: &'a RecordBatch) -> Vec<ColumnReader<'a>> {
    let arrays = batch.columns();
    let arrays = arrays
        .iter()
        .map(|array| Some(array.as_ref()))
        .chain(std::iter::repeat(None));
    schema
        .fields()
        .iter()
        .zip(arrays)
        .map(|(field, array)| ColumnReader::new(field, array))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{
        ArrayRef, BooleanArray, DurationNanosecondArray, Float64Array, Int32Array, Int64Array,
        StringArray, TimestampNanosecondArray,
    };
    use clap::ValueEnum;
    use kql_engine::types::KustoType;

    use super::*;

    /// A result with a column of every Kusto type and three rows: ordinary values, all
    /// nulls, and values that need quoting or naming (a NaN, a newline, malformed JSON).
    pub(super) fn every_type() -> (Schema, RecordBatch) {
        let schema = Schema::new(vec![
            KustoType::Bool.field("b"),
            KustoType::Int.field("i"),
            KustoType::Long.field("l"),
            KustoType::Real.field("r"),
            KustoType::Decimal.field("d"),
            KustoType::String.field("s"),
            KustoType::Guid.field("g"),
            KustoType::DateTime.field("t"),
            KustoType::TimeSpan.field("ts"),
            KustoType::Dynamic.field("dyn"),
        ]);
        let guid = "74be27de-1e4e-49d9-b579-fe0b331d3642";
        let columns: Vec<ArrayRef> = vec![
            Arc::new(BooleanArray::from(vec![Some(true), None, Some(false)])),
            Arc::new(Int32Array::from(vec![Some(1), None, Some(-1)])),
            Arc::new(Int64Array::from(vec![Some(2), None, Some(-9)])),
            Arc::new(Float64Array::from(vec![Some(2.0), None, Some(f64::NAN)])),
            Arc::new(Float64Array::from(vec![Some(1.5), None, Some(0.25)])),
            Arc::new(StringArray::from(vec![
                Some("a,b"),
                None,
                Some("say \"hi\"\nbye"),
            ])),
            Arc::new(StringArray::from(vec![Some(guid), None, Some(guid)])),
            Arc::new(
                TimestampNanosecondArray::from(vec![
                    Some(1_795_780_800_000_000_000),
                    None,
                    Some(1_483_228_799_999_999_900),
                ])
                .with_timezone("UTC"),
            ),
            Arc::new(DurationNanosecondArray::from(vec![
                Some(1_500_000_000),
                None,
                Some(-43_200_000_000_000),
            ])),
            Arc::new(StringArray::from(vec![
                Some("{\"k\": [1, 2]}"),
                None,
                Some("not json"),
            ])),
        ];
        let batch = RecordBatch::try_new(Arc::new(schema.clone()), columns).expect("valid batch");
        (schema, batch)
    }

    /// Renders to a string, the way the format tests look at output.
    pub(super) fn rendered(
        schema: &Schema,
        batches: &[RecordBatch],
        format: Format,
        options: &TableOptions,
    ) -> String {
        let mut out = Vec::new();
        render(schema, batches, format, options, &mut out).expect("writing to a Vec succeeds");
        String::from_utf8(out).expect("the renderer writes UTF-8")
    }

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(format.to_string().parse::<Format>(), Ok(format));
            let possible = format.to_possible_value().expect("no format is hidden");
            assert_eq!(possible.get_name(), format.name());
        }
        assert_eq!("jsonl".parse::<Format>(), Ok(Format::JsonLines));
        assert_eq!(
            "xml".parse::<Format>().map_err(|err| err.to_string()),
            Err("unknown format `xml`, expected `table`, `csv`, `json` or `jsonl`".to_string())
        );
    }

    #[test]
    fn a_batch_short_of_columns_shows_nulls() {
        let schema = Schema::new(vec![KustoType::Long.field("a"), KustoType::Long.field("b")]);
        let short = Schema::new(vec![KustoType::Long.field("a")]);
        let column: ArrayRef = Arc::new(Int64Array::from(vec![1]));
        let batch = RecordBatch::try_new(Arc::new(short), vec![column]).expect("valid batch");

        let json = rendered(
            &schema,
            &[batch],
            Format::JsonLines,
            &TableOptions::default(),
        );
        assert_eq!(json, "{\"a\":1,\"b\":null}\n");
    }
}
