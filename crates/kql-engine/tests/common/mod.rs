//! Helpers shared by the engine's integration tests.

#![allow(dead_code)] // each test file uses its own subset

use std::path::PathBuf;

use arrow::array::{
    Array, BooleanArray, DurationNanosecondArray, Float64Array, Int32Array, Int64Array,
    StringArray, TimestampNanosecondArray,
};
use kql_engine::ResultTable;
use kql_engine::format;

/// A fresh directory for one test's files, removed when dropped. Its name holds the process
/// id, so that the test binaries, which run at once, never share one.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("kql-test-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A result as text rows, each cell as Kusto prints it; null is `null`.
pub fn rows(table: &ResultTable) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for batch in &table.batches {
        for row in 0..batch.num_rows() {
            out.push(
                batch
                    .columns()
                    .iter()
                    .map(|column| cell(column.as_ref(), row))
                    .collect(),
            );
        }
    }
    out
}

/// The column names of a result.
pub fn names(table: &ResultTable) -> Vec<String> {
    table
        .schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

fn cell(array: &dyn Array, row: usize) -> String {
    if array.is_null(row) {
        return "null".to_string();
    }
    let any = array.as_any();
    if let Some(a) = any.downcast_ref::<StringArray>() {
        return a.value(row).to_string();
    }
    if let Some(a) = any.downcast_ref::<Int64Array>() {
        return a.value(row).to_string();
    }
    if let Some(a) = any.downcast_ref::<Int32Array>() {
        return a.value(row).to_string();
    }
    if let Some(a) = any.downcast_ref::<Float64Array>() {
        return format::real(a.value(row));
    }
    if let Some(a) = any.downcast_ref::<BooleanArray>() {
        return a.value(row).to_string();
    }
    if let Some(a) = any.downcast_ref::<TimestampNanosecondArray>() {
        return format::datetime(a.value(row));
    }
    if let Some(a) = any.downcast_ref::<DurationNanosecondArray>() {
        return format::timespan(a.value(row));
    }
    panic!("unexpected array type {:?}", array.data_type());
}

/// Rows sorted, for comparing results whose order Kusto leaves unspecified.
pub fn sorted(mut rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    rows.sort();
    rows
}

/// Text rows from a literal table: one `Vec<&str>` per row.
pub fn expect(rows: &[&[&str]]) -> Vec<Vec<String>> {
    sorted(
        rows.iter()
            .map(|row| row.iter().map(|s| s.to_string()).collect())
            .collect(),
    )
}

/// The rows of the first result table of `query`, run on an engine without tables, sorted
/// like [`expect`]'s (row order is unspecified unless the query sorts).
pub fn query_rows(query: &str) -> Vec<Vec<String>> {
    match kql_engine::Engine::new().run(query) {
        Ok(result) => sorted(rows(&result.tables[0])),
        Err(error) => panic!("`{query}` failed: {error}"),
    }
}

/// The Kusto types of the columns of the first result table of `query`.
pub fn query_types(query: &str) -> Vec<String> {
    match kql_engine::Engine::new().run(query) {
        Ok(result) => result.tables[0]
            .schema
            .fields()
            .iter()
            .map(|f| {
                kql_engine::types::KustoType::of_field(f).map_or("?".into(), |t| t.to_string())
            })
            .collect(),
        Err(error) => panic!("`{query}` failed: {error}"),
    }
}

/// The first diagnostic of a query that must fail.
pub fn query_error(query: &str) -> kql_parser::Diagnostic {
    match kql_engine::Engine::new().run(query) {
        Ok(_) => panic!("`{query}` should fail"),
        Err(error) => error.diagnostics()[0].clone(),
    }
}
