//! Test-case files: their types, and reading them from YAML.
//!
//! A file is either one case (its top level holds `name`, the query, tables and `expect`) or
//! several: a `cases` list, whose entries inherit the top level's query, `now`, `options`,
//! `data` and `tables` (a case's tables are added to, or replace by name, the file's).
//!
//! Errors in the YAML itself (syntax, an unknown field, a wrong type) make the whole file
//! invalid and name its line. Errors found afterwards (a row without columns, a bad `now`)
//! make only their case invalid, named by the line where the case starts.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use kql_engine::types::KustoType;
use kql_parser::DiagnosticKind;
use serde::Deserialize;
use yaml_serde::Value;

use super::tidy_path;
use crate::rule::yaml_error;

/// A test-case file, read.
#[derive(Debug, Clone)]
pub struct TestFile {
    /// Its cases, in file order.
    pub cases: Vec<Case>,
}

/// One test case.
#[derive(Debug, Clone)]
pub struct Case {
    /// `name`: unique within its file.
    pub name: String,
    /// The file it is in.
    pub file: PathBuf,
    /// The 1-based line where it starts, when known.
    pub line: Option<usize>,
    /// Documentation fields: `description`, `source`.
    pub description: Option<String>,
    /// Where the case's data comes from.
    pub source: Option<String>,
    /// Why the query misses something it should find (the case records the miss).
    pub blind_spot: Option<String>,
    /// Why the query finds something harmless (the case records the false alarm).
    pub false_positive: Option<String>,
    /// `skip`: why the case is not run.
    pub skip: Option<String>,
    /// What to run and expect, or why the case is invalid.
    pub spec: Result<CaseSpec, String>,
}

impl Case {
    /// `path:line: name`, the way the case is named in reports.
    pub fn label(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}: {}", self.file.display(), self.name),
            None => format!("{}: {}", self.file.display(), self.name),
        }
    }

    /// `path:line`, for messages about the case.
    pub fn location(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.file.display()),
            None => self.file.display().to_string(),
        }
    }
}

/// What a valid case runs and expects.
#[derive(Debug, Clone)]
pub struct CaseSpec {
    /// The query.
    pub query: QuerySource,
    /// `now`, in nanoseconds since 1970; the current time when not given.
    pub now: Option<i64>,
    /// `options.allow_missing_columns`.
    pub allow_missing_columns: bool,
    /// The tables: the file's, then the case's own, each registered over the ones before, so
    /// that a case's table replaces the file's table of the same name.
    pub layers: Vec<TableLayer>,
    /// `expect`.
    pub expect: Expectation,
}

/// The tables given at one level, the file's or the case's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableLayer {
    /// `data`: folders whose every data file is a table named by its file stem.
    pub data: Vec<PathBuf>,
    /// `tables`, by name; registered after `data`, so they replace its tables of that name.
    pub tables: Vec<(String, TableSource)>,
}

/// Where a case's query comes from; paths are relative to the test file's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuerySource {
    /// `query`: the text itself.
    Inline(String),
    /// `query_file`: a `.kql` file.
    File(PathBuf),
    /// `rule`: a Sentinel analytics-rule YAML file.
    Rule(PathBuf),
}

/// A table of a case.
#[derive(Debug, Clone, PartialEq)]
pub enum TableSource {
    /// A data file (`.csv`, `.json`, `.jsonl`, `.parquet`).
    File(PathBuf),
    /// Rows written in the test file.
    Inline(InlineTable),
}

/// Rows written in the test file, with their columns.
#[derive(Debug, Clone, PartialEq)]
pub struct InlineTable {
    /// The columns, in order; empty when neither `columns` nor any row names one.
    pub columns: Vec<ColumnSpec>,
    /// The rows, one value per column (null where a row leaves a column out).
    pub rows: Vec<Vec<Value>>,
}

/// A column of an inline table: `Name` or `Name:type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// The name.
    pub name: String,
    /// The declared type; without one a known table's schema types the column, else its
    /// values do.
    pub ty: Option<KustoType>,
}

/// What a case expects. Every check given must hold.
#[derive(Debug, Clone, Default)]
pub struct Expectation {
    /// The query fails.
    pub error: Option<ExpectedError>,
    /// The result has exactly these rows.
    pub rows: Option<RowSet>,
    /// Whether `rows` are compared in order; by default, when the query ends by sorting.
    pub ordered: Option<bool>,
    /// Rows that must be in the result.
    pub contains: Vec<ExpectedRow>,
    /// Rows that must not be in the result.
    pub excludes: Vec<ExpectedRow>,
    /// The number of rows.
    pub count: Option<usize>,
    /// At least one row.
    pub some_rows: bool,
    /// Whether a rule raises an alert.
    pub alert: Option<bool>,
    /// Parts of warning messages that must be among the warnings.
    pub warnings: Vec<String>,
}

/// Expected rows on a list of columns.
#[derive(Debug, Clone, PartialEq)]
pub struct RowSet {
    /// The compared columns.
    pub columns: Vec<String>,
    /// One value per column, per row.
    pub rows: Vec<Vec<Value>>,
}

/// One expected row, on the columns it names.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedRow {
    /// Column name and value.
    pub cells: Vec<(String, Value)>,
}

/// An expected query error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpectedError {
    /// A part of the error message.
    pub message: Option<String>,
    /// The kind of error.
    pub kind: Option<DiagnosticKind>,
}

/// The fields of a case, and of a file's top level (where `cases` may also appear).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: Option<String>,
    description: Option<String>,
    source: Option<String>,
    blind_spot: Option<String>,
    false_positive: Option<String>,
    skip: Option<String>,
    query: Option<String>,
    query_file: Option<String>,
    rule: Option<String>,
    now: Option<String>,
    options: Option<RawOptions>,
    data: Option<OneOrMany>,
    tables: Option<BTreeMap<String, Value>>,
    expect: Option<Value>,
    cases: Option<Vec<RawCase>>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOptions {
    allow_missing_columns: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    rows: Option<Vec<Value>>,
    columns: Option<Vec<String>>,
    ordered: Option<bool>,
    contains: Option<Vec<Value>>,
    excludes: Option<Vec<Value>>,
    count: Option<usize>,
    error: Option<Value>,
    alert: Option<bool>,
    warnings: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    columns: Option<Vec<String>>,
    #[serde(default)]
    rows: Vec<Value>,
}

/// The words `expect` may be instead of a mapping.
const SHORTHANDS: &str = "`no_rows`, `some_rows`, `alert`, `no_alert` or `error`";

impl TestFile {
    /// Reads a test file. `Err` when it cannot be read or is not a valid test file as a
    /// whole; an invalid case is kept, with its error, so the others still run.
    pub fn load(path: &Path) -> Result<TestFile, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
        TestFile::parse(path, &text)
    }

    /// Reads a test file from its text.
    pub fn parse(path: &Path, text: &str) -> Result<TestFile, String> {
        let shown = path.display();
        let mut top: RawCase = yaml_serde::from_str(text)
            .map_err(|error| format!("{shown}: {}", yaml_error(&error)))?;
        let folder = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let Some(entries) = top.cases.take() else {
            let name = top.name.clone().unwrap_or_else(|| file_stem(path));
            let line = key_line(text, "name").or(Some(1));
            let mut case = build_case(path, &folder, line, name, &RawCase::default(), top);
            let location = case.location();
            if let Err(message) = &mut case.spec {
                *message = format!("{location}: {message}");
            }
            return Ok(TestFile { cases: vec![case] });
        };
        for field in ["name", "expect"] {
            let given = match field {
                "name" => top.name.is_some(),
                _ => top.expect.is_some(),
            };
            if given {
                let line = key_line(text, field).map_or(String::new(), |l| format!(":{l}"));
                return Err(format!(
                    "{shown}{line}: `{field}` belongs in each entry of `cases`"
                ));
            }
        }
        if entries.is_empty() {
            return Err(format!("{shown}: `cases` is empty"));
        }
        let lines = case_lines(text);
        let lines_known = lines.len() == entries.len();
        let mut seen = HashSet::new();
        let mut cases = Vec::new();
        for (index, mut entry) in entries.into_iter().enumerate() {
            let line = lines.get(index).copied().filter(|_| lines_known);
            let name = entry.name.take();
            let mut case = match name {
                Some(name) => build_case(path, &folder, line, name, &top, entry),
                None => {
                    let name = format!("cases[{index}]");
                    let mut case = build_case(path, &folder, line, name, &top, entry);
                    case.spec = Err("the case has no `name`".to_string());
                    case
                }
            };
            if !seen.insert(case.name.clone()) {
                case.spec = Err("another case of this file has the same name".to_string());
            }
            let location = format!("{}: case `{}`", case.location(), case.name);
            if let Err(message) = &mut case.spec {
                *message = format!("{location}: {message}");
            }
            cases.push(case);
        }
        Ok(TestFile { cases })
    }
}

/// A case from its own fields and the file's defaults.
fn build_case(
    file: &Path,
    folder: &Path,
    line: Option<usize>,
    name: String,
    defaults: &RawCase,
    raw: RawCase,
) -> Case {
    let skip = raw.skip.clone().or_else(|| defaults.skip.clone());
    let mut case = Case {
        name,
        file: file.to_path_buf(),
        line,
        description: raw.description.clone(),
        source: raw.source.clone(),
        blind_spot: raw.blind_spot.clone(),
        false_positive: raw.false_positive.clone(),
        skip,
        spec: Err(String::new()),
    };
    case.spec = case_spec(folder, defaults, raw);
    case
}

/// The runnable part of a case: its fields over the file's defaults, checked.
fn case_spec(folder: &Path, defaults: &RawCase, raw: RawCase) -> Result<CaseSpec, String> {
    if raw.cases.is_some() {
        return Err("a case cannot hold `cases`".to_string());
    }
    let resolve = |path: &str| tidy_path(&folder.join(path));
    let query = match query_source(&raw, &resolve)? {
        Some(query) => query,
        None => query_source(defaults, &resolve)?
            .ok_or("no query: give `query`, `query_file` or `rule`")?,
    };
    let now = match raw.now.as_ref().or(defaults.now.as_ref()) {
        Some(text) => Some(parse_now(text)?),
        None => None,
    };
    let allow_missing_columns = raw
        .options
        .and_then(|o| o.allow_missing_columns)
        .or_else(|| defaults.options.and_then(|o| o.allow_missing_columns))
        .unwrap_or(false);
    let layers = vec![
        table_layer(defaults.data.clone(), defaults.tables.clone(), &resolve)?,
        table_layer(raw.data, raw.tables, &resolve)?,
    ];

    let expect = match raw.expect {
        Some(value) => expectation(value)?,
        None => return Err("no `expect`: say what the query should return".to_string()),
    };
    if expect.alert.is_some() && !matches!(query, QuerySource::Rule(_)) {
        return Err("`alert` needs a Sentinel rule: give the query as `rule`".to_string());
    }
    Ok(CaseSpec {
        query,
        now,
        allow_missing_columns,
        layers,
        expect,
    })
}

/// The `data` and `tables` of one level.
fn table_layer(
    data: Option<OneOrMany>,
    tables: Option<BTreeMap<String, Value>>,
    resolve: &impl Fn(&str) -> PathBuf,
) -> Result<TableLayer, String> {
    let data = data
        .map(OneOrMany::into_vec)
        .unwrap_or_default()
        .iter()
        .map(|dir| resolve(dir))
        .collect();
    let mut sources = Vec::new();
    for (name, value) in tables.unwrap_or_default() {
        let source =
            table_source(value, resolve).map_err(|message| format!("table `{name}`: {message}"))?;
        sources.push((name, source));
    }
    Ok(TableLayer {
        data,
        tables: sources,
    })
}

/// The one of `query`, `query_file` and `rule` that `raw` gives, if any.
fn query_source(
    raw: &RawCase,
    resolve: &impl Fn(&str) -> PathBuf,
) -> Result<Option<QuerySource>, String> {
    let given = [
        raw.query
            .as_ref()
            .map(|text| QuerySource::Inline(text.clone())),
        raw.query_file
            .as_ref()
            .map(|path| QuerySource::File(resolve(path))),
        raw.rule
            .as_ref()
            .map(|path| QuerySource::Rule(resolve(path))),
    ];
    let mut given = given.into_iter().flatten();
    let first = given.next();
    if given.next().is_some() {
        return Err("give only one of `query`, `query_file` and `rule`".to_string());
    }
    Ok(first)
}

/// Reads `now` as RFC 3339.
fn parse_now(text: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .and_then(|time| time.timestamp_nanos_opt())
        .ok_or_else(|| {
            format!("`now` expects an RFC 3339 time such as `2026-11-27T12:00:00Z`, found `{text}`")
        })
}

/// A table: a file path, a list of rows, or `columns` and `rows`.
fn table_source(value: Value, resolve: &impl Fn(&str) -> PathBuf) -> Result<TableSource, String> {
    let (columns, rows) = match value {
        Value::String(path) => return Ok(TableSource::File(resolve(&path))),
        Value::Sequence(rows) => (None, rows),
        Value::Mapping(_) => {
            let raw: RawTable = yaml_serde::from_value(value).map_err(|e| e.to_string())?;
            (raw.columns, raw.rows)
        }
        _ => {
            return Err(
                "expected a file path, a list of rows, or `columns` and `rows`".to_string(),
            );
        }
    };
    let declared = match columns {
        Some(columns) => Some(
            columns
                .iter()
                .map(|spec| column_spec(spec))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    inline_table(declared, rows).map(TableSource::Inline)
}

/// `Name` or `Name:type`.
fn column_spec(text: &str) -> Result<ColumnSpec, String> {
    match text.rsplit_once(':') {
        Some((name, ty)) => {
            let ty = ty
                .trim()
                .parse::<KustoType>()
                .map_err(|_| format!("column `{text}`: unknown type `{}`", ty.trim()))?;
            Ok(ColumnSpec {
                name: name.trim().to_string(),
                ty: Some(ty),
            })
        }
        None => Ok(ColumnSpec {
            name: text.trim().to_string(),
            ty: None,
        }),
    }
}

/// Lines up rows (mappings, or lists of values in `columns` order) into columns.
fn inline_table(
    declared: Option<Vec<ColumnSpec>>,
    rows: Vec<Value>,
) -> Result<InlineTable, String> {
    let given_columns = declared.is_some();
    let mut columns = declared.unwrap_or_default();
    let mut seen: HashSet<String> = columns.iter().map(|c| c.name.clone()).collect();
    if seen.len() != columns.len() {
        return Err("`columns` names a column twice".to_string());
    }
    // Without `columns`, the columns are every key of every row, in order of appearance.
    if !given_columns {
        for row in &rows {
            if let Value::Mapping(cells) = row {
                for key in cells.keys() {
                    let name = key_name(key)?;
                    if seen.insert(name.clone()) {
                        columns.push(ColumnSpec { name, ty: None });
                    }
                }
            }
        }
    }
    let mut lined_up = Vec::new();
    for (index, row) in rows.into_iter().enumerate() {
        let number = index + 1;
        let values = match row {
            Value::Mapping(cells) => {
                let mut values = vec![Value::Null; columns.len()];
                for (key, value) in cells {
                    let name = key_name(&key)?;
                    let Some(slot) = columns
                        .iter()
                        .zip(values.iter_mut())
                        .find_map(|(c, slot)| (c.name == name).then_some(slot))
                    else {
                        return Err(format!("row {number}: `{name}` is not one of `columns`"));
                    };
                    *slot = value;
                }
                values
            }
            Value::Sequence(values) if given_columns => {
                if values.len() != columns.len() {
                    return Err(format!(
                        "row {number}: {} values for {} columns",
                        values.len(),
                        columns.len()
                    ));
                }
                values
            }
            Value::Sequence(_) => {
                return Err(format!(
                    "row {number}: a list of values needs `columns` to say what they are"
                ));
            }
            _ => {
                return Err(format!(
                    "row {number}: expected a mapping of column to value"
                ));
            }
        };
        lined_up.push(values);
    }
    Ok(InlineTable {
        columns,
        rows: lined_up,
    })
}

/// A mapping key as a column name.
fn key_name(key: &Value) -> Result<String, String> {
    match key {
        Value::String(name) => Ok(name.clone()),
        Value::Number(number) => Ok(number.to_string()),
        Value::Bool(flag) => Ok(flag.to_string()),
        _ => Err("a column name must be text".to_string()),
    }
}

/// `expect`: a shorthand word or a mapping of checks.
fn expectation(value: Value) -> Result<Expectation, String> {
    let raw = match value {
        Value::String(word) => {
            let mut expect = Expectation::default();
            match word.as_str() {
                "no_rows" => expect.count = Some(0),
                "some_rows" => expect.some_rows = true,
                "alert" => expect.alert = Some(true),
                "no_alert" => expect.alert = Some(false),
                "error" => expect.error = Some(ExpectedError::default()),
                _ => return Err(format!("expect: `{word}` is not {SHORTHANDS}")),
            }
            return Ok(expect);
        }
        Value::Mapping(_) => yaml_serde::from_value::<RawExpect>(value)
            .map_err(|error| format!("expect: {error}"))?,
        _ => return Err(format!("expect: give a mapping of checks, or {SHORTHANDS}")),
    };

    let error = raw.error.map(expected_error).transpose()?;
    let columns = raw.columns;
    if columns.is_some() && raw.rows.is_none() && raw.contains.is_none() && raw.excludes.is_none() {
        return Err("expect: `columns` says which columns `rows` give; give `rows`".to_string());
    }
    let rows = match raw.rows {
        Some(rows) => Some(row_set(columns.as_deref(), rows)?),
        None => None,
    };
    if raw.ordered.is_some() && rows.is_none() {
        return Err("expect: `ordered` is about `rows`; give `rows`".to_string());
    }
    let expect = Expectation {
        error,
        ordered: raw.ordered,
        contains: expected_rows("contains", columns.as_deref(), raw.contains)?,
        excludes: expected_rows("excludes", columns.as_deref(), raw.excludes)?,
        rows,
        count: raw.count,
        some_rows: false,
        alert: raw.alert,
        warnings: raw.warnings.unwrap_or_default(),
    };
    let about_rows = expect.rows.is_some()
        || !expect.contains.is_empty()
        || !expect.excludes.is_empty()
        || expect.count.is_some()
        || expect.alert.is_some();
    if expect.error.is_some() && about_rows {
        return Err("expect: a query expected to fail has no rows to check".to_string());
    }
    if expect.error.is_none() && !about_rows && expect.warnings.is_empty() {
        return Err("expect: nothing to check".to_string());
    }
    Ok(expect)
}

/// `error`: a part of the message, `true`, or `message` and `kind`.
fn expected_error(value: Value) -> Result<ExpectedError, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawError {
        message: Option<String>,
        kind: Option<String>,
    }
    let raw = match value {
        Value::Bool(true) => return Ok(ExpectedError::default()),
        Value::String(message) => RawError {
            message: Some(message),
            kind: None,
        },
        Value::Mapping(_) => {
            yaml_serde::from_value(value).map_err(|error| format!("expect.error: {error}"))?
        }
        _ => {
            return Err("expect.error: give a part of the message, or `message` and `kind`".into());
        }
    };
    let kind = match raw.kind.as_deref() {
        None => None,
        Some(text) => Some(error_kind(text).ok_or_else(|| {
            format!(
                "expect.error.kind: `{text}` is not `syntax`, `semantic`, `runtime`, \
                 `not_supported` or `internal`"
            )
        })?),
    };
    Ok(ExpectedError {
        message: raw.message,
        kind,
    })
}

/// A diagnostic kind by name: `semantic`, or its label `semantic error`.
fn error_kind(text: &str) -> Option<DiagnosticKind> {
    let kinds = [
        DiagnosticKind::Syntax,
        DiagnosticKind::Semantic,
        DiagnosticKind::Runtime,
        DiagnosticKind::NotSupported,
        DiagnosticKind::Internal,
    ];
    let text = text.trim().to_ascii_lowercase().replace('_', " ");
    kinds.into_iter().find(|kind| {
        let label = kind.label();
        label == text || label.strip_suffix(" error") == Some(text.as_str())
    })
}

/// `rows`: mappings of column to value, or lists of values in `columns` order.
fn row_set(columns: Option<&[String]>, rows: Vec<Value>) -> Result<RowSet, String> {
    let mut names: Option<Vec<String>> = columns.map(<[String]>::to_vec);
    let mut lined_up = Vec::new();
    for (index, row) in rows.into_iter().enumerate() {
        let at = format!("expect.rows[{index}]");
        let values = match row {
            Value::Sequence(values) => {
                let Some(names) = &names else {
                    return Err(format!("{at}: a list of values needs `columns`"));
                };
                if values.len() != names.len() {
                    let (got, want) = (values.len(), names.len());
                    return Err(format!("{at}: {got} values for {want} columns"));
                }
                values
            }
            Value::Mapping(cells) => {
                let mut pairs = Vec::new();
                for (key, value) in cells {
                    pairs.push((key_name(&key)?, value));
                }
                let names =
                    names.get_or_insert_with(|| pairs.iter().map(|p| p.0.clone()).collect());
                let mut values = Vec::new();
                for name in names.iter() {
                    match pairs.iter().find(|(key, _)| key == name) {
                        Some((_, found)) => values.push(found.clone()),
                        None => {
                            return Err(format!(
                                "{at}: no value for `{name}`; every row names the same columns"
                            ));
                        }
                    }
                }
                if pairs.len() != names.len() {
                    return Err(format!(
                        "{at}: a column the first row (or `columns`) does not name; \
                         every row names the same columns"
                    ));
                }
                values
            }
            _ => return Err(format!("{at}: expected a mapping of column to value")),
        };
        lined_up.push(values);
    }
    Ok(RowSet {
        columns: names.unwrap_or_default(),
        rows: lined_up,
    })
}

/// `contains` or `excludes`: rows compared on the columns each names.
fn expected_rows(
    field: &str,
    columns: Option<&[String]>,
    rows: Option<Vec<Value>>,
) -> Result<Vec<ExpectedRow>, String> {
    let mut expected = Vec::new();
    for (index, row) in rows.unwrap_or_default().into_iter().enumerate() {
        let at = format!("expect.{field}[{index}]");
        let cells = match (row, columns) {
            (Value::Mapping(cells), _) => {
                let mut pairs = Vec::new();
                for (key, value) in cells {
                    pairs.push((key_name(&key)?, value));
                }
                pairs
            }
            (Value::Sequence(values), Some(names)) if values.len() == names.len() => {
                names.iter().cloned().zip(values).collect()
            }
            (Value::Sequence(_), Some(_)) => {
                return Err(format!("{at}: as many values as `columns`, please"));
            }
            _ => return Err(format!("{at}: expected a mapping of column to value")),
        };
        if cells.is_empty() {
            return Err(format!("{at}: names no column"));
        }
        expected.push(ExpectedRow { cells });
    }
    Ok(expected)
}

/// The file name without `.test.yaml`: the name of a one-case file's case.
fn file_stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    super::TEST_FILE_SUFFIXES
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(&name)
        .to_string()
}

/// The 1-based line of the top-level `key:`.
fn key_line(text: &str, key: &str) -> Option<usize> {
    let prefix = format!("{key}:");
    text.lines()
        .position(|line| line.starts_with(&prefix))
        .map(|index| index + 1)
}

/// The 1-based line where each entry of the top-level `cases:` list starts, for a list in
/// block style (`- name: ...` lines); empty when the list is written otherwise.
fn case_lines(text: &str) -> Vec<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let header = lines.iter().position(|line| {
        line.strip_prefix("cases:")
            .is_some_and(|rest| rest.trim().is_empty() || rest.trim().starts_with('#'))
    });
    let Some(header) = header else {
        return Vec::new();
    };
    let mut starts = Vec::new();
    let mut item_indent = None;
    for (index, line) in lines.iter().enumerate().skip(header + 1) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let is_item = trimmed == "-" || trimmed.starts_with("- ");
        match item_indent {
            None if is_item => {
                item_indent = Some(indent);
                starts.push(index + 1);
            }
            None => break,
            Some(items) if indent == items && is_item => starts.push(index + 1),
            Some(items) if indent <= items => break,
            Some(_) => {}
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<TestFile, String> {
        TestFile::parse(Path::new("t/x.test.yaml"), text)
    }

    fn spec(case: &Case) -> &CaseSpec {
        case.spec.as_ref().expect("a valid case")
    }

    #[test]
    fn a_file_of_cases_with_defaults() {
        let file = parse(
            "\
rule: ../rule.yaml
now: 2026-11-27T12:00:00Z
options:
  allow_missing_columns: true
tables:
  Empty: []
cases:
  - name: one
    tables:
      Events:
        - {Name: a, Count: 1}
        - {Name: b}
    expect: no_rows

  - name: two
    query: Events | take 1
    tables:
      Empty: ../data/Empty.csv
    expect:
      rows:
        - {Name: a}
",
        )
        .expect("valid");
        assert_eq!(file.cases.len(), 2);
        let one = &file.cases[0];
        assert_eq!(one.line, Some(8));
        assert_eq!(one.label(), "t/x.test.yaml:8: one");
        let one = spec(one);
        assert_eq!(one.query, QuerySource::Rule(PathBuf::from("rule.yaml")));
        assert!(one.allow_missing_columns);
        assert_eq!(one.expect.count, Some(0));
        assert_eq!(one.layers[0].tables.len(), 1);
        let TableSource::Inline(events) = &one.layers[1].tables[0].1 else {
            panic!("inline rows")
        };
        let names: Vec<&str> = events.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Name", "Count"]);
        assert_eq!(events.rows[1][1], Value::Null);

        let two = &file.cases[1];
        assert_eq!(two.line, Some(15));
        let two = spec(two);
        assert_eq!(two.query, QuerySource::Inline("Events | take 1".into()));
        assert_eq!(
            two.layers[1].tables[0].1,
            TableSource::File(PathBuf::from("data/Empty.csv"))
        );
        let rows = two.expect.rows.as_ref().expect("rows");
        assert_eq!(rows.columns, ["Name"]);
    }

    #[test]
    fn a_one_case_file() {
        let file = parse("query: print x = 1\nexpect:\n  count: 1\n").expect("valid");
        assert_eq!(file.cases.len(), 1);
        assert_eq!(file.cases[0].name, "x");
        assert_eq!(spec(&file.cases[0]).expect.count, Some(1));
    }

    #[test]
    fn yaml_errors_name_the_line() {
        let error = parse("cases:\n  - name: a\n    expect: no_rows\n    qurey: x\n").unwrap_err();
        assert!(error.starts_with("t/x.test.yaml: line 4: "), "{error}");
        assert!(error.contains("unknown field `qurey`"), "{error}");
        let error = parse("cases: [\n").unwrap_err();
        assert!(error.starts_with("t/x.test.yaml: line "), "{error}");
    }

    #[test]
    fn case_errors_name_the_case() {
        let file = parse(
            "\
query: T
cases:
  - name: fine
    expect: no_rows
  - name: bad
    expect: nothing
  - name: fine
    expect: some_rows
  - expect: no_rows
",
        )
        .expect("the file is readable");
        assert!(file.cases[0].spec.is_ok());
        let error = |index: usize| file.cases[index].spec.as_ref().unwrap_err().clone();
        assert_eq!(
            error(1),
            "t/x.test.yaml:5: case `bad`: expect: `nothing` is not `no_rows`, `some_rows`, \
             `alert`, `no_alert` or `error`"
        );
        assert!(error(2).contains("same name"), "{}", error(2));
        assert!(
            error(3).contains(":9: case `cases[3]`: the case has no `name`"),
            "{}",
            error(3)
        );
    }

    #[test]
    fn checks_that_make_no_sense() {
        let problem = |expect: &str| {
            let text = format!("query: T\ncases:\n  - name: a\n    expect:\n{expect}");
            let file = parse(&text).expect("readable");
            file.cases[0].spec.as_ref().unwrap_err().clone()
        };
        assert!(problem("      error: x\n      count: 1\n").contains("expected to fail"));
        assert!(problem("      alert: true\n").contains("needs a Sentinel rule"));
        assert!(problem("      ordered: true\n").contains("give `rows`"));
        assert!(problem("      rows: [[1]]\n").contains("needs `columns`"));
        assert!(problem("      rows: [{a: 1}, {b: 1}]\n").contains("expect.rows[1]"));
        assert!(problem("      error: {kind: typo}\n").contains("`typo` is not"));
        assert!(problem("      {}\n").contains("nothing to check"));
    }

    #[test]
    fn typed_columns_and_positional_rows() {
        let file = parse(
            "\
query: T
tables:
  T:
    columns: [When:datetime, N:long, Text]
    rows:
      - [2026-01-01T00:00:00Z, 1, a]
      - {N: 2}
expect: {count: 2}
",
        )
        .expect("valid");
        let TableSource::Inline(table) = &spec(&file.cases[0]).layers[1].tables[0].1 else {
            panic!("inline")
        };
        assert_eq!(table.columns[0].ty, Some(KustoType::DateTime));
        assert_eq!(table.columns[2].ty, None);
        assert_eq!(table.rows[1], [Value::Null, Value::from(2), Value::Null]);
    }

    #[test]
    fn error_kinds_by_name_or_label() {
        assert_eq!(error_kind("semantic"), Some(DiagnosticKind::Semantic));
        assert_eq!(error_kind("semantic error"), Some(DiagnosticKind::Semantic));
        assert_eq!(
            error_kind("not_supported"),
            Some(DiagnosticKind::NotSupported)
        );
        assert_eq!(error_kind("Syntax"), Some(DiagnosticKind::Syntax));
        assert_eq!(error_kind("load"), None);
    }
}
