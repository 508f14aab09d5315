//! CSV output: a header row of column names, then one line per row, written as read.
//!
//! A field is quoted only when it has to be (RFC 4180: it holds a comma, a quote, a CR or
//! an LF), with quotes inside doubled. Lines end in `\n`. Nulls are empty fields.

use std::io::{self, Write};

use arrow::datatypes::Schema;
use arrow::record_batch::RecordBatch;

use super::readers;

/// Writes `batches` as CSV. A result without columns writes nothing.
pub(super) fn write_csv(
    schema: &Schema,
    batches: &[RecordBatch],
    out: &mut dyn Write,
) -> io::Result<()> {
    if schema.fields().is_empty() {
        return Ok(());
    }

    let mut line = String::new();
    for (i, field) in schema.fields().iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_field(&mut line, field.name());
    }
    line.push('\n');
    out.write_all(line.as_bytes())?;

    let mut cell = String::new();
    for batch in batches {
        let readers = readers(schema, batch);
        for row in 0..batch.num_rows() {
            line.clear();
            for (i, reader) in readers.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                cell.clear();
                reader.value(row).push_text(&mut cell);
                push_field(&mut line, &cell);
            }
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
    }
    Ok(())
}

/// Appends one field to `line`, quoted if it holds a comma, a quote, a CR or an LF.
fn push_field(line: &mut String, text: &str) {
    if !text.contains([',', '"', '\r', '\n']) {
        line.push_str(text);
        return;
    }

    line.push('"');
    for c in text.chars() {
        if c == '"' {
            line.push('"');
        }
        line.push(c);
    }
    line.push('"');
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, StringArray};
    use kql_engine::types::KustoType;

    use super::super::tests::{every_type, rendered};
    use super::super::{Format, TableOptions};
    use super::*;

    fn csv(schema: &Schema, batches: &[RecordBatch]) -> String {
        rendered(schema, batches, Format::Csv, &TableOptions::default())
    }

    #[test]
    fn every_kusto_type() {
        let (schema, batch) = every_type();
        let expected = [
            "b,i,l,r,d,s,g,t,ts,dyn",
            "true,1,2,2,1.5,\"a,b\",74be27de-1e4e-49d9-b579-fe0b331d3642,\
             2026-11-27T12:00:00Z,00:00:01.5000000,\"{\"\"k\"\":[1,2]}\"",
            ",,,,,,,,,",
            "false,-1,-9,NaN,0.25,\"say \"\"hi\"\"\nbye\",74be27de-1e4e-49d9-b579-fe0b331d3642,\
             2016-12-31T23:59:59.9999999Z,-12:00:00,not json",
            "",
        ];
        assert_eq!(csv(&schema, &[batch]), expected.join("\n"));
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        let mut line = String::new();
        for text in [
            "plain",
            "a,b",
            "say \"hi\"",
            "cr\rhere",
            "lf\nhere",
            "",
            " spaced ",
        ] {
            push_field(&mut line, text);
            line.push('|');
        }
        let expected = "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"cr\rhere\"|\"lf\nhere\"|| spaced |";
        assert_eq!(line, expected);
    }

    #[test]
    fn header_names_are_quoted_too() {
        let schema = Schema::new(vec![
            KustoType::String.field("a,b"),
            KustoType::Long.field("c"),
        ]);
        assert_eq!(csv(&schema, &[]), "\"a,b\",c\n");
    }

    #[test]
    fn an_empty_result_is_its_header() {
        let (schema, batch) = every_type();
        assert_eq!(
            csv(&schema, &[batch.slice(0, 0)]),
            "b,i,l,r,d,s,g,t,ts,dyn\n"
        );
        assert_eq!(csv(&Schema::empty(), &[]), "");
    }

    #[test]
    fn rows_of_several_batches_follow_each_other() {
        let schema = Schema::new(vec![KustoType::String.field("s")]);
        let batch = |text: &str| {
            let column: ArrayRef = Arc::new(StringArray::from(vec![text]));
            RecordBatch::try_new(Arc::new(schema.clone()), vec![column]).expect("valid batch")
        };
        assert_eq!(csv(&schema, &[batch("x"), batch("")]), "s\nx\n\n");
    }
}
