//! Comparing a result with expected rows, and showing the differences.
//!
//! Cells are compared by their text as Kusto prints it, after reading the expected value as
//! the result column's type: `2026-11-20T09:15:00.000Z` equals the datetime printed as
//! `2026-11-20T09:15:00Z`, `1.50` equals the real `1.5`, and a `dynamic` value equals the same
//! JSON with its keys in any order. A null and an empty string are the same "no value", as
//! they are in Kusto, where strings are never null.

use std::collections::HashMap;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{
    DataType, DurationNanosecondType, Float64Type, Int32Type, Int64Type, Schema, TimeUnit,
    TimestampNanosecondType,
};
use arrow::record_batch::RecordBatch;
use arrow::util::display::array_value_to_string;
use kql_engine::format;
use kql_engine::source::datetime::{DateOrder, parse_datetime, parse_timespan};
use kql_engine::types::KustoType;
use kql_parser::ast::{ExprKind, OperatorKind, StatementKind};
use yaml_serde::Value;

/// A cell as compared: its text, `None` for a null or an empty string.
pub type Cell = Option<String>;

/// A row as compared: one cell per compared column.
pub type Key = Vec<Cell>;

/// The cells of `columns` (indexes into the batches' columns) for every row, in order.
pub fn result_keys(schema: &Schema, batches: &[RecordBatch], columns: &[usize]) -> Vec<Key> {
    let mut keys = Vec::new();
    for batch in batches {
        let arrays: Vec<(&dyn Array, Option<KustoType>)> = columns
            .iter()
            .map(|&index| {
                let ty = schema
                    .fields()
                    .get(index)
                    .and_then(|f| KustoType::of_field(f));
                (batch.column(index).as_ref(), ty)
            })
            .collect();
        for row in 0..batch.num_rows() {
            keys.push(
                arrays
                    .iter()
                    .map(|(array, ty)| result_cell(*array, row, *ty))
                    .collect(),
            );
        }
    }
    keys
}

/// One result cell as compared.
pub fn result_cell(array: &dyn Array, row: usize, ty: Option<KustoType>) -> Cell {
    if row >= array.len() || array.is_null(row) {
        return None;
    }
    let text = match array.data_type() {
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::Float64 => {
            let value = array.as_primitive::<Float64Type>().value(row);
            real_text(value, ty)
        }
        DataType::Utf8 => {
            let text = array.as_string::<i32>().value(row);
            match ty {
                Some(KustoType::Dynamic) => canonical_json(text),
                Some(KustoType::Guid) => text.to_ascii_lowercase(),
                _ => text.to_string(),
            }
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            format::datetime(array.as_primitive::<TimestampNanosecondType>().value(row))
        }
        DataType::Duration(TimeUnit::Nanosecond) => {
            format::timespan(array.as_primitive::<DurationNanosecondType>().value(row))
        }
        _ => array_value_to_string(array, row).unwrap_or_default(),
    };
    (!text.is_empty()).then_some(text)
}

/// A `real` as Kusto prints it; a `decimal` in plain notation.
fn real_text(value: f64, ty: Option<KustoType>) -> String {
    match (ty, format::non_finite(value)) {
        (Some(KustoType::Decimal), None) => value.to_string(),
        _ => format::real(value),
    }
}

/// An expected value read as a cell of type `ty`. `Err` when the text cannot be a value of
/// that type (`yesterday` for a datetime), which is a mistake in the test file.
pub fn expected_cell(value: &Value, ty: Option<KustoType>) -> Result<Cell, String> {
    let ty = ty.unwrap_or(KustoType::String);
    let text = match value {
        Value::Null => return Ok(None),
        Value::String(text) if text.is_empty() => return Ok(None),
        Value::String(text) => typed_text(text, ty)?,
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => match (ty, number.as_f64()) {
            (KustoType::Real | KustoType::Decimal, Some(value)) => real_text(value, Some(ty)),
            _ => number.to_string(),
        },
        Value::Sequence(_) | Value::Mapping(_) if ty == KustoType::Dynamic => {
            let json = serde_json::to_value(value).map_err(|error| error.to_string())?;
            canonical_json(&json.to_string())
        }
        Value::Sequence(_) | Value::Mapping(_) => {
            return Err(format!(
                "a list or mapping only fits a dynamic column, not {ty}"
            ));
        }
        Value::Tagged(tagged) => return Err(format!("unexpected YAML tag `{}`", tagged.tag)),
    };
    Ok((!text.is_empty()).then_some(text))
}

/// Expected text read as type `ty`.
fn typed_text(text: &str, ty: KustoType) -> Result<String, String> {
    let not = |what: &str| format!("`{text}` is not {what}");
    Ok(match ty {
        KustoType::DateTime => parse_datetime(text, DateOrder::MonthFirst)
            .map(format::datetime)
            .ok_or_else(|| not("a datetime"))?,
        KustoType::TimeSpan => parse_timespan(text)
            .or_else(|| kql_parser::parse_timespan_body(text).and_then(|t| t.checked_mul(100)))
            .map(format::timespan)
            .ok_or_else(|| not("a timespan"))?,
        KustoType::Bool => match text.to_ascii_lowercase().as_str() {
            "true" => "true".to_string(),
            "false" => "false".to_string(),
            _ => return Err(not("a bool")),
        },
        KustoType::Int | KustoType::Long => text
            .trim()
            .parse::<i64>()
            .map_err(|_| not("a whole number"))?
            .to_string(),
        KustoType::Real | KustoType::Decimal => {
            let value = match text.trim() {
                "NaN" => f64::NAN,
                "Infinity" => f64::INFINITY,
                "-Infinity" => f64::NEG_INFINITY,
                other => other.parse::<f64>().map_err(|_| not("a number"))?,
            };
            real_text(value, Some(ty))
        }
        KustoType::Guid => text.to_ascii_lowercase(),
        KustoType::Dynamic => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(_) => canonical_json(text),
            Err(_) => serde_json::Value::String(text.to_string()).to_string(),
        },
        KustoType::String => text.to_string(),
    })
}

/// JSON text with no spaces and object keys sorted; other text unchanged.
fn canonical_json(text: &str) -> String {
    fn sorted(value: serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<_> = map.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                let map = entries.into_iter().map(|(k, v)| (k, sorted(v))).collect();
                serde_json::Value::Object(map)
            }
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.into_iter().map(sorted).collect())
            }
            other => other,
        }
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => sorted(value).to_string(),
        Err(_) => text.to_string(),
    }
}

/// True when the query's first result ends by sorting (`sort by`, `order by`, `top`),
/// possibly followed by operators that keep the order (`where`, `project`, `take`, ...).
pub fn query_sorts(text: &str) -> bool {
    let Ok(query) = kql_parser::parse(text) else {
        return false;
    };
    let first = query
        .statements
        .iter()
        .find_map(|statement| match &statement.kind {
            StatementKind::Expr(expr) => Some(expr),
            _ => None,
        });
    let mut expr = match first {
        Some(expr) => expr,
        None => return false,
    };
    while let ExprKind::Pipe { input, operator } = &expr.kind {
        match &operator.kind {
            OperatorKind::Sort(_) | OperatorKind::Top(_) => return true,
            OperatorKind::Where(_)
            | OperatorKind::Extend(_)
            | OperatorKind::Project(_)
            | OperatorKind::ProjectAway(_)
            | OperatorKind::ProjectKeep(_)
            | OperatorKind::ProjectRename(_)
            | OperatorKind::ProjectReorder(_)
            | OperatorKind::Take(_)
            | OperatorKind::Serialize(_)
            | OperatorKind::As(_)
            | OperatorKind::Render(_) => expr = input,
            _ => return false,
        }
    }
    false
}

/// How expected and returned rows differ, as lines to show; `None` when they agree.
pub fn diff_rows(
    columns: &[String],
    expected: &[Key],
    got: &[Key],
    ordered: bool,
) -> Option<Vec<String>> {
    if ordered {
        if expected == got {
            return None;
        }
        return Some(ordered_diff(columns, expected, got));
    }
    let (missing, unexpected) = multiset_difference(expected, got);
    if missing.is_empty() && unexpected.is_empty() {
        return None;
    }
    let matched = expected.len() - missing.len();
    let mut marked: Vec<(char, &Key)> = missing.iter().map(|key| ('-', *key)).collect();
    marked.extend(unexpected.iter().map(|key| ('+', *key)));
    let mut lines = vec![format!(
        "rows differ (in any order): expected {}, got {}, {matched} alike; \
         - expected, not returned; + returned, not expected",
        expected.len(),
        got.len()
    )];
    lines.extend(table_lines(columns, &marked));
    Some(lines)
}

/// The rows of `expected` that `got` lacks, and those of `got` that `expected` lacks,
/// counting repeated rows.
pub fn multiset_difference<'a>(
    expected: &'a [Key],
    got: &'a [Key],
) -> (Vec<&'a Key>, Vec<&'a Key>) {
    let mut available: HashMap<&Key, usize> = HashMap::new();
    for key in got {
        *available.entry(key).or_default() += 1;
    }
    let mut missing = Vec::new();
    for key in expected {
        match available.get_mut(key) {
            Some(count) if *count > 0 => *count -= 1,
            _ => missing.push(key),
        }
    }
    let mut unexpected = Vec::new();
    for key in got {
        if let Some(count) = available.get_mut(key).filter(|count| **count > 0) {
            *count -= 1;
            unexpected.push(key);
        }
    }
    (missing, unexpected)
}

/// The most rows a diff shows.
const MAX_DIFF_ROWS: usize = 40;

/// A line-by-line diff of rows in order (longest common subsequence).
// The table has `expected.len() + 1` rows of `got.len() + 1` cells, the fill reads `i + 1` and
// `j + 1` for `i < expected.len()` and `j < got.len()`, and the walk reads `expected[i]` and
// `got[j]` only where the conditions before say `i` and `j` are below those lengths.
#[allow(clippy::indexing_slicing)]
fn ordered_diff(columns: &[String], expected: &[Key], got: &[Key]) -> Vec<String> {
    let mut marked: Vec<(char, &Key)> = Vec::new();
    if expected.len().saturating_mul(got.len()) <= 4_000_000 {
        // lengths[i][j]: the longest common subsequence of expected[i..] and got[j..].
        let mut lengths = vec![vec![0u32; got.len() + 1]; expected.len() + 1];
        for i in (0..expected.len()).rev() {
            for j in (0..got.len()).rev() {
                lengths[i][j] = if expected[i] == got[j] {
                    lengths[i + 1][j + 1] + 1
                } else {
                    lengths[i + 1][j].max(lengths[i][j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < expected.len() || j < got.len() {
            if i < expected.len() && j < got.len() && expected[i] == got[j] {
                marked.push((' ', &expected[i]));
                (i, j) = (i + 1, j + 1);
            } else if j < got.len()
                && (i == expected.len() || lengths[i][j + 1] >= lengths[i + 1][j])
            {
                marked.push(('+', &got[j]));
                j += 1;
            } else {
                marked.push(('-', &expected[i]));
                i += 1;
            }
        }
    } else {
        marked.extend(expected.iter().map(|key| ('-', key)));
        marked.extend(got.iter().map(|key| ('+', key)));
    }
    let mut lines = vec![format!(
        "rows differ (in order): expected {}, got {}; - expected, + returned",
        expected.len(),
        got.len()
    )];
    lines.extend(table_lines(columns, &marked));
    lines
}

/// Rows as an aligned table under a header of column names, each row after its mark.
pub fn table_lines(columns: &[String], rows: &[(char, &Key)]) -> Vec<String> {
    let shown = rows.get(..MAX_DIFF_ROWS).unwrap_or(rows);
    let mut widths: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
    for (_, key) in shown {
        for (width, cell) in widths.iter_mut().zip(key.iter()) {
            *width = (*width).max(cell_text(cell).chars().count());
        }
    }
    let line = |mark: char, cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        format!("{mark} | {}", padded.join(" | "))
            .trim_end()
            .to_string()
    };
    let mut lines = vec![line(' ', columns.iter().map(String::as_str).collect())];
    for (mark, key) in shown {
        lines.push(line(*mark, key.iter().map(cell_text).collect()));
    }
    if rows.len() > shown.len() {
        lines.push(format!("  ... and {} more rows", rows.len() - shown.len()));
    }
    lines
}

/// A cell as shown: its text, or nothing.
fn cell_text(cell: &Cell) -> &str {
    cell.as_deref().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(cells: &[&str]) -> Key {
        cells
            .iter()
            .map(|c| (!c.is_empty()).then(|| c.to_string()))
            .collect()
    }

    #[test]
    fn expected_values_take_the_column_type() {
        let yaml = |text: &str| -> Value { yaml_serde::from_str(text).expect("yaml") };
        let cell = |text: &str, ty| expected_cell(&yaml(text), Some(ty)).expect("a cell");
        assert_eq!(
            cell("2026-11-20T09:15:00.000Z", KustoType::DateTime),
            Some("2026-11-20T09:15:00Z".into())
        );
        assert_eq!(cell("1.50", KustoType::Real), Some("1.5".into()));
        assert_eq!(cell("'1.50'", KustoType::Real), Some("1.5".into()));
        assert_eq!(cell("3", KustoType::String), Some("3".into()));
        assert_eq!(cell("'2h'", KustoType::TimeSpan), Some("02:00:00".into()));
        assert_eq!(
            cell("'1.02:00:00'", KustoType::TimeSpan),
            Some("1.02:00:00".into())
        );
        assert_eq!(cell("True", KustoType::Bool), Some("true".into()));
        assert_eq!(cell("~", KustoType::Long), None);
        assert_eq!(cell("''", KustoType::String), None);
        assert_eq!(
            cell("{b: 1, a: [x]}", KustoType::Dynamic),
            Some(r#"{"a":["x"],"b":1}"#.into())
        );
        assert!(expected_cell(&yaml("yesterday"), Some(KustoType::DateTime)).is_err());
        assert!(expected_cell(&yaml("[1]"), Some(KustoType::Long)).is_err());
    }

    #[test]
    fn dynamic_cells_ignore_key_order() {
        let array = arrow::array::StringArray::from(vec![r#"{ "b": 1, "a": 2 }"#]);
        assert_eq!(
            result_cell(&array, 0, Some(KustoType::Dynamic)),
            Some(r#"{"a":2,"b":1}"#.into())
        );
    }

    #[test]
    fn multisets_count_repeats() {
        let expected = [key(&["a"]), key(&["a"]), key(&["b"])];
        let got = [key(&["a"]), key(&["c"]), key(&["b"])];
        let (missing, unexpected) = multiset_difference(&expected, &got);
        assert_eq!(missing, [&key(&["a"])]);
        assert_eq!(unexpected, [&key(&["c"])]);
        assert!(diff_rows(&["x".into()], &expected[1..], &got[..1], false).is_some());
        let same = [key(&["b"]), key(&["a"])];
        assert!(diff_rows(&["x".into()], &same, &[key(&["a"]), key(&["b"])], false).is_none());
        assert!(diff_rows(&["x".into()], &same, &[key(&["a"]), key(&["b"])], true).is_some());
    }

    #[test]
    fn diffs_in_order_mark_each_row() {
        let columns = ["N".to_string(), "Text".to_string()];
        let expected = [key(&["1", "a"]), key(&["2", "b"]), key(&["3", "c"])];
        let got = [key(&["1", "a"]), key(&["3", "c"]), key(&["4", ""])];
        let lines = diff_rows(&columns, &expected, &got, true).expect("a diff");
        assert_eq!(
            lines[1..],
            [
                "  | N | Text",
                "  | 1 | a",
                "- | 2 | b",
                "  | 3 | c",
                "+ | 4 |",
            ]
        );
    }

    #[test]
    fn which_queries_sort() {
        assert!(query_sorts("T | sort by A"));
        assert!(query_sorts("T | order by A desc | project A | take 3"));
        assert!(query_sorts("let x = 1;\nT | top 3 by A"));
        assert!(!query_sorts("T | sort by A | summarize count() by B"));
        assert!(!query_sorts("T | where A > 1"));
        assert!(!query_sorts("T | where"));
    }
}
