//! A table's columns without reading its rows, so the engine can bind a query first and then
//! read only the columns it uses.
//!
//! The columns must be exactly the ones [`super::load_file`] would give, names, types and
//! order, so the answer comes from the loaders' own header and metadata readers and their
//! column planning, and is "unknown" whenever a type would have to be inferred from values.

use std::path::Path;

use super::{Format, LoadError, LoadOptions, PlannedColumn, csv, parquet, plan_columns};
use crate::catalog::{ColumnSchema, TableSchema};

/// The columns [`super::load_file`] would give `path` with this table schema, when they can be
/// known without reading the rows; `None` when they cannot.
///
/// - Parquet: always known, from the file's metadata (see [`super::load_file`] for the
///   types). A column whose Parquet type kql cannot read yet is given as `dynamic`: loading
///   it fails as loading the whole file would.
/// - CSV: known when the table has a schema and every column of the header is in it; the
///   columns are then the schema's (the ones the file lacks are loaded empty). A column not
///   in the schema, or a table without one, is typed by its values: `None`.
/// - JSON and JSON Lines: `None` (their columns are the keys of every row).
/// - Windows event logs: `None`, so that they are loaded once.
///
/// Errors are the loader's own for a file it cannot open or whose header it rejects.
///
/// ```no_run
/// use std::path::Path;
/// use kql_engine::catalog::Catalog;
/// use kql_engine::source::peek_columns;
///
/// let catalog = Catalog::builtin();
/// let path = Path::new("SecurityEvent.csv");
/// if let Some(columns) = peek_columns(path, catalog.get("SecurityEvent"))? {
///     println!("{} columns", columns.len());
/// }
/// # Ok::<(), kql_engine::source::LoadError>(())
/// ```
pub fn peek_columns(
    path: &Path,
    schema: Option<&TableSchema>,
) -> Result<Option<Vec<ColumnSchema>>, LoadError> {
    match Format::from_path(path) {
        Some(Format::Parquet) => parquet::columns(path, schema).map(Some),
        Some(Format::Csv) => {
            // Without a schema every column is inferred: no need to open the file.
            if schema.is_none() {
                return Ok(None);
            }
            let sources = csv::header_columns(path)?;
            let options = LoadOptions {
                schema,
                ..LoadOptions::default()
            };
            Ok(typed_columns(&plan_columns(&sources, &options)))
        }
        // An event log's columns are known, but reading its records is the costly part:
        // the engine loads it once, when it is registered, rather than at each run.
        Some(Format::Json | Format::JsonLines | Format::Evtx) | None => Ok(None),
    }
}

/// The planned columns when each one's type is known before reading values.
fn typed_columns(plan: &[PlannedColumn]) -> Option<Vec<ColumnSchema>> {
    plan.iter()
        .map(|column| Some(ColumnSchema::new(column.name.clone(), column.ty?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::source::{LoadOptions, load_file};
    use crate::types::KustoType;

    fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("kql-peek-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The peeked columns are the loaded ones, in order.
    fn assert_same_as_loaded(path: &Path, schema: Option<&TableSchema>) {
        let peeked = peek_columns(path, schema).unwrap().unwrap();
        let options = LoadOptions {
            schema,
            ..LoadOptions::default()
        };
        let loaded = load_file(path, &options).unwrap();
        let loaded: Vec<_> = loaded
            .schema
            .fields()
            .iter()
            .map(|f| ColumnSchema::new(f.name().clone(), KustoType::of_field(f).unwrap()))
            .collect();
        assert_eq!(peeked, loaded);
    }

    #[test]
    fn csv_of_a_known_table_has_the_schema_columns() {
        let catalog = Catalog::builtin();
        let schema = catalog.get("SecurityEvent");
        let path = temp_file(
            "known.csv",
            "\"TimeGenerated [UTC]\",Computer,EventID\n2024-01-01T00:00:00Z,host,4688\n",
        );
        assert_same_as_loaded(&path, schema);
    }

    #[test]
    fn csv_with_an_extra_column_or_no_schema_is_unknown() {
        let catalog = Catalog::builtin();
        let path = temp_file("extra.csv", "Computer,NotASecurityEventColumn\nhost,1\n");
        assert_eq!(peek_columns(&path, catalog.get("SecurityEvent")), Ok(None));
        assert_eq!(peek_columns(&path, None), Ok(None));
    }

    #[test]
    fn csv_header_errors_are_the_loaders() {
        let catalog = Catalog::builtin();
        let path = temp_file("twice.csv", "Computer,Computer\nhost,host\n");
        let error = peek_columns(&path, catalog.get("SecurityEvent")).unwrap_err();
        assert_eq!(error.message, "duplicate column name");
        let missing = std::env::temp_dir().join("kql-peek-no-such-file.csv");
        let error = peek_columns(&missing, catalog.get("SecurityEvent")).unwrap_err();
        assert!(error.message.starts_with("cannot open"), "{error}");
    }

    #[test]
    fn json_is_unknown() {
        let path = temp_file("rows.json", "[{\"a\": 1}]");
        assert_eq!(peek_columns(&path, None), Ok(None));
    }
}
