//! Running a case: registering its tables, running its query (or its rule, as Sentinel
//! would), and checking every expectation.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kql_engine::types::KustoType;
use kql_engine::{Engine, Options, QueryResult, ResultTable};
use kql_parser::{Diagnostic, Severity};

use super::compare::{self, Key, diff_rows, expected_cell, multiset_difference, result_keys};
use super::model::{
    Case, CaseSpec, Expectation, ExpectedError, ExpectedRow, InlineTable, QuerySource, TableSource,
};
use crate::commands::QueryText;
use crate::commands::run::data_dir;
use crate::failure::Failure;
use crate::rule::Rule;

/// How a case went.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Every expectation held.
    Passed,
    /// Some expectation did not hold; what went wrong, one entry per failed check.
    Failed(Vec<Mismatch>),
    /// The case could not be run: the test file or a file it names is wrong.
    Broken(String),
    /// The case says `skip`, with this reason.
    Skipped(String),
}

/// One failed check: a one-line summary and the lines that show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// What failed, in one line.
    pub summary: String,
    /// Rows, diagnostics or other detail, one line each.
    pub details: Vec<String>,
}

impl Mismatch {
    fn new(summary: impl Into<String>) -> Mismatch {
        Mismatch {
            summary: summary.into(),
            details: Vec::new(),
        }
    }

    fn with_details(mut self, details: Vec<String>) -> Mismatch {
        self.details = details;
        self
    }
}

/// A case's outcome and how long it took.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// How it went.
    pub outcome: Outcome,
    /// The time it took.
    pub elapsed: Duration,
}

/// Runs cases, reading each rule or query file once.
#[derive(Debug, Default)]
pub struct Runner {
    rules: HashMap<PathBuf, Result<Rule, String>>,
    query_files: HashMap<PathBuf, Result<String, String>>,
}

/// What a case's query is, once read.
enum Query<'a> {
    /// Query text, and where it comes from for diagnostics: a file, or `query`.
    Text(&'a str, String),
    Rule(&'a Rule),
}

impl Query<'_> {
    fn text(&self) -> &str {
        match self {
            Query::Text(text, _) => text,
            Query::Rule(rule) => &rule.query,
        }
    }
}

impl Runner {
    /// A runner with nothing read yet.
    pub fn new() -> Runner {
        Runner::default()
    }

    /// Runs one case.
    pub fn run(&mut self, case: &Case) -> CaseResult {
        let started = Instant::now();
        let outcome = match (&case.skip, &case.spec) {
            (Some(reason), _) => Outcome::Skipped(reason.clone()),
            (None, Err(message)) => Outcome::Broken(message.clone()),
            (None, Ok(spec)) => self.run_spec(case, spec),
        };
        CaseResult {
            outcome,
            elapsed: started.elapsed(),
        }
    }

    fn run_spec(&mut self, case: &Case, spec: &CaseSpec) -> Outcome {
        let broken = |message: String| Outcome::Broken(format!("{}: {message}", case.location()));
        let query = match &spec.query {
            QuerySource::Inline(text) => Query::Text(text, "query".to_string()),
            QuerySource::File(path) => {
                let read = self.query_files.entry(path.clone()).or_insert_with(|| {
                    std::fs::read_to_string(path)
                        .map_err(|error| format!("cannot read `{}`: {error}", path.display()))
                });
                match read {
                    Ok(text) => Query::Text(text, path.display().to_string()),
                    Err(message) => return broken(message.clone()),
                }
            }
            QuerySource::Rule(path) => {
                let rule = self
                    .rules
                    .entry(path.clone())
                    .or_insert_with(|| Rule::load(path));
                match rule {
                    Ok(rule) => Query::Rule(rule),
                    Err(message) => return broken(message.clone()),
                }
            }
        };

        let mut engine = Engine::new().with_options(Options {
            now: spec.now,
            allow_missing_columns: spec.allow_missing_columns,
            ..Options::default()
        });
        // Inline tables are written to files that must outlive the run: the engine may read
        // a registered file again when the query runs.
        let mut scratch = ScratchFiles::default();
        if let Err(message) = register_tables(&mut engine, spec, &mut scratch) {
            return broken(message);
        }
        if let Query::Rule(rule) = &query
            && let Some(period) = &rule.query_period
            && let Err(message) = keep_query_period(&mut engine, period.duration)
        {
            return broken(format!("applying the rule's queryPeriod: {message}"));
        }

        let result = engine.run(query.text());
        let mismatches = match result {
            Err(kql_engine::Error::Query(diagnostics)) => {
                failed_query(&query, &spec.expect, &diagnostics)
            }
            Err(error) => return broken(error.to_string()),
            Ok(result) => match check_result(&query, &spec.expect, &result) {
                Ok(mismatches) => mismatches,
                Err(message) => return broken(message),
            },
        };
        if mismatches.is_empty() {
            Outcome::Passed
        } else {
            Outcome::Failed(mismatches)
        }
    }
}

/// Registers the file's `data` folders and `tables`, then the case's, each over the ones
/// before.
fn register_tables(
    engine: &mut Engine,
    spec: &CaseSpec,
    scratch: &mut ScratchFiles,
) -> Result<(), String> {
    for layer in &spec.layers {
        for dir in &layer.data {
            let files = data_dir(dir).map_err(|failure| match failure {
                Failure::Input(message) | Failure::Usage(message) => message,
                other => format!("{other:?}"),
            })?;
            for (name, path) in files {
                engine
                    .register_file(&name, &path)
                    .map_err(|error| error.to_string())?;
            }
        }
        for (name, source) in &layer.tables {
            match source {
                TableSource::File(path) => engine
                    .register_file(name, path)
                    .map_err(|error| format!("table `{name}`: {error}"))?,
                TableSource::Inline(table) => register_inline(engine, name, table, scratch)?,
            }
        }
    }
    Ok(())
}

/// Temporary files, removed when dropped.
#[derive(Debug, Default)]
struct ScratchFiles(Vec<PathBuf>);

impl Drop for ScratchFiles {
    fn drop(&mut self) {
        for path in &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Numbers the temporary files of inline tables within this process.
static INLINE_FILES: AtomicUsize = AtomicUsize::new(0);

/// Registers rows written in a test file. They are written to a temporary file in the Log
/// Analytics response shape and loaded like any table file, so a known table's columns get
/// its documented types (and the ones not given exist, empty), and others are typed by their
/// declared type or their values, exactly as when loading a file.
fn register_inline(
    engine: &mut Engine,
    name: &str,
    table: &InlineTable,
    scratch: &mut ScratchFiles,
) -> Result<(), String> {
    if table.columns.is_empty() {
        let Some(schema) = engine.catalog_mut().get(name).map(|s| s.arrow_schema()) else {
            return Err(format!(
                "table `{name}` has no rows and no `columns`; give its columns (only tables \
                 kql knows, such as SecurityEvent, can be empty without them)"
            ));
        };
        return engine
            .register_schema_batches(name, &schema, Vec::new())
            .map_err(|error| format!("table `{name}`: {error}"));
    }
    let mut text = String::from("{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[");
    for (index, column) in table.columns.iter().enumerate() {
        let mut entry = serde_json::json!({"name": column.name});
        if let (Some(ty), Some(entry)) = (column.ty, entry.as_object_mut()) {
            entry.insert("type".to_string(), ty.to_string().into());
        }
        let comma = if index == 0 { "" } else { "," };
        let _ = write!(text, "{comma}{entry}");
    }
    text.push_str("],\"rows\":[\n");
    // One row per line, so the loader's line N is row N - 1.
    for (index, row) in table.rows.iter().enumerate() {
        let cells = row
            .iter()
            .map(json_cell)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|message| format!("table `{name}`, row {}: {message}", index + 1))?;
        let comma = if index + 1 == table.rows.len() {
            ""
        } else {
            ","
        };
        let _ = writeln!(text, "{}{comma}", serde_json::Value::Array(cells));
    }
    text.push_str("]}]}\n");

    let number = INLINE_FILES.fetch_add(1, Ordering::Relaxed);
    let file_name = format!("kql-test-{}-{number}-{name}.json", std::process::id());
    let path = std::env::temp_dir().join(file_name.replace(['/', '\\'], "_"));
    std::fs::write(&path, text)
        .map_err(|error| format!("cannot write `{}`: {error}", path.display()))?;
    scratch.0.push(path.clone());
    engine
        .register_file(name, &path)
        .map_err(|error| match error {
            kql_engine::Error::Load(error) => {
                let mut message = format!("table `{name}`");
                if let Some(line) = error.line.filter(|line| *line > 1) {
                    let _ = write!(message, ", row {}", line - 1);
                }
                if let Some(column) = &error.column {
                    let _ = write!(message, ", column `{column}`");
                }
                format!("{message}: {}", error.message)
            }
            other => format!("table `{name}`: {other}"),
        })
}

/// A YAML value of an inline row as JSON.
fn json_cell(value: &yaml_serde::Value) -> Result<serde_json::Value, String> {
    match value {
        yaml_serde::Value::Number(number) if number.as_f64().is_some_and(|x| !x.is_finite()) => {
            Ok(serde_json::Value::String(number.to_string()))
        }
        yaml_serde::Value::Tagged(tagged) => Err(format!("unexpected YAML tag `{}`", tagged.tag)),
        other => serde_json::to_value(other).map_err(|error| error.to_string()),
    }
}

/// Keeps only the rows a scheduled rule's run would see: Sentinel runs the query over the
/// last `queryPeriod`, so every table with a `TimeGenerated` datetime column is cut to
/// `now - period .. now`.
fn keep_query_period(engine: &mut Engine, period: Duration) -> Result<(), String> {
    let names: Vec<String> = engine.table_names().map(str::to_string).collect();
    let seconds = period.as_secs().max(1);
    for name in names {
        let table = format!("['{}']", name.replace('\\', "\\\\").replace('\'', "\\'"));
        let schemas = engine
            .result_schemas(&table)
            .map_err(|error| error.to_string())?;
        let Some(schema) = schemas.first() else {
            continue;
        };
        let timed = schema.fields().iter().any(|f| {
            f.name() == "TimeGenerated" && KustoType::of_field(f) == Some(KustoType::DateTime)
        });
        if !timed {
            continue;
        }
        let query = format!("{table} | where TimeGenerated between (ago({seconds}s) .. now())");
        let result = engine.run(&query).map_err(|error| error.to_string())?;
        if let Some(kept) = result.tables.into_iter().next() {
            engine
                .register_schema_batches(&name, &kept.schema, kept.batches)
                .map_err(|error| error.to_string())?;
        }
    }
    Ok(())
}

/// The checks of a query that failed.
fn failed_query(query: &Query, expect: &Expectation, diagnostics: &[Diagnostic]) -> Vec<Mismatch> {
    let rendered = render(query, diagnostics);
    let Some(expected) = &expect.error else {
        return vec![Mismatch::new("the query failed").with_details(rendered)];
    };
    let errors: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if error_matches(expected, &errors) {
        return Vec::new();
    }
    let mut wanted = Vec::new();
    if let Some(kind) = expected.kind {
        wanted.push(format!("a {}", kind.label()));
    }
    if let Some(message) = &expected.message {
        wanted.push(format!("a message containing `{message}`"));
    }
    vec![
        Mismatch::new(format!(
            "expected {}, but the query failed with:",
            wanted.join(" with ")
        ))
        .with_details(rendered),
    ]
}

/// True when some error has the expected kind and message.
fn error_matches(expected: &ExpectedError, errors: &[&Diagnostic]) -> bool {
    errors.iter().any(|error| {
        expected.kind.is_none_or(|kind| kind == error.kind)
            && expected
                .message
                .as_deref()
                .is_none_or(|part| error.message.contains(part) || error.to_string().contains(part))
    })
}

/// Diagnostics as plain text lines, placed in the rule file for a rule.
fn render(query: &Query, diagnostics: &[Diagnostic]) -> Vec<String> {
    let (shown, diagnostics) = match query {
        Query::Text(text, origin) => (
            QueryText {
                text: text.to_string(),
                origin: origin.clone(),
            },
            diagnostics.to_vec(),
        ),
        Query::Rule(rule) => (
            rule.shown_text(),
            rule.place_diagnostics(diagnostics.to_vec()),
        ),
    };
    diagnostics
        .iter()
        .flat_map(|d| {
            let text = d.render(&shown.text, &shown.origin);
            text.lines().map(str::to_string).collect::<Vec<_>>()
        })
        .collect()
}

/// The checks of a query that ran. `Err` for a mistake in the test file, such as an
/// expected value that cannot be read as its column's type.
fn check_result(
    query: &Query,
    expect: &Expectation,
    result: &QueryResult,
) -> Result<Vec<Mismatch>, String> {
    let mut mismatches = Vec::new();
    let empty;
    let table = match result.tables.first() {
        Some(table) => table,
        None => {
            empty = ResultTable {
                schema: std::sync::Arc::new(arrow::datatypes::Schema::empty()),
                batches: Vec::new(),
                truncated: false,
            };
            &empty
        }
    };
    let rows = table.num_rows();

    if let Some(expected) = &expect.error {
        let what = expected
            .message
            .as_ref()
            .map_or(String::new(), |m| format!(" with `{m}`"));
        mismatches.push(Mismatch::new(format!(
            "expected the query to fail{what}, but it returned {}",
            plural(rows, "row")
        )));
        return Ok(mismatches);
    }
    if let Some(count) = expect.count
        && count != rows
    {
        let summary = format!("expected {}, got {rows}", plural(count, "row"));
        mismatches.push(Mismatch::new(summary).with_details(preview(table)));
    }
    if expect.some_rows && rows == 0 {
        mismatches.push(Mismatch::new("expected some rows, got none"));
    }
    if let (Some(alert), Query::Rule(rule)) = (expect.alert, query) {
        let fires = rule.trigger.fires(rows);
        if fires != alert {
            let (wanted, got) = if alert {
                ("an alert", "no alert")
            } else {
                ("no alert", "an alert")
            };
            mismatches.push(Mismatch::new(format!(
                "expected {wanted}, got {got}: the rule alerts on {}, and the query returned {}",
                rule.trigger,
                plural(rows, "row")
            )));
        }
    }
    if let Some(set) = &expect.rows {
        let ordered = expect
            .ordered
            .unwrap_or_else(|| compare::query_sorts(query.text()));
        let expected = expected_keys(table, &set.columns, &set.rows, "expect.rows")?;
        match expected {
            Err(mismatch) => mismatches.push(mismatch),
            Ok((columns, expected)) => {
                let got = result_keys(&table.schema, &table.batches, &columns);
                if let Some(lines) = diff_rows(&set.columns, &expected, &got, ordered) {
                    let summary = lines.first().cloned().unwrap_or_default();
                    let details = lines.iter().skip(1).cloned().collect();
                    mismatches.push(Mismatch::new(summary).with_details(details));
                }
            }
        }
    }
    for (field, rows, wanted) in [
        ("contains", &expect.contains, true),
        ("excludes", &expect.excludes, false),
    ] {
        if let Some(mismatch) = check_listed_rows(table, field, rows, wanted)? {
            mismatches.push(mismatch);
        }
    }
    for part in &expect.warnings {
        if !result
            .warnings
            .iter()
            .any(|w| w.message.contains(part.as_str()))
        {
            let shown: Vec<String> = result
                .warnings
                .iter()
                .map(|w| format!("  {}", w.message))
                .collect();
            let summary = if shown.is_empty() {
                format!("expected a warning containing `{part}`, got no warning")
            } else {
                format!("expected a warning containing `{part}`; the warnings were:")
            };
            mismatches.push(Mismatch::new(summary).with_details(shown));
        }
    }
    if let Query::Rule(rule) = query {
        let missing = rule.missing_columns(&table.schema);
        if !missing.is_empty() {
            let details = missing.iter().map(|d| d.message.clone()).collect();
            mismatches.push(
                Mismatch::new("the rule maps entities or details to columns the result lacks")
                    .with_details(details),
            );
        }
    }
    Ok(mismatches)
}

/// `contains` (each row must be in the result, repeats counted) or `excludes` (no row may
/// be), each row compared on the columns it names.
fn check_listed_rows(
    table: &ResultTable,
    field: &str,
    rows: &[ExpectedRow],
    wanted: bool,
) -> Result<Option<Mismatch>, String> {
    let mut bad: Vec<(Vec<String>, Key)> = Vec::new();
    // Rows naming the same columns are checked together, so repeats are counted.
    let mut groups: Vec<(Vec<String>, Vec<Vec<yaml_serde::Value>>)> = Vec::new();
    for row in rows {
        let names: Vec<String> = row.cells.iter().map(|(name, _)| name.clone()).collect();
        let values = row.cells.iter().map(|(_, value)| value.clone()).collect();
        match groups.iter_mut().find(|(columns, _)| *columns == names) {
            Some((_, group)) => group.push(values),
            None => groups.push((names, vec![values])),
        }
    }
    for (names, values) in &groups {
        let (columns, expected) =
            match expected_keys(table, names, values, &format!("expect.{field}"))? {
                Ok(found) => found,
                Err(mismatch) => return Ok(Some(mismatch)),
            };
        let got = result_keys(&table.schema, &table.batches, &columns);
        if wanted {
            let (missing, _) = multiset_difference(&expected, &got);
            bad.extend(missing.into_iter().map(|key| (names.clone(), key.clone())));
        } else {
            bad.extend(
                expected
                    .into_iter()
                    .filter(|key| got.contains(key))
                    .map(|key| (names.clone(), key)),
            );
        }
    }
    if bad.is_empty() {
        return Ok(None);
    }
    let summary = if wanted {
        format!(
            "the result lacks {} of `contains`:",
            plural(bad.len(), "row")
        )
    } else {
        format!("the result has {} of `excludes`:", plural(bad.len(), "row"))
    };
    let mut details = Vec::new();
    for (names, key) in &bad {
        details.extend(compare::table_lines(
            names,
            &[(if wanted { '-' } else { '+' }, key)],
        ));
    }
    Ok(Some(Mismatch::new(summary).with_details(details)))
}

/// The result's indexes of the expected columns and the expected rows as keys on them, or the
/// failed check when the result lacks a column.
type ExpectedKeys = Result<(Vec<usize>, Vec<Key>), Mismatch>;

/// Expected rows as keys on the result's columns: `Ok(Err(..))` when the result lacks a
/// named column (a failed check), `Err` when a value cannot be read as its column's type.
fn expected_keys(
    table: &ResultTable,
    names: &[String],
    rows: &[Vec<yaml_serde::Value>],
    field: &str,
) -> Result<ExpectedKeys, String> {
    let mut columns = Vec::new();
    for name in names {
        match table.schema.index_of(name) {
            Ok(index) => columns.push(index),
            Err(_) => {
                let all: Vec<&str> = table
                    .schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect();
                let mismatch = Mismatch::new(format!("the result has no column `{name}`"))
                    .with_details(vec![format!("its columns: {}", all.join(", "))]);
                return Ok(Err(mismatch));
            }
        }
    }
    let types: Vec<Option<KustoType>> = columns
        .iter()
        .map(|&index| KustoType::of_field(table.schema.field(index)))
        .collect();
    let mut keys = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let mut key = Vec::new();
        for ((value, ty), name) in row.iter().zip(&types).zip(names) {
            let cell = expected_cell(value, *ty)
                .map_err(|message| format!("{field}[{index}].{name}: {message}"))?;
            key.push(cell);
        }
        keys.push(key);
    }
    Ok(Ok((columns, keys)))
}

/// Up to three result rows, each as its non-empty cells, to show with a wrong count.
fn preview(table: &ResultTable) -> Vec<String> {
    const ROWS: usize = 3;
    const CELLS: usize = 8;
    const WIDTH: usize = 100;
    let all: Vec<usize> = (0..table.schema.fields().len()).collect();
    let keys = result_keys(&table.schema, &table.batches, &all);
    let mut lines = Vec::new();
    for (number, key) in keys.iter().take(ROWS).enumerate() {
        let cells: Vec<String> = key
            .iter()
            .zip(table.schema.fields())
            .filter_map(|(cell, field)| cell.as_ref().map(|text| (field.name(), text)))
            .take(CELLS)
            .map(|(name, text)| {
                let text: String = if text.chars().count() > WIDTH {
                    text.chars().take(WIDTH).chain(['…']).collect()
                } else {
                    text.clone()
                };
                format!("{name}={text}")
            })
            .collect();
        lines.push(format!("row {}: {}", number + 1, cells.join(", ")));
    }
    if keys.len() > ROWS {
        lines.push(format!("... and {} more rows", keys.len() - ROWS));
    }
    lines
}

/// `1 row`, `2 rows`.
fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
