//! Loading data files into Arrow record batches typed with Kusto's types.
//!
//! [`load_file`] reads CSV, JSON (a top-level array of row objects, the Log Analytics query API
//! and Kusto REST v1/v2 response shapes), JSON Lines, Parquet and Windows event logs (`.evtx`,
//! read as the table they are registered as: see `docs/evtx.md`). The result is a
//! [`LoadedTable`]: an Arrow schema whose fields come from [`KustoType::field`], and batches of
//! at most [`LoadOptions::batch_size`] rows.
//!
//! Typing follows Kusto's rules:
//!
//! - With a [`TableSchema`] (a known table), a file column named in the schema gets the
//!   schema's type; a file column not in it is kept and typed by inference; a schema column the
//!   file lacks exists as an empty column. Columns come in schema order, then the file's extra
//!   columns in file order.
//! - Without a schema, text columns are inferred: `long` when every non-empty value is an
//!   integer, `real` when every one is a number, `bool` for `true`/`false` in any case,
//!   `datetime` for ISO 8601 and Log Analytics portal dates (see [`datetime`]), else `string`.
//!   JSON values keep their JSON type (numbers, booleans; objects and arrays become `dynamic`);
//!   JSON strings become `datetime` or `string`.
//! - Strings are never null: an empty or missing string cell is `""`. Every other type has a
//!   null, which empty cells become.
//!
//! Nothing is dropped silently: a row or value that cannot be read is a [`LoadError`] naming the
//! file, the line (1-based, where the record starts) and the column.

mod convert;
mod csv;
pub mod datetime;
mod evtx;
mod infer;
mod json;
mod parquet;
mod peek;
mod raw;

pub use parquet::panic_is_contained;
pub use peek::peek_columns;

use std::fmt;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;

use crate::catalog::TableSchema;
use crate::exec::stream::BatchSource;
#[cfg(doc)]
use crate::types::KustoType;

/// The batch size used when [`LoadOptions::batch_size`] is 0.
pub const DEFAULT_BATCH_SIZE: usize = 8192;

/// The file extensions [`load_file`] understands, without the dot.
pub const SUPPORTED_EXTENSIONS: &[&str] = &["csv", "json", "jsonl", "ndjson", "parquet", "evtx"];

/// A table read from a file: its Kusto-typed Arrow schema and its rows in batches.
#[derive(Debug, Clone)]
pub struct LoadedTable {
    /// The schema every batch has; each field is tagged with its Kusto type.
    pub schema: SchemaRef,
    /// The rows, in file order, in batches of at most the requested batch size.
    pub batches: Vec<RecordBatch>,
    /// The rows left out with [`LoadOptions::skip_bad_rows`], in file order: why each could
    /// not be read, with its line and column. Empty without that option.
    pub skipped: Vec<LoadError>,
    /// What a run should be told about how the file became the table, as warnings: such as
    /// the records of an event log that are not rows of the table it is read as.
    pub notes: Vec<String>,
}

impl LoadedTable {
    /// The total number of rows.
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// How to read a file.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions<'a> {
    /// The schema of the table the file holds, if it is a known table: its columns get the
    /// schema's types and the ones the file lacks exist as empty columns.
    pub schema: Option<&'a TableSchema>,
    /// Read only these columns (the engine asks for what a query uses). A requested column
    /// absent from the file but in the schema becomes an empty column; one absent from both is
    /// omitted. Output columns keep the table's order (schema, then file), not this list's.
    pub columns: Option<&'a [String]>,
    /// Rows per batch; 0 means [`DEFAULT_BATCH_SIZE`].
    pub batch_size: usize,
    /// Leave out the rows that cannot be read (a value of the wrong type; in CSV also a row
    /// with the wrong number of fields or invalid UTF-8; in JSON Lines a line that is not an
    /// object), listing each in [`LoadedTable::skipped`], instead of failing on the first.
    /// A file that cannot be read at all (an unterminated quote, a JSON syntax error in a
    /// document) still fails.
    pub skip_bad_rows: bool,
}

impl Default for LoadOptions<'_> {
    fn default() -> Self {
        LoadOptions {
            schema: None,
            columns: None,
            batch_size: DEFAULT_BATCH_SIZE,
            skip_bad_rows: false,
        }
    }
}

impl LoadOptions<'_> {
    fn effective_batch_size(&self) -> usize {
        if self.batch_size == 0 {
            DEFAULT_BATCH_SIZE
        } else {
            self.batch_size
        }
    }

    fn wants(&self, name: &str) -> bool {
        self.columns
            .is_none_or(|columns| columns.iter().any(|c| c == name))
    }
}

/// A file format [`load_file_as`] can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
    /// One JSON document: an array of row objects, or a Log Analytics / Kusto REST response.
    /// A `.json` file that holds one object per line is read as JSON Lines.
    Json,
    /// One JSON object per line.
    JsonLines,
    /// Apache Parquet.
    Parquet,
    /// A Windows event log: rows and columns depend on the table it is read as (see
    /// [`LoadOptions::schema`] and `docs/evtx.md`).
    Evtx,
}

impl Format {
    /// The format a file name's extension (any case) stands for.
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "csv" => Format::Csv,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            "parquet" => Format::Parquet,
            "evtx" => Format::Evtx,
            _ => return None,
        })
    }
}

/// Loads a file, choosing the format from its extension: `.csv`, `.json`, `.jsonl`/`.ndjson`,
/// `.parquet` or `.evtx` (any case).
///
/// ```no_run
/// use std::path::Path;
/// use kql_engine::catalog::Catalog;
/// use kql_engine::source::{load_file, LoadOptions};
///
/// let catalog = Catalog::builtin();
/// let columns = ["TimeGenerated".to_string(), "CommandLine".to_string()];
/// let options = LoadOptions {
///     schema: catalog.get("SecurityEvent"),
///     columns: Some(&columns),
///     ..LoadOptions::default()
/// };
/// let table = load_file(Path::new("SecurityEvent.csv"), &options)?;
/// println!("{} rows", table.num_rows());
/// # Ok::<(), kql_engine::source::LoadError>(())
/// ```
pub fn load_file(path: &Path, options: &LoadOptions) -> Result<LoadedTable, LoadError> {
    let Some(format) = Format::from_path(path) else {
        let supported: Vec<String> = SUPPORTED_EXTENSIONS
            .iter()
            .map(|e| format!(".{e}"))
            .collect();
        let found = match path.extension() {
            Some(extension) => format!("unsupported file extension `.{}`", extension.display()),
            None => "no file extension".to_string(),
        };
        let message = format!("{found}; supported: {}", supported.join(", "));
        return Err(LoadError::new(path, message));
    };
    load_file_as(path, format, options)
}

/// Loads a file in the given format, whatever its extension.
pub fn load_file_as(
    path: &Path,
    format: Format,
    options: &LoadOptions,
) -> Result<LoadedTable, LoadError> {
    match format {
        Format::Csv => csv::load(path, options),
        Format::Json => json::load_json(path, options),
        Format::JsonLines => json::load_json_lines(path, options),
        Format::Parquet => parquet::load(path, options),
        Format::Evtx => evtx::load(path, options),
    }
}

/// A streamed file: the schema of its batches and its parts.
pub(crate) type Streamed = (SchemaRef, Box<dyn BatchSource>);

/// A file as parts that threads read and convert in turn (see [`crate::exec::stream`]), when
/// reading it part by part gives what [`load_file`] gives: Parquet files, and CSV files whose
/// column types are all known from the table schema (bad rows not skipped). `None` for other
/// files, which are loaded whole.
pub(crate) fn stream_file(
    path: &Path,
    options: &LoadOptions,
) -> Result<Option<Streamed>, LoadError> {
    match Format::from_path(path) {
        Some(Format::Parquet) => {
            let (schema, parts) = parquet::stream(path, options)?;
            Ok(Some((schema, Box::new(parts))))
        }
        Some(Format::Csv) => Ok(csv::stream(path, options)?.map(|(schema, parts)| {
            let parts: Box<dyn BatchSource> = Box::new(std::sync::Arc::new(parts));
            (schema, parts)
        })),
        Some(Format::Json | Format::JsonLines | Format::Evtx) | None => Ok(None),
    }
}

/// A file that could not be loaded: which file, where in it, and why.
///
/// Displays as ``sample.csv:14: column `TimeGenerated`: cannot read `yesterday` as datetime``;
/// the line and column parts appear only when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// The file, as the caller named it.
    pub path: PathBuf,
    /// The 1-based line where the offending record starts, when the format has lines.
    pub line: Option<usize>,
    /// The column the offending value belongs to, when one does.
    pub column: Option<String>,
    /// What went wrong, in lowercase without a final period.
    pub message: String,
}

impl LoadError {
    /// An error about a whole file.
    pub fn new(path: &Path, message: impl Into<String>) -> Self {
        LoadError {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// The same error, located at a 1-based line.
    pub fn with_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// The same error, about one column.
    pub fn with_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(column) = &self.column {
            write!(f, "column `{column}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// A column as the file presents it, before planning.
#[derive(Debug, Clone)]
struct SourceColumn {
    name: String,
    /// The type the file itself declares (Log Analytics and Kusto REST responses do).
    declared: Option<crate::types::KustoType>,
}

/// One output column: its name, its type (`None`: infer from the values) and the file column
/// it is read from (`None`: a schema column the file lacks, loaded empty).
#[derive(Debug, Clone)]
struct PlannedColumn {
    name: String,
    ty: Option<crate::types::KustoType>,
    source: Option<usize>,
}

/// Decides the output columns: schema columns in schema order, then the file's other columns
/// in file order, keeping only the requested ones when a projection is given.
fn plan_columns(sources: &[SourceColumn], options: &LoadOptions) -> Vec<PlannedColumn> {
    let position = |name: &str| sources.iter().position(|s| s.name == name);
    let mut plan = Vec::new();
    if let Some(schema) = options.schema {
        for column in &schema.columns {
            if options.wants(&column.name) {
                plan.push(PlannedColumn {
                    name: column.name.clone(),
                    ty: Some(column.ty),
                    source: position(&column.name),
                });
            }
        }
    }
    for (index, source) in sources.iter().enumerate() {
        let in_schema = options
            .schema
            .is_some_and(|s| s.column(&source.name).is_some());
        if !in_schema && options.wants(&source.name) {
            plan.push(PlannedColumn {
                name: source.name.clone(),
                ty: source.declared,
                source: Some(index),
            });
        }
    }
    plan
}

/// Which file columns the plan reads, by file column index.
fn needed_sources(plan: &[PlannedColumn], source_count: usize) -> Vec<bool> {
    let mut needed = vec![false; source_count];
    for index in plan.iter().filter_map(|c| c.source) {
        if let Some(slot) = needed.get_mut(index) {
            *slot = true;
        }
    }
    needed
}

/// Fails on the first name that occurs twice: Kusto column names are unique.
fn check_unique_names(path: &Path, sources: &[SourceColumn]) -> Result<(), LoadError> {
    let mut seen = std::collections::HashSet::new();
    for source in sources {
        if !seen.insert(source.name.as_str()) {
            return Err(LoadError::new(path, "duplicate column name").with_column(&source.name));
        }
    }
    Ok(())
}

/// The column name a header cell stands for. The Log Analytics portal suffixes datetime columns
/// with the display zone (`TimeGenerated [UTC]`, `"TimeGenerated [Local Time]"`); the suffix is
/// not part of the name. An empty header (pandas writes one for its index column) becomes
/// `Column<n>`, `n` being the 1-based position, as in Kusto's own ingestion of unnamed columns.
///
/// `[Local Time]` values are read as UTC: the export does not say which offset was meant.
fn column_name_from_header(header: &str, position: usize) -> String {
    let trimmed = header.trim();
    let name = match trimmed
        .strip_suffix(']')
        .and_then(|rest| rest.rsplit_once(" ["))
    {
        Some((name, zone)) if is_zone_label(zone) => name.trim_end(),
        _ => trimmed,
    };
    if name.is_empty() {
        format!("Column{position}")
    } else {
        name.to_string()
    }
}

fn is_zone_label(label: &str) -> bool {
    label == "UTC"
        || label == "Local Time"
        || label.starts_with("UTC+")
        || label.starts_with("UTC-")
        || label.starts_with("GMT")
}

/// `text` for a message: in backticks, control characters escaped so a message stays on one
/// line, cut after 60 characters.
fn quote_value(text: &str) -> String {
    const MAX_CHARS: usize = 60;
    let mut quoted = String::from("`");
    for (count, c) in text.chars().enumerate() {
        if count == MAX_CHARS {
            quoted.push('…');
            break;
        }
        if c.is_control() {
            quoted.extend(c.escape_debug());
        } else {
            quoted.push(c);
        }
    }
    quoted.push('`');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ColumnSchema;
    use crate::types::KustoType;

    #[test]
    fn header_suffixes_name_the_zone_not_the_column() {
        assert_eq!(
            column_name_from_header("TimeGenerated [UTC]", 2),
            "TimeGenerated"
        );
        assert_eq!(
            column_name_from_header("Timestamp [Local Time]", 2),
            "Timestamp"
        );
        assert_eq!(column_name_from_header("T [UTC+02:00]", 2), "T");
        assert_eq!(column_name_from_header("Odd [name]", 2), "Odd [name]");
        assert_eq!(column_name_from_header(" Account ", 2), "Account");
        assert_eq!(column_name_from_header("", 1), "Column1");
    }

    #[test]
    fn error_display_has_only_the_known_parts() {
        let error = LoadError::new(
            Path::new("sample.csv"),
            "cannot read `yesterday` as datetime",
        );
        assert_eq!(
            error.to_string(),
            "sample.csv: cannot read `yesterday` as datetime"
        );
        let error = error.with_line(14).with_column("TimeGenerated");
        let expected = "sample.csv:14: column `TimeGenerated`: cannot read `yesterday` as datetime";
        assert_eq!(error.to_string(), expected);
    }

    #[test]
    fn plan_puts_schema_columns_first_and_honours_the_projection() {
        let schema = TableSchema::new(
            "T",
            vec![
                ColumnSchema::new("A", KustoType::Long),
                ColumnSchema::new("B", KustoType::Bool),
            ],
        );
        let sources: Vec<_> = ["X", "B"]
            .iter()
            .map(|n| SourceColumn {
                name: n.to_string(),
                declared: None,
            })
            .collect();
        let options = LoadOptions {
            schema: Some(&schema),
            ..LoadOptions::default()
        };
        let plan = plan_columns(&sources, &options);
        let summary: Vec<_> = plan
            .iter()
            .map(|c| (c.name.as_str(), c.ty, c.source))
            .collect();
        assert_eq!(
            summary,
            [
                ("A", Some(KustoType::Long), None),
                ("B", Some(KustoType::Bool), Some(1)),
                ("X", None, Some(0))
            ]
        );

        let columns = ["X".to_string(), "A".to_string(), "Nowhere".to_string()];
        let options = LoadOptions {
            columns: Some(&columns),
            ..options
        };
        let names: Vec<_> = plan_columns(&sources, &options)
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, ["A", "X"]);
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        assert_eq!(quote_value("abc"), "`abc`");
        assert_eq!(quote_value("a\nb"), "`a\\nb`");
        let long = "é".repeat(100);
        assert_eq!(quote_value(&long).chars().count(), 60 + 3);
    }
}
