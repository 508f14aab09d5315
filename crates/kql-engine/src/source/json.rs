//! JSON documents and JSON Lines.
//!
//! Shapes read from a `.json` file:
//!
//! - an array of row objects, keys varying between rows (a missing key is a null or `""`);
//! - the Log Analytics query API response, `{"tables": [{"name", "columns": [{"name", "type"}],
//!   "rows": [[...], ...]}]}`: the first table, typed by its declared column types;
//! - a Kusto REST v1 response, `{"Tables": [{"Columns": [{"ColumnName", "ColumnType"}],
//!   "Rows"}]}`: the first table;
//! - a Kusto REST v2 response, an array of frames: the `DataTable` frame whose `TableKind` is
//!   `PrimaryResult`, typed by its `Columns`;
//! - one object per line (a `.json` file holding JSON Lines, as OTRF's datasets do), read as
//!   JSON Lines.
//!
//! Nested objects and arrays become `dynamic` values holding their JSON text.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::raw::{CellKind, RawColumnBuilder, RawTableBuilder, into_table};
use super::{
    LoadError, LoadOptions, LoadedTable, SourceColumn, check_unique_names, needed_sources,
    plan_columns,
};
use crate::catalog::parse_type_name;

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// Loads a `.json` file in any of the shapes in the module docs.
pub(super) fn load_json(path: &Path, options: &LoadOptions) -> Result<LoadedTable, LoadError> {
    let bytes =
        std::fs::read(path).map_err(|e| LoadError::new(path, format!("cannot open: {e}")))?;
    let text = bytes.strip_prefix(BYTE_ORDER_MARK).unwrap_or(&bytes);
    // An empty file is most likely an export that failed, not a table without rows (that
    // is `[]`): it is an error, as for CSV.
    let Some(start) = text.iter().position(|b| !b.is_ascii_whitespace()) else {
        let message = "the file is empty: expected a JSON array or object";
        return Err(LoadError::new(path, message));
    };
    if !matches!(text.get(start), Some(b'[' | b'{')) {
        let line = line_of(text, start);
        let message = "expected a JSON array or object at the top level";
        return Err(LoadError::new(path, message).with_line(line));
    }

    let mut stream = serde_json::Deserializer::from_slice(text).into_iter::<Json>();
    let document = match stream.next() {
        Some(Ok(document)) => document,
        Some(Err(e)) => return Err(json_error(path, &e, None)),
        None => return ObjectRows::new(options, false).finish(path, options, &mut |_| None),
    };
    let rest = text.get(stream.byte_offset()..).unwrap_or_default();
    if rest.iter().any(|b| !b.is_ascii_whitespace()) {
        if matches!(document, Json::Object(_)) {
            return read_lines(path, text, options);
        }
        // Let serde_json word the error about what follows the array.
        if let Err(e) = serde_json::from_slice::<de::IgnoredAny>(text) {
            return Err(json_error(path, &e, None));
        }
    }
    read_document(path, text, &document, options)
}

/// Loads a JSON Lines file: one object per line; blank lines are skipped.
pub(super) fn load_json_lines(
    path: &Path,
    options: &LoadOptions,
) -> Result<LoadedTable, LoadError> {
    let file = File::open(path).map_err(|e| LoadError::new(path, format!("cannot open: {e}")))?;
    read_lines(path, BufReader::new(file), options)
}

fn read_lines(
    path: &Path,
    mut input: impl BufRead,
    options: &LoadOptions,
) -> Result<LoadedTable, LoadError> {
    let mut rows = ObjectRows::new(options, true);
    let mut buf = Vec::new();
    let mut line = 0;
    let mut empty = true;
    loop {
        buf.clear();
        let read = input.read_until(b'\n', &mut buf);
        if read.map_err(|e| LoadError::new(path, format!("cannot read: {e}")))? == 0 {
            break;
        }
        line += 1;
        let bytes = if line == 1 {
            buf.strip_prefix(BYTE_ORDER_MARK).unwrap_or(&buf)
        } else {
            &buf
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        empty = false;
        let fields = match serde_json::from_slice(bytes) {
            Ok(Json::Object(fields)) => fields,
            Ok(value) => {
                let message = format!("expected one JSON object per line, found {}", value.kind());
                rows.bad_row(LoadError::new(path, message).with_line(line))?;
                continue;
            }
            Err(e) => {
                rows.bad_row(json_error(path, &e, Some(line)))?;
                continue;
            }
        };
        rows.push(&fields)
            .map_err(|e| e.with_path(path).with_line(line))?;
        rows.end_row(Some(line));
    }
    if empty {
        // As for CSV and JSON: no record at all is most likely a failed export.
        let message = "the file is empty: expected one JSON object per line";
        return Err(LoadError::new(path, message));
    }
    rows.finish(path, options, &mut |_| None)
}

/// Reads a whole JSON document of a known shape.
fn read_document(
    path: &Path,
    text: &[u8],
    document: &Json,
    options: &LoadOptions,
) -> Result<LoadedTable, LoadError> {
    match document {
        Json::Array(items) if is_v2_response(items) => {
            let found = items.iter().position(|frame| {
                has_string(frame, "FrameType", "DataTable")
                    && has_string(frame, "TableKind", "PrimaryResult")
            });
            let (Some(index), Some(frame)) = (found, found.and_then(|i| items.get(i))) else {
                let message = "Kusto response has no `DataTable` frame of kind `PrimaryResult`";
                return Err(LoadError::new(path, message));
            };
            let shape = TableShape {
                table: frame,
                columns_key: "Columns",
                name_key: "ColumnName",
                type_keys: &["ColumnType", "DataType"],
                rows_key: "Rows",
                rows_path: vec![Step::Index(index), Step::Key("Rows")],
            };
            read_positional(path, text, &shape, options)
        }
        Json::Array(items) => {
            let mut lines = LazyLines::new(text, Vec::new());
            let mut rows = ObjectRows::new(options, false);
            for (row, item) in items.iter().enumerate() {
                let located = |error: LoadError, lines: &mut LazyLines| match lines.get(row) {
                    Some(line) => error.with_line(line),
                    None => error,
                };
                let Json::Object(fields) = item else {
                    let message = format!("expected a row object, found {}", item.kind());
                    return Err(located(LoadError::new(path, message), &mut lines));
                };
                rows.push(fields)
                    .map_err(|e| located(e.with_path(path), &mut lines))?;
                rows.end_row(None);
            }
            rows.finish(path, options, &mut |row| lines.get(row))
        }
        Json::Object(_) => {
            let (tables_key, columns_key, name_key, type_keys, rows_key): (_, _, _, &[_], _) =
                if document.get("tables").is_some() {
                    ("tables", "columns", "name", &["type"], "rows")
                } else if document.get("Tables").is_some() {
                    (
                        "Tables",
                        "Columns",
                        "ColumnName",
                        &["ColumnType", "DataType"],
                        "Rows",
                    )
                } else {
                    return read_single_object(path, text, document, options);
                };
            let Some(Json::Array(tables)) = document.get(tables_key) else {
                let message = format!("expected `{tables_key}` to be an array");
                return Err(LoadError::new(path, message));
            };
            let Some(table) = tables.first() else {
                let message = format!("the response has no table: `{tables_key}` is empty");
                return Err(LoadError::new(path, message));
            };
            let rows_path = vec![Step::Key(tables_key), Step::Index(0), Step::Key(rows_key)];
            let shape = TableShape {
                table,
                columns_key,
                name_key,
                type_keys,
                rows_key,
                rows_path,
            };
            read_positional(path, text, &shape, options)
        }
        other => {
            let message = format!("expected a JSON array or object, found {}", other.kind());
            Err(LoadError::new(path, message))
        }
    }
}

/// True when `object[key]` is the string `value`.
fn has_string(object: &Json, key: &str, value: &str) -> bool {
    matches!(object.get(key), Some(Json::String(s)) if s == value)
}

fn is_v2_response(items: &[Json]) -> bool {
    !items.is_empty() && items.iter().all(|item| item.get("FrameType").is_some())
}

/// A document that is one object of none of the response shapes: a table of one row.
fn read_single_object(
    path: &Path,
    text: &[u8],
    document: &Json,
    options: &LoadOptions,
) -> Result<LoadedTable, LoadError> {
    let line = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|start| line_of(text, start));
    let mut rows = ObjectRows::new(options, false);
    if let Json::Object(fields) = document {
        rows.push(fields).map_err(|e| e.with_path(path))?;
        rows.end_row(None);
    }
    rows.finish(path, options, &mut |_| line)
}

/// Where a table with declared columns and positional rows sits in a response.
struct TableShape<'a> {
    table: &'a Json,
    columns_key: &'a str,
    name_key: &'a str,
    /// Keys that may hold the column type, in order of preference.
    type_keys: &'a [&'a str],
    rows_key: &'a str,
    /// The path from the document root to the rows array, to find a row's line.
    rows_path: Vec<Step<'a>>,
}

fn read_positional(
    path: &Path,
    text: &[u8],
    shape: &TableShape,
    options: &LoadOptions,
) -> Result<LoadedTable, LoadError> {
    let Some(Json::Array(columns)) = shape.table.get(shape.columns_key) else {
        let message = format!("expected a `{}` array in the table", shape.columns_key);
        return Err(LoadError::new(path, message));
    };
    let sources = columns
        .iter()
        .enumerate()
        .map(|(index, column)| declared_column(path, column, index, shape))
        .collect::<Result<Vec<_>, _>>()?;
    check_unique_names(path, &sources)?;
    let rows = match shape.table.get(shape.rows_key) {
        Some(Json::Array(rows)) => rows.as_slice(),
        None => &[],
        Some(_) => {
            let message = format!("expected `{}` to be an array", shape.rows_key);
            return Err(LoadError::new(path, message));
        }
    };

    let plan = plan_columns(&sources, options);
    let needed = needed_sources(&plan, sources.len());
    let wanted: Vec<usize> = needed
        .iter()
        .enumerate()
        .filter_map(|(i, &needed)| needed.then_some(i))
        .collect();
    let mut table = RawTableBuilder::new(needed, options.effective_batch_size(), true, false);
    let mut lines = LazyLines::new(text, shape.rows_path.clone());
    for (row, value) in rows.iter().enumerate() {
        let problem = match value {
            Json::Array(cells) if cells.len() == sources.len() => None,
            Json::Array(cells) => Some(format!(
                "expected {} values as in `{}`, found {}",
                sources.len(),
                shape.columns_key,
                cells.len()
            )),
            other => Some(format!("expected a row array, found {}", other.kind())),
        };
        if let Some(message) = problem {
            let error = LoadError::new(path, message);
            return Err(match lines.get(row) {
                Some(line) => error.with_line(line),
                None => error,
            });
        }
        if let Json::Array(cells) = value {
            for &index in &wanted {
                if let (Some(column), Some(cell)) = (table.column(index), cells.get(index)) {
                    append_cell(column, cell);
                }
            }
        }
        table.end_row(None);
    }
    let skipped = options.skip_bad_rows.then(Vec::new);
    into_table(
        path,
        &plan,
        table.finish(),
        &mut |row| lines.get(row),
        skipped,
    )
}

/// One entry of a response's column list: its name and declared type.
fn declared_column(
    path: &Path,
    column: &Json,
    index: usize,
    shape: &TableShape,
) -> Result<SourceColumn, LoadError> {
    let Some(Json::String(name)) = column.get(shape.name_key) else {
        let message = format!("column #{} has no string `{}`", index + 1, shape.name_key);
        return Err(LoadError::new(path, message));
    };
    let type_name = shape
        .type_keys
        .iter()
        .find_map(|key| match column.get(key) {
            Some(Json::String(type_name)) => Some(type_name),
            _ => None,
        });
    let declared = match type_name {
        Some(type_name) => Some(parse_type_name(type_name).ok_or_else(|| {
            LoadError::new(path, format!("unknown type `{type_name}`")).with_column(name)
        })?),
        None => None,
    };
    Ok(SourceColumn {
        name: name.clone(),
        declared,
    })
}

/// Row objects collected into raw columns, one column per key in first-seen order.
struct ObjectRows {
    table: RawTableBuilder,
    sources: Vec<SourceColumn>,
    index: HashMap<String, usize>,
    wanted: Option<Vec<String>>,
    /// For each column, the 1-based number of the last row that set it: finds duplicate keys.
    last_row: Vec<usize>,
    row: usize,
    skip_bad_rows: bool,
    /// The rows left out so far, with `skip_bad_rows`.
    skipped: Vec<LoadError>,
}

/// A problem within one row; the caller knows the file and line.
struct RowError {
    column: String,
    message: String,
}

impl RowError {
    fn with_path(self, path: &Path) -> LoadError {
        LoadError::new(path, self.message).with_column(self.column)
    }
}

impl ObjectRows {
    fn new(options: &LoadOptions, with_lines: bool) -> Self {
        ObjectRows {
            table: RawTableBuilder::new(
                Vec::new(),
                options.effective_batch_size(),
                true,
                with_lines,
            ),
            sources: Vec::new(),
            index: HashMap::new(),
            wanted: options.columns.map(<[String]>::to_vec),
            last_row: Vec::new(),
            row: 1,
            skip_bad_rows: options.skip_bad_rows,
            skipped: Vec::new(),
        }
    }

    fn push(&mut self, fields: &[(String, Json)]) -> Result<(), RowError> {
        for (key, value) in fields {
            let index = match self.index.get(key) {
                Some(&index) => index,
                None => {
                    let needed = self
                        .wanted
                        .as_ref()
                        .is_none_or(|w| w.iter().any(|c| c == key));
                    let index = self.table.add_source(needed);
                    self.sources.push(SourceColumn {
                        name: key.clone(),
                        declared: None,
                    });
                    self.index.insert(key.clone(), index);
                    self.last_row.push(0);
                    index
                }
            };
            if let Some(last) = self.last_row.get_mut(index) {
                if *last == self.row {
                    let message = "the key occurs twice in one object".to_string();
                    return Err(RowError {
                        column: key.clone(),
                        message,
                    });
                }
                *last = self.row;
            }
            if let Some(column) = self.table.column(index) {
                append_cell(column, value);
            }
        }
        Ok(())
    }

    fn end_row(&mut self, line: Option<usize>) {
        self.table.end_row(line);
        self.row += 1;
    }

    /// A row that cannot be read: an error, or with `skip_bad_rows` a row left out.
    fn bad_row(&mut self, error: LoadError) -> Result<(), LoadError> {
        if self.skip_bad_rows {
            self.skipped.push(error);
            Ok(())
        } else {
            Err(error)
        }
    }

    fn finish(
        self,
        path: &Path,
        options: &LoadOptions,
        locate: &mut dyn FnMut(usize) -> Option<usize>,
    ) -> Result<LoadedTable, LoadError> {
        let plan = plan_columns(&self.sources, options);
        let skipped = options.skip_bad_rows.then_some(self.skipped);
        into_table(path, &plan, self.table.finish(), locate, skipped)
    }
}

fn append_cell(column: &mut RawColumnBuilder, value: &Json) {
    match value {
        Json::Null => column.append_null(),
        Json::String(text) => column.append(CellKind::Text, text),
        Json::Bool(true) => column.append(CellKind::Bool, "true"),
        Json::Bool(false) => column.append(CellKind::Bool, "false"),
        Json::Number(number) => column.append(CellKind::Number, &number.to_string()),
        nested => column.append(CellKind::Nested, &nested.to_string()),
    }
}

/// A serde_json error as a load error. serde_json ends its message with ` at line L column C`;
/// in JSON Lines that line is always 1, so the file's line replaces it.
fn json_error(path: &Path, error: &serde_json::Error, line: Option<usize>) -> LoadError {
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let what = full.strip_suffix(&suffix).unwrap_or(&full);
    let message = if error.column() > 0 {
        format!("invalid JSON: {what} (at character {})", error.column())
    } else {
        format!("invalid JSON: {what}")
    };
    let error_line = line.or((error.line() > 0).then_some(error.line()));
    let error = LoadError::new(path, message);
    match error_line {
        Some(line) => error.with_line(line),
        None => error,
    }
}

/// The 1-based line of byte `offset`.
fn line_of(text: &[u8], offset: usize) -> usize {
    1 + text.iter().take(offset).filter(|&&b| b == b'\n').count()
}

/// A JSON value that keeps every object entry, in file order. serde_json's `Value` keeps the
/// order only with its `preserve_order` feature, and even then keeps one value per key: a
/// duplicate key would silently drop a value, where the loader must report it.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The value of `key` in an object.
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// What kind of value this is, for messages.
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// Compact JSON text.
impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Bool(value) => write!(f, "{value}"),
            Json::Number(number) => write!(f, "{number}"),
            Json::String(text) => write_json_string(f, text),
            Json::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Json::Object(fields) => {
                f.write_str("{")?;
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_json_string(f, key)?;
                    write!(f, ":{value}")?;
                }
                f.write_str("}")
            }
        }
    }
}

fn write_json_string(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if u32::from(c) < 0x20 => write!(f, "\\u{:04x}", u32::from(c))?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Json, E> {
        Ok(Json::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Json, E> {
        serde_json::Number::from_f64(value)
            .map(Json::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E>(self, value: &str) -> Result<Json, E> {
        Ok(Json::String(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<Json, E> {
        Ok(Json::String(value))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        Json::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut fields = Vec::new();
        while let Some(field) = map.next_entry::<String, Json>()? {
            fields.push(field);
        }
        Ok(Json::Object(fields))
    }
}

/// One step of a path into a JSON document.
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The lines rows of a document start on, found only when an error needs one.
struct LazyLines<'a> {
    text: &'a [u8],
    path: Vec<Step<'a>>,
    lines: Option<Option<Vec<usize>>>,
}

impl<'a> LazyLines<'a> {
    fn new(text: &'a [u8], path: Vec<Step<'a>>) -> Self {
        LazyLines {
            text,
            path,
            lines: None,
        }
    }

    fn get(&mut self, row: usize) -> Option<usize> {
        let lines = self
            .lines
            .get_or_insert_with(|| element_lines(self.text, &self.path));
        lines.as_ref()?.get(row).copied()
    }
}

/// The line each element of the array at `path` starts on. The text has been parsed already,
/// so this scanner only tracks strings, nesting and line breaks; `None` if the path is not
/// there.
fn element_lines(text: &[u8], path: &[Step]) -> Option<Vec<usize>> {
    let mut scanner = Scanner {
        text,
        pos: 0,
        line: 1,
    };
    for step in path {
        scanner.whitespace();
        match *step {
            Step::Key(key) => scanner.enter_key(key)?,
            Step::Index(index) => scanner.enter_index(index)?,
        }
    }
    scanner.whitespace();
    scanner.elements()
}

struct Scanner<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn whitespace(&mut self) {
        while let Some(byte) = self.peek() {
            match byte {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return,
            }
            self.pos += 1;
        }
    }

    /// A string's raw bytes (escapes left as they are); the cursor is on its opening quote.
    fn string(&mut self) -> Option<&'a [u8]> {
        if !self.eat(b'"') {
            return None;
        }
        let start = self.pos;
        loop {
            match self.peek()? {
                b'\\' => self.pos += 2,
                b'"' => {
                    let raw = self.text.get(start..self.pos)?;
                    self.pos += 1;
                    return Some(raw);
                }
                _ => self.pos += 1,
            }
        }
    }

    fn skip_value(&mut self) -> Option<()> {
        self.whitespace();
        match self.peek()? {
            b'"' => {
                self.string()?;
            }
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.checked_sub(1)?;
                            if depth == 0 {
                                self.pos += 1;
                                return Some(());
                            }
                        }
                        b'\n' => self.line += 1,
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
            _ => {
                while let Some(byte) = self.peek() {
                    if matches!(byte, b',' | b']' | b'}') || byte.is_ascii_whitespace() {
                        break;
                    }
                    self.pos += 1;
                }
            }
        }
        Some(())
    }

    fn enter_key(&mut self, key: &str) -> Option<()> {
        if !self.eat(b'{') {
            return None;
        }
        loop {
            self.whitespace();
            let name = self.string()?;
            self.whitespace();
            if !self.eat(b':') {
                return None;
            }
            self.whitespace();
            if name == key.as_bytes() {
                return Some(());
            }
            self.skip_value()?;
            self.whitespace();
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn enter_index(&mut self, index: usize) -> Option<()> {
        if !self.eat(b'[') {
            return None;
        }
        for _ in 0..index {
            self.skip_value()?;
            self.whitespace();
            if !self.eat(b',') {
                return None;
            }
        }
        self.whitespace();
        Some(())
    }

    fn elements(&mut self) -> Option<Vec<usize>> {
        if !self.eat(b'[') {
            return None;
        }
        let mut lines = Vec::new();
        self.whitespace();
        if self.eat(b']') {
            return Some(lines);
        }
        loop {
            self.whitespace();
            lines.push(self.line);
            self.skip_value()?;
            self.whitespace();
            if !self.eat(b',') {
                return Some(lines);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_order_and_nested_text_round_trips() {
        let text = r#"{"b":1,"a":[true,null,"x\"\n\u0001"],"c":{"z":1.5,"y":{}}}"#;
        let value: Json = serde_json::from_str(text).unwrap();
        assert_eq!(value.to_string(), text);
        let Json::Object(fields) = value else {
            panic!()
        };
        let keys: Vec<_> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a", "c"]);
    }

    #[test]
    fn element_lines_follow_paths() {
        let text = b"[\n {\"a\": \"]\\\"\"},\n\n [1,\n 2],\n 3\n]";
        assert_eq!(element_lines(text, &[]), Some(vec![2, 4, 6]));

        let text = b"{\"x\": [1, {\"k\": 2}],\n \"tables\": [{\"rows\": [\n[1],\n[2]]}]}";
        let path = [Step::Key("tables"), Step::Index(0), Step::Key("rows")];
        assert_eq!(element_lines(text, &path), Some(vec![3, 4]));
        assert_eq!(element_lines(text, &[Step::Key("nope")]), None);
        assert_eq!(element_lines(b"[", &[]), None);
    }

    #[test]
    fn serde_positions_become_ours() {
        let error = serde_json::from_str::<Json>("{\"a\": tru}").unwrap_err();
        let error = json_error(Path::new("x.jsonl"), &error, Some(7));
        assert_eq!(error.line, Some(7));
        assert!(
            error.message.starts_with("invalid JSON: "),
            "{}",
            error.message
        );
        assert!(!error.message.contains("line"), "{}", error.message);
    }
}
