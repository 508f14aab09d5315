//! Bad data through the engine: every unreadable file or value is an `Error::Load` that names
//! the file, and the line and column where there are ones; nothing is dropped silently.
//! (`loaders.rs` tests the loaders alone, format by format.)

mod common;

use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringArray};
use common::TempDir;
use kql_engine::source::LoadError;
use kql_engine::{Engine, Error};
use parquet::arrow::ArrowWriter;

/// The load error of registering `path` as `table` and running `query` over it: a file read
/// when registered fails there, a file read lazily fails when the query reads it.
fn load_error(table: &str, path: &Path, query: &str) -> LoadError {
    let mut engine = Engine::new();
    let outcome = engine
        .register_file(table, path)
        .and_then(|()| engine.run(query).map(|_| ()));
    match outcome {
        Err(Error::Load(error)) => error,
        other => panic!("expected a load error, got {other:?}"),
    }
}

#[test]
fn a_number_out_of_its_columns_range_names_line_and_column() {
    let dir = TempDir::new("out_of_range");
    let path = dir.write(
        "SecurityEvent.csv",
        "TimeGenerated,EventID\n2024-01-01T00:00:00Z,4688\n2024-01-01T00:00:00Z,99999999999\n",
    );
    let error = load_error("SecurityEvent", &path, "SecurityEvent | project EventID");
    assert_eq!(error.path, path);
    assert_eq!(error.line, Some(3));
    assert_eq!(error.column.as_deref(), Some("EventID"));
    assert_eq!(error.message, "cannot read `99999999999` as int");
}

#[test]
fn a_timestamp_that_does_not_parse_names_line_and_column() {
    let dir = TempDir::new("timestamp");
    let path = dir.write(
        "SecurityEvent.csv",
        "TimeGenerated,Computer\n2024-01-01T00:00:00Z,a\nyesterday,b\n",
    );
    let error = load_error(
        "SecurityEvent",
        &path,
        "SecurityEvent | project TimeGenerated",
    );
    assert_eq!(
        (error.line, error.column.as_deref()),
        (Some(3), Some("TimeGenerated"))
    );
    assert!(error.message.contains("yesterday"), "{error}");
}

#[test]
fn json_of_another_shape_names_its_line() {
    let dir = TempDir::new("json_shape");
    let path = dir.write("T.json", "[{\"a\": 1},\n 2]");
    let error = load_error("T", &path, "T");
    assert_eq!(error.line, Some(2));
    assert_eq!(error.message, "expected a row object, found a number");

    let path = dir.write("S.json", "\"just text\"");
    let error = load_error("S", &path, "S");
    assert_eq!(error.line, Some(1));
    assert_eq!(
        error.message,
        "expected a JSON array or object at the top level"
    );

    let path = dir.write("L.jsonl", "{\"a\": 1}\n[2]\n");
    let error = load_error("L", &path, "L");
    assert_eq!(error.line, Some(2));
    assert_eq!(
        error.message,
        "expected one JSON object per line, found an array"
    );
}

#[test]
fn a_file_that_does_not_exist() {
    let dir = TempDir::new("missing");
    for name in ["none.csv", "none.json", "none.jsonl", "none.parquet"] {
        let path = dir.0.join(name);
        let mut engine = Engine::new();
        let Err(Error::Load(error)) = engine.register_file("T", &path) else {
            panic!("{name} registered");
        };
        assert_eq!(error.path, path);
        assert!(error.message.starts_with("cannot open"), "{name}: {error}");
    }
}

#[test]
fn a_parquet_column_of_the_wrong_type_for_its_table() {
    // `EventID` is an int in SecurityEvent's schema; this file holds text there.
    let dir = TempDir::new("parquet_type");
    let path = dir.0.join("SecurityEvent.parquet");
    let batch = RecordBatch::try_from_iter([(
        "EventID",
        Arc::new(StringArray::from(vec!["4688", "four"])) as ArrayRef,
    )])
    .unwrap();
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();

    let error = load_error("SecurityEvent", &path, "SecurityEvent | project EventID");
    assert_eq!(error.column.as_deref(), Some("EventID"));
    assert!(error.message.contains("four"), "{error}");
    assert!(error.line.is_none());
}

#[test]
fn invalid_utf8_and_a_ragged_row_through_the_engine() {
    let dir = TempDir::new("utf8");
    let path = dir.write("T.csv", b"a,b\n1,ok\n2,\xff\xfe\n".as_slice());
    let error = load_error("T", &path, "T");
    assert_eq!((error.line, error.column.as_deref()), (Some(3), Some("b")));

    let path = dir.write("R.csv", "a,b\n1,2\n3\n");
    let error = load_error("R", &path, "R");
    assert_eq!(error.line, Some(3));
    assert_eq!(error.message, "expected 2 fields as in the header, found 1");
}

// ---- skipping bad rows, when asked -------------------------------------------------------

fn skipping_engine() -> Engine {
    Engine::new().with_options(kql_engine::Options {
        skip_bad_rows: true,
        ..kql_engine::Options::default()
    })
}

#[test]
fn skip_bad_rows_leaves_them_out_and_says_where() {
    let dir = TempDir::new("skip");
    let path = dir.write(
        "SecurityEvent.csv",
        "TimeGenerated,EventID,Computer\n\
         2024-01-01T00:00:00Z,4688,a\n\
         2024-01-01T00:00:00Z,x99,b\n\
         2024-01-01T00:00:00Z,1,c,extra\n\
         2024-01-01T00:00:00Z,2,d\n",
    );
    let mut engine = skipping_engine();
    engine.register_file("SecurityEvent", &path).unwrap();
    let result = engine
        .run("SecurityEvent | project EventID, Computer")
        .unwrap();
    let rows = common_rows(&result);
    assert_eq!(rows, [["4688", "a"], ["2", "d"]]);
    let warning = &result.warnings[0];
    assert_eq!(warning.kind, kql_parser::DiagnosticKind::Runtime);
    assert_eq!(warning.severity, kql_parser::Severity::Warning);
    assert!(warning.message.starts_with("2 rows of `"), "{warning}");
    assert!(warning.hints[0].ends_with(":3: column `EventID`: cannot read `x99` as int"));
    assert!(warning.hints[1].ends_with(":4: expected 3 fields as in the header, found 4"));

    // A query that does not read `EventID` loses only the ragged row.
    let result = engine.run("SecurityEvent | project Computer").unwrap();
    assert_eq!(common_rows(&result), [["a"], ["b"], ["d"]]);
    assert!(result.warnings[0].message.starts_with("1 row of `"));

    // Without the option the same file fails: on the ragged row, as records are read before
    // their values are converted.
    let error = load_error("SecurityEvent", &path, "SecurityEvent | project EventID");
    assert_eq!(error.line, Some(4));
}

#[test]
fn skip_bad_rows_in_json_lines_and_eagerly_loaded_files() {
    let dir = TempDir::new("skip_json");
    // `EventID` is an int in SecurityEvent's schema.
    let path = dir.write(
        "SecurityEvent.jsonl",
        "{\"EventID\": 1}\n[2]\n{\"EventID\": \"three\"}\nnot json\n{\"EventID\": 4}\n",
    );
    let mut engine = skipping_engine();
    // JSON Lines is read when registered (its columns are its keys).
    engine.register_file("SecurityEvent", &path).unwrap();
    let result = engine.run("SecurityEvent | project EventID").unwrap();
    assert_eq!(common_rows(&result), [["1"], ["4"]]);
    let warning = &result.warnings[0];
    assert!(warning.message.starts_with("3 rows of `"), "{warning}");
    assert!(warning.hints[0].ends_with(":2: expected one JSON object per line, found an array"));
    assert!(
        warning.hints[1].contains(":3: column `EventID`: cannot read"),
        "{:?}",
        warning.hints
    );
    assert!(warning.hints[2].contains(":4:"), "{:?}", warning.hints);
    // Each run that reads the file says so again.
    assert_eq!(
        engine.run("SecurityEvent | count").unwrap().warnings.len(),
        1
    );
}

/// A result's rows as text.
fn common_rows(result: &kql_engine::QueryResult) -> Vec<Vec<String>> {
    let table = &result.tables[0];
    let mut rows = Vec::new();
    for batch in &table.batches {
        for row in 0..batch.num_rows() {
            rows.push(
                batch
                    .columns()
                    .iter()
                    .map(|column| arrow::util::display::array_value_to_string(column, row).unwrap())
                    .collect(),
            );
        }
    }
    rows
}
