//! JSON and JSON Lines output: one object per row, keys in column order, written as read.
//!
//! Values keep their JSON kinds where Kusto's own JSON does: `bool`, `int`, `long`, `real`
//! and `decimal` are numbers or booleans, and a `dynamic` is the JSON value it holds (or a
//! string when its text is not valid JSON). A `real` is written as Kusto writes it, with
//! `.0` on whole numbers (`2.0`), and NaN and the infinities as the strings `"NaN"`,
//! `"Infinity"` and `"-Infinity"`. `datetime`, `timespan` and `guid` are strings in their
//! text forms. A null is `null`, except that a null `string` is `""`.

use std::fmt::Write as _;
use std::io::{self, Write};

use arrow::datatypes::Schema;
use arrow::record_batch::RecordBatch;

use super::readers;
use super::value::{ColumnReader, Value, compact_json, non_finite};

/// Writes `batches` as one JSON array, one row object a line: `[]` when there are no rows.
pub(super) fn write_json(
    schema: &Schema,
    batches: &[RecordBatch],
    out: &mut dyn Write,
) -> io::Result<()> {
    let keys = object_keys(schema);
    let mut line = String::new();
    let mut first = true;

    out.write_all(b"[")?;
    for batch in batches {
        let readers = readers(schema, batch);
        for row in 0..batch.num_rows() {
            line.clear();
            line.push_str(if first { "\n" } else { ",\n" });
            push_object(&mut line, &keys, &readers, row);
            out.write_all(line.as_bytes())?;
            first = false;
        }
    }
    out.write_all(if first { b"]\n" } else { b"\n]\n" })
}

/// Writes `batches` as JSON Lines: one row object a line, nothing when there are no rows.
pub(super) fn write_json_lines(
    schema: &Schema,
    batches: &[RecordBatch],
    out: &mut dyn Write,
) -> io::Result<()> {
    let keys = object_keys(schema);
    let mut line = String::new();

    for batch in batches {
        let readers = readers(schema, batch);
        for row in 0..batch.num_rows() {
            line.clear();
            push_object(&mut line, &keys, &readers, row);
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
    }
    Ok(())
}

/// Each column's `"name":`, escaped once for the whole result.
fn object_keys(schema: &Schema) -> Vec<String> {
    let key = |name: &str| {
        let mut key = String::with_capacity(name.len() + 3);
        push_string(&mut key, name);
        key.push(':');
        key
    };
    schema
        .fields()
        .iter()
        .map(|field| key(field.name()))
        .collect()
}

fn push_object(line: &mut String, keys: &[String], readers: &[ColumnReader<'_>], row: usize) {
    line.push('{');
    for (i, (key, reader)) in keys.iter().zip(readers).enumerate() {
        if i > 0 {
            line.push(',');
        }
        line.push_str(key);
        push_value(line, &reader.value(row));
    }
    line.push('}');
}

/// Appends the JSON form of one value.
fn push_value(line: &mut String, value: &Value<'_>) {
    match value {
        Value::Null => line.push_str("null"),
        Value::Bool(_) | Value::Long(_) | Value::ULong(_) => value.push_text(line),
        Value::Real(x) | Value::Decimal(x) => match non_finite(*x) {
            Some(name) => push_string(line, name),
            None => push_number(line, value),
        },
        Value::String(text) | Value::Guid(text) => push_string(line, text),
        Value::Other(text) => push_string(line, text),
        Value::Dynamic(text) => match compact_json(text) {
            Some(json) => line.push_str(&json),
            None => push_string(line, text),
        },
        Value::DateTime(_) | Value::TimeSpan(_) => {
            // Their text forms hold nothing JSON needs to escape.
            line.push('"');
            value.push_text(line);
            line.push('"');
        }
    }
}

/// Appends a finite `real` or `decimal`, with `.0` added to whole numbers in fixed notation
/// so that a consumer can tell them from a `long`, as Kusto's JSON does.
fn push_number(line: &mut String, value: &Value<'_>) {
    let start = line.len();
    value.push_text(line);
    let text = line.get(start..).unwrap_or_default();
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        line.push_str(".0");
    }
}

/// Appends `text` as a JSON string literal.
fn push_string(line: &mut String, text: &str) {
    line.push('"');
    for c in text.chars() {
        match c {
            '"' => line.push_str("\\\""),
            '\\' => line.push_str("\\\\"),
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            '\t' => line.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                // Writing into a `String` cannot fail.
                let _ = write!(line, "\\u{:04x}", u32::from(c));
            }
            c => line.push(c),
        }
    }
    line.push('"');
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Float64Array, Int64Array, StringArray};
    use kql_engine::types::KustoType;

    use super::super::tests::{every_type, rendered};
    use super::super::{Format, TableOptions};
    use super::*;

    fn json(schema: &Schema, batches: &[RecordBatch], format: Format) -> String {
        rendered(schema, batches, format, &TableOptions::default())
    }

    const ROWS: [&str; 3] = [
        "{\"b\":true,\"i\":1,\"l\":2,\"r\":2.0,\"d\":1.5,\"s\":\"a,b\",\
         \"g\":\"74be27de-1e4e-49d9-b579-fe0b331d3642\",\"t\":\"2026-11-27T12:00:00Z\",\
         \"ts\":\"00:00:01.5000000\",\"dyn\":{\"k\":[1,2]}}",
        "{\"b\":null,\"i\":null,\"l\":null,\"r\":null,\"d\":null,\"s\":\"\",\"g\":null,\
         \"t\":null,\"ts\":null,\"dyn\":null}",
        "{\"b\":false,\"i\":-1,\"l\":-9,\"r\":\"NaN\",\"d\":0.25,\"s\":\"say \\\"hi\\\"\\nbye\",\
         \"g\":\"74be27de-1e4e-49d9-b579-fe0b331d3642\",\"t\":\"2016-12-31T23:59:59.9999999Z\",\
         \"ts\":\"-12:00:00\",\"dyn\":\"not json\"}",
    ];

    #[test]
    fn every_kusto_type_as_json() {
        let (schema, batch) = every_type();
        let expected = format!("[\n{}\n]\n", ROWS.join(",\n"));
        let got = json(&schema, &[batch], Format::Json);
        assert_eq!(got, expected);
        serde_json::from_str::<serde_json::Value>(&got).expect("the output is valid JSON");
    }

    #[test]
    fn every_kusto_type_as_json_lines() {
        let (schema, batch) = every_type();
        let got = json(&schema, &[batch], Format::JsonLines);
        assert_eq!(got, format!("{}\n", ROWS.join("\n")));
        for line in got.lines() {
            serde_json::from_str::<serde_json::Value>(line).expect("each line is valid JSON");
        }
    }

    #[test]
    fn keys_keep_column_order() {
        let schema = Schema::new(vec![
            KustoType::Long.field("z"),
            KustoType::Long.field("a"),
            KustoType::Dynamic.field("m"),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![1])),
            Arc::new(Int64Array::from(vec![2])),
            Arc::new(StringArray::from(vec![
                "{\"y\": 1, \"b\": {\"x\": 2, \"a\": 3}}",
            ])),
        ];
        let batch = RecordBatch::try_new(Arc::new(schema.clone()), columns).expect("valid batch");
        let expected = "{\"z\":1,\"a\":2,\"m\":{\"y\":1,\"b\":{\"x\":2,\"a\":3}}}\n";
        assert_eq!(json(&schema, &[batch], Format::JsonLines), expected);
    }

    #[test]
    fn non_finite_reals_are_strings() {
        let schema = Schema::new(vec![KustoType::Real.field("r")]);
        let values = vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e15, -0.5, -3.0];
        let column: ArrayRef = Arc::new(Float64Array::from(values));
        let batch = RecordBatch::try_new(Arc::new(schema.clone()), vec![column]).expect("valid");
        let expected = [
            r#"{"r":"NaN"}"#,
            r#"{"r":"Infinity"}"#,
            r#"{"r":"-Infinity"}"#,
            r#"{"r":1E+15}"#,
            r#"{"r":-0.5}"#,
            r#"{"r":-3.0}"#,
            "",
        ];
        assert_eq!(
            json(&schema, &[batch], Format::JsonLines),
            expected.join("\n")
        );
    }

    #[test]
    fn empty_results() {
        let (schema, batch) = every_type();
        assert_eq!(json(&schema, &[], Format::Json), "[]\n");
        assert_eq!(json(&schema, &[batch.slice(0, 0)], Format::Json), "[]\n");
        assert_eq!(json(&schema, &[batch.slice(0, 0)], Format::JsonLines), "");
    }

    #[test]
    fn strings_escape_controls_and_keys_escape_too() {
        let mut line = String::new();
        push_string(&mut line, "a\"b\\c\td\u{1}e\u{7f}é");
        assert_eq!(line, "\"a\\\"b\\\\c\\td\\u0001e\u{7f}é\"");

        let schema = Schema::new(vec![KustoType::Long.field("we\"ird")]);
        assert_eq!(object_keys(&schema), ["\"we\\\"ird\":"]);
    }
}
