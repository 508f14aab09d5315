//! The aligned table shown on a terminal, laid out like Kusto Explorer's grid:
//!
//! ```text
//! State     Count  Start
//! --------  -----  --------------------
//! TEXAS        12  2007-01-01T00:00:00Z
//! KANSAS        3  2007-02-11T08:30:00Z
//! (showing 3 of 12 columns, 7 empty ones hidden; use --format csv or json for all)
//! 2 rows
//! ```
//!
//! Each column is as wide as its widest cell, up to [`TableOptions::max_cell_width`]; longer
//! cells are cut short with `…`. Numbers are right-aligned, everything else left-aligned.
//! When the columns are wider together than [`TableOptions::max_width`], the columns that are
//! empty in every row (null or `""`) are hidden first, then only the leading columns that fit
//! are shown, in their order, with a note saying so. A result of many columns, most of them
//! empty (a `join` of wide Sentinel tables, say), so shows the ones that say something. When
//! no column has a value (or there are no rows), the leading columns are shown as they are.
//! Newlines, tabs and other control characters in cells are shown escaped (`\n`), so every
//! row stays on one line.
//!
//! Widths are counted in `char`s. Wide characters (CJK, emoji) take two terminal columns
//! and so misalign their rows; counting them properly would need the `unicode-width` crate,
//! which is not worth a dependency for a table meant for reading, not parsing.

use std::io::{self, Write};

use arrow::datatypes::{Field, Schema};
use arrow::record_batch::RecordBatch;
use kql_engine::types::KustoType;

use super::value::Value;
use super::{TableOptions, readers};

/// What separates two columns.
const GAP: &str = "  ";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// One shown column: its index in the schema, its header, its cells (escaped and cut
/// short) and its width.
struct Column {
    index: usize,
    header: String,
    cells: Vec<String>,
    width: usize,
    right_aligned: bool,
}

impl Column {
    fn new(index: usize, field: &Field, header: String, rows: usize) -> Self {
        let numeric = KustoType::of_field(field).is_some_and(KustoType::is_numeric);
        Column {
            index,
            width: width(&header),
            header,
            cells: Vec::with_capacity(rows),
            right_aligned: numeric,
        }
    }
}

/// Writes `batches` as an aligned table, ending with the row count (`2 rows`).
pub(super) fn write_table(
    schema: &Schema,
    batches: &[RecordBatch],
    options: &TableOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let total = schema.fields().len();
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let layout = Layout {
        schema,
        batches,
        rows,
        max_width: options.max_width,
        // A single column wider than the screen still shows, cut to the screen's width.
        cell_limit: options.max_cell_width.min(options.max_width).max(1),
    };

    let every: Vec<usize> = (0..total).collect();
    let mut columns = layout.fitting_columns(&every);
    let mut hidden_empty = 0;
    if columns.len() < total {
        // Not everything fits: empty columns make room for those with values.
        let filled = filled_columns(schema, batches);
        if !filled.is_empty() && filled.len() < total {
            hidden_empty = total - filled.len();
            columns = layout.fitting_columns(&filled);
        }
    }
    write_grid(&columns, rows, options.color, out)?;

    let shown = columns.len();
    if shown < total {
        let note = "use --format csv or json for all";
        let hidden = match hidden_empty {
            0 => String::new(),
            1 => ", 1 empty one hidden".to_string(),
            n => format!(", {n} empty ones hidden"),
        };
        writeln!(out, "(showing {shown} of {total} columns{hidden}; {note})")?;
    }
    let noun = if rows == 1 { "row" } else { "rows" };
    writeln!(out, "{rows} {noun}")
}

/// A result to lay out, and the room it has.
struct Layout<'a> {
    schema: &'a Schema,
    batches: &'a [RecordBatch],
    rows: usize,
    max_width: usize,
    cell_limit: usize,
}

impl Layout<'_> {
    /// The leading columns of `indices` (indices into the schema, in order) that fit in the
    /// width, with their cells.
    fn fitting_columns(&self, indices: &[usize]) -> Vec<Column> {
        let fields = self.schema.fields();
        // A column is at least as wide as its header, so the headers alone bound how many
        // columns can fit; cells are only formatted for those.
        let headers: Vec<(usize, &Field, String)> = indices
            .iter()
            .filter_map(|&index| Some((index, fields.get(index)?.as_ref())))
            .map(|(index, field)| (index, field, cell(field.name(), self.cell_limit)))
            .collect();
        let candidates = leading_fit(
            headers.iter().map(|(_, _, header)| width(header)),
            self.max_width,
        );
        let mut columns: Vec<Column> = headers
            .into_iter()
            .take(candidates)
            .map(|(index, field, header)| Column::new(index, field, header, self.rows))
            .collect();

        let mut text = String::new();
        for batch in self.batches {
            let readers = readers(self.schema, batch);
            for row in 0..batch.num_rows() {
                for column in &mut columns {
                    text.clear();
                    if let Some(reader) = readers.get(column.index) {
                        reader.value(row).push_text(&mut text);
                    }
                    let shown = cell(&text, self.cell_limit);
                    column.width = column.width.max(width(&shown));
                    column.cells.push(shown);
                }
            }
        }

        let shown = leading_fit(columns.iter().map(|column| column.width), self.max_width);
        columns.truncate(shown);
        columns
    }
}

/// The indices of the columns with a cell that is not empty in some row, in order.
fn filled_columns(schema: &Schema, batches: &[RecordBatch]) -> Vec<usize> {
    let mut filled = vec![false; schema.fields().len()];
    let mut text = String::new();
    for batch in batches {
        for (is_filled, reader) in filled.iter_mut().zip(readers(schema, batch)) {
            if !*is_filled {
                *is_filled =
                    (0..batch.num_rows()).any(|row| !shows_empty(&reader.value(row), &mut text));
            }
        }
    }
    let indices = filled.iter().enumerate();
    indices
        .filter(|(_, is_filled)| **is_filled)
        .map(|(index, _)| index)
        .collect()
}

/// Whether a value shows as an empty cell: a null or `""` (`text` is scratch space).
fn shows_empty(value: &Value<'_>, text: &mut String) -> bool {
    match value {
        Value::Null => true,
        Value::String(string) => string.is_empty(),
        other => {
            text.clear();
            other.push_text(text);
            text.is_empty()
        }
    }
}

/// Writes the header line, the separator line and one line per row.
fn write_grid(columns: &[Column], rows: usize, color: bool, out: &mut dyn Write) -> io::Result<()> {
    if columns.is_empty() {
        return Ok(());
    }

    let mut line = String::new();
    let (bold, reset) = if color { (BOLD, RESET) } else { ("", "") };
    push_line(&mut line, columns, |column| {
        (column.header.as_str(), bold, reset)
    });
    out.write_all(line.as_bytes())?;

    line.clear();
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            line.push_str(GAP);
        }
        line.extend(std::iter::repeat_n('-', column.width));
    }
    line.push('\n');
    out.write_all(line.as_bytes())?;

    for row in 0..rows {
        line.clear();
        push_line(&mut line, columns, |column| {
            (column.cells.get(row).map_or("", String::as_str), "", "")
        });
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Appends one line of the table: each column's text (wrapped in `before` and `after`, for
/// color) padded to the column's width, without the spaces that would end the line.
fn push_line<'c>(
    line: &mut String,
    columns: &'c [Column],
    text_of: impl Fn(&'c Column) -> (&'c str, &'static str, &'static str),
) {
    for (i, column) in columns.iter().enumerate() {
        let (text, before, after) = text_of(column);
        let pad = column.width.saturating_sub(width(text));
        if i > 0 {
            line.push_str(GAP);
        }
        if column.right_aligned {
            line.extend(std::iter::repeat_n(' ', pad));
        }
        line.push_str(before);
        line.push_str(text);
        line.push_str(after);
        if !column.right_aligned {
            line.extend(std::iter::repeat_n(' ', pad));
        }
    }
    line.truncate(line.trim_end_matches(' ').len());
    line.push('\n');
}

/// How many leading columns of these widths fit in `max_width`; at least one, if any.
fn leading_fit(widths: impl Iterator<Item = usize>, max_width: usize) -> usize {
    let mut used: usize = 0;
    let mut count = 0;
    for column_width in widths {
        let needed = if count == 0 {
            column_width
        } else {
            used.saturating_add(GAP.len() + column_width)
        };
        if count > 0 && needed > max_width {
            break;
        }
        used = needed;
        count += 1;
    }
    count
}

/// The text shown for a cell: control characters escaped, then cut to `limit` characters,
/// the last of them `…`.
fn cell(text: &str, limit: usize) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => shown.push_str("\\n"),
            '\r' => shown.push_str("\\r"),
            '\t' => shown.push_str("\\t"),
            // Other controls (an ESC, say) could restyle the terminal: show them as `\u{1b}`.
            c if c.is_control() => shown.extend(c.escape_default()),
            c => shown.push(c),
        }
    }

    if width(&shown) <= limit {
        return shown;
    }
    let mut cut: String = shown.chars().take(limit.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn width(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, BooleanArray, Int64Array, StringArray, TimestampNanosecondArray};

    use super::super::Format;
    use super::super::tests::{every_type, rendered};
    use super::*;

    fn table(schema: &Schema, batches: &[RecordBatch], options: &TableOptions) -> String {
        rendered(schema, batches, Format::Table, options)
    }

    fn strings(names: &[&str], rows: &[&[&str]]) -> (Schema, RecordBatch) {
        let fields = names.iter().map(|name| KustoType::String.field(*name));
        let schema = Schema::new(fields.collect::<Vec<_>>());
        let columns: Vec<ArrayRef> = (0..names.len())
            .map(|i| {
                let values = rows
                    .iter()
                    .map(|row| row.get(i).copied().unwrap_or_default());
                Arc::new(StringArray::from(values.collect::<Vec<_>>())) as ArrayRef
            })
            .collect();
        let batch = RecordBatch::try_new(Arc::new(schema.clone()), columns).expect("valid batch");
        (schema, batch)
    }

    #[test]
    fn every_kusto_type() {
        let (schema, batch) = every_type();
        let options = TableOptions {
            max_width: 1000,
            ..TableOptions::default()
        };
        let expected = [
            "b       i   l    r     d  s              g                                     \
             t                             ts                dyn",
            "-----  --  --  ---  ----  -------------  ------------------------------------  \
             ----------------------------  ----------------  -----------",
            "true    1   2    2   1.5  a,b            74be27de-1e4e-49d9-b579-fe0b331d3642  \
             2026-11-27T12:00:00Z          00:00:01.5000000  {\"k\":[1,2]}",
            "",
            "false  -1  -9  NaN  0.25  say \"hi\"\\nbye  74be27de-1e4e-49d9-b579-fe0b331d3642  \
             2016-12-31T23:59:59.9999999Z  -12:00:00         not json",
            "3 rows",
            "",
        ];
        assert_eq!(table(&schema, &[batch], &options), expected.join("\n"));
    }

    #[test]
    fn long_cells_are_cut_short() {
        let (schema, batch) = strings(&["name", "n"], &[&["abcdefghijklmnop", "1"]]);
        let options = TableOptions {
            max_cell_width: 8,
            ..TableOptions::default()
        };
        let expected = "name      n\n--------  -\nabcdefg…  1\n1 row\n";
        assert_eq!(table(&schema, &[batch], &options), expected);
    }

    #[test]
    fn wide_results_show_the_leading_columns_that_fit() {
        let names: Vec<String> = (0..30).map(|i| format!("column{i:02}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        // One row, every cell empty: with nothing to prefer, the leading columns show.
        let (schema, batch) = strings(&names, &[&[]]);
        let options = TableOptions {
            max_width: 40,
            ..TableOptions::default()
        };
        let expected = "column00  column01  column02  column03\n\
                        --------  --------  --------  --------\n\
                        \n\
                        (showing 4 of 30 columns; use --format csv or json for all)\n\
                        1 row\n";
        assert_eq!(table(&schema, &[batch], &options), expected);
    }

    /// Column names `c00`, `c01`, ... for wide results.
    fn numbered(count: usize) -> Vec<String> {
        (0..count).map(|i| format!("c{i:02}")).collect()
    }

    #[test]
    fn empty_columns_are_hidden_first_when_not_all_fit() {
        let names = numbered(12);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        // Only c03, c07 and c10 have a value, in one row or the other.
        let mut first = [""; 12];
        let mut second = [""; 12];
        first[3] = "x";
        second[7] = "yy";
        first[10] = "z";
        let (schema, batch) = strings(&names, &[&first, &second]);
        let options = TableOptions {
            max_width: 20,
            ..TableOptions::default()
        };
        let expected = "c03  c07  c10\n\
                        ---  ---  ---\n\
                        x         z\n     yy\n\
                        (showing 3 of 12 columns, 9 empty ones hidden; \
                        use --format csv or json for all)\n\
                        2 rows\n";
        assert_eq!(table(&schema, &[batch], &options), expected);
    }

    #[test]
    fn filled_columns_that_still_do_not_fit_are_cut_in_order() {
        let names = numbered(8);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let row = ["", "a", "", "b", "c", "", "d", "e"];
        let (schema, batch) = strings(&names, &[&row]);
        let options = TableOptions {
            max_width: 13,
            ..TableOptions::default()
        };
        let expected = "c01  c03  c04\n\
                        ---  ---  ---\n\
                        a    b    c\n\
                        (showing 3 of 8 columns, 3 empty ones hidden; \
                        use --format csv or json for all)\n\
                        1 row\n";
        assert_eq!(table(&schema, &[batch], &options), expected);
    }

    #[test]
    fn one_hidden_empty_column_is_named_in_the_singular() {
        let (schema, batch) = strings(&["aaaa", "bbbb", "cccc"], &[&["1", "", "3"]]);
        let options = TableOptions {
            max_width: 12,
            ..TableOptions::default()
        };
        let expected = "aaaa  cccc\n----  ----\n1     3\n\
                        (showing 2 of 3 columns, 1 empty one hidden; \
                        use --format csv or json for all)\n1 row\n";
        assert_eq!(table(&schema, &[batch], &options), expected);
    }

    #[test]
    fn empty_columns_show_when_everything_fits() {
        let (schema, batch) = strings(&["a", "b", "c"], &[&["1", "", "3"]]);
        let expected = "a  b  c\n-  -  -\n1     3\n1 row\n";
        assert_eq!(table(&schema, &[batch], &TableOptions::default()), expected);
    }

    #[test]
    fn nulls_of_any_type_are_empty_but_zero_and_false_are_not() {
        let schema = Schema::new(vec![
            KustoType::Long.field("none"),
            KustoType::Long.field("zero"),
            KustoType::Bool.field("nobool"),
            KustoType::Bool.field("no"),
            KustoType::String.field("nostr"),
            KustoType::DateTime.field("never"),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![None, None])),
            Arc::new(Int64Array::from(vec![None, Some(0)])),
            Arc::new(BooleanArray::from(vec![None, None])),
            Arc::new(BooleanArray::from(vec![Some(false), None])),
            Arc::new(StringArray::from(vec![None::<&str>, None])),
            Arc::new(TimestampNanosecondArray::from(vec![None, None]).with_timezone("UTC")),
        ];
        let batch = RecordBatch::try_new(Arc::new(schema.clone()), columns).expect("valid");
        let options = TableOptions {
            max_width: 20,
            ..TableOptions::default()
        };
        let expected = "zero  no\n----  -----\n      false\n   0\n\
                        (showing 2 of 6 columns, 4 empty ones hidden; \
                        use --format csv or json for all)\n2 rows\n";
        assert_eq!(table(&schema, &[batch], &options), expected);
    }

    #[test]
    fn a_column_filled_only_in_a_later_batch_is_not_empty() {
        let (schema, first) = strings(&["aaaa", "bbbb", "cccc"], &[&["1", "", ""]]);
        let (_, second) = strings(&["aaaa", "bbbb", "cccc"], &[&["", "", "3"]]);
        let options = TableOptions {
            max_width: 12,
            ..TableOptions::default()
        };
        let expected = "aaaa  cccc\n----  ----\n1\n      3\n\
                        (showing 2 of 3 columns, 1 empty one hidden; \
                        use --format csv or json for all)\n2 rows\n";
        assert_eq!(table(&schema, &[first, second], &options), expected);
    }

    #[test]
    fn without_rows_the_leading_columns_show() {
        let names = numbered(12);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let (schema, batch) = strings(&names, &[]);
        let options = TableOptions {
            max_width: 13,
            ..TableOptions::default()
        };
        let expected = "c00  c01  c02\n---  ---  ---\n\
                        (showing 3 of 12 columns; use --format csv or json for all)\n0 rows\n";
        assert_eq!(table(&schema, &[batch], &options), expected);
    }

    #[test]
    fn a_column_wider_than_the_screen_is_cut_to_the_screen() {
        let (schema, batch) = strings(&["a", "b"], &[&["0123456789", "x"]]);
        let options = TableOptions {
            max_width: 5,
            ..TableOptions::default()
        };
        let expected =
            "a\n-----\n0123…\n(showing 1 of 2 columns; use --format csv or json for all)\n1 row\n";
        assert_eq!(table(&schema, &[batch], &options), expected);
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(cell("a\nb\tc\r\u{1b}[31m", 40), "a\\nb\\tc\\r\\u{1b}[31m");
        assert_eq!(cell("line\nbreak", 5), "line…");
        assert_eq!(cell("anything", 0), "…");
        assert_eq!(cell("", 3), "");
    }

    #[test]
    fn numbers_are_right_aligned() {
        let schema = Schema::new(vec![KustoType::Long.field("count")]);
        let column: ArrayRef = Arc::new(Int64Array::from(vec![Some(7), None, Some(123456)]));
        let batch = RecordBatch::try_new(Arc::new(schema.clone()), vec![column]).expect("valid");
        let expected = " count\n------\n     7\n\n123456\n3 rows\n";
        assert_eq!(table(&schema, &[batch], &TableOptions::default()), expected);
    }

    #[test]
    fn color_makes_the_header_bold() {
        let (schema, batch) = strings(&["a", "b"], &[&["xyz", "1"]]);
        let options = TableOptions {
            color: true,
            ..TableOptions::default()
        };
        let expected = "\x1b[1ma\x1b[0m    \x1b[1mb\x1b[0m\n---  -\nxyz  1\n1 row\n";
        assert_eq!(table(&schema, &[batch], &options), expected);
    }

    #[test]
    fn empty_results() {
        let (schema, batch) = strings(&["a", "bb"], &[]);
        let expected = "a  bb\n-  --\n0 rows\n";
        assert_eq!(table(&schema, &[batch], &TableOptions::default()), expected);
        assert_eq!(table(&schema, &[], &TableOptions::default()), expected);
        assert_eq!(
            table(&Schema::empty(), &[], &TableOptions::default()),
            "0 rows\n"
        );
    }

    #[test]
    fn rows_of_several_batches_are_counted_together() {
        let (schema, first) = strings(&["s"], &[&["x"], &["y"]]);
        let (_, second) = strings(&["s"], &[&["a longer one"]]);
        let expected = "s\n------------\nx\ny\na longer one\n3 rows\n";
        assert_eq!(
            table(&schema, &[first, second], &TableOptions::default()),
            expected
        );
    }
}
